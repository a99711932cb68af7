/* domain: registered domains through the real libpsl and hostname syntax;
 * every rule of the Public Suffix List walked against libpsl's own answers,
 * directly and through the banner, certificate and MX-name paths. */
#include "testutil.h"
#include "mxray/banner.h"
#include "mxray/domain.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <libpsl.h>
#include <sqlite3.h>
#include <time.h>

/* Debian's publicsuffix package: the text list the build's libpsl data
 * (public_suffix_list.dafsa and libpsl's built-in copy) is made of. */
#define PSL_DAT "/usr/share/publicsuffix/public_suffix_list.dat"

static void rd_is(const char *name, const char *rd)
{
	const char *got = domain_rd(name);
	if (!rd) {
		if (got)
			fail_msg("domain_rd(%s) = %s, expected none", name, got);
		return;
	}
	if (!got)
		fail_msg("domain_rd(%s) = none, expected %s", name, rd);
	assert_string_equal(got, rd);
}

static void test_rd(void **state)
{
	(void)state;
	const char *why;
	assert_true(domain_init(&why));
	assert_non_null(strstr(domain_psl_source(), "libpsl"));
	rd_is("mx.google.com", "google.com");
	rd_is("google.com", "google.com");
	rd_is("aspmx.l.google.com", "google.com");
	rd_is("mail.example.co.uk", "example.co.uk");
	rd_is("mx.yandex.ru", "yandex.ru");
	rd_is("mx0a-001b2d01.pphosted.com", "pphosted.com");
	rd_is("*.mail.protection.outlook.com", "outlook.com");
	rd_is("s1-2-3-4.secureserver.net", "secureserver.net");
	rd_is("ukraine.com.ua", "ukraine.com.ua");
	/* issue 15: 'za' is no rule of its own, only co.za, org.za, ... */
	rd_is("za-smtp-inbound-1.mimecast.co.za", "mimecast.co.za");
	rd_is("mx.example.co.za", "example.co.za");
	rd_is("mail.example.gov.za", "example.gov.za");
	rd_is("mail.example.za", "example.za");
	rd_is("co.za", NULL);
	/* a wildcard TLD with an exception: *.ck, !www.ck */
	rd_is("a.b.ck", "a.b.ck");
	rd_is("www.ck", "www.ck");
	rd_is("mail.www.ck", "www.ck");
	rd_is("b.ck", NULL);
	/* internationalised TLDs, in their ASCII form (.рф, .中国) */
	rd_is("mail.example.xn--p1ai", "example.xn--p1ai");
	rd_is("mx.example.xn--fiqs8s", "example.xn--fiqs8s");
	rd_is("mail.example.xn--nope", NULL);
	/* private suffixes count: each blogspot/herokuapp name is its own RD */
	rd_is("foo.blogspot.com", "foo.blogspot.com");
	rd_is("a.b.herokuapp.com", "b.herokuapp.com");
	rd_is("co.uk", NULL);
	rd_is("com", NULL);
	rd_is("localhost", NULL);
	rd_is("localhost.localdomain", NULL);
	rd_is("192.0.2.7", NULL);
	rd_is("mail.example.123", NULL);
	rd_is("", NULL);
	rd_is("mail.corp.internal", NULL);
	domain_done();
}

/* domain_rd keeps its last answers: a list loaded after them replaces
 * them, and a long name (past the cache's length) is answered as well. */
static void test_rd_cache(void **state)
{
	(void)state;
	const char *why;
	const char *one = tmpfile_str("com\n"), *two = tmpfile_str("com\nfoo.com\n");
	assert_true(domain_init_file(one, &why));
	rd_is("mail.foo.com", "foo.com");
	rd_is("mail.foo.com", "foo.com");
	rd_is("foo.com", "foo.com");
	assert_true(domain_init_file(two, &why));
	rd_is("mail.foo.com", "mail.foo.com");
	rd_is("foo.com", NULL);
	const char *longname = "a-label-of-some-length.another-label-of-some-length.mail.foo.com";
	assert_true(strlen(longname) >= 64);
	rd_is(longname, "mail.foo.com");
	rd_is(longname, "mail.foo.com");
	domain_done();
	assert_true(domain_init(&why));
	rd_is("mail.foo.com", "foo.com");
	domain_done();
}

/* The deliberate rule: a TLD that no rule of the list mentions gives no
 * registered domain, where libpsl's implicit "*" rule would give one. */
