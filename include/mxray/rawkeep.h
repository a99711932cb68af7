/* rawkeep: the answers of a raw approach (mx, cert, banner, priority) an
 * infer run does not compute stay those of the run that last computed
 * it.  They are not stored but derived when read from the snapshot's
 * primary MX hosts and their evidence (f_primary_mx, f_host_ev; store.h),
 * which every run writes again: around that write, rawkeep notes what
 * the run changes, and stores the earlier answers of each such approach
 * they would change (f_result, the approach leaving f_raw).  A later run
 * that computes the approach derives it again (infer.c).
 *
 * Use, inside the run's transaction: rawkeep_begin before f_host_ev and
 * f_primary_mx are written, rawkeep_end after; on an error the caller
 * rolls back (the temporary tables and triggers with it). */
#ifndef MXRAY_RAWKEEP_H
#define MXRAY_RAWKEEP_H

#include <stdint.h>

#include "mxray/store.h"

typedef struct {
	store *st;
	int64_t snap;
	unsigned keep; /* the derived approaches kept: approach code k is bit 1 << k */
	char **err;
} rawkeep;

/* Which raw approaches of snapshot `snap` to keep (derived, and not among
 * `computed`, INFER_* bits), and the notes when there are any.  0, or -1
 * with *err. */
int rawkeep_begin(rawkeep *k, store *st, int64_t snap, unsigned computed, char **err);

/* The earlier answers of every kept approach the run changed, stored; the
 * notes dropped.  0, or -1 with *k->err. */
int rawkeep_end(rawkeep *k);

#endif
