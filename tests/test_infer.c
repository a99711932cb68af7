/* infer: each step of the method with exact expected values, on small
 * snapshots imported into a real SQLite file, including the paper's and
 * its code's own examples. */
#include "testdb.h"
#include "mxray/correct.h"
#include "mxray/export.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/store.h"
#include "mxray/util.h"

typedef struct {
	strbuf dns, scans, pfx;
	const char *path;
	store *st;
	kb *k;
	infer_summary sum;
} fx;

static fx *F;

static int setup(void **state)
{
	(void)state;
	F = xcalloc(1, sizeof *F);
	sb_init(&F->dns);
	sb_init(&F->scans);
	sb_init(&F->pfx);
	sb_adds(&F->dns, "");
	sb_adds(&F->scans, "");
	sb_adds(&F->pfx, "");
	F->path = xstrdup(tmpdb());
	char *err = NULL;
	F->st = store_open(F->path, &err);
	F->k = kb_load_default(&err);
	assert_non_null(F->st);
	assert_non_null(F->k);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(F->st);
	kb_free(F->k);
	rmdb(F->path);
	free((char *)F->path);
	sb_free(&F->dns);
	sb_free(&F->scans);
	sb_free(&F->pfx);
	free(F);
	return 0;
}

static void mx_to(strbuf *dns, const char *domain, const char *host, int pref)
{
	sb_addf(dns, "{\"query_type\":\"MX\",\"query_name\":\"%s.\",\"response_type\":\"MX\",\"mx_address\":\"%s.\","
			 "\"mx_preference\":%d,\"status_code\":0}\n", domain, host, pref);
}

static void mx(const char *domain, const char *host, int pref)
{
	mx_to(&F->dns, domain, host, pref);
}

static void a(const char *host, const char *ip)
{
	sb_addf(&F->dns, "{\"query_type\":\"A\",\"query_name\":\"%s.\",\"response_type\":\"A\",\"response_name\":\"%s.\","
			 "\"ip4_address\":\"%s\"}\n", host, host, ip);
}

/* A Censys legacy record; names is a JSON array text or NULL (no cert). */
static void scan(const char *ip, unsigned asn, const char *banner, const char *ehlo, const char *names, bool trusted)
{
	sb_addf(&F->scans, "{\"ip\":\"%s\",\"autonomous_system\":{\"asn\":%u},\"p25\":{\"smtp\":{\"starttls\":{", ip, asn);
	sb_addf(&F->scans, "\"banner\":\"%s\"", banner);
	if (ehlo)
		sb_addf(&F->scans, ",\"ehlo\":\"%s\"", ehlo);
	if (names)
		sb_addf(&F->scans, ",\"tls\":{\"certificate\":{\"parsed\":{\"names\":%s}},\"validation\":"
				   "{\"browser_trusted\":%s}}", names, trusted ? "true" : "false");
	sb_adds(&F->scans, "}}}}\n");
}

/* Import DNS lines (and scan lines, unless NULL) into st's snapshot. */
static void import_into(store *st, const char *dns, const char *scans)
{
	char *err = NULL;
	import_input in[2] = {{IMPORT_DNS, xstrdup(tmpfile_str(dns)), NULL},
			      {IMPORT_SCANS, scans ? xstrdup(tmpfile_str(scans)) : NULL, NULL}};
	FILE *devnull = fopen("/dev/null", "w");
	import_opts io = {"2021-06-08", true, false, 10, devnull};
	if (import_run(st, &io, in, scans ? 2 : 1, &err) < 0)
		fail_msg("import: %s", err);
	fclose(devnull);
	free((char *)in[0].path);
	free((char *)in[1].path);
}

static void run_with(unsigned threshold, enum infer_heuristics h)
{
	char *err = NULL;
	import_into(F->st, F->dns.data, F->scans.data);
	infer_opts o = {"2021-06-08", INFER_ALL, threshold, h, F->k, false, NULL, NULL};
	if (infer_run(F->st, &o, &F->sum, &err) < 0)
		fail_msg("infer: %s", err);
}

static void run(void)
{
	run_with(5, INFER_HEUR_APPLY);
}

/* "provider_id company weight source confidence status" rows of a domain,
 * joined with " | ". */
static char *answer(const char *approach, const char *domain)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st),
		"SELECT provider_id, coalesce(company, '-'), weight, source, confidence, status FROM result "
		"WHERE snapshot = '2021-06-08' AND approach = ?1 AND domain = ?2 ORDER BY provider_id", -1, &s, NULL),
		SQLITE_OK);
	sqlite3_bind_text(s, 1, approach, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	while (sqlite3_step(s) == SQLITE_ROW) {
		char w[32];
		mx_fmt_double(sqlite3_column_double(s, 2), w);
		sb_addf(&sb, "%s%s %s %s %s %lld %s", sb.len ? " | " : "", sqlite3_column_text(s, 0),
			sqlite3_column_text(s, 1), w, sqlite3_column_text(s, 3), sqlite3_column_int64(s, 4),
			sqlite3_column_text(s, 5));
	}
	sqlite3_finalize(s);
	return sb_steal(&sb);
}

#define assert_answer(approach, domain, expect) do { char *got_ = answer(approach, domain); \
	assert_string_equal(got_, expect); free(got_); } while (0)

static char *hostcol(const char *host, const char *column)
{
	char *sql = xasprintf("SELECT coalesce(%s, '-') FROM infer_host WHERE snapshot = '2021-06-08' AND host = ?1",
			      column);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st), sql, -1, &s, NULL), SQLITE_OK);
	free(sql);
	sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC);
	char *v = sqlite3_step(s) == SQLITE_ROW ? xstrdup((const char *)sqlite3_column_text(s, 0)) : xstrdup("(none)");
	sqlite3_finalize(s);
	return v;
}

#define assert_host(host, column, expect) do { char *got_ = hostcol(host, column); \
	assert_string_equal(got_, expect); free(got_); } while (0)

static const char *GOOGLE_CERT = "[\"mx.google.com\",\"aspmx.l.google.com\",\"alt1.aspmx.l.google.com\"]";

/* Six Google customers on one Google server: confident, certificate first. */
static void google_customers(int n)
{
	for (int i = 0; i < n; i++) {
		char d[32];
		snprintf(d, sizeof d, "gcustomer%d.com", i);
		mx(d, "aspmx.l.google.com", 1);
		mx(d, "alt1.aspmx.l.google.com", 5);
	}
	a("aspmx.l.google.com", "142.250.102.27");
	a("alt1.aspmx.l.google.com", "142.250.150.26");
	scan("142.250.102.27", 15169, "220 mx.google.com ESMTP q7si1 - gsmtp", "250-mx.google.com at your service", GOOGLE_CERT,
	     true);
	scan("142.250.150.26", 15169, "220 mx.google.com ESMTP q7si2 - gsmtp", NULL, GOOGLE_CERT, true);
}

