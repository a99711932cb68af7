/* desk: the review desk's model and key handling (no curses). */
#include "mxray/desk.h"
#include "mxray/correct.h"
#include "mxray/domain.h"
#include "mxray/evaluate.h"
#include "mxray/evidence.h"
#include "mxray/history.h"
#include "mxray/infer.h"
#include "mxray/runs.h"
#include "mxray/sample.h"
#include "mxray/sanitize.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <ctype.h>
#include <jansson.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <wchar.h>

const char *const desk_sort_names[] = {"confidence", "domains", "ip", "provider", "asn", "status"};

/* A row's standing decision, as a step keeps it for undo and redo. */
typedef struct {
	int64_t id;
	char verdict, dscope;
	char *decided, *note;
} dstate;

/* One undo step: the decisions it wrote, and for decisions on addresses
 * the row of each and the row's other state (before the step while it is
 * done, the step's own while it is undone): an undo or redo swaps them
 * back instead of reading every decision again.  rows NULL: the rows are
 * read again (decisions on MX hosts or domains, labels). */
typedef struct {
	int64_t *ids;
	size_t n;
	uint32_t *rows;
	dstate *other;
	unsigned reads;  /* the desk's reads of every decision when the states were kept */
} step;

typedef struct {
	step *s;
	size_t n, cap;
} stack;

typedef struct {
	uint32_t provider;
	char *company, *lower;
} qcompany;

/* What a match looks at (each a phase of its work). */
enum {
	EV_DOMAIN = 1,   /* the rows serving a domain named exactly */
	EV_HOSTS = 2,    /* primary MX host names */
	EV_BANNER = 4,   /* banner and EHLO text */
	EV_CERT = 8,     /* certificate names */
	EV_ASNAME = 16,  /* AS and organisation names */
	EV_SCANS = EV_BANNER | EV_CERT,
	EV_ALL = 31,     /* (the heuristics' reasons are in the rows: row_matches) */
};

/* The rows whose evidence holds a text, worked out a slice at a time
 * while the desk waits for keys (at a million domains a pass over every
 * banner takes most of a second, and keys must not wait for it). */
typedef struct {
	char *text;      /* lower case; NULL: no match */
	unsigned todo;   /* the phases (EV_*) still to do */
	uint8_t *hit;    /* per row: its evidence holds the text */
	int64_t at;      /* where the current phase's pass is (-1: its start) */
} match;

struct desk {
	store *st;
	bool eval;             /* rows are a sample's domains; decisions are labels */
	bool compact;          /* narrow terminal: fewer columns per row */
	bool full;             /* evidence whole, no line or length caps (a pane read full screen) */
	unsigned gen;          /* counts changes to what rows show (decisions, labels, refreshes) */
	void (*wait_hook)(void *arg, unsigned ms); /* told while a write waits for a lock */
	void *wait_arg;
	bool own_txn;          /* the write in progress began the transaction */
	size_t session_written, session_undone; /* decisions (labels) this session wrote and undid */
	int64_t data_version;  /* SQLite's data_version when last read: other processes' writes change it */
	int64_t run_id;        /* the snapshot's latest inference run when the desk opened */
	unsigned reads;        /* times every row's decision was read again (load_decisions) */
	size_t work;           /* rows the background work has read (its slices' measure) */
	size_t slice;          /* rows a slice reads (0: each kind's own number) */
	size_t counts[3];      /* desk_counts' answer, while counts_ok and gen and nrows are as then */
	bool counts_ok;
	unsigned counts_gen;
	size_t counts_rows;
	size_t ntagged;        /* rows tagged */
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
	/* search: the evidence match of the pattern (kept for n and N) */
	match smatch;
	/* filter: the evidence terms' matches (cert=, banner=) of the filter
	 * in force (fmatch) and of the one waiting for its work (nmatch,
	 * handed over when it is applied: the view keeps showing the filter
	 * in force meanwhile) */
	match fmatch[2], nmatch[2];
	desk_filter next;
	bool filter_waits;
	/* completion words (built when first asked for) */
	char **words;
	size_t nwords;
	bool have_words;
	bool all_named;        /* every row's provider IDs are read */
	bool all_ev;           /* every row's hosts, AS, source and status are read (ev_step) */
	size_t ev_at;          /* the first row ev_step has not read */
	size_t heur_at;        /* the first row heur_step has not read */
	bool all_heur;         /* every flagged row's heuristic name is read */
	size_t nflagged;       /* rows where a heuristic fired */
	qcompany *co;          /* the answers' companies (rows point into it), by provider */
	size_t nco;
	struct wanted *want;   /* names still to read, by id */
	size_t nwant, want_at;
};

static void match_free(match *m);
static void match_start(desk *d, match *m, const char *text, unsigned fields);
static bool match_ready(const match *m);
static int match_percent(const desk *d, const match *m);
static bool match_step(desk *d, match *m);
static void filter_free(desk_filter *f);

/* ---- the queue: loaded as integers, names read when needed ------------ */

static uint32_t find_row(const desk *d, const char *key);

/* A new zeroed row at the end of the queue (the array is kept zeroed past
 * its rows: calloc'd, and each growth cleared). */
static desk_row *new_row(desk *d, size_t *cap)
{
	if (d->nrows >= *cap) {
		size_t old = d->rows ? *cap : 0;
		*cap = *cap ? *cap * 2 : 1024;
		d->rows = xrealloc(d->rows, *cap * sizeof *d->rows);
		memset(d->rows + old, 0, (*cap - old) * sizeof *d->rows);
	}
	return &d->rows[d->nrows++];
}

/* A row's strings read in full (desk_row_more), made when first set. */
static desk_row_more *more_of(desk_row *r)
{
	if (!r->more)
		r->more = xcalloc(1, sizeof *r->more);
	return r->more;
}

/* One of them: NULL when not set. */
#define MORE(r, f) ((r)->more ? (r)->more->f : NULL)

static char *lower_dup(const char *s)
{
	if (!s)
		return NULL;
	char *l = xstrdup(s);
	for (char *c = l; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return l;
}



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

/* The rest of a row's codes: its hosts, busiest host, AS and source.
 * The queue opens with the columns that choose and order the
 * rows (a third less to read of a quarter of a million before the first
 * screen); these follow between keys (ev_step), and a row on screen or
 * acted on reads its own at once. */
static void ev_take(desk_row *r, sqlite3_stmt *s, int c)
{
	r->nhosts = col_u32(s, c);
	r->best_host = col_u32(s, c + 1);
	r->asn = col_u32(s, c + 2);
	int src = sqlite3_column_int(s, c + 3);
	r->source = src >= 0 && src < 255 ? (uint8_t)src : 255; /* out of range: "?", as infer_source_name says */
	r->ev = true;
}

static void row_ev(desk *d, desk_row *r)
{
	if (r->ev || d->eval)
		return;
	r->ev = true;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT nhosts, best_host, asn, source FROM f_ip_ev"
					       " WHERE snap = ?1 AND ip = ?2", NULL);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
	sqlite3_bind_int64(s, 2, r->ipnum);
	if (sqlite3_step(s) == SQLITE_ROW)
		ev_take(r, s, 0);
	sqlite3_reset(s);
}

/* The rows a slice of background work reads: `rows`, or the desk's own
 * setting (desk_set_slice). */
static size_t slice(const desk *d, size_t rows)
{
	return d->slice ? d->slice : rows;
}

void desk_set_slice(desk *d, size_t rows)
{
	d->slice = rows;
}

/* The work a key may do at once before the rest goes on between keys
 * (d->work's measure: 15,000 rows read, tens of milliseconds; four
 * slices when the slices are set). */
static size_t key_work(const desk *d)
{
	return d->slice ? 4 * d->slice : 15000;
}

/* Read the codes of up to `budget` more rows, in address order. */
static void ev_step(desk *d, size_t budget)
{
	if (d->all_ev || d->eval)
		return;
	size_t j = d->ev_at, end = j + budget < d->nrows ? j + budget : d->nrows;
	sqlite3_stmt *s = j < end ? store_prepare(d->st, "SELECT ip, nhosts, best_host, asn, source FROM f_ip_ev"
							 " WHERE snap = ?1 AND ip BETWEEN ?2 AND ?3 AND live = 1", NULL) : NULL;
	if (s) {
		sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
		sqlite3_bind_int64(s, 2, d->rows[j].ipnum);
		sqlite3_bind_int64(s, 3, d->rows[end - 1].ipnum);
		while (j < end && sqlite3_step(s) == SQLITE_ROW) {
			uint32_t ip = col_u32(s, 0);
			while (j < end && d->rows[j].ipnum < ip)
				j++;
			if (j < end && d->rows[j].ipnum == ip && !d->rows[j].ev)
				ev_take(&d->rows[j], s, 1);
		}
		sqlite3_reset(s);
	}
	d->work += end - d->ev_at;
	d->ev_at = end; /* a row the table lacks now keeps zeros, as it would have */
	if (end >= d->nrows)
		d->all_ev = true;
}

static void ev_all(desk *d)
{
	while (!d->all_ev && !d->eval)
		ev_step(d, SIZE_MAX / 2);
}

/* The rest of a row, for the row on screen or acted on: its provider ID,
 * the priority approach's ID (by the one chain), the heuristics'
 * suggestion and reason, from its busiest host. */
static void row_detail(desk *d, desk_row *r)
{
	row_ev(d, r);
	if (r->named)
		return;
	r->named = true;
	if (!r->best_host)
		return;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT p.name, c.name, b.name, m.name, g.name, h.reason, hn.name, h.heuristic"
					       " FROM f_host_ev h"
					       " LEFT JOIN name p ON p.id = h.provider LEFT JOIN name c ON c.id = h.cert_id"
					       " LEFT JOIN name b ON b.id = h.banner_id LEFT JOIN name m ON m.id = h.mx_id"
					       " LEFT JOIN name g ON g.id = h.suggested LEFT JOIN name hn ON hn.id = h.host"
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
		desk_row_more *m = more_of(r);
		free(m->priority_id);
		m->priority_id = store_column_dup(s, src == 3 ? 1 : src == 2 ? 2 : 3);
		free(m->suggested);
		m->suggested = store_column_dup(s, 4);
		free(m->reason);
		m->reason = store_column_dup(s, 5);
		/* self-hosted: the busiest host's own registered domain */
		const char *host = (const char *)sqlite3_column_text(s, 6), *rd = host ? domain_rd(host) : NULL;
		free(m->self_id);
		m->self_id = rd ? xstrdup(rd) : NULL;
		if (r->flagged && !r->heuristic)
			r->heuristic = store_column_dup(s, 7);
	}
	sqlite3_reset(s);
}

typedef struct wanted {
	uint32_t nid;
	uint32_t row;
} wanted;

/* Every row's names, read in passes over the name table in id order (far
 * cheaper than a lookup per row when most rows are wanted): a few slices
 * at a time while the desk waits for keys (desk_tick), the rest at once
 * when a key needs them all (name_all). */
static void want_build(desk *d)
{
	if (d->want)
		return;
	d->want = xmalloc((d->nrows + 1) * sizeof *d->want);
	/* by name id, then row: a radix sort (a comparison sort of a quarter
	 * of a million took a tenth of a second, in one slice) */
	uint32_t (*k)[4] = xmalloc((d->nrows + 1) * sizeof *k);
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		desk_row *r = &d->rows[i];
		if (r->provider_nid && !r->provider_id) {
			k[n][0] = r->provider_nid;
			k[n][1] = (uint32_t)i;
			k[n][2] = k[n][3] = 0;
			n++;
		}
	}
	mx_sort_u32x4(k, n, 2);
	for (size_t i = 0; i < n; i++)
		d->want[i] = (wanted){k[i][0], k[i][1]};
	free(k);
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
	/* a slice reads the name table's rows between its first and last id:
	 * at most 32768 of them (the wanted ids may be far apart) */
	while (end > j + 1 && d->want[end - 1].nid - d->want[j].nid > 32768)
		end = j + (end - j) / 2;
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
	d->work += end - d->want_at + 1;
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
/* How many addresses answered on port 25 in the snapshot (import
 * counted them): the queue's rows, or a few more.  0 when unknown. */
static size_t rows_expected(desk *d, int64_t snap)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT ips_port25 FROM f_stats WHERE snap = ?1 AND list = 0", NULL);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, snap);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return n > 0 && n < 100000000 ? (size_t)n : 0;
}

static int load_queue(desk *d, uint32_t only, char **err)
{
	int64_t snap = store_snapshot_id(d->st, d->snapshot);
	/* the companies of the answers: one table, rows point into it (a
	 * quarter of a million rows need no string each) */
	size_t cap = 0;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT provider, company FROM f_company WHERE snap = ?1 AND approach = 4",
					err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (d->nco == cap) {
			cap = cap ? cap * 2 : 256;
			d->co = xrealloc(d->co, cap * sizeof *d->co);
		}
		char *c = store_column_dup(s, 1);
		d->co[d->nco++] = (qcompany){col_u32(s, 0), c, lower_dup(c)};
	}
	if (store_read_done(d->st, s, rc, err) == 0) {
		s = store_prepare(d->st, only ? "SELECT ip, num_ip, num_cert, provider, flagged, nhosts, best_host, asn,"
						 " source FROM f_ip_ev WHERE snap = ?1 AND ip = ?2"
					      : "SELECT ip, num_ip, num_cert, provider, flagged FROM f_ip_ev WHERE snap = ?1"
						" AND live = 1 AND ?2 = 0", err);
		rc = s ? SQLITE_OK : SQLITE_ERROR;
	} else {
		rc = SQLITE_ERROR;
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, snap);
		sqlite3_bind_int64(s, 2, only);
		cap = d->nrows;
		if (!only && !cap) { /* room for every row at once: no array copied as it grows */
			size_t bytes = ((cap = rows_expected(d, snap)) + 1) * sizeof *d->rows;
			d->rows = xcalloc(1, bytes);
#ifdef MADV_HUGEPAGE
			/* tens of megabytes: in huge pages, a few dozen page faults
			 * rather than tens of thousands (a tenth of the first screen) */
			uintptr_t a = ((uintptr_t)d->rows + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)d->rows + bytes) & ~(uintptr_t)4095;
			if (e > a)
				madvise((void *)a, e - a, MADV_HUGEPAGE); /* a hint: nothing to do when refused */
#endif
		}
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			desk_row *r = new_row(d, &cap);
			r->ipnum = col_u32(s, 0);
			mx_ipv4_format(r->ipnum, r->ipbuf); /* no allocation per row; ip is set once rows stop moving */
			r->domains = col_u32(s, 1);
			uint32_t certs = col_u32(s, 2); /* confidence: max(numIP, numCert) */
			r->confidence = certs > r->domains ? certs : r->domains;
			r->provider_nid = col_u32(s, 3);
			r->flagged = sqlite3_column_int(s, 4);
			if (only)
				ev_take(r, s, 5);
			d->nflagged += r->flagged;
			const qcompany *c = r->provider_nid && d->co ? bsearch(&r->provider_nid, d->co, d->nco, sizeof *d->co,
									     cmp_qcompany) : NULL;
			if (c) {
				r->company = c->company;
				r->company_lc = c->lower;
			}
			r->candidate = (r->company && r->confidence < d->threshold) || r->flagged;
		}
		if (store_read_done(d->st, s, rc, err) == 0)
			rc = SQLITE_DONE;
	}
	for (size_t i = 0; i < d->nrows; i++)
		if (!d->rows[i].ip)
			d->rows[i].ip = d->rows[i].ipbuf;
	/* which heuristic fired: the rows on screen read theirs (row_detail),
	 * the rest between keys (heuristics_all) */
	d->all_heur = d->nflagged == 0;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Which heuristic fired, and why, on every flagged row (a filter or a
 * search on heuristics needs them all; else they are read between keys). */
