/* main: the mxray command line.  Each subcommand has one option table from
 * which getopt_long's options and its --help text are both made; only main
 * exits.  Exit status: 0 success, 1 runtime error, 2 usage error. */
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/probe.h"
#include "mxray/correct.h"
#include "mxray/csv.h"
#include "mxray/export.h"
#include "mxray/evaluate.h"
#include "mxray/report.h"
#include "mxray/review.h"
#include "mxray/sample.h"
#include "mxray/show.h"
#include "mxray/sanitize.h"
#include "mxray/stats.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MXRAY_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef struct {
	const char *name;   /* long option */
	const char *arg;    /* metavariable, NULL for a flag */
	const char *help;
} opt_row;

typedef struct command {
	const char *name;
	const char *synopsis;
	const char *summary;
	const opt_row *opts;
	int (*run)(int argc, char **argv);
} command;

static const command *find_command(const char *name);

/* ---- shared option helpers -------------------------------------------- */

static void print_help(FILE *out, const command *c)
{
	fprintf(out, "usage: mxray %s %s\n\n%s\n\noptions:\n", c->name, c->synopsis, c->summary);
	for (const opt_row *o = c->opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-24s %s\n", left, o->help);
	}
	fprintf(out, "  %-24s %s\n", "--help", "show this help and exit");
}

/* Build getopt_long options from a table; option i returns value 1000+i. */
static struct option *long_options(const opt_row *opts)
{
	int n = 0;
	while (opts[n].name)
		n++;
	struct option *lo = xcalloc((size_t)n + 2, sizeof *lo);
	for (int i = 0; i < n; i++)
		lo[i] = (struct option){opts[i].name, opts[i].arg ? required_argument : no_argument, NULL, 1000 + i};
	lo[n] = (struct option){"help", no_argument, NULL, 'h'};
	return lo;
}

static int usage_error(const command *c, const char *fmt, const char *arg)
{
	fprintf(stderr, "mxray %s: ", c->name);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'mxray %s --help'.\n", c->name);
	return EXIT_USAGE;
}

/* Walks a command's options: op_next returns each option's table name
 * (optarg set), or NULL at the end; then op.rc >= 0 is the exit status to
 * return at once (help was shown, or a usage error reported). */
typedef struct {
	const command *c;
	struct option *lo;
	int rc;
} optparse;

static void op_begin(optparse *p, const command *c)
{
	p->c = c;
	p->lo = long_options(c->opts);
	p->rc = -1;
	optind = 1;
}

static const char *op_next(optparse *p, int argc, char **argv)
{
	int ch = getopt_long(argc, argv, "", p->lo, NULL);
	if (ch >= 1000)
		return p->c->opts[ch - 1000].name;
	if (ch == 'h') {
		print_help(stdout, p->c);
		p->rc = EXIT_OK;
	} else if (ch == '?') {
		fprintf(stderr, "Try 'mxray %s --help'.\n", p->c->name);
		p->rc = EXIT_USAGE;
	}
	free(p->lo);
	p->lo = NULL;
	return NULL;
}

/* Leave the option loop early with status rc. */
static int op_error(optparse *p, int rc)
{
	free(p->lo);
	p->lo = NULL;
	return rc;
}

static const char *default_db(void)
{
	const char *e = getenv("MXRAY_DB");
	return e && *e ? e : "mxray.db";
}

static bool list_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* A --list that names no imported list is an error, not an empty result. */
static bool list_known(const command *c, store *st, const char *list)
{
	if (!list || !strcmp(list, "all"))
		return true;
	char *err = NULL;
	int found = store_list_find(st, list, &err);
	if (found < 0) {
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
		free(err);
		return false;
	}
	if (found)
		return true;
	char *names = store_list_names(st);
	char *e = sanitize_str(list);
	fprintf(stderr, "mxray %s: there is no list '%s' (lists: all%s%s)\n", c->name, e, *names ? ", " : "", names);
	free(e);
	free(names);
	return false;
}

/* ---- import ----------------------------------------------------------- */

static const opt_row import_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "the date the data describes (required; alone: finish a stopped import)"},
	{"list", "NAME", "name of the target list for the next --targets"},
	{"targets", "FILE", "domains of the list named by the preceding --list"},
	{"dns", "FILE", "OpenINTEL MX/A/CNAME rows, JSON Lines, CSV or Avro (repeatable)"},
	{"scans", "FILE", "port-25 scans: Censys legacy, Censys 2.0 or ZGrab2 JSON Lines (repeatable)"},
	{"pfx2as", "FILE", "CAIDA RouteViews prefix-to-AS file"},
	{"asorg", "FILE", "CAIDA AS-to-Organization file (text or JSON Lines)"},
	{"strict", NULL, "stop at the first bad line; exit 1 and commit nothing"},
	{"quiet", NULL, "no progress bar"},
	{NULL, NULL, NULL},
};

/* Ctrl-C and SIGTERM: long commands stop at their next step and keep
 * what is complete (import and probe poll these flags). */
static void on_interrupt(int sig)
{
	(void)sig;
	import_interrupted = 1;
	probe_interrupted = 1;
}

static void catch_interrupts(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

static int cmd_import(int argc, char **argv)
{
	const command *c = find_command("import");
	const char *db = default_db(), *snapshot = NULL, *list = NULL;
	bool strict = false, quiet = false;
	import_input *in = xcalloc((size_t)argc + 1, sizeof *in);
	size_t n = 0;
	int stdin_uses = 0, rc = EXIT_USAGE;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		enum import_kind kind;
		if (!strcmp(name, "db")) {
			db = optarg;
			continue;
		} else if (!strcmp(name, "snapshot")) {
			snapshot = optarg;
			continue;
		} else if (!strcmp(name, "list")) {
			if (!list_name_ok(optarg)) {
				rc = usage_error(c, "list name '%s' must be 1-63 letters, digits, '-', '_' or '.'", optarg);
				goto out;
			}
			if (!strcmp(optarg, "all")) {
				rc = usage_error(c, "the list name '%s' is reserved (every domain with an MX record)", optarg);
				goto out;
			}
			list = optarg;
			continue;
		} else if (!strcmp(name, "strict")) {
			strict = true;
			continue;
		} else if (!strcmp(name, "quiet")) {
			quiet = true;
			continue;
		} else if (!strcmp(name, "targets")) {
			if (!list) {
				rc = usage_error(c, "%s needs a --list NAME before it", "--targets");
				goto out;
			}
			kind = IMPORT_TARGETS;
		} else if (!strcmp(name, "dns")) {
			kind = IMPORT_DNS;
		} else if (!strcmp(name, "scans")) {
			kind = IMPORT_SCANS;
		} else if (!strcmp(name, "pfx2as")) {
			kind = IMPORT_PFX2AS;
		} else {
			kind = IMPORT_ASORG;
		}
		if (!strcmp(optarg, "-"))
			stdin_uses++;
		in[n++] = (import_input){kind, optarg, kind == IMPORT_TARGETS ? list : NULL};
	}
	if (op.rc >= 0)
		goto out;
	if (optind < argc) {
		rc = usage_error(c, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (n == 0 && !snapshot) {
		rc = usage_error(c, "%s", "nothing to import: give --dns, --scans, --pfx2as, --asorg or --targets "
				 "(or --snapshot alone to finish a stopped import)");
		goto out;
	}
	if (stdin_uses > 1) {
		rc = usage_error(c, "%s", "standard input ('-') can be read by only one option");
		goto out;
	}
	bool needs_snapshot = false;
	for (size_t i = 0; i < n; i++)
		needs_snapshot |= in[i].kind != IMPORT_ASORG;
	if (!snapshot && needs_snapshot) {
		rc = usage_error(c, "%s", "--snapshot YYYY-MM-DD is required");
		goto out;
	}
	if (snapshot && !mx_date_valid(snapshot)) {
		rc = usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
		goto out;
	}

	char *err = NULL;
	store *st = n ? store_open(db, &err) : store_open_existing(db, &err);
	if (!st) {
		fprintf(stderr, "mxray import: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (n == 0) { /* --snapshot alone: build the derived tables of a stopped import */
		if (!store_snapshot_exists(st, snapshot)) {
			fprintf(stderr, "mxray import: snapshot %s is not in %s\n", snapshot, db);
			rc = EXIT_RUNTIME;
		} else if (import_derive(st, snapshot, &err) < 0) {
			fprintf(stderr, "mxray import: %s\n", err);
			free(err);
			rc = EXIT_RUNTIME;
		} else {
			if (!quiet)
				fprintf(stderr, "snapshot %s: MX addresses and ASNs resolved\n", snapshot);
			rc = EXIT_OK;
		}
		store_close(st);
		goto out;
	}
	catch_interrupts(NULL, NULL);
	import_opts o = {snapshot, strict, !quiet, 10, stderr};
	int ir = import_run(st, &o, in, n, &err);
	if (ir < 0) {
		fprintf(stderr, "mxray import: %s\n", err);
		if (strict)
			fprintf(stderr, "mxray import: aborted (--strict): nothing was committed to %s\n", db);
		else if (ir == -1)
			fprintf(stderr, "mxray import: nothing of that file was written to %s; the files before it were kept\n",
				db);
		else
			fprintf(stderr, "mxray import: the files were kept, but snapshot %s's MX addresses were not resolved: "
				"'mxray import --db %s --snapshot %s' finishes it ('mxray infer' refuses until then)\n",
				snapshot, db, snapshot);
		free(err);
		rc = EXIT_RUNTIME;
	} else {
		rc = EXIT_OK;
	}
	store_close(st);
out:
	free(op.lo);
	free(in);
	return op.rc >= 0 ? op.rc : rc;
}

/* ---- stats ------------------------------------------------------------ */

static const opt_row stats_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "only this snapshot (default: all)"},
	{"format", "text|csv|jsonl", "output format (default text)"},
	{NULL, NULL, NULL},
};

static int cmd_stats(int argc, char **argv)
{
	const command *c = find_command("stats");
	const char *db = default_db(), *snapshot = NULL;
	enum stats_format fmt = STATS_TEXT;
	int rc = EXIT_OK;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "snapshot"))
			snapshot = optarg;
		else if (!strcmp(optarg, "text"))
			fmt = STATS_TEXT;
		else if (!strcmp(optarg, "csv"))
			fmt = STATS_CSV;
		else if (!strcmp(optarg, "jsonl"))
			fmt = STATS_JSON;
		else {
			return op_error(&op, usage_error(c, "--format '%s' is not text, csv or jsonl", optarg));
		}
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (snapshot && !mx_date_valid(snapshot))
		return usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
	char *err = NULL;
	store *st = store_open_readonly(db, &err);
	if (!st) {
		fprintf(stderr, "mxray stats: %s\n", err);
		free(err);
		return EXIT_RUNTIME;
	}
	stats_row *rows;
	int n = stats_collect(st, snapshot, &rows, &err);
	if (n < 0) {
		fprintf(stderr, "mxray stats: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	} else {
		if (snapshot && n == 0) {
			fprintf(stderr, "mxray stats: no snapshot %s in %s\n", snapshot, db);
			rc = EXIT_RUNTIME;
		} else {
			stats_print(stdout, rows, n, fmt);
		}
		free(rows);
	}
	store_close(st);
	return rc;
}


