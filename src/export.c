/* export: assignments and provider shares as CSV (RFC 4180) or JSON Lines. */
#include "mxray/export.h"
#include "mxray/progress.h"
#include "mxray/csv.h"
#include "mxray/infer.h"
#include "mxray/report.h"
#include "mxray/runs.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

bool export_latest(store *st, const char *approach, char buf[11])
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(s.date) FROM snapshot s WHERE EXISTS (SELECT 1 FROM f_result r"
					    " WHERE r.snap = s.id AND r.approach = (SELECT id FROM approach WHERE name = ?1))",
					NULL);
	bool ok = false;
	if (!s)
		return false;
	store_bind_text(s, 1, approach);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		/* a date, or nothing: a longer stored value is not cut to one */
		const char *d = (const char *)sqlite3_column_text(s, 0);
		if (d && mx_date_valid(d)) {
			memcpy(buf, d, 11);
			ok = true;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) /* an error, not "no answers": the caller asks store_take_error */
		store_note_error(st);
	return ok;
}

char *export_runs_note(store *st, const char *snapshot, const char *approach)
{
	snapshot_runs sr;
	char *err = NULL;
	if (runs_of_snapshot(st, snapshot, &sr, &err) < 0) { /* a note is not worth failing the export for */
		free(err);
		return NULL;
	}
	char *note = runs_mix_note(&sr, runs_approach_index(approach));
	runs_free(&sr);
	return note;
}

static int check_results(store *st, const char *snapshot, const char *approach, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_result r JOIN snapshot s ON s.id = r.snap WHERE s.date = ?1"
					    " AND r.approach = (SELECT id FROM approach WHERE name = ?2) LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, approach);
	int rc = sqlite3_step(s);
	bool found = rc == SQLITE_ROW;
	/* an error is said as one, not as "no answers" */
	if (store_read_done(st, s, found ? SQLITE_DONE : rc, err) < 0)
		return -1;
	if (!found) {
		*err = xasprintf("no %s answers for snapshot %s: run 'mxray infer --snapshot %s%s'",
				 !strcmp(approach, "final") ? "inference" : approach, snapshot, snapshot,
				 !strcmp(approach, "final") ? "" : " --approach all");
		return -1;
	}
	return 0;
}

/* A JSON string for a text cell.  JSON escaping covers the control
 * characters; text that is not UTF-8 (a note is stored as given) becomes
 * its display form (\xNN escapes) rather than a null. */
static json_t *json_text(const char *s)
{
	json_t *v = json_string(s);
	if (!v) {
		char *e = sanitize_str(s);
		v = json_string(e);
		free(e);
	}
	return v;
}

/* One JSON Lines record (ASCII, keys in order, doubles round-trip); takes o. */
static void put_json_line(FILE *out, json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
	if (line)
		fprintf(out, "%s\n", line);
	free(line);
	json_decref(o);
}

static const char *const assign_cols[] = {"snapshot", "domain", "provider_id", "company", "weight",
					  "source", "confidence", "status", "reason"};

/* One answer row; strings are offsets into the arena until sorted. */
typedef struct {
	size_t domain, provider, reason; /* reason: 0 = none (offset 0 is "") */
	uint32_t provider_id;
	double weight;
	int64_t conf;
	int source, status;
} arow;

static const char *arena_str(const strbuf *a, size_t off)
{
	return a->data + off;
}

static const strbuf *sort_arena;

static int cmp_arow(const void *pa, const void *pb)
{
	const arow *a = pa, *b = pb;
	int r = strcmp(arena_str(sort_arena, a->domain), arena_str(sort_arena, b->domain));
	return r ? r : strcmp(arena_str(sort_arena, a->provider), arena_str(sort_arena, b->provider));
}

typedef struct {
	uint32_t id;
	size_t company; /* arena offset */
} pcompany;

static int cmp_pcompany(const void *a, const void *b)
{
	uint32_t x = ((const pcompany *)a)->id, y = ((const pcompany *)b)->id;
	return (x > y) - (x < y);
}

