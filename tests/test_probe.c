/* probe: the SMTP reply reader, the exclude list, the domain list, and the
 * JSON Lines writers (exact lines, and that mxray's own readers take them
 * back as the same rows). */
#include "testutil.h"
#include "mxray/dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "mxray/jsonl.h"
#include "mxray/probe.h"
#include "mxray/scan.h"

static long reply(const char *s, int *code)
{
	return probe_smtp_reply(s, strlen(s), code);
}

static void test_reply_single_and_multi(void **state)
{
	(void)state;
	int code = 0;
	assert_int_equal(reply("220 mx.example.net ESMTP\r\n", &code), 26);
	assert_int_equal(code, 220);
	const char *m = "220-mx.example.net ESMTP\r\n220-second\r\n220 last\r\n";
	assert_int_equal(reply(m, &code), (long)strlen(m));
	assert_int_equal(code, 220);
	/* bare LF, a code alone on the last line, the next reply left over */
	assert_int_equal(reply("250-a\n250\nNEXT", &code), 10);
	assert_int_equal(code, 250);
	assert_int_equal(reply("221\r\n", &code), 5);
	assert_int_equal(code, 221);
	/* 4xx and 5xx are replies too */
	assert_int_equal(reply("421 4.3.2 busy\r\n", &code), 16);
	assert_int_equal(code, 421);
	assert_int_equal(reply("554 go away\r\n", &code), 13);
	assert_int_equal(code, 554);
}

static void test_reply_needs_more(void **state)
{
	(void)state;
	int code = 0;
	assert_int_equal(reply("", &code), PROBE_REPLY_MORE);
	assert_int_equal(reply("2", &code), PROBE_REPLY_MORE);
	assert_int_equal(reply("220 mx", &code), PROBE_REPLY_MORE);
	assert_int_equal(reply("220-first\r\n", &code), PROBE_REPLY_MORE);
	assert_int_equal(reply("220-first\r\n220 la", &code), PROBE_REPLY_MORE);
	/* fed byte by byte, the same answer at the end and none before */
	const char *m = "250-mx\r\n250-STARTTLS\r\n250 HELP\r\n";
	for (size_t k = 0; k < strlen(m); k++)
		assert_int_equal(probe_smtp_reply(m, k, &code), PROBE_REPLY_MORE);
	assert_int_equal(probe_smtp_reply(m, strlen(m), &code), (long)strlen(m));
}

