/* tablesync: a snapshot's rows of a table brought to a given set, writing
 * only what differs when little does (see tablesync.h). */
#include "mxray/tablesync.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

/* the SQL function's name, and the pointer type it takes */
#define DIFF_PTR "mxray_tablesync_diff"

static int dberr(store *st, const char *what, char **err)
{
	*err = store_db_error(store_db(st), what);
	return -1;
}

static sqlite3_stmt *prepare(store *st, const char *sql, char **err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		dberr(st, "database error", err);
		return NULL;
	}
	return s;
}

/* a statement whose ?1 is the snapshot id */
static sqlite3_stmt *prepare_snap(store *st, const char *sql, int64_t snap, char **err)
{
	sqlite3_stmt *s = prepare(st, sql, err);
	if (s)
		sqlite3_bind_int64(s, 1, snap);
	return s;
}

static void cell_result(tablesync_cell v, sqlite3_context *out)
{
	switch (v.type) {
	case SQLITE_INTEGER: sqlite3_result_int64(out, v.i); break;
	case SQLITE_FLOAT: sqlite3_result_double(out, v.f); break;
	case SQLITE_TEXT: sqlite3_result_text(out, v.s, -1, SQLITE_STATIC); break;
	default: sqlite3_result_null(out);
	}
}

/* rows as bulk rows (mxray_rows) */
/* Row `row` taken (its first column asked for): counted on the
 * progress line now and then. */
static void taken(const tablesync_rows *r, size_t row, int col)
{
	if (r->pg && col == 0 && (row & 16383) == 0)
		progress_update(r->pg, row, row, "rows");
}

static void rows_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	const tablesync_rows *r = cx;
	taken(r, row, col);
	cell_result(r->get(r->ctx, row, col), out);
}

/* A comparison of our rows with the stored ones, both in key order: which
 * of ours to write, which stored keys to delete (nkey values each), and
 * whether to give up and write everything (full). */
typedef struct {
	const tablesync_rows *ours;
	int nkey, ncol;
	size_t next; /* our first row not yet met */
	size_t limit;
	size_t *write, nwrite, capw;
	sqlite3_value **gone;
	size_t ngone, capg;
	bool full, oom;
} table_diff;

static void diff_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	const table_diff *d = cx;
	taken(d->ours, row, col);
	cell_result(d->ours->get(d->ours->ctx, d->write[row], col), out);
}

/* Our value against a stored one: -1, 0 or 1 (one order among values of
 * one type, the order of the table's keys; values of two types are
 * ordered by type). */
static int cell_cmp(tablesync_cell a, sqlite3_value *b)
{
	int tb = sqlite3_value_type(b);
	if (a.type != tb)
		return a.type < tb ? -1 : 1;
	if (tb == SQLITE_INTEGER) {
		sqlite3_int64 y = sqlite3_value_int64(b);
		return (a.i > y) - (a.i < y);
	}
	if (tb == SQLITE_FLOAT) {
		double y = sqlite3_value_double(b);
		return (a.f > y) - (a.f < y);
	}
	if (tb != SQLITE_TEXT)
		return tb == SQLITE_NULL ? 0 : -1; /* we have no blobs */
	const unsigned char *y = sqlite3_value_text(b);
	size_t nx = strlen(a.s), ny = (size_t)sqlite3_value_bytes(b);
	int r = nx && ny ? memcmp(a.s, y, nx < ny ? nx : ny) : 0;
	return r ? (r > 0) - (r < 0) : (nx > ny) - (nx < ny);
}

static void diff_write(table_diff *d, size_t row)
{
	if (d->nwrite == d->capw) {
		d->capw = d->capw ? d->capw * 2 : 1024;
		d->write = xrealloc(d->write, d->capw * sizeof *d->write);
	}
	d->write[d->nwrite++] = row;
}

static void diff_gone(table_diff *d, sqlite3_value **key)
{
	if (d->ngone == d->capg) {
		d->capg = d->capg ? d->capg * 2 : 1024;
		d->gone = xrealloc(d->gone, d->capg * (size_t)d->nkey * sizeof *d->gone);
	}
	sqlite3_value **v = d->gone + d->ngone++ * (size_t)d->nkey;
	for (int k = 0; k < d->nkey; k++)
		d->oom |= !(v[k] = sqlite3_value_dup(key[k]));
}

