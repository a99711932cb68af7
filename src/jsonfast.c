/* jsonfast: a fast field extractor for flat JSON Lines records that
 * declines anything but the simple common case (see jsonfast.h). */
#include "mxray/jsonfast.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bytes that may appear as they are inside a string we accept: printable
 * ASCII except '"' and '\\'. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Flags (0x80 in a byte) when some byte of w is not plain.  Each test is
 * exact for the word as a whole, and a false flag (from a borrow or carry)
 * can only appear in a byte above a truly flagged one, so the lowest flag
 * marks the first byte that is not plain. */
static uint64_t word_special(uint64_t w)
{
	uint64_t low = (w - ONES * 0x20) & ~w;         /* a byte < 0x20 */
	uint64_t high = (w + ONES * 0x01) | w;         /* a byte > 0x7e */
	uint64_t q = w ^ (ONES * '"');
	uint64_t bs = w ^ (ONES * '\\');
	uint64_t quote = (q - ONES) & ~q;              /* a '"' */
	uint64_t back = (bs - ONES) & ~bs;             /* a '\\' */
	return (low | high | quote | back) & HIGHS;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(m) ((size_t)__builtin_ctzll(m) >> 3)
#endif

/* p is just after an opening quote.  Returns the closing quote, or NULL
 * when the string ends early or holds a byte that is not plain. */
static const unsigned char *scan_string(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__) && defined(__GNUC__)
	/* 16 bytes at a time: '"', '\\', DEL, and (as signed bytes) everything
	 * below 0x20 or from 0x80 up */
	const __m128i quote = _mm_set1_epi8('"'), back = _mm_set1_epi8('\\');
	const __m128i del = _mm_set1_epi8(0x7f), space = _mm_set1_epi8(0x20);
	while ((size_t)(end - p) >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, back)),
					   _mm_or_si128(_mm_cmpeq_epi8(v, del), _mm_cmplt_epi8(v, space)));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);
		if (m) {
			p += __builtin_ctz(m);
			return *p == '"' ? p : NULL;
		}
		p += 16;
	}
#endif
	while ((size_t)(end - p) >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t m = word_special(w);
		if (m) {
#ifdef FIRST_FLAGGED
			p += FIRST_FLAGGED(m);
			return *p == '"' ? p : NULL;
#else
			break; /* the byte loop below ends within these 8 bytes */
#endif
		}
		p += 8;
	}
	for (; p < end; p++) {
		if (*p == '"')
			return p;
		if (!plain(*p))
			return NULL;
	}
	return NULL;
}

/* The keys asked for.  Up to KEYS_MEASURED of them have their lengths
 * measured once per call, so that a key in the line is matched with one
 * length test and one memcmp. */
#define KEYS_MEASURED 32
typedef struct {
	const char *const *keys;
	int n;
	int hint; /* where the next search starts: rows usually list their keys in keys[] order */
	size_t len[KEYS_MEASURED];
} keyset;

static void keyset_init(keyset *ks, const char *const keys[], int nkeys)
{
	ks->keys = keys;
	ks->n = nkeys > 0 ? nkeys : 0;
	ks->hint = 0;
	if (ks->n <= KEYS_MEASURED)
		for (int i = 0; i < ks->n; i++)
			ks->len[i] = strlen(keys[i]);
}

/* Whether keys[i] is s[0..n) (plain bytes, so no NUL). */
static bool key_is(const keyset *ks, int i, const unsigned char *s, size_t n)
{
	const unsigned char *k = (const unsigned char *)ks->keys[i];
	if (ks->n <= KEYS_MEASURED)
		return ks->len[i] == n && memcmp(k, s, n) == 0;
	size_t j = 0;
	while (j < n && k[j] == s[j])
		j++;
	return j == n && k[n] == '\0';
}

/* The index of the key s[0..n) in the keyset, or -1. */
static int find_key(keyset *ks, const unsigned char *s, size_t n)
{
	int i = ks->hint;
	for (int tried = 0; tried < ks->n; tried++, i++) {
		if (i >= ks->n)
			i = 0;
		if (key_is(ks, i, s, n)) {
			ks->hint = i + 1 < ks->n ? i + 1 : 0;
			return i;
		}
	}
	return -1;
}

/* p is at '-' or a digit.  Scans an integer we accept and returns the
 * byte after it (NULL to decline); *s and *n give its "%lld" spelling. */
