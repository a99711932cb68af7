/* probe: the exclude list, the output records, and the engine: c-ares
 * lookups and SMTP sessions in one poll() loop. */
#include "mxray/probe.h"
#include "mxray/progress.h"
#include "mxray/strmap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

volatile sig_atomic_t probe_interrupted;

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
	char *slash = strchr(buf, '/');
	uint32_t ip;
	if (slash) {
		*slash = '\0';
		uint64_t bits;
		if (!mx_ipv4_parse(buf, &ip))
			return "not an IPv4 CIDR (address/bits)";
		if (!mx_parse_u64(slash + 1, &bits) || bits > 32)
			return "CIDR prefix length is not 0-32";
		uint32_t mask = bits ? ~(uint32_t)0 << (32 - bits) : 0;
		if (x->ncidr == x->capcidr) {
			x->capcidr = x->capcidr ? 2 * x->capcidr : 16;
			x->cidr = xrealloc(x->cidr, x->capcidr * sizeof *x->cidr);
		}
		x->cidr[x->ncidr].net = ip & mask;
		x->cidr[x->ncidr++].mask = mask;
		return NULL;
	}
	if (mx_ipv4_parse(buf, &ip)) {
		if (x->ncidr == x->capcidr) {
			x->capcidr = x->capcidr ? 2 * x->capcidr : 16;
			x->cidr = xrealloc(x->cidr, x->capcidr * sizeof *x->cidr);
		}
		x->cidr[x->ncidr].net = ip;
		x->cidr[x->ncidr++].mask = ~(uint32_t)0;
		return NULL;
	}
	char name[MX_NAME_MAX + 2];
	const char *why = mx_name_norm(buf, len, name);
	if (why)
		return why;
	if (!strcmp(name, "."))
		return "the root name would exclude everything";
	strmap_intern(x->names, name, NULL);
	return NULL;
}

int probe_exclude_load(probe_exclude *x, const char *path, char **err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		const char *why = probe_exclude_add(x, line, (size_t)n);
		if (why) {
			*err = xasprintf("%s:%ld: %s", path, lineno, why);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
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
			sb_adds(o, "{\"handshake_log\":{\"server_hello\":{\"version\":{\"name\":");
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

/* ---- the engine -------------------------------------------------------- */

typedef struct {
	const probe_opts *o;
	probe_counts *c;
	FILE *dns_out, *scan_out;
	ares_channel ch;
	bool stopping;
	int dns_inflight;
	strmap *hosts;           /* MX hosts seen */
	char **aq;               /* A queries waiting */
	size_t naq, capaq, nextaq;
	uint32_t *ipset;         /* open addressing; 0 = empty slot */
	size_t ipcap, ipn;
	uint32_t *ips;           /* addresses to probe, in order found */
	size_t nips, capips, nextip;
	strbuf line;
	int io_error;
} engine;

typedef struct {
	engine *e;
	char *name;
	bool mx;
} query;

static long long wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void emit(engine *e, FILE *f)
{
	if (fwrite(e->line.data, 1, e->line.len, f) != e->line.len)
		e->io_error = errno ? errno : EIO;
	sb_clear(&e->line);
}

static bool ipset_add(engine *e, uint32_t ip)
{
	if (2 * (e->ipn + 1) > e->ipcap) {
		size_t ncap = e->ipcap ? 2 * e->ipcap : 1024;
		uint32_t *nv = xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < e->ipcap; i++) {
			uint32_t v = e->ipset[i];
			if (!v)
				continue;
			size_t h = (v * 2654435761u) & (ncap - 1);
			while (nv[h])
				h = (h + 1) & (ncap - 1);
			nv[h] = v;
		}
		free(e->ipset);
		e->ipset = nv;
		e->ipcap = ncap;
	}
	size_t h = (ip * 2654435761u) & (e->ipcap - 1);
	while (e->ipset[h]) {
		if (e->ipset[h] == ip)
			return false;
		h = (h + 1) & (e->ipcap - 1);
	}
	e->ipset[h] = ip;
	e->ipn++;
	return true;
}

/* Never contacted whatever the list says: this network, multicast and
 * reserved, the broadcast address. */
static bool unroutable(uint32_t ip)
{
	return (ip >> 24) == 0 || (ip >> 28) >= 14;
}

static void add_address(engine *e, uint32_t ip)
{
	if (!ipset_add(e, ip))
		return;
	e->c->addresses++;
	if (unroutable(ip) || probe_exclude_ip(e->o->exclude, ip)) {
		e->c->excluded_addresses++;
		return;
	}
	if (e->nips == e->capips) {
		e->capips = e->capips ? 2 * e->capips : 256;
		e->ips = xrealloc(e->ips, e->capips * sizeof *e->ips);
	}
	e->ips[e->nips++] = ip;
}

static void add_host(engine *e, const char *host)
{
	int added = 0;
	strmap_intern(e->hosts, host, &added);
	if (!added)
		return;
	e->c->hosts++;
	if (probe_exclude_name(e->o->exclude, host)) {
		e->c->excluded_hosts++;
		return;
	}
	if (e->naq == e->capaq) {
		e->capaq = e->capaq ? 2 * e->capaq : 256;
		e->aq = xrealloc(e->aq, e->capaq * sizeof *e->aq);
	}
	e->aq[e->naq++] = xstrdup(host);
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
	probe_write_dns(&e->line, &r);
	emit(e, e->dns_out);
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
		probe_write_dns(&e->line, &r);
		emit(e, e->dns_out);
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
		probe_write_dns(&e->line, &r);
		emit(e, e->dns_out);
		owner = canon;
	}
	for (int i = 0; i < nttl; i++) {
		char ip[16];
		uint32_t a = ntohl(ttls[i].ipaddr.s_addr);
		mx_ipv4_format(a, ip);
		probe_dns_row r = {.qtype = "A", .qname = owner, .rtype = "A", .rname = owner, .ip4 = ip, .ts_ms = ts};
		probe_write_dns(&e->line, &r);
		emit(e, e->dns_out);
		add_address(e, a);
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
		if (status == ARES_SUCCESS)
			(q->mx ? on_mx : on_a)(e, q, abuf, alen);
		else
			write_status(e, q, status);
	}
	free(q->name);
	free(q);
}