static void diff_free(table_diff *d)
{
	for (size_t i = 0; i < d->ngone * (size_t)d->nkey; i++)
		sqlite3_value_free(d->gone[i]);
	free(d->gone);
	free(d->write);
}

/* SQL function mxray_tablesync_diff(diff, column 1, ...): one stored row
 * met, in key order; our rows before its key are new, a row of ours with
 * its key is kept when every column is the same, a stored key we do not
 * have is deleted.  (Rows met out of order would only make more rows
 * written: the table still ends with ours.)  Sets full when more than the
 * limit would change. */
static void diff_row(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	table_diff *d = sqlite3_value_pointer(argv[0], DIFF_PTR);
	sqlite3_result_null(cx);
	if (!d || argc != d->ncol || d->full)
		return;
	const tablesync_rows *o = d->ours;
	int k = 1;
	while (d->next < o->n) {
		k = 0;
		for (int j = 1; j <= d->nkey && k == 0; j++)
			k = cell_cmp(o->get(o->ctx, d->next, j), argv[j]);
		if (k >= 0)
			break;
		diff_write(d, d->next++);
	}
	bool same = k == 0;
	for (int j = d->nkey + 1; j < d->ncol && same; j++)
		same = cell_cmp(o->get(o->ctx, d->next, j), argv[j]) == 0;
	if (k == 0 && !same)
		diff_write(d, d->next);
	if (!same)
		diff_gone(d, argv + 1);
	d->next += k == 0;
	d->full = d->nwrite + d->ngone > d->limit;
}

/* Compare our rows with the snapshot's stored ones (d->full: a full write
 * is the cheaper, as when nothing is stored or more than a quarter of our
 * rows would change).  0, or -1 on error. */