/* ---- infer ------------------------------------------------------------ */

static const opt_row infer_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "the snapshot to infer (default: the newest)"},
	{"approach", "A", "raw answers to record: priority, mx, cert, banner or all (default all)"},
	{"threshold", "N", "heuristics check IDs whose confidence is below N (default 5)"},
	{"heuristics", "MODE", "apply (default), flag (mark for review only) or off"},
	{"kb", "FILE", "knowledge base JSON replacing the built-in one"},
	{"all", NULL, "infer every snapshot in the database"},
	{"quiet", NULL, "no progress bar and no summary"},
	{NULL, NULL, NULL},
};

/* Open the database (read-only for a command that only reads) and settle
 * the snapshot (default: the newest).  A database error is said as one. */
static store *open_snapshot(const command *c, const char *db, const char **snapshot, char buf[11], bool readonly)
{
	char *err = NULL;
	store *st = readonly ? store_open_readonly(db, &err) : store_open_existing(db, &err);
	if (!st) {
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
		free(err);
		return NULL;
	}
	int found = *snapshot ? store_snapshot_find(st, *snapshot, NULL, &err) : store_snapshot_newest(st, buf, &err);
	if (found < 0)
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
	else if (!found && !*snapshot)
		fprintf(stderr, "mxray %s: %s has no snapshots (import data first)\n", c->name, db);
	else if (!found)
		fprintf(stderr, "mxray %s: no snapshot %s in %s\n", c->name, *snapshot, db);
	free(err);
	if (found != 1) {
		store_close(st);
		return NULL;
	}
	if (!*snapshot)
		*snapshot = buf;
	return st;
}

static int cmd_infer(int argc, char **argv)
{
	const command *c = find_command("infer");
	const char *db = default_db(), *snapshot = NULL, *kbfile = NULL;
	infer_opts o = {NULL, INFER_ALL, 5, INFER_HEUR_APPLY, NULL, true, stderr};
	bool quiet = false, every = false;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db")) {
			db = optarg;
		} else if (!strcmp(name, "snapshot")) {
			snapshot = optarg;
		} else if (!strcmp(name, "approach")) {
			if (!(o.approaches = infer_parse_approach(optarg))) {
				return op_error(&op, usage_error(c, "--approach '%s' is not priority, mx, cert, banner or all", optarg));
			}
		} else if (!strcmp(name, "threshold")) {
			uint64_t t;
			if (!mx_parse_u64(optarg, &t) || t > 1000000000) {
				return op_error(&op, usage_error(c, "--threshold '%s' is not a whole number", optarg));
			}
			o.threshold = (unsigned)t;
		} else if (!strcmp(name, "heuristics")) {
			int m = !strcmp(optarg, "apply") ? INFER_HEUR_APPLY : !strcmp(optarg, "flag") ? INFER_HEUR_FLAG
				: !strcmp(optarg, "off") ? INFER_HEUR_OFF : -1;
			if (m < 0) {
				return op_error(&op, usage_error(c, "--heuristics '%s' is not apply, flag or off", optarg));
			}
			o.heuristics = (enum infer_heuristics)m;
		} else if (!strcmp(name, "kb")) {
			kbfile = optarg;
		} else if (!strcmp(name, "all")) {
			every = true;
		} else {
			quiet = true;
		}
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (snapshot && !mx_date_valid(snapshot))
		return usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
	if (snapshot && every)
		return usage_error(c, "%s", "--all and --snapshot do not go together");
	char *err = NULL;
	kb *k = kbfile ? kb_load_file(kbfile, &err) : kb_load_default(&err);
	if (!k) {
		fprintf(stderr, "mxray infer: %s\n", err);
		free(err);
		return EXIT_RUNTIME;
	}
	if (every) {
		/* every snapshot, oldest first, each in its own transaction */
		store *st = store_open_existing(db, &err);
		if (!st) {
			fprintf(stderr, "mxray infer: %s\n", err);
			free(err);
			kb_free(k);
			return EXIT_RUNTIME;
		}
		char (*dates)[11];
		long nd = store_snapshot_dates(st, &dates, &err);
		int rc = nd > 0 ? EXIT_OK : EXIT_RUNTIME;
		if (nd < 0) {
			fprintf(stderr, "mxray infer: %s\n", err);
			free(err);
		} else if (nd == 0) {
			fprintf(stderr, "mxray infer: %s has no snapshots (import data first)\n", db);
		}
		o.kb = k;
		o.progress = !quiet;
		for (long i = 0; i < nd; i++) {
			infer_summary sum;
			o.snapshot = dates[i];
			if (rc == EXIT_OK && infer_run(st, &o, &sum, &err) < 0) {
				fprintf(stderr, "mxray infer: %s: %s\n", dates[i], err);
				free(err);
				rc = EXIT_RUNTIME;
			} else if (rc == EXIT_OK && !quiet) {
				fprintf(stderr, "infer %s: %llu domains, %llu answered, %llu without an SMTP-live MX; "
					"heuristics changed %llu hosts; %llu analyst decisions applied; %.2f s\n", dates[i],
					(unsigned long long)sum.domains, (unsigned long long)sum.answered,
					(unsigned long long)sum.no_smtp, (unsigned long long)sum.changed,
					(unsigned long long)sum.corrected, sum.seconds);
			}
		}
		free(dates);
		store_close(st);
		kb_free(k);
		return rc;
	}
	char buf[11];
	store *st = open_snapshot(c, db, &snapshot, buf, false);
	if (!st) {
		kb_free(k);
		return EXIT_RUNTIME;
	}
	o.snapshot = snapshot;
	o.kb = k;
	o.progress = !quiet;
	infer_summary sum;
	int rc = EXIT_OK;
	if (infer_run(st, &o, &sum, &err) < 0) {
		fprintf(stderr, "mxray infer: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	} else if (!quiet) {
		fprintf(stderr,
			"infer %s: %llu domains, %llu answered (%llu split across providers), %llu without an "
			"SMTP-live MX; %llu primary MX hosts, %llu SMTP addresses; heuristics fired on %llu hosts "
			"and changed %llu; %llu analyst decisions applied; %.2f s\n",
			snapshot, (unsigned long long)sum.domains, (unsigned long long)sum.answered,
			(unsigned long long)sum.split, (unsigned long long)sum.no_smtp, (unsigned long long)sum.hosts,
			(unsigned long long)sum.ips, (unsigned long long)sum.fired, (unsigned long long)sum.changed,
			(unsigned long long)sum.corrected, sum.seconds);
	}
	store_close(st);
	kb_free(k);
	return rc;
}

