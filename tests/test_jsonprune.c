/* jsonprune: exact pruned texts for each rule, every decline case, and the
 * scan readers reading the same records from the pruned text as from the
 * whole line, on a table and on every line of sample-data's scan files. */
#include "testutil.h"
#include "mxray/jsonl.h"
#include "mxray/jsonprune.h"
#include "mxray/scan.h"

static char *prune(const char *in)
{
	strbuf out;
	sb_init(&out);
	if (!jsonprune_scan(in, strlen(in), &out)) {
		sb_free(&out);
		return NULL;
	}
	return out.data;
}

static void expect(const char *in, const char *want)
{
	char *got = prune(in);
	if (!got)
		fail_msg("declined: %s", in);
	assert_string_equal(got, want);
	free(got);
}

static void expect_decline(const char *in)
{
	char *got = prune(in);
	if (got)
		fail_msg("accepted: %s -> %s", in, got);
}

static void test_rules(void **state)
{
	(void)state;
	/* other ports and the protocol list go; port 25 in both spellings stays */
	expect("{\"ip\":\"192.0.2.1\",\"protocols\":[\"25/smtp\"],\"p80\":{\"http\":{}},\"p25\":{\"a\":1},"
	       "\"443\":{\"x\":[1,2]},\"25\":null,\"p250\":{},\"px\":1}",
	       "{\"ip\":\"192.0.2.1\",\"p25\":{\"a\":1},\"25\":null,\"px\":1}");
	/* a certificate: only the way to subject.common_name, names and SANs */
	expect("{\"c\":{\"parsed\":{\"version\":3,\"issuer\":{\"common_name\":[\"R3\"]},"
	       "\"subject\":{\"country\":[\"US\"],\"common_name\":[\"mx.example.com\"]},"
	       "\"names\":[\"mx.example.com\"],\"validity\":{\"start\":\"2021\"},"
	       "\"extensions\":{\"basic_constraints\":{\"is_ca\":false},"
	       "\"subject_alt_name\":{\"dns_names\":[\"a\"],\"ip_addresses\":[\"1\"]}},\"fingerprint\":\"ab\"}}}",
	       "{\"c\":{\"parsed\":{\"subject\":{\"common_name\":[\"mx.example.com\"]},\"names\":[\"mx.example.com\"],"
	       "\"extensions\":{\"subject_alt_name\":{\"dns_names\":[\"a\"]}}}}}");
	/* flattened keys are paths too */
	expect("{\"x.parsed\":{\"subject.common_name\":\"a\",\"subject.organization\":\"o\",\"names.0\":\"b\"},"
	       "\"c.parsed\":\"not an object\"}",
	       "{\"x.parsed\":{\"subject.common_name\":\"a\",\"names.0\":\"b\"},\"c.parsed\":\"not an object\"}");
	/* TLS: the certificate and its validation, nothing else (ZGrab2's
	 * handshake log: the server certificates) */
	expect("{\"tls\":{\"version\":\"TLSv1.2\",\"cipher_suite\":{\"id\":\"0xC02F\"},"
	       "\"certificate\":{\"raw\":\"MIIB\",\"parsed\":{\"names\":[\"a\"]}},\"chain\":[{\"parsed\":{}}],"
	       "\"validation\":{\"browser_trusted\":true,\"browser_error\":\"\"}}}",
	       "{\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"a\"]}},\"validation\":{\"browser_trusted\":true}}}");
	expect("{\"r\":{\"tls\":{\"handshake_log\":{\"server_hello\":{\"v\":1},\"server_certificates\":"
	       "{\"certificate\":{\"parsed\":{\"issuer_dn\":\"x\",\"names\":[\"b\"]}},\"chain\":[],"
	       "\"validation\":{\"browser_trusted\":false}}}}}}",
	       "{\"r\":{\"tls\":{\"handshake_log\":{\"server_certificates\":{\"certificate\":{\"parsed\":"
	       "{\"names\":[\"b\"]}},\"validation\":{\"browser_trusted\":false}}}}}}");
	/* Censys 2.0's leaf_data, in a list of services */
	expect("{\"services\":[{\"port\":25,\"tls\":{\"certificates\":{\"leaf_data\":{\"names\":[\"c\"],"
	       "\"pubkey_bit_size\":2048}}}}]}",
	       "{\"services\":[{\"port\":25,\"tls\":{\"certificates\":{\"leaf_data\":{\"names\":[\"c\"]}}}}]}");
	/* the AS: its number */
	expect("{\"autonomous_system\":{\"name\":\"X\",\"asn\":\"64500\",\"country_code\":\"US\"}}",
	       "{\"autonomous_system\":{\"asn\":\"64500\"}}");
	/* what is kept is copied as it is, whitespace outside strings aside */
	expect(" { \"ip\" : \"a b\" , \"n\" : [ 1 , -0.5 , true , null , \"\\u00e9\\n\" ] } \n",
	       "{\"ip\" : \"a b\",\"n\" : [1,-0.5,true,null,\"\\u00e9\\n\"]}");
	expect("{}", "{}");
	expect("{\"k\":\"caf\xc3\xa9\",\"p22\":\"\xe2\x82\xac\"}", "{\"k\":\"caf\xc3\xa9\"}");
}

