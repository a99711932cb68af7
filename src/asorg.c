/* asorg: CAIDA as2org parsing, the text form and JSON Lines. */
#include "mxray/asorg.h"
#include "mxray/jsonl.h"
#include "mxray/util.h"

#include <jansson.h>
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

/* ---- JSON Lines ---------------------------------------------------------- */

/* Where the decoded strings of a JSON record go: the record's own line.
 * Each string value takes at least its decoded length + 2 bytes of the
 * line (its quotes), so the values, each with its NUL, always fit. */
typedef struct {
	char *p, *end;
	char why[160];
} arena;

/* The string at key into the arena: *out is "" when the key is absent or
 * null.  NULL, or a reason. */
static const char *json_field(json_t *o, const char *key, bool required, arena *a, const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = "";
	if (!v || json_is_null(v)) {
		if (!required)
			return NULL;
		snprintf(a->why, sizeof a->why, "no \"%s\"", key);
		return a->why;
	}
	if (!json_is_string(v)) {
		snprintf(a->why, sizeof a->why, "\"%s\" is not a string", key);
		return a->why;
	}
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (strlen(s) != n) {
		snprintf(a->why, sizeof a->why, "\"%s\" contains a NUL byte", key);
		return a->why;
	}
	if (required && !n) {
		snprintf(a->why, sizeof a->why, "\"%s\" is empty", key);
		return a->why;
	}
	if ((size_t)(a->end - a->p) < n + 1) { /* cannot happen: see arena */
		snprintf(a->why, sizeof a->why, "\"%s\" does not fit", key);
		return a->why;
	}
	memcpy(a->p, s, n + 1);
	*out = a->p;
	a->p += n + 1;
	return NULL;
}

static enum asorg_kind parse_json(char *line, size_t len, asorg_rec *r, const char **why)
{
	static _Thread_local char msg[256];
	bool raw;
	json_t *o = jsonl_parse(line, len, &raw, msg, sizeof msg);
	if (!o) {
		*why = msg;
		return ASORG_BAD;
	}
	arena a = {line, line + len + 1, ""};
	enum asorg_kind kind = ASORG_BAD;
	const char *type, *e;
	json_t *t = json_object_get(o, "type");
	if (!t) {
		e = "no \"type\" (\"Organization\" or \"ASN\")";
		goto out;
	}
	if (!json_is_string(t)) {
		e = "\"type\" is not a string";
		goto out;
	}
	type = json_string_value(t);
	if (!strcmp(type, "Organization")) {
		if ((e = json_field(o, "organizationId", true, &a, &r->org_id)) ||
		    (e = json_field(o, "changed", false, &a, &r->changed)) ||
		    (e = json_field(o, "name", false, &a, &r->name)) ||
		    (e = json_field(o, "country", false, &a, &r->country)) ||
		    (e = json_field(o, "source", false, &a, &r->source)))
			goto out;
		kind = ASORG_ORG;
	} else if (!strcmp(type, "ASN")) {
		/* CAIDA writes the number as a string; a number is taken too */
		json_t *v = json_object_get(o, "asn");
		unsigned long long asn = 0;
		if (!v) {
			e = "no \"asn\"";
			goto out;
		}
		if (!(json_is_string(v) || json_is_integer(v)) || !jsonl_uint(v, &asn) || asn == 0 ||
		    asn > 0xffffffffu) {
			e = "\"asn\" is not a number in 1..4294967295";
			goto out;
		}
		r->asn = (uint32_t)asn;
		if ((e = json_field(o, "organizationId", true, &a, &r->org_id)) ||
		    (e = json_field(o, "changed", false, &a, &r->changed)) ||
		    (e = json_field(o, "name", false, &a, &r->name)) ||
		    (e = json_field(o, "source", false, &a, &r->source)))
			goto out;
		kind = ASORG_AUT;
	} else {
		/* the value is not echoed: it is untrusted text */
		e = "unknown \"type\" (expected \"Organization\" or \"ASN\")";
		goto out;
	}
	e = NULL;
out:
	json_decref(o);
	if (e) {
		if (e != msg)
			snprintf(msg, sizeof msg, "%s", e);
		*why = msg;
		memset(r, 0, sizeof *r);
		return ASORG_BAD;
	}
	return kind;
}

/* ---- both forms ----------------------------------------------------------- */

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
	size_t lead = 0;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
		lead++;
	if (line[lead] == '{') {
		*section = ASORG_SECTION_JSON;
		return parse_json(line, len, r, why);
	}
	if (*section == ASORG_SECTION_JSON) {
		*why = "not a JSON object, in an as2org file of JSON Lines";
		return ASORG_BAD;
	}
	char *f[MAXF];
	int n = split(line, f);
	switch (*section) {
	case ASORG_SECTION_JSON: /* handled above */
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
