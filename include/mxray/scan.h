/* scan: one port-25 scan record in any of the supported forms (Censys
 * legacy IPv4 nested or flattened, the old "25." spelling, Censys Search 2.0
 * hosts bare or in the API's {"code","status","result"} wrapper, Censys
 * Platform hosts bare or in their "resource" wrappers, ZGrab2 smtp),
 * detected per record, turned into one flat record. */
#ifndef MXRAY_SCAN_H
#define MXRAY_SCAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mxray/util.h"

/* Longest SMTP reply text kept (a 10 KB banner is fine, 1 MB is not). */
#define SCAN_TEXT_MAX (64 * 1024)
/* Most certificate names on one record. */
#define SCAN_NAMES_MAX 2000

enum scan_format { SCAN_CENSYS_LEGACY, SCAN_CENSYS_FLAT, SCAN_CENSYS2, SCAN_ZGRAB2, SCAN_CENSYS_PLATFORM };
extern const char *const scan_format_names[];

enum scan_trust { SCAN_TRUST_NONE = -2, SCAN_TRUST_UNKNOWN = -1, SCAN_TRUST_NO = 0, SCAN_TRUST_YES = 1 };

typedef struct {
	char ip[16];
	enum scan_format format;
	bool port25;                 /* port 25 answered (any SMTP data) */
	bool has_banner, has_ehlo, has_starttls;
	strbuf banner, ehlo, starttls; /* raw bytes, may hold any byte */
	bool has_cert;
	strbuf cert_cn;              /* first subject CN as given */
	char **names;                /* union of names, CN and SANs: lower-cased, */
	size_t nnames, capnames;     /* trailing dot dropped, sorted, unique */
	struct scan_nameset *nameset; /* scratch for de-duplicating names while a
				       * record is read (private to scan.c; kept
				       * from record to record to save allocations) */
	enum scan_trust trusted;     /* NONE when there is no certificate */
	uint32_t asn;                /* 0 = none in the record */
	strbuf scanned_at;
	strbuf status;               /* ZGrab2 status, else empty */
	bool not_smtp;               /* a ZGrab2 record of other modules only
				      * (ftp, tls, amqp091...): no port-25
				      * evidence, not to be stored; the
				      * other fields are empty */
} scan_rec;

void scan_rec_init(scan_rec *r);
void scan_rec_free(scan_rec *r);

/* Fill r from one parsed JSON object.  Returns NULL or a reason (errbuf).
 * NULL with r->not_smtp set: a well-formed record that is not SMTP. */
const char *scan_from_json(json_t *o, bool raw, scan_rec *r, char *errbuf, size_t errlen);

/* Read one JSON line of a common shape without building a tree: a Censys
 * legacy host record (nested or flattened), a ZGrab2 record (smtp module,
 * by name or by "protocol", or other modules only) or a bare Censys Search
 * 2.0 host.
 * true: r is what scan_from_json makes of the line as jsonl_parse parses
 * it (both then report no error); false: declined (r is left in any
 * state), take the general way (jsonprune_scan, jsonl_parse_alt,
 * scan_from_json), which also reports the errors.  It walks the line once
 * and declines a line of more than JSONL_VALUES_MAX values. */
bool scan_fast(const char *line, size_t len, scan_rec *r);

/* scan_fast for Censys legacy records (nested or flattened) only (declines
 * the other shapes). */
bool scan_legacy_fast(const char *line, size_t len, scan_rec *r);

/* scan_fast that also tells how many values it walked (when it read the
 * whole line: jsonl_count_values' count), for the tests. */
bool scan_fast_count(const char *line, size_t len, scan_rec *r, size_t *nvalues);

/* The certificate names as a JSON array text (allocated), or NULL when the
 * record has no certificate. */
char *scan_names_json(const scan_rec *r);

#endif
