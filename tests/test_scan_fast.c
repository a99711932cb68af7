/* scan_fast and scan_legacy_fast: the tree-less readers of Censys legacy
 * (nested and flattened), ZGrab2 and Censys Search 2.0 records give exactly the record of the
 * general way (jsonl_parse and scan_from_json) whenever they accept a line,
 * and decline every shape they do not read, and every line of more values
 * than jsonl_parse takes: on tables of cases and on every line of
 * sample-data's scan files. */
#include "testutil.h"
#include "mxray/jsonl.h"
#include "mxray/scan.h"
#include "mxray/util.h"
#include "fuzz/scan_describe.h"

#include <stdio.h>

static scan_rec fast_rec, slow_rec;

/* Whether the fast reader accepts the line; when it does, the record must
 * be the general way's, which must report no error. */
static bool accepted(const char *line, size_t len)
{
	strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	int got = scan_fast_agrees(line, len, &fast_rec, &slow_rec, &a, &b);
	if (got < 0)
		fail_msg("fast:    %s\ngeneral: %s\ninput:   %.*s", a.data, b.data, (int)len, line);
	/* scan_fast reads whatever scan_legacy_fast reads, the same way */
	int any = scan_reader_agrees(scan_fast, line, len, &fast_rec, &slow_rec, &a, &b);
	if (any < 0 || (got > 0 && any == 0))
		fail_msg("scan_fast: %s\ngeneral:   %s\ninput:     %.*s", a.data, b.data, (int)len, line);
	sb_free(&a);
	sb_free(&b);
	return got > 0;
}

static bool ok(const char *line)
{
	return accepted(line, strlen(line));
}

/* Whether scan_fast accepts the line (then with the general way's record,
 * and having counted the values jsonl_parse counts). */
static bool fast_accepted(const char *line, size_t len)
{
	strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	int got = scan_reader_agrees(scan_fast, line, len, &fast_rec, &slow_rec, &a, &b);
	if (got < 0)
		fail_msg("fast:    %s\ngeneral: %s\ninput:   %.*s", a.data, b.data, (int)len, line);
	size_t n = 0;
	if (got > 0) {
		assert_true(scan_fast_count(line, len, &fast_rec, &n));
		assert_int_equal(n, jsonl_count_values(line, len));
	}
	sb_free(&a);
	sb_free(&b);
	return got > 0;
}

static bool fok(const char *line)
{
	return fast_accepted(line, strlen(line));
}

/* What the general way says of a line. */
static void general_error(const char *line, size_t len, const char *want)
{
	bool raw;
	char err[512];
	json_t *o = jsonl_parse(line, len, &raw, err, sizeof err);
	const char *why = o ? scan_from_json(o, raw, &slow_rec, err, sizeof err) : err;
	json_decref(o);
	assert_non_null(why);
	assert_string_equal(why, want);
}

/* What the general way says of a line: NULL when it reads it with no error. */
static const char *general_says(const char *line, char *err, size_t errlen)
{
	bool raw;
	json_t *o = jsonl_parse(line, strlen(line), &raw, err, errlen);
	const char *why = o ? scan_from_json(o, raw, &slow_rec, err, errlen) : err;
	json_decref(o);
	return why;
}

