/* For fuzz targets that import a file: one empty in-memory store for the
 * whole run, a file path for the input, and one import that leaves the
 * store as it found it. */
#ifndef MXRAY_FUZZ_STORE_H
#define MXRAY_FUZZ_STORE_H

#include "mxray/import.h"
#include "mxray/store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_path[64];
static FILE *fuzz_devnull;
static store *fuzz_st;

static void fuzz_store_cleanup(void)
{
	if (fuzz_path[0])
		unlink(fuzz_path);
	store_close(fuzz_st);
}

/* Open the store and name the input file (once; `tag` names the target). */
static inline void fuzz_store_init(const char *tag)
{
	if (fuzz_st)
		return;
	char *err = NULL;
	if (!(fuzz_st = store_open(":memory:", &err))) {
		fprintf(stderr, "fuzz_%s: %s\n", tag, err);
		abort();
	}
	fuzz_devnull = fopen("/dev/null", "w");
	snprintf(fuzz_path, sizeof fuzz_path, "/tmp/mxray-fuzz-%s-%ld", tag, (long)getpid());
	atexit(fuzz_store_cleanup);
}

/* One import into the store, inside a savepoint of ours that is rolled
 * back after it: every input starts from the same empty store (opening a
 * fresh one, schema and all, costs more than the import).  A refusal must
 * come with a message, the store must stay sound, and the import's own
 * savepoints must all be closed again. */
static inline void fuzz_import(const import_input *in, size_t n, bool strict)
{
	char *err = NULL;
	if (store_begin(fuzz_st, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	import_opts o = {"2021-06-08", strict, false, 10, fuzz_devnull};
	if (import_run(fuzz_st, &o, in, n, &err) < 0) {
		if (!err)
			abort();
		free(err);
	}
	sqlite3 *db = store_db(fuzz_st);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok"))
		abort();
	sqlite3_finalize(s);
	store_rollback(fuzz_st);
	if (!sqlite3_get_autocommit(db)) {
		fprintf(stderr, "fuzz: a transaction is left open after import_run\n");
		abort();
	}
}

#endif
