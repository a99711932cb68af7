/* cli/query: the commands that read the database and write what it holds:
 * mxray stats, show, export and report. */
#include "mxray/cli.h"
#include "mxray/csv.h"
#include "mxray/export.h"
#include "mxray/report.h"
#include "mxray/sanitize.h"
#include "mxray/show.h"
#include "mxray/stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- stats ------------------------------------------------------------ */

enum { STATS_O_SNAPSHOT, STATS_O_FORMAT, STATS_O_N };

static const cli_opt stats_opts[] = {
	[STATS_O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "only this snapshot (default: all)"),
	[STATS_O_FORMAT] = CLI_OPT_CHOICE("format", NULL, "output format (default text)", "text", "csv", "jsonl"),
	[STATS_O_N] = CLI_END,
};

static int run_stats(const cli_command *c, cli_args *a)
{
	static const enum stats_format formats[] = {STATS_TEXT, STATS_CSV, STATS_JSON};
	const char *snapshot = a->v[STATS_O_SNAPSHOT].s;
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	char *err = NULL;
	store *st = cli_open_reading(c, a->db);
	if (!st)
		return CLI_RUNTIME;
	stats_row *rows;
	int n = stats_collect(st, snapshot, &rows, &err);
	rc = CLI_OK;
	if (n < 0) {
		fprintf(stderr, "mxray stats: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else {
		if (snapshot && n == 0) {
			cli_no_snapshot(c, st, a->db, snapshot);
			rc = CLI_RUNTIME;
		} else {
			stats_print(stdout, rows, n, formats[a->v[STATS_O_FORMAT].u]);
		}
		free(rows);
	}
	store_read_end(st);
	store_close(st);
	return rc;
}

const cli_command cli_stats = {
	"stats",
	"[--snapshot D] [--format text|csv|jsonl]",
	"Show how much data each snapshot and list has.\n"
	"Per snapshot and list: domains, domains with MX, failed MX lookups, MX hosts, IPs,\n"
	"and the IPs with scan data, port 25 open, a browser-trusted certificate, an ASN.\n"
	"The rows of list 'all' count every domain of the snapshot's MX queries: with an MX\n"
	"record, with a failed MX lookup, or answered with no MX record (NODATA).  'all' is\n"
	"no imported list: no target rows name it.",
	stats_opts,
	CLI_USES_DB,
	run_stats,
};

/* ---- show ------------------------------------------------------------- */

enum { SHOW_O_SNAPSHOT, SHOW_O_N };

static const cli_opt show_opts[] = {
	[SHOW_O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot (default: the newest fully imported)"),
	[SHOW_O_N] = CLI_END,
};

static int run_show(const cli_command *c, cli_args *a)
{
	const char *snapshot = a->v[SHOW_O_SNAPSHOT].s;
	if (a->argc != 2)
		return cli_usage(c, "%s", "give exactly one DOMAIN");
	const char *domain = a->argv[1];
	char buf[11];
	store *st = cli_open_snapshot(c, a->db, &snapshot, buf, true, "showing");
	if (!st)
		return CLI_RUNTIME;
	char *err = NULL;
	int r = show_domain(st, stdout, snapshot, domain, &err);
	int rc = CLI_OK;
	if (r < 0) {
		fprintf(stderr, "mxray show: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else if (r == 1) {
		char *d = sanitize_str(domain);
		fprintf(stderr, "mxray show: %s is not in snapshot %s\n", d, snapshot);
		free(d);
		rc = CLI_RUNTIME;
	}
	store_read_end(st);
	store_close(st);
	return rc;
}

const cli_command cli_show = {
	"show",
	"DOMAIN [--snapshot D]",
	"Explain how one domain was inferred, evidence by evidence.\n"
	"MX records, each primary MX's addresses with AS, banner, EHLO and certificate,\n"
	"what each approach says, confidence, heuristics, decisions and the final shares.",
	show_opts,
	CLI_USES_DB,
	run_show,
};

/* ---- export ----------------------------------------------------------- */

enum {
	EXPORT_O_SNAPSHOT, EXPORT_O_LIST, EXPORT_O_STABLE, EXPORT_O_SNAPSHOTS, EXPORT_O_TOP, EXPORT_O_APPROACH,
	EXPORT_O_FORMAT, EXPORT_O_RAW_CELLS, EXPORT_O_N
};

static const cli_opt export_opts[] = {
	[EXPORT_O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot (default: the newest with answers, or of --snapshots;"
					   " coverage: every one)"),
	[EXPORT_O_LIST] = CLI_OPT_TEXT("list", "L", "only the domains of target list L"),
	[EXPORT_O_STABLE] = CLI_OPT_FLAG("stable", "only stable domains: in the list with MX records in every snapshot"),
	[EXPORT_O_SNAPSHOTS] = CLI_OPT_TEXT("snapshots", "A,B,...",
					    "the snapshots --stable, coverage and trend consider (default: all)"),
	[EXPORT_O_TOP] = CLI_OPT_UINT("top", "N", 0, 0, "a whole number",
				    "trend: the N largest providers of the last snapshot (default 10; 0: all)"),
	[EXPORT_O_APPROACH] = CLI_OPT_CHOICE("approach", "A",
					     "assignments: that approach's raw answer (mx, cert, banner, priority)",
					     "mx", "cert", "banner", "priority"),
	[EXPORT_O_FORMAT] = CLI_OPT_CHOICE("format", NULL,
					   "output format (default csv; jsonl: assignments and providers only)", "csv",
					   "jsonl"),
	[EXPORT_O_RAW_CELLS] = CLI_OPT_FLAG("raw-cells", "CSV: text cells as stored (no ' before = + - @, no escapes)"),
	[EXPORT_O_N] = CLI_END,
};

static const char *const export_tables[] = {"assignments", "providers", "coverage", "trend", "corrections", NULL};

/* The tables each option does something for (bit i: export_tables[i]);
 * given with another table, it is refused rather than ignored. */
enum { T_ASSIGN = 1, T_PROV = 2, T_COVER = 4, T_TREND = 8, T_CORR = 16, T_EVERY = 31 };
static const unsigned export_applies[EXPORT_O_N] = {
	[EXPORT_O_SNAPSHOT] = T_ASSIGN | T_PROV | T_COVER,
	[EXPORT_O_LIST] = T_ASSIGN | T_PROV | T_COVER | T_TREND,
	[EXPORT_O_STABLE] = T_ASSIGN | T_PROV | T_COVER | T_TREND,
	[EXPORT_O_SNAPSHOTS] = T_ASSIGN | T_PROV | T_COVER | T_TREND,
	[EXPORT_O_TOP] = T_TREND,
	[EXPORT_O_APPROACH] = T_ASSIGN,
	[EXPORT_O_FORMAT] = T_EVERY, /* jsonl: checked on its own */
	[EXPORT_O_RAW_CELLS] = T_EVERY,
};

/* An option given for a table it does nothing for: "--top goes with
 * trend" (CLI_USAGE), else CLI_GO. */
static int export_check_options(const cli_command *c, const cli_args *a, size_t t)
{
	for (int o = 0; o < EXPORT_O_N; o++) {
		if (!a->v[o].set || export_applies[o] & (1u << t))
			continue;
		char names[128] = "";
		size_t len = 0;
		int n = 0, total = 0;
		for (size_t k = 0; export_tables[k]; k++)
			total += !!(export_applies[o] & (1u << k));
		for (size_t k = 0; export_tables[k]; k++)
			if (export_applies[o] & (1u << k)) {
				n++;
				len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
							n == 1 ? "" : n == total ? " and " : ", ", export_tables[k]);
			}
		return cli_usage(c, "--%s goes with %s", export_opts[o].name, names);
	}
	return CLI_GO;
}

/* Each of --snapshots is in the database: true, or false said. */
static bool export_dates_known(const cli_command *c, store *st, const char *db, const report_scope *sc)
{
	for (size_t i = 0; i < sc->nsnapshots; i++) {
		char *err = NULL;
		int found = store_snapshot_find(st, sc->snapshots[i], NULL, &err);
		if (found < 0)
			fprintf(stderr, "mxray %s: %s\n", c->name, err);
		else if (!found)
			cli_no_snapshot(c, st, db, sc->snapshots[i]);
		free(err);
		if (found != 1)
			return false;
	}
	return true;
}

/* coverage, trend and corrections: tables over the snapshots. */
static int export_over_time(store *st, const char *table, report_scope *sc, const char *snapshot, size_t top)
{
	char *err = NULL;
	int r = !strcmp(table, "coverage") ? report_export_coverage(st, stdout, sc, snapshot, &err)
		: !strcmp(table, "trend")  ? report_export_trend(st, stdout, sc, top, &err)
					   : report_export_corrections(st, stdout, &err);
	if (r < 0) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
	} else if (!strcmp(table, "trend")) {
		char *note = report_runs_note(st, sc);
		if (note)
			fprintf(stderr, "mxray export: note: %s\n", note);
		free(note);
	}
	return r < 0 ? CLI_RUNTIME : CLI_OK;
}

/* assignments and providers: one snapshot's answers (snapshot: NULL for
 * the newest with answers). */
static int export_answers(store *st, const char *db, const char *table, report_scope *sc, const char *snapshot,
			  const char *approach, enum export_format fmt)
{
	char buf[11], *err = NULL;
	const char *which = approach ? approach : "final";
	if (sc->stable && report_prepare_scope(st, sc, &err) < 0) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	if (!snapshot) {
		if (!export_latest(st, which, buf)) {
			char *e = store_take_error(st);
			if (e)
				fprintf(stderr, "mxray export: %s\n", e);
			else
				fprintf(stderr, "mxray export: %s has no %s answers yet: run 'mxray infer'\n", db,
					approach ? approach : "inference");
			free(e);
			return CLI_RUNTIME;
		}
		snapshot = buf;
	}
	long n = !strcmp(table, "assignments")
			 ? export_assignments(st, stdout, snapshot, sc->list, which, fmt, sc->stable, &err)
			 : export_providers(st, stdout, snapshot, sc->list, fmt, sc->stable, &err);
	if (n < 0) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	if ((errno = 0, fflush(stdout) != 0) || ferror(stdout)) {
		fprintf(stderr, "mxray export: cannot write the output (standard output): %s; it is incomplete\n",
			errno ? strerror(errno) : "write error");
		return CLI_RUNTIME;
	}
	if (!strcmp(table, "assignments")) {
		char *note = export_runs_note(st, snapshot, which);
		if (note)
			fprintf(stderr, "mxray export: note: %s\n", note);
		free(note);
	}
	return CLI_OK;
}

/* The snapshot of the export, settled against --snapshots: the one given,
 * which must be one of them (CLI_USAGE said); else, for assignments and
 * providers, the newest of them (NULL without --snapshots: the newest
 * with answers). */
static int export_snapshot(const cli_command *c, const char **snapshot, size_t t, const report_scope *sc,
			   const char *snaps)
{
	if (!sc->nsnapshots)
		return CLI_GO;
	const char *newest = NULL;
	for (size_t i = 0; i < sc->nsnapshots; i++) {
		if (*snapshot && !strcmp(*snapshot, sc->snapshots[i]))
			return CLI_GO;
		if (!newest || strcmp(sc->snapshots[i], newest) > 0)
			newest = sc->snapshots[i];
	}
	if (*snapshot)
		return cli_usage(c, "--snapshot %s is not one of --snapshots %s", *snapshot, snaps);
	if (t <= 1)
		*snapshot = newest;
	return CLI_GO;
}

/* The table's snapshot (if one) and --snapshots are in the database; the
 * table written. */
static int export_run(const cli_command *c, const cli_args *a, const char *table, bool over_time, report_scope *sc,
		      const char *snapshot)
{
	const char *approach = a->v[EXPORT_O_APPROACH].s;
	enum export_format fmt = a->v[EXPORT_O_FORMAT].u == 1 ? EXPORT_JSONL : EXPORT_CSV;
	char *err = NULL;
	/* the snapshot's lookup, the scope, the rows and the note, of one
	 * state of the database */
	store *st = cli_open_reading(c, a->db);
	if (!st)
		return CLI_RUNTIME;
	int rc = CLI_RUNTIME, found = 1;
	if (snapshot && (found = store_snapshot_find(st, snapshot, NULL, &err)) < 0) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
	} else if (!found) {
		cli_no_snapshot(c, st, a->db, snapshot);
	} else if (export_dates_known(c, st, a->db, sc) && cli_list_known(c, st, sc->list)) {
		rc = over_time ? export_over_time(st, table, sc, snapshot,
						  a->v[EXPORT_O_TOP].set ? (size_t)a->v[EXPORT_O_TOP].u : 10)
			       : export_answers(st, a->db, table, sc, snapshot, approach, fmt);
	}
	store_read_end(st);
	store_close(st);
	return rc;
}

static int run_export(const cli_command *c, cli_args *a)
{
	const char *snapshot = a->v[EXPORT_O_SNAPSHOT].s, *snaps = a->v[EXPORT_O_SNAPSHOTS].s;
	if (a->argc != 2)
		return cli_usage(c, "%s", "give one table: assignments, providers, coverage, trend or corrections");
	const char *table = a->argv[1];
	size_t t = 0;
	while (export_tables[t] && strcmp(export_tables[t], table))
		t++;
	if (!export_tables[t])
		return cli_usage(c, "'%s' is not a table (assignments, providers, coverage, trend or corrections)", table);
	if (a->v[EXPORT_O_FORMAT].u == 1 && t > 1)
		return cli_usage(c, "--format jsonl goes with assignments and providers; %s is CSV only", table);
	int rc = export_check_options(c, a, t);
	if (rc != CLI_GO)
		return rc;
	char **dates = NULL;
	size_t ndates = 0;
	if (snaps && !cli_parse_dates(snaps, &dates, &ndates)) {
		cli_free_dates(dates, ndates);
		return cli_usage(c, "--snapshots '%s' is not a list of dates YYYY-MM-DD,...", snaps);
	}
	report_scope sc = {a->v[EXPORT_O_LIST].s, a->v[EXPORT_O_STABLE].set, dates, ndates};
	rc = export_snapshot(c, &snapshot, t, &sc, snaps);
	if (rc == CLI_GO) {
		if (a->v[EXPORT_O_RAW_CELLS].set)
			csv_set_cells(CSV_CELLS_RAW);
		rc = export_run(c, a, table, t >= 2, &sc, snapshot);
	}
	cli_free_dates(dates, ndates);
	return rc;
}

const cli_command cli_export = {
	"export",
	"assignments|providers|coverage|trend|corrections [--snapshot D] [--list L] [--stable]\n"
	"       [--snapshots A,B,...] [--top N] [--approach A] [--format csv|jsonl] [--raw-cells]",
	"Write the answers and derived tables as CSV (or JSON Lines) on stdout.\n"
	"assignments: snapshot,domain,provider_id,company,weight,source,confidence,status,reason\n"
	"  (the final answer; with --approach, that approach's raw answer).\n"
	"providers: Provider,Domains_of_Provider, the summed shares, largest first.\n"
	"coverage: snapshot,list,category,domains (the paper's Table 4).\n"
	"trend: provider,<date>,... each provider's share (%) per snapshot.\n"
	"corrections: the whole decision history.\n"
	"An option a table does not use is refused (--top: trend only; --approach:\n"
	"assignments only; --snapshot: not trend or corrections; --list, --stable,\n"
	"--snapshots: not corrections; --format jsonl: assignments and providers only),\n"
	"and so is a --snapshot that is not one of --snapshots.\n"
	"CSV text cells are safe for spreadsheets and terminals: one that begins with\n"
	"= + - @ TAB or CR gets a leading ' and quotes, and control bytes and invisible\n"
	"characters are written as escapes (\\e, \\x07, <U+202E>; a backslash as \\\\).\n"
	"--raw-cells writes the stored text as it is.  JSON Lines (for programs) has\n"
	"neither: JSON escapes control characters.",
	export_opts,
	CLI_USES_DB,
	run_export,
};

/* ---- report ----------------------------------------------------------- */

enum { REPORT_O_LIST, REPORT_O_STABLE, REPORT_O_SNAPSHOTS, REPORT_O_TOP, REPORT_O_N };

static const cli_opt report_opts[] = {
	[REPORT_O_LIST] = CLI_OPT_TEXT("list", "L", "only the domains of target list L (default: all)"),
	[REPORT_O_STABLE] = CLI_OPT_FLAG("stable", "only stable domains: in the list with MX records in every snapshot"),
	[REPORT_O_SNAPSHOTS] = CLI_OPT_TEXT("snapshots", "A,B,...", "the snapshots to report on (default: all)"),
	[REPORT_O_TOP] = CLI_OPT_UINT("top", "N", 1, 0, "a whole number above 0", "how many providers (default 15)"),
	[REPORT_O_N] = CLI_END,
};

static int run_report(const cli_command *c, cli_args *a)
{
	const char *list = a->v[REPORT_O_LIST].s, *snaps = a->v[REPORT_O_SNAPSHOTS].s;
	size_t top = a->v[REPORT_O_TOP].set ? (size_t)a->v[REPORT_O_TOP].u : 15;
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	char **dates = NULL;
	size_t ndates = 0;
	if (snaps && !cli_parse_dates(snaps, &dates, &ndates)) {
		cli_free_dates(dates, ndates);
		return cli_usage(c, "--snapshots '%s' is not a list of dates YYYY-MM-DD,...", snaps);
	}
	char *err = NULL;
	/* the report and its note of one state of the database */
	store *st = cli_open_reading(c, a->db);
	report_scope sc = {list, a->v[REPORT_O_STABLE].set, dates, ndates};
	rc = CLI_OK;
	if (!st || !cli_list_known(c, st, list)) {
		rc = CLI_RUNTIME;
	} else if (report_text(st, stdout, &sc, top, &err) < 0) {
		fprintf(stderr, "mxray report: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else {
		char *note = report_runs_note(st, &sc);
		if (note)
			fprintf(stderr, "mxray report: note: %s\n", note);
		free(note);
	}
	if (st)
		store_read_end(st);
	store_close(st);
	cli_free_dates(dates, ndates);
	return rc;
}

const cli_command cli_report = {
	"report",
	"[--list L] [--stable] [--snapshots A,B,...] [--top N]",
	"Print a readable report over the snapshots.\n"
	"Top providers with shares and bars, the changes from the first to the last\n"
	"snapshot, data coverage (the paper's Table 4), answers by source, heuristics\n"
	"fired and analyst decisions.",
	report_opts,
	CLI_USES_DB,
	run_report,
};
