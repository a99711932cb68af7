/* dns: OpenINTEL row parsing, every quirk of FORMATS.md §1. */
#include "testutil.h"
#include "mxray/dns.h"
#include "mxray/jsonl.h"

static const char *parse_json(const char *line, dns_row *r)
{
	static char err[256];
	static strbuf store[DNS_NCOLS];
	bool raw;
	json_t *o = jsonl_parse(line, strlen(line), &raw, err, sizeof err);
	assert_non_null(o);
	const char *vals[DNS_NCOLS];
	const char *why = dns_json_values(o, raw, vals, store, err, sizeof err);
	if (!why)
		why = dns_row_parse(vals, r, err, sizeof err);
	json_decref(o);
	return why;
}

static void test_mx_row(void **state)
{
	(void)state;
	dns_row r;
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"Example.ORG.\",\"response_type\":\"MX\","
			       "\"response_name\":\"example.org.\",\"mx_address\":\"ASPMX.L.GOOGLE.COM.\","
			       "\"mx_preference\":1,\"status_code\":0,\"timestamp\":1625097600000}", &r));
	assert_int_equal(r.kind, DNS_ROW_MX);
	assert_string_equal(r.name, "example.org");
	assert_string_equal(r.target, "aspmx.l.google.com");
	assert_int_equal(r.pref, 1);
	assert_int_equal(r.timestamp, 1625097600); /* milliseconds */
	/* seconds, and a preference given as a string */
	assert_null(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"mx\",\"mx_address\":\"mx.a.com\","
			       "\"mx_preference\":\"10\",\"timestamp\":1625097600}", &r));
	assert_int_equal(r.timestamp, 1625097600);
	assert_int_equal(r.pref, 10);
	/* null MX */
	assert_null(parse_json("{\"query_name\":\"n.com.\",\"response_type\":\"MX\",\"mx_address\":\".\","
			       "\"mx_preference\":0}", &r));
	assert_string_equal(r.target, ".");
}

static void test_a_rows(void **state)
{
	(void)state;
	dns_row r;
	/* A row inside the MX query: indexed by response_name and query_name */
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"A\","
			       "\"response_name\":\"aspmx.l.google.com.\",\"ip4_address\":\"142.250.102.27\","
			       "\"as\":\"15169\",\"status_code\":0}", &r));
	assert_int_equal(r.kind, DNS_ROW_A);
	assert_string_equal(r.name, "aspmx.l.google.com");
	assert_string_equal(r.alias, "example.org");
	assert_int_equal(r.ip, 0x8efa661b);
	/* separate A query: same names, no alias */
	assert_null(parse_json("{\"query_type\":\"A\",\"query_name\":\"MX.A.com.\",\"response_type\":\"A\","
			       "\"response_name\":\"mx.a.com.\",\"ip4_address\":\"192.0.2.1\"}", &r));
	assert_string_equal(r.alias, "");
	assert_string_equal(parse_json("{\"response_type\":\"A\",\"response_name\":\"x.com\","
				       "\"ip4_address\":\"300.1.1.1\"}", &r),
			    "ip4_address is not an IPv4 address");
	assert_string_equal(parse_json("{\"response_type\":\"A\",\"response_name\":\"x.com\"}", &r),
			    "missing ip4_address");
}

static void test_cname_fail_other(void **state)
{
	(void)state;
	dns_row r;
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"d.com.\",\"response_type\":\"CNAME\","
			       "\"response_name\":\"Mail.D.com.\",\"cname_name\":\"mail.host.net.\"}", &r));
	assert_int_equal(r.kind, DNS_ROW_CNAME);
	assert_string_equal(r.name, "mail.d.com");
	assert_string_equal(r.target, "mail.host.net");
	/* non-zero status: a failed lookup, whatever else the row says */
	assert_null(parse_json("{\"query_type\":\"mx\",\"query_name\":\"gone.com.\",\"status_code\":3}", &r));
	assert_int_equal(r.kind, DNS_ROW_FAIL);
	assert_string_equal(r.name, "gone.com");
	assert_string_equal(r.qtype, "MX");
	assert_int_equal(r.status, 3);
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"slow.com.\",\"status_code\":65535}", &r));
	assert_int_equal(r.status, 65535);
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"a.com.\",\"response_type\":\"AAAA\","
			       "\"response_name\":\"mx.a.com.\",\"ip6_address\":\"2001:db8::1\"}", &r));
	assert_int_equal(r.kind, DNS_ROW_AAAA);
	assert_null(parse_json("{\"query_name\":\"a.com.\",\"response_type\":\"SOA\"}", &r));
	assert_int_equal(r.kind, DNS_ROW_OTHER);
}

static void test_bad_rows(void **state)
{
	(void)state;
	dns_row r;
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"mx_address\":\"m.a.com\"}", &r),
			    "missing response_type");
	/* NOERROR without an answer: the domain has no MX */
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"nomx.com.\",\"status_code\":0}", &r));
	assert_int_equal(r.kind, DNS_ROW_EMPTY);
	assert_string_equal(r.name, "nomx.com");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\"}", &r),
			    "missing mx_preference");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\","
				       "\"mx_preference\":70000}", &r),
			    "mx_preference is not an integer in 0..65535");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\","
				       "\"mx_preference\":1.5}", &r),
			    "mx_preference has the wrong type (number with a fraction)");
	assert_string_equal(parse_json("{\"query_name\":[1],\"response_type\":\"MX\"}", &r),
			    "query_name has the wrong type (array)");
	assert_string_equal(parse_json("{\"query_name\":\"a b.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\","
				       "\"mx_preference\":1}", &r),
			    "query_name: space in name");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m\xff.a\","
				       "\"mx_preference\":1}", &r),
			    "mx_address: invalid UTF-8 in name");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\","
				       "\"mx_preference\":1,\"timestamp\":\"soon\"}", &r),
			    "timestamp is not an integer in 0..99999999999999");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"status_code\":true}", &r),
			    "status_code has the wrong type (boolean)");
}

static void test_csv_values(void **state)
{
	(void)state;
	/* The CSV path hands plain strings to the same parser. */
	const char *vals[DNS_NCOLS] = {0};
	vals[DNS_QUERY_NAME] = "example.org.";
	vals[DNS_RESPONSE_TYPE] = "MX";
	vals[DNS_MX_ADDRESS] = "mx.example.org.";
	vals[DNS_MX_PREFERENCE] = "5";
	vals[DNS_STATUS_CODE] = "";
	dns_row r;
	char err[128];
	assert_null(dns_row_parse(vals, &r, err, sizeof err));
	assert_int_equal(r.kind, DNS_ROW_MX);
	assert_int_equal(r.pref, 5);
	assert_string_equal(r.target, "mx.example.org");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_row),
		cmocka_unit_test(test_a_rows),
		cmocka_unit_test(test_cname_fail_other),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_csv_values),
	};
	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
