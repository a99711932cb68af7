/* scan: format detection and field extraction for port-25 scan records. */
#include "mxray/scan.h"
#include "mxray/jsonl.h"
#include "mxray/jsonprune.h"

#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

const char *const scan_format_names[] = {"censys-legacy", "censys-flat", "censys2", "zgrab2", "censys-platform"};

void scan_rec_init(scan_rec *r)
{
	memset(r, 0, sizeof *r);
	sb_init(&r->banner);
	sb_init(&r->ehlo);
	sb_init(&r->starttls);
	sb_init(&r->cert_cn);
	sb_init(&r->scanned_at);
	sb_init(&r->status);
}

static void clear_names(scan_rec *r)
{
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	r->nnames = 0;
}

static void nameset_free(struct scan_nameset *s);

void scan_rec_free(scan_rec *r)
{
	clear_names(r);
	free(r->names);
	nameset_free(r->nameset);
	sb_free(&r->banner);
	sb_free(&r->ehlo);
	sb_free(&r->starttls);
	sb_free(&r->cert_cn);
	sb_free(&r->scanned_at);
	sb_free(&r->status);
	memset(r, 0, sizeof *r);
}

static void reset(scan_rec *r)
{
	clear_names(r);
	r->ip[0] = '\0';
	r->port25 = r->has_banner = r->has_ehlo = r->has_starttls = r->has_cert = false;
	r->not_smtp = false;
	sb_clear(&r->banner);
	sb_clear(&r->ehlo);
	sb_clear(&r->starttls);
	sb_clear(&r->cert_cn);
	sb_clear(&r->scanned_at);
	sb_clear(&r->status);
	r->trusted = SCAN_TRUST_NONE;
	r->asn = 0;
}

typedef struct {
	bool raw;
	char *errbuf;
	size_t errlen;
} ctx;

static const char *fail(ctx *c, const char *fmt, const char *what)
{
	snprintf(c->errbuf, c->errlen, fmt, what);
	return c->errbuf;
}

/* Copy an optional SMTP text field. */
static const char *get_text(ctx *c, json_t *v, const char *what, strbuf *out, bool *has)
{
	if (!v || json_is_null(v))
		return NULL;
	if (!jsonl_string(v, c->raw, out))
		return fail(c, "%s has the wrong type (not a string)", what);
	if (out->len > SCAN_TEXT_MAX)
		return fail(c, "%s is longer than 65536 bytes", what);
	*has = true;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the names of one certificate, de-duplicated as they are read -------
 *
 * A certificate lists up to SCAN_NAMES_MAX distinct names, most of them
 * twice (names and SANs, often the CN a third time).  Each name read is
 * looked up in an open-addressing hash set over the names kept so far
 * (r->names), so a record costs time linear in its number of names.  The
 * hash is SipHash-1-3 under a key drawn once per process, so that names
 * cannot be chosen to pile up in one probe run.  The slots live in the
 * record and are reused from record to record; each certificate starts on a
 * small table that doubles when half full, so a record with a few names
 * costs little even after one with thousands. */

typedef struct {
	uint32_t hash; /* low bits of the name's hash */
	uint32_t idx;  /* 1 + index into r->names; 0 = empty slot */
} nslot;

struct scan_nameset {
	nslot *slot;
	size_t cap;   /* slots allocated */
	size_t mask;  /* slots in use, minus one (their count is a power of two) */
	size_t n;     /* names in the set */
	strbuf name;  /* the name being read */
	strbuf fast[16]; /* scan_fast's texts (kept to save allocations) */
};

#define NAMESET_MIN 16

static uint64_t hash_key[2];
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

/* once per process, whichever thread parses first (import parses scan
 * lines on two threads) */
static void hash_key_init(void)
{
	if (getentropy(hash_key, sizeof hash_key) != 0) {
		/* no entropy source: anything that varies between runs */
		hash_key[0] = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		hash_key[1] = (uint64_t)(uintptr_t)&hash_key ^ (uint64_t)clock() << 20;
	}
}

static uint64_t rotl64(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1], v[1] = rotl64(v[1], 13), v[1] ^= v[0], v[0] = rotl64(v[0], 32);
	v[2] += v[3], v[3] = rotl64(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = rotl64(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = rotl64(v[1], 17), v[1] ^= v[2], v[2] = rotl64(v[2], 32);
}

/* SipHash-1-3 of p[0..n) under hash_key. */
static uint64_t name_hash(const char *s, size_t n)
{
	pthread_once(&hash_once, hash_key_init);
	const unsigned char *p = (const unsigned char *)s;
	uint64_t v[4] = {hash_key[0] ^ 0x736f6d6570736575ULL, hash_key[1] ^ 0x646f72616e646f6dULL,
			 hash_key[0] ^ 0x6c7967656e657261ULL, hash_key[1] ^ 0x7465646279746573ULL};
	size_t i = 0;
	for (; n - i >= 8; i += 8) {
		uint64_t m = 0;
		for (int j = 7; j >= 0; j--)
			m = m << 8 | p[i + (size_t)j];
		v[3] ^= m;
		sip_round(v);
		v[0] ^= m;
	}
	uint64_t m = (uint64_t)n << 56;
	for (size_t j = 0; i + j < n; j++)
		m |= (uint64_t)p[i + j] << (8 * j);
	v[3] ^= m;
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void nameset_free(struct scan_nameset *s)
{
	if (s) {
		free(s->slot);
		sb_free(&s->name);
		for (size_t i = 0; i < sizeof s->fast / sizeof *s->fast; i++)
			sb_free(&s->fast[i]);
	}
	free(s);
}

/* The slot holding `name` (hash h), or the empty slot where it would go. */
static nslot *nameset_find(const struct scan_nameset *s, char *const *names, uint32_t h, const char *name)
{
	for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
		nslot *e = &s->slot[i];
		if (!e->idx || (e->hash == h && !strcmp(names[e->idx - 1], name)))
			return e;
	}
}

/* Empty the set on `slots` slots (a power of two) and enter r->names. */
static void nameset_fill(scan_rec *r, size_t slots)
{
	struct scan_nameset *s = r->nameset;
	if (s->cap < slots) {
		free(s->slot);
		s->slot = xmalloc(slots * sizeof *s->slot);
		s->cap = slots;
	}
	memset(s->slot, 0, slots * sizeof *s->slot);
	s->mask = slots - 1;
	s->n = 0;
	for (size_t i = 0; i < r->nnames; i++) {
		uint32_t h = (uint32_t)name_hash(r->names[i], strlen(r->names[i]));
		nslot *e = nameset_find(s, r->names, h, r->names[i]);
		e->hash = h;
		e->idx = (uint32_t)i + 1;
		s->n++;
	}
}

/* Start the set for a certificate: it holds r->names (normally none). */
static void nameset_begin(scan_rec *r)
{
	if (!r->nameset) {
		r->nameset = xcalloc(1, sizeof *r->nameset);
		sb_init(&r->nameset->name);
	}
	size_t slots = NAMESET_MIN;
	while (slots < 2 * (r->nnames + 1))
		slots *= 2;
	nameset_fill(r, slots);
}

static const char *check_name(ctx *c, strbuf *sb, const char *what)
{
	if (!mx_utf8_valid(sb->data, sb->len))
		return fail(c, "%s holds a name that is not valid UTF-8", what);
	if (strlen(sb->data) != sb->len)
		return fail(c, "%s holds a name with a NUL byte", what);
	if (sb->len > 1024)
		return fail(c, "%s holds a name longer than 1024 bytes", what);
	return NULL;
}

/* Keep the name in r->nameset->name (lower case, no trailing dot), once. */
static const char *keep_name(ctx *c, scan_rec *r, const char *what)
{
	struct scan_nameset *s = r->nameset;
	strbuf *sb = &s->name;
	const char *e = check_name(c, sb, what);
	if (e) {
		if (sb->cap > 4096) /* do not keep a huge one */
			sb_free(sb);
		return e;
	}
	for (size_t i = 0; i < sb->len; i++)
		if (sb->data[i] >= 'A' && sb->data[i] <= 'Z')
			sb->data[i] = (char)(sb->data[i] + 32);
	if (sb->len > 1 && sb->data[sb->len - 1] == '.')
		sb->data[--sb->len] = '\0';
	if (sb->len == 0)
		return NULL;
	/* the formats repeat names (CN, names, SANs): the limit is on distinct ones */
	if (2 * (s->n + 1) > s->mask + 1)
		nameset_fill(r, 2 * (s->mask + 1));
	uint32_t h = (uint32_t)name_hash(sb->data, sb->len);
	nslot *slot = nameset_find(s, r->names, h, sb->data);
	if (slot->idx)
		return NULL;
	if (r->nnames >= SCAN_NAMES_MAX)
		return fail(c, "%s has more than 2000 distinct names", what);
	if (r->nnames == r->capnames) {
		r->capnames = r->capnames ? r->capnames * 2 : 8;
		r->names = xrealloc(r->names, r->capnames * sizeof *r->names);
	}
	r->names[r->nnames++] = xstrndup(sb->data, sb->len);
	slot->hash = h;
	slot->idx = (uint32_t)r->nnames;
	s->n++;
	return NULL;
}

static const char *add_name(ctx *c, scan_rec *r, json_t *v, const char *what)
{
	if (!json_is_string(v))
		return fail(c, "%s holds a value that is not a string", what);
	jsonl_string(v, c->raw, &r->nameset->name);
	return keep_name(c, r, what);
}

static const char *add_names(ctx *c, scan_rec *r, json_t *v, const char *what)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return add_name(c, r, v, what);
	if (!json_is_array(v))
		return fail(c, "%s has the wrong type (not a list)", what);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		const char *err = add_name(c, r, e, what);
		if (err)
			return err;
	}
	return NULL;
}

