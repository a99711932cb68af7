/* jsonfast: a fast field extractor for flat JSON Lines records (OpenINTEL
 * DNS rows), to be tried before the jansson path (jsonl_parse followed by
 * dns_json_values).
 *
 * Contract: jsonfast_flat() either ACCEPTS a line and gives exactly the
 * values the jansson path would give for the same keys, or DECLINES it, and
 * then the caller parses the line with jansson, which also reports any
 * error.  It accepts only the simple common case:
 *
 *   - one JSON object, optionally surrounded by JSON whitespace (space, tab,
 *     CR, LF); nothing else before or after it;
 *   - keys and string values made of bytes 0x20..0x7E only, with no
 *     backslash: no escapes, no control bytes, no DEL, no byte >= 0x80;
 *   - values that are such strings, `null`, or integers: an optional '-'
 *     then digits, no leading zero except a lone 0, no fraction, no
 *     exponent, within the range of a signed 64-bit long long.
 *
 * Anything else (true, false, arrays, objects, reals, exponents, leading
 * zeros, out-of-range integers, escapes, non-ASCII bytes, trailing bytes,
 * truncated input, a value that is not an object) makes it decline, even
 * when the offending value belongs to a key that is not asked for.
 *
 * On acceptance, for each i in 0..nkeys-1, vals[i] is NULL when keys[i] is
 * absent or its value is null; otherwise vals[i] points to store[i].data,
 * a NUL-terminated copy of the string value, or of the integer printed
 * with "%lld" ("-0" gives "0").  When a key occurs more than once the last
 * occurrence wins (as with jansson's json_loadb without
 * JSON_REJECT_DUPLICATES), and a later null clears an earlier value.  Keys
 * not in the list are validated and skipped; `{}` is accepted (all NULL).
 * The keys in keys[] must be distinct.
 *
 * On decline nothing is promised about vals[] or the contents of store[]
 * (the buffers stay valid strbufs).  No recursion; no heap allocation other
 * than growing the caller's strbufs. */
#ifndef MXRAY_JSONFAST_H
#define MXRAY_JSONFAST_H

#include <stdbool.h>
#include <stddef.h>

#include "mxray/util.h"

bool jsonfast_flat(const char *line, size_t len, const char *const keys[], int nkeys, const char *vals[],
		   strbuf store[]);

/* A JSON array of strings, as mxray writes certificate name lists
 * (json_dumps, compact, ASCII): `["a","b"]`, JSON whitespace allowed
 * between tokens.  ACCEPTS only strings of bytes 0x20..0x7E without a
 * backslash, and then puts each string, NUL-terminated, one after the
 * other into out (cleared first) and their number into *n; anything else
 * (escapes, other bytes, other values, trailing bytes) DECLINES, and the
 * caller parses the text with jansson. */
bool jsonfast_strings(const char *text, size_t len, strbuf *out, size_t *n);

#endif