static void test_priority_confidence_backup(void **state)
{
	(void)state;
	google_customers(6);
	run();
	/* backup MX (pref 5) ignored; certificate wins; numIP = 6 domains */
	assert_answer("final", "gcustomer0.com", "google.com Google 1.0 cert 6 auto");
	assert_answer("mx", "gcustomer0.com", "google.com Google 1.0 mx 6 auto");
	assert_answer("banner", "gcustomer0.com", "google.com Google 1.0 banner 6 auto");
	assert_host("aspmx.l.google.com", "confidence", "6");
	assert_host("alt1.aspmx.l.google.com", "domains", "(none)"); /* never primary */
	assert_int_equal(F->sum.domains, 6);
	assert_int_equal(F->sum.answered, 6);
	assert_int_equal(F->sum.fired, 0);
}

/* The name index an import dropped and left missing (stopped, or still
 * loading when infer opened the file) is back before infer writes: its
 * provider IDs are looked up by name.  The same answers either way. */
static void test_builds_missing_name_index(void **state)
{
	(void)state;
	google_customers(3);
	char *err = NULL;
	import_into(F->st, F->dns.data, F->scans.data);
	assert_int_equal(store_exec(F->st, "DROP INDEX name_name", &err), 0);
	assert_int_equal(store_has_name_index(F->st, &err), 0);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, F->k, false, NULL, NULL};
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), 0);
	assert_int_equal(store_has_name_index(F->st, &err), 1);
	assert_answer("final", "gcustomer0.com", "google.com Google 1.0 cert 3 auto");
	assert_int_equal(db_int(F->st, "SELECT count(*) - count(DISTINCT name) FROM name"), 0);
}

static void test_cisco_customer_certificate(void **state)
{
	(void)state;
	/* The paper's university on Cisco's servers, presenting its own
	 * certificate and banner: every source says the university. */
	mx("univ.edu", "mx1.univ.edu", 10);
	a("mx1.univ.edu", "68.232.140.5");
	scan("68.232.140.5", 16417, "220 mx1.univ.edu ESMTP", "250-mx1.univ.edu", "[\"mail.univ.edu\",\"mx1.univ.edu\"]", true);
	run();
	assert_answer("priority", "univ.edu", "univ.edu - 1.0 cert 1 auto");
	assert_answer("final", "univ.edu", "iphmx.com Cisco 1.0 cert 1 heuristic");
	assert_host("mx1.univ.edu", "heuristic", "as-suggestion");
	assert_host("mx1.univ.edu", "reason", "AS suggestion: every SMTP address is in an AS of Cisco (AS16417), so iphmx.com");
	assert_int_equal(F->sum.fired, 1);
	assert_int_equal(F->sum.changed, 1);
}

static void test_as_suggestion_needs_every_address(void **state)
{
	(void)state;
	/* one address in Cisco's AS, the other in no AS we know: no suggestion */
	mx("univ2.edu", "mx1.univ2.edu", 10);
	a("mx1.univ2.edu", "68.232.140.6");
	a("mx1.univ2.edu", "198.51.100.9");
	scan("68.232.140.6", 16417, "220 mx1.univ2.edu ESMTP", "250-mx1.univ2.edu", "[\"mx1.univ2.edu\"]", true);
	sb_adds(&F->scans, "{\"ip\":\"198.51.100.9\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":"
			   "\"220 mx1.univ2.edu ESMTP\",\"tls\":{\"certificate\":{\"parsed\":{\"names\":"
			   "[\"mx1.univ2.edu\"]}},\"validation\":{\"browser_trusted\":true}}}}}}\n");
	run();
	assert_answer("final", "univ2.edu", "univ2.edu - 1.0 cert 1 auto");
	assert_int_equal(F->sum.fired, 0);
}

static void test_godaddy_vps_banner(void **state)
{
	(void)state;
	mx("myvps.com", "mail.myvps.com", 0);
	a("mail.myvps.com", "50.62.1.2");
	scan("50.62.1.2", 26496, "220 s50-62-1-2.secureserver.net ESMTP Exim", "250-s50-62-1-2.secureserver.net Hello", NULL,
	     false);
	run();
	assert_answer("banner", "myvps.com", "secureserver.net GoDaddy 1.0 banner 1 auto");
	assert_answer("final", "myvps.com", "myvps.com - 1.0 mx 1 heuristic");
	assert_host("mail.myvps.com", "heuristic", "hostname-vps");
	assert_host("mail.myvps.com", "reason",
		    "hostname pattern: s50-62-1-2.secureserver.net is a GoDaddy VPS (s*-*-*-*.secureserver.net), "
		    "not this provider's own server -> myvps.com from the mx");
}

static void test_fake_google_banner(void **state)
{
	(void)state;
	mx("liar.com", "mail.liar.com", 10);
	a("mail.liar.com", "198.51.100.20");
	scan("198.51.100.20", 64500, "220 mx.google.com ESMTP Postfix", "250-mx.google.com", NULL, false);
	run();
	assert_answer("banner", "liar.com", "google.com Google 1.0 banner 1 auto");
	assert_answer("final", "liar.com", "liar.com - 1.0 mx 1 heuristic");
	assert_host("mail.liar.com", "reason",
		    "AS mismatch: 198.51.100.20 is in AS64500, not an AS of Google -> liar.com from the mx");
}

static void test_fake_google_banner_flag_only(void **state)
{
	(void)state;
	mx("liar.com", "mail.liar.com", 10);
	a("mail.liar.com", "198.51.100.20");
	scan("198.51.100.20", 64500, "220 mx.google.com ESMTP Postfix", NULL, NULL, false);
	run_with(5, INFER_HEUR_FLAG);
	assert_answer("final", "liar.com", "google.com Google 1.0 banner 1 flagged");
	assert_host("mail.liar.com", "heuristic", "as-mismatch");
	/* flag mode still knows what applying would give */
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(F->st), "SELECT suggested_id FROM infer_ip WHERE ip = '198.51.100.20'", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "liar.com");
	sqlite3_finalize(s);
	/* with the heuristics off nothing is flagged */
	run_with(5, INFER_HEUR_OFF);
	assert_answer("final", "liar.com", "google.com Google 1.0 banner 1 auto");
	assert_host("mail.liar.com", "heuristic", "-");
	/* above the threshold the heuristics do not look */
	run_with(1, INFER_HEUR_APPLY);
	assert_answer("final", "liar.com", "google.com Google 1.0 banner 1 auto");
}

static void test_same_id_and_split(void **state)
{
	(void)state;
	google_customers(5);
	/* two primary MXes of one provider: one share */
	mx("one.com", "aspmx.l.google.com", 1);
	mx("one.com", "alt1.aspmx.l.google.com", 1);
	/* two providers at the same preference: 1/2 each */
	mx("split.com", "aspmx.l.google.com", 10);
	mx("split.com", "split-com.mail.protection.outlook.com", 10);
	mx("split.com", "backup.mxthunder.net", 20);
	a("split-com.mail.protection.outlook.com", "52.101.40.1");
	a("backup.mxthunder.net", "64.88.1.1");
	scan("52.101.40.1", 8075, "220 BN8NAM12FT012.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready", NULL,
	     "[\"mail.protection.outlook.com\",\"*.mail.protection.outlook.com\"]", true);
	scan("64.88.1.1", 13354, "220 backup.mxthunder.net ESMTP", NULL, NULL, false);
	run();
	assert_answer("final", "one.com", "google.com Google 1.0 cert 7 auto");
	assert_answer("final", "split.com", "google.com Google 0.5 cert 7 auto | outlook.com Microsoft 0.5 cert 1 auto");
	assert_int_equal(F->sum.split, 1);
}

