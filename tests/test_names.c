/* names: the name table cache (references, ids in name order at flush,
 * reopening) and the store's bulk rows (mxray_rows). */
#include "testdb.h"
#include "mxray/names.h"

/* A new in-memory store and its name cache. */
static names *open_names(store **st)
{
	char *err = NULL;
	*st = store_open(":memory:", &err);
	assert_non_null(*st);
	names *n = names_open(*st, &err);
	assert_non_null(n);
	return n;
}

static void test_ids_in_name_order(void **state)
{
	(void)state;
	char *err = NULL;
	store *st;
	names *n = open_names(&st);
	uint32_t c = names_ref(n, "c.example"), a = names_ref(n, "a.example"), b = names_ref(n, "b.example");
	assert_int_equal(names_ref(n, "a.example"), a); /* the same reference again */
	assert_int_equal(names_flush(n, st, &err), 0);
	/* ids follow the names' order, not the order they were seen */
	assert_int_equal(names_dbid(n, a), 1);
	assert_int_equal(names_dbid(n, b), 2);
	assert_int_equal(names_dbid(n, c), 3);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), 3);
	assert_string_equal(db_text(st, "SELECT group_concat(name, ' ') FROM (SELECT name FROM name ORDER BY id)"),
			    "a.example b.example c.example");
	/* a second flush gives new names the next ids, old ones keep theirs */
	uint32_t z = names_ref(n, "0.example"), a2 = names_ref(n, "a.example");
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(names_dbid(n, z), 4);
	assert_int_equal(names_dbid(n, a2), 1);
	assert_int_equal(names_flush(n, st, &err), 0); /* nothing new: nothing written */
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), 4);
	names_free(n);
	/* reopened: the stored names have their ids, new ones come after */
	n = names_open(st, &err);
	assert_non_null(n);
	uint32_t b3 = names_ref(n, "b.example"), d = names_ref(n, "d.example");
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(names_dbid(n, b3), 2);
	assert_int_equal(names_dbid(n, d), 5);
	names_free(n);
	store_close(st);
}

/* names_ref_many: the references of one names_ref each, new ones given
 * ids at the flush like any */
static void test_ref_many(void **state)
{
	(void)state;
	char *err = NULL;
	store *st;
	names *n = open_names(&st);
	uint32_t b = names_ref(n, "b.example");
	assert_int_equal(names_flush(n, st, &err), 0);
	const char *batch[] = {"c.example", "b.example", "a.example", "c.example"};
	uint32_t ref[4];
	names_ref_many(n, batch, 4, ref);
	assert_int_equal(ref[1], b);
	assert_int_equal(ref[3], ref[0]);
	assert_int_equal(names_ref(n, "a.example"), ref[2]);
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(names_dbid(n, b), 1);
	assert_int_equal(names_dbid(n, ref[2]), 2); /* a: in name order after the stored b */
	assert_int_equal(names_dbid(n, ref[0]), 3);
	assert_string_equal(db_text(st, "SELECT group_concat(name, ' ') FROM (SELECT name FROM name ORDER BY id)"),
			    "b.example a.example c.example");
	names_ref_many(n, batch, 0, ref); /* nothing */
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), 3);
	names_free(n);
	store_close(st);
}

/* another connection stores names between two flushes: names_sync loads
 * them, so that a name is never given a second id (two imports at once) */
static void test_sync_after_another_writer(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path = tmpdb();
	store *st = store_open(path, &err);
	assert_non_null(st);
	names *n = names_open(st, &err);
	assert_non_null(n);
	names_ref(n, "a.example");
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(names_sync(n, st, &err), 0); /* its own write: no reload */
	store *other = store_open(path, &err);
	assert_non_null(other);
	assert_int_equal(store_exec(other, "INSERT INTO name(id, name) VALUES(2, 'b.example')", &err), 0);
	store_close(other);
	assert_int_equal(names_sync(n, st, &err), 0);
	uint32_t b = names_ref(n, "b.example"), c = names_ref(n, "c.example");
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(names_dbid(n, b), 2); /* the other's id, not a new one */
	assert_int_equal(names_dbid(n, c), 3);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), 3);
	/* a name referenced but not flushed when the table changed is an error, not a duplicate */
	names_ref(n, "d.example");
	other = store_open(path, &err);
	assert_non_null(other);
	assert_int_equal(store_exec(other, "INSERT INTO name(id, name) VALUES(9, 'e.example')", &err), 0);
	store_close(other);
	assert_int_equal(names_sync(n, st, &err), -1);
	assert_non_null(strstr(err, "unsaved names"));
	free(err);
	names_free(n);
	store_close(st);
	rmdb(path);
}

