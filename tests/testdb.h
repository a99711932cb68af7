/* Helpers shared by the cmocka tests that work on a real SQLite store:
 * one-number and all-rows queries, a fresh database with a log for
 * import's messages, the sample-data fixture (imported and inferred
 * exactly as `make sample-data` leaves it) and its teardown. */
#ifndef MXRAY_TESTDB_H
#define MXRAY_TESTDB_H

#include "testutil.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <sqlite3.h>
#include <stdbool.h>

/* The single integer the query returns; fails the test otherwise. */
static inline int64_t db_int(store *st, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The text of the single value the query returns (valid until the next
 * call); fails the test otherwise. */
static inline const char *db_text(store *st, const char *sql)
{
	static char buf[4096];
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(s, 0);
	snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "");
	sqlite3_finalize(s);
	return buf;
}

/* Every row the query returns as text, "a|b|c\n" each (NULL as "NULL");
 * free it. */
static inline char *db_rows(store *st, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	strbuf sb;
	sb_init(&sb);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			const char *t = (const char *)sqlite3_column_text(s, c);
			sb_adds(&sb, c ? "|" : "");
			sb_adds(&sb, t ? t : "NULL");
		}
		sb_addc(&sb, '\n');
	}
	sqlite3_finalize(s);
	return sb_steal(&sb);
}

/* A fresh database and a log stream for import's messages. */
typedef struct {
	const char *path;
	store *st;
	char *log;
	size_t loglen;
	FILE *logf;
} db_logfx;

static inline db_logfx *db_logfx_open(void)
{
	db_logfx *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(tmpdb());
	char *err = NULL;
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
	f->logf = open_memstream(&f->log, &f->loglen);
	return f;
}

static inline void db_logfx_close(db_logfx *f)
{
	store_close(f->st);
	fclose(f->logf);
	free(f->log);
	rmdb(f->path);
	free((char *)f->path);
	free(f);
}

/* What was logged so far. */
static inline const char *db_logfx_log(db_logfx *f)
{
	fflush(f->logf);
	return f->log ? f->log : "";
}

/* Forget what was logged. */
static inline void db_logfx_clear(db_logfx *f)
{
	fclose(f->logf);
	free(f->log);
	f->log = NULL;
	f->logf = open_memstream(&f->log, &f->loglen);
}

/* As cmocka setup and teardown: *state is the db_logfx. */
static inline int db_logfx_setup(void **state)
{
	*state = db_logfx_open();
	return 0;
}

static inline int db_logfx_teardown(void **state)
{
	db_logfx_close(*state);
	return 0;
}

/* A fresh database (*st at *dbpath, the default knowledge base in *k)
 * holding sample-data's 2021-06-08 snapshot (with the "gov" target list
 * when asked), every approach run with the heuristics applied.  Close it
 * with db_fixture_close. */
static inline void sample_data_open(store **stp, kb **kp, const char **dbpath, bool gov_targets)
{
	char *err = NULL;
	*dbpath = xstrdup(tmpdb());
	store *st = *stp = store_open(*dbpath, &err);
	if (!st)
		fail_msg("store: %s", err);
	const kb *k = *kp = kb_load_default(&err);
	if (!k)
		fail_msg("kb: %s", err);
	FILE *devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	import_input in[] = {
		{IMPORT_TARGETS, "sample-data/targets-gov.txt", "gov"},
		{IMPORT_DNS, "sample-data/dns.jsonl", NULL},
		{IMPORT_SCANS, "sample-data/scans-censys.jsonl", NULL},
		{IMPORT_SCANS, "sample-data/scans-zgrab2.jsonl", NULL},
		{IMPORT_SCANS, "sample-data/scans-censys2.jsonl", NULL},
		{IMPORT_PFX2AS, "sample-data/pfx2as.txt", NULL},
		{IMPORT_ASORG, "sample-data/as2org.txt", NULL},
	};
	size_t skip = gov_targets ? 0 : 1;
	import_opts io = {"2021-06-08", false, false, 10, devnull};
	if (import_run(st, &io, in + skip, sizeof in / sizeof in[0] - skip, &err) < 0)
		fail_msg("import: %s", err);
	fclose(devnull);
	infer_opts o = {"2021-06-08", INFER_ALL, 5, INFER_HEUR_APPLY, k, false, NULL, NULL};
	infer_summary sum;
	if (infer_run(st, &o, &sum, &err) < 0)
		fail_msg("infer: %s", err);
}

/* Close a fixture's store and knowledge base and remove its database. */
static inline void db_fixture_close(store *st, kb *k, const char *dbpath)
{
	store_close(st);
	kb_free(k);
	rmdb(dbpath);
	free((char *)dbpath);
}

#endif
