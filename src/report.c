/* report: scope, coverage (Table 4), trend, and the text report. */
#include "mxray/report.h"
#include "mxray/correct.h"
#include "mxray/csv.h"
#include "mxray/runs.h"
#include "mxray/sanitize.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

const char *const coverage_names[COVERAGE_CATEGORIES] = {"no_mx_ip",      "no_scan",         "no_port25",
							 "no_valid_cert", "no_valid_banner", "complete"};

static int dberr(store *st, char **err)
{
	*err = xasprintf("database error: %s", sqlite3_errmsg(store_db(st)));
	return -1;
}

long report_dates(store *st, const report_scope *sc, char (**dates)[11], char **err)
{
	*dates = NULL;
	long n = 0;
	if (sc->snapshots && sc->nsnapshots) {
		*dates = xcalloc(sc->nsnapshots, sizeof **dates);
		for (size_t i = 0; i < sc->nsnapshots; i++) {
			int found = store_snapshot_find(st, sc->snapshots[i], NULL, err);
			if (found <= 0) {
				if (found == 0)
					*err = xasprintf("no snapshot %s in the database", sc->snapshots[i]);
				free(*dates);
				*dates = NULL;
				return -1;
			}
			snprintf((*dates)[n++], 11, "%s", sc->snapshots[i]);
		}
		/* oldest first */
		qsort(*dates, (size_t)n, sizeof **dates, (int (*)(const void *, const void *))strcmp);
		return n;
	}
	return store_snapshot_dates(st, dates, err);
}

static int build_scope(store *st, const report_scope *sc, char (*dates)[11], long n, char **err);

char *report_runs_note(store *st, const report_scope *sc)
{
	char *err = NULL;
	char (*dates)[11];
	bool own;
	if (store_read_enter(st, &own, &err) < 0) { /* a note is not worth failing for */
		free(err);
		return NULL;
	}
	long n = report_dates(st, sc, &dates, &err);
	if (n < 0) {
		store_read_leave(st, own);
		free(err);
		return NULL;
	}
	snapshot_runs *sr = xcalloc((size_t)n + 1, sizeof *sr);
	long got = 0;
	for (; got < n; got++)
		if (runs_of_snapshot(st, dates[got], &sr[got], &err) < 0) {
			free(err);
			break;
		}
	store_read_leave(st, own);
	char *note = NULL;
	const int fin = RUNS_APPROACHES - 1;
	const run_info **fins = xcalloc((size_t)got + 1, sizeof *fins);
	for (long i = 0; i < got; i++)
		fins[i] = &sr[i].run[fin];
	runs_diff d = runs_compare(fins, (size_t)got);
	free(fins);
	if (got == n && (d.kb || d.psl || d.params)) { /* the snapshots compared come from different runs */
		char *what = runs_diff_words(d);
		strbuf sb;
		sb_init(&sb);
		sb_addf(&sb, "the snapshots' answers come from infer runs with different %s, so their shares may not"
			     " compare:", what);
		free(what);
		for (long i = 0, k = 0; i < got; i++) {
			if (!sr[i].run[fin].present)
				continue;
			char *desc = runs_describe_diff(&sr[i].run[fin], d);
			sb_addf(&sb, "%s %s %s", k++ ? ";" : "", dates[i], desc);
			free(desc);
		}
		note = sb_steal(&sb);
	}
	for (long i = 0; got == n && !note && i < got; i++)
		note = runs_mix_note(&sr[i], fin);
	for (long i = 0; i < got; i++)
		runs_free(&sr[i]);
	free(sr);
	free(dates);
	return note;
}

int report_scope_table(store *st, char **err)
{
	/* snapshot ids and name ids, as in the store's tables */
	return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS scope_date(snap INTEGER PRIMARY KEY);"
			      "CREATE TEMP TABLE IF NOT EXISTS scope_domain(snap INTEGER, domain INTEGER,"
			      " PRIMARY KEY(snap, domain)) WITHOUT ROWID;", err);
}

int report_prepare_scope(store *st, const report_scope *sc, char **err)
{
	char (*dates)[11];
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	long n = report_dates(st, sc, &dates, err);
	int rc = n < 0 ? -1 : build_scope(st, sc, dates, n, err);
	store_read_leave(st, own);
	free(dates);
	return rc;
}