static void heuristics_all(desk *d)
{
	if (d->all_heur || d->eval)
		return;
	d->all_heur = true;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT i.ip, h.heuristic, h.reason FROM f_ip_ev i CROSS JOIN f_host_ev h"
					       " ON h.snap = i.snap AND h.host = i.best_host WHERE i.snap = ?1 AND i.flagged",
					NULL);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
	char ip[16];
	while (sqlite3_step(s) == SQLITE_ROW) {
		mx_ipv4_format(col_u32(s, 0), ip);
		uint32_t i = find_row(d, ip);
		if (i == UINT32_MAX || !d->rows[i].flagged)
			continue;
		if (!d->rows[i].heuristic)
			d->rows[i].heuristic = store_column_dup(s, 1);
		if (!MORE(&d->rows[i], reason)) /* what search looks in */
			more_of(&d->rows[i])->reason = store_column_dup(s, 2);
	}
	sqlite3_reset(s);
	d->work += d->nflagged;
}

/* The same a slice at a time between keys: the flagged rows from
 * d->heur_at on, each by its busiest host (up to `budget` of them). */
static void heur_step(desk *d, size_t budget)
{
	if (d->all_heur || d->eval)
		return;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT heuristic, reason FROM f_host_ev WHERE snap = ?1 AND host = ?2",
					NULL);
	if (!s)
		return;
	int64_t snap = store_snapshot_id(d->st, d->snapshot);
	size_t i = d->heur_at, done = 0;
	for (; i < d->nrows && done < budget; i++) {
		desk_row *r = &d->rows[i];
		if (!r->flagged || (r->heuristic && MORE(r, reason)))
			continue;
		row_ev(d, r);
		sqlite3_bind_int64(s, 1, snap);
		sqlite3_bind_int64(s, 2, r->best_host);
		if (sqlite3_step(s) == SQLITE_ROW) {
			if (!r->heuristic)
				r->heuristic = store_column_dup(s, 0);
			if (!MORE(r, reason))
				more_of(r)->reason = store_column_dup(s, 1);
		}
		sqlite3_reset(s);
		done++;
	}
	d->work += done;
	d->heur_at = i;
	if (i >= d->nrows)
		d->all_heur = true;
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
	if (r->own_company) {
		free(r->company);
		free(r->company_lc);
	}
	free(r->heuristic);
	if (r->more) {
		free(r->more->priority_id);
		free(r->more->reason);
		free(r->more->hosts);
		free(r->more->suggested);
		free(r->more->self_id);
		free(r->more->decided);
		free(r->more->note);
		free(r->more);
	}
	if (r->sm) {
		for (int a = 0; a < 5; a++)
			free(r->sm->answers[a]);
		free(r->sm->label);
		free(r->sm);
	}
}

/* Set (or with id 0 clear) a row's standing decision. */
static void set_decision(desk_row *r, int64_t id, const char *verdict, const char *provider, const char *note,
			 char scope)
{
	if (r->more) {
		free(r->more->decided);
		free(r->more->note);
		r->more->decided = r->more->note = NULL;
	}
	r->decision = id;
	r->verdict = 0;
	r->dscope = 0;
	if (!id)
		return;
	r->verdict = !strcmp(verdict, "set") ? 'o' : !strcmp(verdict, "self") ? 's' : 'c';
	if (provider)
		more_of(r)->decided = xstrdup(provider);
	if (note)
		more_of(r)->note = xstrdup(note);
	r->dscope = scope;
}

/* A row's standing decision, its strings taken from the row (which
 * keeps the rest as it is). */
static dstate take_decision(desk_row *r)
{
	dstate t = {r->decision, r->verdict, r->dscope, MORE(r, decided), MORE(r, note)};
	if (r->more)
		r->more->decided = r->more->note = NULL;
	return t;
}

/* Swap a row's standing decision with *o. */
static void swap_decision(desk_row *r, dstate *o)
{
	dstate t = take_decision(r);
	r->decision = o->id;
	r->verdict = o->verdict;
	r->dscope = o->dscope;
	if (o->decided || o->note) {
		more_of(r)->decided = o->decided;
		r->more->note = o->note;
	}
	*o = t;
}

/* Every row's standing decision, read again: the newest not undone about
 * its address, or about one of its MX hosts (an MX host's decision wins,
 * as infer applies them).  Decisions about domains change those domains'
 * answers, not the address's: the MX pane shows them. */
static int load_decisions(desk *d, char **err)
{
	d->reads++;
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].decision)
			set_decision(&d->rows[i], 0, NULL, NULL, NULL, 0);
	static const char *const sql[2] = {
		/* the table in id order (its key index, read for every address
		 * decision and sorted by id, takes three times as long) */
		"SELECT key, id, verdict, provider_id, note FROM correction NOT INDEXED WHERE scope = 'ip'"
		" AND undone_at IS NULL AND (snapshot IS NULL OR snapshot = ?1) AND ?2 = ?2 ORDER BY id",
		"SELECT m.ip, c.id, c.verdict, c.provider_id, c.note FROM correction c JOIN name n ON n.name = c.key"
		" JOIN f_mx_ip m ON m.snap = ?2 AND m.host = n.id WHERE c.scope = 'mx' AND c.undone_at IS NULL"
		" AND (c.snapshot IS NULL OR c.snapshot = ?1) ORDER BY c.id",
	};
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *s = store_prepare(d->st, sql[k], err);
		if (!s)
			return -1;
		store_bind_text(s, 1, d->snapshot);
		sqlite3_bind_int64(s, 2, store_snapshot_id(d->st, d->snapshot));
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			uint32_t i;
			if (k == 0) {
				i = find_row(d, (const char *)sqlite3_column_text(s, 0));
			} else {
				char ip[16];
				mx_ipv4_format((uint32_t)sqlite3_column_int64(s, 0), ip);
				i = find_row(d, ip);
			}
			if (i != UINT32_MAX) /* later ids win */
				set_decision(&d->rows[i], sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 2),
					     (const char *)sqlite3_column_text(s, 3), (const char *)sqlite3_column_text(s, 4),
					     k == 0 ? 'i' : 'm');
		}
		if (store_read_done(d->st, s, rc, err) < 0)
			return -1;
	}
	d->gen++;
	return 0;
}

/* Eval mode: every domain's standing label, read again (the newest not
 * undone). */
static int load_labels(desk *d, char **err)
{
	for (size_t i = 0; i < d->nrows; i++) {
		free(d->rows[i].sm->label);
		d->rows[i].sm->label = NULL;
		d->rows[i].sm->label_id = 0;
	}
	sqlite3_stmt *s = store_prepare(d->st, "SELECT domain, id, truth FROM label WHERE sample = ?1 AND undone_at IS NULL"
					       " ORDER BY id", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, d->sample);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t i = find_row(d, (const char *)sqlite3_column_text(s, 0));
		if (i == UINT32_MAX)
			continue;
		free(d->rows[i].sm->label);
		d->rows[i].sm->label = store_column_dup(s, 2);
		d->rows[i].sm->label_id = sqlite3_column_int64(s, 1);
	}
	d->gen++;
	return store_read_done(d->st, s, rc, err);
}

static int cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The snapshot's latest inference run (0: none). */
static int64_t last_run(desk *d)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT max(id) FROM run WHERE snapshot = ?1", NULL);
	if (!s)
		return 0;
	store_bind_text(s, 1, d->snapshot);
	int64_t id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return id;
}

/* What both modes of the desk start from. */
static desk *desk_new(store *st, const kb *k, const char *snapshot, const char *analyst, unsigned threshold)
{
	desk *d = xcalloc(1, sizeof *d);
	d->st = st;
	d->k = k;
	store_read_mostly(st); /* the same tables, key after key */
	snprintf(d->snapshot, sizeof d->snapshot, "%s", snapshot);
	d->analyst = xstrdup(correct_analyst(analyst)); /* as correct and label record it */
	d->threshold = threshold;
	d->ipmap = strmap_new();
	filter_free(&d->filter);
	filter_free(&d->next);
	d->run_id = last_run(d);
	char *what;
	desk_poll(d, &what); /* where the database stands now */
	free(what);
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
	/* Standing decisions, all at once (rows shown undecided would be
	 * decided twice). */
	if (load_decisions(d, err) < 0) {
		desk_free(d);
		return NULL;
	}
	d->vis = xcalloc(d->nrows, sizeof *d->vis);
	desk_show_all(d, false);
	return d;
}

/* The knowledge base's company names and provider IDs (not patterns). */
static void kb_words(const kb *k, strmap *w)
{
	for (size_t i = 0; k && i < k->ncompanies; i++) {
		strmap_intern(w, k->companies[i].name, NULL);
		for (size_t j = 0; j < k->companies[i].nids; j++)
			if (!strpbrk(k->companies[i].ids[j], "*?["))
				strmap_intern(w, k->companies[i].ids[j], NULL);
	}
}

/* The words of w, sorted, as the desk's completion words (w is freed). */
static void words_take(desk *d, strmap *w)
{
	d->nwords = strmap_size(w);
	d->words = xcalloc(d->nwords + 1, sizeof *d->words);
	for (size_t i = 0; i < d->nwords; i++)
		d->words[i] = xstrdup(strmap_key(w, (uint32_t)i));
	qsort(d->words, d->nwords, sizeof *d->words, cmp_words);
	d->have_words = true;
	strmap_free(w);
}

/* Completion words: company names and provider IDs, known and seen. */
static void build_words(desk *d)
{
	if (d->have_words)
		return;
	d->have_words = true;
	name_all(d);
	strmap *w = strmap_new();
	kb_words(d->k, w);
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].provider_id)
			strmap_intern(w, d->rows[i].provider_id, NULL);
	words_take(d, w);
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
	desk *d = desk_new(st, k, snap, analyst, INFER_THRESHOLD_DEFAULT);
	d->eval = true;
	d->sample = xstrdup(sample);
	d->all = true;
	store_bind_text(s, 1, sample);
	store_bind_text(s, 2, snap);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		desk_row *r = new_row(d, &cap);
		r->sm = xcalloc(1, sizeof *r->sm);
		r->ip = store_column_dup(s, 0);
		r->sm->pos = (uint32_t)sqlite3_column_int64(s, 1);
		for (int a = 0; a < 5; a++)
			r->sm->answers[a] = store_column_dup(s, 2 + a);
		r->provider_id = r->sm->answers[4] ? xstrdup(r->sm->answers[4]) : NULL;
		r->company_lc = lower_dup(r->provider_id); /* eval answers are companies */
		r->own_company = true;
		r->sm->examined = sqlite3_column_int(s, 7);
		r->heuristic = r->sm->examined ? xstrdup("examined") : NULL;
		more_of(r)->hosts = store_column_dup(s, 8);
		r->candidate = true;
		strmap_intern(d->ipmap, r->ip, NULL);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || d->nrows == 0) {
		*err = rc != SQLITE_DONE ? xasprintf("database error: %s", sqlite3_errmsg(store_db(st)))
					 : xasprintf("sample '%s' has no domains", sample);
		desk_free(d);
		return NULL;
	}
	if (load_labels(d, err) < 0) {
		desk_free(d);
		return NULL;
	}
	/* completion: the approaches' names, companies and provider IDs (the
	 * knowledge base's and those in the sample's answers) */
	strmap *w = strmap_new();
	for (int a = 0; a < 5; a++)
		strmap_intern(w, eval_approach_names[a], NULL);
	kb_words(k, w);
	for (size_t i = 0; i < d->nrows; i++)
		for (int a = 0; a < 5; a++) {
			char *ans = d->rows[i].sm->answers[a] ? xstrdup(d->rows[i].sm->answers[a]) : NULL;
			for (char *save = NULL, *t = ans ? strtok_r(ans, ";", &save) : NULL; t; t = strtok_r(NULL, ";", &save))
				strmap_intern(w, t, NULL);
			free(ans);
		}
	words_take(d, w);
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

static void step_free(step *st)
{
	for (size_t k = 0; st->other && k < st->n; k++) {
		free(st->other[k].decided);
		free(st->other[k].note);
	}
	free(st->other);
	free(st->rows);
	free(st->ids);
	memset(st, 0, sizeof *st);
}

static void stack_clear(stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		step_free(&s->s[i]);
	s->n = 0;
}

void desk_free(desk *d)
{
	if (!d)
		return;
	if (d->wait_hook) { /* the store's own limit again (5 s), and SQLite's checkpoints */
		sqlite3_busy_timeout(store_db(d->st), 5000);
		sqlite3_wal_autocheckpoint(store_db(d->st), 1000);
	}
	for (size_t i = 0; i < d->nrows; i++)
		row_free(&d->rows[i]);
	free(d->rows);
	for (size_t i = 0; i < d->nco; i++) {
		free(d->co[i].company);
		free(d->co[i].lower);
	}
	free(d->co);
	strmap_free(d->ipmap);
	free(d->want);
	free(d->vis);
	free(d->analyst);
	free(d->sample);
	stack_clear(&d->undo);
	stack_clear(&d->redo);
	free(d->undo.s);
	free(d->redo.s);
	match_free(&d->smatch);
	for (int k = 0; k < 2; k++) {
		match_free(&d->fmatch[k]);
		match_free(&d->nmatch[k]);
	}
	filter_free(&d->filter);
	filter_free(&d->next);
	for (size_t i = 0; i < d->nwords; i++)
		free(d->words[i]);
	free(d->words);
	free(d);
}

