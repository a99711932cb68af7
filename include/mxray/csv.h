/* csv: RFC 4180 records in and out (quoted fields may hold commas, quotes
 * and line breaks). */
#ifndef MXRAY_CSV_H
#define MXRAY_CSV_H

#include <stdbool.h>
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

/* How text cells are written.  Every CSV that mxray writes (exports,
 * `correct --list`, `label --export`, `stats`) goes through csv_cell.
 *   CSV_CELLS_SAFE (the default), for spreadsheets and terminals:
 *     the cell's display form (sanitize.h): control bytes, escape
 *     sequences, invalid UTF-8 and invisible characters become \e, \x07,
 *     \n, \u{85}, <U+202E>, ... and a backslash becomes \\; a cell that
 *     begins with = + - @ TAB or CR (a formula to a spreadsheet) gets a
 *     leading ' and quotes: =1+1 -> "'=1+1".
 *   CSV_CELLS_RAW (`export --raw-cells`): the stored bytes as they are.
 * Either way RFC 4180 quoting: a cell with a comma, quote, CR or LF is
 * quoted, quotes doubled.  Only text cells: numbers (a weight, an id, a
 * count) are written as they are, so -1 stays a number. */
enum csv_cells { CSV_CELLS_SAFE, CSV_CELLS_RAW };

/* Append the CSV form of text cell s (NULL or "": nothing) to out. */
void csv_cell(strbuf *out, const char *s, enum csv_cells mode);

/* The mode of csv_put and csv_add, for the whole process (default SAFE). */
void csv_set_cells(enum csv_cells mode);
enum csv_cells csv_get_cells(void);

/* Write one text cell with the process's mode. */
void csv_put(FILE *f, const char *s);
/* Append one text cell to a buffer with the process's mode. */
void csv_add(strbuf *sb, const char *s);

#endif
