/* correct: validation of analyst decisions before they are stored. */
#include "testdb.h"
#include "mxray/correct.h"
#include "mxray/history.h"
#include "mxray/sample.h"

/* Leaves pointers to "STALE" in the stack the next call reuses, so that a
 * local read before it is written shows up in the message. */
static __attribute__((noinline)) void dirty_stack(void)
{
	volatile const char *junk[512];
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		junk[i] = "STALE";
	(void)junk[0];
}

/* scope=ip, verdict=set and no provider: the message is about the missing
 * provider only (correct_add used to read `why` uninitialised here). */
static void test_set_without_provider(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	const char *scopes[][2] = {{"ip", "192.0.2.1"}, {"mx", "mx.example.com"}, {"domain", "example.com"}};
	for (size_t i = 0; i < 3; i++) {
		correct_req r = {scopes[i][0], scopes[i][1], NULL, "set", NULL, "ana", NULL};
		dirty_stack();
		assert_int_equal(correct_add(st, &r, &err), -1);
		assert_non_null(err);
		assert_string_equal(err, "a provider ID is needed for 'set'");
		free(err);
		err = NULL;
	}
	/* an unusable provider ID still says why */
	correct_req r = {"ip", "192.0.2.1", NULL, "set", "", "ana", NULL};
	assert_int_equal(correct_add(st, &r, &err), -1);
	assert_non_null(strstr(err, "a provider ID is needed for 'set': "));
	free(err);
	err = NULL;
	assert_int_equal(db_int(st, "SELECT count(*) FROM correction"), 0);
	store_close(st);
}

/* Leading zeros are refused in an IP decision; out-of-range ids are no
 * decision. */
static void test_ip_and_ids(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	correct_req r = {"ip", "01.02.003.4", NULL, "confirm", NULL, "ana", NULL};
	assert_int_equal(correct_add(st, &r, &err), -1);
	assert_string_equal(err, "'01.02.003.4' is not an IPv4 address");
	free(err);
	err = NULL;
	r.key = "1.2.3.4";
	assert_int_equal(correct_add(st, &r, &err), 1);
	assert_int_equal(correct_undo(st, -1, "ana", &err), -1);
	assert_string_equal(err, "decision #-1 is out of range: decision numbers start at 1");
	free(err);
	err = NULL;
	assert_int_equal(correct_undo(st, 1, "ana", &err), 0);
	store_close(st);
}

/* One undo/redo for decisions and labels (history.h): many ids at once,
 * all or none, the same messages, redo's new ids in step order. */
static void test_history_both_tables(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	correct_req r[3] = {{"ip", "192.0.2.1", NULL, "confirm", NULL, "ana", NULL},
			    {"mx", "MX.Example.COM.", NULL, "set", "mail.example.net", "ana", "n"},
			    {"domain", "example.org", "2021-06-08", "self", NULL, "ana", NULL}};
	int64_t ids[3];
	assert_int_equal(correct_add_many(st, r, 3, ids, &err), 0);
	/* each request's id (they are written by scope and key) */
	const char *want[3] = {"ip 192.0.2.1", "mx mx.example.com example.net", "domain example.org"};
	for (int i = 0; i < 3; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT scope || ' ' || key || coalesce(' ' || provider_id, '') FROM correction"
			 " WHERE id = %lld", (long long)ids[i]);
		assert_string_equal(db_text(st, sql), want[i]);
	}
	assert_int_equal(ids[0] + ids[1] + ids[2], 6);
	/* all or none: one already undone refuses the whole step */
	assert_int_equal(correct_undo(st, ids[1], "ana", &err), 0);
	assert_int_equal(history_undo(st, &correct_history, ids, 3, "bob", &err), -1);
	char msg[64];
	snprintf(msg, sizeof msg, "decision #%lld is already undone", (long long)ids[1]);
	assert_string_equal(err, msg);
	free(err);
	err = NULL;
	assert_int_equal(db_int(st, "SELECT count(*) FROM correction WHERE undone_at IS NULL"), 2);
	int64_t two[2] = {ids[0], ids[2]}, out[2];
	assert_int_equal(history_undo(st, &correct_history, two, 2, "bob", &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM correction WHERE undone_by = 'bob'"), 2);
	/* redo copies, in step order, under new ids */
	int64_t back[2] = {ids[2], ids[0]};
	assert_int_equal(history_redo(st, &correct_history, back, 2, out, &err), 0);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[1], 5);
	assert_string_equal(db_text(st, "SELECT scope || ',' || verdict FROM correction WHERE id = 4"), "domain,self");
	int64_t none = 99;
	assert_int_equal(history_redo(st, &correct_history, &none, 1, out, &err), -1);
	assert_string_equal(err, "there is no decision #99");
	free(err);
	err = NULL;
	/* the table's CHECKs are skipped for checked and copied rows only:
	 * after a bulk write and a redo they hold again for anything else */
	assert_int_equal(store_exec(st, "INSERT INTO correction(scope, key, verdict, at) VALUES('bogus', 'x', 'confirm', 't')",
				    &err), -1);
	assert_non_null(strstr(err, "CHECK constraint failed"));
	free(err);
	err = NULL;
	assert_int_equal(store_exec(st, "INSERT INTO correction(scope, key, verdict, at) VALUES('ip', '192.0.2.1', 'set', 't')",
				    &err), -1);
	free(err);
	err = NULL;
	/* labels: the same code, the same words */
	assert_int_equal(store_exec(st, "INSERT INTO sample(name, snapshot, size, unique_mx, seed, population, created_at)"
				    " VALUES('s', '2021-06-08', 1, 0, 1, 1, 'x');"
				    "INSERT INTO sample_domain(sample, domain, pos) VALUES('s', 'a.org', 0)", &err), 0);
	int64_t l = label_set(st, "s", "a.org", "Google", "ana", &err);
	assert_true(l > 0);
	assert_int_equal(label_undo(st, l, &err), 0);
	assert_int_equal(label_undo(st, l, &err), -1);
	snprintf(msg, sizeof msg, "label #%lld is already undone", (long long)l);
	assert_string_equal(err, msg);
	free(err);
	err = NULL;
	assert_int_equal(label_undo(st, 77, &err), -1);
	assert_string_equal(err, "there is no label #77");
	free(err);
	err = NULL;
	int64_t nl = label_redo(st, l, &err);
	assert_true(nl > l);
	assert_string_equal(db_text(st, "SELECT truth FROM label WHERE undone_at IS NULL"), "Google");
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_without_provider),
		cmocka_unit_test(test_ip_and_ids),
		cmocka_unit_test(test_history_both_tables),
	};
	return cmocka_run_group_tests_name("correct", tests, NULL, NULL);
}
