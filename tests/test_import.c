/* import: every importer end to end on a real SQLite file: counts,
 * problem reports, idempotent re-import, --strict rollback, CNAME
 * following, ASNs from pfx2as, and the stats over the result. */
#define _GNU_SOURCE /* fopencookie: a log that stops the import */
#include "testdb.h"
#include "mxray/import.h"
#include "mxray/show.h"
#include "mxray/stats.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char *DNS =
	"{\"query_type\":\"MX\",\"query_name\":\"Example.org.\",\"response_type\":\"MX\",\"mx_address\":\"ASPMX.L.GOOGLE.COM.\",\"mx_preference\":1,\"status_code\":0,\"timestamp\":1623110400000}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"A\",\"response_name\":\"aspmx.l.google.com.\",\"ip4_address\":\"142.250.102.27\",\"as\":\"15169\",\"status_code\":0}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"MX\",\"mx_address\":\"backup.example.net.\",\"mx_preference\":20}\n"
	"\n"
	"{\"query_type\":\"MX\",\"query_name\":\"cn.org.\",\"response_type\":\"MX\",\"mx_address\":\"mail.cn.org.\",\"mx_preference\":10}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"cn.org.\",\"response_type\":\"CNAME\",\"response_name\":\"mail.cn.org.\",\"cname_name\":\"relay.host.net.\"}\n"
	"{\"query_type\":\"A\",\"query_name\":\"relay.host.net.\",\"response_type\":\"A\",\"response_name\":\"relay.host.net.\",\"ip4_address\":\"198.51.100.7\"}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"two.org.\",\"response_type\":\"MX\",\"mx_address\":\"a.two.org.\",\"mx_preference\":10}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"two.org.\",\"response_type\":\"CNAME\",\"response_name\":\"a.two.org.\",\"cname_name\":\"b.two.org.\"}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"two.org.\",\"response_type\":\"CNAME\",\"response_name\":\"b.two.org.\",\"cname_name\":\"c.two.org.\"}\n"
	"{\"query_type\":\"A\",\"query_name\":\"c.two.org.\",\"response_type\":\"A\",\"response_name\":\"c.two.org.\",\"ip4_address\":\"203.0.113.9\"}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"gone.org.\",\"status_code\":3}\n"
	"{\"query_type\":\"MX\",\"query_name\":\"example.org.\",\"response_type\":\"AAAA\",\"response_name\":\"aspmx.l.google.com.\",\"ip6_address\":\"2001:db8::1\"}\n"
	"not json at all\n"
	"{\"query_type\":\"MX\",\"query_name\":\"bad.org.\",\"response_type\":\"A\",\"response_name\":\"x.bad.org\",\"ip4_address\":\"1.2.3\"}\n";

static const char *SCANS =
	"{\"ip\":\"142.250.102.27\",\"autonomous_system\":{\"asn\":\"15169\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mx.google.com ESMTP\",\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"mx.google.com\"]}},\"validation\":{\"browser_trusted\":true}}}}}}\n"
	"{\"ip\":\"198.51.100.7\",\"data\":{\"smtp\":{\"status\":\"success\",\"result\":{\"banner\":\"220 relay.host.net ESMTP\"}}}}\n"
	/* a later record without port-25 data does not replace one with it */
	"{\"ip\":\"198.51.100.7\",\"data\":{\"smtp\":{\"status\":\"connection-timeout\"}}}\n"
	"{\"ip\":\"203.0.113.9\"}\n";

static const char *PFX2AS =
	"142.250.0.0\t15\t64999\n"
	"198.51.100.0\t24\t64500_64501\n"
	"203.0.113.0\t24\t64510,64511\n"
	"2001:db8::\t32\t64500\n";

typedef db_logfx fixture;

static const char *logtext(fixture *f)
{
	return db_logfx_log(f);
}

static void clear_log(fixture *f)
{
	db_logfx_clear(f);
}

static int64_t q(fixture *f, const char *sql)
{
	return db_int(f->st, sql);
}

static char *qs(fixture *f, const char *sql)
{
	return db_rows(f->st, sql);
}

#define assert_rows(f, sql, expect) do { char *got_ = qs(f, sql); \
	assert_string_equal(got_, expect); free(got_); } while (0)

static int run(fixture *f, bool strict, const import_input *in, size_t n, char **err)
{
	import_opts o = {"2021-06-08", strict, false, 10, f->logf};
	return import_run(f->st, &o, in, n, err);
}

