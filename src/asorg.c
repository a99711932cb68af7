/* asorg: CAIDA as2org parsing. */
#include "mxray/asorg.h"
#include "mxray/util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define MAXF 16

/* Splits at '|' into f (the first MAXF fields); returns the number of
 * fields the line has, which may be more than MAXF. */
static int split(char *line, char *f[MAXF])
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == '|') {
			*p = '\0';
			if (n < MAXF)
				f[n] = p + 1;
			if (n < INT_MAX)
				n++;
		}
	return n;
}

enum asorg_kind asorg_parse_line(enum asorg_section *section, char *line, asorg_rec *r,
				 const char **why)
{
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		line[--len] = '\0';
	memset(r, 0, sizeof *r);
	if (!len)
		return ASORG_BLANK;
	if (line[0] == '#') {
		const char *fmt = strstr(line, "format:");
		if (fmt) {
			fmt += 7;
			while (*fmt == ' ')
				fmt++;
			if (!strncmp(fmt, "org_id|", 7))
				*section = ASORG_SECTION_ORG;
			else if (!strncmp(fmt, "aut|", 4))
				*section = ASORG_SECTION_AUT;
			else
				*section = ASORG_SECTION_NONE;
		}
		return ASORG_BLANK;
	}
	if (!mx_utf8_valid(line, len)) {
		*why = "invalid UTF-8";
		return ASORG_BAD;
	}
	char *f[MAXF];
	int n = split(line, f);
	switch (*section) {
	case ASORG_SECTION_NONE:
		*why = "data line before any '# format:' header";
		return ASORG_BAD;
	case ASORG_SECTION_ORG:
		if (n < 5) {
			*why = "organization line has fewer than 5 fields";
			return ASORG_BAD;
		}
		if (n > MAXF) {
			static _Thread_local char msg[64];
			snprintf(msg, sizeof msg, "organization line has %d fields, more than %d", n, MAXF);
			*why = msg;
			return ASORG_BAD;
		}
		if (!f[0][0]) {
			*why = "empty org_id";
			return ASORG_BAD;
		}
		r->org_id = f[0];
		r->changed = f[1];
		r->source = f[n - 1];
		r->country = f[n - 2];
		/* An organisation name may itself contain '|': rejoin the middle. */
		for (int i = 3; i < n - 2; i++)
			f[i][-1] = '|';
		r->name = f[2];
		return ASORG_ORG;
	case ASORG_SECTION_AUT: {
		if (n != 5 && n != 6) {
			*why = "AS line does not have 5 or 6 fields";
			return ASORG_BAD;
		}
		uint64_t asn;
		if (!mx_parse_u64(f[0], &asn) || asn == 0 || asn > 0xffffffffu) {
			*why = "AS number is not a number in 1..4294967295";
			return ASORG_BAD;
		}
		r->asn = (uint32_t)asn;
		r->changed = f[1];
		r->name = f[2];
		r->org_id = f[3];
		r->source = f[n - 1];
		return ASORG_AUT;
	}
	}
	return ASORG_BAD;
}
