/* mxgen setup: one domain's mail set-up — its MX records, the servers
 * behind them (the providers' shared ones, or its own, which are scanned
 * here), and the truth: who really runs its mail. */
#include "mxgen.h"

#include <stdio.h>
#include <string.h>

/* fmt with each "%s" replaced by arg, truncated to cap */
static void fmt1(char *dst, size_t cap, const char *fmt, const char *arg)
{
	size_t n = 0;
	for (const char *p = fmt; *p && n + 1 < cap; p++) {
		if (p[0] == '%' && p[1] == 's') {
			for (const char *q = arg; *q && n + 1 < cap; q++)
				dst[n++] = *q;
			p++;
		} else
			dst[n++] = *p;
	}
	dst[n] = 0;
}

/* A new MX record of the domain: host fmt with each "%s" replaced by arg. */
Mx *mx_new(Setup *S, int pref, const char *fmt, const char *arg)
{
	if (S->nmx >= 6)
		die_internal("too many MX records");
	Mx *m = &S->mx[S->nmx++];
	m->cname[0] = 0;
	m->pref = pref;
	m->shared = -1;
	m->embed = 1;
	m->nip = 0;
	m->aaaa = 0;
	fmt1(m->host, sizeof m->host, fmt, arg);
	return m;
}

static void mx_srv(Mx *m, int si)
{
	if (m->nip < 4) {
		m->ip[m->nip++] = g_srv[si].ip;
		g_srv[si].used = 1;
	}
}

/* An MX record naming a provider's shared host. */
void mx_shared(Setup *S, int hid, int pref, Rng *r)
{
	Host *h = &g_host[hid];
	Mx *m = mx_new(S, pref, "%s", h->name);
	m->shared = hid;
	m->embed = rc(r, 0.03);
	h->used = 1;
	for (int i = 0; i < h->nip; i++)
		mx_srv(m, h->srv[i]);
}

void truth_add(Setup *S, const char *t)
{
	for (int i = 0; i < S->ntruth; i++)
		if (!strcmp(S->truth[i], t))
			return;
	if (S->ntruth < 4)
		S->truth[S->ntruth++] = t;
}

static void add_set(Setup *S, const MxSet *s, Rng *r)
{
	for (int i = 0; i < s->n; i++)
		mx_shared(S, s->hid[i], s->pref[i], r);
}

static void add_google(Setup *S, Rng *r, int variant)
{
	static const int p0[5] = {1, 5, 5, 10, 10}, p3[5] = {10, 20, 20, 30, 30};
	int n = variant == 1 ? 3 : variant == 2 ? 1 : 5;
	for (int i = 0; i < n; i++)
		mx_shared(S, g_h_google[i], variant == 3 ? p3[i] : variant == 2 ? (rc(r, .7) ? 1 : 10) : p0[i], r);
	if (rc(r, 0.03))
		S->mx[0].aaaa = S->mx[0].embed = 1;
}

static void add_ms(Setup *S, const Dom *d, int pref)
{
	char dash[MAXNAME];
	snprintf(dash, sizeof dash, "%s", d->name);
	for (char *p = dash; *p; p++)
		if (*p == '.')
			*p = '-';
	Mx *m = mx_new(S, pref, "%s.mail.protection.outlook.com", dash);
	uint64_t k = HS(d->id, 0x3A5, 0);
	int i1 = (int)(k % (uint64_t)g_nms), i2 = (int)((i1 + 1 + (k >> 20) % (uint64_t)(g_nms - 1)) % (uint64_t)g_nms);
	mx_srv(m, g_ms0 + i1);
	if ((k >> 40) % 10 < 7)
		mx_srv(m, g_ms0 + i2);
}

static int pick_box(int fam, int style, Rng *r)
{
	return g_box0[fam] + style + 4 * (int)rb(r, (uint32_t)(g_nbox / 4));
}

