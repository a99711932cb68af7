/* jsonfast: exact values on flat rows, every decline case, and agreement
 * with the jansson path (jsonl_parse + dns_json_values) on every line it
 * accepts, from a table and from sample-data/dns.jsonl. */
#include "testutil.h"
#include "mxray/dns.h"
#include "mxray/jsonfast.h"
#include "mxray/jsonl.h"

/* The fast path's output for one line, with the DNS columns as keys. */
typedef struct {
	const char *vals[DNS_NCOLS];
	strbuf store[DNS_NCOLS];
} fast_out;

static void fo_init(fast_out *f)
{
	for (int i = 0; i < DNS_NCOLS; i++)
		sb_init(&f->store[i]);
}

static void fo_free(fast_out *f)
{
	for (int i = 0; i < DNS_NCOLS; i++)
		sb_free(&f->store[i]);
}

static bool fast(fast_out *f, const char *line)
{
	return jsonfast_flat(line, strlen(line), dns_column_names, DNS_NCOLS, f->vals, f->store);
}

/* Compare with the jansson path when the fast path accepts; returns whether
 * it accepted. */
static bool agree_n(const char *line, size_t len)
{
	fast_out f, j;
	fo_init(&f);
	fo_init(&j);
	bool ok = jsonfast_flat(line, len, dns_column_names, DNS_NCOLS, f.vals, f.store);
	if (ok) {
		bool raw;
		char err[512];
		json_t *o = jsonl_parse(line, len, &raw, err, sizeof err);
		if (!o)
			print_error("jansson rejects an accepted line: %.*s (%s)\n", (int)len, line, err);
		assert_non_null(o);
		assert_false(raw);
		const char *why = dns_json_values(o, raw, j.vals, j.store, err, sizeof err);
		if (why)
			print_error("dns_json_values fails on an accepted line: %.*s (%s)\n", (int)len, line, why);
		assert_null(why);
		for (int c = 0; c < DNS_NCOLS; c++) {
			if (!f.vals[c] || !j.vals[c]) {
				if (f.vals[c] != j.vals[c])
					print_error("%s differs on %.*s: fast %s, jansson %s\n", dns_column_names[c],
						    (int)len, line, f.vals[c] ? f.vals[c] : "NULL",
						    j.vals[c] ? j.vals[c] : "NULL");
				assert_ptr_equal(f.vals[c], j.vals[c]);
			} else {
				assert_string_equal(f.vals[c], j.vals[c]);
				assert_int_equal(f.store[c].len, j.store[c].len);
			}
		}
		json_decref(o);
	}
	fo_free(&f);
	fo_free(&j);
	return ok;
}

static bool agree(const char *line)
{
	return agree_n(line, strlen(line));
}

static void test_typical_rows(void **state)
{
	(void)state;
	fast_out f;
	fo_init(&f);
	assert_true(fast(&f, "{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"MX\","
			     "\"response_name\":\"example.org.\",\"mx_address\":\"mx1.example.org.\","
			     "\"mx_preference\":10,\"status_code\":0,\"timestamp\":1623117354}"));
	assert_string_equal(f.vals[DNS_QUERY_TYPE], "MX");
	assert_string_equal(f.vals[DNS_QUERY_NAME], "example.org.");
	assert_string_equal(f.vals[DNS_RESPONSE_TYPE], "MX");
	assert_string_equal(f.vals[DNS_RESPONSE_NAME], "example.org.");
	assert_string_equal(f.vals[DNS_MX_ADDRESS], "mx1.example.org.");
	assert_string_equal(f.vals[DNS_MX_PREFERENCE], "10");
	assert_null(f.vals[DNS_CNAME_NAME]);
	assert_null(f.vals[DNS_IP4_ADDRESS]);
	assert_null(f.vals[DNS_IP6_ADDRESS]);
	assert_string_equal(f.vals[DNS_STATUS_CODE], "0");
	assert_string_equal(f.vals[DNS_TIMESTAMP], "1623117354");
	for (int c = 0; c < DNS_NCOLS; c++)
		if (f.vals[c])
			assert_ptr_equal(f.vals[c], f.store[c].data);

	/* an A row with a key not in the list ("as"), reusing the buffers */
	assert_true(fast(&f, "{\"query_type\":\"MX\",\"query_name\":\"grinus.net.\",\"response_type\":\"A\","
			     "\"response_name\":\"aspmx.l.google.com.\",\"ip4_address\":\"142.250.4.27\","
			     "\"as\":\"15169\",\"status_code\":0,\"timestamp\":1623116066621}"));
	assert_string_equal(f.vals[DNS_QUERY_TYPE], "MX");
	assert_string_equal(f.vals[DNS_QUERY_NAME], "grinus.net.");
	assert_string_equal(f.vals[DNS_RESPONSE_TYPE], "A");
	assert_string_equal(f.vals[DNS_RESPONSE_NAME], "aspmx.l.google.com.");
	assert_null(f.vals[DNS_MX_ADDRESS]);
	assert_null(f.vals[DNS_MX_PREFERENCE]);
	assert_string_equal(f.vals[DNS_IP4_ADDRESS], "142.250.4.27");
	assert_string_equal(f.vals[DNS_STATUS_CODE], "0");
	assert_string_equal(f.vals[DNS_TIMESTAMP], "1623116066621");

	/* a failed lookup, keys in another order, with whitespace */
	assert_true(fast(&f, " \t{ \"status_code\" : 3 ,\r\n\"query_name\":\"nx.example.\", \"query_type\":\"MX\" }\r\n"));
	assert_string_equal(f.vals[DNS_STATUS_CODE], "3");
	assert_string_equal(f.vals[DNS_QUERY_NAME], "nx.example.");
	assert_string_equal(f.vals[DNS_QUERY_TYPE], "MX");
	assert_null(f.vals[DNS_RESPONSE_TYPE]);
	assert_null(f.vals[DNS_TIMESTAMP]);

	/* empty object, empty strings */
	assert_true(fast(&f, "{}"));
	for (int c = 0; c < DNS_NCOLS; c++)
		assert_null(f.vals[c]);
	assert_true(fast(&f, " {\n} \n"));
	assert_true(fast(&f, "{\"query_name\":\"\",\"\":\"x\"}"));
	assert_string_equal(f.vals[DNS_QUERY_NAME], "");
	fo_free(&f);
}

