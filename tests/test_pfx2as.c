/* pfx2as: RouteViews line parsing, MOAS/AS-set origins, longest-prefix match. */
#include "testutil.h"
#include "mxray/pfx2as.h"
#include "mxray/util.h"

static void test_parse(void **state)
{
	(void)state;
	pfx2as_line l;
	const char *why = NULL;
	assert_int_equal(pfx2as_parse_line("142.250.102.0\t24\t15169", &l, &why), PFX2AS_OK);
	assert_int_equal(l.net, 0x8efa6600);
	assert_int_equal(l.len, 24);
	assert_string_equal(l.origin, "15169");
	/* host bits are masked off */
	assert_int_equal(pfx2as_parse_line("10.1.2.3 8 64500\r\n", &l, &why), PFX2AS_OK);
	assert_int_equal(l.net, 0x0a000000);
	assert_int_equal(pfx2as_parse_line("2001:db8::\t32\t64500", &l, &why), PFX2AS_IPV6);
	assert_int_equal(pfx2as_parse_line("", &l, &why), PFX2AS_BLANK);
	assert_int_equal(pfx2as_parse_line("# comment", &l, &why), PFX2AS_BLANK);
	assert_int_equal(pfx2as_parse_line("1.2.3.0\t33\t1", &l, &why), PFX2AS_BAD);
	assert_string_equal(why, "prefix length is not a number in 0..32");
	assert_int_equal(pfx2as_parse_line("1.2.3.0\t24\tAS1", &l, &why), PFX2AS_BAD);
	assert_string_equal(why, "origin is not a list of decimal AS numbers");
	assert_int_equal(pfx2as_parse_line("1.2.3\t24\t1", &l, &why), PFX2AS_BAD);
	assert_string_equal(why, "address is not an IPv4 address");
	assert_int_equal(pfx2as_parse_line("1.2.3.0\t24", &l, &why), PFX2AS_BAD);
	assert_string_equal(why, "missing origin AS");
	assert_int_equal(pfx2as_parse_line("1.2.3.0\t24\t1\textra", &l, &why), PFX2AS_BAD);
	assert_string_equal(why, "more than three fields");
}

static void test_origin(void **state)
{
	(void)state;
	uint32_t asn;
	char set[PFX2AS_ORIGIN_MAX];
	assert_true(pfx2as_origin("15169", &asn, set));
	assert_int_equal(asn, 15169);
	assert_string_equal(set, "");
	/* MOAS: the first (most seen) origin */
	assert_true(pfx2as_origin("64500_64501", &asn, set));
	assert_int_equal(asn, 64500);
	assert_string_equal(set, "");
	/* AS set: first member, set kept */
	assert_true(pfx2as_origin("64510,64511", &asn, set));
	assert_int_equal(asn, 64510);
	assert_string_equal(set, "64510,64511");
	/* split on '_' first, then ',' */
	assert_true(pfx2as_origin("7,8_9", &asn, set));
	assert_int_equal(asn, 7);
	assert_string_equal(set, "7,8");
	assert_false(pfx2as_origin("1__2", &asn, set));
	assert_false(pfx2as_origin("1_", &asn, set));
	assert_false(pfx2as_origin("4294967296", &asn, set));
}

static void test_lpm(void **state)
{
	(void)state;
	pfx2as *t = pfx2as_new();
	uint32_t ip;
	pfx2as_add(t, 0x0a000000, 8, "1");       /* 10/8 */
	pfx2as_add(t, 0x0a010000, 16, "2");      /* 10.1/16 */
	pfx2as_add(t, 0x0a010200, 24, "3");      /* 10.1.2/24 */
	pfx2as_add(t, 0x0a010203, 32, "4");      /* 10.1.2.3/32 */
	pfx2as_add(t, 0x0a010000, 16, "5");      /* duplicate: later wins */
	unsigned len = 99;
	mx_ipv4_parse("10.1.2.3", &ip);
	assert_string_equal(pfx2as_lookup(t, ip, &len), "4");
	assert_int_equal(len, 32);
	mx_ipv4_parse("10.1.2.4", &ip);
	assert_string_equal(pfx2as_lookup(t, ip, &len), "3");
	assert_int_equal(len, 24);
	mx_ipv4_parse("10.1.3.4", &ip);
	assert_string_equal(pfx2as_lookup(t, ip, &len), "5");
	mx_ipv4_parse("10.200.0.1", &ip);
	assert_string_equal(pfx2as_lookup(t, ip, &len), "1");
	assert_int_equal(len, 8);
	mx_ipv4_parse("11.0.0.1", &ip);
	assert_null(pfx2as_lookup(t, ip, &len));
	assert_int_equal(pfx2as_count(t), 4);
	/* a default route catches everything */
	pfx2as_add(t, 0, 0, "9");
	assert_string_equal(pfx2as_lookup(t, ip, &len), "9");
	assert_int_equal(len, 0);
	pfx2as_free(t);
}