unsigned desk_generation(const desk *d)
{
	return d->gen;
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

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Whether needle (lower case) is at h, ASCII letters in either case: a
 * filter or a search looks at every row, so no call per byte.  A string
 * that ends before needle does not match (its NUL differs). */
static inline bool ci_at(const unsigned char *h, const char *needle)
{
	for (size_t k = 0; needle[k]; k++)
		if (ascii_lower(h[k]) != (unsigned char)needle[k])
			return false;
	return true;
}

/* Whether hay[0..n) holds needle. */
static bool ci_mem(const void *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const unsigned char *h = hay;
	if (m == 0)
		return true;
	for (size_t i = 0; i + m <= n; i++) /* the first byte before the call */
		if (ascii_lower(h[i]) == (unsigned char)needle[0] && ci_at(h + i + 1, needle + 1))
			return true;
	return false;
}

/* Whether the string hay (NULL: none) holds needle. */
static bool ci_contains(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	unsigned char c0 = (unsigned char)needle[0];
	if (!c0)
		return true;
	for (const unsigned char *h = (const unsigned char *)hay; *h; h++)
		if (ascii_lower(*h) == c0 && ci_at(h + 1, needle + 1))
			return true;
	return false;
}

/* Whether a heuristic fired on the row (eval mode: it sent the domain to
 * review); its name may not be read yet. */
static bool fired(const desk_row *r)
{
	return r->flagged || r->heuristic;
}

/* Done with: labelled in eval mode, decided otherwise. */
static bool row_decided(const desk *d, const desk_row *r)
{
	return d->eval ? r->sm->label != NULL : r->decision != 0;
}

/* Whether the row's heuristic is the kind a filter names: asn
 * (as-mismatch), suggest (as-suggestion), hostname (hostname-*), or a
 * heuristic's own name. */
static bool heuristic_is(const char *h, const char *kind)
{
	if (!h)
		return false;
	if (!strcmp(kind, "asn"))
		return !strcmp(h, "as-mismatch");
	if (!strcmp(kind, "suggest"))
		return !strcmp(h, "as-suggestion");
	if (!strcmp(kind, "hostname"))
		return !strncmp(h, "hostname", 8);
	return !strcmp(h, kind);
}

/* Which rows a company filter keeps, a byte a row: the text in the row's
 * company or its provider ID.  The rows share their companies (the
 * answers' table), so each company is looked at once (a small cache by
 * address); the provider IDs lie anywhere in memory, and each is read
 * ahead.  company=google on every row (v), alternating runs: at 10M
 * domains (2.5M rows) 91-94 ms against 324-333 ms with both looked at in
 * each row's turn, and tolower() and strncasecmp() calls a byte; at 1M
 * 11-15 ms against 23-26 ms. */
static uint8_t *company_hits(const desk *d, const char *needle)
{
	enum { AHEAD = 16, MEMO = 256 };
	uint8_t *hit = xmalloc(d->nrows + 1);
	struct {
		const char *s;
		bool m;
	} memo[MEMO];
	memset(memo, 0, sizeof memo);
	for (size_t i = 0; i < d->nrows; i++) {
		if (i + AHEAD < d->nrows && d->rows[i + AHEAD].provider_id)
			__builtin_prefetch(d->rows[i + AHEAD].provider_id);
		const desk_row *r = &d->rows[i];
		bool m = false;
		if (!d->all && !r->candidate) { /* not shown in any case */
			hit[i] = 0;
			continue;
		}
		if (r->company) {
			size_t h = ((uintptr_t)r->company >> 4) % MEMO;
			if (memo[h].s != r->company) {
				memo[h].s = r->company;
				memo[h].m = ci_contains(r->company, needle);
			}
			m = memo[h].m;
		}
		hit[i] = m || ci_contains(r->provider_id, needle);
	}
	return hit;
}

/* company: company_hits' answer when the filter has a company term. */
static bool visible_row(const desk *d, size_t i, const uint8_t *company)
{
	const desk_row *r = &d->rows[i];
	if (!d->all && !r->candidate)
		return false;
	const desk_filter *f = &d->filter;
	if (f->heuristic && !heuristic_is(r->heuristic, f->heuristic))
		return false;
	if (f->asn >= 0 && r->asn != (uint32_t)f->asn)
		return false;
	if (f->cert && !d->fmatch[0].hit[i])
		return false;
	if (f->banner && !d->fmatch[1].hit[i])
		return false;
	if (f->company && !company[i])
		return false;
	if (f->source && (!r->source || strcasecmp(infer_source_name(r->source), f->source)))
		return false;
	if (f->flag >= 0 && fired(r) != (f->flag == 1))
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
	return fired(r) ? 0 : 1;
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
			c = (x->sm->pos > y->sm->pos) - (x->sm->pos < y->sm->pos);
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

/* Numeric sorts: each row as up to three integer keys and its index,
 * sorted by radix (linear: a quarter of a million rows in a few
 * milliseconds); an inverted sort complements the keys. */
static bool packed_sort(desk *d)
{
	if (d->eval || d->sort == SORT_PROVIDER)
		return false;
	uint32_t (*k)[4] = xmalloc((d->nvis + 1) * sizeof *k);
	int nkeys = 1;
	for (size_t i = 0; i < d->nvis; i++) {
		const desk_row *r = &d->rows[d->vis[i]];
		uint32_t notdom = UINT32_MAX - r->domains, key[3] = {r->ipnum, 0, 0};
		switch (d->sort) {
		case SORT_CONFIDENCE: key[0] = r->confidence; key[1] = notdom; key[2] = r->ipnum; nkeys = 3; break;
		case SORT_DOMAINS: key[0] = notdom; key[1] = r->ipnum; nkeys = 2; break;
		case SORT_ASN: key[0] = r->asn; key[1] = r->ipnum; nkeys = 2; break;
		case SORT_STATUS: key[0] = (uint32_t)status_rank(d, r); key[1] = r->ipnum; nkeys = 2; break;
		default: break;
		}
		for (int j = 0; j < 3; j++)
			k[i][j] = d->inverted ? ~key[j] : key[j];
		k[i][3] = (uint32_t)d->vis[i];
	}
	mx_sort_u32x4(k, d->nvis, nkeys);
	for (size_t i = 0; i < d->nvis; i++)
		d->vis[i] = k[i][3];
	free(k);
	return true;
}

/* What of every row a filter reads that is not read yet, the first of
 * them: a filter by AS or source reads every row's codes, by company its
 * provider ID, by heuristic every flagged row's heuristic. */
enum need { NEED_NOTHING, NEED_CODES, NEED_NAMES, NEED_HEURISTICS };

static enum need filter_needs(const desk *d, const desk_filter *f)
{
	if (d->eval)
		return NEED_NOTHING;
	if ((f->asn >= 0 || f->source) && !d->all_ev)
		return NEED_CODES;
	if (f->company && !d->all_named)
		return NEED_NAMES;
	if (f->heuristic && !d->all_heur)
		return NEED_HEURISTICS;
	return NEED_NOTHING;
}

static void rebuild(desk *d)
{
	/* sorting by provider reads every row's names, by AS every row's
	 * codes; the filter what filter_needs says (filter_step reads it a
	 * slice at a time before the filter is applied) */
	if (d->sort == SORT_PROVIDER)
		name_all(d);
	if (d->sort == SORT_ASN)
		ev_all(d);
	for (enum need n; (n = filter_needs(d, &d->filter)) != NEED_NOTHING;) {
		if (n == NEED_CODES)
			ev_all(d);
		else if (n == NEED_NAMES)
			name_all(d);
		else
			heuristics_all(d);
	}
	d->nvis = 0;
	uint8_t *company = d->filter.company ? company_hits(d, d->filter.company) : NULL;
	for (size_t i = 0; i < d->nrows; i++)
		if (visible_row(d, i, company))
			d->vis[d->nvis++] = i;
	free(company);
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

static void filter_free(desk_filter *f)
{
	free(f->company);
	free(f->source);
	free(f->heuristic);
	free(f->cert);
	free(f->banner);
	memset(f, 0, sizeof *f);
	f->flag = f->reviewed = -1;
	f->asn = -1;
}

/* One term of a filter onto f: false with *why (static) when bad. */
static bool filter_term(desk_filter *f, const char *key, const char *val, const char **why)
{
	char **text = !strcmp(key, "company") ? &f->company : !strcmp(key, "cert") ? &f->cert
		    : !strcmp(key, "banner") ? &f->banner : NULL;
	if (text) {
		free(*text);
		*text = lower_dup(val);
	} else if (!strcmp(key, "source")) {
		if (strcmp(val, "cert") && strcmp(val, "banner") && strcmp(val, "mx") && strcmp(val, "correction")) {
			*why = "source is cert, banner, mx or correction";
			return false;
		}
		free(f->source);
		f->source = xstrdup(val);
	} else if (!strcmp(key, "heuristic")) {
		if (strcmp(val, "asn") && strcmp(val, "suggest") && strcmp(val, "hostname") && strcmp(val, "as-mismatch") &&
		    strcmp(val, "as-suggestion") && strcmp(val, "hostname-vps") && strcmp(val, "hostname-unknown")) {
			*why = "heuristic is asn, suggest or hostname (or a heuristic's name)";
			return false;
		}
		free(f->heuristic);
		f->heuristic = xstrdup(val);
	} else if (!strcmp(key, "asn")) {
		uint64_t n;
		const char *v = !strncasecmp(val, "as", 2) ? val + 2 : val;
		if (!mx_parse_u64(v, &n) || n > UINT32_MAX) {
			*why = "asn is a number (AS15169 or 15169)";
			return false;
		}
		f->asn = (int64_t)n;
	} else if (!strcmp(key, "flag")) {
		if (strcmp(val, "yes") && strcmp(val, "no")) {
			*why = "flag is yes or no";
			return false;
		}
		f->flag = !strcmp(val, "yes");
	} else if (!strcmp(key, "status")) {
		if (strcmp(val, "reviewed") && strcmp(val, "pending")) {
			*why = "status is reviewed or pending";
			return false;
		}
		f->reviewed = !strcmp(val, "reviewed");
	} else {
		*why = "filters are company=, source=, flag=, status=, heuristic=, asn=, cert=, banner=";
		return false;
	}
	if (text && !**text) {
		*why = "a filter's text cannot be empty";
		return false;
	}
	return true;
}

/* One slice of what the waiting filter d->next reads of every row before
 * it can be applied (a filter by company reads every row's provider ID;
 * by heuristic, every flagged row's heuristic; by AS or source, every
 * row's codes), then of its evidence matches (cert=, banner=): true when
 * all of it is read.  At ten million domains that is seconds of work,
 * which keys must not wait for. */
static bool filter_step(desk *d)
{
	switch (filter_needs(d, &d->next)) {
	case NEED_CODES: ev_step(d, slice(d, 16384)); break;
	case NEED_NAMES: name_step(d, slice(d, 8192)); break;
	case NEED_HEURISTICS: heur_step(d, slice(d, 1024)); break;
	case NEED_NOTHING: break;
	}
	return filter_needs(d, &d->next) == NEED_NOTHING && match_step(d, &d->nmatch[0]) &&
	       match_step(d, &d->nmatch[1]);
}

/* Apply d->next (the filter waiting for its evidence): the view follows. */
static void filter_apply(desk *d)
{
	filter_free(&d->filter);
	d->filter = d->next;
	memset(&d->next, 0, sizeof d->next); /* d->filter owns its texts now */
	filter_free(&d->next);
	for (int k = 0; k < 2; k++) {
		match_free(&d->fmatch[k]);
		d->fmatch[k] = d->nmatch[k];
		memset(&d->nmatch[k], 0, sizeof d->nmatch[k]);
	}
	d->filter_waits = false;
	rebuild(d);
}

bool desk_set_filter(desk *d, const char *text, const char **why)
{
	desk_filter f;
	memset(&f, 0, sizeof f);
	filter_free(&f);
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
		if (!filter_term(&f, key, val, why)) {
			filter_free(&f);
			sb_free(&canon);
			return false;
		}
		sb_addf(&canon, "%s%s=%s", canon.len ? " " : "", key, val);
	}
	snprintf(d->filter_text, sizeof d->filter_text, "%s", canon.data);
	sb_free(&canon);
	/* the evidence terms' rows are worked out first (a slice at a time:
	 * at a million domains it is a pass over every banner); the view
	 * changes when they are known */
	filter_free(&d->next);
	d->next = f;
	match_start(d, &d->nmatch[0], f.cert, EV_CERT);
	match_start(d, &d->nmatch[1], f.banner, EV_BANNER);
	d->filter_waits = true;
	if (filter_step(d))
		filter_apply(d);
	return true;
}

/* How far the rows' data a waiting filter reads is: 0-100. */
static int rows_percent(const desk *d)
{
	switch (filter_needs(d, &d->next)) {
	case NEED_CODES: return (int)(100 * d->ev_at / (d->nrows ? d->nrows : 1));
	case NEED_NAMES: return d->nwant ? (int)(100 * d->want_at / d->nwant) : 0;
	case NEED_HEURISTICS: return (int)(100 * d->heur_at / (d->nrows ? d->nrows : 1));
	case NEED_NOTHING: break;
	}
	return 100;
}

bool desk_filter_pending(const desk *d, int *percent)
{
	if (percent) {
		int rows = rows_percent(d);
		*percent = rows < 100 ? rows / 2
				      : 50 + (match_percent(d, &d->nmatch[0]) + match_percent(d, &d->nmatch[1])) / 4;
	}
	return d->filter_waits;
}

const char *desk_filter_text(const desk *d)
{
	return d->filter_text;
}

/* ---- matching the evidence -------------------------------------------- */

static void match_free(match *m)
{
	free(m->text);
	free(m->hit);
	memset(m, 0, sizeof *m);
}

/* Begin matching `text` (NULL: nothing to match) in the evidence fields
 * (EV_*) of every row; match_step does the work. */
static void match_start(desk *d, match *m, const char *text, unsigned fields)
{
	match_free(m);
	if (!text)
		return;
	m->text = lower_dup(text);
	m->todo = fields;
	m->hit = xcalloc(d->nrows + 1, 1);
	m->at = -1;
}

static bool match_ready(const match *m)
{
	return !m->text || !m->todo;
}

static int match_percent(const desk *d, const match *m)
{
	if (match_ready(m))
		return 100;
	/* the scans phase is the long one: where its pass is, by row */
	if (!(m->todo & (EV_BANNER | EV_CERT)) || m->at < 0 || !d->nrows)
		return 0;
	uint32_t ip = (uint32_t)m->at;
	size_t lo = 0, hi = d->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->rows[mid].ipnum <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)(100 * lo / d->nrows);
}

/* Mark the row of address ip. */
static void hit_ip(desk *d, match *m, uint32_t ip)
{
	char buf[16];
	mx_ipv4_format(ip, buf);
	uint32_t i = find_row(d, buf);
	if (i != UINT32_MAX)
		m->hit[i] = 1;
}

/* The rows serving domain m->text (named exactly): whether there are. */
static bool match_domain(desk *d, match *m, int64_t snap)
{
	char name[MX_NAME_MAX + 2];
	if (mx_name_norm(m->text, strlen(m->text), name) || !strchr(name, '.'))
		return false;
	sqlite3_stmt *s = store_prepare(d->st, "SELECT DISTINCT m.ip FROM f_primary_mx p CROSS JOIN f_mx_ip m"
					       " ON m.snap = p.snap AND m.host = p.host"
					       " WHERE p.snap = ?1 AND p.domain = (SELECT id FROM name WHERE name = ?2)", NULL);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, snap);
	store_bind_text(s, 2, name);
	bool any = false;
	while (sqlite3_step(s) == SQLITE_ROW) {
		hit_ip(d, m, (uint32_t)sqlite3_column_int64(s, 0));
		any = true;
	}
	sqlite3_reset(s);
	return any;
}

/* One slice of the primary MX hosts whose name holds the text: true when
 * the pass is over. */
static bool match_hosts(desk *d, match *m, int64_t snap)
{
	/* +h.host: the addresses by host (not a range from ?2 per host) */
	sqlite3_stmt *s = store_prepare(d->st, "SELECT h.host, m.ip, instr(n.name, ?3) FROM f_host_ev h"
					       " CROSS JOIN name n ON n.id = h.host CROSS JOIN f_mx_ip m ON m.snap = h.snap"
					       " AND m.host = +h.host WHERE h.snap = ?1 AND h.host > ?2 ORDER BY h.host"
					       " LIMIT 20000", NULL);
	if (!s)
		return true;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int64(s, 2, m->at);
	store_bind_text(s, 3, m->text);
	size_t n = 0;
	int64_t whole = m->at, host = -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		n++;
		int64_t h = sqlite3_column_int64(s, 0);
		if (h != host && host >= 0)
			whole = host; /* every address of the host before is read */
		host = h;
		if (sqlite3_column_int(s, 2))
			hit_ip(d, m, (uint32_t)sqlite3_column_int64(s, 1));
	}
	sqlite3_reset(s);
	d->work += n + 1;
	if (n < 20000)
		return true;
	/* the slice may have cut the last host's addresses: it is read again
	 * (a host with 20000 addresses in one slice: on past it) */
	m->at = whole == m->at ? host : whole;
	return false;
}

/* One slice of the scans (banner and EHLO, certificate names): true when
 * the pass is over. */
static bool match_scans(desk *d, match *m, int64_t snap)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT c.ip, c.banner, " STORE_SCAN_EHLO("c", "r") ", c.cert_cn,"
					       " c.cert_names FROM f_scan c LEFT JOIN scan_text r ON r.id = c.ehlo_rest"
					       " WHERE c.snap = ?1 AND c.ip > ?2 ORDER BY c.ip LIMIT 10000", NULL);
	if (!s)
		return true;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int64(s, 2, m->at);
	size_t n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		n++;
		m->at = sqlite3_column_int64(s, 0);
		bool hit = false;
		for (int c = 1; c <= 4 && !hit; c++) {
			if (!(m->todo & (c <= 2 ? EV_BANNER : EV_CERT)))
				continue;
			const void *b = sqlite3_column_blob(s, c);
			hit = b && ci_mem(b, (size_t)sqlite3_column_bytes(s, c), m->text);
		}
		if (hit)
			hit_ip(d, m, (uint32_t)m->at);
	}
	sqlite3_reset(s);
	d->work += 2 * n + 1; /* text: twice a host row's cost */
	return n < 10000;
}

