/* scan: every supported scan form (ZGrab2, Censys legacy and 2.0) and their quirks. */
#include "testutil.h"
#include "mxray/jsonl.h"
#include "mxray/scan.h"
#include "mxray/util.h"

static scan_rec rec;
static char err[256];

static const char *parse(const char *line)
{
	bool raw;
	json_t *o = jsonl_parse(line, strlen(line), &raw, err, sizeof err);
	assert_non_null(o);
	const char *why = scan_from_json(o, raw, &rec, err, sizeof err);
	json_decref(o);
	return why;
}

static int setup(void **state)
{
	(void)state;
	scan_rec_init(&rec);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scan_rec_free(&rec);
	return 0;
}

static void names_are(const char *json)
{
	char *s = scan_names_json(&rec);
	if (!json) {
		assert_null(s);
		return;
	}
	assert_non_null(s);
	assert_string_equal(s, json);
	free(s);
}

static void test_censys_legacy(void **state)
{
	(void)state;
	assert_null(parse(
		"{\"ip\":\"142.250.102.27\",\"updated_at\":\"2021-06-30T04:12:09Z\",\"autonomous_system\":{\"asn\":\"15169\","
		"\"routed_prefix\":\"142.250.102.0/24\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mx.google.com "
		"ESMTP q7si1 - gsmtp\",\"ehlo\":\"250-mx.google.com at your service\\r\\n250 STARTTLS\",\"starttls\":"
		"\"220 2.0.0 Ready to start TLS\",\"timestamp\":\"2021-06-29T11:02:41Z\",\"tls\":{\"certificate\":{\"parsed\":"
		"{\"subject\":{\"common_name\":[\"mx.google.com\"]},\"names\":[\"aspmx.l.google.com\",\"mx.google.com\"],"
		"\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"mx.google.com\",\"ASPMX.L.google.com.\"]}}}},"
		"\"validation\":{\"browser_trusted\":true}}}}}}"));
	assert_string_equal(rec.ip, "142.250.102.27");
	assert_int_equal(rec.format, SCAN_CENSYS_LEGACY);
	assert_true(rec.port25);
	assert_int_equal(rec.asn, 15169);
	assert_string_equal(rec.banner.data, "220 mx.google.com ESMTP q7si1 - gsmtp");
	assert_string_equal(rec.ehlo.data, "250-mx.google.com at your service\r\n250 STARTTLS");
	assert_string_equal(rec.starttls.data, "220 2.0.0 Ready to start TLS");
	assert_string_equal(rec.cert_cn.data, "mx.google.com");
	names_are("[\"aspmx.l.google.com\",\"mx.google.com\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_YES);
	assert_string_equal(rec.scanned_at.data, "2021-06-29T11:02:41Z");
}

static void test_censys_no_port25_and_failed_starttls(void **state)
{
	(void)state;
	assert_null(parse("{\"ip\":\"192.0.2.1\",\"autonomous_system\":{\"asn\":64500}}"));
	assert_false(rec.port25);
	assert_false(rec.has_banner);
	assert_int_equal(rec.asn, 64500);
	assert_int_equal(rec.trusted, SCAN_TRUST_NONE);
	names_are(NULL);
	/* STARTTLS refused: the reply is kept, there is no certificate */
	assert_null(parse("{\"ip\":\"192.0.2.2\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mail.x.org ESMTP\","
			  "\"starttls\":\"502 5.5.1 Unrecognized command\"}}}}"));
	assert_true(rec.port25);
	assert_string_equal(rec.starttls.data, "502 5.5.1 Unrecognized command");
	assert_false(rec.has_cert);
	assert_int_equal(rec.trusted, SCAN_TRUST_NONE);
	/* untrusted (expired) certificate */
	assert_null(parse("{\"ip\":\"192.0.2.3\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 a\",\"tls\":{"
			  "\"certificate\":{\"parsed\":{\"subject\":{\"common_name\":[\"mail.x.org\"]}}},"
			  "\"validation\":{\"browser_trusted\":false,\"browser_error\":\"x509: certificate has expired\"}}}}}}"));
	assert_int_equal(rec.trusted, SCAN_TRUST_NO);
	names_are("[\"mail.x.org\"]");
	/* a certificate without validation: trust unknown */
	assert_null(parse("{\"ip\":\"192.0.2.4\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":"
			  "{\"names\":[\"*.x.org\"]}}}}}}}"));
	assert_int_equal(rec.trusted, SCAN_TRUST_UNKNOWN);
	names_are("[\"*.x.org\"]");
}

static void test_censys_flat_and_25(void **state)
{
	(void)state;
	assert_null(parse("{\"ip\":\"192.0.2.5\",\"autonomous_system.asn\":\"8075\",\"p25.smtp.starttls.banner\":\"220 "
			  "x.outlook.com\",\"p25.smtp.starttls.tls.certificate.parsed.names\":[\"mail.protection.outlook.com\"],"
			  "\"p25.smtp.starttls.tls.validation.browser_trusted\":true}"));
	assert_int_equal(rec.format, SCAN_CENSYS_FLAT);
	assert_true(rec.port25);
	assert_int_equal(rec.asn, 8075);
	assert_string_equal(rec.banner.data, "220 x.outlook.com");
	names_are("[\"mail.protection.outlook.com\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_YES);
	/* old exports: "25." instead of "p25.", nested and flat */
	assert_null(parse("{\"ip\":\"192.0.2.6\",\"25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 old.example\"}}}}"));
	assert_int_equal(rec.format, SCAN_CENSYS_LEGACY);
	assert_string_equal(rec.banner.data, "220 old.example");
	assert_null(parse("{\"ip\":\"192.0.2.7\",\"25.smtp.starttls.ehlo\":\"250 old.example\"}"));
	assert_int_equal(rec.format, SCAN_CENSYS_FLAT);
	assert_true(rec.port25);
	assert_string_equal(rec.ehlo.data, "250 old.example");
}

static void test_censys2(void **state)
{
	(void)state;
	assert_null(parse(
		"{\"ip\":\"142.250.102.27\",\"autonomous_system\":{\"asn\":15169},\"services\":[{\"port\":80,"
		"\"service_name\":\"HTTP\",\"banner\":\"HTTP/1.1 200\"},{\"port\":25,\"service_name\":\"UNKNOWN\","
		"\"transport_protocol\":\"UDP\",\"banner\":\"junk\"},{\"port\":25,\"service_name\":\"SMTP\","
		"\"transport_protocol\":\"TCP\",\"banner\":\"220 mx.google.com ESMTP q7si1 - gsmtp\\r\\n\",\"smtp\":{\"ehlo\":"
		"\"250-mx.google.com\\r\\n250 STARTTLS\\r\\n\",\"start_tls\":\"220 2.0.0 Ready to start TLS\\r\\n\"},"
		"\"tls\":{\"certificates\":{\"leaf_data\":{\"names\":[\"mx.google.com\"],\"subject\":{\"common_name\":"
		"[\"mx.google.com\"]},\"issuer_dn\":\"C=US, O=Google Trust Services, CN=WR2\"}}},\"observed_at\":"
		"\"2024-10-27T16:39:11Z\"}]}"));
	assert_int_equal(rec.format, SCAN_CENSYS2);
	assert_true(rec.port25);
	assert_int_equal(rec.asn, 15169);
	assert_string_equal(rec.banner.data, "220 mx.google.com ESMTP q7si1 - gsmtp\r\n");
	assert_string_equal(rec.ehlo.data, "250-mx.google.com\r\n250 STARTTLS\r\n");
	assert_string_equal(rec.starttls.data, "220 2.0.0 Ready to start TLS\r\n");
	names_are("[\"mx.google.com\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_UNKNOWN); /* no trust flag on hosts */
	assert_string_equal(rec.scanned_at.data, "2024-10-27T16:39:11Z");
	/* no SMTP service on port 25 */
	assert_null(parse("{\"ip\":\"192.0.2.8\",\"services\":[{\"port\":443,\"service_name\":\"HTTP\"}]}"));
	assert_false(rec.port25);
}

static void test_zgrab2(void **state)
{
	(void)state;
	assert_null(parse(
		"{\"ip\":\"142.250.102.27\",\"domain\":\"aspmx.l.google.com\",\"data\":{\"smtp\":{\"status\":\"success\","
		"\"protocol\":\"smtp\",\"port\":25,\"timestamp\":\"2024-05-01T10:00:00+02:00\",\"result\":{\"banner\":"
		"\"220 mx.google.com ESMTP q7si1 - gsmtp\\r\\n\",\"ehlo\":\"250-mx.google.com\\r\\n250 STARTTLS\\r\\n\","
		"\"starttls\":\"220 2.0.0 Ready to start TLS\\r\\n\",\"tls\":{\"handshake_log\":{\"server_certificates\":"
		"{\"certificate\":{\"raw\":\"MIIF\",\"parsed\":{\"subject\":{\"common_name\":[\"mx.google.com\"]},\"names\":"
		"[\"mx.google.com\"],\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"mx.google.com\"]}}}},"
		"\"validation\":{\"browser_trusted\":true}}}}}}}}"));
	assert_int_equal(rec.format, SCAN_ZGRAB2);
	assert_true(rec.port25);
	assert_int_equal(rec.asn, 0);
	assert_string_equal(rec.status.data, "success");
	names_are("[\"mx.google.com\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_YES);
	assert_string_equal(rec.scanned_at.data, "2024-05-01T10:00:00+02:00");
	/* connection refused: no result, port 25 did not answer */
	assert_null(parse("{\"ip\":\"192.0.2.9\",\"data\":{\"smtp\":{\"status\":\"connection-refused\",\"protocol\":"
			  "\"smtp\",\"error\":\"dial tcp: connection refused\"}}}"));
	assert_false(rec.port25);
	assert_string_equal(rec.status.data, "connection-refused");
	/* application-error keeps its result; HELO stands in for EHLO */
	assert_null(parse("{\"ip\":\"192.0.2.10\",\"data\":{\"smtp\":{\"status\":\"application-error\",\"result\":"
			  "{\"banner\":\"554 mail.x.org no service\\r\\n\",\"helo\":\"250 mail.x.org\\r\\n\"}}}}"));
	assert_true(rec.port25);
	assert_string_equal(rec.banner.data, "554 mail.x.org no service\r\n");
	assert_string_equal(rec.ehlo.data, "250 mail.x.org\r\n");
	/* a scanner renamed with --name: the SMTP module under data is found */
	assert_null(parse("{\"ip\":\"192.0.2.11\",\"data\":{\"smtp25\":{\"status\":\"success\",\"protocol\":"
			  "\"smtp\",\"result\":{\"banner\":\"220 a.example\"}}}}"));
	assert_string_equal(rec.banner.data, "220 a.example");
	assert_string_equal(parse("{\"ip\":\"192.0.2.12\",\"data\":{\"smtp\":{\"status\":\"success\",\"port\":587}}}"),
			    "ZGrab2 record for port 587, not 25");
}

static void test_hostile_and_bad(void **state)
{
	(void)state;
	/* raw invalid bytes and escape sequences are kept byte for byte */
	assert_null(parse("{\"ip\":\"192.0.2.13\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 \\u001b[2Jx\\r"
			  "220 evil \xff\xfe \xc3\"}}}}"));
	assert_int_equal(rec.banner.len, 23);
	assert_memory_equal(rec.banner.data, "220 \x1b[2Jx\r220 evil \xff\xfe \xc3", 23);
	/* a NUL in SMTP text is kept; p25 null is no data; p25 "x" a wrong type */
	assert_null(parse("{\"ip\":\"192.0.2.14\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 a\\u0000b\"}}}}"));
	assert_int_equal(rec.banner.len, 7);
	assert_memory_equal(rec.banner.data, "220 a\0b", 7);
	assert_null(parse("{\"ip\":\"192.0.2.15\",\"p25\":null}"));
	assert_false(rec.port25);
	assert_string_equal(parse("{\"ip\":\"192.0.2.16\",\"p25\":\"x\"}"), "p25 has the wrong type (not an object)");
	assert_string_equal(parse("{\"ip\":\"1.2.3.4\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":"
				  "{\"parsed\":{\"names\":[\"a\\u0000.com\"]}}}}}}}"),
			    "certificate names holds a name with a NUL byte");
	assert_string_equal(parse("{\"p25\":{}}"), "missing ip");
	assert_string_equal(parse("{\"ip\":7}"), "ip has the wrong type (not a string)");
	assert_string_equal(parse("{\"ip\":\"1.2.3.999\"}"), "ip is not an IPv4 address");
	assert_string_equal(parse("{\"ip\":\"2001:db8::1\"}"), "ip is an IPv6 address (only IPv4 is used)");
	assert_string_equal(parse("{\"ip\":\"1.2.3.4\",\"autonomous_system\":{\"asn\":\"AS15169\"}}"),
			    "autonomous_system.asn is not an AS number");
	assert_string_equal(parse("{\"ip\":\"1.2.3.4\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":220}}}}"),
			    "banner has the wrong type (not a string)");
	assert_string_equal(parse("{\"ip\":\"1.2.3.4\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":"
				  "{\"parsed\":{\"names\":\"x\"}},\"validation\":{\"browser_trusted\":\"maybe\"}}}}}}"),
			    "browser_trusted has the wrong type (not true/false)");
	assert_string_equal(parse("{\"ip\":\"1.2.3.4\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":"
				  "{\"parsed\":{\"names\":[1]}}}}}}}"),
			    "certificate names holds a value that is not a string");
	/* a 70 KB banner is absurd */
	size_t big = 70000;
	char *line = xmalloc(big + 100);
	int k = sprintf(line, "{\"ip\":\"1.2.3.4\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"");
	memset(line + k, 'a', big);
	strcpy(line + k + big, "\"}}}}");
	assert_string_equal(parse(line), "banner is longer than 65536 bytes");
	free(line);
}

/* a certificate's names repeat across CN, names and SANs: the limit of
 * 2000 is on distinct names, so 1500 SANs listed twice still import */
static char *many_names(size_t n)
{
	strbuf list;
	sb_init(&list);
	for (size_t i = 0; i < n; i++)
		sb_addf(&list, "%s\"h%zu.example.com\"", i ? "," : "", i);
	strbuf sb;
	sb_init(&sb);
	sb_addf(&sb, "{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\",\"tls\":"
		     "{\"certificate\":{\"parsed\":{\"subject\":{\"common_name\":[\"h0.example.com\"]},\"names\":[%s],"
		     "\"extensions\":{\"subject_alt_name\":{\"dns_names\":[%s]}}}}}}}}}", list.data, list.data);
	sb_free(&list);
	return sb_steal(&sb);
}

static void test_name_limit_counts_distinct(void **state)
{
	(void)state;
	char *line = many_names(1500);
	assert_null(parse(line));
	free(line);
	char *j = scan_names_json(&rec);
	json_t *a = json_loads(j, 0, NULL);
	assert_int_equal(json_array_size(a), 1500);
	json_decref(a);
	free(j);
	scan_rec_free(&rec);
	scan_rec_init(&rec);
	line = many_names(2001);
	const char *why = parse(line);
	free(line);
	assert_non_null(why);
	assert_non_null(strstr(why, "has more than 2000 distinct names"));
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A certificate with 1999 names in "names", the same again in the SANs
 * (upper-case, trailing dot) and the CN: 1999 names kept, each once, in
 * sorted order (as stored and shown), whatever the order of the input. */
static void test_names_1999_listed_twice(void **state)
{
	(void)state;
	enum { N = 1999 };
	char *want[N];
	strbuf names, sans;
	sb_init(&names);
	sb_init(&sans);
	for (size_t i = 0; i < N; i++) {
		size_t k = i * 1021 % N; /* 1999 is prime: a permutation of 0..1998 */
		want[i] = xasprintf("mx%zu.example.com", k);
		sb_addf(&names, "%s\"mx%zu.example.com\"", i ? "," : "", k);
		sb_addf(&sans, "%s\"MX%zu.Example.COM.\"", i ? "," : "", (N - 1 - k));
	}
	char *line = xasprintf("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\",\"tls\":"
			       "{\"certificate\":{\"parsed\":{\"subject\":{\"common_name\":[\"mx1000.example.com\"]},"
			       "\"names\":[%s],\"extensions\":{\"subject_alt_name\":{\"dns_names\":[%s]}}}}}}}}}",
			       names.data, sans.data);
	sb_free(&names);
	sb_free(&sans);
	assert_null(parse(line));
	free(line);
	qsort(want, N, sizeof *want, cmp_name);
	assert_true(rec.has_cert);
	assert_int_equal(rec.nnames, N);
	assert_string_equal(rec.names[0], "mx0.example.com");
	assert_string_equal(rec.names[1], "mx1.example.com");
	assert_string_equal(rec.names[2], "mx10.example.com");
	assert_string_equal(rec.names[N - 1], "mx999.example.com");
	for (size_t i = 0; i < N; i++)
		assert_string_equal(rec.names[i], want[i]);
	/* and so in the stored JSON */
	strbuf js;
	sb_init(&js);
	for (size_t i = 0; i < N; i++)
		sb_addf(&js, "%s\"%s\"", i ? "," : "[", want[i]);
	sb_addc(&js, ']');
	names_are(js.data);
	sb_free(&js);
	for (size_t i = 0; i < N; i++)
		free(want[i]);
	/* the record is reused: the next certificates start afresh */
	assert_null(parse("{\"ip\":\"192.0.2.2\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":"
			  "{\"parsed\":{\"names\":[\"mx5.example.com\",\"b.example\",\"mx5.example.com.\",\"A.example\"],"
			  "\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"a.example\",\"B.EXAMPLE\"]}}}}}}}}}"));
	assert_int_equal(rec.nnames, 3);
	names_are("[\"a.example\",\"b.example\",\"mx5.example.com\"]");
	assert_null(parse("{\"ip\":\"192.0.2.3\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\"}}}}"));
	assert_int_equal(rec.nnames, 0);
	names_are(NULL);
	assert_null(parse("{\"ip\":\"192.0.2.4\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":"
			  "{\"parsed\":{\"subject\":{\"common_name\":[\"mx1.example.com\"]}}}}}}}}"));
	names_are("[\"mx1.example.com\"]");
}

/* `names` of n distinct names h0..h(n-1), the CN `cn`, and the SANs: the
 * names from `from` to `to` (exclusive). */
static char *cert_line(size_t n, const char *cn, size_t from, size_t to)
{
	strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	sb_add(&a, "", 0);
	sb_add(&b, "", 0);
	for (size_t i = 0; i < n; i++)
		sb_addf(&a, "%s\"h%zu.example.com\"", i ? "," : "", i);
	for (size_t i = from; i < to; i++)
		sb_addf(&b, "%s\"h%zu.example.com\"", i > from ? "," : "", i);
	char *line = xasprintf("{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":"
			       "{\"parsed\":{\"subject\":{\"common_name\":[\"%s\"]},\"names\":[%s],"
			       "\"extensions\":{\"subject_alt_name\":{\"dns_names\":[%s]}}}}}}}}}",
			       cn, a.data, b.data);
	sb_free(&a);
	sb_free(&b);
	return line;
}

/* 2000 distinct names import; the 2001st distinct one fails the record,
 * named after the field it appears in; repeats do not count. */
static void test_names_2001_distinct(void **state)
{
	(void)state;
	char *line = cert_line(2001, "h0.example.com", 0, 2001);
	assert_string_equal(parse(line), "certificate names has more than 2000 distinct names");
	free(line);
	/* 2000 in names, a new CN */
	line = cert_line(2000, "new.example.com", 0, 2000);
	assert_string_equal(parse(line), "certificate common_name has more than 2000 distinct names");
	free(line);
	/* 1999 in names, CN one of them, SANs repeat them and add 2 */
	line = cert_line(1999, "h5.example.com", 0, 2001);
	assert_string_equal(parse(line), "certificate dns_names has more than 2000 distinct names");
	free(line);
	/* exactly 2000: names 1999, the CN the 2000th, SANs all repeats */
	line = cert_line(1999, "H1999.EXAMPLE.COM.", 1000, 2000);
	assert_null(parse(line));
	free(line);
	assert_int_equal(rec.nnames, 2000);
	assert_string_equal(rec.names[0], "h0.example.com");
	assert_string_equal(rec.names[1999], "h999.example.com");
	/* exactly 2000 across names and SANs */
	line = cert_line(1500, "h0.example.com", 1000, 2000);
	assert_null(parse(line));
	free(line);
	assert_int_equal(rec.nnames, 2000);
}


/* ---- fixtures under tests/data (see tests/data/README) ----------------- */

/* The whole fixture file parsed as one JSON document (jansson). */
static const char *parse_file(const char *name)
{
	size_t n;
	char *text = test_slurp(test_data_path(name), &n);
	const char *why = parse(text);
	free(text);
	return why;
}

static void test_fixture_zgrab2_helo(void **state)
{
	(void)state;
	/* zmap/zgrab2 schemas/zgrab2/testdata/smtp-helo.02.json */
	assert_null(parse_file("zgrab2-smtp-helo.jsonl"));
	assert_false(rec.not_smtp);
	assert_int_equal(rec.format, SCAN_ZGRAB2);
	assert_string_equal(rec.ip, "172.17.0.3");
	assert_true(rec.port25);
	assert_string_equal(rec.banner.data,
			    "220 ba06a6536f7e ESMTP qpsmtpd 0.94 ready; send us your mail, but not your spam.\r\n");
	assert_string_equal(rec.ehlo.data, "250 ba06a6536f7e Hi Unknown [172.17.0.4]; I am so happy to meet you.\r\n");
	assert_false(rec.has_starttls);
	assert_false(rec.has_cert);
	names_are(NULL);
	assert_int_equal(rec.trusted, SCAN_TRUST_NONE);
	assert_int_equal(rec.asn, 0);
	assert_string_equal(rec.scanned_at.data, "2018-04-06T19:42:08Z");
}

static void test_fixture_zgrab2_not_smtp(void **state)
{
	(void)state;
	/* zmap/zgrab2 schemas/testdata/pop3-help.banner.quit.json: not port-25 evidence */
	assert_null(parse_file("zgrab2-pop3.jsonl"));
	assert_true(rec.not_smtp);
	assert_false(rec.port25);
	assert_false(rec.has_banner);
	/* ftp and tls alone, amqp091 with a certificate: skipped, nothing taken */
	assert_null(parse("{\"ip\":\"192.0.2.26\",\"data\":{\"ftp\":{\"status\":\"success\",\"protocol\":\"ftp\","
			  "\"port\":25,\"result\":{\"banner\":\"220 (vsFTPd 3.0.3)\\r\\n\"}}}}"));
	assert_true(rec.not_smtp);
	assert_false(rec.has_banner);
	assert_null(parse("{\"ip\":\"192.0.2.27\",\"data\":{\"tls\":{\"status\":\"io-timeout\",\"protocol\":\"tls\","
			  "\"port\":443,\"error\":\"i/o timeout\"}}}"));
	assert_true(rec.not_smtp);
	assert_false(rec.port25);
	assert_null(parse("{\"ip\":\"192.0.2.28\",\"data\":{\"amqp091\":{\"status\":\"success\",\"protocol\":\"amqp091\","
			  "\"result\":{\"tls\":{\"handshake_log\":{\"server_certificates\":{\"certificate\":{\"parsed\":"
			  "{\"names\":[\"rabbit.example\"]}}}}}}}}}"));
	assert_true(rec.not_smtp);
	assert_false(rec.has_cert);
	names_are(NULL);
	/* an SMTP record parsed after a skipped one is not marked */
	assert_null(parse("{\"ip\":\"192.0.2.29\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\"}}}"));
	assert_false(rec.not_smtp);
	assert_true(rec.port25);
	assert_string_equal(parse("{\"ip\":\"192.0.2.30\",\"data\":{}}"), "ZGrab2 record without a module result under data");
	assert_string_equal(parse("{\"ip\":\"192.0.2.30\",\"data\":{\"smtp\":7}}"),
			    "ZGrab2 smtp result has the wrong type (not an object)");
}

static void test_fixture_zgrab2_multiple(void **state)
{
	(void)state;
	/* `zgrab2 multiple` with modules named by the user: "mail" is the SMTP one */
	FILE *f = fopen(test_data_path("zgrab2-multiple.jsonl"), "rb");
	assert_non_null(f);
	char *line = xmalloc(1 << 16);
	assert_non_null(fgets(line, 1 << 16, f));
	assert_null(parse(line));
	assert_false(rec.not_smtp);
	assert_int_equal(rec.format, SCAN_ZGRAB2);
	assert_string_equal(rec.ip, "192.0.2.25");
	assert_true(rec.port25);
	assert_string_equal(rec.banner.data, "220 mx.example.net ESMTP Postfix (Debian/GNU)\r\n");
	assert_string_equal(rec.ehlo.data, "250-mx.example.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n");
	assert_string_equal(rec.starttls.data, "220 2.0.0 Ready to start TLS\r\n");
	assert_string_equal(rec.cert_cn.data, "mx.example.net");
	names_are("[\"mail.example.net\",\"mx.example.net\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_YES);
	assert_string_equal(rec.status.data, "success");
	assert_string_equal(rec.scanned_at.data, "2024-05-01T10:00:01Z");
	assert_non_null(fgets(line, 1 << 16, f)); /* ftp only */
	assert_null(parse(line));
	assert_true(rec.not_smtp);
	assert_non_null(fgets(line, 1 << 16, f)); /* tls io-timeout on 443 */
	assert_null(parse(line));
	assert_true(rec.not_smtp);
	assert_false(rec.port25);
	free(line);
	fclose(f);
}

static void test_fixture_censys_v2_wrapper(void **state)
{
	(void)state;
	/* censys/censys-python tests/search/v2/test_hosts.py VIEW_HOST_JSON */
	assert_null(parse_file("censys-v2-view.json"));
	assert_int_equal(rec.format, SCAN_CENSYS2);
	assert_string_equal(rec.ip, "8.8.8.8");
	assert_false(rec.port25);
	assert_int_equal(rec.asn, 0);
	assert_string_equal(rec.scanned_at.data, "2021-04-01T14:10:10.712Z");
	assert_null(parse_file("censys-v2-view-smtp.json"));
	assert_int_equal(rec.format, SCAN_CENSYS2);
	assert_string_equal(rec.ip, "142.250.102.27");
	assert_true(rec.port25);
	assert_int_equal(rec.asn, 15169);
	assert_string_equal(rec.banner.data, "220 mx.google.com ESMTP q7si1 - gsmtp\r\n");
	assert_string_equal(rec.ehlo.data, "250-mx.google.com at your service, [162.142.125.158]\r\n250-SIZE 157286400\r\n"
					   "250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
					   "250-CHUNKING\r\n250 SMTPUTF8\r\n");
	assert_string_equal(rec.starttls.data, "220 2.0.0 Ready to start TLS\r\n");
	assert_string_equal(rec.cert_cn.data, "mx.google.com");
	names_are("[\"alt1.aspmx.l.google.com\",\"aspmx.l.google.com\",\"mx.google.com\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_UNKNOWN);
	assert_string_equal(rec.scanned_at.data, "2024-10-27T16:39:11.123Z");
	/* a search page and an API error are reasons, not "missing ip" */
	assert_string_equal(parse("{\"code\":200,\"status\":\"OK\",\"result\":{\"query\":\"x\",\"hits\":[{\"ip\":\"1.0.0.0\"}]}}"),
			    "a Censys search response page (result.hits): import the hosts, as `censys search` writes "
			    "them (a JSON array), not the page");
	assert_string_equal(parse("{\"code\":429,\"status\":\"error\",\"error\":\"Rate limit exceeded.\"}"),
			    "a Censys API error response (code 429), not a host");
}

static void test_fixture_censys_platform(void **state)
{
	(void)state;
	/* field names of censys/censys-sdk-python docs/models (ResponseEnvelopeHostAsset,
	 * HostAsset, Host, Service, SMTP, Certificate, CertificateParsed) */
	assert_null(parse_file("censys-platform-host.json"));
	assert_int_equal(rec.format, SCAN_CENSYS_PLATFORM);
	assert_string_equal(rec.ip, "203.0.113.25");
	assert_true(rec.port25);
	assert_int_equal(rec.asn, 64496);
	assert_string_equal(rec.banner.data, "220 mail.example.org ESMTP Postfix\r\n");
	assert_string_equal(rec.ehlo.data,
			    "250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n");
	assert_string_equal(rec.starttls.data, "220 2.0.0 Ready to start TLS\r\n");
	assert_string_equal(rec.cert_cn.data, "mail.example.org");
	names_are("[\"mail.example.org\",\"smtp.example.org\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_YES);
	assert_string_equal(rec.scanned_at.data, "2025-04-20T08:14:37Z");
	/* unwrapped (a host as in a search hit's resource): the same, not port25=0 */
	assert_null(parse("{\"ip\":\"203.0.113.26\",\"services\":[{\"port\":25,\"protocol\":\"SMTP\",\"transport_protocol\":"
			  "\"tcp\",\"banner\":\"220 x\\r\\n\",\"cert\":{\"names\":[\"MX.Example.org.\"],\"validation\":{\"nss\":"
			  "{\"is_valid\":false}}},\"scan_time\":\"2025-04-20T08:14:37Z\"}]}"));
	assert_int_equal(rec.format, SCAN_CENSYS_PLATFORM);
	assert_true(rec.port25);
	assert_string_equal(rec.banner.data, "220 x\r\n");
	names_are("[\"mx.example.org\"]");
	assert_int_equal(rec.trusted, SCAN_TRUST_NO);
	assert_null(parse("{\"host_v1\":{\"resource\":{\"ip\":\"203.0.113.27\",\"services\":[{\"port\":25,\"protocol\":"
			  "\"SMTP\",\"banner\":\"220 y\"}]}}}"));
	assert_int_equal(rec.format, SCAN_CENSYS_PLATFORM);
	assert_string_equal(rec.ip, "203.0.113.27");
	assert_true(rec.port25);
	assert_int_equal(rec.trusted, SCAN_TRUST_NONE);
	/* SMTP on UDP is not port-25 SMTP */
	assert_null(parse("{\"resource\":{\"ip\":\"203.0.113.28\",\"services\":[{\"port\":25,\"protocol\":\"SMTP\","
			  "\"transport_protocol\":\"udp\",\"banner\":\"220 z\"}]}}"));
	assert_false(rec.port25);
	assert_string_equal(parse("{\"resource\":{\"ip\":\"203.0.113.29\",\"services\":[{\"port\":25,\"protocol\":\"SMTP\","
				  "\"cert\":{\"parsed\":{},\"validation\":{\"nss\":{\"is_valid\":\"x\"}}}}]}}"),
			    "cert.validation is_valid has the wrong type (not true/false)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_censys_legacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_censys_no_port25_and_failed_starttls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_censys_flat_and_25, setup, teardown),
		cmocka_unit_test_setup_teardown(test_censys2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zgrab2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_limit_counts_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_1999_listed_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_2001_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_and_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_zgrab2_helo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_zgrab2_not_smtp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_zgrab2_multiple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_censys_v2_wrapper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_censys_platform, setup, teardown),
	};
	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
