/* readahead: a file's lines read on a thread of its own, gathered into
 * batches, parsed on two more threads, and handed out to the caller in
 * file order.  What a batch's lines are parsed into, and which files the
 * reader reads, the caller says (readahead_ops); the caller takes the
 * parsed batches one by one, so that it can report and stop as if it read
 * the file line by line.
 *
 * The reader holds at most the budget's bytes of batches (plus the batch
 * it is filling): it waits there and goes on as batches are taken.  A
 * file it does not read (its first bytes or its first line declined) is
 * handed back: the caller reads the rest with the reader's line reader,
 * and may still give lines to the parsing threads (readahead_add).
 *
 * Every function but the callbacks is called from one thread, the
 * caller's; the callbacks run on the reader and parsing threads. */
#ifndef MXRAY_READAHEAD_H
#define MXRAY_READAHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/infile.h"
#include "mxray/util.h"

typedef struct readahead readahead;

/* A line of a batch.  A line too long (longer than INFILE_LINE_MAX) or
 * with a NUL byte is not held: its len is 0 and its flag says why. */
enum readahead_flag { READAHEAD_LINE = INFILE_HELD, READAHEAD_TOO_LONG = INFILE_TOO_LONG, READAHEAD_NUL = INFILE_NUL };
typedef struct {
	size_t off, len;  /* in the batch's text */
	uint64_t lineno;  /* in the file, from 1 */
	uint64_t recno;   /* as given to readahead_add; 0 for the reader's lines */
	int flag;         /* enum readahead_flag */
} readahead_line;

/* A batch as parse leaves it and readahead_pop hands it out. */
typedef struct {
	strbuf out;         /* what parse wrote */
	strbuf aux;         /* parse's second output (e.g. a table out refers to) */
	uint32_t naux;      /* parse's own count of what aux holds */
	uint64_t last_line; /* lines of the file read when the batch was closed */
	uint64_t consumed;  /* bytes of the file consumed then (infile_consumed); 0 from readahead_add */
} readahead_batch;

typedef struct {
	/* From the file's first bytes (infile_peek): whether the reader reads
	 * it; else it is handed back before its first line.  NULL: it does. */
	bool (*takes_file)(void *ctx, const void *head, size_t n);
	/* From the file's first line held (not blank, not too long, no NUL;
	 * a UTF-8 byte-order mark removed): whether the reader reads the
	 * file; else it is handed back at that line.  NULL: it does. */
	bool (*takes)(void *ctx, const char *line, size_t len);
	/* A parsing thread's scratch: made on the thread, freed on it as it
	 * ends (the caller's own, when it parses, in readahead_free). */
	void *(*scratch_new)(void *ctx);
	void (*scratch_free)(void *ctx, void *scratch);
	/* Parse a batch's n lines (their bytes: text + ln[i].off) into b->out
	 * and b->aux, which come empty (naux 0). */
	void (*parse)(void *ctx, void *scratch, const char *text, const readahead_line *ln, size_t n,
		      readahead_batch *b);
	size_t batch_lines; /* a batch is closed at this many lines */
	size_t batch_bytes; /* or at this many bytes of text */
	size_t budget;      /* the reader waits while more bytes of batches than this are held */
} readahead_ops;

/* Start reading: path (opened by the reader thread; a file it cannot open
 * is reported by readahead_opened only, the error left to the caller), or
 * f (open, now owned).  threads: parsing threads allowed to work until
 * readahead_opened (0: none; then nothing is parsed before it).  Blank
 * lines (spaces, tabs, CR) are skipped.  ops (and ctx) must outlive it.
 * When no thread can be started, the file is handed back at once. */
readahead *readahead_start(const readahead_ops *ops, void *ctx, const char *path, infile *f, int threads);

/* Wait until the reader has opened the file: false when it could not.
 * From here every parsing thread works. */
bool readahead_opened(readahead *a);

/* The file (owned), once opened; NULL when it could not be. */
infile *readahead_file(readahead *a);

/* The next batch in file order, parsed (waiting for it when wait; parsed
 * here when no parsing thread could be started); NULL when none is ready
 * (!wait), or none is queued and none will be (the reader has ended). */
readahead_batch *readahead_pop(readahead *a, bool wait);

/* A popped batch is done with: its memory is no longer held.  Every
 * popped batch is given back so, before readahead_free. */
void readahead_done(readahead *a, readahead_batch *b);

/* After a hand-back: a line read by the caller, for the parsing threads.
 * True when it closed a batch (queued in order after the reader's). */
bool readahead_add(readahead *a, const char *line, size_t len, uint64_t lineno, uint64_t recno);

/* Queue the batch readahead_add is filling, if any (last_line: its
 * readahead_batch.last_line). */
void readahead_flush(readahead *a, uint64_t last_line);

/* Bytes of batches held (read, parsed, not yet done with). */
size_t readahead_held(readahead *a);

/* Whether more than the budget is held. */
bool readahead_over(readahead *a);

/* Whether the reader has ended and everything queued is parsed. */
bool readahead_parsed(readahead *a);

enum readahead_end { READAHEAD_RUNNING, READAHEAD_EOF, READAHEAD_ERROR, READAHEAD_HANDBACK };

/* Wait for the reader thread to end (once readahead_pop gives NULL it has
 * queued everything).  *lines: the lines it read (the line handed back
 * counted); *err: the read error (READAHEAD_ERROR), owned by a.  A file
 * that could not be opened ends READAHEAD_EOF, with no line. */
enum readahead_end readahead_join(readahead *a, uint64_t *lines, const char **err);

/* After READAHEAD_HANDBACK: the reader's line reader, where it stopped.
 * *at_line: its line (->line) is the first one not read, line number
 * *lines of readahead_join; else no line was read (handed back before
 * the first). */
infile_lines *readahead_rest(readahead *a, bool *at_line);

/* Stop every thread and free everything, the file too. */
void readahead_free(readahead *a);

/* Give the memory the threads' batches took, freed, back to the system
 * (glibc keeps it in the threads' arenas otherwise). */
void readahead_trim(void);

#endif
