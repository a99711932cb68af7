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
	const char *sample;  /* eval mode: label this sample; NULL: triage */
	double t0;           /* monotonic seconds when the command started */
} review_opts;

/* With MXRAY_REVIEW_TRACE=FILE the desk appends timings to FILE:
 * "first-screen MS" once, then "key NAME MS" per key (read to drawn).
 * make bench uses it to measure the desk on a million domains. */
double review_clock(void);

/* Run the desk until the analyst quits.  Returns 0, or -1 with *err (the
 * terminal is restored first). */
int review_run(store *st, const review_opts *o, char **err);

#endif
