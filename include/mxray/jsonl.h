/* jsonl: one JSON object per line through jansson, tolerant of raw
 * non-UTF-8 bytes inside strings (SMTP text is raw bytes in the wild), and
 * path lookup that accepts both nested and flattened dotted keys. */
#ifndef MXRAY_JSONL_H
#define MXRAY_JSONL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "mxray/util.h"

/* Most values (objects, arrays, strings, numbers, literals; keys not
 * counted) on one line: far above any real record (a certificate with 2000
 * names listed twice is some 4000), far below what would take gigabytes. */
#define JSONL_VALUES_MAX 200000

/* Parse one line.  Invalid UTF-8 bytes are kept: each is carried through
 * jansson as a private-use code point (U+10FF00 + byte) and restored by
 * jsonl_string().  *raw is set when that happened.  "\u0000" is accepted
 * (SMTP text keeps it; callers reject it in names).  Returns NULL and writes
 * a reason (input quoted escaped) on malformed JSON or a non-object, or on
 * a line of more than JSONL_VALUES_MAX values (counted before parsing:
 * "JSON line has more than 200000 values (N)"). */
json_t *jsonl_parse(const char *line, size_t len, bool *raw, char *err, size_t errlen);

/* The number of values jsonl_parse counts against JSONL_VALUES_MAX. */
size_t jsonl_count_values(const char *line, size_t len);

/* The same, parsing `alt` instead when it is given (a shorter text that
 * the caller knows to be equivalent for what it reads, e.g. from
 * jsonprune), and the line itself when alt does not parse: limits, raw
 * bytes and error messages are always those of the line. */
json_t *jsonl_parse_alt(const char *line, size_t len, const char *alt, size_t altlen, bool *raw, char *err,
			size_t errlen);

/* Between jsonl_arena_begin() and jsonl_arena_end(), jansson allocates
 * on this thread from an arena that is released whole at the end, and
 * frees nothing one by one (malloc and free are much of the cost of a scan
 * record).  Every value made in between must be released (json_decref)
 * before the end, on this thread; other threads are not affected. */
void jsonl_arena_begin(void);
void jsonl_arena_end(void);
/* Give back the memory the arena keeps between records (before a thread
 * that used it ends). */
void jsonl_arena_release(void);

/* Look up a dot-separated path.  At each level the longest key that
 * matches a prefix of the remaining path wins, so {"a":{"b":1}},
 * {"a.b":1} and {"a":{"b.c":..}} are all found. */
json_t *jsonl_path(json_t *root, const char *path);

/* The bytes of a JSON string value into out (cleared first), restoring
 * raw bytes when `raw`.  Returns false when v is not a string. */
bool jsonl_string(json_t *v, bool raw, strbuf *out);

/* A JSON number or decimal string as an unsigned integer. */
bool jsonl_uint(json_t *v, unsigned long long *out);

/* A JSON bool, or the strings "true"/"false". */
bool jsonl_bool(json_t *v, bool *out);

#endif