/* Every date must have inference results; name the ones that do not. */
static int check_inferred(store *st, char (*dates)[11], long n, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_result r JOIN snapshot s ON s.id = r.snap"
					    " WHERE s.date = ?1 AND r.approach = 4 LIMIT 1", err);
	if (!s)
		return -1;
	strbuf missing;
	sb_init(&missing);
	for (long i = 0; i < n; i++) {
		store_bind_text(s, 1, dates[i]);
		int rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) { /* an error is not "no results" */
			sb_free(&missing);
			return store_read_done(st, s, rc, err);
		}
		if (rc != SQLITE_ROW)
			sb_addf(&missing, "%s%s", missing.len ? ", " : "", dates[i]);
		sqlite3_reset(s);
	}
	if (missing.len) {
		*err = xasprintf("no inference results for %s: run 'mxray infer --all' (or choose --snapshots)", missing.data);
		sb_free(&missing);
		return -1;
	}
	sb_free(&missing);
	return 0;
}

/* Whether the last scope built is every domain with MX records (list
 * 'all', not --stable): then the queries need no scope table at all, since
 * infer's per-domain tables hold exactly those domains. */
static bool scope_all;

/* Fill temp.scope_domain(snap, domain) with the domains that count. */
static int build_scope(store *st, const report_scope *sc, char (*dates)[11], long n, char **err)
{
	if (check_inferred(st, dates, n, err) < 0)
		return -1;
	if (report_scope_table(st, err) < 0 || store_exec(st, "DELETE FROM scope_date; DELETE FROM scope_domain;", err) < 0)
		return -1;
	scope_all = !sc->stable && (!sc->list || !strcmp(sc->list, "all"));
	if (scope_all)
		return 0;
	sqlite3_stmt *s = store_prepare(st, "INSERT OR IGNORE INTO scope_date(snap) SELECT id FROM snapshot WHERE date = ?1",
					err);
	if (!s)
		return -1;
	for (long i = 0; i < n; i++) {
		store_bind_text(s, 1, dates[i]);
		if (store_step_write(st, s, err) < 0)
			return -1;
	}
	s = store_prepare(st, "INSERT OR IGNORE INTO scope_domain(snap, domain) SELECT m.snap, m.domain FROM f_mx m"
			      " JOIN scope_date d ON d.snap = m.snap WHERE ?1 IS NULL OR ?1 = 'all' OR EXISTS"
			      " (SELECT 1 FROM f_target t WHERE t.snap = m.snap AND t.list = (SELECT id FROM list WHERE name = ?1)"
			      " AND t.domain = m.domain)",
			  err);
	if (!s)
		return -1;
	store_bind_text(s, 1, sc->list);
	if (store_step_write(st, s, err) < 0)
		return -1;
	if (sc->stable) {
		s = store_prepare(st, "DELETE FROM scope_domain WHERE domain IN (SELECT domain FROM scope_domain"
				      " GROUP BY domain HAVING count(*) < ?1)", err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, n);
		if (store_step_write(st, s, err) < 0)
			return -1;
	}
	return 0;
}

static int coverage_one(store *st, const char *snapshot, coverage_row *out, char **err)
{
	memset(out, 0, sizeof *out);
	snprintf(out->snapshot, sizeof out->snapshot, "%s", snapshot);
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_ip_ev i JOIN snapshot s ON s.id = i.snap WHERE s.date = ?1 UNION ALL"
					    " SELECT 1 FROM f_primary_mx p JOIN snapshot s ON s.id = p.snap"
					    " WHERE s.date = ?1 LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	int rc = sqlite3_step(s), inferred = rc == SQLITE_ROW;
	int64_t snap = -1;
	if (store_read_done(st, s, inferred ? SQLITE_DONE : rc, err) < 0 || store_snapshot_find(st, snapshot, &snap, err) < 0)
		return -1;
	if (!inferred) {
		*err = xasprintf("snapshot %s has no inference results: run 'mxray infer --snapshot %s' (or --all)",
				 snapshot, snapshot);
		return -1;
	}
	/* The categories (mutually exclusive, tested in order: no IP for any MX;
	 * no scan for any IP; port 25 never answered; no trusted certificate
	 * with a usable name on a primary address; no usable banner/EHLO
	 * name; complete) are computed by infer, one per domain. */
	s = store_prepare(st, scope_all ? "SELECT code, n FROM f_tally WHERE snap = ?1 AND kind = 'coverage'"
				        : "SELECT c.category, count(*) FROM scope_domain d CROSS JOIN f_coverage c ON"
					  " c.snap = d.snap AND c.domain = d.domain WHERE d.snap = ?1 GROUP BY c.category",
			  err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int cat = sqlite3_column_int(s, 0);
		if (cat >= 0 && cat < COVERAGE_CATEGORIES) {
			out->count[cat] = sqlite3_column_int64(s, 1);
			out->total += out->count[cat];
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : dberr(st, err);
}

int report_coverage_scoped(store *st, const char *snapshot, coverage_row *out, char **err)
{
	return coverage_one(st, snapshot, out, err);
}

int report_coverage(store *st, const report_scope *sc, const char *snapshot, coverage_row *out, char **err)
{
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	int rc = report_prepare_scope(st, sc, err) < 0 ? -1 : coverage_one(st, snapshot, out, err);
	store_read_leave(st, own);
	return rc;
}

void trend_free(trend *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].provider);
		free(t->rows[i].share);
	}
	free(t->rows);
	free(t->dates);
	free(t->domains);
	memset(t, 0, sizeof *t);
}

