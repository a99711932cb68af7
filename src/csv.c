/* csv: RFC 4180 reader and writer. */
#include "mxray/csv.h"
#include "mxray/sanitize.h"

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

/* ---- writing ------------------------------------------------------------ */

static enum csv_cells process_cells = CSV_CELLS_SAFE;

void csv_set_cells(enum csv_cells mode)
{
	process_cells = mode;
}

enum csv_cells csv_get_cells(void)
{
	return process_cells;
}

/* A spreadsheet evaluates a cell that starts with one of these. */
static bool formula_lead(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* True when s is written as it is in this mode: no quotes, no prefix,
 * nothing to escape (the common case, checked without allocating). */
static bool plain_cell(const char *s, enum csv_cells mode)
{
	if (mode == CSV_CELLS_RAW)
		return !strpbrk(s, ",\"\r\n");
	if (formula_lead(s[0]))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == ',' || *p == '"' || *p == '\\')
			return false;
	return true;
}

void csv_cell(strbuf *out, const char *s, enum csv_cells mode)
{
	if (!s || !*s)
		return;
	if (plain_cell(s, mode)) {
		sb_adds(out, s);
		return;
	}
	strbuf esc;
	sb_init(&esc);
	sb_adds(&esc, "");
	const char *text = s;
	bool prefix = false;
	if (mode == CSV_CELLS_SAFE) {
		/* the display form: no control byte, escape sequence, invalid
		 * UTF-8 or invisible character is written raw */
		sanitize(&esc, s, strlen(s), NULL, 0);
		text = esc.data;
		prefix = formula_lead(s[0]);
	}
	if (!prefix && !strpbrk(text, ",\"\r\n")) {
		sb_adds(out, text);
	} else {
		sb_addc(out, '"');
		if (prefix)
			sb_addc(out, '\'');
		for (const char *p = text; *p; p++) {
			if (*p == '"')
				sb_addc(out, '"');
			sb_addc(out, *p);
		}
		sb_addc(out, '"');
	}
	sb_free(&esc);
}

void csv_put(FILE *f, const char *s)
{
	if (!s || !*s)
		return;
	if (plain_cell(s, process_cells)) {
		fputs(s, f);
		return;
	}
	strbuf sb;
	sb_init(&sb);
	csv_cell(&sb, s, process_cells);
	fwrite(sb.data, 1, sb.len, f);
	sb_free(&sb);
}

void csv_add(strbuf *sb, const char *s)
{
	csv_cell(sb, s, process_cells);
}
