/* dns: one OpenINTEL forward-DNS row (JSON object or CSV record with the
 * same column names) turned into a normalised, validated record. */
#ifndef MXRAY_DNS_H
#define MXRAY_DNS_H

#include <jansson.h>
#include <stdint.h>

#include "mxray/util.h"

/* The OpenINTEL columns mxray reads, in this order. */
#define DNS_COLUMNS(X) \
	X(QUERY_TYPE, "query_type") X(QUERY_NAME, "query_name") \
	X(RESPONSE_TYPE, "response_type") X(RESPONSE_NAME, "response_name") \
	X(MX_ADDRESS, "mx_address") X(MX_PREFERENCE, "mx_preference") \
	X(CNAME_NAME, "cname_name") X(IP4_ADDRESS, "ip4_address") \
	X(IP6_ADDRESS, "ip6_address") X(STATUS_CODE, "status_code") \
	X(TIMESTAMP, "timestamp")

enum dns_col {
#define X(id, name) DNS_##id,
	DNS_COLUMNS(X)
#undef X
	DNS_NCOLS
};
extern const char *const dns_column_names[DNS_NCOLS];

enum dns_kind {
	DNS_ROW_MX,      /* domain -> host, pref */
	DNS_ROW_A,       /* name (and alias) -> ip */
	DNS_ROW_CNAME,   /* name -> target */
	DNS_ROW_FAIL,    /* non-zero status_code: a failed lookup */
	DNS_ROW_AAAA,    /* IPv6: counted, not used yet */
	DNS_ROW_OTHER,   /* any other record type: counted, not used */
	DNS_ROW_EMPTY,   /* status 0 and no record (NODATA): the name has no such
			  * data; qtype says which (an MX query's domain has no MX) */
};

typedef struct {
	enum dns_kind kind;
	char name[MX_NAME_MAX + 2];   /* MX: domain; A/CNAME: response_name; FAIL: query_name */
	char alias[MX_NAME_MAX + 2];  /* A: query_name when it differs, else "" */
	char target[MX_NAME_MAX + 2]; /* MX: host; CNAME: target */
	char qtype[16];               /* FAIL, EMPTY: query type, upper case ("?": none) */
	unsigned pref;
	uint32_t ip;
	unsigned status;
	long long timestamp;          /* seconds since the epoch, or -1 */
} dns_row;

/* Parse a row given as column values (NULL or "" = absent).  Returns NULL
 * on success, else a reason for the problem report (in errbuf). */
const char *dns_row_parse(const char *const vals[DNS_NCOLS], dns_row *r, char *errbuf, size_t errlen);

/* Pull the column values out of a JSON object: numbers become decimal
 * strings kept in `store` (DNS_NCOLS buffers); an integral real (10.0)
 * becomes that integer, a real with a fraction (10.5) is refused.  Returns
 * NULL or a reason.  (dns_row_parse likewise takes "10.0" for 10.) */
const char *dns_json_values(json_t *o, bool raw, const char *vals[DNS_NCOLS],
			    strbuf store[DNS_NCOLS], char *errbuf, size_t errlen);

#endif
