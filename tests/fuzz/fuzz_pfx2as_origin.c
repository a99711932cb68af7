/* libFuzzer target: pfx2as_origin() on a stored origin string, which may
 * come from the database at any length (issue 13: an 800-byte origin
 * overflowed a 256-byte buffer).  An accepted origin is at most
 * PFX2AS_ORIGIN_MAX - 1 bytes of digits, '_' and ','; its ASN is its first
 * number and its set, when any, is its first MOAS member.  The origin is
 * also kept in a prefix table and looked up.  `make fuzz` seeds it with
 * the origins of sample-data/pfx2as.txt; a crash, hang, leak, sanitizer
 * report or an abort below is a bug. */
#include "mxray/pfx2as.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	/* a NUL-terminated string of exactly the input's length (to its first NUL) */
	char *origin = malloc(size + 1);
	memcpy(origin, data, size);
	origin[size] = '\0';
	size_t len = strlen(origin);
	uint32_t asn = 0;
	char set[PFX2AS_ORIGIN_MAX];
	memset(set, 'x', sizeof set);
	if (pfx2as_origin(origin, &asn, set)) {
		if (len == 0 || len >= PFX2AS_ORIGIN_MAX || strspn(origin, "0123456789_,") != len)
			abort();
		if (asn != (uint32_t)strtoul(origin, NULL, 10))
			abort();
		size_t sl = strnlen(set, sizeof set);
		if (sl == sizeof set)
			abort();
		size_t first = strcspn(origin, "_");
		if (sl && (sl != first || memcmp(set, origin, sl) || !memchr(set, ',', sl)))
			abort();
		if (!sl && memchr(origin, ',', first))
			abort();
	}
	pfx2as *t = pfx2as_new();
	pfx2as_add(t, 0x0a000000u, 8, origin);
	pfx2as_add(t, 0x0a010000u, 16, origin);
	unsigned ml = 0;
	const char *got = pfx2as_lookup(t, 0x0a010203u, &ml);
	if (!got || ml != 16 || strcmp(got, origin))
		abort();
	pfx2as_free(t);
	free(origin);
	return 0;
}
