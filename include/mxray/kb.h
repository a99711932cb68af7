/* kb: the knowledge base of large mail providers: companies with their
 * provider IDs and legitimate ASNs, AS-based suggestions, misleading banner
 * domains, and hostname rules telling dedicated servers from VPSes.  The
 * default (src/kb-default.json) is compiled in; --kb FILE replaces it.
 * Rules are data, evaluated with fnmatch(3). */
#ifndef MXRAY_KB_H
#define MXRAY_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kb_host { KB_HOST_NONE = -1, KB_HOST_DEDICATED = 0, KB_HOST_VPS = 1, KB_HOST_UNKNOWN = 2 };
extern const char *const kb_host_names[]; /* "dedicated", "vps", "unknown" */

typedef struct {
	char *pattern;
	enum kb_host verdict;
} kb_rule;

typedef struct {
	kb_rule *rules;
	size_t n;
	enum kb_host def;
} kb_ruleset;

typedef struct {
	char *rd;
	kb_ruleset all;
	bool has_banner;
	kb_ruleset banner; /* replaces `all` for FQDNs from a banner or EHLO */
} kb_hostrules;

typedef struct {
	char *name;
	char **ids;    /* provider IDs; ids[0] is a plain ID (what a decision for the
	                * company records), others may be fnmatch patterns ("siteground.*") */
	size_t nids;
	uint32_t *asns;
	size_t nasns;
} kb_company;

typedef struct {
	char *company;
	char *provider_id;
	uint32_t *asns;
	size_t nasns;
} kb_suggestion;

typedef struct kb {
	kb_company *companies;
	size_t ncompanies;
	kb_suggestion *suggestions;
	size_t nsuggestions;
	char **misleading;
	size_t nmisleading;
	kb_hostrules *hostrules;
	size_t nhostrules;
	char digest[32];   /* "fnv1a64:" + 16 hex digits of the file's bytes */
	char origin[256];  /* "built-in" or the file name */
	struct kb_index *ix; /* the lookups' index, built with the rest */
} kb;

/* The compiled-in default. */
kb *kb_load_default(char **err);
/* A JSON file; errors name the file and the bad entry. */
kb *kb_load_file(const char *path, char **err);
kb *kb_parse(const char *text, size_t len, const char *origin, char **err);
void kb_free(kb *k);

/* The company of a provider ID (exact match first, then patterns), or NULL. */
const kb_company *kb_company_of(const kb *k, const char *provider_id);
bool kb_company_has_asn(const kb_company *c, uint32_t asn);
/* A company by name (case-insensitive), or NULL. */
const kb_company *kb_company_named(const kb *k, const char *name);
/* The suggestion whose ASes hold every one of `asns` (n >= 1), or NULL. */
const kb_suggestion *kb_suggest(const kb *k, const uint32_t *asns, size_t n);
/* Is the FQDN one of the misleading banner domains or under one? */
bool kb_misleading(const kb *k, const char *fqdn);
/* Whether the KB has hostname rules for registered domain rd. */
bool kb_has_hostrules(const kb *k, const char *rd);
/* Dedicated/VPS/unknown for an FQDN whose registered domain is rd, or
 * KB_HOST_NONE when the KB has no rules for rd. */
enum kb_host kb_hostname(const kb *k, const char *rd, const char *fqdn, bool from_banner,
			 const char **matched);

#endif
