/* sample and evaluate: reproducible draws, --unique-mx membership, labels
 * in and out, and exact scores on sample-data with its truth as labels
 * (the expected numbers recomputed here, independently of evaluate.c). */
#include "testdb.h"
#include "readmix.h"
#include "mxray/evaluate.h"
#include "mxray/export.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/sample.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <strings.h>

static store *st;
static kb *k;
static const char *dbpath;
static FILE *devnull;

static int64_t q(const char *sql)
{
	return db_int(st, sql);
}

static int group_setup(void **state)
{
	(void)state;
	devnull = fopen("/dev/null", "w");
	sample_data_open(&st, &k, &dbpath, true);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fclose(devnull);
	db_fixture_close(st, k, dbpath);
	return 0;
}

static long draw(const char *name, size_t size, uint64_t seed, bool unique, const char *list)
{
	char *err = NULL;
	sample_req r = {name, "2021-06-08", list, size, unique, seed, NULL};
	long n = sample_create(st, &r, devnull, &err);
	if (n < 0)
		fail_msg("sample: %s", err);
	return n;
}

static void test_reproducible(void **state)
{
	(void)state;
	assert_int_equal(draw("a", 200, 42, false, NULL), 200);
	assert_int_equal(draw("b", 200, 42, false, NULL), 200);
	assert_int_equal(draw("c", 200, 43, false, NULL), 200);
	/* the same seed draws the same domains in the same order */
	assert_int_equal(q("SELECT count(*) FROM sample_domain x JOIN sample_domain y ON x.domain = y.domain AND"
			   " x.pos = y.pos WHERE x.sample = 'a' AND y.sample = 'b'"), 200);
	assert_true(q("SELECT count(*) FROM sample_domain x JOIN sample_domain y ON x.domain = y.domain"
		      " WHERE x.sample = 'a' AND y.sample = 'c'") < 60);
	/* every sampled domain has an SMTP-live primary MX */
	assert_int_equal(q("SELECT count(*) FROM sample_domain d WHERE d.sample = 'a' AND NOT EXISTS (SELECT 1 FROM"
			   " primary_mx p JOIN infer_host h ON h.snapshot = p.snapshot AND h.host = p.host WHERE"
			   " p.domain = d.domain AND h.live = 1)"), 0);
	/* the population is recorded: every domain with a live primary MX */
	assert_int_equal(q("SELECT population FROM sample WHERE name = 'a'"),
			 q("SELECT count(DISTINCT domain) FROM primary_mx WHERE host IN"
			   " (SELECT host FROM infer_host WHERE live = 1)"));
	/* asking for more than there are takes them all */
	long all = draw("all", 100000, 1, false, NULL);
	assert_int_equal(all, q("SELECT population FROM sample WHERE name = 'a'"));
	char *err = NULL;
	sample_req again = {"a", "2021-06-08", NULL, 5, false, 1, NULL};
	assert_int_equal(sample_create(st, &again, devnull, &err), -1);
	assert_string_equal(err, "a sample named 'a' exists already");
	free(err);
}

static int interrupt_all(void *arg)
{
	(void)arg;
	return 1;
}

