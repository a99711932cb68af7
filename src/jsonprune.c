/* jsonprune: a scan record's JSON text without what no reader looks at.
 * A recursive-descent checker and copier; see jsonprune.h for the rules
 * and the contract. */
#include "mxray/jsonprune.h"

#include <string.h>

/* Deeper than this is declined (jansson allows 2048; records nest ~10). */
#define MAX_DEPTH 64
/* Digits in a number beyond which it is declined (no overflow below). */
#define MAX_DIGITS 15

/* Objects whose members are chosen: the value of a member whose key ends
 * in `key` keeps only what leads to (or lies inside) one of `wanted`, as
 * dotted paths.  What the scan readers read under each (src/scan.c). */
typedef struct {
	const char *key;
	const char *const *wanted;
	size_t nwanted;
} rule;

static const char *const cert_wanted[] = {"subject.common_name", "names", "extensions.subject_alt_name.dns_names"};
static const char *const tls_wanted[] = {"certificate.parsed", "validation.browser_trusted",
					 "handshake_log.server_certificates.certificate.parsed",
					 "handshake_log.server_certificates.validation.browser_trusted",
					 "certificates.leaf_data"};
static const char *const as_wanted[] = {"asn"};
#define N(a) (sizeof a / sizeof *a)
static const rule rules[] = {
	{"parsed", cert_wanted, N(cert_wanted)},
	{"leaf_data", cert_wanted, N(cert_wanted)},
	{"tls", tls_wanted, N(tls_wanted)},
	{"autonomous_system", as_wanted, N(as_wanted)},
};
#undef N

enum mode {
	DROP, /* checked, not copied */
	COPY, /* copied as it is */
	KEEP, /* copied; a certificate object inside is pruned */
	TOP,  /* the record: other ports' data left out */
	CHOSEN /* an object of a rule: members chosen by path */
};

typedef struct {
	const unsigned char *p, *end;
	strbuf *out;
	int depth;
	size_t nvalues; /* values met (keys not counted), as jsonl_count_values counts */
} pr;

static void ws(pr *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

static void put(pr *x, bool on, const void *s, size_t n)
{
	if (on)
		sb_add(x->out, s, n);
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The bytes that stand for themselves in a string: printable ASCII but
 * the quote and the backslash. */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const unsigned char plain_byte[256] = {
	R16(0), R16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x22 '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x5c '\\' */
	R16(1), R16(1),
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
};
#undef R16

/* A string at x->p (at its quote), copied when `on`.  *plain: no escape. */
static bool string(pr *x, bool on, bool *plain)
{
	const unsigned char *start = x->p++;
	*plain = true;
	while (x->p < x->end) {
		while (x->p < x->end && plain_byte[*x->p])
			x->p++;
		if (x->p >= x->end)
			break;
		unsigned char c = *x->p;
		if (c == '"') {
			x->p++;
			put(x, on, start, (size_t)(x->p - start));
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			*plain = false;
			if (x->end - x->p < 2)
				return false;
			unsigned char e = x->p[1];
			if (e == 'u') {
				if (x->end - x->p < 6)
					return false;
				unsigned v = 0;
				for (int k = 2; k < 6; k++) {
					int h = hexval(x->p[k]);
					if (h < 0)
						return false;
					v = v << 4 | (unsigned)h;
				}
				if ((v >= 0xd800 && v <= 0xdfff) || v == 0)
					return false; /* surrogates and NUL: declined */
				x->p += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || !e)
				return false;
			x->p += 2;
			continue;
		}
		if (c >= 0x80) { /* one strict UTF-8 sequence, or declined */
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if ((size_t)(x->end - x->p) < len || mx_utf8_valid_prefix(x->p, len) != len)
				return false;
			x->p += len;
			continue;
		}
		x->p++;
	}
	return false;
}

static bool delimiter(const pr *x)
{
	if (x->p >= x->end)
		return true;
	unsigned char c = *x->p;
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}';
}

static bool number(pr *x, bool on)
{
	const unsigned char *start = x->p;
	if (*x->p == '-')
		x->p++;
	int digits = 0;
	if (x->p < x->end && *x->p == '0') {
		x->p++;
		digits++;
		if (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			return false;
	} else {
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9') {
			x->p++;
			digits++;
		}
		if (!digits)
			return false;
	}
	if (x->p < x->end && *x->p == '.') {
		x->p++;
		int frac = 0;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9') {
			x->p++;
			frac++;
		}
		if (!frac)
			return false;
		digits += frac;
	}
	if (digits > MAX_DIGITS || !delimiter(x)) /* exponents end here too */
		return false;
	put(x, on, start, (size_t)(x->p - start));
	return true;
}

