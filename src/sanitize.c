/* sanitize: visible escaping of untrusted text. */
#include "mxray/sanitize.h"

#include <stdio.h>
#include <string.h>

static bool invisible(unsigned cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
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
		unsigned char c = s[i];
		if (c < 0x80) {
			switch (c) {
			case '\r': ESC("\\r"); break;
			case '\n': ESC("\\n"); break;
			case '\t': ESC("\\t"); break;
			case 0x1b: ESC("\\e"); break;
			case '\\': ESC("\\\\"); break;
			default:
				if (c < 0x20 || c == 0x7f) {
					snprintf(tmp, sizeof tmp, "\\x%02x", c);
					ESC(tmp);
				} else {
					sb_addc(out, (char)c);
				}
			}
			i++;
			continue;
		}
		size_t ok = mx_utf8_valid_prefix(s + i, n - i < 4 ? n - i : 4);
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (ok < len) {
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
			ESC(tmp);
			i++;
			continue;
		}
		unsigned cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
		for (size_t k = 1; k < len; k++)
			cp = (cp << 6) | (s[i + k] & 0x3fu);
		if (cp >= 0x80 && cp <= 0x9f) {
			snprintf(tmp, sizeof tmp, "\\u{%02x}", cp);
			ESC(tmp);
		} else if (invisible(cp)) {
			snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
			ESC(tmp);
		} else {
			sb_add(out, s + i, len);
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