/* The rows in an AS whose name or organisation holds the text. */
static void match_asnames(desk *d, match *m)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT o.asn FROM as_org o LEFT JOIN org g ON g.org_id = o.org_id"
					       " WHERE instr(lower(o.aut_name), ?1) OR instr(lower(g.org_name), ?1)", NULL);
	if (!s)
		return;
	store_bind_text(s, 1, m->text);
	u32vec asns;
	memset(&asns, 0, sizeof asns);
	while (sqlite3_step(s) == SQLITE_ROW)
		u32vec_push(&asns, (uint32_t)sqlite3_column_int64(s, 0));
	sqlite3_reset(s);
	if (asns.n) {
		ev_all(d);
		mx_sort(asns.v, asns.n, sizeof *asns.v, mx_cmp_u32);
		for (size_t i = 0; i < d->nrows; i++) {
			size_t k = d->rows[i].asn ? mx_lower_bound(asns.v, asns.n, d->rows[i].asn) : asns.n;
			if (k < asns.n && asns.v[k] == d->rows[i].asn)
				m->hit[i] = 1;
		}
	}
	free(asns.v);
}

/* One slice of a match (tens of milliseconds at a million domains); true
 * when it is complete. */
static bool match_step(desk *d, match *m)
{
	if (match_ready(m))
		return true;
	int64_t snap = store_snapshot_id(d->st, d->snapshot);
	static const unsigned order[] = {EV_DOMAIN, EV_ASNAME, EV_HOSTS, EV_SCANS};
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		unsigned ph = order[k];
		if (!(m->todo & ph))
			continue;
		bool done = true;
		if (ph == EV_DOMAIN && match_domain(d, m, snap))
			m->todo = 0; /* a domain named exactly: its rows, not text in the evidence */
		else if (ph == EV_ASNAME)
			match_asnames(d, m);
		else if (ph == EV_HOSTS)
			done = match_hosts(d, m, snap);
		else
			done = match_scans(d, m, snap);
		if (done) {
			m->todo &= ~ph;
			m->at = -1;
		}
		return match_ready(m);
	}
	return true;
}

/* ---- search ----------------------------------------------------------- */

/* p is lower case; names in rows are normalised (lower case) already.  A
 * row matches on its address, host names, provider ID, company, heuristic,
 * or (smatch) the evidence: banner, EHLO, certificate names, AS name, the
 * heuristic's reason, a domain it serves. */
static bool row_matches(desk *d, size_t i, const char *p)
{
	const desk_row *r = &d->rows[i];
	const char *hosts = MORE(r, hosts), *reason = MORE(r, reason);
	return strstr(r->ip, p) || (hosts && strstr(hosts, p)) || (r->provider_id && strstr(r->provider_id, p)) ||
	       (r->company_lc && strstr(r->company_lc, p)) || (r->heuristic && strstr(r->heuristic, p)) ||
	       (reason && ci_mem(reason, strlen(reason), p)) || (d->smatch.hit && d->smatch.hit[i]);
}

/* The evidence match of a search pattern, begun unless it is the one
 * kept from the last search.  Eval mode's rows are domains: their hosts
 * and the domain named exactly. */
static void search_begin(desk *d, const char *pattern)
{
	char *lc = lower_dup(pattern);
	bool same = d->smatch.text && !strcmp(d->smatch.text, lc);
	free(lc);
	if (!same)
		match_start(d, &d->smatch, pattern, d->eval ? 0 : EV_ALL);
}

static bool search_ready(const desk *d)
{
	return (d->eval || (d->all_named && d->all_heur)) && match_ready(&d->smatch);
}

/* How far a search's work is: the flagged rows' heuristics, the rows'
 * names, then the evidence (0-100). */
static int search_percent(const desk *d)
{
	if (!d->eval && !d->all_heur)
		return d->nrows ? (int)(20 * d->heur_at / d->nrows) : 0;
	if (!d->eval && !d->all_named)
		return 20 + (d->nwant ? (int)(30 * d->want_at / d->nwant) : 0);
	return (d->eval ? 0 : 50) + match_percent(d, &d->smatch) / (d->eval ? 1 : 2);
}

/* One slice of a search's work: the rows' names first, then the evidence. */
static void search_slice(desk *d)
{
	if (!d->eval && !d->all_heur)
		heur_step(d, slice(d, 1024));
	else if (!d->eval && !d->all_named)
		name_step(d, slice(d, 8192));
	else
		match_step(d, &d->smatch);
}

/* The visible row after (dir 1) or before (-1) `from` that matches,
 * wrapping; -1 when none. */
