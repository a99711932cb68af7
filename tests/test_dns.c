/* dns: OpenINTEL row parsing, every quirk of the published data (README, "Input formats"). */
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
	assert_string_equal(r.qtype, "MX");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\"}", &r),
			    "missing mx_preference");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\","
				       "\"mx_preference\":70000}", &r),
			    "mx_preference is not an integer in 0..65535");
	assert_string_equal(parse_json("{\"query_name\":\"a.com\",\"response_type\":\"MX\",\"mx_address\":\"m.a\","
				       "\"mx_preference\":1.5}", &r),
			    "mx_preference is not an integer (1.5 has a fraction)");
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

/* NOERROR with no answer (NODATA): the query type says which data the
 * name lacks; only an MX query's domain is a domain without MX. */
static void test_nodata(void **state)
{
	(void)state;
	dns_row r;
	assert_null(parse_json("{\"query_type\":\"mx\",\"query_name\":\"NoMX.example.\",\"status_code\":0,"
			       "\"timestamp\":1623110400000}", &r));
	assert_int_equal(r.kind, DNS_ROW_EMPTY);
	assert_string_equal(r.name, "nomx.example");
	assert_string_equal(r.qtype, "MX");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.timestamp, 1623110400);
	/* no status at all is NOERROR too */
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"quiet.example.\"}", &r));
	assert_int_equal(r.kind, DNS_ROW_EMPTY);
	assert_string_equal(r.qtype, "MX");
	/* an A query without an answer: the host has no address */
	assert_null(parse_json("{\"query_type\":\"A\",\"query_name\":\"mx.nowhere.example.\",\"status_code\":0}", &r));
	assert_int_equal(r.kind, DNS_ROW_EMPTY);
	assert_string_equal(r.name, "mx.nowhere.example");
	assert_string_equal(r.qtype, "A");
	/* no query type: cannot say */
	assert_null(parse_json("{\"query_name\":\"what.example.\",\"status_code\":0}", &r));
	assert_int_equal(r.kind, DNS_ROW_EMPTY);
	assert_string_equal(r.qtype, "?");
	/* NODATA in the CSV form: the empty columns */
	const char *vals[DNS_NCOLS] = {0};
	vals[DNS_QUERY_TYPE] = "MX";
	vals[DNS_QUERY_NAME] = "csv.example.";
	vals[DNS_RESPONSE_TYPE] = "";
	vals[DNS_MX_ADDRESS] = "";
	vals[DNS_MX_PREFERENCE] = "";
	vals[DNS_STATUS_CODE] = "0";
	char err[128];
	assert_null(dns_row_parse(vals, &r, err, sizeof err));
	assert_int_equal(r.kind, DNS_ROW_EMPTY);
	assert_string_equal(r.name, "csv.example");
	assert_string_equal(r.qtype, "MX");
}

/* Tools that turn nullable integer columns into doubles write 10.0: an
 * integral number is that integer, in JSON and in CSV; 10.5 is refused. */
static void test_integral_floats(void **state)
{
	(void)state;
	dns_row r;
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"f.example.\",\"response_type\":\"MX\","
			       "\"mx_address\":\"mx.f.example.\",\"mx_preference\":10.0,\"status_code\":0.0,"
			       "\"timestamp\":1623110400000.0}", &r));
	assert_int_equal(r.kind, DNS_ROW_MX);
	assert_int_equal(r.pref, 10);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.timestamp, 1623110400);
	assert_null(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\",\"mx_address\":\"m.f\","
			       "\"mx_preference\":0.0}", &r));
	assert_int_equal(r.pref, 0);
	assert_null(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\",\"mx_address\":\"m.f\","
			       "\"mx_preference\":-0.0}", &r));
	assert_int_equal(r.pref, 0);
	assert_null(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\",\"mx_address\":\"m.f\","
			       "\"mx_preference\":1e1}", &r));
	assert_int_equal(r.pref, 10);
	/* a failed lookup with a double status */
	assert_null(parse_json("{\"query_type\":\"MX\",\"query_name\":\"gone.example.\",\"status_code\":3.0}", &r));
	assert_int_equal(r.kind, DNS_ROW_FAIL);
	assert_int_equal(r.status, 3);
	/* a fraction, a negative and a huge number are refused, and say so */
	assert_string_equal(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\","
				       "\"mx_address\":\"m.f\",\"mx_preference\":10.5}", &r),
			    "mx_preference is not an integer (10.5 has a fraction)");
	assert_string_equal(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\","
				       "\"mx_address\":\"m.f\",\"mx_preference\":0.1}", &r),
			    "mx_preference is not an integer (0.1 has a fraction)");
	assert_string_equal(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\","
				       "\"mx_address\":\"m.f\",\"mx_preference\":-1.0}", &r),
			    "mx_preference is not an integer in 0..65535");
	assert_string_equal(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\","
				       "\"mx_address\":\"m.f\",\"mx_preference\":1e300}", &r),
			    "mx_preference is not an integer in 0..65535");
	assert_string_equal(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\","
				       "\"mx_address\":\"m.f\",\"mx_preference\":1,\"timestamp\":1623110400000.5}", &r),
			    "timestamp is not an integer (1623110400000.5 has a fraction)");
	/* the same as text (CSV, or a JSON string) */
	const char *vals[DNS_NCOLS] = {0};
	vals[DNS_QUERY_NAME] = "example.org.";
	vals[DNS_RESPONSE_TYPE] = "MX";
	vals[DNS_MX_ADDRESS] = "mx.example.org.";
	vals[DNS_MX_PREFERENCE] = "10.0";
	vals[DNS_STATUS_CODE] = "0.00";
	vals[DNS_TIMESTAMP] = "1623110400000.0";
	char err[128];
	assert_null(dns_row_parse(vals, &r, err, sizeof err));
	assert_int_equal(r.pref, 10);
	assert_int_equal(r.timestamp, 1623110400);
	vals[DNS_MX_PREFERENCE] = "10.5";
	assert_string_equal(dns_row_parse(vals, &r, err, sizeof err), "mx_preference is not an integer (10.5 has a fraction)");
	vals[DNS_MX_PREFERENCE] = "10.";
	assert_string_equal(dns_row_parse(vals, &r, err, sizeof err), "mx_preference is not an integer in 0..65535");
	vals[DNS_MX_PREFERENCE] = ".0";
	assert_string_equal(dns_row_parse(vals, &r, err, sizeof err), "mx_preference is not an integer in 0..65535");
	vals[DNS_MX_PREFERENCE] = "1.0.0";
	assert_string_equal(dns_row_parse(vals, &r, err, sizeof err), "mx_preference is not an integer in 0..65535");
	vals[DNS_MX_PREFERENCE] = "-1.0";
	assert_string_equal(dns_row_parse(vals, &r, err, sizeof err), "mx_preference is not an integer in 0..65535");
	assert_null(parse_json("{\"query_name\":\"f.example.\",\"response_type\":\"MX\",\"mx_address\":\"m.f\","
			       "\"mx_preference\":\"20.0\"}", &r));
	assert_int_equal(r.pref, 20);
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
		cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_integral_floats),
		cmocka_unit_test(test_csv_values),
	};
	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