/* A zcrypto "parsed" certificate object found under root at `base`
 * (nested or flattened): subject CN, names, SANs; `extra`, when not NULL,
 * is one more list of names kept beside the parsed object (the Censys
 * Platform's cert.names). */
static const char *get_cert_names(ctx *c, scan_rec *r, json_t *root, const char *base, json_t *extra)
{
	char p[160];
	const char *e;
#define P(sub) (snprintf(p, sizeof p, "%s.%s", base, sub), jsonl_path(root, p))
	json_t *cn = P("subject.common_name"), *names = P("names");
	json_t *sans = P("extensions.subject_alt_name.dns_names");
#undef P
	json_t *obj = jsonl_path(root, base);
	if (extra && json_is_null(extra))
		extra = NULL;
	if (!obj && !cn && !names && !sans && !extra)
		return NULL;
	if (obj && !json_is_object(obj))
		return fail(c, "%s has the wrong type (not an object)", "certificate");
	r->has_cert = true;
	nameset_begin(r);
	json_t *first = cn;
	if (json_is_array(first) && json_array_size(first) > 0)
		first = json_array_get(first, 0);
	if (first && json_is_string(first)) {
		jsonl_string(first, c->raw, &r->cert_cn);
		if (r->cert_cn.len > 1024)
			return fail(c, "%s is longer than 1024 bytes", "certificate common name");
	}
	if ((e = add_names(c, r, names, "certificate names")) ||
	    (e = add_names(c, r, extra, "certificate names")) ||
	    (e = add_names(c, r, cn, "certificate common_name")) ||
	    (e = add_names(c, r, sans, "certificate dns_names")))
		return e;
	/* distinct already (add_name); kept in sorted order.  The set's indices
	 * go stale here: the next certificate fills it afresh. */
	if (r->nnames > 1)
		qsort(r->names, r->nnames, sizeof *r->names, cmp_str);
	return NULL;
}

static const char *get_cert(ctx *c, scan_rec *r, json_t *root, const char *base)
{
	return get_cert_names(c, r, root, base, NULL);
}

static const char *get_trust(ctx *c, scan_rec *r, json_t *v)
{
	if (!r->has_cert)
		return NULL;
	if (!v || json_is_null(v)) {
		r->trusted = SCAN_TRUST_UNKNOWN;
		return NULL;
	}
	bool b;
	if (!jsonl_bool(v, &b))
		return fail(c, "%s has the wrong type (not true/false)", "browser_trusted");
	r->trusted = b ? SCAN_TRUST_YES : SCAN_TRUST_NO;
	return NULL;
}

static const char *get_asn(ctx *c, scan_rec *r, json_t *v)
{
	unsigned long long a;
	if (!v || json_is_null(v))
		return NULL;
	if (!jsonl_uint(v, &a) || a == 0 || a > 0xffffffffULL)
		return fail(c, "%s is not an AS number", "autonomous_system.asn");
	r->asn = (uint32_t)a;
	return NULL;
}

static const char *get_time(ctx *c, scan_rec *r, json_t *v)
{
	if (!v || json_is_null(v) || r->scanned_at.len)
		return NULL;
	if (!json_is_string(v))
		return fail(c, "%s has the wrong type (not a string)", "timestamp");
	jsonl_string(v, c->raw, &r->scanned_at);
	if (r->scanned_at.len > 64 || !mx_utf8_valid(r->scanned_at.data, r->scanned_at.len))
		return fail(c, "%s is not a time stamp", "timestamp");
	return NULL;
}

/* Does the object have a key equal to `k` or starting with "k."? */
static bool has_port_key(json_t *root, const char *k)
{
	size_t n = strlen(k);
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		if (!strncmp(key, k, n) && (key[n] == '\0' || key[n] == '.'))
			return true;
	}
	return false;
}

static const char *legacy(ctx *c, json_t *root, scan_rec *r)
{
	/* "p25": null is no data; "p25": "x" is a wrong type */
	for (int k = 0; k < 2; k++) {
		json_t *pv = json_object_get(root, k ? "25" : "p25");
		if (pv && json_is_null(pv))
			json_object_del(root, k ? "25" : "p25");
		else if (pv && !json_is_object(pv))
			return fail(c, "%s has the wrong type (not an object)", k ? "25" : "p25");
	}
	const char *base = has_port_key(root, "p25") ? "p25" : has_port_key(root, "25") ? "25" : NULL;
	bool nested = json_object_get(root, "p25") || json_object_get(root, "25");
	bool flat = base ? !nested : json_object_get(root, "autonomous_system.asn") != NULL;
	r->format = flat ? SCAN_CENSYS_FLAT : SCAN_CENSYS_LEGACY;
	const char *e;
	if ((e = get_asn(c, r, jsonl_path(root, "autonomous_system.asn"))))
		return e;
	if (!base) {
		/* A host record with nothing on port 25. */
		return get_time(c, r, json_object_get(root, "updated_at"));
	}
	char p[96];
#define S(sub) (snprintf(p, sizeof p, "%s.smtp.starttls.%s", base, sub), jsonl_path(root, p))
	if ((e = get_text(c, S("banner"), "banner", &r->banner, &r->has_banner)) ||
	    (e = get_text(c, S("ehlo"), "ehlo", &r->ehlo, &r->has_ehlo)) ||
	    (e = get_text(c, S("starttls"), "starttls", &r->starttls, &r->has_starttls)) ||
	    (e = get_cert(c, r, root, (snprintf(p, sizeof p, "%s.smtp.starttls.tls.certificate.parsed", base), p))) ||
	    (e = get_trust(c, r, S("tls.validation.browser_trusted"))) ||
	    (e = get_time(c, r, S("timestamp"))) ||
	    (e = get_time(c, r, json_object_get(root, "updated_at"))))
		return e;
#undef S
	r->port25 = true;
	return NULL;
}