/* ---- correct ---------------------------------------------------------- */

static const opt_row correct_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"ip", "IP", "the decision is about this SMTP address"},
	{"mx", "HOST", "... about this MX host"},
	{"domain", "D", "... about this domain (wins over MX, which wins over IP)"},
	{"set", "PROVIDER", "the provider ID (or a company name the knowledge base knows)"},
	{"self", NULL, "self-hosted: the provider is the MX host's registered domain"},
	{"confirm", NULL, "the inferred answer is right"},
	{"snapshot", "YYYY-MM-DD", "only for this snapshot (default: every snapshot)"},
	{"note", "TEXT", "why"},
	{"analyst", "NAME", "who decides (default $USER)"},
	{"list", NULL, "print the whole decision history"},
	{"format", "text|csv", "with --list: output format (default text)"},
	{"undo", "ID", "undo decision ID"},
	{NULL, NULL, NULL},
};

static int cmd_correct(int argc, char **argv)
{
	const command *c = find_command("correct");
	const char *db = default_db(), *scope = NULL, *key = NULL, *verdict = NULL, *pid = NULL;
	const char *snapshot = NULL, *note = NULL, *analyst = getenv("USER"), *undo = NULL;
	bool list = false;
	enum correct_format fmt = CORRECT_TEXT;
	int nscope = 0, nverdict = 0;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "ip") || !strcmp(name, "mx") || !strcmp(name, "domain")) {
			scope = name;
			key = optarg;
			nscope++;
		} else if (!strcmp(name, "set")) {
			verdict = "set";
			pid = optarg;
			nverdict++;
		} else if (!strcmp(name, "self") || !strcmp(name, "confirm")) {
			verdict = name;
			nverdict++;
		} else if (!strcmp(name, "snapshot"))
			snapshot = optarg;
		else if (!strcmp(name, "note"))
			note = optarg;
		else if (!strcmp(name, "analyst"))
			analyst = optarg;
		else if (!strcmp(name, "list"))
			list = true;
		else if (!strcmp(name, "undo"))
			undo = optarg;
		else if (!strcmp(optarg, "csv"))
			fmt = CORRECT_CSV;
		else if (!strcmp(optarg, "text"))
			fmt = CORRECT_TEXT;
		else {
			return op_error(&op, usage_error(c, "--format '%s' is not text or csv", optarg));
		}
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	int modes = (list ? 1 : 0) + (undo ? 1 : 0) + (nscope || nverdict ? 1 : 0);
	if (modes != 1)
		return usage_error(c, "%s", "give one of: a decision (--ip/--mx/--domain with --set/--self/--confirm), "
				   "--list, or --undo ID");
	if (!list && !undo && (nscope != 1 || nverdict != 1))
		return usage_error(c, "%s", "a decision needs exactly one of --ip, --mx, --domain and exactly one of "
				   "--set, --self, --confirm");
	uint64_t undo_id = 0;
	if (undo && (!mx_parse_u64(undo, &undo_id) || undo_id == 0))
		return usage_error(c, "--undo '%s' is not a decision number", undo);
	if (undo && undo_id > INT64_MAX)
		return usage_error(c, "--undo '%s' is out of range (decision numbers are 1 to 9223372036854775807)", undo);
	char *err = NULL;
	store *st = list ? store_open_readonly(db, &err) : store_open_existing(db, &err);
	if (!st) {
		fprintf(stderr, "mxray correct: %s\n", err);
		free(err);
		return EXIT_RUNTIME;
	}
	int rc = EXIT_OK;
	if (list) {
		if (correct_list(st, stdout, fmt, &err) < 0)
			rc = EXIT_RUNTIME;
	} else if (undo) {
		if (correct_undo(st, (int64_t)undo_id, analyst, &err) < 0)
			rc = EXIT_RUNTIME;
		else
			fprintf(stderr, "decision #%llu undone; run 'mxray infer' to re-apply the decisions\n",
				(unsigned long long)undo_id);
	} else {
		/* A company name the knowledge base knows stands for its first ID. */
		kb *k = NULL;
		if (pid && !strchr(pid, '.')) {
			k = kb_load_default(&err);
			const kb_company *co = k ? kb_company_named(k, pid) : NULL;
			if (co)
				pid = co->ids[0];
		}
		correct_req r = {scope, key, snapshot, verdict, pid, analyst, note};
		int64_t id = correct_add(st, &r, &err);
		if (id < 0)
			rc = EXIT_RUNTIME;
		else
			printf("%lld\n", (long long)id);
		if (id >= 0)
			fprintf(stderr, "decision #%lld recorded; run 'mxray infer' to apply it\n", (long long)id);
		kb_free(k);
	}
	if (rc != EXIT_OK) {
		fprintf(stderr, "mxray correct: %s%s\n", err,
			list ? "" : undo ? " (nothing was undone)" : " (the decision was not recorded)");
		free(err);
	}
	store_close(st);
	return rc;
}

/* ---- show ------------------------------------------------------------- */

static const opt_row show_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "the snapshot (default: the newest)"},
	{NULL, NULL, NULL},
};

static int cmd_show(int argc, char **argv)
{
	const command *c = find_command("show");
	const char *db = default_db(), *snapshot = NULL;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else
			snapshot = optarg;
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind != argc - 1)
		return usage_error(c, "%s", "give exactly one DOMAIN");
	if (snapshot && !mx_date_valid(snapshot))
		return usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
	char buf[11];
	store *st = open_snapshot(c, db, &snapshot, buf, true);
	if (!st)
		return EXIT_RUNTIME;
	char *err = NULL;
	int r = show_domain(st, stdout, snapshot, argv[optind], &err);
	int rc = EXIT_OK;
	if (r < 0) {
		fprintf(stderr, "mxray show: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	} else if (r == 1) {
		char *d = sanitize_str(argv[optind]);
		fprintf(stderr, "mxray show: %s is not in snapshot %s\n", d, snapshot);
		free(d);
		rc = EXIT_RUNTIME;
	}
	store_close(st);
	return rc;
}

/* ---- export ----------------------------------------------------------- */

static const opt_row export_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "the snapshot (default: the newest with answers; coverage: every one)"},
	{"list", "L", "only the domains of target list L"},
	{"stable", NULL, "only stable domains: in the list with MX records in every snapshot"},
	{"snapshots", "A,B,...", "the snapshots that --stable and trend consider (default: all)"},
	{"top", "N", "trend: the N largest providers of the last snapshot (default 10; 0: all)"},
	{"approach", "A", "assignments: that approach's raw answer (mx, cert, banner, priority)"},
	{"format", "csv|jsonl", "output format (default csv)"},
	{"raw-cells", NULL, "CSV: text cells as stored (no ' before = + - @, no escapes)"},
	{NULL, NULL, NULL},
};

/* "2021-06-08,2021-12-08" into a list of dates; false when one is bad. */
static bool parse_dates(const char *arg, char ***out, size_t *n)
{
	char *buf = xstrdup(arg);
	*out = NULL;
	*n = 0;
	bool ok = true;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!mx_date_valid(t))
			ok = false;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = xstrdup(t);
	}
	free(buf);
	return ok && *n > 0;
}

static void free_dates(char **d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i]);
	free(d);
}

