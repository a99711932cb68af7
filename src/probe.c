/* probe: the exclude list, the output records, resuming from an earlier
 * run's files, and the engine: c-ares lookups and SMTP sessions in one
 * epoll loop. */
#include "mxray/probe.h"
#include "mxray/dns.h"
#include "mxray/infile.h"
#include "mxray/jsonl.h"
#include "mxray/progress.h"
#include "mxray/scan.h"
#include "mxray/strmap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

atomic_int probe_interrupted;

/* ---- reading lines ----------------------------------------------------- */

/* Called with each line (without its newline; a UTF-8 byte-order mark at
 * the start of the file taken off): NULL, or why the line is refused. */
typedef const char *(*line_fn)(void *arg, const char *line, size_t len);

/* Every line of a file (compressed or not; "-": standard input) to fn,
 * lines over 16 MiB refused without being held.  A refused line is
 * reported on log as FILE:LINE: reason + note (the first 10), counted in
 * *refused, and skipped; with stop set, the first one is the error
 * instead.  Returns 0, or -1 with *err. */
static int each_line(const char *path, line_fn fn, void *arg, FILE *log, const char *note, bool stop,
		     uint64_t *refused, char **err)
{
	infile *f = infile_open(path, err);
	if (!f)
		return -1;
	infile_lines l;
	infile_lines_init(&l, f);
	uint64_t lineno = 0;
	int got, rc = 0;
	while ((got = infile_lines_next(&l, err)) > 0) {
		lineno++;
		char *line;
		size_t len;
		/* a NUL byte is the line function's to judge (a domain or a
		 * record with one is refused there, with its reason) */
		bool too_long = infile_lines_view(&l, lineno, &line, &len) == INFILE_TOO_LONG;
		const char *why = too_long ? "line longer than 16 MiB" : fn(arg, line, len);
		if (!why)
			continue;
		if (stop) {
			*err = xasprintf("%s:%llu: %s", infile_name(f), (unsigned long long)lineno, why);
			rc = -1;
			break;
		}
		if (log && *refused < 10)
			fprintf(log, "%s:%llu: %s%s\n", infile_name(f), (unsigned long long)lineno, why, note);
		(*refused)++;
	}
	if (got < 0)
		rc = -1;
	infile_lines_free(&l);
	infile_close(f);
	return rc;
}

/* ---- exclude list ------------------------------------------------------ */

struct probe_exclude {
	struct {
		uint32_t net, mask;
	} *cidr;
	size_t ncidr, capcidr;
	strmap *names;
};

probe_exclude *probe_exclude_new(void)
{
	probe_exclude *x = xcalloc(1, sizeof *x);
	x->names = strmap_new();
	return x;
}

void probe_exclude_free(probe_exclude *x)
{
	if (!x)
		return;
	free(x->cidr);
	strmap_free(x->names);
	free(x);
}

size_t probe_exclude_count(const probe_exclude *x)
{
	return x ? x->ncidr + strmap_size(x->names) : 0;
}

static void add_cidr(probe_exclude *x, uint32_t net, uint32_t mask)
{
	if (x->ncidr == x->capcidr) {
		x->capcidr = x->capcidr ? 2 * x->capcidr : 16;
		x->cidr = xrealloc(x->cidr, x->capcidr * sizeof *x->cidr);
	}
	x->cidr[x->ncidr].net = net & mask;
	x->cidr[x->ncidr++].mask = mask;
}

/* buf: an address or address/bits.  1 added, 0 not an address at all (no
 * '/' and not an address), or -1 with *why. */
static int parse_cidr(probe_exclude *x, char *buf, const char **why)
{
	char *slash = strchr(buf, '/');
	uint32_t ip;
	if (slash) {
		*slash = '\0';
		uint64_t bits;
		if (!mx_ipv4_parse(buf, &ip)) {
			*why = "not an IPv4 CIDR (address/bits)";
			return -1;
		}
		if (!mx_parse_u64(slash + 1, &bits) || bits > 32) {
			*why = "CIDR prefix length is not 0-32";
			return -1;
		}
		add_cidr(x, ip, bits ? ~(uint32_t)0 << (32 - bits) : 0);
		return 1;
	}
	if (!mx_ipv4_parse(buf, &ip))
		return 0;
	add_cidr(x, ip, ~(uint32_t)0);
	return 1;
}

const char *probe_exclude_add(probe_exclude *x, const char *entry, size_t len)
{
	const char *hash = memchr(entry, '#', len);
	if (hash)
		len = (size_t)(hash - entry);
	while (len && (entry[0] == ' ' || entry[0] == '\t'))
		entry++, len--;
	while (len && (entry[len - 1] == ' ' || entry[len - 1] == '\t' || entry[len - 1] == '\r' ||
		       entry[len - 1] == '\n'))
		len--;
	if (len == 0)
		return NULL;
	if (len > MX_NAME_MAX + 1)
		return "entry is too long";
	char buf[MX_NAME_MAX + 2];
	memcpy(buf, entry, len);
	buf[len] = '\0';
	const char *why = NULL;
	int r = parse_cidr(x, buf, &why);
	if (r)
		return r < 0 ? why : NULL;
	char name[MX_NAME_MAX + 2];
	why = mx_name_norm(buf, len, name);
	if (why)
		return why;
	if (!strcmp(name, "."))
		return "the root name would exclude everything";
	strmap_intern(x->names, name, NULL);
	return NULL;
}

const char *probe_exclude_add_cidr(probe_exclude *x, const char *entry)
{
	char buf[64];
	if (strlen(entry) >= sizeof buf)
		return "not an IPv4 address or CIDR (address/bits)";
	snprintf(buf, sizeof buf, "%s", entry);
	const char *why = NULL;
	int r = parse_cidr(x, buf, &why);
	return r > 0 ? NULL : r < 0 ? why : "not an IPv4 address or CIDR (address/bits)";
}

const char *probe_special_range(uint32_t ip, bool *hard)
{
	static const struct {
		uint32_t net;
		unsigned bits;
		bool hard;
		const char *name;
	} ranges[] = {
		{0x00000000u, 8, true, "0.0.0.0/8 (this network)"},
		{0x0a000000u, 8, false, "10.0.0.0/8 (private)"},
		{0x64400000u, 10, false, "100.64.0.0/10 (shared address space)"},
		{0x7f000000u, 8, false, "127.0.0.0/8 (loopback)"},
		{0xa9fe0000u, 16, false, "169.254.0.0/16 (link-local)"},
		{0xac100000u, 12, false, "172.16.0.0/12 (private)"},
		{0xc0000000u, 24, false, "192.0.0.0/24 (IETF protocol assignments)"},
		{0xc0000200u, 24, false, "192.0.2.0/24 (documentation)"},
		{0xc0586300u, 24, false, "192.88.99.0/24 (6to4 relay anycast)"},
		{0xc0a80000u, 16, false, "192.168.0.0/16 (private)"},
		{0xc6120000u, 15, false, "198.18.0.0/15 (benchmarking)"},
		{0xc6336400u, 24, false, "198.51.100.0/24 (documentation)"},
		{0xcb007100u, 24, false, "203.0.113.0/24 (documentation)"},
		{0xe0000000u, 4, true, "224.0.0.0/4 (multicast)"},
		{0xf0000000u, 4, true, "240.0.0.0/4 (reserved, broadcast)"},
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		uint32_t mask = ~(uint32_t)0 << (32 - ranges[i].bits);
		if ((ip & mask) == ranges[i].net) {
			if (hard)
				*hard = ranges[i].hard;
			return ranges[i].name;
		}
	}
	if (hard)
		*hard = false;
	return NULL;
}