static void test_full_import(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	import_input in[] = {
		{IMPORT_DNS, xstrdup(tmpfile_str(DNS)), NULL},
		{IMPORT_SCANS, xstrdup(tmpfile_str(SCANS)), NULL},
		{IMPORT_PFX2AS, xstrdup(tmpfile_str(PFX2AS)), NULL},
		{IMPORT_TARGETS, xstrdup(tmpfile_str("# alexa\n1,Example.org\n2,cn.org.\n3,nomx.org\n\n2,cn.org\n")), "alexa"},
	};
	assert_int_equal(run(f, false, in, 4, &err), 0);
	char expect[2048];
	snprintf(expect, sizeof expect,
		 "targets %s: 6 lines, 3 imported, 1 already present, 0 skipped\n"
		 "%s:14: malformed JSON: '[' or '{' expected near 'not' (column 3)\n"
		 "%s:15: ip4_address is not an IPv4 address\n"
		 "dns %s: 15 lines, 10 imported, 0 already present, 2 skipped, 1 failed lookups, "
		 "1 ignored (AAAA and other record types)\n"
		 "scans %s: 4 lines, 3 imported, 1 already present, 0 skipped\n"
		 "pfx2as %s: 4 lines, 3 imported, 0 already present, 0 skipped, 1 ignored (IPv6 prefixes)\n",
		 in[3].path, in[0].path, in[0].path, in[0].path, in[1].path, in[2].path);
	assert_string_equal(logtext(f), expect);

	assert_rows(f, "SELECT domain, host, pref FROM mx ORDER BY 1, 3",
		    "cn.org|mail.cn.org|10\n"
		    "example.org|aspmx.l.google.com|1\n"
		    "example.org|backup.example.net|20\n"
		    "two.org|a.two.org|10\n");
	/* the A row inside the MX query is indexed by both names */
	assert_rows(f, "SELECT host, ip FROM a ORDER BY 1",
		    "aspmx.l.google.com|142.250.102.27\n"
		    "c.two.org|203.0.113.9\n"
		    "example.org|142.250.102.27\n"
		    "relay.host.net|198.51.100.7\n");
	/* one CNAME is followed; a chain of two is not */
	assert_rows(f, "SELECT host, ip, via FROM mx_ip ORDER BY 1",
		    "aspmx.l.google.com|142.250.102.27|NULL\n"
		    "mail.cn.org|198.51.100.7|relay.host.net\n");
	assert_rows(f, "SELECT name, qtype, rcode FROM lookup_fail", "gone.org|MX|3\n");
	assert_rows(f, "SELECT ip, port25, banner, format FROM scan ORDER BY 1",
		    "142.250.102.27|1|220 mx.google.com ESMTP|censys-legacy\n"
		    "198.51.100.7|1|220 relay.host.net ESMTP|zgrab2\n"
		    "203.0.113.9|0|NULL|censys-legacy\n");
	/* the scan's ASN wins; pfx2as fills the rest, MOAS first, AS sets kept */
	assert_rows(f, "SELECT ip, asn, asn_set, source FROM asn ORDER BY 1",
		    "142.250.102.27|15169|NULL|scan\n"
		    "198.51.100.7|64500|NULL|pfx2as\n"
		    "203.0.113.9|64510|64510,64511|pfx2as\n");
	assert_rows(f, "SELECT list, domain FROM target ORDER BY 2",
		    "alexa|cn.org\nalexa|example.org\nalexa|nomx.org\n");
	assert_int_equal(q(f, "SELECT count(*) FROM import_log"), 4);

	stats_row *rows;
	int n = stats_collect(f->st, NULL, &rows, &err);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].list, "alexa");
	assert_int_equal(rows[0].domains, 3);
	assert_int_equal(rows[0].with_mx, 2);
	assert_int_equal(rows[0].failed_lookups, 0);
	assert_int_equal(rows[0].mx_hosts, 3);
	assert_int_equal(rows[0].ips, 2);
	assert_int_equal(rows[0].ips_scanned, 2);
	assert_int_equal(rows[0].ips_port25, 2);
	assert_int_equal(rows[0].ips_trusted, 1);
	assert_int_equal(rows[0].ips_asn, 2);
	assert_string_equal(rows[1].list, "all");
	assert_int_equal(rows[1].domains, 4);
	assert_int_equal(rows[1].with_mx, 3);
	assert_int_equal(rows[1].failed_lookups, 1);
	assert_int_equal(rows[1].mx_hosts, 4);
	assert_int_equal(rows[1].ips, 2);
	char *out = NULL;
	size_t outlen;
	FILE *o = open_memstream(&out, &outlen);
	stats_print(o, rows, n, STATS_CSV);
	fclose(o);
	assert_string_equal(out,
		"snapshot,list,domains,with_mx,failed_lookups,mx_hosts,ips,ips_scanned,ips_port25,ips_trusted_cert,ips_with_asn\n"
		"2021-06-08,alexa,3,2,0,3,2,2,2,1,2\n"
		"2021-06-08,all,4,3,1,4,2,2,2,1,2\n");
	free(out);
	free(rows);

	/* Re-import: nothing new, nothing changed. */
	char *before = qs(f, "SELECT (SELECT count(*) FROM mx), (SELECT count(*) FROM a), (SELECT count(*) FROM scan),"
			     " (SELECT count(*) FROM asn), (SELECT count(*) FROM mx_ip), (SELECT count(*) FROM target)");
	clear_log(f);
	assert_int_equal(run(f, false, in, 4, &err), 0);
	assert_non_null(strstr(logtext(f), "dns "));
	assert_non_null(strstr(logtext(f), ": 15 lines, 0 imported, 10 already present, 2 skipped, 1 failed lookups"));
	assert_non_null(strstr(logtext(f), ": 4 lines, 0 imported, 4 already present, 0 skipped\n"));
	assert_non_null(strstr(logtext(f), ": 6 lines, 0 imported, 4 already present, 0 skipped\n"));
	assert_rows(f, "SELECT (SELECT count(*) FROM mx), (SELECT count(*) FROM a), (SELECT count(*) FROM scan),"
		       " (SELECT count(*) FROM asn), (SELECT count(*) FROM mx_ip), (SELECT count(*) FROM target)",
		    before);
	free(before);
	for (int i = 0; i < 4; i++)
		free((char *)in[i].path);
}

static void test_strict_rolls_back_everything(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	import_input in[] = {
		{IMPORT_SCANS, xstrdup(tmpfile_str(SCANS)), NULL},
		{IMPORT_DNS, xstrdup(tmpfile_str(DNS)), NULL},
	};
	assert_int_equal(run(f, true, in, 2, &err), -1);
	char expect[256];
	snprintf(expect, sizeof expect, "%s:14: malformed JSON: '[' or '{' expected near 'not' (column 3)", in[1].path);
	assert_string_equal(err, expect);
	free(err);
	/* the scans file before it was rolled back too, and the snapshot */
	assert_int_equal(q(f, "SELECT count(*) FROM scan"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM mx"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM snapshot"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM import_log"), 0);
	/* without --strict the same input is imported, bad lines skipped */
	assert_int_equal(run(f, false, in, 2, &err), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM mx"), 4);
	free((char *)in[0].path);
	free((char *)in[1].path);
}

static void test_problem_report_limit(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	strbuf sb;
	sb_init(&sb);
	for (int i = 0; i < 25; i++)
		sb_addf(&sb, "10.0.0.%d\t24\tAS%d\n", i, i);
	sb_adds(&sb, "10.9.0.0\t16\t64500\n");
	import_input in[] = {{IMPORT_PFX2AS, xstrdup(tmpfile_str(sb.data)), NULL}};
	sb_free(&sb);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	const char *log = logtext(f);
	int lines = 0;
	for (const char *p = log; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 12); /* 10 problems, the rest counted, a summary */
	char expect[256];
	snprintf(expect, sizeof expect, "%s:10: origin is not a list of decimal AS numbers\n... and 15 more problems in %s\n",
		 in[0].path, in[0].path);
	assert_non_null(strstr(log, expect));
	assert_non_null(strstr(log, ": 26 lines, 1 imported, 0 already present, 25 skipped"));
	assert_null(strstr(log, ":11: "));
	free((char *)in[0].path);
}

static void test_dns_csv(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *csv =
		"\xef\xbb\xbfquery_type,query_name,response_type,response_name,mx_address,mx_preference,ip4_address,status_code,timestamp\r\n"
		"MX,Shop.example.,MX,shop.example.,MX.Shop.Example.,10,,0,1623110400\r\n"
		"MX,shop.example.,A,mx.shop.example.,,,192.0.2.10,0,1623110400\r\n"
		"MX,\"quoted,\nname.example.\",MX,x,y,1,,0,1\r\n"
		"MX,short.example.,MX\r\n"
		"MX,fail.example.,,,,,,2,1623110400\r\n";
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_str(csv)), NULL}};
	assert_int_equal(run(f, false, in, 1, &err), 0);
	char expect[1024];
	snprintf(expect, sizeof expect,
		 "%s:4: query_name: character not allowed in a DNS name (letters, digits, '-', '_')\n"
		 "%s:6: 3 fields, the header has 9\n"
		 "dns %s: 7 lines, 2 imported, 0 already present, 2 skipped, 1 failed lookups\n",
		 in[0].path, in[0].path, in[0].path);
	assert_string_equal(logtext(f), expect);
	assert_rows(f, "SELECT host, ip FROM mx_ip", "mx.shop.example|192.0.2.10\n");
	free((char *)in[0].path);
	/* a CSV without the needed columns is refused as a whole */
	import_input bad[] = {{IMPORT_DNS, xstrdup(tmpfile_str("a,b,c\n1,2,3\n")), NULL}};
	assert_int_equal(run(f, false, bad, 1, &err), -1);
	assert_non_null(strstr(err, ":1: not a DNS file: expected JSON lines or a CSV header"));
	free(err);
	free((char *)bad[0].path);
}

