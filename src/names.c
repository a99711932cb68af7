/* names: in-memory cache of the name table for bulk loads. */
#include "mxray/names.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct names {
	strmap *map;      /* name -> dense index */
	int64_t *id;      /* index -> database id */
	size_t cap;
	size_t flushed;   /* indexes below this are in the table */
	int64_t next;     /* the next free database id */
	int64_t version;  /* PRAGMA data_version when loaded */
};

static void put(names *n, uint32_t i, int64_t id)
{
	if (i >= n->cap) {
		n->cap = n->cap ? n->cap * 2 : 4096;
		while (n->cap <= i)
			n->cap *= 2;
		n->id = xrealloc(n->id, n->cap * sizeof *n->id);
	}
	n->id[i] = id;
}


static int load(names *n, store *st, char **err)
{
	n->map = strmap_new();
	n->next = 1;
	n->version = store_data_version(st, err);
	if (n->version < 0)
		return -1;
	sqlite3_stmt *s = store_prepare(st, "SELECT id, name FROM name ORDER BY id", err);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		uint32_t i = strmap_intern(n->map, (const char *)sqlite3_column_text(s, 1), NULL);
		put(n, i, id);
		if (id >= n->next)
			n->next = id + 1;
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	n->flushed = strmap_size(n->map);
	return 0;
}

names *names_open(store *st, char **err)
{
	names *n = xcalloc(1, sizeof *n);
	if (load(n, st, err) < 0) {
		names_free(n);
		return NULL;
	}
	return n;
}

int names_sync(names *n, store *st, char **err)
{
	int64_t v = store_data_version(st, err);
	if (v < 0)
		return -1;
	if (v == n->version)
		return 0;
	if (n->flushed != strmap_size(n->map)) {
		*err = xstrdup("internal error: the name cache has unsaved names while the database changed");
		return -1;
	}
	strmap_free(n->map);
	n->map = NULL;
	n->flushed = 0;
	return load(n, st, err);
}

void names_free(names *n)
{
	if (!n)
		return;
	strmap_free(n->map);
	free(n->id);
	free(n);
}

uint32_t names_ref(names *n, const char *name)
{
	int added;
	uint32_t i = strmap_intern(n->map, name, &added);
	if (added)
		put(n, i, 0); /* an id at the next flush */
	return i;
}

void names_ref_many(names *n, const char *const *name, size_t count, uint32_t *ref)
{
	size_t before = strmap_size(n->map);
	strmap_intern_many(n->map, name, count, ref);
	size_t after = strmap_size(n->map);
	if (after > before)
		put(n, (uint32_t)(after - 1), 0);
	for (size_t i = before; i < after; i++)
		n->id[i] = 0; /* an id at the next flush */
}

int64_t names_dbid(const names *n, uint32_t ref)
{
	return n->id[ref];
}

/* The eight bytes of s from its start (fewer when it ends sooner, the
 * rest zero) as a big-endian number; *len the bytes read (< 8: s ends). */
static uint64_t prefix8(const unsigned char *s, int *len)
{
	uint64_t p = 0;
	int j = 0;
	for (; j < 8 && s[j]; j++)
		p = p << 8 | s[j];
	if (j) /* an empty name is p = 0: a shift by 64 is undefined */
		p <<= 8 * (8 - j);
	*len = j;
	return p;
}

static void row_set_prefix(uint32_t *r, uint64_t p)
{
	r[0] = (uint32_t)(p >> 32);
	r[1] = (uint32_t)p;
}

/* How many rows ahead the walks in name order prefetch: each row's id
 * slot, key slot and key lie anywhere in memory. */
#define AHEAD 16

