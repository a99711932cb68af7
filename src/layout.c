/* layout: pure screen geometry. */
#include "mxray/layout.h"

#include <string.h>

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int max2(int a, int b)
{
	return a > b ? a : b;
}

void layout_compute(int cols, int lines, int maximized, const int need[LAYOUT_PANES], layout *o)
{
	memset(o, 0, sizeof *o);
	if (cols < LAYOUT_MIN_COLS || lines < LAYOUT_MIN_LINES) {
		o->too_small = true;
		return;
	}
	o->wide = cols >= LAYOUT_WIDE_COLS;
	o->status = (rect){lines - 1, 0, 1, cols};
	if (maximized >= 0 && maximized < LAYOUT_PANES) {
		/* a pane read full screen: everything but the status line */
		o->pane[maximized] = (rect){0, 0, lines - 1, cols};
		return;
	}
	o->verdict = (rect){lines - 3, 0, 2, cols};
	int body = lines - 3;
	int n[LAYOUT_PANES] = {0, 0, 0, 0};
	if (need)
		memcpy(n, need, sizeof n);
	/* the panes' height: what their text needs (titles included), in
	 * steps of 4 rows so that the split does not twitch from row to row,
	 * at least a quarter of the body, at most what leaves the queue a
	 * third of it */
	int top = 1 + max2(n[0], n[1]), bottom = 1 + max2(n[2], n[3]);
	int want = o->wide ? 1 + max2(max2(n[0], n[1]), max2(n[2], n[3])) : top + bottom;
	want = (want + 3) / 4 * 4;
	int list_min = max2(LAYOUT_MIN_LIST, body / 3);
	int ph_max = body - list_min;
	int ph = clamp(want, clamp(max2(8, body / 4), 0, ph_max), ph_max);
	int lh = body - ph;
	o->list = (rect){0, 0, lh, cols};
	int py = lh;
	if (o->wide) {
		int w = cols / LAYOUT_PANES, extra = cols % LAYOUT_PANES, x = 0;
		for (int i = 0; i < LAYOUT_PANES; i++) {
			int pw = w + (i < extra ? 1 : 0);
			o->pane[i] = (rect){py, x, ph, pw};
			x += pw;
		}
		return;
	}
	/* two by two: the top pair gets what it needs when both pairs fit;
	 * else a pair that fits in half gets its need, the other the rest;
	 * else half each */
	int half = ph / 2;
	int th = top + bottom <= ph || top <= half ? top : bottom <= ph - half ? ph - bottom : half;
	th = clamp(th, 3, ph - 3);
	int hw = cols / 2;
	o->pane[0] = (rect){py, 0, th, hw};
	o->pane[1] = (rect){py, hw, th, cols - hw};
	o->pane[2] = (rect){py + th, 0, ph - th, hw};
	o->pane[3] = (rect){py + th, hw, ph - th, cols - hw};
}
