/* review: the ncurses review desk (ui/).  It draws the model of desk.h and
 * feeds it keys; it never touches SQL itself. */
#ifndef MXRAY_REVIEW_H
#define MXRAY_REVIEW_H

#include "mxray/kb.h"
#include "mxray/store.h"

typedef struct {
	const char *snapshot;
	const char *analyst;
	unsigned threshold;
	const kb *kb;
} review_opts;

/* Run the desk until the analyst quits.  Returns 0, or -1 with *err (the
 * terminal is restored first). */
int review_run(store *st, const review_opts *o, char **err);

#endif