static bool literal(pr *x, bool on)
{
	static const char *const words[] = {"true", "false", "null"};
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if ((size_t)(x->end - x->p) >= n && !memcmp(x->p, words[i], n)) {
			x->p += n;
			if (!delimiter(x))
				return false;
			put(x, on, words[i], n);
			return true;
		}
	}
	return false;
}

/* b equals a, or starts with a and a dot. */
static bool dot_prefix(const char *a, size_t na, const char *b, size_t nb)
{
	return nb >= na && !memcmp(a, b, na) && (nb == na || b[na] == '.');
}

static bool value(pr *x, enum mode m, const rule *r, const char *path);

/* The rule of a member's key (by its last dotted segment), or NULL. */
static const rule *rule_of(const char *k, size_t n)
{
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		size_t e = strlen(rules[i].key);
		if (n >= e && !memcmp(k + n - e, rules[i].key, e) && (n == e || k[n - e - 1] == '.'))
			return &rules[i];
	}
	return NULL;
}

/* In an object of rule r, what becomes of a member whose full path (from
 * the object) is f: COPY when it is inside a wanted path, CHOSEN when it
 * leads to one, else DROP.  A member that is a wanted path itself is
 * copied, or chosen by its own rule when its key has one (*inner). */
static enum mode chosen_member(const rule *r, const char *f, size_t nf, const char *key, size_t nkey,
			       const rule **inner)
{
	enum mode m = DROP;
	*inner = r;
	for (size_t i = 0; i < r->nwanted; i++) {
		size_t nw = strlen(r->wanted[i]);
		if (dot_prefix(r->wanted[i], nw, f, nf)) {
			if (nf == nw && (*inner = rule_of(key, nkey)) != NULL)
				return CHOSEN;
			*inner = NULL;
			return COPY;
		}
		if (dot_prefix(f, nf, r->wanted[i], nw))
			m = CHOSEN;
	}
	return m;
}

/* Left out of the record: other ports' data, "pN" or "N" (digits), not
 * port 25; and the list of protocols. */
static bool other_port(const char *k, size_t n)
{
	if (n == 9 && !memcmp(k, "protocols", 9))
		return true;
	size_t i = n && k[0] == 'p' ? 1 : 0;
	if (i == n)
		return false;
	for (size_t j = i; j < n; j++)
		if (k[j] < '0' || k[j] > '9')
			return false;
	return !(n - i == 2 && k[i] == '2' && k[i + 1] == '5');
}

static bool object(pr *x, enum mode m, const rule *r, const char *path)
{
	bool on = m != DROP;
	x->p++;
	put(x, on, "{", 1);
	ws(x);
	if (x->p < x->end && *x->p == '}') {
		x->p++;
		put(x, on, "}", 1);
		return true;
	}
	size_t kept = 0;
	for (;;) {
		ws(x);
		if (x->p >= x->end || *x->p != '"')
			return false;
		const unsigned char *ks = x->p;
		bool plain;
		if (!string(x, false, &plain))
			return false;
		const char *key = (const char *)ks + 1;
		size_t nkey = (size_t)(x->p - ks) - 2;
		ws(x);
		if (x->p >= x->end || *x->p != ':')
			return false;
		x->p++;
		ws(x);
		enum mode cm = m == DROP ? DROP : COPY;
		const rule *cr = NULL;
		char full[160];
		const char *cpath = "";
		if (m == KEEP || m == TOP || m == CHOSEN) {
			if (!plain)
				return false; /* the rules read keys as they are written */
			if (m == CHOSEN) {
				size_t np = strlen(path);
				if (np + 1 + nkey >= sizeof full) {
					cm = DROP; /* longer than any wanted path */
				} else {
					size_t nf = 0;
					if (np) {
						memcpy(full, path, np);
						full[np] = '.';
						nf = np + 1;
					}
					memcpy(full + nf, key, nkey);
					nf += nkey;
					full[nf] = '\0';
					cm = chosen_member(r, full, nf, key, nkey, &cr);
					cpath = cr == r ? full : "";
				}
			} else if (m == TOP && other_port(key, nkey)) {
				cm = DROP;
			} else {
				cr = rule_of(key, nkey);
				cm = cr ? CHOSEN : KEEP;
			}
		}
		if (cm != DROP) {
			if (kept++)
				put(x, true, ",", 1);
			put(x, true, ks, (size_t)(x->p - ks)); /* the key, its colon */
		}
		/* a member that leads to a wanted path but is no object is read
		 * as it is */
		if (cm == CHOSEN && (x->p >= x->end || *x->p != '{'))
			cm = COPY;
		if (!value(x, cm, cr, cpath))
			return false;
		ws(x);
		if (x->p < x->end && *x->p == ',') {
			x->p++;
			continue;
		}
		if (x->p < x->end && *x->p == '}') {
			x->p++;
			put(x, on, "}", 1);
			return true;
		}
		return false;
	}
}