static int cmd_export(int argc, char **argv)
{
	const command *c = find_command("export");
	const char *db = default_db(), *snapshot = NULL, *list = NULL, *approach = NULL, *snaps = NULL;
	enum export_format fmt = EXPORT_CSV;
	bool stable = false;
	uint64_t top = 10;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "snapshot"))
			snapshot = optarg;
		else if (!strcmp(name, "list"))
			list = optarg;
		else if (!strcmp(name, "stable"))
			stable = true;
		else if (!strcmp(name, "snapshots"))
			snaps = optarg;
		else if (!strcmp(name, "top")) {
			if (!mx_parse_u64(optarg, &top))
				return op_error(&op, usage_error(c, "--top '%s' is not a whole number", optarg));
		} else if (!strcmp(name, "approach"))
			approach = optarg;
		else if (!strcmp(name, "raw-cells"))
			csv_set_cells(CSV_CELLS_RAW);
		else if (!strcmp(optarg, "csv"))
			fmt = EXPORT_CSV;
		else if (!strcmp(optarg, "jsonl"))
			fmt = EXPORT_JSONL;
		else {
			return op_error(&op, usage_error(c, "--format '%s' is not csv or jsonl", optarg));
		}
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind != argc - 1)
		return usage_error(c, "%s", "give one table: assignments, providers, coverage, trend or corrections");
	const char *table = argv[optind];
	if (strcmp(table, "assignments") && strcmp(table, "providers") && strcmp(table, "coverage") &&
	    strcmp(table, "trend") && strcmp(table, "corrections"))
		return usage_error(c, "'%s' is not a table (assignments, providers, coverage, trend or corrections)", table);
	if (fmt == EXPORT_JSONL && strcmp(table, "assignments") && strcmp(table, "providers"))
		return usage_error(c, "--format jsonl goes with assignments and providers; %s is CSV only", table);
	if (approach) {
		unsigned a = infer_parse_approach(approach);
		if (!a || a == INFER_ALL)
			return usage_error(c, "--approach '%s' is not mx, cert, banner or priority", approach);
		if (strcmp(table, "assignments"))
			return usage_error(c, "%s", "--approach goes with assignments");
	}
	if (snapshot && !mx_date_valid(snapshot))
		return usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
	char **dates = NULL;
	size_t ndates = 0;
	if (snaps && !parse_dates(snaps, &dates, &ndates)) {
		free_dates(dates, ndates);
		return usage_error(c, "--snapshots '%s' is not a list of dates YYYY-MM-DD,...", snaps);
	}
	report_scope sc = {list, stable, dates, ndates};
	char *err = NULL;
	store *st = store_open_readonly(db, &err);
	if (!st) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
		free_dates(dates, ndates);
		return EXIT_RUNTIME;
	}
	if (!list_known(c, st, list)) {
		free_dates(dates, ndates);
		store_close(st);
		return EXIT_RUNTIME;
	}
	char buf[11];
	const char *which = approach ? approach : "final";
	if (!strcmp(table, "coverage") || !strcmp(table, "trend") || !strcmp(table, "corrections")) {
		int r = !strcmp(table, "coverage") ? report_export_coverage(st, stdout, &sc, snapshot, &err)
			: !strcmp(table, "trend")  ? report_export_trend(st, stdout, &sc, (size_t)top, &err)
						   : report_export_corrections(st, stdout, &err);
		if (r < 0) {
			fprintf(stderr, "mxray export: %s\n", err);
			free(err);
		} else if (!strcmp(table, "trend")) {
			char *note = report_runs_note(st, &sc);
			if (note)
				fprintf(stderr, "mxray export: note: %s\n", note);
			free(note);
		}
		free_dates(dates, ndates);
		store_close(st);
		return r < 0 ? EXIT_RUNTIME : EXIT_OK;
	}
	if (stable && report_prepare_scope(st, &sc, &err) < 0) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
		free_dates(dates, ndates);
		store_close(st);
		return EXIT_RUNTIME;
	}
	free_dates(dates, ndates);
	if (!snapshot) {
		if (!export_latest(st, which, buf)) {
			char *e = store_take_error(st);
			if (e)
				fprintf(stderr, "mxray export: %s\n", e);
			else
				fprintf(stderr, "mxray export: %s has no %s answers yet: run 'mxray infer'\n", db,
					approach ? approach : "inference");
			free(e);
			store_close(st);
			return EXIT_RUNTIME;
		}
		snapshot = buf;
	}
	long n = !strcmp(table, "assignments") ? export_assignments(st, stdout, snapshot, list, which, fmt, stable, &err)
					      : export_providers(st, stdout, snapshot, list, fmt, stable, &err);
	int rc = EXIT_OK;
	if (n < 0) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	} else if ((errno = 0, fflush(stdout) != 0) || ferror(stdout)) {
		fprintf(stderr, "mxray export: cannot write the output (standard output): %s; it is incomplete\n",
			errno ? strerror(errno) : "write error");
		rc = EXIT_RUNTIME;
	} else if (!strcmp(table, "assignments")) {
		char *note = export_runs_note(st, snapshot, which);
		if (note)
			fprintf(stderr, "mxray export: note: %s\n", note);
		free(note);
	}
	store_close(st);
	return rc;
}

/* ---- review ----------------------------------------------------------- */

static const opt_row review_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "the snapshot to review (default: the newest)"},
	{"analyst", "NAME", "who decides (default $USER, else the account's name)"},
	{"threshold", "N", "candidates: known companies' IDs below this confidence (default: infer's)"},
	{"kb", "FILE", "knowledge base JSON replacing the built-in one"},
	{"mode", "triage|eval", "triage the candidates (default), or label an evaluation sample"},
	{"sample", "NAME", "with --mode eval: the sample to label"},
	{NULL, NULL, NULL},
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

static int cmd_review(int argc, char **argv)
{
	double t0 = review_clock();
	const command *c = find_command("review");
	const char *db = default_db(), *snapshot = NULL, *kbfile = NULL, *analyst = getenv("USER");
	const char *mode = "triage", *sample = NULL;
	unsigned threshold = 5;
	bool threshold_set = false;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "snapshot"))
			snapshot = optarg;
		else if (!strcmp(name, "analyst"))
			analyst = optarg;
		else if (!strcmp(name, "kb"))
			kbfile = optarg;
		else if (!strcmp(name, "mode"))
			mode = optarg;
		else if (!strcmp(name, "sample"))
			sample = optarg;
		else {
			uint64_t t;
			if (!mx_parse_u64(optarg, &t) || t > 1000000000) {
				return op_error(&op, usage_error(c, "--threshold '%s' is not a whole number", optarg));
			}
			threshold = (unsigned)t;
			threshold_set = true;
		}
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (snapshot && !mx_date_valid(snapshot))
		return usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
	if (strcmp(mode, "triage") && strcmp(mode, "eval"))
		return usage_error(c, "--mode '%s' is not triage or eval", mode);
	if (!strcmp(mode, "eval") != (sample != NULL))
		return usage_error(c, "%s", "--mode eval goes with --sample NAME");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mxray review: needs a terminal (use 'mxray show' or 'mxray export' in scripts)\n");
		return EXIT_RUNTIME;
	}
	char *err = NULL;
	kb *k = kbfile ? kb_load_file(kbfile, &err) : kb_load_default(&err);
	if (!k) {
		fprintf(stderr, "mxray review: %s\n", err);
		free(err);
		return EXIT_RUNTIME;
	}
	char buf[11];
	if (sample) {
		/* the sample decides the snapshot */
		store *probe = store_open_existing(db, &err);
		if (probe && sample_snapshot(probe, sample, buf))
			snapshot = buf;
		store_close(probe);
		free(err);
		err = NULL;
	}
	store *st = open_snapshot(c, db, &snapshot, buf, false);
	if (!st) {
		kb_free(k);
		return EXIT_RUNTIME;
	}
	int rc = EXIT_OK;
	/* No answers yet for this snapshot: say so once, and write nothing
	 * (inferring is the analyst's to ask for).  Answers without an SMTP
	 * address to review are the desk's to say (desk_open). */
	int inferred = review_inferred(st, snapshot, &err);
	if (inferred <= 0) {
		if (inferred < 0)
			fprintf(stderr, "mxray review: %s\n", err);
		else
			fprintf(stderr, "mxray review: snapshot %s has no answers yet: run 'mxray infer --snapshot %s' first\n",
				snapshot, snapshot);
		free(err);
		store_close(st);
		kb_free(k);
		return EXIT_RUNTIME;
	}
	/* the threshold the last inference of this snapshot used */
	if (!threshold_set && infer_last_threshold(st, snapshot, &threshold, &err) < 0) {
		fprintf(stderr, "mxray review: %s\n", err);
		free(err);
		err = NULL;
		rc = EXIT_RUNTIME;
	}
	review_opts ro = {snapshot, analyst, threshold, k, sample, t0};
	if (rc == EXIT_OK && review_run(st, &ro, &err) < 0) {
		fprintf(stderr, "mxray review: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	}
	store_close(st);
	kb_free(k);
	return rc;
}

/* ---- sample, label, eval ---------------------------------------------- */

static const opt_row sample_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"name", "NAME", "the sample's name (required)"},
	{"size", "N", "how many domains to draw (required unless --from-file)"},
	{"list", "L", "draw from target list L only"},
	{"unique-mx", NULL, "only domains whose primary MX hosts no other domain uses"},
	{"seed", "S", "random seed (default 1): the same seed draws the same sample"},
	{"snapshot", "YYYY-MM-DD", "the snapshot (default: the newest)"},
	{"from-file", "FILE", "label the domains listed in FILE instead of drawing"},
	{NULL, NULL, NULL},
};

