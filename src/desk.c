/* desk: the review desk's model and key handling (no curses). */
#include "mxray/desk.h"
#include "mxray/correct.h"
#include "mxray/domain.h"
#include "mxray/evaluate.h"
#include "mxray/evidence.h"
#include "mxray/infer.h"
#include "mxray/sample.h"
#include "mxray/sanitize.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const desk_sort_names[] = {"confidence", "domains", "ip", "provider", "asn", "status"};

/* One undo step: the decisions it wrote. */
typedef struct {
	int64_t *ids;
	size_t n;
} step;

typedef struct {
	step *s;
	size_t n, cap;
} stack;

struct desk {
	store *st;
	bool eval;             /* rows are a sample's domains; decisions are labels */
	bool compact;          /* narrow terminal: fewer columns per row */
	char *sample;
	const kb *k;
	char snapshot[11];
	char *analyst;
	unsigned threshold;
	desk_row *rows;
	size_t nrows;
	strmap *ipmap;         /* ip -> row */
	size_t *vis;
	size_t nvis;
	bool all;
	enum desk_sort sort;
	bool inverted;
	desk_filter filter;
	char filter_text[256];
	stack undo, redo;
	/* search: the rows serving the last domain looked up */
	char *dom_pattern;
	uint8_t *dom_hit;
	/* completion words (built when first asked for) */
	char **words;
	size_t nwords;
	bool have_words;
	bool all_named;        /* every row's provider IDs are read */
	struct wanted *want;   /* names still to read, by id */
	size_t nwant, want_at;
};

/* ---- the queue: loaded as integers, names read when needed ------------ */

static uint32_t find_row(const desk *d, const char *key);

/* A new zeroed row at the end of the queue. */
static desk_row *new_row(desk *d, size_t *cap)
{
	if (d->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		d->rows = xrealloc(d->rows, *cap * sizeof *d->rows);
	}
	desk_row *r = &d->rows[d->nrows++];
	memset(r, 0, sizeof *r);
	return r;
}

static char *lower_dup(const char *s)
{
	if (!s)
		return NULL;
	char *l = xstrdup(s);
	for (char *c = l; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return l;
}


typedef struct {
	uint32_t provider;
	char *company;
} qcompany;

static int cmp_qcompany(const void *k, const void *e)
{
	uint32_t a = *(const uint32_t *)k, b = ((const qcompany *)e)->provider;
	return (a > b) - (a < b);
}

/* An integer column; NULL reads as 0 (one call: the queue reads millions). */
static uint32_t col_u32(sqlite3_stmt *s, int i)
{
	return (uint32_t)sqlite3_column_int64(s, i);
}

/* The rest of a row, for the row on screen or acted on: its provider ID,
 * the priority approach's ID (by the one chain), the heuristics'
 * suggestion and reason, from its busiest host. */
static void row_detail(desk *d, desk_row *r)
{
	if (r->named)
		return;
	r->named = true;
	if (!r->best_host)
		return;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT p.name, c.name, b.name, m.name, g.name, h.reason FROM f_host_ev h"
					       " LEFT JOIN name p ON p.id = h.provider LEFT JOIN name c ON c.id = h.cert_id"
					       " LEFT JOIN name b ON b.id = h.banner_id LEFT JOIN name m ON m.id = h.mx_id"
					       " LEFT JOIN name g ON g.id = h.suggested"
					       " WHERE h.snap = (SELECT id FROM snapshot WHERE date = ?1) AND h.host = ?2", NULL);
	if (!s)
		return;
	store_bind_text(s, 1, d->snapshot);
	sqlite3_bind_int64(s, 2, r->best_host);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (!r->provider_id)
			r->provider_id = store_column_dup(s, 0);
		int src = infer_chain_source(INFER_PRIORITY, sqlite3_column_type(s, 1) != SQLITE_NULL,
					     sqlite3_column_type(s, 2) != SQLITE_NULL);
		free(r->priority_id);
		r->priority_id = store_column_dup(s, src == 3 ? 1 : src == 2 ? 2 : 3);
		free(r->suggested);
		r->suggested = store_column_dup(s, 4);
		free(r->reason);
		r->reason = store_column_dup(s, 5);
	}
	sqlite3_reset(s);
}

typedef struct wanted {
	uint32_t nid;
	uint32_t row;
} wanted;

static int cmp_wanted(const void *a, const void *b)
{
	const wanted *x = a, *y = b;
	return (x->nid > y->nid) - (x->nid < y->nid);
}

/* Every row's names, read in passes over the name table in id order (far
 * cheaper than a lookup per row when most rows are wanted): a few slices
 * at a time while the desk waits for keys (desk_idle), the rest at once
 * when a key needs them all (name_all). */
static void want_build(desk *d)
{
	if (d->want)
		return;
	d->want = xmalloc((d->nrows + 1) * sizeof *d->want);
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		desk_row *r = &d->rows[i];
		if (r->provider_nid && !r->provider_id)
			d->want[n++] = (wanted){r->provider_nid, (uint32_t)i};
	}
	mx_sort(d->want, n, sizeof *d->want, cmp_wanted);
	d->nwant = n;
	d->want_at = 0;
}

/* Read the names of up to `budget` more wanted entries. */
static void name_step(desk *d, size_t budget)
{
	if (d->all_named || d->eval)
		return;
	want_build(d);
	size_t j = d->want_at, n = d->nwant, end = j + budget < n ? j + budget : n;
	while (end < n && d->want[end].nid == d->want[end - 1].nid)
		end++;
	sqlite3_stmt *s = j < end ? store_prepare(d->st, "SELECT id, name FROM name WHERE id BETWEEN ?1 AND ?2"
							 " ORDER BY id", NULL) : NULL;
	if (s) {
		sqlite3_bind_int64(s, 1, d->want[j].nid);
		sqlite3_bind_int64(s, 2, d->want[end - 1].nid);
		while (j < end && sqlite3_step(s) == SQLITE_ROW) {
			uint32_t id = (uint32_t)sqlite3_column_int64(s, 0);
			while (j < end && d->want[j].nid < id)
				j++;
			const char *name = (const char *)sqlite3_column_text(s, 1);
			for (; j < end && d->want[j].nid == id; j++) {
				desk_row *r = &d->rows[d->want[j].row];
				if (!r->provider_id)
					r->provider_id = xstrdup(name);
			}
		}
		sqlite3_reset(s);
	}
	d->want_at = end; /* a name the table lacks stays NULL, as a lookup leaves it */
	if (end >= n) {
		free(d->want);
		d->want = NULL;
		d->all_named = true;
	}
}

static void name_all(desk *d)
{
	while (!d->all_named && !d->eval)
		name_step(d, SIZE_MAX / 2);
}

bool desk_busy(const desk *d)
{
	return !d->eval && !d->all_named;
}

bool desk_idle(desk *d)
{
	name_step(d, 32768);
	return desk_busy(d);
}

/* A row with its names read (the desk caches them: logically const). */
static desk_row *named_row(const desk *d, size_t i)
{
	desk_row *r = &((desk *)d)->rows[i];
	row_detail((desk *)d, r);
	return r;
}

/* The rows of the snapshot's primary addresses (live = 1 for the queue,
 * or the one address ip when only != 0), in address order: one read of
 * f_ip_ev (each address carries its busiest host's answer as codes), the
 * companies of the answers, and the names of the heuristics that fired. */
static int load_queue(desk *d, uint32_t only, char **err)
{
	int64_t snap = store_snapshot_id(d->st, d->snapshot);
	qcompany *co = NULL;
	size_t nco = 0, cap = 0;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT provider, company FROM f_company WHERE snap = ?1 AND approach = 4",
					err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nco == cap) {
			cap = cap ? cap * 2 : 256;
			co = xrealloc(co, cap * sizeof *co);
		}
		co[nco++] = (qcompany){col_u32(s, 0), store_column_dup(s, 1)};
	}
	if (store_read_done(d->st, s, rc, err) == 0) {
		s = store_prepare(d->st, only ? "SELECT ip, num_ip, max(num_ip, coalesce(num_cert, 0)), nhosts, best_host, asn,"
						 " provider, source, status, flagged FROM f_ip_ev WHERE snap = ?1 AND ip = ?2"
					      : "SELECT ip, num_ip, max(num_ip, coalesce(num_cert, 0)), nhosts, best_host, asn,"
						" provider, source, status, flagged FROM f_ip_ev WHERE snap = ?1 AND live = 1"
						" AND ?2 = 0", err);
		rc = s ? SQLITE_OK : SQLITE_ERROR;
	} else {
		rc = SQLITE_ERROR;
	}
	size_t nflagged = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, snap);
		sqlite3_bind_int64(s, 2, only);
		cap = d->nrows;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			desk_row *r = new_row(d, &cap);
			r->ipnum = col_u32(s, 0);
			mx_ipv4_format(r->ipnum, r->ipbuf); /* no allocation per row; ip is set once rows stop moving */
			r->domains = col_u32(s, 1);
			r->confidence = col_u32(s, 2);
			r->nhosts = col_u32(s, 3);
			r->best_host = col_u32(s, 4);
			r->asn = col_u32(s, 5);
			r->provider_nid = col_u32(s, 6);
			r->source = infer_source_name(sqlite3_column_int(s, 7)); /* NULL: 0 */
			r->status = r->best_host ? infer_status_name(sqlite3_column_int(s, 8)) : NULL;
			r->flagged = sqlite3_column_int(s, 9);
			nflagged += r->flagged;
			const qcompany *c = r->provider_nid && co ? bsearch(&r->provider_nid, co, nco, sizeof *co, cmp_qcompany)
								  : NULL;
			if (c) {
				r->company = xstrdup(c->company);
				r->company_lc = lower_dup(r->company);
			}
			r->candidate = (r->company && r->confidence < d->threshold) || r->flagged;
		}
		if (store_read_done(d->st, s, rc, err) == 0)
			rc = SQLITE_DONE;
	}
	for (size_t i = 0; i < d->nrows; i++)
		if (!d->rows[i].ip)
			d->rows[i].ip = d->rows[i].ipbuf;
	for (size_t i = 0; i < nco; i++)
		free(co[i].company);
	free(co);
	/* which heuristic fired, on the few rows where one did */
	if (rc == SQLITE_DONE && nflagged) {
		s = store_prepare(d->st, "SELECT i.ip, h.heuristic FROM f_ip_ev i JOIN f_host_ev h ON h.snap = i.snap"
					 " AND h.host = i.best_host WHERE i.snap = ?1 AND i.flagged AND (?2 = 0 OR i.ip = ?2)", err);
		rc = s ? SQLITE_OK : SQLITE_ERROR;
		if (s) {
			sqlite3_bind_int64(s, 1, snap);
			sqlite3_bind_int64(s, 2, only);
			char ip[16];
			while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
				mx_ipv4_format(col_u32(s, 0), ip);
				uint32_t i = find_row(d, ip);
				if (i != UINT32_MAX && d->rows[i].flagged && !d->rows[i].heuristic)
					d->rows[i].heuristic = store_column_dup(s, 1);
			}
			if (store_read_done(d->st, s, rc, err) == 0)
				rc = SQLITE_DONE;
		}
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The row of address (or, in eval mode, domain) `key`, or UINT32_MAX.
 * Queue rows are in address order. */