/* the engine's lookups the command line and the desk use instead of SQL */
static void test_lookups(void **state)
{
	(void)state;
	char *err = NULL;
	/* samples, oldest first (test_reproducible drew a, b, c, then all) */
	char **names;
	size_t n = sample_names(st, &names);
	assert_int_equal(n, 4);
	const char *want[] = {"a", "b", "c", "all"};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(names[i], want[i]);
		free(names[i]);
	}
	free(names);
	/* snapshots and target lists */
	assert_true(store_snapshot_exists(st, "2021-06-08"));
	assert_false(store_snapshot_exists(st, "2021-06-09"));
	char (*dates)[11];
	assert_int_equal(store_snapshot_dates(st, &dates, &err), 1);
	assert_string_equal(dates[0], "2021-06-08");
	free(dates);
	assert_true(store_list_exists(st, "gov"));
	assert_false(store_list_exists(st, "com"));
	char *lists = store_list_names(st);
	assert_string_equal(lists, "gov");
	free(lists);
	/* inference results and the threshold they were made with */
	assert_int_equal(infer_has_results(st, "2021-06-08", &err), 1);
	assert_int_equal(infer_has_results(st, "2021-06-09", &err), 0);
	unsigned thr = 0;
	assert_int_equal(infer_last_threshold(st, "2021-06-08", &thr, &err), 1);
	assert_int_equal(thr, 5);
	thr = 77;
	assert_int_equal(infer_last_threshold(st, "2021-06-09", &thr, &err), 0);
	assert_int_equal(thr, 77);
	/* a database error is an error, not "no results" (issue 13) */
	sqlite3_progress_handler(store_db(st), 1, interrupt_all, NULL);
	assert_int_equal(infer_has_results(st, "2021-06-08", &err), -1);
	assert_string_equal(err, "database error: interrupted");
	free(err);
	assert_int_equal(infer_last_threshold(st, "2021-06-08", &thr, &err), -1);
	assert_string_equal(err, "database error: interrupted");
	free(err);
	assert_int_equal(thr, 77);
	sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
	assert_int_equal(infer_has_results(st, "2021-06-08", &err), 1);
	/* the one comparison eval and the desk's right/wrong marks use */
	assert_true(eval_answer_matches("Google;Microsoft", "microsoft;GOOGLE"));
	assert_true(eval_answer_matches("Google;Google", "Google"));
	assert_false(eval_answer_matches("google.com", "Google"));
	assert_false(eval_answer_matches("Google", "Google;Microsoft"));
	assert_false(eval_answer_matches(NULL, "Google"));
	assert_false(eval_answer_matches("Google", ""));
}

static void test_unique_mx_and_list(void **state)
{
	(void)state;
	long n = draw("u", 150, 5, true, NULL);
	assert_int_equal(n, 150);
	/* no primary MX host of a sampled domain serves any other domain */
	assert_int_equal(q("SELECT count(*) FROM sample_domain d JOIN primary_mx p ON p.domain = d.domain"
			   " WHERE d.sample = 'u' AND (SELECT count(DISTINCT domain) FROM mx WHERE mx.host = p.host) > 1"), 0);
	assert_int_equal(draw("g", 50, 5, false, "gov"), 50);
	assert_int_equal(q("SELECT count(*) FROM sample_domain d WHERE d.sample = 'g' AND d.domain NOT IN"
			   " (SELECT domain FROM target WHERE list = 'gov')"), 0);
	/* a given list of domains */
	char *err = NULL;
	const char *file = tmpfile_str("domain\narlingtontech.edu\nnot-a-domain!\nnosuch.example.com\n");
	sample_req r = {"f", "2021-06-08", NULL, 0, false, 1, file};
	assert_int_equal(sample_create(st, &r, devnull, &err), 1);
	assert_int_equal(q("SELECT size FROM sample WHERE name = 'f'"), 1);
	/* a sample that would be empty is not made, and its name stays free */
	const char *none = tmpfile_str("nosuch.example.com\n");
	sample_req e = {"empty", "2021-06-08", NULL, 0, false, 1, none};
	assert_int_equal(sample_create(st, &e, devnull, &err), -1);
	char want[200];
	snprintf(want, sizeof want, "%s names no domain of snapshot 2021-06-08: no sample made", none);
	assert_string_equal(err, want);
	free(err);
	assert_int_equal(q("SELECT count(*) FROM sample WHERE name = 'empty'"), 0);
}

