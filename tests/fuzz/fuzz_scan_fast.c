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
	strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	if (scan_fast_agrees(line, size, &fast_rec, &slow_rec, &a, &b) < 0) {
		fprintf(stderr, "fast:    %.*s\ngeneral: %.*s\ninput:   %.*s\n", (int)a.len, a.data, (int)b.len, b.data,
			(int)size, line);
		abort();
	}
	sb_free(&a);
	sb_free(&b);
	return 0;
}