static uint32_t find_row(const desk *d, const char *key)
{
	if (d->eval)
		return strmap_find(d->ipmap, key);
	uint32_t ip;
	if (!key || !mx_ipv4_parse(key, &ip))
		return UINT32_MAX;
	size_t lo = 0, hi = d->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->rows[mid].ipnum < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nrows && d->rows[lo].ipnum == ip ? (uint32_t)lo : UINT32_MAX;
}

static void row_free(desk_row *r)
{
	if (r->ip != r->ipbuf)
		free(r->ip);
	free(r->provider_id);
	free(r->company);
	free(r->priority_id);
	free(r->heuristic);
	free(r->reason);
	free(r->hosts);
	free(r->suggested);
	free(r->company_lc);
	free(r->decided);
	free(r->note);
	for (int a = 0; a < 5; a++)
		free(r->answers[a]);
	free(r->label);
}

/* A decision row's id, verdict, provider_id and note (columns c..c+3)
 * onto the desk row. */
static void take_decision(desk_row *r, sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c + 1);
	r->decision = sqlite3_column_int64(s, c);
	r->verdict = !strcmp(v, "set") ? 'o' : !strcmp(v, "self") ? 's' : 'c';
	free(r->decided);
	free(r->note);
	r->decided = store_column_dup(s, c + 2);
	r->note = store_column_dup(s, c + 3);
}

/* The row's standing decision: the newest not undone for this IP. */
static int load_decision(desk *d, size_t i, char **err)
{
	desk_row *r = &d->rows[i];
	sqlite3_stmt *s = store_prepare(d->st, "SELECT id, verdict, provider_id, note FROM correction WHERE scope = 'ip'"
					       " AND key = ?1 AND undone_at IS NULL AND (snapshot IS NULL OR snapshot = ?2)"
					       " ORDER BY id DESC LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, r->ip);
	store_bind_text(s, 2, d->snapshot);
	free(r->decided);
	free(r->note);
	r->decided = r->note = NULL;
	r->decision = 0;
	r->verdict = 0;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		take_decision(r, s, 0);
		rc = SQLITE_DONE;
	}
	char *e = NULL;
	if (store_read_done(d->st, s, rc, &e) < 0) {
		if (err)
			*err = e;
		else
			free(e);
		return -1;
	}
	return 0;
}

static int cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What both modes of the desk start from. */
static desk *desk_new(store *st, const kb *k, const char *snapshot, const char *analyst, unsigned threshold)
{
	desk *d = xcalloc(1, sizeof *d);
	d->st = st;
	d->k = k;
	snprintf(d->snapshot, sizeof d->snapshot, "%s", snapshot);
	d->analyst = xstrdup(analyst && *analyst ? analyst : "unknown");
	d->threshold = threshold;
	d->ipmap = strmap_new();
	d->filter.flag = d->filter.reviewed = -1;
	return d;
}

desk *desk_open(store *st, const char *snapshot, const char *analyst, unsigned threshold, const kb *k, char **err)
{
	desk *d = desk_new(st, k, snapshot, analyst, threshold);
	if (load_queue(d, 0, err) < 0) {
		desk_free(d);
		return NULL;
	}
	if (d->nrows == 0) {
		/* infer ran (mxray review checks): no address of a primary MX
		 * answered on port 25, which is what the desk reviews */
		*err = xasprintf("no SMTP address with scan data in snapshot %s (no scanned address of a primary MX answered"
				 " on port 25): import scans ('mxray import --snapshot %s --scans FILE') and run"
				 " 'mxray infer --snapshot %s'", snapshot, snapshot, snapshot);
		desk_free(d);
		return NULL;
	}
	/* Standing decisions, all at once. */
	sqlite3_stmt *s = store_prepare(st, "SELECT key, id, verdict, provider_id, note FROM correction WHERE scope = 'ip'"
					    " AND undone_at IS NULL AND (snapshot IS NULL OR snapshot = ?1) ORDER BY id", err);
	if (!s) {
		desk_free(d);
		return NULL;
	}
	store_bind_text(s, 1, snapshot);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t i = find_row(d, (const char *)sqlite3_column_text(s, 0));
		if (i != UINT32_MAX)
			take_decision(&d->rows[i], s, 1);
	}
	if (store_read_done(st, s, rc, err) < 0) { /* rows shown undecided would be decided twice */
		desk_free(d);
		return NULL;
	}
	d->vis = xcalloc(d->nrows, sizeof *d->vis);
	desk_show_all(d, false);
	return d;
}

/* Completion words: company names and provider IDs, known and seen. */
static void build_words(desk *d)
{
	if (d->have_words)
		return;
	d->have_words = true;
	name_all(d);
	strmap *w = strmap_new();
	const kb *k = d->k;
	for (size_t i = 0; k && i < k->ncompanies; i++) {
		strmap_intern(w, k->companies[i].name, NULL);
		for (size_t j = 0; j < k->companies[i].nids; j++)
			if (!strpbrk(k->companies[i].ids[j], "*?["))
				strmap_intern(w, k->companies[i].ids[j], NULL);
	}
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].provider_id)
			strmap_intern(w, d->rows[i].provider_id, NULL);
	d->nwords = strmap_size(w);
	d->words = xcalloc(d->nwords + 1, sizeof *d->words);
	for (size_t i = 0; i < d->nwords; i++)
		d->words[i] = xstrdup(strmap_key(w, (uint32_t)i));
	qsort(d->words, d->nwords, sizeof *d->words, cmp_words);
	strmap_free(w);
}

desk *desk_open_eval(store *st, const char *sample, const char *analyst, const kb *k, char **err)
{
	char snap[11];
	if (!sample_snapshot(st, sample, snap)) {
		char *e = sanitize_str(sample);
		*err = xasprintf("there is no sample '%s' (draw one with 'mxray sample')", e);
		free(e);
		return NULL;
	}
	sqlite3_stmt *s = store_prepare(st,
		"SELECT d.domain, d.pos,"
		EVAL_ANSWERS_SQL "," EVAL_EXAMINED_SQL ","
		" (SELECT group_concat(host, ' ') FROM primary_mx p WHERE p.snapshot = ?2 AND p.domain = d.domain)"
		" FROM sample_domain d WHERE d.sample = ?1 ORDER BY d.pos", err);
	if (!s)
		return NULL;
	desk *d = desk_new(st, k, snap, analyst, 5);
	d->eval = true;
	d->sample = xstrdup(sample);
	d->all = true;
	store_bind_text(s, 1, sample);
	store_bind_text(s, 2, snap);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		desk_row *r = new_row(d, &cap);
		r->ip = store_column_dup(s, 0);
		r->pos = (uint32_t)sqlite3_column_int64(s, 1);
		for (int a = 0; a < 5; a++)
			r->answers[a] = store_column_dup(s, 2 + a);
		r->provider_id = r->answers[4] ? xstrdup(r->answers[4]) : NULL;
		r->company_lc = lower_dup(r->provider_id); /* eval answers are companies */
		r->examined = sqlite3_column_int(s, 7);
		r->heuristic = r->examined ? xstrdup("examined") : NULL;
		r->hosts = store_column_dup(s, 8);
		r->candidate = true;
		r->label = label_get(st, sample, r->ip, &r->label_id);
		strmap_intern(d->ipmap, r->ip, NULL);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || d->nrows == 0) {
		*err = rc != SQLITE_DONE ? xasprintf("database error: %s", sqlite3_errmsg(store_db(st)))
					 : xasprintf("sample '%s' has no domains", sample);
		desk_free(d);
		return NULL;
	}
	d->words = xcalloc(9 + (k ? k->ncompanies : 0), sizeof *d->words);
	for (int a = 0; a < 5; a++)
		d->words[d->nwords++] = xstrdup(eval_approach_names[a]);
	for (size_t i = 0; k && i < k->ncompanies; i++)
		d->words[d->nwords++] = xstrdup(k->companies[i].name);
	qsort(d->words, d->nwords, sizeof *d->words, cmp_words);
	d->have_words = true;
	d->vis = xcalloc(d->nrows, sizeof *d->vis);
	desk_show_all(d, true);
	return d;
}

bool desk_is_eval(const desk *d)
{
	return d->eval;
}

const char *desk_sample(const desk *d)
{
	return d->sample;
}

static void stack_clear(stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->s[i].ids);
	s->n = 0;
}

void desk_free(desk *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nrows; i++)
		row_free(&d->rows[i]);
	free(d->rows);
	strmap_free(d->ipmap);
	free(d->want);
	free(d->vis);
	free(d->analyst);
	free(d->sample);
	free(d->filter.company);
	free(d->filter.source);
	stack_clear(&d->undo);
	stack_clear(&d->redo);
	free(d->undo.s);
	free(d->redo.s);
	free(d->dom_pattern);
	free(d->dom_hit);
	for (size_t i = 0; i < d->nwords; i++)
		free(d->words[i]);
	free(d->words);
	free(d);
}

size_t desk_nrows(const desk *d)
{
	return d->nrows;
}

const desk_row *desk_row_get(const desk *d, size_t i)
{
	return i >= d->nrows ? NULL : d->eval ? &d->rows[i] : named_row(d, i);
}

size_t desk_nvisible(const desk *d)
{
	return d->nvis;
}

size_t desk_visible(const desk *d, size_t vi)
{
	return vi < d->nvis ? d->vis[vi] : (size_t)-1;
}

const char *desk_snapshot(const desk *d)
{
	return d->snapshot;
}

/* ---- view: filter and sort -------------------------------------------- */

static bool ci_contains(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return n == 0;
}