static const char *zgrab2(ctx *c, json_t *data, scan_rec *r)
{
	r->format = SCAN_ZGRAB2;
	if (!json_is_object(data))
		return fail(c, "%s has the wrong type (not an object)", "data");
	/* Only an SMTP result is port-25 evidence: "smtp", the module's default
	 * name, or, in `zgrab2 multiple` output where the user names the
	 * modules, one whose result says "protocol": "smtp".  A record of
	 * other modules only (ftp, tls, amqp091...) is counted, not stored. */
	json_t *mod = json_object_get(data, "smtp");
	if (!mod) {
		const char *k;
		json_t *v;
		json_object_foreach(data, k, v) {
			json_t *proto = json_is_object(v) ? json_object_get(v, "protocol") : NULL;
			if (json_is_string(proto) && !strcasecmp(json_string_value(proto), "smtp")) {
				mod = v;
				break;
			}
		}
		if (!mod) {
			if (json_object_size(data) == 0)
				return fail(c, "%s", "ZGrab2 record without a module result under data");
			r->not_smtp = true;
			return NULL;
		}
	}
	if (!json_is_object(mod))
		return fail(c, "%s", "ZGrab2 smtp result has the wrong type (not an object)");
	const char *e;
	json_t *port = json_object_get(mod, "port");
	unsigned long long pn;
	if (port && jsonl_uint(port, &pn) && pn != 25) {
		snprintf(c->errbuf, c->errlen, "ZGrab2 record for port %llu, not 25", pn);
		return c->errbuf;
	}
	json_t *status = json_object_get(mod, "status");
	if (status && !json_is_string(status))
		return fail(c, "%s has the wrong type (not a string)", "status");
	if (status)
		jsonl_string(status, c->raw, &r->status);
	if ((e = get_time(c, r, json_object_get(mod, "timestamp"))))
		return e;
	json_t *res = json_object_get(mod, "result");
	if (res && !json_is_null(res)) {
		if (!json_is_object(res))
			return fail(c, "%s has the wrong type (not an object)", "result");
		json_t *ehlo = json_object_get(res, "ehlo");
		if (!ehlo || json_is_null(ehlo))
			ehlo = json_object_get(res, "helo");
		json_t *sc = jsonl_path(res, "tls.handshake_log.server_certificates");
		if ((e = get_text(c, json_object_get(res, "banner"), "banner", &r->banner, &r->has_banner)) ||
		    (e = get_text(c, ehlo, "ehlo", &r->ehlo, &r->has_ehlo)) ||
		    (e = get_text(c, json_object_get(res, "starttls"), "starttls", &r->starttls,
				  &r->has_starttls)) ||
		    (e = get_cert(c, r, sc, "certificate.parsed")) ||
		    (e = get_trust(c, r, jsonl_path(sc, "validation.browser_trusted"))))
			return e;
		r->port25 = r->has_banner || r->has_ehlo || r->has_starttls || r->has_cert;
	}
	if (r->status.len && !strcmp(r->status.data, "success"))
		r->port25 = true;
	return NULL;
}

/* A service's name: Search 2.0 says "service_name", the Platform
 * (2025) says "protocol". */
static json_t *service_name(json_t *sv)
{
	json_t *name = json_object_get(sv, "service_name");
	return name ? name : json_object_get(sv, "protocol");
}

/* Platform trust: the certificate's validation per root store (nss,
 * chrome, microsoft, apple), each with is_valid.  Trusted when any store
 * says valid, untrusted when stores are given and none does, unknown
 * when there is no validation. */
static const char *get_trust_platform(ctx *c, scan_rec *r, json_t *val)
{
	if (!r->has_cert)
		return NULL;
	r->trusted = SCAN_TRUST_UNKNOWN;
	if (!val || json_is_null(val))
		return NULL;
	if (!json_is_object(val))
		return fail(c, "%s has the wrong type (not an object)", "cert.validation");
	static const char *const stores[] = {"nss", "chrome", "microsoft", "apple"};
	bool any = false, valid = false;
	for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++) {
		json_t *v = jsonl_path(val, stores[i]);
		if (!v || json_is_null(v))
			continue;
		json_t *iv = json_is_object(v) ? json_object_get(v, "is_valid") : NULL;
		if (!iv || json_is_null(iv))
			continue;
		bool b;
		if (!jsonl_bool(iv, &b))
			return fail(c, "%s has the wrong type (not true/false)", "cert.validation is_valid");
		any = true;
		valid = valid || b;
	}
	if (any)
		r->trusted = valid ? SCAN_TRUST_YES : SCAN_TRUST_NO;
	return NULL;
}

static const char *censys2(ctx *c, json_t *root, json_t *services, scan_rec *r, bool platform)
{
	const char *e;
	if (!json_is_array(services))
		return fail(c, "%s has the wrong type (not a list)", "services");
	size_t i;
	json_t *sv, *smtp = NULL;
	/* the Platform names a service's protocol "protocol", not "service_name" */
	json_array_foreach(services, i, sv) {
		if (json_is_object(sv) && !json_object_get(sv, "service_name") && json_object_get(sv, "protocol"))
			platform = true;
	}
	r->format = platform ? SCAN_CENSYS_PLATFORM : SCAN_CENSYS2;
	if ((e = get_asn(c, r, jsonl_path(root, "autonomous_system.asn"))))
		return e;
	json_array_foreach(services, i, sv) {
		unsigned long long port;
		if (!json_is_object(sv) || !jsonl_uint(json_object_get(sv, "port"), &port) || port != 25)
			continue;
		json_t *name = service_name(sv);
		if (!json_is_string(name) || strcasecmp(json_string_value(name), "SMTP") != 0)
			continue;
		json_t *tp = json_object_get(sv, "transport_protocol");
		if (json_is_string(tp) && strcasecmp(json_string_value(tp), "TCP") != 0)
			continue;
		smtp = sv;
		break;
	}
	if (smtp) {
		if ((e = get_text(c, json_object_get(smtp, "banner"), "banner", &r->banner, &r->has_banner)) ||
		    (e = get_text(c, jsonl_path(smtp, "smtp.ehlo"), "ehlo", &r->ehlo, &r->has_ehlo)) ||
		    (e = get_text(c, jsonl_path(smtp, "smtp.start_tls"), "start_tls", &r->starttls,
				  &r->has_starttls)))
			return e;
		json_t *cert = json_object_get(smtp, "cert");
		if (cert && !json_is_null(cert)) {
			/* Platform: the leaf certificate under cert, parsed under cert.parsed */
			if (!json_is_object(cert))
				return fail(c, "%s has the wrong type (not an object)", "cert");
			if ((e = get_cert_names(c, r, cert, "parsed", json_object_get(cert, "names"))) ||
			    (e = get_trust_platform(c, r, json_object_get(cert, "validation"))))
				return e;
		} else if ((e = get_cert(c, r, smtp, "tls.certificates.leaf_data")) || (e = get_trust(c, r, NULL))) {
			return e;
		}
		if ((e = get_time(c, r, json_object_get(smtp, "observed_at"))) ||
		    (e = get_time(c, r, json_object_get(smtp, "scan_time"))))
			return e;
		r->port25 = true;
	}
	return get_time(c, r, json_object_get(root, "last_updated_at"));
}

/* The host inside the wrappers the Censys tools write: the Search 2.0
 * API's {"code":200,"status":"OK","result":{host}}, the Platform's
 * {"result":{"resource":{host}}} (a host view), {"resource":{host}} (a
 * host asset) and {"host_v1":{"resource":{host}}} (a search hit).  Sets
 * *platform when a Platform wrapper was taken off.  NULL with a reason. */