static bool sample_name_ok(const char *s)
{
	return list_name_ok(s);
}

static int cmd_sample(int argc, char **argv)
{
	const command *c = find_command("sample");
	const char *db = default_db(), *snapshot = NULL;
	sample_req r = {NULL, NULL, NULL, 0, false, 1, NULL};
	bool have_size = false;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		uint64_t u;
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "name"))
			r.name = optarg;
		else if (!strcmp(name, "list"))
			r.list = optarg;
		else if (!strcmp(name, "unique-mx"))
			r.unique_mx = true;
		else if (!strcmp(name, "snapshot"))
			snapshot = optarg;
		else if (!strcmp(name, "from-file"))
			r.from_file = optarg;
		else if (!mx_parse_u64(optarg, &u) || (!strcmp(name, "size") && (u == 0 || u > 100000000)))
			return op_error(&op, usage_error(c, "'%s' is not a whole number in range", optarg));
		else if (!strcmp(name, "size")) {
			r.size = (size_t)u;
			have_size = true;
		} else
			r.seed = u;
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (!r.name || !sample_name_ok(r.name))
		return usage_error(c, "%s", "--name NAME is required (1-63 letters, digits, '-', '_', '.')");
	if (!have_size && !r.from_file)
		return usage_error(c, "%s", "--size N is required (or --from-file FILE)");
	if (r.from_file && (r.unique_mx || r.list))
		return usage_error(c, "%s", "--from-file does not go with --list or --unique-mx");
	if (snapshot && !mx_date_valid(snapshot))
		return usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
	char buf[11], *err = NULL;
	store *st = open_snapshot(c, db, &snapshot, buf, false);
	if (!st)
		return EXIT_RUNTIME;
	r.snapshot = snapshot;
	if (!list_known(c, st, r.list)) {
		store_close(st);
		return EXIT_RUNTIME;
	}
	long n = sample_create(st, &r, stderr, &err);
	int rc = EXIT_OK;
	if (n < 0) {
		fprintf(stderr, "mxray sample: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	} else {
		fprintf(stderr, "sample %s: %ld domains from snapshot %s\n", r.name, n, snapshot);
	}
	store_close(st);
	return rc;
}

static const opt_row label_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"sample", "NAME", "the sample (required)"},
	{"import", "FILE", "read domain,truth CSV (truth: companies or provider IDs, ';' between; empty: cannot decide)"},
	{"export", NULL, "write the sample's labels as domain,truth CSV"},
	{"analyst", "NAME", "who labels (default $USER)"},
	{"strict", NULL, "with --import: stop at the first bad line and keep nothing"},
	{NULL, NULL, NULL},
};

static int cmd_label(int argc, char **argv)
{
	const command *c = find_command("label");
	const char *db = default_db(), *sample = NULL, *in = NULL, *analyst = getenv("USER");
	bool out = false, strict = false;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "sample"))
			sample = optarg;
		else if (!strcmp(name, "import"))
			in = optarg;
		else if (!strcmp(name, "export"))
			out = true;
		else if (!strcmp(name, "analyst"))
			analyst = optarg;
		else
			strict = true;
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (!sample)
		return usage_error(c, "%s", "--sample NAME is required");
	if (!!in + out != 1)
		return usage_error(c, "%s", "give one of --import FILE and --export");
	char *err = NULL, snap[11];
	store *st = out ? store_open_readonly(db, &err) : store_open_existing(db, &err);
	if (!st) {
		fprintf(stderr, "mxray label: %s\n", err);
		free(err);
		return EXIT_RUNTIME;
	}
	int rc = EXIT_OK;
	if (!sample_snapshot(st, sample, snap)) {
		char *dberr = store_take_error(st);
		char *e = dberr ? dberr : sanitize_str(sample);
		if (dberr)
			fprintf(stderr, "mxray label: %s\n", e);
		else
			fprintf(stderr, "mxray label: there is no sample '%s'\n", e);
		free(e);
		store_close(st);
		return EXIT_RUNTIME;
	}
	kb *k = kb_load_default(&err);
	long n = in ? label_import(st, k, sample, in, analyst, strict, stderr, &err) : label_export(st, sample, stdout, &err);
	if (n < 0) {
		fprintf(stderr, "mxray label: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	}
	kb_free(k);
	store_close(st);
	return rc;
}

static const opt_row eval_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"sample", "NAME", "the sample to score (repeatable; default: every sample)"},
	{"format", "text|csv|json", "output format (default text)"},
	{"allow-mixed", NULL, "score answers of different infer runs (different knowledge bases or parameters)"},
	{NULL, NULL, NULL},
};

static int cmd_eval(int argc, char **argv)
{
	const command *c = find_command("eval");
	const char *db = default_db();
	enum eval_format fmt = EVAL_TEXT;
	const char **samples = xcalloc((size_t)argc + 1, sizeof *samples);
	size_t ns = 0;
	bool allow_mixed = false;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "sample"))
			samples[ns++] = optarg;
		else if (!strcmp(name, "allow-mixed"))
			allow_mixed = true;
		else if (!strcmp(optarg, "text") || !strcmp(optarg, "csv") || !strcmp(optarg, "json"))
			fmt = !strcmp(optarg, "text") ? EVAL_TEXT : !strcmp(optarg, "csv") ? EVAL_CSV : EVAL_JSON;
		else {
			free(samples);
			return op_error(&op, usage_error(c, "--format '%s' is not text, csv or json", optarg));
		}
	}
	if (op.rc >= 0 || optind < argc) {
		free(samples);
		return op.rc >= 0 ? op.rc : usage_error(c, "unexpected argument '%s'", argv[optind]);
	}
	char *err = NULL;
	store *st = store_open_readonly(db, &err);
	if (!st) {
		fprintf(stderr, "mxray eval: %s\n", err);
		free(err);
		free(samples);
		return EXIT_RUNTIME;
	}
	char **all = NULL;
	size_t nall = 0;
	if (ns == 0)
		nall = sample_names(st, &all);
	size_t n = ns ? ns : nall;
	eval_result *res = xcalloc(n + 1, sizeof *res);
	int rc = EXIT_OK;
	char *dberr = store_take_error(st);
	if (dberr) {
		fprintf(stderr, "mxray eval: %s\n", dberr);
		free(dberr);
		n = 0;
		rc = EXIT_RUNTIME;
	}
	for (size_t i = 0; i < n && rc == EXIT_OK; i++)
		if (eval_sample(st, ns ? samples[i] : all[i], &res[i], &err) < 0) {
			fprintf(stderr, "mxray eval: %s\n", err);
			free(err);
			rc = EXIT_RUNTIME;
		}
	/* the answers scored side by side must come from one run, or be said
	 * to (--allow-mixed): runs.h */
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		char *note = NULL;
		int mixed = eval_check_runs(st, &res[i], allow_mixed, &note, &err);
		if (mixed < 0) {
			fprintf(stderr, "mxray eval: %s\n", err);
			free(err);
			rc = EXIT_RUNTIME;
		} else if (note) {
			fprintf(stderr, "mxray eval: note: %s", note);
			free(note);
		}
	}
	if (rc == EXIT_OK && n == 0) {
		fprintf(stderr, "mxray eval: no samples yet (draw one with 'mxray sample')\n");
		rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK)
		eval_print(stdout, res, n, fmt);
	for (size_t i = 0; i < nall; i++)
		free(all[i]);
	free(all);
	free(res);
	free(samples);
	store_close(st);
	return rc;
}

/* ---- report ----------------------------------------------------------- */

static const opt_row report_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"list", "L", "only the domains of target list L (default: all)"},
	{"stable", NULL, "only stable domains: in the list with MX records in every snapshot"},
	{"snapshots", "A,B,...", "the snapshots to report on (default: all)"},
	{"top", "N", "how many providers (default 15)"},
	{NULL, NULL, NULL},
};