static void test_reply_garbage(void **state)
{
	(void)state;
	int code = 0;
	assert_int_equal(reply("HTTP/1.1 400 Bad Request\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("SSH-2.0-OpenSSH_9.2\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("H", &code), PROBE_REPLY_BAD); /* known bad at once */
	assert_int_equal(reply("120 too low\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("620 too high\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("22\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("220x\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("220\rx\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(reply("220-ok\r\nnot a line\r\n", &code), PROBE_REPLY_BAD);
	assert_int_equal(probe_smtp_reply("2\0000 x\r\n", 7, &code), PROBE_REPLY_BAD);
}

static void test_reply_too_long(void **state)
{
	(void)state;
	int code = 0;
	/* one line: at the limit fine, past it refused even before its end */
	char *b = xmalloc(PROBE_REPLY_MAX + 16);
	memset(b, 'x', PROBE_LINE_MAX + 8);
	memcpy(b, "220 ", 4);
	b[PROBE_LINE_MAX - 1] = '\n';
	assert_int_equal(probe_smtp_reply(b, PROBE_LINE_MAX, &code), PROBE_LINE_MAX);
	b[PROBE_LINE_MAX - 1] = 'x';
	assert_int_equal(probe_smtp_reply(b, PROBE_LINE_MAX - 1, &code), PROBE_REPLY_MORE);
	assert_int_equal(probe_smtp_reply(b, PROBE_LINE_MAX + 8, &code), PROBE_REPLY_BAD);
	/* many continuation lines: refused past PROBE_REPLY_MAX */
	size_t n = 0;
	while (n + 10 <= PROBE_REPLY_MAX + 10) {
		memcpy(b + n, "250-abcd\r\n", 10);
		n += 10;
	}
	assert_int_equal(probe_smtp_reply(b, n, &code), PROBE_REPLY_BAD);
	free(b);
}

static void test_exclude(void **state)
{
	(void)state;
	probe_exclude *x = probe_exclude_new();
	assert_null(probe_exclude_add(x, "192.0.2.0/24", 12));
	assert_null(probe_exclude_add(x, "  198.51.100.7  # one address\n", 30));
	assert_null(probe_exclude_add(x, "Opt-Out.Example.ORG.\r\n", 22));
	assert_null(probe_exclude_add(x, "# comment only", 14));
	assert_null(probe_exclude_add(x, "", 0));
	assert_null(probe_exclude_add(x, "10.0.0.0/0", 10)); /* /0: everything, as asked */
	assert_int_equal(probe_exclude_count(x), 4);
	assert_string_equal(probe_exclude_add(x, "192.0.2.0/33", 12), "CIDR prefix length is not 0-32");
	assert_string_equal(probe_exclude_add(x, "300.0.0.0/8", 11), "not an IPv4 CIDR (address/bits)");
	assert_non_null(probe_exclude_add(x, "bad name!", 9));
	assert_non_null(probe_exclude_add(x, ".", 1));
	uint32_t ip;
	assert_true(mx_ipv4_parse("8.8.8.8", &ip));
	assert_true(probe_exclude_ip(x, ip)); /* the /0 */
	probe_exclude_free(x);

	x = probe_exclude_new();
	assert_null(probe_exclude_add(x, "192.0.2.0/24", 12));
	assert_null(probe_exclude_add(x, "198.51.100.7", 12));
	assert_null(probe_exclude_add(x, "opt-out.example.org", 19));
	assert_true(mx_ipv4_parse("192.0.2.255", &ip));
	assert_true(probe_exclude_ip(x, ip));
	assert_true(mx_ipv4_parse("192.0.3.0", &ip));
	assert_false(probe_exclude_ip(x, ip));
	assert_true(mx_ipv4_parse("198.51.100.7", &ip));
	assert_true(probe_exclude_ip(x, ip));
	assert_true(mx_ipv4_parse("198.51.100.8", &ip));
	assert_false(probe_exclude_ip(x, ip));
	/* a domain covers itself and its subdomains, not look-alikes */
	assert_true(probe_exclude_name(x, "opt-out.example.org"));
	assert_true(probe_exclude_name(x, "mx1.opt-out.example.org"));
	assert_false(probe_exclude_name(x, "example.org"));
	assert_false(probe_exclude_name(x, "xopt-out.example.org"));
	assert_false(probe_exclude_name(NULL, "opt-out.example.org"));
	probe_exclude_free(x);

	/* from a file: FILE:LINE on a bad line */
	x = probe_exclude_new();
	const char *f = tmpfile_with("# opt-outs\n203.0.113.0/25\nfoo.example\n", 38);
	char *err = NULL;
	assert_int_equal(probe_exclude_load(x, f, &err), 0);
	assert_int_equal(probe_exclude_count(x), 2);
	const char *g = tmpfile_with("ok.example\n1.2.3.4/40\n", 22);
	assert_int_equal(probe_exclude_load(x, g, &err), -1);
	char want[128];
	snprintf(want, sizeof want, "%s:2: CIDR prefix length is not 0-32", g);
	assert_string_equal(err, want);
	free(err);
	probe_exclude_free(x);
}

static void test_domains(void **state)
{
	(void)state;
	probe_domains d = {0};
	assert_null(probe_domains_add(&d, "Example.ORG.", 12));
	assert_null(probe_domains_add(&d, "1,example.org\n", 14)); /* rank,domain; a duplicate */
	assert_null(probe_domains_add(&d, "# just a comment", 16));
	assert_null(probe_domains_add(&d, "b.example # note\r\n", 18));
	assert_non_null(probe_domains_add(&d, "not a name", 10));
	assert_non_null(probe_domains_add(&d, ".", 1));
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0], "example.org");
	assert_string_equal(d.v[1], "b.example");
	probe_domains_free(&d);

	/* a file: a byte-order mark, a bad line reported and skipped */
	const char *f = tmpfile_str("\xef\xbb\xbf" "first.example\n1,second.example\nbad name\n");
	char *logbuf = NULL, *err = NULL;
	size_t logn = 0;
	FILE *log = open_memstream(&logbuf, &logn);
	assert_int_equal(probe_domains_load(&d, f, log, &err), 0);
	fclose(log);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0], "first.example");
	assert_string_equal(d.v[1], "second.example");
	char want[128];
	snprintf(want, sizeof want, "%s:3: ", f);
	assert_memory_equal(logbuf, want, strlen(want));
	assert_non_null(strstr(logbuf, " (skipped)\n"));
	free(logbuf);
	probe_domains_free(&d);
	assert_int_equal(probe_domains_load(&d, "/nonexistent/domains.txt", NULL, &err), -1);
	assert_non_null(strstr(err, "/nonexistent/domains.txt"));
	free(err);
}

static void dns_line(const probe_dns_row *r, const char *want)
{
	strbuf o;
	sb_init(&o);
	probe_write_dns(&o, r);
	assert_string_equal(o.data, want);
	/* and mxray's reader takes it */
	char err[256];
	strbuf store[DNS_NCOLS];
	for (int i = 0; i < DNS_NCOLS; i++)
		sb_init(&store[i]);
	bool raw;
	json_t *j = jsonl_parse(o.data, o.len - 1, &raw, err, sizeof err);
	assert_non_null(j);
	const char *vals[DNS_NCOLS];
	dns_row row;
	assert_null(dns_json_values(j, raw, vals, store, err, sizeof err));
	assert_null(dns_row_parse(vals, &row, err, sizeof err));
	json_decref(j);
	for (int i = 0; i < DNS_NCOLS; i++)
		sb_free(&store[i]);
	sb_free(&o);
}

static void test_dns_writer(void **state)
{
	(void)state;
	probe_dns_row mx = {.qtype = "MX", .qname = "example.org", .rtype = "MX", .rname = "example.org",
			    .mx = "mx1.example.net", .pref = 10, .ts_ms = 1796256503836LL};
	dns_line(&mx, "{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"MX\","
		      "\"response_name\":\"example.org.\",\"mx_address\":\"mx1.example.net.\",\"mx_preference\":10,"
		      "\"status_code\":0,\"timestamp\":1796256503836}\n");
	probe_dns_row nullmx = {.qtype = "MX", .qname = "n.example", .rtype = "MX", .rname = "n.example",
				.mx = ".", .pref = 0, .ts_ms = 1};
	dns_line(&nullmx, "{\"query_type\":\"MX\",\"query_name\":\"n.example.\",\"response_type\":\"MX\","
			  "\"response_name\":\"n.example.\",\"mx_address\":\".\",\"mx_preference\":0,"
			  "\"status_code\":0,\"timestamp\":1}\n");
	probe_dns_row a = {.qtype = "A", .qname = "mx1.example.net", .rtype = "A", .rname = "mx1.example.net",
			   .ip4 = "192.0.2.25", .ts_ms = 2};
	dns_line(&a, "{\"query_type\":\"A\",\"query_name\":\"mx1.example.net.\",\"response_type\":\"A\","
		     "\"response_name\":\"mx1.example.net.\",\"ip4_address\":\"192.0.2.25\",\"status_code\":0,"
		     "\"timestamp\":2}\n");
	probe_dns_row cn = {.qtype = "A", .qname = "mail.example.org", .rtype = "CNAME", .rname = "mail.example.org",
			    .cname = "mx1.example.net", .ts_ms = 3};
	dns_line(&cn, "{\"query_type\":\"A\",\"query_name\":\"mail.example.org.\",\"response_type\":\"CNAME\","
		      "\"response_name\":\"mail.example.org.\",\"cname_name\":\"mx1.example.net.\",\"status_code\":0,"
		      "\"timestamp\":3}\n");
	probe_dns_row nx = {.qtype = "MX", .qname = "nx.example", .status = 3, .ts_ms = 4};
	dns_line(&nx, "{\"query_type\":\"MX\",\"query_name\":\"nx.example.\",\"status_code\":3,\"timestamp\":4}\n");
	/* a failure never carries a response, even if one was set */
	probe_dns_row to = {.qtype = "A", .qname = "slow.example", .rtype = "A", .rname = "x", .ip4 = "1.2.3.4",
			    .status = 65535, .ts_ms = 5};
	dns_line(&to, "{\"query_type\":\"A\",\"query_name\":\"slow.example.\",\"status_code\":65535,\"timestamp\":5}\n");
	probe_dns_row nodata = {.qtype = "MX", .qname = "nodata.example", .ts_ms = 6};
	dns_line(&nodata, "{\"query_type\":\"MX\",\"query_name\":\"nodata.example.\",\"status_code\":0,\"timestamp\":6}\n");
}

static void test_json_str(void **state)
{
	(void)state;
	strbuf o;
	sb_init(&o);
	probe_json_str(&o, "a\"b\\c\r\n\t\x01\x7f\xff", 11);
	assert_string_equal(o.data, "\"a\\\"b\\\\c\\r\\n\\t\\u0001\\u007f\xff\"");
	sb_clear(&o);
	probe_json_str(&o, "x\0y", 3);
	assert_string_equal(o.data, "\"x\\u0000y\"");
	sb_free(&o);
}

static char *sdup(const char *s)
{
	return xstrdup(s);
}

static void test_scan_writer(void **state)
{
	(void)state;
	probe_scan s;
	probe_scan_init(&s);
	snprintf(s.ip, sizeof s.ip, "192.0.2.25");
	s.port = 25;
	snprintf(s.timestamp, sizeof s.timestamp, "2026-12-02T10:00:00Z");
	s.status = "success";
	s.has_banner = s.has_ehlo = s.has_starttls = s.has_quit = true;
	sb_adds(&s.banner, "220-mx1.example.net ESMTP\r\n220 ready\r\n");
	sb_adds(&s.ehlo, "250-mx1.example.net\r\n250 STARTTLS\r\n");
	sb_adds(&s.starttls, "220 go ahead\r\n");
	sb_adds(&s.quit, "221 bye\r\n");
	s.tls = true;
	snprintf(s.tls_version, sizeof s.tls_version, "TLSv1.3");
	snprintf(s.cipher, sizeof s.cipher, "TLS_AES_128_GCM_SHA256");
	s.leaf.raw_b64 = sdup("MIIB");
	s.leaf.subject_dn = sdup("CN=mx1.example.net");
	s.leaf.cn = xmalloc(sizeof *s.leaf.cn);
	s.leaf.cn[s.leaf.ncn++] = sdup("mx1.example.net");
	s.leaf.san = xmalloc(2 * sizeof *s.leaf.san);
	s.leaf.san[s.leaf.nsan++] = sdup("mx1.example.net");
	s.leaf.san[s.leaf.nsan++] = sdup("Mail.Example.NET");
	snprintf(s.leaf.not_before, sizeof s.leaf.not_before, "2026-01-01T00:00:00Z");
	snprintf(s.leaf.not_after, sizeof s.leaf.not_after, "2027-01-01T00:00:00Z");
	s.trusted = true;
	strbuf o;
	sb_init(&o);
	probe_write_scan(&o, &s);
	assert_string_equal(o.data,
		"{\"ip\":\"192.0.2.25\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\",\"port\":25,"
		"\"timestamp\":\"2026-12-02T10:00:00Z\",\"result\":{"
		"\"banner\":\"220-mx1.example.net ESMTP\\r\\n220 ready\\r\\n\","
		"\"ehlo\":\"250-mx1.example.net\\r\\n250 STARTTLS\\r\\n\",\"starttls\":\"220 go ahead\\r\\n\","
		"\"tls\":{\"handshake_log\":{\"server_hello\":{\"version\":{\"name\":\"TLSv1.3\"},"
		"\"cipher_suite\":{\"name\":\"TLS_AES_128_GCM_SHA256\"}},\"server_certificates\":{\"certificate\":{"
		"\"raw\":\"MIIB\",\"parsed\":{\"validity\":{\"start\":\"2026-01-01T00:00:00Z\","
		"\"end\":\"2027-01-01T00:00:00Z\"},\"subject\":{\"common_name\":[\"mx1.example.net\"]},"
		"\"subject_dn\":\"CN=mx1.example.net\",\"names\":[\"mx1.example.net\",\"Mail.Example.NET\"],"
		"\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"mx1.example.net\",\"Mail.Example.NET\"]}}}},"
		"\"chain\":[],\"validation\":{\"browser_trusted\":true}}}},\"quit\":\"221 bye\\r\\n\"}}}}\n");

	/* mxray's scan reader takes it back */
	char err[256];
	bool raw;
	json_t *j = jsonl_parse(o.data, o.len - 1, &raw, err, sizeof err);
	assert_non_null(j);
	scan_rec r;
	scan_rec_init(&r);
	assert_null(scan_from_json(j, raw, &r, err, sizeof err));
	assert_string_equal(r.ip, "192.0.2.25");
	assert_true(r.port25);
	assert_string_equal(r.banner.data, "220-mx1.example.net ESMTP\r\n220 ready\r\n");
	assert_string_equal(r.ehlo.data, "250-mx1.example.net\r\n250 STARTTLS\r\n");
	assert_string_equal(r.starttls.data, "220 go ahead\r\n");
	assert_string_equal(r.cert_cn.data, "mx1.example.net");
	assert_int_equal(r.nnames, 2);
	assert_string_equal(r.names[0], "mail.example.net");
	assert_string_equal(r.names[1], "mx1.example.net");
	assert_int_equal(r.trusted, SCAN_TRUST_YES);
	json_decref(j);
	scan_rec_free(&r);
	probe_scan_free(&s);

	/* a failure: no result, the error; another port: no "port" */
	probe_scan_init(&s);
	snprintf(s.ip, sizeof s.ip, "192.0.2.26");
	s.port = 2525;
	s.status = "io-timeout";
	s.error = sdup("timed out waiting for the server");
	sb_clear(&o);
	probe_write_scan(&o, &s);
	assert_string_equal(o.data, "{\"ip\":\"192.0.2.26\",\"data\":{\"smtp\":{\"status\":\"io-timeout\",\"protocol\":\"smtp\","
				    "\"error\":\"timed out waiting for the server\"}}}\n");
	j = jsonl_parse(o.data, o.len - 1, &raw, err, sizeof err);
	scan_rec_init(&r);
	assert_null(scan_from_json(j, raw, &r, err, sizeof err));
	assert_false(r.port25);
	json_decref(j);
	scan_rec_free(&r);
	probe_scan_free(&s);

	/* a raw non-UTF-8 banner round-trips byte for byte */
	probe_scan_init(&s);
	snprintf(s.ip, sizeof s.ip, "192.0.2.27");
	s.port = 25;
	s.status = "success";
	s.has_banner = true;
	sb_add(&s.banner, "220 caf\xe9\0x\r\n", 11);
	sb_clear(&o);
	probe_write_scan(&o, &s);
	j = jsonl_parse(o.data, o.len - 1, &raw, err, sizeof err);
	assert_non_null(j);
	scan_rec_init(&r);
	assert_null(scan_from_json(j, raw, &r, err, sizeof err));
	assert_int_equal(r.banner.len, 11);
	assert_memory_equal(r.banner.data, "220 caf\xe9\0x\r\n", 11);
	json_decref(j);
	scan_rec_free(&r);
	probe_scan_free(&s);
	sb_free(&o);
}

static void test_allow_and_special(void **state)
{
	(void)state;
	probe_exclude *x = probe_exclude_new();
	assert_null(probe_exclude_add_cidr(x, "127.0.0.0/8"));
	assert_null(probe_exclude_add_cidr(x, "10.1.2.3"));
	assert_string_equal(probe_exclude_add_cidr(x, "example.org"), "not an IPv4 address or CIDR (address/bits)");
	assert_string_equal(probe_exclude_add_cidr(x, "10.0.0.0/33"), "CIDR prefix length is not 0-32");
	assert_string_equal(probe_exclude_add_cidr(x, "10.0.0.0/x"), "CIDR prefix length is not 0-32");
	assert_string_equal(probe_exclude_add_cidr(x, ""), "not an IPv4 address or CIDR (address/bits)");
	assert_int_equal(probe_exclude_count(x), 2);
	uint32_t ip;
	assert_true(mx_ipv4_parse("127.0.0.53", &ip));
	assert_true(probe_exclude_ip(x, ip));
	assert_true(mx_ipv4_parse("10.1.2.4", &ip));
	assert_false(probe_exclude_ip(x, ip));
	probe_exclude_free(x);

	static const struct {
		const char *ip, *range;
		bool hard;
	} cases[] = {
		{"0.1.2.3", "0.0.0.0/8 (this network)", true},
		{"10.255.0.1", "10.0.0.0/8 (private)", false},
		{"100.64.0.1", "100.64.0.0/10 (shared address space)", false},
		{"100.128.0.1", NULL, false},
		{"127.0.0.1", "127.0.0.0/8 (loopback)", false},
		{"169.254.169.254", "169.254.0.0/16 (link-local)", false},
		{"172.16.0.1", "172.16.0.0/12 (private)", false},
		{"172.31.255.255", "172.16.0.0/12 (private)", false},
		{"172.32.0.1", NULL, false},
		{"192.0.0.8", "192.0.0.0/24 (IETF protocol assignments)", false},
		{"192.0.2.25", "192.0.2.0/24 (documentation)", false},
		{"192.88.99.1", "192.88.99.0/24 (6to4 relay anycast)", false},
		{"192.168.1.1", "192.168.0.0/16 (private)", false},
		{"198.19.255.1", "198.18.0.0/15 (benchmarking)", false},
		{"198.51.100.7", "198.51.100.0/24 (documentation)", false},
		{"203.0.113.9", "203.0.113.0/24 (documentation)", false},
		{"224.0.0.1", "224.0.0.0/4 (multicast)", true},
		{"239.255.255.255", "224.0.0.0/4 (multicast)", true},
		{"240.0.0.1", "240.0.0.0/4 (reserved, broadcast)", true},
		{"255.255.255.255", "240.0.0.0/4 (reserved, broadcast)", true},
		{"142.250.102.27", NULL, false},
		{"1.1.1.1", NULL, false},
		{"223.255.255.255", NULL, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_true(mx_ipv4_parse(cases[i].ip, &ip));
		bool hard = !cases[i].hard;
		const char *r = probe_special_range(ip, &hard);
		if (cases[i].range)
			assert_string_equal(r, cases[i].range);
		else
			assert_null(r);
		assert_int_equal(hard, cases[i].hard);
	}
}

static const char *prior_dns =
	"{\"query_type\":\"MX\",\"query_name\":\"a.example.\",\"response_type\":\"MX\",\"response_name\":\"a.example.\","
	"\"mx_address\":\"mx1.a.example.\",\"mx_preference\":10,\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"a.example.\",\"response_type\":\"MX\",\"response_name\":\"a.example.\","
	"\"mx_address\":\"alias.a.example.\",\"mx_preference\":20,\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"A\",\"query_name\":\"mx1.a.example.\",\"response_type\":\"A\",\"response_name\":\"mx1.a.example.\","
	"\"ip4_address\":\"127.0.0.41\",\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"A\",\"query_name\":\"mx1.a.example.\",\"response_type\":\"A\",\"response_name\":\"mx1.a.example.\","
	"\"ip4_address\":\"127.0.0.42\",\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"A\",\"query_name\":\"alias.a.example.\",\"response_type\":\"CNAME\","
	"\"response_name\":\"alias.a.example.\",\"cname_name\":\"target.b.example.\",\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"A\",\"query_name\":\"target.b.example.\",\"response_type\":\"A\","
	"\"response_name\":\"target.b.example.\",\"ip4_address\":\"127.0.0.43\",\"status_code\":0,\"timestamp\":1}\n"
	"\n"
	"{\"query_type\":\"MX\",\"query_name\":\"nx.example.\",\"status_code\":3,\"timestamp\":1}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"nodata.example.\",\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"half.example.\",\"response_type\":\"MX\",\"response_name\":\"half.example.\","
	"\"mx_address\":\"mx.half.example.\",\"mx_preference\":0,\"status_code\":0,\"timestamp\":1}\n"
	"{\"query_type\":\"A\",\"query_name\":\"gone.example.\",\"status_code\":65535,\"timestamp\":1}\n"
	"not json\n"
	"{\"query_type\":\"AAAA\",\"query_name\":\"mx1.a.example.\",\"response_type\":\"AAAA\","
	"\"response_name\":\"mx1.a.example.\",\"ip6_address\":\"::1\",\"status_code\":0,\"timestamp\":1}\n";

static void test_prior(void **state)
{
	(void)state;
	probe_prior *p = probe_prior_new();
	assert_int_equal(probe_prior_domains(p), 0);
	assert_null(probe_prior_dns_line(p, "   \r\n", 5));
	assert_non_null(probe_prior_dns_line(p, "{", 1));
	assert_non_null(probe_prior_dns_line(p, "{\"query_type\":\"MX\"}", 19));
	assert_non_null(probe_prior_scan_line(p, "[]", 2));
	assert_non_null(probe_prior_scan_line(p, "{\"ip\":\"x\"}", 10));
	/* a file: bad lines reported with FILE:LINE and counted */
	const char *f = tmpfile_str(prior_dns);
	char *err = NULL;
	uint64_t skipped = 0;
	char *logbuf = NULL;
	size_t logn = 0;
	FILE *log = open_memstream(&logbuf, &logn);
	assert_int_equal(probe_prior_load(p, f, false, log, &skipped, &err), 0);
	fclose(log);
	assert_int_equal(skipped, 1);
	char want[256];
	snprintf(want, sizeof want, "%s:12: malformed JSON: ", f);
	assert_memory_equal(logbuf, want, strlen(want));
	free(logbuf);
	/* a.example, nx.example, nodata.example, half.example */
	assert_int_equal(probe_prior_domains(p), 4);
	/* mx1.a.example, alias.a.example, target.b.example, gone.example */
	assert_int_equal(probe_prior_hosts(p), 4);
	const char *sc = tmpfile_str("{\"ip\":\"127.0.0.41\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\"}}}\n"
				     "{\"ip\":\"127.0.0.43\",\"data\":{\"smtp\":{\"status\":\"io-timeout\",\"protocol\":\"smtp\"}}}\n"
				     "{\"ip\":\"127.0.0.41\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\"}}}\n"
				     "{\"ip\":\"127.0.0.44\",\"data\":{\"ftp\":{\"status\":\"success\",\"protocol\":\"ftp\"}}}\n");
	assert_int_equal(probe_prior_load(p, sc, true, NULL, &skipped, &err), 0);
	assert_int_equal(skipped, 1);
	assert_int_equal(probe_prior_scans(p), 2); /* an ftp record is not a probe of port 25 */
	/* a missing file is an empty one */
	assert_int_equal(probe_prior_load(p, "/nonexistent/dns.jsonl", false, NULL, &skipped, &err), 0);
	probe_prior_free(p);
	probe_prior_free(NULL);
}

static void test_out_open(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
		long dropped;
	} cases[] = {
		{"", "", 0},
		{"{\"a\":1}\n", "{\"a\":1}\n", 0},
		{"{\"a\":1}\n{\"b\":", "{\"a\":1}\n", 5},
		{"{\"b\":", "", 5},
		{"x\ny\n\n", "x\ny\n\n", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *f = tmpfile_str(cases[i].in);
		long dropped = -1;
		char *err = NULL;
		FILE *o = probe_out_open(f, &dropped, &err);
		assert_non_null(o);
		assert_int_equal(dropped, cases[i].dropped);
		fputs("{\"new\":1}\n", o);
		assert_int_equal(fclose(o), 0);
		char want[64], got[64] = "";
		snprintf(want, sizeof want, "%s{\"new\":1}\n", cases[i].out);
		FILE *r = fopen(f, "r");
		size_t n = fread(got, 1, sizeof got - 1, r);
		got[n] = '\0';
		fclose(r);
		assert_string_equal(got, want);
	}
	/* a long unfinished line, over many reads back */
	size_t big = 3 * 4096 + 17;
	char *b = xmalloc(big + 8);
	memcpy(b, "{}\n", 3);
	memset(b + 3, 'x', big - 3);
	const char *f = tmpfile_with(b, big);
	free(b);
	long dropped = 0;
	char *err = NULL;
	FILE *o = probe_out_open(f, &dropped, &err);
	assert_non_null(o);
	assert_int_equal(dropped, (long)big - 3);
	fclose(o);
	assert_null(probe_out_open("/nonexistent/dir/scans.jsonl", &dropped, &err));
	assert_string_equal(err, "/nonexistent/dir/scans.jsonl: No such file or directory");
	free(err);
	/* what a line cannot be appended to */
	assert_null(probe_out_open("/dev/null", &dropped, &err));
	assert_string_equal(err, "/dev/null: not a regular file (the probe appends to it and reads it back)");
	free(err);
	f = tmpfile_with("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
	assert_null(probe_out_open(f, &dropped, &err));
	char want[128];
	snprintf(want, sizeof want, "%s is compressed: the probe appends to it; decompress it first", f);
	assert_string_equal(err, want);
	free(err);
}

/* A run over domains an earlier run did: no query and no connection for
 * what is done; an MX host whose A lookup is missing is asked (here of a
 * resolver that never answers: a time-out, status 65535). */
static void test_resume_run(void **state)
{
	(void)state;
	int us = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	assert_int_equal(bind(us, (struct sockaddr *)&sa, sizeof sa), 0);
	socklen_t sl = sizeof sa;
	assert_int_equal(getsockname(us, (struct sockaddr *)&sa, &sl), 0);
	char resolver[32];
	snprintf(resolver, sizeof resolver, "127.0.0.1:%u", ntohs(sa.sin_port));

	probe_prior *p = probe_prior_new();
	for (const char *l = prior_dns; *l;) {
		const char *nl = strchr(l, '\n');
		probe_prior_dns_line(p, l, (size_t)(nl - l));
		l = nl + 1;
	}
	const char *done = "{\"ip\":\"127.0.0.41\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\"}}}";
	assert_null(probe_prior_scan_line(p, done, strlen(done)));
	probe_exclude *allow = probe_exclude_new();
	assert_null(probe_exclude_add_cidr(allow, "127.0.0.41"));
	probe_opts o = {.resolver = resolver, .port = 25, .ehlo = "probe.example", .rate = 1000, .concurrency = 4,
			.timeout = 0.2, .allow = allow, .prior = p, .log = stderr};
	char *names[] = {"a.example", "nx.example", "nodata.example", "half.example"};
	char *dbuf = NULL, *sbuf = NULL;
	size_t dn = 0, sn = 0;
	FILE *dout = open_memstream(&dbuf, &dn), *sout = open_memstream(&sbuf, &sn);
	probe_counts c;
	char *err = NULL;
	assert_int_equal(probe_run(&o, names, 4, dout, sout, &c, &err), 0);
	fclose(dout);
	fclose(sout);
	assert_null(err);
	assert_int_equal(c.domains, 4);
	assert_int_equal(c.resumed_domains, 4);
	assert_int_equal(c.hosts, 3);          /* mx1.a, alias.a, mx.half */
	assert_int_equal(c.resumed_hosts, 2);
	assert_int_equal(c.addresses, 3);      /* .41 .42 of mx1, .43 of the CNAME target */
	assert_int_equal(c.resumed_addresses, 1);
	assert_int_equal(c.special_addresses, 2); /* loopback, and not allowed */
	assert_int_equal(c.smtp_done, 0);
	assert_int_equal(c.dns_failed, 1);
	assert_string_equal(sbuf, "");
	/* the one query: mx.half.example's A, timed out */
	assert_int_equal(strncmp(dbuf, "{\"query_type\":\"A\",\"query_name\":\"mx.half.example.\",\"status_code\":65535,"
				       "\"timestamp\":", 76), 0);
	assert_non_null(strchr(dbuf, '\n'));
	assert_string_equal(strchr(dbuf, '\n'), "\n");
	free(dbuf);
	free(sbuf);
	probe_exclude_free(allow);
	probe_prior_free(p);
	close(us);
}

static void test_scan_writer_sni(void **state)
{
	(void)state;
	probe_scan s;
	probe_scan_init(&s);
	snprintf(s.ip, sizeof s.ip, "192.0.2.25");
	s.port = 25;
	s.status = "success";
	s.tls = true;
	snprintf(s.tls_version, sizeof s.tls_version, "TLSv1.2");
	snprintf(s.cipher, sizeof s.cipher, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	s.server_name = sdup("mx1.example.net");
	s.verify_error = sdup("unable to get local issuer certificate");
	strbuf o;
	sb_init(&o);
	probe_write_scan(&o, &s);
	assert_string_equal(o.data,
		"{\"ip\":\"192.0.2.25\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\",\"port\":25,"
		"\"result\":{\"tls\":{\"handshake_log\":{\"client_hello\":{\"server_name\":\"mx1.example.net\"},"
		"\"server_hello\":{\"version\":{\"name\":\"TLSv1.2\"},\"cipher_suite\":{\"name\":"
		"\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"}},\"server_certificates\":{\"certificate\":{\"parsed\":{"
		"\"subject\":{\"common_name\":[]},\"names\":[]}},\"chain\":[],\"validation\":{\"browser_trusted\":false,"
		"\"browser_error\":\"unable to get local issuer certificate\"}}}}}}}}\n");
	char err[256];
	bool raw;
	json_t *j = jsonl_parse(o.data, o.len - 1, &raw, err, sizeof err);
	assert_non_null(j);
	scan_rec r;
	scan_rec_init(&r);
	assert_null(scan_from_json(j, raw, &r, err, sizeof err));
	assert_int_equal(r.trusted, SCAN_TRUST_NO);
	json_decref(j);
	scan_rec_free(&r);
	probe_scan_free(&s);
	sb_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_single_and_multi),
		cmocka_unit_test(test_reply_needs_more),
		cmocka_unit_test(test_reply_garbage),
		cmocka_unit_test(test_reply_too_long),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_dns_writer),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_scan_writer),
		cmocka_unit_test(test_allow_and_special),
		cmocka_unit_test(test_prior),
		cmocka_unit_test(test_out_open),
		cmocka_unit_test(test_resume_run),
		cmocka_unit_test(test_scan_writer_sni),
	};
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