static void test_web_host_default_mx(void **state)
{
	(void)state;
	/* mx.<domain> at a web host: the host's banner and certificate name it */
	mx("shop.com", "mx.shop.com", 10);
	a("mx.shop.com", "162.241.1.10");
	scan("162.241.1.10", 46606, "220-box1234.bluehost.com ESMTP Exim 4.94 #2\\r\\n220-We do not authorize the use of "
	     "this system to transport unsolicited,\\r\\n220 and/or bulk e-mail.", "250-box1234.bluehost.com Hello",
	     "[\"box1234.bluehost.com\",\"*.bluehost.com\"]", true);
	run();
	assert_answer("mx", "shop.com", "shop.com - 1.0 mx 1 auto");
	assert_answer("final", "shop.com", "bluehost.com EIG 1.0 cert 1 auto");
}

static void test_yandex_one_group(void **state)
{
	(void)state;
	mx("a.ru", "mx.yandex.net", 10);
	mx("b.ru", "mx.yandex.ru", 10);
	a("mx.yandex.net", "77.88.21.249");
	a("mx.yandex.ru", "213.180.204.89");
	const char *names = "[\"mx.yandex.by\",\"mx.yandex.net\",\"mx.yandex.ru\"]";
	scan("77.88.21.249", 13238, "220 mxfront3n.mail.yandex.net", NULL, names, true);
	scan("213.180.204.89", 13238, "220 mxfront8r.mail.yandex.net", NULL, names, true);
	run();
	/* one group over both IPs: numCert 2; the tie between the three RDs
	 * goes to the one the MX records name most (yandex.net and yandex.ru
	 * once each), then to the smaller name: mx.yandex.net */
	assert_answer("final", "a.ru", "yandex.net Yandex 1.0 cert 2 auto");
	assert_answer("final", "b.ru", "yandex.net Yandex 1.0 cert 2 auto");
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(F->st), "SELECT group_concat(cert_group || ':' || num_cert || ':' || num_ip, ' ') "
					    "FROM (SELECT * FROM infer_ip ORDER BY ip)", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "yandex.net:2:1 yandex.net:2:1");
	sqlite3_finalize(s);
}

static void test_banner_cases(void **state)
{
	(void)state;
	/* localhost banner: no banner evidence, the MX name answers */
	mx("lh.com", "mail.lh.com", 10);
	a("mail.lh.com", "203.0.113.1");
	scan("203.0.113.1", 64501, "220 localhost ESMTP Exim", "250-localhost.localdomain Hello", NULL, false);
	/* EHLO disagreeing with the banner: banner evidence dropped */
	mx("dis.com", "mail.dis.com", 10);
	a("mail.dis.com", "203.0.113.2");
	scan("203.0.113.2", 64501, "220 mail.dis.com ESMTP", "250-relay.otherhost.net", NULL, false);
	/* untrusted certificate: ignored */
	mx("self.com", "mail.self.com", 10);
	a("mail.self.com", "203.0.113.3");
	scan("203.0.113.3", 64501, "220 smtp.hoster.net ESMTP", NULL, "[\"mail.self.com\"]", false);
	run();
	assert_answer("final", "lh.com", "lh.com - 1.0 mx 1 auto");
	assert_host("mail.lh.com", "banner_id", "-");
	assert_answer("final", "dis.com", "dis.com - 1.0 mx 1 auto");
	assert_host("mail.dis.com", "banner_note",
		    "banner/EHLO disagree (203.0.113.2 banner: mail.dis.com, 203.0.113.2 EHLO: relay.otherhost.net)");
	assert_answer("final", "self.com", "hoster.net - 1.0 banner 1 auto");
	assert_host("mail.self.com", "cert_id", "-");
}

static void test_no_smtp_and_live_choice(void **state)
{
	(void)state;
	google_customers(5);
	/* the lowest preference has no scan data: the next SMTP-live one is primary */
	mx("lazy.com", "dead.lazy.com", 0);
	mx("lazy.com", "aspmx.l.google.com", 10);
	a("dead.lazy.com", "192.0.2.200");
	/* nothing SMTP-live at all: the lowest preference, from MX names */
	mx("dark.com", "mx1.darkhost.net", 5);
	mx("dark.com", "mx2.otherdark.net", 9);
	run();
	assert_answer("final", "lazy.com", "google.com Google 1.0 cert 6 auto");
	assert_answer("final", "dark.com", "darkhost.net - 1.0 mx 0 no-smtp");
	assert_answer("cert", "dark.com", "darkhost.net - 1.0 mx 0 no-smtp");
	assert_int_equal(F->sum.no_smtp, 1);
}

/* export assignments --approach A's rows of one domain (without the
 * snapshot column), joined with " | " */
static char *exported(const char *approach, const char *domain)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (export_assignments(F->st, out, "2021-06-08", NULL, approach, EXPORT_CSV, false, &err) < 0)
		fail_msg("export: %s", err);
	fclose(out);
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	char *pre = xasprintf("2021-06-08,%s,", domain);
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, pre, strlen(pre)))
			sb_addf(&sb, "%s%s", sb.len ? " | " : "", l + strlen("2021-06-08,"));
	free(pre);
	free(buf);
	return sb_steal(&sb);
}

#define assert_exported(approach, domain, expect) do { char *got_ = exported(approach, domain); \
	assert_string_equal(got_, expect); free(got_); } while (0)

/* The raw approaches' answers are derived when read (the result view in
 * SQL, export assignments in C) from each domain's primary MX hosts and
 * their evidence: a host's ID by the approach's chain, one row per
 * distinct ID with the highest source, confidence and status of the hosts
 * that give it, weight 1/(number of IDs); no-smtp when no host is live. */