static int cmd_report(int argc, char **argv)
{
	const command *c = find_command("report");
	const char *db = default_db(), *list = NULL, *snaps = NULL;
	bool stable = false;
	uint64_t top = 15;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db"))
			db = optarg;
		else if (!strcmp(name, "list"))
			list = optarg;
		else if (!strcmp(name, "stable"))
			stable = true;
		else if (!strcmp(name, "snapshots"))
			snaps = optarg;
		else if (!mx_parse_u64(optarg, &top) || top == 0)
			return op_error(&op, usage_error(c, "--top '%s' is not a whole number above 0", optarg));
	}
	if (op.rc >= 0)
		return op.rc;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'", argv[optind]);
	char **dates = NULL;
	size_t ndates = 0;
	if (snaps && !parse_dates(snaps, &dates, &ndates)) {
		free_dates(dates, ndates);
		return usage_error(c, "--snapshots '%s' is not a list of dates YYYY-MM-DD,...", snaps);
	}
	char *err = NULL;
	store *st = store_open_readonly(db, &err);
	int rc = EXIT_OK;
	report_scope sc = {list, stable, dates, ndates};
	if (st && !list_known(c, st, list)) {
		store_close(st);
		free_dates(dates, ndates);
		return EXIT_RUNTIME;
	}
	if (!st || report_text(st, stdout, &sc, (size_t)top, &err) < 0) {
		fprintf(stderr, "mxray report: %s\n", err);
		free(err);
		rc = EXIT_RUNTIME;
	} else {
		char *note = report_runs_note(st, &sc);
		if (note)
			fprintf(stderr, "mxray report: note: %s\n", note);
		free(note);
	}
	store_close(st);
	free_dates(dates, ndates);
	return rc;
}

/* ---- probe ------------------------------------------------------------ */

static const opt_row probe_opts_table[] = {
	{"db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)"},
	{"snapshot", "YYYY-MM-DD", "the snapshot the results go to (required)"},
	{"domains", "FILE", "domains to probe, one a line ('-': standard input)"},
	{"list", "NAME", "also import the domains as the target list NAME"},
	{"resolver", "IP[:PORT]", "DNS resolver (default: the system's)"},
	{"port", "N", "SMTP port (default 25)"},
	{"ehlo", "NAME", "EHLO name that identifies you (default: this machine's FQDN)"},
	{"rate", "N", "new SMTP connections per second in all (default 20)"},
	{"concurrency", "N", "open SMTP connections at most (default 100)"},
	{"timeout", "SECONDS", "per SMTP session and per DNS try (default 10)"},
	{"exclude", "FILE", "CIDRs and domains never contacted (opt-outs)"},
	{"allow", "CIDR", "special-purpose addresses that may be contacted (repeatable)"},
	{"ca-file", "PEM", "more trusted roots, besides the system's"},
	{"sni", NULL, "send the MX host name as TLS SNI (default: none)"},
	{"pfx2as", "FILE", "CAIDA prefix-to-AS file, when the snapshot has none"},
	{"out", "DIR", "where dns.jsonl and scans.jsonl go (default ./SNAPSHOT)"},
	{"no-import", NULL, "write the files only, import nothing"},
	{"quiet", NULL, "no progress bar, no summary (the import's lines stay)"},
	{NULL, NULL, NULL},
};

static bool probe_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

/* Close an output file: 0, or the errno of a write that failed in it. */
static int close_output(FILE *f)
{
	errno = 0;
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed)
		return errno ? errno : EIO;
	return 0;
}

/* The files of an earlier run in the output folder, opened to append to
 * and read back: 0, or -1 with *err. */
static int probe_resume(const char *outdir, const char *dns_path, const char *scan_path, bool quiet, FILE **df,
			FILE **sf, probe_prior **prior, char **err)
{
	long dropped[2] = {0, 0};
	*df = probe_out_open(dns_path, &dropped[0], err);
	if (!*df)
		return -1;
	*sf = probe_out_open(scan_path, &dropped[1], err);
	if (!*sf)
		return -1;
	for (int i = 0; i < 2; i++)
		if (dropped[i])
			fprintf(stderr, "mxray probe: %s: the unfinished last line (%ld bytes, from a run that was killed) "
					"was dropped\n", i ? scan_path : dns_path, dropped[i]);
	*prior = probe_prior_new();
	uint64_t skipped = 0;
	if (probe_prior_load(*prior, dns_path, false, stderr, &skipped, err) < 0 ||
	    probe_prior_load(*prior, scan_path, true, stderr, &skipped, err) < 0)
		return -1;
	if (skipped)
		fprintf(stderr, "mxray probe: %llu lines of %s could not be read; their work is done again\n",
			(unsigned long long)skipped, outdir);
	size_t d = probe_prior_domains(*prior), h = probe_prior_hosts(*prior), a = probe_prior_scans(*prior);
	if (!d && !h && !a) {
		probe_prior_free(*prior);
		*prior = NULL;
	} else if (!quiet) {
		fprintf(stderr, "mxray probe: resuming from %s: %zu domains, %zu MX hosts and %zu addresses are done "
				"already\n", outdir, d, h, a);
	}
	return 0;
}