void self_defaults(SelfOpt *o, const Dom *d, Rng *r, const char *fqdn)
{
	memset(o, 0, sizeof *o);
	o->pool = d->region;
	o->d = d->name;
	o->fqdn = fqdn;
	o->certname = fqdn;
	o->force = FMT_AUTO;
	o->state = SS_OPEN;
	o->bk = BK_NORMAL;
	double x = ru(r);
	if (d->list == L_GOV || d->edu)
		o->sw = x < .45 ? SW_EXCHANGE : x < .7 ? SW_POSTFIX : x < .8 ? SW_SENDMAIL : x < .9 ? SW_OTHER : SW_EXIM;
	else
		o->sw = x < .45 ? SW_POSTFIX : x < .67 ? SW_EXIM : x < .82 ? SW_EXCHANGE : x < .88 ? SW_SENDMAIL : SW_OTHER;
	if (rc(r, d->list == L_GOV || d->edu ? .35 : .12))
		o->cert = C_COMM;
	else {
		x = ru(r);
		o->cert = x < .25 ? C_NONE : x < .67 ? C_LE : x < .88 ? C_SELF : x < .94 ? C_EXPIRED : C_FAIL;
	}
	static const int iss[4] = {I_SECTIGO, I_DIGITLS, I_GODADDY, I_GLOBALSIGN};
	o->comm_issuer = d->edu ? I_INCOMMON : iss[rb(r, 4)];
	o->noesmtp = rc(r, .04);
}

/* A new server for the domain: allocate, describe and scan it. */
void self_server(const Dom *d, Mx *m, const SelfOpt *o, Rng *r, int idx)
{
	uint32_t ip;
	int fresh = pool_alloc(o->pool, H2(d->id * 16 + (uint64_t)idx, (uint64_t)d->moved), &ip);
	if (m->nip < 4)
		m->ip[m->nip++] = ip;
	if (!fresh)
		return;
	build_self_scan(&g_scan, ip, m->cname[0] ? m->cname : m->host, o, r);
	scan_emit(&g_scan);
}

/* An ordinary self-run server behind MX m (random software and gaps). */
static void one_self(const Dom *d, Mx *m, Rng *r, int plain, int idx)
{
	char fq[MAXNAME];
	SelfOpt o;
	double x = ru(r);
	if (x < .85 && strcmp(m->host, d->name))
		snprintf(fq, sizeof fq, "%s", m->host);
	else if (x < .9 || !strcmp(m->host, d->name))
		snprintf(fq, sizeof fq, "mail.%s", d->name);
	else
		snprintf(fq, sizeof fq, "%s.%s", x < .95 ? "srv-mail01" : "exchange", d->name);
	self_defaults(&o, d, r, fq);
	if (plain) {
		o.plain = 1;
		x = ru(r);
		o.state = x < .09 ? SS_UNSCANNED : x < .14 ? SS_CLOSED : x < .145 ? SS_REJECT : SS_OPEN;
		if (rc(r, .03)) {
			o.bk = BK_NOFQDN;
			o.bsub = (int)rb(r, 5);
		}
	}
	self_server(d, m, &o, r, idx);
}

static void self_kind(const Dom *d, Setup *S, Rng *r, int plain)
{
	const char *D = d->name;
	double x = ru(r);
	if (x < .55) {
		Mx *m = mx_new(S, 10, "mail.%s", D);
		if (plain && rc(r, .02))
			g_n.noa_hosts++;
		else
			one_self(d, m, r, plain, 0);
	} else if (x < .70) {
		Mx *m = mx_new(S, rc(r, .5) ? 0 : 10, "%s", D);
		one_self(d, m, r, plain, 0);
	} else if (x < .78) {
		Mx *m = mx_new(S, 10, "mx.%s", D);
		one_self(d, m, r, plain, 0);
	} else if (x < .88) {
		Mx *a = mx_new(S, 10, "mx1.%s", D);
		one_self(d, a, r, plain, 0);
		Mx *b = mx_new(S, 20, "mx2.%s", D);
		one_self(d, b, r, plain, 1);
	} else if (x < .95) {
		Mx *a = mx_new(S, 10, "mail.%s", D);
		one_self(d, a, r, plain, 0);
		Mx *b = mx_new(S, 20, "mail2.%s", D);
		if (rc(r, .4))
			g_n.noa_hosts++;
		else
			one_self(d, b, r, plain, 1);
	} else {
		Mx *m = mx_new(S, 10, "mail.%s", D);
		if (rc(r, .5))
			snprintf(m->cname, sizeof m->cname, "%s", D);
		else
			snprintf(m->cname, sizeof m->cname, "srv01.%s", D);
		one_self(d, m, r, plain, 0);
	}
	if (plain && rc(r, .04))
		S->mx[0].aaaa = 1;
	truth_add(S, D);
}

