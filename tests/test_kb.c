/* kb: the default knowledge base, lookups, hostname rules, bad files. */
#include "testutil.h"
#include "mxray/kb.h"
#include "mxray/util.h"

static kb *k;

static int setup(void **state)
{
	(void)state;
	char *err = NULL;
	k = kb_load_default(&err);
	assert_non_null(k);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kb_free(k);
	return 0;
}

static void test_default_contents(void **state)
{
	(void)state;
	assert_int_equal(k->ncompanies, 38);
	assert_int_equal(k->nsuggestions, 2);
	assert_int_equal(k->nmisleading, 3);
	assert_int_equal(k->nhostrules, 102);
	assert_string_equal(k->origin, "built-in");
	assert_int_equal(strncmp(k->digest, "fnv1a64:", 8), 0);
	assert_int_equal(strlen(k->digest), 24);
	assert_string_equal(kb_company_of(k, "google.com")->name, "Google");
	assert_string_equal(kb_company_of(k, "outlook.com")->name, "Microsoft");
	assert_string_equal(kb_company_of(k, "iphmx.com")->name, "Cisco");
	assert_string_equal(kb_company_of(k, "pphosted.com")->name, "ProofPoint");
	assert_string_equal(kb_company_of(k, "secureserver.net")->name, "GoDaddy");
	/* fnmatch patterns among the provider IDs */
	assert_string_equal(kb_company_of(k, "siteground.us")->name, "SiteGround");
	assert_string_equal(kb_company_of(k, "sitegroundmail.com")->name, "SiteGround");
	assert_null(kb_company_of(k, "example.com"));
	assert_null(kb_company_of(k, NULL));
	assert_true(kb_company_has_asn(kb_company_of(k, "google.com"), 15169));
	assert_false(kb_company_has_asn(kb_company_of(k, "google.com"), 8075));
	assert_string_equal(kb_company_named(k, "proofpoint")->name, "ProofPoint");
}

static void test_suggest_and_misleading(void **state)
{
	(void)state;
	uint32_t cisco[] = {16417, 30238};
	uint32_t pp[] = {26211};
	uint32_t mixed[] = {16417, 26211};
	uint32_t pp15830[] = {15830}; /* Proofpoint's, but not in its suggestion list */
	assert_string_equal(kb_suggest(k, cisco, 2)->provider_id, "iphmx.com");
	assert_string_equal(kb_suggest(k, cisco, 2)->company, "Cisco");
	assert_string_equal(kb_suggest(k, pp, 1)->provider_id, "pphosted.com");
	assert_null(kb_suggest(k, mixed, 2));
	assert_null(kb_suggest(k, pp15830, 1));
	assert_null(kb_suggest(k, cisco, 0)); /* no ASN at all suggests nothing */
	assert_true(kb_misleading(k, "spamhaus.org"));
	assert_true(kb_misleading(k, "www.spamhaus.org"));
	assert_false(kb_misleading(k, "notspamhaus.org"));
	assert_false(kb_misleading(k, "spamhaus.org.example.com"));
}

static void host_is(const char *rd, const char *fqdn, bool banner, enum kb_host want)
{
	enum kb_host got = kb_hostname(k, rd, fqdn, banner, NULL);
	if (got != want)
		fail_msg("%s (%s): got %d, want %d", fqdn, banner ? "banner" : "cert", got, want);
}

