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

/* SQL: whether snapshot id S has answers of approach code A: stored rows
 * (the final answers, or raw ones kept: by an older schema's migration,
 * or by an infer of other approaches whose evidence would change them), or a
 * raw approach the snapshot's runs computed (f_raw) whose derivation gives
 * a row (a primary MX host with an ID under it). */
#define HAS_ANSWERS(S, A)                                                                                  \
	"(EXISTS (SELECT 1 FROM f_result r WHERE r.snap = " S " AND r.approach = " A ")"                         \
	" OR EXISTS (SELECT 1 FROM f_raw k JOIN f_primary_mx p ON p.snap = k.snap JOIN f_host_ev h"              \
	" ON h.snap = p.snap AND h.host = p.host WHERE k.snap = " S " AND k.approach = " A " AND "               \
	STORE_RAW_ID("k.approach", "h") " IS NOT NULL))"

bool export_latest(store *st, const char *approach, char buf[11])
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(s.date) FROM snapshot s WHERE "
					    HAS_ANSWERS("s.id", "(SELECT id FROM approach WHERE name = ?1)"), NULL);
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
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 WHERE " HAS_ANSWERS("(SELECT id FROM snapshot WHERE date = ?1)",
								   "(SELECT id FROM approach WHERE name = ?2)"), err);
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

/* One answer row; strings are offsets into the arena. */
typedef struct {
	size_t domain, provider, reason; /* reason: 0 = none (offset 0 is "") */
	uint32_t domain_id, provider_id;
	double weight;
	int64_t conf;
	int source, status;
} arow;

static const char *arena_str(const strbuf *a, size_t off)
{
	return a->data + off;
}

static const strbuf *sort_arena;

typedef struct {
	uint32_t id;
	size_t company; /* arena offset */
} pcompany;

static int cmp_pcompany(const void *a, const void *b)
{
	uint32_t x = ((const pcompany *)a)->id, y = ((const pcompany *)b)->id;
	return (x > y) - (x < y);
}

/* The rows one export reads, before they are sorted and written. */
typedef struct {
	strbuf arena; /* the strings; offset 0 is "" */
	arow *v;
	size_t n, cap;
	pcompany *co; /* the approach's companies, by provider name id */
	size_t nco;
	struct span { size_t first, n; } *order; /* each domain's rows, in domain name order */
	size_t ngroups;
} arows;

static arow *arows_push(arows *a)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 65536;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	return &a->v[a->n++];
}

/* Column col's text into the arena; its offset. */
static size_t arena_put(strbuf *arena, sqlite3_stmt *s, int col)
{
	size_t off = arena->len;
	sb_add(arena, sqlite3_column_text(s, col), (size_t)sqlite3_column_bytes(s, col) + 1);
	return off;
}

static void arows_free(arows *a)
{
	free(a->v);
	free(a->co);
	free(a->order);
	sb_free(&a->arena);
}

/* The companies f_company names for the approach's provider IDs. */
static int read_companies(store *st, int64_t snap, int code, arows *a, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT provider, company FROM f_company WHERE snap = ?1 AND approach = ?2", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int(s, 2, code);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a->co = xrealloc(a->co, (a->nco + 1) * sizeof *a->co);
		a->co[a->nco].id = (uint32_t)sqlite3_column_int64(s, 0);
		a->co[a->nco].company = arena_put(&a->arena, s, 1);
		a->nco++;
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	mx_sort(a->co, a->nco, sizeof *a->co, cmp_pcompany);
	return 0;
}

/* The domains of the export: ?1 the snapshot id, ?3 the target list (NULL
 * or 'all': every domain), ?4 whether only temp.scope_domain's. */
#define IN_EXPORT(dom)                                                                                      \
	" AND (?3 IS NULL OR ?3 = 'all' OR " dom " IN (SELECT domain FROM f_target WHERE snap = ?1 AND"           \
	" list = (SELECT id FROM list WHERE name = ?3))) AND (NOT ?4 OR " dom " IN"                              \
	" (SELECT domain FROM temp.scope_domain WHERE snap = ?1))"

