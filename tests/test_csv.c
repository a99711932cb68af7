/* csv: RFC 4180 parsing and quoting. */
#include "testutil.h"
#include "mxray/csv.h"

static void test_parse_plain_and_quoted(void **state)
{
	(void)state;
	csv_record r;
	csv_record_init(&r);
	const char *why = NULL;
	assert_int_equal(csv_parse("a,b,,d", 6, &r, &why), CSV_OK);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.field[0], "a");
	assert_string_equal(r.field[2], "");
	assert_string_equal(r.field[3], "d");
	const char *q = "\"x,y\",\"say \"\"hi\"\"\",z\r";
	assert_int_equal(csv_parse(q, strlen(q), &r, &why), CSV_OK);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.field[0], "x,y");
	assert_string_equal(r.field[1], "say \"hi\"");
	assert_string_equal(r.field[2], "z");
	/* a quoted field spanning lines */
	assert_int_equal(csv_parse("\"line1", 6, &r, &why), CSV_INCOMPLETE);
	assert_int_equal(csv_parse("\"line1\nline2\",b", 15, &r, &why), CSV_OK);
	assert_string_equal(r.field[0], "line1\nline2");
	assert_int_equal(csv_parse("a\"b,c", 5, &r, &why), CSV_ERROR);
	assert_string_equal(why, "quote inside an unquoted field");
	assert_int_equal(csv_parse("\"a\"b,c", 6, &r, &why), CSV_ERROR);
	assert_string_equal(why, "unexpected character after a quoted field");
	assert_int_equal(csv_parse("", 0, &r, &why), CSV_OK);
	assert_int_equal(r.n, 1);
	csv_record_free(&r);
}

static void test_quote_out(void **state)
{
	(void)state;
	strbuf sb;
	sb_init(&sb);
	csv_add(&sb, "plain");
	sb_addc(&sb, ',');
	csv_add(&sb, "a,b");
	sb_addc(&sb, ',');
	csv_add(&sb, "q\"q");
	sb_addc(&sb, ',');
	csv_add(&sb, "two\nlines");
	assert_string_equal(sb.data, "plain,\"a,b\",\"q\"\"q\",\"two\nlines\"");
	sb_free(&sb);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	csv_put(f, "x\ry");
	fclose(f);
	assert_string_equal(buf, "\"x\ry\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_plain_and_quoted),
		cmocka_unit_test(test_quote_out),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