static void test_nulls_and_duplicates(void **state)
{
	(void)state;
	fast_out f;
	fo_init(&f);
	assert_true(fast(&f, "{\"query_name\":null,\"mx_address\":\"mx.\",\"cname_name\":null,\"ip6_address\":null}"));
	assert_null(f.vals[DNS_QUERY_NAME]);
	assert_string_equal(f.vals[DNS_MX_ADDRESS], "mx.");
	assert_null(f.vals[DNS_CNAME_NAME]);
	assert_null(f.vals[DNS_IP6_ADDRESS]);

	/* the last occurrence wins, as in jansson */
	assert_true(fast(&f, "{\"query_name\":\"first.\",\"query_name\":\"second.\"}"));
	assert_string_equal(f.vals[DNS_QUERY_NAME], "second.");
	assert_true(fast(&f, "{\"query_name\":\"first.\",\"query_name\":null}"));
	assert_null(f.vals[DNS_QUERY_NAME]);
	assert_true(fast(&f, "{\"status_code\":null,\"status_code\":2}"));
	assert_string_equal(f.vals[DNS_STATUS_CODE], "2");
	assert_true(fast(&f, "{\"status_code\":7,\"status_code\":\"seven\"}"));
	assert_string_equal(f.vals[DNS_STATUS_CODE], "seven");
	/* a longer string first, then a short one: the buffer is rewritten */
	assert_true(fast(&f, "{\"mx_address\":\"a-rather-long-host-name-that-needs-more-than-sixty-four-bytes.example.com.\","
			     "\"mx_address\":\"mx.\"}"));
	assert_string_equal(f.vals[DNS_MX_ADDRESS], "mx.");
	assert_int_equal(f.store[DNS_MX_ADDRESS].len, 3);

	/* and the jansson path agrees on each of these */
	assert_true(agree("{\"query_name\":\"first.\",\"query_name\":\"second.\"}"));
	assert_true(agree("{\"query_name\":\"first.\",\"query_name\":null}"));
	assert_true(agree("{\"query_name\":null,\"query_name\":\"x.\"}"));
	assert_true(agree("{\"status_code\":null,\"status_code\":2}"));
	assert_true(agree("{\"status_code\":7,\"status_code\":\"seven\",\"status_code\":8}"));
	assert_true(agree("{\"a\":1,\"query_type\":\"A\",\"a\":\"b\",\"query_type\":\"MX\",\"a\":null}"));
	fo_free(&f);
}

