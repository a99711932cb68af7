/* pfx2as: CAIDA RouteViews prefix-to-AS lines and a longest-prefix-match
 * table over them. */
#ifndef MXRAY_PFX2AS_H
#define MXRAY_PFX2AS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PFX2AS_ORIGIN_MAX 256

typedef struct {
	uint32_t net;   /* host byte order, masked to len */
	unsigned len;   /* 0..32 */
	char origin[PFX2AS_ORIGIN_MAX]; /* as written: "15169", "1_2", "3,4" */
} pfx2as_line;

enum pfx2as_parse { PFX2AS_OK, PFX2AS_IPV6, PFX2AS_BLANK, PFX2AS_BAD };

/* Parse "addr<TAB>len<TAB>origin" (spaces accepted too).  Blank lines and
 * '#' comments give PFX2AS_BLANK; IPv6 prefixes PFX2AS_IPV6; problems
 * PFX2AS_BAD with *why set. */
enum pfx2as_parse pfx2as_parse_line(const char *line, pfx2as_line *out, const char **why);

/* Resolve an origin string: multi-origin "a_b" takes the first; an AS set
 * "a,b" gives its first member as the ASN and the set (as written) in
 * set (empty when not a set).  False when it is not decimal ASNs. */
bool pfx2as_origin(const char *origin, uint32_t *asn, char set[PFX2AS_ORIGIN_MAX]);

typedef struct pfx2as pfx2as;

pfx2as *pfx2as_new(void);
void pfx2as_free(pfx2as *t);
/* Add a prefix; a later entry for the same prefix replaces the earlier. */
void pfx2as_add(pfx2as *t, uint32_t net, unsigned len, const char *origin);
size_t pfx2as_count(const pfx2as *t);
/* Longest-prefix match; returns the origin string or NULL. */
const char *pfx2as_lookup(pfx2as *t, uint32_t ip, unsigned *matched_len);

#endif
