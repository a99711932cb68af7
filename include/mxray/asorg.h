/* asorg: CAIDA AS-to-Organization lines, in either of CAIDA's two forms:
 * - the text form (*.as-org2info.txt): two '|' sections, each begun by a
 *   "# format:" header; the last header seen decides the section;
 * - JSON Lines (*.as-org2info.jsonl): one object per line, with
 *   "type":"Organization" (organizationId, changed, name, country, source)
 *   or "type":"ASN" (asn, changed, name, organizationId, opaqueId, source).
 * A line that starts with '{' is a JSON record; after one, the file is
 * taken as JSON Lines (a line that is not an object is a bad line). */
#ifndef MXRAY_ASORG_H
#define MXRAY_ASORG_H

#include <stdint.h>

enum asorg_section { ASORG_SECTION_NONE, ASORG_SECTION_ORG, ASORG_SECTION_AUT, ASORG_SECTION_JSON };
enum asorg_kind { ASORG_BLANK, ASORG_ORG, ASORG_AUT, ASORG_BAD };

typedef struct {
	/* org: org_id, changed, org_name, country, source
	 * aut: asn, changed, aut_name, org_id, source
	 * Pointers into the caller's line (which is modified).  A field that
	 * a JSON record leaves out (or sets to null) is "", as an empty
	 * field of the text form. */
	const char *org_id, *changed, *name, *country, *source;
	uint32_t asn;
} asorg_rec;

/* Parse one line (without its newline; modified in place).  Header lines
 * switch *section and give ASORG_BLANK, as do comments and blank lines.
 * A JSON record gives ASORG_ORG or ASORG_AUT like its text line; the
 * opaqueId is not kept (nor is the text form's opaque_id). */
enum asorg_kind asorg_parse_line(enum asorg_section *section, char *line, asorg_rec *r,
				 const char **why);

#endif