static const char *exclude_line(void *arg, const char *line, size_t len)
{
	return probe_exclude_add(arg, line, len);
}

int probe_exclude_load(probe_exclude *x, const char *path, char **err)
{
	uint64_t refused = 0;
	return each_line(path, exclude_line, x, NULL, "", true, &refused, err);
}

bool probe_exclude_ip(const probe_exclude *x, uint32_t ip)
{
	if (!x)
		return false;
	for (size_t i = 0; i < x->ncidr; i++)
		if ((ip & x->cidr[i].mask) == x->cidr[i].net)
			return true;
	return false;
}

bool probe_exclude_name(const probe_exclude *x, const char *name)
{
	if (!x || !strmap_size(x->names))
		return false;
	for (const char *p = name; p && *p;) {
		if (strmap_find(x->names, p) != UINT32_MAX)
			return true;
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return false;
}

/* ---- output records ---------------------------------------------------- */

void probe_json_str(strbuf *o, const char *s, size_t n)
{
	sb_addc(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"':
			sb_adds(o, "\\\"");
			break;
		case '\\':
			sb_adds(o, "\\\\");
			break;
		case '\n':
			sb_adds(o, "\\n");
			break;
		case '\r':
			sb_adds(o, "\\r");
			break;
		case '\t':
			sb_adds(o, "\\t");
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				sb_addf(o, "\\u%04x", ch);
			else
				sb_addc(o, (char)ch);
		}
	}
	sb_addc(o, '"');
}

static void key(strbuf *o, bool *first, const char *k)
{
	if (!*first)
		sb_addc(o, ',');
	*first = false;
	probe_json_str(o, k, strlen(k));
	sb_addc(o, ':');
}

static void kstr(strbuf *o, bool *first, const char *k, const char *v)
{
	if (!v)
		return;
	key(o, first, k);
	probe_json_str(o, v, strlen(v));
}

static void kname(strbuf *o, bool *first, const char *k, const char *v)
{
	if (!v)
		return;
	key(o, first, k);
	char buf[MX_NAME_MAX + 3];
	size_t n = strlen(v);
	if (n > MX_NAME_MAX + 1)
		n = MX_NAME_MAX + 1;
	memcpy(buf, v, n);
	if (!n || buf[n - 1] != '.')
		buf[n++] = '.';
	probe_json_str(o, buf, n);
}

void probe_write_dns(strbuf *o, const probe_dns_row *r)
{
	bool f = true;
	sb_addc(o, '{');
	kstr(o, &f, "query_type", r->qtype);
	kname(o, &f, "query_name", r->qname);
	if (r->rtype && r->status == 0) {
		kstr(o, &f, "response_type", r->rtype);
		kname(o, &f, "response_name", r->rname);
		if (r->mx) {
			kname(o, &f, "mx_address", r->mx);
			key(o, &f, "mx_preference");
			sb_addf(o, "%u", r->pref);
		}
		kname(o, &f, "cname_name", r->cname);
		kstr(o, &f, "ip4_address", r->ip4);
	}
	key(o, &f, "status_code");
	sb_addf(o, "%u", r->status);
	key(o, &f, "timestamp");
	sb_addf(o, "%lld", r->ts_ms);
	sb_adds(o, "}\n");
}

static void str_array(strbuf *o, char *const *v, size_t n)
{
	sb_addc(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(o, ',');
		probe_json_str(o, v[i], strlen(v[i]));
	}
	sb_addc(o, ']');
}

static void write_cert(strbuf *o, const probe_cert *c)
{
	bool f = true;
	sb_addc(o, '{');
	kstr(o, &f, "raw", c->raw_b64);
	key(o, &f, "parsed");
	bool g = true;
	sb_addc(o, '{');
	if (c->serial[0])
		kstr(o, &g, "serial_number", c->serial);
	if (c->nissuer_cn) {
		key(o, &g, "issuer");
		sb_adds(o, "{\"common_name\":");
		str_array(o, c->issuer_cn, c->nissuer_cn);
		sb_addc(o, '}');
	}
	kstr(o, &g, "issuer_dn", c->issuer_dn);
	if (c->not_before[0] && c->not_after[0]) {
		key(o, &g, "validity");
		sb_adds(o, "{\"start\":");
		probe_json_str(o, c->not_before, strlen(c->not_before));
		sb_adds(o, ",\"end\":");
		probe_json_str(o, c->not_after, strlen(c->not_after));
		sb_addc(o, '}');
	}
	key(o, &g, "subject");
	sb_adds(o, "{\"common_name\":");
	str_array(o, c->cn, c->ncn);
	sb_addc(o, '}');
	kstr(o, &g, "subject_dn", c->subject_dn);
	/* names: the CNs and the SANs, each once, in that order */
	key(o, &g, "names");
	sb_addc(o, '[');
	size_t k = 0;
	for (size_t i = 0; i < c->ncn + c->nsan; i++) {
		const char *s = i < c->ncn ? c->cn[i] : c->san[i - c->ncn];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(s, j < c->ncn ? c->cn[j] : c->san[j - c->ncn]);
		if (seen)
			continue;
		if (k++)
			sb_addc(o, ',');
		probe_json_str(o, s, strlen(s));
	}
	sb_addc(o, ']');
	if (c->nsan) {
		key(o, &g, "extensions");
		sb_adds(o, "{\"subject_alt_name\":{\"dns_names\":");
		str_array(o, c->san, c->nsan);
		sb_adds(o, "}}");
	}
	if (c->sha256[0])
		kstr(o, &g, "fingerprint_sha256", c->sha256);
	sb_adds(o, "}}");
}

void probe_write_scan(strbuf *o, const probe_scan *s)
{
	bool f = true;
	sb_addc(o, '{');
	kstr(o, &f, "ip", s->ip);
	sb_adds(o, ",\"data\":{\"smtp\":{");
	bool g = true;
	kstr(o, &g, "status", s->status ? s->status : "success");
	kstr(o, &g, "protocol", "smtp");
	if (s->port == 25) {
		key(o, &g, "port");
		sb_adds(o, "25");
	}
	if (s->timestamp[0])
		kstr(o, &g, "timestamp", s->timestamp);
	if (s->has_banner || s->has_ehlo || s->has_starttls || s->has_quit || s->tls) {
		key(o, &g, "result");
		bool h = true;
		sb_addc(o, '{');
		if (s->has_banner) {
			key(o, &h, "banner");
			probe_json_str(o, s->banner.data, s->banner.len);
		}
		if (s->has_ehlo) {
			key(o, &h, "ehlo");
			probe_json_str(o, s->ehlo.data, s->ehlo.len);
		}
		if (s->has_starttls) {
			key(o, &h, "starttls");
			probe_json_str(o, s->starttls.data, s->starttls.len);
		}
		if (s->tls) {
			key(o, &h, "tls");
			sb_adds(o, "{\"handshake_log\":{");
			if (s->server_name) {
				sb_adds(o, "\"client_hello\":{\"server_name\":");
				probe_json_str(o, s->server_name, strlen(s->server_name));
				sb_adds(o, "},");
			}
			sb_adds(o, "\"server_hello\":{\"version\":{\"name\":");
			probe_json_str(o, s->tls_version, strlen(s->tls_version));
			sb_adds(o, "},\"cipher_suite\":{\"name\":");
			probe_json_str(o, s->cipher, strlen(s->cipher));
			sb_adds(o, "}},\"server_certificates\":{\"certificate\":");
			write_cert(o, &s->leaf);
			sb_adds(o, ",\"chain\":[");
			for (size_t i = 0; i < s->nchain; i++) {
				if (i)
					sb_addc(o, ',');
				write_cert(o, &s->chain[i]);
			}
			sb_adds(o, "],\"validation\":{\"browser_trusted\":");
			sb_adds(o, s->trusted ? "true" : "false");
			if (s->verify_error) {
				sb_adds(o, ",\"browser_error\":");
				probe_json_str(o, s->verify_error, strlen(s->verify_error));
			}
			sb_adds(o, "}}}}");
		}
		if (s->has_quit) {
			key(o, &h, "quit");
			probe_json_str(o, s->quit.data, s->quit.len);
		}
		sb_addc(o, '}');
	}
	kstr(o, &g, "error", s->error);
	sb_adds(o, "}}}\n");
}

