/* libFuzzer target: the fast flat-record extractor against the jansson
 * path.  Whenever jsonfast_flat() accepts an input, jsonl_parse() must
 * accept it as an object and dns_json_values() must give the identical
 * values (same NULLs, same bytes), and so must a lookup of a few short
 * keys; any mismatch aborts.  `make fuzz` runs it after fuzz_parsers. */
#include "mxray/dns.h"
#include "mxray/jsonfast.h"
#include "mxray/jsonl.h"
#include "mxray/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mismatch(const char *what, const uint8_t *data, size_t size)
{
	fprintf(stderr, "fuzz_jsonfast: %s on %zu-byte input: %.*s\n", what, size, (int)size, (const char *)data);
	abort();
}

/* Short keys as well, so that duplicates, nulls over values and unknown
 * keys are easy to reach; checked against jansson's own lookup, converted
 * as dns_json_values converts (strings as they are, integers "%lld"). */
static const char *const short_keys[] = {"a", "b", "ab", "", "query_name", "timestamp"};
#define NSHORT ((int)(sizeof short_keys / sizeof short_keys[0]))

static void check_short_keys(const char *line, size_t size)
{
	strbuf store[NSHORT], want;
	const char *vals[NSHORT];
	for (int i = 0; i < NSHORT; i++)
		sb_init(&store[i]);
	sb_init(&want);
	if (jsonfast_flat(line, size, short_keys, NSHORT, vals, store)) {
		char err[512];
		bool raw;
		json_t *o = jsonl_parse(line, size, &raw, err, sizeof err);
		if (!o || raw)
			mismatch("jansson rejects an accepted input (short keys)", (const uint8_t *)line, size);
		for (int i = 0; i < NSHORT; i++) {
			json_t *v = json_object_get(o, short_keys[i]);
			if (!v || json_is_null(v)) {
				if (vals[i])
					mismatch("a value where jansson has none (short keys)", (const uint8_t *)line,
						 size);
				continue;
			}
			sb_clear(&want);
			if (json_is_string(v))
				jsonl_string(v, raw, &want);
			else if (json_is_integer(v))
				sb_addf(&want, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else
				mismatch("an accepted value of another type (short keys)", (const uint8_t *)line, size);
			if (!vals[i] || vals[i] != store[i].data || store[i].len != want.len ||
			    memcmp(vals[i], want.data, want.len) || vals[i][want.len] != '\0')
				mismatch("a value differs (short keys)", (const uint8_t *)line, size);
		}
		json_decref(o);
	}
	for (int i = 0; i < NSHORT; i++)
		sb_free(&store[i]);
	sb_free(&want);
}

/* jsonfast_strings against jansson: an accepted text is an array of
 * strings to jansson, with the same strings in the same order. */
static void check_strings(const char *text, size_t size)
{
	strbuf out;
	sb_init(&out);
	size_t n;
	if (jsonfast_strings(text, size, &out, &n)) {
		json_error_t je;
		json_t *a = json_loadb(text, size, 0, &je);
		if (!a || !json_is_array(a) || json_array_size(a) != n)
			mismatch("jansson reads an accepted string list otherwise", (const uint8_t *)text, size);
		const char *p = out.data;
		for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
			json_t *v = json_array_get(a, i);
			if (!json_is_string(v) || json_string_length(v) != strlen(p) || strcmp(json_string_value(v), p))
				mismatch("a string of an accepted list differs", (const uint8_t *)text, size);
		}
		json_decref(a);
	}
	sb_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	/* an exact-size copy, so ASan catches any read past `size` */
	char *line = malloc(size ? size : 1);
	if (size)
		memcpy(line, data, size);

	strbuf fstore[DNS_NCOLS], jstore[DNS_NCOLS];
	const char *fvals[DNS_NCOLS], *jvals[DNS_NCOLS];
	for (int i = 0; i < DNS_NCOLS; i++) {
		sb_init(&fstore[i]);
		sb_init(&jstore[i]);
	}
	if (jsonfast_flat(line, size, dns_column_names, DNS_NCOLS, fvals, fstore)) {
		char err[512];
		bool raw;
		json_t *o = jsonl_parse(line, size, &raw, err, sizeof err);
		if (!o)
			mismatch("jansson rejects an accepted input", data, size);
		if (raw)
			mismatch("jansson needed raw bytes on an accepted input", data, size);
		if (dns_json_values(o, raw, jvals, jstore, err, sizeof err))
			mismatch("dns_json_values fails on an accepted input", data, size);
		for (int c = 0; c < DNS_NCOLS; c++) {
			if (!fvals[c] != !jvals[c])
				mismatch("a NULL differs", data, size);
			if (!fvals[c])
				continue;
			if (fvals[c] != fstore[c].data)
				mismatch("a value is not kept in its store", data, size);
			if (fstore[c].len != jstore[c].len || memcmp(fvals[c], jvals[c], fstore[c].len) ||
			    fvals[c][fstore[c].len] != '\0')
				mismatch("a value differs", data, size);
		}
		json_decref(o);
	}
	for (int i = 0; i < DNS_NCOLS; i++) {
		sb_free(&fstore[i]);
		sb_free(&jstore[i]);
	}
	check_short_keys(line, size);
	check_strings(line, size);
	free(line);
	return 0;
}