typedef struct {
	double last;
	size_t i;
	const char *name;
} rank;

static int cmp_rank(const void *a, const void *b)
{
	const rank *x = a, *y = b;
	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The top providers of every domain's shares, from the stored shares: the
 * last snapshot's `top` largest (ties by name: the first rows of the
 * index by weight), then each one's share in the other snapshots by key.
 * Returns 1 when done, 0 when the last snapshot has fewer providers than
 * asked for (the caller reads them all), -1 with *err. */
static int trend_top(store *st, trend *t, size_t top, char **err)
{
	size_t n = t->ndates;
	int64_t *snap = xcalloc(n + 1, sizeof *snap);
	for (size_t k = 0; k < n; k++)
		if (store_snapshot_find(st, t->dates[k], &snap[k], err) < 0) {
			free(snap);
			return -1;
		}
	sqlite3_stmt *s = store_prepare(st, "SELECT provider FROM f_share WHERE snap = ?1"
					    " ORDER BY weight DESC, provider LIMIT ?2", err);
	if (!s) {
		free(snap);
		return -1;
	}
	char **best = xcalloc(top + 1, sizeof *best);
	size_t nb = 0;
	sqlite3_bind_int64(s, 1, snap[n - 1]);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)top);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && nb < top)
		best[nb++] = store_column_dup(s, 0);
	int ret = store_read_done(st, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, err) < 0 ? -1 : nb >= top ? 1 : 0;
	sqlite3_stmt *tot = ret == 1 ? store_prepare(st, "SELECT domains FROM f_share_total WHERE snap = ?1", err) : NULL;
	sqlite3_stmt *one = tot ? store_prepare(st, "SELECT weight FROM f_share WHERE snap = ?1 AND provider = ?2", err)
				: NULL;
	if (ret == 1 && !one)
		ret = -1;
	if (ret == 1) {
		t->domains = xcalloc(n + 1, sizeof *t->domains);
		t->nrows = nb;
		t->rows = xcalloc(nb + 1, sizeof *t->rows);
		for (size_t i = 0; i < nb; i++) {
			t->rows[i].provider = best[i];
			best[i] = NULL;
			t->rows[i].share = xcalloc(n, sizeof *t->rows[i].share);
		}
		for (size_t k = 0; k < n && ret == 1; k++) {
			sqlite3_bind_int64(tot, 1, snap[k]);
			rc = sqlite3_step(tot);
			if (rc == SQLITE_ROW) {
				t->domains[k] = sqlite3_column_int64(tot, 0);
				rc = SQLITE_DONE;
			}
			if (store_read_done(st, tot, rc, err) < 0)
				ret = -1;
			for (size_t i = 0; i < nb && ret == 1; i++) {
				sqlite3_bind_int64(one, 1, snap[k]);
				sqlite3_bind_text(one, 2, t->rows[i].provider, -1, SQLITE_STATIC);
				rc = sqlite3_step(one);
				if (rc == SQLITE_ROW) {
					double w = sqlite3_column_double(one, 0);
					t->rows[i].share[k] = t->domains[k] ? 100.0 * w / (double)t->domains[k] : 0;
					rc = SQLITE_DONE;
				}
				if (store_read_done(st, one, rc, err) < 0)
					ret = -1;
			}
		}
	}
	for (size_t i = 0; i < nb; i++)
		free(best[i]);
	free(best);
	free(snap);
	return ret;
}

