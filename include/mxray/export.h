/* export: the derived tables for pandas, DuckDB and R: per-domain
 * assignments and per-provider shares (the layout of the study's published
 * tables). */
#ifndef MXRAY_EXPORT_H
#define MXRAY_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "mxray/store.h"

enum export_format { EXPORT_CSV, EXPORT_JSONL };

/* The snapshot to export when none is given: the newest with answers for
 * `approach` ("final" for the corrected answer).  False when none. */
bool export_latest(store *st, const char *approach, char buf[11]);

/* One row per (snapshot, domain, provider_id) with the header
 * snapshot,domain,provider_id,company,weight,source,confidence,status,reason.
 * approach "final" is the corrected answer, else that approach's raw one,
 * derived from the snapshot's primary MX hosts and their evidence (store.h,
 * STORE_RAW_ID) when the snapshot's runs computed it (f_raw).
 * list NULL or "all": every domain.  scoped: only the domains of the
 * temporary scope_domain table (report_prepare_scope, for --stable).
 * Read in one read transaction unless the caller holds one
 * (store_read_enter); with scoped, build the scope and export in the
 * caller's (store_read_begin), so that both read one state.
 * Returns rows written or -1. */
long export_assignments(store *st, FILE *out, const char *snapshot, const char *list, const char *approach,
			enum export_format fmt, bool scoped, char **err);

/* A one-line note (allocated, no newline) when the snapshot's answers of
 * `approach` ("final" or a raw one) come from an infer run whose knowledge
 * base, PSL source or parameters differ from the run another approach's
 * answers of that snapshot come from ('infer --approach A' replaces only
 * A's and the final answers), naming the runs; NULL when they do not.
 * The exported rows themselves are unchanged. */
char *export_runs_note(store *st, const char *snapshot, const char *approach);

/* Provider,Domains_of_Provider: company (or provider ID) and summed
 * weights of the final answers, largest first; read as
 * export_assignments reads.  Returns rows or -1. */
long export_providers(store *st, FILE *out, const char *snapshot, const char *list, enum export_format fmt,
		      bool scoped, char **err);

#endif
