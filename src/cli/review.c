/* cli/review: mxray review, the review desk (ui/) on a snapshot or on an
 * evaluation sample. */
#include "mxray/cli.h"
#include "mxray/correct.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/review.h"
#include "mxray/sample.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_SNAPSHOT, O_ANALYST, O_THRESHOLD, O_KB, O_MODE, O_SAMPLE, O_N };

static const cli_opt opts[] = {
	[O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot to review (default: the newest fully imported)"),
	[O_ANALYST] = CLI_OPT_TEXT("analyst", "NAME", "who decides (default $USER, else the account's name)"),
	[O_THRESHOLD] = CLI_OPT_UINT("threshold", "N", 0, 1000000000, "a whole number",
				     "candidates: known companies' IDs below this confidence (default: infer's)"),
	[O_KB] = CLI_OPT_TEXT("kb", "FILE", "knowledge base JSON replacing the built-in one"),
	[O_MODE] = CLI_OPT_CHOICE("mode", NULL, "triage the candidates (default), or label an evaluation sample",
				  "triage", "eval"),
	[O_SAMPLE] = CLI_OPT_TEXT("sample", "NAME", "with --mode eval: the sample to label"),
	[O_N] = CLI_END,
};

/* Whether infer has run on the snapshot since its last import: 1, 0, or
 * -1 with *err set. */
static int review_inferred(store *st, const char *snapshot, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_primary_mx WHERE snap = (SELECT id FROM snapshot WHERE date = ?1)"
					    " UNION ALL SELECT 1 FROM f_ip_ev WHERE snap = (SELECT id FROM snapshot WHERE date = ?1)"
					    " LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	return store_read_done(st, s, found ? SQLITE_DONE : rc, err) < 0 ? -1 : found;
}

/* The snapshot opened for the desk, with answers to review, and the
 * threshold to review at (--threshold, else the last inference's); NULL
 * when there is none, said. */
static store *open_inferred(const cli_command *c, const cli_args *a, const char **snapshot, char buf[11],
			    unsigned *threshold)
{
	char *err = NULL;
	if (a->v[O_SAMPLE].set) { /* the sample decides the snapshot */
		store *probe = store_open_existing(a->db, &err);
		if (probe && sample_snapshot(probe, a->v[O_SAMPLE].s, buf))
			*snapshot = buf;
		store_close(probe);
		free(err);
		err = NULL;
	}
	store *st = cli_open_snapshot(c, a->db, snapshot, buf, false, "reviewing");
	if (!st)
		return NULL;
	/* No answers yet for this snapshot: say so once, and write nothing
	 * (inferring is the analyst's to ask for).  Answers without an SMTP
	 * address to review are the desk's to say (desk_open). */
	int inferred = review_inferred(st, *snapshot, &err);
	if (inferred == 0)
		fprintf(stderr, "mxray review: snapshot %s has no answers yet: run 'mxray infer --snapshot %s' first\n",
			*snapshot, *snapshot);
	*threshold = a->v[O_THRESHOLD].set ? (unsigned)a->v[O_THRESHOLD].u : INFER_THRESHOLD_DEFAULT;
	if (inferred > 0 && !a->v[O_THRESHOLD].set && infer_last_threshold(st, *snapshot, threshold, &err) < 0)
		inferred = -1;
	if (inferred < 0)
		fprintf(stderr, "mxray review: %s\n", err);
	free(err);
	if (inferred <= 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

static int run(const cli_command *c, cli_args *a)
{
	double t0 = review_clock();
	const char *snapshot = a->v[O_SNAPSHOT].s, *kbfile = a->v[O_KB].s;
	const char *analyst = correct_analyst(a->v[O_ANALYST].s);
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	if ((a->v[O_MODE].u == 1) != a->v[O_SAMPLE].set)
		return cli_usage(c, "%s", "--mode eval goes with --sample NAME");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mxray review: needs a terminal (use 'mxray show' or 'mxray export' in scripts)\n");
		return CLI_RUNTIME;
	}
	kb *k = cli_kb(c, kbfile);
	if (!k)
		return CLI_RUNTIME;
	char buf[11], *err = NULL;
	unsigned threshold;
	store *st = open_inferred(c, a, &snapshot, buf, &threshold);
	rc = st ? CLI_OK : CLI_RUNTIME;
	review_opts ro = {snapshot, analyst, threshold, k, a->v[O_SAMPLE].s, t0};
	if (st && review_run(st, &ro, &err) < 0) {
		fprintf(stderr, "mxray review: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	}
	store_close(st);
	kb_free(k);
	return rc;
}

const cli_command cli_review = {
	"review",
	"[--snapshot D] [--analyst NAME] [--threshold N] [--kb FILE] [--mode triage|eval --sample NAME]",
	"Open the review desk: triage misidentification candidates with the evidence.\n"
	"One row per SMTP address of a primary MX; by default the candidates (known\n"
	"companies' IDs below the threshold, and every row where a heuristic fired), least\n"
	"confident first.  Decisions are saved at once to the correction table; '?' lists\n"
	"the keys.  A snapshot without answers is refused: run 'mxray infer' first.\n"
	"--mode eval labels the domains of a sample instead (the truth for 'mxray eval').",
	opts,
	CLI_USES_DB,
	run,
};