static long search_scan(desk *d, const char *pattern, size_t from, int dir, bool *wrapped)
{
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

long desk_search(desk *d, const char *pattern, size_t from, int dir, bool *wrapped)
{
	*wrapped = false;
	if (!pattern || !*pattern || d->nvis == 0)
		return -1;
	search_begin(d, pattern);
	while (!search_ready(d))
		search_slice(d);
	return search_scan(d, pattern, from, dir, wrapped);
}

void desk_counts(const desk *d, size_t *reviewed, size_t *remaining, size_t *flagged)
{
	/* a pass over every row (30 ms at ten million domains, on every
	 * screen drawn): kept until a decision, a label or a refresh changes
	 * what rows show (d->gen) */
	desk *m = (desk *)d; /* the cache: logically const */
	if (!m->counts_ok || m->counts_gen != d->gen || m->counts_rows != d->nrows) {
		size_t c[3] = {0, 0, 0};
		for (size_t i = 0; i < d->nrows; i++) {
			const desk_row *r = &d->rows[i];
			if (!d->eval && !r->candidate)
				continue;
			c[row_decided(d, r) ? 0 : 1]++;
			if (fired(r))
				c[2]++;
		}
		memcpy(m->counts, c, sizeof c);
		m->counts_ok = true;
		m->counts_gen = d->gen;
		m->counts_rows = d->nrows;
	}
	*reviewed = d->counts[0];
	*remaining = d->counts[1];
	*flagged = d->counts[2];
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

/* SQLite's busy handler while the desk holds the database: another process
 * writing (an import, another desk) makes a write wait, never fail; the UI
 * is told every 200 ms so that the wait shows.  The only way a decision is
 * refused is an error that is not a lock. */
static int busy_wait(void *arg, int count)
{
	desk *d = arg;
	if (d->wait_hook && count % 4 == 0)
		d->wait_hook(d->wait_arg, (unsigned)count * 50);
	sqlite3_sleep(50);
	return 1;
}

void desk_set_wait_hook(desk *d, void (*hook)(void *arg, unsigned ms), void *arg)
{
	d->wait_hook = hook;
	d->wait_arg = arg;
	sqlite3_busy_handler(store_db(d->st), busy_wait, d);
	/* no checkpoint (a write of the whole WAL into the database, and a
	 * sync) in the middle of a key: the WAL is written back when the desk
	 * closes the database */
	sqlite3_wal_autocheckpoint(store_db(d->st), 0);
}

/* Begin a write: the database's write lock first (BEGIN IMMEDIATE, which
 * waits in busy_wait while another process holds it), so that nothing in
 * the write can meet a lock halfway.  Inside a transaction someone else
 * opened (a test's), a savepoint of it. */
static int write_begin(desk *d, char **err)
{
	d->own_txn = sqlite3_get_autocommit(store_db(d->st)) != 0;
	if (d->own_txn && store_exec(d->st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (store_begin(d->st, err) < 0) {
		if (d->own_txn)
			store_exec(d->st, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

/* End a write begun with write_begin: keep all of it (rc 0) or none. */
static int write_end(desk *d, int rc, char **err)
{
	if (rc == 0 && store_commit(d->st, err) < 0)
		rc = -1;
	if (rc < 0)
		store_rollback(d->st);
	if (d->own_txn) {
		if (rc == 0 && store_exec(d->st, "COMMIT", err) < 0)
			rc = -1;
		if (rc < 0 && !sqlite3_get_autocommit(store_db(d->st)))
			sqlite3_exec(store_db(d->st), "ROLLBACK", NULL, NULL, NULL);
	}
	if (rc == 0)
		d->gen++;
	return rc;
}

/* A step written: the new top of the undo stack (a new step forgets what
 * could be redone). */
static void record_step(desk *d, step st)
{
	if (!st.n) {
		step_free(&st);
		return;
	}
	st.reads = d->reads;
	push(&d->undo, st);
	stack_clear(&d->redo);
	d->session_written += st.n;
}

/* What a decision writes for one row: its request (with the note it
 * gets), or nothing (accept or reject on a row with no heuristic). */
static bool row_request(desk *d, desk_row *r, char verdict, const char *pid, const char *note, correct_req *q,
			char **autonote)
{
	*q = (correct_req){"ip", r->ip, d->snapshot, "confirm", NULL, d->analyst, note};
	*autonote = NULL;
	switch (verdict) {
	case 'c':
		return true;
	case 's':
		q->verdict = "self";
		return true;
	case 'o':
		q->verdict = "set";
		q->provider_id = pid;
		return true;
	case 'a':
		if (!fired(r))
			return false; /* nothing to accept on this row */
		row_detail(d, r);
		/* pin what the heuristic proposes (it may only have flagged) */
		if (MORE(r, suggested)) {
			q->verdict = "set";
			q->provider_id = MORE(r, suggested);
		}
		*autonote = xasprintf("heuristic %s accepted%s%s", r->heuristic, note ? ": " : "", note ? note : "");
		q->note = *autonote;
		return true;
	case 'r':
		row_detail(d, r);
		if (!fired(r) || !MORE(r, priority_id))
			return false;
		q->verdict = "set";
		q->provider_id = MORE(r, priority_id);
		*autonote = xasprintf("heuristic %s rejected%s%s", r->heuristic, note ? ": " : "", note ? note : "");
		q->note = *autonote;
		return true;
	}
	return false;
}

/* The verdict checked, and for 'o' the provider ID it sets into pid (a
 * company stands for its first ID).  0, or -1 with *err. */
static int verdict_pid(desk *d, char verdict, const char *provider, char pid[MX_NAME_MAX + 2], char **err)
{
	pid[0] = '\0';
	if (!verdict || !strchr("csoar", verdict)) {
		*err = xasprintf("unknown verdict '%c'", verdict);
		return -1;
	}
	if (verdict != 'o')
		return 0;
	if (!provider || !*provider) {
		*err = xstrdup("no provider given");
		return -1;
	}
	const kb_company *co = d->k ? kb_company_named(d->k, provider) : NULL;
	return correct_provider(co ? co->ids[0] : provider, pid, err);
}

typedef struct {
	int64_t id;
	size_t k;
} idrow;

static int cmp_idrow(const void *a, const void *b)
{
	const idrow *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

int desk_decide(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, const char *note,
		char **err)
{
	char pid[MX_NAME_MAX + 2];
	if (verdict_pid(d, verdict, provider, pid, err) < 0)
		return -1;
	/* one request per row (rows where there is nothing to do are left out) */
	correct_req *q = xcalloc(n + 1, sizeof *q);
	char **notes = xcalloc(n + 1, sizeof *notes);
	size_t *which = xcalloc(n + 1, sizeof *which), m = 0;
	for (size_t k = 0; k < n; k++)
		if (row_request(d, &d->rows[rows[k]], verdict, pid, note, &q[m], &notes[m]))
			which[m++] = rows[k];
	int64_t *ids = xcalloc(m + 1, sizeof *ids);
	int rc = m ? write_begin(d, err) : 0;
	if (m && rc == 0)
		rc = write_end(d, correct_add_many(d->st, q, m, ids, err), err);
	if (rc == 0) {
		/* the rows show what was written, at once; the step keeps what
		 * they showed before, by id (the order of the keys: a redo
		 * writes them in that order, each at the end of the index) */
		step st = {xcalloc(m + 1, sizeof(int64_t)), m, xcalloc(m + 1, sizeof(uint32_t)),
			   xcalloc(m + 1, sizeof(dstate)), 0};
		idrow *order = xmalloc((m + 1) * sizeof *order);
		for (size_t k = 0; k < m; k++)
			order[k] = (idrow){ids[k], k};
		mx_sort(order, m, sizeof *order, cmp_idrow);
		for (size_t j = 0; j < m; j++) {
			size_t k = order[j].k;
			desk_row *r = &d->rows[which[k]];
			st.ids[j] = ids[k];
			st.rows[j] = (uint32_t)which[k];
			st.other[j] = take_decision(r);
			set_decision(r, ids[k], q[k].verdict,
				     !strcmp(q[k].verdict, "set") ? (verdict == 'o' ? pid : q[k].provider_id) : NULL,
				     q[k].note && *q[k].note ? q[k].note : NULL, 'i');
		}
		free(order);
		record_step(d, st);
	}
	free(ids);
	for (size_t k = 0; k < m; k++)
		free(notes[k]);
	free(notes);
	free(q);
	free(which);
	return rc < 0 ? -1 : (int)m;
}

int desk_note(desk *d, size_t row, const char *note, char **err)
{
	desk_row *r = &d->rows[row];
	if (!r->decision || r->dscope != 'i') {
		*err = xstrdup(r->decision ? "the decision is about an MX host: add notes with 'mxray correct'"
					   : "decide first (c, o, s, a or r), then add a note");
		return -1;
	}
	char v = r->verdict;
	char *prov = MORE(r, decided) ? xstrdup(MORE(r, decided)) : NULL;
	int rc = desk_decide(d, &row, 1, v, prov, note, err);
	free(prov);
	return rc;
}

/* The answer a decision gives a row's domains (NULL: it leaves the
 * answer as it is: a confirmation, or nothing to do on the row). */
static const char *new_answer(desk *d, desk_row *r, char verdict, const char *pid)
{
	if (verdict == 'o')
		return pid;
	if (verdict == 'c')
		return NULL;
	row_detail(d, r);
	if (verdict == 's')
		return MORE(r, self_id);
	if (!r->heuristic)
		return NULL;
	return verdict == 'a' ? MORE(r, suggested) : MORE(r, priority_id);
}

/* The names of what a row's decision at a wider scope is about: its
 * address's primary MX hosts ('m'), or their domains ('d'), into w. */
static int scope_keys(desk *d, const desk_row *r, char scope, strmap *w, char **err)
{
	sqlite3_stmt *s = store_prepare(d->st, scope == 'm' ?
		"SELECT n.name FROM f_mx_ip m CROSS JOIN f_host_ev h ON h.snap = m.snap AND h.host = m.host"
		" CROSS JOIN name n ON n.id = m.host WHERE m.snap = ?1 AND m.ip = ?2" :
		"SELECT DISTINCT n.name FROM f_mx_ip m CROSS JOIN f_primary_mx p ON p.snap = m.snap AND p.host = m.host"
		" CROSS JOIN name n ON n.id = p.domain WHERE m.snap = ?1 AND m.ip = ?2", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
	sqlite3_bind_int64(s, 2, r->ipnum);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && strmap_size(w) <= DESK_SCOPE_MAX)
		strmap_intern(w, (const char *)sqlite3_column_text(s, 0), NULL);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE; /* enough: more than the limit */
	return store_read_done(d->st, s, rc, err);
}

int desk_decide_scope(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, const char *note,
		      char scope, char **err)
{
	if (scope != 'm' && scope != 'd')
		return desk_decide(d, rows, n, verdict, provider, note, err);
	char pid[MX_NAME_MAX + 2];
	if (verdict_pid(d, verdict, provider, pid, err) < 0)
		return -1;
	/* the hosts (domains) of every row, each once, with the verdict the
	 * row gives them */
	strmap *w = strmap_new();
	correct_req *q = NULL;
	char **notes = NULL;
	size_t m = 0, cap = 0;
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		desk_row *r = &d->rows[rows[k]];
		correct_req one;
		char *autonote;
		if (!row_request(d, r, verdict, pid, note, &one, &autonote))
			continue;
		size_t before = strmap_size(w);
		rc = scope_keys(d, r, scope, w, err);
		if (rc == 0 && strmap_size(w) > DESK_SCOPE_MAX) {
			*err = xasprintf("that is over %d %s: decide per address (or on fewer rows)", DESK_SCOPE_MAX,
					 scope == 'm' ? "MX hosts" : "domains");
			rc = -1;
		}
		for (size_t i = before; rc == 0 && i < strmap_size(w); i++) {
			if (m == cap) {
				cap = cap ? cap * 2 : 64;
				q = xrealloc(q, cap * sizeof *q);
				notes = xrealloc(notes, cap * sizeof *notes);
			}
			q[m] = one;
			q[m].scope = scope == 'm' ? "mx" : "domain";
			q[m].key = strmap_key(w, (uint32_t)i);
			notes[m] = autonote ? xstrdup(autonote) : NULL;
			if (autonote)
				q[m].note = notes[m];
			m++;
		}
		free(autonote);
	}
	step st = {xcalloc(m + 1, sizeof(int64_t)), 0, NULL, NULL, 0};
	if (rc == 0 && m) {
		rc = write_begin(d, err);
		if (rc == 0)
			rc = write_end(d, correct_add_many(d->st, q, m, st.ids, err), err);
	}
	if (rc == 0) {
		st.n = m;
		record_step(d, st);
		char *e = NULL;
		if (load_decisions(d, &e) < 0) /* an MX host's decision shows on its addresses */
			free(e);
	} else {
		free(st.ids);
	}
	for (size_t k = 0; k < m; k++)
		free(notes[k]);
	free(notes);
	free(q);
	strmap_free(w);
	return rc < 0 ? -1 : (int)m;
}

size_t desk_splits(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, char **example)
{
	*example = NULL;
	char pid[MX_NAME_MAX + 2];
	char *err = NULL;
	if (verdict_pid(d, verdict, provider, pid, &err) < 0) {
		free(err);
		return 0;
	}
	/* the domains of the address with another primary MX host elsewhere
	 * (on none of the address's hosts) whose answer is not the new one */
	sqlite3_stmt *s = store_prepare(d->st,
		"SELECT n.name, h2n.name, coalesce(pn.name, 'nothing') FROM f_mx_ip m" /* CROSS JOIN: this order */
		" CROSS JOIN f_primary_mx p ON p.snap = m.snap AND p.host = m.host"
		" CROSS JOIN f_primary_mx p2 ON p2.snap = p.snap AND p2.domain = p.domain AND p2.host <> p.host"
		" CROSS JOIN f_host_ev h2 ON h2.snap = p2.snap AND h2.host = p2.host CROSS JOIN name n ON n.id = p.domain"
		" CROSS JOIN name h2n ON h2n.id = p2.host LEFT JOIN name pn ON pn.id = h2.provider"
		" WHERE m.snap = ?1 AND m.ip = ?2"
		" AND NOT EXISTS (SELECT 1 FROM f_mx_ip m3 WHERE m3.snap = p2.snap AND m3.host = p2.host AND m3.ip = ?2)"
		" AND coalesce(pn.name, '') <> ?3 LIMIT ?4", NULL);
	if (!s)
		return 0;
	size_t total = 0;
	int64_t snap = store_snapshot_id(d->st, d->snapshot);
	/* a bulk decision: its first rows tell (the check costs a look-up
	 * per domain) */
	for (size_t k = 0; k < n && k < 200 && total < DESK_SCOPE_MAX; k++) {
		desk_row *r = &d->rows[rows[k]];
		const char *ans = new_answer(d, r, verdict, pid);
		if (!ans || (r->provider_id && !strcmp(ans, r->provider_id)))
			continue; /* the answer stays: no split made or changed */
		sqlite3_bind_int64(s, 1, snap);
		sqlite3_bind_int64(s, 2, r->ipnum);
		store_bind_text(s, 3, ans);
		sqlite3_bind_int64(s, 4, DESK_SCOPE_MAX);
		char *last = NULL;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *dom = (const char *)sqlite3_column_text(s, 0);
			if (last && !strcmp(last, dom))
				continue; /* one domain, several hosts elsewhere */
			free(last);
			last = xstrdup(dom);
			total++;
			if (!*example) {
				char *e1 = sanitize_str(dom), *e2 = sanitize_str((const char *)sqlite3_column_text(s, 1)),
				     *e3 = sanitize_str((const char *)sqlite3_column_text(s, 2));
				*example = xasprintf("%s: %s says %s", e1, e2, e3);
				free(e1);
				free(e2);
				free(e3);
			}
		}
		free(last);
		sqlite3_reset(s);
	}
	return total;
}

int desk_label(desk *d, const size_t *rows, size_t n, const char *truth, char **err)
{
	if (!d->eval) {
		*err = xstrdup("labels are for a sample's domains: open the desk on a sample");
		return -1;
	}
	step st = {xcalloc(n + 1, sizeof(int64_t)), 0, NULL, NULL, 0};
	char **canon = xcalloc(n + 1, sizeof *canon);
	int rc = 0;
	/* every row's truth first: a bad one writes nothing */
	for (size_t k = 0; k < n && rc == 0; k++) {
		desk_row *r = &d->rows[rows[k]];
		const char *t = truth;
		for (int a = 0; a < 5; a++)
			if (!strcasecmp(truth, eval_approach_names[a])) {
				t = r->sm->answers[a];
				if (!t) {
					*err = xasprintf("the %s approach has no answer for %s", eval_approach_names[a], r->ip);
					rc = -1;
				}
			}
		if (rc == 0 && !(canon[k] = label_canonical(d->k, t, err)))
			rc = -1;
	}
	if (rc == 0)
		rc = write_begin(d, err);
	if (rc == 0) {
		for (size_t k = 0; k < n && rc == 0; k++) {
			int64_t id = label_set(d->st, d->sample, d->rows[rows[k]].ip, canon[k], d->analyst, err);
			if (id < 0)
				rc = -1;
			else
				st.ids[st.n++] = id;
		}
		rc = write_end(d, rc, err);
	}
	if (rc == 0) {
		for (size_t k = 0; k < n; k++) {
			desk_row *r = &d->rows[rows[k]];
			free(r->sm->label);
			r->sm->label = canon[k];
			r->sm->label_id = st.ids[k];
			canon[k] = NULL;
		}
		record_step(d, st);
	} else {
		free(st.ids);
	}
	for (size_t k = 0; k < n; k++)
		free(canon[k]);
	free(canon);
	return rc < 0 ? -1 : (int)n;
}

/* The report view: the trend and each date's coverage from one state of
 * the database (a short read transaction: milliseconds, never kept
 * between keys). */
int desk_report(desk *d, size_t top, trend *t, coverage_row **cov, char **err)
{
	report_scope sc = {NULL, false, NULL, 0};
	*cov = NULL;
	bool own;
	if (store_read_enter(d->st, &own, err) < 0)
		return -1;
	if (report_trend(d->st, &sc, top, t, err) < 0) {
		store_read_leave(d->st, own);
		return -1;
	}
	/* report_trend left the scope built: one coverage query per date */
	*cov = xcalloc(t->ndates + 1, sizeof **cov);
	for (size_t k = 0; k < t->ndates; k++)
		if (report_coverage_scoped(d->st, t->dates[k], &(*cov)[k], err) < 0) {
			store_read_leave(d->st, own);
			trend_free(t);
			free(*cov);
			*cov = NULL;
			return -1;
		}
	store_read_leave(d->st, own);
	return 0;
}

/* The scores view: each sample's scores and its mixed-runs flag from one
 * state (a short read transaction). */
size_t desk_chart(desk *d, eval_result **out)
{
	char **names;
	bool own = false;
	char *terr = NULL;
	if (store_read_enter(d->st, &own, &terr) < 0)
		free(terr); /* read as before, statement by statement */
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
	store_read_leave(d->st, own);
	return k;
}

/* Undo (or redo) the newest step on `from` in one transaction and move it
 * to `to`: all of it, or on an error none of it, the step left where it was
 * (a bulk step half undone could be neither undone nor redone again). */
static int replay(desk *d, stack *from, stack *to, bool redo, char **err)
{
	if (from->n == 0)
		return 0;
	step *st = &from->s[from->n - 1];
	const history_table *t = d->eval ? &label_history : &correct_history;
	int64_t *ids = xcalloc(st->n + 1, sizeof *ids);
	int64_t seen = d->data_version;
	int rc = write_begin(d, err);
	if (rc == 0 && st->rows) {
		/* whether another process wrote since the desk last looked (asked
		 * with the write lock held: nobody writes meanwhile): then the
		 * rows' other states may be stale, and every decision is read
		 * again */
		sqlite3_stmt *s = store_prepare(d->st, "PRAGMA data_version", NULL);
		if (s && sqlite3_step(s) == SQLITE_ROW)
			seen = sqlite3_column_int64(s, 0);
		else
			seen = -1;
		if (s)
			sqlite3_reset(s);
	}
	if (rc == 0) {
		if (redo)
			rc = history_redo(d->st, t, st->ids, st->n, ids, err);
		else
			rc = history_undo(d->st, t, st->ids, st->n, d->analyst, err);
		rc = write_end(d, rc, err);
	}
	if (rc < 0) {
		free(ids);
		return -1;
	}
	if (redo) {
		memcpy(st->ids, ids, st->n * sizeof *ids); /* the copies' ids */
		d->session_written += st->n;
	} else {
		d->session_undone += st->n;
	}
	free(ids);
	int n = (int)st->n;
	if (st->rows && seen == d->data_version && st->reads == d->reads) {
		/* what the rows show: swapped with what the step kept */
		for (size_t k = 0; k < st->n; k++) {
			desk_row *r = &d->rows[st->rows[k]];
			swap_decision(r, &st->other[k]);
			if (redo)
				r->decision = st->ids[k];
		}
	} else {
		/* read again (one pass; a step may be thousands); the kept states
		 * of every step are stale now (their reads differ) */
		char *e = NULL;
		if ((d->eval ? load_labels(d, &e) : load_decisions(d, &e)) < 0)
			free(e);
	}
	push(to, *st);
	from->n--;
	return n;
}

void desk_session(const desk *d, size_t *written, size_t *undone)
{
	*written = d->session_written;
	*undone = d->session_undone;
}

/* The last run's threshold and heuristics mode (its params JSON). */
static bool run_params(const char *params, unsigned *threshold, enum infer_heuristics *mode)
{
	json_t *o = params ? json_loads(params, 0, NULL) : NULL;
	json_t *t = json_object_get(o, "threshold"), *h = json_object_get(o, "heuristics");
	bool ok = json_is_integer(t) && json_integer_value(t) >= 0 && json_is_string(h);
	if (ok) {
		*threshold = (unsigned)json_integer_value(t);
		ok = false;
		for (int m = INFER_HEUR_APPLY; m <= INFER_HEUR_OFF; m++)
			if (!strcmp(json_string_value(h), infer_heuristics_names[m])) {
				*mode = (enum infer_heuristics)m;
				ok = true;
			}
	}
	json_decref(o);
	return ok;
}

int desk_apply(desk *d, FILE *log, bool progress, char **err)
{
	snapshot_runs sr;
	if (runs_of_snapshot(d->st, d->snapshot, &sr, err) < 0)
		return -1;
	const run_info *last = &sr.run[RUNS_APPROACHES - 1];
	infer_opts o = {d->snapshot, INFER_PRIORITY, INFER_THRESHOLD_DEFAULT, INFER_HEUR_APPLY, d->k, progress, log, NULL};
	int rc = -1;
	if (!last->present || !run_params(last->params, &o.threshold, &o.heuristics)) {
		*err = xasprintf("snapshot %s has no inference run on record: run 'mxray infer --snapshot %s'", d->snapshot,
				 d->snapshot);
	} else if (!d->k || !last->kb_digest || strcmp(last->kb_digest, d->k->digest)) {
		char *origin = sanitize_str(last->kb_origin ? last->kb_origin : "?");
		*err = xasprintf("the last inference of %s used another knowledge base (%s): run 'mxray infer --snapshot %s"
				 " --kb FILE' with it", d->snapshot, origin, d->snapshot);
		free(origin);
	} else {
		/* decisions change the final answers only: the priority approach
		 * (which every final answer starts from) and the final answers,
		 * with the last run's knowledge base and parameters */
		infer_summary sum;
		rc = infer_run(d->st, &o, &sum, err);
	}
	runs_free(&sr);
	return rc;
}

bool desk_poll(desk *d, char **what)
{
	*what = NULL;
	sqlite3_stmt *s = store_prepare(d->st, "PRAGMA data_version", NULL);
	if (!s)
		return false;
	int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : d->data_version;
	sqlite3_reset(s);
	if (v == d->data_version)
		return false;
	bool first = d->data_version == 0;
	d->data_version = v;
	if (first)
		return false;
	/* another process wrote: what the rows show is read again */
	char *e = NULL;
	if ((d->eval ? load_labels(d, &e) : load_decisions(d, &e)) < 0) {
		*what = xasprintf("the database changed, and reading it again failed: %s", e);
		free(e);
		return true;
	}
	int64_t run = last_run(d);
	if (run != d->run_id)
		*what = xasprintf("snapshot %s was inferred again meanwhile: reopen the desk for its new answers (decisions"
				  " are read again)", d->snapshot);
	else
		*what = xstrdup(d->eval ? "another process changed labels: read again" :
					  "another process changed decisions: read again");
	return true;
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
	if (row >= d->nrows || d->rows[row].tagged == on)
		return;
	d->rows[row].tagged = on;
	if (on)
		d->ntagged++;
	else
		d->ntagged--;
}

void desk_untag_all(desk *d)
{
	if (!d->ntagged)
		return;
	for (size_t i = 0; i < d->nrows; i++)
		d->rows[i].tagged = false;
	d->ntagged = 0;
}

size_t desk_ntagged(const desk *d)
{
	return d->ntagged;
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
	if (n) { /* text may be NULL when n is 0 */
		memcpy(l->text + l->len, text, n);
		memset(l->roles + l->len, role, n);
	}
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
	size_t take = n > max ? max : n;
	size_t (*spans)[2] = xmalloc((take + 1) * sizeof *spans); /* an escape per byte at most */
	size_t ne = sanitize(&sb, p, take, spans, take + 1);
	size_t base = l->len;
	line_add(l, sb.data, sb.len, role);
	for (size_t k = 0; k < ne && k < take + 1; k++)
		memset(l->roles + base + spans[k][0], ROLE_ESCAPED, spans[k][1]);
	free(spans);
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

/* Display columns: how many bytes of s[0..n) fit in `max` columns (whole
 * characters), the columns they take in *cols.  The text is escaped
 * already (printable); a byte this locale cannot decode counts as one
 * column. */
static size_t fit_cols(const char *s, size_t n, int max, int *cols)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	size_t i = 0;
	int c = 0;
	while (i < n) {
		wchar_t wc;
		size_t k = (unsigned char)s[i] < 0x80 ? 1 : mbrtowc(&wc, s + i, n - i, &ps);
		int w = 1;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			memset(&ps, 0, sizeof ps);
		} else if (k > 1) {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		if (c + w > max)
			break;
		c += w;
		i += k;
	}
	*cols = c;
	return i;
}

static int line_cols(const desk_line *l)
{
	int c;
	fit_cols(l->text, l->len, INT32_MAX, &c);
	return c;
}

/* Append l[from..) cut to `max` columns: whole when it fits, else cut at
 * a word boundary (a space in the last third) or mid-word, marked '~'. */
static void line_cat_cut(desk_line *out, const desk_line *l, int max)
{
	int c;
	if (max <= 0 || !l->len)
		return;
	size_t all = fit_cols(l->text, l->len, max, &c);
	if (all == l->len) {
		size_t base = out->len;
		line_add(out, l->text, l->len, ROLE_NORMAL);
		memcpy(out->roles + base, l->roles, l->len);
		return;
	}
	size_t cut = fit_cols(l->text, l->len, max - 1, &c);
	for (size_t k = cut; k > 0 && k * 3 > cut * 2; k--)
		if (l->text[k - 1] == ' ') {
			cut = k - 1;
			break;
		}
	size_t base = out->len;
	line_add(out, l->text, cut, ROLE_NORMAL);
	memcpy(out->roles + base, l->roles, cut);
	line_adds(out, "~", ROLE_DIM);
}

/* A line laid out by fields for `width` columns: the fields before the
 * flexible one (flex, or -1) keep their text; the flexible one gets the
 * room the others leave but at least three fifths of the line (or all it
 * needs), cut at a word; the fields after it get what is left, cut. */
static void fit_fields(desk_line *out, desk_line *f, int n, int flex, int width)
{
	int need = 0;
	for (int i = 0; i < n; i++)
		if (i != flex)
			need += line_cols(&f[i]);
	memset(out, 0, sizeof *out);
	line_adds(out, "", ROLE_NORMAL);
	int room = width;
	for (int i = 0; i < n; i++) {
		int w = line_cols(&f[i]), give;
		if (i == flex) {
			int least = w < width * 3 / 5 ? w : width * 3 / 5;
			give = width - need > least ? width - need : least;
		} else {
			give = w;
		}
		if (give > room)
			give = room;
		int before = line_cols(out);
		line_cat_cut(out, &f[i], give);
		room -= line_cols(out) - before;
	}
	for (int i = 0; i < n; i++)
		desk_line_free(&f[i]);
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
	return d->compact ? "T S IP              PROVIDER            SRC        CONF DOMAINS HEURISTIC"
			  : "T S IP              PROVIDER                 COMPANY          SRC        CONF  DOMAINS  ASN      HEURISTIC";
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
	return fired(r) ? '?' : ' ';
}

/* Pad or cut an escaped field to `w` display columns (a company name of
 * a --kb file need not be ASCII), then a space unless it is the last. */
static void field_sep(desk_line *l, const char *s, int w, enum desk_role role, bool last)
{
	char *e = sanitize_str(s ? s : "-");
	size_t n = strlen(e);
	int c;
	size_t fit = fit_cols(e, n, w, &c);
	if (fit < n) {
		fit = fit_cols(e, n, w - 1, &c);
		line_add(l, e, fit, role);
		line_adds(l, "~", ROLE_DIM);
		c++;
	} else {
		line_adds(l, e, role);
	}
	for (; c < w && !last; c++)
		line_adds(l, " ", ROLE_NORMAL);
	free(e);
	if (!last)
		line_adds(l, " ", ROLE_NORMAL);
}

static void field(desk_line *l, const char *s, int w, enum desk_role role)
{
	field_sep(l, s, w, role, false);
}

/* What a row answers, as its standing decision makes it: a set provider
 * (and its company), the MX name's own domain for self-hosted, the
 * evidence's answer for a confirmation; the source "correction" when the
 * decision changed the answer (as infer then records it). */
typedef struct {
	const char *provider, *company, *source;
	bool decided;
} answer_shown;

static answer_shown shown_answer(const desk *d, const desk_row *r)
{
	answer_shown a = {r->provider_id, r->company, infer_source_name(r->source), r->decision != 0};
	if (r->verdict == 'o' || r->verdict == 's') {
		a.provider = r->verdict == 'o' ? MORE(r, decided) : MORE(r, self_id);
		const kb_company *co = d->k && a.provider ? kb_company_of(d->k, a.provider) : NULL;
		a.company = co ? co->name : NULL;
		a.source = "correction";
	}
	return a;
}

void desk_row_line(const desk *d, size_t row, desk_line *l)
{
	const desk_row *r = d->eval ? &d->rows[row] : named_row(d, row);
	memset(l, 0, sizeof *l);
	if (d->eval) {
		line_adds(l, r->tagged ? "*" : " ", ROLE_HIGHLIGHT);
		char st[3] = {' ', r->sm->label ? (*r->sm->label ? 'L' : 'X') : (r->sm->examined ? '?' : ' '), ' '};
		line_add(l, st, 3, r->sm->label ? ROLE_GOOD : r->sm->examined ? ROLE_BAD : ROLE_NORMAL);
		int wide = d->compact ? 0 : 1;
		field(l, r->ip, wide ? 30 : 22, ROLE_NORMAL);
		field(l, r->sm->answers[4], wide ? 26 : 16, ROLE_NORMAL);
		field(l, r->sm->label ? (*r->sm->label ? r->sm->label : "(cannot decide)") : "", wide ? 26 : 16, ROLE_GOOD);
		for (int a = 0; a < 5; a++) {
			if (!r->sm->label || !*r->sm->label) {
				line_adds(l, " . ", ROLE_DIM);
				continue;
			}
			bool ok = eval_answer_matches(r->sm->answers[a], r->sm->label);
			line_adds(l, ok ? " + " : " - ", ok ? ROLE_GOOD : ROLE_BAD);
		}
		return;
	}
	line_adds(l, r->tagged ? "*" : " ", ROLE_HIGHLIGHT);
	char st[3] = {' ', status_letter(r), ' '};
	line_add(l, st, 3, r->decision ? ROLE_GOOD : fired(r) ? ROLE_BAD : ROLE_NORMAL);
	field(l, r->ip, 15, ROLE_NORMAL);
	/* the answer as the decision makes it, at once (infer writes the same) */
	answer_shown a = shown_answer(d, r);
	enum desk_role ar = a.decided ? ROLE_GOOD : ROLE_NORMAL;
	char num[32];
	if (d->compact) { /* under 110 columns: no company, no ASN */
		field(l, a.provider, 19, ar);
		field(l, a.source, 10, ar);
		snprintf(num, sizeof num, "%4u", r->confidence);
		field(l, num, 4, r->confidence < d->threshold ? ROLE_BAD : ROLE_NORMAL);
		snprintf(num, sizeof num, "%7u", r->domains);
		field(l, num, 7, ROLE_NORMAL);
		field_sep(l, r->heuristic ? r->heuristic : "", 16, ROLE_BAD, true);
		return;
	}
	field(l, a.provider, 24, ar);
	field(l, a.company, 16, ar);
	field(l, a.source, 10, ar);
	snprintf(num, sizeof num, "%5u", r->confidence);
	field(l, num, 5, r->confidence < d->threshold ? ROLE_BAD : ROLE_NORMAL);
	snprintf(num, sizeof num, "%7u", r->domains);
	field(l, num, 8, ROLE_NORMAL);
	if (r->asn)
		snprintf(num, sizeof num, "%u", r->asn);
	else
		snprintf(num, sizeof num, "-");
	field(l, num, 8, ROLE_NORMAL);
	field_sep(l, r->heuristic ? r->heuristic : "", 16, ROLE_BAD, true);
}

/* A length cap on evidence text, lifted for a pane read full screen. */
static size_t cap(const desk *d, size_t n)
{
	return d->full ? SIZE_MAX / 2 : n;
}

void desk_set_full(desk *d, bool full)
{
	d->full = full;
}

/* Split SMTP text on CRLF (and LF), each line escaped on its own. */
static void smtp_lines(desk *d, desk_pane *p, const char *label, const void *text, size_t n, const char *fqdn)
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
	size_t maxlines = cap(d, 12);
	while (i <= n && shown < maxlines) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		size_t len = end - i;
		if (len && s[i + len - 1] == '\r')
			len--;
		if (!first)
			l = pane_line(p), line_adds(l, "  ", ROLE_NORMAL);
		line_untrusted(l, s + i, len, ROLE_NORMAL, first ? fqdn : NULL, cap(d, 240));
		first = false;
		shown++;
		if (!nl)
			break;
		i = end + 1;
		if (i == n)
			break;
	}
	if (i < n && shown >= maxlines) {
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

/* Empty evidence panes with these titles, and empty verdict lines. */
static void panes_init(desk_pane panes[PANE_COUNT], const char *const titles[PANE_COUNT], desk_line verdict[2])
{
	for (int i = 0; i < PANE_COUNT; i++) {
		memset(&panes[i], 0, sizeof panes[i]);
		snprintf(panes[i].title, sizeof panes[i].title, "%s", titles[i]);
	}
	memset(verdict, 0, 2 * sizeof *verdict);
}

/* A database error, shown where the evidence would be. */
static void pane_error(desk_pane *p, char *err)
{
	desk_line *l = pane_line(p);
	line_adds(l, "cannot read: ", ROLE_BAD);
	line_untrusted(l, err ? err : "?", err ? strlen(err) : 1, ROLE_BAD, NULL, 300);
	free(err);
}

static void cert_pane(desk *d, desk_pane *p, const ev_ip *e)
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
	line_untrusted(l, e->cert_cn ? e->cert_cn : "-", e->cert_cn ? strlen(e->cert_cn) : 1, ROLE_NORMAL, NULL, cap(d, 200));
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
		line_untrusted(l, e->cert_names[i], strlen(e->cert_names[i]), ROLE_NORMAL, NULL, cap(d, 200));
	}
}

static void smtp_pane(desk *d, desk_pane *p, const ev_ip *e)
{
	desk_line *l = pane_line(p);
	line_adds(l, "numIP    ", ROLE_LABEL);
	line_addf(l, ROLE_NORMAL, "%u domains point here", e->num_ip);
	smtp_lines(d, p, "banner   ", e->banner, e->banner_len, e->banner_fqdn);
	smtp_lines(d, p, "EHLO     ", e->ehlo, e->ehlo_len, e->ehlo_fqdn);
	if (e->banner_fqdn && e->ehlo_fqdn && strcmp(e->banner_fqdn, e->ehlo_fqdn)) {
		l = pane_line(p);
		line_adds(l, "banner and EHLO name different hosts", ROLE_BAD);
	}
}

/* One domain's whole primary MX set: each host and address with its
 * answer, and the domain's answer (a split shows as two shares).  By
 * integer keys only: a domain of a host with a million others costs the
 * same as any. */
static void domain_set(desk *d, desk_pane *p, int64_t snap, const char *domain, uint32_t ip)
{
	desk_line *l = pane_line(p);
	line_adds(l, "  ", ROLE_NORMAL);
	line_untrusted(l, domain, strlen(domain), ROLE_HIGHLIGHT, NULL, 200);
	sqlite3_stmt *s = store_prepare(d->st, "SELECT pn.name, r.weight FROM f_result r LEFT JOIN name pn ON pn.id = r.provider"
					       " WHERE r.snap = ?1 AND r.approach = 4"
					       " AND r.domain = (SELECT id FROM name WHERE name = ?2) ORDER BY pn.name", NULL);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, snap);
	store_bind_text(s, 2, domain);
	line_adds(l, "  answer", ROLE_DIM);
	int shares = 0;
	desk_line a;
	memset(&a, 0, sizeof a);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *pv = (const char *)sqlite3_column_text(s, 0);
		line_addf(&a, ROLE_NORMAL, "%s %s %.0f%%", shares++ ? " +" : "", pv ? pv : "?",
			  100 * sqlite3_column_double(s, 1));
	}
	sqlite3_reset(s);
	if (a.len)
		line_add(l, a.text, a.len, shares > 1 ? ROLE_BAD : ROLE_NORMAL);
	desk_line_free(&a);
	if (shares > 1)
		line_adds(l, "  SPLIT", ROLE_BAD);
	s = store_prepare(d->st, "SELECT hn.name, m.ip, coalesce(pn.name, 'nothing') FROM f_primary_mx p"
				 " CROSS JOIN f_host_ev h ON h.snap = p.snap AND h.host = p.host"
				 " CROSS JOIN name hn ON hn.id = p.host LEFT JOIN f_mx_ip m ON m.snap = p.snap AND m.host = p.host"
				 " LEFT JOIN name pn ON pn.id = h.provider WHERE p.snap = ?1"
				 " AND p.domain = (SELECT id FROM name WHERE name = ?2) ORDER BY hn.name, m.ip", NULL);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, snap);
	store_bind_text(s, 2, domain);
	char *host = NULL, *answer = NULL;
	int nips = 0;
	bool here = false;
	for (bool more = true; more;) {
		more = sqlite3_step(s) == SQLITE_ROW;
		const char *h = more ? (const char *)sqlite3_column_text(s, 0) : NULL;
		if (host && (!h || strcmp(h, host))) { /* the host before is complete */
			line_addf(l, ROLE_NORMAL, " -> %s", answer);
			if (here)
				line_adds(l, " (this address)", ROLE_DIM);
			free(host);
			free(answer);
			host = answer = NULL;
		}
		if (!more)
			break;
		if (!host) {
			host = xstrdup(h);
			answer = store_column_dup(s, 2); /* never NULL: coalesce */
			nips = 0;
			here = false;
			l = pane_line(p);
			line_adds(l, "    ", ROLE_NORMAL);
			line_untrusted(l, h, strlen(h), ROLE_NORMAL, NULL, 200);
		}
		if (sqlite3_column_type(s, 1) == SQLITE_NULL)
			continue;
		uint32_t a4 = (uint32_t)sqlite3_column_int64(s, 1);
		here |= a4 == ip;
		if (nips++ < 4) {
			char t[16];
			mx_ipv4_format(a4, t);
			line_addf(l, a4 == ip ? ROLE_HIGHLIGHT : ROLE_NORMAL, " %s", t);
		} else if (nips == 5) {
			line_adds(l, " ...", ROLE_DIM);
		}
	}
	sqlite3_reset(s);
	free(host);
	free(answer);
}

/* The domains of the address whose primary MX set reaches beyond it
 * (another host on other addresses): a decision here splits or moves
 * them, so their whole sets are shown (a few). */
static void domain_sets(desk *d, desk_pane *p, uint32_t ip)
{
	sqlite3_stmt *s = store_prepare(d->st,
		/* CROSS JOIN fixes the order: from the address (by index) out */
		"SELECT DISTINCT n.name FROM f_mx_ip m CROSS JOIN f_primary_mx p ON p.snap = m.snap AND p.host = m.host"
		" CROSS JOIN name n ON n.id = p.domain WHERE m.snap = ?1 AND m.ip = ?2 AND EXISTS (SELECT 1"
		" FROM f_primary_mx p2 CROSS JOIN f_mx_ip m2 ON m2.snap = p2.snap AND m2.host = p2.host"
		" WHERE p2.snap = p.snap AND p2.domain = p.domain AND m2.ip <> ?2) LIMIT ?3", NULL);
	if (!s)
		return;
	size_t max = d->full ? 50 : 3;
	sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
	sqlite3_bind_int64(s, 2, ip);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max + 1);
	char **doms = NULL;
	size_t n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		doms = xrealloc(doms, (n + 1) * sizeof *doms);
		doms[n++] = store_column_dup(s, 0);
	}
	sqlite3_reset(s);
	if (n) {
		desk_line *l = pane_line(p);
		line_addf(l, ROLE_LABEL, "domains with primary MX elsewhere too%s:", n > max ? " (a few)" : "");
	}
	for (size_t i = 0; i < n; i++) {
		if (i < max)
			domain_set(d, p, store_snapshot_id(d->st, d->snapshot), doms[i], ip);
		free(doms[i]);
	}
	free(doms);
}