static void test_asorg_and_missing_file(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *txt =
		"# format:org_id|changed|org_name|country|source\n"
		"GOGL-ARIN|20240105|Google LLC|US|ARIN\n"
		"# format:aut|changed|aut_name|org_id|opaque_id|source\n"
		"15169|20000330|GOOGLE|GOGL-ARIN|x|ARIN\n"
		"oops\n";
	import_input in[] = {{IMPORT_ASORG, xstrdup(tmpfile_str(txt)), NULL}};
	import_opts o = {NULL, false, false, 10, f->logf};
	assert_int_equal(import_run(f->st, &o, in, 1, &err), 0);
	assert_rows(f, "SELECT a.asn, a.aut_name, o.org_name, o.country FROM as_org a JOIN org o USING (org_id)",
		    "15169|GOOGLE|Google LLC|US\n");
	assert_non_null(strstr(logtext(f), ":5: AS line does not have 5 or 6 fields\n"));
	free((char *)in[0].path);
	import_input missing[] = {{IMPORT_DNS, "/nonexistent/dns.jsonl", NULL}};
	assert_int_equal(run(f, false, missing, 1, &err), -1);
	assert_string_equal(err, "cannot open /nonexistent/dns.jsonl: No such file or directory");
	free(err);
}

static void test_interrupt_rolls_back_file(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_str(DNS)), NULL}};
	import_interrupted = 1;
	assert_int_equal(run(f, false, in, 1, &err), -1);
	import_interrupted = 0;
	assert_non_null(strstr(err, "interrupted while importing"));
	free(err);
	assert_int_equal(q(f, "SELECT count(*) FROM mx"), 0);
	free((char *)in[0].path);
}

/* A log that sets import_interrupted once a line starting with `at` is
 * written to it (a summary: that file is committed): Ctrl-C between two
 * files, at a point the test knows. */
typedef struct {
	const char *at;
	strbuf text;
} stop_log;

static ssize_t stop_log_write(void *cookie, const char *buf, size_t size)
{
	stop_log *l = cookie;
	sb_add(&l->text, buf, size);
	char *line = xasprintf("\n%s", l->at);
	if (!strncmp(l->text.data, l->at, strlen(l->at)) || strstr(l->text.data, line))
		import_interrupted = 1;
	free(line);
	return (ssize_t)size;
}

/* Interrupted after the first file is committed: that file stays, the
 * second is rolled back, and the step that resolves MX addresses is not
 * run (-3: the snapshot says it is unfinished, and import_derive
 * finishes it). */
static void test_interrupt_between_files(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	char *dns = xstrdup(tmpfile_str(DNS)), *scans = xstrdup(tmpfile_str(SCANS));
	import_input in[] = {{IMPORT_DNS, dns, NULL}, {IMPORT_SCANS, scans, NULL}};
	stop_log l = {"dns ", {0}};
	sb_init(&l.text);
	sb_adds(&l.text, "");
	FILE *log = fopencookie(&l, "w", (cookie_io_functions_t){NULL, stop_log_write, NULL, NULL});
	assert_non_null(log);
	setvbuf(log, NULL, _IONBF, 0);
	import_opts o = {"2021-06-08", false, false, 10, log};
	assert_int_equal(import_run(f->st, &o, in, 2, &err), -3);
	import_interrupted = 0;
	fclose(log);
	char *want = xasprintf("interrupted while importing %s", scans);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;
	assert_int_equal(q(f, "SELECT count(*) FROM mx"), 4);
	assert_int_equal(q(f, "SELECT count(*) FROM scan"), 0);
	assert_int_equal(q(f, "SELECT derived FROM snapshot"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM mx_ip"), 0);
	assert_int_equal(import_derive(f->st, "2021-06-08", &err), 0);
	assert_int_equal(q(f, "SELECT derived FROM snapshot"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM mx_ip"), 2);
	sb_free(&l.text);
	free(dns);
	free(scans);
}

static void test_long_line(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	size_t n = (17u << 20);
	char *big = xmalloc(n + 200);
	memset(big, 'x', n);
	big[n] = '\n';
	strcpy(big + n + 1, "{\"query_name\":\"a.org\",\"response_type\":\"MX\",\"mx_address\":\"mx.a.org\",\"mx_preference\":5}\n");
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_with(big, strlen(big))), NULL}};
	free(big);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ":1: line longer than 16 MiB\n"));
	assert_non_null(strstr(logtext(f), ": 2 lines, 1 imported, 0 already present, 1 skipped"));
	free((char *)in[0].path);
}

static void test_hostile_files(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	/* a byte-order mark before JSON lines; a NUL byte in a line */
	const char bomjson[] = "\xef\xbb\xbf{\"query_name\":\"a.org\",\"response_type\":\"MX\",\"mx_address\":\"mx.a.org\","
			       "\"mx_preference\":5,\"timestamp\":1623110400}\n"
			       "{\"query_name\":\"b.org\",\"response_type\":\"MX\",\"mx_address\":\"mx.b\0evil.org\","
			       "\"mx_preference\":5}\n"
			       "{\"query_name\":\"c.org\",\"response_type\":\"MX\",\"mx_address\":\"mx.c.org\","
			       "\"mx_preference\":5,\"timestamp\":1600000000}\n";
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_with(bomjson, sizeof bomjson - 1)), NULL},
			     {IMPORT_TARGETS, xstrdup(tmpfile_str("\xef\xbb\xbf" "a.org\nhttps://x.org/\n")), "t"}};
	assert_int_equal(run(f, false, in, 2, &err), 0);
	const char *log = logtext(f);
	char expect[512];
	snprintf(expect, sizeof expect, "%s:2: NUL byte in the line\n", in[0].path);
	assert_non_null(strstr(log, expect));
	assert_non_null(strstr(log, ": 3 lines, 2 imported, 0 already present, 1 skipped, 0 failed lookups, "
				    "1 rows dated another day than the snapshot\n"));
	snprintf(expect, sizeof expect, "%s:2: character not allowed in a DNS name (letters, digits, '-', '_')\n",
		 in[1].path);
	assert_non_null(strstr(log, expect));
	assert_rows(f, "SELECT domain FROM target", "a.org\n");
	free((char *)in[0].path);
	free((char *)in[1].path);
}

static void test_stray_quote(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	/* one unterminated quote must not swallow the rest of the file */
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "query_type,query_name,response_type,mx_address,mx_preference\n");
	sb_adds(&sb, "MX,x.com.,MX,\"mx.x.com.,10\n");
	for (int i = 0; i < 30; i++)
		sb_addf(&sb, "MX,d%d.com.,MX,mx.d%d.com.,10\n", i, i);
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_str(sb.data)), NULL}};
	sb_free(&sb);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	char expect[256];
	snprintf(expect, sizeof expect, "%s:2: unterminated quoted field (the 7 lines after it are read again)\n",
		 in[0].path);
	assert_non_null(strstr(logtext(f), expect));
	assert_non_null(strstr(logtext(f), ": 32 lines, 30 imported, 0 already present, 1 skipped"));
	assert_int_equal(q(f, "SELECT count(*) FROM mx"), 30);
	free((char *)in[0].path);
}

/* near the end of the file, or closed by a later stray quote, a quote
 * still costs only its own line */
