/* pfx2as: parse RouteViews lines; longest-prefix match with one sorted
 * array per prefix length (at most 33 binary searches a lookup). */
#include "mxray/pfx2as.h"
#include "mxray/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint32_t net;
	uint32_t seq; /* insertion order: the later duplicate wins */
	char *origin;
} entry;

struct pfx2as {
	entry *e[33];
	size_t n[33], cap[33];
	bool sorted;
	uint32_t seq;
	size_t total;
};

static uint32_t mask_of(unsigned len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

enum pfx2as_parse pfx2as_parse_line(const char *line, pfx2as_line *out, const char **why)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#' || *line == '\n' || *line == '\r')
		return PFX2AS_BLANK;
	char addr[64], origin[PFX2AS_ORIGIN_MAX + 1];
	const char *p = line;
	size_t k = 0;
	while (*p && *p != '\t' && *p != ' ') {
		if (k + 1 >= sizeof addr) {
			*why = "address field too long";
			return PFX2AS_BAD;
		}
		addr[k++] = *p++;
	}
	addr[k] = '\0';
	if (strchr(addr, ':'))
		return PFX2AS_IPV6;
	while (*p == '\t' || *p == ' ')
		p++;
	char lenbuf[8];
	k = 0;
	while (*p && *p != '\t' && *p != ' ') {
		if (k + 1 >= sizeof lenbuf) {
			*why = "prefix length is not a number in 0..32";
			return PFX2AS_BAD;
		}
		lenbuf[k++] = *p++;
	}
	lenbuf[k] = '\0';
	while (*p == '\t' || *p == ' ')
		p++;
	k = 0;
	while (*p && *p != '\t' && *p != ' ' && *p != '\r' && *p != '\n') {
		if (k + 1 >= PFX2AS_ORIGIN_MAX) {
			*why = "origin field too long";
			return PFX2AS_BAD;
		}
		origin[k++] = *p++;
	}
	origin[k] = '\0';
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p) {
		*why = "more than three fields";
		return PFX2AS_BAD;
	}
	uint32_t ip;
	if (!mx_ipv4_parse(addr, &ip)) {
		*why = "address is not an IPv4 address";
		return PFX2AS_BAD;
	}
	uint64_t len;
	if (!mx_parse_u64(lenbuf, &len) || len > 32) {
		*why = "prefix length is not a number in 0..32";
		return PFX2AS_BAD;
	}
	if (!origin[0]) {
		*why = "missing origin AS";
		return PFX2AS_BAD;
	}
	uint32_t asn;
	char set[PFX2AS_ORIGIN_MAX];
	if (!pfx2as_origin(origin, &asn, set)) {
		*why = "origin is not a list of decimal AS numbers";
		return PFX2AS_BAD;
	}
	out->net = ip & mask_of((unsigned)len);
	out->len = (unsigned)len;
	memcpy(out->origin, origin, k + 1);
	return PFX2AS_OK;
}

bool pfx2as_origin(const char *origin, uint32_t *asn, char set[PFX2AS_ORIGIN_MAX])
{
	/* The string may come from the database, not only from a parsed line:
	 * refuse what no line could hold (the set is copied into set[]). */
	size_t len = strnlen(origin, PFX2AS_ORIGIN_MAX);
	if (len == 0 || len >= PFX2AS_ORIGIN_MAX)
		return false;
	/* Validate the whole string: digits separated by '_' or ','; the
	 * first number is the ASN. */
	const char *p = origin;
	uint32_t head = 0;
	bool first_number = true;
	while (*p) {
		if (*p < '0' || *p > '9')
			return false;
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > 0xffffffffu)
				return false;
			p++;
		}
		if (first_number)
			head = (uint32_t)v;
		first_number = false;
		if (*p == '_' || *p == ',') {
			p++;
			if (!*p)
				return false;
		} else if (*p) {
			return false;
		}
	}
	/* The first MOAS member is the most-seen origin; when it is an AS set,
	 * the set as written (shorter than the whole string, so it fits). */
	size_t first = strcspn(origin, "_");
	set[0] = '\0';
	if (memchr(origin, ',', first)) {
		memcpy(set, origin, first);
		set[first] = '\0';
	}
	*asn = head;
	return true;
}

pfx2as *pfx2as_new(void)
{
	pfx2as *t = xcalloc(1, sizeof *t);
	t->sorted = true;
	return t;
}

void pfx2as_free(pfx2as *t)
{
	if (!t)
		return;
	for (int l = 0; l <= 32; l++) {
		for (size_t i = 0; i < t->n[l]; i++)
			free(t->e[l][i].origin);
		free(t->e[l]);
	}
	free(t);
}

void pfx2as_add(pfx2as *t, uint32_t net, unsigned len, const char *origin)
{
	if (len > 32 || !origin) /* a damaged stored row: no prefix rather than a crash */
		return;
	if (t->n[len] == t->cap[len]) {
		t->cap[len] = t->cap[len] ? t->cap[len] * 2 : 64;
		t->e[len] = xrealloc(t->e[len], t->cap[len] * sizeof(entry));
	}
	t->e[len][t->n[len]++] = (entry){net & mask_of(len), t->seq++, xstrdup(origin)};
	t->sorted = false;
	t->total++;
}

size_t pfx2as_count(const pfx2as *t)
{
	return t->total;
}

static int cmp_entry(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort each length and keep only the last-added entry per prefix. */
static void finish(pfx2as *t)
{
	t->total = 0;
	for (int l = 0; l <= 32; l++) {
		if (t->n[l] > 1)
			qsort(t->e[l], t->n[l], sizeof(entry), cmp_entry);
		size_t w = 0;
		for (size_t i = 0; i < t->n[l]; i++) {
			if (i + 1 < t->n[l] && t->e[l][i + 1].net == t->e[l][i].net) {
				free(t->e[l][i].origin);
				continue;
			}
			t->e[l][w++] = t->e[l][i];
		}
		t->n[l] = w;
		t->total += w;
	}
	t->sorted = true;
}

const char *pfx2as_lookup(pfx2as *t, uint32_t ip, unsigned *matched_len)
{
	if (!t->sorted)
		finish(t);
	for (int l = 32; l >= 0; l--) {
		if (!t->n[l])
			continue;
		uint32_t key = ip & mask_of((unsigned)l);
		size_t lo = 0, hi = t->n[l];
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (t->e[l][mid].net < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t->n[l] && t->e[l][lo].net == key) {
			if (matched_len)
				*matched_len = (unsigned)l;
			return t->e[l][lo].origin;
		}
	}
	return NULL;
}