/* Done with: labelled in eval mode, decided otherwise. */
static bool row_decided(const desk *d, const desk_row *r)
{
	return d->eval ? r->label != NULL : r->decision != 0;
}

static bool visible_row(const desk *d, const desk_row *r)
{
	if (!d->all && !r->candidate)
		return false;
	const desk_filter *f = &d->filter;
	if (f->company && !ci_contains(r->company, f->company) && !ci_contains(r->provider_id, f->company))
		return false;
	if (f->source && (!r->source || strcasecmp(r->source, f->source)))
		return false;
	if (f->flag >= 0 && (r->heuristic != NULL) != (f->flag == 1))
		return false;
	if (f->reviewed >= 0 && row_decided(d, r) != (f->reviewed == 1))
		return false;
	return true;
}

static int status_rank(const desk *d, const desk_row *r)
{
	/* pending heuristic first, then pending, then decided (labelled) */
	if (row_decided(d, r))
		return 2;
	return r->heuristic ? 0 : 1;
}

static const desk *sort_desk;

static int cmp_rows(const void *a, const void *b)
{
	const desk *d = sort_desk;
	const desk_row *x = &d->rows[*(const size_t *)a], *y = &d->rows[*(const size_t *)b];
	int c = 0;
	switch (d->sort) {
	case SORT_CONFIDENCE: /* least confident first, then most domains; eval: sample order */
		if (d->eval) {
			c = (x->pos > y->pos) - (x->pos < y->pos);
			break;
		}
		c = (x->confidence > y->confidence) - (x->confidence < y->confidence);
		if (!c)
			c = (x->domains < y->domains) - (x->domains > y->domains);
		break;
	case SORT_DOMAINS:
		c = (x->domains < y->domains) - (x->domains > y->domains);
		break;
	case SORT_IP:
		break;
	case SORT_PROVIDER:
		c = strcmp(x->provider_id ? x->provider_id : "", y->provider_id ? y->provider_id : "");
		break;
	case SORT_ASN:
		c = (x->asn > y->asn) - (x->asn < y->asn);
		break;
	case SORT_STATUS:
		c = status_rank(d, x) - status_rank(d, y);
		break;
	case SORT_COUNT:
		break;
	}
	if (!c)
		c = d->eval ? strcmp(x->ip, y->ip) : (x->ipnum > y->ipnum) - (x->ipnum < y->ipnum);
	return d->inverted ? -c : c;
}

/* Numeric sorts compare two packed integers instead of rows: a quarter of
 * a million rows sort in a few milliseconds. */
typedef struct {
	uint64_t k1, k2;
	size_t row;
} sortkey;

static int cmp_keys(const void *a, const void *b)
{
	const sortkey *x = a, *y = b;
	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return 0;
}

static bool packed_sort(desk *d)
{
	if (d->eval || d->sort == SORT_PROVIDER)
		return false;
	sortkey *k = xmalloc((d->nvis + 1) * sizeof *k);
	for (size_t i = 0; i < d->nvis; i++) {
		const desk_row *r = &d->rows[d->vis[i]];
		uint64_t notdom = UINT32_MAX - r->domains;
		switch (d->sort) {
		case SORT_CONFIDENCE: k[i].k1 = (uint64_t)r->confidence << 32 | notdom; break;
		case SORT_DOMAINS: k[i].k1 = notdom; break;
		case SORT_ASN: k[i].k1 = r->asn; break;
		case SORT_STATUS: k[i].k1 = (uint64_t)status_rank(d, r); break;
		default: k[i].k1 = 0; break;
		}
		k[i].k2 = r->ipnum;
		if (d->inverted) {
			k[i].k1 = ~k[i].k1;
			k[i].k2 = ~k[i].k2;
		}
		k[i].row = d->vis[i];
	}
	qsort(k, d->nvis, sizeof *k, cmp_keys);
	for (size_t i = 0; i < d->nvis; i++)
		d->vis[i] = k[i].row;
	free(k);
	return true;
}

static void rebuild(desk *d)
{
	/* filtering by name and sorting by provider read every row's names */
	if (d->filter.company || d->sort == SORT_PROVIDER)
		name_all(d);
	d->nvis = 0;
	for (size_t i = 0; i < d->nrows; i++)
		if (visible_row(d, &d->rows[i]))
			d->vis[d->nvis++] = i;
	if (packed_sort(d))
		return;
	sort_desk = d;
	qsort(d->vis, d->nvis, sizeof *d->vis, cmp_rows);
}

void desk_show_all(desk *d, bool all)
{
	d->all = all;
	rebuild(d);
}

bool desk_showing_all(const desk *d)
{
	return d->all;
}

void desk_set_sort(desk *d, enum desk_sort s, bool inverted)
{
	d->sort = s;
	d->inverted = inverted;
	rebuild(d);
}

enum desk_sort desk_get_sort(const desk *d, bool *inverted)
{
	*inverted = d->inverted;
	return d->sort;
}

bool desk_set_filter(desk *d, const char *text, const char **why)
{
	desk_filter f = {NULL, NULL, -1, -1};
	char buf[256];
	snprintf(buf, sizeof buf, "%s", text ? text : "");
	strbuf canon;
	sb_init(&canon);
	sb_adds(&canon, "");
	for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
		char *eq = strchr(tok, '=');
		const char *key = eq ? tok : "company", *val = eq ? eq + 1 : tok;
		if (eq)
			*eq = '\0';
		if (!strcmp(key, "company")) {
			free(f.company);
			f.company = xstrdup(val);
		} else if (!strcmp(key, "source")) {
			if (strcmp(val, "cert") && strcmp(val, "banner") && strcmp(val, "mx") && strcmp(val, "correction")) {
				*why = "source is cert, banner, mx or correction";
				goto bad;
			}
			free(f.source);
			f.source = xstrdup(val);
		} else if (!strcmp(key, "flag")) {
			if (strcmp(val, "yes") && strcmp(val, "no")) {
				*why = "flag is yes or no";
				goto bad;
			}
			f.flag = !strcmp(val, "yes");
		} else if (!strcmp(key, "status")) {
			if (strcmp(val, "reviewed") && strcmp(val, "pending")) {
				*why = "status is reviewed or pending";
				goto bad;
			}
			f.reviewed = !strcmp(val, "reviewed");
		} else {
			*why = "filters are company=, source=, flag=, status=";
			goto bad;
		}
		sb_addf(&canon, "%s%s=%s", canon.len ? " " : "", key, val);
	}
	free(d->filter.company);
	free(d->filter.source);
	d->filter = f;
	snprintf(d->filter_text, sizeof d->filter_text, "%s", canon.data);
	sb_free(&canon);
	rebuild(d);
	return true;
bad:
	free(f.company);
	free(f.source);
	sb_free(&canon);
	return false;
}

const char *desk_filter_text(const desk *d)
{
	return d->filter_text;
}

/* ---- search ----------------------------------------------------------- */

/* Mark, once per pattern, the rows serving domain `pattern` (exact name)
 * and the rows of primary MX hosts whose name contains it. */
static void domain_hits(desk *d, const char *pattern)
{
	if (d->dom_pattern && !strcmp(d->dom_pattern, pattern))
		return;
	free(d->dom_pattern);
	d->dom_pattern = xstrdup(pattern);
	if (!d->dom_hit)
		d->dom_hit = xcalloc(d->nrows, 1);
	memset(d->dom_hit, 0, d->nrows);
	if (d->eval) /* rows are domains; their hosts are in the row */
		return;
	char *lc = lower_dup(pattern);
	char name[MX_NAME_MAX + 2];
	bool is_name = !mx_name_norm(pattern, strlen(pattern), name) && strchr(name, '.');
	sqlite3_stmt *s = store_prepare(d->st,
		"SELECT DISTINCT m.ip FROM f_primary_mx p CROSS JOIN f_mx_ip m ON m.snap = p.snap AND m.host = p.host"
		" WHERE p.snap = ?1 AND p.domain = (SELECT id FROM name WHERE name = ?2) AND ?3"
		" UNION SELECT m.ip FROM f_host_ev h JOIN name n ON n.id = h.host"
		" CROSS JOIN f_mx_ip m ON m.snap = h.snap AND m.host = h.host WHERE h.snap = ?1 AND instr(n.name, ?4)", NULL);
	if (s) {
		sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
		store_bind_text(s, 2, is_name ? name : "");
		sqlite3_bind_int(s, 3, is_name);
		store_bind_text(s, 4, lc);
		char ip[16];
		while (sqlite3_step(s) == SQLITE_ROW) {
			mx_ipv4_format((uint32_t)sqlite3_column_int64(s, 0), ip);
			uint32_t i = find_row(d, ip);
			if (i != UINT32_MAX)
				d->dom_hit[i] = 1;
		}
		sqlite3_reset(s);
	}
	free(lc);
}

/* p is lower case; names in rows are normalised (lower case) already. */
static bool row_matches(desk *d, size_t i, const char *p)
{
	const desk_row *r = &d->rows[i];
	return strstr(r->ip, p) || (r->hosts && strstr(r->hosts, p)) || (r->provider_id && strstr(r->provider_id, p)) ||
	       (r->company_lc && strstr(r->company_lc, p)) || (d->dom_hit && d->dom_hit[i]);
}

long desk_search(desk *d, const char *pattern, size_t from, int dir, bool *wrapped)
{
	*wrapped = false;
	if (!pattern || !*pattern || d->nvis == 0)
		return -1;
	name_all(d);
	domain_hits(d, pattern);
	char *lc = lower_dup(pattern);
	size_t n = d->nvis;
	long hit = -1;
	for (size_t k = 1; k <= n; k++) {
		size_t vi = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
		if (row_matches(d, d->vis[vi], lc)) {
			*wrapped = dir > 0 ? vi <= from : vi >= from;
			hit = (long)vi;
			break;
		}
	}
	free(lc);
	return hit;
}

void desk_counts(const desk *d, size_t *reviewed, size_t *remaining, size_t *flagged)
{
	*reviewed = *remaining = *flagged = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		const desk_row *r = &d->rows[i];
		if (!d->eval && !r->candidate)
			continue;
		if (row_decided(d, r))
			(*reviewed)++;
		else
			(*remaining)++;
		if (r->heuristic)
			(*flagged)++;
	}
}

/* ---- decisions -------------------------------------------------------- */

static void push(stack *s, step st)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->s = xrealloc(s->s, s->cap * sizeof *s->s);
	}
	s->s[s->n++] = st;
}