static int trend_read(store *st, const report_scope *sc, size_t top, trend *t, char **err)
{
	memset(t, 0, sizeof *t);
	long n = report_dates(st, sc, &t->dates, err);
	if (n < 0)
		return -1;
	t->ndates = (size_t)n;
	if (build_scope(st, sc, t->dates, n, err) < 0) {
		trend_free(t);
		return -1;
	}
	if (scope_all && top && n > 0) { /* every domain: the stored shares, by key */
		int r = trend_top(st, t, top, err);
		if (r != 0) {
			if (r < 0)
				trend_free(t);
			return r < 0 ? -1 : 0;
		}
		/* fewer providers than asked for: read them all (below) */
		for (size_t i = 0; i < t->nrows; i++) {
			free(t->rows[i].provider);
			free(t->rows[i].share);
		}
		free(t->rows);
		free(t->domains);
		t->rows = NULL;
		t->domains = NULL;
		t->nrows = 0;
	}
	t->domains = xcalloc((size_t)n + 1, sizeof *t->domains);
	strmap *prov = strmap_new();
	double **share = NULL;
	size_t cap = 0;
	sqlite3_stmt *tot = store_prepare(st, scope_all ? "SELECT domains FROM f_share_total WHERE snap = ?1"
						      : "SELECT count(DISTINCT r.domain) FROM f_result r JOIN scope_domain d ON"
						        " d.snap = r.snap AND d.domain = r.domain WHERE r.snap = ?1 AND r.approach = 4",
					  err);
	sqlite3_stmt *s = !tot ? NULL
		: scope_all ? store_prepare(st, "SELECT provider, weight FROM f_share WHERE snap = ?1", err)
			    : store_prepare(st, "SELECT coalesce(c.company, p.name), sum(r.weight) FROM f_result r"
						" JOIN scope_domain d ON d.snap = r.snap AND d.domain = r.domain"
						" JOIN name p ON p.id = r.provider LEFT JOIN f_company c ON c.snap = r.snap"
						" AND c.approach = r.approach AND c.provider = r.provider"
						" WHERE r.snap = ?1 AND r.approach = 4 GROUP BY 1", err);
	if (!s) {
		strmap_free(prov);
		trend_free(t);
		return -1;
	}
	int rc = SQLITE_DONE;
	char *ferr = NULL;
	for (long k = 0; k < n && rc == SQLITE_DONE; k++) {
		int64_t snap = -1;
		if (store_snapshot_find(st, t->dates[k], &snap, &ferr) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		sqlite3_bind_int64(tot, 1, snap);
		rc = sqlite3_step(tot);
		if (rc == SQLITE_ROW) {
			t->domains[k] = sqlite3_column_int64(tot, 0);
			rc = SQLITE_DONE;
		}
		if (rc != SQLITE_DONE)
			break;
		sqlite3_reset(tot);
		sqlite3_bind_int64(s, 1, snap);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int added;
			uint32_t id = strmap_intern(prov, (const char *)sqlite3_column_text(s, 0), &added);
			if (id >= cap) {
				size_t nc = cap ? cap * 2 : 64;
				share = xrealloc(share, nc * sizeof *share);
				memset(share + cap, 0, (nc - cap) * sizeof *share);
				cap = nc;
			}
			if (!share[id])
				share[id] = xcalloc((size_t)n, sizeof **share);
			share[id][k] = t->domains[k] ? 100.0 * sqlite3_column_double(s, 1) / (double)t->domains[k] : 0;
		}
		sqlite3_reset(s);
	}
	size_t np = strmap_size(prov);
	if (ferr) {
		sqlite3_reset(tot);
		*err = ferr;
	}
	if (ferr || store_read_done(st, tot, rc, err) < 0) { /* an error is not a zero share */
		for (size_t i = 0; i < np; i++)
			free(share[i]);
		free(share);
		strmap_free(prov);
		trend_free(t);
		return -1;
	}
	rank *r = xcalloc(np + 1, sizeof *r);
	for (size_t i = 0; i < np; i++)
		r[i] = (rank){n ? share[i][n - 1] : 0, i, strmap_key(prov, (uint32_t)i)};
	qsort(r, np, sizeof *r, cmp_rank);
	t->nrows = top && top < np ? top : np;
	t->rows = xcalloc(t->nrows + 1, sizeof *t->rows);
	for (size_t i = 0; i < t->nrows; i++) {
		t->rows[i].provider = xstrdup(r[i].name);
		t->rows[i].share = share[r[i].i];
		share[r[i].i] = NULL;
	}
	for (size_t i = 0; i < np; i++)
		free(share[i]);
	free(share);
	free(r);
	strmap_free(prov);
	return 0;
}

