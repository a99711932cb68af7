/* libFuzzer target over every parser of untrusted input: JSON lines (DNS
 * rows and every scan form, with the Censys API and Platform wrappers and
 * ZGrab2 records of other modules), CSV records, pfx2as and as2org lines,
 * banner/EHLO names, names, and the escaping function.  `make fuzz` runs
 * it; a crash, hang, leak or sanitizer report is a bug. */
#include "mxray/asorg.h"
#include "mxray/banner.h"
#include "mxray/csv.h"
#include "mxray/dns.h"
#include "mxray/jsonl.h"
#include "mxray/pfx2as.h"
#include "mxray/sanitize.h"
#include "mxray/scan.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	const char *s = (const char *)data;
	char err[512];
	bool raw;
	json_t *o = jsonl_parse(s, size, &raw, err, sizeof err);
	if (o) {
		scan_rec r;
		scan_rec_init(&r);
		if (!scan_from_json(o, raw, &r, err, sizeof err) && !r.not_smtp) {
			char *n = scan_names_json(&r);
			free(n);
		}
		scan_rec_free(&r);
		strbuf vals[DNS_NCOLS];
		for (int i = 0; i < DNS_NCOLS; i++)
			sb_init(&vals[i]);
		const char *v[DNS_NCOLS];
		dns_row row;
		if (!dns_json_values(o, raw, v, vals, err, sizeof err))
			dns_row_parse(v, &row, err, sizeof err);
		for (int i = 0; i < DNS_NCOLS; i++)
			sb_free(&vals[i]);
		json_decref(o);
	}
	/* the line-based parsers take NUL-terminated, NUL-free lines */
	char *line = malloc(size + 1);
	memcpy(line, s, size);
	line[size] = '\0';
	if (!memchr(s, '\0', size)) {
		csv_record rec;
		csv_record_init(&rec);
		const char *why;
		csv_parse(line, size, &rec, &why);
		csv_record_free(&rec);
		pfx2as_line pl;
		pfx2as_parse_line(line, &pl, &why);
		enum asorg_section sec = ASORG_SECTION_AUT;
		asorg_rec ar;
		char *copy = strdup(line);
		asorg_parse_line(&sec, copy, &ar, &why);
		free(copy);
		char name[MX_NAME_MAX + 2];
		mx_name_norm(line, size, name);
		uint32_t ip;
		mx_ipv4_parse(line, &ip);
	}
	char fq[MX_NAME_MAX + 2];
	banner_fqdn(NULL, s, size, fq);
	strbuf sb;
	sb_init(&sb);
	size_t spans[16][2];
	sanitize(&sb, s, size, spans, 16);
	sb_free(&sb);
	free(line);
	return 0;
}