static void ask(engine *e, const char *name, bool mx)
{
	query *q = xcalloc(1, sizeof *q);
	q->e = e;
	q->name = xstrdup(name);
	q->mx = mx;
	e->dns_inflight++;
	ares_query(e->ch, name, 1 /* IN */, mx ? 15 /* MX */ : 1 /* A */, on_answer, q);
}

static void write_scan(engine *e, probe_scan *s)
{
	probe_write_scan(&e->line, s);
	emit(e, e->scan_out);
	e->c->smtp_done++;
	if (s->has_banner)
		e->c->smtp_banner++;
	if (s->tls)
		e->c->smtp_tls++;
	if (s->tls && s->trusted)
		e->c->smtp_trusted++;
	if (strcmp(s->status, "success"))
		e->c->smtp_failed++;
}

/* Most descriptors for SMTP sessions: below the process limit, with room
 * for the resolver, the database and the output files. */
static int fd_budget(int want)
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

int probe_run(const probe_opts *o, char *const *domains, size_t n, FILE *dns_out, FILE *scan_out,
	      probe_counts *c, char **err)
{
	memset(c, 0, sizeof *c);
	*err = NULL;
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		*err = xasprintf("c-ares: %s", ares_strerror(rc));
		return -1;
	}
	engine e;
	memset(&e, 0, sizeof e);
	e.o = o;
	e.c = c;
	e.dns_out = dns_out;
	e.scan_out = scan_out;
	sb_init(&e.line);
	struct ares_options ao;
	memset(&ao, 0, sizeof ao);
	int tms = (int)(o->timeout * 1000);
	ao.timeout = tms < 200 ? 200 : tms > 5000 ? 5000 : tms;
	ao.tries = 2;
	rc = ares_init_options(&e.ch, &ao, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		*err = xasprintf("c-ares: %s", ares_strerror(rc));
		ares_library_cleanup();
		return -1;
	}
	if (o->resolver && (rc = ares_set_servers_ports_csv(e.ch, o->resolver)) != ARES_SUCCESS) {
		*err = xasprintf("--resolver %s: %s", o->resolver, ares_strerror(rc));
		ares_destroy(e.ch);
		ares_library_cleanup();
		return -1;
	}
	probe_tls *tls = probe_tls_new(o->ca_file, err);
	if (!tls) {
		ares_destroy(e.ch);
		ares_library_cleanup();
		return -1;
	}
	e.hosts = strmap_new();
	int conc = fd_budget(o->concurrency > 0 ? o->concurrency : 1);
	int dns_cap = conc < 64 ? 64 : conc;
	double gap_ms = o->rate > 0 ? 1000.0 / o->rate : 0;
	probe_conn **conns = xcalloc((size_t)conc, sizeof *conns);
	int nconn = 0;
	struct pollfd *pfd = xcalloc((size_t)conc + ARES_GETSOCK_MAXNUM, sizeof *pfd);
	size_t next_domain = 0;
	double next_start = (double)probe_now_ms();
	progress pg;
	progress_begin(&pg, o->progress, "probe", 0);
	char unit[128];

	while (!probe_interrupted && !e.io_error) {
		/* look-ups: addresses first, so the SMTP side is kept busy */
		while (e.dns_inflight < dns_cap && e.nextaq < e.naq) {
			char *h = e.aq[e.nextaq];
			e.aq[e.nextaq++] = NULL;
			ask(&e, h, false);
			free(h);
		}
		while (e.dns_inflight < dns_cap && next_domain < n) {
			const char *d = domains[next_domain++];
			c->domains++;
			if (probe_exclude_name(o->exclude, d)) {
				c->excluded_domains++;
				continue;
			}
			ask(&e, d, true);
		}
		long long now = probe_now_ms();
		while (nconn < conc && e.nextip < e.nips && (double)now >= next_start) {
			conns[nconn++] = probe_conn_start(tls, e.ips[e.nextip++], o->port, o->ehlo, o->timeout);
			next_start = (next_start < (double)now - gap_ms ? (double)now : next_start) + gap_ms;
		}
		if (!e.dns_inflight && e.nextaq >= e.naq && next_domain >= n && !nconn && e.nextip >= e.nips)
			break;
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		int bits = ares_getsock(e.ch, socks, ARES_GETSOCK_MAXNUM);
		int np = 0;
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			/* the ARES_GETSOCK_* macros shift a signed 1 into the sign bit */
			unsigned ub = (unsigned)bits;
			short ev = (short)(((ub >> i) & 1u ? POLLIN : 0) |
					   ((ub >> (i + ARES_GETSOCK_MAXNUM)) & 1u ? POLLOUT : 0));
			if (ev)
				pfd[np++] = (struct pollfd){socks[i], ev, 0};
		}
		int nares = np;
		long long wait = 250;
		struct timeval maxtv = {0, 250000}, tv, *t = ares_timeout(e.ch, &maxtv, &tv);
		if (t) {
			long long w = (long long)t->tv_sec * 1000 + t->tv_usec / 1000;
			if (w < wait)
				wait = w;
		}
		for (int i = 0; i < nconn; i++) {
			pfd[np++] = (struct pollfd){probe_conn_fd(conns[i]), probe_conn_events(conns[i]), 0};
			long long w = probe_conn_deadline(conns[i]) - now;
			if (w < wait)
				wait = w;
			if (probe_conn_fd(conns[i]) < 0)
				wait = 0;
		}
		if (nconn < conc && e.nextip < e.nips) {
			long long w = (long long)(next_start - (double)now) + 1;
			if (w < wait)
				wait = w;
		}
		if (wait < 0)
			wait = 0;
		int pr = poll(pfd, (nfds_t)np, (int)wait);
		if (pr < 0 && errno != EINTR) {
			*err = xasprintf("poll: %s", strerror(errno));
			break;
		}
		if (probe_interrupted)
			break;
		for (int i = 0; i < nares; i++) {
			short r = pfd[i].revents;
			if (r)
				ares_process_fd(e.ch, r & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
						r & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
		}
		ares_process_fd(e.ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* time-outs */
		now = probe_now_ms();
		int w = 0;
		for (int i = 0; i < nconn; i++) {
			short r = pfd[nares + i].revents;
			if (probe_conn_step(conns[i], r, now)) {
				probe_scan s;
				probe_conn_finish(conns[i], &s);
				write_scan(&e, &s);
				probe_scan_free(&s);
			} else {
				conns[w++] = conns[i];
			}
		}
		nconn = w;
		snprintf(unit, sizeof unit, "domains, %llu/%llu addresses probed, %llu DNS errors, %llu SMTP errors",
			 (unsigned long long)c->smtp_done, (unsigned long long)(e.nips),
			 (unsigned long long)c->dns_failed, (unsigned long long)c->smtp_failed);
		progress_update(&pg, 0, next_domain, unit);
	}
	progress_end(&pg);
	int ret = 0;
	if (*err)
		ret = -1;
	else if (e.io_error) {
		*err = xasprintf("writing the output: %s", strerror(e.io_error));
		ret = -1;
	} else if (probe_interrupted)
		ret = 1;
	/* sessions still open are dropped unwritten: each line is whole */
	for (int i = 0; i < nconn; i++) {
		probe_scan s;
		probe_conn_finish(conns[i], &s);
		probe_scan_free(&s);
	}
	e.stopping = true;
	ares_destroy(e.ch);
	ares_library_cleanup();
	probe_tls_free(tls);
	for (size_t i = e.nextaq; i < e.naq; i++)
		free(e.aq[i]);
	free(e.aq);
	free(e.ips);
	free(e.ipset);
	free(conns);
	free(pfd);
	strmap_free(e.hosts);
	sb_free(&e.line);
	return ret;
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

int probe_domains_load(probe_domains *d, const char *path, FILE *log, char **err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, reported = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		const char *why = probe_domains_add(d, line, (size_t)n);
		if (why && log && reported++ < 10)
			fprintf(log, "%s:%ld: %s (skipped)\n", path, lineno, why);
	}
	int rc = 0;
	if (ferror(f)) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
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
