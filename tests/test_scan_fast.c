/* scan_legacy_fast: the tree-less reader of Censys legacy records gives
 * exactly the record of the general way (jsonl_parse and scan_from_json)
 * whenever it accepts a line, and declines every shape it does not read:
 * on a table of cases and on every line of sample-data's scan files. */
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
	sb_free(&a);
	sb_free(&b);
	return got > 0;
}

static bool ok(const char *line)
{
	return accepted(line, strlen(line));
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
}

static void test_declines(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"", "[]", "{}", "{\"ip\":\"192.0.2.1\"} x", "{\"ip\":\"192.0.2.1\"",
		"{\"ip\":\"2001:db8::1\"}", "{\"ip\":5}", "{\"ip\":\"192.0.2.1\",\"ip\":\"192.0.2.2\"}",
		/* the shapes the general way reads otherwise */
		"{\"ip\":\"192.0.2.1\",\"25\":{}}", "{\"ip\":\"192.0.2.1\",\"data\":{}}",
		"{\"ip\":\"192.0.2.1\",\"services\":[]}", "{\"ip\":\"192.0.2.1\",\"p25.smtp.starttls.banner\":\"x\"}",
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp.starttls\":{}}}", "{\"i\\u0070\":\"192.0.2.1\"}",
		/* what the general way calls an error */
		"{\"ip\":\"192.0.2.1\",\"p25\":5}", "{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":0}}",
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

/* every line of the sample data's scan files */
static void test_sample_data(void **state)
{
	(void)state;
	static const char *const files[] = {"sample-data/scans-censys.jsonl", "sample-data/scans-zgrab2.jsonl",
					    "sample-data/scans-censys2.jsonl"};
	size_t got[3];
	for (size_t f = 0; f < 3; f++) {
		FILE *in = fopen(files[f], "r");
		assert_non_null(in);
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		got[f] = 0;
		while ((len = getline(&line, &cap, in)) > 0)
			got[f] += accepted(line, (size_t)len);
		free(line);
		fclose(in);
	}
	/* the Censys legacy file's 926 lines: all but the 33 of the flat form
	 * (dotted keys), the 19 of the "25" spelling and the 2 that are not
	 * JSON; the other files' forms: none */
	assert_int_equal(got[0], 872);
	assert_int_equal(got[1], 0);
	assert_int_equal(got[2], 0);
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
		cmocka_unit_test(test_sample_data),
	};
	return cmocka_run_group_tests_name("scan_fast", tests, setup, teardown);
}
