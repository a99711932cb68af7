/* progress: a one-line progress bar on stderr, drawn only when stderr is a
 * terminal and at most ten times a second; stdout is never touched. */
#ifndef MXRAY_PROGRESS_H
#define MXRAY_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
	bool on;
	char label[64];
	uint64_t total;     /* bytes expected, 0 when unknown (a pipe) */
	uint64_t last_ns;
	int drawn;          /* width of the last drawn line */
} progress;

/* `enabled` false (or stderr not a terminal) makes every call a no-op. */
void progress_begin(progress *p, bool enabled, const char *label, uint64_t total_bytes);
/* Cheap to call often: draws only when 100 ms have passed (the first
 * call at once).  An empty unit draws no count: the label (and bar) only. */
void progress_update(progress *p, uint64_t bytes, uint64_t items, const char *unit);
void progress_end(progress *p);
/* A step of a longer job: the line drawn so far ended, p begun anew with
 * label (and total) and the label drawn at once, before the step's first
 * count: a step that counts nothing for seconds is not silent. */
void progress_step(progress *p, bool enabled, const char *label, uint64_t total);

#endif