static void test_integers(void **state)
{
	(void)state;
	fast_out f;
	fo_init(&f);
	static const struct {
		const char *in, *out;
	} ok[] = {
		{"0", "0"},
		{"-0", "0"},
		{"7", "7"},
		{"-7", "-7"},
		{"65535", "65535"},
		{"1623115589064", "1623115589064"},
		{"9223372036854775807", "9223372036854775807"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"-9223372036854775807", "-9223372036854775807"},
		{"1000000000000000000", "1000000000000000000"},
		{"8999999999999999999", "8999999999999999999"},
	};
	char line[128];
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(line, sizeof line, "{\"timestamp\":%s}", ok[i].in);
		assert_true(fast(&f, line));
		assert_string_equal(f.vals[DNS_TIMESTAMP], ok[i].out);
		assert_true(agree(line));
		snprintf(line, sizeof line, "{\"timestamp\" : %s , \"x\":1}", ok[i].in);
		assert_true(fast(&f, line));
		assert_string_equal(f.vals[DNS_TIMESTAMP], ok[i].out);
	}
	static const char *const bad[] = {
		"9223372036854775808", "-9223372036854775809", "10000000000000000000", "99999999999999999999",
		"00", "01", "-01", "-00", "-", "--1", "+1", "10.0", "1.5", "0.0", "1e5", "1E5", "-1e-5",
		"1.", ".5", "0x10", "1a", "Infinity", "NaN",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(line, sizeof line, "{\"timestamp\":%s}", bad[i]);
		if (fast(&f, line))
			print_error("accepted %s\n", line);
		assert_false(fast(&f, line));
		/* also under a key that is not asked for */
		snprintf(line, sizeof line, "{\"other\":%s}", bad[i]);
		assert_false(fast(&f, line));
	}
	fo_free(&f);
}

static void test_declines(void **state)
{
	(void)state;
	fast_out f;
	fo_init(&f);
	static const char *const bad[] = {
		"",                                        /* empty */
		"   \n",                                   /* only whitespace */
		"{\"query_name\":\"a\\\\b\"}",             /* escape in a value */
		"{\"query_name\":\"a\\u0041\"}",           /* \u escape */
		"{\"query_name\":\"a\\\"b\"}",             /* escaped quote */
		"{\"qu\\u0065ry_name\":\"x\"}",            /* escape in a key */
		"{\"query_name\":\"caf\xc3\xa9.\"}",       /* UTF-8 in a value */
		"{\"caf\xc3\xa9\":\"x\"}",                 /* UTF-8 in a key */
		"{\"query_name\":\"\xff\"}",               /* invalid byte */
		"{\"query_name\":\"a\tb\"}",               /* control byte (tab) */
		"{\"query_name\":\"a\x7f\"}",              /* DEL */
		"{\"flag\":true}",                         /* true */
		"{\"flag\":false}",                        /* false */
		"{\"query_name\":true}",
		"{\"as\":[1,2]}",                          /* array */
		"{\"as\":{\"n\":1}}",                      /* nested object */
		"{\"mx_preference\":10.0}",                /* real */
		"{\"timestamp\":1.6e12}",                  /* exponent */
		"{\"mx_preference\":010}",                 /* leading zero */
		"{\"timestamp\":9223372036854775808}",     /* overflow */
		"{\"a\":\"b\"}x",                          /* trailing garbage */
		"{\"a\":\"b\"}{}",                         /* two objects */
		"{\"a\":\"b\"} ,",
		"{\"a\":\"b\"",                            /* missing closing brace */
		"{\"a\":\"b\",",
		"{\"a\":\"b",                              /* truncated string */
		"{\"a",                                    /* truncated key */
		"{\"a\"",
		"{\"a\":",
		"{",
		"\"query_name\"",                          /* bare value, not an object */
		"[]",
		"[{\"a\":1}]",
		"42",
		"null",
		"{\"a\":nul}",                             /* broken null */
		"{\"a\":nullx}",
		"{\"a\":NULL}",
		"{\"a\":1,}",                              /* trailing comma */
		"{,}",
		"{\"a\" 1}",                               /* missing colon */
		"{\"a\":1 \"b\":2}",                       /* missing comma */
		"{a:1}",                                   /* unquoted key */
		"{1:1}",
		"{\"a\":'x'}",                             /* single quotes */
		"\xef\xbb\xbf{}",                          /* BOM */
		"\f{}",                                    /* form feed is not JSON whitespace */
		"{}\v",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (fast(&f, bad[i]))
			print_error("accepted %s\n", bad[i]);
		assert_false(fast(&f, bad[i]));
	}
	/* NUL bytes: inside a string, after the object, instead of whitespace */
	assert_false(jsonfast_flat("{\"a\":\"x\0y\"}", 11, dns_column_names, DNS_NCOLS, f.vals, f.store));
	assert_false(jsonfast_flat("{}\0", 3, dns_column_names, DNS_NCOLS, f.vals, f.store));
	assert_false(jsonfast_flat("{\0}", 3, dns_column_names, DNS_NCOLS, f.vals, f.store));
	/* len is honoured: the bytes after it are not read */
	assert_true(jsonfast_flat("{\"query_name\":\"x.\"}garbage", 19, dns_column_names, DNS_NCOLS, f.vals,
				  f.store));
	assert_string_equal(f.vals[DNS_QUERY_NAME], "x.");
	assert_false(jsonfast_flat("{\"query_name\":\"x.\"}", 18, dns_column_names, DNS_NCOLS, f.vals, f.store));
	fo_free(&f);
}