/* the sort's eight-byte prefixes: an empty name (a shift by 64 before,
 * found by clang's analyzer), shorter names and exactly eight bytes */
static void test_short_names_in_order(void **state)
{
	(void)state;
	char *err = NULL;
	store *st;
	names *n = open_names(&st);
	const char *in[] = {"abcdefghi", "", "abcdefgh", "a", "abcdefgg", "ab"};
	for (size_t i = 0; i < sizeof in / sizeof *in; i++)
		names_ref(n, in[i]);
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_string_equal(db_text(st, "SELECT group_concat(quote(name), ' ') FROM (SELECT name FROM name ORDER BY id)"),
			    "'' 'a' 'ab' 'abcdefgg' 'abcdefgh' 'abcdefghi'");
	names_free(n);
	store_close(st);
}

/* a flush of the empty name alone (a block of names with no bytes):
 * stored as '', not NULL */
static void test_empty_name_alone(void **state)
{
	(void)state;
	char *err = NULL;
	store *st;
	names *n = open_names(&st);
	uint32_t e = names_ref(n, "");
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(names_dbid(n, e), 1);
	assert_string_equal(db_text(st, "SELECT quote(name) FROM name WHERE id = 1"), "''");
	names_free(n);
	store_close(st);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names sharing their first 8 and 16 bytes (the sort's second eight
 * bytes and its strcmp on ties), of lengths about 8, 16 and 24, bytes
 * above 0x7f: ids in strcmp order, each name stored whole and with its
 * length, in the rebuilt flush and in the kept one */
static void test_shared_prefixes_in_order(void **state)
{
	(void)state;
	char *err = NULL;
	store *st;
	names *n = open_names(&st);
	const char *stem[] = {"mail.cit", "mail.cityofsprin", "mail.cityofsprinGfield", "x"};
	const char tail[] = {'a', 'b', '\xc3', '\x7f', '.', 'A'};
	enum { MAXN = 4 * 6 * 6 * 6 * 2 };
	char *all[MAXN];
	size_t nall = 0, nfirst = 0;
	uint32_t seen = 0;
	for (int half = 0; half < 2; half++) {
		for (size_t a = 0; a < 4; a++)
			for (size_t b = 0; b < 6; b++)
				for (size_t c = 0; c < 6; c++)
					for (size_t d = 0; d < 6; d++) {
						if (((a + b + c + d) % 3 == 0) != (half == 1))
							continue; /* a third in the second flush */
						char buf[64];
						size_t len = (size_t)snprintf(buf, sizeof buf, "%s%c%c", stem[a], tail[b], tail[c]);
						if (d > 0) /* a third byte, or none */
							buf[len++] = tail[d];
						buf[len] = '\0';
						uint32_t r = names_ref(n, buf);
						assert_int_equal(r, seen++);
						all[nall++] = xstrdup(buf);
					}
		assert_int_equal(names_flush(n, st, &err), 0); /* rebuilt, then kept up */
		if (!half)
			nfirst = nall;
	}
	qsort(all, nall, sizeof *all, cmp_str);
	/* every name once, with the id its reference maps to */
	sqlite3_stmt *s = store_prepare(st, "SELECT id, name, length(CAST(name AS BLOB)) FROM name ORDER BY name", &err);
	assert_non_null(s);
	for (size_t i = 0; i < nall; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 1), all[i]);
		assert_int_equal(sqlite3_column_int64(s, 2), (int64_t)strlen(all[i]));
		uint32_t r = names_ref(n, all[i]);
		assert_int_equal(names_dbid(n, r), sqlite3_column_int64(s, 0));
	}
	assert_int_equal(store_read_done(st, s, sqlite3_step(s), &err), 0);
	/* within each flush, ids follow strcmp */
	char *q = xasprintf("SELECT count(*) FROM name a JOIN name b ON b.id = a.id + 1"
			    " WHERE a.id != %zu AND a.name >= b.name",
			    nfirst);
	assert_int_equal(db_int(st, q), 0);
	free(q);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), (int64_t)nall);
	assert_true(nfirst > 2 * (nall - nfirst) - 10 && nfirst < nall);
	for (size_t i = 0; i < nall; i++)
		free(all[i]);
	names_free(n);
	store_close(st);
}

/* a flush of more names than the one block the flush copies them into
 * at a time (4096): every name stored whole, with its length, ids in
 * strcmp order across the blocks' edges; names of 0 to 40 bytes, some
 * sharing long prefixes */