static void test_raw_answers_derived(void **state)
{
	(void)state;
	google_customers(6);
	/* two hosts of one MX domain: one ID from the MX names and banners,
	 * two from the certificates */
	mx("pair.com", "mx1.pairhost.net", 10);
	mx("pair.com", "mx2.pairhost.net", 10);
	a("mx1.pairhost.net", "198.51.100.31");
	a("mx2.pairhost.net", "198.51.100.32");
	scan("198.51.100.31", 64500, "220 smtp1.pairhost.net ESMTP", NULL, GOOGLE_CERT, true);
	scan("198.51.100.32", 64500, "220 smtp2.pairhost.net ESMTP", NULL, "[\"mail.protection.outlook.com\"]", true);
	/* nothing SMTP-live: both hosts of the lowest preference, by MX name */
	mx("dark.com", "mx1.darkhost.net", 5);
	mx("dark.com", "mx2.otherdark.net", 5);
	run();
	/* no raw rows are stored: the final answers only */
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st), "SELECT (SELECT count(*) FROM f_result WHERE approach < 4),"
					    " (SELECT group_concat(approach) FROM f_raw)", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 0);
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "0,1,2,3");
	sqlite3_finalize(s);
	/* the Google certificate group covers 7 domains, the Outlook one 1 */
	assert_answer("mx", "pair.com", "pairhost.net - 1.0 mx 7 auto");
	assert_answer("cert", "pair.com", "google.com Google 0.5 cert 7 auto | outlook.com Microsoft 0.5 cert 1 auto");
	assert_answer("banner", "pair.com", "pairhost.net - 1.0 banner 7 auto");
	assert_answer("priority", "pair.com", "google.com Google 0.5 cert 7 auto | outlook.com Microsoft 0.5 cert 1 auto");
	assert_exported("mx", "pair.com", "pair.com,pairhost.net,,1.0,mx,7,auto,");
	assert_exported("cert", "pair.com",
			"pair.com,google.com,Google,0.5,cert,7,auto, | pair.com,outlook.com,Microsoft,0.5,cert,1,auto,");
	assert_exported("banner", "pair.com", "pair.com,pairhost.net,,1.0,banner,7,auto,");
	assert_exported("priority", "pair.com",
			"pair.com,google.com,Google,0.5,cert,7,auto, | pair.com,outlook.com,Microsoft,0.5,cert,1,auto,");
	for (int i = 0; i < 4; i++) {
		const char *ap = i == 0 ? "mx" : i == 1 ? "cert" : i == 2 ? "banner" : "priority";
		assert_answer(ap, "dark.com", "darkhost.net - 0.5 mx 0 no-smtp | otherdark.net - 0.5 mx 0 no-smtp");
		assert_exported(ap, "dark.com", "dark.com,darkhost.net,,0.5,mx,0,no-smtp, | dark.com,otherdark.net,,0.5,mx,0,no-smtp,");
		assert_answer(ap, "gcustomer3.com", i == 0 ? "google.com Google 1.0 mx 7 auto"
						: i == 2 ? "google.com Google 1.0 banner 7 auto" : "google.com Google 1.0 cert 7 auto");
	}
	/* a run of one approach keeps the others on record */
	infer_opts o = {"2021-06-08", INFER_MX, 5, INFER_HEUR_APPLY, F->k, false, NULL, NULL};
	char *err = NULL;
	if (infer_run(F->st, &o, &F->sum, &err) < 0)
		fail_msg("infer: %s", err);
	assert_answer("cert", "pair.com", "google.com Google 0.5 cert 7 auto | outlook.com Microsoft 0.5 cert 1 auto");
	assert_exported("banner", "pair.com", "pair.com,pairhost.net,,1.0,banner,7,auto,");
}

/* Hosts and addresses take their ids in the order of their text, not in
 * the name table's or the addresses' numeric order, and the tie-breaks
 * follow: an address's busiest host (a tie goes to the first name) and
 * the order of the addresses in a note. */
static void test_ids_follow_text_order(void **state)
{
	(void)state;
	mx("second.com", "b.shared.net", 10);
	a("b.shared.net", "198.51.100.20");
	scan("198.51.100.20", 64500, "220 a.shared.net ESMTP", NULL, NULL, false);
	run(); /* b.shared.net enters the name table first */
	mx("first.com", "a.shared.net", 10);
	a("a.shared.net", "198.51.100.20");
	mx("mixed.com", "mx.mixed.com", 10);
	a("mx.mixed.com", "198.51.100.9");
	a("mx.mixed.com", "198.51.100.10");
	scan("198.51.100.9", 64500, "220 mail.one.com ESMTP", NULL, NULL, false);
	scan("198.51.100.10", 64500, "220 mail.two.com ESMTP", NULL, NULL, false);
	run();
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st),
		"SELECT (SELECT id FROM name WHERE name = 'b.shared.net') < (SELECT id FROM name WHERE name = 'a.shared.net'),"
		" (SELECT best_host FROM infer_ip WHERE ip = '198.51.100.20')", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "a.shared.net");
	sqlite3_finalize(s);
	assert_host("mx.mixed.com", "banner_note",
		    "banner/EHLO disagree (198.51.100.10 banner: mail.two.com, 198.51.100.9 banner: mail.one.com)");
}

static void test_corrections(void **state)
{
	(void)state;
	google_customers(6);
	mx("liar.com", "mail.liar.com", 10);
	a("mail.liar.com", "198.51.100.20");
	scan("198.51.100.20", 64500, "220 mx.google.com ESMTP", NULL, NULL, false);
	run();
	char *err = NULL;
	correct_req ip = {"ip", "142.250.102.27", NULL, "set", "example.net", "ana", NULL};
	correct_req host = {"mx", "ASPMX.L.GOOGLE.COM.", NULL, "confirm", NULL, "ana", "checked"};
	correct_req dom = {"domain", "gcustomer1.com", "2021-06-08", "self", NULL, "bo", NULL};
	correct_req other = {"domain", "gcustomer2.com", "2020-01-01", "set", "x.org", "bo", NULL};
	assert_int_equal(correct_add(F->st, &ip, &err), 1);
	assert_int_equal(correct_add(F->st, &host, &err), 2);
	assert_int_equal(correct_add(F->st, &dom, &err), 3);
	assert_int_equal(correct_add(F->st, &other, &err), 4);
	run();
	/* MX beats IP; the domain decision beats both; another snapshot's does nothing */
	assert_answer("final", "gcustomer0.com", "google.com Google 1.0 cert 6 confirmed");
	assert_answer("final", "gcustomer1.com", "google.com Google 1.0 correction 6 corrected");
	assert_answer("final", "gcustomer2.com", "google.com Google 1.0 cert 6 confirmed");
	assert_host("aspmx.l.google.com", "reason", "checked (analyst decision #2 on the MX host)");
	/* undo the MX decision: the IP one shows */
	assert_int_equal(correct_undo(F->st, 2, "ana", &err), 0);
	assert_int_equal(correct_undo(F->st, 2, "ana", &err), -1);
	assert_string_equal(err, "decision #2 is already undone");
	free(err);
	run();
	assert_answer("final", "gcustomer0.com", "example.net - 1.0 correction 6 corrected");
	/* redo: a new decision equal to #2 */
	assert_int_equal(correct_redo(F->st, 2, &err), 5);
	run();
	assert_answer("final", "gcustomer0.com", "google.com Google 1.0 cert 6 confirmed");
	/* bad decisions are refused */
	correct_req badip = {"ip", "1.2.3", NULL, "confirm", NULL, NULL, NULL};
	assert_int_equal(correct_add(F->st, &badip, &err), -1);
	assert_string_equal(err, "'1.2.3' is not an IPv4 address");
	free(err);
	correct_req noid = {"mx", "x.com", NULL, "set", NULL, NULL, NULL};
	assert_int_equal(correct_add(F->st, &noid, &err), -1);
	assert_string_equal(err, "a provider ID is needed for 'set'");
	free(err);
	correct_req word = {"mx", "x.com", NULL, "set", "micro", NULL, NULL};
	assert_int_equal(correct_add(F->st, &word, &err), -1);
	assert_non_null(strstr(err, "'micro' is not a provider ID (a registered domain such as example.com)"));
	free(err);
	/* a host name is reduced to its registered domain */
	correct_req hostreq = {"mx", "x.com", NULL, "set", "mx1.Mail.Example.CO.UK.", NULL, NULL};
	int64_t hid = correct_add(F->st, &hostreq, &err);
	assert_true(hid > 0);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(F->st), "SELECT provider_id FROM correction WHERE id = ?1", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, hid);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "example.co.uk");
	sqlite3_finalize(s);
}

