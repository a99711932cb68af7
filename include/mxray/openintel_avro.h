/* openintel_avro: OpenINTEL forward-DNS rows from Avro object container
 * files (the form of OpenINTEL's older public releases), turned into the
 * same column values as a JSON or CSV row (dns.h), so that the DNS
 * importer treats every row alike.
 *
 * The file's schema is parsed with libavro (Debian's libavro-dev); it
 * must be a record, and the columns mxray reads (dns_column_names) may be
 * of type null, string, bytes, int, long, float, double or enum, or a
 * union of these ("sparse" storage: every field nullable).  A column the
 * schema does not have (older files lack newer fields) is null.  Blocks
 * of the codecs null, deflate (zlib) and snappy (libsnappy, CRC-32
 * checked) are read.
 *
 * The container (header, blocks, sync markers) and the records are read
 * here, with every count and length checked against what is left, rather
 * than through libavro's file and datum readers: in the Debian release
 * (1.11.1) those trust the file's lengths (a negative string length
 * writes before the buffer, a deflate block grows without limit, a codec
 * error is ignored).  Limits: a block of at most 64 MiB, compressed or
 * not; a header of at most 16 MiB.
 *
 * Problems are reported by record number (records counted from 1 over
 * the blocks read):
 * - a record that cannot be decoded: it and the rest of its block are
 *   skipped (the records before it are kept);
 * - a block whose compressed data is broken: its records are skipped;
 * - a block whose sync marker is wrong, or whose count or size makes no
 *   sense: reading goes on after the next sync marker;
 * - a file that ends inside a block: that block's records are lost;
 * - a schema that is not OpenINTEL's (not a record, no query_name or
 *   response_type field, a column of another type): every record of the
 *   file is skipped, in one problem.
 * A header that cannot be read, or a codec other than these three, is an
 * error for the whole file. */
#ifndef MXRAY_OPENINTEL_AVRO_H
#define MXRAY_OPENINTEL_AVRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/dns.h"
#include "mxray/infile.h"

/* True when the bytes begin an Avro object container file ("Obj" 1). */
bool oi_avro_sniff(const void *head, size_t n);

typedef struct {
	void *cx;
	/* One record as column values (NULL: null, or no such field);
	 * recno counts from 1.  A non-zero return stops the reading and is
	 * returned by oi_avro_read. */
	int (*row)(void *cx, uint64_t recno, const char *const vals[DNS_NCOLS]);
	/* A problem at record recno (the first record it concerns); `lost`
	 * records are skipped because of it (0 when unknown or none).  A
	 * non-zero return stops the reading and is returned. */
	int (*problem)(void *cx, uint64_t recno, uint64_t lost, const char *why);
} oi_avro_sink;

/* Read every record of the Avro file f, from its first byte.  Returns 0
 * at the end; -1 with *err (malloc'd, naming the file) when the file
 * cannot be read (I/O error, broken outer compression, unreadable header,
 * unknown codec); or a callback's non-zero return. */
int oi_avro_read(infile *f, const oi_avro_sink *sink, char **err);

#endif