/* A self-run server with hard-case options, behind a new MX host. */
static Mx *hard_self(const Dom *d, Setup *S, Rng *r, int pref, const char *hostfmt, SelfOpt *o, int idx)
{
	Mx *m = mx_new(S, pref, hostfmt, d->name);
	self_server(d, m, o, r, idx);
	return m;
}

/* ---- providers whose MX hosts are per customer --------------------- */

static void setup_proofpoint(const Dom *d, Setup *S)
{
	uint64_t k = HS(d->id, 0x9F, 0);
	char hx[16];
	snprintf(hx, sizeof hx, "00%06x", (unsigned)(k & 0xFFFFFF));
	Mx *a = mx_new(S, 10, "mx0a-%s.pphosted.com", hx);
	Mx *b = mx_new(S, 10, "mx0b-%s.pphosted.com", hx);
	mx_srv(a, g_pp0 + (int)((k >> 24) % (uint64_t)g_npp));
	mx_srv(b, g_pp0 + (int)((k >> 40) % (uint64_t)g_npp));
	truth_add(S, "ProofPoint");
}

static void setup_barracuda(const Dom *d, Setup *S)
{
	char buf[MAXNAME];
	uint64_t k = HS(d->id, 0xBA, 0);
	unsigned n = 100000 + (unsigned)(k % 900000);
	for (int i = 0; i < 2; i++) {
		snprintf(buf, sizeof buf, "d%u%c.ess.barracudanetworks.com", n, 'a' + i);
		Mx *m = mx_new(S, 10, "%s", buf);
		mx_srv(m, g_bar0 + (int)((k >> (20 + 8 * i)) % (uint64_t)g_nbar));
	}
	truth_add(S, "Barracuda");
}

static void setup_webcom(const Dom *d, Setup *S)
{
	Mx *m = mx_new(S, 10, "inbound.%s.netsolmail.net", d->name);
	mx_srv(m, g_ns0 + (int)(HS(d->id, 0x5E, 0) % (uint64_t)g_nns));
	truth_add(S, "Web.com");
}

/* Cisco's hosted IronPorts (esa1.hc1234-56.iphmx.com), scanned per customer. */
static void setup_cisco(const Dom *d, Setup *S, Rng *r)
{
	char fq[MAXNAME], fq2[MAXNAME];
	SelfOpt o;
	char hc[24];
	snprintf(hc, sizeof hc, "hc%u-%u", 1000 + rb(r, 8999), 10 + rb(r, 89));
	int cert = rc(r, .7);
	for (int i = 0; i < 2; i++) {
		char host[MAXNAME];
		snprintf(host, sizeof host, "mx%d.%s.iphmx.com", i + 1, hc);
		snprintf(i ? fq2 : fq, MAXNAME, "esa%d.%s.iphmx.com", i + 1, hc);
		Mx *m = mx_new(S, 10, "%s", host);
		self_defaults(&o, d, r, i ? fq2 : fq);
		o.pool = P_CISCO;
		o.bk = BK_CISCO_HOSTED;
		o.sw = SW_OTHER;
		o.noesmtp = 0;
		o.cert = cert ? C_COMM : C_NONE;
		o.certname = "*.iphmx.com";
		o.comm_issuer = I_DIGISHA2;
		o.state = rc(r, .04) ? SS_UNSCANNED : SS_OPEN;
		self_server(d, m, &o, r, i);
	}
	truth_add(S, "Cisco");
}

/* A small hosting company, matched to the TLD more often than not. */
static void setup_unkhost(const Dom *d, Setup *S, Rng *r)
{
	int u = (int)rb(r, NUNK);
	if (rc(r, .6)) {
		if (!strcmp(d->tld, "de")) u = 2;
		else if (!strcmp(d->tld, "se")) u = 3;
		else if (!strcmp(d->tld, "co.uk")) u = 4;
		else if (!strcmp(d->tld, "jp") || !strcmp(d->tld, "co.jp")) u = 5;
		else if (!strcmp(d->tld, "cn") || !strcmp(d->tld, "com.cn")) u = 6;
	}
	mx_shared(S, g_h_unk[u][0], u == 6 ? 5 : 10, r);
	if (rc(r, .8))
		mx_shared(S, g_h_unk[u][1], u == 6 ? 10 : 20, r);
	truth_add(S, UNK_R[u]);
}