static void test_labels(void **state)
{
	(void)state;
	char *err = NULL;
	char *c = label_canonical(k, " microsoft ; google.com;example.org", &err);
	assert_string_equal(c, "example.org;Google;Microsoft");
	free(c);
	c = label_canonical(k, "Yandex;yandex.ru", &err);
	assert_string_equal(c, "Yandex");
	free(c);
	/* a host name stands for its registered domain; a bare word is no ID */
	c = label_canonical(k, "aspmx.l.google.com;mail.example.co.uk", &err);
	assert_string_equal(c, "example.co.uk;Google");
	free(c);
	assert_null(label_canonical(k, "zz", &err));
	assert_non_null(strstr(err, "'zz' is neither a company the knowledge base knows nor a provider ID (no registered domain)"));
	free(err);
	c = label_canonical(k, "", &err);
	assert_string_equal(c, "");
	free(c);
	assert_null(label_canonical(k, "not a name!", &err));
	assert_non_null(strstr(err, "'not a name!' is neither a company the knowledge base knows nor a provider ID"));
	free(err);
	draw("l", 20, 9, false, NULL);
	char dom[256];
	snprintf(dom, sizeof dom, "%s", "");
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), "SELECT domain FROM sample_domain WHERE sample = 'l' AND pos = 0", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(dom, sizeof dom, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	int64_t id1 = label_set(st, "l", dom, "Google", "ana", &err);
	int64_t id2 = label_set(st, "l", dom, "", "ana", &err);
	int64_t got;
	char *t = label_get(st, "l", dom, &got);
	assert_string_equal(t, "");
	assert_int_equal(got, id2);
	free(t);
	assert_int_equal(label_undo(st, id2, &err), 0);
	t = label_get(st, "l", dom, &got);
	assert_string_equal(t, "Google");
	assert_int_equal(got, id1);
	free(t);
	assert_true(label_redo(st, id2, &err) > id2);
	t = label_get(st, "l", dom, NULL);
	assert_string_equal(t, "");
	free(t);
	assert_int_equal(label_set(st, "l", "outside.example.com", "Google", "ana", &err), -1);
	assert_string_equal(err, "outside.example.com is not in sample l");
	free(err);
	/* export, then import into another sample: the same labels */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(label_export(st, "l", out, &err), 1);
	fclose(out);
	char want[300];
	snprintf(want, sizeof want, "domain,truth\n%s,\n", dom);
	assert_string_equal(buf, want);
	free(buf);
}

/* Canonical lower-case set of ';' tokens, for the independent check. */
static void lower_sorted(char *s)
{
	char *tok[64];
	int n = 0;
	for (char *save = NULL, *t = strtok_r(s, ";", &save); t && n < 64; t = strtok_r(NULL, ";", &save))
		tok[n++] = t;
	for (int i = 0; i < n; i++)
		for (char *c = tok[i]; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(tok[j - 1], tok[j]) > 0; j--) {
			char *x = tok[j];
			tok[j] = tok[j - 1];
			tok[j - 1] = x;
		}
	char out[1024] = "";
	for (int i = 0; i < n; i++) {
		if (i && !strcmp(tok[i], tok[i - 1]))
			continue;
		if (*out)
			strcat(out, ";");
		strcat(out, tok[i]);
	}
	strcpy(s, out);
}

static void test_scores_on_sample_data(void **state)
{
	(void)state;
	char *err = NULL;
	draw("s", 300, 2021, false, NULL);
	assert_int_equal(label_import(st, k, "s", "sample-data/truth.csv", "truth", false, devnull, &err), 300);
	eval_result r;
	assert_int_equal(eval_sample(st, "s", &r, &err), 0);
	assert_int_equal(r.sampled, 300);
	assert_int_equal(r.labelled, 300);
	assert_int_equal(r.undecidable, 0);
	/* recompute: truth.csv's set against each approach's answer set */
	FILE *f = fopen("sample-data/truth.csv", "r");
	char line[1024];
	long correct[EVAL_APPROACHES] = {0}, examined = 0;
	sqlite3_stmt *in, *ans, *ex;
	sqlite3_prepare_v2(store_db(st), "SELECT 1 FROM sample_domain WHERE sample = 's' AND domain = ?1", -1, &in, NULL);
	sqlite3_prepare_v2(store_db(st), "SELECT coalesce(company, provider_id) FROM result WHERE approach = ?1 AND"
					 " domain = ?2", -1, &ans, NULL);
	sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM result WHERE approach = 'final' AND domain = ?1 AND"
					 " status IN ('heuristic', 'flagged')", -1, &ex, NULL);
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *comma = strchr(line, ',');
		if (!comma || !strncmp(line, "domain,", 7))
			continue;
		*comma = '\0';
		sqlite3_reset(in);
		sqlite3_bind_text(in, 1, line, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(in) != SQLITE_ROW)
			continue;
		/* the truth names companies as the knowledge base does */
		char truth[1024];
		snprintf(truth, sizeof truth, "%s", comma + 1);
		lower_sorted(truth);
		for (int a = 0; a < EVAL_APPROACHES; a++) {
			char got[1024] = "";
			sqlite3_reset(ans);
			sqlite3_bind_text(ans, 1, eval_approach_names[a], -1, SQLITE_STATIC);
			sqlite3_bind_text(ans, 2, line, -1, SQLITE_TRANSIENT);
			while (sqlite3_step(ans) == SQLITE_ROW) {
				if (*got)
					strcat(got, ";");
				strcat(got, (const char *)sqlite3_column_text(ans, 0));
			}
			lower_sorted(got);
			correct[a] += !strcmp(got, truth);
		}
		sqlite3_reset(ex);
		sqlite3_bind_text(ex, 1, line, -1, SQLITE_TRANSIENT);
		sqlite3_step(ex);
		examined += sqlite3_column_int(ex, 0) > 0;
	}
	fclose(f);
	sqlite3_finalize(in);
	sqlite3_finalize(ans);
	sqlite3_finalize(ex);
	for (int a = 0; a < EVAL_APPROACHES; a++)
		assert_int_equal(r.correct[a], correct[a]);
	assert_int_equal(r.examined, examined);
	/* and the numbers themselves, so a change in the method shows */
	long want[EVAL_APPROACHES] = {295, 296, 290, 293, 297};
	for (int a = 0; a < EVAL_APPROACHES; a++)
		assert_int_equal(r.correct[a], want[a]);
	assert_int_equal(r.examined, 4);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	eval_print(out, &r, 1, EVAL_CSV);
	fclose(out);
	const char *head = "sample,approach,labelled,correct,accuracy,examined,undecidable\ns,mx,300,295,0.9833333333333333,4,0\n";
	assert_int_equal(strncmp(buf, head, strlen(head)), 0);
	free(buf);
}

