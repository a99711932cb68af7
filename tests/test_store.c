/* store: schema creation and migration, savepoints, snapshots. */
#include "testdb.h"
#include "readmix.h"
#include "mxray/evaluate.h"
#include "mxray/export.h"
#include "mxray/stats.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <openssl/evp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The query plan of sql has want in it. */
static void assert_plan_has(store *st, const char *sql, const char *want)
{
	char *eqp = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	char *plan = db_rows(st, eqp);
	if (!strstr(plan, want))
		fail_msg("the plan of %s has no \"%s\":\n%s", sql, want, plan);
	free(plan);
	free(eqp);
}

/* A new database file, opened for writing; its path in *path. */
static store *open_new(const char **path)
{
	char *err = NULL;
	*path = tmpdb();
	store *st = store_open(*path, &err);
	if (!st)
		fail_msg("%s", err);
	return st;
}

static void test_create_and_reopen(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *st = store_open_existing(path, &err);
	assert_null(st);
	assert_non_null(strstr(err, "does not exist"));
	free(err);
	err = NULL;
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(db_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	/* a writer's settings: 64 MiB of pages, temporary data in files,
	 * freed pages zeroed only where free (2: FAST) */
	assert_int_equal(db_int(st, "PRAGMA cache_size"), -65536);
	assert_int_equal(db_int(st, "PRAGMA temp_store"), 1);
	assert_int_equal(db_int(st, "PRAGMA secure_delete"), 2);
	assert_int_equal(db_int(st, "SELECT count(*) FROM sqlite_master WHERE type='table'"), 33);
	assert_int_equal(db_int(st, "SELECT count(*) FROM sqlite_master WHERE type='view'"), 15);
	assert_int_equal(store_snapshot_add(st, "2021-06-08", &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-06-08", &err), 0);
	assert_int_equal(store_snapshot_add(st, "2020-01-01", &err), 0);
	char latest[11];
	assert_int_equal(store_snapshot_newest(st, latest, &err), 1);
	assert_string_equal(latest, "2021-06-08");
	assert_int_equal(store_snapshot_unfinished_after(st, latest, latest, &err), 0);
	/* a newer snapshot whose import has not finished is passed over,
	 * and named; with none finished, the newest */
	assert_int_equal(store_exec(st, "INSERT INTO snapshot(date, created_at, derived) VALUES('2021-06-09', 'x', 0)", &err), 0);
	assert_int_equal(store_snapshot_newest(st, latest, &err), 1);
	assert_string_equal(latest, "2021-06-08");
	assert_int_equal(store_snapshot_unfinished_after(st, latest, latest, &err), 1);
	assert_string_equal(latest, "2021-06-09");
	assert_int_equal(store_snapshot_unfinished_after(st, "2021-06-09", latest, &err), 0);
	assert_int_equal(store_exec(st, "UPDATE snapshot SET derived = 0", &err), 0);
	assert_int_equal(store_snapshot_newest(st, latest, &err), 1);
	assert_string_equal(latest, "2021-06-09");
	assert_int_equal(store_exec(st, "UPDATE snapshot SET derived = 1 WHERE date = '2020-01-01'", &err), 0);
	assert_int_equal(store_snapshot_newest(st, latest, &err), 1);
	assert_string_equal(latest, "2020-01-01");
	assert_int_equal(store_exec(st, "DELETE FROM snapshot WHERE date = '2021-06-09'; UPDATE snapshot SET derived = 1", &err), 0);
	store_close(st);
	/* reopening keeps data and does not migrate again */
	st = store_open_existing(path, &err);
	assert_non_null(st);
	assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot"), 2);
	store_close(st);
	rmdb(path);
}

/* Read-only opens: reads work, writes to the file are refused, TEMP
 * tables work, nothing is left beside the file, and the helpers tell
 * "none" from an error. */
static void test_readonly(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *st = store_open_readonly(path, &err);
	assert_null(st);
	assert_non_null(strstr(err, "does not exist"));
	free(err);
	err = NULL;
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_snapshot_add(st, "2021-06-08", &err), 0);
	assert_false(store_readonly(st));
	store_close(st);
	st = store_open_readonly(path, &err);
	assert_non_null(st);
	assert_true(store_readonly(st));
	int64_t id = -1;
	assert_int_equal(store_snapshot_find(st, "2021-06-08", &id, &err), 1);
	assert_true(id > 0);
	assert_int_equal(store_snapshot_find(st, "2021-06-09", NULL, &err), 0);
	char latest[11];
	assert_int_equal(store_snapshot_newest(st, latest, &err), 1);
	assert_string_equal(latest, "2021-06-08");
	assert_int_equal(store_list_find(st, "gov", &err), 0);
	assert_int_equal(store_exec(st, "CREATE TEMP TABLE t(a); INSERT INTO t VALUES(1)", &err), 0);
	assert_int_equal(store_exec(st, "INSERT INTO snapshot(date, created_at) VALUES('2022-01-01', 'x')", &err), -1);
	assert_non_null(strstr(err, "readonly"));
	free(err);
	err = NULL;
	assert_null(store_take_error(st));
	store_close(st);
	char *side = xasprintf("%s-shm", path);
	assert_int_not_equal(access(side, F_OK), 0);
	free(side);
	rmdb(path);
}

/* A fixture database copied to a fresh temporary path (the path). */
static const char *fixture_copy(const char *fixture)
{
	const char *path = tmpdb();
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cp %s %s", fixture, path);
	assert_int_equal(system(cmd), 0);
	return path;
}

/* The file opened for writing, which migrates it to this schema. */
static store *open_migrated(const char *path)
{
	char *err = NULL;
	store *st = store_open(path, &err);
	if (!st)
		fail_msg("%s", err);
	assert_int_equal(db_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	return st;
}

/* A database made by schema version 3 (tests/fixtures/schema-v3.db) is
 * migrated in place: every row of data, decision and label is kept, and
 * the old table names read the same rows as views. */
static void test_migrate_v3(void **state)
{
	(void)state;
	const char *path = fixture_copy("tests/fixtures/schema-v3.db");
	store *st = open_migrated(path);
	/* counts as the version-3 file had them */
	assert_int_equal(db_int(st, "SELECT count(*) FROM mx"), 5394);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_mx"), 5394);
	assert_int_equal(db_int(st, "SELECT count(*) FROM target"), 457);
	assert_int_equal(db_int(st, "SELECT count(*) FROM scan"), 1120);
	assert_int_equal(db_int(st, "SELECT count(*) FROM correction"), 3);
	assert_int_equal(db_int(st, "SELECT count(*) FROM correction WHERE undone_at IS NOT NULL"), 1);
	assert_int_equal(db_int(st, "SELECT count(*) FROM label"), 20);
	assert_int_equal(db_int(st, "SELECT count(*) FROM sample_domain"), 20);
	assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot WHERE date = '2021-06-08' AND id = 1 AND derived = 1"), 1);
	/* text comes back exactly: names, dotted quads, raw banner bytes */
	assert_int_equal(db_int(st, "SELECT count(*) FROM mx WHERE domain = 'biglabs.org' AND host = 'mail.biglabs.org'"), 1);
	assert_int_equal(db_int(st, "SELECT count(*) FROM mx_ip WHERE host = 'mail.biglabs.org' AND ip = '73.52.58.37'"), 1);
	assert_int_equal(db_int(st, "SELECT count(*) FROM scan WHERE instr(banner, x'fffe') > 0"), 2);
	assert_int_equal(db_int(st, "SELECT count(*) FROM name"),
			 db_int(st, "SELECT count(*) FROM (SELECT domain FROM mx UNION SELECT host FROM mx UNION SELECT host FROM a"
				    " UNION SELECT name FROM cname UNION SELECT target FROM cname UNION SELECT name FROM"
				    " lookup_fail UNION SELECT domain FROM target UNION SELECT provider_id FROM result)"));
	/* the answers as they were, through the result view */
	assert_int_equal(db_int(st, "SELECT count(*) FROM result"), 14765);
	assert_int_equal(db_int(st, "SELECT count(*) FROM v_assignment"), 2953);
	/* the stored shares are the sums of the final answers' weights */
	assert_int_equal(db_int(st, "SELECT domains FROM f_share_total"), 2944);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_share s JOIN (SELECT coalesce(company, provider_id) AS p,"
				    " sum(weight) AS w FROM result WHERE approach = 'final' GROUP BY 1) r"
				    " ON r.p = s.provider AND r.w = s.weight"),
			 db_int(st, "SELECT count(*) FROM f_share"));
	assert_string_equal(db_text(st, "PRAGMA integrity_check"), "ok");
	store_close(st);
	rmdb(path);
}

/* Every row of a view, each value quoted (type and all), in key order. */
static char *view_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	long n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		sb_addf(&sb, "%s\n", (const char *)sqlite3_column_text(s, 0));
		n++;
	}
	sqlite3_finalize(s);
	assert_true(n > 0);
	return sb_steal(&sb);
}