/* A provider with shared MX hosts: one of its MX sets. */
static void setup_simple(const Dom *d, Setup *S, Rng *r)
{
	int si = g_simple_of[d->kind] - 1;
	if (si < 0)
		die_internal("kind without MX set");
	int v = (int)rb(r, (uint32_t)g_nvar[si]);
	double x = ru(r);
	int eu = d->region == P_EU;
	switch (d->kind) {
	case K_GODADDY: v = x < .6 ? 0 : 1; break;
	case K_MIMECAST: v = (eu ^ (x < .1)) ? 1 : 0; break;
	case K_MESSAGELABS: v = (eu ^ (x < .1)) ? 0 : 1; break;
	case K_ZOHO: v = eu && x < .7; break;
	case K_EIG: v = x < .75 ? 0 : 1; break;
	case K_UI: v = strcmp(d->tld, "de") != 0; break;
	case K_YANDEX: v = x < .7 ? 0 : 1; break;
	default: break;
	}
	add_set(S, &g_set[si][v], r);
	truth_add(S, SIMPLE[si].truth);
}

static void setup_provider(const Dom *d, Setup *S, Rng *r)
{
	switch (d->kind) {
	case K_GOOGLE: {
		double x = ru(r);
		add_google(S, r, x < .45 ? 0 : x < .7 ? 1 : x < .95 ? 2 : 3);
		truth_add(S, "Google");
		break;
	}
	case K_MS:
		add_ms(S, d, rc(r, .8) ? 0 : 10);
		truth_add(S, "Microsoft");
		break;
	case K_PP: setup_proofpoint(d, S); break;
	case K_BARRACUDA: setup_barracuda(d, S); break;
	case K_WEBCOM: setup_webcom(d, S); break;
	case K_CISCO: setup_cisco(d, S, r); break;
	case K_EIG:
		if (rc(r, .3)) {
			Mx *m = mx_new(S, 0, "%s", d->name);
			mx_srv(m, pick_box(rc(r, .5) ? FAM_BLUEHOST : FAM_HOSTGATOR, (int)rb(r, 2), r));
			truth_add(S, "EIG");
		} else
			setup_simple(d, S, r);
		break;
	case K_UNKHOST: setup_unkhost(d, S, r); break;
	case K_SELF: self_kind(d, S, r, 1); break;
	case K_NOMX: S->nomx = 1; break;
	case K_NULLMX: S->nullmx = 1; break;
	case K_FAIL: S->status = rc(r, .5) ? 3 : 65535; break;
	case K_NODNS: S->nodns = 1; break;
	default: setup_simple(d, S, r);
	}
}

/* ---- the paper's hard cases ---------------------------------------- */

/* Defaults of an own server announcing itself as mail.<domain> (in fq). */
static void mail_defaults(SelfOpt *o, char fq[MAXNAME], const Dom *d, Rng *r)
{
	snprintf(fq, MAXNAME, "mail.%s", d->name);
	self_defaults(o, d, r, fq);
}

/* a: default mx.<domain> pointing at a web host's shared box */
static void hard_a(const Dom *d, Setup *S, Rng *r, int sub)
{
	static const int fam[4] = {FAM_BLUEHOST, FAM_HOSTGATOR, FAM_WEBHOSTING, FAM_WEBHOSTING};
	static const int sty[4] = {BOX_NAMED, BOX_MULTILINE, BOX_NAMED, BOX_MULTILINE};
	Mx *m = mx_new(S, 0, "mx.%s", d->name);
	mx_srv(m, pick_box(fam[sub], sty[sub], r));
	truth_add(S, FAM[fam[sub]].truth);
}

/* b: the domain's own VPS at GoDaddy or OVH */
static void hard_b(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	mail_defaults(&o, fq, d, r);
	o.pool = d->kind == H_B_GD ? P_GDVPS : P_OVHVPS;
	o.bk = d->kind == H_B_GD ? BK_GDVPS : BK_OVHVPS;
	o.bsub = sub;
	o.sw = rc(r, .5) ? SW_EXIM : SW_POSTFIX;
	o.noesmtp = 0;
	double x = ru(r);
	if (d->kind == H_B_GD)
		o.cert = x < .4 ? C_VPSNAME : x < .7 ? C_LE : C_SELF;
	else
		o.cert = x < .3 ? C_LE : x < .65 ? C_NONE : C_SELF;
	hard_self(d, S, r, 10, "mail.%s", &o, 0);
	truth_add(S, d->name);
}

