/* store: schema creation and migration, savepoints, snapshots. */
#include "testutil.h"
#include "mxray/store.h"
#include "mxray/util.h"

static int64_t one_int(store *st, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_create_and_reopen(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *st = store_open_existing(path, &err);
	assert_null(st);
	assert_non_null(strstr(err, "does not exist"));
	free(err);
	err = NULL;
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(one_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(one_int(st, "SELECT count(*) FROM sqlite_master WHERE type='table'"), 23);
	assert_int_equal(store_snapshot_add(st, "2021-06-08", &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-06-08", &err), 0);
	assert_int_equal(store_snapshot_add(st, "2020-01-01", &err), 0);
	char latest[11];
	assert_true(store_snapshot_latest(st, latest));
	assert_string_equal(latest, "2021-06-08");
	store_close(st);
	/* reopening keeps data and does not migrate again */
	st = store_open_existing(path, &err);
	assert_non_null(st);
	assert_int_equal(one_int(st, "SELECT count(*) FROM snapshot"), 2);
	store_close(st);
	rmdb(path);
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *st = store_open(path, &err);
	assert_int_equal(store_exec(st, "PRAGMA user_version = 99", &err), 0);
	store_close(st);
	st = store_open(path, &err);
	assert_null(st);
	assert_non_null(strstr(err, "schema version 99 is newer than this mxray"));
	free(err);
	rmdb(path);
}

static void test_savepoints(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-01-01", &err), 0);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-01-02", &err), 0);
	store_rollback(st); /* inner only */
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(one_int(st, "SELECT count(*) FROM snapshot"), 1);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-01-03", &err), 0);
	store_rollback(st);
	assert_int_equal(one_int(st, "SELECT count(*) FROM snapshot"), 1);
	assert_int_equal(store_exec(st, "SELECT nonsense FROM nowhere", &err), -1);
	assert_non_null(strstr(err, "no such table: nowhere"));
	free(err);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_savepoints),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