static void test_many_names_in_blocks(void **state)
{
	(void)state;
	char *err = NULL;
	store *st;
	names *n = open_names(&st);
	enum { COUNT = 3 * 4096 + 17 };
	char **all = xcalloc(COUNT, sizeof *all);
	uint32_t *ref = xcalloc(COUNT, sizeof *ref);
	uint32_t x = 12345;
	for (size_t i = 0; i < COUNT; i++) {
		x = x * 1103515245u + 12345u;
		size_t len = (x >> 8) % 41;
		char buf[64];
		/* a unique tail after a shared or a random stem */
		int at = snprintf(buf, sizeof buf, "%s%zu.", i % 3 ? "mail.cityofspringfield-" : "", i);
		for (size_t j = (size_t)at; j < len; j++) {
			x = x * 1103515245u + 12345u;
			buf[j] = (char)('a' + (x >> 16) % 26);
		}
		buf[len > (size_t)at ? len : (size_t)at] = '\0';
		all[i] = xstrdup(buf);
		ref[i] = names_ref(n, all[i]);
		assert_int_equal(ref[i], i);
	}
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), COUNT);
	for (size_t i = 0; i < COUNT; i++) {
		char *q = xasprintf("SELECT count(*) FROM name WHERE id = %lld AND name = '%s' AND length(CAST(name AS BLOB)) = %zu",
				    (long long)names_dbid(n, ref[i]), all[i], strlen(all[i]));
		assert_int_equal(db_int(st, q), 1);
		free(q);
	}
	qsort(all, COUNT, sizeof *all, cmp_str);
	sqlite3_stmt *s = store_prepare(st, "SELECT name FROM name ORDER BY id", &err);
	assert_non_null(s);
	for (size_t i = 0; i < COUNT; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 0), all[i]);
	}
	assert_int_equal(store_read_done(st, s, sqlite3_step(s), &err), 0);
	for (size_t i = 0; i < COUNT; i++)
		free(all[i]);
	free(all);
	free(ref);
	names_free(n);
	store_close(st);
}

/* the name index after a flush: kept up into an empty table (both grow
 * at their ends), dropped by a flush of at least a quarter of the table
 * and left so by the flushes after it, until store_name_index builds it
 * (once, unique); kept up by a smaller flush; back as it was when the
 * flush fails; and built again by a writable open that finds it missing
 * (an import killed between the two) */