/* A few domains whose primary MX is host, in the store's order (by name
 * would sort all of a host's domains: a million for the busiest). */
static void host_examples(desk *d, desk_line *l, const char *host, size_t max)
{
	sqlite3_stmt *s = store_prepare(d->st, "SELECT n.name FROM f_primary_mx p CROSS JOIN name n ON n.id = p.domain"
					       " WHERE p.snap = ?1 AND p.host = (SELECT id FROM name WHERE name = ?2) LIMIT ?3",
					NULL);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, store_snapshot_id(d->st, d->snapshot));
	store_bind_text(s, 2, host);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(s, 0);
		line_adds(l, " ", ROLE_NORMAL);
		line_untrusted(l, dom, strlen(dom), ROLE_NORMAL, NULL, 100);
	}
	sqlite3_reset(s);
}

/* The MX hosts pointing at the address, busiest first, with a few of
 * their domains. */
static void mx_pane(desk *d, desk_pane *p, uint32_t ip)
{
	ev_host_brief *hs;
	size_t n, total;
	char *err = NULL;
	if (evidence_ip_hosts(d->st, d->snapshot, ip, cap(d, 20), &hs, &n, &total, &err) < 0) {
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
		l = pane_line(p);
		line_adds(l, "  e.g.", ROLE_DIM);
		host_examples(d, l, h->host, d->full ? 50 : 5);
	}
	if (total > n) {
		l = pane_line(p);
		line_addf(l, ROLE_DIM, "(%zu hosts; the %zu busiest shown)", total, n);
	}
	evidence_host_briefs_free(hs, n);
}