void probe_default_ehlo(char *buf, size_t n)
{
	char host[256] = "";
	char name[MX_NAME_MAX + 2];
	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	if (host[0] && !strchr(host, '.')) {
		struct addrinfo hints, *ai = NULL;
		memset(&hints, 0, sizeof hints);
		hints.ai_flags = AI_CANONNAME;
		hints.ai_family = AF_UNSPEC;
		if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai && ai->ai_canonname &&
		    strlen(ai->ai_canonname) < sizeof host)
			snprintf(host, sizeof host, "%s", ai->ai_canonname);
		if (ai)
			freeaddrinfo(ai);
	}
	if (!host[0] || mx_name_norm(host, strlen(host), name) || !strcmp(name, "."))
		snprintf(name, sizeof name, "localhost");
	snprintf(buf, n, "%s", name);
}

/* ---- resuming ---------------------------------------------------------- */

/* A set of IPv4 addresses: open addressing, 0 marks an empty slot (and
 * 0.0.0.0 has a flag of its own). */
typedef struct {
	uint32_t *slot;
	size_t cap, n;
	bool zero;
} ipset;

static bool ipset_has(const ipset *s, uint32_t ip)
{
	if (!ip)
		return s->zero;
	if (!s->cap)
		return false;
	for (size_t h = (ip * 2654435761u) & (s->cap - 1); s->slot[h]; h = (h + 1) & (s->cap - 1))
		if (s->slot[h] == ip)
			return true;
	return false;
}

/* true when added, false when already there */
static bool ipset_add(ipset *s, uint32_t ip)
{
	if (!ip) {
		bool had = s->zero;
		s->zero = true;
		return !had;
	}
	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 1024;
		uint32_t *nv = xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < s->cap; i++) {
			uint32_t v = s->slot[i];
			if (!v)
				continue;
			size_t h = (v * 2654435761u) & (ncap - 1);
			while (nv[h])
				h = (h + 1) & (ncap - 1);
			nv[h] = v;
		}
		free(s->slot);
		s->slot = nv;
		s->cap = ncap;
	}
	size_t h = (ip * 2654435761u) & (s->cap - 1);
	while (s->slot[h]) {
		if (s->slot[h] == ip)
			return false;
		h = (h + 1) & (s->cap - 1);
	}
	s->slot[h] = ip;
	s->n++;
	return true;
}

static size_t ipset_size(const ipset *s)
{
	return s->n + (s->zero ? 1 : 0);
}

enum { PR_MX_DONE = 1, PR_A_DONE = 2 };
#define PR_NONE UINT32_MAX

typedef struct {
	uint32_t val, next;
} pr_edge;

/* A list of values in the order added: head and tail edge per name. */
typedef struct {
	uint32_t head, tail;
} pr_list;

struct probe_prior {
	strmap *names;           /* every name the DNS rows mention */
	unsigned char *flags;    /* per name: PR_MX_DONE, PR_A_DONE */
	pr_list *mx;             /* per name: its MX hosts (name ids) */
	pr_list *a;              /* per name: its addresses */
	uint32_t *cname;         /* per name: its CNAME target, or PR_NONE */
	size_t cap;              /* of the per-name arrays */
	pr_edge *edges;
	size_t nedges, capedges;
	size_t ndomains, nhosts;
	ipset scanned;
	strbuf store[DNS_NCOLS];
	scan_rec rec;
	char err[256];
};

probe_prior *probe_prior_new(void)
{
	probe_prior *p = xcalloc(1, sizeof *p);
	p->names = strmap_new();
	for (int i = 0; i < DNS_NCOLS; i++)
		sb_init(&p->store[i]);
	scan_rec_init(&p->rec);
	return p;
}

void probe_prior_free(probe_prior *p)
{
	if (!p)
		return;
	strmap_free(p->names);
	free(p->flags);
	free(p->mx);
	free(p->a);
	free(p->cname);
	free(p->edges);
	free(p->scanned.slot);
	for (int i = 0; i < DNS_NCOLS; i++)
		sb_free(&p->store[i]);
	scan_rec_free(&p->rec);
	free(p);
}

static uint32_t pr_name(probe_prior *p, const char *name)
{
	uint32_t id = strmap_intern(p->names, name, NULL);
	if (id >= p->cap) {
		size_t ncap = p->cap ? 2 * p->cap : 1024;
		while (ncap <= id)
			ncap *= 2;
		p->flags = xrealloc(p->flags, ncap);
		p->mx = xrealloc(p->mx, ncap * sizeof *p->mx);
		p->a = xrealloc(p->a, ncap * sizeof *p->a);
		p->cname = xrealloc(p->cname, ncap * sizeof *p->cname);
		for (size_t i = p->cap; i < ncap; i++) {
			p->flags[i] = 0;
			p->mx[i] = p->a[i] = (pr_list){PR_NONE, PR_NONE};
			p->cname[i] = PR_NONE;
		}
		p->cap = ncap;
	}
	return id;
}

static void pr_push(probe_prior *p, pr_list *l, uint32_t val)
{
	for (uint32_t e = l->head; e != PR_NONE; e = p->edges[e].next)
		if (p->edges[e].val == val)
			return;
	if (p->nedges == p->capedges) {
		p->capedges = p->capedges ? 2 * p->capedges : 1024;
		p->edges = xrealloc(p->edges, p->capedges * sizeof *p->edges);
	}
	uint32_t e = (uint32_t)p->nedges++;
	p->edges[e] = (pr_edge){val, PR_NONE};
	if (l->tail == PR_NONE)
		l->head = e;
	else
		p->edges[l->tail].next = e;
	l->tail = e;
}

static void pr_done(probe_prior *p, uint32_t id, unsigned flag)
{
	if (p->flags[id] & flag)
		return;
	p->flags[id] |= (unsigned char)flag;
	if (flag == PR_MX_DONE)
		p->ndomains++;
	else
		p->nhosts++;
}

/* A line of an earlier run's output: NULL for a blank line (*why NULL) or
 * malformed JSON (*why the reason). */
static json_t *prior_parse(probe_prior *p, const char *line, size_t len, bool *raw, const char **why)
{
	*why = NULL;
	if (infile_blank(line, len))
		return NULL;
	json_t *j = jsonl_parse(line, len, raw, p->err, sizeof p->err);
	if (!j)
		*why = p->err;
	return j;
}