static void test_reads_the_common_shape(void **state)
{
	(void)state;
	assert_true(ok("{\"ip\":\"142.250.102.27\",\"updated_at\":\"2021-06-30T04:12:09Z\",\"autonomous_system\":"
		       "{\"asn\":15169,\"routed_prefix\":\"142.250.102.0/24\"},\"p443\":{\"https\":{\"x\":[1,2.5,null]}},"
		       "\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mx.google.com ESMTP q7si1 - gsmtp\","
		       "\"ehlo\":\"250-mx.google.com at your service\\r\\n250 STARTTLS\",\"starttls\":"
		       "\"220 2.0.0 Ready to start TLS\",\"timestamp\":\"2021-06-29T11:02:41Z\",\"tls\":{\"certificate\":"
		       "{\"parsed\":{\"subject\":{\"common_name\":[\"MX.google.com\"]},\"names\":[\"aspmx.l.google.com\","
		       "\"mx.google.com\"],\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"mx.google.com\","
		       "\"ASPMX.L.google.com.\"]}}}},\"validation\":{\"browser_trusted\":true}}}}}}"));
	/* the values, checked once by hand */
	assert_string_equal(fast_rec.ip, "142.250.102.27");
	assert_int_equal(fast_rec.asn, 15169);
	assert_true(fast_rec.port25 && fast_rec.has_banner && fast_rec.has_ehlo && fast_rec.has_cert);
	assert_string_equal(fast_rec.ehlo.data, "250-mx.google.com at your service\r\n250 STARTTLS");
	assert_string_equal(fast_rec.cert_cn.data, "MX.google.com");
	assert_int_equal(fast_rec.nnames, 2);
	assert_string_equal(fast_rec.names[0], "aspmx.l.google.com");
	assert_string_equal(fast_rec.names[1], "mx.google.com");
	assert_int_equal(fast_rec.trusted, SCAN_TRUST_YES);
	assert_string_equal(fast_rec.scanned_at.data, "2021-06-29T11:02:41Z");
	/* more shapes it reads */
	assert_true(ok("{\"ip\":\"192.0.2.1\"}"));
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":null,\"updated_at\":\"2021-06-01\"}"));
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{}}"));
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":5}}")); /* nothing under a non-object */
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"\\u00e9t\\u00e9 \\u003c\","
		       "\"tls\":{\"certificate\":{\"parsed\":{}}}}}}}"));
	assert_int_equal(fast_rec.trusted, SCAN_TRUST_UNKNOWN);
	assert_string_equal(fast_rec.banner.data, "\xc3\xa9t\xc3\xa9 <");
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":"
		       "{\"subject\":{\"common_name\":\"A.example.\"},\"names\":\".\"}},\"validation\":"
		       "{\"browser_trusted\":false}},\"timestamp\":null}}},\"updated_at\":\"2021-06-02\"}"));
	assert_string_equal(fast_rec.scanned_at.data, "2021-06-02");
	assert_int_equal(fast_rec.nnames, 2); /* "." stays; "a.example" loses its dot */
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"timestamp\":\"t\"}}},\"updated_at\":5}"));
	assert_true(ok(" {\"ip\" : \"192.0.2.1\" , \"autonomous_system\" : { \"asn\" : 1 } } \n"));
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":4294967295}}"));
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":\"15169\"}}")); /* BigQuery's INT64 */
	assert_int_equal(fast_rec.asn, 15169);
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":{}},"
		       "\"validation\":{\"browser_trusted\":\"True\"}}}}}}"));
	assert_int_equal(fast_rec.trusted, SCAN_TRUST_YES);
	assert_true(ok("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"a\",\"x\":\"a\",\"x\":2}}}}"));
	/* old exports' "25" for "p25" */
	assert_true(ok("{\"ip\":\"192.0.2.6\",\"autonomous_system\":{\"asn\":\"7922\"},\"25\":{\"smtp\":{\"starttls\":"
		       "{\"banner\":\"220 old.example\",\"timestamp\":\"2021-06-07T17:49:44Z\"}}}}"));
	assert_int_equal(fast_rec.format, SCAN_CENSYS_LEGACY);
	assert_true(fast_rec.port25 && fast_rec.has_banner);
	assert_string_equal(fast_rec.banner.data, "220 old.example");
	assert_string_equal(fast_rec.scanned_at.data, "2021-06-07T17:49:44Z");
	assert_true(ok("{\"ip\":\"192.0.2.6\",\"25\":null}"));
	assert_false(fast_rec.port25);
}

