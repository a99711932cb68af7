/* jsonl: tolerant JSON-line parsing and dotted-path lookup. */
#include "mxray/jsonl.h"
#include "mxray/sanitize.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- an arena for jansson, per thread ---------------------------------- */

#define ARENA_CHUNK (256u << 10)

typedef struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
} chunk;

static _Thread_local chunk *arena; /* the newest chunk first */
static _Thread_local bool arena_on;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void *arena_malloc(size_t n)
{
	if (!arena_on)
		return malloc(n);
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	chunk *c = arena;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = arena;
		arena = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static void arena_free(void *p)
{
	if (!p)
		return;
	/* what this thread's arena gave is released with it; anything else
	 * came from malloc (before the arena, or on another thread) */
	for (const chunk *c = arena; c; c = c->next)
		if ((const char *)p >= (const char *)c->data && (const char *)p < (const char *)c->data + c->size)
			return;
	free(p);
}

static void arena_install(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
}

void jsonl_arena_begin(void)
{
	pthread_once(&arena_once, arena_install);
	arena_on = true;
}

void jsonl_arena_end(void)
{
	arena_on = false;
	/* keep one chunk of the usual size for the next record */
	chunk *keep = NULL;
	while (arena) {
		chunk *c = arena;
		arena = c->next;
		if (!keep && c->size == ARENA_CHUNK) {
			keep = c;
			continue;
		}
		free(c);
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	arena = keep;
}

void jsonl_arena_release(void)
{
	jsonl_arena_end();
	free(arena);
	arena = NULL;
}

/* Invalid byte b travels as U+10FF00+b: F4 8F BC|BD|BE|BF xx. */
static void put_raw_byte(strbuf *sb, unsigned char b)
{
	unsigned cp = 0x10ff00u + b;
	char u[4] = {(char)(0xf0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3f)),
		     (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f))};
	sb_add(sb, u, 4);
}

static bool word_byte(unsigned char b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' ||
	       b == '+' || b == '.';
}

/* How many values (objects, arrays, strings, numbers, true/false/null; keys
 * not counted) json_loadb would make of p[0..len), counted without making
 * them.  Outside strings every value starts with '{', '[', '"' or a run of
 * number/literal bytes; a string followed by ':' is a key; a string runs to
 * the first '"' not escaped by a backslash, as in jansson's lexer.  Exact on
 * valid JSON.  On malformed JSON jansson stops at its first error, and up to
 * there this count follows the same tokens, so it still bounds what jansson
 * builds (give or take the value in hand at the error). */
static size_t count_values(const unsigned char *p, size_t len)
{
	size_t n = 0;
	bool in_word = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = p[i];
		if (b == '"') {
			while (++i < len && p[i] != '"')
				if (p[i] == '\\')
					i++;
			size_t j = i + 1;
			while (j < len && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r'))
				j++;
			if (j >= len || p[j] != ':')
				n++;
			in_word = false;
			continue;
		}
		bool w = word_byte(b);
		if (b == '{' || b == '[' || (w && !in_word))
			n++;
		in_word = w;
	}
	return n;
}

size_t jsonl_count_values(const char *line, size_t len)
{
	return count_values((const unsigned char *)line, len);
}

json_t *jsonl_parse(const char *line, size_t len, bool *raw, char *err, size_t errlen)
{
	return jsonl_parse_alt(line, len, NULL, 0, raw, err, errlen);
}

json_t *jsonl_parse_alt(const char *line, size_t len, const char *alt, size_t altlen, bool *raw, char *err,
			size_t errlen)
{
	json_error_t je;
	*raw = false;
	/* jansson builds the whole tree (some 250 bytes an empty object): a
	 * line of 16 MiB could make millions of values and take gigabytes */
	size_t nvalues = count_values((const unsigned char *)line, len);
	if (nvalues > JSONL_VALUES_MAX) {
		snprintf(err, errlen, "JSON line has more than %d values (%zu)", JSONL_VALUES_MAX, nvalues);
		return NULL;
	}
	if (alt) {
		json_t *v = json_loadb(alt, altlen, JSON_ALLOW_NUL, &je);
		if (v && json_is_object(v))
			return v;
		json_decref(v);
	}
	/* JSON_ALLOW_NUL: SMTP text may hold "\u0000"; names are checked later */
	json_t *v = json_loadb(line, len, JSON_ALLOW_NUL, &je);
	if (!v && json_error_code(&je) == json_error_invalid_utf8) {
		strbuf sb;
		sb_init(&sb);
		const unsigned char *p = (const unsigned char *)line;
		size_t i = 0;
		while (i < len) {
			size_t ok = mx_utf8_valid_prefix(p + i, len - i);
			sb_add(&sb, p + i, ok);
			i += ok;
			if (i < len)
				put_raw_byte(&sb, p[i++]);
		}
		v = json_loadb(sb.data, sb.len, JSON_ALLOW_NUL, &je);
		sb_free(&sb);
		*raw = v != NULL;
	}
	if (!v) {
		/* jansson quotes the input ("near '...'"): escape it */
		char *t = sanitize_str(je.text);
		snprintf(err, errlen, "malformed JSON: %s (column %d)", t, je.column);
		free(t);
		return NULL;
	}
	if (!json_is_object(v)) {
		snprintf(err, errlen, "JSON value is not an object");
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *jsonl_path(json_t *root, const char *path)
{
	if (!root || !json_is_object(root))
		return NULL;
	size_t plen = strlen(path);
	/* Try the whole remaining path, then shorter prefixes ending at a dot. */
	for (size_t end = plen;;) {
		json_t *child;
		if (end == plen)
			child = json_object_get(root, path);
		else
			child = json_object_getn(root, path, end);
		if (child) {
			if (end == plen)
				return child;
			json_t *r = jsonl_path(child, path + end + 1);
			if (r)
				return r;
		}
		/* previous dot */
		size_t k = end;
		while (k > 0 && path[k - 1] != '.')
			k--;
		if (k == 0)
			return NULL;
		end = k - 1;
	}
}

bool jsonl_string(json_t *v, bool raw, strbuf *out)
{
	sb_clear(out);
	sb_add(out, "", 0); /* data is never NULL, even for "" */
	if (!json_is_string(v))
		return false;
	const unsigned char *s = (const unsigned char *)json_string_value(v);
	size_t n = json_string_length(v);
	if (!raw) {
		sb_add(out, s, n);
		return true;
	}
	for (size_t i = 0; i < n;) {
		if (i + 3 < n && s[i] == 0xf4 && s[i + 1] == 0x8f && (s[i + 2] & 0xfc) == 0xbc) {
			unsigned char b = (unsigned char)(((s[i + 2] & 0x03) << 6) | (s[i + 3] & 0x3f));
			sb_add(out, &b, 1);
			i += 4;
		} else {
			sb_add(out, s + i, 1);
			i++;
		}
	}
	return true;
}

bool jsonl_uint(json_t *v, unsigned long long *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return false;
		*out = (unsigned long long)i;
		return true;
	}
	if (json_is_string(v)) {
		uint64_t u;
		if (!mx_parse_u64(json_string_value(v), &u))
			return false;
		*out = u;
		return true;
	}
	return false;
}

bool jsonl_bool(json_t *v, bool *out)
{
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strcmp(s, "true") || !strcmp(s, "True")) {
			*out = true;
			return true;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False")) {
			*out = false;
			return true;
		}
	}
	return false;
}