static void test_stray_quote_at_end(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	import_input in[] = {
		{IMPORT_DNS, xstrdup(tmpfile_str("query_name,response_type,mx_address,mx_preference\n"
						  "a.com,MX,\"mx.a.com,10\n"
						  "b.com,MX,mx.b.com,10\n"
						  "c.com,MX,mx.c.com,10\n")), NULL},
		{IMPORT_DNS, xstrdup(tmpfile_str("query_name,response_type,mx_address,mx_preference\n"
						  "d.com,MX,\"mx.d.com,10\n"
						  "e.com,MX,mx.e.com,10\n"
						  "f.com,MX,\"mx.f.com,10\n"
						  "g.com,MX,mx.g.com,10\n")), NULL},
	};
	assert_int_equal(run(f, false, in, 2, &err), 0);
	char expect[256];
	snprintf(expect, sizeof expect,
		 "%s:2: unterminated quoted field at the end of the file (the 2 lines after it are read again)\n",
		 in[0].path);
	assert_non_null(strstr(logtext(f), expect));
	/* d's quote closes on f's line, not as a record */
	snprintf(expect, sizeof expect,
		 "%s:2: unexpected character after a quoted field (the 2 lines after it are read again)\n", in[1].path);
	assert_non_null(strstr(logtext(f), expect));
	snprintf(expect, sizeof expect,
		 "%s:4: unterminated quoted field at the end of the file (the line after it is read again)\n",
		 in[1].path);
	assert_non_null(strstr(logtext(f), expect));
	assert_rows(f, "SELECT domain FROM mx ORDER BY domain", "b.com\nc.com\ne.com\ng.com\n");
	free((char *)in[0].path);
	free((char *)in[1].path);
}

static void test_failed_file_still_resolves(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	import_input in[] = {{IMPORT_DNS, xstrdup(tmpfile_str(DNS)), NULL}, {IMPORT_SCANS, "/nonexistent.jsonl", NULL}};
	assert_int_equal(run(f, false, in, 2, &err), -1);
	free(err);
	/* the DNS file stays, and its MX hosts are resolved */
	assert_int_equal(q(f, "SELECT count(*) FROM mx"), 4);
	assert_int_equal(q(f, "SELECT count(*) FROM mx_ip"), 2);
	free((char *)in[0].path);
}

/* issue 10: an MX query answered NOERROR without an MX record (NODATA)
 * puts its domain in the snapshot, without MX; a NODATA answer to another
 * query type does not.  An integral double (10.0) is an integer; 10.5 is a
 * problem. */
static void test_nodata(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *dns =
		"{\"query_type\":\"MX\",\"query_name\":\"has.org.\",\"response_type\":\"MX\",\"mx_address\":\"mx.has.org.\",\"mx_preference\":10.0,\"status_code\":0}\n"
		"{\"query_type\":\"MX\",\"query_name\":\"NoMX.org.\",\"status_code\":0,\"timestamp\":1623110400000}\n"
		"{\"query_type\":\"A\",\"query_name\":\"mx.nowhere.org.\",\"status_code\":0}\n"
		"{\"query_type\":\"MX\",\"query_name\":\"gone.org.\",\"status_code\":3}\n"
		"{\"query_type\":\"MX\",\"query_name\":\"half.org.\",\"response_type\":\"MX\",\"mx_address\":\"mx.half.org.\",\"mx_preference\":10.5}\n";
	import_input in[] = {
		{IMPORT_DNS, xstrdup(tmpfile_str(dns)), NULL},
		{IMPORT_TARGETS, xstrdup(tmpfile_str("has.org\nnomx.org\ngone.org\n")), "t"},
	};
	assert_int_equal(run(f, false, in, 2, &err), 0);
	char expect[1024];
	snprintf(expect, sizeof expect,
		 "targets %s: 3 lines, 3 imported, 0 already present, 0 skipped\n"
		 "%s:5: mx_preference is not an integer (10.5 has a fraction)\n"
		 "dns %s: 5 lines, 1 imported, 0 already present, 1 skipped, 1 failed lookups, 2 empty answers\n",
		 in[1].path, in[0].path, in[0].path);
	assert_string_equal(logtext(f), expect);
	assert_rows(f, "SELECT domain, host, pref FROM mx", "has.org|mx.has.org|10\n");
	/* NODATA is kept as status 0 (NOERROR), for the MX query only */
	assert_rows(f, "SELECT name, qtype, rcode FROM lookup_fail ORDER BY 1", "gone.org|MX|3\nnomx.org|MX|0\n");

	/* counted among the domains of 'all' and of its list, without MX, and
	 * not as a failed lookup */
	stats_row *rows;
	int n = stats_collect(f->st, NULL, &rows, &err);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].list, "t");
	assert_int_equal(rows[0].domains, 3);
	assert_int_equal(rows[0].with_mx, 1);
	assert_int_equal(rows[0].failed_lookups, 1);
	assert_string_equal(rows[1].list, "all");
	assert_int_equal(rows[1].domains, 3);
	assert_int_equal(rows[1].with_mx, 1);
	assert_int_equal(rows[1].failed_lookups, 1);
	assert_int_equal(rows[1].mx_hosts, 1);
	free(rows);

	/* show says what the DNS said */
	char *out = NULL;
	size_t outlen;
	FILE *o = open_memstream(&out, &outlen);
	assert_int_equal(show_domain(f->st, o, "2021-06-08", "nomx.org", &err), 0);
	assert_int_equal(show_domain(f->st, o, "2021-06-08", "gone.org", &err), 0);
	assert_int_equal(show_domain(f->st, o, "2021-06-08", "mx.nowhere.org", &err), 1);
	fclose(o);
	assert_string_equal(out,
		"nomx.org  (snapshot 2021-06-08)\n\n"
		"The MX query returned no MX record (NODATA); there is nothing to infer.\n"
		"gone.org  (snapshot 2021-06-08)\n\n"
		"The MX lookup failed (status 3); there is nothing to infer.\n");
	free(out);

	/* a later file that finds MX records: the domain has MX */
	clear_log(f);
	import_input again[] = {{IMPORT_DNS, xstrdup(tmpfile_str(
		"{\"query_type\":\"MX\",\"query_name\":\"nomx.org.\",\"response_type\":\"MX\",\"mx_address\":\"mx.nomx.org.\",\"mx_preference\":5}\n")),
		NULL}};
	assert_int_equal(run(f, false, again, 1, &err), 0);
	n = stats_collect(f->st, NULL, &rows, &err);
	assert_int_equal(n, 2);
	assert_int_equal(rows[1].domains, 3);
	assert_int_equal(rows[1].with_mx, 2);
	assert_int_equal(rows[1].failed_lookups, 1);
	free(rows);
	for (int i = 0; i < 2; i++)
		free((char *)in[i].path);
	free((char *)again[0].path);
}

/* issue 10: the certificate's CN is a name, stored as TEXT (SMTP text
 * stays a BLOB), so that it can be compared with text. */
