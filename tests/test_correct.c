/* correct: validation of analyst decisions before they are stored. */
#include "testdb.h"
#include "mxray/correct.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_without_provider),
		cmocka_unit_test(test_ip_and_ids),
	};
	return cmocka_run_group_tests_name("correct", tests, NULL, NULL);
}
