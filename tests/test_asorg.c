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

/* An organization line with too many fields says how many it has, not
 * "fewer than 5". */
static void test_field_counts(void **state)
{
	(void)state;
	enum asorg_section sec = ASORG_SECTION_NONE;
	asorg_rec r;
	const char *why = NULL;
	char h[] = "# format:org_id|changed|org_name|country|source";
	assert_int_equal(asorg_parse_line(&sec, h, &r, &why), ASORG_BLANK);
	char l4[] = "X|20240105|Name|US";
	assert_int_equal(asorg_parse_line(&sec, l4, &r, &why), ASORG_BAD);
	assert_string_equal(why, "organization line has fewer than 5 fields");
	char l16[] = "X|20240105|a|b|c|d|e|f|g|h|i|j|k|l|US|ARIN"; /* 16: the most that is read */
	assert_int_equal(asorg_parse_line(&sec, l16, &r, &why), ASORG_ORG);
	assert_string_equal(r.name, "a|b|c|d|e|f|g|h|i|j|k|l");
	assert_string_equal(r.country, "US");
	assert_string_equal(r.source, "ARIN");
	char l17[] = "X|20240105|a|b|c|d|e|f|g|h|i|j|k|l|m|US|ARIN";
	assert_int_equal(asorg_parse_line(&sec, l17, &r, &why), ASORG_BAD);
	assert_string_equal(why, "organization line has 17 fields, more than 16");
	char l40[] = "X|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|27|28|29|30|31|32|33|34|35|36|37|US|ARIN";
	assert_int_equal(asorg_parse_line(&sec, l40, &r, &why), ASORG_BAD);
	assert_string_equal(why, "organization line has 40 fields, more than 16");
	char h2[] = "# format:aut|changed|aut_name|org_id|opaque_id|source";
	assert_int_equal(asorg_parse_line(&sec, h2, &r, &why), ASORG_BLANK);
	char a17[] = "1|a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p";
	assert_int_equal(asorg_parse_line(&sec, a17, &r, &why), ASORG_BAD);
	assert_string_equal(why, "AS line does not have 5 or 6 fields");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_field_counts),
	};
	return cmocka_run_group_tests_name("asorg", tests, NULL, NULL);
}
