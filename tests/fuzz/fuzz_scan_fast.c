/* libFuzzer target: the tree-less readers of scan records (scan_fast, for
 * Censys legacy (nested or flattened), ZGrab2 and Censys 2.0 records, and
 * scan_legacy_fast)
 * against the general way (jsonl_parse and scan_from_json).  Whenever a
 * reader accepts an input, the general way must accept it too, with no
 * error, and read the same record, every field; scan_fast must have counted
 * the values jsonl_parse counts (jsonl_count_values), so that it refuses
 * exactly the lines of too many values; and whatever scan_legacy_fast reads,
 * scan_fast reads too.  Any difference aborts. */
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

static void report(const char *what, const strbuf *a, const strbuf *b, const char *line, size_t size)
{
	fprintf(stderr, "%s\nfast:    %.*s\ngeneral: %.*s\ninput:   %.*s\n", what, (int)a->len, a->data, (int)b->len,
		b->data, (int)size, line);
	abort();
}

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
	int legacy = scan_fast_agrees(line, size, &fast_rec, &slow_rec, &a, &b);
	if (legacy < 0)
		report("scan_legacy_fast differs", &a, &b, line, size);
	int any = scan_reader_agrees(scan_fast, line, size, &fast_rec, &slow_rec, &a, &b);
	if (any < 0)
		report("scan_fast differs", &a, &b, line, size);
	if (legacy > 0 && any == 0)
		report("scan_fast declines what scan_legacy_fast reads", &a, &b, line, size);
	size_t n = 0;
	if (scan_fast_count(line, size, &fast_rec, &n) && n != jsonl_count_values(line, size)) {
		fprintf(stderr, "scan_fast counted %zu values, jsonl_count_values %zu\ninput: %.*s\n", n,
			jsonl_count_values(line, size), (int)size, line);
		abort();
	}
	sb_free(&a);
	sb_free(&b);
	return 0;
}
