/* dns: OpenINTEL row parsing and validation. */
#include "mxray/dns.h"
#include "mxray/jsonl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const dns_column_names[DNS_NCOLS] = {
#define X(id, name) name,
	DNS_COLUMNS(X)
#undef X
};

static bool present(const char *v)
{
	return v && *v;
}

/* Normalise a required name column into out. */
static const char *need_name(const char *const vals[], int col, char *out, char *errbuf, size_t errlen)
{
	const char *v = vals[col];
	if (!present(v)) {
		snprintf(errbuf, errlen, "missing %s", dns_column_names[col]);
		return errbuf;
	}
	const char *why = mx_name_norm(v, strlen(v), out);
	if (why) {
		snprintf(errbuf, errlen, "%s: %s", dns_column_names[col], why);
		return errbuf;
	}
	return NULL;
}

static const char *need_uint(const char *const vals[], int col, unsigned long long max,
			     unsigned long long *out, char *errbuf, size_t errlen)
{
	uint64_t u;
	const char *v = vals[col];
	/* an integral decimal ("10.0", as tools that turn nullable integer
	 * columns into doubles write it) is that integer */
	const char *dot = v ? strchr(v, '.') : NULL;
	char whole[24];
	if (dot && dot > v && (size_t)(dot - v) < sizeof whole && dot[1] && strspn(dot + 1, "0") == strlen(dot + 1)) {
		memcpy(whole, v, (size_t)(dot - v));
		whole[dot - v] = '\0';
		v = whole;
	} else if (dot && dot > v && strspn(v, "0123456789") == (size_t)(dot - v) && dot[1] &&
		   strspn(dot + 1, "0123456789") == strlen(dot + 1)) {
		snprintf(errbuf, errlen, "%s is not an integer (%s has a fraction)", dns_column_names[col], vals[col]);
		return errbuf;
	}
	if (!mx_parse_u64(v, &u) || u > max) {
		snprintf(errbuf, errlen, "%s is not an integer in 0..%llu", dns_column_names[col], max);
		return errbuf;
	}
	*out = u;
	return NULL;
}