/* c: an own server claiming to be mx.google.com */
static void hard_c(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	mail_defaults(&o, fq, d, r);
	o.bk = BK_FAKEGOOGLE;
	o.noesmtp = 0;
	o.cert = sub ? C_SELF : C_NONE;
	o.certname = "mx.google.com";
	hard_self(d, S, r, rc(r, .5) ? 10 : 0, rc(r, .7) ? "mail.%s" : "%s", &o, 0);
	truth_add(S, d->name);
}

/* d: a provider (Cisco, ProofPoint) presenting the customer's own certificate */
static void hard_d(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME], fq2[MAXNAME], cn[MAXNAME];
	SelfOpt o;
	const char *D = d->name;
	int cisco = d->kind == H_D_CISCO;
	snprintf(cn, sizeof cn, "mail.%s", D);
	snprintf(fq, sizeof fq, cisco ? "mx1.%s" : "mail1.%s", D);
	snprintf(fq2, sizeof fq2, cisco ? "mx2.%s" : "mail2.%s", D);
	for (int i = 0; i < 2; i++) {
		char *f = i ? fq2 : fq;
		self_defaults(&o, d, r, f);
		o.pool = cisco ? P_CISCO : P_PPDED;
		o.bk = cisco ? BK_CUST_CISCO : BK_CUST_PP;
		o.sw = SW_OTHER;
		o.noesmtp = 0;
		o.cert = C_COMM;
		o.certname = cn;
		o.extra_san[0] = fq;
		o.extra_san[1] = fq2;
		o.comm_issuer = d->edu ? I_INCOMMON : sub ? I_SECTIGO : I_DIGITLS;
		Mx *m = mx_new(S, 10, "%s", f);
		self_server(d, m, &o, r, i);
	}
	truth_add(S, cisco ? "Cisco" : "ProofPoint");
}

/* e: split primary MX set */
static void hard_e(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	switch (sub) {
	case 0:
		mx_shared(S, g_h_google[0], 10, r);
		add_ms(S, d, 10);
		truth_add(S, "Google");
		truth_add(S, "Microsoft");
		break;
	case 1:
	case 2:
		if (sub == 1)
			mx_shared(S, g_h_google[0], 10, r);
		else
			add_ms(S, d, 10);
		mail_defaults(&o, fq, d, r);
		o.cert = C_LE;
		o.noesmtp = 0;
		hard_self(d, S, r, 10, "mail.%s", &o, 0);
		truth_add(S, sub == 1 ? "Google" : "Microsoft");
		truth_add(S, d->name);
		break;
	default:
		mx_shared(S, g_h_google[0], 1, r);
		mx_shared(S, g_h_google[1], 1, r);
		mx_shared(S, g_h_google[2], 5, r);
		truth_add(S, "Google");
	}
}

/* f: backup MX at another provider: truth is the primary only */
static void hard_f(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	switch (sub) {
	case 0:
		mail_defaults(&o, fq, d, r);
		o.noesmtp = 0;
		hard_self(d, S, r, 10, "mail.%s", &o, 0);
		mx_shared(S, g_h_thunder1, 20, r);
		truth_add(S, d->name);
		break;
	case 1:
		add_ms(S, d, 10);
		mx_shared(S, g_h_thunder1, 20, r);
		truth_add(S, "Microsoft");
		break;
	case 2:
		mx_shared(S, g_h_smtpgd, 10, r);
		mx_shared(S, g_h_vault2, 20, r);
		truth_add(S, "GoDaddy");
		break;
	default:
		mx_shared(S, g_h_google[0], 10, r);
		mail_defaults(&o, fq, d, r);
		hard_self(d, S, r, 20, "mail.%s", &o, 0);
		truth_add(S, "Google");
	}
}

