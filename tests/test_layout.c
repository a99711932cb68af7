/* layout: exact rectangles for wide, narrow, maximised and tiny screens. */
#include "testutil.h"
#include "mxray/layout.h"

#define R(r, y_, x_, h_, w_) do { assert_int_equal((r).y, y_); assert_int_equal((r).x, x_); \
	assert_int_equal((r).h, h_); assert_int_equal((r).w, w_); } while (0)

static void test_wide(void **state)
{
	(void)state;
	layout l;
	layout_compute(200, 50, -1, &l);
	assert_false(l.too_small);
	assert_true(l.wide);
	R(l.status, 49, 0, 1, 200);
	R(l.verdict, 47, 0, 2, 200);
	R(l.list, 0, 0, 18, 200);
	R(l.pane[0], 18, 0, 29, 50);
	R(l.pane[1], 18, 50, 29, 50);
	R(l.pane[3], 18, 150, 29, 50);
	layout_compute(163, 40, -1, &l); /* widths share the remainder */
	R(l.pane[0], 14, 0, 23, 41);
	R(l.pane[2], 14, 82, 23, 41);
	R(l.pane[3], 14, 123, 23, 40);
}

static void test_narrow_and_maximized(void **state)
{
	(void)state;
	layout l;
	layout_compute(120, 40, -1, &l);
	assert_false(l.wide);
	R(l.list, 0, 0, 12, 120);
	R(l.pane[0], 12, 0, 12, 60);
	R(l.pane[1], 12, 60, 12, 60);
	R(l.pane[2], 24, 0, 13, 60);
	R(l.pane[3], 24, 60, 13, 60);
	R(l.verdict, 37, 0, 2, 120);
	layout_compute(120, 40, 2, &l);
	R(l.pane[2], 12, 0, 25, 120);
	assert_int_equal(l.pane[0].h, 0);
	assert_int_equal(l.pane[3].h, 0);
	layout_compute(80, 24, -1, &l);
	assert_false(l.too_small);
	R(l.list, 0, 0, 7, 80);
	R(l.pane[3], 14, 40, 7, 40);
}

static void test_too_small(void **state)
{
	(void)state;
	layout l;
	layout_compute(79, 40, -1, &l);
	assert_true(l.too_small);
	layout_compute(120, 23, -1, &l);
	assert_true(l.too_small);
	layout_compute(0, 0, -1, &l);
	assert_true(l.too_small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_narrow_and_maximized),
		cmocka_unit_test(test_too_small),
	};
	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
