/* libFuzzer target: the probe's readers of untrusted bytes, chosen by the
 * input's first byte.
 *
 * 'C' + DER: a server's certificate.  probe_cert_parse() takes its fields;
 *   the ZGrab2 record probe writes with it must read back through mxray's own
 *   scan reader, with the same first CN.
 * 'D' + a line: a dns.jsonl line of an earlier run, probe_prior_dns_line().
 * 'S' + a line: a scans.jsonl line of an earlier run, probe_prior_scan_line().
 *   Both must never crash, and a prior must count no more than it was given.
 * anything else: the SMTP reply reader probe_smtp_reply() on the whole
 *   input.  It must never read past the input, and its answer must be
 *   consistent: a complete reply's length is within the input and ends in
 *   LF, the code is 200-599, and the same bytes with more appended give the
 *   same answer (a reader that is fed byte by byte agrees with one fed all
 *   at once).
 * `make fuzz` runs it after the others; tests/data/probe/ has seeds of each
 * kind. */
#include "mxray/jsonl.h"
#include "mxray/probe.h"
#include "mxray/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cert(const char *buf, size_t size)
{
	probe_cert c;
	if (!probe_cert_parse((const unsigned char *)buf, size, &c))
		return;
	probe_scan s;
	probe_scan_init(&s);
	snprintf(s.ip, sizeof s.ip, "192.0.2.25");
	s.port = 25;
	s.status = "success";
	s.tls = true;
	s.leaf = c;
	strbuf o;
	sb_init(&o);
	probe_write_scan(&o, &s);
	char err[256];
	bool raw;
	json_t *j = jsonl_parse(o.data, o.len - 1, &raw, err, sizeof err);
	if (!j)
		abort();
	scan_rec r;
	scan_rec_init(&r);
	if (scan_from_json(j, raw, &r, err, sizeof err))
		abort();
	if (!r.has_cert || (c.ncn && strcmp(r.cert_cn.data, c.cn[0])))
		abort();
	json_decref(j);
	scan_rec_free(&r);
	probe_scan_free(&s);
	sb_free(&o);
}

static void reply(const char *buf, size_t size)
{
	int code = 0;
	long n = probe_smtp_reply(buf, size, &code);
	if (n > 0) {
		if ((size_t)n > size || buf[n - 1] != '\n' || code < 200 || code > 599)
			abort();
		/* the prefix alone is the same reply */
		int code2 = 0;
		if (probe_smtp_reply(buf, (size_t)n, &code2) != n || code2 != code)
			abort();
	} else if (n != PROBE_REPLY_MORE && n != PROBE_REPLY_BAD) {
		abort();
	}
	/* every shorter prefix: never a different complete reply */
	for (size_t k = 0; k < size && k < 512; k++) {
		int c = 0;
		long m = probe_smtp_reply(buf, k, &c);
		if (m > 0 && (m != n || c != code))
			abort();
		if (m == PROBE_REPLY_BAD && n != PROBE_REPLY_BAD)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees any over-read */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (size && buf[0] == 'C') {
		cert(buf + 1, size - 1);
	} else if (size && (buf[0] == 'D' || buf[0] == 'S')) {
		probe_prior *p = probe_prior_new();
		if (buf[0] == 'D')
			probe_prior_dns_line(p, buf + 1, size - 1);
		else
			probe_prior_scan_line(p, buf + 1, size - 1);
		if (probe_prior_domains(p) > 1 || probe_prior_hosts(p) > 1 || probe_prior_scans(p) > 1)
			abort();
		probe_prior_free(p);
	} else {
		reply(buf, size);
	}
	free(buf);
	return 0;
}
