/* runs: which inference run each approach's answers of a snapshot come
 * from, whether they are consistent, and what eval says about a mix; on
 * run rows written by hand (as infer's record_runs writes them). */
#include "testutil.h"
#include "mxray/evaluate.h"
#include "mxray/runs.h"
#include "mxray/store.h"
#include "mxray/util.h"

static store *st;
static const char *dbpath;

#define KB_A "fnv1a64:aaaaaaaaaaaaaaaa"
#define KB_B "fnv1a64:bbbbbbbbbbbbbbbb"
#define PSL "libpsl 0.21.2, newest list"
#define P5 "{\"threshold\":5,\"heuristics\":\"apply\"}"

static void add_run(const char *snapshot, const char *approach, const char *digest, const char *origin,
		    const char *psl, const char *params, const char *at)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st),
					    "INSERT INTO run(snapshot, approach, kb_digest, kb_origin, psl, params, at,"
					    " domains, seconds) VALUES(?1,?2,?3,?4,?5,?6,?7,10,0.5)",
					    -1, &s, NULL),
			 SQLITE_OK);
	const char *v[] = {snapshot, approach, digest, origin, psl, params, at};
	for (int i = 0; i < 7; i++)
		store_bind_text(s, i + 1, v[i]);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* infer --approach all: one row per raw approach */
static void add_all(const char *snapshot, const char *digest, const char *origin, const char *psl,
		    const char *params, const char *at)
{
	static const char *const a[] = {"mx", "cert", "banner", "priority"};
	for (int i = 0; i < 4; i++)
		add_run(snapshot, a[i], digest, origin, psl, params, at);
}

static void load(snapshot_runs *r, const char *snapshot)
{
	char *err = NULL;
	if (runs_of_snapshot(st, snapshot, r, &err) < 0)
		fail_msg("runs: %s", err);
}

static void assert_str(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static int setup(void **state)
{
	(void)state;
	char *err = NULL;
	dbpath = xstrdup(tmpdb());
	st = store_open(dbpath, &err);
	if (!st)
		fail_msg("store: %s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	rmdb(dbpath);
	free((char *)dbpath);
	return 0;
}

static void test_names(void **state)
{
	(void)state;
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		assert_string_equal(runs_approach_names[a], eval_approach_names[a]);
		assert_int_equal(runs_approach_index(eval_approach_names[a]), a);
	}
	assert_int_equal(runs_approach_index("all"), -1);
	assert_int_equal(runs_approach_index(NULL), -1);
}

static void test_no_runs(void **state)
{
	(void)state;
	snapshot_runs r;
	load(&r, "2020-01-01");
	assert_string_equal(r.snapshot, "2020-01-01");
	assert_true(r.consistent);
	for (int a = 0; a < RUNS_APPROACHES; a++)
		assert_false(r.run[a].present);
	assert_str(runs_table(&r, "  "), "");
	assert_str(runs_what_differs(&r), "");
	assert_null(runs_mix_note(&r, 4));
	assert_str(runs_describe(&r.run[0], true), "no run on record");
	runs_free(&r);
}

/* infer all, re-infer priority with another knowledge base, infer all again */
static void test_mix_and_repair(void **state)
{
	(void)state;
	add_all("2021-06-08", KB_A, "built-in", PSL, P5, "2021-06-09T10:00:00.000Z");           /* 1-4 */
	add_all("2021-09-08", KB_B, "/kb/other.json", PSL, P5, "2021-06-09T10:30:00.000Z");     /* 5-8 */
	snapshot_runs r;
	load(&r, "2021-06-08");
	assert_true(r.consistent);
	static const int64_t ids1[] = {1, 2, 3, 4, 4};
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		assert_true(r.run[a].present);
		assert_int_equal(r.run[a].id, ids1[a]);
		assert_string_equal(r.run[a].kb_digest, KB_A);
	}
	assert_null(runs_mix_note(&r, 3));
	assert_null(runs_mix_note(&r, 4));
	assert_str(runs_what_differs(&r), "");
	runs_free(&r);

	add_run("2021-06-08", "priority", KB_B, "/kb/other.json", PSL, P5, "2021-06-09T11:00:00.000Z"); /* 9 */
	load(&r, "2021-06-08");
	assert_false(r.consistent);
	static const int64_t ids2[] = {1, 2, 3, 9, 9};
	for (int a = 0; a < RUNS_APPROACHES; a++)
		assert_int_equal(r.run[a].id, ids2[a]);
	assert_string_equal(r.run[0].kb_origin, "built-in");
	assert_string_equal(r.run[3].kb_origin, "/kb/other.json");
	assert_string_equal(r.run[4].kb_digest, KB_B);
	assert_true(runs_same(&r.run[0], &r.run[2]));
	assert_true(runs_same(&r.run[3], &r.run[4]));
	assert_false(runs_same(&r.run[0], &r.run[3]));
	assert_str(runs_what_differs(&r), "knowledge bases");
	assert_str(runs_table(&r, "> "),
		   "> mx        run 1 at 2021-06-09T10:00:00.000Z, kb built-in (" KB_A "), threshold 5, heuristics apply\n"
		   "> cert      run 2 at 2021-06-09T10:00:00.000Z, kb built-in (" KB_A "), threshold 5, heuristics apply\n"
		   "> banner    run 3 at 2021-06-09T10:00:00.000Z, kb built-in (" KB_A "), threshold 5, heuristics apply\n"
		   "> priority  run 9 at 2021-06-09T11:00:00.000Z, kb /kb/other.json (" KB_B "), threshold 5, heuristics apply\n"
		   "> final     run 9 at 2021-06-09T11:00:00.000Z, kb /kb/other.json (" KB_B "), threshold 5, heuristics apply\n");
	assert_str(runs_mix_note(&r, 0),
		   "the mx answers of 2021-06-08 come from run 1 at 2021-06-09T10:00:00.000Z, kb built-in (" KB_A
		   "), threshold 5, heuristics apply; other approaches' answers of that snapshot come from runs with"
		   " different knowledge bases (priority: run 9, kb /kb/other.json (" KB_B "); final: run 9, kb"
		   " /kb/other.json (" KB_B ")): run 'mxray infer --snapshot 2021-06-08' to have every approach from one run");

	/* eval refuses the mix, or scores it saying so */
	eval_result er;
	memset(&er, 0, sizeof er);
	snprintf(er.sample, sizeof er.sample, "s1");
	snprintf(er.snapshot, sizeof er.snapshot, "2021-06-08");
	char *note = NULL, *err = NULL;
	assert_int_equal(eval_check_runs(st, &er, false, &note, &err), -1);
	assert_null(note);
	char *table = runs_table(&r, "  ");
	char *want = xasprintf("sample s1 (snapshot 2021-06-08): the approaches' answers come from runs with different"
			       " knowledge bases:\n%snot scoring a mix: run 'mxray infer --snapshot 2021-06-08' (every"
			       " approach) to score one run, or give --allow-mixed to score them as they are", table);
	assert_str(err, want);
	free(want);
	err = NULL;
	assert_int_equal(eval_check_runs(st, &er, true, &note, &err), 1);
	assert_null(err);
	want = xasprintf("sample s1 (snapshot 2021-06-08): scoring answers of runs with different knowledge bases"
			 " (--allow-mixed):\n%s", table);
	assert_str(note, want);
	free(want);
	free(table);
	runs_free(&r);

	/* another snapshot's runs are its own */
	load(&r, "2021-09-08");
	assert_true(r.consistent);
	assert_int_equal(r.run[0].id, 5);
	assert_int_equal(r.run[4].id, 8);
	runs_free(&r);

	/* infer all again: one run */
	add_all("2021-06-08", KB_A, "built-in", PSL, P5, "2021-06-09T12:00:00.000Z"); /* 10-13 */
	load(&r, "2021-06-08");
	assert_true(r.consistent);
	static const int64_t ids3[] = {10, 11, 12, 13, 13};
	for (int a = 0; a < RUNS_APPROACHES; a++)
		assert_int_equal(r.run[a].id, ids3[a]);
	runs_free(&r);
	note = err = NULL;
	assert_int_equal(eval_check_runs(st, &er, false, &note, &err), 0);
	assert_null(note);
	assert_null(err);
}

