/* Everything a scan reader read into a record (or its error), as one text,
 * for tests that compare two ways of reading the same input. */
#ifndef MXRAY_TEST_SCAN_DESCRIBE_H
#define MXRAY_TEST_SCAN_DESCRIBE_H

#include "mxray/jsonl.h"
#include "mxray/scan.h"
#include "mxray/util.h"

#include <string.h>

static inline void scan_describe(const scan_rec *r, const char *why, strbuf *out)
{
	sb_clear(out);
	if (why) {
		sb_addf(out, "error: %s", why);
		return;
	}
	sb_addf(out, "%s|%d|%d|%d|%d|%d|%d|%d|%u|%d|", r->ip, (int)r->format, r->port25, r->has_banner, r->has_ehlo,
		r->has_starttls, r->has_cert, (int)r->trusted, r->asn, r->not_smtp);
	const strbuf *t[] = {&r->banner, &r->ehlo, &r->starttls, &r->cert_cn, &r->scanned_at, &r->status};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		sb_addf(out, "%zu:", t[i]->len);
		sb_add(out, t[i]->data ? t[i]->data : "", t[i]->len);
		sb_addc(out, '|');
	}
	for (size_t i = 0; i < r->nnames; i++)
		sb_addf(out, "%s,", r->names[i]);
}

/* A tree-less reader (scan_fast, scan_legacy_fast) against the general
 * way on one line: 0 when the reader declines it; else 1 when the general
 * way parses it with no error into the same record, -1 when not.  *fast and
 * *general (each cleared first) are the two descriptions. */
static inline int scan_reader_agrees(bool (*reader)(const char *, size_t, scan_rec *), const char *line, size_t len,
				     scan_rec *fast_rec, scan_rec *general_rec, strbuf *fast, strbuf *general)
{
	sb_clear(fast);
	sb_clear(general);
	if (!reader(line, len, fast_rec))
		return 0;
	scan_describe(fast_rec, NULL, fast);
	bool raw;
	char err[512];
	json_t *o = jsonl_parse(line, len, &raw, err, sizeof err);
	if (!o) {
		sb_addf(general, "malformed: %s", err);
		return -1;
	}
	const char *why = scan_from_json(o, raw, general_rec, err, sizeof err);
	json_decref(o);
	scan_describe(general_rec, why, general);
	return fast->len == general->len && !memcmp(fast->data, general->data, fast->len) ? 1 : -1;
}

/* scan_legacy_fast against the general way. */
static inline int scan_fast_agrees(const char *line, size_t len, scan_rec *fast_rec, scan_rec *general_rec,
				   strbuf *fast, strbuf *general)
{
	return scan_reader_agrees(scan_legacy_fast, line, len, fast_rec, general_rec, fast, general);
}

#endif