/* The stored answer rows of approach code ?2, in the table's order. */
#define STORED_SQL                                                                                          \
	"SELECT d.name, r.provider, r.weight, r.source, r.confidence, r.status, r.reason, r.domain"               \
	" FROM f_result r JOIN name d ON d.id = r.domain WHERE r.snap = ?1 AND r.approach = ?2"
/* [1]: every domain (no test per row) */
static const char *const stored_sql[2] = {STORED_SQL IN_EXPORT("r.domain"), STORED_SQL};

static void ids_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	(void)col;
	sqlite3_result_int64(out, ((const uint32_t *)cx)[row]);
}

/* Each row's provider name.  The rows' few hundred thousand providers are
 * read once each, in id order: a join per row would read the name table
 * at random, most of the time of the whole read at 1M domains.  A row
 * whose provider has no name is dropped, as the join would drop it. */
static int resolve_providers(store *st, arows *a, char **err)
{
	uint32_t *ids = xmalloc((a->n + 1) * sizeof *ids);
	for (size_t i = 0; i < a->n; i++)
		ids[i] = a->v[i].provider_id;
	mx_sort_u32(ids, a->n);
	size_t nu = 0;
	for (size_t i = 0; i < a->n; i++)
		if (!nu || ids[i] != ids[nu - 1])
			ids[nu++] = ids[i];
	size_t *off = xmalloc((nu + 1) * sizeof *off);
	for (size_t i = 0; i < nu; i++)
		off[i] = SIZE_MAX;
	sqlite3_stmt *s = store_prepare(st, "SELECT p.c0, n.name FROM mxray_rows(?1) p CROSS JOIN name n ON n.id = p.c0", err);
	int rc = -1;
	if (s) {
		store_rows rows = {nu, ids, ids_column};
		store_bind_rows(s, 1, &rows);
		size_t k = 0;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			uint32_t id = (uint32_t)sqlite3_column_int64(s, 0);
			while (k < nu && ids[k] != id)
				k++;
			if (k < nu)
				off[k] = arena_put(&a->arena, s, 1);
		}
		rc = store_read_done(st, s, rc, err);
	}
	if (rc == 0) {
		size_t n = 0;
		for (size_t i = 0; i < a->n; i++) {
			size_t o = off[mx_lower_bound(ids, nu, a->v[i].provider_id)];
			if (o == SIZE_MAX)
				continue;
			a->v[n] = a->v[i];
			a->v[n++].provider = o;
		}
		a->n = n;
	}
	free(ids);
	free(off);
	return rc;
}

static int read_stored(store *st, sqlite3_stmt *s, arows *a, progress *pg, char **err)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((a->n & 65535) == 0)
			progress_update(pg, 0, a->n, "rows");
		arow *r = arows_push(a);
		r->domain = arena_put(&a->arena, s, 0);
		r->provider_id = (uint32_t)sqlite3_column_int64(s, 1);
		r->weight = sqlite3_column_double(s, 2);
		r->source = sqlite3_column_int(s, 3);
		r->conf = sqlite3_column_int64(s, 4);
		r->status = sqlite3_column_int(s, 5);
		r->reason = sqlite3_column_type(s, 6) != SQLITE_NULL ? arena_put(&a->arena, s, 6) : 0;
		r->domain_id = (uint32_t)sqlite3_column_int64(s, 7);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return resolve_providers(st, a, err);
}

/* Raw approach code ?2, derived: each primary MX host's ID under the
 * approach with its source, confidence and status (store.h), in host
 * order; then the snapshot's primary MX hosts by domain. */
static const char derived_hosts_sql[] =
	"SELECT h.host, v.id, v.name, " STORE_RAW_SOURCE("?2", "h") ", h.confidence, " STORE_RAW_STATUS("h")
	" FROM f_host_ev h JOIN name v ON v.id = " STORE_RAW_ID("?2", "h") " WHERE h.snap = ?1 ORDER BY h.host";