static void test_hostname_rules(void **state)
{
	(void)state;
	host_is("secureserver.net", "s1-2-3-4.secureserver.net", true, KB_HOST_VPS);
	host_is("secureserver.net", "ip-1-2-3-4.secureserver.net", true, KB_HOST_VPS);
	host_is("secureserver.net", "mailstore1.secureserver.net", true, KB_HOST_DEDICATED);
	host_is("secureserver.net", "p3plibsmtp01-05.prod.phx3.secureserver.net", true, KB_HOST_DEDICATED);
	host_is("secureserver.net", "random.secureserver.net", true, KB_HOST_VPS); /* the default */
	host_is("ovh.net", "vps123456.ovh.net", true, KB_HOST_VPS);
	host_is("ovh.net", "mx1.mail.ovh.net", true, KB_HOST_DEDICATED);
	host_is("ovh.net", "ns0.ovh.net", true, KB_HOST_DEDICATED);
	host_is("ovh.net", "ns3012345.ovh.net", true, KB_HOST_VPS);
	/* google.com: from a banner only mx.google.com is Google's own */
	host_is("google.com", "mx.google.com", true, KB_HOST_DEDICATED);
	host_is("google.com", "smtp.google.com", true, KB_HOST_VPS);
	host_is("google.com", "smtp.google.com", false, KB_HOST_DEDICATED);
	/* '[*]' is a literal asterisk */
	host_is("webhostbox.net", "*.webhostbox.net", false, KB_HOST_DEDICATED);
	host_is("webhostbox.net", "vps1.webhostbox.net", true, KB_HOST_VPS);
	host_is("webhostbox.net", "1-2-3-4.webhostbox.net", true, KB_HOST_VPS);
	host_is("webhostbox.net", "zzz.webhostbox.net", true, KB_HOST_UNKNOWN);
	host_is("stratoserver.net", "h123.stratoserver.net", true, KB_HOST_VPS);
	host_is("example.com", "mail.example.com", true, KB_HOST_NONE);
	const char *m;
	assert_int_equal(kb_hostname(k, "secureserver.net", "s1-2-3-4.secureserver.net", true, &m), KB_HOST_VPS);
	assert_string_equal(m, "s*-*-*-*.secureserver.net");
}

/* The lookups' index answers as the scans it replaced: an exact ID before
 * any pattern, the first company listing an ID, patterns in file order. */
static void test_lookup_order(void **state)
{
	(void)state;
	const char *json = "{\"format\":\"mxray-kb/1\",\"companies\":["
			   "{\"name\":\"Pat\",\"provider_ids\":[\"x.com\",\"mx*.b.com\"],\"asns\":[1]},"
			   "{\"name\":\"Exact\",\"provider_ids\":[\"mx1.b.com\",\"x.com\"],\"asns\":[2]},"
			   "{\"name\":\"Later\",\"provider_ids\":[\"l.com\",\"mx?.b.com\",\"*.b.com\"],\"asns\":[3]}],"
			   "\"hostname_rules\":{\"h.com\":{\"rules\":[[\"v*\",\"vps\"]],\"default\":\"dedicated\"}}}";
	char *err = NULL;
	kb *k = kb_parse(json, strlen(json), "t.json", &err);
	assert_non_null(k);
	assert_string_equal(kb_company_of(k, "mx1.b.com")->name, "Exact");
	assert_string_equal(kb_company_of(k, "x.com")->name, "Pat");
	assert_string_equal(kb_company_of(k, "mx2.b.com")->name, "Pat");
	assert_string_equal(kb_company_of(k, "a.b.com")->name, "Later");
	assert_null(kb_company_of(k, "b.com"));
	assert_null(kb_company_of(k, NULL));
	assert_true(kb_has_hostrules(k, "h.com"));
	assert_false(kb_has_hostrules(k, "b.com"));
	assert_int_equal(kb_hostname(k, "h.com", "v1.h.com", false, NULL), KB_HOST_VPS);
	assert_int_equal(kb_hostname(k, "h.com", "mail.h.com", false, NULL), KB_HOST_DEDICATED);
	assert_int_equal(kb_hostname(k, "b.com", "mail.b.com", false, NULL), KB_HOST_NONE);
	kb_free(k);
}

static void bad_kb(const char *json, const char *expect)
{
	char *err = NULL;
	kb *b = kb_parse(json, strlen(json), "t.json", &err);
	assert_null(b);
	assert_non_null(err);
	if (!strstr(err, expect))
		fail_msg("error '%s' does not contain '%s'", err, expect);
	free(err);
}