static json_t *unwrap(ctx *c, json_t *o, bool *platform, const char **why)
{
	*why = NULL;
	if (json_object_get(o, "ip"))
		return o;
	json_t *res = json_object_get(o, "result");
	if (json_is_object(res)) {
		if (json_object_get(res, "hits")) {
			*why = fail(c, "%s", "a Censys search response page (result.hits): import the hosts, "
					     "as `censys search` writes them (a JSON array), not the page");
			return NULL;
		}
		o = res;
	} else if (!res && json_object_get(o, "code") && json_object_get(o, "status")) {
		json_t *code = json_object_get(o, "code");
		unsigned long long n = 0;
		if (!jsonl_uint(code, &n) || n != 200) {
			snprintf(c->errbuf, c->errlen, "a Censys API error response (code %llu), not a host", n);
			*why = c->errbuf;
			return NULL;
		}
	}
	json_t *w = json_object_get(o, "host_v1");
	if (json_is_object(w) && !json_object_get(o, "ip"))
		o = w;
	json_t *rs = json_object_get(o, "resource");
	if (json_is_object(rs) && !json_object_get(o, "ip")) {
		o = rs;
		*platform = true;
	}
	return o;
}

const char *scan_from_json(json_t *o, bool raw, scan_rec *r, char *errbuf, size_t errlen)
{
	ctx c = {raw, errbuf, errlen};
	reset(r);
	bool platform = false;
	const char *why;
	o = unwrap(&c, o, &platform, &why);
	if (!o)
		return why;
	json_t *ip = json_object_get(o, "ip");
	if (!ip)
		return fail(&c, "%s", "missing ip");
	if (!json_is_string(ip))
		return fail(&c, "%s", "ip has the wrong type (not a string)");
	uint32_t addr;
	if (!mx_ipv4_parse(json_string_value(ip), &addr)) {
		if (strchr(json_string_value(ip), ':'))
			return fail(&c, "%s", "ip is an IPv6 address (only IPv4 is used)");
		return fail(&c, "%s", "ip is not an IPv4 address");
	}
	mx_ipv4_format(addr, r->ip);
	json_t *data = json_object_get(o, "data");
	json_t *services = json_object_get(o, "services");
	if (data && !platform)
		return zgrab2(&c, data, r);
	if (services)
		return censys2(&c, o, services, r, platform);
	if (platform) { /* a Platform host with no services */
		r->format = SCAN_CENSYS_PLATFORM;
		return get_asn(&c, r, jsonl_path(o, "autonomous_system.asn"));
	}
	return legacy(&c, o, r);
}

char *scan_names_json(const scan_rec *r)
{
	if (!r->has_cert)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < r->nnames; i++)
		json_array_append_new(a, json_string(r->names[i]));
	char *s = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(a);
	return s ? s : xstrdup("[]");
}

/* ---- the common records, read without a tree -----------------------------
 *
 * Most scan records are of three shapes:
 *  - Censys legacy: {"ip":..., "p25":{"smtp":{"starttls":{banner, ehlo,
 *    starttls, tls:{certificate:{parsed:{...}}, validation:{browser_trusted}},
 *    timestamp}}}, "autonomous_system":{"asn":...}, "updated_at":..., other
 *    ports...}, "25" for "p25" in old exports, or the same flattened, its
 *    keys dotted paths from the top ("p25.smtp.starttls.banner",
 *    "autonomous_system.asn": censys-flat);
 *  - ZGrab2: {"ip":..., "data":{"smtp":{status, protocol, port, timestamp,
 *    result:{banner, ehlo or helo, starttls, tls:{handshake_log:
 *    {server_certificates:{certificate:{parsed}, validation}}}}}}}, the
 *    module also under another name (`zgrab2 multiple`, found by its
 *    "protocol"), or modules other than SMTP only;
 *  - Censys Search 2.0: {"ip":..., "autonomous_system":...,
 *    "last_updated_at":..., "services":[{port, service_name,
 *    transport_protocol, banner, smtp:{ehlo, start_tls}, tls:{certificates:
 *    {leaf_data:{...}}}, observed_at, scan_time}, ...]}, the first TCP SMTP
 *    service on port 25 read.
 * scan_fast reads them in one pass over the text and gives the record
 * scan_from_json would give; whatever is not plainly one of them (a dotted
 * key below the top, an escaped key, a key read twice, a value of an
 * unexpected type, a wrapper, nested and flattened members in one record,
 * anything scan_from_json would call an error,
 * anything jsonprune declines, more than JSONL_VALUES_MAX values) is
 * declined, and the caller takes the general way, which also reports the
 * errors.  fuzz_scan_fast holds it to that. */

enum fk { FK_ABSENT, FK_NULL, FK_STRING, FK_OBJECT, FK_OTHER, FK_TRUE, FK_FALSE, FK_NUMBER };

/* The shapes: which of "p25", "data", "services" and "p25.*" keys (the
 * flattened legacy record) the record has. */
enum { FAST_LEGACY = 1, FAST_ZGRAB2 = 2, FAST_CENSYS2 = 4, FAST_FLAT = 8 };

/* What was read of the part that holds the SMTP data (legacy
 * p25.smtp.starttls, the ZGrab2 module, a Censys 2.0 service): the kinds of
 * its members.  The texts of banner, ehlo, starttls and status are read
 * straight into the record, the others into fast.s[]. */
typedef struct {
	enum fk banner, ehlo, helo, starttls, stamp, stamp2, parsed, trusted, status, port, name, proto, transport, cert;
	unsigned long long port_v;
	/* the certificate's name lists: names, common_name, dns_names, each
	 * its strings after one another in s[S_LIST + i] (none holds a NUL) */
	enum fk list[3];
	size_t nlist[3];
} unit;

/* fast.s[]: the texts of strings read */
enum { S_IP, S_UPDATED, S_LAST, S_ASN, S_HELO, S_STAMP, S_STAMP2, S_TRUSTED, S_PORT, S_NAME, S_PROTO, S_TRANSPORT,
       S_LIST, S_N = S_LIST + 3 };

/* Most members of a ZGrab2 "data" object read (one per module). */
#define DATA_KEYS_MAX 16

typedef struct {
	const char *p, *end;
	size_t nvalues;  /* values passed, as jsonl_count_values counts them */
	unsigned shapes; /* the shapes that may be read */
	unsigned shape;  /* the shape met */
	enum fk ip, p25, updated, last_updated, asn;
	unsigned long long asn_v;
	bool asn_key;    /* the AS number came as "autonomous_system.asn" */
	unit u;
	bool picked;     /* the ZGrab2 module or Censys 2.0 service is in u */
	size_t ndata;    /* ZGrab2 modules met, and their keys */
	const char *dkey[DATA_KEYS_MAX];
	size_t ndkey[DATA_KEYS_MAX];
	bool lname, lproto; /* a later Censys 2.0 service has service_name, protocol */
	strbuf *s;       /* [S_N], kept in r->nameset */
	scan_rec *r;
} fast;

_Static_assert(S_N <= sizeof ((struct scan_nameset *)0)->fast / sizeof(strbuf), "scan_nameset.fast too small");

static void fast_ws(fast *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
		f->p++;
}

/* The kind of the value at f->p (after whitespace). */
static enum fk fast_kind(fast *f)
{
	fast_ws(f);
	if (f->p >= f->end)
		return FK_OTHER;
	switch (*f->p) {
	case '"': return FK_STRING;
	case '{': return FK_OBJECT;
	case 'n': return FK_NULL;
	case 't': return FK_TRUE;
	case 'f': return FK_FALSE;
	default: return FK_OTHER;
	}
}

/* Skip a value, checking it (null, true and false as well). */
static bool fast_skip(fast *f)
{
	fast_ws(f);
	return jsonprune_skip(&f->p, f->end, &f->nvalues);
}

static bool fast_string(fast *f, strbuf *sb)
{
	f->nvalues++;
	return jsonprune_string(&f->p, f->end, sb);
}