#define DERIVED_SQL(in) "SELECT p.domain, d.name, p.host FROM f_primary_mx p JOIN name d ON d.id = p.domain" \
	" WHERE p.snap = ?1" in " ORDER BY p.domain, p.host"
static const char *const derived_sql[2] = {DERIVED_SQL(IN_EXPORT("p.domain")), DERIVED_SQL("")};

/* A primary MX host's answer under the approach; provider: arena offset. */
typedef struct {
	uint32_t host, id;
	size_t provider;
	int64_t conf;
	int source, status;
} rawhost;

static int cmp_rawhost(const void *a, const void *b)
{
	uint32_t x = ((const rawhost *)a)->host, y = ((const rawhost *)b)->host;
	return (x > y) - (x < y);
}

/* Every primary MX host's answer (hosts without an ID have none), by host. */
static int read_raw_hosts(store *st, int64_t snap, int code, arows *a, rawhost **out, size_t *n, char **err)
{
	sqlite3_stmt *s = store_prepare(st, derived_hosts_sql, err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int(s, 2, code);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 65536;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = (rawhost){(uint32_t)sqlite3_column_int64(s, 0), (uint32_t)sqlite3_column_int64(s, 1),
					   arena_put(&a->arena, s, 2), sqlite3_column_int64(s, 4), sqlite3_column_int(s, 3),
					   sqlite3_column_int(s, 5)};
	}
	return store_read_done(st, s, rc, err);
}

/* The end of a domain's rows (from `first`): each share weighs 1/(number
 * of IDs). */
static void end_domain(arows *a, size_t first)
{
	for (size_t i = first; i < a->n; i++)
		a->v[i].weight = 1.0 / (double)(a->n - first);
}

/* Add host answer x to the rows of the domain that begin at `first`: a new
 * ID, or the highest source, confidence and status of the hosts that give
 * it, as infer merges them (add_share in infer.c). */
static void add_raw(arows *a, size_t first, uint32_t dom, size_t dname, const rawhost *x)
{
	size_t i = first;
	while (i < a->n && a->v[i].provider_id != x->id)
		i++;
	if (i == a->n) {
		*arows_push(a) = (arow){.domain = dname, .provider = x->provider, .reason = 0, .domain_id = dom,
					.provider_id = x->id, .conf = x->conf, .source = x->source, .status = x->status};
		return;
	}
	arow *r = &a->v[i];
	r->source = x->source > r->source ? x->source : r->source;
	r->status = x->status > r->status ? x->status : r->status;
	r->conf = x->conf > r->conf ? x->conf : r->conf;
}

/* A raw approach's answer rows: each domain's primary MX hosts' distinct IDs. */
static int read_derived(store *st, sqlite3_stmt *s, int64_t snap, int code, arows *a, progress *pg, char **err)
{
	rawhost *hosts = NULL;
	size_t nhosts = 0, first = 0, dname = 0, ndom = 0;
	if (read_raw_hosts(st, snap, code, a, &hosts, &nhosts, err) < 0) {
		free(hosts);
		sqlite3_reset(s);
		return -1;
	}
	int rc;
	int64_t dom = -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t d = sqlite3_column_int64(s, 0);
		rawhost key = {.host = (uint32_t)sqlite3_column_int64(s, 2)};
		const rawhost *x = nhosts ? bsearch(&key, hosts, nhosts, sizeof *hosts, cmp_rawhost) : NULL;
		if (!x) /* no ID under this approach */
			continue;
		if (d != dom) {
			end_domain(a, first);
			if ((ndom++ & 65535) == 0)
				progress_update(pg, 0, a->n, "rows");
			dom = d;
			first = a->n;
			dname = arena_put(&a->arena, s, 1);
		}
		add_raw(a, first, (uint32_t)d, dname, x);
	}
	end_domain(a, first);
	free(hosts);
	return store_read_done(st, s, rc, err);
}

