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

/* strmap_intern_many: the ids of one call per key, in order: keys seen
 * before, keys repeated within the call, and the table growing under it
 * (it reads ahead into slots that move) */
static void test_intern_many(void **state)
{
	(void)state;
	strmap *one = strmap_new(), *many = strmap_new();
	enum { N = 30000 };
	char (*text)[32] = xcalloc(N, sizeof *text);
	const char **keys = xcalloc(N, sizeof *keys);
	uint32_t *ids = xcalloc(N, sizeof *ids);
	for (int i = 0; i < N; i++) {
		/* every third key is one of an earlier call or of this one */
		snprintf(text[i], sizeof text[i], "mx%d.example.net", i % 3 ? i : i / 7);
		keys[i] = text[i];
	}
	strmap_intern_many(many, keys, 5, ids); /* shorter than the read-ahead */
	for (int i = 0; i < 5; i++)
		assert_int_equal(ids[i], strmap_intern(one, keys[i], NULL));
	strmap_intern_many(many, keys + 5, 0, ids); /* none */
	strmap_intern_many(many, keys + 5, N - 5, ids + 5);
	for (int i = 5; i < N; i++)
		assert_int_equal(ids[i], strmap_intern(one, keys[i], NULL));
	assert_int_equal(strmap_size(many), strmap_size(one));
	assert_int_equal(strmap_size(many), 21429);
	for (uint32_t i = 0; i < strmap_size(one); i++)
		assert_string_equal(strmap_key(many, i), strmap_key(one, i));
	assert_int_equal(strmap_find(many, "mx0.example.net"), 0);
	free(ids);
	free(keys);
	free(text);
	strmap_free(one);
	strmap_free(many);
}

/* strmap_find_many: strmap_find of each key, in order, present or not,
 * shorter and longer than the read-ahead; the map unchanged */
static void test_find_many(void **state)
{
	(void)state;
	strmap *m = strmap_new();
	enum { N = 20000 };
	char (*text)[32] = xcalloc(N, sizeof *text);
	const char **keys = xcalloc(N, sizeof *keys);
	uint32_t *ids = xcalloc(N, sizeof *ids);
	for (int i = 0; i < N; i++) {
		snprintf(text[i], sizeof text[i], "mx%d.example.net", i);
		keys[i] = text[i];
	}
	/* a third of them stored, from the last: ids 6666 (key 0) .. 0 */
	for (int i = N - 1; i >= 0; i--)
		if (i % 3 == 0)
			strmap_intern(m, keys[i], NULL);
	size_t size = strmap_size(m);
	assert_int_equal(size, 6667);
	strmap_find_many(m, keys, 3, ids); /* shorter than the read-ahead */
	assert_int_equal(ids[0], 6666);
	assert_int_equal(ids[1], UINT32_MAX);
	assert_int_equal(ids[2], UINT32_MAX);
	strmap_find_many(m, keys, 0, ids); /* none */
	strmap_find_many(m, keys, N, ids);
	for (int i = 0; i < N; i++)
		assert_int_equal(ids[i], i % 3 ? UINT32_MAX : (uint32_t)(6666 - i / 3));
	assert_int_equal(strmap_size(m), size);
	free(ids);
	free(keys);
	free(text);
	strmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_many_and_long),
		cmocka_unit_test(test_intern_many),
		cmocka_unit_test(test_find_many),
	};
	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