#define RESULT_ROWS "SELECT quote(snapshot) || ',' || quote(approach) || ',' || quote(domain) || ',' ||" \
	" quote(provider_id) || ',' || quote(company) || ',' || quote(weight) || ',' || quote(source) || ',' ||" \
	" quote(confidence) || ',' || quote(status) || ',' || quote(reason) FROM result" \
	" ORDER BY snapshot, approach, domain, provider_id"
#define ASSIGNMENT_ROWS "SELECT quote(snapshot) || ',' || quote(domain) || ',' || quote(provider_id) || ',' ||" \
	" quote(company) || ',' || quote(weight) || ',' || quote(source) || ',' || quote(confidence) || ',' ||" \
	" quote(status) || ',' || quote(reason) FROM v_assignment ORDER BY snapshot, domain, provider_id"

/* A whole (small) file, NUL-terminated. */
static void md5_hex(const char *data, size_t len, char hex[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(data, len, md, &n, EVP_md5(), NULL), 1);
	for (unsigned int i = 0; i < n && i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* Each line "MD5 DATE APPROACH" of `file`: export assignments writes
 * that.  Returns how many lines were checked. */
static int exports_match(store *st, const char *file)
{
	FILE *want = fopen(file, "r");
	assert_non_null(want);
	char md5[40], date[16], approach[16], *err = NULL;
	int checked = 0;
	while (fscanf(want, "%32s %10s %15s", md5, date, approach) == 3) {
		char *buf = NULL, hex[33] = "";
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		assert_true(export_assignments(st, out, date, NULL, approach, EXPORT_CSV, false, &err) > 0);
		fclose(out);
		md5_hex(buf, len, hex);
		if (strcmp(hex, md5))
			fail_msg("export assignments --snapshot %s --approach %s differs after the migration", date, approach);
		free(buf);
		checked++;
	}
	fclose(want);
	return checked;
}

/* A database of schema 5 (tests/fixtures/schema-v5.db, made by that
 * mxray): sample-data's 2021-06-08 with three decisions, inferred with
 * every approach; 2021-09-08 inferred on its DNS data, then given its
 * scans and inferred with --approach mx only, so that its stored cert,
 * banner and priority rows no longer follow from its evidence; a labelled
 * sample of each.  The migration drops the raw rows the derivation
 * reproduces and keeps the others; the views show the same rows, and
 * export assignments and eval write what the schema-5 mxray wrote
 * (tests/fixtures/schema-v5.exports.md5, schema-v5.eval.csv). */
static void test_migrate_v5(void **state)
{
	(void)state;
	const char *path = fixture_copy("tests/fixtures/schema-v5.db");
	sqlite3 *old;
	assert_int_equal(sqlite3_open_v2(path, &old, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(old, "SELECT 1 FROM f_result LIMIT 1", NULL, NULL, NULL), SQLITE_OK);
	char *result_before = view_rows(old, RESULT_ROWS), *assign_before = view_rows(old, ASSIGNMENT_ROWS);
	sqlite3_close(old);
	char *err = NULL;
	store *st = open_migrated(path);
	/* derived: every raw approach of 2021-06-08 and the mx one of 2021-09-08 */
	assert_string_equal(db_text(st, "SELECT group_concat(snap || ':' || approach, ' ') FROM f_raw"), "1:0 1:1 1:2 1:3 2:0");
	assert_string_equal(db_text(st, "SELECT group_concat(snap || ':' || approach || ':' || n, ' ') FROM"
				    " (SELECT snap, approach, count(*) AS n FROM f_result GROUP BY 1, 2)"),
			    "1:4:2960 2:1:2955 2:2:2955 2:3:2955 2:4:2953");
	char *result_after = view_rows(store_db(st), RESULT_ROWS), *assign_after = view_rows(store_db(st), ASSIGNMENT_ROWS);
	assert_true(strcmp(result_before, result_after) == 0);
	assert_true(strcmp(assign_before, assign_after) == 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM result"), 29571);
	free(result_before);
	free(result_after);
	free(assign_before);
	free(assign_after);
	assert_int_equal(exports_match(st, "tests/fixtures/schema-v5.exports.md5"), 10);
	eval_result r[2];
	assert_int_equal(eval_sample(st, "s6", &r[0], &err), 0);
	assert_int_equal(eval_sample(st, "s9", &r[1], &err), 0);
	char *buf = NULL, *expect = test_slurp("tests/fixtures/schema-v5.eval.csv", &(size_t){0});
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	eval_print(out, r, 2, EVAL_CSV);
	fclose(out);
	assert_string_equal(buf, expect);
	free(buf);
	free(expect);
	assert_string_equal(db_text(st, "PRAGMA integrity_check"), "ok");
	store_close(st);
	rmdb(path);
}

/* Every row the migration to schema 7 must keep, as text (each value
 * quoted, type and all), in a fixed order. */
static const char *const v6_kept[] = {
	"SELECT quote(snapshot) || ',' || quote(ip) || ',' || quote(port25) || ',' || quote(banner) || ',' ||"
	" quote(ehlo) || ',' || quote(starttls) || ',' || quote(cert_cn) || ',' || quote(cert_names) || ',' ||"
	" quote(trusted) || ',' || quote(format) || ',' || quote(scanned_at) FROM scan ORDER BY snapshot, ip",
	"SELECT snap || ',' || ip || ',' || asn || ',' || quote(asn_set) || ',' || source FROM f_asn ORDER BY snap, ip",
	"SELECT quote(id) || ',' || quote(scope) || ',' || quote(key) || ',' || quote(snapshot) || ',' || quote(verdict)"
	" || ',' || quote(provider_id) || ',' || quote(analyst) || ',' || quote(note) || ',' || quote(at) || ',' ||"
	" quote(undone_at) || ',' || quote(undone_by) FROM correction ORDER BY id",
	"SELECT quote(id) || ',' || quote(sample) || ',' || quote(domain) || ',' || quote(truth) || ',' ||"
	" quote(analyst) || ',' || quote(at) || ',' || quote(undone_at) FROM label ORDER BY id",
	"SELECT s.name || ',' || s.snapshot || ',' || s.size || ',' || s.seed || ',' || d.domain || ',' || d.pos"
	" FROM sample s JOIN sample_domain d ON d.sample = s.name ORDER BY 1",
	"SELECT quote(id) || ',' || quote(date) || ',' || quote(created_at) || ',' || quote(derived) FROM snapshot ORDER BY id",
	"SELECT count(*) || ',' || count(DISTINCT name) FROM name",
	RESULT_ROWS,
	ASSIGNMENT_ROWS,
};
#define V6_KEPT (sizeof v6_kept / sizeof v6_kept[0])

/* The file at path migrated, its v6_kept rows as `old` (then closed) read
 * them before. */
static store *migrated_same_rows(const char *path, sqlite3 *old)
{
	char *before[V6_KEPT];
	for (size_t i = 0; i < V6_KEPT; i++)
		before[i] = view_rows(old, v6_kept[i]);
	sqlite3_close(old);
	store *st = open_migrated(path);
	for (size_t i = 0; i < V6_KEPT; i++) {
		char *after = view_rows(store_db(st), v6_kept[i]);
		if (strcmp(before[i], after))
			fail_msg("rows differ after the migration: %s", v6_kept[i]);
		free(before[i]);
		free(after);
	}
	return st;
}

/* A database of schema 6 (tests/fixtures/schema-v6.db, made by that
 * mxray): sample-data's 2021-06-08 and 2021-09-08, three decisions (one
 * undone), inferred with every approach, a labelled sample.  Schema 7
 * turns f_scan into a rowid table with a unique index on (snap, ip): every
 * scan row, decision, label and answer stays; export assignments writes
 * what the schema-6 mxray wrote (tests/fixtures/schema-v6.exports.md5);
 * a snapshot's scans still read in address order, and an import of a
 * record already there finds it (the upsert's unique index).  `name`
 * keeps its ids, with a named unique index in place of its inline UNIQUE. */
static void test_migrate_v6(void **state)
{
	(void)state;
	const char *path = fixture_copy("tests/fixtures/schema-v6.db");
	sqlite3 *old;
	assert_int_equal(sqlite3_open_v2(path, &old, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char *err = NULL;
	store *st = migrated_same_rows(path, old);
	assert_int_equal(db_int(st, "SELECT count(*) FROM correction"), 3);
	assert_int_equal(db_int(st, "SELECT count(*) FROM label"), 20);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_scan"), 2237);
	assert_int_equal(exports_match(st, "tests/fixtures/schema-v6.exports.md5"), 10);
	/* a rowid table now, with its unique index */
	assert_int_equal(db_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'f_scan' AND sql LIKE '%WITHOUT ROWID%'"), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM pragma_index_list('f_scan') WHERE name = 'f_scan_ip' AND \"unique\""), 1);
	assert_string_equal(db_text(st, "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master"
				    " WHERE tbl_name = 'f_scan' ORDER BY name)"), "f_scan f_scan_ip");
	char *plan = db_rows(st, "EXPLAIN QUERY PLAN SELECT ip, banner, ehlo_head, cert_names, trusted, port25 FROM f_scan"
				 " WHERE snap = 2");
	assert_non_null(strstr(plan, "SEARCH f_scan USING INDEX f_scan_ip (snap=?)"));
	free(plan);
	/* name: a named unique index, which a large load may drop and build again */
	assert_int_equal(db_int(st, "SELECT count(*) FROM pragma_index_list('name') WHERE name = 'name_name' AND \"unique\""), 1);
	assert_int_equal(db_int(st, "SELECT count(*) FROM pragma_index_list('name')"), 1);
	assert_int_equal(db_int(st, "SELECT count(*) FROM (SELECT ip, lag(ip) OVER () AS prev FROM f_scan WHERE snap = 2)"
				    " WHERE prev >= ip"), 0);
	assert_int_equal(store_exec(st, "INSERT INTO f_scan(snap, ip, port25, format_id) SELECT snap, ip, 0, 1 FROM f_scan"
				       " WHERE snap = 2 LIMIT 1 ON CONFLICT(snap, ip) DO NOTHING", &err), 0);
	assert_int_equal(sqlite3_changes(store_db(st)), 0);
	assert_string_equal(db_text(st, "PRAGMA integrity_check"), "ok");
	/* schema 8: each view of addresses gives the stored integer beside the
	 * text, the same address; joined on it, a key lookup */
	static const char *const ip_views[] = {"a", "mx_ip", "scan", "asn", "infer_ip"};
	for (size_t i = 0; i < sizeof ip_views / sizeof *ip_views; i++) {
		char *q = xasprintf("SELECT count(*) FROM %s WHERE ip_int IS NULL OR ip <> ((ip_int >> 24) || '.' ||"
				    " ((ip_int >> 16) & 255) || '.' || ((ip_int >> 8) & 255) || '.' || (ip_int & 255))",
				    ip_views[i]);
		assert_int_equal(db_int(st, q), 0);
		free(q);
		q = xasprintf("SELECT count(*) > 0 FROM %s", ip_views[i]);
		assert_int_equal(db_int(st, q), 1);
		free(q);
	}
	assert_int_equal(db_int(st, "SELECT count(*) FROM mx_ip m JOIN scan s USING (snapshot, ip_int)"),
			 db_int(st, "SELECT count(*) FROM f_mx_ip m JOIN f_scan s ON s.snap = m.snap AND s.ip = m.ip"));
	/* the planner's statistics: none until asked for, then every index */
	assert_int_equal(db_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"), 0);
	assert_int_equal(store_analyze(st, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM sqlite_stat1 WHERE idx IN ('f_scan_ip', 'name_name',"
				    " 'f_primary_mx_host', 'f_mx_ip_ip')"), 4);
	plan = db_rows(st, "EXPLAIN QUERY PLAN SELECT count(*) FROM mx_ip m JOIN scan s USING (snapshot, ip_int)");
	assert_true(strstr(plan, "f_scan_ip (snap=? AND ip=?)") || strstr(plan, "f_mx_ip_ip (ip=? AND snap=?)"));
	free(plan);
	store_close(st);
	rmdb(path);
}

/* data_version: the same after this connection's own commits, another
 * after another connection's */
static void test_data_version(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *a = store_open(path, &err), *b = store_open(path, &err);
	assert_non_null(a);
	assert_non_null(b);
	int64_t v = store_data_version(a, &err);
	assert_true(v >= 0);
	assert_int_equal(store_snapshot_add(a, "2021-06-08", &err), 0);
	assert_int_equal(store_data_version(a, &err), v);
	assert_int_equal(store_snapshot_add(b, "2021-09-08", &err), 0);
	assert_true(store_data_version(a, &err) != v);
	store_close(b);
	store_close(a);
	rmdb(path);
}

/* mxray_rows: rows in the array's order, rowid their index; ORDER BY
 * rowid is that order with no sort, also as the outer loop of a join;
 * any other order is sorted */
static void bulk_column(void *ctx, size_t row, int col, sqlite3_context *out)
{
	const int *v = ctx;
	if (col == 0)
		sqlite3_result_int(out, v[row]);
	else
		sqlite3_result_null(out);
}

static void test_bulk_rows_order(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *st = open_new(&path);
	assert_int_equal(store_exec(st, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)", &err), 0);
	assert_int_equal(store_exec(st, "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')", &err), 0);
	int ids[] = {3, 1, 4, 2};
	store_rows rows = {4, ids, bulk_column};
	static const char *const sql[] = {
		"SELECT group_concat(v, '') FROM (SELECT t.v FROM mxray_rows(?1) r JOIN t ON t.id = r.c0 ORDER BY r.rowid)",
		"SELECT group_concat(v, '') FROM (SELECT t.v FROM mxray_rows(?1) r JOIN t ON t.id = r.c0"
		" ORDER BY r.rowid DESC)",
		"SELECT group_concat(v, '') FROM (SELECT t.v FROM mxray_rows(?1) r JOIN t ON t.id = r.c0 ORDER BY r.c0)",
		"SELECT group_concat(r.rowid || r.c0, ' ') FROM mxray_rows(?1) r",
	};
	static const char *const want[] = {"cadb", "bdac", "abcd", "03 11 24 32"};
	for (int i = 0; i < 4; i++) {
		sqlite3_stmt *s = store_prepare(st, sql[i], &err);
		assert_non_null(s);
		store_bind_rows(s, 1, &rows);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 0), want[i]);
		sqlite3_reset(s);
	}
	/* the plans: no sort for ORDER BY rowid, a sort for the others */
	char *plan = db_rows(st, "EXPLAIN QUERY PLAN SELECT t.v FROM mxray_rows(?1) r JOIN t ON t.id = r.c0"
				 " ORDER BY r.rowid");
	assert_null(strstr(plan, "TEMP B-TREE"));
	free(plan);
	assert_plan_has(st, "SELECT t.v FROM mxray_rows(?1) r JOIN t ON t.id = r.c0 ORDER BY r.rowid",
			"SEARCH t USING INTEGER PRIMARY KEY");
	assert_plan_has(st, "SELECT t.v FROM mxray_rows(?1) r JOIN t ON t.id = r.c0 ORDER BY r.c0",
			"USE TEMP B-TREE FOR ORDER BY");
	store_close(st);
	rmdb(path);
}

/* Schema 9: the shares by weight.  The report's top providers are the
 * first rows of that index (no scan of every provider's share), in order
 * of weight down and name up, ties too. */
static void test_shares_by_weight(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *st = open_new(&path);
	assert_int_equal(db_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'f_share_weight'"
				    " AND sql LIKE '%f_share(snap, weight)%'"), 1);
	assert_int_equal(store_exec(st, "INSERT INTO f_share VALUES (1, 'b', 5), (1, 'a', 5), (1, 'c', 9), (1, 'd', 1),"
					" (2, 'z', 99)", &err), 0);
	static const char top[] = "SELECT provider, weight FROM f_share WHERE snap = 1 ORDER BY weight DESC, provider"
				  " LIMIT 3";
	char *rows = db_rows(st, top);
	assert_string_equal(rows, "c|9.0\na|5.0\nb|5.0\n");
	free(rows);
	assert_plan_has(st, top, "f_share_weight");
	store_close(st);
	rmdb(path);
}

/* Schema 10: the indexes infer and import build again after a load lead
 * with the column that varies (host, ip), the snapshot second.  A file of
 * schema 9 (snapshot first) gets them so, its rows kept; a look-up of one
 * snapshot's host or address goes through them. */
static const char idx_sql[] = "SELECT group_concat(sql, '; ') FROM (SELECT sql FROM sqlite_master WHERE name IN"
			      " ('f_primary_mx_host', 'f_mx_ip_ip') ORDER BY name)";

static void test_index_leads_with_varying_column(void **state)
{
	(void)state;
	static const char want[] = "CREATE INDEX f_mx_ip_ip ON f_mx_ip(ip, snap); "
				   "CREATE INDEX f_primary_mx_host ON f_primary_mx(host, snap)";
	const char *path;
	store *st = open_new(&path);
	assert_string_equal(db_text(st, idx_sql), want);
	store_close(st);
	rmdb(path);
	/* a file of schema 6 (snapshot first) */
	path = fixture_copy("tests/fixtures/schema-v6.db");
	sqlite3 *old;
	assert_int_equal(sqlite3_open_v2(path, &old, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char *before = view_rows(old, "SELECT snap || ',' || host || ',' || domain FROM f_primary_mx ORDER BY 1");
	sqlite3_close(old);
	st = open_migrated(path);
	assert_string_equal(db_text(st, idx_sql), want);
	char *after = view_rows(store_db(st), "SELECT snap || ',' || host || ',' || domain FROM f_primary_mx ORDER BY 1");
	assert_string_equal(after, before);
	free(before);
	free(after);
	assert_plan_has(st, "SELECT domain FROM f_primary_mx WHERE snap = 1 AND host = 20",
			"f_primary_mx_host (host=? AND snap=?)");
	assert_plan_has(st, "SELECT host FROM f_mx_ip WHERE snap = 2 AND ip = 167772161", "f_mx_ip_ip (ip=? AND snap=?)");
	store_close(st);
	rmdb(path);
}

/* Schema 11 from a file that mxray of schema 10 made (the schema-6
 * fixture migrated by it and VACUUMed): the scan rows byte for byte and
 * of the same types through the scan view, every decision, label, answer
 * and export as before; the shared texts once each. */
static void test_migrate_v10(void **state)
{
	(void)state;
	const char *path = fixture_copy("tests/fixtures/schema-v10.db");
	sqlite3 *old;
	assert_int_equal(sqlite3_open_v2(path, &old, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	/* and replies of every shape: a TEXT one (written by other means than
	 * mxray's import) stays TEXT; newlines first, only, or last; a NUL and
	 * a byte 1 after the first line; an empty STARTTLS reply */
	assert_int_equal(sqlite3_exec(old,
				      "INSERT INTO f_scan(snap, ip, port25, banner, ehlo, starttls, format) SELECT min(id), 1,"
				      " 1, X'32', 'text head' || char(10) || 'text rest', X'', 'zgrab2' FROM snapshot;"
				      "INSERT INTO f_scan(snap, ip, port25, banner, ehlo, starttls, format) SELECT min(id), 2,"
				      " 1, NULL, X'0A0A', NULL, 'zgrab2' FROM snapshot;"
				      "INSERT INTO f_scan(snap, ip, port25, banner, ehlo, starttls, format) SELECT min(id), 3,"
				      " 1, NULL, X'0A', NULL, 'censys2' FROM snapshot;"
				      "INSERT INTO f_scan(snap, ip, port25, banner, ehlo, starttls, format) SELECT min(id), 4,"
				      " 1, NULL, X'3235300A0178007900', X'3232300A', 'censys2' FROM snapshot;"
				      "INSERT INTO f_scan(snap, ip, port25, banner, ehlo, starttls, format) SELECT min(id), 5,"
				      " 0, NULL, 'one line' || char(10), NULL, 'censys2' FROM snapshot;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	store *st = migrated_same_rows(path, old);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_scan"), 2242);
	assert_int_equal(exports_match(st, "tests/fixtures/schema-v6.exports.md5"), 10);
	assert_string_equal(db_text(st, "SELECT group_concat(typeof(ehlo), ' ') FROM (SELECT ehlo FROM scan"
					" WHERE ip_int <= 5 ORDER BY ip_int)"),
			    "text blob blob blob text");
	/* 2152 EHLO replies of more than one line (and three of those above),
	 * 20 different STARTTLS replies, 4 formats: each shared text once */
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_scan WHERE ehlo_rest IS NOT NULL"), 2155);
	assert_int_equal(db_int(st, "SELECT count(*) FROM f_scan WHERE ehlo_rest IS NOT NULL AND"
				    " CAST(substr(ehlo_head, -1) AS BLOB) <> X'0A'"), 0);
	assert_int_equal(db_int(st, "SELECT count(DISTINCT starttls_id) FROM f_scan"), 20);
	assert_int_equal(db_int(st, "SELECT count(DISTINCT format_id) FROM f_scan"), 4);
	assert_int_equal(db_int(st, "SELECT count(*) FROM scan_text"),
			 db_int(st, "SELECT count(*) FROM (SELECT ehlo_rest FROM f_scan UNION SELECT starttls_id FROM f_scan"
				    " UNION SELECT format_id FROM f_scan) WHERE ehlo_rest IS NOT NULL"));
	assert_int_equal(db_int(st, "SELECT count(*) FROM scan_text WHERE typeof(text) <> 'blob'"), 0);
	assert_string_equal(db_text(st, "PRAGMA integrity_check"), "ok");
	store_close(st);
	rmdb(path);
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *st = store_open(path, &err);
	assert_int_equal(store_exec(st, "PRAGMA user_version = 99", &err), 0);
	store_close(st);
	st = store_open(path, &err);
	assert_null(st);
	assert_non_null(strstr(err, "schema version 99 is newer than this mxray"));
	free(err);
	rmdb(path);
}

/* user_version -1 is no read failure: say which version it is (it used to
 * say "cannot read schema version: not an error"). */
static void test_negative_schema_refused(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *st = open_new(&path);
	assert_int_equal(store_exec(st, "PRAGMA user_version = -1", &err), 0);
	store_close(st);
	st = store_open(path, &err);
	assert_null(st);
	assert_non_null(err);
	assert_non_null(strstr(err, ": database has schema version -1, which this mxray does not know"));
	assert_null(strstr(err, "not an error"));
	free(err);
	rmdb(path);
}

static void test_savepoints(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-01-01", &err), 0);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-01-02", &err), 0);
	store_rollback(st); /* inner only */
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot"), 1);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_snapshot_add(st, "2021-01-03", &err), 0);
	store_rollback(st);
	assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot"), 1);
	assert_int_equal(store_exec(st, "SELECT nonsense FROM nowhere", &err), -1);
	assert_non_null(strstr(err, "no such table: nowhere"));
	free(err);
	store_close(st);
}

/* the outermost store_begin holds the write lock from the start (BEGIN
 * IMMEDIATE): another connection cannot write until it commits or rolls
 * back, and the commit of the outermost level commits */
static void test_begin_takes_the_write_lock(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path = tmpdb();
	store *a = store_open(path, &err), *b = store_open(path, &err);
	assert_non_null(a);
	assert_non_null(b);
	sqlite3_busy_timeout(store_db(b), 0); /* no waiting in a test */
	assert_int_equal(store_begin(a, &err), 0);
	assert_int_equal(sqlite3_exec(store_db(b), "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_BUSY);
	assert_int_equal(store_begin(a, &err), 0); /* nested: a savepoint */
	assert_int_equal(store_snapshot_add(a, "2021-01-01", &err), 0);
	assert_int_equal(store_commit(a, &err), 0);
	assert_int_equal(db_int(b, "SELECT count(*) FROM snapshot"), 0); /* not yet committed */
	assert_int_equal(store_commit(a, &err), 0);
	assert_int_equal(db_int(b, "SELECT count(*) FROM snapshot"), 1);
	assert_int_equal(store_begin(a, &err), 0);
	assert_int_equal(store_snapshot_add(a, "2021-01-02", &err), 0);
	store_rollback(a);
	assert_int_equal(sqlite3_exec(store_db(b), "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_int(b, "SELECT count(*) FROM snapshot"), 1);
	store_close(a);
	store_close(b);
}

static bool exists_nonempty(const char *path, const char *suffix)
{
	char *f = xasprintf("%s%s", path, suffix);
	struct stat sb;
	bool yes = stat(f, &sb) == 0 && sb.st_size > 0;
	free(f);
	return yes;
}

/* In a forked child: the account nobody when running as root, so that
 * the child may not write a file of mode 0444 (exit 3 when it cannot
 * become nobody). */
static void child_as_nobody(void)
{
	if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
		_exit(3);
}

/* The end of a child_as_nobody child: true when it ran (and exited 0),
 * false when it could not become nobody (said: `what` skipped). */
static bool nobody_ran(pid_t pid, const char *what)
{
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3) {
		print_message("  (%s: skipped, cannot run as nobody)\n", what);
		return false;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	return true;
}

/* A bulk writer takes the rollback journal when it has the file to
 * itself, and leaves it in WAL mode after; with another connection open
 * it stays in WAL; a writer that opens the file meanwhile puts WAL back,
 * and the bulk writer goes on in it. */
static void test_bulk_journal(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *a = open_new(&path);
	assert_true(store_bulk_begin(a));
	assert_false(store_bulk_begin(a)); /* once */
	assert_string_equal(db_text(a, "PRAGMA journal_mode"), "delete");
	assert_int_equal(store_begin(a, &err), 0);
	assert_int_equal(store_snapshot_add(a, "2021-01-01", &err), 0);
	assert_true(exists_nonempty(path, "-journal"));
	assert_int_equal(store_commit(a, &err), 0);
	assert_false(exists_nonempty(path, "-wal"));
	assert_false(exists_nonempty(path, "-journal"));
	assert_int_equal(store_bulk_end(a, &err), 0);
	assert_string_equal(db_text(a, "PRAGMA journal_mode"), "wal");
	assert_int_equal(store_bulk_end(a, &err), 0); /* nothing to do */

	/* someone else has it open: WAL stays */
	store *b = store_open_readonly(path, &err);
	assert_non_null(b);
	assert_int_equal(db_int(b, "SELECT count(*) FROM snapshot"), 1);
	assert_false(store_bulk_begin(a));
	assert_string_equal(db_text(a, "PRAGMA journal_mode"), "wal");
	store_close(b);

	/* a writer opening it meanwhile puts WAL back */
	assert_true(store_bulk_begin(a));
	b = store_open_existing(path, &err);
	assert_non_null(b);
	assert_string_equal(db_text(b, "PRAGMA journal_mode"), "wal");
	assert_int_equal(store_begin(a, &err), 0);
	assert_int_equal(store_snapshot_add(a, "2021-01-02", &err), 0);
	assert_int_equal(store_commit(a, &err), 0);
	assert_int_equal(db_int(b, "SELECT count(*) FROM snapshot"), 2);
	assert_int_equal(store_bulk_end(a, &err), 0);
	store_close(b);

	/* closed while bulk: WAL again */
	assert_true(store_bulk_begin(a));
	store_close(a);
	a = store_open_readonly(path, &err);
	assert_non_null(a);
	assert_string_equal(db_text(a, "PRAGMA journal_mode"), "wal");
	store_close(a);
	rmdb(path);
}

/* store_stop_on: with its flag set a long statement fails as interrupted
 * (and its savepoint rolls back); with the flag clear, or no flag, it runs
 * on.  store_build_index builds and puts the cache size back, and no
 * helper thread, on a failure too. */
static void test_stop_and_build_index(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *st = open_new(&path);
	static atomic_int flag;
	const char *fill = "INSERT INTO t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
			   " WHERE i < 100000) SELECT i FROM n";
	assert_int_equal(store_exec(st, "CREATE TABLE t(x INTEGER)", &err), 0);
	flag = 0;
	store_stop_on(st, &flag);
	assert_int_equal(store_exec(st, fill, &err), 0);
	flag = 1;
	assert_int_equal(store_begin(st, &err), 0); /* a few steps: not stopped */
	assert_int_equal(store_exec(st, fill, &err), -1);
	assert_string_equal(err, "database error: interrupted");
	free(err);
	err = NULL;
	store_rollback(st);
	flag = 0;
	assert_int_equal(db_int(st, "SELECT count(*) FROM t"), 100000);
	store_stop_on(st, NULL);
	flag = 1;
	assert_int_equal(store_exec(st, fill, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t"), 200000);

	assert_int_equal(store_build_index(st, "CREATE INDEX t_x ON t(x)", true, &err), 0);
	assert_int_equal(db_int(st, "PRAGMA cache_size"), -65536);
	assert_int_equal(db_int(st, "PRAGMA threads"), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t INDEXED BY t_x WHERE x > 99990"), 20);
	assert_int_equal(store_build_index(st, "CREATE INDEX t_y ON t(x)", false, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t INDEXED BY t_y WHERE x <= 10"), 20);
	assert_int_equal(store_build_index(st, "CREATE INDEX t_x ON t(x)", true, &err), -1);
	assert_string_equal(err, "database error: index t_x already exists");
	free(err);
	assert_int_equal(db_int(st, "PRAGMA cache_size"), -65536);
	assert_int_equal(db_int(st, "PRAGMA threads"), 0);
	store_close(st);
	rmdb(path);
}

/* A bulk writer killed in a transaction leaves a journal; a read-only
 * open undoes it and reads what was committed. */
static void test_bulk_killed(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *a = open_new(&path);
	assert_int_equal(store_snapshot_add(a, "2021-01-01", &err), 0);
	store_close(a);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store *c = store_open_existing(path, &err);
		if (!c || !store_bulk_begin(c) || store_exec(c, "PRAGMA cache_size=2", &err) < 0 ||
		    store_begin(c, &err) < 0)
			_exit(1);
		for (int i = 0; i < 500; i++) {
			char d[16];
			snprintf(d, sizeof d, "2022-%02d-%02d", 1 + i / 28 % 12, 1 + i % 28);
			char *sql = xasprintf("INSERT OR IGNORE INTO snapshot(date, created_at) VALUES('%s', '%0500d')", d, i);
			if (store_exec(c, sql, &err) < 0)
				_exit(1);
			free(sql);
		}
		raise(SIGKILL);
		_exit(1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_true(exists_nonempty(path, "-journal"));
	store *r = store_open_readonly(path, &err);
	if (!r)
		fail_msg("%s", err);
	assert_int_equal(db_int(r, "SELECT count(*) FROM snapshot"), 1);
	assert_string_equal(db_text(r, "PRAGMA integrity_check"), "ok");
	store_close(r);
	assert_false(exists_nonempty(path, "-journal"));
	rmdb(path);
}

/* A reader that may not write the file, while a bulk writer has it in
 * rollback-journal mode between two of its transactions (no -wal, no
 * -journal): not read as immutable (which would keep showing what it
 * read first, or half a transaction), but with the locks, so that it sees
 * what the writer commits next.  As root the child is the account
 * nobody. */
static void test_bulk_reader(void **state)
{
	(void)state;
	char *err = NULL;
	const char *path;
	store *w = open_new(&path);
	assert_true(store_bulk_begin(w));
	assert_int_equal(store_snapshot_add(w, "2021-01-01", &err), 0);
	assert_int_equal(chmod(path, 0444), 0);
	int up[2], down[2];
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		child_as_nobody();
		char *e = NULL, c = 0;
		store *r = store_open_readonly(path, &e);
		int before = r ? db_int(r, "SELECT count(*) FROM snapshot") : -1;
		if (write(up[1], "r", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(4);
		int after = r ? db_int(r, "SELECT count(*) FROM snapshot") : -1;
		store_close(r);
		_exit(before == 1 && after == 2 ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	char c = 0;
	bool ready = read(up[0], &c, 1) == 1;
	assert_int_equal(store_snapshot_add(w, "2021-01-02", &err), 0);
	assert_int_equal(write(down[1], "w", 1), 1);
	if (nobody_ran(pid, "a reader that may not write"))
		assert_true(ready);
	close(up[0]);
	close(down[1]);
	assert_int_equal(store_bulk_end(w, &err), 0);
	store_close(w);
	chmod(path, 0600);
	rmdb(path);
}

/* A second, read-only connection (store_open_sibling): none for a
 * database in memory; on a file, its reads are of the state its first
 * read finds, which the first connection's data_version tells apart; it
 * writes nothing; and it reads while the first holds the file in
 * rollback-journal mode for a bulk load, in a read transaction. */
static void test_sibling(void **state)
{
	(void)state;
	char *err = NULL;
	store *mem = store_open(":memory:", &err);
	assert_non_null(mem);
	assert_null(store_open_sibling(mem, &err));
	assert_null(err);
	store_close(mem);

	const char *path;
	store *w = open_new(&path);
	assert_int_equal(store_snapshot_add(w, "2021-01-01", &err), 0);
	assert_int_equal(store_read_begin(w, &err), 0);
	int64_t seen = store_data_version(w, &err);
	assert_int_equal(db_int(w, "SELECT count(*) FROM snapshot"), 1);
	store *other = store_open(path, &err);
	assert_non_null(other);
	assert_int_equal(store_snapshot_add(other, "2021-01-02", &err), 0);
	store *sib = store_open_sibling(w, &err);
	assert_non_null(sib);
	assert_true(store_readonly(sib));
	assert_int_equal(db_int(sib, "SELECT count(*) FROM snapshot"), 2);
	assert_int_equal(db_int(w, "SELECT count(*) FROM snapshot"), 1);
	assert_int_equal(store_exec(sib, "INSERT INTO snapshot(date, created_at) VALUES('2021-01-03', '')", &err), -1);
	assert_non_null(strstr(err, "readonly"));
	free(err);
	err = NULL;
	store_read_end(w);
	assert_true(store_data_version(w, &err) != seen);
	store_close(sib);
	store_close(other);

	assert_true(store_bulk_begin(w));
	assert_string_equal(db_text(w, "PRAGMA journal_mode"), "delete");
	assert_int_equal(store_read_begin(w, &err), 0);
	assert_int_equal(db_int(w, "SELECT count(*) FROM snapshot"), 2);
	sib = store_open_sibling(w, &err);
	assert_non_null(sib);
	assert_int_equal(db_int(sib, "SELECT count(*) FROM snapshot"), 2);
	store_close(sib);
	store_read_end(w);
	assert_int_equal(store_snapshot_add(w, "2021-01-03", &err), 0);
	assert_int_equal(store_bulk_end(w, &err), 0);
	store_close(w);
	rmdb(path);
}

/* one write in a transaction of its own, and the end of a read loop */
static void test_write_alone_and_read_done(void **state)
{
	(void)state;
	char *err = NULL;
	store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, "CREATE TEMP TABLE t(x INTEGER UNIQUE)", &err), 0);
	sqlite3_stmt *ins = store_prepare(st, "INSERT INTO t(x) VALUES(?1)", &err);
	assert_non_null(ins);
	int64_t id = 0;
	sqlite3_bind_int(ins, 1, 7);
	assert_int_equal(store_write_alone(st, ins, &id, &err), 1);
	assert_int_equal(id, 1);
	sqlite3_bind_int(ins, 1, 8);
	assert_int_equal(store_write_alone(st, ins, &id, &err), 1);
	assert_int_equal(id, 2);
	/* a failing write leaves nothing behind, inside an open transaction too */
	assert_int_equal(store_begin(st, &err), 0);
	sqlite3_bind_int(ins, 1, 9);
	assert_int_equal(store_write_alone(st, ins, NULL, &err), 1);
	sqlite3_bind_int(ins, 1, 7);
	assert_int_equal(store_write_alone(st, ins, &id, &err), -1);
	assert_non_null(strstr(err, "UNIQUE constraint failed: t.x"));
	free(err);
	err = NULL;
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM t"), 3);
	assert_int_equal(db_int(st, "SELECT sum(x) FROM t"), 24);
	/* an update that touches no row reports 0 */
	sqlite3_stmt *up = store_prepare(st, "UPDATE t SET x = x + 1 WHERE x = ?1", &err);
	sqlite3_bind_int(up, 1, 100);
	assert_int_equal(store_write_alone(st, up, NULL, &err), 0);

	sqlite3_stmt *sel = store_prepare(st, "SELECT x FROM t ORDER BY x", &err);
	int rc, n = 0;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW)
		n++;
	assert_int_equal(n, 3);
	assert_int_equal(store_read_done(st, sel, rc, &err), 0);
	assert_null(err);
	/* the error that stopped a loop half-way reaches the caller */
	sqlite3_stmt *bad = store_prepare(st, "SELECT CASE WHEN x < 9 THEN x ELSE abs(-9223372036854775807 - 1) END"
					      " FROM t ORDER BY x", &err);
	n = 0;
	while ((rc = sqlite3_step(bad)) == SQLITE_ROW)
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(store_read_done(st, bad, rc, &err), -1);
	assert_string_equal(err, "database error: integer overflow");
	free(err);
	store_close(st);
}

/* A read transaction: begun when none is open and no statement is under
 * way (then the caller's state is read), the state of its first
 * statement until it ends, on a writable and a read-only connection. */
static void test_read_transaction(void **state)
{
	(void)state;
	const char *path = tmpdb();
	char *err = NULL;
	store *w = store_open(path, &err);
	assert_int_equal(store_snapshot_add(w, "2021-06-08", &err), 0);
	store *r = store_open_readonly(path, &err);
	assert_non_null(r);
	store *rw = store_open(path, &err);
	store *readers[] = {r, rw};
	static const char *const dates[] = {"2021-09-08", "2021-12-08"};
	for (int i = 0; i < 2; i++) {
		store *st = readers[i];
		int64_t n = db_int(st, "SELECT count(*) FROM snapshot");
		bool own = false;
		assert_int_equal(store_read_enter(st, &own, &err), 0);
		assert_true(own);
		assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot"), n);
		assert_int_equal(store_snapshot_add(w, dates[i], &err), 0);
		assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot"), n); /* the first state */
		bool inner = true; /* nested: the outer one stays */
		assert_int_equal(store_read_enter(st, &inner, &err), 0);
		assert_false(inner);
		store_read_leave(st, inner);
		assert_int_equal(sqlite3_get_autocommit(store_db(st)), 0);
		store_read_leave(st, own);
		assert_int_equal(sqlite3_get_autocommit(store_db(st)), 1);
		assert_int_equal(db_int(st, "SELECT count(*) FROM snapshot"), n + 1);
		/* a statement under way: its read is the caller's, left alone */
		sqlite3_stmt *s = store_prepare(st, "SELECT date FROM snapshot ORDER BY date", &err);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(store_read_enter(st, &own, &err), 0);
		assert_false(own);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		sqlite3_reset(s);
		/* inside the caller's transaction (a savepoint, read-only) */
		assert_int_equal(store_begin(st, &err), 0);
		assert_int_equal(store_read_enter(st, &own, &err), 0);
		assert_false(own);
		assert_int_equal(store_commit(st, &err), 0);
	}
	store_close(rw);
	store_close(r);
	store_close(w);
	/* a file opened immutable (nobody may write it or beside it): a
	 * child that may not write it, as root the account nobody */
	assert_int_equal(chmod(path, 0444), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_as_nobody();
		char *e = NULL;
		char wal[80];
		snprintf(wal, sizeof wal, "%s-wal", path);
		store *im = store_open_readonly(path, &e);
		bool own = false;
		int ok = im && store_read_enter(im, &own, &e) == 0 && own;
		if (ok) {
			sqlite3_stmt *s = store_prepare(im, "SELECT count(*) FROM snapshot", &e);
			ok = s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 3;
			store_read_leave(im, own);
			ok = ok && sqlite3_get_autocommit(store_db(im));
		}
		ok = ok && access(wal, F_OK) != 0; /* immutable: no side file made */
		store_close(im);
		_exit(ok ? 0 : 1);
	}
	nobody_ran(pid, "immutable file");
	chmod(path, 0600);
	rmdb(path);
}

/* stats of a file whose counts were never stored (an older schema's),
 * read-only: the counts are made now from six tables and read with the
 * rest, of one state of the database wherever an import comes in
 * (readmix.h). */
static char *read_stats(store *st, void *arg)
{
	(void)arg;
	readmix_out o;
	FILE *f = readmix_out_open(&o);
	char *err = NULL;
	stats_row *rows = NULL;
	int n = stats_collect(st, NULL, &rows, &err);
	if (n >= 0)
		stats_print(f, rows, n, STATS_CSV);
	free(rows);
	return readmix_out_close(&o, n, err);
}

/* another address of a primary MX host (not scanned), and a scan of an
 * address that had none */
static void add_address(store *w, void *arg)
{
	(void)arg;
	char *err = NULL;
	static const char *dns, *scan;
	if (!dns) {
		dns = tmpfile_str("{\"query_name\":\"mx1.kumo-hosting.jp.\",\"response_type\":\"A\",\"response_name\":"
				  "\"mx1.kumo-hosting.jp.\",\"ip4_address\":\"153.122.0.77\"}\n");
		scan = tmpfile_str("{\"ip\":\"73.27.243.136\",\"p25\":{\"smtp\":{\"starttls\":{\"banner\":"
				   "\"220 mx1.kumo-hosting.jp ESMTP\"}}}}\n");
	}
	FILE *devnull = fopen("/dev/null", "w");
	import_input in[] = {{IMPORT_DNS, dns, NULL}, {IMPORT_SCANS, scan, NULL}};
	import_opts io = {"2021-06-08", false, false, 10, devnull};
	if (import_run(w, &io, in, 2, &err) < 0)
		fail_msg("import: %s", err);
	fclose(devnull);
}

static void test_stats_one_state(void **state)
{
	(void)state;
	store *st;
	kb *k;
	const char *path;
	sample_data_open(&st, &k, &path, true);
	char *err = NULL;
	assert_int_equal(store_exec(st, "DELETE FROM f_stats", &err), 0);
	assert_true(readmix_check(st, true, read_stats, NULL, add_address, NULL) > 6);
	db_fixture_close(st, k, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_migrate_v3),
		cmocka_unit_test(test_migrate_v5),
		cmocka_unit_test(test_migrate_v6),
		cmocka_unit_test(test_data_version),
		cmocka_unit_test(test_bulk_rows_order),
		cmocka_unit_test(test_shares_by_weight),
		cmocka_unit_test(test_index_leads_with_varying_column),
		cmocka_unit_test(test_migrate_v10),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_negative_schema_refused),
		cmocka_unit_test(test_savepoints),
		cmocka_unit_test(test_begin_takes_the_write_lock),
		cmocka_unit_test(test_bulk_journal),
		cmocka_unit_test(test_stop_and_build_index),
		cmocka_unit_test(test_bulk_killed),
		cmocka_unit_test(test_bulk_reader),
		cmocka_unit_test(test_sibling),
		cmocka_unit_test(test_write_alone_and_read_done),
		cmocka_unit_test(test_read_transaction),
		cmocka_unit_test(test_stats_one_state),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