const char *probe_prior_dns_line(probe_prior *p, const char *line, size_t len)
{
	bool raw;
	const char *bad;
	json_t *j = prior_parse(p, line, len, &raw, &bad);
	if (!j)
		return bad;
	const char *vals[DNS_NCOLS];
	dns_row r;
	const char *why = dns_json_values(j, raw, vals, p->store, p->err, sizeof p->err);
	if (!why)
		why = dns_row_parse(vals, &r, p->err, sizeof p->err);
	json_decref(j);
	if (why)
		return why;
	uint32_t id, other;
	switch (r.kind) {
	case DNS_ROW_MX:
		id = pr_name(p, r.name);
		other = pr_name(p, r.target);
		pr_done(p, id, PR_MX_DONE);
		pr_push(p, &p->mx[id], other);
		break;
	case DNS_ROW_A:
		/* the addresses are the response name's, and the query name's
		 * when it differs (as the import reads them) */
		id = pr_name(p, r.name);
		pr_push(p, &p->a[id], r.ip);
		if (r.alias[0]) {
			other = pr_name(p, r.alias);
			pr_push(p, &p->a[other], r.ip);
			pr_done(p, other, PR_A_DONE);
		} else {
			pr_done(p, id, PR_A_DONE);
		}
		break;
	case DNS_ROW_CNAME:
		id = pr_name(p, r.name);
		other = pr_name(p, r.target);
		if (p->cname[id] == PR_NONE)
			p->cname[id] = other;
		pr_done(p, id, PR_A_DONE);
		break;
	case DNS_ROW_FAIL:
	case DNS_ROW_EMPTY:
		if (!strcmp(r.qtype, "MX"))
			pr_done(p, pr_name(p, r.name), PR_MX_DONE);
		else if (!strcmp(r.qtype, "A"))
			pr_done(p, pr_name(p, r.name), PR_A_DONE);
		break;
	default:
		break;
	}
	return NULL;
}

const char *probe_prior_scan_line(probe_prior *p, const char *line, size_t len)
{
	bool raw;
	const char *bad;
	json_t *j = prior_parse(p, line, len, &raw, &bad);
	if (!j)
		return bad;
	const char *why = scan_from_json(j, raw, &p->rec, p->err, sizeof p->err);
	json_decref(j);
	if (why)
		return why;
	uint32_t ip;
	if (!p->rec.not_smtp && mx_ipv4_parse(p->rec.ip, &ip))
		ipset_add(&p->scanned, ip);
	return NULL;
}

static const char *prior_dns(void *arg, const char *line, size_t len)
{
	return probe_prior_dns_line(arg, line, len);
}

static const char *prior_scan(void *arg, const char *line, size_t len)
{
	return probe_prior_scan_line(arg, line, len);
}

int probe_prior_load(probe_prior *p, const char *path, bool scans, FILE *log, uint64_t *skipped, char **err)
{
	struct stat st;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	return each_line(path, scans ? prior_scan : prior_dns, p, log, " (skipped: done again)", false, skipped, err);
}

size_t probe_prior_domains(const probe_prior *p)
{
	return p ? p->ndomains : 0;
}

size_t probe_prior_hosts(const probe_prior *p)
{
	return p ? p->nhosts : 0;
}

size_t probe_prior_scans(const probe_prior *p)
{
	return p ? ipset_size(&p->scanned) : 0;
}

/* The id of a name whose lookup of that kind is done, or PR_NONE. */
static uint32_t pr_done_id(const probe_prior *p, const char *name, unsigned flag)
{
	if (!p)
		return PR_NONE;
	uint32_t id = strmap_find(p->names, name);
	return id != PR_NONE && (p->flags[id] & flag) ? id : PR_NONE;
}

FILE *probe_out_open(const char *path, long *dropped, char **err)
{
	*dropped = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	off_t end = st.st_size, keep = 0, pos = end;
	char buf[4096];
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf("%s: not a regular file (the probe appends to it and reads it back)", path);
		close(fd);
		return NULL;
	}
	/* the compressions mxray reads: a line appended would break the file */
	static const struct {
		const char *magic;
		size_t n;
	} packed[] = {{"\x1f\x8b", 2}, {"BZh", 3}, {"\xfd" "7zXZ", 5}, {"\x28\xb5\x2f\xfd", 4}};
	ssize_t head = end ? pread(fd, buf, 6, 0) : 0;
	for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
		if (head >= (ssize_t)packed[i].n && !memcmp(buf, packed[i].magic, packed[i].n)) {
			*err = xasprintf("%s is compressed: the probe appends to it; decompress it first", path);
			close(fd);
			return NULL;
		}
	while (pos > 0) {
		size_t n = pos > (off_t)sizeof buf ? sizeof buf : (size_t)pos;
		pos -= (off_t)n;
		if (pread(fd, buf, n, pos) != (ssize_t)n)
			goto fail;
		size_t k = n;
		while (k && buf[k - 1] != '\n')
			k--;
		if (k) {
			keep = pos + (off_t)k;
			break;
		}
	}
	if (keep < end) {
		if (ftruncate(fd, keep) < 0)
			goto fail;
		*dropped = (long)(end - keep);
	}
	if (lseek(fd, 0, SEEK_END) < 0)
		goto fail;
	FILE *f = fdopen(fd, "a");
	if (f)
		return f;