static void test_bad_files(void **state)
{
	(void)state;
	bad_kb("{", "t.json:1: bad knowledge base:");
	bad_kb("[]", "t.json: bad knowledge base: the top level is not an object");
	bad_kb("{\"companies\":[]}", "\"format\" must be \"mxray-kb/1\"");
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"A\",\"provider_ids\":[\"a.com\"],\"asns\":[\"1\"]}]}",
	       "companies[0] (A).asns[0] is not an AS number");
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"A\",\"provider_ids\":[\"A.com\"],\"asns\":[]}]}",
	       "companies[0] (A).provider_ids[0] ('A.com') must be lower case without spaces");
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[],\"hostname_rules\":{\"a.com\":{\"rules\":[[\"x*\",\"vsp\"]],"
	       "\"default\":\"vps\"}}}",
	       "hostname_rules.a.com.rules[0] is not \"dedicated\", \"vps\" or \"unknown\"");
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[],\"as_suggestions\":[{\"company\":\"Nobody\","
	       "\"provider_id\":\"x.com\",\"asns\":[1]}]}",
	       "as_suggestions[0].company is not one of the companies");
	bad_kb("{\"format\":\"mxray-kb/1\",\"format\":\"mxray-kb/1\"}", "duplicate object key");
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"A\",\"provider_ids\":[\"*.a.com\",\"a.com\"],"
	       "\"asns\":[1]}]}",
	       "companies[0] (A).provider_ids[0] must be a provider ID, not a pattern (decisions for the company record it)");
	/* company names reach the terminal and ';'-joined answer sets */
	static const char *const badnames[] = {"A;B", "A\\u001b[2J", "A\\u0085", "A\\u202eB", "A\\u200bB", "A\\u2067B",
					       /* issue 13: sanitize's table, not a shorter list of its own */
					       "A\\u007f", "A\\u061cB", "A\\u2028B", "A\\u2029", "\\ufeffA", "A\\u00adB",
					       "A\\u3164", "A\\udb40\\udc01", "A\\ufe0f"};
	for (size_t i = 0; i < sizeof badnames / sizeof *badnames; i++) {
		char json[200];
		snprintf(json, sizeof json, "{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"%s\","
			 "\"provider_ids\":[\"a.com\"],\"asns\":[1]}]}", badnames[i]);
		bad_kb(json, "companies[0] has a name with a control or invisible character or ';'");
	}
	/* names of other scripts pass: Arabic, CJK, an emoji, the visible
	 * Arabic number sign */
	const char *fine = "{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"\\u0645\\u0631\\u062d\\u0628\\u0627 "
			   "\\u4e2d\\u6587 \\ud83d\\ude00 \\u0600\",\"provider_ids\":[\"a.com\"],\"asns\":[1]}]}";
	char *err = NULL;
	kb *f = kb_parse(fine, strlen(fine), "t.json", &err);
	assert_non_null(f);
	assert_string_equal(f->companies[0].name, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xe4\xb8\xad\xe6\x96\x87 "
			    "\xf0\x9f\x98\x80 \xd8\x80");
	kb_free(f);
	/* provider IDs and banner domains: the same table */
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"A\",\"provider_ids\":[\"a\\u202e.com\"],"
	       "\"asns\":[1]}]}",
	       "companies[0] (A).provider_ids[0] ('a<U+202E>.com') has a control or invisible character");
	bad_kb("{\"format\":\"mxray-kb/1\",\"companies\":[],\"misleading_banner_domains\":[\"x\\u0085.com\"]}",
	       "misleading_banner_domains[0] ('x\\u{85}.com') has a control or invisible character");
	/* a location of any length is named whole (it was cut at 600 bytes,
	 * losing the rule's index) */
	char *longkey = xmalloc(2000);
	memset(longkey, 'k', 700);
	longkey[700] = '\0';
	char *json = xasprintf("{\"format\":\"mxray-kb/1\",\"companies\":[],\"hostname_rules\":{\"%s\":{\"rules\":"
			       "[[\"x*\",\"vps\"],[\"y*\",\"vsp\"]],\"default\":\"vps\"}}}", longkey);
	char *want = xasprintf("hostname_rules.%s.rules[1] is not \"dedicated\", \"vps\" or \"unknown\"", longkey);
	bad_kb(json, want);
	free(json);
	free(want);
	free(longkey);
	assert_null(kb_load_file("/nonexistent.json", &err));
	assert_string_equal(err, "cannot open knowledge base /nonexistent.json: No such file or directory");
	free(err);
	/* a minimal valid file */
	const char *ok = "{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"A\",\"provider_ids\":[\"a.com\"],\"asns\":[1]}]}";
	kb *m = kb_load_file(tmpfile_str(ok), &err);
	assert_non_null(m);
	assert_int_equal(m->ncompanies, 1);
	kb_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_contents),
		cmocka_unit_test(test_suggest_and_misleading),
		cmocka_unit_test(test_hostname_rules),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_lookup_order),
	};
	return cmocka_run_group_tests_name("kb", tests, setup, teardown);
}
