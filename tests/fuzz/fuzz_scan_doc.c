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
	fuzz_store_init("scandoc");
	const char *path = fuzz_path;
	/* the first byte picks how the document starts: as it is (the seeds
	 * start with "[" or "{"), an array line, or an object line */
	static const char *const starts[] = {"", "[\n", "{\n"};
	const char *start = size ? starts[data[0] % 3] : "";
	FILE *f = fopen(path, "wb");
	if (!f || fputs(start, f) < 0 || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	const import_input in = {IMPORT_SCANS, path, NULL};
	fuzz_import(&in, 1, false);
	fuzz_import(&in, 1, true);
	unlink(path);
	return 0;
}
