/* import: reads input files (DNS, scans, pfx2as, as2org, target lists) into
 * the store, one transaction per file (one for everything with --strict),
 * reporting bad lines as FILE:LINE: reason; then derives MX->IP resolution
 * and pfx2as ASNs for the snapshot. */
#ifndef MXRAY_IMPORT_H
#define MXRAY_IMPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mxray/store.h"

enum import_kind { IMPORT_TARGETS, IMPORT_DNS, IMPORT_SCANS, IMPORT_PFX2AS, IMPORT_ASORG };
extern const char *const import_kind_names[];

typedef struct {
	enum import_kind kind;
	const char *path;   /* "-" = standard input */
	const char *list;   /* IMPORT_TARGETS only */
} import_input;

typedef struct {
	uint64_t lines;      /* physical lines read */
	uint64_t imported;   /* records that added or changed data */
	uint64_t duplicates; /* records already present */
	uint64_t skipped;    /* bad records, reported */
	uint64_t failed;     /* failed DNS lookups (non-zero status_code) */
	uint64_t ignored;    /* well-formed but unused (AAAA, IPv6 prefixes, other RR types) */
	uint64_t empty;      /* DNS queries answered with no record (NODATA) */
	uint64_t offday;     /* DNS rows whose timestamp is another day than the snapshot */
	uint64_t not_smtp;   /* scan records of other ZGrab2 modules than SMTP, not stored */
	uint64_t new_rows;   /* scan records that added a row (of `imported`; not printed) */
} import_counts;

typedef struct {
	const char *snapshot;     /* YYYY-MM-DD; may be NULL for as2org only */
	bool strict;              /* first problem aborts, nothing committed */
	bool progress;            /* progress bar on stderr when it is a terminal */
	int max_reported;         /* problems printed per file (10) */
	FILE *log;                /* diagnostics and summaries (stderr) */
} import_opts;

/* Only the first signal-interrupted flag matters: set it from a handler to
 * stop the import at the next line, or in the SQLite step under way
 * (import_run watches it: store_stop_on), and roll the current file back.
 * Atomic (lock-free, so a handler may set it): the handler may run on any
 * of the process's threads, and the parsing threads read it. */
extern atomic_int import_interrupted;

/* Import one file inside its own savepoint.  Returns 0, or -1 with *err
 * set (I/O error, strict-mode problem, interruption); on -1 nothing of the
 * file is left in the database.  The name index, if its load of names
 * dropped it, is built after it (store_name_index). */
int import_file(store *st, const import_opts *o, const import_input *in, import_counts *c,
		char **err);

/* Rebuild mx_ip for the snapshot, fill ASNs from pfx2as for IPs whose
 * scan gave none, and store the counts of 'mxray stats' (f_stats), all
 * from the stored tables, in one transaction. */
int import_derive(store *st, const char *snapshot, char **err);

/* Everything: all inputs (targets first), then derive (from the rows the
 * run wrote, kept in memory, for each table the snapshot had no rows in
 * before the run; from the stored tables otherwise).  -1 with *err
 * (naming the file) when a file failed: nothing of it was kept (with
 * --strict, nothing at all); -2 with *err when every file was kept but
 * the derive step failed (import_derive again finishes it); -3 with *err
 * when a file failed or was interrupted (import_interrupted) and the
 * derive step of the files before it was not run (interrupted) or failed:
 * nothing of that file was kept, the files before it were, and
 * import_derive finishes them. */
int import_run(store *st, const import_opts *o, const import_input *in, size_t n, char **err);

#endif
