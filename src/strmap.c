/* strmap: interning hash map with an arena for keys. */
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)

struct strmap {
	uint64_t *slots; /* the key's 32-bit hash << 32 | id + 1; 0 = empty */
	size_t nslots;
	const char **keys;
	size_t n, cap;
	char **chunks;
	size_t nchunks;
	size_t used; /* in the last chunk */
};

static uint32_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

strmap *strmap_new(void)
{
	strmap *m = xcalloc(1, sizeof *m);
	m->nslots = 1024;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	return m;
}

void strmap_free(strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nchunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	free(m->keys);
	free(m->slots);
	free(m);
}

static char *arena_copy(strmap *m, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n > CHUNK) {
		/* an oversized key gets a chunk of its own, inserted before the last */
		char *p = xmalloc(n);
		memcpy(p, s, n);
		m->chunks = xrealloc(m->chunks, (m->nchunks + 1) * sizeof *m->chunks);
		if (m->nchunks) {
			m->chunks[m->nchunks] = m->chunks[m->nchunks - 1];
			m->chunks[m->nchunks - 1] = p;
		} else {
			m->chunks[0] = p;
			m->used = CHUNK; /* force a fresh chunk next time */
		}
		m->nchunks++;
		return p;
	}
	if (!m->nchunks || m->used + n > CHUNK) {
		m->chunks = xrealloc(m->chunks, (m->nchunks + 1) * sizeof *m->chunks);
		m->chunks[m->nchunks++] = xmalloc(CHUNK);
		m->used = 0;
	}
	char *p = m->chunks[m->nchunks - 1] + m->used;
	memcpy(p, s, n);
	m->used += n;
	return p;
}

static void grow(strmap *m)
{
	size_t ns = m->nslots * 2;
	uint64_t *slots = xcalloc(ns, sizeof *slots);
	for (size_t i = 0; i < m->nslots; i++) {
		uint64_t e = m->slots[i];
		if (!e)
			continue;
		size_t h = (size_t)(e >> 32) & (ns - 1);
		while (slots[h])
			h = (h + 1) & (ns - 1);
		slots[h] = e;
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = ns;
}

/* The slot of key (hash h): where it is, or the empty one where it goes.
 * The stored hash is compared first, so other keys are rarely read. */
static size_t probe(const strmap *m, const char *key, uint32_t h)
{
	size_t i = h & (m->nslots - 1);
	for (;;) {
		uint64_t e = m->slots[i];
		if (!e || ((uint32_t)(e >> 32) == h && !strcmp(m->keys[(uint32_t)e - 1], key)))
			return i;
		i = (i + 1) & (m->nslots - 1);
	}
}

uint32_t strmap_find(const strmap *m, const char *key)
{
	uint64_t e = m->slots[probe(m, key, hash(key))];
	return e ? (uint32_t)e - 1 : UINT32_MAX;
}

static uint32_t intern_hashed(strmap *m, const char *key, uint32_t h, int *added)
{
	size_t i = probe(m, key, h);
	if (m->slots[i]) {
		if (added)
			*added = 0;
		return (uint32_t)m->slots[i] - 1;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->keys = xrealloc(m->keys, m->cap * sizeof *m->keys);
	}
	uint32_t id = (uint32_t)m->n++;
	m->keys[id] = arena_copy(m, key);
	m->slots[i] = (uint64_t)h << 32 | (id + 1);
	if (added)
		*added = 1;
	if (m->n * 10 > m->nslots * 7)
		grow(m);
	return id;
}

uint32_t strmap_intern(strmap *m, const char *key, int *added)
{
	return intern_hashed(m, key, hash(key), added);
}

/* How many keys ahead strmap_intern_many reads: each key's slot is
 * anywhere in the table, and a stored key's text anywhere in the arena. */
#define AHEAD 8

/* Each key's id in turn (added when absent, with add; else UINT32_MAX),
 * the slots of the keys AHEAD on read ahead, and half way there the text
 * of a stored key of the same hash (likely the key itself). */
static void many(strmap *m, const char *const *keys, size_t n, uint32_t *ids, bool add)
{
	uint32_t h[2 * AHEAD];
	size_t pre = n < AHEAD ? n : AHEAD;
	for (size_t i = 0; i < pre; i++) {
		h[i] = hash(keys[i]);
		__builtin_prefetch(&m->slots[h[i] & (m->nslots - 1)]);
	}
	for (size_t i = 0; i < n; i++) {
		if (i + AHEAD < n) {
			uint32_t ha = hash(keys[i + AHEAD]);
			h[(i + AHEAD) % (2 * AHEAD)] = ha;
			__builtin_prefetch(&m->slots[ha & (m->nslots - 1)]);
		}
		if (i + AHEAD / 2 < n) {
			uint32_t hb = h[(i + AHEAD / 2) % (2 * AHEAD)];
			uint64_t e = m->slots[hb & (m->nslots - 1)];
			if (e && (uint32_t)(e >> 32) == hb)
				__builtin_prefetch(m->keys[(uint32_t)e - 1]);
		}
		uint32_t hi = h[i % (2 * AHEAD)];
		if (add) {
			ids[i] = intern_hashed(m, keys[i], hi, NULL);
		} else {
			uint64_t e = m->slots[probe(m, keys[i], hi)];
			ids[i] = e ? (uint32_t)e - 1 : UINT32_MAX;
		}
	}
}

void strmap_intern_many(strmap *m, const char *const *keys, size_t n, uint32_t *ids)
{
	many(m, keys, n, ids, true);
}

void strmap_find_many(const strmap *m, const char *const *keys, size_t n, uint32_t *ids)
{
	many((strmap *)m, keys, n, ids, false); /* without add, nothing is written */
}

const char *strmap_key(const strmap *m, uint32_t id)
{
	return id < m->n ? m->keys[id] : NULL;
}

const char *const *strmap_keys(const strmap *m)
{
	return m->keys;
}

size_t strmap_size(const strmap *m)
{
	return m->n;
}
