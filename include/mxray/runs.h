/* runs: which inference run each of a snapshot's answers comes from.
 *
 * `mxray infer --approach A` replaces the answers of approach A and the
 * final answer (which every run writes).  An approach computed by an
 * earlier run keeps that run's companies (its knowledge base) and its
 * answers: derived when read from the evidence the latest run stored
 * (f_raw, store.h) while that gives the same answers, else stored as
 * they were by the run that would change them (rawkeep.h).  The run table records one row per approach an
 * infer run computed (none for "final"); the final answers are those of
 * the snapshot's latest run, whatever approaches it computed.  This module
 * reads that record so eval, export and report can say, or refuse, when
 * the answers they put side by side come from runs that differ. */
#ifndef MXRAY_RUNS_H
#define MXRAY_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/store.h"

/* mx, cert, banner, priority, final: the order of eval_approach_names. */
#define RUNS_APPROACHES 5
extern const char *const runs_approach_names[RUNS_APPROACHES];

/* One row of the run table. */
typedef struct {
	bool present;      /* false: no run on record for this approach */
	int64_t id;        /* run.id */
	char *kb_digest;   /* e.g. "fnv1a64:c5d382dc5a4b59d9" */
	char *kb_origin;   /* "built-in" or the --kb file (may be NULL) */
	char *psl;         /* the Public Suffix List source (may be NULL) */
	char *params;      /* {"threshold":5,"heuristics":"apply"} */
	char *at;          /* when it ran (UTC, ISO 8601) */
} run_info;

/* The runs behind one snapshot's answers. */
typedef struct {
	char snapshot[11];
	run_info run[RUNS_APPROACHES]; /* in runs_approach_names order */
	/* Every approach with a run on record comes from runs with the same
	 * knowledge base digest, PSL source and parameters (true too when
	 * no approach has a run on record). */
	bool consistent;
} snapshot_runs;

/* Fill *out with, for each approach, the latest run on record of the
 * snapshot that computed it (for "final": the snapshot's latest run),
 * all of one state of the database (a read transaction of its own unless
 * the caller has one).  Returns 0, or -1 with *err set.  Free with
 * runs_free. */
int runs_of_snapshot(store *st, const char *snapshot, snapshot_runs *out, char **err);
void runs_free(snapshot_runs *r);

/* Whether two runs produced comparable answers: same knowledge base
 * digest, PSL source and parameters (absent runs are never the same). */
bool runs_same(const run_info *a, const run_info *b);

/* A short description of a run: "run 4 at 2021-...Z, kb built-in
 * (fnv1a64:...), threshold 5, heuristics apply" (plus ", psl ..." when
 * with_psl), or "no run on record".  Allocated. */
char *runs_describe(const run_info *r, bool with_psl);

/* One line per approach with a run on record, each "<indent><approach>
 * <description>\n", the PSL source named when it differs between the
 * runs.  Allocated. */
char *runs_table(const snapshot_runs *r, const char *indent);

/* What differs between runs: their knowledge base digests, PSL sources,
 * parameters. */
typedef struct {
	bool kb, psl, params;
} runs_diff;
/* What differs between the n runs of v (NULL or absent ones skipped). */
runs_diff runs_compare(const run_info *const *v, size_t n);
/* d in words: "knowledge bases", "Public Suffix Lists", "parameters",
 * joined with ", " and " and "; "" when nothing differs.  Allocated. */
char *runs_diff_words(runs_diff d);
/* Run r by what d says differs: "run 3" then ", kb ORIGIN (DIGEST)",
 * ", threshold 3, heuristics apply", ", psl SOURCE" for each that does;
 * "no run on record" for an absent one.  Allocated. */
char *runs_describe_diff(const run_info *r, runs_diff d);

/* What differs between the runs on record: "knowledge bases",
 * "Public Suffix Lists", "parameters", joined with ", " and " and "; ""
 * when nothing does.  Allocated. */
char *runs_what_differs(const snapshot_runs *r);

/* One line (no newline) saying that approach a's answers of the snapshot
 * come from a run that differs from the runs of other approaches there,
 * naming them; NULL when no other approach's run differs. */
char *runs_mix_note(const snapshot_runs *r, int a);

/* The index of approach `name` in runs_approach_names, or -1. */
int runs_approach_index(const char *name);

#endif