/* Strings of every length up to 40 with a special byte at every position,
 * so that both the 8-byte and the byte-at-a-time scans see each case. */
static void test_string_scan(void **state)
{
	(void)state;
	fast_out f;
	fo_init(&f);
	static const char specials[] = {'\\', '\x01', '\x1f', '\x7f', '\x80', '\xff', '\n'};
	char line[128], want[64];
	for (int n = 0; n <= 40; n++) {
		for (int i = 0; i < n; i++) {
			want[i] = (char)(0x20 + (i * 7 + n) % 95);
			if (want[i] == '\\' || want[i] == '"')
				want[i] = 'z';
		}
		want[n] = '\0';
		for (int pad = 0; pad < 8; pad++) {
			int len = snprintf(line, sizeof line, "{%*s\"query_name\":\"%s\"}", pad, "", want);
			assert_true(jsonfast_flat(line, (size_t)len, dns_column_names, DNS_NCOLS, f.vals, f.store));
			assert_string_equal(f.vals[DNS_QUERY_NAME], want);
			assert_true(agree_n(line, (size_t)len));
			for (int i = 0; i < n; i++) {
				for (size_t s = 0; s < sizeof specials; s++) {
					char *v = line + pad + 15;
					char saved = v[i];
					v[i] = specials[s];
					assert_false(jsonfast_flat(line, (size_t)len, dns_column_names, DNS_NCOLS, f.vals,
								   f.store));
					v[i] = saved;
				}
			}
			/* truncated anywhere inside the string */
			for (int cut = pad + 15; cut < len - 1; cut++)
				assert_false(jsonfast_flat(line, (size_t)cut, dns_column_names, DNS_NCOLS, f.vals,
							   f.store));
		}
	}
	fo_free(&f);
}

/* Lines the fast path must accept (1) or decline (0); on every accepted
 * one the jansson path must give the same values. */
static void test_differential_table(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		bool accept;
	} t[] = {
		{"{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"MX\",\"response_name\":"
		 "\"example.org.\",\"mx_address\":\"mx1.example.org.\",\"mx_preference\":10,\"status_code\":0,"
		 "\"timestamp\":1623117354}", 1},
		{"{\"query_type\":\"MX\",\"query_name\":\"bluebirdmediapoint.com.\",\"response_type\":\"A\","
		 "\"response_name\":\"bluebirdmediapoint.com.\",\"ip4_address\":\"162.241.64.11\",\"as\":\"46606\","
		 "\"status_code\":0,\"timestamp\":1623115589064}", 1},
		{"{\"query_type\":\"MX\",\"query_name\":\"a.example.\",\"response_type\":\"CNAME\",\"response_name\":"
		 "\"a.example.\",\"cname_name\":\"b.example.\",\"status_code\":0,\"timestamp\":1623115589064}", 1},
		{"{\"query_type\":\"AAAA\",\"response_type\":\"AAAA\",\"ip6_address\":\"2001:db8::1\"}", 1},
		{"{\"query_type\":\"MX\",\"query_name\":\"nx.example.\",\"status_code\":3,\"timestamp\":1}", 1},
		{"{\"query_name\":null,\"response_type\":null,\"mx_preference\":null}", 1},
		{"{}", 1},
		{"  {  }  ", 1},
		{"{\"query_name\":\"x.\"}\n", 1},
		{"{\"query_name\":\"x.\"}\r\n", 1},
		{"\n\r\t {\"query_name\" \t:\n \"x.\" \r, \"status_code\":0}", 1},
		{"{\"query_name\":\"\"}", 1},
		{"{\"\":\"\",\"query_name\":\"y\"}", 1},
		{"{\"mx_preference\":-0}", 1},
		{"{\"mx_preference\":-5}", 1},
		{"{\"timestamp\":9223372036854775807}", 1},
		{"{\"timestamp\":-9223372036854775808}", 1},
		{"{\"query_name\":\"a.\",\"query_name\":\"b.\"}", 1},
		{"{\"query_name\":\"a.\",\"query_name\":null}", 1},
		{"{\"status_code\":\"0\",\"mx_preference\":\"10\"}", 1},
		{"{\"unrelated\":123,\"other\":null,\"x\":\"y\",\"query_name\":\"z.\"}", 1},
		{"{\"query_name\":\" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`{|}~\"}", 1},
		{"{\"QUERY_NAME\":\"case matters.\"}", 1},
		{"{\"query_name \":\"trailing space in key\"}", 1},
		{"{\"query_name\":\"a\\/b\"}", 0},
		{"{\"query_name\":\"\\u00e9\"}", 0},
		{"{\"query_name\":\"\xc3\xa9\"}", 0},
		{"{\"query_name\":\"\xff\"}", 0},
		{"{\"status_code\":true}", 0},
		{"{\"x\":false,\"query_name\":\"a.\"}", 0},
		{"{\"as\":[\"15169\"]}", 0},
		{"{\"as\":{\"asn\":15169}}", 0},
		{"{\"mx_preference\":10.0}", 0},
		{"{\"timestamp\":1e3}", 0},
		{"{\"mx_preference\":007}", 0},
		{"{\"timestamp\":9223372036854775808}", 0},
		{"{\"timestamp\":-9223372036854775809}", 0},
		{"{\"query_name\":\"a.\"} trailing", 0},
		{"{\"query_name\":\"a.\"", 0},
		{"{\"query_name\":\"a.", 0},
		{"[\"query_name\"]", 0},
		{"\"query_name\"", 0},
		{"{\"query_name\":\"a.\",}", 0},
	};
	int accepted = 0;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		bool ok = agree(t[i].line);
		if (ok != t[i].accept)
			print_error("line %zu: %s: expected %s\n", i, t[i].line, t[i].accept ? "accept" : "decline");
		assert_int_equal(ok, t[i].accept);
		accepted += ok;
	}
	print_message("jsonfast: %d of %zu table lines accepted, all agree with jansson\n", accepted,
		      sizeof t / sizeof t[0]);
}

