/* jsonprune: a shorter copy of a scan record's JSON text, without the parts
 * that no scan reader looks at, so that jansson builds a small tree (a
 * Censys record is mostly certificate fields and other ports' data, and
 * building the tree is most of the cost of importing it).
 *
 * Left out, after being checked as strictly as jansson would check them:
 *   - at the top level, the data of other ports: members "pN" and "N" (N
 *     digits) other than "p25" and "25";
 *   - in a certificate object (the value of a member whose key ends in
 *     "parsed" or "leaf_data"), every member that is not on the way to
 *     subject.common_name, names or extensions.subject_alt_name.dns_names
 *     (keys compared as dotted paths, so flattened keys count too).
 * Everything else is copied, in order (whitespace outside strings dropped).
 *
 * Contract: jsonprune_scan() either DECLINES (false) or writes a text that
 * is valid JSON exactly when the input is, on which the scan readers find
 * exactly what they find in the input.  The caller parses the copy and,
 * should that fail, the input itself, so that errors are reported on the
 * input.  It declines when in doubt: a part to be left out with a byte
 * that is not plain ASCII or strict UTF-8, a \u escape of a surrogate, a
 * number that could overflow (more than 15 digits, or an exponent), an
 * input that is not one object, nesting deeper than 64, a key with an
 * escape in an object whose members are chosen.  The fuzz target
 * fuzz_jsonprune holds it to this against jansson and scan_from_json. */
#ifndef MXRAY_JSONPRUNE_H
#define MXRAY_JSONPRUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "mxray/util.h"

bool jsonprune_scan(const char *in, size_t len, strbuf *out);

/* For a reader that reads a record without building a tree (scan.c's
 * scan_fast), with the same checks and the same declines:
 * jsonprune_skip checks the JSON value at *p (after no whitespace), moves
 * *p past it and adds to *nvalues the values it held, itself included,
 * counted as jsonl_count_values counts them (keys not counted), so that the
 * reader can hold a line to JSONL_VALUES_MAX without a second pass;
 * jsonprune_string decodes the string at *p (at its quote) into out and
 * moves *p past it, as jansson would decode it.  Both return false to
 * decline (malformed, or one of the doubts above, e.g. an escaped NUL or a
 * surrogate). */
bool jsonprune_skip(const char **p, const char *end, size_t *nvalues);
bool jsonprune_string(const char **p, const char *end, strbuf *out);

#endif
