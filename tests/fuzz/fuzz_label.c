/* libFuzzer target: one line of a `label --import` truth file
 * (label_parse_line) and its truth field made canonical against the real
 * default knowledge base (label_canonical), and the whole input as a
 * truth field too.  A canonical truth is a fixed point: made canonical
 * again it is the same string.  `make fuzz` seeds it with the lines of
 * sample-data/truth.csv; a crash, hang, leak, sanitizer report or an
 * abort below is a bug. */
#include "mxray/kb.h"
#include "mxray/sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kb *k;

static void canonical(const char *truth)
{
	char *err = NULL;
	char *c = label_canonical(k, truth, &err);
	if (!c) {
		if (!err)
			abort();
		free(err);
		return;
	}
	/* canonical text has no separators around its tokens and is stable */
	char *again = label_canonical(k, c, &err);
	if (!again || strcmp(again, c)) {
		fprintf(stderr, "fuzz_label: '%s' -> '%s' -> '%s'\n", truth, c, again ? again : err);
		abort();
	}
	free(again);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	if (!k) {
		char *err = NULL;
		if (!(k = kb_load_default(&err)))
			abort();
	}
	/* an exact-size copy (plus the NUL a line from the reader has) */
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	csv_record rec;
	csv_record_init(&rec);
	for (int first = 0; first < 2; first++) {
		char *copy = malloc(size + 1);
		memcpy(copy, line, size + 1);
		char name[MX_NAME_MAX + 2];
		const char *truth = NULL, *why = NULL;
		int r = label_parse_line(copy, size, first, &rec, name, &truth, &why);
		if (r < 0 && !why)
			abort();
		if (r > 0) {
			if (!truth || strlen(name) > MX_NAME_MAX)
				abort();
			canonical(truth);
		}
		free(copy);
	}
	csv_record_free(&rec);
	if (!memchr(line, '\0', size))
		canonical(line);
	free(line);
	return 0;
}
