/* evidence: the read side of one snapshot, as structs.  What is known
 * about an SMTP address (scan record, AS, what infer derived from it), an
 * MX host (its addresses, what each approach says, confidence, heuristic,
 * the answer and the analyst's standing decision) and a domain (MX
 * records, primary hosts, decisions, final answer).  `show` and the review
 * desk only format these; no SQL about evidence lives anywhere else on the
 * read side.  Text is returned raw (banners and certificate names are
 * untrusted: escape them before display).  Every function returns 0, or
 * -1 with *err set (an allocated message) on a database error. */
#ifndef MXRAY_EVIDENCE_H
#define MXRAY_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/store.h"

/* An analyst decision (a row of the correction table). */
typedef struct {
	int64_t id;
	char *scope, *key, *verdict, *provider_id, *analyst, *at, *note;
	bool undone;
} ev_decision;

/* One SMTP address. */
typedef struct {
	uint32_t ip;               /* IPv4 as a number */
	char text[16];             /* dotted quad */
	/* the scan record */
	bool scanned;              /* there is one */
	bool port25;               /* port 25 answered */
	char *banner, *ehlo;       /* raw bytes (NUL added), NULL when absent */
	size_t banner_len, ehlo_len;
	char *cert_cn;
	char **cert_names;         /* NULL when no certificate */
	size_t ncert_names;
	int trusted;               /* 1 browser-trusted, 0 not, -1 unknown */
	char *format;              /* the scan's format */
	/* the AS */
	bool has_asn;
	uint32_t asn;
	char *asn_set, *asn_source, *as_name, *org_name, *country;
	bool in_as2org;            /* the AS is in the as2org data */
	/* what infer derived (when the address serves a primary MX) */
	bool inferred;
	bool live;                 /* port 25 answered with usable data */
	uint32_t num_ip;           /* domains whose primary MX use the address */
	char *cert_group;          /* NULL: no group (untrusted or no usable name) */
	uint32_t num_cert;
	char *banner_fqdn, *ehlo_fqdn;
	uint32_t confidence;       /* max(numIP, numCert) */
} ev_ip;

/* One MX host as infer judged it. */
typedef struct {
	char *host;
	bool inferred;             /* infer has a row for it (a primary MX) */
	bool live;                 /* some address has SMTP data */
	uint32_t domains;          /* domains with it as a primary MX */
	char *via;                 /* the CNAME followed to its addresses */
	uint32_t *ips;             /* its addresses, ascending */
	size_t nips;
	/* each approach's provider ID: mx, cert, banner, priority (the chain
	 * of infer_chain_source); cert_id and banner_id are the evidence */
	char *approach_id[4];
	char *mx_id, *cert_id, *banner_id;
	char *cert_note, *banner_note;
	uint32_t confidence;
	char *provider_id, *company, *source, *status, *heuristic, *reason;
	bool has_pref;
	uint32_t min_pref, max_pref;
} ev_host;

/* A host in the list of those pointing at an address (busiest first). */
typedef struct {
	char *host, *provider_id, *source, *status;
	uint32_t domains;
	bool has_pref;
	uint32_t min_pref, max_pref;
} ev_host_brief;

typedef struct {
	char *host;
	uint32_t pref;
	bool primary;
} ev_mx;

typedef struct {
	char *provider_id, *company, *source, *status;
	double weight;
	uint32_t confidence;
} ev_answer;

enum ev_domain_state { EV_NOT_IN_SNAPSHOT, EV_LOOKUP_FAILED, EV_HAS_MX };

typedef struct {
	char *domain;
	enum ev_domain_state state;
	int rcode;                 /* EV_LOOKUP_FAILED: the DNS status */
	ev_mx *mx;                 /* by preference, then name */
	size_t nmx;
	ev_host *primary;          /* the primary MX hosts, in MX order, each once */
	size_t nprimary;
	ev_decision *decisions;    /* every decision about the domain, its primary hosts or their addresses */
	size_t ndecisions;
	ev_answer *final;          /* by provider ID */
	size_t nfinal;
} ev_domain;

int evidence_ip(store *st, const char *snapshot, uint32_t ip, ev_ip *out, char **err);
void evidence_ip_free(ev_ip *e);

/* A host that is nowhere in the snapshot comes back with inferred false
 * and no addresses. */
int evidence_host(store *st, const char *snapshot, const char *host, ev_host *out, char **err);
void evidence_host_free(ev_host *e);

/* The primary MX hosts using address ip, busiest first (then by name), at
 * most max; *total gets how many there are. */
int evidence_ip_hosts(store *st, const char *snapshot, uint32_t ip, size_t max, ev_host_brief **out, size_t *n,
		      size_t *total, char **err);
void evidence_host_briefs_free(ev_host_brief *v, size_t n);

/* Up to max domains whose primary MX is host, by name. */
int evidence_host_domains(store *st, const char *snapshot, const char *host, size_t max, char ***out, size_t *n,
			  char **err);
/* The distinct addresses of a domain's primary MX hosts, ascending, at
 * most max. */
int evidence_domain_ips(store *st, const char *snapshot, const char *domain, size_t max, uint32_t **out, size_t *n,
			char **err);

/* domain must be normalised (mx_name_norm). */
int evidence_domain(store *st, const char *snapshot, const char *domain, ev_domain *out, char **err);
void evidence_domain_free(ev_domain *e);

/* The standing decision about an address (newest not undone): 1 and *out
 * filled, 0 when none. */
int evidence_ip_decision(store *st, const char *snapshot, const char *ip, ev_decision *out, char **err);
void evidence_decision_free(ev_decision *d);

#endif