static int cmd_probe(int argc, char **argv)
{
	const command *c = find_command("probe");
	const char *db = default_db(), *snapshot = NULL, *list = NULL, *domfile = NULL, *exfile = NULL;
	const char *outdir = NULL, *pfx2as = NULL;
	char ehlo[MX_NAME_MAX + 2] = "";
	probe_opts po = {.port = 25, .ehlo = ehlo, .rate = 20, .concurrency = 100, .timeout = 10, .log = stderr};
	bool do_import = true, quiet = false;
	double v;
	int rc = EXIT_USAGE;
	probe_domains doms = {0};
	probe_exclude *ex = NULL, *allow = probe_exclude_new();
	probe_prior *prior = NULL;
	FILE *df = NULL, *sf = NULL;
	char *err = NULL, *dns_path = NULL, *scan_path = NULL, *tgt_path = NULL;
	optparse op;
	const char *name;
	op_begin(&op, c);
	while ((name = op_next(&op, argc, argv))) {
		if (!strcmp(name, "db")) {
			db = optarg;
		} else if (!strcmp(name, "snapshot")) {
			snapshot = optarg;
		} else if (!strcmp(name, "domains")) {
			domfile = optarg;
		} else if (!strcmp(name, "list")) {
			if (!list_name_ok(optarg) || !strcmp(optarg, "all")) {
				rc = usage_error(c, "list name '%s' must be 1-63 letters, digits, '-', '_' or '.' (not 'all')",
						 optarg);
				goto optfail;
			}
			list = optarg;
		} else if (!strcmp(name, "resolver")) {
			po.resolver = optarg;
		} else if (!strcmp(name, "port")) {
			if (!probe_number(optarg, 1, 65535, &v) || v != (unsigned)v) {
				rc = usage_error(c, "--port '%s' is not a port 1-65535", optarg);
				goto optfail;
			}
			po.port = (unsigned)v;
		} else if (!strcmp(name, "ehlo")) {
			size_t n = strlen(optarg);
			if (n == 0 || n > MX_NAME_MAX || strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
							    "0123456789.-_[]:") != n) {
				rc = usage_error(c, "--ehlo '%s' is not a host name or [address]", optarg);
				goto optfail;
			}
			snprintf(ehlo, sizeof ehlo, "%s", optarg);
		} else if (!strcmp(name, "rate")) {
			if (!probe_number(optarg, 0.001, 100000, &v)) {
				rc = usage_error(c, "--rate '%s' is not a number 0.001-100000", optarg);
				goto optfail;
			}
			po.rate = v;
		} else if (!strcmp(name, "concurrency")) {
			if (!probe_number(optarg, 1, 100000, &v) || v != (int)v) {
				rc = usage_error(c, "--concurrency '%s' is not a number 1-100000", optarg);
				goto optfail;
			}
			po.concurrency = (int)v;
		} else if (!strcmp(name, "timeout")) {
			if (!probe_number(optarg, 0.05, 3600, &v)) {
				rc = usage_error(c, "--timeout '%s' is not a number of seconds (0.05-3600)", optarg);
				goto optfail;
			}
			po.timeout = v;
		} else if (!strcmp(name, "exclude")) {
			exfile = optarg;
		} else if (!strcmp(name, "allow")) {
			const char *why = probe_exclude_add_cidr(allow, optarg);
			if (why) {
				fprintf(stderr, "mxray probe: --allow '%s': %s\n", optarg, why);
				rc = usage_error(c, "%s", "--allow takes an IPv4 address or CIDR");
				goto optfail;
			}
			po.allow = allow;
		} else if (!strcmp(name, "ca-file")) {
			po.ca_file = optarg;
		} else if (!strcmp(name, "sni")) {
			po.sni = true;
		} else if (!strcmp(name, "pfx2as")) {
			pfx2as = optarg;
		} else if (!strcmp(name, "out")) {
			outdir = optarg;
		} else if (!strcmp(name, "no-import")) {
			do_import = false;
		} else {
			quiet = true;
		}
	}
	if (op.rc >= 0) {
		rc = op.rc;
		goto out;
	}
	if (!snapshot) {
		rc = usage_error(c, "%s", "--snapshot YYYY-MM-DD is required");
		goto out;
	}
	if (!mx_date_valid(snapshot)) {
		rc = usage_error(c, "--snapshot '%s' is not a date YYYY-MM-DD", snapshot);
		goto out;
	}
	if (pfx2as && !do_import) {
		rc = usage_error(c, "%s", "--pfx2as is imported with the results: it has no use with --no-import");
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		const char *why = probe_domains_add(&doms, argv[i], strlen(argv[i]));
		if (why) {
			fprintf(stderr, "mxray probe: '%s': %s\n", argv[i], why);
			goto out;
		}
	}
	rc = EXIT_RUNTIME;
	if (domfile && probe_domains_load(&doms, domfile, stderr, &err) < 0)
		goto fail;
	if (doms.n == 0) {
		rc = usage_error(c, "%s", "no domains: give DOMAIN arguments or --domains FILE");
		goto out;
	}
	if (exfile) {
		ex = probe_exclude_new();
		if (probe_exclude_load(ex, exfile, &err) < 0)
			goto fail;
		po.exclude = ex;
	}
	if (pfx2as) { /* found out now, not after an hour of probing */
		FILE *pf = fopen(pfx2as, "r");
		if (!pf) {
			err = xasprintf("--pfx2as %s: %s", pfx2as, strerror(errno));
			goto fail;
		}
		fclose(pf);
	}
	if (!ehlo[0])
		probe_default_ehlo(ehlo, sizeof ehlo);
	po.progress = !quiet;
	int cap = probe_concurrency_cap(po.concurrency);
	if (cap < po.concurrency) {
		fprintf(stderr, "mxray probe: --concurrency %d lowered to %d (the file-descriptor limit)\n",
			po.concurrency, cap);
		po.concurrency = cap;
	}
	if (!outdir)
		outdir = snapshot;
	if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
		err = xasprintf("%s: %s", outdir, strerror(errno));
		goto fail;
	}
	dns_path = xasprintf("%s/dns.jsonl", outdir);
	scan_path = xasprintf("%s/scans.jsonl", outdir);
	if (probe_resume(outdir, dns_path, scan_path, quiet, &df, &sf, &prior, &err) < 0)
		goto fail;
	po.prior = prior;
	po.dns_name = dns_path;
	po.scan_name = scan_path;
	struct sigaction old_int, old_term;
	catch_interrupts(&old_int, &old_term);
	probe_counts pc;
	int pr = probe_run(&po, doms.v, doms.n, df, sf, &pc, &err);
	/* a write that failed (a full disk): name the file */
	int derr = close_output(df), serr = close_output(sf);
	df = sf = NULL;
	if (pr < 0)
		goto fail;
	if (derr || serr) {
		err = xasprintf("cannot write %s: %s; it is incomplete and nothing was imported", derr ? dns_path : scan_path,
				strerror(derr ? derr : serr));
		goto fail;
	}
	if (!quiet)
		fprintf(stderr,
			"probe: %llu domains (%llu excluded, %llu done before): %llu MX records, %llu failed lookups, "
			"%llu NODATA; %llu MX hosts (%llu excluded, %llu done before); %llu addresses (%llu excluded, "
			"%llu special-purpose, %llu done before); %llu SMTP sessions in %.1f s (%.0f/s): %llu banners, "
			"%llu TLS (%llu trusted), %llu errors; files in %s\n",
			(unsigned long long)pc.domains, (unsigned long long)pc.excluded_domains,
			(unsigned long long)pc.resumed_domains, (unsigned long long)pc.mx_records,
			(unsigned long long)pc.dns_failed, (unsigned long long)pc.dns_nodata, (unsigned long long)pc.hosts,
			(unsigned long long)pc.excluded_hosts, (unsigned long long)pc.resumed_hosts,
			(unsigned long long)pc.addresses, (unsigned long long)pc.excluded_addresses,
			(unsigned long long)pc.special_addresses, (unsigned long long)pc.resumed_addresses,
			(unsigned long long)pc.smtp_done, pc.seconds, pc.seconds > 0 ? (double)pc.smtp_done / pc.seconds : 0,
			(unsigned long long)pc.smtp_banner, (unsigned long long)pc.smtp_tls,
			(unsigned long long)pc.smtp_trusted, (unsigned long long)pc.smtp_failed, outdir);
	if (pr == 1) {
		fprintf(stderr, "mxray probe: interrupted: the files in %s hold what was done, and nothing was imported; "
				"the same command again probes only what is missing\n", outdir);
		goto out;
	}
	if (!do_import) {
		rc = EXIT_OK;
		goto out;
	}
	import_input in[4];
	size_t n = 0;
	if (list) {
		tgt_path = xasprintf("%s/targets-%s.txt", outdir, list);
		FILE *tf = fopen(tgt_path, "w");
		if (!tf) {
			err = xasprintf("%s: %s", tgt_path, strerror(errno));
			goto fail;
		}
		for (size_t i = 0; i < doms.n; i++)
			fprintf(tf, "%s\n", doms.v[i]);
		if (fclose(tf) != 0) {
			err = xasprintf("%s: %s", tgt_path, strerror(errno));
			goto fail;
		}
		in[n++] = (import_input){IMPORT_TARGETS, tgt_path, list};
	}
	in[n++] = (import_input){IMPORT_DNS, dns_path, NULL};
	in[n++] = (import_input){IMPORT_SCANS, scan_path, NULL};
	store *st = store_open(db, &err);
	if (!st)
		goto fail;
	if (pfx2as) {
		int has = probe_snapshot_has_pfx2as(st, snapshot, &err);
		if (has < 0) {
			store_close(st);
			goto fail;
		}
		if (has)
			fprintf(stderr, "mxray probe: snapshot %s has a pfx2as table already: --pfx2as %s is not imported "
					"('mxray import --pfx2as' merges one into it)\n", snapshot, pfx2as);
		else
			in[n++] = (import_input){IMPORT_PFX2AS, pfx2as, NULL};
	}
	import_opts io = {snapshot, false, !quiet, 10, stderr};
	int ir = import_run(st, &io, in, n, &err);
	store_close(st);
	if (ir < 0)
		goto fail;
	rc = EXIT_OK;
	goto out;
optfail:
	op_error(&op, rc);
	goto out;
fail:
	fprintf(stderr, "mxray probe: %s\n", err ? err : "failed");
	rc = EXIT_RUNTIME;
out:
	if (df)
		fclose(df);
	if (sf)
		fclose(sf);
	free(err);
	free(dns_path);
	free(scan_path);
	free(tgt_path);
	probe_domains_free(&doms);
	probe_exclude_free(ex);
	probe_exclude_free(allow);
	probe_prior_free(prior);
	return rc;
}

/* ---- table of commands ------------------------------------------------ */

static const opt_row no_opts[] = {{NULL, NULL, NULL}};

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("mxray %s\n", MXRAY_VERSION);
	return EXIT_OK;
}

