/* report: stable scope, the six coverage categories, trend shares, and
 * the exports, on a small hand-made pair of snapshots. */
#include "testdb.h"
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
	infer_opts o = {snapshot, INFER_ALL, 5, INFER_HEUR_APPLY, k, false, NULL, NULL, NULL};
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_text_and_corrections),
	};
	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
