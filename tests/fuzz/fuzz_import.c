/* libFuzzer target: the whole import on a fuzzed file.  The input is
 * written to a temporary file and imported, into an empty in-memory store,
 * as a target list, DNS rows, scans, pfx2as and as2org all at once (the
 * line reader, the multi-line CSV and JSON document joining, every parser,
 * the writes and the derive step), then once more with --strict.  Import
 * may refuse the file, but always with a message; the store stays sound.
 * `make fuzz` seeds it with pieces of every sample file and the test
 * documents; a crash, hang, leak, sanitizer report or an abort below is a
 * bug. */
#include "mxray/import.h"
#include "mxray/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static FILE *devnull;
static store *st;

static void cleanup(void)
{
	if (path[0])
		unlink(path);
	store_close(st);
}

/* One import into the store, inside a savepoint of ours that is rolled
 * back after it: every input starts from the same empty store (opening a
 * fresh one, schema and all, costs more than the import). */
static void run(const import_input *in, size_t n, bool strict)
{
	char *err = NULL;
	if (store_begin(st, &err) < 0) {
		fprintf(stderr, "fuzz_import: %s\n", err);
		abort();
	}
	import_opts o = {"2021-06-08", strict, false, 10, devnull};
	if (import_run(st, &o, in, n, &err) < 0) {
		if (!err)
			abort();
		free(err);
	}
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok"))
		abort();
	sqlite3_finalize(s);
	store_rollback(st);
	/* the import's own savepoints are all closed again */
	if (!sqlite3_get_autocommit(db)) {
		fprintf(stderr, "fuzz_import: a transaction is left open after import_run\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	if (!st) {
		char *err = NULL;
		if (!(st = store_open(":memory:", &err))) {
			fprintf(stderr, "fuzz_import: %s\n", err);
			abort();
		}
		devnull = fopen("/dev/null", "w");
		snprintf(path, sizeof path, "/tmp/mxray-fuzz-import-%ld", (long)getpid());
		atexit(cleanup);
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	const import_input all[] = {
		{IMPORT_TARGETS, path, "fuzz"}, {IMPORT_DNS, path, NULL},    {IMPORT_SCANS, path, NULL},
		{IMPORT_PFX2AS, path, NULL},    {IMPORT_ASORG, path, NULL},
	};
	run(all, sizeof all / sizeof all[0], false);
	run(all, sizeof all / sizeof all[0], true);
	unlink(path);
	return 0;
}