/* A value read as its kind: a string's text into sb (when given). */
static bool fast_scalar(fast *f, enum fk *kind, strbuf *sb)
{
	*kind = fast_kind(f);
	if (*kind == FK_STRING && sb)
		return fast_string(f, sb);
	if (*kind == FK_OBJECT)
		*kind = FK_OTHER;
	return fast_skip(f);
}

/* A value as jsonl_uint may read it: digits (FK_NUMBER, value in *v), a
 * string (its text in sb), or else FK_OTHER (a fraction, a sign...) or a
 * literal's kind. */
static bool fast_uint(fast *f, enum fk *kind, unsigned long long *v, strbuf *sb)
{
	*kind = fast_kind(f);
	if (*kind == FK_STRING)
		return fast_string(f, sb);
	if (*kind == FK_OBJECT)
		*kind = FK_OTHER;
	if (f->p < f->end && *f->p >= '0' && *f->p <= '9') {
		const char *q = f->p;
		unsigned long long n = 0;
		while (q < f->end && *q >= '0' && *q <= '9' && q - f->p < 16)
			n = n * 10 + (unsigned long long)(*q++ - '0');
		*kind = q < f->end && (*q == '.' || *q == 'e' || *q == 'E') ? FK_OTHER : FK_NUMBER;
		*v = n; /* more than 15 digits: declined by the skip */
	}
	return fast_skip(f);
}

typedef bool (*fast_member)(fast *f, const char *key, size_t nkey, unsigned *seen);

/* The members of the object at f->p: each key (plain, without a dot unless
 * `dotted`, read once when `member` reads it) and its value to `member`. */
static bool fast_members(fast *f, fast_member member, bool dotted)
{
	fast_ws(f);
	if (f->p >= f->end || *f->p != '{')
		return false;
	f->p++;
	f->nvalues++;
	fast_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		return true;
	}
	unsigned seen = 0;
	for (;;) {
		fast_ws(f);
		const char *k = f->p + 1;
		if (f->p >= f->end || *f->p != '"')
			return false;
		const char *q = k;
		while (q < f->end && *q != '"' && *q != '\\' && (dotted || *q != '.') && (unsigned char)*q >= 0x20 &&
		       (unsigned char)*q < 0x80)
			q++;
		if (q >= f->end || *q != '"')
			return false; /* an escape, a dot or another byte in a key: declined */
		f->p = q + 1;
		fast_ws(f);
		if (f->p >= f->end || *f->p != ':')
			return false;
		f->p++;
		if (!member(f, k, (size_t)(q - k), &seen))
			return false;
		fast_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == '}') {
			f->p++;
			return true;
		}
		return false;
	}
}

/* Below the top a dotted key may be a flattened path that the general way
 * (jsonl_path) finds: declined. */
static bool fast_object(fast *f, fast_member member)
{
	return fast_members(f, member, false);
}

static bool key_is(const char *key, size_t nkey, const char *want)
{
	return strlen(want) == nkey && !memcmp(key, want, nkey);
}

/* Member `bit` of an object met: false when met before (jansson keeps the
 * last; declined). */
static bool once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return false;
	*seen |= bit;
	return true;
}

/* An object on the way to what is read: read with `member` when it is an
 * object, else (no object there: nothing is found under it) skipped. */
static bool fast_way(fast *f, fast_member member)
{
	return fast_kind(f) == FK_OBJECT ? fast_object(f, member) : fast_skip(f);
}

static void fast_list_add(fast *f, int i, const strbuf *one)
{
	sb_add(&f->s[S_LIST + i], one->data, one->len + 1);
	f->u.nlist[i]++;
}

/* The elements of the list at f->p, each read by `item` (the list a value
 * as jsonl_count_values counts it): false when there is no list there or
 * an element is declined. */
static bool fast_elements(fast *f, bool (*item)(fast *f, void *arg), void *arg)
{
	fast_ws(f);
	if (f->p >= f->end || *f->p != '[')
		return false;
	f->p++;
	f->nvalues++;
	fast_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		return true;
	}
	for (;;) {
		fast_ws(f);
		if (!item(f, arg))
			return false;
		fast_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == ']') {
			f->p++;
			return true;
		}
		return false;
	}
}

/* One name of name list *(int *)arg: a string (else declined). */
static bool list_name(fast *f, void *arg)
{
	strbuf *one = &f->r->nameset->name;
	if (!fast_string(f, one))
		return false;
	fast_list_add(f, *(const int *)arg, one);
	return true;
}

/* A name list: null, a string, or a list of strings (else declined). */
static bool fast_list(fast *f, int i)
{
	enum fk k = fast_kind(f);
	f->u.list[i] = k;
	if (k == FK_NULL)
		return fast_skip(f);
	return k == FK_STRING ? list_name(f, &i) : fast_elements(f, list_name, &i);
}

/* Forget what was read of a part that turned out not to be the one read. */
static void unit_clear(fast *f)
{
	memset(&f->u, 0, sizeof f->u); /* FK_ABSENT */
	for (int i = 0; i < 3; i++)
		sb_clear(&f->s[S_LIST + i]);
	sb_clear(&f->r->banner);
	sb_clear(&f->r->ehlo);
	sb_clear(&f->r->starttls);
	sb_clear(&f->r->status);
}

/* -- the certificate (all shapes) -- */

static bool m_subject(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "common_name"))
		return once(seen, 1) && fast_list(f, 1);
	return fast_skip(f);
}

static bool m_san(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "dns_names"))
		return once(seen, 1) && fast_list(f, 2);
	return fast_skip(f);
}

static bool m_extensions(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "subject_alt_name"))
		return once(seen, 1) && fast_way(f, m_san);
	return fast_skip(f);
}

static bool m_parsed(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "subject"))
		return once(seen, 1) && fast_way(f, m_subject);
	if (key_is(key, nkey, "names"))
		return once(seen, 2) && fast_list(f, 0);
	if (key_is(key, nkey, "extensions"))
		return once(seen, 4) && fast_way(f, m_extensions);
	return fast_skip(f);
}

/* The parsed certificate object (an error when not an object: declined). */
static bool fast_parsed(fast *f, unsigned *seen)
{
	if (!once(seen, 1))
		return false;
	f->u.parsed = fast_kind(f);
	return f->u.parsed == FK_OBJECT && fast_object(f, m_parsed);
}

static bool m_certificate(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "parsed"))
		return fast_parsed(f, seen);
	return fast_skip(f);
}

static bool m_validation(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "browser_trusted"))
		return once(seen, 1) && fast_scalar(f, &f->u.trusted, &f->s[S_TRUSTED]);
	return fast_skip(f);
}

/* legacy p25.smtp.starttls.tls, ZGrab2 result.tls.handshake_log.server_certificates */
static bool m_tls(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "certificate"))
		return once(seen, 1) && fast_way(f, m_certificate);
	if (key_is(key, nkey, "validation"))
		return once(seen, 2) && fast_way(f, m_validation);
	return fast_skip(f);
}

/* -- Censys legacy -- */

static bool m_starttls(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	scan_rec *r = f->r;
	if (key_is(key, nkey, "banner"))
		return once(seen, 1) && fast_scalar(f, &f->u.banner, &r->banner);
	if (key_is(key, nkey, "ehlo"))
		return once(seen, 2) && fast_scalar(f, &f->u.ehlo, &r->ehlo);
	if (key_is(key, nkey, "starttls"))
		return once(seen, 4) && fast_scalar(f, &f->u.starttls, &r->starttls);
	if (key_is(key, nkey, "tls"))
		return once(seen, 8) && fast_way(f, m_tls);
	if (key_is(key, nkey, "timestamp"))
		return once(seen, 16) && fast_scalar(f, &f->u.stamp, &f->s[S_STAMP]);
	return fast_skip(f);
}