/* Nothing labelled: no accuracy (n/a, an empty CSV field, JSON null),
 * never 0%. */
static void test_nothing_labelled(void **state)
{
	(void)state;
	eval_result r;
	memset(&r, 0, sizeof r);
	snprintf(r.sample, sizeof r.sample, "empty");
	r.sampled = 10;
	const enum eval_format fmts[3] = {EVAL_TEXT, EVAL_CSV, EVAL_JSON};
	const char *want[3] = {"  final            0        0       n/a\n", "empty,final,0,0,,0,0\n",
			       "{\"sample\":\"empty\",\"approach\":\"final\",\"labelled\":0,\"correct\":0,\"accuracy\":null,"
			       "\"examined\":0,\"undecidable\":0}\n"};
	for (int f = 0; f < 3; f++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		eval_print(out, &r, 1, fmts[f]);
		fclose(out);
		assert_non_null(strstr(buf, want[f]));
		assert_null(strstr(buf, "0.0%"));
		free(buf);
	}
}

/* ---- one state of the database, whatever commits meanwhile (readmix.h) -- */

/* Another process imports MX records for two domains of the file. */
static void add_mx(store *w, void *arg)
{
	(void)arg;
	char *err = NULL;
	static const char *dns;
	if (!dns)
		dns = tmpfile_str("{\"query_name\":\"newa.example.\",\"response_type\":\"MX\",\"mx_address\":"
				  "\"mx1.kumo-hosting.jp.\",\"mx_preference\":10}\n"
				  "{\"query_name\":\"newb.example.\",\"response_type\":\"MX\",\"mx_address\":"
				  "\"mx1.kumo-hosting.jp.\",\"mx_preference\":10}\n");
	import_input in[] = {{IMPORT_DNS, dns, NULL}};
	import_opts io = {"2021-06-08", false, false, 10, devnull};
	if (import_run(w, &io, in, 1, &err) < 0)
		fail_msg("import: %s", err);
}

static char *from_file_sample(store *s, void *arg)
{
	readmix_out o;
	FILE *f = readmix_out_open(&o);
	char *err = NULL;
	sample_req r = {"mix", "2021-06-08", NULL, 0, false, 1, arg};
	long n = sample_create(s, &r, f, &err);
	if (n >= 0) {
		char *rows = db_rows(s, "SELECT domain FROM sample_domain WHERE sample = 'mix' ORDER BY pos");
		fputs(rows, f);
		free(rows);
	}
	return readmix_out_close(&o, n, err);
}