long export_assignments(store *st, FILE *out, const char *snapshot, const char *list, const char *approach,
			enum export_format fmt, bool scoped, char **err)
{
	int64_t snap = -1;
	if (check_results(st, snapshot, approach, err) < 0 || report_scope_table(st, err) < 0 ||
	    store_snapshot_find(st, snapshot, &snap, err) < 0)
		return -1;
	/* The rows in the table's order, sorted here by domain and provider
	 * name (SQLite's sort of a million rows with their joins was slower). */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT d.name, p.name, r.provider, r.weight, r.source, r.confidence, r.status, r.reason"
		" FROM f_result r JOIN name d ON d.id = r.domain JOIN name p ON p.id = r.provider"
		" WHERE r.snap = ?1 AND r.approach = (SELECT id FROM approach WHERE name = ?2)"
		" AND (?3 IS NULL OR ?3 = 'all' OR r.domain IN (SELECT domain FROM f_target WHERE snap = ?1 AND"
		" list = (SELECT id FROM list WHERE name = ?3))) AND (NOT ?4 OR r.domain IN"
		" (SELECT domain FROM temp.scope_domain WHERE snap = ?1))", err);
	sqlite3_stmt *cs = s ? store_prepare(st, "SELECT provider, company FROM f_company WHERE snap = ?1"
						 " AND approach = (SELECT id FROM approach WHERE name = ?2)", err)
			     : NULL;
	if (!cs)
		return -1;
	strbuf arena;
	sb_init(&arena);
	sb_add(&arena, "", 1); /* offset 0: "" */
	progress pg = {0};
	arow *rows = NULL;
	pcompany *co = NULL;
	size_t n = 0, cap = 0, nco = 0;
	sqlite3_bind_int64(cs, 1, snap);
	store_bind_text(cs, 2, approach);
	int rc;
	while ((rc = sqlite3_step(cs)) == SQLITE_ROW) {
		co = xrealloc(co, (nco + 1) * sizeof *co);
		co[nco].id = (uint32_t)sqlite3_column_int64(cs, 0);
		co[nco].company = arena.len;
		sb_add(&arena, sqlite3_column_text(cs, 1), (size_t)sqlite3_column_bytes(cs, 1) + 1);
		nco++;
	}
	if (store_read_done(st, cs, rc, err) < 0)
		goto fail;
	mx_sort(co, nco, sizeof *co, cmp_pcompany);
	sqlite3_bind_int64(s, 1, snap);
	store_bind_text(s, 2, approach);
	store_bind_text(s, 3, list);
	sqlite3_bind_int(s, 4, scoped);
	/* a bar on a terminal's stderr (a whole zone takes a while) */
	progress_begin(&pg, true, "export assignments: reading", 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((n & 65535) == 0)
			progress_update(&pg, 0, n, "rows");
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		arow *r = &rows[n++];
		r->domain = arena.len;
		sb_add(&arena, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0) + 1);
		r->provider = arena.len;
		sb_add(&arena, sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1) + 1);
		r->provider_id = (uint32_t)sqlite3_column_int64(s, 2);
		r->weight = sqlite3_column_double(s, 3);
		r->source = sqlite3_column_int(s, 4);
		r->conf = sqlite3_column_int64(s, 5);
		r->status = sqlite3_column_int(s, 6);
		r->reason = 0;
		if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
			r->reason = arena.len;
			sb_add(&arena, sqlite3_column_text(s, 7), (size_t)sqlite3_column_bytes(s, 7) + 1);
		}
	}
	progress_end(&pg);
	if (store_read_done(st, s, rc, err) < 0)
		goto fail;
	sort_arena = &arena;
	/* a snapshot imported at once has its names' ids in name order: the
	 * rows come sorted, and a check is cheaper than the sort */
	size_t k = 1;
	while (k < n && cmp_arow(&rows[k - 1], &rows[k]) <= 0)
		k++;
	if (k < n)
		mx_sort(rows, n, sizeof *rows, cmp_arow);
	if (fmt == EXPORT_CSV) {
		for (int i = 0; i < 9; i++)
			fprintf(out, "%s%s", i ? "," : "", assign_cols[i]);
		fputc('\n', out);
	}
	char w[32], conf[24];
	strbuf line;
	sb_init(&line);
	double last_w = -1; /* the weights are 1/n for a few n: format each once */
	progress_begin(&pg, true, "export assignments: writing", n);
	for (size_t i = 0; i < n; i++) {
		const arow *r = &rows[i];
		if ((i & 65535) == 0)
			progress_update(&pg, i, i, "rows");
		pcompany key = {r->provider_id, 0}, *hit = nco ? bsearch(&key, co, nco, sizeof *co, cmp_pcompany) : NULL;
		const char *src = r->source >= 1 && r->source <= 4 ? infer_source_names[r->source] : "correction";
		const char *status = r->status >= 0 && r->status <= 5 ? infer_status_names[r->status] : "corrected";
		const char *vals[9] = {snapshot, arena_str(&arena, r->domain), arena_str(&arena, r->provider),
				       hit ? arena_str(&arena, hit->company) : NULL, NULL, src, conf, status,
				       r->reason ? arena_str(&arena, r->reason) : NULL};
		if (r->weight != last_w) {
			mx_fmt_double(r->weight, w);
			last_w = r->weight;
		}
		snprintf(conf, sizeof conf, "%lld", (long long)r->conf);
		if (fmt == EXPORT_CSV) { /* a line at a time: one write per row */
			sb_clear(&line);
			for (int k = 0; k < 9; k++) {
				if (k)
					sb_addc(&line, ',');
				if (k == 4 || k == 6) /* numbers, not text cells */
					sb_adds(&line, k == 4 ? w : conf);
				else
					csv_add(&line, vals[k]);
			}
			sb_addc(&line, '\n');
			fwrite(line.data, 1, line.len, out);
			continue;
		}
		json_t *o = json_object();
		for (int k = 0; k < 9; k++) {
			json_t *v = k == 4 ? json_real(r->weight) : k == 6 ? json_integer(r->conf)
				  : vals[k] ? json_text(vals[k]) : json_null();
			json_object_set_new(o, assign_cols[k], v ? v : json_null());
		}
		put_json_line(out, o);
	}
	progress_end(&pg);
	sb_free(&line);
	free(rows);
	free(co);
	sb_free(&arena);
	return (long)n;
