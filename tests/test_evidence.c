/* evidence: what the read side returns for sample-data's 2021-06-08
 * snapshot, imported and inferred (exact values, checked against the
 * files by hand: see the show-*.txt golden files of the CLI tests). */
#include "testdb.h"
#include "readmix.h"
#include "mxray/correct.h"
#include "mxray/evidence.h"
#include "mxray/show.h"

typedef struct {
	store *st;
	kb *k;
	const char *dbpath;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	sample_data_open(&f->st, &f->k, &f->dbpath, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	db_fixture_close(f->st, f->k, f->dbpath);
	free(f);
	return 0;
}

static uint32_t ip(const char *s)
{
	uint32_t n;
	assert_true(mx_ipv4_parse(s, &n));
	return n;
}

/* A live address of a hosting company: scan, AS, certificate group. */
static void test_ip_live(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	ev_ip e;
	assert_int_equal(evidence_ip(f->st, "2021-06-08", ip("193.34.144.20"), &e, &err), 0);
	assert_string_equal(e.text, "193.34.144.20");
	assert_true(e.scanned);
	assert_true(e.port25);
	assert_string_equal(e.banner, "220 mx1.mailnest-hosting.com ESMTP Postfix");
	assert_int_equal(e.banner_len, strlen(e.banner));
	assert_non_null(e.ehlo);
	assert_int_equal(strncmp(e.ehlo, "250-mx1.mailnest-hosting.com\r\n250-PIPELINING\r\n", 46), 0);
	assert_string_equal(e.cert_cn, "*.mailnest-hosting.com");
	assert_int_equal(e.ncert_names, 2);
	assert_string_equal(e.cert_names[0], "*.mailnest-hosting.com");
	assert_string_equal(e.cert_names[1], "mailnest-hosting.com");
	assert_int_equal(e.trusted, 1);
	assert_true(e.has_asn);
	assert_int_equal(e.asn, 64502);
	assert_string_equal(e.asn_source, "scan");
	assert_string_equal(e.as_name, "MAILNEST-AS");
	assert_string_equal(e.org_name, "Mailnest Hosting SRL");
	assert_true(e.in_as2org);
	assert_true(e.inferred);
	assert_true(e.live);
	assert_int_equal(e.num_ip, 32);
	assert_string_equal(e.cert_group, "mailnest-hosting.com");
	assert_int_equal(e.num_cert, 32);
	assert_string_equal(e.banner_fqdn, "mx1.mailnest-hosting.com");
	assert_string_equal(e.ehlo_fqdn, "mx1.mailnest-hosting.com");
	assert_int_equal(e.confidence, 32);
	evidence_ip_free(&e);
}

/* An address with no scan record, its AS from pfx2as; and one nowhere. */
static void test_ip_unscanned_and_unknown(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	ev_ip e;
	assert_int_equal(evidence_ip(f->st, "2021-06-08", ip("71.162.201.6"), &e, &err), 0);
	assert_false(e.scanned);
	assert_null(e.banner);
	assert_null(e.cert_names);
	assert_int_equal(e.trusted, -1);
	assert_true(e.has_asn);
	assert_int_equal(e.asn, 701);
	assert_string_equal(e.asn_source, "pfx2as");
	evidence_ip_free(&e);
	assert_int_equal(evidence_ip(f->st, "2021-06-08", ip("127.0.0.9"), &e, &err), 0);
	assert_false(e.scanned);
	assert_false(e.has_asn);
	assert_false(e.inferred);
	evidence_ip_free(&e);
	/* a snapshot that does not exist is empty, not an error */
	assert_int_equal(evidence_ip(f->st, "1999-01-01", ip("193.34.144.20"), &e, &err), 0);
	assert_false(e.scanned);
	evidence_ip_free(&e);
}

/* A host where the VPS heuristic fired: each approach's ID from the one
 * chain, the heuristic and the answer. */
static void test_host_heuristic(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	ev_host h;
	assert_int_equal(evidence_host(f->st, "2021-06-08", "mail.bluekitchen67.com", &h, &err), 0);
	assert_true(h.inferred);
	assert_true(h.live);
	assert_int_equal(h.domains, 1);
	assert_int_equal(h.nips, 1);
	assert_int_equal(h.ips[0], ip("148.72.50.35"));
	assert_null(h.via);
	assert_string_equal(h.mx_id, "bluekitchen67.com");
	assert_null(h.cert_id);
	assert_string_equal(h.banner_id, "secureserver.net");
	assert_string_equal(h.approach_id[0], "bluekitchen67.com");
	assert_string_equal(h.approach_id[1], "bluekitchen67.com");
	assert_string_equal(h.approach_id[2], "secureserver.net");
	assert_string_equal(h.approach_id[3], "secureserver.net");
	assert_string_equal(h.heuristic, "hostname-vps");
	assert_non_null(strstr(h.reason, "is a GoDaddy VPS (ip-*.secureserver.net)"));
	assert_string_equal(h.provider_id, "bluekitchen67.com");
	assert_string_equal(h.source, "mx");
	assert_string_equal(h.status, "heuristic");
	assert_int_equal(h.confidence, 1);
	assert_true(h.has_pref);
	assert_int_equal(h.min_pref, 10);
	assert_int_equal(h.max_pref, 10);
	evidence_host_free(&h);
	/* not an MX host of the snapshot */
	assert_int_equal(evidence_host(f->st, "2021-06-08", "no.such.host.example", &h, &err), 0);
	assert_false(h.inferred);
	assert_int_equal(h.nips, 0);
	assert_null(h.approach_id[3]);
	evidence_host_free(&h);
}

/* The hosts on an address and the domains of a host. */
static void test_ip_hosts_and_domains(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	ev_host_brief *hs;
	size_t n, total;
	assert_int_equal(evidence_ip_hosts(f->st, "2021-06-08", ip("193.34.144.20"), 20, &hs, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_string_equal(hs[0].host, "mx1.mailnest-hosting.com");
	assert_int_equal(hs[0].domains, 32);
	assert_string_equal(hs[0].provider_id, "mailnest-hosting.com");
	assert_string_equal(hs[0].source, "cert");
	assert_string_equal(hs[0].status, "auto");
	evidence_host_briefs_free(hs, n);
	char **doms;
	assert_int_equal(evidence_host_domains(f->st, "2021-06-08", "mx1.mailnest-hosting.com", 3, &doms, &n, &err), 0);
	assert_int_equal(n, 3);
	/* three of its domains (the first by name id, not by name: no sort of
	 * a large host's domains), sorted among themselves */
	assert_true(strcmp(doms[0], doms[1]) < 0 && strcmp(doms[1], doms[2]) < 0);
	for (size_t i = 0; i < n; i++) {
		char *sql = xasprintf("SELECT count(*) FROM primary_mx WHERE host = 'mx1.mailnest-hosting.com'"
				      " AND domain = '%s'", doms[i]);
		assert_int_equal(db_int(f->st, sql), 1);
		free(sql);
		free(doms[i]);
	}
	free(doms);
	uint32_t *ips;
	assert_int_equal(evidence_domain_ips(f->st, "2021-06-08", "active-industries.com", 8, &ips, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ips[0], ip("193.34.144.20"));
	assert_int_equal(ips[1], ip("193.34.144.21"));
	free(ips);
}

/* A domain: MX records, primary host, decisions, final answer. */
static void test_domain(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	ev_domain e;
	assert_int_equal(evidence_domain(f->st, "2021-06-08", "activelandscaping.com", &e, &err), 0);
	assert_int_equal(e.state, EV_HAS_MX);
	assert_int_equal(e.nmx, 2);
	assert_string_equal(e.mx[0].host, "mx1.kumo-hosting.jp");
	assert_int_equal(e.mx[0].pref, 10);
	assert_true(e.mx[0].primary);
	assert_string_equal(e.mx[1].host, "mx2.kumo-hosting.jp");
	assert_false(e.mx[1].primary);
	assert_int_equal(e.nprimary, 1);
	assert_string_equal(e.primary[0].host, "mx1.kumo-hosting.jp");
	assert_string_equal(e.primary[0].approach_id[3], "kumo-hosting.jp");
	assert_int_equal(e.ndecisions, 0);
	assert_int_equal(e.nfinal, 1);
	assert_string_equal(e.final[0].provider_id, "kumo-hosting.jp");
	assert_null(e.final[0].company);
	assert_true(e.final[0].weight == 1.0);
	assert_string_equal(e.final[0].source, "banner");
	assert_int_equal(e.final[0].confidence, 25);
	assert_string_equal(e.final[0].status, "auto");
	evidence_domain_free(&e);
	assert_int_equal(evidence_domain(f->st, "2021-06-08", "not-a-domain-of-the.example", &e, &err), 0);
	assert_int_equal(e.state, EV_NOT_IN_SNAPSHOT);
	evidence_domain_free(&e);
}

/* Another process's decision about the domain, and infer applying it. */
static void decide(store *w, void *arg)
{
	fixture *f = arg;
	char *err = NULL;
	/* as correct_add records it, at a fixed time: the same output each time */
	if (store_exec(w, "INSERT INTO correction(scope, key, snapshot, verdict, provider_id, analyst, note, at)"
			  " VALUES('domain', 'activelandscaping.com', NULL, 'set', 'outlook.com', 't', 'moved',"
			  " '2021-07-01T00:00:00Z')", &err) < 0)
		fail_msg("correct: %s", err);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, f->k, false, NULL, NULL};
	infer_summary sum;
	if (infer_run(w, &o, &sum, &err) < 0)
		fail_msg("infer: %s", err);
}

static char *show(store *st, void *arg)
{
	(void)arg;
	readmix_out o;
	char *err = NULL;
	int rc = show_domain(st, readmix_out_open(&o), "2021-06-08", "activelandscaping.com", &err);
	return readmix_out_close(&o, rc, err);
}

/* show: the MX rows, the hosts' evidence, the decisions and the answer of
 * one state, wherever another process's decision and infer come in
 * (readmix.h); read apart, the decision showed beside the answer of
 * before it. */
static void test_show_one_state(void **state)
{
	fixture *f = *state;
	assert_true(readmix_check(f->st, true, show, NULL, decide, f) > 5);
	assert_true(readmix_check(f->st, false, show, NULL, decide, f) > 5);
}

/* Decisions: the standing one for an address, and a domain's list. */
static void test_decisions(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	ev_decision d;
	assert_int_equal(evidence_ip_decision(f->st, "2021-06-08", "193.34.144.20", &d, &err), 0);
	assert_int_equal(store_exec(f->st, "INSERT INTO correction(scope, key, snapshot, verdict, provider_id, analyst,"
					   " note, at) VALUES('ip', '193.34.144.20', NULL, 'set', 'x.example', 'ann', 'n1', 't1'),"
					   " ('ip', '193.34.144.20', '2021-06-08', 'confirm', NULL, 'bob', NULL, 't2'),"
					   " ('ip', '193.34.144.20', '2021-06-08', 'self', NULL, 'cy', NULL, 't3')", &err),
			 0);
	assert_int_equal(store_exec(f->st, "UPDATE correction SET undone_at = 't4' WHERE analyst = 'cy'", &err), 0);
	assert_int_equal(evidence_ip_decision(f->st, "2021-06-08", "193.34.144.20", &d, &err), 1);
	assert_string_equal(d.verdict, "confirm");
	assert_string_equal(d.analyst, "bob");
	assert_null(d.provider_id);
	assert_false(d.undone);
	evidence_decision_free(&d);
	ev_domain e;
	assert_int_equal(evidence_domain(f->st, "2021-06-08", "active-industries.com", &e, &err), 0);
	assert_int_equal(e.ndecisions, 3);
	assert_string_equal(e.decisions[0].verdict, "set");
	assert_string_equal(e.decisions[0].provider_id, "x.example");
	assert_string_equal(e.decisions[0].note, "n1");
	assert_string_equal(e.decisions[0].scope, "ip");
	assert_true(e.decisions[2].undone);
	evidence_domain_free(&e);
}

/* A broken database is an error with SQLite's message, not "nothing". */
static void test_error(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	assert_int_equal(store_exec(f->st, "DROP TABLE f_mx; CREATE TABLE f_mx(x)", &err), 0);
	ev_domain e;
	assert_int_equal(evidence_domain(f->st, "2021-06-08", "active-industries.com", &e, &err), -1);
	assert_non_null(err);
	free(err);
	evidence_domain_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_live),
		cmocka_unit_test(test_ip_unscanned_and_unknown),
		cmocka_unit_test(test_host_heuristic),
		cmocka_unit_test(test_ip_hosts_and_domains),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_show_one_state),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_error),
	};
	return cmocka_run_group_tests_name("evidence", tests, setup, teardown);
}