static void test_index_after_flush(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path = tmpdb();
	store *st = store_open(path, &err);
	assert_non_null(st);
	const char *has_index = "SELECT count(*) FROM pragma_index_list('name') WHERE name = 'name_name' AND \"unique\"";
	names *n = names_open(st, &err);
	assert_non_null(n);
	/* dropping the index changes the schema; keeping it up does not */
	const char *schema = "PRAGMA schema_version";
	int64_t v0 = db_int(st, schema);
	names_ref(n, "m.example"); /* 1 into 0: kept up */
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(db_int(st, has_index), 1);
	assert_int_equal(db_int(st, schema), v0);
	/* another writer took id 2 behind the cache's back: the flush fails
	 * (2 names into 1: the index dropped first), and the index is back */
	store *other = store_open(path, &err);
	assert_non_null(other);
	assert_int_equal(store_exec(other, "INSERT INTO name(id, name) VALUES(2, 'z.example')", &err), 0);
	store_close(other);
	names_ref(n, "a.example");
	names_ref(n, "y.example");
	assert_int_equal(names_flush(n, st, &err), -1);
	assert_non_null(strstr(err, "UNIQUE constraint failed: name.id"));
	free(err);
	err = NULL;
	assert_int_equal(db_int(st, has_index), 1);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"), 2);
	names_free(n);
	n = names_open(st, &err);
	const char *first[] = {"c.example", "a.example", "b.example"};
	for (size_t i = 0; i < 3; i++)
		names_ref(n, first[i]); /* 3 into 2: dropped */
	v0 = db_int(st, schema);
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(db_int(st, has_index), 0);
	assert_true(db_int(st, schema) > v0);
	names_ref(n, "d.example"); /* 1 into 5: rows alone, the index still missing */
	v0 = db_int(st, schema);
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(db_int(st, has_index), 0);
	assert_int_equal(db_int(st, schema), v0);
	bool built = false;
	assert_int_equal(store_name_index(st, true, &built, &err), 0);
	assert_true(built);
	assert_int_equal(db_int(st, has_index), 1);
	assert_int_equal(store_name_index(st, true, &built, &err), 0); /* there: nothing to do */
	assert_false(built);
	names_ref(n, "e.example"); /* 1 into 6: kept up */
	v0 = db_int(st, schema);
	assert_int_equal(names_flush(n, st, &err), 0);
	assert_int_equal(db_int(st, has_index), 1);
	assert_int_equal(db_int(st, schema), v0);
	assert_string_equal(db_text(st, "SELECT group_concat(id || ':' || name, ' ') FROM (SELECT * FROM name ORDER BY id)"),
			    "1:m.example 2:z.example 3:a.example 4:b.example 5:c.example 6:d.example 7:e.example");
	assert_string_equal(db_text(st, "PRAGMA integrity_check"), "ok");
	assert_int_equal(store_exec(st, "INSERT INTO name(name) VALUES('b.example')", &err), -1);
	assert_non_null(strstr(err, "UNIQUE constraint failed: name.name"));
	free(err);
	err = NULL;
	char *plan = db_rows(st, "EXPLAIN QUERY PLAN SELECT id FROM name WHERE name = 'b.example'");
	assert_non_null(strstr(plan, "USING COVERING INDEX name_name (name=?)"));
	free(plan);
	names_free(n);
	/* a killed import's missing index: a read-only open leaves it so, a
	 * writable one builds it */
	assert_int_equal(store_exec(st, "DROP INDEX name_name", &err), 0);
	store_close(st);
	st = store_open_readonly(path, &err);
	assert_non_null(st);
	assert_int_equal(store_has_name_index(st, &err), 0);
	store_close(st);
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(db_int(st, has_index), 1);
	assert_string_equal(db_text(st, "PRAGMA integrity_check"), "ok");
	/* ...unless another writer holds the file (an import that dropped
	 * it, at work on a file): the open does not wait for it, and leaves
	 * the index to that writer; asked to wait, it is built */
	store_close(st);
	other = store_open(path, &err);
	assert_non_null(other);
	assert_int_equal(store_exec(other, "DROP INDEX name_name; BEGIN IMMEDIATE", &err), 0);
	double t0 = mx_clock_s();
	st = store_open(path, &err);
	assert_non_null(st);
	assert_true(mx_clock_s() - t0 < 5);
	assert_int_equal(store_has_name_index(st, &err), 0);
	assert_int_equal(store_name_index(st, false, &built, &err), 0);
	assert_false(built);
	assert_int_equal(store_exec(other, "COMMIT", &err), 0);
	store_close(other);
	assert_int_equal(store_name_index(st, false, &built, &err), 0);
	assert_true(built);
	assert_int_equal(db_int(st, has_index), 1);
	store_close(st);
	rmdb(path);
}

typedef struct {
	int64_t v[3][2];
} three;

static void three_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	const three *t = cx;
	if (col < 2)
		sqlite3_result_int64(out, t->v[row][col]);
	else if (col == 2)
		sqlite3_result_text(out, row == 1 ? "one" : "other", -1, SQLITE_STATIC);
	else
		sqlite3_result_null(out);
}

static void test_bulk_rows(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, "CREATE TABLE t(a INTEGER, b INTEGER, c TEXT, d)", &err), 0);
	three t = {{{1, 10}, {2, 20}, {3, 30}}};
	store_rows rows = {3, &t, three_column};
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO t SELECT c0, c1, c2, c9 FROM mxray_rows(?1)", &err);
	assert_non_null(s);
	store_bind_rows(s, 1, &rows);
	assert_int_equal(store_step_bulk(st, s, &err), 3);
	assert_int_equal(db_int(st, "SELECT sum(a * b) FROM t"), 140);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t WHERE c = 'one' AND b = 20 AND d IS NULL"), 1);
	/* no rows: nothing written */
	rows.nrows = 0;
	store_bind_rows(s, 1, &rows);
	assert_int_equal(store_step_bulk(st, s, &err), 0);
	/* without its argument the function gives no rows */
	assert_int_equal(db_int(st, "SELECT count(*) FROM mxray_rows"), 0);
	/* a failing write is an error, not a count */
	assert_int_equal(store_exec(st, "CREATE UNIQUE INDEX t_a ON t(a)", &err), 0);
	rows.nrows = 3;
	store_bind_rows(s, 1, &rows);
	assert_int_equal(store_step_bulk(st, s, &err), -1);
	assert_non_null(strstr(err, "UNIQUE constraint failed"));
	free(err);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t"), 3);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_in_name_order),
		cmocka_unit_test(test_ref_many),
		cmocka_unit_test(test_sync_after_another_writer),
		cmocka_unit_test(test_short_names_in_order),
		cmocka_unit_test(test_empty_name_alone),
		cmocka_unit_test(test_shared_prefixes_in_order),
		cmocka_unit_test(test_many_names_in_blocks),
		cmocka_unit_test(test_index_after_flush),
		cmocka_unit_test(test_bulk_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
