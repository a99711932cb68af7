/* banner: FQDN extraction from SMTP replies. */
#include "mxray/banner.h"
#include "mxray/domain.h"

#include <string.h>

static bool strip_char(char c)
{
	return c == ':' || c == ',' || c == ';' || c == '!' || c == '.';
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Check one candidate token [s, s+n): strip, lower-case, validate. */
static bool candidate(const kb *k, const char *s, size_t n, char out[MX_NAME_MAX + 2])
{
	while (n && strip_char(*s)) {
		s++;
		n--;
	}
	while (n && strip_char(s[n - 1]))
		n--;
	if (n == 0 || n > MX_NAME_MAX || memchr(s, '\0', n))
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	out[n] = '\0';
	if (!domain_is_hostname(out) || !domain_rd(out))
		return false;
	if (k && kb_misleading(k, out))
		return false;
	return true;
}

bool banner_fqdn(const kb *k, const char *text, size_t len, char out[MX_NAME_MAX + 2])
{
	if (!text)
		return false;
	/* The first line that is not empty once spaces and ":,;!." go. */
	const char *line = NULL;
	size_t ll = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + i;
		size_t n = end - i;
		while (n && (space(*s) || strip_char(*s))) {
			s++;
			n--;
		}
		while (n && (space(s[n - 1]) || strip_char(s[n - 1])))
			n--;
		if (n) {
			line = text + i;
			ll = end - i;
			while (ll && space(line[ll - 1]))
				ll--;
			while (ll && space(*line)) {
				line++;
				ll--;
			}
			break;
		}
		i = end + 1;
	}
	if (!line)
		return false;
	/* "NNN-" or "NNN " then the first token. */
	if (ll >= 4 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' && line[1] <= '9' && line[2] >= '0' &&
	    line[2] <= '9' && (line[3] == '-' || line[3] == ' ')) {
		size_t i = 4;
		while (i < ll && space(line[i]))
			i++;
		size_t j = i;
		while (j < ll && !space(line[j]))
			j++;
		if (candidate(k, line + i, j - i, out))
			return true;
	}
	/* The last token of the line. */
	size_t j = ll;
	size_t i = j;
	while (i > 0 && !space(line[i - 1]))
		i--;
	/* A line that is just "NNN-name" has its code glued on. */
	if (i == 0 && j >= 4 && line[3] == '-' && line[0] >= '0' && line[0] <= '9')
		return false;
	return candidate(k, line + i, j - i, out);
}