/* sample --from-file looks the file's domains up one at a time: all of
 * them in one state of the snapshot, wherever an import comes in. */
static void test_from_file_one_state(void **state)
{
	(void)state;
	const char *file = tmpfile_str("domain\nnewa.example\nactivelandscaping.com\nnewb.example\n");
	assert_true(readmix_check(st, false, from_file_sample, (void *)file, add_mx, NULL) > 4);
}

/* Another process's infer of the cert approach with another threshold:
 * its cert and final answers come from another run than the rest. */
static void infer_cert(store *w, void *arg)
{
	(void)arg;
	char *err = NULL;
	infer_opts o = {"2021-06-08", INFER_CERT, 7, INFER_HEUR_APPLY, k, false, NULL, NULL};
	infer_summary sum;
	char *sql = xasprintf("UPDATE run SET at = '2021-07-01T00:00:00Z' WHERE id > %lld",
			      (long long)db_int(w, "SELECT max(id) FROM run"));
	if (infer_run(w, &o, &sum, &err) < 0)
		fail_msg("infer: %s", err);
	/* at a fixed time: the same note each time */
	if (store_exec(w, sql, &err) < 0)
		fail_msg("run: %s", err);
	free(sql);
}

static char *check_runs(store *s, void *arg)
{
	(void)arg;
	readmix_out o;
	FILE *f = readmix_out_open(&o);
	char *err = NULL, *note = NULL;
	eval_result r;
	memset(&r, 0, sizeof r);
	snprintf(r.sample, sizeof r.sample, "a");
	snprintf(r.snapshot, sizeof r.snapshot, "2021-06-08");
	int rc = eval_check_runs(s, &r, true, &note, &err);
	fputs(note ? note : "", f);
	free(note);
	return readmix_out_close(&o, rc, err);
}

static char *export_note(store *s, void *arg)
{
	(void)arg;
	char *note = export_runs_note(s, "2021-06-08", "mx");
	char *out = xasprintf("%s\n", note ? note : "no note");
	free(note);
	return out;
}

/* eval's check of the runs and export's note read each approach's run:
 * all of one state. */
static void test_runs_one_state(void **state)
{
	(void)state;
	assert_true(readmix_check(st, true, check_runs, NULL, infer_cert, NULL) >= 5);
	assert_true(readmix_check(st, true, export_note, NULL, infer_cert, NULL) >= 5);
}

/* Another process's sample of the same name. */
static void same_name(store *w, void *arg)
{
	(void)arg;
	char *err = NULL;
	sample_req r = {"dup", "2021-06-08", NULL, 3, false, 7, NULL};
	/* (after the reader's own commit, the reader's sample has the name) */
	if (sample_create(w, &r, devnull, &err) < 0 && !strstr(err, "exists already"))
		fail_msg("sample: %s", err);
	free(err);
}

static char *dup_sample(store *s, void *arg)
{
	(void)arg;
	readmix_out o;
	FILE *f = readmix_out_open(&o);
	char *err = NULL;
	sample_req r = {"dup", "2021-06-08", NULL, 3, false, 1, NULL};
	long n = sample_create(s, &r, f, &err);
	char *rows = db_rows(s, "SELECT seed FROM sample WHERE name = 'dup'");
	fputs(rows, f);
	free(rows);
	return readmix_out_close(&o, n, err);
}

/* Two samples of one name at once: the later one is told the name exists
 * already (it was read free, then taken before it could write), never a
 * database constraint error. */
static void test_same_name_meanwhile(void **state)
{
	(void)state;
	assert_true(readmix_check(st, false, dup_sample, NULL, same_name, NULL) > 3);
	char *after = readmix_run(st, false, dup_sample, NULL, same_name, NULL, -1, NULL);
	assert_string_equal(after, "7\n rc=-1 a sample named 'dup' exists already\n");
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_labelled),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_unique_mx_and_list),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_scores_on_sample_data),
		cmocka_unit_test(test_from_file_one_state),
		cmocka_unit_test(test_runs_one_state),
		cmocka_unit_test(test_same_name_meanwhile),
	};
	return cmocka_run_group_tests_name("sample", tests, group_setup, group_teardown);
}
