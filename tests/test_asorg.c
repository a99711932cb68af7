/* asorg: CAIDA as2org, the two-section text form and JSON Lines: each
 * line on its own, then whole files imported (tests/data/README says
 * where the JSON Lines fixture comes from). */
#include "testdb.h"
#include "mxray/asorg.h"
#include "mxray/import.h"
#include "mxray/store.h"
#include "mxray/util.h"

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

/* ---- JSON Lines ------------------------------------------------------- */

static void test_jsonl_records(void **state)
{
	(void)state;
	enum asorg_section sec = ASORG_SECTION_NONE;
	asorg_rec r;
	const char *why = NULL;
	char o1[] = "{\"changed\":\"20121010\",\"country\":\"US\",\"name\":\"99MAIN NETWORK SERVICES\","
		    "\"organizationId\":\"9NS-ARIN\",\"source\":\"ARIN\",\"type\":\"Organization\"}\r";
	assert_int_equal(asorg_parse_line(&sec, o1, &r, &why), ASORG_ORG);
	assert_int_equal(sec, ASORG_SECTION_JSON);
	assert_string_equal(r.org_id, "9NS-ARIN");
	assert_string_equal(r.changed, "20121010");
	assert_string_equal(r.name, "99MAIN NETWORK SERVICES");
	assert_string_equal(r.country, "US");
	assert_string_equal(r.source, "ARIN");
	/* no "changed": "", as an empty field of the text form */
	char o2[] = "{\"country\":\"JP\",\"name\":\"Nagasaki Cable Media Inc.\",\"organizationId\":\"@aut-10000-JPNIC\","
		    "\"source\":\"JPNIC\",\"type\":\"Organization\"}";
	assert_int_equal(asorg_parse_line(&sec, o2, &r, &why), ASORG_ORG);
	assert_string_equal(r.changed, "");
	assert_string_equal(r.org_id, "@aut-10000-JPNIC");
	char a1[] = "{\"asn\":\"400644\",\"changed\":\"20220418\",\"name\":\"BGPKIT-LLC\",\"opaqueId\":"
		    "\"059b5fb85e8a50e0f722f235be7457a0_ARIN\",\"organizationId\":\"BL-1057-ARIN\",\"source\":\"ARIN\","
		    "\"type\":\"ASN\"}";
	assert_int_equal(asorg_parse_line(&sec, a1, &r, &why), ASORG_AUT);
	assert_int_equal(r.asn, 400644);
	assert_string_equal(r.changed, "20220418");
	assert_string_equal(r.name, "BGPKIT-LLC");
	assert_string_equal(r.org_id, "BL-1057-ARIN");
	assert_string_equal(r.source, "ARIN");
	/* the number as a number, escapes, key order, null, spaces */
	char a2[] = "  { \"type\" : \"ASN\", \"organizationId\":\"X\\u00e9-RIPE\", \"asn\": 4294967295, "
		    "\"name\":\"A \\\"B\\\"\", \"changed\": null}";
	assert_int_equal(asorg_parse_line(&sec, a2, &r, &why), ASORG_AUT);
	assert_int_equal(r.asn, 4294967295u);
	assert_string_equal(r.org_id, "X\xc3\xa9-RIPE");
	assert_string_equal(r.name, "A \"B\"");
	assert_string_equal(r.changed, "");
	assert_string_equal(r.source, "");
	/* comments and blank lines, as in the text form */
	char c1[] = "# a comment";
	assert_int_equal(asorg_parse_line(&sec, c1, &r, &why), ASORG_BLANK);
	char c2[] = "";
	assert_int_equal(asorg_parse_line(&sec, c2, &r, &why), ASORG_BLANK);
}