static void test_lpm_many(void **state)
{
	(void)state;
	/* 32768 /24s inside one /8: each lookup finds its /24, others the /8. */
	pfx2as *t = pfx2as_new();
	char o[16];
	for (uint32_t i = 0; i < 32768; i++) {
		snprintf(o, sizeof o, "%u", i + 1);
		pfx2as_add(t, 0x40000000u + (i << 8), 24, o);
	}
	pfx2as_add(t, 0x40000000u, 8, "7");
	for (uint32_t i = 0; i < 32768; i += 97) {
		snprintf(o, sizeof o, "%u", i + 1);
		assert_string_equal(pfx2as_lookup(t, 0x40000000u + (i << 8) + 77, NULL), o);
	}
	assert_string_equal(pfx2as_lookup(t, 0x40ff0001u, NULL), "7");
	pfx2as_free(t);
}

/* Issue 13: a stored origin is read back from the database, where it can
 * be longer than any parsed line's (an ~800-byte AS set overflowed the
 * 256-byte stack buffers).  Refused, not copied; the longest origin a line
 * can carry still resolves, with its whole set. */
static void test_origin_from_the_database(void **state)
{
	(void)state;
	uint32_t asn = 12345;
	char set[PFX2AS_ORIGIN_MAX];
	memset(set, 'x', sizeof set);
	/* what `update pfx2as set origin=(select group_concat('1',',') ...)` stored */
	char big[801];
	for (int i = 0; i < 400; i++)
		memcpy(big + 2 * i, "1,", 2);
	big[799] = '\0';
	assert_int_equal(strlen(big), 799);
	assert_false(pfx2as_origin(big, &asn, set));
	assert_int_equal(asn, 12345); /* untouched on refusal */
	/* a MOAS origin whose first member alone is too long */
	big[600] = '_';
	assert_false(pfx2as_origin(big, &asn, set));
	/* the limit: PFX2AS_ORIGIN_MAX - 1 bytes pass, one more is refused */
	char edge[PFX2AS_ORIGIN_MAX + 1];
	for (int i = 0; i < PFX2AS_ORIGIN_MAX; i += 2)
		memcpy(edge + i, "7,", 2);
	edge[PFX2AS_ORIGIN_MAX - 1] = '\0'; /* 255 bytes: "7,7,...,7" */
	assert_true(pfx2as_origin(edge, &asn, set));
	assert_int_equal(asn, 7);
	assert_string_equal(set, edge);
	/* the same string as a file line parses, and is the same origin */
	char line[PFX2AS_ORIGIN_MAX + 32];
	snprintf(line, sizeof line, "10.0.0.0\t8\t%s", edge);
	pfx2as_line l;
	const char *why = NULL;
	assert_int_equal(pfx2as_parse_line(line, &l, &why), PFX2AS_OK);
	assert_string_equal(l.origin, edge);
	edge[PFX2AS_ORIGIN_MAX - 1] = '7'; /* 256 bytes */
	edge[PFX2AS_ORIGIN_MAX] = '\0';
	assert_false(pfx2as_origin(edge, &asn, set));
	snprintf(line, sizeof line, "10.0.0.0\t8\t%s", edge);
	assert_int_equal(pfx2as_parse_line(line, &l, &why), PFX2AS_BAD);
	assert_string_equal(why, "origin field too long");
	/* a stored row without an origin adds no prefix */
	pfx2as *t = pfx2as_new();
	pfx2as_add(t, 0x0a000000, 8, NULL);
	assert_int_equal(pfx2as_count(t), 0);
	assert_null(pfx2as_lookup(t, 0x0a000001, NULL));
	pfx2as_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_lpm),
		cmocka_unit_test(test_lpm_many),
		cmocka_unit_test(test_origin_from_the_database),
	};
	return cmocka_run_group_tests_name("pfx2as", tests, NULL, NULL);
}
