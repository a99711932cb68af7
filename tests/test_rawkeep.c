/* rawkeep: a partial infer run keeps the earlier answers of the raw
 * approaches it does not compute, stored only where its evidence would
 * change them. */
#include "testdb.h"
#include "mxray/infer.h"
#include "mxray/rawkeep.h"

/* One snapshot (id 1): domains 10 and 11 on host 20, domain 12 on host 21;
 * host 20's evidence gives mx 30 and banner 31, host 21's mx 32; every
 * raw approach derived (f_raw 0-3). */
static store *setup_db(const char *path)
{
	char *err = NULL;
	store *st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_snapshot_add(st, "2021-06-08", &err), 0);
	assert_int_equal(store_exec(st,
				    "INSERT INTO f_primary_mx VALUES (1, 10, 20), (1, 11, 20), (1, 12, 21);"
				    "INSERT INTO f_host_ev(snap, host, live, domains, mx_id, banner_id, confidence, status)"
				    " VALUES (1, 20, 1, 2, 30, 31, 2, 0), (1, 21, 1, 1, 32, NULL, 1, 0);"
				    "INSERT INTO f_raw VALUES (1, 0), (1, 1), (1, 2), (1, 3);",
				    &err),
			 0);
	return st;
}

/* The run: host rows deleted and written again (as tablesync writes
 * them), between rawkeep_begin and rawkeep_end. */
static void run(store *st, unsigned computed, const char *write)
{
	char *err = NULL;
	rawkeep k;
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(rawkeep_begin(&k, st, 1, computed, &err), 0);
	assert_int_equal(store_exec(st, write, &err), 0);
	assert_int_equal(rawkeep_end(&k), 0);
	assert_int_equal(store_commit(st, &err), 0);
}

static void test_unchanged_evidence_stores_nothing(void **state)
{
	(void)state;
	const char *path = tmpdb();
	store *st = setup_db(path);
	/* host 20 written again with another status and provider (a decision) */
	run(st, INFER_PRIORITY,
	    "DELETE FROM f_host_ev WHERE snap = 1 AND host = 20;"
	    "INSERT INTO f_host_ev(snap, host, live, domains, mx_id, banner_id, confidence, status, provider)"
	    " VALUES (1, 20, 1, 2, 30, 31, 2, 5, 99);");
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_raw"), 4);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_result"), 0);
	/* the notes are gone: a later write is not noted */
	assert_int_equal(db_int(st, "SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'raw_%'"), 0);
	store_close(st);
	rmdb(path);
}

static void test_changed_evidence_keeps_earlier_answers(void **state)
{
	(void)state;
	const char *path = tmpdb();
	store *st = setup_db(path);
	/* host 20 loses its banner name: the banner and priority answers of
	 * domains 10 and 11 would change, the mx and cert ones not; priority
	 * is computed by this run */
	run(st, INFER_PRIORITY,
	    "DELETE FROM f_host_ev WHERE snap = 1 AND host = 20;"
	    "INSERT INTO f_host_ev(snap, host, live, domains, mx_id, banner_id, confidence, status)"
	    " VALUES (1, 20, 1, 2, 30, NULL, 2, 0);");
	char *raw = db_rows(st, "SELECT group_concat(approach) FROM f_raw");
	assert_string_equal(raw, "0,1,3\n");
	free(raw);
	/* the banner answers as they were derived: every domain, host 20's
	 * by its banner name (source 2), host 21's by its MX (source 1) */
	char *rows = db_rows(st, "SELECT approach, domain, provider, weight, source, confidence, status FROM f_result"
				 " ORDER BY approach, domain");
	assert_string_equal(rows, "2|10|31|1.0|2|2|0\n2|11|31|1.0|2|2|0\n2|12|32|1.0|1|1|0\n");
	free(rows);
	store_close(st);
	rmdb(path);
}

/* a run that computes every approach keeps nothing (it derives them all) */
static void test_whole_run_keeps_nothing(void **state)
{
	(void)state;
	const char *path = tmpdb();
	store *st = setup_db(path);
	run(st, INFER_ALL, "DELETE FROM f_host_ev WHERE snap = 1 AND host = 20;");
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_raw"), 4);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_result"), 0);
	store_close(st);
	rmdb(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_evidence_stores_nothing),
		cmocka_unit_test(test_changed_evidence_keeps_earlier_answers),
		cmocka_unit_test(test_whole_run_keeps_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
