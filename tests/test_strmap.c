/* strmap: interning, lookups, growth, long keys. */
#include "testutil.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

static void test_intern(void **state)
{
	(void)state;
	strmap *m = strmap_new();
	int added;
	assert_int_equal(strmap_intern(m, "google.com", &added), 0);
	assert_int_equal(added, 1);
	assert_int_equal(strmap_intern(m, "outlook.com", &added), 1);
	assert_int_equal(strmap_intern(m, "google.com", &added), 0);
	assert_int_equal(added, 0);
	assert_int_equal(strmap_find(m, "outlook.com"), 1);
	assert_int_equal(strmap_find(m, "nope.com"), UINT32_MAX);
	assert_string_equal(strmap_key(m, 1), "outlook.com");
	assert_null(strmap_key(m, 2));
	assert_int_equal(strmap_intern(m, "", NULL), 2);
	assert_int_equal(strmap_size(m), 3);
	strmap_free(m);
}

static void test_many_and_long(void **state)
{
	(void)state;
	strmap *m = strmap_new();
	char k[64];
	for (int i = 0; i < 200000; i++) {
		snprintf(k, sizeof k, "host%d.example.com", i);
		assert_int_equal(strmap_intern(m, k, NULL), (uint32_t)i);
	}
	char *big = xmalloc(3u << 20);
	memset(big, 'x', (3u << 20) - 1);
	big[(3u << 20) - 1] = '\0';
	assert_int_equal(strmap_intern(m, big, NULL), 200000);
	assert_int_equal(strmap_intern(m, "after.big", NULL), 200001);
	for (int i = 0; i < 200000; i += 997) {
		snprintf(k, sizeof k, "host%d.example.com", i);
		assert_int_equal(strmap_find(m, k), (uint32_t)i);
		assert_string_equal(strmap_key(m, (uint32_t)i), k);
	}
	assert_int_equal(strmap_find(m, big), 200000);
	assert_string_equal(strmap_key(m, 200001), "after.big");
	/* the key array: every id's key, the same pointers as strmap_key */
	const char *const *keys = strmap_keys(m);
	for (uint32_t i = 0; i < strmap_size(m); i++)
		assert_ptr_equal(keys[i], strmap_key(m, i));
	assert_string_equal(keys[200000], big);
	free(big);
	strmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_many_and_long),
	};
	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