static void test_declines(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"[]",
		"\"x\"",
		"{\"a\":1} x",
		"{\"a\":1}{}",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":-}",
		"{\"a\":1e5}",
		"{\"p80\":1E5}",
		"{\"a\":1234567890123456}",       /* 16 digits */
		"{\"p80\":0.1234567890123456}",
		"{\"a\":tru}",
		"{\"a\":truex}",
		"{\"a\":\"\\ud800\"}",            /* a surrogate */
		"{\"p80\":\"\\u0000\"}",          /* NUL */
		"{\"a\":\"\\x\"}",
		"{\"a\":\"tab\there\"}",
		"{\"p80\":\"\xff\"}",             /* not UTF-8, in a part left out */
		"{\"a\":\"\xc0\xaf\"}",           /* overlong */
		"{\"a\":\"\xed\xa0\x80\"}",       /* an encoded surrogate */
		"{\"p\\u0038\\u0030\":1}",        /* an escaped key where keys are chosen */
		"{\"a\":\"unterminated}",
		"{\"a\":{\"b\":1}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		expect_decline(bad[i]);
	/* nesting: 64 levels are fine, 65 are not */
	char deep[200];
	for (int depth = 64; depth <= 65; depth++) {
		size_t n = 0;
		n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"a\":");
		for (int i = 0; i < depth - 1; i++)
			deep[n++] = '[';
		for (int i = 0; i < depth - 1; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		deep[n] = '\0';
		char *got = prune(deep);
		assert_true(depth == 64 ? got != NULL : got == NULL);
		free(got);
	}
}

/* Everything scan_from_json reads from a line, as one text. */
static char *read_scan(const char *line, size_t len, const char *alt, size_t altlen)
{
	char err[512];
	bool raw;
	json_t *o = jsonl_parse_alt(line, len, alt, altlen, &raw, err, sizeof err);
	strbuf out;
	sb_init(&out);
	if (!o) {
		sb_addf(&out, "parse: %s", err);
		return out.data;
	}
	scan_rec r;
	scan_rec_init(&r);
	const char *why = scan_from_json(o, raw, &r, err, sizeof err);
	if (why) {
		sb_addf(&out, "error: %s", why);
	} else {
		sb_addf(&out, "%s|%d|%d|%d|%d|%d|%d|%d|%u|%d|", r.ip, (int)r.format, r.port25, r.has_banner, r.has_ehlo,
			r.has_starttls, r.has_cert, (int)r.trusted, r.asn, r.not_smtp);
		const strbuf *t[] = {&r.banner, &r.ehlo, &r.starttls, &r.cert_cn, &r.scanned_at, &r.status};
		for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
			sb_addf(&out, "%zu:", t[i]->len);
			sb_add(&out, t[i]->data ? t[i]->data : "", t[i]->len);
			sb_addc(&out, '|');
		}
		for (size_t i = 0; i < r.nnames; i++)
			sb_addf(&out, "%s,", r.names[i]);
	}
	scan_rec_free(&r);
	json_decref(o);
	return out.data;
}

/* The same record from the pruned text as from the line; counts lines
 * pruned. */
static void same_record(const char *line, size_t len, size_t *pruned)
{
	strbuf p;
	sb_init(&p);
	if (jsonprune_scan(line, len, &p)) {
		(*pruned)++;
		char *a = read_scan(line, len, NULL, 0), *b = read_scan(line, len, p.data, p.len);
		if (strcmp(a, b))
			fail_msg("%.*s\nwhole:  %s\npruned: %s", (int)len, line, a, b);
		free(a);
		free(b);
	}
	sb_free(&p);
}

/* jsonprune_skip moves past one value and counts the values in it as
 * jsonl_count_values does (keys not counted); jsonprune_string decodes. */