static void test_cert_cn_text(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *scans =
		"{\"ip\":\"192.0.2.25\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 mx.example.com ESMTP\","
		"\"tls\":{\"certificate\":{\"parsed\":{\"subject\":{\"common_name\":[\"*.example.com\"]},"
		"\"names\":[\"*.example.com\",\"example.com\"]}},\"validation\":{\"browser_trusted\":true}}}}}}\n"
		"{\"ip\":\"192.0.2.26\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 other ESMTP\"}}}}\n";
	import_input in[] = {{IMPORT_SCANS, xstrdup(tmpfile_str(scans)), NULL}};
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_rows(f, "SELECT ip, typeof(cert_cn), typeof(banner) FROM scan ORDER BY 1",
		    "192.0.2.25|text|blob\n192.0.2.26|null|blob\n");
	assert_rows(f, "SELECT ip FROM scan WHERE cert_cn = '*.example.com'", "192.0.2.25\n");
	/* a re-import of the same record changes nothing */
	clear_log(f);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ": 2 lines, 0 imported, 2 already present, 0 skipped\n"));
	free((char *)in[0].path);
}

/* The scan texts many servers share are stored once (scan_text): an EHLO
 * reply after its first line, a STARTTLS reply, the format.  The scan
 * view gives back every byte (a NUL, a byte 1), BLOBs as before; a reply
 * of one line, or one whose only newline ends it, is kept whole; an
 * empty STARTTLS reply is not a missing one; a re-import changes
 * nothing. */
static void test_shared_scan_texts(void **state)
{
	fixture *f = *state;
	char *err = NULL;
#define SCAN_REC(ip, ehlo, tls)                                                                   \
	"{\"ip\":\"" ip "\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\",\"ehlo\":\"" ehlo "\"" tls \
	"}}}}\n"
	const char *scans = SCAN_REC("192.0.2.1", "250-a.example\\r\\n250 STARTTLS", ",\"starttls\":\"220 go\"")
		SCAN_REC("192.0.2.2", "250-b.example\\r\\n250 STARTTLS", ",\"starttls\":\"220 go\"")
		SCAN_REC("192.0.2.3", "250-c\\n\\u0001x\\u0000y", ",\"starttls\":\"\"")
		SCAN_REC("192.0.2.4", "250 one line\\n", "") SCAN_REC("192.0.2.5", "250 single", "");
#undef SCAN_REC
	import_input in[] = {{IMPORT_SCANS, xstrdup(tmpfile_str(scans)), NULL}};
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ": 5 lines, 5 imported, 0 already present, 0 skipped\n"));
	assert_rows(f, "SELECT ip, quote(ehlo), quote(starttls), format FROM scan ORDER BY ip_int",
		    "192.0.2.1|X'3235302D612E6578616D706C650D0A323530205354415254544C53'|X'32323020676F'|censys-legacy\n"
		    "192.0.2.2|X'3235302D622E6578616D706C650D0A323530205354415254544C53'|X'32323020676F'|censys-legacy\n"
		    "192.0.2.3|X'3235302D630A01780079'|X''|censys-legacy\n"
		    "192.0.2.4|X'323530206F6E65206C696E650A'|NULL|censys-legacy\n"
		    "192.0.2.5|X'3235302073696E676C65'|NULL|censys-legacy\n");
	/* two tails, two STARTTLS replies, one format; the tails after a first
	 * line that ends in a newline */
	assert_rows(f, "SELECT quote(text) FROM scan_text ORDER BY id",
		    "X'323530205354415254544C53'\nX'32323020676F'\nX'63656E7379732D6C6567616379'\nX'01780079'\nX''\n");
	assert_rows(f, "SELECT ip, quote(ehlo_head), ehlo_rest IS NOT NULL FROM f_scan ORDER BY ip",
		    "3221225985|X'3235302D612E6578616D706C650D0A'|1\n"
		    "3221225986|X'3235302D622E6578616D706C650D0A'|1\n"
		    "3221225987|X'3235302D630A'|1\n"
		    "3221225988|X'323530206F6E65206C696E650A'|0\n"
		    "3221225989|X'3235302073696E676C65'|0\n");
	clear_log(f);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ": 5 lines, 0 imported, 5 already present, 0 skipped\n"));
	assert_rows(f, "SELECT count(*) FROM scan_text", "5\n");
	free((char *)in[0].path);

	/* replies that start with newlines; a record the next one of its
	 * address replaces; another STARTTLS reply for .1 (its old one stays:
	 * .2 has it) */
#define SCAN_REC(ip, ehlo, tls)                                                                   \
	"{\"ip\":\"" ip "\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\",\"ehlo\":\"" ehlo "\"" tls \
	"}}}}\n"
	scans = SCAN_REC("192.0.2.1", "250-a.example\\r\\n250 STARTTLS", ",\"starttls\":\"220 other\"")
		SCAN_REC("192.0.2.6", "\\n250-lead\\n250 HELP", "") SCAN_REC("192.0.2.7", "\\n\\n", "")
		SCAN_REC("192.0.2.8", "250-x\\n250 FIRST", ",\"starttls\":\"220 first\"")
		SCAN_REC("192.0.2.8", "250-x\\n250 SECOND", "");
#undef SCAN_REC
	in[0].path = xstrdup(tmpfile_str(scans));
	clear_log(f);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ": 5 lines, 5 imported, 0 already present, 0 skipped\n"));
	assert_rows(f, "SELECT ip, quote(ehlo), quote(starttls) FROM scan WHERE ip_int > 3221225989 OR ip_int = 3221225985"
		       " ORDER BY ip_int",
		    "192.0.2.1|X'3235302D612E6578616D706C650D0A323530205354415254544C53'|X'323230206F74686572'\n"
		    "192.0.2.6|X'0A3235302D6C6561640A3235302048454C50'|NULL\n"
		    "192.0.2.7|X'0A0A'|NULL\n"
		    "192.0.2.8|X'3235302D780A323530205345434F4E44'|NULL\n");
	/* what the migration's SQL makes of each whole reply is what the
	 * import stored */
	assert_rows(f, "SELECT count(*) FROM scan s JOIN f_scan c ON c.ip = s.ip_int LEFT JOIN scan_text r ON r.id = c.ehlo_rest"
		       " WHERE c.ehlo_head IS NOT (CASE WHEN instr(s.ehlo, X'0A') > 0 AND instr(s.ehlo, X'0A') < length(s.ehlo)"
		       " THEN substr(s.ehlo, 1, instr(s.ehlo, X'0A')) ELSE s.ehlo END) OR r.text IS NOT (CASE WHEN"
		       " instr(s.ehlo, X'0A') > 0 AND instr(s.ehlo, X'0A') < length(s.ehlo) THEN substr(s.ehlo, instr(s.ehlo,"
		       " X'0A') + 1) END)",
		    "0\n");
	/* no text is left that no row uses: 250 FIRST, 220 first are gone */
	assert_rows(f, "SELECT count(*) FROM scan_text WHERE id NOT IN (SELECT ehlo_rest FROM f_scan WHERE ehlo_rest"
		       " IS NOT NULL UNION SELECT starttls_id FROM f_scan WHERE starttls_id IS NOT NULL UNION SELECT"
		       " format_id FROM f_scan)",
		    "0\n");
	assert_rows(f, "SELECT count(*) FROM scan_text", "9\n");
	free((char *)in[0].path);
}

/* The check for shared texts no row uses reads every scan row: it runs
 * after a file in which a record replaced its address's row, not after
 * files whose every record added a row (a text left unused by other
 * means, put here by hand, shows which). */