fail:
	progress_end(&pg);
	free(rows);
	free(co);
	sb_free(&arena);
	return -1;
}

/* A provider's share, for export providers. */
typedef struct {
	size_t name;   /* arena offset */
	bool null;     /* no name (SQL NULL) */
	double weight;
} pshare;

/* By share, largest first, then by name in byte order (SQL's BINARY
 * collation; NULL first), as ORDER BY w DESC, p. */
static int cmp_pshare(const void *pa, const void *pb)
{
	const pshare *a = pa, *b = pb;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->null != b->null)
		return a->null ? -1 : 1;
	return strcmp(arena_str(sort_arena, a->name), arena_str(sort_arena, b->name));
}

long export_providers(store *st, FILE *out, const char *snapshot, const char *list, enum export_format fmt,
		      bool scoped, char **err)
{
	int64_t snap = -1;
	if (check_results(st, snapshot, "final", err) < 0 || report_scope_table(st, err) < 0 ||
	    store_snapshot_find(st, snapshot, &snap, err) < 0)
		return -1;
	/* every domain: the shares infer stored; a list or scope: summed here */
	bool all = !scoped && (!list || !strcmp(list, "all"));
	/* sorted here (by share, then name, as ORDER BY w DESC, p would):
	 * faster than SQLite's sort of a few hundred thousand rows */
	sqlite3_stmt *s = all ? store_prepare(st, "SELECT provider, weight FROM f_share WHERE snap = ?1", err)
			      : store_prepare(st,
		"SELECT coalesce(c.company, n.name) AS p, sum(r.weight) AS w FROM f_result r JOIN name n ON n.id = r.provider"
		" LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = r.approach AND c.provider = r.provider"
		" WHERE r.snap = ?1 AND r.approach = 4 AND (?2 IS NULL OR ?2 = 'all' OR r.domain IN"
		" (SELECT domain FROM f_target WHERE snap = ?1 AND list = (SELECT id FROM list WHERE name = ?2)))"
		" AND (NOT ?3 OR r.domain IN (SELECT domain FROM temp.scope_domain WHERE snap = ?1))"
		" GROUP BY p", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	if (!all) {
		store_bind_text(s, 2, list);
		sqlite3_bind_int(s, 3, scoped);
	}
	strbuf arena;
	sb_init(&arena);
	pshare *rows = NULL;
	size_t nrows = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nrows == cap) {
			cap = cap ? cap * 2 : 4096;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		rows[nrows].null = sqlite3_column_type(s, 0) == SQLITE_NULL;
		rows[nrows].name = arena.len;
		sb_add(&arena, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0) + 1);
		rows[nrows].weight = sqlite3_column_double(s, 1);
		nrows++;
	}
	if (store_read_done(st, s, rc, err) < 0) {
		free(rows);
		sb_free(&arena);
		return -1;
	}
	sort_arena = &arena;
	mx_sort(rows, nrows, sizeof *rows, cmp_pshare);
	if (fmt == EXPORT_CSV)
		fputs("Provider,Domains_of_Provider\n", out);
	long n = 0;
	char w[32];
	for (size_t i = 0; i < nrows; i++) {
		n++;
		const char *p = rows[i].null ? NULL : arena_str(&arena, rows[i].name);
		double v = rows[i].weight;
		if (fmt == EXPORT_CSV) {
			mx_fmt_double(v, w);
			csv_put(out, p);
			fprintf(out, ",%s\n", w);
		} else {
			json_t *o = json_pack("{s:o, s:f}", "Provider", json_text(p ? p : ""), "Domains_of_Provider", v);
			put_json_line(out, o);
		}
	}
	free(rows);
	sb_free(&arena);
	return n;
}