static void refresh_ip(desk *d, const char *ip)
{
	uint32_t i = find_row(d, ip);
	if (i != UINT32_MAX)
		load_decision(d, i, NULL);
}

/* Finish a bulk action begun with store_begin: keep all of it, as one undo
 * step, or on an error none of it (the caller reloads its rows then). */
static int bulk_end(desk *d, step *st, int rc, char **err)
{
	if (rc == 0 && store_commit(d->st, err) < 0)
		rc = -1;
	if (rc < 0) {
		store_rollback(d->st);
		free(st->ids);
		return -1;
	}
	if (st->n) {
		push(&d->undo, *st);
		stack_clear(&d->redo);
	} else {
		free(st->ids);
	}
	return (int)st->n;
}

int desk_decide(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, const char *note,
		char **err)
{
	step st = {xcalloc(n + 1, sizeof(int64_t)), 0};
	const char *pid = provider;
	if (verdict == 'o') {
		if (!provider || !*provider) {
			*err = xstrdup("no provider given");
			free(st.ids);
			return -1;
		}
		const kb_company *co = d->k ? kb_company_named(d->k, provider) : NULL;
		if (co)
			pid = co->ids[0];
	}
	if (store_begin(d->st, err) < 0) {
		free(st.ids);
		return -1;
	}
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		const desk_row *r = named_row(d, rows[k]);
		correct_req q = {"ip", r->ip, d->snapshot, "confirm", NULL, d->analyst, note};
		char autonote[300];
		switch (verdict) {
		case 'c':
			break;
		case 's':
			q.verdict = "self";
			break;
		case 'o':
			q.verdict = "set";
			q.provider_id = pid;
			break;
		case 'a':
			if (!r->heuristic)
				continue; /* nothing to accept on this row */
			/* pin what the heuristic proposes (it may only have flagged) */
			if (r->suggested) {
				q.verdict = "set";
				q.provider_id = r->suggested;
			}
			snprintf(autonote, sizeof autonote, "heuristic %s accepted%s%s", r->heuristic, note ? ": " : "",
				 note ? note : "");
			q.note = autonote;
			break;
		case 'r':
			if (!r->heuristic || !r->priority_id)
				continue;
			q.verdict = "set";
			q.provider_id = r->priority_id;
			snprintf(autonote, sizeof autonote, "heuristic %s rejected%s%s", r->heuristic, note ? ": " : "",
				 note ? note : "");
			q.note = autonote;
			break;
		default:
			*err = xasprintf("unknown verdict '%c'", verdict);
			rc = -1;
			continue;
		}
		int64_t id = correct_add(d->st, &q, err);
		if (id < 0) {
			rc = -1;
			break;
		}
		st.ids[st.n++] = id;
		load_decision(d, rows[k], NULL);
	}
	rc = bulk_end(d, &st, rc, err);
	if (rc < 0) /* nothing was written: show that */
		for (size_t k = 0; k < n; k++)
			load_decision(d, rows[k], NULL);
	return rc;
}

int desk_note(desk *d, size_t row, const char *note, char **err)
{
	desk_row *r = &d->rows[row];
	if (!r->decision) {
		*err = xstrdup("decide first (c, o, s, a or r), then add a note");
		return -1;
	}
	char v = r->verdict;
	char *prov = r->decided ? xstrdup(r->decided) : NULL;
	int rc = desk_decide(d, &row, 1, v, prov, note, err);
	free(prov);
	return rc;
}

static const char *ip_of_decision(desk *d, int64_t id, char *buf, size_t len)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT key FROM correction WHERE id = ?1 AND scope = 'ip'", NULL);
	buf[0] = '\0';
	if (!s)
		return buf;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return buf;
}

static void refresh_label(desk *d, int64_t id)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT domain FROM label WHERE id = ?1", NULL);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		uint32_t i = find_row(d, (const char *)sqlite3_column_text(s, 0));
		if (i != UINT32_MAX) {
			free(d->rows[i].label);
			d->rows[i].label = label_get(d->st, d->sample, d->rows[i].ip, &d->rows[i].label_id);
		}
	}
	sqlite3_reset(s);
}

int desk_label(desk *d, const size_t *rows, size_t n, const char *truth, char **err)
{
	step st = {xcalloc(n + 1, sizeof(int64_t)), 0};
	if (store_begin(d->st, err) < 0) {
		free(st.ids);
		return -1;
	}
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		desk_row *r = &d->rows[rows[k]];
		const char *t = truth;
		for (int a = 0; a < 5; a++)
			if (!strcasecmp(truth, eval_approach_names[a])) {
				t = r->answers[a];
				if (!t) {
					*err = xasprintf("the %s approach has no answer for %s", eval_approach_names[a], r->ip);
					rc = -1;
				}
			}
		if (rc)
			break;
		char *canon = label_canonical(d->k, t, err);
		if (!canon) {
			rc = -1;
			break;
		}
		int64_t id = label_set(d->st, d->sample, r->ip, canon, d->analyst, err);
		free(canon);
		if (id < 0) {
			rc = -1;
			break;
		}
		st.ids[st.n++] = id;
		free(r->label);
		r->label = label_get(d->st, d->sample, r->ip, &r->label_id);
	}
	rc = bulk_end(d, &st, rc, err);
	if (rc < 0) /* nothing was written: show that */
		for (size_t k = 0; k < n; k++) {
			desk_row *r = &d->rows[rows[k]];
			free(r->label);
			r->label = label_get(d->st, d->sample, r->ip, &r->label_id);
		}
	return rc;
}

int desk_report(desk *d, size_t top, trend *t, coverage_row **cov, char **err)
{
	report_scope sc = {NULL, false, NULL, 0};
	*cov = NULL;
	if (report_trend(d->st, &sc, top, t, err) < 0)
		return -1;
	/* report_trend left the scope built: one coverage query per date */
	*cov = xcalloc(t->ndates + 1, sizeof **cov);
	for (size_t k = 0; k < t->ndates; k++)
		if (report_coverage_scoped(d->st, t->dates[k], &(*cov)[k], err) < 0) {
			trend_free(t);
			free(*cov);
			*cov = NULL;
			return -1;
		}
	return 0;
}

size_t desk_chart(desk *d, eval_result **out)
{
	char **names;
	size_t n = sample_names(d->st, &names);
	*out = xcalloc(n + 1, sizeof **out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char *err = NULL, *note = NULL;
		if (eval_sample(d->st, names[i], &(*out)[k], &err) == 0) {
			/* scores of approaches from different runs are shown as such */
			(*out)[k].mixed_runs = eval_check_runs(d->st, &(*out)[k], true, &note, &err) != 0;
			k++;
		}
		free(note);
		free(err);
		free(names[i]);
	}
	free(names);
	return k;
}

/* Undo (or redo) the newest step on `from` in one transaction and move it
 * to `to`: all of it, or on an error none of it, the step left where it was
 * (a bulk step half undone could be neither undone nor redone again). */
static int replay(desk *d, stack *from, stack *to, bool redo, char **err)
{
	if (from->n == 0)
		return 0;
	const step *st = &from->s[from->n - 1];
	step done = {xcalloc(st->n + 1, sizeof(int64_t)), st->n};
	if (store_begin(d->st, err) < 0) {
		free(done.ids);
		return -1;
	}
	size_t ok = 0;
	for (size_t k = 0; k < st->n; k++) {
		int64_t id = st->ids[k], r;
		if (redo)
			r = d->eval ? label_redo(d->st, id, err) : correct_redo(d->st, id, err);
		else
			r = d->eval ? label_undo(d->st, id, err) : correct_undo(d->st, id, d->analyst, err);
		if (r < 0)
			break;
		done.ids[k] = redo ? r : id;
		ok++;
	}
	if (ok < st->n || store_commit(d->st, err) < 0) {
		store_rollback(d->st);
		free(done.ids);
		return -1;
	}
	free(st->ids);
	from->n--;
	char ip[64];
	for (size_t k = 0; k < done.n; k++) {
		if (d->eval)
			refresh_label(d, done.ids[k]);
		else
			refresh_ip(d, ip_of_decision(d, done.ids[k], ip, sizeof ip));
	}
	push(to, done);
	return (int)done.n;
}

int desk_undo(desk *d, char **err)
{
	return replay(d, &d->undo, &d->redo, false, err);
}

int desk_redo(desk *d, char **err)
{
	return replay(d, &d->redo, &d->undo, true, err);
}

void desk_tag(desk *d, size_t row, bool on)
{
	if (row < d->nrows)
		d->rows[row].tagged = on;
}

void desk_untag_all(desk *d)
{
	for (size_t i = 0; i < d->nrows; i++)
		d->rows[i].tagged = false;
}

size_t desk_ntagged(const desk *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++)
		n += d->rows[i].tagged;
	return n;
}

size_t desk_complete(const desk *d, const char *prefix, const char **out, size_t max)
{
	build_words((desk *)d); /* a cache: logically const */
	size_t n = 0, pl = strlen(prefix);
	for (size_t i = 0; i < d->nwords && n < max; i++)
		if (!strncasecmp(d->words[i], prefix, pl))
			out[n++] = d->words[i];
	return n;
}

/* ---- display lines ---------------------------------------------------- */

static void line_add(desk_line *l, const char *text, size_t n, enum desk_role role)
{
	l->text = xrealloc(l->text, l->len + n + 1);
	l->roles = xrealloc(l->roles, l->len + n + 1);
	memcpy(l->text + l->len, text, n);
	memset(l->roles + l->len, role, n);
	l->len += n;
	l->text[l->len] = '\0';
}

static void line_adds(desk_line *l, const char *text, enum desk_role role)
{
	line_add(l, text, strlen(text), role);
}