/* g: every kind of missing data, on self-run servers */
static void hard_g(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	mail_defaults(&o, fq, d, r);
	o.noesmtp = 0;
	if (sub == 0) {
		mx_new(S, 10, "mail.%s", d->name);
		g_n.noa_hosts++;
		if (HS(d->id, 0x6A, 0) & 1)
			hard_self(d, S, r, 20, "mail2.%s", &o, 1);
	} else {
		if (sub == 1)
			o.state = SS_UNSCANNED;
		else if (sub == 2) {
			o.state = SS_CLOSED;
			o.force = (d->ctr / 6) % 2 ? FMT_ZGRAB : FMT_LEGACY;
		} else if (sub == 3)
			o.cert = (HS(d->id, 0x6B, 0) & 1) ? C_FAIL : C_NONE;
		else if (sub == 4)
			o.cert = (HS(d->id, 0x6C, 0) & 1) ? C_EXPIRED : C_SELF;
		else {
			o.bk = BK_NOFQDN;
			o.bsub = (int)(HS(d->id, 0x6D, 0) % 5);
		}
		hard_self(d, S, r, 10, "mail.%s", &o, 0);
	}
	truth_add(S, d->name);
}

/* h: localhost greeting on a web host's box */
static void hard_h(const Dom *d, Setup *S, Rng *r, int sub)
{
	int style = (HS(d->id, 0x44, 0) & 1) ? BOX_LOCAL_CERT : BOX_LOCAL_NOCERT;
	Mx *m = rc(r, .5) ? mx_new(S, 10, "mail.%s", d->name) : mx_new(S, 0, "%s", d->name);
	mx_srv(m, pick_box(sub, style, r));
	truth_add(S, FAM[sub].truth);
}

/* i: cPanel's multi-line 220- greeting, or an EHLO naming another host */
static void hard_i(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	if (sub < 2) {
		int fam = sub == 0 ? FAM_HOSTGATOR : FAM_WEBHOSTING;
		Mx *m = mx_new(S, 0, "%s", d->name);
		mx_srv(m, pick_box(fam, BOX_MULTILINE, r));
		truth_add(S, FAM[fam].truth);
	} else {
		mail_defaults(&o, fq, d, r);
		o.pool = P_HETZ;
		o.bk = BK_EHLODIFF;
		o.sw = SW_POSTFIX;
		o.noesmtp = 0;
		hard_self(d, S, r, 10, "mail.%s", &o, 0);
		truth_add(S, d->name);
	}
}

/* j: hostile greeting text; k: a banner naming a misleading domain */
static void hard_jk(const Dom *d, Setup *S, Rng *r, int sub)
{
	char fq[MAXNAME];
	SelfOpt o;
	mail_defaults(&o, fq, d, r);
	o.bsub = sub;
	o.noesmtp = 0;
	if (d->kind == H_K)
		o.bk = BK_SPAMHAUS;
	else {
		o.bk = BK_HOSTILE;
		if (sub == 6)
			o.force = FMT_LEGACY_NESTED;
		if (sub == 7)
			o.cert = C_SELF;
		else if (o.cert == C_FAIL)
			o.cert = C_NONE;
	}
	hard_self(d, S, r, 10, "mail.%s", &o, 0);
	truth_add(S, d->name);
}

void setup_reset(Setup *S)
{
	S->nmx = 0;
	S->status = S->nomx = S->nullmx = S->nodns = 0;
	S->ntruth = 0;
}

void build_setup(Dom *d, Setup *S, Rng *r)
{
	static void (*const hard[])(const Dom *, Setup *, Rng *, int) = {
		[H_A - H_A] = hard_a, [H_B_GD - H_A] = hard_b, [H_B_OVH - H_A] = hard_b, [H_C - H_A] = hard_c,
		[H_D_CISCO - H_A] = hard_d, [H_D_PP - H_A] = hard_d, [H_E - H_A] = hard_e, [H_F - H_A] = hard_f,
		[H_G - H_A] = hard_g, [H_H - H_A] = hard_h, [H_I - H_A] = hard_i, [H_J - H_A] = hard_jk,
		[H_K - H_A] = hard_jk,
	};
	setup_reset(S);
	int sub = d->kind == d->basekind ? d->sub : 0;
	if (d->kind >= H_A)
		hard[d->kind - H_A](d, S, r, sub);
	else
		setup_provider(d, S, r);
}
