/* report: stable scope, the six coverage categories, trend shares, and
 * the exports, on a small hand-made pair of snapshots. */
#include "testdb.h"
#include "readmix.h"
#include "mxray/desk.h"
#include "mxray/correct.h"
#include "mxray/export.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/report.h"
#include "mxray/store.h"
#include "mxray/util.h"

static store *st;
static kb *k;
static const char *dbpath;

static void mx(strbuf *b, const char *d, const char *h)
{
	sb_addf(b, "{\"query_name\":\"%s.\",\"response_type\":\"MX\",\"mx_address\":\"%s.\",\"mx_preference\":10}\n", d, h);
}

static void a(strbuf *b, const char *h, const char *ip)
{
	sb_addf(b, "{\"query_name\":\"%s.\",\"response_type\":\"A\",\"response_name\":\"%s.\",\"ip4_address\":\"%s\"}\n", h,
		h, ip);
}

static void load(const char *snapshot, const char *dns, const char *scans, const char *gov)
{
	char *err = NULL;
	FILE *devnull = fopen("/dev/null", "w");
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_str(dns)), NULL},
			     {IMPORT_SCANS, xstrdup(tmpfile_str(scans)), NULL},
			     {IMPORT_TARGETS, xstrdup(tmpfile_str(gov)), "gov"}};
	import_opts io = {snapshot, true, false, 10, devnull};
	if (import_run(st, &io, in, 3, &err) < 0)
		fail_msg("import: %s", err);
	for (int i = 0; i < 3; i++)
		free((char *)in[i].path);
	fclose(devnull);
	infer_opts o = {snapshot, INFER_ALL, 5, INFER_HEUR_APPLY, k, false, NULL, NULL};
	infer_summary sum;
	if (infer_run(st, &o, &sum, &err) < 0)
		fail_msg("infer: %s", err);
}

static int setup(void **state)
{
	(void)state;
	char *err = NULL;
	dbpath = xstrdup(tmpdb());
	st = store_open(dbpath, &err);
	k = kb_load_default(&err);
	strbuf dns, scans;
	sb_init(&dns);
	sb_init(&scans);
	/* one domain per coverage category */
	mx(&dns, "noip.gov", "mx.noip.gov");
	mx(&dns, "noscan.gov", "mx.noscan.gov");
	a(&dns, "mx.noscan.gov", "192.0.2.1");
	mx(&dns, "nop25.gov", "mx.nop25.gov");
	a(&dns, "mx.nop25.gov", "192.0.2.2");
	sb_adds(&scans, "{\"ip\":\"192.0.2.2\"}\n");
	mx(&dns, "nocert.gov", "mx.nocert.gov");
	a(&dns, "mx.nocert.gov", "192.0.2.3");
	sb_adds(&scans, "{\"ip\":\"192.0.2.3\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mx.nocert.gov ESMTP\"}}}}\n");
	mx(&dns, "nobanner.gov", "mx.nobanner.gov");
	a(&dns, "mx.nobanner.gov", "192.0.2.4");
	sb_adds(&scans, "{\"ip\":\"192.0.2.4\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 localhost ESMTP\",\"tls\":"
			"{\"certificate\":{\"parsed\":{\"names\":[\"mx.nobanner.gov\"]}},\"validation\":{\"browser_trusted\":true}}}}}}\n");
	/* Google customers: complete */
	const char *gcert = "[\"mx.google.com\",\"aspmx.l.google.com\"]";
	a(&dns, "aspmx.l.google.com", "142.250.102.27");
	sb_addf(&scans, "{\"ip\":\"142.250.102.27\",\"autonomous_system\":{\"asn\":15169},\"p25\":{\"smtp\":{\"starttls\":"
			"{\"banner\":\"220 mx.google.com ESMTP\",\"tls\":{\"certificate\":{\"parsed\":{\"names\":%s}},"
			"\"validation\":{\"browser_trusted\":true}}}}}}\n", gcert);
	mx(&dns, "g1.gov", "aspmx.l.google.com");
	mx(&dns, "g2.gov", "aspmx.l.google.com");
	load("2021-01-01", dns.data, scans.data,
	     "noip.gov\nnoscan.gov\nnop25.gov\nnocert.gov\nnobanner.gov\ng1.gov\ng2.gov\nnomx.gov\n");
	/* the second snapshot: noip.gov leaves, g3.gov arrives, nocert.gov moves to Google */
	sb_clear(&dns);
	mx(&dns, "noscan.gov", "mx.noscan.gov");
	a(&dns, "mx.noscan.gov", "192.0.2.1");
	mx(&dns, "nop25.gov", "mx.nop25.gov");
	a(&dns, "mx.nop25.gov", "192.0.2.2");
	mx(&dns, "nocert.gov", "aspmx.l.google.com");
	mx(&dns, "nobanner.gov", "mx.nobanner.gov");
	a(&dns, "mx.nobanner.gov", "192.0.2.4");
	a(&dns, "aspmx.l.google.com", "142.250.102.27");
	mx(&dns, "g1.gov", "aspmx.l.google.com");
	mx(&dns, "g2.gov", "aspmx.l.google.com");
	mx(&dns, "g3.gov", "aspmx.l.google.com");
	load("2021-02-01", dns.data, scans.data, "noscan.gov\nnop25.gov\nnocert.gov\nnobanner.gov\ng1.gov\ng2.gov\ng3.gov\n");
	sb_free(&dns);
	sb_free(&scans);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_fixture_close(st, k, dbpath);
	return 0;
}

