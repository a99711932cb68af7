/* history: undo and redo over an append-only table, by many ids at once. */
#include "mxray/history.h"
#include "mxray/util.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
	const int64_t *ids;
} idrows;

static void id_column(void *ctx, size_t row, int col, sqlite3_context *out)
{
	const idrows *r = ctx;
	if (col == 0)
		sqlite3_result_int64(out, r->ids[row]);
	else
		sqlite3_result_int64(out, (sqlite3_int64)row);
}

/* Why ids cannot all be undone (undo) or copied (redo): the first that is
 * missing, or already undone.  Sets *err; returns -1. */
static int refuse(store *st, const history_table *t, const int64_t *ids, size_t n, bool undo, store_rows *rows,
		  char **err)
{
	sqlite3_stmt *s = store_prepare(st, t->state_sql, err);
	if (!s)
		return -1;
	store_bind_rows(s, 1, rows);
	/* ids the table lacks come back with exists 0, in step order */
	int rc;
	char *why = NULL;
	while (!why && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(s, 0);
		if (!sqlite3_column_int(s, 1))
			why = xasprintf("there is no %s #%lld", t->noun, id);
		else if (undo && sqlite3_column_int(s, 2))
			why = xasprintf("%s #%lld is already undone", t->noun, id);
	}
	if (!why && rc != SQLITE_DONE) /* a read error is that, not "could not be undone" */
		why = store_db_error(store_db(st), "database error");
	sqlite3_reset(s);
	if (!why)
		why = xasprintf("%zu %ss could not be %s", n, t->noun, undo ? "undone" : "redone");
	(void)ids;
	*err = why;
	return -1;
}

void history_trusted_write(store *st, bool on)
{
	sqlite3_exec(store_db(st), on ? "PRAGMA ignore_check_constraints = ON" : "PRAGMA ignore_check_constraints = OFF",
		     NULL, NULL, NULL);
}

int history_stamp(store *st, char buf[32], char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(buf, 32, "%s", (const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return store_read_done(st, s, rc, err);
}

/* In one transaction (left open for the caller to commit): run the
 * undo or redo statement over ids, binding who (undo only) and the time.
 * Every id must change exactly one row, else nothing is kept and the
 * refusal says which.  -1 with the transaction rolled back. */
static int step_ids(store *st, const history_table *t, bool undo, const int64_t *ids, size_t n, const char *who,
		    char **err)
{
	idrows ir = {ids};
	store_rows rows = {n, &ir, id_column};
	char at[32];
	if (history_stamp(st, at, err) < 0 || store_begin(st, err) < 0)
		return -1;
	/* a redo copies rows that passed the table's CHECKs when written */
	if (!undo)
		history_trusted_write(st, true);
	sqlite3_stmt *s = store_prepare(st, undo ? t->undo_sql : t->redo_sql, err);
	int64_t done = -1;
	if (s) {
		store_bind_rows(s, 1, &rows);
		if (undo)
			store_bind_text(s, 2, who);
		store_bind_text(s, undo ? 3 : 2, at);
		done = store_step_bulk(st, s, err);
	}
	if (!undo)
		history_trusted_write(st, false);
	if (done < 0 || (size_t)done != n) {
		store_rollback(st);
		/* a row missing, undone already, or listed twice: say which */
		return done < 0 ? -1 : refuse(st, t, ids, n, undo, &rows, err);
	}
	return 0;
}

static int commit(store *st, char **err)
{
	if (store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int history_undo(store *st, const history_table *t, const int64_t *ids, size_t n, const char *who, char **err)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] <= 0) {
			*err = xasprintf("%s #%lld is out of range: %s numbers start at 1", t->noun, (long long)ids[i],
					 t->noun);
			return -1;
		}
	if (n == 0)
		return 0;
	if (step_ids(st, t, true, ids, n, who, err) < 0)
		return -1;
	return commit(st, err);
}

int history_redo(store *st, const history_table *t, const int64_t *ids, size_t n, int64_t *out, char **err)
{
	if (n == 0)
		return 0;
	if (step_ids(st, t, false, ids, n, NULL, err) < 0)
		return -1;
	/* one statement inserting n rows in step order: their rowids are the
	 * n after the largest (INTEGER PRIMARY KEY, no row above the last) */
	int64_t last = sqlite3_last_insert_rowid(store_db(st));
	for (size_t i = 0; i < n; i++)
		out[i] = last - (int64_t)(n - 1 - i);
	return commit(st, err);
}
