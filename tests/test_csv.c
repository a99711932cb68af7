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
	/* --raw-cells: RFC 4180 quoting of the stored bytes, nothing else */
	csv_set_cells(CSV_CELLS_RAW);
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
	csv_set_cells(CSV_CELLS_SAFE);
}

/* Issue 13: text cells a spreadsheet would evaluate get a leading ' and
 * quotes (OWASP); control bytes and invisible characters are escaped as
 * sanitize() shows them; --raw-cells keeps the bytes. */
static const struct {
	const char *in, *safe, *raw;
} cells[] = {
	{"plain", "plain", "plain"},
	{"a,b", "\"a,b\"", "\"a,b\""},
	{"q\"q", "\"q\"\"q\"", "\"q\"\"q\""},
	{"=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"", "=cmd|' /C calc'!A0"},
	{"@SUM(1+1)", "\"'@SUM(1+1)\"", "@SUM(1+1)"},
	{"+1+1", "\"'+1+1\"", "+1+1"},
	{"-2+3", "\"'-2+3\"", "-2+3"},
	{"-cmd.example.com", "\"'-cmd.example.com\"", "-cmd.example.com"},
	{"\t=1", "\"'\\t=1\"", "\t=1"},
	{"\r=1", "\"'\\r=1\"", "\"\r=1\""},
	{"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
	 "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
	/* not at the start: text as it is */
	{"a=b+c-d@e", "a=b+c-d@e", "a=b+c-d@e"},
	{" =1", " =1", " =1"},
	{"'=1", "'=1", "'=1"},
	/* control bytes: the display form, never raw */
	{"bell\a esc\x1b[31m", "bell\\x07 esc\\e[31m", "bell\a esc\x1b[31m"},
	{"two\nlines", "two\\nlines", "\"two\nlines\""},
	{"cr\rlf\n,", "\"cr\\rlf\\n,\"", "\"cr\rlf\n,\""},
	{"back\\slash", "back\\\\slash", "back\\slash"},
	{"del\x7f c1\xc2\x9b", "del\\x7f c1\\u{9b}", "del\x7f c1\xc2\x9b"},
	{"bad\xff", "bad\\xff", "bad\xff"},
	{"rlo\xe2\x80\xae" "x", "rlo<U+202E>x", "rlo\xe2\x80\xae" "x"},
	{"\xd8\x9c" "=1", "<U+061C>=1", "\xd8\x9c" "=1"},
	/* other scripts pass */
	{"caf\xc3\xa9 \xe4\xb8\xad \xd9\x85", "caf\xc3\xa9 \xe4\xb8\xad \xd9\x85", "caf\xc3\xa9 \xe4\xb8\xad \xd9\x85"},
	{"", "", ""},
};

static void test_cells(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
		for (int raw = 0; raw < 2; raw++) {
			const char *want = raw ? cells[i].raw : cells[i].safe;
			strbuf sb;
			sb_init(&sb);
			sb_adds(&sb, "");
			csv_cell(&sb, cells[i].in, raw ? CSV_CELLS_RAW : CSV_CELLS_SAFE);
			if (strcmp(sb.data, want) != 0)
				fail_msg("cell %zu (%s): got [%s], want [%s]", i, raw ? "raw" : "safe", sb.data, want);
			sb_free(&sb);
			/* csv_put writes the same, with the process's mode */
			csv_set_cells(raw ? CSV_CELLS_RAW : CSV_CELLS_SAFE);
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			csv_put(f, cells[i].in);
			fclose(f);
			assert_string_equal(buf, want);
			free(buf);
			/* what a CSV reader gets back: the cell text (raw) or its
			 * display form, one field either way */
			if (*want) {
				csv_record r;
				csv_record_init(&r);
				const char *why = NULL;
				assert_int_equal(csv_parse(want, strlen(want), &r, &why), CSV_OK);
				assert_int_equal(r.n, 1);
				if (raw)
					assert_string_equal(r.field[0], cells[i].in);
				csv_record_free(&r);
			}
		}
	csv_set_cells(CSV_CELLS_SAFE);
	assert_int_equal(csv_get_cells(), CSV_CELLS_SAFE);
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	csv_cell(&sb, NULL, CSV_CELLS_SAFE);
	assert_string_equal(sb.data, "");
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_plain_and_quoted),
		cmocka_unit_test(test_quote_out),
		cmocka_unit_test(test_cells),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
