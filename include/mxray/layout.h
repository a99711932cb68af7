/* layout: the review desk's screen as one pure function, size in,
 * rectangles out.  Wide terminals (160 columns or more) put the four
 * evidence panes in one row under the queue; narrower ones stack them two
 * by two.  The split follows what the current row's evidence needs: the
 * panes get the rows their text takes (within a quarter and two thirds of
 * the screen), the queue the rest.  A maximised pane is read full screen.
 * Below 80x24 the desk shows "terminal too small". */
#ifndef MXRAY_LAYOUT_H
#define MXRAY_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 80
#define LAYOUT_MIN_LINES 24
#define LAYOUT_WIDE_COLS 160
#define LAYOUT_PANES 4
#define LAYOUT_MIN_LIST 6     /* the queue's header and five rows */

typedef struct {
	int y, x, h, w;
} rect;

typedef struct {
	bool too_small;
	bool wide;
	rect list;                 /* the queue, with its header line */
	rect pane[LAYOUT_PANES];   /* cert, smtp, mx, as; h == 0 when hidden */
	rect verdict;              /* what the heuristic said, the decision (2 lines; h == 0 when hidden) */
	rect status;               /* the status / prompt line */
} layout;

/* maximized: -1, or the pane (0-3) read full screen (all but the status
 * line; no queue, no verdict).  need: the lines of text each pane holds
 * (NULL: none known). */
void layout_compute(int cols, int lines, int maximized, const int need[LAYOUT_PANES], layout *out);

#endif
