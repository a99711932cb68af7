/* cli/evaluate: the evaluation commands: mxray sample (draw domains to
 * label), label (labels in and out as CSV) and eval (score the approaches). */
#include "mxray/cli.h"
#include "mxray/correct.h"
#include "mxray/evaluate.h"
#include "mxray/kb.h"
#include "mxray/sample.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

/* ---- sample ----------------------------------------------------------- */

enum {
	SAMPLE_O_NAME, SAMPLE_O_SIZE, SAMPLE_O_LIST, SAMPLE_O_UNIQUE_MX, SAMPLE_O_SEED, SAMPLE_O_SNAPSHOT, SAMPLE_O_FROM_FILE,
	SAMPLE_O_N
};

static const cli_opt sample_opts[] = {
	[SAMPLE_O_NAME] = CLI_OPT_TEXT("name", "NAME", "the sample's name (required)"),
	[SAMPLE_O_SIZE] = CLI_OPT_UINT("size", "N", 1, 100000000, "a whole number 1-100000000",
				     "how many domains to draw (required unless --from-file)"),
	[SAMPLE_O_LIST] = CLI_OPT_TEXT("list", "L", "draw from target list L only"),
	[SAMPLE_O_UNIQUE_MX] = CLI_OPT_FLAG("unique-mx", "only domains whose primary MX hosts no other domain uses"),
	[SAMPLE_O_SEED] = CLI_OPT_UINT("seed", "S", 0, 0, "a whole number",
				     "random seed (default 1): the same seed draws the same sample"),
	[SAMPLE_O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot (default: the newest fully imported)"),
	[SAMPLE_O_FROM_FILE] = CLI_OPT_TEXT("from-file", "FILE", "label the domains listed in FILE instead of drawing"),
	[SAMPLE_O_N] = CLI_END,
};

static int run_sample(const cli_command *c, cli_args *a)
{
	const char *snapshot = a->v[SAMPLE_O_SNAPSHOT].s;
	sample_req r = {
		.name = a->v[SAMPLE_O_NAME].s,
		.list = a->v[SAMPLE_O_LIST].s,
		.size = (size_t)a->v[SAMPLE_O_SIZE].u,
		.unique_mx = a->v[SAMPLE_O_UNIQUE_MX].set,
		.seed = a->v[SAMPLE_O_SEED].set ? a->v[SAMPLE_O_SEED].u : 1,
		.from_file = a->v[SAMPLE_O_FROM_FILE].s,
	};
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	if (!r.name || !cli_name_ok(r.name))
		return cli_usage(c, "%s", "--name NAME is required (1-63 letters, digits, '-', '_', '.')");
	if (!a->v[SAMPLE_O_SIZE].set && !r.from_file)
		return cli_usage(c, "%s", "--size N is required (or --from-file FILE)");
	if (r.from_file && (r.unique_mx || r.list))
		return cli_usage(c, "%s", "--from-file does not go with --list or --unique-mx");
	char buf[11], *err = NULL;
	store *st = cli_open_snapshot(c, a->db, &snapshot, buf, false, "sampling");
	if (!st)
		return CLI_RUNTIME;
	r.snapshot = snapshot;
	if (!cli_list_known(c, st, r.list)) {
		store_close(st);
		return CLI_RUNTIME;
	}
	long n = sample_create(st, &r, stderr, &err);
	rc = CLI_OK;
	if (n < 0) {
		fprintf(stderr, "mxray sample: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else {
		fprintf(stderr, "sample %s: %ld domains from snapshot %s\n", r.name, n, snapshot);
	}
	store_close(st);
	return rc;
}

const cli_command cli_sample = {
	"sample",
	"--name NAME (--size N [--list L] [--unique-mx] [--seed S] | --from-file FILE) [--snapshot D]",
	"Draw an evaluation sample: N domains with an SMTP-live primary MX, at random.\n"
	"The same seed and data draw the same sample; --unique-mx keeps domains whose\n"
	"primary MX hosts no other domain uses.  Label it in 'mxray review --mode eval'.",
	sample_opts,
	CLI_USES_DB,
	run_sample,
};

/* ---- label ------------------------------------------------------------ */

enum { LABEL_O_SAMPLE, LABEL_O_IMPORT, LABEL_O_EXPORT, LABEL_O_ANALYST, LABEL_O_STRICT, LABEL_O_KB, LABEL_O_N };

static const cli_opt label_opts[] = {
	[LABEL_O_SAMPLE] = CLI_OPT_TEXT("sample", "NAME", "the sample (required)"),
	[LABEL_O_IMPORT] = CLI_OPT_TEXT("import", "FILE",
				      "read domain,truth CSV (truth: companies or provider IDs, ';' between; empty: cannot decide)"),
	[LABEL_O_EXPORT] = CLI_OPT_FLAG("export", "write the sample's labels as domain,truth CSV"),
	[LABEL_O_ANALYST] = CLI_OPT_TEXT("analyst", "NAME", "who labels (default $USER, else the account's name)"),
	[LABEL_O_STRICT] = CLI_OPT_FLAG("strict", "with --import: stop at the first bad line and keep nothing"),
	[LABEL_O_KB] = CLI_OPT_TEXT("kb", "FILE",
				  "with --import: the knowledge base whose company names a truth may use (default: the built-in one)"),
	[LABEL_O_N] = CLI_END,
};

static int run_label(const cli_command *c, cli_args *a)
{
	const char *sample = a->v[LABEL_O_SAMPLE].s, *in = a->v[LABEL_O_IMPORT].s;
	const char *analyst = correct_analyst(a->v[LABEL_O_ANALYST].s);
	bool out = a->v[LABEL_O_EXPORT].set;
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	if (!sample)
		return cli_usage(c, "%s", "--sample NAME is required");
	if (!!in + out != 1)
		return cli_usage(c, "%s", "give one of --import FILE and --export");
	if (out && a->v[LABEL_O_KB].set)
		return cli_usage(c, "%s", "--kb goes with --import");
	char *err = NULL, snap[11];
	store *st = out ? store_open_readonly(a->db, &err) : store_open_existing(a->db, &err);
	if (!st) {
		fprintf(stderr, "mxray label: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	rc = CLI_OK;
	if (!sample_snapshot(st, sample, snap)) {
		char *dberr = store_take_error(st);
		char *e = dberr ? dberr : sanitize_str(sample);
		if (dberr)
			fprintf(stderr, "mxray label: %s\n", e);
		else
			fprintf(stderr, "mxray label: there is no sample '%s'\n", e);
		free(e);
		store_close(st);
		return CLI_RUNTIME;
	}
	kb *k = in ? cli_kb(c, a->v[LABEL_O_KB].s) : NULL;
	if (in && !k) {
		store_close(st);
		return CLI_RUNTIME;
	}
	long n = in ? label_import(st, k, sample, in, analyst, a->v[LABEL_O_STRICT].set, stderr, &err)
		    : label_export(st, sample, stdout, &err);
	if (n < 0) {
		fprintf(stderr, "mxray label: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	}
	kb_free(k);
	store_close(st);
	return rc;
}

const cli_command cli_label = {
	"label",
	"--sample NAME (--import FILE [--strict] [--kb FILE] | --export) [--analyst NAME]",
	"Read or write a sample's labels as domain,truth CSV.\n"
	"truth: companies or provider IDs, ';' between several; empty means cannot decide.",
	label_opts,
	CLI_USES_DB,
	run_label,
};

/* ---- eval ------------------------------------------------------------- */

enum { EVAL_O_SAMPLE, EVAL_O_FORMAT, EVAL_O_ALLOW_MIXED, EVAL_O_N };

static const cli_opt eval_opts[] = {
	[EVAL_O_SAMPLE] = CLI_OPT_TEXT("sample", "NAME", "the sample to score (repeatable; default: every sample)"),
	[EVAL_O_FORMAT] = CLI_OPT_CHOICE("format", "text|csv|jsonl",
					 "output format (default text); jsonl: one JSON object per line (json: the same)",
					 "text", "csv", "jsonl", "json"),
	[EVAL_O_ALLOW_MIXED] = CLI_OPT_FLAG("allow-mixed",
					  "score answers of different infer runs (different knowledge bases or parameters)"),
	[EVAL_O_N] = CLI_END,
};

/* Score each sample into res[i]; the answers scored side by side must
 * come from one run, or be said to (--allow-mixed): runs.h. */
static int eval_all(store *st, const char *const *names, size_t n, bool allow_mixed, eval_result *res)
{
	char *err = NULL;
	for (size_t i = 0; i < n; i++)
		if (eval_sample(st, names[i], &res[i], &err) < 0) {
			fprintf(stderr, "mxray eval: %s\n", err);
			free(err);
			return CLI_RUNTIME;
		}
	int rc = CLI_OK;
	for (size_t i = 0; i < n && rc == CLI_OK; i++) {
		char *note = NULL;
		int mixed = eval_check_runs(st, &res[i], allow_mixed, &note, &err);
		if (mixed < 0) {
			fprintf(stderr, "mxray eval: %s\n", err);
			free(err);
			rc = CLI_RUNTIME;
		} else if (note) {
			fprintf(stderr, "mxray eval: note: %s", note);
			free(note);
		}
	}
	return rc;
}

static int run_eval(const cli_command *c, cli_args *a)
{
	/* json: the older name of jsonl, kept */
	static const enum eval_format formats[] = {EVAL_TEXT, EVAL_CSV, EVAL_JSON, EVAL_JSON};
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	/* the samples named, in order, else every sample */
	const char **names = xcalloc(a->nseen + 1, sizeof *names);
	size_t n = 0;
	for (size_t i = 0; i < a->nseen; i++)
		if (a->seen[i].opt == EVAL_O_SAMPLE)
			names[n++] = a->seen[i].arg;
	/* the samples, their scores and their runs, of one state of the
	 * database: an infer committed between two of them scored one
	 * sample on one run's answers and the next on another's, or checked
	 * the runs of answers it did not score */
	store *st = cli_open_reading(c, a->db);
	if (!st) {
		free(names);
		return CLI_RUNTIME;
	}
	char **all = NULL;
	size_t nall = n ? 0 : sample_names(st, &all);
	if (!n)
		n = nall;
	eval_result *res = xcalloc(n + 1, sizeof *res);
	char *dberr = store_take_error(st);
	if (dberr) {
		fprintf(stderr, "mxray eval: %s\n", dberr);
		free(dberr);
		rc = CLI_RUNTIME;
	} else if (n == 0) {
		fprintf(stderr, "mxray eval: no samples yet (draw one with 'mxray sample')\n");
		rc = CLI_RUNTIME;
	} else {
		rc = eval_all(st, nall ? (const char *const *)all : names, n, a->v[EVAL_O_ALLOW_MIXED].set, res);
	}
	if (rc == CLI_OK)
		eval_print(stdout, res, n, formats[a->v[EVAL_O_FORMAT].u]);
	for (size_t i = 0; i < nall; i++)
		free(all[i]);
	free(all);
	free(res);
	free(names);
	store_read_end(st);
	store_close(st);
	return rc;
}

const cli_command cli_eval = {
	"eval",
	"[--sample NAME]... [--format text|csv|jsonl] [--allow-mixed]",
	"Score the approaches on labelled samples (the paper's Figure 4).\n"
	"Per approach (mx, cert, banner, priority, final): correct, labelled, accuracy; and\n"
	"how many sampled domains the heuristics sent to review, and how many are undecidable.\n"
	"Refuses (exit 1, naming the runs) when the approaches' answers come from infer runs\n"
	"with different knowledge bases or parameters ('infer --approach A' replaces only A's\n"
	"and the final answers); --allow-mixed scores them and says which came from which run.",
	eval_opts,
	CLI_USES_DB,
	run_eval,
};