/* The dates, the scope, the top providers, the totals and the shares, of
 * one state of the database: read apart, an infer committed between two
 * of them gave shares of one run over another's totals. */
int report_trend(store *st, const report_scope *sc, size_t top, trend *t, char **err)
{
	bool own;
	if (store_read_enter(st, &own, err) < 0) {
		memset(t, 0, sizeof *t);
		return -1;
	}
	int rc = trend_read(st, sc, top, t, err);
	store_read_leave(st, own);
	return rc;
}

/* Shares are printed with 4 decimals: stable, comparable, enough. */
static void pct(char buf[32], double v)
{
	snprintf(buf, 32, "%.4f", v);
}

static int export_coverage(store *st, FILE *out, const report_scope *sc, const char *snapshot, char **err)
{
	char (*dates)[11];
	long n = report_dates(st, sc, &dates, err);
	if (n < 0)
		return -1;
	if (build_scope(st, sc, dates, n, err) < 0) {
		free(dates);
		return -1;
	}
	fputs("snapshot,list,category,domains\n", out);
	int rc = 0;
	for (long k = 0; k < n && rc == 0; k++) {
		if (snapshot && strcmp(snapshot, dates[k]))
			continue;
		coverage_row c;
		rc = coverage_one(st, dates[k], &c, err);
		for (int i = 0; rc == 0 && i < COVERAGE_CATEGORIES; i++) {
			fprintf(out, "%s,", dates[k]);
			csv_put(out, sc->list ? sc->list : "all");
			fprintf(out, ",%s,%ld\n", coverage_names[i], c.count[i]);
		}
	}
	free(dates);
	return rc;
}

/* Every snapshot's row of one state of the database (the rows are
 * written as they are read). */
int report_export_coverage(store *st, FILE *out, const report_scope *sc, const char *snapshot, char **err)
{
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	int rc = export_coverage(st, out, sc, snapshot, err);
	store_read_leave(st, own);
	return rc;
}

int report_export_trend(store *st, FILE *out, const report_scope *sc, size_t top, char **err)
{
	trend t;
	if (report_trend(st, sc, top, &t, err) < 0)
		return -1;
	fputs("provider", out);
	for (size_t k = 0; k < t.ndates; k++)
		fprintf(out, ",%s", t.dates[k]);
	fputc('\n', out);
	char b[32];
	for (size_t i = 0; i < t.nrows; i++) {
		csv_put(out, t.rows[i].provider);
		for (size_t k = 0; k < t.ndates; k++) {
			pct(b, t.rows[i].share[k]);
			fprintf(out, ",%s", b);
		}
		fputc('\n', out);
	}
	trend_free(&t);
	return 0;
}

int report_export_corrections(store *st, FILE *out, char **err)
{
	return correct_list(st, out, CORRECT_CSV, err) < 0 ? -1 : 0;
}

static void bar(FILE *out, double frac, int width)
{
	int n = (int)(frac * width + 0.5);
	for (int i = 0; i < width; i++)
		fputs(i < n ? "#" : ".", out);
}

/* One number from a query whose ?1 is the snapshot's date (by_id: its
 * integer id) into *v (0 when there is no row); -1 with *err set. */
static int one_long(store *st, const char *sql, const char *snapshot, bool by_id, long *v, char **err)
{
	*v = 0;
	int64_t snap = -1;
	if (by_id && store_snapshot_find(st, snapshot, &snap, err) < 0)
		return -1;
	sqlite3_stmt *s = store_prepare(st, sql, err);
	if (!s)
		return -1;
	if (by_id)
		sqlite3_bind_int64(s, 1, snap);
	else
		store_bind_text(s, 1, snapshot);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return store_read_done(st, s, rc, err);
}