fail:
	*err = xasprintf("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* ---- the engine -------------------------------------------------------- */

/* Two event loops share the SMTP sessions when the machine has two cores
 * or more: the main thread's also serves the resolver and writes the
 * files, the other only runs sessions.  What they share (the addresses to
 * probe, the rate limit, the finished records, the counts) is under one
 * mutex, taken once per loop turn. */

typedef struct {
	uint32_t ip;
	char *sni;               /* with --sni: the first MX host name that led
				  * to the address (owned), else NULL */
} target;

/* An open session, in its loop's list in start order: with one timeout for
 * all, that is deadline order, so the first is the next to time out. */
typedef struct {
	probe_conn *c;
	char *sni;
	int prev, next;
	uint32_t events;         /* registered with epoll */
} slot;

/* epoll data: a slot's index, a resolver socket with this tag, or the
 * loop's wake-up */
#define ARES_TAG (1ull << 40)
#define WAKE_TAG (1ull << 41)

typedef struct engine engine;

typedef struct {
	engine *e;
	int ep;
	int wake;                /* eventfd: the main thread wakes the loop */
	slot *slots;
	int *free_slots, nfree, nslots;
	int first, last, open;
	strbuf out;              /* records finished, not yet handed over */
	uint64_t done, banner, tls, trusted, failed;
	pthread_t th;
	bool thread;
} loop;

struct engine {
	const probe_opts *o;
	probe_counts *c;
	FILE *dns_out, *scan_out;
	strbuf dns_buf;
	long long flushed_ms;
	ares_channel ch;
	probe_tls *tls;
	bool stopping;
	int dns_inflight;
	uint64_t resolved;       /* domains whose MX answer came back, or needed none */
	strmap *hosts;           /* MX hosts seen */
	uint32_t *aq;            /* A queries waiting (host ids) */
	size_t naq, capaq, nextaq;
	ipset seen;              /* addresses seen */
	double gap_ms;           /* between connections (the rate) */
	loop loops[2];
	int nloops;
	/* shared by the loops, under mu */
	pthread_mutex_t mu;
	target *tq;              /* addresses to probe, in order found */
	size_t ntq, captq, nexttq;
	double next_start;       /* the next connection, not before (ms) */
	strbuf scan_buf;         /* records handed over, not yet written */
	bool dns_done;           /* nothing more will be queued */
	bool stop;               /* interrupted or failed: drop what is open */
	bool idle;               /* the second loop waits for addresses */
	bool second_over;        /* the second loop has ended */
	int io_error;
	const char *io_file;     /* the file a write failed in */
};

typedef struct {
	engine *e;
	const char *name;        /* the domain (MX) or the host (A) */
	uint32_t host;           /* A: the host's id */
	bool mx;
} query;

static long long wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void wake(loop *L)
{
	uint64_t one = 1;
	if (L->wake >= 0 && write(L->wake, &one, sizeof one) < 0) {
		/* a full counter wakes it anyway */
	}
}

/* Write what the buffers hold (main thread): whole lines, and whole groups
 * of them (one DNS answer's rows). */
static void flush_out(engine *e)
{
	static strbuf none;
	strbuf scans = none;
	pthread_mutex_lock(&e->mu);
	scans = e->scan_buf;
	sb_init(&e->scan_buf);
	pthread_mutex_unlock(&e->mu);
	errno = 0;
	if (e->dns_buf.len && (fwrite(e->dns_buf.data, 1, e->dns_buf.len, e->dns_out) != e->dns_buf.len ||
			       fflush(e->dns_out)) && !e->io_error) {
		e->io_error = errno ? errno : EIO;
		e->io_file = e->o->dns_name ? e->o->dns_name : "dns.jsonl";
	}
	errno = 0;
	if (scans.len && (fwrite(scans.data, 1, scans.len, e->scan_out) != scans.len || fflush(e->scan_out)) &&
	    !e->io_error) {
		e->io_error = errno ? errno : EIO;
		e->io_file = e->o->scan_name ? e->o->scan_name : "scans.jsonl";
	}
	sb_clear(&e->dns_buf);
	sb_free(&scans);
}

static void add_address(engine *e, uint32_t ip, uint32_t host)
{
	if (!ipset_add(&e->seen, ip))
		return;
	e->c->addresses++;
	bool hard;
	const char *special = probe_special_range(ip, &hard);
	if (probe_exclude_ip(e->o->exclude, ip)) {
		e->c->excluded_addresses++;
		return;
	}
	if (special && (hard || !probe_exclude_ip(e->o->allow, ip))) {
		e->c->special_addresses++;
		return;
	}
	if (e->o->prior && ipset_has(&e->o->prior->scanned, ip)) {
		e->c->resumed_addresses++;
		return;
	}
	target t = {ip, e->o->sni ? xstrdup(strmap_key(e->hosts, host)) : NULL};
	pthread_mutex_lock(&e->mu);
	if (e->ntq == e->captq) {
		e->captq = e->captq ? 2 * e->captq : 256;
		e->tq = xrealloc(e->tq, e->captq * sizeof *e->tq);
	}
	e->tq[e->ntq++] = t;
	bool idle = e->idle;
	e->idle = false;
	pthread_mutex_unlock(&e->mu);
	if (idle)
		wake(&e->loops[1]);
}

/* An earlier run looked the host up: its addresses, or its CNAME target's
 * (one CNAME followed, as the import does). */
static void replay_host(engine *e, uint32_t pid, uint32_t host)
{
	const probe_prior *p = e->o->prior;
	uint32_t l = p->a[pid].head;
	if (l == PR_NONE && p->cname[pid] != PR_NONE)
		l = p->a[p->cname[pid]].head;
	for (; l != PR_NONE; l = p->edges[l].next)
		add_address(e, p->edges[l].val, host);
}

static void add_host(engine *e, const char *host)
{
	int added = 0;
	uint32_t id = strmap_intern(e->hosts, host, &added);
	if (!added)
		return;
	e->c->hosts++;
	if (probe_exclude_name(e->o->exclude, host)) {
		e->c->excluded_hosts++;
		return;
	}
	uint32_t pid = pr_done_id(e->o->prior, host, PR_A_DONE);
	if (pid != PR_NONE) {
		e->c->resumed_hosts++;
		replay_host(e, pid, id);
		return;
	}
	if (e->naq == e->capaq) {
		e->capaq = e->capaq ? 2 * e->capaq : 256;
		e->aq = xrealloc(e->aq, e->capaq * sizeof *e->aq);
	}
	e->aq[e->naq++] = id;
}

/* An earlier run looked the domain up: its MX hosts. */
static void replay_domain(engine *e, uint32_t pid)
{
	const probe_prior *p = e->o->prior;
	for (uint32_t l = p->mx[pid].head; l != PR_NONE; l = p->edges[l].next) {
		const char *host = strmap_key(p->names, p->edges[l].val);
		if (strcmp(host, "."))
			add_host(e, host);
	}
}

/* c-ares status to the DNS rcode written (65535: no answer). */
static unsigned rcode_of(int status)
{
	switch (status) {
	case ARES_EFORMERR:
		return 1;
	case ARES_ESERVFAIL:
		return 2;
	case ARES_ENOTFOUND:
		return 3;
	case ARES_ENOTIMP:
		return 4;
	case ARES_EREFUSED:
		return 5;
	default:
		return 65535;
	}
}

static void write_status(engine *e, const query *q, int status)
{
	probe_dns_row r = {.qtype = q->mx ? "MX" : "A", .qname = q->name, .ts_ms = wall_ms()};
	if (status == ARES_ENODATA) {
		e->c->dns_nodata++;
	} else {
		r.status = rcode_of(status);
		e->c->dns_failed++;
	}
	probe_write_dns(&e->dns_buf, &r);
}

static void on_mx(engine *e, query *q, const unsigned char *abuf, int alen)
{
	struct ares_mx_reply *mx = NULL;
	int st = ares_parse_mx_reply(abuf, alen, &mx);
	if (st != ARES_SUCCESS || !mx) {
		write_status(e, q, st == ARES_SUCCESS || st == ARES_ENODATA ? ARES_ENODATA : st);
		if (mx)
			ares_free_data(mx);
		return;
	}
	long long ts = wall_ms();
	for (struct ares_mx_reply *m = mx; m; m = m->next) {
		char host[MX_NAME_MAX + 2];
		const char *h = m->host ? m->host : "";
		if (!*h) {
			snprintf(host, sizeof host, ".");
		} else if (mx_name_norm(h, strlen(h), host)) {
			continue; /* not a host name: nothing to look up */
		}
		probe_dns_row r = {.qtype = "MX", .qname = q->name, .rtype = "MX", .rname = q->name,
				   .mx = host, .pref = m->priority, .ts_ms = ts};
		probe_write_dns(&e->dns_buf, &r);
		e->c->mx_records++;
		if (strcmp(host, "."))
			add_host(e, host);
	}
	ares_free_data(mx);
}

static void on_a(engine *e, query *q, const unsigned char *abuf, int alen)
{
	struct hostent *he = NULL;
	struct ares_addrttl ttls[64];
	int nttl = 64;
	int st = ares_parse_a_reply(abuf, alen, &he, ttls, &nttl);
	if (st != ARES_SUCCESS || !he || nttl <= 0) {
		write_status(e, q, st == ARES_SUCCESS || st == ARES_ENODATA ? ARES_ENODATA : st);
		if (he)
			ares_free_hostent(he);
		return;
	}
	long long ts = wall_ms();
	char canon[MX_NAME_MAX + 2];
	const char *owner = q->name;
	if (he->h_name && !mx_name_norm(he->h_name, strlen(he->h_name), canon) && strcmp(canon, q->name) &&
	    strcmp(canon, ".")) {
		/* an alias: the CNAME, then the addresses under the target's name
		 * (so that the import records which name was followed) */
		probe_dns_row r = {.qtype = "A", .qname = q->name, .rtype = "CNAME", .rname = q->name,
				   .cname = canon, .ts_ms = ts};
		probe_write_dns(&e->dns_buf, &r);
		owner = canon;
	}
	for (int i = 0; i < nttl; i++) {
		char ip[16];
		uint32_t a = ntohl(ttls[i].ipaddr.s_addr);
		mx_ipv4_format(a, ip);
		probe_dns_row r = {.qtype = "A", .qname = owner, .rtype = "A", .rname = owner, .ip4 = ip, .ts_ms = ts};
		probe_write_dns(&e->dns_buf, &r);
		add_address(e, a, q->host);
	}
	ares_free_hostent(he);
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	query *q = arg;
	engine *e = q->e;
	e->dns_inflight--;
	if (!e->stopping && status != ARES_EDESTRUCTION && status != ARES_ECANCELLED) {
		if (q->mx)
			e->resolved++;
		if (status == ARES_SUCCESS)
			(q->mx ? on_mx : on_a)(e, q, abuf, alen);
		else
			write_status(e, q, status);
	}
	free(q);
}

static void ask(engine *e, const char *name, uint32_t host, bool mx)
{
	query *q = xmalloc(sizeof *q);
	*q = (query){e, name, host, mx};
	e->dns_inflight++;
	ares_query(e->ch, name, 1 /* IN */, mx ? 15 /* MX */ : 1 /* A */, on_answer, q);
}

/* c-ares opens, watches and closes its sockets: mirror that in the main
 * loop's epoll. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	engine *e = data;
	struct epoll_event ev;
	memset(&ev, 0, sizeof ev);
	ev.events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
	ev.data.u64 = ARES_TAG | (uint32_t)fd;
	if (!ev.events) {
		epoll_ctl(e->loops[0].ep, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(e->loops[0].ep, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(e->loops[0].ep, EPOLL_CTL_ADD, fd, &ev);
}

static uint32_t epoll_events_of(short ev)
{
	return (ev & POLLIN ? EPOLLIN : 0u) | (ev & POLLOUT ? EPOLLOUT : 0u);
}

static short poll_events_of(uint32_t ev)
{
	return (short)((ev & EPOLLIN ? POLLIN : 0) | (ev & EPOLLOUT ? POLLOUT : 0) | (ev & EPOLLERR ? POLLERR : 0) |
		       (ev & EPOLLHUP ? POLLHUP : 0));
}

/* The session in slot i is over: its record into the loop's buffer, the
 * slot freed. */
static void finish_slot(loop *L, int i)
{
	slot *s = &L->slots[i];
	probe_scan rec;
	probe_conn_finish(s->c, &rec); /* closing the socket takes it out of epoll */
	probe_write_scan(&L->out, &rec);
	L->done++;
	L->banner += rec.has_banner;
	L->tls += rec.tls;
	L->trusted += rec.tls && rec.trusted;
	L->failed += strcmp(rec.status, "success") != 0;
	probe_scan_free(&rec);
	free(s->sni);
	s->sni = NULL;
	s->c = NULL;
	if (s->prev >= 0)
		L->slots[s->prev].next = s->next;
	else
		L->first = s->next;
	if (s->next >= 0)
		L->slots[s->next].prev = s->prev;
	else
		L->last = s->prev;
	L->free_slots[L->nfree++] = i;
	L->open--;
}

/* Drop the sessions still open, unwritten (a resumed run probes them). */
static void drop_open(loop *L)
{
	while (L->first >= 0) {
		int i = L->first;
		probe_scan s;
		probe_conn_finish(L->slots[i].c, &s);
		probe_scan_free(&s);
		free(L->slots[i].sni);
		L->slots[i].sni = NULL;
		L->slots[i].c = NULL;
		L->first = L->slots[i].next;
	}
	L->last = -1;
	L->open = 0;
}

/* Watch the session's socket for what it waits for now. */
static void rearm(loop *L, int i)
{
	slot *s = &L->slots[i];
	uint32_t want = epoll_events_of(probe_conn_events(s->c));
	if (want == s->events)
		return;
	struct epoll_event ev;
	memset(&ev, 0, sizeof ev);
	ev.events = want;
	ev.data.u64 = (uint64_t)i;
	epoll_ctl(L->ep, s->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, probe_conn_fd(s->c), &ev);
	s->events = want;
}

static void start_session(loop *L, target t)
{
	const probe_opts *o = L->e->o;
	int i = L->free_slots[--L->nfree];
	slot *s = &L->slots[i];
	s->sni = t.sni;
	s->c = probe_conn_start(L->e->tls, t.ip, o->port, o->ehlo, t.sni, o->timeout);
	s->events = 0;
	s->next = -1;
	s->prev = L->last;
	if (L->last >= 0)
		L->slots[L->last].next = i;
	else
		L->first = i;
	L->last = i;
	L->open++;
	if (probe_conn_fd(s->c) < 0 || !probe_conn_events(s->c)) {
		finish_slot(L, i); /* failed at once */
		return;
	}
	rearm(L, i);
}

/* One turn of a loop's SMTP work, under the lock: hand over the finished
 * records and counts, take addresses for the free slots as the rate allows.
 * Returns how many were taken into t[]. */
static int trade(loop *L, long long now, target *t, int max)
{
	engine *e = L->e;
	int k = 0;
	pthread_mutex_lock(&e->mu);
	if (L->out.len) {
		sb_add(&e->scan_buf, L->out.data, L->out.len);
		sb_clear(&L->out);
	}
	probe_counts *c = e->c;
	c->smtp_done += L->done;
	c->smtp_banner += L->banner;
	c->smtp_tls += L->tls;
	c->smtp_trusted += L->trusted;
	c->smtp_failed += L->failed;
	L->done = L->banner = L->tls = L->trusted = L->failed = 0;
	while (!e->stop && k < max && k < L->nfree && e->nexttq < e->ntq && (double)now >= e->next_start) {
		t[k++] = e->tq[e->nexttq++];
		e->next_start = (e->next_start < (double)now - e->gap_ms ? (double)now : e->next_start) + e->gap_ms;
	}
	pthread_mutex_unlock(&e->mu);
	return k;
}

/* The loop's sessions after epoll: advance the ready ones, end the ones
 * past their deadline. */
static void sessions(loop *L, const struct epoll_event *evs, int nev, long long now)
{
	for (int k = 0; k < nev; k++) {
		uint64_t d = evs[k].data.u64;
		if (d & (ARES_TAG | WAKE_TAG))
			continue;
		int i = (int)d;
		if (!L->slots[i].c)
			continue;
		if (probe_conn_step(L->slots[i].c, poll_events_of(evs[k].events), now))
			finish_slot(L, i);
		else
			rearm(L, i);
	}
	while (L->first >= 0 && probe_conn_deadline(L->slots[L->first].c) <= now) {
		int i = L->first;
		probe_conn_step(L->slots[i].c, 0, now);
		finish_slot(L, i);
	}
}

/* How long the loop may sleep: its next deadline, and the next start the
 * rate allows when it has room and addresses are waiting. */
static long long loop_wait(loop *L, long long now, long long wait)
{
	engine *e = L->e;
	if (L->first >= 0) {
		long long w = probe_conn_deadline(L->slots[L->first].c) - now;
		if (w < wait)
			wait = w;
	}
	if (L->nfree) {
		pthread_mutex_lock(&e->mu);
		if (e->nexttq < e->ntq) {
			long long w = (long long)(e->next_start - (double)now) + 1;
			if (w < wait)
				wait = w;
		}
		pthread_mutex_unlock(&e->mu);
	}
	return wait < 0 ? 0 : wait;
}

/* The second loop: sessions only, until the main thread says stop, or
 * nothing more will come and its own sessions are over. */
static void *second_loop(void *arg)
{
	loop *L = arg;
	engine *e = L->e;
	struct epoll_event evs[256];
	target t[64];
	for (;;) {
		long long now = probe_now_ms();
		int k = trade(L, now, t, (int)(sizeof t / sizeof t[0]));
		for (int j = 0; j < k; j++)
			start_session(L, t[j]);
		pthread_mutex_lock(&e->mu);
		bool stop = e->stop, empty = e->nexttq >= e->ntq;
		bool over = stop || (e->dns_done && empty && !L->open && !L->out.len);
		if (!over && empty && !e->dns_done)
			e->idle = true; /* the main thread wakes it with addresses */
		pthread_mutex_unlock(&e->mu);
		if (over)
			break;
		long long wait = loop_wait(L, now, 250);
		int nev = epoll_wait(L->ep, evs, (int)(sizeof evs / sizeof evs[0]), (int)wait);
		now = probe_now_ms();
		for (int j = 0; j < nev; j++)
			if (evs[j].data.u64 == WAKE_TAG) {
				uint64_t v;
				if (read(L->wake, &v, sizeof v) < 0) {
					/* nothing to read: woken anyway */
				}
			}
		sessions(L, evs, nev > 0 ? nev : 0, now);
	}
	trade(L, probe_now_ms(), t, 0); /* the last records */
	drop_open(L);
	pthread_mutex_lock(&e->mu);
	e->second_over = true;
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

static int loop_init(loop *L, engine *e, int nslots, bool second)
{
	memset(L, 0, sizeof *L);
	L->e = e;
	L->first = L->last = -1;
	L->wake = -1;
	sb_init(&L->out);
	L->ep = epoll_create1(EPOLL_CLOEXEC);
	if (L->ep < 0)
		return -1;
	if (second) {
		L->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		struct epoll_event ev;
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.u64 = WAKE_TAG;
		if (L->wake < 0 || epoll_ctl(L->ep, EPOLL_CTL_ADD, L->wake, &ev) < 0)
			return -1;
	}
	L->nslots = nslots;
	L->slots = xcalloc((size_t)nslots, sizeof *L->slots);
	L->free_slots = xmalloc((size_t)nslots * sizeof *L->free_slots);
	for (int i = 0; i < nslots; i++)
		L->free_slots[L->nfree++] = nslots - 1 - i;
	return 0;
}

static void loop_free(loop *L)
{
	if (L->ep >= 0)
		close(L->ep);
	if (L->wake >= 0)
		close(L->wake);
	free(L->slots);
	free(L->free_slots);
	sb_free(&L->out);
}

int probe_concurrency_cap(int want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want < 200 ? want : 200;
	rlim_t need = (rlim_t)want + 64;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		struct rlimit nr = rl;
		nr.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &nr) == 0)
			rl = nr;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return want;
	long room = (long)rl.rlim_cur - 64;
	return room < 1 ? 1 : (int)room;
}