/* Rows by words 0 and 1: the eight bytes of their names at one offset. */
static int cmp_words(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/* Rows from..to-1 share their names' first bytes (as many at each step
 * of the sort) and hold the next eight in words 0 and 1. */
typedef struct {
	size_t from, to;
} span;

typedef struct {
	span *v;
	size_t n, cap;
} spans;

static void spans_push(spans *s, size_t from, size_t to)
{
	if (s->n == s->cap)
		s->v = xrealloc(s->v, (s->cap = s->cap ? 2 * s->cap : 1024) * sizeof *s->v);
	s->v[s->n++] = (span){from, to};
}

/* The runs of rows in from..to-1 whose words 0 and 1 are the same and
 * are eight bytes of their names, not their ends (rows there differ
 * after them), into out, and their rows' indexes into idx. */
static void find_ties(uint32_t (*row)[4], size_t from, size_t to, spans *out, uint32_t *idx, size_t *nidx)
{
	for (size_t i = from; i < to;) {
		size_t j = i + 1;
		while (j < to && row[j][0] == row[i][0] && row[j][1] == row[i][1])
			j++;
		if (j - i > 1 && (row[i][1] & 0xff)) {
			spans_push(out, i, j);
			for (size_t r = i; r < j; r++)
				idx[(*nidx)++] = (uint32_t)r;
		}
		i = j;
	}
}

/* A name's length for sqlite3_result_text: -1 (SQLite counts) beyond int. */
static uint32_t key_len(size_t len)
{
	return len <= INT_MAX ? (uint32_t)len : UINT32_MAX;
}

/* The new names (from `first` on, k of them) in name order (strcmp), one
 * row each: its reference in word 2, its length (key_len) in word 3.
 * Radix-sorted by the first eight bytes (words 0 and 1), then each run
 * that shares those bytes (and is longer) by the next eight, and so on,
 * one level of ties at a time (in the 1M sample, 1.28M of 1.49M names
 * share their first eight bytes with another: "mail.cit...").  The
 * names are read in reference order, the order they lie in the map's
 * arena, and their first sixteen bytes kept: a name read again later is
 * read from anywhere in memory, and at 10M domains (14.9M names, 5.4M of
 * them sharing sixteen bytes) reading bytes 8-15 back for the runs and
 * comparing the rest with strcmp inside qsort took 4.1-6.3 s; with the
 * bytes kept, and the deeper levels read in one pass each that reads
 * ahead, 2.1-2.2 s. */
static uint32_t (*sort_names(const strmap *m, size_t first, size_t k))[4]
{
	uint32_t(*row)[4] = xmalloc(k * sizeof *row);
	uint64_t *second = xmalloc(k * sizeof *second);
	for (size_t i = 0; i < k; i++) {
		const unsigned char *s = (const unsigned char *)strmap_key(m, (uint32_t)(first + i));
		int j;
		row_set_prefix(row[i], prefix8(s, &j));
		row[i][2] = (uint32_t)(first + i);
		size_t len = (size_t)j;
		second[i] = 0;
		if (j == 8) {
			second[i] = prefix8(s + 8, &j);
			len = j < 8 ? 8 + (size_t)j : 16 + strlen((const char *)s + 16);
		}
		row[i][3] = key_len(len);
	}
	mx_sort_u32x4(row, k, 2);
	spans cur = {0}, next = {0};
	uint32_t *idx = xmalloc(k * sizeof *idx);
	size_t nidx = 0;
	find_ties(row, 0, k, &cur, idx, &nidx);
	for (size_t x = 0; x < nidx; x++) {
		if (x + AHEAD < nidx)
			__builtin_prefetch(&second[row[idx[x + AHEAD]][2] - first]);
		row_set_prefix(row[idx[x]], second[row[idx[x]][2] - first]);
	}
	free(second);
	const char *const *keys = strmap_keys(m);
	for (size_t at = 16; cur.n; at += 8) {
		nidx = 0;
		next.n = 0;
		for (size_t c = 0; c < cur.n; c++) {
			qsort(row + cur.v[c].from, cur.v[c].to - cur.v[c].from, sizeof *row, cmp_words);
			find_ties(row, cur.v[c].from, cur.v[c].to, &next, idx, &nidx);
		}
		for (size_t x = 0; x < nidx; x++) {
			if (x + AHEAD < nidx)
				__builtin_prefetch(&keys[row[idx[x + AHEAD]][2]]);
			if (x + AHEAD / 2 < nidx)
				__builtin_prefetch(keys[row[idx[x + AHEAD / 2]][2]] + at);
			int len;
			row_set_prefix(row[idx[x]], prefix8((const unsigned char *)keys[row[idx[x]][2]] + at, &len));
		}
		spans t = cur;
		cur = next;
		next = t;
	}
	free(cur.v);
	free(next.v);
	free(idx);
	return row;
}

/* After the ids are given, a sorted row's words 0 and 1 hold its key. */
_Static_assert(sizeof(const char *) <= 2 * sizeof(uint32_t), "a key pointer fits in two words");

static void row_set_key(uint32_t *r, const char *key)
{
	memcpy(r, &key, sizeof key);
}

static const char *row_key(const uint32_t *r)
{
	const char *key;
	memcpy(&key, r, sizeof key);
	return key;
}

/* Give the sorted rows the ids from `next` on, and put each row's key in
 * it: one walk over the references in name order, prefetching. */
static void give_ids(names *n, uint32_t (*row)[4], size_t k, int64_t next)
{
	const char *const *keys = strmap_keys(n->map);
	for (size_t i = 0; i < k; i++) {
		if (i + AHEAD < k) {
			__builtin_prefetch(&n->id[row[i + AHEAD][2]], 1);
			__builtin_prefetch(&keys[row[i + AHEAD][2]]);
		}
		uint32_t r = row[i][2];
		n->id[r] = next + (int64_t)i;
		row_set_key(row[i], keys[r]);
	}
}

/* The flush hands SQLite each row's name in name order, which is an
 * order all over the map's arena (names are interned as they are seen).
 * Read there one at a time, between the rows' B-tree work, every name is
 * a wait on memory: at 10M domains (14.9M names, ~330 MB of text) the
 * INSERT took 16-21 s.  So the names are copied a block of rows at a
 * time into one buffer, in a tight loop that reads ahead, and SQLite
 * reads them from there in order: 10.9-11.8 s (two alternating pairs);
 * at 1M, where the names fit the cache, no change (0.57-0.70 s). */
#define GATHER 4096

typedef struct {
	const uint32_t (*row)[4];
	size_t k;
	int64_t first;      /* the first row's id */
	char *buf;          /* the names of rows from..to-1, one after another */
	size_t cap;
	size_t from, to;
	size_t off[GATHER]; /* each one's offset in buf; SIZE_MAX: read in place */
} flush_ctx;

/* How many rows ahead the gather reads a name. */
#define GATHER_AHEAD 32

static void gather(flush_ctx *f, size_t from)
{
	size_t to = from + GATHER < f->k ? from + GATHER : f->k;
	size_t need = 0;
	for (size_t i = from; i < to; i++)
		if (f->row[i][3] != UINT32_MAX)
			need += f->row[i][3];
	if (need >= f->cap) { /* a byte more: never NULL, which SQLite takes for NULL, when all are empty */
		f->cap = need + 1;
		free(f->buf);
		f->buf = xmalloc(f->cap);
	}
	size_t at = 0;
	for (size_t i = from; i < to; i++) {
		if (i + GATHER_AHEAD < to)
			__builtin_prefetch(row_key(f->row[i + GATHER_AHEAD]));
		uint32_t len = f->row[i][3];
		if (len == UINT32_MAX) { /* too long for the buffer's offsets: SQLite reads it where it is */
			f->off[i - from] = SIZE_MAX;
			continue;
		}
		memcpy(f->buf + at, row_key(f->row[i]), len);
		f->off[i - from] = at;
		at += len;
	}
	f->from = from;
	f->to = to;
}

static void flush_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	flush_ctx *f = cx;
	if (col == 0) {
		sqlite3_result_int64(out, f->first + (int64_t)row);
	} else if (col == 1) {
		if (row < f->from || row >= f->to)
			gather(f, row);
		size_t off = f->off[row - f->from];
		if (off == SIZE_MAX)
			sqlite3_result_text(out, row_key(f->row[row]), -1, SQLITE_STATIC);
		else /* SQLite copies it into the row before it asks for the next */
			sqlite3_result_text(out, f->buf + off, (int)f->row[row][3], SQLITE_STATIC);
	} else {
		sqlite3_result_null(out);
	}
}