static void test_declines(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"", "[]", "{}", "{\"ip\":\"192.0.2.1\"} x", "{\"ip\":\"192.0.2.1\"",
		"{\"ip\":\"2001:db8::1\"}", "{\"ip\":5}", "{\"ip\":\"192.0.2.1\",\"ip\":\"192.0.2.2\"}",
		/* the shapes the general way reads otherwise */
		"{\"ip\":\"192.0.2.1\",\"25\":{},\"p25\":{}}", "{\"ip\":\"192.0.2.1\",\"25\":null,\"p25\":{}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{}}",
		"{\"ip\":\"192.0.2.1\",\"services\":[]}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp.starttls\":{}}}", "{\"i\\u0070\":\"192.0.2.1\"}",
		/* what the general way calls an error */
		"{\"ip\":\"192.0.2.1\",\"p25\":5}", "{\"ip\":\"192.0.2.1\",\"25\":[]}",
		"{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":0}}",
		"{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":4294967296}}",
		"{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":15169.5}}",
		"{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":\"0x10\"}}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":7}}}}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":null}}}}}}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":"
		"{\"names\":[\"a\",1]}}}}}}}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":{}},"
		"\"validation\":{\"browser_trusted\":\"yes\"}}}}}}",
		"{\"ip\":\"192.0.2.1\",\"updated_at\":7}",
		/* escapes and bytes it leaves to jansson */
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"a\\u0000b\"}}}}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"\\ud83d\\ude00\"}}}}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"\xff\"}}}}",
		"{\"ip\":\"192.0.2.1\",\"x\":1e5}",
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		if (scan_legacy_fast(lines[i], strlen(lines[i]), &fast_rec))
			fail_msg("accepted: %s", lines[i]);
	/* a name over 1024 bytes, and 2001 distinct names: errors, declined */
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"");
	for (int i = 0; i < 1025; i++)
		sb_addc(&sb, 'a');
	sb_adds(&sb, "\"]}}}}}}}");
	assert_false(scan_legacy_fast(sb.data, sb.len, &fast_rec));
	sb_clear(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":{\"names\":[");
	for (int i = 0; i < 2001; i++)
		sb_addf(&sb, "%s\"n%d.example\"", i ? "," : "", i);
	sb_adds(&sb, "]}}}}}}}");
	assert_false(scan_legacy_fast(sb.data, sb.len, &fast_rec));
	/* 1999 names listed twice, in other case: read, the same as the general way */
	sb_clear(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":{\"names\":[");
	for (int i = 0; i < 1999; i++)
		sb_addf(&sb, "\"n%d.example\",\"N%d.EXAMPLE\",", i, i);
	sb_adds(&sb, "\"n0.example\"]}}}}}}}");
	assert_true(accepted(sb.data, sb.len));
	assert_int_equal(fast_rec.nnames, 1999);
	sb_free(&sb);
}

/* The flattened legacy record (censys-flat): its keys are paths from the
 * top, other ports' and fields' keys beside them. */