static void test_scan_text_prune_when_replaced(void **state)
{
	fixture *f = *state;
	char *err = NULL;
#define SCAN_REC(ip, tls) \
	"{\"ip\":\"" ip "\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\",\"ehlo\":\"250-a\\n250 B\"" \
	",\"starttls\":\"" tls "\"}}}}\n"
	const char *files[] = {SCAN_REC("192.0.2.1", "220 one") SCAN_REC("192.0.2.2", "220 two"),
			       SCAN_REC("192.0.2.3", "220 three"), SCAN_REC("192.0.2.1", "220 four")};
#undef SCAN_REC
	const char *left[] = {"1\n", "0\n"}; /* after the third file's: the text put by hand */
	for (int i = 0; i < 3; i++) {
		import_input in[] = {{IMPORT_SCANS, xstrdup(tmpfile_str(files[i])), NULL}};
		assert_int_equal(run(f, false, in, 1, &err), 0);
		free((char *)in[0].path);
		if (i == 0)
			assert_int_equal(store_exec(f->st, "INSERT INTO scan_text(text) VALUES(X'6F727068616E')", &err), 0);
		else
			assert_rows(f, "SELECT count(*) FROM scan_text WHERE text = X'6F727068616E'", left[i - 1]);
	}
	/* .1's first STARTTLS reply went with the text put by hand */
	assert_rows(f, "SELECT CAST(text AS TEXT) FROM scan_text WHERE CAST(text AS TEXT) LIKE '220%' ORDER BY id",
		    "220 two\n220 three\n220 four\n");
}

/* f_scan is a rowid table; a file's records are written in address order
 * (in chunks), and a read of a snapshot goes through the unique index on
 * (snap, ip) and comes in address order.  The records' ASNs are written at
 * the end of the file in address order, each address's in file order: the
 * later record wins, and a record counts as imported when its scan row or
 * its ASN changed, as when each was written in turn. */
static void test_scan_order_and_asn(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *scans =
		"{\"ip\":\"203.0.113.9\",\"autonomous_system\":{\"asn\":\"64510\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 a\"}}}}\n"
		"{\"ip\":\"198.51.100.7\",\"autonomous_system\":{\"asn\":\"64500\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 b\"}}}}\n"
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 c\"}}}}\n"
		/* the same scan data with another ASN: imported (the ASN changed) */
		"{\"ip\":\"198.51.100.7\",\"autonomous_system\":{\"asn\":\"64501\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 b\"}}}}\n"
		/* the same record again: already present */
		"{\"ip\":\"203.0.113.9\",\"autonomous_system\":{\"asn\":\"64510\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 a\"}}}}\n"
		"{\"ip\":\"not an address\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 d\"}}}}\n";
	import_input in[] = {{IMPORT_SCANS, xstrdup(tmpfile_str(scans)), NULL}};
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ":6: ip is not an IPv4 address\n"));
	assert_non_null(strstr(logtext(f), ": 6 lines, 4 imported, 1 already present, 1 skipped\n"));
	assert_rows(f, "SELECT ip, asn, source FROM asn ORDER BY 1", "198.51.100.7|64501|scan\n203.0.113.9|64510|scan\n");
	/* stored in address order, not the file's */
	assert_rows(f, "SELECT ip FROM f_scan ORDER BY rowid", "3221225985\n3325256711\n3405803785\n");
	assert_rows(f, "SELECT ip, banner FROM f_scan WHERE snap = 1",
		    "3221225985|220 c\n3325256711|220 b\n3405803785|220 a\n");
	/* infer's read (with the planner statistics the import leaves: on so
	 * small a table an unordered read would scan it) */
	char *plan = qs(f, "EXPLAIN QUERY PLAN SELECT c.ip, c.banner, " STORE_SCAN_EHLO("c", "r") ", c.cert_names, c.trusted,"
			   " c.port25 FROM f_scan c LEFT JOIN scan_text r ON r.id = c.ehlo_rest WHERE c.snap = 1 ORDER BY c.ip");
	assert_non_null(strstr(plan, "SEARCH c USING INDEX f_scan_ip (snap=?)"));
	assert_null(strstr(plan, "TEMP B-TREE"));
	free(plan);
	/* again: the first two records set the ASN back and forth, as before */
	clear_log(f);
	assert_int_equal(run(f, false, in, 1, &err), 0);
	assert_non_null(strstr(logtext(f), ": 6 lines, 2 imported, 3 already present, 1 skipped\n"));
	assert_rows(f, "SELECT ip, asn FROM asn ORDER BY 1", "198.51.100.7|64501\n203.0.113.9|64510\n");
	assert_int_equal(q(f, "SELECT count(*) FROM f_scan"), 3);
	free((char *)in[0].path);
}

/* The derive step counts from the run's own copy of what it wrote when
 * the snapshot was empty before it, and from the tables otherwise: both
 * give the rows stats_compute and import_derive give from the tables.
 * Over two scan files the f_scan upsert's rule holds: a later record
 * without port 25 leaves the row be, one with port 25 replaces it. */
#define STATS_SQL "SELECT list, domains, with_mx, failed_lookups, mx_hosts, ips, ips_scanned, ips_port25," \
	" ips_trusted_cert, ips_with_asn FROM f_stats ORDER BY list"

/* f_stats and the derived tables as the import left them, then as
 * stats_compute and import_derive make them again from the tables. */
static void assert_rederived(fixture *f, const char *stats)
{
	char *err = NULL;
	assert_rows(f, STATS_SQL, stats);
	char *mxip = qs(f, "SELECT snap, host, ip, via FROM f_mx_ip ORDER BY 1, 2, 3");
	char *asn = qs(f, "SELECT snap, ip, asn, asn_set, source FROM f_asn ORDER BY 1, 2");
	assert_int_equal(store_exec(f->st, "DELETE FROM f_stats", &err), 0);
	assert_int_equal(stats_compute(f->st, "2021-06-08", &err), 0);
	assert_rows(f, STATS_SQL, stats);
	assert_int_equal(import_derive(f->st, "2021-06-08", &err), 0);
	assert_rows(f, STATS_SQL, stats);
	assert_rows(f, "SELECT snap, host, ip, via FROM f_mx_ip ORDER BY 1, 2, 3", mxip);
	assert_rows(f, "SELECT snap, ip, asn, asn_set, source FROM f_asn ORDER BY 1, 2", asn);
	free(mxip);
	free(asn);
}