/* v in decimal, as "%lld" writes it (out: at least 21 bytes). */
static void fmt_int(int64_t v, char *out)
{
	if (v < 0) {
		snprintf(out, 24, "%lld", (long long)v);
		return;
	}
	char tmp[24];
	size_t n = 0;
	uint64_t u = (uint64_t)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* The rows, sorted, as CSV or JSON Lines. */
static void write_assignments(FILE *out, const char *snapshot, const arows *a, enum export_format fmt)
{
	if (fmt == EXPORT_CSV) {
		for (int i = 0; i < 9; i++)
			fprintf(out, "%s%s", i ? "," : "", assign_cols[i]);
		fputc('\n', out);
	}
	char w[32], conf[24];
	strbuf line;
	sb_init(&line);
	double last_w = -1; /* the weights are 1/n for a few n: format each once */
	progress pg = {0};
	progress_begin(&pg, true, "export assignments: writing", a->n);
	for (size_t i = 0, g = 0, k = 0; g < a->ngroups; i++) {
		const arow *r = &a->v[a->order[g].first + k];
		if (++k == a->order[g].n) { /* the next domain's rows */
			g++;
			k = 0;
		}
		if ((i & 65535) == 0)
			progress_update(&pg, i, i, "rows");
		pcompany key = {r->provider_id, 0};
		pcompany *hit = a->nco ? bsearch(&key, a->co, a->nco, sizeof *a->co, cmp_pcompany) : NULL;
		const char *src = r->source >= 1 && r->source <= 4 ? infer_source_names[r->source] : "correction";
		const char *status = r->status >= 0 && r->status <= 5 ? infer_status_names[r->status] : "corrected";
		const char *vals[9] = {snapshot, arena_str(&a->arena, r->domain), arena_str(&a->arena, r->provider),
				       hit ? arena_str(&a->arena, hit->company) : NULL, NULL, src, conf, status,
				       r->reason ? arena_str(&a->arena, r->reason) : NULL};
		if (r->weight != last_w) {
			mx_fmt_double(r->weight, w);
			last_w = r->weight;
		}
		fmt_int(r->conf, conf);
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
}

/* The big-endian 32-bit word of name bytes [off, off + 4), zeros past its end. */
static uint32_t name_word(const char *name, size_t len, size_t off)
{
	uint32_t w = 0;
	for (size_t i = off; i < off + 4; i++)
		w = w << 8 | (i < len ? (unsigned char)name[i] : 0);
	return w;
}

static const arow *sort_rows_v;   /* for cmp_group */
static const size_t *sort_first;

/* key[2]: a group; by the domain name */
static int cmp_group(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	return strcmp(arena_str(sort_arena, sort_rows_v[sort_first[x[2]]].domain),
		      arena_str(sort_arena, sort_rows_v[sort_first[y[2]]].domain));
}

/* Rows v[first, first + n) by provider name. */
static void sort_providers(const strbuf *arena, arow *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		arow x = v[i];
		size_t j = i;
		for (; j > 0 && strcmp(arena_str(arena, v[j - 1].provider), arena_str(arena, x.provider)) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The rows by domain name, then provider name.  They come grouped by
 * domain: the groups are sorted (a radix sort on the name's first 8 bytes,
 * then by the whole name where those are equal), not the rows, which is
 * several times faster than a sort of a million rows with strcmp; each
 * group's few rows by provider name. */
static void sort_rows(arows *a)
{
	size_t ng = 0;
	for (size_t i = 0; i < a->n; i++)
		ng += i == 0 || a->v[i].domain_id != a->v[i - 1].domain_id;
	uint32_t (*key)[4] = xmalloc((ng + 1) * sizeof *key);
	size_t *first = xmalloc((ng + 1) * sizeof *first);
	a->order = xmalloc((ng + 1) * sizeof *a->order);
	a->ngroups = ng;
	for (size_t i = 0, g = 0; i < a->n; i++) {
		if (i && a->v[i].domain_id == a->v[i - 1].domain_id)
			continue;
		const char *name = arena_str(&a->arena, a->v[i].domain);
		size_t len = strlen(name);
		first[g] = i;
		key[g][0] = name_word(name, len, 0);
		key[g][1] = name_word(name, len, 4);
		key[g][2] = (uint32_t)g;
		key[g][3] = 0;
		g++;
	}
	first[ng] = a->n;
	mx_sort_u32x4(key, ng, 2);
	sort_arena = &a->arena;
	sort_rows_v = a->v;
	sort_first = first;
	for (size_t i = 0, j; i < ng; i = j) {
		for (j = i + 1; j < ng && key[j][0] == key[i][0] && key[j][1] == key[i][1]; j++)
			;
		if (j - i > 1)
			mx_sort(key + i, j - i, sizeof *key, cmp_group);
	}
	for (size_t i = 0; i < ng; i++) {
		size_t g = key[i][2];
		a->order[i] = (struct span){first[g], first[g + 1] - first[g]};
		sort_providers(&a->arena, a->v + first[g], a->order[i].n);
	}
	free(key);
	free(first);
}

/* Whether raw approach `code` of the snapshot is derived (f_raw): 1, 0
 * (stored rows, or none), -1 with *err on a database error. */
static int derived_approach(store *st, int64_t snap, int code, char **err)
{
	if (code < 0 || code > 3)
		return 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_raw WHERE snap = ?1 AND approach = ?2", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int(s, 2, code);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	return store_read_done(st, s, found ? SQLITE_DONE : rc, err) < 0 ? -1 : found;
}

static long assignments(store *st, FILE *out, const char *snapshot, const char *list, const char *approach,
			enum export_format fmt, bool scoped, char **err)
{
	int64_t snap = -1;
	if (check_results(st, snapshot, approach, err) < 0 || report_scope_table(st, err) < 0 ||
	    store_snapshot_find(st, snapshot, &snap, err) < 0)
		return -1;
	int code = runs_approach_index(approach); /* the store's approach codes, in that order */
	int derived = derived_approach(st, snap, code, err);
	int every = !scoped && (!list || !strcmp(list, "all"));
	sqlite3_stmt *s = derived < 0 ? NULL : store_prepare(st, derived ? derived_sql[every] : stored_sql[every], err);
	if (!s)
		return -1;
	arows a = {.v = NULL};
	sb_init(&a.arena);
	sb_add(&a.arena, "", 1); /* offset 0: "" */
	if (read_companies(st, snap, code, &a, err) < 0) {
		arows_free(&a);
		return -1;
	}
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int(s, 2, code);
	if (!every) {
		store_bind_text(s, 3, list);
		sqlite3_bind_int(s, 4, scoped);
	}
	/* a bar on a terminal's stderr (a whole zone takes a while) */
	progress pg = {0};
	progress_begin(&pg, true, "export assignments: reading", 0);
	int rc = derived ? read_derived(st, s, snap, code, &a, &pg, err) : read_stored(st, s, &a, &pg, err);
	progress_end(&pg);
	if (rc < 0) {
		arows_free(&a);
		return -1;
	}
	sort_rows(&a);
	write_assignments(out, snapshot, &a, fmt);
	long n = (long)a.n;
	arows_free(&a);
	return n;
}

/* The statements of one export (the snapshot's check, the companies,
 * the rows, their providers' names) read one state of the database, in a
 * read transaction: an infer committed between two of them would pair one
 * run's rows with another's companies. */
long export_assignments(store *st, FILE *out, const char *snapshot, const char *list, const char *approach,
			enum export_format fmt, bool scoped, char **err)
{
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	long n = assignments(st, out, snapshot, list, approach, fmt, scoped, err);
	store_read_leave(st, own);
	return n;
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

static long providers(store *st, FILE *out, const char *snapshot, const char *list, enum export_format fmt,
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

long export_providers(store *st, FILE *out, const char *snapshot, const char *list, enum export_format fmt,
		      bool scoped, char **err)
{
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	long n = providers(st, out, snapshot, list, fmt, scoped, err);
	store_read_leave(st, own);
	return n;
}
