/* asorg: CAIDA AS-to-Organization lines (two '|' sections, each begun by a
 * "# format:" header; the last header seen decides the section). */
#ifndef MXRAY_ASORG_H
#define MXRAY_ASORG_H

#include <stdint.h>

enum asorg_section { ASORG_SECTION_NONE, ASORG_SECTION_ORG, ASORG_SECTION_AUT };
enum asorg_kind { ASORG_BLANK, ASORG_ORG, ASORG_AUT, ASORG_BAD };

typedef struct {
	/* org: org_id, changed, org_name, country, source
	 * aut: asn, changed, aut_name, org_id, source
	 * Pointers into the caller's line (which is modified). */
	const char *org_id, *changed, *name, *country, *source;
	uint32_t asn;
} asorg_rec;

/* Parse one line (without its newline; modified in place).  Header lines
 * switch *section and give ASORG_BLANK, as do comments and blank lines. */
enum asorg_kind asorg_parse_line(enum asorg_section *section, char *line, asorg_rec *r,
				 const char **why);

#endif