/* The progress line: domains resolved, addresses probed of those found,
 * the session rate over the last seconds, errors. */
typedef struct {
	progress pg;
	long long t[8];
	uint64_t done[8];
	int k;
	long long next_ms;
} ticker;

static void tick(ticker *tk, engine *e, long long now)
{
	if (!tk->pg.on || now < tk->next_ms)
		return;
	tk->next_ms = now + 250;
	pthread_mutex_lock(&e->mu);
	uint64_t done = e->c->smtp_done, errors = e->c->dns_failed + e->c->smtp_failed, found = e->ntq;
	pthread_mutex_unlock(&e->mu);
	int old = (tk->k + 1) % 8;
	tk->t[tk->k] = now;
	tk->done[tk->k] = done;
	double rate = 0;
	if (tk->t[old] && now > tk->t[old])
		rate = (double)(done - tk->done[old]) * 1000.0 / (double)(now - tk->t[old]);
	tk->k = old;
	char unit[128];
	snprintf(unit, sizeof unit, "domains resolved, %llu/%llu addresses probed, %.0f/s, %llu errors",
		 (unsigned long long)done, (unsigned long long)found, rate, (unsigned long long)errors);
	progress_update(&tk->pg, e->resolved, e->resolved, unit);
}

static void engine_free(engine *e)
{
	e->stopping = true;
	if (e->ch)
		ares_destroy(e->ch); /* before the epoll it reports to is closed */
	ares_library_cleanup();
	for (int i = 0; i < 2; i++)
		loop_free(&e->loops[i]);
	probe_tls_free(e->tls);
	for (size_t i = e->nexttq; i < e->ntq; i++)
		free(e->tq[i].sni);
	free(e->tq);
	free(e->aq);
	free(e->seen.slot);
	strmap_free(e->hosts);
	sb_free(&e->dns_buf);
	sb_free(&e->scan_buf);
	pthread_mutex_destroy(&e->mu);
}

