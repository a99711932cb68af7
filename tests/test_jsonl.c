/* jsonl: tolerant parsing (raw bytes kept) and nested/flattened paths. */
#include "testutil.h"
#include "mxray/jsonl.h"

static json_t *parse(const char *s, bool *raw)
{
	char err[256];
	json_t *v = jsonl_parse(s, strlen(s), raw, err, sizeof err);
	assert_non_null(v);
	return v;
}

static void test_raw_bytes_kept(void **state)
{
	(void)state;
	bool raw;
	json_t *v = parse("{\"banner\":\"220 h\xff\xfe x \xc3\"}", &raw);
	assert_true(raw);
	strbuf sb;
	sb_init(&sb);
	assert_true(jsonl_string(json_object_get(v, "banner"), raw, &sb));
	assert_int_equal(sb.len, 11);
	assert_memory_equal(sb.data, "220 h\xff\xfe x \xc3", 11);
	json_decref(v);
	/* valid UTF-8 (CJK, emoji) and escapes pass untouched */
	v = parse("{\"b\":\"\\u001b[2J \xe4\xb8\xad \xf0\x9f\x93\xa7\"}", &raw);
	assert_false(raw);
	jsonl_string(json_object_get(v, "b"), raw, &sb);
	assert_string_equal(sb.data, "\x1b[2J \xe4\xb8\xad \xf0\x9f\x93\xa7");
	json_decref(v);
	/* an empty string on a line with raw bytes (found by the fuzzer) */
	v = parse("{\"a\":\"\",\"b\":\"\xff\"}", &raw);
	assert_true(raw);
	assert_true(jsonl_string(json_object_get(v, "a"), raw, &sb));
	assert_non_null(sb.data);
	assert_int_equal(sb.len, 0);
	json_decref(v);
	sb_free(&sb);
}

static void test_errors(void **state)
{
	(void)state;
	bool raw;
	char err[256];
	assert_null(jsonl_parse("not json", 8, &raw, err, sizeof err));
	assert_non_null(strstr(err, "malformed JSON"));
	assert_null(jsonl_parse("[1,2]", 5, &raw, err, sizeof err));
	assert_string_equal(err, "JSON value is not an object");
	assert_null(jsonl_parse("{\"a\":1", 6, &raw, err, sizeof err));
	assert_non_null(strstr(err, "malformed JSON"));
	/* \u0000 is kept (SMTP text may hold it; names are checked later) */
	json_t *v = jsonl_parse("{\"a\":\"x\\u0000y\"}", 16, &raw, err, sizeof err);
	assert_non_null(v);
	strbuf sb;
	sb_init(&sb);
	jsonl_string(json_object_get(v, "a"), raw, &sb);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.data, "x\0y", 3);
	sb_free(&sb);
	json_decref(v);
	/* jansson's message quotes the input: it comes out escaped */
	assert_null(jsonl_parse("{\"a\":\x1b[2J", 9, &raw, err, sizeof err));
	assert_null(strchr(err, 0x1b));
	/* invalid bytes outside a string are still malformed */
	assert_null(jsonl_parse("{\"a\":1}\xff", 8, &raw, err, sizeof err));
}

static void test_paths(void **state)
{
	(void)state;
	bool raw;
	json_t *nested = parse("{\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"n\"}}}}", &raw);
	json_t *flat = parse("{\"p25.smtp.starttls.banner\":\"f\"}", &raw);
	json_t *mixed = parse("{\"p25\":{\"smtp.starttls\":{\"banner\":\"m\"}}}", &raw);
	assert_string_equal(json_string_value(jsonl_path(nested, "p25.smtp.starttls.banner")), "n");
	assert_string_equal(json_string_value(jsonl_path(flat, "p25.smtp.starttls.banner")), "f");
	assert_string_equal(json_string_value(jsonl_path(mixed, "p25.smtp.starttls.banner")), "m");
	assert_null(jsonl_path(nested, "p25.smtp.starttls.ehlo"));
	assert_null(jsonl_path(nested, "p25.smtp.starttls.banner.x"));
	assert_non_null(jsonl_path(nested, "p25"));
	json_decref(nested);
	json_decref(flat);
	json_decref(mixed);
}

static void test_scalars(void **state)
{
	(void)state;
	bool raw, b;
	unsigned long long u;
	json_t *v = parse("{\"a\":\"15169\",\"b\":15169,\"c\":-1,\"d\":\"x\",\"t\":true,\"s\":\"false\"}", &raw);
	assert_true(jsonl_uint(json_object_get(v, "a"), &u));
	assert_int_equal(u, 15169);
	assert_true(jsonl_uint(json_object_get(v, "b"), &u));
	assert_false(jsonl_uint(json_object_get(v, "c"), &u));
	assert_false(jsonl_uint(json_object_get(v, "d"), &u));
	assert_true(jsonl_bool(json_object_get(v, "t"), &b));
	assert_true(b);
	assert_true(jsonl_bool(json_object_get(v, "s"), &b));
	assert_false(b);
	assert_false(jsonl_bool(json_object_get(v, "a"), &b));
	json_decref(v);
}

