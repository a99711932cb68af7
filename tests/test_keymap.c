/* keymap: key-to-action mapping, names, generated help. */
#include "testutil.h"
#include "mxray/keymap.h"

#include <stdbool.h>

static void test_lookup(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup('j'), ACT_DOWN);
	assert_int_equal(keymap_lookup(KEY_X_DOWN), ACT_DOWN);
	assert_int_equal(keymap_lookup('k'), ACT_UP);
	assert_int_equal(keymap_lookup('g'), ACT_FIRST);
	assert_int_equal(keymap_lookup('G'), ACT_LAST);
	assert_int_equal(keymap_lookup(CTRL('F')), ACT_PAGE_DOWN);
	assert_int_equal(keymap_lookup(CTRL('D')), ACT_HALF_DOWN);
	assert_int_equal(keymap_lookup('/'), ACT_SEARCH);
	assert_int_equal(keymap_lookup('n'), ACT_SEARCH_NEXT);
	assert_int_equal(keymap_lookup('N'), ACT_SEARCH_PREV);
	assert_int_equal(keymap_lookup('\\'), ACT_FILTER);
	assert_int_equal(keymap_lookup('c'), ACT_CONFIRM);
	assert_int_equal(keymap_lookup('u'), ACT_UNDO);
	assert_int_equal(keymap_lookup(CTRL('R')), ACT_REDO);
	assert_int_equal(keymap_lookup('?'), ACT_HELP);
	assert_int_equal(keymap_lookup(KEY_X_F1), ACT_HELP);
	assert_int_equal(keymap_lookup('q'), ACT_QUIT);
	assert_int_equal(keymap_lookup(KEY_X_TAB), ACT_NEXT_PANE);
	assert_int_equal(keymap_lookup('Z'), ACT_NONE);
	assert_int_equal(keymap_lookup(0), ACT_NONE);
	assert_int_equal(keymap_by_name("accept-all"), ACT_ACCEPT_ALL);
	assert_int_equal(keymap_by_name("nope"), ACT_NONE);
	assert_int_equal(keymap_lookup('m'), ACT_STAY);
	assert_int_equal(keymap_lookup('*'), ACT_TAG_ALL);
	assert_int_equal(keymap_lookup('z'), ACT_SCOPE);
}

static void test_no_key_twice(void **state)
{
	(void)state;
	size_t n;
	const keymap_entry *t = keymap_table(&n);
	assert_int_equal(n, ACT_COUNT - 1);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].action, (int)i + 1);
		for (int a = 0; a < 3; a++) {
			if (!t[i].keys[a])
				continue;
			for (size_t j = 0; j < n; j++)
				for (int b = 0; b < 3; b++)
					if ((i != j || a != b) && t[j].keys[b] == t[i].keys[a])
						fail_msg("key %d bound twice (%s, %s)", t[i].keys[a], t[i].name, t[j].name);
		}
	}
}

static void test_help(void **state)
{
	(void)state;
	char b[16];
	assert_string_equal(keymap_key_name(CTRL('R'), b), "^R");
	assert_string_equal(keymap_key_name(KEY_X_PGDN, b), "PgDn");
	assert_string_equal(keymap_key_name('j', b), "j");
	assert_string_equal(keymap_key_name(' ', b), "Space");
	/* each mode's help lists its own keys, with its own words */
	size_t n, all;
	const keymap_entry *t = keymap_table(&all);
	char **lines = keymap_help_lines(KM_TRIAGE, &n);
	size_t want = 0;
	for (size_t i = 0; i < all; i++)
		want += (t[i].modes & KM_TRIAGE) != 0;
	assert_int_equal(n, want);
	assert_true(n < all);
	assert_string_equal(lines[0], "  j Down           next row");
	bool confirm = false, redo = false;
	for (size_t i = 0; i < n; i++) {
		confirm |= !strcmp(lines[i], "  c                confirm the answer");
		redo |= !strcmp(lines[i], "  ^R               redo");
		assert_null(strstr(lines[i], "cannot decide")); /* an eval key */
		assert_null(strstr(lines[i], "Figure 4"));
		free(lines[i]);
	}
	free(lines);
	assert_true(confirm);
	assert_true(redo);
	lines = keymap_help_lines(KM_EVAL, &n);
	confirm = false;
	bool undecidable = false;
	for (size_t i = 0; i < n; i++) {
		confirm |= !strcmp(lines[i], "  c                label: the final answer is the truth");
		undecidable |= !strcmp(lines[i], "  x                label the domain \"cannot decide\"");
		assert_null(strstr(lines[i], "heuristic")); /* accept, reject: triage keys */
		assert_null(strstr(lines[i], "candidates only"));
		free(lines[i]);
	}
	free(lines);
	assert_true(confirm);
	assert_true(undecidable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_no_key_twice),
		cmocka_unit_test(test_help),
	};
	return cmocka_run_group_tests_name("keymap", tests, NULL, NULL);
}