static void test_skip_counts(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t values;
	} cases[] = {
		{"0", 1}, {"-1.5", 1}, {"true", 1}, {"null", 1}, {"\"a\\\"b\"", 1}, {"[]", 1}, {"{}", 1},
		{"[1,\"x\",[null,{}]]", 6}, {"{\"k\":1,\"l\":{\"m\":[true, false]}}", 6},
		{"{ \"k\" : \"v:\" , \"s\":\"[1,2]\"}", 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *p = cases[i].text, *end = p + strlen(p);
		size_t n = 7;
		assert_true(jsonprune_skip(&p, end, &n));
		assert_ptr_equal(p, end);
		assert_int_equal(n - 7, cases[i].values);
		assert_int_equal(jsonl_count_values(cases[i].text, strlen(cases[i].text)), cases[i].values);
	}
	/* what follows is left; malformed is declined */
	const char *t = "[1,2] ,3", *p = t;
	size_t n = 0;
	assert_true(jsonprune_skip(&p, t + strlen(t), &n));
	assert_int_equal(p - t, 5);
	assert_int_equal(n, 3);
	static const char *const bad[] = {"[1,]", "{\"a\"}", "01", "1e5", "\"\\ud800\"", "tru", "\"a"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		p = bad[i];
		assert_false(jsonprune_skip(&p, p + strlen(p), &n));
	}
	strbuf sb;
	sb_init(&sb);
	t = "\"caf\\u00e9 \\\"x\\\" \xc3\xa9\\n\"";
	p = t;
	assert_true(jsonprune_string(&p, t + strlen(t), &sb));
	assert_string_equal(sb.data, "caf\xc3\xa9 \"x\" \xc3\xa9\n");
	sb_free(&sb);
}

static void test_same_records(void **state)
{
	(void)state;
	static const char *const lines[] = {
		/* legacy nested, with another port and a chain */
		"{\"ip\":\"192.0.2.7\",\"updated_at\":\"2021-06-07T13:05:58Z\",\"autonomous_system\":{\"asn\":\"64500\","
		"\"name\":\"X\"},\"p443\":{\"https\":{\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"w.example\"]}}}}},"
		"\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mx.example.com ESMTP\",\"ehlo\":\"250 mx\","
		"\"tls\":{\"certificate\":{\"parsed\":{\"subject\":{\"common_name\":[\"mx.example.com\"]},"
		"\"names\":[\"mx.example.com\",\"*.example.com\"],\"issuer_dn\":\"CN=R3\"}},\"chain\":[{\"parsed\":"
		"{\"subject\":{\"common_name\":[\"R3\"]}}}],\"validation\":{\"browser_trusted\":true}}}}}}",
		/* flattened */
		"{\"ip\":\"192.0.2.8\",\"p25.smtp.starttls.banner\":\"220 a\",\"p25.smtp.starttls.tls.certificate.parsed."
		"names\":[\"a.example\"],\"p25.smtp.starttls.tls.validation.browser_trusted\":false,"
		"\"autonomous_system.asn\":64501,\"p80.http.get.status_code\":\"200\"}",
		/* the old "25" spelling */
		"{\"ip\":\"192.0.2.9\",\"25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 b\"}}},\"80\":{}}",
		/* ZGrab2 */
		"{\"ip\":\"192.0.2.10\",\"data\":{\"smtp\":{\"status\":\"success\",\"protocol\":\"smtp\",\"result\":{"
		"\"banner\":\"220 c\",\"tls\":{\"handshake_log\":{\"server_hello\":{},\"server_certificates\":{"
		"\"certificate\":{\"parsed\":{\"subject\":{\"common_name\":[\"c.example\"]},\"names\":[\"c.example\"]}},"
		"\"validation\":{\"browser_trusted\":true}}}}}}}}",
		/* Censys 2.0 in its API wrapper */
		"{\"code\":200,\"status\":\"OK\",\"result\":{\"ip\":\"192.0.2.11\",\"services\":[{\"port\":25,"
		"\"service_name\":\"SMTP\",\"transport_protocol\":\"TCP\",\"banner\":\"220 d\",\"tls\":{\"certificates\":"
		"{\"leaf_data\":{\"names\":[\"d.example\"],\"subject\":{\"common_name\":[\"d.example\"]},\"issuer\":{}}}}}]}}",
		/* errors must stay the same errors */
		"{\"ip\":\"192.0.2.12\",\"p25\":\"wrong\"}",
		"{\"ip\":\"192.0.2.13\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":{\"names\":7}}}}}}}",
		"{\"ip\":\"192.0.2.14\",\"p25\":{\"smtp\":{\"starttls\":{\"tls\":{\"certificate\":{\"parsed\":[]}}}}}}",
		"{\"p25\":{}}",
	};
	size_t pruned = 0;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		same_record(lines[i], strlen(lines[i]), &pruned);
	assert_int_equal(pruned, sizeof lines / sizeof *lines);
	/* and every line of the sample data's scan files */
	static const char *const files[] = {"sample-data/scans-censys.jsonl", "sample-data/scans-zgrab2.jsonl",
					    "sample-data/scans-censys2.jsonl"};
	for (size_t f = 0; f < 3; f++) {
		FILE *in = fopen(files[f], "r");
		assert_non_null(in);
		char *line = NULL;
		size_t cap = 0, n = 0;
		ssize_t len;
		pruned = 0;
		while ((len = getline(&line, &cap, in)) > 0) {
			n++;
			same_record(line, (size_t)len, &pruned);
		}
		free(line);
		fclose(in);
		/* nearly all are pruned (the others have raw bytes or escapes) */
		assert_true(n > 50 && pruned * 10 > n * 9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_same_records),
		cmocka_unit_test(test_skip_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
