/* asorg: the two-section CAIDA as2org format. */
#include "testutil.h"
#include "mxray/asorg.h"

static void test_sections(void **state)
{
	(void)state;
	enum asorg_section sec = ASORG_SECTION_NONE;
	asorg_rec r;
	const char *why = NULL;
	char l0[] = "15169|20000330|GOOGLE|GOGL-ARIN|x|ARIN";
	assert_int_equal(asorg_parse_line(&sec, l0, &r, &why), ASORG_BAD);
	assert_string_equal(why, "data line before any '# format:' header");
	char h1[] = "# format:org_id|changed|org_name|country|source";
	assert_int_equal(asorg_parse_line(&sec, h1, &r, &why), ASORG_BLANK);
	assert_int_equal(sec, ASORG_SECTION_ORG);
	char l1[] = "GOGL-ARIN|20240105|Google LLC|US|ARIN\r";
	assert_int_equal(asorg_parse_line(&sec, l1, &r, &why), ASORG_ORG);
	assert_string_equal(r.org_id, "GOGL-ARIN");
	assert_string_equal(r.name, "Google LLC");
	assert_string_equal(r.country, "US");
	assert_string_equal(r.source, "ARIN");
	char l2[] = "X-1|20240105|A|B Corp||RIPE"; /* '|' in the name, empty country */
	assert_int_equal(asorg_parse_line(&sec, l2, &r, &why), ASORG_ORG);
	assert_string_equal(r.name, "A|B Corp");
	assert_string_equal(r.country, "");
	char h2[] = "# format:aut|changed|aut_name|org_id|opaque_id|source";
	assert_int_equal(asorg_parse_line(&sec, h2, &r, &why), ASORG_BLANK);
	assert_int_equal(sec, ASORG_SECTION_AUT);
	char l3[] = "15169|20000330|GOOGLE|GOGL-ARIN|abc_def|ARIN";
	assert_int_equal(asorg_parse_line(&sec, l3, &r, &why), ASORG_AUT);
	assert_int_equal(r.asn, 15169);
	assert_string_equal(r.name, "GOOGLE");
	assert_string_equal(r.org_id, "GOGL-ARIN");
	assert_string_equal(r.source, "ARIN");
	char l4[] = "8075|20000101|MICROSOFT|MSFT|ARIN"; /* older 5-field form */
	assert_int_equal(asorg_parse_line(&sec, l4, &r, &why), ASORG_AUT);
	assert_int_equal(r.asn, 8075);
	assert_string_equal(r.source, "ARIN");
	char l5[] = "AS1|x|y|z|w";
	assert_int_equal(asorg_parse_line(&sec, l5, &r, &why), ASORG_BAD);
	assert_string_equal(why, "AS number is not a number in 1..4294967295");
	char l6[] = "1|x|y";
	assert_int_equal(asorg_parse_line(&sec, l6, &r, &why), ASORG_BAD);
	assert_string_equal(why, "AS line does not have 5 or 6 fields");
	char l7[] = "# a plain comment";
	assert_int_equal(asorg_parse_line(&sec, l7, &r, &why), ASORG_BLANK);
	assert_int_equal(sec, ASORG_SECTION_AUT);
	char l8[] = "1|x|\xff|z|w";
	assert_int_equal(asorg_parse_line(&sec, l8, &r, &why), ASORG_BAD);
	assert_string_equal(why, "invalid UTF-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
	};
	return cmocka_run_group_tests_name("asorg", tests, NULL, NULL);
}