static void test_flat(void **state)
{
	(void)state;
	assert_true(ok("{\"ip\":\"192.0.2.21\",\"updated_at\":\"2021-06-07T02:05:27Z\",\"autonomous_system.asn\":"
		       "\"7922\",\"autonomous_system.name\":\"COMCAST-7922\",\"protocols\":[\"25/smtp\"],"
		       "\"p80.http.get.status_code\":\"200\",\"p25.smtp.starttls.banner\":\"220 mx.example.gov ESMTP\","
		       "\"p25.smtp.starttls.ehlo\":\"250-mx.example.gov\\r\\n250 STARTTLS\",\"p25.smtp.starttls.starttls\":"
		       "\"220 2.0.0 Ready\",\"p25.smtp.starttls.timestamp\":\"2021-06-06T23:19:43Z\","
		       "\"p25.smtp.starttls.tls.version\":\"TLSv1.2\","
		       "\"p25.smtp.starttls.tls.certificate.parsed.subject.common_name\":[\"MX.example.gov.\"],"
		       "\"p25.smtp.starttls.tls.certificate.parsed.issuer_dn\":\"C=US, O=Let's Encrypt, CN=R3\","
		       "\"p25.smtp.starttls.tls.certificate.parsed.names\":[\"mx.example.gov\",\"Www.Example.gov\"],"
		       "\"p25.smtp.starttls.tls.certificate.parsed.extensions.subject_alt_name.dns_names\":"
		       "[\"mx.example.gov\",\"example.gov\"],\"p25.smtp.starttls.tls.validation.browser_error\":\"x\","
		       "\"p25.smtp.starttls.tls.validation.browser_trusted\":true}"));
	scan_rec *r = &fast_rec;
	assert_string_equal(r->ip, "192.0.2.21");
	assert_int_equal(r->format, SCAN_CENSYS_FLAT);
	assert_int_equal(r->asn, 7922);
	assert_true(r->port25 && r->has_banner && r->has_ehlo && r->has_starttls && r->has_cert && !r->not_smtp);
	assert_string_equal(r->banner.data, "220 mx.example.gov ESMTP");
	assert_string_equal(r->ehlo.data, "250-mx.example.gov\r\n250 STARTTLS");
	assert_string_equal(r->starttls.data, "220 2.0.0 Ready");
	assert_string_equal(r->cert_cn.data, "MX.example.gov.");
	assert_int_equal(r->nnames, 3);
	assert_string_equal(r->names[0], "example.gov");
	assert_string_equal(r->names[1], "mx.example.gov");
	assert_string_equal(r->names[2], "www.example.gov");
	assert_int_equal(r->trusted, SCAN_TRUST_YES);
	assert_string_equal(r->scanned_at.data, "2021-06-06T23:19:43Z");
	assert_int_equal(r->status.len, 0);
	/* a host with nothing on port 25: flattened by its AS number's key */
	assert_true(ok("{\"ip\":\"192.0.2.22\",\"updated_at\":\"2021-06-07\",\"autonomous_system.asn\":3356,"
		       "\"autonomous_system.routed_prefix\":\"4.0.0.0/14\",\"p80.http.get.status_code\":\"200\"}"));
	assert_int_equal(r->format, SCAN_CENSYS_FLAT);
	assert_int_equal(r->asn, 3356);
	assert_false(r->port25 || r->has_banner || r->has_cert);
	assert_string_equal(r->scanned_at.data, "2021-06-07");
	assert_true(ok("{\"ip\":\"192.0.2.22\",\"autonomous_system.asn\":null}"));
	assert_int_equal(r->format, SCAN_CENSYS_FLAT);
	assert_int_equal(r->asn, 0);
	/* any "p25." key is port 25, even one no reader looks at; the trust of
	 * no certificate is not read */
	assert_true(ok("{\"ip\":\"192.0.2.23\",\"p25.smtp.starttls.tls.version\":\"TLSv1.2\","
		       "\"p25.smtp.starttls.banner.x\":5,\"p25.\":1,\"p25.smtp.starttls.tls.validation.browser_trusted\":7}"));
	assert_int_equal(r->format, SCAN_CENSYS_FLAT);
	assert_true(r->port25 && !r->has_banner && !r->has_cert);
	assert_int_equal(r->trusted, SCAN_TRUST_NONE);
	/* a null name list is a certificate (of no names, unknown trust); a
	 * common name as a plain string; trust as a string; a null time stamp
	 * gives way to the record's */
	assert_true(ok("{\"ip\":\"192.0.2.24\",\"p25.smtp.starttls.tls.certificate.parsed.names\":null,"
		       "\"p25.smtp.starttls.timestamp\":null,\"updated_at\":\"2021-06-08\"}"));
	assert_true(r->has_cert && r->port25);
	assert_int_equal(r->nnames, 0);
	assert_int_equal(r->trusted, SCAN_TRUST_UNKNOWN);
	assert_string_equal(r->scanned_at.data, "2021-06-08");
	assert_true(ok("{\"ip\":\"192.0.2.24\",\"p25.smtp.starttls.tls.certificate.parsed.subject.common_name\":"
		       "\"Solo.example\",\"p25.smtp.starttls.tls.validation.browser_trusted\":\"false\","
		       "\"p25.smtp.starttls.banner\":null,\"p25.smtp.starttls.ehlo\":\"\\u00e9\"}"));
	assert_string_equal(r->cert_cn.data, "Solo.example");
	assert_int_equal(r->nnames, 1);
	assert_string_equal(r->names[0], "solo.example");
	assert_int_equal(r->trusted, SCAN_TRUST_NO);
	assert_true(!r->has_banner && r->has_ehlo);
	assert_string_equal(r->ehlo.data, "\xc3\xa9");
	/* read by scan_fast as well (fok: with the values counted) */
	assert_true(fok("{\"ip\":\"192.0.2.25\",\"p25.smtp.starttls.banner\":\"x\",\"x.y\":[1,{\"a.b\":2}]}"));
	assert_string_equal(r->banner.data, "x");
}

/* Flattened records read otherwise, or with an error, by the general way:
 * declined; what the general way says of each (NULL: it reads it). */
