/* sanitize: a table of hostile inputs and their exact display text. */
#include "testutil.h"
#include "mxray/sanitize.h"

static const struct {
	const char *in;
	size_t len;
	const char *out;
	size_t nesc;
} cases[] = {
	{"220 mx.google.com ESMTP", 23, "220 mx.google.com ESMTP", 0},
	{"220 good.example\r220 evil", 25, "220 good.example\\r220 evil", 1},
	{"\x1b[2J\x1b[31mred", 12, "\\e[2J\\e[31mred", 2},
	{"a\bb", 3, "a\\x08b", 1},
	{"tab\there\r\n", 10, "tab\\there\\r\\n", 3},
	{"nul\0x", 5, "nul\\x00x", 1},
	{"del\x7f", 4, "del\\x7f", 1},
	{"back\\slash", 10, "back\\\\slash", 1},
	{"bad \xff\xfe end", 10, "bad \\xff\\xfe end", 2},
	{"lone \xc3", 6, "lone \\xc3", 1},
	{"overlong \xc0\xaf", 11, "overlong \\xc0\\xaf", 2},
	{"c1 \xc2\x9b[2J", 8, "c1 \\u{9b}[2J", 1},
	{"bidi \xe2\x80\xae" "evil", 12, "bidi <U+202E>evil", 1},
	{"zw\xe2\x80\x8bsp", 7, "zw<U+200B>sp", 1},
	{"bom\xef\xbb\xbf", 6, "bom<U+FEFF>", 1},
	{"iso \xe2\x81\xa6x\xe2\x81\xa9", 11, "iso <U+2066>x<U+2069>", 2},
	{"\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x93\xa7", 11, "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x93\xa7", 0},
	{"caf\xc3\xa9", 5, "caf\xc3\xa9", 0},
	{"", 0, "", 0},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf sb;
		sb_init(&sb);
		sb_adds(&sb, "");
		size_t spans[8][2];
		size_t n = sanitize(&sb, cases[i].in, cases[i].len, spans, 8);
		if (strcmp(sb.data, cases[i].out) != 0 || n != cases[i].nesc)
			fail_msg("case %zu: got '%s' (%zu escapes), want '%s' (%zu)", i, sb.data, n, cases[i].out,
				 cases[i].nesc);
		/* no raw control byte or ESC ever comes out */
		for (size_t k = 0; k < sb.len; k++)
			assert_true((unsigned char)sb.data[k] >= 0x20 && sb.data[k] != 0x7f);
		/* spans point at the escapes */
		for (size_t k = 0; k < n && k < 8; k++)
			assert_true(sb.data[spans[k][0]] == '\\' || sb.data[spans[k][0]] == '<');
		sb_free(&sb);
	}
}

static void test_long_banner(void **state)
{
	(void)state;
	char *big = xmalloc(10001);
	memset(big, 'A', 10000);
	big[5000] = '\x1b';
	big[10000] = '\0';
	char *s = sanitize_str(big);
	assert_int_equal(strlen(s), 10001);
	assert_memory_equal(s + 5000, "\\e", 2);
	free(s);
	free(big);
	s = sanitize_str(NULL);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_banner),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
