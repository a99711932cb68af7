/* libFuzzer target over infile: arbitrary bytes as an input file, which may
 * look like gzip, bzip2, xz, zstd, an archive or plain text.  `make fuzz`
 * runs it from compressed pieces of the sample data; a crash, hang, leak,
 * sanitizer report or an abort below is a bug. */
#include "mxray/infile.h"

#include "fuzz_fd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decompressed bytes read per input at most (a small input can expand a
 * thousandfold and more; past this the decoding is not new). */
#define OUT_MAX (16u << 20)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_input_fd(data, size);
	char *err = NULL;
	infile *f = infile_open_fd(fd, "<fuzz>", &err);
	if (!f) {
		/* a refusal or broken data, always said with the name */
		if (!err || strncmp(err, "<fuzz>", 6))
			abort();
		free(err);
		return 0;
	}
	if (infile_size(f) != size)
		abort();
	/* the read size varies with the input, across the first bytes' buffer */
	size_t chunk = size ? 1 + data[size - 1] * 97u : 4096;
	char *buf = malloc(chunk);
	uint64_t out = 0, last = 0;
	for (;;) {
		long k = infile_read(f, buf, chunk, &err);
		if (k < 0) {
			if (!err || (strncmp(err, "<fuzz>", 6) && strncmp(err, "error reading <fuzz>", 20)))
				abort();
			free(err);
			break;
		}
		if ((size_t)k > chunk)
			abort();
		uint64_t c = infile_consumed(f);
		if (c < last || c > size)
			abort();
		last = c;
		if (k == 0 || (out += (uint64_t)k) > OUT_MAX)
			break;
	}
	/* plain input comes back byte for byte */
	if (!infile_compression(f) && out != size)
		abort();
	free(buf);
	infile_close(f);
	return 0;
}