static void test_flat_declines(void **state)
{
	(void)state;
	static const struct {
		const char *line, *general;
	} cases[] = {
		/* a key twice (jansson keeps the last), an escaped key */
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.banner\":\"a\",\"p25.smtp.starttls.banner\":\"b\"}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"autonomous_system.asn\":1,\"autonomous_system.asn\":2}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.b\\u0061nner\":\"a\"}", NULL},
		/* nested and flattened members in one record */
		{"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{}},\"p25.smtp.starttls.ehlo\":\"x\"}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.ehlo\":\"x\",\"p25\":null}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":1},\"autonomous_system.asn\":2}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"p25\":{},\"autonomous_system.asn\":2}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"services\":[],\"autonomous_system.asn\":2}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{}},\"p25.smtp.starttls.ehlo\":\"x\"}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"25.smtp.starttls.ehlo\":\"x\"}", NULL},
		/* a part of a path, where jsonl_path would look */
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls\":{\"validation\":{\"browser_trusted\":true}}}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp\":{\"starttls\":{\"banner\":\"x\"}}}", NULL},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed\":{}}", NULL},
		/* errors of the general way */
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.banner\":7}", "banner has the wrong type (not a string)"},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed.names\":5}",
		 "certificate names has the wrong type (not a list)"},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed.extensions.subject_alt_name.dns_names\":"
		 "[\"a\",1]}",
		 "certificate dns_names holds a value that is not a string"},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed.subject.common_name\":{}}",
		 "certificate common_name has the wrong type (not a list)"},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed.names\":[],"
		 "\"p25.smtp.starttls.tls.validation.browser_trusted\":\"yes\"}",
		 "browser_trusted has the wrong type (not true/false)"},
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.timestamp\":7}", "timestamp has the wrong type (not a string)"},
		{"{\"ip\":\"192.0.2.1\",\"autonomous_system.asn\":0}", "autonomous_system.asn is not an AS number"},
		{"{\"ip\":\"192.0.2.1\",\"autonomous_system.asn\":\"AS1\",\"p25.x\":1}",
		 "autonomous_system.asn is not an AS number"},
		/* what it leaves to jansson */
		{"{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.banner\":\"a\\u0000b\"}", NULL},
	};
	char err[512];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *l = cases[i].line;
		if (scan_fast(l, strlen(l), &fast_rec) || scan_legacy_fast(l, strlen(l), &fast_rec))
			fail_msg("accepted: %s", l);
		const char *why = general_says(l, err, sizeof err);
		if (cases[i].general ? !why || strcmp(why, cases[i].general) : why != NULL)
			fail_msg("general way: %s\nwanted:      %s\ninput:       %s", why ? why : "(read)",
				 cases[i].general ? cases[i].general : "(read)", l);
	}
	/* a common name over 1024 bytes, 2001 distinct names: errors */
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed.subject.common_name\":[\"");
	for (int i = 0; i < 1025; i++)
		sb_addc(&sb, 'a');
	sb_adds(&sb, "\"]}");
	assert_false(scan_fast(sb.data, sb.len, &fast_rec));
	general_error(sb.data, sb.len, "certificate common name is longer than 1024 bytes");
	sb_clear(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.certificate.parsed.names\":[");
	for (int i = 0; i < 2001; i++)
		sb_addf(&sb, "%s\"n%d.example\"", i ? "," : "", i);
	sb_adds(&sb, "]}");
	assert_false(scan_fast(sb.data, sb.len, &fast_rec));
	general_error(sb.data, sb.len, "certificate names has more than 2000 distinct names");
	sb_free(&sb);
}