/* The AS pane: the address's AS, first whether it matches the company the
 * evidence claims (the line a short pane must not lose), then the AS's
 * names. */
static void as_pane(desk *d, desk_pane *p, const desk_row *r, const ev_ip *e)
{
	desk_line *l = pane_line(p);
	line_adds(l, "ASN      ", ROLE_LABEL);
	if (r->asn)
		line_addf(l, ROLE_NORMAL, "AS%u", r->asn);
	else
		line_adds(l, "unknown", ROLE_DIM);
	/* The ASNs expected for the company the evidence claims. */
	const char *claimed = MORE(r, priority_id);
	if (!claimed)
		claimed = r->provider_id;
	const kb_company *co = d->k && claimed ? kb_company_of(d->k, claimed) : NULL;
	l = pane_line(p);
	if (!co)
		line_adds(l, "not a known company: no AS list to compare", ROLE_DIM);
	else if (!r->asn)
		line_adds(l, "no ASN to compare", ROLE_DIM);
	else if (kb_company_has_asn(co, r->asn))
		line_addf(l, ROLE_GOOD, "match: AS%u is %s's", r->asn, co->name);
	else
		line_addf(l, ROLE_BAD, "MISMATCH: AS%u is not %s's", r->asn, co->name);
	l = pane_line(p);
	line_adds(l, "claims   ", ROLE_LABEL);
	line_addf(l, ROLE_NORMAL, "%s%s%s%s", claimed ? claimed : "-", co ? " (" : "", co ? co->name : "", co ? ")" : "");
	if (co) {
		l = pane_line(p);
		line_adds(l, "expected ", ROLE_LABEL);
		for (size_t i = 0; i < co->nasns; i++)
			line_addf(l, co->asns[i] == r->asn ? ROLE_HIGHLIGHT : ROLE_NORMAL, "%sAS%u", i ? " " : "", co->asns[i]);
	}
	if (!r->asn || !e)
		return;
	const char *what[3] = {e->as_name, e->org_name, e->country};
	for (int k = 0; k < 3; k++) {
		if (!what[k] || !*what[k])
			continue;
		l = pane_line(p);
		line_adds(l, k == 0 ? "AS name  " : k == 1 ? "org      " : "country  ", ROLE_LABEL);
		line_untrusted(l, what[k], strlen(what[k]), ROLE_NORMAL, NULL, cap(d, 200));
	}
	if (!e->in_as2org) {
		l = pane_line(p);
		line_adds(l, "AS name  ", ROLE_LABEL);
		line_adds(l, "not in as2org", ROLE_DIM);
	}
}

/* The verdict, two lines of `width` columns laid out by fields: what the
 * inference said (the heuristic's reason is what gets cut), and the
 * standing decision, always whole (its note gets cut). */
static void verdict_lines(desk *d, const desk_row *r, int width, desk_line out[2])
{
	desk_line f[3];
	memset(f, 0, sizeof f);
	if (fired(r)) {
		line_addf(&f[0], ROLE_BAD, "%s: ", r->heuristic ? r->heuristic : "heuristic");
		const char *reason = MORE(r, reason) ? MORE(r, reason) : "";
		line_untrusted(&f[1], reason, strlen(reason), ROLE_NORMAL, NULL, 400);
		const char *said = MORE(r, priority_id);
		line_addf(&f[2], ROLE_NORMAL, "  [evidence said %s, answer %s]", said ? said : "-",
			  r->provider_id ? r->provider_id : "none");
		fit_fields(&out[0], f, 3, 1, width);
	} else {
		line_addf(&f[0], ROLE_DIM, "no heuristic fired (confidence %u, threshold %u); answer %s from the %s",
			  r->confidence, d->threshold, r->provider_id ? r->provider_id : "none",
			  r->source ? infer_source_name(r->source) : "-");
		fit_fields(&out[0], f, 1, -1, width);
	}
	memset(f, 0, sizeof f);
	if (r->decision) {
		answer_shown a = shown_answer(d, r);
		line_addf(&f[0], ROLE_GOOD, "decision #%lld%s: %s%s", (long long)r->decision,
			  r->dscope == 'm' ? " on an MX host" : "",
			  r->verdict == 'c' ? "confirmed " : r->verdict == 's' ? "self-hosted: " : "set ",
			  a.provider ? a.provider : "-");
		const char *note = MORE(r, note);
		if (note) {
			line_adds(&f[1], " - ", ROLE_DIM);
			line_untrusted(&f[1], note, strlen(note), ROLE_NORMAL, NULL, 400);
		}
		fit_fields(&out[1], f, 2, 1, width);
	} else {
		line_adds(&f[0], "no decision yet: c confirm  o override  s self-hosted  a accept  r reject  ? help",
			  ROLE_DIM);
		fit_fields(&out[1], f, 1, -1, width);
	}
}