static void line_addf(desk_line *l, enum desk_role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line_addf(desk_line *l, enum desk_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	line_adds(l, s, role);
	free(s);
}

/* Untrusted bytes: escaped, escapes in the ESCAPED role; `mark` (if found,
 * case-insensitively) in the HIGHLIGHT role; capped at `max` input bytes. */
static void line_untrusted(desk_line *l, const void *p, size_t n, enum desk_role role, const char *mark, size_t max)
{
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	size_t spans[256][2];
	size_t ne = sanitize(&sb, p, n > max ? max : n, spans, 256);
	size_t base = l->len;
	line_add(l, sb.data, sb.len, role);
	for (size_t k = 0; k < ne && k < 256; k++)
		memset(l->roles + base + spans[k][0], ROLE_ESCAPED, spans[k][1]);
	if (mark && *mark) {
		size_t ml = strlen(mark);
		for (size_t i = 0; i + ml <= sb.len; i++)
			if (!strncasecmp(sb.data + i, mark, ml)) {
				memset(l->roles + base + i, ROLE_HIGHLIGHT, ml);
				break;
			}
	}
	if (n > max)
		line_addf(l, ROLE_DIM, " [+%zu bytes]", n - max);
	sb_free(&sb);
}

static desk_line *pane_line(desk_pane *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->lines = xrealloc(p->lines, p->cap * sizeof *p->lines);
	}
	desk_line *l = &p->lines[p->n++];
	memset(l, 0, sizeof *l);
	line_adds(l, "", ROLE_NORMAL);
	return l;
}

void desk_line_free(desk_line *l)
{
	free(l->text);
	free(l->roles);
	memset(l, 0, sizeof *l);
}

void desk_pane_free(desk_pane *p)
{
	for (size_t i = 0; i < p->n; i++)
		desk_line_free(&p->lines[i]);
	free(p->lines);
	memset(p, 0, sizeof *p);
}

void desk_set_compact(desk *d, bool compact)
{
	d->compact = compact;
}

const char *desk_header(const desk *d)
{
	if (d->eval)
		return d->compact ? "T L DOMAIN                 FINAL ANSWER     LABEL            mx ce ba pr fi"
				  : "T L DOMAIN                         FINAL ANSWER               LABEL                      mx ce ba pr fi";
	return d->compact ? "T S IP               PROVIDER             SRC    CONF DOMAINS HEURISTIC"
			  : "T S IP               PROVIDER                 COMPANY          SRC     CONF  DOMAINS  ASN      HEURISTIC";
}

/* Does an approach's answer equal the label (as sets, case-insensitively)? */
static char status_letter(const desk_row *r)
{
	if (r->verdict == 'c')
		return 'C';
	if (r->verdict == 'o')
		return 'O';
	if (r->verdict == 's')
		return 'S';
	return r->heuristic ? '?' : ' ';
}

/* Pad or cut an escaped field to `w` columns (names are ASCII after
 * normalisation; anything else was escaped). */
static void field(desk_line *l, const char *s, int w, enum desk_role role)
{
	char *e = sanitize_str(s ? s : "-");
	int n = (int)strlen(e);
	if (n > w) {
		line_add(l, e, (size_t)(w - 1), role);
		line_adds(l, "~", ROLE_DIM);
	} else {
		line_adds(l, e, role);
		for (int i = n; i < w; i++)
			line_adds(l, " ", ROLE_NORMAL);
	}
	free(e);
	line_adds(l, " ", ROLE_NORMAL);
}

void desk_row_line(const desk *d, size_t row, desk_line *l)
{
	const desk_row *r = d->eval ? &d->rows[row] : named_row(d, row);
	memset(l, 0, sizeof *l);
	if (d->eval) {
		line_adds(l, r->tagged ? "*" : " ", ROLE_HIGHLIGHT);
		char st[3] = {' ', r->label ? (*r->label ? 'L' : 'X') : (r->examined ? '?' : ' '), ' '};
		line_add(l, st, 3, r->label ? ROLE_GOOD : r->examined ? ROLE_BAD : ROLE_NORMAL);
		int wide = d->compact ? 0 : 1;
		field(l, r->ip, wide ? 30 : 22, ROLE_NORMAL);
		field(l, r->answers[4], wide ? 26 : 16, ROLE_NORMAL);
		field(l, r->label ? (*r->label ? r->label : "(cannot decide)") : "", wide ? 26 : 16, ROLE_GOOD);
		for (int a = 0; a < 5; a++) {
			if (!r->label || !*r->label) {
				line_adds(l, " . ", ROLE_DIM);
				continue;
			}
			bool ok = eval_answer_matches(r->answers[a], r->label);
			line_adds(l, ok ? " + " : " - ", ok ? ROLE_GOOD : ROLE_BAD);
		}
		return;
	}
	line_adds(l, r->tagged ? "*" : " ", ROLE_HIGHLIGHT);
	char st[3] = {' ', status_letter(r), ' '};
	line_add(l, st, 3, r->decision ? ROLE_GOOD : r->heuristic ? ROLE_BAD : ROLE_NORMAL);
	field(l, r->ip, 16, ROLE_NORMAL);
	const char *shown = r->verdict == 'o' ? r->decided : r->provider_id;
	char num[32];
	if (d->compact) { /* under 110 columns: no company, no ASN */
		field(l, shown, 20, r->verdict == 'o' ? ROLE_GOOD : ROLE_NORMAL);
		field(l, r->source, 6, ROLE_NORMAL);
		snprintf(num, sizeof num, "%4u", r->confidence);
		field(l, num, 4, r->confidence < d->threshold ? ROLE_BAD : ROLE_NORMAL);
		snprintf(num, sizeof num, "%7u", r->domains);
		field(l, num, 7, ROLE_NORMAL);
		field(l, r->heuristic ? r->heuristic : "", 14, ROLE_BAD);
		return;
	}
	field(l, shown, 24, r->verdict == 'o' ? ROLE_GOOD : ROLE_NORMAL);
	field(l, r->company, 16, ROLE_NORMAL);
	field(l, r->source, 7, ROLE_NORMAL);
	snprintf(num, sizeof num, "%5u", r->confidence);
	field(l, num, 5, r->confidence < d->threshold ? ROLE_BAD : ROLE_NORMAL);
	snprintf(num, sizeof num, "%7u", r->domains);
	field(l, num, 8, ROLE_NORMAL);
	if (r->asn)
		snprintf(num, sizeof num, "%u", r->asn);
	else
		snprintf(num, sizeof num, "-");
	field(l, num, 8, ROLE_NORMAL);
	field(l, r->heuristic ? r->heuristic : "", 16, ROLE_BAD);
}

/* Split SMTP text on CRLF (and LF), each line escaped on its own. */
static void smtp_lines(desk_pane *p, const char *label, const void *text, size_t n, const char *fqdn)
{
	desk_line *l = pane_line(p);
	line_adds(l, label, ROLE_LABEL);
	if (!text) {
		line_adds(l, "none", ROLE_DIM);
		return;
	}
	const char *s = text;
	size_t i = 0, shown = 0;
	bool first = true;
	while (i <= n && shown < 12) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		size_t len = end - i;
		if (len && s[i + len - 1] == '\r')
			len--;
		if (!first)
			l = pane_line(p), line_adds(l, "  ", ROLE_NORMAL);
		line_untrusted(l, s + i, len, ROLE_NORMAL, first ? fqdn : NULL, 240);
		first = false;
		shown++;
		if (!nl)
			break;
		i = end + 1;
		if (i == n)
			break;
	}
	if (i < n && shown >= 12) {
		l = pane_line(p);
		line_addf(l, ROLE_DIM, "  [+%zu more bytes]", n - i);
	}
	l = pane_line(p);
	line_adds(l, "  -> ", ROLE_DIM);
	if (fqdn)
		line_adds(l, fqdn, ROLE_HIGHLIGHT);
	else
		line_adds(l, "no usable name", ROLE_DIM);
}

/* Empty evidence panes with these titles, and an empty verdict line. */
static void panes_init(desk_pane panes[PANE_COUNT], const char *const titles[PANE_COUNT], desk_line *verdict)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		memset(&panes[i], 0, sizeof panes[i]);
		snprintf(panes[i].title, sizeof panes[i].title, "%s", titles[i]);
	}
	memset(verdict, 0, sizeof *verdict);
}

/* A database error, shown where the evidence would be. */
static void pane_error(desk_pane *p, char *err)
{
	desk_line *l = pane_line(p);
	line_adds(l, "cannot read: ", ROLE_BAD);
	line_untrusted(l, err ? err : "?", err ? strlen(err) : 1, ROLE_BAD, NULL, 300);
	free(err);
}

static void cert_pane(desk_pane *p, const ev_ip *e)
{
	desk_line *l;
	if (!e->cert_names) {
		line_adds(pane_line(p), "no certificate", ROLE_DIM);
		return;
	}
	int t = e->trusted;
	l = pane_line(p);
	line_adds(l, "trusted  ", ROLE_LABEL);
	line_adds(l, t == 1 ? "yes (browser-trusted)" : t == 0 ? "NO" : "unknown (no trust flag)",
		  t == 1 ? ROLE_GOOD : ROLE_BAD);
	l = pane_line(p);
	line_adds(l, "CN       ", ROLE_LABEL);
	line_untrusted(l, e->cert_cn ? e->cert_cn : "-", e->cert_cn ? strlen(e->cert_cn) : 1, ROLE_NORMAL, NULL, 200);
	l = pane_line(p);
	line_adds(l, "group    ", ROLE_LABEL);
	if (e->cert_group)
		line_addf(l, ROLE_HIGHLIGHT, "%s", e->cert_group);
	else
		line_adds(l, t == 1 ? "no name with a registered domain" : "not counted (untrusted)", ROLE_DIM);
	l = pane_line(p);
	line_adds(l, "numCert  ", ROLE_LABEL);
	line_addf(l, ROLE_NORMAL, "%u", e->num_cert);
	l = pane_line(p);
	line_addf(l, ROLE_LABEL, "names (%zu)", e->ncert_names);
	for (size_t i = 0; i < e->ncert_names; i++) {
		l = pane_line(p);
		line_adds(l, "  ", ROLE_NORMAL);
		line_untrusted(l, e->cert_names[i], strlen(e->cert_names[i]), ROLE_NORMAL, NULL, 200);
	}
}

static void smtp_pane(desk_pane *p, const ev_ip *e)
{
	desk_line *l = pane_line(p);
	line_adds(l, "numIP    ", ROLE_LABEL);
	line_addf(l, ROLE_NORMAL, "%u domains point here", e->num_ip);
	smtp_lines(p, "banner   ", e->banner, e->banner_len, e->banner_fqdn);
	smtp_lines(p, "EHLO     ", e->ehlo, e->ehlo_len, e->ehlo_fqdn);
	if (e->banner_fqdn && e->ehlo_fqdn && strcmp(e->banner_fqdn, e->ehlo_fqdn)) {
		l = pane_line(p);
		line_adds(l, "banner and EHLO name different hosts", ROLE_BAD);
	}
}

/* The MX hosts pointing at the address, busiest first, with a few of
 * their domains. */