static bool m_smtp(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "starttls"))
		return once(seen, 1) && fast_way(f, m_starttls);
	return fast_skip(f);
}

static bool m_p25(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "smtp"))
		return once(seen, 1) && fast_way(f, m_smtp);
	return fast_skip(f);
}

/* -- ZGrab2 -- */

static bool m_handshake(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "server_certificates"))
		return once(seen, 1) && fast_way(f, m_tls);
	return fast_skip(f);
}

static bool m_ztls(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "handshake_log"))
		return once(seen, 1) && fast_way(f, m_handshake);
	return fast_skip(f);
}

static bool m_result(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	scan_rec *r = f->r;
	if (key_is(key, nkey, "banner"))
		return once(seen, 1) && fast_scalar(f, &f->u.banner, &r->banner);
	if (key_is(key, nkey, "ehlo"))
		return once(seen, 2) && fast_scalar(f, &f->u.ehlo, &r->ehlo);
	if (key_is(key, nkey, "helo"))
		return once(seen, 4) && fast_scalar(f, &f->u.helo, &f->s[S_HELO]);
	if (key_is(key, nkey, "starttls"))
		return once(seen, 8) && fast_scalar(f, &f->u.starttls, &r->starttls);
	if (key_is(key, nkey, "tls"))
		return once(seen, 16) && fast_way(f, m_ztls);
	return fast_skip(f);
}

static bool m_module(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	unit *u = &f->u;
	if (key_is(key, nkey, "status"))
		return once(seen, 1) && fast_scalar(f, &u->status, &f->r->status);
	if (key_is(key, nkey, "protocol"))
		return once(seen, 2) && fast_scalar(f, &u->proto, &f->s[S_PROTO]);
	if (key_is(key, nkey, "port"))
		return once(seen, 4) && fast_uint(f, &u->port, &u->port_v, &f->s[S_PORT]);
	if (key_is(key, nkey, "timestamp"))
		return once(seen, 8) && fast_scalar(f, &u->stamp, &f->s[S_STAMP]);
	if (key_is(key, nkey, "result")) {
		if (!once(seen, 16))
			return false;
		enum fk k = fast_kind(f);
		if (k == FK_OBJECT)
			return fast_object(f, m_result);
		return k == FK_NULL && fast_skip(f); /* else an error: declined */
	}
	return fast_skip(f);
}

/* A member of "data": the module named "smtp" is read, whatever comes
 * before or after it; else the first whose "protocol" says SMTP. */
static bool m_data(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	(void)seen;
	if (f->ndata == DATA_KEYS_MAX)
		return false;
	for (size_t i = 0; i < f->ndata; i++)
		if (f->ndkey[i] == nkey && !memcmp(f->dkey[i], key, nkey))
			return false; /* a key twice: declined */
	f->dkey[f->ndata] = key;
	f->ndkey[f->ndata++] = nkey;
	bool obj = fast_kind(f) == FK_OBJECT;
	if (key_is(key, nkey, "smtp")) {
		if (!obj)
			return false; /* an error */
		unit_clear(f);
		f->picked = true;
		return fast_object(f, m_module);
	}
	if (f->picked || !obj)
		return fast_skip(f);
	if (!fast_object(f, m_module))
		return false;
	if (f->u.proto == FK_STRING && !strcasecmp(f->s[S_PROTO].data, "smtp"))
		f->picked = true;
	else
		unit_clear(f);
	return true;
}

/* -- Censys Search 2.0 -- */

static bool m_c2smtp(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "ehlo"))
		return once(seen, 1) && fast_scalar(f, &f->u.ehlo, &f->r->ehlo);
	if (key_is(key, nkey, "start_tls"))
		return once(seen, 2) && fast_scalar(f, &f->u.starttls, &f->r->starttls);
	return fast_skip(f);
}

static bool m_c2certs(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "leaf_data"))
		return fast_parsed(f, seen);
	return fast_skip(f);
}

static bool m_c2tls(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (key_is(key, nkey, "certificates"))
		return once(seen, 1) && fast_way(f, m_c2certs);
	return fast_skip(f);
}

static bool m_service(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	unit *u = &f->u;
	scan_rec *r = f->r;
	static const char *const keys[] = {"port",	"service_name", "protocol",    "transport_protocol", "banner",
					   "smtp",	"cert",		"tls",	       "observed_at",	     "scan_time"};
	size_t i = 0;
	while (i < sizeof keys / sizeof *keys && !key_is(key, nkey, keys[i]))
		i++;
	if (i == sizeof keys / sizeof *keys)
		return fast_skip(f);
	if (!once(seen, 1u << i))
		return false;
	switch (i) {
	case 0: return fast_uint(f, &u->port, &u->port_v, &f->s[S_PORT]);
	case 1: return fast_scalar(f, &u->name, &f->s[S_NAME]);
	case 2: return fast_scalar(f, &u->proto, NULL);
	case 3: return fast_scalar(f, &u->transport, &f->s[S_TRANSPORT]);
	case 4: return fast_scalar(f, &u->banner, &r->banner);
	case 5: return fast_way(f, m_c2smtp);
	case 6: return fast_scalar(f, &u->cert, NULL);
	case 7: return fast_way(f, m_c2tls);
	case 8: return fast_scalar(f, &u->stamp, &f->s[S_STAMP]);
	default: return fast_scalar(f, &u->stamp2, &f->s[S_STAMP2]);
	}
}

/* A service after the one read: only whether it names its protocol the
 * Platform's way matters. */
static bool m_later_service(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	(void)seen;
	if (key_is(key, nkey, "service_name"))
		f->lname = true;
	else if (key_is(key, nkey, "protocol"))
		f->lproto = true;
	return fast_skip(f);
}

/* A string read as jsonl_uint (u) or jsonl_bool (b) reads it. */
static bool fast_json_string(const strbuf *s, unsigned long long *u, bool *b)
{
	json_t *v = json_stringn(s->data, s->len);
	bool ok = v && (u ? jsonl_uint(v, u) : jsonl_bool(v, b));
	json_decref(v);
	return ok;
}

/* The port read is 25, as jsonl_uint reads it. */
static bool fast_port25(fast *f)
{
	unsigned long long v;
	if (f->u.port == FK_STRING)
		return fast_json_string(&f->s[S_PORT], &v, NULL) && v == 25;
	return f->u.port == FK_NUMBER && f->u.port_v == 25;
}

/* One element of "services"; the first TCP SMTP service on port 25 is
 * kept in f->u. */
static bool fast_service(fast *f)
{
	if (fast_kind(f) != FK_OBJECT)
		return fast_skip(f);
	if (f->picked) {
		f->lname = f->lproto = false;
		return fast_object(f, m_later_service) && (f->lname || !f->lproto);
	}
	unit *u = &f->u;
	if (!fast_object(f, m_service))
		return false;
	if (u->name == FK_ABSENT && u->proto != FK_ABSENT)
		return false; /* a Platform service: declined */
	if (fast_port25(f) && u->name == FK_STRING && !strcasecmp(f->s[S_NAME].data, "SMTP") &&
	    (u->transport != FK_STRING || !strcasecmp(f->s[S_TRANSPORT].data, "TCP")))
		f->picked = true;
	else
		unit_clear(f);
	return true;
}

static bool service_item(fast *f, void *arg)
{
	(void)arg;
	return fast_service(f);
}

/* The services: a list (not a list: an error, declined). */
static bool fast_services(fast *f)
{
	return fast_elements(f, service_item, NULL);
}

/* -- the record -- */

