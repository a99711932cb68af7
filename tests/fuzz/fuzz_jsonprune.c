/* libFuzzer target: the scan-record pruner against jansson and the scan
 * readers.  Whenever jsonprune_scan() accepts an input, jansson must
 * accept the pruned text exactly when it accepts the input, and
 * scan_from_json() must read the same record (every field, or the same
 * error) from both; any difference aborts. */
#include "mxray/jsonl.h"
#include "mxray/jsonprune.h"
#include "mxray/scan.h"
#include "mxray/util.h"
#include "scan_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mismatch(const char *what, const uint8_t *data, size_t size)
{
	fprintf(stderr, "fuzz_jsonprune: %s on %zu-byte input: %.*s\n", what, size, (int)size, (const char *)data);
	abort();
}

/* Everything scan_from_json read, as one text. */
static void describe(json_t *o, bool raw, strbuf *out)
{
	scan_rec r;
	scan_rec_init(&r);
	char err[512];
	const char *why = scan_from_json(o, raw, &r, err, sizeof err);
	scan_describe(&r, why, out);
	scan_rec_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	strbuf pruned, a, b;
	sb_init(&pruned);
	if (!jsonprune_scan(line, size, &pruned)) {
		sb_free(&pruned);
		return 0;
	}
	json_error_t je;
	json_t *full = json_loadb(line, size, JSON_ALLOW_NUL, &je);
	json_t *part = json_loadb(pruned.data, pruned.len, JSON_ALLOW_NUL, &je);
	if (!full != !part)
		mismatch(full ? "jansson rejects the pruned text of a valid input"
			      : "jansson accepts the pruned text of an invalid input", data, size);
	if (full && json_is_object(full)) {
		if (!json_is_object(part))
			mismatch("the pruned text is not an object", data, size);
		sb_init(&a);
		sb_init(&b);
		describe(full, false, &a);
		describe(part, false, &b);
		if (a.len != b.len || memcmp(a.data, b.data, a.len)) {
			fprintf(stderr, "full:   %.*s\npruned: %.*s\n", (int)a.len, a.data, (int)b.len, b.data);
			mismatch("the scan readers read something else from the pruned text", data, size);
		}
		sb_free(&a);
		sb_free(&b);
	}
	json_decref(full);
	json_decref(part);
	sb_free(&pruned);
	return 0;
}