static void test_null_mx_with_domain_decision(void **state)
{
	(void)state;
	/* a domain with no usable MX and a decision about it (once a crash) */
	sb_adds(&F->dns, "{\"query_type\":\"MX\",\"query_name\":\"nullmx.com.\",\"response_type\":\"MX\","
			 "\"mx_address\":\".\",\"mx_preference\":0}\n");
	google_customers(5);
	char *err = NULL;
	correct_req r = {"domain", "nullmx.com", NULL, "set", "google.com", "ana", NULL};
	assert_int_equal(correct_add(F->st, &r, &err), 1);
	run();
	assert_answer("final", "nullmx.com", "google.com Google 1.0 correction 0 corrected");
	assert_answer("mx", "nullmx.com", "");
}

static void test_rerun_replaces_and_records(void **state)
{
	(void)state;
	google_customers(6);
	run();
	run();
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(F->st), "SELECT (SELECT count(*) FROM result WHERE approach = 'final'),"
					    " (SELECT count(*) FROM run), (SELECT count(DISTINCT kb_digest) FROM run),"
					    " (SELECT group_concat(DISTINCT approach) FROM run)", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 6);
	assert_int_equal(sqlite3_column_int(s, 1), 8);
	assert_int_equal(sqlite3_column_int(s, 2), 1);
	assert_string_equal((const char *)sqlite3_column_text(s, 3), "mx,cert,banner,priority");
	sqlite3_finalize(s);
	/* the indexes import and infer build again after their loads are the
	 * schema's (store.c, schema 10) */
	sqlite3_prepare_v2(store_db(F->st), "SELECT group_concat(sql, '; ') FROM (SELECT sql FROM sqlite_master"
					    " WHERE name IN ('f_primary_mx_host', 'f_mx_ip_ip') ORDER BY name)", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "CREATE INDEX f_mx_ip_ip ON f_mx_ip(ip, snap); "
								       "CREATE INDEX f_primary_mx_host ON f_primary_mx(host, snap)");
	sqlite3_finalize(s);
}

/* Every table infer writes, as text in key order. */
static char *infer_tables(void)
{
	static const char *const q[] = {
		"SELECT * FROM f_host_ev ORDER BY snap, host", "SELECT * FROM f_ip_ev ORDER BY snap, ip",
		"SELECT * FROM f_primary_mx ORDER BY snap, domain, host", "SELECT * FROM f_coverage ORDER BY snap, domain",
		"SELECT * FROM f_result ORDER BY snap, approach, domain, provider",
		"SELECT * FROM f_share ORDER BY snap, provider", "SELECT * FROM f_share_total ORDER BY snap",
		"SELECT * FROM f_company ORDER BY snap, approach, provider", "SELECT * FROM f_raw ORDER BY snap, approach",
		"SELECT * FROM f_tally ORDER BY snap, kind, code"};
	strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(store_db(F->st), q[i], -1, &s, NULL), SQLITE_OK);
		sb_addf(&sb, "%s\n", q[i]);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int j = 0; j < sqlite3_column_count(s); j++) {
				const unsigned char *v = sqlite3_column_text(s, j);
				sb_addf(&sb, "%s%s", j ? "|" : "", v ? (const char *)v : "NULL");
			}
			sb_addc(&sb, '\n');
		}
		sqlite3_finalize(s);
	}
	return sb_steal(&sb);
}

/* Count the rows deleted from and inserted into the tables infer keeps
 * when nothing changed (temp triggers: the connection's own writes). */
static void count_writes(void)
{
	static const char *const t[] = {"f_host_ev", "f_ip_ev", "f_primary_mx", "f_coverage", "f_result", "f_share"};
	char *err = NULL;
	assert_int_equal(store_exec(F->st, "CREATE TEMP TABLE writes(t TEXT)", &err), 0);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *sql = xasprintf("CREATE TEMP TRIGGER %s_ins AFTER INSERT ON main.%s BEGIN"
				      " INSERT INTO writes VALUES('%s+'); END;"
				      "CREATE TEMP TRIGGER %s_del AFTER DELETE ON main.%s BEGIN"
				      " INSERT INTO writes VALUES('%s-'); END;", t[i], t[i], t[i], t[i], t[i], t[i]);
		assert_int_equal(store_exec(F->st, sql, &err), 0);
		free(sql);
	}
}

/* "table+ n, table- n, ..." since count_writes, and starts counting again */
static char *writes(void)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st), "SELECT t || ' ' || count(*) FROM writes GROUP BY t"
							       " ORDER BY t", -1, &s, NULL), SQLITE_OK);
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	while (sqlite3_step(s) == SQLITE_ROW)
		sb_addf(&sb, "%s%s", sb.len ? ", " : "", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	char *err = NULL;
	assert_int_equal(store_exec(F->st, "DELETE FROM writes", &err), 0);
	return sb_steal(&sb);
}

static char *column_of(const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st), sql, -1, &s, NULL), SQLITE_OK);
	char *v = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) ?
		xstrdup((const char *)sqlite3_column_text(s, 0)) : xstrdup("(none)");
	sqlite3_finalize(s);
	return v;
}

#define assert_sql(sql, expect) do { char *got_ = column_of(sql); \
	assert_string_equal(got_, expect); free(got_); } while (0)

/* infer run again with nothing changed: every table the same, and the
 * rows of the large ones not even rewritten */
static void test_rerun_keeps_identical_rows(void **state)
{
	(void)state;
	google_customers(40);
	mx("other.com", "mail.other.com", 10);
	a("mail.other.com", "198.51.100.7");
	run();
	char *before = infer_tables();
	count_writes();
	run();
	char *w = writes(), *after = infer_tables();
	assert_string_equal(w, "");
	assert_string_equal(after, before);
	free(w);
	free(after);
	/* a decision: of the answers, only the row it changes is written;
	 * tables of a few rows (two hosts, two shares) are written in full */
	char *err = NULL;
	correct_req r = {"mx", "mail.other.com", NULL, "set", "example.net", "ana", NULL};
	assert_int_equal(correct_add(F->st, &r, &err), 1);
	run();
	w = writes();
	assert_string_equal(w, "f_host_ev+ 2, f_host_ev- 2, f_result+ 1, f_result- 1, f_share+ 2, f_share- 2");
	free(w);
	assert_answer("final", "other.com", "example.net - 1.0 correction 0 corrected");
	free(before);
}

/* infer run again after new data in the snapshot (an MX record that
 * changes a domain's primary MX, a scan of an address that had none):
 * the tables are those of an infer on nothing stored, not the old ones */