static void test_zgrab2(void **state)
{
	(void)state;
	/* the module by its default name, with a certificate */
	assert_true(fok("{\"ip\":\"192.0.2.7\",\"domain\":\"mx.example.org\",\"data\":{\"smtp\":{\"status\":\"success\","
			"\"protocol\":\"smtp\",\"port\":25,\"timestamp\":\"2021-06-07T02:53:32Z\",\"result\":{\"banner\":"
			"\"220 mx.example.org ESMTP\\r\\n\",\"ehlo\":\"250-mx.example.org\\r\\n250 STARTTLS\\r\\n\","
			"\"starttls\":\"220 Ready\\r\\n\",\"tls\":{\"handshake_log\":{\"server_hello\":{\"version\":"
			"{\"value\":771}},\"server_certificates\":{\"certificate\":{\"raw\":\"AA==\",\"parsed\":{\"subject\":"
			"{\"common_name\":[\"MX.Example.org\"]},\"names\":[\"mx.example.org\",\"Example.org.\"],"
			"\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"mx.example.org\"]}}}},\"chain\":[{\"parsed\":"
			"{\"subject\":{\"common_name\":[\"R3\"]}}}],\"validation\":{\"browser_trusted\":false}}}},"
			"\"quit\":\"221 Bye\\r\\n\"}}}}"));
	scan_rec *r = &fast_rec;
	assert_string_equal(r->ip, "192.0.2.7");
	assert_int_equal(r->format, SCAN_ZGRAB2);
	assert_true(r->port25 && r->has_banner && r->has_ehlo && r->has_starttls && r->has_cert && !r->not_smtp);
	assert_string_equal(r->banner.data, "220 mx.example.org ESMTP\r\n");
	assert_string_equal(r->ehlo.data, "250-mx.example.org\r\n250 STARTTLS\r\n");
	assert_string_equal(r->starttls.data, "220 Ready\r\n");
	assert_string_equal(r->cert_cn.data, "MX.Example.org");
	assert_int_equal(r->nnames, 2);
	assert_string_equal(r->names[0], "example.org");
	assert_string_equal(r->names[1], "mx.example.org");
	assert_int_equal(r->trusted, SCAN_TRUST_NO);
	assert_int_equal(r->asn, 0);
	assert_string_equal(r->scanned_at.data, "2021-06-07T02:53:32Z");
	assert_string_equal(r->status.data, "success");
	/* `zgrab2 multiple`: the first module whose protocol is SMTP; helo
	 * when ehlo is null; the port as a string */
	assert_true(fok("{\"ip\":\"192.0.2.8\",\"data\":{\"ftp\":{\"status\":\"success\",\"protocol\":\"ftp\",\"result\":"
			"{\"banner\":\"220 ftp\"}},\"mail\":{\"status\":\"success\",\"protocol\":\"SMTP\",\"port\":\"25\","
			"\"result\":{\"banner\":\"220 hi\",\"helo\":\"250 hello\",\"ehlo\":null}},\"tls\":{\"protocol\":"
			"\"smtp\",\"result\":{\"banner\":\"220 second\"}}}}"));
	assert_string_equal(r->banner.data, "220 hi");
	assert_string_equal(r->ehlo.data, "250 hello");
	assert_true(r->port25 && r->has_ehlo && !r->has_starttls && !r->has_cert);
	assert_int_equal(r->trusted, SCAN_TRUST_NONE);
	assert_int_equal(r->scanned_at.len, 0);
	/* the module named "smtp" wins over one found by its protocol */
	assert_true(fok("{\"ip\":\"192.0.2.10\",\"data\":{\"mail\":{\"status\":\"success\",\"protocol\":\"smtp\","
			"\"result\":{\"banner\":\"220 by protocol\"}},\"smtp\":{\"status\":\"io-timeout\",\"result\":null}}}"));
	assert_false(r->port25 || r->has_banner);
	assert_int_equal(r->banner.len, 0);
	assert_string_equal(r->status.data, "io-timeout");
	/* a refused connection; a reply but no success */
	assert_true(fok("{\"ip\":\"192.0.2.12\",\"data\":{\"smtp\":{\"status\":\"connection-refused\",\"protocol\":"
			"\"smtp\",\"port\":25,\"error\":\"dial tcp: refused\"}}}"));
	assert_false(r->port25);
	assert_true(fok("{\"ip\":\"192.0.2.11\",\"data\":{\"smtp\":{\"status\":\"application-error\",\"result\":"
			"{\"banner\":\"554 denied\\r\\n\"}}}}"));
	assert_true(r->port25 && r->has_banner);
	/* other modules only: counted, not stored */
	assert_true(fok("{\"ip\":\"192.0.2.9\",\"data\":{\"ftp\":{\"protocol\":\"ftp\"},\"http\":5}}"));
	assert_true(r->not_smtp && !r->port25);
	assert_int_equal(r->format, SCAN_ZGRAB2);
	/* not read by scan_legacy_fast */
	const char *z = "{\"ip\":\"192.0.2.9\",\"data\":{\"smtp\":{\"status\":\"success\"}}}";
	assert_false(scan_legacy_fast(z, strlen(z), &fast_rec));
	assert_true(fok(z));
}

static void test_zgrab2_declines(void **state)
{
	(void)state;
	static const char *const lines[] = {
		/* errors of the general way */
		"{\"ip\":\"192.0.2.1\",\"data\":{}}", "{\"ip\":\"192.0.2.1\",\"data\":5}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":5}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"port\":587}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"port\":\"587\"}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"status\":null}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"result\":[]}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"result\":{\"banner\":1}}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"timestamp\":5}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"result\":{\"tls\":{\"handshake_log\":{\"server_certificates\":"
		"{\"certificate\":{\"parsed\":{}},\"validation\":{\"browser_trusted\":1}}}}}}}}",
		/* what it leaves to the general way */
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"port\":-0}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"status\":\"a\",\"status\":\"b\"}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"m\":{\"protocol\":\"smtp\"},\"m\":{\"protocol\":\"ftp\"}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"result\":{\"tls.handshake_log\":{}}}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"res\\u0075lt\":{}}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{}},\"services\":[]}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{}},\"p25\":null}",
		"{\"result\":{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{}}}}",
		"{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"result\":{\"banner\":\"\\u0000\"}}}}",
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		if (scan_fast(lines[i], strlen(lines[i]), &fast_rec))
			fail_msg("accepted: %s", lines[i]);
	/* the general way says why */
	const char *l = "{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"port\":587}}}";
	general_error(l, strlen(l), "ZGrab2 record for port 587, not 25");
}