static int table_compare(store *st, int64_t snap, const tablesync_table *t, table_diff *d, char **err)
{
	strbuf sql;
	sb_init(&sql);
	const char *rest = strchr(t->cols, ','); /* the columns after snap */
	sb_addf(&sql, "SELECT " DIFF_PTR "(?2%s) FROM %s WHERE snap = ?1%s%s ORDER BY %s", rest ? rest : "", t->table,
		t->only ? " AND " : "", t->only ? t->only : "", t->key);
	sqlite3_stmt *s = prepare_snap(st, sql.data, snap, err);
	sb_free(&sql);
	if (!s)
		return -1;
	sqlite3_bind_pointer(s, 2, d, DIFF_PTR, NULL);
	int rc = SQLITE_DONE;
	while (!d->full && (rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	rc = d->full || rc == SQLITE_DONE ? 0 : dberr(st, "comparing results", err);
	sqlite3_finalize(s);
	/* our rows after the last stored key are new */
	if (rc == 0 && !d->full) {
		d->full = d->nwrite + d->ngone + (d->ours->n - d->next) > d->limit;
		while (!d->full && d->next < d->ours->n)
			diff_write(d, d->next++);
	}
	if (rc == 0 && d->oom) {
		*err = xstrdup("out of memory comparing results");
		rc = -1;
	}
	return rc;
}

/* The comparison's SQL function, on the connection once (defining it
 * again would make SQLite prepare every statement again, and fails while
 * one runs: the review desk runs infer on its own connection). */
int tablesync_define(store *st, char **err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT " DIFF_PTR "(NULL)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_finalize(s);
		return 0;
	}
	int rc = sqlite3_create_function_v2(db, DIFF_PTR, -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, diff_row, NULL,
					    NULL, NULL);
	return rc == SQLITE_OK ? 0 : dberr(st, "comparing results", err);
}

/* Every row of the snapshot's (whole: of the table's) deleted, then ours
 * written.  The secondary index, if any, is dropped and built again when
 * our rows are most of the table: a sort beats a million random inserts. */
static int table_write_all(store *st, int64_t snap, const tablesync_table *t, const char *insert,
			   const tablesync_rows *rows, bool whole, char **err)
{
	strbuf sql;
	sb_init(&sql);
	if (whole)
		sb_addf(&sql, "DELETE FROM %s", t->table);
	else
		sb_addf(&sql, "DELETE FROM %s WHERE snap = ?1%s%s", t->table, t->only ? " AND " : "", t->only ? t->only : "");
	sqlite3_stmt *s = prepare_snap(st, sql.data, snap, err);
	int rc = !s ? -1 : sqlite3_step(s) == SQLITE_DONE ? 0 : dberr(st, "clearing old results", err);
	sqlite3_finalize(s);
	bool rebuild = false;
	if (rc == 0 && t->index) {
		sb_clear(&sql);
		sb_addf(&sql, "SELECT count(*) FROM %s", t->table);
		s = prepare(st, sql.data, err);
		if (s && sqlite3_step(s) == SQLITE_ROW)
			rebuild = (size_t)sqlite3_column_int64(s, 0) < rows->n;
		else
			rc = s ? dberr(st, "counting rows", err) : -1;
		sqlite3_finalize(s);
		sb_clear(&sql);
		sb_addf(&sql, "DROP INDEX IF EXISTS %s", t->index);
		if (rebuild && store_exec(st, sql.data, err) < 0)
			rc = -1;
	}
	s = rc ? NULL : prepare(st, insert, err);
	store_rows bulk = {rows->n, (void *)rows, rows_column};
	if (s) {
		store_bind_rows(s, 1, &bulk);
		if (store_step_bulk(st, s, err) < 0)
			rc = -1;
		sqlite3_finalize(s);
	} else {
		rc = -1;
	}
	if (rc == 0 && rebuild) {
		sb_clear(&sql);
		sb_addf(&sql, "CREATE INDEX %s ON %s", t->index, t->index_on);
		if (store_build_index(st, sql.data, false, err) < 0)
			rc = -1;
	}
	sb_free(&sql);
	return rc;
}

/* Only what differs: the stored rows that are not ours deleted, ours that
 * are not stored written. */
static int table_write_diff(store *st, int64_t snap, const tablesync_table *t, const char *insert, table_diff *d,
			    char **err)
{
	char *sql = xasprintf("DELETE FROM %s WHERE snap = ?1 AND %s", t->table, t->match);
	sqlite3_stmt *s = prepare_snap(st, sql, snap, err);
	free(sql);
	int rc = s ? 0 : -1;
	for (size_t i = 0; i < d->ngone && rc == 0; i++) {
		sqlite3_reset(s);
		for (int k = 0; k < d->nkey; k++)
			sqlite3_bind_value(s, k + 2, d->gone[i * (size_t)d->nkey + (size_t)k]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = dberr(st, "writing results", err);
	}
	sqlite3_finalize(s);
	if (rc < 0 || d->nwrite == 0)
		return rc;
	s = prepare(st, insert, err);
	store_rows sub = {d->nwrite, d, diff_column};
	if (!s)
		return -1;
	store_bind_rows(s, 1, &sub);
	if (store_step_bulk(st, s, err) < 0)
		rc = -1;
	sqlite3_finalize(s);
	return rc;
}

int tablesync_run(store *st, int64_t snap, const tablesync_table *t, const tablesync_rows *rows, bool whole,
		  char **err)
{
	int ncol = 1;
	for (const char *p = t->cols; *p; p++)
		ncol += *p == ',';
	strbuf ins;
	sb_init(&ins);
	sb_addf(&ins, "INSERT INTO %s(%s) SELECT c0", t->table, t->cols);
	for (int j = 1; j < ncol; j++)
		sb_addf(&ins, ", c%d", j);
	sb_adds(&ins, " FROM mxray_rows(?1)");
	table_diff d = {.ours = rows, .nkey = t->nkey, .ncol = ncol, .limit = rows->n / 4};
	int rc = table_compare(st, snap, t, &d, err);
	if (rc == 0)
		rc = d.full ? table_write_all(st, snap, t, ins.data, rows, whole, err)
			    : table_write_diff(st, snap, t, ins.data, &d, err);
	diff_free(&d);
	sb_free(&ins);
	return rc;
}
