/* infile: an input file (or standard input) read as a byte stream, with
 * gzip, bzip2, xz and zstd compression recognised by the first bytes and
 * undone while reading.  Plain input goes straight to read(2), with no
 * extra copy.  Archives (tar, zip, 7z, rar), compressions mxray does
 * not read (lz4, lzip, compress) and Parquet files are refused when the
 * file is opened (the Parquet message gives a conversion command).
 *
 * gzip is decoded with zlib, which checks every member's CRC-32 and
 * length; bzip2, xz and zstd with libarchive (its raw format), which
 * checks what those formats carry (block CRCs, check fields, checksums). */
#ifndef MXRAY_INFILE_H
#define MXRAY_INFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/util.h"

typedef struct infile infile;

/* Open `path` ("-" is standard input, named "<stdin>" in messages) and
 * look at its first bytes.  NULL with *err set (malloc'd) when it cannot
 * be opened, is a directory, is an archive or an unsupported compression,
 * or its compressed data is broken before the first bytes could be read. */
infile *infile_open(const char *path, char **err);

/* The same on an open descriptor, read from where it stands; `name` is
 * used in messages.  The descriptor is not closed by infile_close. */
infile *infile_open_fd(int fd, const char *name, char **err);

/* Up to n bytes of (decompressed) data into buf: the count, 0 at the end,
 * or -1 with *err set (malloc'd), naming the file and, for compressed
 * input, the compressed byte offset where the data broke.  After -1 every
 * further call fails the same way. */
long infile_read(infile *f, void *buf, size_t n, char **err);

/* The first bytes of the (decompressed) data, not consumed: up to 512,
 * fewer when the data is shorter.  Valid until the first read. */
const void *infile_peek(const infile *f, size_t *n);

/* "gzip", "bzip2", "xz", "zstd", or NULL for plain input. */
const char *infile_compression(const infile *f);

/* Bytes of the file itself (compressed bytes when compressed) that have
 * been consumed so far: with infile_size, the progress through the file. */
uint64_t infile_consumed(const infile *f);

/* The size of the file when it is a regular file, else 0 (a pipe). */
uint64_t infile_size(const infile *f);

/* The name used in messages: the path, or "<stdin>". */
const char *infile_name(const infile *f);

void infile_close(infile *f);

/* Lines of an infile, the one line reader of every input mxray reads.  A
 * line longer than INFILE_LINE_MAX is not held: it comes back empty with
 * too_long set, its bytes skipped as they arrive. */
#define INFILE_LINE_MAX (16u << 20)
typedef struct {
	infile *f;
	char *buf;
	size_t cap, pos, end;
	bool eof;
	strbuf line;          /* the line, without its "\n" */
	bool too_long;
} infile_lines;
void infile_lines_init(infile_lines *l, infile *f);
/* The next line into l->line: 1, 0 at the end, -1 with *err (malloc'd) on
 * a read error or broken compressed data. */
int infile_lines_next(infile_lines *l, char **err);
/* Frees the reader, not the infile. */
void infile_lines_free(infile_lines *l);

/* What a line just read is, by one rule for every reader of lines (the
 * read-ahead thread, import's own loops, probe's files): its text in
 * *line and *len (never NULL, writable; a UTF-8 byte-order mark at the
 * start of the file's first line, lineno 1, dropped), and INFILE_HELD, or
 * not held: INFILE_TOO_LONG (longer than INFILE_LINE_MAX) or INFILE_NUL
 * (a NUL byte in it). */
enum infile_line { INFILE_HELD, INFILE_TOO_LONG, INFILE_NUL };
enum infile_line infile_lines_view(infile_lines *l, uint64_t lineno, char **line, size_t *len);

/* Only spaces, tabs, carriage returns or newlines (or nothing). */
bool infile_blank(const char *s, size_t n);

#endif
