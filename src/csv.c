/* csv: RFC 4180 reader and writer. */
#include "mxray/csv.h"

#include <stdlib.h>
#include <string.h>

void csv_record_init(csv_record *r)
{
	memset(r, 0, sizeof *r);
	sb_init(&r->buf);
}

void csv_record_free(csv_record *r)
{
	free(r->field);
	free(r->off);
	sb_free(&r->buf);
	memset(r, 0, sizeof *r);
}

static void end_field(csv_record *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->field = xrealloc(r->field, r->cap * sizeof *r->field);
		r->off = xrealloc(r->off, r->cap * sizeof *r->off);
	}
	r->n++;
	sb_addc(&r->buf, '\0');
}

enum csv_status csv_parse(const char *text, size_t len, csv_record *r, const char **why)
{
	r->n = 0;
	sb_clear(&r->buf);
	size_t i = 0;
	/* Tolerate a CRLF line ending. */
	if (len > 0 && text[len - 1] == '\r')
		len--;
	for (;;) {
		size_t start = r->buf.len;
		if (i < len && text[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					return CSV_INCOMPLETE;
				if (text[i] == '"') {
					if (i + 1 < len && text[i + 1] == '"') {
						sb_addc(&r->buf, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				sb_addc(&r->buf, text[i++]);
			}
			if (i < len && text[i] != ',') {
				*why = "unexpected character after a quoted field";
				return CSV_ERROR;
			}
		} else {
			while (i < len && text[i] != ',') {
				if (text[i] == '"') {
					*why = "quote inside an unquoted field";
					return CSV_ERROR;
				}
				sb_addc(&r->buf, text[i++]);
			}
		}
		end_field(r);
		r->off[r->n - 1] = start;
		if (i >= len)
			break;
		i++; /* the comma */
	}
	for (size_t k = 0; k < r->n; k++)
		r->field[k] = r->buf.data + r->off[k];
	return CSV_OK;
}

static int needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\r\n") != NULL;
}

void csv_put(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!needs_quotes(s)) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

void csv_add(strbuf *sb, const char *s)
{
	if (!s)
		return;
	if (!needs_quotes(s)) {
		sb_adds(sb, s);
		return;
	}
	sb_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}