static int report_text_to(store *st, FILE *out, const report_scope *sc, size_t top, char **err);

/* The report is written once it is complete: a database error halfway
 * leaves no partial report on stdout. */
int report_text(store *st, FILE *out, const report_scope *sc, size_t top, char **err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		*err = xstrdup("out of memory");
		return -1;
	}
	/* every part of the report of one state of the database */
	bool own;
	int rc = store_read_enter(st, &own, err);
	if (rc == 0) {
		rc = report_text_to(st, mem, sc, top, err);
		store_read_leave(st, own);
	}
	if (fclose(mem) != 0 && rc == 0) {
		*err = xstrdup("out of memory");
		rc = -1;
	}
	if (rc == 0)
		fwrite(buf, 1, len, out);
	free(buf);
	return rc;
}

static int report_text_to(store *st, FILE *out, const report_scope *sc, size_t top, char **err)
{
	trend t;
	if (report_trend(st, sc, top, &t, err) < 0)
		return -1;
	if (t.ndates == 0) {
		trend_free(&t);
		*err = xstrdup("the database has no snapshots");
		return -1;
	}
	const char *first = t.dates[0], *last = t.dates[t.ndates - 1];
	long scope_n;
	if (one_long(st, scope_all ? "SELECT count(*) FROM f_coverage WHERE snap = ?1"
				   : "SELECT count(*) FROM scope_domain WHERE snap = ?1", last, true, &scope_n, err) < 0) {
		trend_free(&t);
		return -1;
	}
	char *list = sanitize_str(sc->list ? sc->list : "all");
	fprintf(out, "mxray report: list %s, %s, %zu snapshot%s (%s to %s)\n", list,
		sc->stable ? "stable domains only (with MX records in every snapshot)" : "every domain with MX records",
		t.ndates, t.ndates == 1 ? "" : "s", first, last);
	fprintf(out, "domains in scope in %s: %ld; with an answer: %ld\n\n", last, scope_n, t.domains[t.ndates - 1]);
	free(list);

	fprintf(out, "Top providers in %s (share of the domains with an answer, %%)\n", last);
	fprintf(out, "  %-22s %-32s", "provider", "");
	for (size_t k = 0; k < t.ndates; k++)
		fprintf(out, " %10s", t.dates[k]);
	fputc('\n', out);
	double maxs = 0;
	for (size_t i = 0; i < t.nrows; i++)
		if (t.rows[i].share[t.ndates - 1] > maxs)
			maxs = t.rows[i].share[t.ndates - 1];
	for (size_t i = 0; i < t.nrows; i++) {
		char *p = sanitize_str(t.rows[i].provider);
		fprintf(out, "  %-22.22s ", p);
		bar(out, maxs > 0 ? t.rows[i].share[t.ndates - 1] / maxs : 0, 32);
		for (size_t k = 0; k < t.ndates; k++)
			fprintf(out, " %10.2f", t.rows[i].share[k]);
		fputc('\n', out);
		free(p);
	}
	if (t.ndates > 1) {
		fprintf(out, "\nChanges from %s to %s (percentage points)\n", first, last);
		for (size_t i = 0; i < t.nrows; i++) {
			double dlt = t.rows[i].share[t.ndates - 1] - t.rows[i].share[0];
			if (dlt > -0.005 && dlt < 0.005)
				continue;
			char *p = sanitize_str(t.rows[i].provider);
			fprintf(out, "  %-22.22s %+8.2f\n", p, dlt);
			free(p);
		}
	}
	fprintf(out, "\nData coverage (the paper's Table 4)\n  %-16s", "category");
	for (size_t k = 0; k < t.ndates; k++)
		fprintf(out, " %10s", t.dates[k]);
	fputc('\n', out);
	coverage_row *cov = xcalloc(t.ndates, sizeof *cov);
	int rc = 0;
	for (size_t k = 0; k < t.ndates && rc == 0; k++)
		rc = coverage_one(st, t.dates[k], &cov[k], err);
	for (int c = 0; rc == 0 && c < COVERAGE_CATEGORIES; c++) {
		fprintf(out, "  %-16s", coverage_names[c]);
		for (size_t k = 0; k < t.ndates; k++)
			fprintf(out, " %10ld", cov[k].count[c]);
		fputc('\n', out);
	}
	if (rc == 0) {
		fprintf(out, "  %-16s", "total");
		for (size_t k = 0; k < t.ndates; k++)
			fprintf(out, " %10ld", cov[k].total);
		fputc('\n', out);
	}
	free(cov);
	if (rc == 0) {
		fprintf(out, "\nAnswers in %s by source (domains in scope; a split domain counts once per provider)\n", last);
		/* the store's source codes: 1 mx, 2 banner, 3 cert, 4 correction;
		 * one pass over the answers for all four */
		static const char *const src[] = {"cert", "banner", "mx", "correction"};
		static const int code[] = {3, 2, 1, 4};
		long by_src[5] = {0};
		sqlite3_stmt *q = store_prepare(st, scope_all
			? "SELECT code, n FROM f_tally WHERE snap = ?1 AND kind = 'source'"
			: "SELECT r.source, count(*) FROM f_result r JOIN scope_domain d ON d.snap = r.snap"
			  " AND d.domain = r.domain WHERE r.snap = ?1 AND r.approach = 4 GROUP BY r.source", err);
		if (!q) {
			trend_free(&t);
			return -1;
		}
		int64_t lastid = -1;
		if (store_snapshot_find(st, last, &lastid, err) < 0) {
			trend_free(&t);
			return -1;
		}
		sqlite3_bind_int64(q, 1, lastid);
		int qrc;
		while ((qrc = sqlite3_step(q)) == SQLITE_ROW) {
			int c = sqlite3_column_int(q, 0);
			if (c >= 1 && c <= 4)
				by_src[c] = sqlite3_column_int64(q, 1);
		}
		if (store_read_done(st, q, qrc, err) < 0) { /* an error is not a zero count */
			trend_free(&t);
			return -1;
		}
		for (int i = 0; i < 4; i++)
			fprintf(out, "  %-11s %8ld\n", src[i], by_src[code[i]]);
		long heur[3] = {0};
		q = store_prepare(st, "SELECT coalesce(sum(n * (code = 0)), 0), coalesce(sum(n * (code = 1)), 0),"
				      " coalesce(sum(n * (code = 2)), 0) FROM f_tally"
				      " WHERE snap = (SELECT id FROM snapshot WHERE date = ?1) AND kind = 'heuristic'", err);
		if (!q) {
			trend_free(&t);
			return -1;
		}
		store_bind_text(q, 1, last);
		qrc = sqlite3_step(q);
		if (qrc == SQLITE_ROW) {
			for (int i = 0; i < 3; i++)
				heur[i] = sqlite3_column_int64(q, i);
			qrc = sqlite3_step(q);
		}
		if (store_read_done(st, q, qrc, err) < 0) {
			trend_free(&t);
			return -1;
		}
		fprintf(out, "\nHeuristics in %s: fired on %ld MX hosts, changed %ld answers, flagged %ld\n", last,
			heur[0], heur[1], heur[2]);
		long pending, recorded, undone, corrected;
		if (one_long(st, "SELECT count(*) FROM correction WHERE (at > (SELECT max(at) FROM run WHERE"
				 " snapshot = ?1) OR undone_at > (SELECT max(at) FROM run WHERE snapshot = ?1))", last, false,
			     &pending, err) < 0 ||
		    one_long(st, "SELECT count(*) FROM correction WHERE ?1 IS NOT NULL", last, false, &recorded, err) < 0 ||
		    one_long(st, "SELECT count(*) FROM correction WHERE undone_at IS NOT NULL AND ?1 IS NOT NULL", last, false,
			     &undone, err) < 0 ||
		    one_long(st, "SELECT coalesce(sum(n), 0) FROM f_tally WHERE snap = ?1 AND kind = 'corrected'", last, true,
			     &corrected, err) < 0) {
			trend_free(&t);
			return -1;
		}
		if (pending)
			fprintf(out, "%ld decision%s made or undone since the last 'mxray infer' of %s: run it to apply them\n",
				pending, pending == 1 ? "" : "s", last);
		fprintf(out, "Analyst decisions: %ld recorded, %ld undone; %ld answers corrected or confirmed in %s\n",
			recorded, undone, corrected, last);
	}
	trend_free(&t);
	return rc;
}
