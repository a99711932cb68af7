/* jsonfast: a fast field extractor for flat JSON Lines records that
 * declines anything but the simple common case (see jsonfast.h). */
#include "mxray/jsonfast.h"

#include <stdint.h>
#include <string.h>

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

/* Nonzero when some byte of w is not plain.  Each test is exact for the
 * word as a whole (a borrow or carry can only follow a byte that is
 * already flagged). */
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

/* p is just after an opening quote.  Returns the closing quote, or NULL
 * when the string ends early or holds a byte that is not plain. */
static const unsigned char *scan_string(const unsigned char *p, const unsigned char *end)
{
	while ((size_t)(end - p) >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		if (word_special(w))
			break; /* the byte loop below ends within these 8 bytes */
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

/* The index of the key s[0..n) (plain bytes, so no NUL) in keys[], or -1.
 * The search starts at *hint, since rows usually list their keys in the
 * same order as keys[]. */
static int find_key(const char *const keys[], int nkeys, const unsigned char *s, size_t n, int *hint)
{
	int i = *hint;
	for (int tried = 0; tried < nkeys; tried++, i++) {
		if (i >= nkeys)
			i = 0;
		const unsigned char *k = (const unsigned char *)keys[i];
		if (n > 0 && k[0] != s[0])
			continue;
		size_t j = 0;
		while (j < n && k[j] == s[j])
			j++;
		if (j == n && k[n] == '\0') {
			*hint = i + 1 < nkeys ? i + 1 : 0;
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
	int hint = 0;

	for (int i = 0; i < nkeys; i++)
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
			const unsigned char *ks = ++p;
			if (!(p = scan_string(p, end)))
				return false;
			size_t klen = (size_t)(p - ks);
			p = skip_ws(p + 1, end);
			if (p == end || *p != ':')
				return false;
			p = skip_ws(p + 1, end);
			if (p == end)
				return false;
			int k = find_key(keys, nkeys, ks, klen, &hint);

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
					sb_clear(&store[k]);
					sb_add(&store[k], vs, vlen);
					vals[k] = store[k].data;
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