static void test_rerun_after_new_data(void **state)
{
	(void)state;
	google_customers(40);
	mx("other.com", "mail.other.com", 10);
	a("mail.other.com", "198.51.100.7");
	run();
	assert_sql("SELECT group_concat(host) FROM primary_mx WHERE domain = 'gcustomer0.com'", "aspmx.l.google.com");
	assert_sql("SELECT category FROM coverage WHERE domain = 'other.com'", "1");
	char *before = infer_tables();
	count_writes();
	mx("gcustomer0.com", "mx.newhost.net", 0);
	a("mx.newhost.net", "203.0.113.9");
	scan("203.0.113.9", 64501, "220 mx.newhost.net ESMTP", NULL, NULL, false);
	scan("198.51.100.7", 64500, "220 mail.other.com ESMTP", NULL, NULL, false);
	run();
	/* the rows that differ written (primary MX, coverage: one and two of
	 * 41); the other tables in full (few rows, or most of them changed:
	 * every Google customer's confidence is one domain less) */
	char *w = writes();
	assert_string_equal(w, "f_coverage+ 2, f_coverage- 2, f_host_ev+ 3, f_host_ev- 2, f_ip_ev+ 3, f_ip_ev- 1,"
			       " f_primary_mx+ 1, f_primary_mx- 1, f_result+ 41, f_result- 41, f_share+ 3, f_share- 2");
	free(w);
	assert_sql("SELECT group_concat(host) FROM primary_mx WHERE domain = 'gcustomer0.com'", "mx.newhost.net");
	assert_sql("SELECT category FROM coverage WHERE domain = 'other.com'", "3");
	char *after = infer_tables();
	assert_string_not_equal(after, before);
	/* the same as an infer with no earlier results */
	char *err = NULL;
	assert_int_equal(store_exec(F->st, "DELETE FROM f_host_ev; DELETE FROM f_ip_ev; DELETE FROM f_primary_mx;"
					   " DELETE FROM f_coverage; DELETE FROM f_result; DELETE FROM f_share;"
					   " DELETE FROM f_share_total; DELETE FROM f_company; DELETE FROM f_raw;"
					   " DELETE FROM f_tally", &err), 0);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, F->k, false, NULL, NULL};
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), 0);
	char *fresh = infer_tables();
	assert_string_equal(after, fresh);
	free(before);
	free(after);
	free(fresh);
}

/* the schema refuses a 'set' without a provider; a database that holds
 * one anyway (checks off) does not crash infer, which names and skips it */
static void test_set_without_provider(void **state)
{
	(void)state;
	google_customers(1);
	run();
	char *err = NULL;
	assert_int_equal(store_exec(F->st, "INSERT INTO correction(scope, key, verdict, at) VALUES"
					   " ('ip', '142.250.102.27', 'set', 'now')", &err), -1);
	assert_non_null(strstr(err, "CHECK constraint failed"));
	free(err);
	err = NULL;
	assert_int_equal(store_exec(F->st, "PRAGMA ignore_check_constraints = ON;"
					   " INSERT INTO correction(scope, key, verdict, at) VALUES"
					   " ('ip', '142.250.102.27', 'set', 'now');"
					   " PRAGMA ignore_check_constraints = OFF", &err), 0);
	char *logbuf = NULL;
	size_t loglen = 0;
	FILE *log = open_memstream(&logbuf, &loglen);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, F->k, false, log, NULL};
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), 0);
	fclose(log);
	assert_non_null(strstr(logbuf, "infer: decision #1 sets no provider; ignored\n"));
	free(logbuf);
	assert_answer("final", "gcustomer0.com", "google.com Google 1.0 cert 1 auto");
}

/* infer run of some approaches only, with the shared fixture's snapshot;
 * import: the records added since the last run imported first */
static void infer_some(unsigned approaches, kb *k, bool import)
{
	infer_opts o = {"2021-06-08", approaches, 5, INFER_HEUR_APPLY, k, false, NULL, NULL};
	char *err = NULL;
	if (import)
		import_into(F->st, F->dns.data, F->scans.data);
	if (infer_run(F->st, &o, &F->sum, &err) < 0)
		fail_msg("infer: %s", err);
}

/* The mx, cert and banner answers as every reader sees them: the result
 * view's rows and export assignments' lines. */
static char *raw_answers(void)
{
	strbuf sb;
	sb_init(&sb);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(F->st),
		"SELECT approach, domain, provider_id, coalesce(company, '-'), weight, source, confidence, status,"
		" coalesce(reason, '-') FROM result WHERE approach IN ('mx', 'cert', 'banner') ORDER BY 1, 2, 3",
		-1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		for (int j = 0; j < 9; j++)
			sb_addf(&sb, "%s%c", sqlite3_column_text(s, j), j == 8 ? '\n' : '|');
	sqlite3_finalize(s);
	static const char *const ap[] = {"mx", "cert", "banner"};
	for (size_t i = 0; i < 3; i++) {
		char *buf = NULL, *err = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		if (export_assignments(F->st, out, "2021-06-08", NULL, ap[i], EXPORT_CSV, false, &err) < 0)
			fail_msg("export: %s", err);
		fclose(out);
		sb_addf(&sb, "%s:\n%s", ap[i], buf);
		free(buf);
	}
	return sb_steal(&sb);
}

/* A run of some approaches keeps the others' answers from the run that
 * last computed them (README, --approach), although they are derived
 * from the evidence every run writes: where this run's evidence would
 * change them they are stored as they were, else nothing more is; a run
 * that computes them derives them again. */
static void test_partial_run_keeps_raw_answers(void **state)
{
	(void)state;
	google_customers(6);
	/* a banner whose only name is a misleading banner domain: the built-in
	 * knowledge base ignores it, one without that list takes it */
	mx("ban.com", "mx.banhost.net", 10);
	a("mx.banhost.net", "198.51.100.41");
	scan("198.51.100.41", 64500, "220 ESMTP blocked, see spamhaus.org", NULL, NULL, false);
	run();
	assert_answer("banner", "ban.com", "banhost.net - 1.0 mx 1 auto");
	assert_answer("priority", "ban.com", "banhost.net - 1.0 mx 1 auto");
	char *before = raw_answers();
	/* priority alone, nothing changed: nothing stored, nothing written */
	count_writes();
	infer_some(INFER_PRIORITY, F->k, false);
	char *w = writes();
	assert_string_equal(w, "");
	free(w);
	assert_sql("SELECT group_concat(approach) FROM f_raw", "0,1,2,3");
	/* priority alone after an analyst's decision: the host's answer and
	 * status change, not what the raw approaches read: nothing stored */
	correct_req dec = {"mx", "mx.banhost.net.", NULL, "set", "example.net", "ana", NULL};
	char *derr = NULL;
	int64_t did = correct_add(F->st, &dec, &derr);
	assert_true(did > 0);
	infer_some(INFER_PRIORITY, F->k, false);
	assert_answer("final", "ban.com", "example.net - 1.0 correction 1 corrected");
	assert_answer("banner", "ban.com", "banhost.net - 1.0 mx 1 auto");
	assert_sql("SELECT group_concat(approach) FROM f_raw", "0,1,2,3");
	assert_sql("SELECT group_concat(DISTINCT approach) FROM f_result", "4");
	assert_int_equal(correct_undo(F->st, did, "ana", &derr), 0);
	infer_some(INFER_PRIORITY, F->k, false);
	assert_answer("final", "ban.com", "banhost.net - 1.0 mx 1 auto");
	/* priority alone with a knowledge base that changes the banner IDs:
	 * the banner answers are stored as they were, mx and cert stay derived */
	char *err = NULL;
	static const char kbx[] = "{\"format\":\"mxray-kb/1\",\"companies\":[{\"name\":\"Google\","
				  "\"provider_ids\":[\"google.com\"],\"asns\":[15169]}],\"misleading_banner_domains\":[]}";
	kb *k = kb_parse(kbx, strlen(kbx), "kbx", &err);
	assert_non_null(k);
	infer_some(INFER_PRIORITY, k, false);
	assert_answer("priority", "ban.com", "spamhaus.org - 1.0 banner 1 auto");
	assert_answer("final", "ban.com", "spamhaus.org - 1.0 banner 1 auto");
	assert_answer("banner", "ban.com", "banhost.net - 1.0 mx 1 auto");
	assert_exported("banner", "ban.com", "ban.com,banhost.net,,1.0,mx,1,auto,");
	assert_answer("banner", "gcustomer0.com", "google.com Google 1.0 banner 6 auto");
	char *after = raw_answers();
	assert_string_equal(after, before);
	free(after);
	assert_sql("SELECT group_concat(approach) FROM f_raw", "0,1,3");
	assert_sql("SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result"
		   " GROUP BY 1)", "2:7,4:7");
	/* mx alone after it: the banner rows stay, the priority answers
	 * (derived, changed back by the built-in knowledge base) are stored */
	infer_some(INFER_MX, F->k, false);
	assert_answer("priority", "ban.com", "spamhaus.org - 1.0 banner 1 auto");
	assert_answer("final", "ban.com", "banhost.net - 1.0 mx 1 auto");
	after = raw_answers();
	assert_string_equal(after, before);
	free(after);
	assert_sql("SELECT group_concat(approach) FROM f_raw", "0,1");
	assert_sql("SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result"
		   " GROUP BY 1)", "2:7,3:7,4:7");
	/* every approach again: all derived, nothing stored but the final answers */
	run();
	assert_sql("SELECT group_concat(approach) FROM f_raw", "0,1,2,3");
	assert_sql("SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result"
		   " GROUP BY 1)", "4:7");
	assert_answer("priority", "ban.com", "banhost.net - 1.0 mx 1 auto");
	after = raw_answers();
	assert_string_equal(after, before);
	free(after);
	free(before);
	kb_free(k);
}