/* Set the engine up: c-ares, the event loops, TLS.  -1 with *err (the
 * caller frees the engine either way). */
static int engine_init(engine *e, const probe_opts *o, probe_counts *c, FILE *dns_out, FILE *scan_out, char **err)
{
	e->o = o;
	e->c = c;
	e->dns_out = dns_out;
	e->scan_out = scan_out;
	e->loops[0].ep = e->loops[1].ep = e->loops[0].wake = e->loops[1].wake = -1;
	sb_init(&e->dns_buf);
	sb_init(&e->scan_buf);
	pthread_mutex_init(&e->mu, NULL);
	e->hosts = strmap_new();
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		*err = xasprintf("c-ares: %s", ares_strerror(rc));
		return -1;
	}
	int conc = probe_concurrency_cap(o->concurrency > 0 ? o->concurrency : 1);
	c->concurrency = conc;
	e->nloops = conc >= 2 && sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	for (int i = 0; i < e->nloops; i++)
		if (loop_init(&e->loops[i], e, conc / e->nloops + (i < conc % e->nloops), i > 0) < 0) {
			*err = xasprintf("epoll: %s", strerror(errno));
			return -1;
		}
	struct ares_options ao;
	memset(&ao, 0, sizeof ao);
	int tms = (int)(o->timeout * 1000);
	ao.timeout = tms < 200 ? 200 : tms > 5000 ? 5000 : tms;
	ao.tries = 2;
	ao.flags = ARES_FLAG_EDNS;
	ao.ednspsz = 1232;
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = e;
	rc = ares_init_options(&e->ch, &ao,
			       ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ |
				       ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS) {
		e->ch = NULL;
		*err = xasprintf("c-ares: %s", ares_strerror(rc));
		return -1;
	}
	if (o->resolver && (rc = ares_set_servers_ports_csv(e->ch, o->resolver)) != ARES_SUCCESS) {
		*err = xasprintf("--resolver %s: %s", o->resolver, ares_strerror(rc));
		return -1;
	}
	e->tls = probe_tls_new(o->ca_file, err);
	if (!e->tls)
		return -1;
	e->gap_ms = o->rate > 0 ? 1000.0 / o->rate : 0;
	e->next_start = (double)probe_now_ms();
	e->flushed_ms = probe_now_ms();
	return 0;
}

/* Start the second event loop's thread, when there is one. */
static void start_second_loop(engine *e)
{
	if (e->nloops < 2)
		return;
	/* signals are the main thread's: it is the one that must notice */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e->loops[1].thread = pthread_create(&e->loops[1].th, NULL, second_loop, &e->loops[1]) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->loops[1].thread)
		e->nloops = 1; /* its sessions' share stays unused */
}

/* Ask what can be asked now: addresses first, so the SMTP side is kept
 * busy, then the next domains' MX records. */
