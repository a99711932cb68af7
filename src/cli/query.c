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
	store *st = store_open_readonly(a->db, &err);
	if (!st) {
		fprintf(stderr, "mxray stats: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	stats_row *rows;
	int n = stats_collect(st, snapshot, &rows, &err);
	rc = CLI_OK;
	if (n < 0) {
		fprintf(stderr, "mxray stats: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else {
		if (snapshot && n == 0) {
			fprintf(stderr, "mxray stats: no snapshot %s in %s\n", snapshot, a->db);
			rc = CLI_RUNTIME;
		} else {
			stats_print(stdout, rows, n, formats[a->v[STATS_O_FORMAT].u]);
		}
		free(rows);
	}
	store_close(st);
	return rc;
}

const cli_command cli_stats = {
	"stats",
	"[--snapshot D] [--format text|csv|jsonl]",
	"Show how much data each snapshot and list has.\n"
	"Per snapshot and list: domains, domains with MX, failed MX lookups, MX hosts, IPs,\n"
	"and the IPs with scan data, port 25 open, a browser-trusted certificate, an ASN.\n"
	"The list 'all' holds every domain with an MX record or a failed MX lookup.",
	stats_opts,
	CLI_USES_DB,
	run_stats,
};

/* ---- show ------------------------------------------------------------- */

enum { SHOW_O_SNAPSHOT, SHOW_O_N };

static const cli_opt show_opts[] = {
	[SHOW_O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot (default: the newest)"),
	[SHOW_O_N] = CLI_END,
};

static int run_show(const cli_command *c, cli_args *a)
{
	const char *snapshot = a->v[SHOW_O_SNAPSHOT].s;
	if (a->argc != 2)
		return cli_usage(c, "%s", "give exactly one DOMAIN");
	const char *domain = a->argv[1];
	char buf[11];
	store *st = cli_open_snapshot(c, a->db, &snapshot, buf, true);
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
	[EXPORT_O_SNAPSHOT] = CLI_OPT_DATE("snapshot",
					   "the snapshot (default: the newest with answers; coverage: every one)"),
	[EXPORT_O_LIST] = CLI_OPT_TEXT("list", "L", "only the domains of target list L"),
	[EXPORT_O_STABLE] = CLI_OPT_FLAG("stable", "only stable domains: in the list with MX records in every snapshot"),
	[EXPORT_O_SNAPSHOTS] = CLI_OPT_TEXT("snapshots", "A,B,...",
					    "the snapshots that --stable and trend consider (default: all)"),
	[EXPORT_O_TOP] = CLI_OPT_UINT("top", "N", 0, 0, "a whole number",
				    "trend: the N largest providers of the last snapshot (default 10; 0: all)"),
	[EXPORT_O_APPROACH] = CLI_OPT_CHOICE("approach", "A",
					     "assignments: that approach's raw answer (mx, cert, banner, priority)",
					     "mx", "cert", "banner", "priority"),
	[EXPORT_O_FORMAT] = CLI_OPT_CHOICE("format", NULL, "output format (default csv)", "csv", "jsonl"),
	[EXPORT_O_RAW_CELLS] = CLI_OPT_FLAG("raw-cells", "CSV: text cells as stored (no ' before = + - @, no escapes)"),
	[EXPORT_O_N] = CLI_END,
};

static const char *const export_tables[] = {"assignments", "providers", "coverage", "trend", "corrections", NULL};

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

/* assignments and providers: one snapshot's answers. */
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

static int run_export(const cli_command *c, cli_args *a)
{
	const char *snapshot = a->v[EXPORT_O_SNAPSHOT].s, *list = a->v[EXPORT_O_LIST].s, *snaps = a->v[EXPORT_O_SNAPSHOTS].s;
	const char *approach = a->v[EXPORT_O_APPROACH].s;
	enum export_format fmt = a->v[EXPORT_O_FORMAT].u == 1 ? EXPORT_JSONL : EXPORT_CSV;
	bool stable = a->v[EXPORT_O_STABLE].set;
	if (a->argc != 2)
		return cli_usage(c, "%s", "give one table: assignments, providers, coverage, trend or corrections");
	const char *table = a->argv[1];
	size_t t = 0;
	while (export_tables[t] && strcmp(export_tables[t], table))
		t++;
	if (!export_tables[t])
		return cli_usage(c, "'%s' is not a table (assignments, providers, coverage, trend or corrections)", table);
	if (fmt == EXPORT_JSONL && t > 1)
		return cli_usage(c, "--format jsonl goes with assignments and providers; %s is CSV only", table);
	if (approach && t != 0)
		return cli_usage(c, "%s", "--approach goes with assignments");
	char **dates = NULL;
	size_t ndates = 0;
	if (snaps && !cli_parse_dates(snaps, &dates, &ndates)) {
		cli_free_dates(dates, ndates);
		return cli_usage(c, "--snapshots '%s' is not a list of dates YYYY-MM-DD,...", snaps);
	}
	if (a->v[EXPORT_O_RAW_CELLS].set)
		csv_set_cells(CSV_CELLS_RAW);
	report_scope sc = {list, stable, dates, ndates};
	char *err = NULL;
	store *st = store_open_readonly(a->db, &err);
	int rc = CLI_RUNTIME;
	if (!st) {
		fprintf(stderr, "mxray export: %s\n", err);
		free(err);
	} else if (cli_list_known(c, st, list)) {
		rc = t >= 2 ? export_over_time(st, table, &sc, snapshot, a->v[EXPORT_O_TOP].set ? (size_t)a->v[EXPORT_O_TOP].u : 10)
			    : export_answers(st, a->db, table, &sc, snapshot, approach, fmt);
	}
	cli_free_dates(dates, ndates);
	store_close(st);
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
	store *st = store_open_readonly(a->db, &err);
	report_scope sc = {list, a->v[REPORT_O_STABLE].set, dates, ndates};
	rc = CLI_OK;
	if (st && !cli_list_known(c, st, list)) {
		rc = CLI_RUNTIME;
	} else if (!st || report_text(st, stdout, &sc, top, &err) < 0) {
		fprintf(stderr, "mxray report: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else {
		char *note = report_runs_note(st, &sc);
		if (note)
			fprintf(stderr, "mxray report: note: %s\n", note);
		free(note);
	}
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