/* The same when the snapshot got new records since: a new primary MX
 * host changes a domain's mx, cert and banner answers, which stay the
 * earlier run's (stored) until a run computes them again. */
static void test_partial_run_after_new_data(void **state)
{
	(void)state;
	google_customers(6);
	mx("ban.com", "mx.banhost.net", 10);
	a("mx.banhost.net", "198.51.100.41");
	scan("198.51.100.41", 64500, "220 mx.banhost.net ESMTP", NULL, NULL, false);
	run();
	assert_answer("banner", "ban.com", "banhost.net - 1.0 banner 1 auto");
	char *before = raw_answers();
	mx("ban.com", "mx.newban.net", 5);
	a("mx.newban.net", "198.51.100.42");
	scan("198.51.100.42", 64500, "220 mx.newban.net ESMTP", NULL, NULL, false);
	infer_some(INFER_PRIORITY, F->k, true);
	assert_answer("priority", "ban.com", "newban.net - 1.0 banner 1 auto");
	assert_answer("mx", "ban.com", "banhost.net - 1.0 mx 1 auto");
	assert_answer("banner", "ban.com", "banhost.net - 1.0 banner 1 auto");
	char *after = raw_answers();
	assert_string_equal(after, before);
	free(after);
	assert_sql("SELECT group_concat(approach) FROM f_raw", "3");
	assert_sql("SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result"
		   " GROUP BY 1)", "0:7,1:7,2:7,4:7");
	/* cert and banner again: derived, with the new host; mx stays stored */
	infer_some(INFER_CERT | INFER_BANNER, F->k, false);
	assert_sql("SELECT group_concat(approach) FROM f_raw", "1,2,3");
	assert_sql("SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result"
		   " GROUP BY 1)", "0:7,4:7");
	assert_answer("banner", "ban.com", "newban.net - 1.0 banner 1 auto");
	assert_answer("mx", "ban.com", "banhost.net - 1.0 mx 1 auto");
	assert_exported("mx", "ban.com", "ban.com,banhost.net,,1.0,mx,1,auto,");
	run();
	assert_sql("SELECT group_concat(approach) FROM f_raw", "0,1,2,3");
	assert_sql("SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result"
		   " GROUP BY 1)", "4:7");
	assert_answer("mx", "ban.com", "newban.net - 1.0 mx 1 auto");
	free(before);
}

/* What the after_read hook of a run does: commit an import of `dns`
 * from another connection while the run has read the database (every
 * unlocked time, or the first only), and under the write lock try to
 * write (it must be refused at once). */
typedef struct {
	const char *also;   /* a domain the other connection gives Google's MX (or NULL) */
	const char *prefix; /* and the domain prefix<call>.com, on it too */
	bool every;       /* on every unlocked call, not only the first */
	int calls, locked_calls, refused;
} other_writer;

static void write_meanwhile(void *arg, bool locked)
{
	other_writer *w = arg;
	w->calls++;
	if (locked) {
		w->locked_calls++;
		sqlite3 *db;
		assert_int_equal(sqlite3_open(F->path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 0);
		if ((sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) & 0xff) == SQLITE_BUSY)
			w->refused++;
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		return;
	}
	if (w->calls > 1 && !w->every)
		return;
	char *err = NULL;
	store *other = store_open(F->path, &err);
	assert_non_null(other);
	char name[64];
	snprintf(name, sizeof name, "%s%d.com", w->prefix, w->calls);
	strbuf dns;
	sb_init(&dns);
	if (w->also)
		mx_to(&dns, w->also, "aspmx.l.google.com", 1);
	mx_to(&dns, name, "aspmx.l.google.com", 1);
	import_into(other, dns.data, NULL);
	sb_free(&dns);
	store_close(other);
}

/* A run's answers come from one state of the database: an import of the
 * same snapshot committed while infer reads it makes infer read again (its
 * answers are then those of a run after the import); when imports keep
 * coming, the last try holds the write lock while it reads. */
static void stop_now(void *arg, bool locked)
{
	(void)arg;
	(void)locked;
	infer_interrupted = 1;
}

/* Ctrl-C (infer_interrupted): a run stopped while it decides, or as it is
 * about to write, writes nothing and says so; in bulk mode the file is in
 * WAL mode after, with no journal; the next run goes through. */
static void test_interrupted_run_writes_nothing(void **state)
{
	(void)state;
	mx("a.com", "mx.a.com", 10);
	a("mx.a.com", "192.0.2.1");
	scan("192.0.2.1", 15169, "220 mx.google.com ESMTP", NULL, NULL, false);
	run();
	const char *raw = "SELECT group_concat(approach) FROM f_raw";
	assert_string_equal(db_text(F->st, raw), "0,1,2,3");
	int64_t runs = db_int(F->st, "SELECT count(*) FROM run");
	assert_true(store_bulk_begin(F->st));
	char *err = NULL;
	const char *said = "interrupted; nothing of this run was written (the snapshot's earlier answers stay)";
	infer_opts o = {"2021-06-08", INFER_MX, 5, INFER_HEUR_APPLY, F->k, false, NULL, NULL};
	infer_interrupted = 1;
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), -1);
	infer_interrupted = 0;
	assert_string_equal(err, said);
	free(err);
	err = NULL;
	infer_hooks stop = {.after_read = stop_now};
	o.test = &stop;
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), -1);
	infer_interrupted = 0;
	assert_string_equal(err, said);
	free(err);
	err = NULL;
	assert_string_equal(db_text(F->st, raw), "0,1,2,3");
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM run"), runs);
	assert_int_equal(store_bulk_end(F->st, &err), 0);
	assert_string_equal(db_text(F->st, "PRAGMA journal_mode"), "wal");
	char *journal = xasprintf("%s-journal", F->path);
	assert_int_equal(access(journal, F_OK), -1);
	free(journal);
	o.test = NULL;
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), 0);
	assert_int_equal(db_int(F->st, "SELECT count(*) FROM run"), runs + 1);
	assert_string_equal(db_text(F->st, "SELECT approach FROM run ORDER BY id DESC LIMIT 1"), "mx");
}

