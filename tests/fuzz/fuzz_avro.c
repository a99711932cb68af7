/* libFuzzer target over the OpenINTEL Avro reader: arbitrary bytes as an
 * Avro object container file (header, schema through libavro, blocks of
 * the null, deflate and snappy codecs, sync markers, records).  Every
 * value handed out must be a NUL-terminated string; every problem must
 * say why; a file error must name the file.  `make fuzz` seeds it with
 * the Avro files under tests/data; a crash, hang, leak, sanitizer report
 * or an abort below is a bug. */
#include "mxray/infile.h"
#include "mxray/openintel_avro.h"

#include "fuzz_fd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink_bytes;

static int on_row(void *cx, uint64_t recno, const char *const vals[DNS_NCOLS])
{
	uint64_t *last = cx;
	if (recno <= *last)
		abort(); /* record numbers only grow */
	*last = recno;
	for (int c = 0; c < DNS_NCOLS; c++)
		if (vals[c])
			sink_bytes += strlen(vals[c]);
	return 0;
}

static int on_problem(void *cx, uint64_t recno, uint64_t lost, const char *why)
{
	uint64_t *last = cx;
	if (!why || !*why || recno == 0)
		abort();
	/* the records it skipped; with none, it stands before recno */
	uint64_t upto = lost ? recno + lost - 1 : recno - 1;
	if (upto > *last)
		*last = upto;
	sink_bytes += strlen(why);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_input_fd(data, size);
	char *err = NULL;
	infile *f = infile_open_fd(fd, "<fuzz>", &err);
	if (!f) {
		free(err);
		return 0;
	}
	uint64_t last = 0;
	oi_avro_sink sink = {&last, on_row, on_problem};
	int rc = oi_avro_read(f, &sink, &err);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1) {
		if (!err || strncmp(err, "<fuzz>", 6))
			abort();
		free(err);
	}
	infile_close(f);
	return 0;
}
