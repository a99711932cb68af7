/* libFuzzer target over the scans document reader (the censys tool's
 * indented JSON and JSON arrays of hosts): arbitrary bytes as a scans file
 * that starts as a JSON document ("[" or "{" alone on the first line, as
 * chosen by the first byte), imported alone into an empty in-memory
 * store, then again with --strict.  This reaches the record cutter
 * (strings, escapes, nesting, arrays, records cut off, the 16 MiB limit)
 * and every scan form, through the importer's own entry point, faster
 * than the whole-import target.  Import may refuse the file, but always
 * with a message; the store stays sound.  `make fuzz` seeds it with the
 * Censys documents under tests/data; a crash, hang, leak, sanitizer
 * report or an abort below is a bug. */
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

static void run(bool strict)
{
	char *err = NULL;
	if (store_begin(st, &err) < 0)
		abort();
	import_opts o = {"2021-06-08", strict, false, 10, devnull};
	import_input in = {IMPORT_SCANS, path, NULL};
	if (import_run(st, &o, &in, 1, &err) < 0) {
		if (!err)
			abort();
		free(err);
	}
	store_rollback(st);
	if (!sqlite3_get_autocommit(store_db(st)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	if (!st) {
		char *err = NULL;
		if (!(st = store_open(":memory:", &err)))
			abort();
		devnull = fopen("/dev/null", "w");
		snprintf(path, sizeof path, "/tmp/mxray-fuzz-scandoc-%ld", (long)getpid());
		atexit(cleanup);
	}
	/* the first byte picks how the document starts: as it is (the seeds
	 * start with "[" or "{"), an array line, or an object line */
	static const char *const starts[] = {"", "[\n", "{\n"};
	const char *start = size ? starts[data[0] % 3] : "";
	FILE *f = fopen(path, "wb");
	if (!f || fputs(start, f) < 0 || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	run(false);
	run(true);
	unlink(path);
	return 0;
}
