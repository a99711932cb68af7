/* layout: pure screen geometry. */
#include "mxray/layout.h"

#include <string.h>

void layout_compute(int cols, int lines, int maximized, layout *o)
{
	memset(o, 0, sizeof *o);
	if (cols < LAYOUT_MIN_COLS || lines < LAYOUT_MIN_LINES) {
		o->too_small = true;
		return;
	}
	o->wide = cols >= LAYOUT_WIDE_COLS;
	o->status = (rect){lines - 1, 0, 1, cols};
	o->verdict = (rect){lines - 3, 0, 2, cols};
	int body = lines - 3;
	int lh = o->wide ? body * 2 / 5 : body / 3;
	if (lh < 6)
		lh = 6;
	o->list = (rect){0, 0, lh, cols};
	int py = lh, ph = body - lh;
	if (maximized >= 0 && maximized < LAYOUT_PANES) {
		o->pane[maximized] = (rect){py, 0, ph, cols};
		return;
	}
	if (o->wide) {
		int w = cols / LAYOUT_PANES, extra = cols % LAYOUT_PANES, x = 0;
		for (int i = 0; i < LAYOUT_PANES; i++) {
			int pw = w + (i < extra ? 1 : 0);
			o->pane[i] = (rect){py, x, ph, pw};
			x += pw;
		}
		return;
	}
	int hw = cols / 2, top = ph / 2;
	o->pane[0] = (rect){py, 0, top, hw};
	o->pane[1] = (rect){py, hw, top, cols - hw};
	o->pane[2] = (rect){py + top, 0, ph - top, hw};
	o->pane[3] = (rect){py + top, hw, ph - top, cols - hw};
}