static const command commands[] = {
	{"import", "--snapshot YYYY-MM-DD [--list NAME --targets FILE]... [--dns FILE]... "
		   "[--scans FILE]... [--pfx2as FILE] [--asorg FILE] [--strict]",
	 "Load DNS, scan, routing and AS-organisation data into the database.\n"
	 "FILE may be '-' for standard input.  Each file is one transaction; with --strict\n"
	 "the whole import is one.\n"
	 "Bad lines are reported as FILE:LINE: reason (the first 10 per file) and skipped.",
	 import_opts_table, cmd_import},
	{"stats", "[--snapshot D] [--format text|csv|jsonl]",
	 "Show how much data each snapshot and list has.\n"
	 "Per snapshot and list: domains, domains with MX, failed MX lookups, MX hosts, IPs,\n"
	 "and the IPs with scan data, port 25 open, a browser-trusted certificate, an ASN.\n"
	 "The list 'all' holds every domain with an MX record or a failed MX lookup.",
	 stats_opts_table, cmd_stats},
	{"infer", "[--snapshot D | --all] [--approach priority|mx|cert|banner|all] [--threshold N] "
		  "[--heuristics apply|flag|off] [--kb FILE]",
	 "Infer each domain's mail provider (the paper's method) and store the answers.\n"
	 "Certificate, then banner/EHLO, then MX name per primary MX; confidence max(numIP,\n"
	 "numCert); heuristics for low-confidence IDs of large providers; analyst decisions\n"
	 "re-applied.  Re-running replaces the snapshot's answers in one transaction.",
	 infer_opts_table, cmd_infer},
	{"correct", "(--ip IP | --mx HOST | --domain D) (--set PROVIDER | --self | --confirm) [--snapshot D] "
		    "[--note TEXT] [--analyst NAME] | --list | --undo ID",
	 "Record an analyst decision, list the history, or undo one.\n"
	 "Decisions are never edited or deleted; every 'mxray infer' re-applies the ones not\n"
	 "undone, most specific first: domain, then MX host, then IP.",
	 correct_opts_table, cmd_correct},
	{"show", "DOMAIN [--snapshot D]",
	 "Explain how one domain was inferred, evidence by evidence.\n"
	 "MX records, each primary MX's addresses with AS, banner, EHLO and certificate,\n"
	 "what each approach says, confidence, heuristics, decisions and the final shares.",
	 show_opts_table, cmd_show},
	{"export", "assignments|providers|coverage|trend|corrections [--snapshot D] [--list L] [--stable]\n"
		   "       [--snapshots A,B,...] [--top N] [--approach A] [--format csv|jsonl] [--raw-cells]",
	 "Write the answers and derived tables as CSV (or JSON Lines) on stdout.\n"
	 "assignments: snapshot,domain,provider_id,company,weight,source,confidence,status,reason\n"
	 "  (the final answer; with --approach, that approach's raw answer).\n"
	 "providers: Provider,Domains_of_Provider, the summed shares, largest first.\n"
	 "coverage: snapshot,list,category,domains (the paper's Table 4).\n"
	 "trend: provider,<date>,... each provider's share (%) per snapshot.\n"
	 "corrections: the whole decision history.\n"
	 "CSV text cells are safe for spreadsheets and terminals: one that begins with\n"
	 "= + - @ TAB or CR gets a leading ' and quotes, and control bytes and invisible\n"
	 "characters are written as escapes (\\e, \\x07, <U+202E>; a backslash as \\\\).\n"
	 "--raw-cells writes the stored text as it is.  JSON Lines (for programs) has\n"
	 "neither: JSON escapes control characters.",
	 export_opts_table, cmd_export},
	{"review", "[--snapshot D] [--analyst NAME] [--threshold N] [--kb FILE] [--mode triage|eval --sample NAME]",
	 "Open the review desk: triage misidentification candidates with the evidence.\n"
	 "One row per SMTP address of a primary MX; by default the candidates (known\n"
	 "companies' IDs below the threshold, and every row where a heuristic fired), least\n"
	 "confident first.  Decisions are saved at once to the correction table; '?' lists\n"
	 "the keys.  Runs 'infer' first when the snapshot has no answers yet.  --mode eval\n"
	 "labels the domains of a sample instead (the truth for 'mxray eval').",
	 review_opts_table, cmd_review},
	{"sample", "--name NAME (--size N [--list L] [--unique-mx] [--seed S] | --from-file FILE) [--snapshot D]",
	 "Draw an evaluation sample: N domains with an SMTP-live primary MX, at random.\n"
	 "The same seed and data draw the same sample; --unique-mx keeps domains whose\n"
	 "primary MX hosts no other domain uses.  Label it in 'mxray review --mode eval'.",
	 sample_opts_table, cmd_sample},
	{"label", "--sample NAME (--import FILE | --export)",
	 "Read or write a sample's labels as domain,truth CSV.\n"
	 "truth: companies or provider IDs, ';' between several; empty means cannot decide.",
	 label_opts_table, cmd_label},
	{"eval", "[--sample NAME]... [--format text|csv|json] [--allow-mixed]",
	 "Score the approaches on labelled samples (the paper's Figure 4).\n"
	 "Per approach (mx, cert, banner, priority, final): correct, labelled, accuracy; and\n"
	 "how many sampled domains the heuristics sent to review, and how many are undecidable.\n"
	 "Refuses (exit 1, naming the runs) when the approaches' answers come from infer runs\n"
	 "with different knowledge bases or parameters ('infer --approach A' replaces only A's\n"
	 "and the final answers); --allow-mixed scores them and says which came from which run.",
	 eval_opts_table, cmd_eval},
	{"report", "[--list L] [--stable] [--snapshots A,B,...] [--top N]",
	 "Print a readable report over the snapshots.\n"
	 "Top providers with shares and bars, the changes from the first to the last\n"
	 "snapshot, data coverage (the paper's Table 4), answers by source, heuristics\n"
	 "fired and analyst decisions.",
	 report_opts_table, cmd_report},
	{"probe", "--snapshot YYYY-MM-DD (DOMAIN... | --domains FILE) [--list NAME] [--resolver IP[:PORT]]\n"
		  "       [--port N] [--ehlo NAME] [--rate N] [--concurrency N] [--timeout S] [--exclude FILE]\n"
		  "       [--allow CIDR]... [--ca-file PEM] [--sni] [--pfx2as FILE] [--out DIR] [--no-import] [--quiet]",
	 "Collect the evidence live: MX and A lookups, then one SMTP STARTTLS session per address.\n"
	 "Writes OpenINTEL-style dns.jsonl and ZGrab2-style scans.jsonl under --out and imports\n"
	 "them into the snapshot; then 'mxray infer' and 'mxray show DOMAIN' work.  Each address\n"
	 "is asked: greeting, EHLO, STARTTLS, TLS handshake (the certificate is kept and its chain\n"
	 "checked against the system's trusted roots and --ca-file, expiry included, the host\n"
	 "name not), QUIT; never MAIL FROM or RCPT TO.  No SNI unless --sni.\n"
	 "Interrupted (Ctrl-C), it keeps what is done in --out and imports nothing; the same\n"
	 "command again probes only what is missing.  Private, loopback and other\n"
	 "special-purpose addresses (RFC 6890) are never contacted unless --allow opens them.\n"
	 "Etiquette: scan only what you may, identify yourself with --ehlo (a name whose web\n"
	 "page explains the research and how to opt out), honour opt-out requests with\n"
	 "--exclude, and keep the rate low (default 20 connections per second).",
	 probe_opts_table, cmd_probe},
	{"help", "[COMMAND]", "Show help for mxray or for one command.", no_opts, cmd_help},
	{"version", "", "Print the version.", no_opts, cmd_version},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void main_help(FILE *out)
{
	fprintf(out, "usage: mxray COMMAND [OPTIONS]\n\n"
		     "mxray works out who runs each domain's incoming mail (the method of the IMC'21\n"
		     "study \"Who's Got Your Mail?\") from DNS, port-25 scan and routing data.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *nl = strchr(commands[i].summary, '\n');
		int len = nl ? (int)(nl - commands[i].summary) : (int)strlen(commands[i].summary);
		fprintf(out, "  %-9s %.*s\n", commands[i].name, len, commands[i].summary);
	}
	fprintf(out, "\n'mxray COMMAND --help' shows a command's options.  See also mxray(1).\n"
		     "Exit status: 0 success, 1 runtime error, 2 usage error.\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		const command *c = find_command(argv[1]);
		if (!c) {
			fprintf(stderr, "mxray: '%s' is not a command. See 'mxray --help'.\n", argv[1]);
			return EXIT_USAGE;
		}
		print_help(stdout, c);
		return EXIT_OK;
	}
	main_help(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	/* data on a pipe or file: large writes (a million-row export) */
	static char outbuf[1 << 20];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc < 2) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	const command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "mxray: '%s' is not a command. See 'mxray --help'.\n", argv[1]);
		return EXIT_USAGE;
	}
	int rc = c->run(argc - 1, argv + 1);
	/* output that could not be written (a full disk, a closed pipe) is a
	 * failure, said once, whatever the command */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		if (rc == EXIT_OK)
			fprintf(stderr, "mxray %s: cannot write the output (standard output): %s; it is incomplete\n",
				c->name, e ? strerror(e) : "write error");
		rc = EXIT_RUNTIME;
	}
	return rc;
}
