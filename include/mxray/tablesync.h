/* tablesync: bring one snapshot's rows of a stored table to a given set of
 * rows, writing as little as it can.  The rows are compared with the
 * stored ones, both in key order; when few differ (an infer run again
 * after one decision) only those are deleted and inserted, and a run with
 * nothing changed writes nothing at all (the table's pages and indexes are
 * left as they are); when many differ, or nothing is stored yet, the
 * snapshot's rows are deleted and every row is written again.  Either way
 * the snapshot's rows in the table end exactly the rows given.  Nothing
 * here knows what the tables mean: infer writes its result tables through
 * it.
 *
 * Contract:
 * - A table has a column `snap` (the snapshot id) first, then its key
 *   columns, then the rest; its primary key is (snap, key...).
 * - The caller runs it inside a transaction of its own (store_begin): the
 *   deletes and inserts of one table are not atomic by themselves.  On an
 *   error nothing is rolled back here; the transaction is left usable, for
 *   the caller's store_rollback.
 * - tablesync_define registers the SQL function "mxray_tablesync_diff" on
 *   the connection; it must have run once on the connection before
 *   tablesync_run.  The function stays defined until the connection is
 *   closed; calling tablesync_define again finds it and does nothing (a
 *   new definition would make SQLite prepare every statement again, and
 *   fails while a statement runs on the connection), so call it before
 *   the writes start.
 *   It is SQLITE_DIRECTONLY: views and triggers cannot call it.
 * Every function returns 0, or -1 with *err set to an allocated message. */
#ifndef MXRAY_TABLESYNC_H
#define MXRAY_TABLESYNC_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/progress.h"
#include "mxray/store.h"

/* SQL: whether a table keyed by snapshot has rows of another snapshot than
 * ?1 (two searches of its key, where `snap <> ?1` would read it all); for
 * a caller deciding `whole` (tablesync_run). */
#define TABLESYNC_OTHER_SNAP(table) \
	"(EXISTS (SELECT 1 FROM " table " WHERE snap < ?1) OR EXISTS (SELECT 1 FROM " table " WHERE snap > ?1))"

/* One value of one of our rows, as the table stores it.  Text is not
 * copied: it must live until tablesync_run returns.  Blobs are not
 * supported. */
typedef struct {
	int type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_NULL */
	sqlite3_int64 i;
	double f;
	const char *s;
} tablesync_cell;

static inline tablesync_cell tablesync_int(sqlite3_int64 v)
{
	return (tablesync_cell){SQLITE_INTEGER, v, 0, NULL};
}

static inline tablesync_cell tablesync_float(double v)
{
	return (tablesync_cell){SQLITE_FLOAT, 0, v, NULL};
}

/* text, or SQL NULL when s is NULL */
static inline tablesync_cell tablesync_text(const char *s)
{
	return (tablesync_cell){s ? SQLITE_TEXT : SQLITE_NULL, 0, 0, s};
}

static inline tablesync_cell tablesync_null(void)
{
	return (tablesync_cell){SQLITE_NULL, 0, 0, NULL};
}

/* Our rows of one table: n rows in the table's key order, get() the
 * value of column col of row `row`: col 0 the snapshot id, then the
 * table's columns in the order of tablesync_table.cols.  Key order is
 * SQLite's for key columns that each hold values of one type (integers by
 * value, text by its bytes); rows out of order, or keys of mixed types,
 * still end up stored, but more of them are written. */
typedef struct {
	size_t n;
	const void *ctx;
	tablesync_cell (*get)(const void *ctx, size_t row, int col);
	progress *pg; /* the rows SQLite takes counted there (every 16384), or NULL */
} tablesync_rows;

/* A table written through tablesync (SQL fragments; names only, never
 * data):
 * - table: its name;
 * - cols: its columns, comma-separated: "snap" first, then the key, then
 *   the rest (at most STORE_ROWS_COLS, the order of a tablesync_rows'
 *   columns);
 * - key: the key columns after snap, in order, as for ORDER BY;
 * - match: the key as an SQL condition on ?2, ?3, ... (e.g. "domain = ?2
 *   AND host = ?3"), which deletes one stored row;
 * - nkey: the number of key columns after snap;
 * - only: which of the snapshot's stored rows are ours to bring to the
 *   given ones (an SQL condition, e.g. "approach = 4"), or NULL for all;
 *   the others are never read or touched;
 * - index, index_on: a secondary index (its name, and "table(columns)"),
 *   or NULL: when every row is written again and ours outnumber the rows
 *   left in the table, it is dropped before the inserts and built again
 *   after them (one sort beats many random inserts). */
typedef struct {
	const char *table, *cols, *key, *match;
	int nkey;
	const char *only;
	const char *index, *index_on;
} tablesync_table;

/* Register the comparison's SQL function on st's connection (once; see
 * above). */
int tablesync_define(store *st, char **err);

/* Bring snapshot snap's rows of table t (those `only` selects) to rows.
 * When more than rows->n / 4 (rounded down) rows would be deleted or
 * inserted (so always when nothing is stored yet and there are rows), the
 * snapshot's rows (those `only` selects) are deleted and every row written
 * again; with `whole`, the caller's word that the table holds no other
 * rows that must stay (no other snapshot's: TABLESYNC_OTHER_SNAP, and none
 * outside `only`), that delete is of the whole table, which SQLite does
 * by dropping its pages.  Otherwise only the stored rows that differ from
 * ours in some column are deleted and ours that are not stored inserted:
 * values of two types always differ (NULL is not 0, the text "1" is not
 * the integer 1), text is compared by its bytes. */
int tablesync_run(store *st, int64_t snap, const tablesync_table *t, const tablesync_rows *rows, bool whole,
		  char **err);

#endif
