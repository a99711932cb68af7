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
#include "fuzz_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	fuzz_store_init("import");
	const char *path = fuzz_path;
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	const import_input all[] = {
		{IMPORT_TARGETS, path, "fuzz"}, {IMPORT_DNS, path, NULL},    {IMPORT_SCANS, path, NULL},
		{IMPORT_PFX2AS, path, NULL},    {IMPORT_ASORG, path, NULL},
	};
	fuzz_import(all, sizeof all / sizeof all[0], false);
	fuzz_import(all, sizeof all / sizeof all[0], true);
	unlink(path);
	return 0;
}