static bool array(pr *x, enum mode m)
{
	bool on = m != DROP;
	/* elements: a rule's paths do not reach into lists */
	enum mode em = m == DROP ? DROP : m == KEEP || m == TOP ? KEEP : COPY;
	x->p++;
	put(x, on, "[", 1);
	ws(x);
	if (x->p < x->end && *x->p == ']') {
		x->p++;
		put(x, on, "]", 1);
		return true;
	}
	for (bool first = true;; first = false) {
		ws(x);
		if (!first)
			put(x, on, ",", 1);
		if (!value(x, em, NULL, ""))
			return false;
		ws(x);
		if (x->p < x->end && *x->p == ',') {
			x->p++;
			continue;
		}
		if (x->p < x->end && *x->p == ']') {
			x->p++;
			put(x, on, "]", 1);
			return true;
		}
		return false;
	}
}

static bool value(pr *x, enum mode m, const rule *r, const char *path)
{
	if (x->p >= x->end)
		return false;
	bool on = m != DROP, plain;
	x->nvalues++;
	switch (*x->p) {
	case '{':
	case '[': {
		if (++x->depth > MAX_DEPTH)
			return false;
		bool ok = *x->p == '{' ? object(x, m, r, path) : array(x, m);
		x->depth--;
		return ok;
	}
	case '"':
		return string(x, on, &plain);
	case 't':
	case 'f':
	case 'n':
		return literal(x, on);
	default:
		return (*x->p == '-' || (*x->p >= '0' && *x->p <= '9')) && number(x, on);
	}
}

bool jsonprune_scan(const char *in, size_t len, strbuf *out)
{
	pr x = {(const unsigned char *)in, (const unsigned char *)in + len, out, 0, 0};
	sb_clear(out);
	ws(&x);
	if (x.p >= x.end || *x.p != '{')
		return false;
	x.depth = 1;
	if (!object(&x, TOP, NULL, ""))
		return false;
	ws(&x);
	return x.p == x.end;
}

/* ---- primitives for readers that go without a tree ---------------------- */

bool jsonprune_skip(const char **p, const char *end, size_t *nvalues)
{
	pr x = {(const unsigned char *)*p, (const unsigned char *)end, NULL, 0, 0};
	if (!value(&x, DROP, NULL, ""))
		return false;
	*p = (const char *)x.p;
	*nvalues += x.nvalues;
	return true;
}

/* The UTF-8 bytes of code point v (below 0x10000, not a surrogate). */
static void put_utf8(strbuf *out, unsigned v)
{
	char u[3];
	size_t n;
	if (v < 0x80) {
		u[0] = (char)v;
		n = 1;
	} else if (v < 0x800) {
		u[0] = (char)(0xc0 | (v >> 6));
		u[1] = (char)(0x80 | (v & 0x3f));
		n = 2;
	} else {
		u[0] = (char)(0xe0 | (v >> 12));
		u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		u[2] = (char)(0x80 | (v & 0x3f));
		n = 3;
	}
	sb_add(out, u, n);
}

bool jsonprune_string(const char **p, const char *end, strbuf *out)
{
	const unsigned char *s = (const unsigned char *)*p, *e = (const unsigned char *)end;
	sb_clear(out);
	sb_add(out, "", 0); /* data is never NULL, even for "" */
	if (s >= e || *s != '"')
		return false;
	s++;
	for (;;) {
		const unsigned char *run = s;
		while (s < e && plain_byte[*s])
			s++;
		sb_add(out, run, (size_t)(s - run));
		if (s >= e || *s < 0x20)
			return false;
		if (*s == '"') {
			*p = (const char *)s + 1;
			return true;
		}
		if (*s >= 0x80) { /* one strict UTF-8 sequence, or declined */
			size_t len = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
			if ((size_t)(e - s) < len || mx_utf8_valid_prefix(s, len) != len)
				return false;
			sb_add(out, s, len);
			s += len;
			continue;
		}
		if (e - s < 2) /* a backslash */
			return false;
		unsigned char c = s[1];
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = c ? strchr(from, c) : NULL;
		if (k) {
			sb_add(out, &to[k - from], 1);
			s += 2;
			continue;
		}
		if (c != 'u' || e - s < 6)
			return false;
		unsigned v = 0;
		for (int i = 2; i < 6; i++) {
			int h = hexval(s[i]);
			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		if ((v >= 0xd800 && v <= 0xdfff) || v == 0)
			return false; /* surrogates and NUL: declined */
		put_utf8(out, v);
		s += 6;
	}
}