/* parameters and the PSL source count as well as the knowledge base; a
 * run of one approach re-run alone also decides the final answers */
static void test_params_psl(void **state)
{
	(void)state;
	add_all("2022-01-01", KB_A, "built-in", PSL, P5, "T1");                                         /* 14-17 */
	add_run("2022-01-01", "cert", KB_A, "built-in", PSL, "{\"threshold\":3,\"heuristics\":\"off\"}", "T2"); /* 18 */
	snapshot_runs r;
	load(&r, "2022-01-01");
	assert_false(r.consistent);
	assert_int_equal(r.run[1].id, 18);
	assert_int_equal(r.run[3].id, 17);
	assert_int_equal(r.run[4].id, 18); /* the final answers: the latest run */
	assert_str(runs_what_differs(&r), "parameters");
	assert_str(runs_describe(&r.run[1], false), "run 18 at T2, kb built-in (" KB_A "), threshold 3, heuristics off");
	runs_free(&r);

	add_run("2022-01-01", "mx", KB_B, NULL, "libpsl, built-in list", "not json", "T3"); /* 19 */
	load(&r, "2022-01-01");
	assert_str(runs_what_differs(&r), "knowledge bases, Public Suffix Lists and parameters");
	assert_str(runs_describe(&r.run[0], true),
		   "run 19 at T3, kb ? (" KB_B "), params not json, psl libpsl, built-in list");
	/* the PSL is named in the table once the runs differ in it */
	char *t = runs_table(&r, "");
	assert_non_null(strstr(t, "mx        run 19 at T3, kb ? (" KB_B "), params not json, psl libpsl, built-in list\n"));
	assert_non_null(strstr(t, "banner    run 16 at T1, kb built-in (" KB_A "), threshold 5, heuristics apply, psl " PSL "\n"));
	free(t);
	runs_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_no_runs),
		cmocka_unit_test(test_mix_and_repair),
		cmocka_unit_test(test_params_psl),
	};
	return cmocka_run_group_tests_name("runs", tests, setup, teardown);
}
