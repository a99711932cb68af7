/* evaluate: score the approaches on a labelled sample (the paper's
 * Figure 4).  A domain is correct when the set of its answers equals the
 * labelled set, companies compared where the knowledge base maps the ID
 * and provider IDs otherwise, case-insensitively. */
#ifndef MXRAY_EVALUATE_H
#define MXRAY_EVALUATE_H

#include <stdio.h>

#include "mxray/store.h"

#define EVAL_APPROACHES 5   /* mx, cert, banner, priority, final */
extern const char *const eval_approach_names[EVAL_APPROACHES];

typedef struct {
	char sample[64];
	long sampled;            /* domains in the sample */
	long labelled;           /* with a label (cannot-decide included) */
	long undecidable;        /* labelled "cannot decide" */
	long examined;           /* the heuristics sent them to review (step 4) */
	long correct[EVAL_APPROACHES];
} eval_result;

int eval_sample(store *st, const char *sample, eval_result *r, char **err);

enum eval_format { EVAL_TEXT, EVAL_CSV, EVAL_JSON };
void eval_print(FILE *out, const eval_result *r, size_t n, enum eval_format fmt);

#endif