static void test_coverage(void **state)
{
	(void)state;
	char *err = NULL;
	report_scope all = {NULL, false, NULL, 0};
	coverage_row c;
	assert_int_equal(report_coverage(st, &all, "2021-01-01", &c, &err), 0);
	long want1[] = {1, 1, 1, 1, 1, 2};
	for (int i = 0; i < COVERAGE_CATEGORIES; i++)
		assert_int_equal(c.count[i], want1[i]);
	assert_int_equal(c.total, 7);
	assert_int_equal(report_coverage(st, &all, "2021-02-01", &c, &err), 0);
	long want2[] = {0, 1, 1, 0, 1, 4};
	for (int i = 0; i < COVERAGE_CATEGORIES; i++)
		assert_int_equal(c.count[i], want2[i]);
	/* stable: with MX in both snapshots (noip.gov left, g3.gov is new) */
	report_scope stable = {"gov", true, NULL, 0};
	assert_int_equal(report_coverage(st, &stable, "2021-02-01", &c, &err), 0);
	assert_int_equal(c.total, 6);
	assert_int_equal(c.count[5], 3);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(report_export_coverage(st, out, &stable, "2021-01-01", &err), 0);
	fclose(out);
	assert_string_equal(buf, "snapshot,list,category,domains\n"
				 "2021-01-01,gov,no_mx_ip,0\n2021-01-01,gov,no_scan,1\n2021-01-01,gov,no_port25,1\n"
				 "2021-01-01,gov,no_valid_cert,1\n2021-01-01,gov,no_valid_banner,1\n2021-01-01,gov,complete,2\n");
	free(buf);
	assert_int_equal(report_coverage(st, &all, "2020-01-01", &c, &err), -1);
	free(err);
}

