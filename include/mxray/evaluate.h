/* evaluate: score the approaches on a labelled sample (the paper's
 * Figure 4).  A domain is correct when the set of its answers equals the
 * labelled set, companies compared where the knowledge base maps the ID
 * and provider IDs otherwise, case-insensitively. */
#ifndef MXRAY_EVALUATE_H
#define MXRAY_EVALUATE_H

#include <stdbool.h>
#include <stdio.h>

#include "mxray/store.h"

#define EVAL_APPROACHES 5   /* mx, cert, banner, priority, final */
extern const char *const eval_approach_names[EVAL_APPROACHES];

typedef struct {
	char sample[64];
	char snapshot[11];       /* the sample's snapshot */
	long sampled;            /* domains in the sample */
	long labelled;           /* with a label (cannot-decide included) */
	long undecidable;        /* labelled "cannot decide" */
	long examined;           /* the heuristics sent them to review (step 4) */
	long correct[EVAL_APPROACHES];
	bool mixed_runs;         /* set by the desk's chart: approaches from different runs */
} eval_result;

int eval_sample(store *st, const char *sample, eval_result *r, char **err);

/* Whether the answers eval_sample scored for r come from one consistent
 * inference run (runs.h: the same knowledge base digest, PSL source and
 * parameters for every approach; `infer --approach A` replaces only A's
 * and the final answers).  Returns 0 when they do.  When they do not:
 * with allow_mixed returns 1 and sets *note to a description of which
 * approach came from which run; without it returns -1 and sets *err to
 * the refusal, naming the runs.  -1 with *err on a database error too. */
int eval_check_runs(store *st, const eval_result *r, bool allow_mixed, char **note, char **err);

/* The one canonical form of an answer set (labels and the approaches'
 * answers alike): the tokens sorted case-insensitively, a token equal to
 * the one before it but for case dropped, joined with ';', and lower-cased
 * when fold (for comparing).  tok is sorted in place; returns a new string. */
char *eval_set_join(char **tok, size_t n, bool fold);

/* Whether an approach's answer set (as stored: ';'-joined companies or
 * provider IDs) equals a label: the comparison eval_sample scores by. */
bool eval_answer_matches(const char *answer, const char *label);

/* SQL columns over `sample_domain d` with the snapshot bound as ?2, shared
 * by eval_sample and the desk's eval mode so both judge alike:
 * EVAL_ANSWERS_SQL: the five approaches' answer sets (companies where the
 *   knowledge base has them, else provider IDs, joined by ';'), in
 *   eval_approach_names order;
 * EVAL_EXAMINED_SQL: whether a heuristic fired on a primary MX host of the
 *   domain (step 4 sent it to review; later analyst decisions do not
 *   change it). */
#define EVAL_ANSWER_SQL_(a)                                                                             \
	" (SELECT group_concat(coalesce(company, provider_id), ';') FROM result x WHERE x.snapshot = ?2" \
	"  AND x.approach = '" a "' AND x.domain = d.domain)"
#define EVAL_ANSWERS_SQL                                                                                \
	EVAL_ANSWER_SQL_("mx") "," EVAL_ANSWER_SQL_("cert") "," EVAL_ANSWER_SQL_("banner") ","          \
	EVAL_ANSWER_SQL_("priority") "," EVAL_ANSWER_SQL_("final")
#define EVAL_EXAMINED_SQL                                                                                \
	" EXISTS (SELECT 1 FROM f_primary_mx p JOIN f_host_ev h ON h.snap = p.snap AND h.host = p.host"  \
	"  WHERE p.snap = (SELECT id FROM snapshot WHERE date = ?2)"                                         \
	"  AND p.domain = (SELECT id FROM name WHERE name = d.domain) AND h.heuristic IS NOT NULL)"

enum eval_format { EVAL_TEXT, EVAL_CSV, EVAL_JSON };
void eval_print(FILE *out, const eval_result *r, size_t n, enum eval_format fmt);

#endif
