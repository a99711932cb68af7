/* libFuzzer target: the SMTP reply reader probe_smtp_reply() on any bytes.
 * It must never read past the input, and its answer must be consistent:
 * a complete reply's length is within the input and ends in LF, the code
 * is 200-599, and the same bytes with more appended give the same answer
 * (a reader that is fed byte by byte agrees with one fed all at once).
 * `make fuzz` runs it after the others. */
#include "mxray/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees any over-read */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int code = 0;
	long n = probe_smtp_reply(buf, size, &code);
	if (n > 0) {
		if ((size_t)n > size || buf[n - 1] != '\n' || code < 200 || code > 599)
			abort();
		/* the prefix alone is the same reply */
		int code2 = 0;
		if (probe_smtp_reply(buf, (size_t)n, &code2) != n || code2 != code)
			abort();
	} else if (n != PROBE_REPLY_MORE && n != PROBE_REPLY_BAD) {
		abort();
	}
	/* every shorter prefix: never a different complete reply */
	for (size_t k = 0; k < size && k < 512; k++) {
		int c = 0;
		long m = probe_smtp_reply(buf, k, &c);
		if (m > 0 && (m != n || c != code))
			abort();
		if (m == PROBE_REPLY_BAD && n != PROBE_REPLY_BAD)
			abort();
	}
	free(buf);
	return 0;
}