static void test_censys2(void **state)
{
	(void)state;
	/* the first TCP SMTP service on port 25 (not the UDP one before it,
	 * not the one after) */
	assert_true(fok("{\"ip\":\"192.0.2.13\",\"autonomous_system\":{\"asn\":64500,\"name\":\"EXAMPLE\"},"
			"\"last_updated_at\":\"2021-06-07T08:16:09Z\",\"services\":[{\"port\":25,\"service_name\":"
			"\"UNKNOWN\",\"transport_protocol\":\"UDP\",\"banner\":\"\\u0001\\u0002\",\"observed_at\":"
			"\"2021-06-07T07:34:27Z\"},{\"port\":25,\"service_name\":\"SMTP\",\"transport_protocol\":\"UDP\","
			"\"banner\":\"udp smtp\"},{\"port\":\"25\",\"service_name\":\"smtp\",\"transport_protocol\":\"tcp\","
			"\"banner\":\"220 mx.example.net ESMTP\\r\\n\",\"smtp\":{\"ehlo\":\"250-mx.example.net\\r\\n\","
			"\"start_tls\":\"220 go ahead\\r\\n\"},\"certificate\":\"ab\",\"tls\":{\"certificates\":{\"chain\":[],"
			"\"leaf_data\":{\"names\":[\"mx.example.net\",\"*.Example.net\"],\"subject\":{\"common_name\":"
			"[\"mx.example.net\"]}}}},\"scan_time\":\"2021-06-07T07:30:00Z\"},{\"port\":25,\"service_name\":"
			"\"SMTP\",\"banner\":\"220 later\"},{\"port\":80,\"service_name\":\"HTTP\",\"http\":{}}]}"));
	scan_rec *r = &fast_rec;
	assert_string_equal(r->ip, "192.0.2.13");
	assert_int_equal(r->format, SCAN_CENSYS2);
	assert_int_equal(r->asn, 64500);
	assert_true(r->port25 && r->has_banner && r->has_ehlo && r->has_starttls && r->has_cert && !r->not_smtp);
	assert_string_equal(r->banner.data, "220 mx.example.net ESMTP\r\n");
	assert_string_equal(r->ehlo.data, "250-mx.example.net\r\n");
	assert_string_equal(r->starttls.data, "220 go ahead\r\n");
	assert_string_equal(r->cert_cn.data, "mx.example.net");
	assert_int_equal(r->nnames, 2);
	assert_string_equal(r->names[0], "*.example.net");
	assert_string_equal(r->names[1], "mx.example.net");
	assert_int_equal(r->trusted, SCAN_TRUST_UNKNOWN);
	assert_string_equal(r->scanned_at.data, "2021-06-07T07:30:00Z");
	assert_int_equal(r->status.len, 0);
	/* no SMTP service: the host's time; no services; no certificate */
	assert_true(fok("{\"ip\":\"192.0.2.14\",\"autonomous_system\":{\"asn\":\"64501\"},\"last_updated_at\":"
			"\"2021-06-06T05:36:51Z\",\"services\":[{\"port\":80,\"service_name\":\"HTTP\"},5,null]}"));
	assert_false(r->port25);
	assert_int_equal(r->asn, 64501);
	assert_string_equal(r->scanned_at.data, "2021-06-06T05:36:51Z");
	assert_true(fok("{\"ip\":\"192.0.2.15\",\"services\":[]}"));
	assert_true(fok("{\"ip\":\"192.0.2.16\",\"services\":[{\"port\":25,\"service_name\":\"SMTP\",\"banner\":"
			"\"220 x\",\"cert\":null,\"observed_at\":null,\"scan_time\":\"2021-06-06\"}]}"));
	assert_true(r->port25 && r->has_banner && !r->has_cert);
	assert_int_equal(r->trusted, SCAN_TRUST_NONE);
	assert_string_equal(r->scanned_at.data, "2021-06-06");
	const char *c = "{\"ip\":\"192.0.2.9\",\"services\":[]}";
	assert_false(scan_legacy_fast(c, strlen(c), &fast_rec));
}

static void test_censys2_declines(void **state)
{
	(void)state;
	static const char *const lines[] = {
		/* errors of the general way */
		"{\"ip\":\"192.0.2.1\",\"services\":{}}",
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"service_name\":\"SMTP\",\"banner\":5}]}",
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"service_name\":\"SMTP\",\"tls\":{\"certificates\":"
		"{\"leaf_data\":[]}}}]}",
		"{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":0},\"services\":[]}",
		/* the Censys Platform's shapes, wrappers */
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"protocol\":\"SMTP\"}]}",
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"service_name\":\"SMTP\"},{\"protocol\":\"HTTP\"}]}",
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"service_name\":\"SMTP\",\"cert\":{}}]}",
		"{\"result\":{\"ip\":\"192.0.2.1\",\"services\":[]},\"code\":200,\"status\":\"OK\"}",
		/* keys it does not read plainly */
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"service_name\":\"SMTP\",\"smtp.ehlo\":\"x\"}]}",
		"{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"port\":80,\"service_name\":\"SMTP\"}]}",
		"{\"ip\":\"192.0.2.1\",\"services\":[],\"services\":[]}",
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		if (scan_fast(lines[i], strlen(lines[i]), &fast_rec))
			fail_msg("accepted: %s", lines[i]);
	const char *l = lines[1];
	general_error(l, strlen(l), "banner has the wrong type (not a string)");
}

