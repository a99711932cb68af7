/* layout: exact rectangles for wide, narrow, maximised and tiny screens,
 * and a split that follows what the evidence needs. */
#include "testutil.h"
#include "mxray/layout.h"

#define R(r, y_, x_, h_, w_) do { assert_int_equal((r).y, y_); assert_int_equal((r).x, x_); \
	assert_int_equal((r).h, h_); assert_int_equal((r).w, w_); } while (0)

static const int typical[LAYOUT_PANES] = {6, 8, 3, 7}; /* cert, smtp, mx, as lines */

static void test_wide(void **state)
{
	(void)state;
	layout l;
	layout_compute(200, 50, -1, typical, &l);
	assert_false(l.too_small);
	assert_true(l.wide);
	R(l.status, 49, 0, 1, 200);
	R(l.verdict, 47, 0, 2, 200);
	/* the panes need 9 rows (8 lines and a title; 12 in steps of 4): the
	 * queue gets the rest */
	R(l.list, 0, 0, 35, 200);
	R(l.pane[0], 35, 0, 12, 50);
	R(l.pane[1], 35, 50, 12, 50);
	R(l.pane[3], 35, 150, 12, 50);
	layout_compute(163, 40, -1, typical, &l); /* widths share the remainder */
	R(l.pane[0], 25, 0, 12, 41);
	R(l.pane[2], 25, 82, 12, 41);
	R(l.pane[3], 25, 123, 12, 40);
}

/* The 220x60: no longer 21 queue rows above 35 blank pane rows. */
static void test_adapts(void **state)
{
	(void)state;
	layout l;
	layout_compute(220, 60, -1, typical, &l);
	R(l.list, 0, 0, 43, 220);
	R(l.pane[0], 43, 0, 14, 55);
	/* a pane with much to show grows, up to two thirds of the body */
	const int tall[LAYOUT_PANES] = {40, 2, 2, 2};
	layout_compute(200, 50, -1, tall, &l);
	R(l.list, 0, 0, 15, 200);
	R(l.pane[0], 15, 0, 32, 50);
	/* nothing to show: panes keep a quarter of the body */
	layout_compute(200, 50, -1, NULL, &l);
	R(l.list, 0, 0, 36, 200);
	R(l.pane[2], 36, 100, 11, 50);
}

static void test_narrow_and_maximized(void **state)
{
	(void)state;
	layout l;
	layout_compute(120, 40, -1, typical, &l);
	assert_false(l.wide);
	R(l.list, 0, 0, 17, 120);
	R(l.pane[0], 17, 0, 9, 60);
	R(l.pane[1], 17, 60, 9, 60);
	R(l.pane[2], 26, 0, 11, 60);
	R(l.pane[3], 26, 60, 11, 60);
	R(l.verdict, 37, 0, 2, 120);
	/* maximised: the pane is read full screen, above the status line */
	layout_compute(120, 40, 2, typical, &l);
	R(l.pane[2], 0, 0, 39, 120);
	assert_int_equal(l.pane[0].h, 0);
	assert_int_equal(l.pane[3].h, 0);
	assert_int_equal(l.list.h, 0);
	assert_int_equal(l.verdict.h, 0);
	R(l.status, 39, 0, 1, 120);
	/* 80x24: the queue keeps a third, the AS pane's match line shows */
	layout_compute(80, 24, -1, typical, &l);
	assert_false(l.too_small);
	R(l.list, 0, 0, 7, 80);
	R(l.pane[3], 14, 40, 7, 40);
	assert_true(l.pane[3].h - 1 >= 2);
	/* a pair that needs more than its share gets a share in proportion */
	const int tall[LAYOUT_PANES] = {30, 2, 2, 2};
	layout_compute(120, 40, -1, tall, &l);
	R(l.list, 0, 0, 12, 120);
	R(l.pane[0], 12, 0, 22, 60);
	R(l.pane[2], 34, 0, 3, 60);
}

static void test_too_small(void **state)
{
	(void)state;
	layout l;
	layout_compute(79, 40, -1, typical, &l);
	assert_true(l.too_small);
	layout_compute(120, 23, -1, typical, &l);
	assert_true(l.too_small);
	layout_compute(0, 0, -1, NULL, &l);
	assert_true(l.too_small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_adapts),
		cmocka_unit_test(test_narrow_and_maximized),
		cmocka_unit_test(test_too_small),
	};
	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