static void evidence_row(desk *d, const desk_row *r, int width, desk_pane panes[PANE_COUNT], desk_line verdict[2])
{
	static const char *const titles[PANE_COUNT] = {"cert", "smtp", "mx", "as"};
	panes_init(panes, titles, verdict);
	ev_ip e;
	char *err = NULL;
	bool have = evidence_ip(d->st, d->snapshot, r->ipnum, &e, &err) == 0;
	if (!have) {
		pane_error(&panes[PANE_CERT], err);
	} else {
		cert_pane(d, &panes[PANE_CERT], &e);
		smtp_pane(d, &panes[PANE_SMTP], &e);
	}
	/* the domains a decision here would split come first */
	domain_sets(d, &panes[PANE_MX], r->ipnum);
	mx_pane(d, &panes[PANE_MX], r->ipnum);
	as_pane(d, &panes[PANE_AS], r, have ? &e : NULL);
	if (have)
		evidence_ip_free(&e);
	verdict_lines(d, r, width, verdict);
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
		r->company = r->company ? xstrdup(r->company) : NULL; /* one's table goes */
		r->company_lc = r->company_lc ? xstrdup(r->company_lc) : NULL;
		r->own_company = true;
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
static void eval_evidence(desk *d, const desk_row *r, int width, desk_pane panes[PANE_COUNT], desk_line verdict[2])
{
	static const char *const titles[PANE_COUNT] = {"cert", "smtp", "answers", "as"};
	panes_init(panes, titles, verdict);
	desk_line *l;
	/* the answers pane */
	desk_pane *a = &panes[PANE_MX];
	l = pane_line(a);
	line_adds(l, "label     ", ROLE_LABEL);
	if (r->sm->label)
		line_adds(l, *r->sm->label ? r->sm->label : "cannot decide", ROLE_GOOD);
	else
		line_adds(l, "not labelled yet", ROLE_DIM);
	static const char *const shown[5] = {"final   ", "priority", "banner  ", "cert    ", "mx      "};
	for (int k = 0; k < 5; k++) {
		int ai = 4 - k;
		l = pane_line(a);
		line_addf(l, ROLE_LABEL, "%s  ", shown[k]);
		const char *ans = r->sm->answers[ai] ? r->sm->answers[ai] : "-";
		line_untrusted(l, ans, strlen(ans), ROLE_NORMAL, NULL, 200);
		if (r->sm->label && *r->sm->label)
			line_adds(l, eval_answer_matches(r->sm->answers[ai], r->sm->label) ? "  right" : "  wrong",
				  eval_answer_matches(r->sm->answers[ai], r->sm->label) ? ROLE_GOOD : ROLE_BAD);
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
		desk_line v[2];
		evidence_row(d, &ir, width, p, v);
		int show[] = {PANE_CERT, PANE_SMTP, PANE_AS};
		for (int k = 0; k < 3; k++) {
			l = pane_line(&panes[show[k]]);
			line_addf(l, ROLE_LABEL, "-- %s --", ips[i]);
			pane_move(&panes[show[k]], &p[show[k]]);
		}
		desk_pane_free(&p[PANE_MX]);
		desk_line_free(&v[0]);
		desk_line_free(&v[1]);
		row_free(&ir);
		free(ips[i]);
	}
	free(ips);
	if (!nips) {
		line_adds(pane_line(&panes[PANE_CERT]), "no SMTP address (answered from MX names)", ROLE_DIM);
		line_adds(pane_line(&panes[PANE_SMTP]), "no SMTP address", ROLE_DIM);
		line_adds(pane_line(&panes[PANE_AS]), "no SMTP address", ROLE_DIM);
	}
	desk_line f[3];
	memset(f, 0, sizeof f);
	char *dom = sanitize_str(r->ip);
	line_addf(&f[0], ROLE_LABEL, "%s: ", dom);
	free(dom);
	const char *fin = r->sm->answers[4] ? r->sm->answers[4] : "none";
	line_untrusted(&f[1], fin, strlen(fin), ROLE_NORMAL, NULL, 400);
	if (r->sm->examined)
		line_adds(&f[2], "  (the heuristics looked at it: step 4)", ROLE_BAD);
	fit_fields(&verdict[0], f, 3, 1, width);
	memset(f, 0, sizeof f);
	if (r->sm->label) {
		line_addf(&f[0], ROLE_GOOD, "label #%lld: ", (long long)r->sm->label_id);
		const char *label = *r->sm->label ? r->sm->label : "cannot decide";
		line_untrusted(&f[1], label, strlen(label), ROLE_GOOD, NULL, 400);
		fit_fields(&verdict[1], f, 2, 1, width);
	} else {
		line_adds(&f[0], "not labelled yet: c final is right  o type the truth  x cannot decide  ? help", ROLE_DIM);
		fit_fields(&verdict[1], f, 1, -1, width);
	}
}

void desk_evidence(desk *d, size_t row, int width, desk_pane panes[PANE_COUNT], desk_line verdict[2])
{
	if (d->eval)
		eval_evidence(d, &d->rows[row], width, panes, verdict);
	else
		evidence_row(d, named_row(d, row), width, panes, verdict);
}

/* ---- key handling ----------------------------------------------------- */

void desk_view_init(desk_view *v)
{
	memset(v, 0, sizeof *v);
	v->maximized = -1;
	v->page = 10;
	v->scope = 'i';
	v->search_dir = 1;
}

void desk_view_free(desk_view *v)
{
	free(v->search);
	free(v->pending_text);
	free(v->prompt_fill);
	v->search = NULL;
	v->pending_text = NULL;
	v->prompt_fill = NULL;
}

void desk_view_start(const desk *d, desk_view *v)
{
	/* eval mode reopens where the labelling stopped */
	if (d->eval)
		for (size_t i = 0; i < d->nvis; i++)
			if (!d->rows[d->vis[i]].sm->label) {
				v->cursor = i;
				break;
			}
	desk_view_fix(d, v);
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
	/* only the status filter and the status sort look at decisions (a
	 * million rows are not sorted again for nothing) */
	if (d->filter.reviewed >= 0 || d->sort == SORT_STATUS)
		rebuild(d);
	desk_view_fix(d, v);
}

/* The visible index of row `row` (looked for near `hint` first), or
 * SIZE_MAX when the row is not in view. */
static size_t vis_index(const desk *d, size_t row, size_t hint)
{
	for (size_t k = hint > 2 ? hint - 2 : 0; k < d->nvis && k < hint + 3; k++)
		if (d->vis[k] == row)
			return k;
	for (size_t k = 0; k < d->nvis; k++)
		if (d->vis[k] == row)
			return k;
	return SIZE_MAX;
}

/* Where the cursor was before a decision on its row: that row and the one
 * after it (SIZE_MAX: none). */
typedef struct {
	bool single;       /* the cursor row alone was decided (nothing tagged) */
	size_t here, next;
} spot;

static spot spot_of(const desk *d, const desk_view *v)
{
	spot s = {desk_ntagged(d) == 0, SIZE_MAX, SIZE_MAX};
	if (v->cursor < d->nvis)
		s.here = d->vis[v->cursor];
	if (v->cursor + 1 < d->nvis)
		s.next = d->vis[v->cursor + 1];
	return s;
}

/* After a decision on the cursor row the cursor goes on to the row that
 * followed it (as mutt and the eval mode do), or with v->stay keeps its
 * row; a row that left the view leaves the cursor on what took its place. */
static void move_on(const desk *d, desk_view *v, spot s)
{
	if (!s.single)
		return;
	size_t want = !v->stay && s.next != SIZE_MAX ? s.next : s.here;
	size_t k = want == SIZE_MAX ? SIZE_MAX : vis_index(d, want, v->cursor);
	if (k == SIZE_MAX && want == s.next && s.here != SIZE_MAX)
		k = vis_index(d, s.here, v->cursor);
	if (k != SIZE_MAX && k != v->cursor) {
		v->cursor = k;
		for (int i = 0; i < PANE_COUNT; i++)
			v->scroll[i] = 0;
	}
	desk_view_fix(d, v);
}

static unsigned ask(desk_view *v, enum desk_prompt p, enum desk_action pending, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static const char *scope_words(char scope)
{
	return scope == 'm' ? "the MX hosts" : scope == 'd' ? "their domains" : "the address";
}

/* Decide on the tagged rows (or the cursor's) at a scope.  A decision on
 * addresses that would leave some of their domains split across
 * providers asks first (check), offering the wider scopes. */
static unsigned decide_at(desk *d, desk_view *v, char verdict, const char *provider, char scope, bool check)
{
	size_t *rows = NULL;
	size_t n = targets(d, v, &rows);
	if (n == 0) {
		say(v, true, "no row to decide on");
		return DESK_REDRAW;
	}
	char *ex = NULL;
	size_t split = check && scope == 'i' ? desk_splits(d, rows, n, verdict, provider, &ex) : 0;
	if (split) {
		free(rows);
		v->pending_verdict = verdict;
		free(v->pending_text);
		v->pending_text = provider ? xstrdup(provider) : NULL;
		unsigned f = ask(v, PROMPT_SPLIT, ACT_NONE, "Splits %s%zu domain%s: on [y] address anyway [d] domains"
				 " [m] MX hosts [n] cancel? ", split >= DESK_SCOPE_MAX ? "over " : "", split, split == 1 ? "" : "s");
		/* an example above the prompt */
		say(v, false, "split across providers: %s", ex ? ex : "?");
		free(ex);
		return f;
	}
	spot at = spot_of(d, v);
	char *err = NULL;
	int w = desk_decide_scope(d, rows, n, verdict, provider, NULL, scope, &err);
	free(rows);
	if (w < 0) {
		say(v, true, "not saved: %s", err);
		free(err);
	} else if (w == 0) {
		say(v, true, "nothing to %s here (no heuristic fired)", verdict == 'a' ? "accept" : "reject");
	} else {
		say(v, false, "saved: %d decision%s (%s%s%s)%s%s", w, w == 1 ? "" : "s", verdict_word(verdict),
		    verdict == 'o' ? " " : "", verdict == 'o' ? provider : "", scope == 'i' ? "" : " on ",
		    scope == 'i' ? "" : scope == 'm' ? "MX hosts" : "domains");
		if (desk_ntagged(d))
			desk_untag_all(d);
		refilter(d, v);
		move_on(d, v, at);
	}
	return DESK_REDRAW;
}

static unsigned decide_now(desk *d, desk_view *v, char verdict, const char *provider)
{
	return decide_at(d, v, verdict, provider, v->scope, true);
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
	spot at = spot_of(d, v);
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
		refilter(d, v);
		move_on(d, v, at);
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
	free(v->prompt_fill);
	v->prompt_fill = NULL;
	return DESK_PROMPT | DESK_REDRAW;
}

/* Open the prompt again with the text that failed, for correction: the
 * error stays on screen and the next keys edit the text (they cannot
 * decide on a row meanwhile). */
static unsigned reask(desk_view *v, enum desk_prompt p, enum desk_action pending, const char *label, const char *text)
{
	ask(v, p, pending, "%s", label);
	v->prompt_fill = xstrdup(text);
	return DESK_PROMPT | DESK_REDRAW;
}

/* The search's answer, its work done: the cursor on the next match. */
static unsigned search_now(desk *d, desk_view *v, int dir)
{
	bool wrapped = false;
	long hit = d->nvis ? search_scan(d, v->search, v->cursor, dir, &wrapped) : -1;
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

/* A filter waiting for the evidence: at once what a key may take (all of
 * it on a small database).  True when it still waits. */
static bool filter_now(desk *d)
{
	for (size_t w0 = d->work; d->filter_waits && d->work - w0 < key_work(d);)
		if (filter_step(d))
			filter_apply(d);
	return d->filter_waits;
}

/* Search on from the cursor: at once when the work is done (or little),
 * else the work goes on between keys (desk_tick), the status saying so,
 * and the cursor moves when it is done. */
static unsigned search_step(desk *d, desk_view *v, int dir)
{
	if (!v->search) {
		say(v, true, "no search yet: press /");
		return DESK_REDRAW;
	}
	search_begin(d, v->search);
	/* at once what a key may take (all of it on a small database) */
	for (size_t w0 = d->work; !search_ready(d) && d->work - w0 < key_work(d);)
		search_slice(d);
	if (search_ready(d)) {
		v->search_wait = 0; /* answered now: an earlier search waiting is this one */
		return search_now(d, v, dir);
	}
	v->search_wait = dir;
	v->busy_percent = search_percent(d);
	v->busy_drawn = mx_clock_s();
	say(v, false, "searching: %d%% (keys still work)", v->busy_percent);
	return DESK_REDRAW;
}

bool desk_busy(const desk *d)
{
	return (!d->eval && (!d->all_ev || !d->all_named || !d->all_heur)) || !match_ready(&d->smatch) || d->filter_waits;
}

/* Whether the status line's percentage of work going on between keys is
 * drawn again: when it changed, at most four times a second (a screen
 * is tens of milliseconds at ten million domains). */
static bool progress_due(desk_view *v, int pc)
{
	double now = mx_clock_s();
	if (pc == v->busy_percent || now - v->busy_drawn < 0.25)
		return false;
	v->busy_percent = pc;
	v->busy_drawn = now;
	return true;
}

unsigned desk_tick(desk *d, desk_view *v)
{
	if (d->filter_waits) {
		/* a filter reading every row, or the evidence: the view changes
		 * when it is known; the status line when its percentage does */
		if (!filter_step(d)) {
			int pc;
			desk_filter_pending(d, &pc);
			if (!progress_due(v, pc))
				return 0;
			say(v, false, "filtering: %d%% (keys still work)", pc);
			return DESK_REDRAW;
		}
		filter_apply(d);
		v->cursor = v->top = 0;
		say(v, false, "%zu rows", d->nvis);
		return DESK_REDRAW;
	}
	if (v->search_wait) {
		search_slice(d);
		if (!search_ready(d)) {
			int pc = search_percent(d);
			if (!progress_due(v, pc))
				return 0;
			say(v, false, "searching: %d%% (keys still work)", pc);
			return DESK_REDRAW;
		}
		int dir = v->search_wait;
		v->search_wait = 0;
		return search_now(d, v, dir);
	}
	if (!match_ready(&d->smatch))
		match_step(d, &d->smatch);
	else if (!d->eval && !d->all_ev)
		ev_step(d, slice(d, 16384));
	else if (!d->eval && !d->all_named)
		name_step(d, slice(d, 8192));
	else
		heur_step(d, slice(d, 1024));
	return 0;
}

/* A pane read full screen takes the moving keys to scroll its text
 * (the UI keeps the offset in range); other keys act as ever. */
static bool pager_key(desk_view *v, enum desk_action a)
{
	int *s = &v->scroll[v->maximized], page = v->pager_page ? (int)v->pager_page : 1;
	switch (a) {
	case ACT_DOWN: case ACT_SCROLL_DOWN: *s += 1; break;
	case ACT_UP: case ACT_SCROLL_UP: *s -= 1; break;
	case ACT_PAGE_DOWN: *s += page; break;
	case ACT_PAGE_UP: *s -= page; break;
	case ACT_HALF_DOWN: *s += page / 2 ? page / 2 : 1; break;
	case ACT_HALF_UP: *s -= page / 2 ? page / 2 : 1; break;
	case ACT_FIRST: *s = 0; break;
	case ACT_LAST: *s = INT32_MAX / 2; break;
	default: return false;
	}
	if (*s < 0)
		*s = 0;
	return true;
}

/* Moving: rows, panes, scrolling.  ACT_NONE when the action is another's. */
static unsigned act_move(desk *d, desk_view *v, enum desk_action a)
{
	long page = (long)(v->page ? v->page : 1), half = page / 2 ? page / 2 : 1;
	switch (a) {
	case ACT_DOWN: move(d, v, 1); break;
	case ACT_UP: move(d, v, -1); break;
	case ACT_FIRST: move(d, v, -(long)d->nvis); break;
	case ACT_LAST: move(d, v, (long)d->nvis); break;
	case ACT_PAGE_DOWN: move(d, v, page); break;
	case ACT_PAGE_UP: move(d, v, -page); break;
	case ACT_HALF_DOWN: move(d, v, half); break;
	case ACT_HALF_UP: move(d, v, -half); break;
	case ACT_NEXT_PANE: case ACT_PREV_PANE: case ACT_PANE_1: case ACT_PANE_2: case ACT_PANE_3: case ACT_PANE_4:
		v->focus = a == ACT_NEXT_PANE ? (v->focus + 1) % PANE_COUNT
			 : a == ACT_PREV_PANE ? (v->focus + PANE_COUNT - 1) % PANE_COUNT : (int)(a - ACT_PANE_1);
		if (v->maximized >= 0)
			v->maximized = v->focus;
		return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_MAXIMIZE:
		v->maximized = v->maximized >= 0 ? -1 : v->focus;
		return DESK_RELAYOUT | DESK_REDRAW;
	case ACT_SCROLL_DOWN: v->scroll[v->focus]++; break;
	case ACT_SCROLL_UP: if (v->scroll[v->focus] > 0) v->scroll[v->focus]--; break;
	default: return ACT_NONE;
	}
	return DESK_REDRAW;
}

/* What the view shows: search, filter, sort, the rows in view, overlays,
 * the scope and the stay option. */
static unsigned act_view(desk *d, desk_view *v, enum desk_action a)
{
	switch (a) {
	case ACT_SEARCH: return ask(v, PROMPT_SEARCH, a, "/");
	case ACT_SEARCH_NEXT: return search_step(d, v, v->search_dir);
	case ACT_SEARCH_PREV: return search_step(d, v, -v->search_dir);
	case ACT_FILTER: {
		/* the prompt holds the filter in force, to edit */
		unsigned f = ask(v, PROMPT_FILTER, a, "filter (company= source= flag= status= heuristic= asn= cert= banner=): ");
		v->prompt_fill = xstrdup(desk_filter_text(d));
		return f;
	}
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
	case ACT_SORT: case ACT_INVERT:
		desk_set_sort(d, a == ACT_SORT ? (enum desk_sort)((d->sort + 1) % SORT_COUNT) : d->sort,
			      a == ACT_SORT ? d->inverted : !d->inverted);
		v->cursor = v->top = 0;
		say(v, false, "sort: %s%s", desk_sort_names[d->sort], a == ACT_INVERT && d->inverted ? " (inverted)" : "");
		break;
	case ACT_SCOPE:
		if (d->eval) {
			say(v, true, "eval mode labels domains: no scope to choose");
			break;
		}
		v->scope = v->scope == 'i' ? 'm' : v->scope == 'm' ? 'd' : 'i';
		say(v, false, "decisions now on %s of the row%s", scope_words(v->scope),
		    v->scope == 'i' ? "" : " (at most 1000; z again changes)");
		break;
	case ACT_STAY:
		v->stay = !v->stay;
		say(v, false, "%s", v->stay ? "after a decision: stay on the row" : "after a decision: on to the next row");
		break;
	case ACT_CHART: case ACT_REPORT:
		v->chart = a == ACT_CHART && !v->chart;
		v->report = a == ACT_REPORT && !v->report;
		break;
	case ACT_HELP:
		v->help = true;
		v->help_scroll = 0;
		break;
	default: return ACT_NONE;
	}
	return DESK_REDRAW;
}

static const char eval_keys[] = "eval mode: c takes the final answer, s the MX name's, o types the truth, x cannot decide";

/* A verdict key: at once on the cursor's row, or after a y/n on the tagged
 * ones; in eval mode, a label. */
static unsigned act_verdict(desk *d, desk_view *v, enum desk_action a)
{
	size_t nt = desk_ntagged(d);
	if (a == ACT_UNDECIDABLE && !d->eval) {
		say(v, true, "x labels \"cannot decide\" in eval mode (mxray review --mode eval)");
		return DESK_REDRAW;
	}
	if (a >= ACT_TAKE_MX && a <= ACT_TAKE_PRIORITY) {
		static const char *const which[] = {"mx", "cert", "banner", "priority"};
		if (!d->eval) {
			say(v, true, "M C B P label with an approach's answer in eval mode (mxray review --mode eval)");
			return DESK_REDRAW;
		}
		const char *t = which[a - ACT_TAKE_MX];
		if (nt)
			return ask(v, PROMPT_YESNO, a, "Label %zu tagged domains with the %s answer? (y/n) ", nt, t);
		return label_now(d, v, t);
	}
	if (d->eval) {
		if (a == ACT_ACCEPT || a == ACT_REJECT) {
			say(v, true, "%s", eval_keys);
			return DESK_REDRAW;
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

/* Deciding and labelling, notes, tags, undo and redo. */
static unsigned act_decide(desk *d, desk_view *v, enum desk_action a)
{
	char *err = NULL;
	switch (a) {
	case ACT_UNDECIDABLE: case ACT_CONFIRM: case ACT_SELF: case ACT_ACCEPT: case ACT_REJECT:
	case ACT_TAKE_MX: case ACT_TAKE_CERT: case ACT_TAKE_BANNER: case ACT_TAKE_PRIORITY:
		return act_verdict(d, v, a);
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
			say(v, true, "%s", eval_keys);
			break;
		}
		size_t n = 0;
		for (size_t i = 0; i < d->nvis; i++)
			n += fired(&d->rows[d->vis[i]]) && !d->rows[d->vis[i]].decision;
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
			size_t row = d->vis[v->cursor];
			desk_tag(d, row, !d->rows[row].tagged);
			move(d, v, 1);
			say(v, false, "%zu tagged", desk_ntagged(d));
		}
		break;
	case ACT_TAG_ALL:
		for (size_t i = 0; i < d->nvis; i++)
			desk_tag(d, d->vis[i], true);
		say(v, false, "%zu tagged (every row in view)", desk_ntagged(d));
		break;
	case ACT_UNTAG_ALL:
		desk_untag_all(d);
		say(v, false, "no rows tagged");
		break;
	case ACT_UNDO: case ACT_REDO: {
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
	default: return ACT_NONE;
	}
	return DESK_REDRAW;
}

unsigned desk_act(desk *d, desk_view *v, enum desk_action a)
{
	v->message[0] = '\0';
	v->message_error = false;
	if ((v->chart && a != ACT_CHART && a != ACT_QUIT_NOW) || (v->report && a != ACT_REPORT && a != ACT_QUIT_NOW)) {
		v->chart = v->report = false; /* any key closes an overlay */
		return DESK_REDRAW;
	}
	if (v->maximized >= 0 && pager_key(v, a))
		return DESK_REDRAW;
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
	unsigned f;
	if ((f = act_move(d, v, a)) != ACT_NONE || (f = act_view(d, v, a)) != ACT_NONE ||
	    (f = act_decide(d, v, a)) != ACT_NONE)
		return f;
	switch (a) {
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
	default:
		return 0;
	}
}

static unsigned answer(desk *d, desk_view *v, enum desk_prompt p, enum desk_action pending, const char *text);

/* Whether a typed override can be saved: a provider ID or company
 * (triage), a truth (eval).  When it cannot, says why and returns false.
 * name (triage) receives what to record: the company's name or the ID. */
static bool override_valid(desk *d, desk_view *v, const char *text, char name[MX_NAME_MAX + 2])
{
	if (d->eval) {
		for (int a = 0; a < 5; a++)
			if (!strcasecmp(text, eval_approach_names[a]))
				return true;
		char *err = NULL, *c = label_canonical(d->k, text, &err);
		if (!c) {
			say(v, true, "not saved: %s", err);
			free(err);
			return false;
		}
		free(c);
		return true;
	}
	const kb_company *co = d->k ? kb_company_named(d->k, text) : NULL;
	if (co) {
		snprintf(name, MX_NAME_MAX + 2, "%s", co->name);
		return true;
	}
	if (mx_name_norm(text, strlen(text), name) || !domain_rd(name)) {
		char *e = sanitize_str(text);
		say(v, true, "'%s' is not a provider ID (a registered domain) or a known company: nothing saved", e);
		free(e);
		return false;
	}
	return true;
}

/* Set the typed provider (or, in eval mode, the typed truth). */
static unsigned override_now(desk *d, desk_view *v, const char *text)
{
	char name[MX_NAME_MAX + 2];
	if (!override_valid(d, v, text, name))
		return DESK_REDRAW;
	if (d->eval)
		return label_now(d, v, text);
	return decide_now(d, v, 'o', name);
}

unsigned desk_answer(desk *d, desk_view *v, const char *text)
{
	enum desk_prompt p = v->prompt;
	enum desk_action pending = v->pending;
	char label[sizeof v->prompt_label];
	memcpy(label, v->prompt_label, sizeof label);
	unsigned f = answer(d, v, p, pending, text);
	/* a typed text that was refused: the prompt again, with the text */
	if (text && v->message_error && v->prompt == PROMPT_NONE &&
	    (p == PROMPT_OVERRIDE || p == PROMPT_FILTER || p == PROMPT_NOTE))
		return reask(v, p, pending, label, text);
	return f;
}

/* The answer to a prompt, prompt closed first. */
static unsigned answer(desk *d, desk_view *v, enum desk_prompt p, enum desk_action pending, const char *text)
{
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
		int pc;
		if (!desk_set_filter(d, text, &why)) {
			say(v, true, "bad filter: %s", why);
		} else if (filter_now(d) && desk_filter_pending(d, &pc)) {
			v->busy_percent = pc;
			v->busy_drawn = mx_clock_s();
			say(v, false, "filtering: %d%% (keys still work)", pc);
		} else {
			v->cursor = v->top = 0;
			say(v, false, "%zu rows", d->nvis);
		}
		break;
	}
	case PROMPT_OVERRIDE:
		if (desk_ntagged(d)) {
			/* several rows: a y/n first, for a text that can be saved */
			char name[MX_NAME_MAX + 2];
			if (!override_valid(d, v, text, name))
				break;
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
	case PROMPT_SPLIT: {
		/* y: on the addresses as asked; d, m: a wider scope */
		char c = (char)tolower((unsigned char)text[0]), verdict = v->pending_verdict;
		char *t = v->pending_text;
		v->pending_text = NULL;
		unsigned f = DESK_REDRAW;
		if (c == 'y' || c == 'd' || c == 'm')
			f = decide_at(d, v, verdict, t, c == 'y' ? 'i' : c, false);
		else
			say(v, false, "cancelled");
		free(t);
		return f;
	}
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
				if (fired(r) && !r->decision)
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
