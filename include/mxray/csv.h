/* csv: RFC 4180 records in and out (quoted fields may hold commas, quotes
 * and line breaks). */
#ifndef MXRAY_CSV_H
#define MXRAY_CSV_H

#include <stdio.h>
#include <stddef.h>

#include "mxray/util.h"

typedef struct {
	char **field;  /* NUL-terminated copies, valid until the next parse */
	size_t n, cap;
	strbuf buf;
	size_t *off;   /* offsets of fields in buf */
} csv_record;

void csv_record_init(csv_record *r);
void csv_record_free(csv_record *r);

enum csv_status { CSV_OK, CSV_INCOMPLETE, CSV_ERROR };

/* Parse one record from text[0..len) (one physical line, or several joined
 * with "\n" when a quoted field spans lines; no trailing newline).
 * CSV_INCOMPLETE: a quoted field is still open, join the next line.
 * CSV_ERROR: *why says what is wrong. */
enum csv_status csv_parse(const char *text, size_t len, csv_record *r, const char **why);

/* Write one field, quoting when it holds a comma, quote, CR or LF. */
void csv_put(FILE *f, const char *s);
/* Append a field to a buffer with the same quoting rule. */
void csv_add(strbuf *sb, const char *s);

#endif