static const unsigned char *scan_int(const unsigned char *p, const unsigned char *end, const unsigned char **s,
				     size_t *n)
{
	const unsigned char *start = p;
	bool neg = *p == '-';
	if (neg)
		p++;
	const unsigned char *d = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	size_t nd = (size_t)(p - d);
	if (nd == 0 || (nd > 1 && d[0] == '0'))
		return NULL; /* no digits, or a leading zero */
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return NULL; /* a real: jansson reports its type */
	if (nd > 19)
		return NULL;
	if (nd == 19 && memcmp(d, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0)
		return NULL; /* beyond long long: jansson says "too big integer" */
	if (neg && nd == 1 && d[0] == '0') {
		*s = d; /* "-0" prints as "0" */
		*n = 1;
	} else {
		*s = start;
		*n = (size_t)(p - start);
	}
	return p;
}

bool jsonfast_flat(const char *line, size_t len, const char *const keys[], int nkeys, const char *vals[],
		   strbuf store[])
{
	const unsigned char *p = (const unsigned char *)line;
	const unsigned char *end = p + len;
	keyset ks;

	keyset_init(&ks, keys, nkeys);
	for (int i = 0; i < ks.n; i++)
		vals[i] = NULL;
	if (len == 0)
		return false;
	p = skip_ws(p, end);
	if (p == end || *p != '{')
		return false;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
	} else {
		for (;;) {
			/* "key" */
			if (p == end || *p != '"')
				return false;
			const unsigned char *kb = ++p;
			if (!(p = scan_string(p, end)))
				return false;
			size_t klen = (size_t)(p - kb);
			p = skip_ws(p + 1, end);
			if (p == end || *p != ':')
				return false;
			p = skip_ws(p + 1, end);
			if (p == end)
				return false;
			int k = find_key(&ks, kb, klen);

			/* value */
			const unsigned char *vs;
			size_t vlen;
			if (*p == '"') {
				vs = ++p;
				if (!(p = scan_string(p, end)))
					return false;
				vlen = (size_t)(p - vs);
				p++;
			} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
				if (!(p = scan_int(p, end, &vs, &vlen)))
					return false;
			} else if (*p == 'n') {
				if ((size_t)(end - p) < 4 || memcmp(p, "null", 4) != 0)
					return false;
				p += 4;
				vs = NULL;
				vlen = 0;
			} else {
				return false; /* true, false, array, object or junk */
			}
			if (k >= 0) {
				if (vs) {
					strbuf *sb = &store[k];
					if (sb->data && vlen < sb->cap) {
						/* room already: skip the calls */
						memcpy(sb->data, vs, vlen);
						sb->data[vlen] = '\0';
						sb->len = vlen;
					} else {
						sb_clear(sb);
						sb_add(sb, vs, vlen);
					}
					vals[k] = sb->data;
				} else {
					vals[k] = NULL;
				}
			}

			/* , or } */
			p = skip_ws(p, end);
			if (p == end)
				return false;
			if (*p == '}') {
				p++;
				break;
			}
			if (*p != ',')
				return false;
			p = skip_ws(p + 1, end);
		}
	}
	return skip_ws(p, end) == end;
}

static size_t ws_at(const char *t, size_t i, size_t len)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

bool jsonfast_strings(const char *text, size_t len, strbuf *out, size_t *n)
{
	sb_clear(out);
	*n = 0;
	size_t i = ws_at(text, 0, len);
	if (i >= len || text[i] != '[')
		return false;
	i = ws_at(text, i + 1, len);
	if (i < len && text[i] == ']')
		return ws_at(text, i + 1, len) == len;
	for (;;) {
		if (i >= len || text[i] != '"')
			return false;
		size_t start = ++i;
		while (i < len && text[i] != '"') {
			unsigned char c = (unsigned char)text[i];
			if (c < 0x20 || c > 0x7e || c == '\\')
				return false;
			i++;
		}
		if (i >= len)
			return false;
		sb_add(out, text + start, i - start);
		sb_addc(out, '\0');
		(*n)++;
		i = ws_at(text, i + 1, len);
		if (i < len && text[i] == ',') {
			i = ws_at(text, i + 1, len);
			continue;
		}
		if (i < len && text[i] == ']')
			return ws_at(text, i + 1, len) == len;
		return false;
	}
}
