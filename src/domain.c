/* domain: libpsl wrapper. */
#include "mxray/domain.h"

#include <libpsl.h>
#include <stdio.h>
#include <string.h>

static psl_ctx_t *psl;
static const psl_ctx_t *builtin;
static char source[128];

bool domain_init(const char **why)
{
	if (psl || builtin)
		return true;
	psl = psl_latest(NULL);
	if (psl) {
		int n = psl_suffix_count(psl); /* -1 for a DAFSA file */
		if (n > 0)
			snprintf(source, sizeof source, "libpsl %s, newest list (%d rules)", psl_get_version(), n);
		else
			snprintf(source, sizeof source, "libpsl %s, newest list", psl_get_version());
		return true;
	}
	builtin = psl_builtin();
	if (builtin && psl_suffix_count(builtin) > 0) {
		snprintf(source, sizeof source, "libpsl %s, built-in list (%d rules)", psl_get_version(),
			 psl_suffix_count(builtin));
		return true;
	}
	*why = "no Public Suffix List available (install the 'publicsuffix' package)";
	return false;
}

void domain_done(void)
{
	psl_free(psl);
	psl = NULL;
	builtin = NULL;
}

const char *domain_psl_source(void)
{
	return source;
}

static const psl_ctx_t *ctx(void)
{
	if (!psl && !builtin) {
		const char *why;
		if (!domain_init(&why))
			return NULL;
	}
	return psl ? psl : builtin;
}

static bool top_label_alpha(const char *name)
{
	const char *dot = strrchr(name, '.');
	const char *tld = dot ? dot + 1 : name;
	if (strlen(tld) < 2)
		return false;
	for (const char *p = tld; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

/* An internationalised TLD in its ASCII form (xn--p1ai for .рф). */
static bool top_label_idn(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && strncmp(dot + 1, "xn--", 4) == 0 && dot[5];
}

const char *domain_rd(const char *name)
{
	const psl_ctx_t *c = ctx();
	if (!c || !name || !strchr(name, '.') || !(top_label_alpha(name) || top_label_idn(name)))
		return NULL;
	/* libpsl treats an unlisted TLD as a suffix through the implicit "*"
	 * rule; a name under a TLD the list does not know (localdomain, lan,
	 * internal) has no registered domain. */
	const char *tld = strrchr(name, '.') + 1;
	if (!psl_is_public_suffix2(c, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
		return NULL;
	return psl_registrable_domain(c, name);
}

bool domain_is_hostname(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 253 || !strchr(name, '.') || !top_label_alpha(name))
		return false;
	size_t label = 0;
	for (const char *p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63)
				return false;
			if (*p == '\0')
				return true;
			label = 0;
			continue;
		}
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return false;
		label++;
	}
}