static void test_unknown_tld(void **state)
{
	(void)state;
	const char *why;
	assert_true(domain_init(&why));
	psl_ctx_t *ref = psl_latest(NULL);
	assert_non_null(ref);
	const char *names[] = {"localhost.localdomain", "mail.corp.internal", "nas.home.lan", "printer.local",
			       "mx.example.test", "mail.example.invalid", "a.b.c.intranet", "mx.example.xn--nope"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *tld = strrchr(names[i], '.') + 1;
		/* not in the list at all, and libpsl answers anyway */
		assert_false(psl_is_public_suffix2(ref, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE));
		assert_non_null(psl_registrable_domain(ref, names[i]));
		rd_is(names[i], NULL);
	}
	psl_free(ref);
	domain_done();
}

/* domain_to_ascii: libidn2's conversion, as libpsl makes it for the rules
 * of a text list (the rules themselves are checked by test_every_rule). */
static void test_to_ascii(void **state)
{
	(void)state;
	char out[256];
	const char *cases[][2] = {
		{"\u516c\u53f8.cn", "xn--55qx5d.cn"},
		{"\u03b5\u03bb", "xn--qxam"},
		{"\u0440\u0444", "xn--p1ai"},
		{"\u4e2d\u56fd", "xn--fiqs8s"},
		{"b\u00fccher.de", "xn--bcher-kva.de"},
		{"verm\u00f6gensberater", "xn--vermgensberater-ctb"},
		/* RFC 3492 section 7.1 sample (C), Chinese (simplified) */
		{"\u4ed6\u4eec\u4e3a\u4ec0\u4e48\u4e0d\u8bf4\u4e2d\u6587", "xn--ihqwcrb4cv8a8dqg056pqjye"},
		/* UTS #46 mapping: upper case folded, non-transitional sharp s */
		{"\u0395\u039b", "xn--qxam"},
		{"B\u00fccher.DE", "xn--bcher-kva.de"},
		{"fa\u00df.de", "xn--fa-hia.de"},
		/* an all-ASCII name is left as it is, as libpsl leaves it */
		{"example.com", "example.com"},
		{"_dmarc.Example.COM", "_dmarc.Example.COM"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (!domain_to_ascii(cases[i][0], out, sizeof out))
			fail_msg("domain_to_ascii(%s) refused, expected %s", cases[i][0], cases[i][1]);
		assert_string_equal(out, cases[i][1]);
	}
	/* refused: invalid UTF-8, a disallowed code point, a hyphen at the
	 * start of an IDN label */
	assert_false(domain_to_ascii("b\u00fccher\xff.com", out, sizeof out));
	assert_false(domain_to_ascii("\u2603.com", out, sizeof out));
	assert_false(domain_to_ascii("-\u00fc.com", out, sizeof out));
	assert_false(domain_to_ascii("\u0440\u0444", out, 8)); /* "xn--p1ai" needs 9 bytes */
	assert_true(domain_to_ascii("\u0440\u0444", out, 9));
	assert_string_equal(out, "xn--p1ai");
	assert_false(domain_to_ascii("example.com", out, 11));
	assert_true(domain_to_ascii("example.com", out, 12));
}

static void test_hostname(void **state)
{
	(void)state;
	assert_true(domain_is_hostname("mx.google.com"));
	assert_true(domain_is_hostname("s1-2-3-4.secureserver.net"));
	assert_true(domain_is_hostname("_dmarc.example.org"));
	assert_true(domain_is_hostname("mail.example.xn--p1ai"));
	assert_false(domain_is_hostname("localhost"));
	assert_false(domain_is_hostname("192.0.2.7"));
	assert_false(domain_is_hostname("[192.0.2.7]"));
	assert_false(domain_is_hostname("a..b.com"));
	assert_false(domain_is_hostname(".a.com"));
	assert_false(domain_is_hostname("a.com."));
	assert_false(domain_is_hostname("*.a.com"));
	assert_false(domain_is_hostname("a b.com"));
	assert_false(domain_is_hostname("mail.x.c"));
	assert_false(domain_is_hostname("mail.example.xn--"));
	assert_false(domain_is_hostname("mail.example.xn--p1ai-"));
	char big[80];
	memset(big, 'a', 64);
	strcpy(big + 64, ".com");
	assert_false(domain_is_hostname(big));
	/* issue 13: a label neither begins nor ends with '-' */
	assert_false(domain_is_hostname("-cmd.example.com"));
	assert_false(domain_is_hostname("a-.example.com"));
	assert_false(domain_is_hostname("mail.-example.com"));
	assert_false(domain_is_hostname("mail.example-.com"));
	assert_false(domain_is_hostname("-.example.com"));
	assert_false(domain_is_hostname("mail.example.-com"));
	assert_true(domain_is_hostname("xn--abc.example.com"));
	assert_true(domain_is_hostname("a-b.example.com"));
	assert_true(domain_is_hostname("a--b.example.com"));
	assert_true(domain_is_hostname("0-a.example.com"));
}

/* ---- the walk over every rule of the list ------------------------------ */

enum rule_kind { RULE_NORMAL, RULE_WILDCARD, RULE_EXCEPTION };

typedef struct {
	char *suffix; /* ASCII form, without "*." or "!" */
	enum rule_kind kind;
} rule;

static rule *rules;
static size_t nrules;

/* Every rule of the text list: the first word of a line that is not blank
 * and not a "//" comment, in its ASCII form. */
static void free_rules(void);

static void read_rules(void)
{
	free_rules(); /* what a failed test left */
	FILE *f = fopen(PSL_DAT, "r");
	if (!f)
		fail_msg("cannot read %s (the 'publicsuffix' package)", PSL_DAT);
	size_t cap = 0;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		char *e = p;
		while (*e && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n')
			e++;
		*e = '\0';
		if (!*p || (p[0] == '/' && p[1] == '/'))
			continue;
		enum rule_kind kind = RULE_NORMAL;
		if (p[0] == '!') {
			kind = RULE_EXCEPTION;
			p++;
		} else if (p[0] == '*' && p[1] == '.') {
			kind = RULE_WILDCARD;
			p += 2;
		}
		char ascii[256];
		if (!domain_to_ascii(p, ascii, sizeof ascii))
			fail_msg("rule '%s' has no ASCII form", p);
		if (nrules == cap) {
			cap = cap ? cap * 2 : 16384;
			rules = xrealloc(rules, cap * sizeof *rules);
		}
		rules[nrules++] = (rule){xstrdup(ascii), kind};
	}
	fclose(f);
	assert_true(nrules > 5000);
}

static void free_rules(void)
{
	for (size_t i = 0; i < nrules; i++)
		free(rules[i].suffix);
	free(rules);
	rules = NULL;
	nrules = 0;
}

#define PROBE "mxrayprobe"

/* The test names of one rule, with the registered domain the list gives
 * them: s -> PROBE.s and a.PROBE.s have PROBE.s; *.s -> a.PROBE.s has
 * itself; !e -> e and a.e have e.  Returns how many (at most 2). */
static int probes(const rule *r, char name[2][320], char want[2][320])
{
	switch (r->kind) {
	case RULE_NORMAL:
		snprintf(name[0], 320, PROBE ".%s", r->suffix);
		snprintf(name[1], 320, "a." PROBE ".%s", r->suffix);
		snprintf(want[0], 320, PROBE ".%s", r->suffix);
		snprintf(want[1], 320, PROBE ".%s", r->suffix);
		return 2;
	case RULE_WILDCARD:
		snprintf(name[0], 320, "a." PROBE ".%s", r->suffix);
		snprintf(want[0], 320, "a." PROBE ".%s", r->suffix);
		return 1;
	case RULE_EXCEPTION:
		snprintf(name[0], 320, "%s", r->suffix);
		snprintf(name[1], 320, "a.%s", r->suffix);
		snprintf(want[0], 320, "%s", r->suffix);
		snprintf(want[1], 320, "%s", r->suffix);
		return 2;
	}
	return 0;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Walk every rule with the list domain.c has loaded; compare domain_rd
 * with libpsl's own answer (ref) and with what the rule says. */
static void walk(const psl_ctx_t *ref, const char *what)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t names = 0, diffs = 0, unlike_rule = 0, not_in_list = 0;
	size_t kinds[3] = {0, 0, 0};
	for (size_t i = 0; i < nrules; i++) {
		const rule *r = &rules[i];
		kinds[r->kind]++;
		/* the text list and the list libpsl uses agree on the rule */
		bool suffix = psl_is_public_suffix2(ref, r->suffix, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
		if (suffix != (r->kind != RULE_EXCEPTION)) {
			if (not_in_list++ < 10)
				print_message("%s: rule %s%s not in libpsl's list\n", what,
					      r->kind == RULE_EXCEPTION ? "!" : r->kind == RULE_WILDCARD ? "*." : "",
					      r->suffix);
		}
		char name[2][320], want[2][320];
		int n = probes(r, name, want);
		for (int k = 0; k < n; k++) {
			names++;
			const char *lib = psl_registrable_domain(ref, name[k]);
			const char *got = domain_rd(name[k]);
			if (!same(got, lib) && diffs++ < 10)
				print_message("%s: domain_rd(%s) = %s, libpsl %s\n", what, name[k], got ? got : "none",
					      lib ? lib : "none");
			if (!same(lib, want[k]) && unlike_rule++ < 10)
				print_message("%s: libpsl gives %s for %s, the rule says %s\n", what, lib ? lib : "none",
					      name[k], want[k]);
		}
	}
	/* domain_rd_memo gives domain_rd's answer, on names at, one, two and
	 * three labels below every rule (one memo for all: parents repeat) */
	domain_memo *memo = domain_memo_new();
	size_t memo_names = 0, memo_diffs = 0, deep_diffs = 0;
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < nrules; i++) {
			static const char *const below[] = {"", "x.", "a.x.", "b.a.x.", "a." PROBE ".", "b.a." PROBE "."};
			for (size_t k = 0; k < sizeof below / sizeof *below; k++) {
				char name[400];
				snprintf(name, sizeof name, "%s%s", below[k], rules[i].suffix);
				const char *want = domain_rd(name), *got = domain_rd_memo(memo, name);
				memo_names++;
				if (!same(got, want) && memo_diffs++ < 10)
					print_message("%s: domain_rd_memo(%s) = %s, domain_rd %s\n", what, name,
						      got ? got : "none", want ? want : "none");
				/* domain_rd asks libpsl about the parent of such a name:
				 * still libpsl's answer about the name */
				const char *lib = psl_registrable_domain(ref, name);
				if (!same(want, lib) && deep_diffs++ < 10)
					print_message("%s: domain_rd(%s) = %s, libpsl %s\n", what, name, want ? want : "none",
						      lib ? lib : "none");
				if (got && (got < name || got >= name + strlen(name)))
					fail_msg("domain_rd_memo(%s): not a pointer into the name", name);
			}
		}
	domain_memo_free(memo);
	print_message("%s: %zu names through the memo, %zu differences\n", what, memo_names, memo_diffs);
	assert_int_equal(memo_diffs, 0);
	print_message("%s: %zu differences from libpsl below the rules\n", what, deep_diffs);
	assert_int_equal(deep_diffs, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("%s: %zu rules (%zu normal, %zu wildcard, %zu exception), %zu names, %zu differences "
		      "from libpsl, %zu from the rules, %zu rules not in libpsl's list, %.3f s\n",
		      what, nrules, kinds[RULE_NORMAL], kinds[RULE_WILDCARD], kinds[RULE_EXCEPTION], names, diffs,
		      unlike_rule, not_in_list,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_int_equal(diffs, 0);
	assert_int_equal(unlike_rule, 0);
	assert_int_equal(not_in_list, 0);
}

static void test_every_rule(void **state)
{
	(void)state;
	read_rules();
	/* libpsl's own choice of list, as the build uses it */
	psl_ctx_t *ref = psl_latest(NULL);
	assert_non_null(ref);
	const char *why;
	domain_done();
	assert_true(domain_init(&why));
	walk(ref, domain_psl_source());
	domain_done();
	/* the same list read from its text form (the top-level domains are
	 * then collected from the text, IDNs converted here) */
	assert_true(domain_init_file(PSL_DAT, &why));
	walk(ref, domain_psl_source());
	domain_done();
	psl_free(ref);
	free_rules();
}

/* ---- the banner/EHLO, certificate and MX-name paths -------------------- */

/* Is the rule's TLD (its last label) no rule of its own, as 'za' is? */
static bool under_unlisted_tld(const psl_ctx_t *ref, const rule *r)
{
	const char *dot = strrchr(r->suffix, '.');
	return dot && !psl_is_public_suffix2(ref, dot + 1, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

static char *host_column(store *st, const char *host, const char *column)
{
	char *sql = xasprintf("SELECT %s FROM infer_host WHERE snapshot = '2021-06-08' AND host = ?1", column);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	free(sql);
	sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC);
	char *v = NULL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static void test_paths(void **state)
{
	(void)state;
	read_rules();
	psl_ctx_t *ref = psl_latest(NULL);
	assert_non_null(ref);
	const char *why;
	domain_done();
	assert_true(domain_init(&why));
	char *err = NULL;
	kb *k = kb_load_default(&err);
	assert_non_null(k);

	/* the sample: every 50th rule, every rule under a TLD that is no rule
	 * of its own (co.za and its kind) and every IDN TLD (xn--p1ai) */
	char **hosts = NULL;
	size_t nhosts = 0, cap = 0, unlisted = 0, idns = 0, banner_diffs = 0;
	for (size_t i = 0; i < nrules; i++) {
		bool odd = under_unlisted_tld(ref, &rules[i]);
		bool idn = strncmp(rules[i].suffix, "xn--", 4) == 0 && !strchr(rules[i].suffix, '.');
		if (i % 50 != 0 && !odd && !idn)
			continue;
		unlisted += odd;
		idns += idn;
		char name[2][320], want[2][320];
		int n = probes(&rules[i], name, want);
		for (int j = 0; j < n; j++) {
			const char *lib = psl_registrable_domain(ref, name[j]);
			assert_non_null(lib);
			/* banner/EHLO: the FQDN is taken exactly when it has an RD */
			char text[720], out[MX_NAME_MAX + 2];
			snprintf(text, sizeof text, "220 %s ESMTP ready", name[j]);
			bool got = banner_fqdn(k, text, strlen(text), out);
			if ((!got || strcmp(out, name[j]) != 0 || !same(domain_rd(out), lib)) && banner_diffs++ < 10)
				print_message("banner '%s' gave %s\n", text, got ? out : "nothing");
			if (nhosts == cap) {
				cap = cap ? cap * 2 : 1024;
				hosts = xrealloc(hosts, cap * sizeof *hosts);
			}
			hosts[nhosts++] = xstrdup(name[j]);
		}
	}
	assert_true(unlisted > 0 && idns > 0);
	assert_true(nhosts < 65536);

	/* the certificate and MX-name paths through import and infer: each
	 * name is an MX host with its own address, certificate and banner */
	strbuf dns, scans;
	sb_init(&dns);
	sb_init(&scans);
	for (size_t i = 0; i < nhosts; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "10.%zu.%zu.%zu", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		sb_addf(&dns, "{\"query_type\":\"MX\",\"query_name\":\"d%zu.example.com.\",\"response_type\":\"MX\","
			      "\"mx_address\":\"%s.\",\"mx_preference\":10,\"status_code\":0}\n", i, hosts[i]);
		sb_addf(&dns, "{\"query_type\":\"A\",\"query_name\":\"%s.\",\"response_type\":\"A\","
			      "\"response_name\":\"%s.\",\"ip4_address\":\"%s\"}\n", hosts[i], hosts[i], ip);
		sb_addf(&scans, "{\"ip\":\"%s\",\"autonomous_system\":{\"asn\":64500},\"p25\":{\"smtp\":{\"starttls\":{"
				"\"banner\":\"220 %s ESMTP\",\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"%s\"]}},"
				"\"validation\":{\"browser_trusted\":true}}}}}}\n", ip, hosts[i], hosts[i]);
	}
	const char *path = tmpdb();
	store *st = store_open(path, &err);
	assert_non_null(st);
	import_input in[2] = {{IMPORT_DNS, tmpfile_str(dns.data), NULL}, {IMPORT_SCANS, tmpfile_str(scans.data), NULL}};
	FILE *devnull = fopen("/dev/null", "w");
	import_opts io = {"2021-06-08", true, false, 10, devnull};
	if (import_run(st, &io, in, 2, &err) < 0)
		fail_msg("import: %s", err);
	fclose(devnull);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, k, false, NULL, NULL};
	infer_summary sum;
	if (infer_run(st, &o, &sum, &err) < 0)
		fail_msg("infer: %s", err);
	size_t diffs = 0;
	for (size_t i = 0; i < nhosts; i++) {
		const char *lib = psl_registrable_domain(ref, hosts[i]);
		const char *cols[] = {"mx_id", "cert_id", "banner_id"};
		for (size_t c = 0; c < 3; c++) {
			char *v = host_column(st, hosts[i], cols[c]);
			if (!same(v, lib) && diffs++ < 10)
				print_message("%s of %s: %s, libpsl %s\n", cols[c], hosts[i], v ? v : "none", lib);
			free(v);
		}
	}
	print_message("paths: %zu names from every 50th rule, the %zu rules under a TLD that is no rule of its own "
		      "and the %zu IDN TLDs: %zu differences in banner_fqdn, %zu in infer's mx_id, cert_id and "
		      "banner_id\n", nhosts, unlisted, idns, banner_diffs, diffs);
	assert_int_equal(banner_diffs, 0);
	assert_int_equal(diffs, 0);
	store_close(st);
	rmdb(path);
	sb_free(&dns);
	sb_free(&scans);
	for (size_t i = 0; i < nhosts; i++)
		free(hosts[i]);
	free(hosts);
	kb_free(k);
	psl_free(ref);
	domain_done();
	free_rules();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd),
		cmocka_unit_test(test_rd_cache),
		cmocka_unit_test(test_unknown_tld),
		cmocka_unit_test(test_to_ascii),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_every_rule),
		cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests_name("domain", tests, NULL, NULL);
}
