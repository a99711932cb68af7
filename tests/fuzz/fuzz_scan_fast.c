/* libFuzzer target: the tree-less reader of Censys legacy records against
 * the general way (jsonl_parse and scan_from_json).  Whenever
 * scan_legacy_fast() accepts an input, the general way must accept it too,
 * with no error, and read the same record, every field; any difference
 * aborts. */
#include "mxray/jsonl.h"
#include "mxray/scan.h"
#include "mxray/util.h"
#include "scan_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static scan_rec fast_rec, slow_rec;
static bool ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) { /* records are reused from input to input, as import does */
		scan_rec_init(&fast_rec);
		scan_rec_init(&slow_rec);
		ready = true;
	}
	const char *line = (const char *)data;
	if (!scan_legacy_fast(line, size, &fast_rec))
		return 0;
	strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	scan_describe(&fast_rec, NULL, &a);
	bool raw;
	char err[512];
	json_t *o = jsonl_parse(line, size, &raw, err, sizeof err);
	if (!o) {
		fprintf(stderr, "fuzz_scan_fast: accepted what jsonl_parse rejects (%s): %.*s\n", err, (int)size, line);
		abort();
	}
	const char *why = scan_from_json(o, raw, &slow_rec, err, sizeof err);
	scan_describe(&slow_rec, why, &b);
	json_decref(o);
	if (a.len != b.len || memcmp(a.data, b.data, a.len)) {
		fprintf(stderr, "fast:    %.*s\ngeneral: %.*s\ninput:   %.*s\n", (int)a.len, a.data, (int)b.len, b.data,
			(int)size, line);
		abort();
	}
	sb_free(&a);
	sb_free(&b);
	return 0;
}