static void test_trend(void **state)
{
	(void)state;
	char *err = NULL;
	report_scope all = {NULL, false, NULL, 0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(report_export_trend(st, out, &all, 2, &err), 0);
	fclose(out);
	/* 2021-01-01: 7 answered, Google 2; 2021-02-01: 7 answered, Google 4 */
	assert_string_equal(buf, "provider,2021-01-01,2021-02-01\n"
				 "Google,28.5714,57.1429\n"
				 "nobanner.gov,14.2857,14.2857\n");
	free(buf);
	report_scope stable = {NULL, true, NULL, 0};
	trend t;
	assert_int_equal(report_trend(st, &stable, 0, &t, &err), 0);
	assert_int_equal(t.ndates, 2);
	assert_int_equal(t.domains[0], 6);
	assert_int_equal(t.domains[1], 6);
	assert_string_equal(t.rows[0].provider, "Google");
	assert_true(t.rows[0].share[1] > 49.99 && t.rows[0].share[1] < 50.01);
	trend_free(&t);
	/* only the given snapshots */
	char *one[] = {"2021-02-01"};
	report_scope just = {NULL, false, one, 1};
	assert_int_equal(report_trend(st, &just, 1, &t, &err), 0);
	assert_int_equal(t.ndates, 1);
	assert_int_equal(t.domains[0], 7);
	trend_free(&t);
	/* the top providers read by key (every domain, top > 0) are the first
	 * of the full ranking, and more than there are gives the full ranking */
	trend full, two, many;
	assert_int_equal(report_trend(st, &all, 0, &full, &err), 0);
	assert_int_equal(report_trend(st, &all, 2, &two, &err), 0);
	assert_int_equal(report_trend(st, &all, 1000, &many, &err), 0);
	assert_true(full.nrows > 2);
	assert_int_equal(two.nrows, 2);
	assert_int_equal(many.nrows, full.nrows);
	for (size_t i = 0; i < full.nrows; i++) {
		assert_string_equal(many.rows[i].provider, full.rows[i].provider);
		if (i < 2)
			assert_string_equal(two.rows[i].provider, full.rows[i].provider);
		for (size_t k = 0; k < full.ndates; k++) {
			assert_true(many.rows[i].share[k] == full.rows[i].share[k]);
			if (i < 2)
				assert_true(two.rows[i].share[k] == full.rows[i].share[k]);
		}
	}
	assert_int_equal(two.domains[0], full.domains[0]);
	assert_int_equal(two.domains[1], full.domains[1]);
	trend_free(&full);
	trend_free(&two);
	trend_free(&many);
	char *bad[] = {"2020-01-01"};
	report_scope nope = {NULL, false, bad, 1};
	assert_int_equal(report_trend(st, &nope, 1, &t, &err), -1);
	assert_string_equal(err, "no snapshot 2020-01-01 in the database");
	free(err);
}

static void test_text_and_corrections(void **state)
{
	(void)state;
	char *err = NULL;
	report_scope gov = {"gov", true, NULL, 0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(report_text(st, out, &gov, 5, &err), 0);
	fclose(out);
	assert_non_null(strstr(buf, "mxray report: list gov, stable domains only (with MX records in every snapshot), "
				    "2 snapshots (2021-01-01 to 2021-02-01)\n"));
	assert_non_null(strstr(buf, "domains in scope in 2021-02-01: 6; with an answer: 6\n"));
	assert_non_null(strstr(buf, "  Google                   +16.67\n  nocert.gov               -16.67\n"));
	assert_non_null(strstr(buf, "  complete                  2          3\n"));
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(report_export_corrections(st, out, &err), 0);
	fclose(out);
	assert_string_equal(buf, "id,at,analyst,scope,key,snapshot,verdict,provider_id,note,undone_at,undone_by\n");
	free(buf);
}

/* ---- one state of the database, whatever commits meanwhile ---------- */

/* Another process's work: g4.gov (a Google customer) and ms.gov (with a
 * Microsoft server, a company neither snapshot had) imported into both
 * snapshots, a decision about nocert.gov, and both inferred again. */
static void change(store *w, void *arg)
{
	(void)arg;
	char *err = NULL;
	static const char *dnsf, *scanf_;
	if (!dnsf) {
		strbuf dns;
		sb_init(&dns);
		mx(&dns, "g4.gov", "aspmx.l.google.com");
		a(&dns, "aspmx.l.google.com", "142.250.102.27");
		mx(&dns, "ms.gov", "ms-gov.mail.protection.outlook.com");
		a(&dns, "ms-gov.mail.protection.outlook.com", "40.107.22.5");
		dnsf = tmpfile_str(dns.data);
		sb_free(&dns);
		scanf_ = tmpfile_str("{\"ip\":\"40.107.22.5\",\"autonomous_system\":{\"asn\":8075},\"p25\":{\"smtp\":"
				     "{\"starttls\":{\"banner\":\"220 AM5EUR02FT011.mail.protection.outlook.com\","
				     "\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"mail.protection.outlook.com\","
				     "\"*.mail.protection.outlook.com\"]}},\"validation\":{\"browser_trusted\":true}}}}}}\n");
	}
	FILE *devnull = fopen("/dev/null", "w");
	correct_req r = {"domain", "nocert.gov", NULL, "set", "example.org", "t", NULL};
	if (correct_add(w, &r, &err) < 0)
		fail_msg("correct: %s", err);
	static const char *const snaps[] = {"2021-01-01", "2021-02-01"};
	for (int i = 0; i < 2; i++) {
		import_input in[] = {{IMPORT_DNS, dnsf, NULL}, {IMPORT_SCANS, scanf_, NULL}};
		import_opts io = {snaps[i], true, false, 10, devnull};
		if (import_run(w, &io, in, 2, &err) < 0)
			fail_msg("import: %s", err);
		infer_opts o = {snaps[i], INFER_ALL, 5, INFER_HEUR_APPLY, k, false, NULL, NULL};
		infer_summary sum;
		if (infer_run(w, &o, &sum, &err) < 0)
			fail_msg("infer: %s", err);
	}
	fclose(devnull);
}

enum reader { R_TEXT, R_TREND, R_COVERAGE, R_ASSIGN, R_ASSIGN_RAW, R_PROVIDERS, R_PROVIDERS_STABLE, R_DESK };

static char *read_one(store *s, void *arg)
{
	enum reader what = *(enum reader *)arg;
	readmix_out o;
	FILE *f = readmix_out_open(&o);
	char *err = NULL;
	long rc;
	report_scope all = {NULL, false, NULL, 0}, gov = {"gov", true, NULL, 0};
	switch (what) {
	case R_TEXT: rc = report_text(s, f, &all, 5, &err); break;
	case R_TREND: rc = report_export_trend(s, f, &all, 3, &err); break;
	case R_COVERAGE: rc = report_export_coverage(s, f, &all, NULL, &err); break;
	case R_ASSIGN: rc = export_assignments(s, f, "2021-02-01", NULL, "final", EXPORT_CSV, false, &err); break;
	case R_ASSIGN_RAW: rc = export_assignments(s, f, "2021-02-01", NULL, "cert", EXPORT_JSONL, false, &err); break;
	case R_PROVIDERS: rc = export_providers(s, f, "2021-02-01", "gov", EXPORT_CSV, false, &err); break;
	case R_DESK: { /* the desk's report view (R): the trend and each date's coverage */
		desk *d = desk_open(s, "2021-02-01", "t", 5, k, &err);
		trend t;
		coverage_row *cov = NULL;
		rc = d ? desk_report(d, 3, &t, &cov, &err) : -1;
		for (size_t i = 0; rc == 0 && i < t.ndates; i++) {
			fprintf(f, "%s:", t.dates[i]);
			for (size_t j = 0; j < t.nrows; j++)
				fprintf(f, " %s %.4f", t.rows[j].provider, t.rows[j].share[i]);
			for (int c = 0; c < COVERAGE_CATEGORIES; c++)
				fprintf(f, " %ld", cov[i].count[c]);
			fprintf(f, "\n");
		}
		if (rc == 0) {
			trend_free(&t);
			free(cov);
		}
		desk_free(d);
		break;
	}
	default: /* R_PROVIDERS_STABLE: the scope is the caller's, in the caller's read transaction */
		rc = store_read_begin(s, &err);
		if (rc == 0) {
			rc = report_prepare_scope(s, &gov, &err);
			if (rc == 0)
				rc = export_providers(s, f, "2021-02-01", "gov", EXPORT_CSV, true, &err);
			store_read_end(s);
		}
	}
	return readmix_out_close(&o, rc, err);
}

/* Each read gives the output of the state before the change or after it,
 * wherever the change comes (read-only, as the commands read; the report
 * and the assignments also on a writable connection, as the desk reads). */
static void test_one_state(void **state)
{
	enum reader r = *(enum reader *)*state;
	int n = readmix_check(st, true, read_one, &r, change, NULL);
	assert_true(n > 3); /* several statements, each tried */
	if (r == R_TEXT || r == R_ASSIGN || r == R_DESK)
		assert_int_equal(readmix_check(st, false, read_one, &r, change, NULL), n);
}

/* Inside the caller's transaction, the caller's state is the one read and
 * the caller's transaction stays open. */
static void test_in_callers_transaction(void **state)
{
	(void)state;
	char *err = NULL;
	report_scope all = {NULL, false, NULL, 0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(report_export_trend(st, f, &all, 2, &err), 0);
	fclose(f);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_exec(st, "DELETE FROM f_share_total WHERE snap = (SELECT id FROM snapshot"
					" WHERE date = '2021-02-01')", &err), 0);
	char *buf2 = NULL;
	f = open_memstream(&buf2, &len);
	assert_int_equal(report_export_trend(st, f, &all, 2, &err), 0);
	fclose(f);
	assert_int_equal(sqlite3_get_autocommit(store_db(st)), 0); /* still the caller's */
	assert_string_equal(buf2, "provider,2021-01-01,2021-02-01\nGoogle,28.5714,0.0000\n"
				  "nobanner.gov,14.2857,0.0000\n");
	store_rollback(st);
	assert_int_equal(sqlite3_get_autocommit(store_db(st)), 1);
	free(buf2);
	f = open_memstream(&buf2, &len);
	assert_int_equal(report_export_trend(st, f, &all, 2, &err), 0);
	fclose(f);
	assert_string_equal(buf2, buf);
	free(buf);
	free(buf2);
}

int main(void)
{
	static enum reader readers[] = {R_TEXT, R_TREND, R_COVERAGE, R_ASSIGN, R_ASSIGN_RAW, R_PROVIDERS,
					R_PROVIDERS_STABLE, R_DESK};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_text_and_corrections),
#define ONE_STATE(r, what) {"test_one_state_" what, test_one_state, NULL, NULL, &readers[r]}
		ONE_STATE(R_TEXT, "report"),
		ONE_STATE(R_TREND, "trend"),
		ONE_STATE(R_COVERAGE, "coverage"),
		ONE_STATE(R_ASSIGN, "assignments"),
		ONE_STATE(R_ASSIGN_RAW, "assignments_raw"),
		ONE_STATE(R_PROVIDERS, "providers"),
		ONE_STATE(R_PROVIDERS_STABLE, "providers_stable"),
		ONE_STATE(R_DESK, "desk_report"),
#undef ONE_STATE
		cmocka_unit_test(test_in_callers_transaction),
	};
	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
