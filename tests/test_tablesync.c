/* tablesync: a snapshot's rows of a table brought to ours on a real SQLite
 * file, every delete and insert counted by temporary triggers: the first
 * write, a re-sync that writes nothing, a few rows rewritten exactly, many
 * rewritten whole, values of different types told apart, other snapshots'
 * and other groups' rows never touched, and errors that leave the
 * transaction to the caller's rollback. */
#include "testdb.h"
#include "mxray/tablesync.h"

/* t: an integer key and two columns of any type; s: the same with a NOT
 * NULL column; u: a two-column key (integer, text) and a float */
#define SCHEMA                                                                                            \
	"CREATE TABLE t(snap INTEGER NOT NULL, k INTEGER NOT NULL, a, b, PRIMARY KEY(snap, k)) WITHOUT ROWID;" \
	"CREATE INDEX t_a ON t(snap, a);"                                                                    \
	"CREATE TABLE s(snap INTEGER NOT NULL, k INTEGER NOT NULL, a NOT NULL, b,"                            \
	"  PRIMARY KEY(snap, k)) WITHOUT ROWID;"                                                             \
	"CREATE TABLE u(snap INTEGER NOT NULL, grp INTEGER NOT NULL, name TEXT NOT NULL, w REAL NOT NULL,"    \
	"  PRIMARY KEY(snap, grp, name)) WITHOUT ROWID;"                                                     \
	"CREATE TEMP TABLE writes(w TEXT);"

static const tablesync_table t_def = {"t", "snap, k, a, b", "k", "k = ?2", 1, NULL, "t_a", "t(snap, a)"};
static const tablesync_table s_def = {"s", "snap, k, a, b", "k", "k = ?2", 1, NULL, NULL, NULL};
static const tablesync_table u_def1 = {"u", "snap, grp, name, w", "grp, name", "grp = ?2 AND name = ?3", 2,
				       "grp = 1", NULL, NULL};
static const tablesync_table u_def0 = {"u", "snap, grp, name, w", "grp, name", "grp = ?2 AND name = ?3", 2,
				       "grp = 0", NULL, NULL};

static db_logfx *F;

/* Our rows: three columns after the snapshot id. */
typedef struct {
	int64_t snap;
	size_t n;
	tablesync_cell v[64][3];
} rows;

static tablesync_cell rows_get(const void *cx, size_t row, int col)
{
	const rows *r = cx;
	return col == 0 ? tablesync_int(r->snap) : r->v[row][col - 1];
}

static void add(rows *r, tablesync_cell x, tablesync_cell y, tablesync_cell z)
{
	assert_true(r->n < 64);
	r->v[r->n][0] = x;
	r->v[r->n][1] = y;
	r->v[r->n][2] = z;
	r->n++;
}

/* texts for column b: "v<i>" */
static char txt[64][16];

/* n rows of snapshot snap: keys 10, 20, ..., a = key * 2, b = "v<i>" */
static rows numbered(int64_t snap, size_t n)
{
	rows r = {snap, 0, {{{0}}}};
	for (size_t i = 0; i < n; i++) {
		int64_t k = (int64_t)(i + 1) * 10;
		add(&r, tablesync_int(k), tablesync_int(k * 2), tablesync_text(txt[i]));
	}
	return r;
}

/* the row of r with key k */
static tablesync_cell *row_of(rows *r, int64_t k)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i][0].i == k)
			return r->v[i];
	fail_msg("no row %lld", (long long)k);
	return NULL;
}

static int sync_rows(const tablesync_table *t, const rows *r, bool whole, char **err)
{
	tablesync_rows tr = {r->n, r, rows_get, NULL};
	return tablesync_run(F->st, r->snap, t, &tr, whole, err);
}

static void sync_ok(const tablesync_table *t, const rows *r, bool whole)
{
	char *err = NULL;
	int rc = sync_rows(t, r, whole, &err);
	if (rc < 0)
		fail_msg("tablesync: %s", err);
	assert_int_equal(rc, 0);
	assert_null(err);
}

/* Every delete ("-snap:key") and insert ("+snap:key") since the last
 * call, in the order they happened; free it. */
static char *writes(void)
{
	char *w = db_rows(F->st, "SELECT group_concat(w, ' ') FROM (SELECT w FROM writes ORDER BY rowid)");
	char *err = NULL;
	assert_int_equal(store_exec(F->st, "DELETE FROM writes", &err), 0);
	return w;
}

#define assert_writes(expect) do { char *w_ = writes(); assert_string_equal(w_, expect "\n"); free(w_); } while (0)

/* the count of writes since the last writes() of one kind ('-' or '+') and
 * snapshot */
