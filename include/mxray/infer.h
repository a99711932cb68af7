/* infer: the method of docs/method.md over one snapshot: primary MX sets,
 * per-key counts, certificate grouping, banner/EHLO names, provider IDs by
 * approach, confidence, heuristics, analyst corrections, domain shares.
 * Reads the import tables, replaces the snapshot's result tables in one
 * transaction. */
#ifndef MXRAY_INFER_H
#define MXRAY_INFER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mxray/kb.h"
#include "mxray/store.h"

enum infer_approach { INFER_MX = 1, INFER_CERT = 2, INFER_BANNER = 4, INFER_PRIORITY = 8, INFER_ALL = 15 };
enum infer_heuristics { INFER_HEUR_APPLY, INFER_HEUR_FLAG, INFER_HEUR_OFF };
/* The default confidence threshold (the paper's 5): infer --threshold, and
 * the review desk's when a snapshot has no inference on record. */
#define INFER_THRESHOLD_DEFAULT 5

extern const char *const infer_heuristics_names[]; /* "apply", "flag", "off" */
/* The names of the store's source (1..4) and status (0..5) codes. */
extern const char *const infer_source_names[5];
extern const char *const infer_status_names[6];
/* The name of a source or status code; "?" for a code this mxray does not
 * know (a newer database's), NULL for no source (0). */
const char *infer_source_name(int code);
const char *infer_status_name(int code);

typedef struct {
	const char *snapshot;
	unsigned approaches;          /* bit set of enum infer_approach */
	unsigned threshold;           /* heuristics run below this confidence */
	enum infer_heuristics heuristics;
	const kb *kb;
	bool progress;
	FILE *log;                    /* progress and summary (stderr) */
	const struct infer_hooks *test; /* NULL but in tests */
} infer_opts;

/* What tests hook into a run, or make fail. */
typedef struct infer_hooks {
	/* Called (when set) after the database is read, before the answers
	 * are worked out and written; locked: under the write lock (see
	 * infer_run).  For tests that commit from another connection in
	 * between. */
	void (*after_read)(void *arg, bool locked);
	/* Called (when set) once the run's read has begun, just before the
	 * scan records are read ahead on a second connection (a run in a
	 * transaction of its own, on a file): for tests that commit in
	 * between. */
	void (*before_ahead)(void *arg);
	void *arg;
	/* The read ahead on the second connection ends in an error (the run
	 * then reads the scans on its own connection). */
	bool ahead_fails;
	/* No thread starts (as when pthread_create fails): each piece of
	 * work runs in turn on the run's thread. */
	bool no_threads;
} infer_hooks;

typedef struct {
	uint64_t domains;       /* with MX records */
	uint64_t answered;      /* with a final answer */
	uint64_t no_smtp;       /* no SMTP-live MX */
	uint64_t hosts, ips;    /* primary MX hosts and their SMTP IPs */
	uint64_t fired;         /* hosts where a heuristic fired */
	uint64_t changed;       /* ... and changed the answer */
	uint64_t corrected;     /* hosts and domains an analyst decision touched */
	uint64_t split;         /* domains split across providers */
	double seconds;
} infer_summary;

/* Parse "priority", "mx", "cert", "banner" or "all" into a bit set; 0 if bad. */
unsigned infer_parse_approach(const char *s);
/* The name of one approach bit. */
/* The approach's code in the store (f_result.approach, f_raw.approach,
 * f_company.approach; the table `approach` names them): 0 mx, 1 cert,
 * 2 banner, 3 priority, 4 final (any other bit).  Only the final answers
 * are stored; a raw approach's are derived when read (store.h). */
int infer_approach_code(unsigned bit);
const char *infer_approach_name(unsigned bit);
/* The approach chain, the one place it is written in C (STORE_RAW_ID and
 * STORE_RAW_SOURCE in store.h are its SQL form): which evidence answers
 * for a host under approach `bit` (INFER_MX, _CERT, _BANNER or _PRIORITY):
 * the certificate's ID when the approach uses certificates and there is
 * one, else the banner/EHLO ID when it uses banners and there is one, else
 * the MX name's.  Returns the source code (1 mx, 2 banner, 3 cert). */
int infer_chain_source(unsigned bit, bool has_cert, bool has_banner);

/* Set from a signal handler (SIGINT, SIGTERM) to stop a run: what it
 * wrote is rolled back, and infer_run fails with "interrupted; nothing
 * of this run was written ...".  Only the command line sets it. */
extern atomic_int infer_interrupted; /* read by infer's threads too */

int infer_run(store *st, const infer_opts *o, infer_summary *sum, char **err);

/* Whether the snapshot has inference results: 1 or 0, or -1 with *err set
 * on a database error (an error is not "no results"). */
int infer_has_results(store *st, const char *snapshot, char **err);
/* The confidence threshold the snapshot's last inference run used into
 * *threshold: 1, 0 when it has none on record (*threshold untouched), or
 * -1 with *err set on a database error. */
int infer_last_threshold(store *st, const char *snapshot, unsigned *threshold, char **err);

#endif