static void mx_pane(desk *d, desk_pane *p, uint32_t ip)
{
	ev_host_brief *hs;
	size_t n, total;
	char *err = NULL;
	if (evidence_ip_hosts(d->st, d->snapshot, ip, 20, &hs, &n, &total, &err) < 0) {
		pane_error(p, err);
		evidence_host_briefs_free(hs, n);
		return;
	}
	desk_line *l;
	for (size_t i = 0; i < n; i++) {
		const ev_host_brief *h = &hs[i];
		l = pane_line(p);
		line_untrusted(l, h->host, strlen(h->host), ROLE_HIGHLIGHT, NULL, 200);
		char pref[32] = "-";
		if (h->has_pref && h->min_pref == h->max_pref)
			snprintf(pref, sizeof pref, "%u", h->min_pref);
		else if (h->has_pref)
			snprintf(pref, sizeof pref, "%u-%u", h->min_pref, h->max_pref);
		l = pane_line(p);
		line_addf(l, ROLE_NORMAL, "  %u domain%s, pref %s; says %s (%s, %s)", h->domains, h->domains == 1 ? "" : "s",
			  pref, h->provider_id ? h->provider_id : "nothing", h->source ? h->source : "-", h->status);
		char **doms;
		size_t nd;
		l = pane_line(p);
		if (evidence_host_domains(d->st, d->snapshot, h->host, 5, &doms, &nd, &err) < 0) {
			line_adds(l, "  cannot read its domains: ", ROLE_BAD);
			line_untrusted(l, err, strlen(err), ROLE_BAD, NULL, 300);
			free(err);
			err = NULL;
		} else {
			line_adds(l, "  e.g. ", ROLE_DIM);
		}
		for (size_t k = 0; k < nd; k++) {
			if (k)
				line_adds(l, " ", ROLE_NORMAL);
			line_untrusted(l, doms[k], strlen(doms[k]), ROLE_NORMAL, NULL, 100);
			free(doms[k]);
		}
		free(doms);
	}
	if (total > n) {
		l = pane_line(p);
		line_addf(l, ROLE_DIM, "(%zu hosts; the %zu busiest shown)", total, n);
	}
	evidence_host_briefs_free(hs, n);
}

static void evidence_row(desk *d, const desk_row *r, desk_pane panes[PANE_COUNT], desk_line *verdict)
{
	static const char *const titles[PANE_COUNT] = {"cert", "smtp", "mx", "as"};
	panes_init(panes, titles, verdict);
	desk_line *l;
	ev_ip e;
	char *err = NULL;
	if (evidence_ip(d->st, d->snapshot, r->ipnum, &e, &err) < 0) {
		pane_error(&panes[PANE_CERT], err);
	} else {
		cert_pane(&panes[PANE_CERT], &e);
		smtp_pane(&panes[PANE_SMTP], &e);
	}
	mx_pane(d, &panes[PANE_MX], r->ipnum);
	/* AS */
	desk_pane *p = &panes[PANE_AS];
	l = pane_line(p);
	line_adds(l, "ASN      ", ROLE_LABEL);
	if (r->asn)
		line_addf(l, ROLE_NORMAL, "AS%u", r->asn);
	else
		line_adds(l, "unknown", ROLE_DIM);
	if (r->asn) {
		const char *what[3] = {e.as_name, e.org_name, e.country};
		for (int k = 0; k < 3; k++) {
			if (!what[k] || !*what[k])
				continue;
			l = pane_line(p);
			line_adds(l, k == 0 ? "AS name  " : k == 1 ? "org      " : "country  ", ROLE_LABEL);
			line_untrusted(l, what[k], strlen(what[k]), ROLE_NORMAL, NULL, 200);
		}
		if (!e.in_as2org) {
			l = pane_line(p);
			line_adds(l, "AS name  ", ROLE_LABEL);
			line_adds(l, "not in as2org", ROLE_DIM);
		}
	}
	evidence_ip_free(&e);
	/* The ASNs expected for the company the evidence claims. */
	const char *claimed = r->priority_id ? r->priority_id : r->provider_id;
	const kb_company *co = d->k && claimed ? kb_company_of(d->k, claimed) : NULL;
	l = pane_line(p);
	line_adds(l, "claims   ", ROLE_LABEL);
	line_addf(l, ROLE_NORMAL, "%s%s%s%s", claimed ? claimed : "-", co ? " (" : "", co ? co->name : "", co ? ")" : "");
	if (co) {
		l = pane_line(p);
		line_adds(l, "expected ", ROLE_LABEL);
		for (size_t i = 0; i < co->nasns; i++)
			line_addf(l, co->asns[i] == r->asn ? ROLE_HIGHLIGHT : ROLE_NORMAL, "%sAS%u", i ? " " : "", co->asns[i]);
		l = pane_line(p);
		if (!r->asn)
			line_adds(l, "no ASN to compare", ROLE_DIM);
		else if (kb_company_has_asn(co, r->asn))
			line_addf(l, ROLE_GOOD, "match: AS%u is %s's", r->asn, co->name);
		else
			line_addf(l, ROLE_BAD, "MISMATCH: AS%u is not %s's", r->asn, co->name);
	} else {
		l = pane_line(p);
		line_adds(l, "not a known company: no AS list to compare", ROLE_DIM);
	}
	/* verdict */
	line_adds(verdict, "", ROLE_NORMAL);
	if (r->heuristic) {
		line_addf(verdict, ROLE_BAD, "%s: ", r->heuristic);
		line_untrusted(verdict, r->reason, strlen(r->reason ? r->reason : ""), ROLE_NORMAL, NULL, 400);
		line_addf(verdict, ROLE_NORMAL, "  [evidence said %s, answer %s]", r->priority_id ? r->priority_id : "-",
			  r->provider_id ? r->provider_id : "none");
	} else {
		line_addf(verdict, ROLE_DIM, "no heuristic fired (confidence %u, threshold %u); answer %s from the %s",
			  r->confidence, d->threshold, r->provider_id ? r->provider_id : "none", r->source ? r->source : "-");
	}
	if (r->decision) {
		line_adds(verdict, "  |  ", ROLE_DIM);
		line_addf(verdict, ROLE_GOOD, "decision #%lld: %s%s%s", (long long)r->decision,
			  r->verdict == 'c' ? "confirmed" : r->verdict == 's' ? "self-hosted" : "set ",
			  r->verdict == 'o' && r->decided ? r->decided : "", "");
		if (r->note) {
			line_adds(verdict, " - ", ROLE_DIM);
			line_untrusted(verdict, r->note, strlen(r->note), ROLE_NORMAL, NULL, 200);
		}
	}
}

/* An address as a queue row (eval mode shows each address's evidence):
 * a desk of its own holding that one row. */
static bool load_ip_row(desk *d, const char *ip, desk_row *r)
{
	memset(r, 0, sizeof *r);
	uint32_t n;
	if (!mx_ipv4_parse(ip, &n) || !n)
		return false;
	desk *one = desk_new(d->st, d->k, d->snapshot, d->analyst, d->threshold);
	char *err = NULL;
	bool ok = load_queue(one, n, &err) == 0 && one->nrows == 1;
	free(err);
	if (ok) {
		row_detail(one, &one->rows[0]);
		*r = one->rows[0];
		r->ip = r->ipbuf; /* the copy's own buffer */
		one->nrows = 0;
	}
	desk_free(one);
	return ok;
}

static void pane_move(desk_pane *to, desk_pane *from)
{
	for (size_t i = 0; i < from->n; i++) {
		desk_line *l = pane_line(to);
		desk_line_free(l);
		*l = from->lines[i];
	}
	free(from->lines);
	memset(from, 0, sizeof *from);
}

/* Eval mode: every primary address's evidence, and the answers side by side. */
static void eval_evidence(desk *d, const desk_row *r, desk_pane panes[PANE_COUNT], desk_line *verdict)
{
	static const char *const titles[PANE_COUNT] = {"cert", "smtp", "answers", "as"};
	panes_init(panes, titles, verdict);
	desk_line *l;
	/* the answers pane */
	desk_pane *a = &panes[PANE_MX];
	l = pane_line(a);
	line_adds(l, "label     ", ROLE_LABEL);
	if (r->label)
		line_adds(l, *r->label ? r->label : "cannot decide", ROLE_GOOD);
	else
		line_adds(l, "not labelled yet", ROLE_DIM);
	static const char *const shown[5] = {"final   ", "priority", "banner  ", "cert    ", "mx      "};
	for (int k = 0; k < 5; k++) {
		int ai = 4 - k;
		l = pane_line(a);
		line_addf(l, ROLE_LABEL, "%s  ", shown[k]);
		line_untrusted(l, r->answers[ai] ? r->answers[ai] : "-", strlen(r->answers[ai] ? r->answers[ai] : "-"),
			       ROLE_NORMAL, NULL, 200);
		if (r->label && *r->label)
			line_adds(l, eval_answer_matches(r->answers[ai], r->label) ? "  right" : "  wrong",
				  eval_answer_matches(r->answers[ai], r->label) ? ROLE_GOOD : ROLE_BAD);
	}
	ev_domain e;
	char *err = NULL;
	if (evidence_domain(d->st, d->snapshot, r->ip, &e, &err) < 0) {
		pane_error(a, err);
		err = NULL;
	}
	l = pane_line(a);
	line_adds(l, "MX records", ROLE_LABEL);
	for (size_t i = 0; i < e.nmx && i < 12; i++) {
		const ev_mx *m = &e.mx[i];
		l = pane_line(a);
		line_addf(l, ROLE_NORMAL, "  %5u ", m->pref);
		line_untrusted(l, m->host, strlen(m->host), m->primary ? ROLE_HIGHLIGHT : ROLE_NORMAL, NULL, 200);
		if (m->primary)
			line_adds(l, "  primary", ROLE_DIM);
	}
	/* heuristics on the primary hosts */
	for (size_t i = 0; i < e.nprimary; i++) {
		const ev_host *h = &e.primary[i];
		if (!h->heuristic)
			continue;
		l = pane_line(a);
		line_addf(l, ROLE_BAD, "%s: ", h->heuristic);
		line_untrusted(l, h->reason ? h->reason : "", h->reason ? strlen(h->reason) : 0, ROLE_NORMAL, NULL, 300);
	}
	evidence_domain_free(&e);
	/* each primary address: certificate, banner/EHLO and AS evidence */
	uint32_t *ipv = NULL;
	size_t nips = 0;
	if (evidence_domain_ips(d->st, d->snapshot, r->ip, 8, &ipv, &nips, &err) < 0)
		pane_error(a, err);
	char **ips = xcalloc(nips + 1, sizeof *ips);
	for (size_t i = 0; i < nips; i++) {
		ips[i] = xmalloc(16);
		mx_ipv4_format(ipv[i], ips[i]);
	}
	free(ipv);
	for (size_t i = 0; i < nips; i++) {
		desk_row ir;
		if (!load_ip_row(d, ips[i], &ir)) {
			free(ips[i]);
			continue;
		}
		desk_pane p[PANE_COUNT];
		desk_line v;
		evidence_row(d, &ir, p, &v);
		int show[] = {PANE_CERT, PANE_SMTP, PANE_AS};
		for (int k = 0; k < 3; k++) {
			l = pane_line(&panes[show[k]]);
			line_addf(l, ROLE_LABEL, "-- %s --", ips[i]);
			pane_move(&panes[show[k]], &p[show[k]]);
		}
		desk_pane_free(&p[PANE_MX]);
		desk_line_free(&v);
		row_free(&ir);
		free(ips[i]);
	}
	free(ips);
	if (!nips) {
		line_adds(pane_line(&panes[PANE_CERT]), "no SMTP address (answered from MX names)", ROLE_DIM);
		line_adds(pane_line(&panes[PANE_SMTP]), "no SMTP address", ROLE_DIM);
		line_adds(pane_line(&panes[PANE_AS]), "no SMTP address", ROLE_DIM);
	}
	line_adds(verdict, "", ROLE_NORMAL);
	line_addf(verdict, ROLE_LABEL, "%s: ", r->ip);
	line_addf(verdict, ROLE_NORMAL, "final %s", r->answers[4] ? r->answers[4] : "none");
	if (r->examined)
		line_adds(verdict, "  (the heuristics looked at it: step 4)", ROLE_BAD);
	if (r->label)
		line_addf(verdict, ROLE_GOOD, "  |  label #%lld: %s", (long long)r->label_id,
			  *r->label ? r->label : "cannot decide");
}

