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
	/* issue 13: the table comes from the Unicode properties */
	{"alm \xd8\x9c" "x", 7, "alm <U+061C>x", 1},                  /* ARABIC LETTER MARK */
	{"ls\xe2\x80\xa8" "ps\xe2\x80\xa9", 10, "ls<U+2028>ps<U+2029>", 2}, /* Zl, Zp */
	{"\xe2\x80\x8b", 3, "<U+200B>", 1},                               /* ZERO WIDTH SPACE */
	{"\xef\xbb\xbf" "220", 6, "<U+FEFF>220", 1},                    /* BOM */
	{"\xe2\x80\xae" "moc.elgoog", 13, "<U+202E>moc.elgoog", 1},     /* RLO */
	{"tag\xf3\xa0\x80\x81" "x", 8, "tag<U+E0001>x", 1},             /* LANGUAGE TAG */
	{"nel\xc2\x85", 5, "nel\\u{85}", 1},                             /* C1 NEXT LINE */
	{"soft\xc2\xad" "hy", 8, "soft<U+00AD>hy", 1},                  /* SOFT HYPHEN */
	{"\xe3\x85\xa4", 3, "<U+3164>", 1},                               /* HANGUL FILLER */
	{"\xe2\x9d\xa4\xef\xb8\x8f", 6, "\xe2\x9d\xa4<U+FE0F>", 1},       /* VARIATION SELECTOR-16 */
	{"a\xe2\x80\x8d" "b", 5, "a<U+200D>b", 1},                      /* ZERO WIDTH JOINER */
	/* text that passes unchanged: Arabic, the visible Arabic number
	 * sign (a Cf that is a Prepended_Concatenation_Mark), CJK, kana, emoji */
	{"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", 10, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", 0},
	{"\xd8\x80" "12", 4, "\xd8\x80" "12", 0},
	{"\xe4\xb8\xad\xe6\x96\x87\xe3\x82\x86 \xf0\x9f\x98\x80!", 15,
	 "\xe4\xb8\xad\xe6\x96\x87\xe3\x82\x86 \xf0\x9f\x98\x80!", 0},
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

/* The lookup against a plain scan of the table, for every code point;
 * the table sorted and disjoint; a few members and non-members. */
static void test_invisible(void **state)
{
	(void)state;
	assert_true(sanitize_escape_nranges > 0);
	for (size_t i = 0; i < sanitize_escape_nranges; i++) {
		assert_true(sanitize_escape_ranges[i][0] <= sanitize_escape_ranges[i][1]);
		if (i)
			assert_true(sanitize_escape_ranges[i - 1][1] + 1 < sanitize_escape_ranges[i][0]);
	}
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		bool in = false;
		for (size_t i = 0; i < sanitize_escape_nranges && !in; i++)
			in = sanitize_escape_ranges[i][0] <= cp && cp <= sanitize_escape_ranges[i][1];
		if (in != sanitize_invisible(cp))
			fail_msg("U+%04X: the lookup says %d, the table %d", (unsigned)cp, !in, in);
	}
	static const uint32_t yes[] = {0x00, 0x1b, 0x7f, 0x85, 0x9b, 0xad, 0x61c, 0x180e, 0x200b, 0x200d, 0x200e,
				       0x2028, 0x2029, 0x202e, 0x2066, 0x2069, 0xfe0f, 0xfeff, 0xfff9, 0xe0001,
				       0xe007f, 0xe0100};
	static const uint32_t no[] = {0x20, 'A', 0x7e, 0xa0, 0xe9, 0x600, 0x645, 0x3000, 0x4e2d, 0xfffd, 0x1f600,
				      0x10ffff};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!sanitize_invisible(yes[i]))
			fail_msg("U+%04X should be escaped", (unsigned)yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (sanitize_invisible(no[i]))
			fail_msg("U+%04X should pass", (unsigned)no[i]);
	assert_true(sanitize_clean("caf\xc3\xa9 \xd9\x85 \xf0\x9f\x98\x80", 13));
	assert_true(sanitize_clean("", 0));
	assert_false(sanitize_clean("a\xd8\x9c", 3));
	assert_false(sanitize_clean("a\tb", 3));
	assert_false(sanitize_clean("a\xff", 2));  /* not UTF-8 */
	assert_false(sanitize_clean("a\xe2\x80", 3)); /* cut short */
}

static char *slurp(FILE *f)
{
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	return sb_steal(&sb);
}

/* src/unicode_escapes.c is what tools/gen-unicode-escapes.sh makes from
 * the installed Unicode data (Debian's unicode-data, a test dependency in
 * .ci/deps): a newer Unicode or an edited table fails here.  Run from the
 * repository root, as `make unit` does. */
static void test_table_is_generated(void **state)
{
	(void)state;
	if (access("/usr/share/unicode/UnicodeData.txt", R_OK) != 0) {
		fprintf(stderr, "no /usr/share/unicode (Debian's unicode-data): the table is not checked\n");
		skip();
	}
	FILE *f = fopen("src/unicode_escapes.c", "rb");
	if (!f)
		fail_msg("cannot open src/unicode_escapes.c (run the tests from the repository root)");
	char *have = slurp(f);
	fclose(f);
	FILE *p = popen("sh tools/gen-unicode-escapes.sh /usr/share/unicode", "r");
	assert_non_null(p);
	char *want = slurp(p);
	int rc = pclose(p);
	if (rc != 0)
		fail_msg("tools/gen-unicode-escapes.sh failed (exit status %d)", rc);
	if (strcmp(have, want) != 0)
		fail_msg("src/unicode_escapes.c is stale (it says Unicode %s): regenerate it with\n"
			 "    sh tools/gen-unicode-escapes.sh > src/unicode_escapes.c", sanitize_unicode_version);
	free(have);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_banner),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_table_is_generated),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