/* A line of exactly n values (keys not counted) in the given shape. */
static void line_of(strbuf *sb, int shape, size_t n)
{
	static const char *const head[] = {"{\"ip\":\"192.0.2.1\",\"x\":[",
					   "{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"result\":{\"x\":[",
					   "{\"ip\":\"192.0.2.1\",\"services\":[{\"port\":25,\"x\":[",
					   "{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.tls.version\":["};
	static const char *const tail[] = {"]}", "]}}}}", "]}]}", "]}"};
	static const size_t fixed[] = {3, 6, 6, 3}; /* values besides the zeros */
	sb_clear(sb);
	sb_adds(sb, head[shape]);
	for (size_t i = 0; i < n - fixed[shape]; i++)
		sb_adds(sb, i ? ",0" : "0");
	sb_adds(sb, tail[shape]);
}

/* Read in one pass, the values counted on the way: a line of
 * JSONL_VALUES_MAX values is read, one of more is declined (and the general
 * way refuses it). */
static void test_value_limit(void **state)
{
	(void)state;
	strbuf sb;
	sb_init(&sb);
	for (int shape = 0; shape < 4; shape++) {
		line_of(&sb, shape, JSONL_VALUES_MAX);
		assert_int_equal(jsonl_count_values(sb.data, sb.len), JSONL_VALUES_MAX);
		assert_true(fast_accepted(sb.data, sb.len));
		line_of(&sb, shape, JSONL_VALUES_MAX + 1);
		size_t n = 0;
		assert_false(scan_fast_count(sb.data, sb.len, &fast_rec, &n));
		assert_int_equal(n, JSONL_VALUES_MAX + 1);
		general_error(sb.data, sb.len, "JSON line has more than 200000 values (200001)");
	}
	/* values in a name list, and in strings */
	sb_clear(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":"
		     "{\"names\":[\"a\",\"a\"],\"s\":\"[1,2,{\\\"x\\\":3}]\",\"t\":[true,false,null,-1.5,{},[]]}}}}}}}");
	assert_true(fast_accepted(sb.data, sb.len));
	sb_free(&sb);
}

/* every line of the sample data's scan files */
static void test_sample_data(void **state)
{
	(void)state;
	static const char *const files[] = {"sample-data/scans-censys.jsonl", "sample-data/scans-zgrab2.jsonl",
					    "sample-data/scans-censys2.jsonl"};
	size_t got[3], any[3];
	for (size_t f = 0; f < 3; f++) {
		FILE *in = fopen(files[f], "r");
		assert_non_null(in);
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		got[f] = any[f] = 0;
		while ((len = getline(&line, &cap, in)) > 0) {
			got[f] += accepted(line, (size_t)len);
			any[f] += fast_accepted(line, (size_t)len);
		}
		free(line);
		fclose(in);
	}
	/* the Censys legacy file's 926 lines: all but the 2 that are not JSON
	 * (the 33 of the flat form and the 19 of the "25" spelling included);
	 * the other files' forms: none by scan_legacy_fast, all by scan_fast */
	assert_int_equal(got[0], 924);
	assert_int_equal(got[1], 0);
	assert_int_equal(got[2], 0);
	assert_int_equal(any[0], 924);
	assert_int_equal(any[1], 138);
	assert_int_equal(any[2], 65);
}

static int setup(void **state)
{
	(void)state;
	scan_rec_init(&fast_rec);
	scan_rec_init(&slow_rec);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scan_rec_free(&fast_rec);
	scan_rec_free(&slow_rec);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_the_common_shape),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_flat_declines),
		cmocka_unit_test(test_zgrab2),
		cmocka_unit_test(test_zgrab2_declines),
		cmocka_unit_test(test_censys2),
		cmocka_unit_test(test_censys2_declines),
		cmocka_unit_test(test_value_limit),
		cmocka_unit_test(test_sample_data),
	};
	return cmocka_run_group_tests_name("scan_fast", tests, setup, teardown);
}