static void test_jsonl_bad(void **state)
{
	(void)state;
	static const struct {
		const char *line, *why;
	} bad[] = {
		{"{\"asn\":\"AS1\",\"organizationId\":\"X\",\"type\":\"ASN\"}", "\"asn\" is not a number in 1..4294967295"},
		{"{\"asn\":\"0\",\"organizationId\":\"X\",\"type\":\"ASN\"}", "\"asn\" is not a number in 1..4294967295"},
		{"{\"asn\":4294967296,\"organizationId\":\"X\",\"type\":\"ASN\"}", "\"asn\" is not a number in 1..4294967295"},
		{"{\"asn\":-1,\"organizationId\":\"X\",\"type\":\"ASN\"}", "\"asn\" is not a number in 1..4294967295"},
		{"{\"asn\":1.5,\"organizationId\":\"X\",\"type\":\"ASN\"}", "\"asn\" is not a number in 1..4294967295"},
		{"{\"organizationId\":\"X\",\"type\":\"ASN\"}", "no \"asn\""},
		{"{\"asn\":\"1\",\"type\":\"ASN\"}", "no \"organizationId\""},
		{"{\"asn\":\"1\",\"organizationId\":\"\",\"type\":\"ASN\"}", "\"organizationId\" is empty"},
		{"{\"name\":\"x\",\"type\":\"Organization\"}", "no \"organizationId\""},
		{"{\"organizationId\":\"X\",\"name\":5,\"type\":\"Organization\"}", "\"name\" is not a string"},
		{"{\"organizationId\":\"X\\u0000Y\",\"type\":\"Organization\"}", "\"organizationId\" contains a NUL byte"},
		{"{\"organizationId\":\"X\",\"type\":\"Peer\\u001b[2J\"}",
		 "unknown \"type\" (expected \"Organization\" or \"ASN\")"},
		{"{\"organizationId\":\"X\"}", "no \"type\" (\"Organization\" or \"ASN\")"},
		{"{\"organizationId\":\"X\",\"type\":1}", "\"type\" is not a string"},
		{"15169|20000330|GOOGLE|GOGL-ARIN|x|ARIN", "not a JSON object, in an as2org file of JSON Lines"},
		{"{\"type\":\"ASN\",", NULL}, /* jansson's message */
		{"{\"name\":\"\xff\",\"type\":\"ASN\"}", "invalid UTF-8"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum asorg_section sec = ASORG_SECTION_JSON;
		asorg_rec r;
		const char *why = NULL;
		char *line = xstrdup(bad[i].line);
		assert_int_equal(asorg_parse_line(&sec, line, &r, &why), ASORG_BAD);
		if (bad[i].why)
			assert_string_equal(why, bad[i].why);
		else
			assert_non_null(why);
		free(line);
	}
}

/* ---- whole files --------------------------------------------------------- */

static char *rows(store *st, const char *sql)
{
	return db_rows(st, sql);
}

static const char *FIXTURE_ROWS =
	"org:\n"
	"9NS-ARIN|99MAIN NETWORK SERVICES|US|20121010|ARIN\n"
	"@aut-10000-JPNIC|Nagasaki Cable Media Inc.|JP||JPNIC\n"
	"as_org:\n"
	"10000|NCM|@aut-10000-JPNIC||JPNIC\n"
	"400644|BGPKIT-LLC|BL-1057-ARIN|20220418|ARIN\n";

static char *dump(store *st)
{
	char *o = rows(st, "SELECT org_id, org_name, country, changed, source FROM org ORDER BY org_id");
	char *a = rows(st, "SELECT asn, aut_name, org_id, changed, source FROM as_org ORDER BY asn");
	char *all = xasprintf("org:\n%sas_org:\n%s", o, a);
	free(o);
	free(a);
	return all;
}

typedef db_logfx fx;

static fx *fx_open(void)
{
	return db_logfx_open();
}

static void fx_close(fx *f)
{
	db_logfx_close(f);
}

static const char *fx_log(fx *f)
{
	return db_logfx_log(f);
}

static int imp(fx *f, const char *path, bool strict, import_counts *c, char **err)
{
	import_opts o = {NULL, strict, false, 10, f->logf};
	import_input in = {IMPORT_ASORG, path, NULL};
	return import_file(f->st, &o, &in, c, err);
}

/* The fixture, and the same data in the text form: the same rows; the one
 * after the other adds nothing. */
static void test_import_jsonl(void **state)
{
	(void)state;
	fx *f = fx_open();
	import_counts c;
	char *err = NULL;
	assert_int_equal(imp(f, test_data_path("caida-as2org.jsonl"), false, &c, &err), 0);
	assert_int_equal(c.lines, 4);
	assert_int_equal(c.imported, 4);
	assert_int_equal(c.skipped, 0);
	char *got = dump(f->st);
	assert_string_equal(got, FIXTURE_ROWS);
	free(got);
	const char *txt =
		"# name: AS Org\n"
		"# format:org_id|changed|org_name|country|source\n"
		"9NS-ARIN|20121010|99MAIN NETWORK SERVICES|US|ARIN\n"
		"@aut-10000-JPNIC||Nagasaki Cable Media Inc.|JP|JPNIC\n"
		"# format:aut|changed|aut_name|org_id|opaque_id|source\n"
		"400644|20220418|BGPKIT-LLC|BL-1057-ARIN|059b5fb85e8a50e0f722f235be7457a0_ARIN|ARIN\n"
		"10000||NCM|@aut-10000-JPNIC||JPNIC\n";
	const char *tp = tmpfile_str(txt);
	assert_int_equal(imp(f, tp, false, &c, &err), 0);
	assert_int_equal(c.imported, 0);
	assert_int_equal(c.duplicates, 4);
	fx *g = fx_open();
	assert_int_equal(imp(g, tp, false, &c, &err), 0);
	got = dump(g->st);
	assert_string_equal(got, FIXTURE_ROWS);
	free(got);
	fx_close(g);
	fx_close(f);
}

/* Bad lines: FILE:LINE and counted, the good lines kept; --strict stops
 * at the first and keeps nothing. */
static void test_import_jsonl_bad(void **state)
{
	(void)state;
	const char *txt =
		"{\"changed\":\"20121010\",\"country\":\"US\",\"name\":\"99MAIN NETWORK SERVICES\",\"organizationId\":\"9NS-ARIN\",\"source\":\"ARIN\",\"type\":\"Organization\"}\n"
		"{\"asn\":\"AS7\",\"organizationId\":\"9NS-ARIN\",\"type\":\"ASN\"}\n"
		"\n"
		"{\"asn\":\"7\",\"organizationId\":\"9NS-ARIN\",\"type\":\"ASN\",\"name\":\"NINE\"}\n"
		"7|x|y|z|ARIN\n"
		"{\"asn\":\"8\",\"organizationId\":\"9NS-ARIN\",\"type\":\"Peer\"}\n"
		"{\"asn\":\"9\",\"organizationId\":\"9NS-ARIN\",\"type\":\"ASN\"\n";
	const char *p = tmpfile_str(txt);
	fx *f = fx_open();
	import_counts c;
	char *err = NULL;
	assert_int_equal(imp(f, p, false, &c, &err), 0);
	assert_int_equal(c.lines, 7);
	assert_int_equal(c.imported, 2);
	assert_int_equal(c.skipped, 4);
	char *want = xasprintf("%s:2: \"asn\" is not a number in 1..4294967295\n"
			       "%s:5: not a JSON object, in an as2org file of JSON Lines\n"
			       "%s:6: unknown \"type\" (expected \"Organization\" or \"ASN\")\n"
			       "%s:7: ", p, p, p, p);
	assert_memory_equal(fx_log(f), want, strlen(want));
	free(want);
	char *got = rows(f->st, "SELECT asn, aut_name, org_id FROM as_org");
	assert_string_equal(got, "7|NINE|9NS-ARIN\n");
	free(got);
	fx_close(f);
	f = fx_open();
	assert_int_equal(imp(f, p, true, &c, &err), -1);
	want = xasprintf("%s:2: \"asn\" is not a number in 1..4294967295", p);
	assert_string_equal(err, want);
	free(want);
	free(err);
	assert_int_equal(db_int(f->st, "SELECT count(*) FROM org"), 0);
	fx_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_field_counts),
		cmocka_unit_test(test_jsonl_records),
		cmocka_unit_test(test_jsonl_bad),
		cmocka_unit_test(test_import_jsonl),
		cmocka_unit_test(test_import_jsonl_bad),
	};
	return cmocka_run_group_tests_name("asorg", tests, NULL, NULL);
}