/* The AS number, nested or flattened. */
static bool fast_asn_value(fast *f)
{
	fast_ws(f);
	if (f->p < f->end && *f->p >= '0' && *f->p <= '9') { /* digits only, else declined */
		const char *q = f->p;
		unsigned long long v = 0;
		while (q < f->end && *q >= '0' && *q <= '9' && q - f->p < 12)
			v = v * 10 + (unsigned long long)(*q++ - '0');
		if (q - f->p >= 12 || (f->p[0] == '0' && q - f->p > 1) ||
		    (q < f->end && (*q == '.' || *q == 'e' || *q == 'E')))
			return false; /* long, a leading zero, a fraction or an exponent */
		f->asn = FK_NUMBER;
		f->asn_v = v;
		return fast_skip(f); /* checks what follows the digits */
	}
	return fast_scalar(f, &f->asn, &f->s[S_ASN]);
}

static bool m_as(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (!key_is(key, nkey, "asn"))
		return fast_skip(f);
	return once(seen, 1) && fast_asn_value(f);
}

/* The member that says the shape: met once, and one of them only. */
static bool fast_shape(fast *f, unsigned shape)
{
	if (f->shape || !(f->shapes & shape))
		return false;
	f->shape = shape;
	return true;
}

/* -- the flattened legacy record -- */

/* The keys of the flattened record that the general way looks up (with
 * jsonl_path: legacy()'s paths under "p25"). */
#define FLAT_S "p25.smtp.starttls."
#define FLAT_CERT FLAT_S "tls.certificate.parsed."
static const char *const flat_keys[] = {
	FLAT_S "banner", FLAT_S "ehlo", FLAT_S "starttls", FLAT_S "timestamp", FLAT_S "tls.validation.browser_trusted",
	FLAT_CERT "names", FLAT_CERT "subject.common_name", FLAT_CERT "extensions.subject_alt_name.dns_names",
};
#define FLAT_N (sizeof flat_keys / sizeof *flat_keys)

/* Is key the path `i` reads, or a part of it that ends at one of its dots
 * (1: the path, -1: a part, 0: neither)?  A part ("p25.smtp.starttls.tls")
 * is an object that jsonl_path would look in when the path itself is
 * missing: such a record is declined. */
static int flat_match(const char *key, size_t nkey, size_t i)
{
	const char *path = flat_keys[i];
	size_t n = strlen(path);
	if (nkey > n || memcmp(path, key, nkey) != 0)
		return 0;
	return nkey == n ? 1 : path[nkey] == '.' ? -1 : 0;
}

/* A "p25.*" key of the top: what the flattened record says of port 25 (any
 * such key makes the general way read the record as a flattened one). */
static bool m_flat(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (f->shape != FAST_FLAT && !fast_shape(f, FAST_FLAT))
		return false; /* also a nested "p25", ZGrab2 or Censys 2.0: declined */
	size_t i = 0;
	int m = 0;
	while (i < FLAT_N && !(m = flat_match(key, nkey, i)))
		i++;
	if (m == 0)
		return fast_skip(f); /* another member: the cipher, the issuer... */
	if (m < 0 || !once(seen, 16u << i))
		return false;
	unit *u = &f->u;
	scan_rec *r = f->r;
	switch (i) {
	case 0: return fast_scalar(f, &u->banner, &r->banner);
	case 1: return fast_scalar(f, &u->ehlo, &r->ehlo);
	case 2: return fast_scalar(f, &u->starttls, &r->starttls);
	case 3: return fast_scalar(f, &u->stamp, &f->s[S_STAMP]);
	case 4: return fast_scalar(f, &u->trusted, &f->s[S_TRUSTED]);
	default: return fast_list(f, (int)i - 5); /* names, common_name, dns_names */
	}
}

static bool has_prefix(const char *key, size_t nkey, const char *prefix)
{
	size_t n = strlen(prefix);
	return nkey >= n && !memcmp(key, prefix, n);
}

/* A dotted key of the top.  The general way looks up only "p25.*" (and
 * "25.*") paths and "autonomous_system.asn" there; the others are data of
 * other ports or other fields. */
static bool m_root_dotted(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (!(f->shapes & FAST_FLAT))
		return false;
	if (key_is(key, nkey, "autonomous_system.asn")) {
		/* the same bit as "autonomous_system": both in one record, declined */
		f->asn_key = true;
		return once(seen, 2) && fast_asn_value(f);
	}
	if (has_prefix(key, nkey, "p25."))
		return m_flat(f, key, nkey, seen);
	if (has_prefix(key, nkey, "25."))
		return false; /* flattened under the old exports' "25": the general way */
	return fast_skip(f);
}

static bool m_root(fast *f, const char *key, size_t nkey, unsigned *seen)
{
	if (memchr(key, '.', nkey))
		return m_root_dotted(f, key, nkey, seen);
	if (key_is(key, nkey, "ip"))
		return once(seen, 1) && fast_scalar(f, &f->ip, &f->s[S_IP]);
	if (key_is(key, nkey, "autonomous_system"))
		return once(seen, 2) && fast_way(f, m_as);
	if (key_is(key, nkey, "updated_at"))
		return once(seen, 4) && fast_scalar(f, &f->updated, &f->s[S_UPDATED]);
	if (key_is(key, nkey, "last_updated_at"))
		return once(seen, 8) && fast_scalar(f, &f->last_updated, &f->s[S_LAST]);
	/* port 25, also by the old exports' name "25" (both in one record:
	 * declined, as the general way picks one) */
	if (key_is(key, nkey, "p25") || key_is(key, nkey, "25")) {
		if (!fast_shape(f, FAST_LEGACY))
			return false;
		f->p25 = fast_kind(f);
		if (f->p25 == FK_OBJECT)
			return fast_object(f, m_p25);
		return f->p25 == FK_NULL && fast_skip(f); /* else an error: declined */
	}
	if (key_is(key, nkey, "data"))
		return fast_shape(f, FAST_ZGRAB2) && fast_kind(f) == FK_OBJECT && fast_object(f, m_data);
	if (key_is(key, nkey, "services"))
		return fast_shape(f, FAST_CENSYS2) && fast_services(f);
	return fast_skip(f);
}

/* -- what the general way makes of what was read -- */

/* A time stamp as get_time reads it: false for an error. */
static bool fast_time(scan_rec *r, enum fk k, const strbuf *s)
{
	if (k == FK_ABSENT || k == FK_NULL || r->scanned_at.len)
		return true;
	if (k != FK_STRING || s->len > 64 || !mx_utf8_valid(s->data, s->len))
		return false;
	sb_clear(&r->scanned_at);
	sb_add(&r->scanned_at, s->data, s->len);
	return true;
}

/* A text as get_text reads it (already in place): false for an error. */
static bool fast_text(enum fk k, const strbuf *s, bool *has)
{
	if (k == FK_ABSENT || k == FK_NULL)
		return true;
	if (k != FK_STRING || s->len > SCAN_TEXT_MAX)
		return false;
	*has = true;
	return true;
}

static bool fast_texts(fast *f)
{
	scan_rec *r = f->r;
	return fast_text(f->u.banner, &r->banner, &r->has_banner) && fast_text(f->u.ehlo, &r->ehlo, &r->has_ehlo) &&
	       fast_text(f->u.starttls, &r->starttls, &r->has_starttls);
}

/* The certificate, as get_cert_names reads it: false for an error. */
static bool fast_cert(fast *f)
{
	scan_rec *r = f->r;
	if (f->u.parsed == FK_ABSENT)
		return true;
	r->has_cert = true;
	nameset_begin(r);
	char errbuf[80];
	ctx c = {false, errbuf, sizeof errbuf};
	/* the first common name as it is written (every one is a string) */
	if (f->u.nlist[1]) {
		size_t n = strlen(f->s[S_LIST + 1].data);
		if (n > 1024)
			return false;
		sb_clear(&r->cert_cn);
		sb_add(&r->cert_cn, f->s[S_LIST + 1].data, n);
	}
	static const char *const what[] = {"names", "common_name", "dns_names"};
	for (int i = 0; i < 3; i++) {
		const char *s = f->s[S_LIST + i].data;
		for (size_t j = 0; j < f->u.nlist[i]; j++) {
			size_t n = strlen(s);
			strbuf *sb = &r->nameset->name;
			sb_clear(sb);
			sb_add(sb, s, n);
			if (keep_name(&c, r, what[i]))
				return false;
			s += n + 1;
		}
	}
	if (r->nnames > 1)
		qsort(r->names, r->nnames, sizeof *r->names, cmp_str);
	return true;
}