/* A run (all approaches, --quiet) with test hooks; what it wrote on its
 * log (allocated). */
static char *run_logged(const infer_hooks *test)
{
	char *logbuf = NULL, *err = NULL;
	size_t loglen = 0;
	FILE *log = open_memstream(&logbuf, &loglen);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, F->k, false, log, test};
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), 0);
	fclose(log);
	return logbuf;
}

/* The stored answers (raw_answers) are `want`. */
static void assert_answers_are(const char *want)
{
	char *now = raw_answers();
	assert_string_equal(now, want);
	free(now);
}

/* The stored answers are those of a run again with nothing meanwhile. */
static void assert_as_clean_run(void)
{
	char *err = NULL;
	char *once = raw_answers();
	infer_opts again = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, F->k, false, NULL, NULL};
	assert_int_equal(infer_run(F->st, &again, &F->sum, &err), 0);
	assert_answers_are(once);
	free(once);
}

/* Two Google customers and own.com on a server of its own, inferred. */
static void customers_and_own(void)
{
	google_customers(2);
	mx("own.com", "mx.own.com", 10);
	a("mx.own.com", "203.0.113.9");
	scan("203.0.113.9", 64501, "220 mx.own.com ESMTP", NULL, NULL, false);
	run();
}

static void test_commit_while_reading(void **state)
{
	(void)state;
	customers_and_own();
	char *err = NULL;
	other_writer w = {"own.com", "meanwhile", false, 0, 0, 0};
	/* progress off (--quiet): the notice is still written */
	infer_hooks test = {.after_read = write_meanwhile, .arg = &w};
	char *logbuf = run_logged(&test);
	assert_int_equal(w.calls, 2);
	assert_int_equal(w.locked_calls, 0);
	assert_int_equal(strstr(logbuf, "infer 2021-06-08: the database changed while it was read: reading it again\n") ==
				 logbuf,
			 1);
	free(logbuf);
	/* the import's domain and its second MX host are in the answers */
	assert_int_equal(F->sum.domains, 4);
	assert_answer("final", "meanwhile1.com", "google.com Google 1.0 cert 4 auto");
	assert_answer("final", "own.com", "google.com Google 1.0 cert 4 auto");
	assert_as_clean_run();

	/* a writer on every try: the third reads under the write lock */
	other_writer w2 = {NULL, "again", true, 0, 0, 0};
	infer_hooks test2 = {.after_read = write_meanwhile, .arg = &w2};
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, F->k, false, NULL, &test2};
	assert_int_equal(infer_run(F->st, &o, &F->sum, &err), 0);
	assert_int_equal(w2.calls, 3);
	assert_int_equal(w2.locked_calls, 1);
	assert_int_equal(w2.refused, 1);
	assert_int_equal(F->sum.domains, 6);
	assert_answer("final", "again1.com", "google.com Google 1.0 cert 6 auto");
	assert_answer("final", "again2.com", "google.com Google 1.0 cert 6 auto");
}

/* A commit between a run's first read and the scans' read ahead: the
 * second connection reads a newer state (an address this run's own read
 * does not have, with its scan record); the run sees the change and
 * reads again, and its answers are those of the newer state. */
static void commit_before_ahead(void *arg)
{
	int *calls = arg;
	if ((*calls)++)
		return;
	char *err = NULL;
	store *other = store_open(F->path, &err);
	assert_non_null(other);
	strbuf dns, scans;
	sb_init(&dns);
	sb_init(&scans);
	mx_to(&dns, "late.com", "mx.late.net", 10);
	sb_adds(&dns, "{\"query_type\":\"A\",\"query_name\":\"mx.late.net.\",\"response_type\":\"A\","
		      "\"response_name\":\"mx.late.net.\",\"ip4_address\":\"198.51.100.7\"}\n");
	sb_adds(&scans, "{\"ip\":\"198.51.100.7\",\"autonomous_system\":{\"asn\":64502},\"p25\":{\"smtp\":"
			"{\"starttls\":{\"banner\":\"220 mx.late.net ESMTP\"}}}}\n");
	import_into(other, dns.data, scans.data);
	sb_free(&dns);
	sb_free(&scans);
	store_close(other);
}

static void test_commit_before_read_ahead(void **state)
{
	(void)state;
	google_customers(2);
	run();
	int calls = 0;
	infer_hooks test = {.before_ahead = commit_before_ahead, .arg = &calls};
	char *logbuf = run_logged(&test);
	assert_int_equal(calls, 2);
	assert_string_equal(logbuf, "infer 2021-06-08: the database changed while it was read: reading it again\n");
	free(logbuf);
	assert_int_equal(F->sum.domains, 3);
	assert_answer("final", "late.com", "late.net - 1.0 banner 1 auto");
	assert_as_clean_run();
}

/* The fallbacks of a run's threads: the scans read ahead on the second
 * connection fail (the run says so and reads them on its own), or no
 * thread starts (each piece of work in turn); the answers either way are
 * those of a run with neither. */
static void test_threads_fail(void **state)
{
	(void)state;
	customers_and_own();
	char *clean = raw_answers();
	infer_hooks fail = {.ahead_fails = true};
	char *logbuf = run_logged(&fail);
	assert_string_equal(logbuf, "infer 2021-06-08: reading the scans on a second connection failed (disk I/O error"
				    " (a test's)): reading them on the run's own\n");
	free(logbuf);
	assert_answers_are(clean);
	assert_answer("final", "own.com", "own.com - 1.0 banner 1 auto");
	infer_hooks none = {.no_threads = true};
	logbuf = run_logged(&none);
	assert_string_equal(logbuf, "");
	free(logbuf);
	assert_answers_are(clean);
	free(clean);
	assert_int_equal(F->sum.domains, 3);
	assert_int_equal(F->sum.answered, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_priority_confidence_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_suggestion_needs_every_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_without_provider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builds_missing_name_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_before_read_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cisco_customer_certificate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_godaddy_vps_banner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fake_google_banner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fake_google_banner_flag_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_id_and_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_host_default_mx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yandex_one_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_banner_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_smtp_and_live_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_answers_derived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_follow_text_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_mx_with_domain_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rerun_replaces_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rerun_keeps_identical_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rerun_after_new_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_run_keeps_raw_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_run_after_new_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_while_reading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_run_writes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests_name("infer", tests, NULL, NULL);
}