int names_flush(names *n, store *st, char **err)
{
	size_t size = strmap_size(n->map);
	if (n->flushed == size)
		return 0;
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO name(id, name) SELECT c0, c1 FROM mxray_rows(?1)", err);
	if (!s)
		return -1;
	/* ids in name order: the rows and the unique index on name both
	 * grow at their ends */
	size_t k = size - n->flushed;
	uint32_t(*row)[4] = sort_names(n->map, n->flushed, k);
	int64_t next = n->next;
	give_ids(n, row, k, next);
	flush_ctx *fc = xcalloc(1, sizeof *fc);
	fc->row = (const uint32_t(*)[4])row;
	fc->k = k;
	fc->first = next;
	store_rows rows = {k, fc, flush_column};
	store_bind_rows(s, 1, &rows);
	/* The unique index on name is not kept up under a large load: the
	 * new names fall between the stored ones, and every page they land
	 * on splits.  A load of at least a quarter of the table's size drops
	 * it, and the loads after it write rows alone, until the import
	 * builds it once after its last file (store_name_index); a smaller load
	 * keeps it up.  At 1M domains the last three of an import's four
	 * loads (550k names into 300k, 150k into 850k, 490k into 1M) took
	 * 1.50-1.65 s with the index built again after the first of them
	 * and kept up in the other two, 0.62-0.66 s without it, and the one
	 * build after them 0.45-0.49 s: all the names' writing 1.62-1.77 s
	 * against 1.23-1.31 s (three alternating pairs).  Into an empty
	 * table both grow at their ends only, and
	 * keeping the index up costs less than sorting for it (1.5M names:
	 * 1.05 s against 1.39 s of CPU).  In the flush's transaction: a
	 * reader sees the table with its index or without, always whole. */
	int rc = store_begin(st, err);
	int indexed = rc == 0 ? store_has_name_index(st, err) : -1;
	if (indexed < 0)
		rc = -1;
	if (rc == 0 && indexed && n->flushed > 0 && k * 4 >= n->flushed)
		rc = store_exec(st, "DROP INDEX " STORE_NAME_INDEX, err);
	if (rc == 0 && store_step_bulk(st, s, err) < 0)
		rc = -1;
	if (rc == 0 && store_commit(st, err) < 0)
		rc = -1;
	if (rc < 0)
		store_rollback(st);
	free(fc->buf);
	free(fc);
	free(row);
	if (rc == 0) {
		n->flushed = size;
		n->next = next + (int64_t)k;
	}
	return rc;
}