void desk_evidence(desk *d, size_t row, desk_pane panes[PANE_COUNT], desk_line *verdict)
{
	if (d->eval)
		eval_evidence(d, &d->rows[row], panes, verdict);
	else
		evidence_row(d, named_row(d, row), panes, verdict);
}

/* ---- key handling ----------------------------------------------------- */

void desk_view_init(desk_view *v)
{
	memset(v, 0, sizeof *v);
	v->maximized = -1;
	v->page = 10;
	v->search_dir = 1;
}

void desk_view_free(desk_view *v)
{
	free(v->search);
	free(v->pending_text);
	v->search = NULL;
	v->pending_text = NULL;
}

void desk_view_fix(const desk *d, desk_view *v)
{
	size_t n = d->nvis, page = v->page ? v->page : 1;
	if (n == 0) {
		v->cursor = v->top = 0;
		return;
	}
	if (v->cursor >= n)
		v->cursor = n - 1;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + page)
		v->top = v->cursor - page + 1;
	if (v->top + page > n)
		v->top = n > page ? n - page : 0;
}

static void say(desk_view *v, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(desk_view *v, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof v->message, fmt, ap);
	va_end(ap);
	v->message_error = error;
}

static void move(const desk *d, desk_view *v, long delta)
{
	long n = (long)d->nvis;
	long c = (long)v->cursor + delta;
	if (c < 0)
		c = 0;
	if (c >= n)
		c = n ? n - 1 : 0;
	v->cursor = (size_t)c;
	for (int i = 0; i < PANE_COUNT; i++)
		v->scroll[i] = 0;
	desk_view_fix(d, v);
}

/* The rows a decision applies to: the tagged ones, else the current row. */
static size_t targets(const desk *d, const desk_view *v, size_t **out)
{
	size_t nt = desk_ntagged(d);
	if (nt) {
		*out = xcalloc(nt, sizeof **out);
		size_t k = 0;
		for (size_t i = 0; i < d->nrows; i++)
			if (d->rows[i].tagged)
				(*out)[k++] = i;
		return k;
	}
	if (d->nvis == 0)
		return 0;
	*out = xcalloc(1, sizeof **out);
	(*out)[0] = d->vis[v->cursor];
	return 1;
}

static const char *verdict_word(char v)
{
	switch (v) {
	case 'c': return "confirmed";
	case 's': return "marked self-hosted";
	case 'o': return "set";
	case 'a': return "heuristic accepted";
	case 'r': return "heuristic rejected";
	}
	return "?";
}

/* After decisions the view follows the filter (a decided row may leave
 * "status=pending"); the cursor keeps its place in the list. */
static void refilter(desk *d, desk_view *v)
{
	rebuild(d);
	desk_view_fix(d, v);
}

static unsigned decide_now(desk *d, desk_view *v, char verdict, const char *provider)
{
	size_t *rows = NULL;
	size_t n = targets(d, v, &rows);
	if (n == 0) {
		say(v, true, "no row to decide on");
		return DESK_REDRAW;
	}
	char *err = NULL;
	int w = desk_decide(d, rows, n, verdict, provider, NULL, &err);
	free(rows);
	if (w < 0) {
		say(v, true, "not saved: %s", err);
		free(err);
	} else if (w == 0) {
		say(v, true, "nothing to %s here (no heuristic fired)", verdict == 'a' ? "accept" : "reject");
	} else {
		say(v, false, "saved: %d decision%s (%s%s%s)", w, w == 1 ? "" : "s", verdict_word(verdict),
		    verdict == 'o' ? " " : "", verdict == 'o' ? provider : "");
		if (desk_ntagged(d))
			desk_untag_all(d);
		refilter(d, v);
	}
	return DESK_REDRAW;
}

/* Eval mode: label the tagged rows (or the current one). */
static unsigned label_now(desk *d, desk_view *v, const char *truth)
{
	size_t *rows = NULL;
	size_t n = targets(d, v, &rows);
	if (n == 0) {
		say(v, true, "no row to label");
		return DESK_REDRAW;
	}
	char *err = NULL;
	int w = desk_label(d, rows, n, truth, &err);
	free(rows);
	if (w < 0) {
		say(v, true, "not saved: %s", err);
		free(err);
	} else {
		size_t lab, rem, ex;
		desk_counts(d, &lab, &rem, &ex);
		say(v, false, "saved: %d label%s (%zu/%zu labelled)", w, w == 1 ? "" : "s", lab, lab + rem);
		if (desk_ntagged(d))
			desk_untag_all(d);
		size_t before = d->nvis;
		refilter(d, v);
		if (n == 1 && d->nvis == before && v->cursor + 1 < d->nvis)
			v->cursor++; /* on to the next domain (unless it left the view) */
		desk_view_fix(d, v);
	}
	return DESK_REDRAW;
}

static const char *eval_truth_of(enum desk_action a)
{
	switch (a) {
	case ACT_CONFIRM: return "final";
	case ACT_SELF: case ACT_TAKE_MX: return "mx";
	case ACT_TAKE_CERT: return "cert";
	case ACT_TAKE_BANNER: return "banner";
	case ACT_TAKE_PRIORITY: return "priority";
	default: return "";
	}
}

static char verdict_of(enum desk_action a)
{
	switch (a) {
	case ACT_CONFIRM: return 'c';
	case ACT_SELF: return 's';
	case ACT_ACCEPT: return 'a';
	case ACT_REJECT: return 'r';
	default: return 0;
	}
}

static unsigned ask(desk_view *v, enum desk_prompt p, enum desk_action pending, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static unsigned ask(desk_view *v, enum desk_prompt p, enum desk_action pending, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->prompt_label, sizeof v->prompt_label, fmt, ap);
	va_end(ap);
	v->prompt = p;
	v->pending = pending;
	return DESK_PROMPT | DESK_REDRAW;
}

static unsigned search_step(desk *d, desk_view *v, int dir)
{
	if (!v->search) {
		say(v, true, "no search yet: press /");
		return DESK_REDRAW;
	}
	bool wrapped;
	long hit = desk_search(d, v->search, v->cursor, dir, &wrapped);
	if (hit < 0) {
		char *e = sanitize_str(v->search);
		say(v, true, "not found: %s", e);
		free(e);
	} else {
		v->cursor = (size_t)hit;
		for (int i = 0; i < PANE_COUNT; i++)
			v->scroll[i] = 0;
		desk_view_fix(d, v);
		say(v, false, "%s", wrapped ? "search wrapped" : "");
	}
	return DESK_REDRAW;
}

