/* libFuzzer target: one line of a `sample --from-file` domain list
 * (sample_parse_line).  An accepted line gives a normalised name, which
 * parses again as itself.  `make fuzz` seeds it with target-list and
 * truth-file lines; a crash, hang, leak, sanitizer report or an abort
 * below is a bug. */
#include "mxray/sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	for (int first = 0; first < 2; first++) {
		/* an exact-size copy plus the NUL that a line from the reader has */
		char *line = malloc(size + 1);
		memcpy(line, data, size);
		line[size] = '\0';
		char name[MX_NAME_MAX + 2];
		const char *why = NULL;
		int r = sample_parse_line(line, size, first, name, &why);
		if (r < 0 && !why)
			abort();
		if (r > 0) {
			size_t n = strlen(name);
			if (n == 0 || n > MX_NAME_MAX)
				abort();
			char again[MX_NAME_MAX + 2], copy[MX_NAME_MAX + 2];
			memcpy(copy, name, n + 1);
			if (sample_parse_line(copy, n, false, again, &why) != 1 || strcmp(again, name)) {
				fprintf(stderr, "fuzz_sample_list: '%s' does not parse as itself\n", name);
				abort();
			}
		}
		free(line);
	}
	return 0;
}
