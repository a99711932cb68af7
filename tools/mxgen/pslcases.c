/* mxgen pslcases: a fixed handful of domains and MX hosts under public
 * suffixes whose parent is itself no rule of the Public Suffix List
 * (co.za, org.za and gov.za: the list has no rule "za"), so that every
 * snapshot checks that their registered domains are the list's.  They are
 * the same in every snapshot and for every seed (only the random parts of
 * replies and timestamps follow the seed), and come after the generated
 * domains: they draw from their own streams and addresses, and leave the
 * generated domains' rows as they are. */
#include "mxgen.h"

#include <stdio.h>
#include <string.h>

/* Their IDs lie far beyond the generated domains'. */
#define PSL_ID0 (UINT64_C(1) << 40)

enum { PC_MIMECAST_ZA, PC_FYNBOS, PC_SELF };

typedef struct {
	const char *name, *tld;
	int list, how;
	/* PC_SELF: the MX host (a format of the domain), software, certificate
	 * and the scan file the server's observation goes to */
	const char *mxfmt;
	int sw, cert, force;
} PslCase;

static const PslCase CASES[] = {
	/* Mimecast's South African region (za-smtp-inbound-*.mimecast.co.za) */
	{"karoofoods.co.za", "co.za", L_ALEXA, PC_MIMECAST_ZA, NULL, 0, 0, 0},
	{"rhinotrust.org.za", "org.za", L_ALEXA, PC_MIMECAST_ZA, NULL, 0, 0, 0},
	/* a South African web host's MX hosts, for .za and .com customers */
	{"wildlife.org.za", "org.za", L_ALEXA, PC_FYNBOS, NULL, 0, 0, 0},
	{"proteasoftware.com", "com", L_COM, PC_FYNBOS, NULL, 0, 0, 0},
	/* their own servers: a certificate and banner under the suffix, or a
	 * banner alone */
	{"shop.co.za", "co.za", L_ALEXA, PC_SELF, "mx.%s", SW_POSTFIX, C_LE, FMT_ZGRAB},
	{"durban.gov.za", "gov.za", L_ALEXA, PC_SELF, "mail.%s", SW_EXCHANGE, C_COMM, FMT_LEGACY},
	{"birdclub.org.za", "org.za", L_ALEXA, PC_SELF, "mail.%s", SW_EXIM, C_NONE, FMT_CENSYS2},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

/* The domain's own server behind MX host mxfmt, its name in the banner
 * and (if any) the certificate. */
static void own_server(const Dom *d, const PslCase *c, Setup *S, Rng *r)
{
	Mx *m = mx_new(S, 10, c->mxfmt, d->name);
	SelfOpt o;
	memset(&o, 0, sizeof o);
	o.pool = P_ZA;
	o.d = d->name;
	o.fqdn = m->host;
	o.certname = m->host;
	o.force = c->force;
	o.state = SS_OPEN;
	o.bk = BK_NORMAL;
	o.sw = c->sw;
	o.cert = c->cert;
	o.comm_issuer = I_SECTIGO;
	self_server(d, m, &o, r, 0);
	truth_add(S, d->name);
}

static void case_setup(const Dom *d, const PslCase *c, Setup *S, Rng *r)
{
	setup_reset(S);
	switch (c->how) {
	case PC_MIMECAST_ZA:
		mx_shared(S, host_id("za-smtp-inbound-1.mimecast.co.za"), 10, r);
		mx_shared(S, host_id("za-smtp-inbound-2.mimecast.co.za"), 10, r);
		truth_add(S, "Mimecast");
		break;
	case PC_FYNBOS:
		mx_shared(S, host_id("mx1.fynbos-hosting.co.za"), 10, r);
		mx_shared(S, host_id("mx2.fynbos-hosting.co.za"), 20, r);
		truth_add(S, "fynbos-hosting.co.za");
		break;
	default:
		own_server(d, c, S, r);
	}
}

void psl_cases(Setup *S)
{
	static const int kind[] = {[PC_MIMECAST_ZA] = K_MIMECAST, [PC_FYNBOS] = K_UNKHOST, [PC_SELF] = K_SELF};
	for (size_t i = 0; i < NCASES; i++) {
		const PslCase *c = &CASES[i];
		Dom d;
		memset(&d, 0, sizeof d);
		d.id = PSL_ID0 + i;
		d.list = c->list;
		d.list2 = -1;
		d.basekind = d.kind = kind[c->how];
		d.region = P_ZA;
		snprintf(d.name, sizeof d.name, "%s", c->name);
		snprintf(d.tld, sizeof d.tld, "%s", c->tld);
		if (!nset_add(d.name))
			die_internal("a fixed public-suffix domain is also a generated one");
		write_target(d.list, d.name);
		Rng r = rng_for(d.id, 0, 0x5E7);
		case_setup(&d, c, S, &r);
		emit_dns(&d, S);
		write_truth(&d, S);
		g_n.domains++;
		g_n.kind[d.kind]++;
		g_n.psl++;
	}
}
