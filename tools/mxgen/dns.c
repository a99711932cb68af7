/* mxgen dns: dns.jsonl, OpenINTEL-style forward-DNS rows — each domain's
 * MX answer with the A, CNAME and AAAA records in it, failed lookups and
 * empty answers, and the A queries of the providers' shared MX hosts. */
#include "mxgen.h"

#include <stdio.h>
#include <string.h>

#include "mxray/util.h"

/* name + trailing dot, in one of four letter-case styles */
static void name_dot(char *dst, size_t cap, const char *name, int cs)
{
	size_t n = strlen(name);
	if (n + 2 > cap)
		n = cap - 2;
	memcpy(dst, name, n);
	int label_start = 1;
	const char *last = strrchr(name, '.');
	size_t lastpos = last ? (size_t)(last - name) : 0;
	for (size_t i = 0; i < n; i++) {
		char c = dst[i];
		int up = cs == 1 || (cs == 2 && i == 0) || (cs == 3 && (label_start || i > lastpos));
		if (up && c >= 'a' && c <= 'z')
			dst[i] = (char)(c - 'a' + 'A');
		label_start = c == '.';
	}
	dst[n] = '.';
	dst[n + 1] = 0;
}

static void dns_row(const char *qt, const char *qn, const char *rt, const char *rn, const char *mx, int pref,
		    const char *cname, uint32_t ip4, const char *ip6, int asn, int status, uint64_t ts)
{
	Out *o = &g_out[F_DNS];
	char b[24];
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "query_type", qt);
	j_str(o, "query_name", qn);
	if (rt)
		j_str(o, "response_type", rt);
	if (rn)
		j_str(o, "response_name", rn);
	if (mx)
		j_str(o, "mx_address", mx);
	if (pref >= 0)
		j_int(o, "mx_preference", pref);
	if (cname)
		j_str(o, "cname_name", cname);
	if (ip4) {
		mx_ipv4_format(ip4, b);
		j_str(o, "ip4_address", b);
	}
	if (ip6)
		j_str(o, "ip6_address", ip6);
	if (asn > 0) {
		snprintf(b, sizeof b, "%d", asn);
		j_str(o, "as", b);
	}
	j_int(o, "status_code", status);
	j_int(o, "timestamp", (int64_t)ts);
	j_end(o);
}

static const char *google_v6(int hid)
{
	static const char *v6[5] = {"2607:f8b0:4004:c07::1a", "2a00:1450:400c:c0b::1b", "2607:f8b0:4023:1::1a",
				    "2a00:1450:4010:c1c::1a", "2607:f8b0:4002:c03::1b"};
	for (int i = 0; i < 5; i++)
		if (g_h_google[i] == hid)
			return v6[i];
	return NULL;
}

void emit_dns(const Dom *d, const Setup *S)
{
	if (S->nodns)
		return;
	uint64_t h = HS(d->id, 0xD15, (uint64_t)d->moved);
	uint64_t secs = (uint64_t)g_days * 86400 + h % 21600;
	uint64_t ts = secs * 1000 + (h >> 40) % 1000;
	if (to01(H2(h, 1)) < .05)
		ts = secs; /* some exports carry seconds, not milliseconds */
	double cx = to01(H2(h, 2));
	int cs = cx < .9 ? 0 : cx < .95 ? 1 : cx < .975 ? 2 : 3;
	char qn[MAXNAME + 2], mxn[MAXNAME + 2], hn[MAXNAME + 2], cn[MAXNAME + 2], v6[64];
	name_dot(qn, sizeof qn, d->name, to01(H2(h, 3)) < .01 ? 3 : 0);
	if (S->status) {
		dns_row("MX", qn, NULL, NULL, NULL, -1, NULL, 0, NULL, 0, S->status, ts);
		return;
	}
	if (S->nomx) {
		dns_row("MX", qn, NULL, NULL, NULL, -1, NULL, 0, NULL, 0, 0, ts);
		return;
	}
	if (S->nullmx) {
		dns_row("MX", qn, "MX", qn, ".", 0, NULL, 0, NULL, 0, 0, ts);
		return;
	}
	for (int i = 0; i < S->nmx; i++) {
		name_dot(mxn, sizeof mxn, S->mx[i].host, cs);
		dns_row("MX", qn, "MX", qn, mxn, S->mx[i].pref, NULL, 0, NULL, 0, 0, ts);
	}
	for (int i = 0; i < S->nmx; i++) {
		const Mx *m = &S->mx[i];
		if (m->shared >= 0 && !m->embed)
			continue;
		name_dot(hn, sizeof hn, m->host, (h >> 50) & 1 ? cs : 0);
		const char *arn = hn;
		if (m->cname[0]) {
			name_dot(cn, sizeof cn, m->cname, 0);
			dns_row("MX", qn, "CNAME", hn, NULL, -1, cn, 0, NULL, 0, 0, ts);
			arn = cn;
		}
		for (int k = 0; k < m->nip; k++) {
			int asn = to01(H2(h, 10 + (uint64_t)k)) < .03 ? 0 : asn_of(m->ip[k]);
			dns_row("MX", qn, "A", arn, NULL, -1, NULL, m->ip[k], NULL, asn, 0, ts);
		}
		if (m->aaaa) {
			const char *g = m->shared >= 0 ? google_v6(m->shared) : NULL;
			if (g)
				dns_row("MX", qn, "AAAA", arn, NULL, -1, NULL, 0, g, 15169, 0, ts);
			else if (m->shared < 0 && m->nip) {
				snprintf(v6, sizeof v6, "2a01:4f8:%x:%x::2", (unsigned)(H2(h, 20) & 0xffff),
					 (unsigned)(H2(h, 21) & 0xfff));
				dns_row("MX", qn, "AAAA", arn, NULL, -1, NULL, 0, v6, 24940, 0, ts);
			}
		}
	}
}

/* A-query rows of the providers' shared MX hosts, once per host. */
void emit_shared_dns(void)
{
	char hn[MAXNAME + 2];
	for (int i = 0; i < g_nhost; i++) {
		const Host *h = &g_host[i];
		if (!h->used)
			continue;
		uint64_t hh = HS((uint64_t)i, 0xA0, 0);
		uint64_t ts = ((uint64_t)g_days * 86400 + 21600 + hh % 3600) * 1000 + (hh >> 32) % 1000;
		name_dot(hn, sizeof hn, h->name, 0);
		for (int k = 0; k < h->nip; k++)
			dns_row("A", hn, "A", hn, NULL, -1, NULL, g_srv[h->srv[k]].ip, NULL, asn_of(g_srv[h->srv[k]].ip), 0,
				ts);
		const char *g = google_v6(i);
		if (g)
			dns_row("AAAA", hn, "AAAA", hn, NULL, -1, NULL, 0, g, 15169, 0, ts);
	}
}