static void queue_lookups(engine *e, char *const *domains, size_t n, size_t *next_domain)
{
	const probe_opts *o = e->o;
	while (e->dns_inflight < PROBE_DNS_INFLIGHT && e->nextaq < e->naq) {
		uint32_t h = e->aq[e->nextaq++];
		ask(e, strmap_key(e->hosts, h), h, false);
	}
	while (e->dns_inflight < PROBE_DNS_INFLIGHT && *next_domain < n) {
		const char *d = domains[(*next_domain)++];
		e->c->domains++;
		if (probe_exclude_name(o->exclude, d)) {
			e->c->excluded_domains++;
			e->resolved++;
			continue;
		}
		uint32_t pid = pr_done_id(o->prior, d, PR_MX_DONE);
		if (pid != PR_NONE) {
			e->c->resumed_domains++;
			e->resolved++;
			replay_domain(e, pid);
			continue;
		}
		ask(e, d, 0, true);
	}
}

/* Wait up to `wait` ms for events on the first loop, and handle them:
 * DNS answers and time-outs, then SMTP sessions.  -1 with *err. */
static int poll_once(engine *e, loop *L, long long wait, char **err)
{
	struct epoll_event evs[256];
	if (e->dns_inflight) {
		struct timeval maxtv = {0, 250000}, tv, *tt = ares_timeout(e->ch, &maxtv, &tv);
		if (tt) {
			long long w = (long long)tt->tv_sec * 1000 + (tt->tv_usec + 999) / 1000;
			if (w < wait)
				wait = w;
		}
	}
	int nev = epoll_wait(L->ep, evs, (int)(sizeof evs / sizeof evs[0]), (int)wait);
	if (nev < 0 && errno != EINTR) {
		*err = xasprintf("epoll_wait: %s", strerror(errno));
		return -1;
	}
	if (probe_interrupted)
		return 0;
	long long now = probe_now_ms();
	for (int j = 0; j < nev; j++) {
		uint64_t d = evs[j].data.u64;
		if (d & ARES_TAG) {
			ares_socket_t fd = (ares_socket_t)(d & 0xffffffffu);
			uint32_t r = evs[j].events;
			ares_process_fd(e->ch, r & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
					r & EPOLLOUT ? fd : ARES_SOCKET_BAD);
		}
	}
	if (e->dns_inflight)
		ares_process_fd(e->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* time-outs */
	sessions(L, evs, nev > 0 ? nev : 0, now);
	if (e->dns_buf.len > 256 * 1024 || now - e->flushed_ms >= 1000) {
		flush_out(e);
		e->flushed_ms = now;
	}
	return 0;
}

/* The first loop, until every domain is done (or an interrupt, or an
 * error: -1 with *err). */
static int run_loop(engine *e, char *const *domains, size_t n, char **err)
{
	loop *L = &e->loops[0];
	target t[64];
	size_t next_domain = 0;
	ticker tk;
	memset(&tk, 0, sizeof tk);
	progress_begin(&tk.pg, e->o->progress, "probe", n);
	int rc = 0;
	while (!probe_interrupted && !e->io_error) {
		queue_lookups(e, domains, n, &next_domain);
		bool dns_done = !e->dns_inflight && e->nextaq >= e->naq && next_domain >= n;
		long long now = probe_now_ms();
		int k = trade(L, now, t, (int)(sizeof t / sizeof t[0]));
		for (int j = 0; j < k; j++)
			start_session(L, t[j]);
		pthread_mutex_lock(&e->mu);
		bool tell = dns_done && !e->dns_done, empty = e->nexttq >= e->ntq;
		bool others = e->nloops > 1 && !e->second_over;
		e->dns_done = dns_done;
		pthread_mutex_unlock(&e->mu);
		if (tell && e->nloops > 1)
			wake(&e->loops[1]); /* nothing more will come */
		if (dns_done && empty && !L->open && !others)
			break;
		/* only the second loop's last sessions are left: look often */
		if ((rc = poll_once(e, L, loop_wait(L, now, dns_done && empty && !L->open ? 10 : 250), err)) < 0)
			break;
		tick(&tk, e, probe_now_ms());
	}
	progress_end(&tk.pg);
	return rc;
}

int probe_run(const probe_opts *o, char *const *domains, size_t n, FILE *dns_out, FILE *scan_out,
	      probe_counts *c, char **err)
{
	memset(c, 0, sizeof *c);
	*err = NULL;
	long long t0 = probe_now_ms();
	engine e;
	memset(&e, 0, sizeof e);
	if (engine_init(&e, o, c, dns_out, scan_out, err) < 0) {
		engine_free(&e);
		return -1;
	}
	/* a server that resets the connection must not end the run: OpenSSL
	 * writes with write(2), which raises SIGPIPE on a broken connection */
	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);
	start_second_loop(&e);
	run_loop(&e, domains, n, err);
	e.stopping = true;
	int ret = 0;
	if (*err || e.io_error || probe_interrupted) {
		pthread_mutex_lock(&e.mu);
		e.stop = true;
		pthread_mutex_unlock(&e.mu);
		ret = *err || e.io_error ? -1 : 1;
	}
	if (e.nloops > 1) {
		wake(&e.loops[1]);
		pthread_join(e.loops[1].th, NULL);
	}
	/* what is complete is written; sessions still open are dropped
	 * unwritten (a resumed run probes them) */
	target t[1];
	trade(&e.loops[0], probe_now_ms(), t, 0);
	drop_open(&e.loops[0]);
	flush_out(&e);
	if (!*err && e.io_error) {
		*err = xasprintf("cannot write %s: %s; nothing was imported (the same command again continues from "
				 "what was written)", e.io_file, strerror(e.io_error));
		ret = -1;
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	engine_free(&e);
	c->seconds = (double)(probe_now_ms() - t0) / 1000.0;
	return ret;
}

int probe_snapshot_has_pfx2as(store *st, const char *snapshot, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT EXISTS(SELECT 1 FROM pfx2as WHERE snapshot = ?1)", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	int rc = sqlite3_step(s), has = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	if (has < 0)
		*err = store_db_error(store_db(st), "reading the pfx2as table");
	sqlite3_reset(s); /* the store keeps and finalises it */
	return has;
}

/* ---- the domains to probe --------------------------------------------- */

const char *probe_domains_add(probe_domains *d, const char *s, size_t len)
{
	const char *hash = memchr(s, '#', len);
	if (hash)
		len = (size_t)(hash - s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	size_t off = 0;
	while (off < len && (s[off] == ' ' || s[off] == '\t'))
		off++;
	for (size_t i = off; i < len; i++)
		if (s[i] == ',')
			off = i + 1;
	if (off >= len)
		return NULL;
	char name[MX_NAME_MAX + 2];
	const char *why = mx_name_norm(s + off, len - off, name);
	if (why)
		return why;
	if (!strcmp(name, "."))
		return "the root name is not a domain";
	if (!d->seen)
		d->seen = strmap_new();
	int added = 0;
	strmap_intern(d->seen, name, &added);
	if (added) {
		if (d->n == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 64;
			d->v = xrealloc(d->v, d->cap * sizeof *d->v);
		}
		d->v[d->n++] = xstrdup(name);
	}
	return NULL;
}

static const char *domain_line(void *arg, const char *line, size_t len)
{
	return probe_domains_add(arg, line, len);
}

int probe_domains_load(probe_domains *d, const char *path, FILE *log, char **err)
{
	uint64_t refused = 0;
	int rc = each_line(path, domain_line, d, log, " (skipped)", false, &refused, err);
	if (rc == 0 && refused > 10 && log)
		fprintf(log, "%s: %llu lines skipped in all\n", path, (unsigned long long)refused);
	return rc;
}

void probe_domains_free(probe_domains *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	strmap_free(d->seen);
	memset(d, 0, sizeof *d);
}