/* {"a":[{},{},...]} with n empty objects, n + 2 values, in a buffer of
 * its exact length (no NUL after it). */
static char *empty_objects(size_t n, size_t *len)
{
	*len = 6 + 3 * n - (n ? 1 : 0) + 2;
	char *s = xmalloc(*len);
	memcpy(s, "{\"a\":[", 6);
	char *p = s + 6;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, i ? ",{}" : "{}", i ? 3 : 2);
		p += i ? 3 : 2;
	}
	memcpy(p, "]}", 2);
	assert_int_equal((size_t)(p + 2 - s), *len);
	return s;
}

/* A 16 MiB line of empty objects would take jansson some 1.3 GB: it is
 * refused before parsing, from a count of its values. */
static void test_values_16mib_refused(void **state)
{
	(void)state;
	bool raw;
	char err[256];
	size_t n = ((16u << 20) - 7) / 3, len;
	char *s = empty_objects(n, &len);
	assert_int_equal(len, 16u << 20);
	assert_null(jsonl_parse(s, len, &raw, err, sizeof err));
	assert_string_equal(err, "JSON line has more than 200000 values (5592405)");
	free(s);
}

static void test_values_limit(void **state)
{
	(void)state;
	bool raw;
	char err[256];
	size_t len;
	/* exactly 200000 values parse */
	char *s = empty_objects(JSONL_VALUES_MAX - 2, &len);
	json_t *v = jsonl_parse(s, len, &raw, err, sizeof err);
	assert_non_null(v);
	assert_int_equal(json_array_size(json_object_get(v, "a")), JSONL_VALUES_MAX - 2);
	json_decref(v);
	free(s);
	/* one more does not */
	s = empty_objects(JSONL_VALUES_MAX - 1, &len);
	assert_null(jsonl_parse(s, len, &raw, err, sizeof err));
	assert_string_equal(err, "JSON line has more than 200000 values (200001)");
	free(s);
	/* numbers, literals and strings count; keys do not */
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "{\"a\" :\t[");
	for (size_t i = 0; i < 199998; i++)
		sb_adds(&sb, i % 4 == 0 ? "-1.5e3," : i % 4 == 1 ? "true," : i % 4 == 2 ? "null," : "\"x\" ,");
	sb.len--; /* the last comma */
	sb_adds(&sb, "]}");
	v = jsonl_parse(sb.data, sb.len, &raw, err, sizeof err);
	assert_non_null(v);
	assert_int_equal(json_array_size(json_object_get(v, "a")), 199998);
	json_decref(v);
	sb.len -= 2;
	sb_adds(&sb, ",0]}");
	assert_null(jsonl_parse(sb.data, sb.len, &raw, err, sizeof err));
	assert_string_equal(err, "JSON line has more than 200000 values (200001)");
	/* 150000 members: 150001 values, whatever the keys */
	sb_clear(&sb);
	sb_addc(&sb, '{');
	for (size_t i = 0; i < 150000; i++)
		sb_addf(&sb, "%s\"k%zu\": %zu", i ? "," : "", i, i);
	sb_addc(&sb, '}');
	v = jsonl_parse(sb.data, sb.len, &raw, err, sizeof err);
	assert_non_null(v);
	assert_int_equal(json_object_size(v), 150000);
	json_decref(v);
	/* brackets, commas and quotes inside strings do not count */
	sb_clear(&sb);
	sb_adds(&sb, "{\"b\":\"\\\"");
	for (size_t i = 0; i < 300000; i++)
		sb_adds(&sb, "{[,\\\"");
	sb_adds(&sb, "\",\"c\":\"\xff{}\"}");
	v = jsonl_parse(sb.data, sb.len, &raw, err, sizeof err);
	assert_non_null(v);
	assert_true(raw);
	assert_int_equal(json_string_length(json_object_get(v, "b")), 1 + 300000 * 4);
	json_decref(v);
	sb_free(&sb);
	/* a real record with a certificate of 1999 names (listed twice) parses */
	sb_init(&sb);
	sb_adds(&sb, "{\"ip\":\"192.0.2.1\",\"names\":[");
	for (size_t i = 0; i < 1999; i++)
		sb_addf(&sb, "%s\"h%zu.example.com\"", i ? "," : "", i);
	sb_adds(&sb, "],\"dns_names\":[");
	for (size_t i = 0; i < 1999; i++)
		sb_addf(&sb, "%s\"h%zu.example.com\"", i ? "," : "", i);
	sb_adds(&sb, "]}");
	v = jsonl_parse(sb.data, sb.len, &raw, err, sizeof err);
	assert_non_null(v);
	json_decref(v);
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_bytes_kept),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_values_16mib_refused),
		cmocka_unit_test(test_values_limit),
	};
	return cmocka_run_group_tests_name("jsonl", tests, NULL, NULL);
}
