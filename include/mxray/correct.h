/* correct: analyst decisions (the correction table).  Append-only: a
 * decision is never edited or deleted; undo stamps undone_at.  Shared by
 * `mxray correct` and the review desk; every `infer` re-applies them. */
#ifndef MXRAY_CORRECT_H
#define MXRAY_CORRECT_H

#include <stdint.h>
#include <stdio.h>

#include "mxray/history.h"
#include "mxray/store.h"
#include "mxray/util.h"

typedef struct {
	const char *scope;       /* "domain", "mx" or "ip" */
	const char *key;         /* the domain, MX host or IP */
	const char *snapshot;    /* NULL: every snapshot */
	const char *verdict;     /* "confirm", "set" or "self" */
	const char *provider_id; /* for "set" */
	const char *analyst;
	const char *note;
} correct_req;

/* Who records a decision or a label when nobody said (--analyst, the
 * desk's): given when not empty, else $USER when not empty, else the
 * account's name (getpwuid), else "unknown".  Shared by correct, label
 * and the review desk. */
const char *correct_analyst(const char *given);
/* Validate and normalise (names lower-cased, trailing dot dropped), then
 * insert in its own transaction.  Returns the new id, or -1 with *err. */
int64_t correct_add(store *st, const correct_req *r, char **err);
/* The same for n requests in one transaction and one statement (the desk's
 * bulk decisions): all or none, request i's id into ids[i] (the rows are
 * written by scope and key, so ids need not rise with i).  Returns 0 or -1
 * with *err. */
int correct_add_many(store *st, const correct_req *r, size_t n, int64_t *ids, char **err);
/* A provider ID as a decision records it: the normalised name's
 * registered domain.  Returns 0, or -1 with *err. */
int correct_provider(const char *in, char out[MX_NAME_MAX + 2], char **err);
/* Mark decision `id` undone (once).  Returns 0 or -1 with *err. */
int correct_undo(store *st, int64_t id, const char *analyst, char **err);
/* Undo the undo: a new decision equal to `id` (history stays intact). */
int64_t correct_redo(store *st, int64_t id, char **err);
/* The table's undo and redo for many decisions at once (history.h). */
extern const history_table correct_history;

enum correct_format { CORRECT_TEXT, CORRECT_CSV };
/* The whole history, oldest first.  Returns rows printed or -1. */
int correct_list(store *st, FILE *out, enum correct_format fmt, char **err);

#endif