static void test_derive_from_copy(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *scans1 =
		/* port 25, a trusted certificate, an ASN */
		"{\"ip\":\"142.250.102.27\",\"autonomous_system\":{\"asn\":\"15169\"},\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 g\","
		"\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"mx.google.com\"]}},\"validation\":{\"browser_trusted\":true}}}}}}\n"
		"{\"ip\":\"198.51.100.7\",\"data\":{\"smtp\":{\"status\":\"connection-timeout\"}}}\n";
	const char *scans2 =
		/* without port 25: the row stays */
		"{\"ip\":\"142.250.102.27\",\"data\":{\"smtp\":{\"status\":\"connection-timeout\"}}}\n"
		/* with port 25 and an untrusted certificate: replaces the row */
		"{\"ip\":\"198.51.100.7\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 r\","
		"\"tls\":{\"certificate\":{\"parsed\":{\"names\":[\"relay.host.net\"]}},\"validation\":{\"browser_trusted\":false}}}}}}\n"
		"{\"ip\":\"192.0.2.1\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 x\"}}}}\n";
	import_input in[] = {
		{IMPORT_TARGETS, xstrdup(tmpfile_str("Example.org\ncn.org\nnomx.org\n")), "alexa"},
		{IMPORT_TARGETS, xstrdup(tmpfile_str("two.org\ngone.org\n")), "gov"},
		{IMPORT_DNS, xstrdup(tmpfile_str(DNS)), NULL},
		{IMPORT_SCANS, xstrdup(tmpfile_str(scans1)), NULL},
		{IMPORT_SCANS, xstrdup(tmpfile_str(scans2)), NULL},
		{IMPORT_PFX2AS, xstrdup(tmpfile_str(PFX2AS)), NULL},
	};
	assert_int_equal(run(f, false, in, 6, &err), 0);
	assert_rows(f, "SELECT ip, port25, trusted FROM scan ORDER BY 1",
		    "142.250.102.27|1|1\n192.0.2.1|1|NULL\n198.51.100.7|1|0\n");
	assert_rows(f, "SELECT ip, asn, asn_set, source FROM asn ORDER BY 1",
		    "142.250.102.27|15169|NULL|scan\n198.51.100.7|64500|NULL|pfx2as\n");
	/* all: example.org, cn.org, two.org, gone.org; alexa: example.org,
	 * cn.org, nomx.org; gov: two.org, gone.org (a.two.org has no address) */
	assert_rederived(f, "0|4|3|1|4|2|2|2|1|2\n"
			    "1|3|2|0|3|2|2|2|1|2\n"
			    "2|2|1|1|1|0|0|0|0|0\n");
	/* a second run into the same snapshot: the tables had rows before it,
	 * so they are read back; the certificate is no longer trusted */
	import_input in2[] = {
		{IMPORT_TARGETS, xstrdup(tmpfile_str("cn.org\n")), "com"},
		{IMPORT_SCANS, xstrdup(tmpfile_str("{\"ip\":\"142.250.102.27\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":\"220 g\"}}}}\n")),
		 NULL},
	};
	assert_int_equal(run(f, false, in2, 2, &err), 0);
	assert_rederived(f, "0|4|3|1|4|2|2|2|0|2\n"
			    "1|3|2|0|3|2|2|2|0|2\n"
			    "2|2|1|1|1|0|0|0|0|0\n"
			    "3|1|1|0|1|1|1|1|0|1\n");
	for (size_t i = 0; i < 6; i++)
		free((char *)in[i].path);
	free((char *)in2[0].path);
	free((char *)in2[1].path);
}

/* ---- reading ahead: a DNS or scan file after another one is read and
 * parsed on other threads while the files before it are stored ---------- */

/* A DNS file of n MX rows (d<i>.org), with a few problems and blank
 * lines among them: lines 100 and 101 blank, 5000 not JSON, 7000 with a
 * NUL byte, 9000 a bad address; bad_at (when > 0): line bad_at not JSON
 * either.  Its length in *len. */
static char *dns_rows(int n, int bad_at, size_t *len)
{
	strbuf sb;
	sb_init(&sb);
	for (int i = 1; i <= n; i++) {
		if (i == 100 || i == 101)
			sb_adds(&sb, i == 100 ? "\n" : " \t\r\n");
		else if (i == 5000 || i == bad_at)
			sb_adds(&sb, "not json at all\n");
		else if (i == 7000)
			sb_add(&sb, "{\"query_name\":\"n\0ul.org\"}\n", 26);
		else if (i == 9000)
			sb_adds(&sb, "{\"query_name\":\"bad.org.\",\"response_type\":\"A\",\"response_name\":\"x.bad.org\","
				     "\"ip4_address\":\"1.2.3\"}\n");
		else
			sb_addf(&sb, "{\"query_type\":\"MX\",\"query_name\":\"d%d.org.\",\"response_type\":\"MX\","
				     "\"mx_address\":\"mx%d.host.net.\",\"mx_preference\":%d}\n", i, i % 50, i % 7);
	}
	*len = sb.len;
	return sb_steal(&sb);
}

static const char *dns_rows_file(int n, int bad_at)
{
	size_t len;
	char *text = dns_rows(n, bad_at, &len);
	const char *p = tmpfile_with(text, len);
	free(text);
	return p;
}

static const char *targets_file(int n)
{
	strbuf sb;
	sb_init(&sb);
	for (int i = 1; i <= n; i++)
		sb_addf(&sb, "%d,d%d.org\n", i, i);
	const char *p = tmpfile_str(sb.data);
	sb_free(&sb);
	return p;
}

/* What the tables hold that import writes, as counts. */
static const char COUNTS[] = "SELECT (SELECT count(*) FROM f_target), (SELECT count(*) FROM f_mx),"
			     " (SELECT count(*) FROM f_a), (SELECT count(*) FROM f_scan), (SELECT count(*) FROM f_asn),"
			     " (SELECT count(*) FROM f_mx_ip), (SELECT count(*) FROM name)";

/* The log of importing each of in[] on its own, in a fresh database, and
 * then the tables' COUNTS. */
static char *log_alone(const import_input *in, size_t n, bool strict)
{
	db_logfx *g = db_logfx_open();
	import_opts o = {"2021-06-08", strict, false, 10, g->logf};
	for (size_t i = 0; i < n; i++) {
		char *err = NULL;
		if (import_run(g->st, &o, &in[i], 1, &err) < 0) {
			fprintf(g->logf, "error: %s\n", err);
			free(err);
		}
	}
	char *counts = db_rows(g->st, COUNTS);
	char *log = xasprintf("%s%s", db_logfx_log(g), counts);
	free(counts);
	db_logfx_close(g);
	return log;
}

/* What importing in[] in one run logged (log) and stored is what
 * importing each on its own logs and stores. */
static void assert_as_alone(fixture *f, const char *log, const import_input *in, size_t n)
{
	char *alone = log_alone(in, n, false);
	char *counts = qs(f, COUNTS);
	char *together = xasprintf("%s%s", log, counts);
	assert_string_equal(together, alone);
	free(together);
	free(counts);
	free(alone);
}

static void test_read_ahead(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *scans = "{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"status\":\"success\",\"result\":{\"banner\":\"220 a\"}}}}\n"
			    "\n"
			    "{\"ip\":\"192.0.2\"}\n"
			    "{\"ip\":\"192.0.2.2\"}\n";
	import_input in[] = {
		{IMPORT_DNS, xstrdup(dns_rows_file(10000, 0)), NULL},
		{IMPORT_SCANS, xstrdup(tmpfile_str(scans)), NULL},
		{IMPORT_TARGETS, xstrdup(targets_file(3000)), "t"},
	};
	assert_int_equal(run(f, false, in, 3, &err), 0);
	char expect[2048];
	snprintf(expect, sizeof expect,
		 "targets %s: 3000 lines, 3000 imported, 0 already present, 0 skipped\n"
		 "%s:5000: malformed JSON: '[' or '{' expected near 'not' (column 3)\n"
		 "%s:7000: NUL byte in the line\n"
		 "%s:9000: ip4_address is not an IPv4 address\n"
		 "dns %s: 10000 lines, 9995 imported, 0 already present, 3 skipped, 0 failed lookups\n"
		 "%s:3: ip is not an IPv4 address\n"
		 "scans %s: 4 lines, 2 imported, 0 already present, 1 skipped\n",
		 in[2].path, in[0].path, in[0].path, in[0].path, in[0].path, in[1].path, in[1].path);
	assert_string_equal(logtext(f), expect);
	assert_int_equal(q(f, "SELECT count(*) FROM f_mx"), 9995);
	assert_int_equal(q(f, "SELECT count(*) FROM f_target"), 3000);
	assert_int_equal(q(f, "SELECT count(*) FROM f_scan"), 2);
	assert_rows(f, "SELECT kind, lines, imported, duplicates, skipped, failed_lookups FROM import_log ORDER BY rowid",
		    "targets|3000|3000|0|0|0\ndns|10000|9995|0|3|0\nscans|4|2|0|1|0\n");
	/* the same files one at a time: the same messages and counts */
	import_input order[] = {in[2], in[0], in[1]};
	assert_as_alone(f, expect, order, 3);
	for (int i = 0; i < 3; i++)
		free((char *)in[i].path);
}

