/* sanitize: visible escaping of untrusted text. */
#include "mxray/sanitize.h"

#include <stdio.h>
#include <string.h>

bool sanitize_invisible(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7f) /* printable ASCII: the common case */
		return false;
	size_t lo = 0, hi = sanitize_escape_nranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sanitize_escape_ranges[mid][1] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sanitize_escape_nranges && sanitize_escape_ranges[lo][0] <= cp;
}

/* The length of the valid UTF-8 sequence at s[0..n) and its code point,
 * or 0 when s does not start with one. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (mx_utf8_valid_prefix(s, n < len ? n : len) < len)
		return 0;
	uint32_t v = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
	for (size_t k = 1; k < len; k++)
		v = (v << 6) | (s[k] & 0x3fu);
	*cp = v;
	return len;
}

size_t sanitize(strbuf *out, const void *src, size_t n, size_t (*spans)[2], size_t maxspans)
{
	const unsigned char *s = src;
	size_t nesc = 0;
	char tmp[16];
#define ESC(text) do { size_t at_ = out->len; sb_adds(out, text); \
		if (spans && nesc < maxspans) { spans[nesc][0] = at_; spans[nesc][1] = out->len - at_; } \
		nesc++; } while (0)
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = decode(s + i, n - i, &cp);
		if (len == 0) { /* not UTF-8: the byte */
			snprintf(tmp, sizeof tmp, "\\x%02x", s[i]);
			ESC(tmp);
			i++;
			continue;
		}
		if (cp == '\\') {
			ESC("\\\\");
		} else if (!sanitize_invisible(cp)) {
			sb_add(out, s + i, len);
		} else if (cp < 0x80) { /* C0 and DEL */
			switch (cp) {
			case '\r': ESC("\\r"); break;
			case '\n': ESC("\\n"); break;
			case '\t': ESC("\\t"); break;
			case 0x1b: ESC("\\e"); break;
			default:
				snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)cp);
				ESC(tmp);
			}
		} else if (cp <= 0x9f) { /* C1 */
			snprintf(tmp, sizeof tmp, "\\u{%02x}", (unsigned)cp);
			ESC(tmp);
		} else {
			snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)cp);
			ESC(tmp);
		}
		i += len;
	}
#undef ESC
	return nesc;
}

char *sanitize_str(const char *s)
{
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	if (s)
		sanitize(&sb, s, strlen(s), NULL, 0);
	return sb_steal(&sb);
}

bool sanitize_clean(const void *src, size_t n)
{
	const unsigned char *s = src;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = decode(s + i, n - i, &cp);
		if (len == 0 || sanitize_invisible(cp))
			return false;
		i += len;
	}
	return true;
}