/* The query type, upper-cased ("?" when the row has none). */
static void set_qtype(const char *const vals[], dns_row *r)
{
	snprintf(r->qtype, sizeof r->qtype, "%s", present(vals[DNS_QUERY_TYPE]) ? vals[DNS_QUERY_TYPE] : "?");
	for (char *p = r->qtype; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
}

const char *dns_row_parse(const char *const vals[DNS_NCOLS], dns_row *r, char *errbuf, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->timestamp = -1;
	unsigned long long u = 0;
	const char *e;

	if (present(vals[DNS_TIMESTAMP])) {
		if ((e = need_uint(vals, DNS_TIMESTAMP, 99999999999999ULL, &u, errbuf, errlen)))
			return e;
		/* OpenINTEL uses milliseconds; older exports seconds. */
		r->timestamp = (long long)(u >= 100000000000ULL ? u / 1000 : u);
	}
	if (present(vals[DNS_STATUS_CODE])) {
		if ((e = need_uint(vals, DNS_STATUS_CODE, 65535, &u, errbuf, errlen)))
			return e;
		r->status = (unsigned)u;
	}
	if (r->status != 0) {
		r->kind = DNS_ROW_FAIL;
		if ((e = need_name(vals, DNS_QUERY_NAME, r->name, errbuf, errlen)))
			return e;
		set_qtype(vals, r);
		return NULL;
	}
	const char *rt = vals[DNS_RESPONSE_TYPE];
	if (!present(rt)) {
		/* NOERROR with no answer (NODATA): a row that only names the query */
		if (present(vals[DNS_QUERY_NAME]) && !present(vals[DNS_RESPONSE_NAME]) &&
		    !present(vals[DNS_MX_ADDRESS]) && !present(vals[DNS_IP4_ADDRESS]) &&
		    !present(vals[DNS_CNAME_NAME]) && !present(vals[DNS_IP6_ADDRESS])) {
			if ((e = need_name(vals, DNS_QUERY_NAME, r->name, errbuf, errlen)))
				return e;
			r->kind = DNS_ROW_EMPTY;
			set_qtype(vals, r);
			return NULL;
		}
		snprintf(errbuf, errlen, "missing response_type");
		return errbuf;
	}
	if (!strcasecmp(rt, "MX")) {
		r->kind = DNS_ROW_MX;
		if ((e = need_name(vals, DNS_QUERY_NAME, r->name, errbuf, errlen)) ||
		    (e = need_name(vals, DNS_MX_ADDRESS, r->target, errbuf, errlen)))
			return e;
		if (!present(vals[DNS_MX_PREFERENCE])) {
			snprintf(errbuf, errlen, "missing mx_preference");
			return errbuf;
		}
		if ((e = need_uint(vals, DNS_MX_PREFERENCE, 65535, &u, errbuf, errlen)))
			return e;
		r->pref = (unsigned)u;
		if (!strcmp(r->name, ".")) {
			snprintf(errbuf, errlen, "query_name: root name is not a domain");
			return errbuf;
		}
	} else if (!strcasecmp(rt, "A")) {
		r->kind = DNS_ROW_A;
		if ((e = need_name(vals, DNS_RESPONSE_NAME, r->name, errbuf, errlen)))
			return e;
		if (!present(vals[DNS_IP4_ADDRESS])) {
			snprintf(errbuf, errlen, "missing ip4_address");
			return errbuf;
		}
		if (!mx_ipv4_parse(vals[DNS_IP4_ADDRESS], &r->ip)) {
			snprintf(errbuf, errlen, "ip4_address is not an IPv4 address");
			return errbuf;
		}
		if (present(vals[DNS_QUERY_NAME])) {
			char q[MX_NAME_MAX + 2];
			if ((e = need_name(vals, DNS_QUERY_NAME, q, errbuf, errlen)))
				return e;
			if (strcmp(q, r->name) != 0)
				memcpy(r->alias, q, sizeof q);
		}
	} else if (!strcasecmp(rt, "CNAME")) {
		r->kind = DNS_ROW_CNAME;
		if ((e = need_name(vals, DNS_RESPONSE_NAME, r->name, errbuf, errlen)) ||
		    (e = need_name(vals, DNS_CNAME_NAME, r->target, errbuf, errlen)))
			return e;
	} else if (!strcasecmp(rt, "AAAA")) {
		r->kind = DNS_ROW_AAAA;
	} else {
		r->kind = DNS_ROW_OTHER;
	}
	return NULL;
}

const char *dns_json_values(json_t *o, bool raw, const char *vals[DNS_NCOLS],
			    strbuf store[DNS_NCOLS], char *errbuf, size_t errlen)
{
	for (int c = 0; c < DNS_NCOLS; c++) {
		vals[c] = NULL;
		json_t *v = json_object_get(o, dns_column_names[c]);
		if (!v || json_is_null(v))
			continue;
		if (json_is_string(v)) {
			jsonl_string(v, raw, &store[c]);
			if (strlen(store[c].data) != store[c].len) {
				snprintf(errbuf, errlen, "%s contains a NUL byte", dns_column_names[c]);
				return errbuf;
			}
		} else if (json_is_integer(v)) {
			sb_clear(&store[c]);
			sb_addf(&store[c], "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else if (json_is_real(v)) {
			/* an integral number written as a double (10.0) is that
			 * integer; 10.5 is refused */
			double d = json_real_value(v);
			if (d != trunc(d)) {
				char num[32];
				snprintf(num, sizeof num, "%.15g", d);
				if (strtod(num, NULL) != d)
					snprintf(num, sizeof num, "%.17g", d);
				snprintf(errbuf, errlen, "%s is not an integer (%s has a fraction)", dns_column_names[c],
					 num);
				return errbuf;
			}
			/* exact; too large or negative: refused by the range check */
			sb_clear(&store[c]);
			sb_addf(&store[c], "%.0f", d + 0.0);
		} else {
			snprintf(errbuf, errlen, "%s has the wrong type (%s)", dns_column_names[c],
				 json_is_boolean(v) ? "boolean" :
				 json_is_array(v) ? "array" : "object");
			return errbuf;
		}
		vals[c] = store[c].data;
	}
	return NULL;
}
