/* libFuzzer target over the as2org reader: arbitrary bytes as the lines of
 * an as2org file, either form (the '|' text sections or CAIDA's JSON
 * Lines, and a file mixing them), read line after line with the section
 * state carried over as the importer does.  Every record handed out must
 * have its strings, NUL-terminated, inside its line; a bad line must say
 * why.  `make fuzz` seeds it with the JSON Lines fixture and pieces of the
 * sample as2org file; a crash, hang, leak, sanitizer report or an abort
 * below is a bug. */
#include "mxray/asorg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *s, const char *line, size_t cap)
{
	if (!s)
		abort();
	if (*s && (s < line || s >= line + cap || s + strlen(s) >= line + cap))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	enum asorg_section sec = ASORG_SECTION_NONE;
	size_t i = 0;
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
		if (!memchr(data + i, '\0', len)) { /* the importer refuses NUL bytes first */
			char *line = malloc(len + 1);
			memcpy(line, data + i, len);
			line[len] = '\0';
			asorg_rec r;
			const char *why = NULL;
			switch (asorg_parse_line(&sec, line, &r, &why)) {
			case ASORG_ORG:
			case ASORG_AUT:
				inside(r.org_id, line, len + 1);
				inside(r.changed, line, len + 1);
				inside(r.name, line, len + 1);
				inside(r.source, line, len + 1);
				if (r.country)
					inside(r.country, line, len + 1);
				break;
			case ASORG_BAD:
				if (!why || !*why)
					abort();
				break;
			case ASORG_BLANK:
				break;
			}
			free(line);
		}
		i += len + 1;
	}
	return 0;
}