/* browser_trusted as get_trust reads it: false for an error. */
static bool fast_trust(fast *f)
{
	scan_rec *r = f->r;
	bool b;
	if (!r->has_cert)
		return true;
	if (f->u.trusted == FK_TRUE || f->u.trusted == FK_FALSE)
		r->trusted = f->u.trusted == FK_TRUE ? SCAN_TRUST_YES : SCAN_TRUST_NO;
	else if (f->u.trusted == FK_STRING && fast_json_string(&f->s[S_TRUSTED], NULL, &b))
		r->trusted = b ? SCAN_TRUST_YES : SCAN_TRUST_NO;
	else if (f->u.trusted == FK_ABSENT || f->u.trusted == FK_NULL)
		r->trusted = SCAN_TRUST_UNKNOWN;
	else
		return false;
	return true;
}

/* autonomous_system.asn as get_asn reads it: false for an error. */
static bool fast_asn(fast *f)
{
	if (f->asn == FK_STRING && !fast_json_string(&f->s[S_ASN], &f->asn_v, NULL))
		return false; /* a decimal string, as jsonl_uint reads it, or an error */
	if ((f->asn == FK_NUMBER || f->asn == FK_STRING) && f->asn_v >= 1 && f->asn_v <= 0xffffffffULL) {
		f->r->asn = (uint32_t)f->asn_v;
		return true;
	}
	return f->asn == FK_ABSENT || f->asn == FK_NULL;
}

static bool fast_legacy(fast *f)
{
	scan_rec *r = f->r;
	/* nothing of port 25, an "autonomous_system.asn" key: the general way
	 * calls it flattened (fast_read declines the key beside "p25") */
	r->format = f->asn_key ? SCAN_CENSYS_FLAT : SCAN_CENSYS_LEGACY;
	if (!fast_asn(f))
		return false;
	if (f->p25 != FK_OBJECT)
		return fast_time(r, f->updated, &f->s[S_UPDATED]); /* nothing on port 25 */
	r->port25 = true;
	return fast_texts(f) && fast_cert(f) && fast_trust(f) && fast_time(r, f->u.stamp, &f->s[S_STAMP]) &&
	       fast_time(r, f->updated, &f->s[S_UPDATED]);
}

static bool fast_flat(fast *f)
{
	scan_rec *r = f->r;
	unit *u = &f->u;
	r->format = SCAN_CENSYS_FLAT;
	if (!fast_asn(f))
		return false;
	r->port25 = true; /* any "p25.*" key */
	/* no object "parsed" here: any of its flattened lists, even null, makes
	 * the general way see a certificate */
	if (u->list[0] != FK_ABSENT || u->list[1] != FK_ABSENT || u->list[2] != FK_ABSENT)
		u->parsed = FK_OBJECT;
	return fast_texts(f) && fast_cert(f) && fast_trust(f) && fast_time(r, u->stamp, &f->s[S_STAMP]) &&
	       fast_time(r, f->updated, &f->s[S_UPDATED]);
}

static bool fast_zgrab2(fast *f)
{
	scan_rec *r = f->r;
	unit *u = &f->u;
	r->format = SCAN_ZGRAB2;
	if (!f->picked) {
		r->not_smtp = f->ndata > 0; /* modules other than SMTP only; none: an error */
		return r->not_smtp;
	}
	unsigned long long v;
	if (u->port == FK_STRING ? fast_json_string(&f->s[S_PORT], &v, NULL) && v != 25
				 : u->port != FK_ABSENT && !(u->port == FK_NUMBER && u->port_v == 25))
		return false; /* another port (an error), or a port of another kind */
	if (u->status != FK_ABSENT && u->status != FK_STRING)
		return false;
	if (!fast_time(r, u->stamp, &f->s[S_STAMP]))
		return false;
	if (u->ehlo == FK_ABSENT || u->ehlo == FK_NULL) {
		u->ehlo = u->helo;
		sb_clear(&r->ehlo);
		if (u->helo == FK_STRING)
			sb_add(&r->ehlo, f->s[S_HELO].data, f->s[S_HELO].len);
	}
	if (!fast_texts(f) || !fast_cert(f) || !fast_trust(f))
		return false;
	r->port25 = r->has_banner || r->has_ehlo || r->has_starttls || r->has_cert ||
		    (r->status.len && !strcmp(r->status.data, "success"));
	return true;
}

static bool fast_censys2(fast *f)
{
	scan_rec *r = f->r;
	unit *u = &f->u;
	r->format = SCAN_CENSYS2;
	if (!fast_asn(f))
		return false;
	if (f->picked) {
		if (u->cert != FK_ABSENT && u->cert != FK_NULL)
			return false; /* the Platform's "cert": declined */
		if (!fast_texts(f) || !fast_cert(f))
			return false;
		if (r->has_cert)
			r->trusted = SCAN_TRUST_UNKNOWN;
		if (!fast_time(r, u->stamp, &f->s[S_STAMP]) || !fast_time(r, u->stamp2, &f->s[S_STAMP2]))
			return false;
		r->port25 = true;
	}
	return fast_time(r, f->last_updated, &f->s[S_LAST]);
}

static bool fast_read(const char *line, size_t len, scan_rec *r, unsigned shapes, size_t *nvalues)
{
	reset(r);
	if (!r->nameset) {
		r->nameset = xcalloc(1, sizeof *r->nameset);
		sb_init(&r->nameset->name);
	}
	fast f = {.p = line, .end = line + len, .shapes = shapes, .s = r->nameset->fast, .r = r};
	for (int i = 0; i < 3; i++)
		sb_clear(&f.s[S_LIST + i]);
	bool ok = fast_members(&f, m_root, true);
	fast_ws(&f);
	ok = ok && f.p == f.end && f.nvalues <= JSONL_VALUES_MAX;
	/* a flattened AS number in a nested or other record: declined */
	ok = ok && (!f.asn_key || f.shape == 0 || f.shape == FAST_FLAT);
	uint32_t addr;
	ok = ok && f.ip == FK_STRING && strlen(f.s[S_IP].data) == f.s[S_IP].len && mx_ipv4_parse(f.s[S_IP].data, &addr);
	if (ok) {
		mx_ipv4_format(addr, r->ip);
		ok = f.shape == FAST_ZGRAB2    ? fast_zgrab2(&f)
		     : f.shape == FAST_CENSYS2 ? fast_censys2(&f)
		     : f.shape == FAST_FLAT    ? fast_flat(&f)
					       : fast_legacy(&f);
	}
	if (nvalues)
		*nvalues = f.nvalues;
	for (int i = 0; i < S_N; i++)
		if (f.s[i].cap > SCAN_TEXT_MAX) /* do not keep a huge one */
			sb_free(&f.s[i]);
	return ok;
}

bool scan_fast(const char *line, size_t len, scan_rec *r)
{
	return fast_read(line, len, r, FAST_LEGACY | FAST_FLAT | FAST_ZGRAB2 | FAST_CENSYS2, NULL);
}

bool scan_fast_count(const char *line, size_t len, scan_rec *r, size_t *nvalues)
{
	return fast_read(line, len, r, FAST_LEGACY | FAST_FLAT | FAST_ZGRAB2 | FAST_CENSYS2, nvalues);
}

bool scan_legacy_fast(const char *line, size_t len, scan_rec *r)
{
	return fast_read(line, len, r, FAST_LEGACY | FAST_FLAT, NULL);
}