static int64_t nwrites(char kind, int64_t snap)
{
	char *sql = xasprintf("SELECT count(*) FROM writes WHERE w LIKE '%c%lld:%%'", kind, (long long)snap);
	int64_t n = db_int(F->st, sql);
	free(sql);
	return n;
}

#define assert_rows(sql, expect) do { char *r_ = db_rows(F->st, sql); assert_string_equal(r_, expect); \
	free(r_); } while (0)

static int setup(void **state)
{
	(void)state;
	F = db_logfx_open();
	char *err = NULL;
	assert_int_equal(store_exec(F->st, SCHEMA, &err), 0);
	static const char *const tables[] = {"t", "s", "u"};
	for (size_t i = 0; i < 3; i++) {
		const char *knew = i == 2 ? "new.grp || '/' || new.name" : "new.k";
		const char *kold = i == 2 ? "old.grp || '/' || old.name" : "old.k";
		char *sql = xasprintf("CREATE TEMP TRIGGER %s_ins AFTER INSERT ON main.%s BEGIN"
				      " INSERT INTO writes VALUES('+' || new.snap || ':' || %s); END;"
				      "CREATE TEMP TRIGGER %s_del AFTER DELETE ON main.%s BEGIN"
				      " INSERT INTO writes VALUES('-' || old.snap || ':' || %s); END;",
				      tables[i], tables[i], knew, tables[i], tables[i], kold);
		assert_int_equal(store_exec(F->st, sql, &err), 0);
		free(sql);
	}
	for (int i = 0; i < 64; i++)
		snprintf(txt[i], sizeof txt[i], "v%d", i);
	assert_int_equal(tablesync_define(F->st, &err), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_logfx_close(F);
	return 0;
}

/* the first write: every row inserted, as given */
static void test_first_write(void **state)
{
	(void)state;
	rows r = {1, 0, {{{0}}}};
	add(&r, tablesync_int(1), tablesync_int(7), tablesync_text("x"));
	add(&r, tablesync_int(2), tablesync_null(), tablesync_text(""));
	add(&r, tablesync_int(5), tablesync_float(0.5), tablesync_int(-3));
	sync_ok(&t_def, &r, true);
	assert_writes("+1:1 +1:2 +1:5");
	assert_rows("SELECT snap, k, typeof(a), a, typeof(b), b FROM t ORDER BY 1, 2",
		    "1|1|integer|7|text|x\n1|2|null|NULL|text|\n1|5|real|0.5|integer|-3\n");
	/* the index rebuilt as it was (nothing else in the table) */
	assert_string_equal(db_text(F->st, "SELECT sql FROM sqlite_master WHERE name = 't_a'"),
			    "CREATE INDEX t_a ON t(snap, a)");
	assert_string_equal(db_text(F->st, "PRAGMA integrity_check"), "ok");
	/* no rows: nothing written either */
	rows none = {3, 0, {{{0}}}};
	sync_ok(&t_def, &none, false);
	assert_writes("NULL");
}

/* the same rows again: nothing written, whole or not */
static void test_resync_identical(void **state)
{
	(void)state;
	rows r = numbered(1, 40);
	row_of(&r, 30)[1] = tablesync_null();
	row_of(&r, 40)[2] = tablesync_float(2.5);
	sync_ok(&t_def, &r, true);
	assert_int_equal(nwrites('+', 1), 40);
	assert_int_equal(nwrites('-', 1), 0);
	free(writes());
	char *before = db_rows(F->st, "SELECT snap, k, quote(a), quote(b) FROM t ORDER BY 1, 2");
	sync_ok(&t_def, &r, true);
	sync_ok(&t_def, &r, false);
	assert_writes("NULL");
	assert_rows("SELECT snap, k, quote(a), quote(b) FROM t ORDER BY 1, 2", before);
	free(before);
	/* a one-row table too */
	rows one = {2, 0, {{{0}}}};
	add(&one, tablesync_int(1), tablesync_text("a"), tablesync_null());
	sync_ok(&t_def, &one, false);
	assert_writes("+2:1");
	sync_ok(&t_def, &one, false);
	assert_writes("NULL");
}

/* a few rows changed, added and removed (at most a quarter): exactly those
 * deleted, then exactly those inserted, in key order */
static void test_few_changes(void **state)
{
	(void)state;
	rows r = numbered(1, 40);
	sync_ok(&t_def, &r, true);
	free(writes());
	/* 40 rows: up to 10 deletes and inserts are written one by one */
	rows r2 = {1, 0, {{{0}}}};
	for (size_t i = 0; i < r.n; i++) {
		int64_t k = r.v[i][0].i;
		if (k == 70)
			continue; /* removed */
		add(&r2, r.v[i][0], r.v[i][1], r.v[i][2]);
		if (k == 150)
			add(&r2, tablesync_int(155), tablesync_int(1), tablesync_text("new"));
	}
	row_of(&r2, 30)[1] = tablesync_int(61);
	row_of(&r2, 100)[2] = tablesync_text("changed");
	r2.n--; /* the last, 400, removed */
	add(&r2, tablesync_int(410), tablesync_int(0), tablesync_text("last"));
	sync_ok(&t_def, &r2, true);
	assert_writes("-1:30 -1:70 -1:100 -1:400 +1:30 +1:100 +1:155 +1:410");
	assert_rows("SELECT k, a, b FROM t WHERE k IN (30, 70, 100, 150, 155, 160, 390, 400, 410) ORDER BY k",
		    "30|61|v2\n100|200|changed\n150|300|v14\n155|1|new\n160|320|v15\n390|780|v38\n410|0|last\n");
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t"), 40);
	/* exactly the limit (40 / 4 = 10): still one by one */
	rows r3 = r2;
	for (int64_t k = 10; k <= 50; k += 10)
		row_of(&r3, k)[1] = tablesync_int(-k);
	sync_ok(&t_def, &r3, true);
	assert_writes("-1:10 -1:20 -1:30 -1:40 -1:50 +1:10 +1:20 +1:30 +1:40 +1:50");
	assert_int_equal(db_int(F->st, "SELECT sum(a) FROM t WHERE k <= 50"), -150);
}

/* more than a quarter: the snapshot's rows deleted and all written again */
static void test_many_changes(void **state)
{
	(void)state;
	rows other = numbered(2, 30);
	sync_ok(&t_def, &other, true);
	rows r = numbered(1, 40);
	sync_ok(&t_def, &r, false);
	free(writes());
	char *before2 = db_rows(F->st, "SELECT * FROM t WHERE snap = 2 ORDER BY k");
	/* 6 of 40 rows changed: 12 writes, just over the limit of 10 (5 rows
	 * are written one by one: test_few_changes) */
	rows r2 = r;
	for (int64_t k = 10; k <= 60; k += 10)
		row_of(&r2, k)[2] = tablesync_text("w");
	sync_ok(&t_def, &r2, false);
	assert_int_equal(nwrites('-', 1), 40);
	assert_int_equal(nwrites('+', 1), 40);
	assert_int_equal(nwrites('-', 2), 0);
	assert_int_equal(nwrites('+', 2), 0);
	free(writes());
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t WHERE snap = 1 AND b = 'w'"), 6);
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t WHERE snap = 1"), 40);
	assert_rows("SELECT * FROM t WHERE snap = 2 ORDER BY k", before2);
	free(before2);
	/* the index dropped and built again (70 rows, 40 ours of them) */
	assert_string_equal(db_text(F->st, "SELECT sql FROM sqlite_master WHERE name = 't_a'"),
			    "CREATE INDEX t_a ON t(snap, a)");
	assert_string_equal(db_text(F->st, "PRAGMA integrity_check"), "ok");
	/* 3 rows of the 40 stored: all of snapshot 1's deleted */
	rows small = numbered(1, 3);
	sync_ok(&t_def, &small, false);
	assert_int_equal(nwrites('-', 1), 40);
	assert_int_equal(nwrites('+', 1), 3);
	assert_int_equal(nwrites('-', 2), 0);
	free(writes());
	/* none at all: the snapshot's rows gone */
	rows none = {1, 0, {{{0}}}};
	sync_ok(&t_def, &none, false);
	assert_writes("-1:10 -1:20 -1:30");
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t"), 30);
	/* whole: the caller says no other rows must stay, the table emptied */
	sync_ok(&t_def, &r, true);
	assert_int_equal(nwrites('-', 2), 30);
	assert_int_equal(nwrites('+', 1), 40);
	free(writes());
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t WHERE snap = 2"), 0);
}

/* values of different types always differ; equal values of one type never */
static void test_types(void **state)
{
	(void)state;
	rows r = numbered(1, 40);
	row_of(&r, 10)[1] = tablesync_null();     /* NULL -> 0 */
	row_of(&r, 20)[1] = tablesync_text("1");  /* '1' -> 1 */
	row_of(&r, 30)[1] = tablesync_int(2);     /* 2 -> 2.0 */
	row_of(&r, 40)[2] = tablesync_text("ab"); /* 'ab' -> 'abc' */
	row_of(&r, 50)[2] = tablesync_text("");   /* '' -> NULL */
	row_of(&r, 60)[1] = tablesync_float(1.5); /* the same: */
	row_of(&r, 70)[1] = tablesync_null();
	row_of(&r, 80)[2] = tablesync_text("");
	row_of(&r, 90)[2] = tablesync_text("a\xc3\xa9");
	sync_ok(&t_def, &r, true);
	free(writes());
	rows r2 = r;
	row_of(&r2, 10)[1] = tablesync_int(0);
	row_of(&r2, 20)[1] = tablesync_int(1);
	row_of(&r2, 30)[1] = tablesync_float(2.0);
	row_of(&r2, 40)[2] = tablesync_text("abc");
	row_of(&r2, 50)[2] = tablesync_null();
	row_of(&r2, 60)[1] = tablesync_float(1.5);
	row_of(&r2, 90)[2] = tablesync_text("a\xc3\xa9");
	sync_ok(&t_def, &r2, true);
	assert_writes("-1:10 -1:20 -1:30 -1:40 -1:50 +1:10 +1:20 +1:30 +1:40 +1:50");
	assert_rows("SELECT k, typeof(a), quote(a), typeof(b), quote(b) FROM t WHERE k <= 90 ORDER BY k",
		    "10|integer|0|text|'v0'\n20|integer|1|text|'v1'\n30|real|2.0|text|'v2'\n"
		    "40|integer|80|text|'abc'\n50|integer|100|null|NULL\n60|real|1.5|text|'v5'\n"
		    "70|null|NULL|text|'v6'\n80|integer|160|text|''\n90|integer|180|text|'a\xc3\xa9'\n");
	/* and back: each a change again */
	sync_ok(&t_def, &r, true);
	assert_writes("-1:10 -1:20 -1:30 -1:40 -1:50 +1:10 +1:20 +1:30 +1:40 +1:50");
	sync_ok(&t_def, &r, true);
	assert_writes("NULL");
}

/* a two-column key with text in SQLite's order (bytes: upper case first),
 * and `only`: the rows of group 0 are never read or written */
static void test_only_and_text_keys(void **state)
{
	(void)state;
	static const char *const first[] = {"Zed", "a", "a b", "ab", "b"}, *const last[] = {"zz", "\xc3\xa9t\xc3\xa9"};
	static char mid[20][16];
	const char *names[27];
	size_t nn = 0;
	for (size_t i = 0; i < 5; i++)
		names[nn++] = first[i];
	for (int i = 0; i < 20; i++) {
		snprintf(mid[i], sizeof mid[i], "n%02d", i);
		names[nn++] = mid[i];
	}
	names[nn++] = last[0];
	names[nn++] = last[1];
	rows g0 = {1, 0, {{{0}}}}, g1 = {1, 0, {{{0}}}}, s2 = {2, 0, {{{0}}}};
	for (size_t i = 0; i < nn; i++) {
		add(&g0, tablesync_int(0), tablesync_text(names[i]), tablesync_float(0.25 * (double)i));
		add(&s2, tablesync_int(1), tablesync_text(names[i]), tablesync_float(1));
	}
	for (size_t i = 0; i < nn; i++)
		add(&g1, tablesync_int(1), tablesync_text(names[i]), tablesync_float(1.0 / 3));
	sync_ok(&u_def0, &g0, false);
	sync_ok(&u_def1, &g1, false);
	sync_ok(&u_def1, &s2, false);
	assert_int_equal(nwrites('+', 1), 54);
	assert_int_equal(nwrites('+', 2), 27);
	free(writes());
	/* in SQLite's order already: nothing rewritten */
	sync_ok(&u_def1, &g1, false);
	sync_ok(&u_def0, &g0, false);
	sync_ok(&u_def1, &s2, false);
	assert_writes("NULL");
	char *keep = db_rows(F->st, "SELECT * FROM u WHERE NOT (snap = 1 AND grp = 1) ORDER BY 1, 2, 3");
	/* one weight changed, one name gone: only group 1 of snapshot 1 */
	rows g1b = {1, 0, {{{0}}}};
	for (size_t i = 0; i < nn; i++)
		if (i != 2)
			add(&g1b, tablesync_int(1), tablesync_text(names[i]), tablesync_float(i == 26 ? 0.5 : 1.0 / 3));
	sync_ok(&u_def1, &g1b, false);
	assert_writes("-1:1/a b -1:1/\xc3\xa9t\xc3\xa9 +1:1/\xc3\xa9t\xc3\xa9");
	/* many changed: group 1 of snapshot 1 written whole, nothing else */
	for (size_t i = 0; i < g1b.n; i++)
		g1b.v[i][2] = tablesync_float(2);
	sync_ok(&u_def1, &g1b, false);
	assert_int_equal(nwrites('-', 1), 26);
	assert_int_equal(nwrites('+', 1), 26);
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM writes WHERE w NOT LIKE '_1:1/%'"), 0);
	free(writes());
	assert_rows("SELECT * FROM u WHERE NOT (snap = 1 AND grp = 1) ORDER BY 1, 2, 3", keep);
	free(keep);
	assert_rows("SELECT count(*), sum(w), min(name), max(name) FROM u WHERE snap = 1 AND grp = 1",
		    "26|52.0|Zed|\xc3\xa9t\xc3\xa9\n");
}

/* errors: -1 with a message; the caller's transaction rolls back what the
 * call (and the caller) wrote */
static void test_errors(void **state)
{
	(void)state;
	char *err = NULL;
	/* the function is defined once per connection; again is a no-op */
	assert_int_equal(tablesync_define(F->st, &err), 0);
	assert_null(err);
	/* a missing table */
	rows r = numbered(1, 40);
	assert_int_equal(store_begin(F->st, &err), 0);
	sync_ok(&t_def, &r, true);
	static const tablesync_table missing = {"nosuch", "snap, k, a, b", "k", "k = ?2", 1, NULL, NULL, NULL};
	assert_int_equal(sync_rows(&missing, &r, false, &err), -1);
	assert_string_equal(err, "database error: no such table: nosuch");
	free(err);
	err = NULL;
	store_rollback(F->st);
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t"), 0);
	/* the connection and the function still work */
	assert_int_equal(store_begin(F->st, &err), 0);
	sync_ok(&t_def, &r, true);
	sync_ok(&s_def, &r, true);
	assert_int_equal(store_commit(F->st, &err), 0);
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM t"), 40);
	free(writes());
	char *before = db_rows(F->st, "SELECT snap, k, quote(a), quote(b) FROM s ORDER BY 1, 2");
	/* an insert that fails one by one (the diff path): the delete before
	 * it rolled back with it */
	rows bad = r;
	row_of(&bad, 200)[1] = tablesync_null();
	assert_int_equal(store_begin(F->st, &err), 0);
	assert_int_equal(sync_rows(&s_def, &bad, false, &err), -1);
	assert_string_equal(err, "database write failed: NOT NULL constraint failed: s.a");
	free(err);
	err = NULL;
	store_rollback(F->st);
	assert_rows("SELECT snap, k, quote(a), quote(b) FROM s ORDER BY 1, 2", before);
	/* ... and one of all rows (the whole path) */
	for (int64_t k = 10; k <= 400; k += 10)
		row_of(&bad, k)[1] = tablesync_null();
	assert_int_equal(store_begin(F->st, &err), 0);
	assert_int_equal(sync_rows(&s_def, &bad, true, &err), -1);
	assert_string_equal(err, "database write failed: NOT NULL constraint failed: s.a");
	free(err);
	err = NULL;
	store_rollback(F->st);
	assert_rows("SELECT snap, k, quote(a), quote(b) FROM s ORDER BY 1, 2", before);
	free(before);
	free(writes());
	/* a key condition that does not parse: the compare stands, the write
	 * fails */
	static const tablesync_table badmatch = {"t", "snap, k, a, b", "k", "k = = ?2", 1, NULL, NULL, NULL};
	rows r2 = r;
	row_of(&r2, 10)[1] = tablesync_int(5);
	assert_int_equal(store_begin(F->st, &err), 0);
	assert_int_equal(sync_rows(&badmatch, &r2, false, &err), -1);
	assert_string_equal(err, "database error: near \"=\": syntax error");
	free(err);
	store_rollback(F->st);
	assert_writes("NULL");
}

/* without tablesync_define on the connection: an error, not a crash */
static void test_undefined(void **state)
{
	(void)state;
	char *err = NULL;
	char *path = xstrdup(tmpdb());
	store *st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, SCHEMA, &err), 0);
	rows r = numbered(1, 4);
	tablesync_rows tr = {r.n, &r, rows_get, NULL};
	assert_int_equal(tablesync_run(st, 1, &t_def, &tr, true, &err), -1);
	assert_string_equal(err, "database error: no such function: mxray_tablesync_diff");
	free(err);
	err = NULL;
	assert_int_equal(tablesync_define(st, &err), 0);
	assert_int_equal(tablesync_run(st, 1, &t_def, &tr, true, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t"), 4);
	store_close(st);
	rmdb(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_few_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_and_text_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test(test_undefined),
	};
	return cmocka_run_group_tests_name("tablesync", tests, NULL, NULL);
}