/* --strict stops at the first problem of a file read ahead, in the middle
 * of it, and keeps nothing; a problem in the file before it stops the run
 * with the file after it read ahead (and let go). */
static void test_read_ahead_strict(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	import_input in[] = {
		{IMPORT_TARGETS, xstrdup(targets_file(3000)), "t"},
		{IMPORT_DNS, xstrdup(dns_rows_file(4500, 4200)), NULL},
		{IMPORT_DNS, xstrdup(dns_rows_file(10000, 0)), NULL},
	};
	assert_int_equal(run(f, true, in, 3, &err), -1);
	char expect[512];
	snprintf(expect, sizeof expect, "%s:4200: malformed JSON: '[' or '{' expected near 'not' (column 3)", in[1].path);
	assert_string_equal(err, expect);
	free(err);
	assert_int_equal(q(f, "SELECT count(*) FROM snapshot"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM import_log"), 0);
	/* the second file alone: its first problem is the one of line 5000 */
	import_input second[] = {in[0], in[2]};
	assert_int_equal(run(f, true, second, 2, &err), -1);
	snprintf(expect, sizeof expect, "%s:5000: malformed JSON: '[' or '{' expected near 'not' (column 3)", in[2].path);
	assert_string_equal(err, expect);
	free(err);
	assert_int_equal(q(f, "SELECT count(*) FROM f_target"), 0);
	for (int i = 0; i < 3; i++)
		free((char *)in[i].path);
}

/* A file after the first that cannot be read: the same error, at the same
 * point (after the files before it are stored), as when it comes first. */
static void test_read_ahead_unreadable(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	/* missing; an archive (refused when opened); gzip data cut short */
	const char *zip = tmpfile_with("PK\3\4\24\0\0\0\10\0", 10);
	size_t len;
	char *text = dns_rows(6000, 0, &len);
	char *gz = xasprintf("%s.gz", tmpfile_str(""));
	gzFile g = gzopen(gz, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, text, (unsigned)len), (int)len);
	gzclose(g);
	free(text);
	struct stat sb;
	assert_int_equal(stat(gz, &sb), 0);
	assert_int_equal(truncate(gz, sb.st_size / 2), 0);
	const char *bad[] = {"/nonexistent/dns.jsonl", zip, gz};
	for (int i = 0; i < 3; i++) {
		import_input alone[] = {{IMPORT_DNS, bad[i], NULL}};
		char *first = log_alone(alone, 1, false);
		*strrchr(first, '\n') = '\0'; /* without the counts */
		*(strrchr(first, '\n') + 1) = '\0';
		static const char *const lists[] = {"t0", "t1", "t2"};
		import_input in[] = {
			{IMPORT_TARGETS, xstrdup(targets_file(2000)), lists[i]},
			{IMPORT_DNS, bad[i], NULL},
		};
		clear_log(f);
		assert_int_equal(run(f, false, in, 2, &err), -1);
		fprintf(f->logf, "error: %s\n", err);
		free(err);
		char *expect = xasprintf("targets %s: 2000 lines, 2000 imported, 0 already present, 0 skipped\n%s",
					 in[0].path, first);
		assert_string_equal(logtext(f), expect);
		free(expect);
		free(first);
		/* the targets before it stay */
		assert_int_equal(q(f, "SELECT count(*) FROM f_target"), 2000 * (i + 1));
		free((char *)in[0].path);
	}
	assert_non_null(strstr(logtext(f), "(in line "));
	unlink(gz);
	free(gz);
}

/* What the reader thread hands back at the first line (CSV, an Avro file,
 * a scan file of JSON documents, gzip JSON lines) is read as before: the
 * same messages and rows as each file alone. */
static void test_read_ahead_handover(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	const char *csv = "\n"
			  "query_type,query_name,response_type,mx_address,mx_preference\n"
			  "MX,c1.org.,MX,mx.c1.org.,10\n"
			  "MX,c2.org.,MX\n";
	const char *doc = "[\n"
			  "{\"ip\": \"192.0.2.7\",\n \"services\": [{\"port\": 25, \"service_name\": \"SMTP\","
			  " \"banner\": \"220 doc\"}]},\n"
			  "{\"ip\": \"192.0.2\"}\n"
			  "]\n";
	size_t len;
	char *text = dns_rows(5000, 0, &len);
	char *gz = xasprintf("%s.gz", tmpfile_str(""));
	gzFile g = gzopen(gz, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, text, (unsigned)len), (int)len);
	gzclose(g);
	free(text);
	import_input in[] = {
		{IMPORT_TARGETS, xstrdup(targets_file(100)), "t"},
		{IMPORT_DNS, xstrdup(tmpfile_str(csv)), NULL},
		{IMPORT_DNS, xstrdup(test_data_path("openintel-null.avro")), NULL},
		{IMPORT_SCANS, xstrdup(tmpfile_str(doc)), NULL},
		{IMPORT_SCANS, xstrdup(test_data_path("censys-search.json")), NULL},
		{IMPORT_DNS, gz, NULL},
	};
	assert_int_equal(run(f, false, in, 6, &err), 0);
	assert_as_alone(f, logtext(f), in, 6);
	assert_non_null(strstr(logtext(f), ":4: 3 fields, the header has 5\n"));
	assert_non_null(strstr(logtext(f), ": 5000 lines, 4997 imported, 0 already present, 1 skipped, 0 failed lookups\n"));
	assert_int_equal(q(f, "SELECT count(*) FROM f_mx WHERE domain IN (SELECT id FROM name WHERE name = 'c1.org')"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM import_log WHERE imported > 0"), 6);
	free((char *)in[4].path);
	free((char *)in[0].path);
	free((char *)in[1].path);
	free((char *)in[2].path);
	free((char *)in[3].path);
	unlink(gz);
	free(gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_import, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_derive_from_copy, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_shared_scan_texts, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_text_prune_when_replaced, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_order_and_asn, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_strict_rolls_back_everything, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_problem_report_limit, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_dns_csv, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_asorg_and_missing_file, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_between_files, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_rolls_back_file, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_long_line, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_files, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_stray_quote, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_stray_quote_at_end, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_failed_file_still_resolves, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_nodata, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_cert_cn_text, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_read_ahead, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_read_ahead_strict, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_read_ahead_unreadable, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_read_ahead_handover, db_logfx_setup, db_logfx_teardown),
	};
	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
