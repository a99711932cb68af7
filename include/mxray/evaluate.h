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
 *   knowledge base has them, else provider IDs, joined by ';' in the order
 *   of the IDs' name ids), in eval_approach_names order; the raw
 *   approaches' answers derived as the result view derives them (store.h);
 * EVAL_EXAMINED_SQL: whether a heuristic fired on a primary MX host of the
 *   domain (step 4 sent it to review; later analyst decisions do not
 *   change it). */
#define EVAL_SNAP_ "(SELECT id FROM snapshot WHERE date = ?2)"
#define EVAL_DOMAIN_ "(SELECT id FROM name WHERE name = d.domain)"
/* approach code a's provider IDs of the domain: stored rows, then (derived
 * non-empty) the derived ones; by integer keys, so one domain reads only its rows */
#define EVAL_ANSWER_SQL_(a, derived)                                                                          \
	" (SELECT group_concat(coalesce(c.company, v.name), ';') FROM (SELECT r.provider AS provider FROM f_result r" \
	"  WHERE r.snap = " EVAL_SNAP_ " AND r.approach = " a " AND r.domain = " EVAL_DOMAIN_ derived " ORDER BY 1) x" \
	"  CROSS JOIN name v ON v.id = x.provider LEFT JOIN f_company c ON c.snap = " EVAL_SNAP_                    \
	"  AND c.approach = " a " AND c.provider = x.provider)"
#define EVAL_DERIVED_(a)                                                                                     \
	" UNION SELECT " STORE_RAW_ID(a, "h") " FROM f_raw k JOIN f_primary_mx p ON p.snap = k.snap"               \
	"  JOIN f_host_ev h ON h.snap = p.snap AND h.host = p.host WHERE k.snap = " EVAL_SNAP_ " AND k.approach = " a \
	"  AND p.domain = " EVAL_DOMAIN_ " AND " STORE_RAW_ID(a, "h") " IS NOT NULL"
#define EVAL_RAW_SQL_(a) EVAL_ANSWER_SQL_(a, EVAL_DERIVED_(a))
#define EVAL_ANSWERS_SQL                                                                                 \
	EVAL_RAW_SQL_("0") "," EVAL_RAW_SQL_("1") "," EVAL_RAW_SQL_("2") "," EVAL_RAW_SQL_("3") ","          \
	EVAL_ANSWER_SQL_("4", "")
#define EVAL_EXAMINED_SQL                                                                                \
	" EXISTS (SELECT 1 FROM f_primary_mx p JOIN f_host_ev h ON h.snap = p.snap AND h.host = p.host"  \
	"  WHERE p.snap = (SELECT id FROM snapshot WHERE date = ?2)"                                         \
	"  AND p.domain = (SELECT id FROM name WHERE name = d.domain) AND h.heuristic IS NOT NULL)"

enum eval_format { EVAL_TEXT, EVAL_CSV, EVAL_JSON };
void eval_print(FILE *out, const eval_result *r, size_t n, enum eval_format fmt);

#endif