unsigned desk_act(desk *d, desk_view *v, enum desk_action a)
{
	long page = (long)(v->page ? v->page : 1);
	char *err = NULL;
	v->message[0] = '\0';
	v->message_error = false;
	if ((v->chart && a != ACT_CHART && a != ACT_QUIT_NOW) || (v->report && a != ACT_REPORT && a != ACT_QUIT_NOW)) {
		v->chart = v->report = false; /* any key closes an overlay */
		return DESK_REDRAW;
	}
	if (v->help) {
		/* The help overlay takes scrolling and closing keys only. */
		switch (a) {
		case ACT_DOWN: v->help_scroll++; break;
		case ACT_UP: if (v->help_scroll > 0) v->help_scroll--; break;
		case ACT_QUIT_NOW: return DESK_QUIT;
		default: v->help = false; v->help_scroll = 0; break;
		}
		return DESK_REDRAW;
	}
	switch (a) {
	case ACT_NONE:
	case ACT_COUNT:
		return 0;
	case ACT_DOWN: move(d, v, 1); break;
	case ACT_UP: move(d, v, -1); break;
	case ACT_FIRST: move(d, v, -(long)d->nvis); break;
	case ACT_LAST: move(d, v, (long)d->nvis); break;
	case ACT_PAGE_DOWN: move(d, v, page); break;
	case ACT_PAGE_UP: move(d, v, -page); break;
	case ACT_HALF_DOWN: move(d, v, page / 2 ? page / 2 : 1); break;
	case ACT_HALF_UP: move(d, v, -(page / 2 ? page / 2 : 1)); break;
	case ACT_NEXT_PANE: v->focus = (v->focus + 1) % PANE_COUNT; if (v->maximized >= 0) v->maximized = v->focus; return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_PREV_PANE: v->focus = (v->focus + PANE_COUNT - 1) % PANE_COUNT; if (v->maximized >= 0) v->maximized = v->focus; return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_PANE_1: case ACT_PANE_2: case ACT_PANE_3: case ACT_PANE_4:
		v->focus = (int)(a - ACT_PANE_1);
		if (v->maximized >= 0)
			v->maximized = v->focus;
		return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_MAXIMIZE:
		v->maximized = v->maximized >= 0 ? -1 : v->focus;
		return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_SCROLL_DOWN: v->scroll[v->focus]++; break;
	case ACT_SCROLL_UP: if (v->scroll[v->focus] > 0) v->scroll[v->focus]--; break;
	case ACT_SEARCH: return ask(v, PROMPT_SEARCH, a, "/");
	case ACT_SEARCH_NEXT: return search_step(d, v, v->search_dir);
	case ACT_SEARCH_PREV: return search_step(d, v, -v->search_dir);
	case ACT_FILTER: return ask(v, PROMPT_FILTER, a, "filter (company=X source=cert|banner|mx flag=yes|no status=reviewed|pending): ");
	case ACT_CLEAR_FILTER:
		desk_set_filter(d, "", NULL);
		v->cursor = v->top = 0;
		say(v, false, "filter cleared");
		break;
	case ACT_TOGGLE_ALL:
		desk_show_all(d, !d->all);
		v->cursor = v->top = 0;
		say(v, false, "%s", d->all ? "all rows" : "candidates only");
		break;
	case ACT_SORT:
		desk_set_sort(d, (enum desk_sort)((d->sort + 1) % SORT_COUNT), d->inverted);
		v->cursor = v->top = 0;
		say(v, false, "sort: %s", desk_sort_names[d->sort]);
		break;
	case ACT_INVERT:
		desk_set_sort(d, d->sort, !d->inverted);
		v->cursor = v->top = 0;
		say(v, false, "sort: %s%s", desk_sort_names[d->sort], d->inverted ? " (inverted)" : "");
		break;
	case ACT_UNDECIDABLE:
		if (!d->eval) {
			say(v, true, "x labels \"cannot decide\" in eval mode (mxray review --mode eval)");
			break;
		}
		/* fall through */
	case ACT_CONFIRM: case ACT_SELF: case ACT_ACCEPT: case ACT_REJECT: {
		size_t nt = desk_ntagged(d);
		if (d->eval) {
			if (a == ACT_ACCEPT || a == ACT_REJECT) {
				say(v, true, "eval mode: c takes the final answer, s the MX name's, o types the truth, x cannot decide");
				break;
			}
			if (nt)
				return ask(v, PROMPT_YESNO, a, "Label %zu tagged domains %s? (y/n) ", nt,
					   a == ACT_CONFIRM ? "with their final answer" : a == ACT_SELF ?
					   "self-hosted (the MX name's domain)" : "\"cannot decide\"");
			return label_now(d, v, eval_truth_of(a));
		}
		if (nt)
			return ask(v, PROMPT_YESNO, a, "%s %zu tagged rows? (y/n) ",
				   a == ACT_CONFIRM ? "Confirm" : a == ACT_SELF ? "Mark self-hosted" :
				   a == ACT_ACCEPT ? "Accept the heuristic on" : "Reject the heuristic on", nt);
		return decide_now(d, v, verdict_of(a), NULL);
	}
	case ACT_TAKE_MX: case ACT_TAKE_CERT: case ACT_TAKE_BANNER: case ACT_TAKE_PRIORITY: {
		static const char *const which[] = {"mx", "cert", "banner", "priority"};
		if (!d->eval) {
			say(v, true, "M C B P label with an approach's answer in eval mode (mxray review --mode eval)");
			break;
		}
		const char *t = which[a - ACT_TAKE_MX];
		size_t nt = desk_ntagged(d);
		if (nt)
			return ask(v, PROMPT_YESNO, a, "Label %zu tagged domains with the %s answer? (y/n) ", nt, t);
		return label_now(d, v, t);
	}
	case ACT_CHART:
		v->chart = !v->chart;
		v->report = false;
		break;
	case ACT_REPORT:
		v->report = !v->report;
		v->chart = false;
		break;
	case ACT_OVERRIDE:
		if (!d->nvis && !desk_ntagged(d)) {
			say(v, true, "no row to decide on");
			break;
		}
		if (d->eval)
			return ask(v, PROMPT_OVERRIDE, a, "truth (mx, cert, banner, priority, final; or companies/IDs, ';' "
				   "between): ");
		return ask(v, PROMPT_OVERRIDE, a, "provider ID or company%s (Tab completes): ",
			   desk_ntagged(d) ? " for the tagged rows" : "");
	case ACT_ACCEPT_ALL: {
		if (d->eval) {
			say(v, true, "eval mode: c takes the final answer, s the MX name's, o types the truth, x cannot decide");
			break;
		}
		size_t n = 0;
		for (size_t i = 0; i < d->nvis; i++) {
			const desk_row *r = &d->rows[d->vis[i]];
			n += r->heuristic && !r->decision;
		}
		if (!n) {
			say(v, true, "no pending heuristic in view");
			break;
		}
		return ask(v, PROMPT_YESNO, a, "Accept the heuristic on all %zu pending rows in view? (y/n) ", n);
	}
	case ACT_NOTE:
		if (!d->nvis)
			break;
		if (d->eval) {
			say(v, true, "eval mode has no notes: labels are the truth only");
			break;
		}
		return ask(v, PROMPT_NOTE, a, "note: ");
	case ACT_TAG:
		if (d->nvis) {
			desk_row *r = &d->rows[d->vis[v->cursor]];
			r->tagged = !r->tagged;
			move(d, v, 1);
			say(v, false, "%zu tagged", desk_ntagged(d));
		}
		break;
	case ACT_UNTAG_ALL:
		desk_untag_all(d);
		say(v, false, "no rows tagged");
		break;
	case ACT_UNDO:
	case ACT_REDO: {
		bool undo = a == ACT_UNDO;
		int n = undo ? desk_undo(d, &err) : desk_redo(d, &err);
		if (n < 0) {
			say(v, true, "%s failed: %s", undo ? "undo" : "redo", err);
			free(err);
		} else if (n == 0) {
			say(v, true, "nothing to %s", undo ? "undo" : "redo");
		} else {
			say(v, false, "%s: %d %s%s (saved)", undo ? "undone" : "redone", n, d->eval ? "label" : "decision",
			    n == 1 ? "" : "s");
			refilter(d, v);
		}
		break;
	}
	case ACT_HELP:
		v->help = true;
		v->help_scroll = 0;
		break;
	case ACT_REDRAW:
		return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_QUIT:
		if (v->maximized >= 0) {
			v->maximized = -1;
			return DESK_RELAYOUT | DESK_REDRAW;
		}
		return DESK_QUIT;
	case ACT_QUIT_NOW:
		return DESK_QUIT;
	}
	return DESK_REDRAW;
}

/* Set the typed provider (or, in eval mode, the typed truth). */
static unsigned override_now(desk *d, desk_view *v, const char *text)
{
	if (d->eval)
		return label_now(d, v, text);
	char id[MX_NAME_MAX + 2];
	const kb_company *co = d->k ? kb_company_named(d->k, text) : NULL;
	if (!co && (mx_name_norm(text, strlen(text), id) || !domain_rd(id))) {
		char *e = sanitize_str(text);
		say(v, true, "'%s' is not a provider ID (a registered domain) or a known company: nothing saved", e);
		free(e);
		return DESK_REDRAW;
	}
	return decide_now(d, v, 'o', co ? co->name : id);
}

unsigned desk_answer(desk *d, desk_view *v, const char *text)
{
	enum desk_prompt p = v->prompt;
	enum desk_action pending = v->pending;
	v->prompt = PROMPT_NONE;
	v->pending = ACT_NONE;
	v->message[0] = '\0';
	v->message_error = false;
	if (!text) {
		say(v, false, "cancelled");
		return DESK_REDRAW;
	}
	char *err = NULL;
	switch (p) {
	case PROMPT_NONE:
		break;
	case PROMPT_SEARCH:
		if (!*text)
			break;
		free(v->search);
		v->search = xstrdup(text);
		v->search_dir = 1;
		return search_step(d, v, 1);
	case PROMPT_FILTER: {
		const char *why;
		if (!desk_set_filter(d, text, &why)) {
			say(v, true, "bad filter: %s", why);
		} else {
			v->cursor = v->top = 0;
			say(v, false, "%zu rows", d->nvis);
		}
		break;
	}
	case PROMPT_OVERRIDE:
		if (desk_ntagged(d)) {
			/* several rows: a y/n first */
			free(v->pending_text);
			v->pending_text = xstrdup(text);
			char *e = sanitize_str(text);
			unsigned f = ask(v, PROMPT_YESNO, ACT_OVERRIDE, "%s %zu tagged rows to %.60s? (y/n) ",
					 d->eval ? "Label" : "Set", desk_ntagged(d), e);
			free(e);
			return f;
		}
		return override_now(d, v, text);
	case PROMPT_NOTE:
		if (desk_note(d, d->vis[v->cursor], text, &err) < 0) {
			say(v, true, "%s", err);
			free(err);
		} else {
			say(v, false, "saved: note added");
		}
		break;
	case PROMPT_YESNO:
		if (text[0] != 'y' && text[0] != 'Y') {
			say(v, false, "cancelled");
			break;
		}
		if (pending == ACT_OVERRIDE) {
			char *t = v->pending_text;
			v->pending_text = NULL;
			unsigned f = override_now(d, v, t ? t : "");
			free(t);
			return f;
		}
		if (pending == ACT_ACCEPT_ALL) {
			size_t *rows = xcalloc(d->nvis + 1, sizeof *rows), n = 0;
			for (size_t i = 0; i < d->nvis; i++) {
				const desk_row *r = &d->rows[d->vis[i]];
				if (r->heuristic && !r->decision)
					rows[n++] = d->vis[i];
			}
			int w = desk_decide(d, rows, n, 'a', NULL, "bulk", &err);
			free(rows);
			if (w < 0) {
				say(v, true, "not saved: %s", err);
				free(err);
			} else {
				say(v, false, "saved: %d heuristic%s accepted", w, w == 1 ? "" : "s");
				refilter(d, v);
			}
			break;
		}
		if (d->eval)
			return label_now(d, v, eval_truth_of(pending));
		return decide_now(d, v, verdict_of(pending), NULL);
	}
	return DESK_REDRAW;
}
