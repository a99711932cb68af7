/* history: undo and redo on the append-only tables (the analyst's
 * decisions in `correction`, the labels in `label`).  A row is never edited
 * or deleted: undo stamps its undone_at (and who undid it, where the table
 * keeps that), redo appends a copy of the row under a new id, so the whole
 * history stays.  One implementation for both tables and for any number of
 * rows at once (a bulk step of the desk is undone whole or not at all). */
#ifndef MXRAY_HISTORY_H
#define MXRAY_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/store.h"

/* A table with undo: its noun for messages and its statements.  Each
 * statement takes the ids from mxray_rows(?1) (c0 the id; the row's rowid,
 * also c1, its place in the step); undo binds who undid it (or NULL) as ?2 and the time stamp as
 * ?3, redo the time stamp as ?2. */
typedef struct {
	const char *noun;        /* "decision", "label" */
	const char *state_sql;   /* one row per id: id, whether it exists, whether it is undone */
	const char *undo_sql;    /* stamps every listed row not undone yet */
	const char *redo_sql;    /* copies every listed row, in step order */
} history_table;

/* Whether SQLite checks the table's CHECK constraints on the writes
 * prepared (or re-prepared: a change expires every prepared statement)
 * from now on: off (on = true) only around a write of rows checked in C
 * already, or of copies of stored rows.  SQLite evaluates the correction
 * table's "scope IN (...)" and "verdict IN (...)" by building a small table
 * for every row written, three quarters of the time of a bulk decision. */
void history_trusted_write(store *st, bool on);

/* The time stamp rows of these tables get: UTC with milliseconds,
 * "2021-06-08T12:00:00.000Z" (one per statement, not per row). */
int history_stamp(store *st, char buf[32], char **err);

/* Undo rows ids[0..n): all of them in one transaction, or none, with *err
 * naming the first that cannot be ("there is no decision #7", "decision #7
 * is already undone").  Returns 0 or -1. */
int history_undo(store *st, const history_table *t, const int64_t *ids, size_t n, const char *who, char **err);

/* Redo rows ids[0..n): new copies, their ids into out[0..n) in the same
 * order; all or none.  Returns 0 or -1 with *err. */
int history_redo(store *st, const history_table *t, const int64_t *ids, size_t n, int64_t *out, char **err);

#endif
