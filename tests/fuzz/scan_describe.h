/* Everything a scan reader read into a record (or its error), as one text,
 * for tests that compare two ways of reading the same input. */
#ifndef MXRAY_TEST_SCAN_DESCRIBE_H
#define MXRAY_TEST_SCAN_DESCRIBE_H

#include "mxray/scan.h"
#include "mxray/util.h"

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

#endif