/* Every line of the sample data: nearly all are accepted, and each
 * accepted line gives exactly what the jansson path gives. */
static void test_differential_sample_data(void **state)
{
	(void)state;
	FILE *fp = fopen("sample-data/dns.jsonl", "r");
	if (!fp) {
		print_message("sample-data/dns.jsonl not found (run from the repository root); skipped\n");
		skip();
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lines = 0, accepted = 0;
	while ((n = getline(&line, &cap, fp)) > 0) {
		lines++;
		/* as the importer hands it (no newline), and with the newline */
		size_t len = (size_t)n;
		if (len && line[len - 1] == '\n')
			len--;
		bool ok = agree_n(line, len);
		accepted += ok;
		assert_int_equal(agree_n(line, (size_t)n), ok);
	}
	free(line);
	fclose(fp);
	print_message("jsonfast: %ld of %ld sample-data/dns.jsonl lines accepted, all agree with jansson\n",
		      accepted, lines);
	assert_true(lines > 1000);
	assert_true(accepted >= lines - 5);
}

/* jsonfast_strings: certificate name lists as mxray writes them. */
static void test_strings(void **state)
{
	(void)state;
	strbuf out;
	sb_init(&out);
	size_t n;
	assert_true(jsonfast_strings("[\"mx.example.com\",\"*.example.com\"]", 34, &out, &n));
	assert_int_equal(n, 2);
	assert_string_equal(out.data, "mx.example.com");
	assert_string_equal(out.data + 15, "*.example.com");
	assert_true(jsonfast_strings(" [ ] ", 5, &out, &n));
	assert_int_equal(n, 0);
	assert_true(jsonfast_strings("[ \"a b\" ,\"\"]\n", 13, &out, &n));
	assert_int_equal(n, 2);
	assert_string_equal(out.data, "a b");
	assert_string_equal(out.data + 4, "");
	static const char *const no[] = {"", "[", "[\"a\"", "[\"a\",]", "[\"a\"]x", "[1]", "[null]", "[\"a\\u0062\"]",
					 "[\"caf\xc3\xa9\"]", "[\"tab\there\"]", "{}", "[\"a\" \"b\"]", "[[\"a\"]]"};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		assert_false(jsonfast_strings(no[i], strlen(no[i]), &out, &n));
	sb_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical_rows),
		cmocka_unit_test(test_nulls_and_duplicates),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_string_scan),
		cmocka_unit_test(test_differential_table),
		cmocka_unit_test(test_differential_sample_data),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests_name("jsonfast", tests, NULL, NULL);
}
