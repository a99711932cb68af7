/* mxgen world: what every snapshot shares — the address pools of
 * per-domain servers, the providers' shared mail servers and MX hosts,
 * the web-hosting boxes, and the providers' MX sets. */
#include "mxgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxray/util.h"

typedef struct {
	const char *cidrs;
	int nblk;
	uint32_t base[16];
	uint32_t n24[16];
	uint64_t cap, used;
	uint8_t *bits;
} Pool;

static Pool g_pool[P__N] = {
	[P_US] = {.cidrs = "52.0.0.0/15 159.65.0.0/16 167.99.0.0/16 138.68.0.0/16 45.79.0.0/16 50.192.0.0/13 "
			   "12.0.0.0/12 4.0.0.0/14 71.160.0.0/14 73.0.0.0/10"},
	[P_EU] = {.cidrs = "78.46.0.0/15 88.99.0.0/16 80.128.0.0/13 82.64.0.0/14 77.160.0.0/14 86.0.0.0/13"},
	[P_ASIA] = {.cidrs = "95.167.0.0/16 178.34.0.0/15 92.53.64.0/18 218.2.0.0/15 116.224.0.0/12 "
			     "106.128.0.0/14 117.192.0.0/14"},
	[P_HETZ] = {.cidrs = "144.76.0.0/16"},
	[P_GDVPS] = {.cidrs = "132.148.0.0/16 148.72.0.0/16"},
	[P_OVHVPS] = {.cidrs = "51.75.0.0/16 54.38.0.0/16 51.91.0.0/16"},
	[P_CISCO] = {.cidrs = "68.232.128.0/19 216.71.0.0/16 185.12.80.0/22"},
	[P_PPDED] = {.cidrs = "148.163.160.0/19 148.163.192.0/18 67.231.152.0/21 205.220.160.0/19 "
			      "185.183.28.0/22"},
	[P_ZA] = {.cidrs = "196.25.0.0/16"},
};

void pool_init(void)
{
	for (int p = 0; p < P__N; p++) {
		Pool *pl = &g_pool[p];
		char tmp[400];
		snprintf(tmp, sizeof tmp, "%s", pl->cidrs);
		for (char *t = strtok(tmp, " "); t; t = strtok(NULL, " ")) {
			uint32_t net;
			int len;
			parse_cidr(t, &net, &len);
			if (len > 24 || pl->nblk >= 16)
				die_internal("pool block");
			pl->base[pl->nblk] = net;
			pl->n24[pl->nblk] = 1u << (24 - len);
			pl->cap += (uint64_t)pl->n24[pl->nblk] * 254;
			pl->nblk++;
		}
		pl->bits = xcalloc((size_t)(pl->cap / 8 + 1), 1);
	}
}

static uint32_t pool_ip(const Pool *pl, uint64_t slot)
{
	for (int b = 0; b < pl->nblk; b++) {
		uint64_t c = (uint64_t)pl->n24[b] * 254;
		if (slot < c) {
			uint32_t i24 = (uint32_t)(slot / 254), host = (uint32_t)(slot % 254) + 1;
			/* scatter the /24s of a block (odd multiplier: a bijection) */
			i24 = (uint32_t)((i24 * 2654435761u + (uint32_t)b * 40503u) & (pl->n24[b] - 1));
			return pl->base[b] + (i24 << 8) + host;
		}
		slot -= c;
	}
	die_internal("pool slot");
	return 0;
}

/* Allocate a unique address for key.  Returns 1 if fresh; when a pool is
 * nearly full the address may repeat (returns 0: do not scan it again). */
int pool_alloc(int p, uint64_t key, uint32_t *ip)
{
	Pool *pl = &g_pool[p];
	uint64_t s = HS(key, (uint64_t)p, 0x9001) % pl->cap;
	if (pl->used * 10 >= pl->cap * 9) {
		*ip = pool_ip(pl, s);
		return 0;
	}
	while (pl->bits[s >> 3] & (1u << (s & 7)))
		s = s + 1 == pl->cap ? 0 : s + 1;
	pl->bits[s >> 3] |= (uint8_t)(1u << (s & 7));
	pl->used++;
	*ip = pool_ip(pl, s);
	return 1;
}

/* ------------------------------------------------------------------ */
/* shared servers (one per IP) and the providers' MX hosts             */

Server *g_srv;
int g_nsrv;
static int g_capsrv;

#define MAXHOST 160
Host g_host[MAXHOST];
int g_nhost;

static int server_add(uint32_t ip, int style, const char *H, const char *R, int dedupe)
{
	if (dedupe)
		for (int i = 0; i < g_nsrv; i++)
			if (g_srv[i].ip == ip)
				return i;
	if (g_nsrv == g_capsrv) {
		g_capsrv = g_capsrv ? g_capsrv * 2 : 512;
		g_srv = xrealloc(g_srv, (size_t)g_capsrv * sizeof *g_srv);
	}
	Server *s = &g_srv[g_nsrv];
	memset(s, 0, sizeof *s);
	s->ip = ip;
	s->style = (uint8_t)style;
	s->scanned = 1;
	s->H = H;
	s->R = R;
	return g_nsrv++;
}

typedef struct {
	const char *name;
	int style;
	const char *R;
	const char *ips;
	int unscanned;
} HostDef;

static const HostDef HOSTS[] = {
	{"aspmx.l.google.com", S_GOOGLE, "google.com", "142.250.102.26 142.250.102.27", 0},
	{"alt1.aspmx.l.google.com", S_GOOGLE, "google.com", "142.250.150.26", 0},
	{"alt2.aspmx.l.google.com", S_GOOGLE, "google.com", "74.125.200.26", 0},
	{"alt3.aspmx.l.google.com", S_GOOGLE, "google.com", "64.233.184.26", 0},
	{"alt4.aspmx.l.google.com", S_GOOGLE, "google.com", "173.194.77.26", 1},
	{"mx.yandex.net", S_YANDEX, "yandex.net", "77.88.21.249 213.180.204.89", 0},
	{"mx.yandex.ru", S_YANDEX, "yandex.ru", "77.88.21.249 87.250.250.89", 0},
	{"mx1.secureserver.net", S_GODADDY, "secureserver.net", "68.178.213.37 68.178.213.38", 0},
	{"mx2.secureserver.net", S_GODADDY, "secureserver.net", "68.178.213.243 72.167.238.32", 0},
	{"smtp.secureserver.net", S_GODADDY, "secureserver.net", "72.167.238.29 72.167.238.30 173.201.193.101", 0},
	{"mailstore1.secureserver.net", S_GODADDY, "secureserver.net", "68.178.213.203", 0},
	{"us-smtp-inbound-1.mimecast.com", S_MIMECAST, "mimecast.com", "207.211.30.41 205.139.110.141", 0},
	{"us-smtp-inbound-2.mimecast.com", S_MIMECAST, "mimecast.com", "207.211.30.42 205.139.110.142", 0},
	{"eu-smtp-inbound-1.mimecast.com", S_MIMECAST, "mimecast.com", "185.58.85.31 185.58.86.31", 0},
	{"eu-smtp-inbound-2.mimecast.com", S_MIMECAST, "mimecast.com", "185.58.85.32 195.130.217.31", 0},
	{"mx.zoho.com", S_ZOHO, "zoho.com", "204.141.33.44 204.141.32.121", 0},
	{"mx2.zoho.com", S_ZOHO, "zoho.com", "136.143.188.51", 0},
	{"mx3.zoho.com", S_ZOHO, "zoho.com", "204.141.32.122", 0},
	{"mx.zoho.eu", S_ZOHO, "zoho.eu", "185.230.212.11", 0},
	{"mx2.zoho.eu", S_ZOHO, "zoho.eu", "185.230.214.11", 0},
	{"mx1.emailsrvr.com", S_RACKSPACE, "emailsrvr.com", "173.203.187.10 173.203.187.11", 0},
	{"mx2.emailsrvr.com", S_RACKSPACE, "emailsrvr.com", "146.20.161.10 146.20.161.11", 0},
	{"mxbiz1.qq.com", S_TENCENT, "qq.com", "183.3.225.42", 0},
	{"mxbiz2.qq.com", S_TENCENT, "qq.com", "183.3.226.35", 0},
	{"emx.mail.ru", S_GENERIC, "mail.ru", "94.100.180.31 217.69.139.150", 0},
	{"mx1.mail.ovh.net", S_GENERIC, "mail.ovh.net", "188.165.36.237", 0},
	{"mx2.mail.ovh.net", S_GENERIC, "mail.ovh.net", "188.165.51.139", 0},
	{"mx3.mail.ovh.net", S_GENERIC, "mail.ovh.net", "188.165.47.122", 0},
	{"mx1.privateemail.com", S_GENERIC, "privateemail.com", "68.65.122.24", 0},
	{"mx2.privateemail.com", S_GENERIC, "privateemail.com", "68.65.122.25", 0},
	{"us2.mx1.mailhostbox.com", S_GENERIC, "mailhostbox.com", "208.91.199.223", 0},
	{"us2.mx2.mailhostbox.com", S_GENERIC, "mailhostbox.com", "208.91.199.224", 0},
	{"us2.mx3.mailhostbox.com", S_GENERIC, "mailhostbox.com", "208.91.198.143", 0},
	{"mx.yourhostingaccount.com", S_GENERIC_NOTLS, "yourhostingaccount.com", "66.96.140.72", 0},
	{"mx00.kundenserver.de", S_UI, "kundenserver.de", "212.227.15.41", 0},
	{"mx01.kundenserver.de", S_UI, "kundenserver.de", "212.227.17.11", 0},
	{"mx00.perfora.net", S_UI, "perfora.net", "74.208.5.2", 0},
	{"mx01.perfora.net", S_UI, "perfora.net", "74.208.5.3", 0},
	{"mx.hostedemail.com", S_GENERIC, "hostedemail.com", "64.98.36.4 64.98.38.4", 0},
	{"smtpin.rzone.de", S_GENERIC, "rzone.de", "81.169.145.97 81.169.146.97", 0},
	{"mx.aruba.it", S_GENERIC, "aruba.it", "62.149.128.160 62.149.128.163", 0},
	{"mx-biz.mail.am0.yahoodns.net", S_GENERIC, "yahoodns.net", "67.195.204.72 67.195.204.73 98.136.96.74", 0},
	{"spool.mail.gandi.net", S_GENERIC, "mail.gandi.net", "217.70.178.1", 0},
	{"fb.mail.gandi.net", S_GENERIC, "mail.gandi.net", "217.70.178.215", 0},
	{"in1-smtp.messagingengine.com", S_GENERIC, "messagingengine.com", "66.111.4.70 66.111.4.71", 0},
	{"in2-smtp.messagingengine.com", S_GENERIC, "messagingengine.com", "66.111.4.72", 0},
	{"mx1.mxthunder.net", S_GENERIC, "mxthunder.net", "64.69.218.20", 0},
	{"mx2.mxthunder.net", S_GENERIC, "mxthunder.net", "64.69.218.21", 0},
	{"mx1-us1.appriver.com", S_GENERIC, "appriver.com", "204.232.236.123", 0},
	{"mx2-us1.appriver.com", S_GENERIC, "appriver.com", "204.232.237.123", 0},
	{"mx-01-us-west-2.prod.hydra.sophos.com", S_GENERIC, "prod.hydra.sophos.com", "44.224.10.20", 0},
	{"mx-02-us-west-2.prod.hydra.sophos.com", S_GENERIC, "prod.hydra.sophos.com", "44.224.11.20", 0},
	{"mx.antispamcloud.com", S_GENERIC, "antispamcloud.com", "5.9.77.10", 0},
	{"mx2.antispamcloud.com", S_GENERIC, "antispamcloud.com", "5.9.77.11", 0},
	{"in.hes.trendmicro.com", S_GENERIC, "hes.trendmicro.com", "150.70.226.147 150.70.226.148", 0},
	{"cluster-a.mailcontrol.com", S_GENERIC, "mailcontrol.com", "208.87.233.190", 0},
	{"cluster-b.mailcontrol.com", S_GENERIC, "mailcontrol.com", "208.87.235.190", 0},
	{"cluster1.eu.messagelabs.com", S_GENERIC, "eu.messagelabs.com", "85.158.142.100 85.158.142.101", 0},
	{"cluster1a.eu.messagelabs.com", S_GENERIC, "eu.messagelabs.com", "85.158.137.100", 0},
	{"cluster5.us.messagelabs.com", S_GENERIC, "us.messagelabs.com", "67.219.250.100", 0},
	{"cluster5a.us.messagelabs.com", S_GENERIC, "us.messagelabs.com", "67.219.246.100", 0},
	{"mx1.serverdata.net", S_GENERIC, "serverdata.net", "64.78.52.10", 0},
	{"mx2.serverdata.net", S_GENERIC, "serverdata.net", "64.78.53.10", 0},
	{"mx1.fireeyegov.com", S_GENERIC, "fireeyegov.com", "12.153.226.10", 0},
	{"mx2.fireeyegov.com", S_GENERIC, "fireeyegov.com", "12.153.227.10", 0},
	{"mx1.beget.ru", S_GENERIC, "beget.ru", "5.101.153.42", 0},
	{"mx2.beget.ru", S_GENERIC, "beget.ru", "5.101.158.42", 0},
	{"mx10.mailspamprotection.com", S_GENERIC, "mailspamprotection.com", "35.214.50.10", 0},
	{"mx20.mailspamprotection.com", S_GENERIC, "mailspamprotection.com", "35.214.51.10", 0},
	{"mx30.mailspamprotection.com", S_GENERIC, "mailspamprotection.com", "35.214.52.10", 1},
	/* small hosting companies (not in the knowledge base) */
	{"mx1.hostingvault.net", S_GENERIC, "hostingvault.net", "185.101.16.10 185.101.16.11", 0},
	{"mx2.hostingvault.net", S_GENERIC, "hostingvault.net", "185.101.17.10", 0},
	{"mx1.mailnest-hosting.com", S_GENERIC, "mailnest-hosting.com", "193.34.144.20 193.34.144.21", 0},
	{"mx2.mailnest-hosting.com", S_GENERIC, "mailnest-hosting.com", "193.34.145.20", 0},
	{"mx1.pixelhost.de", S_GENERIC, "pixelhost.de", "89.31.128.25", 0},
	{"mx2.pixelhost.de", S_GENERIC, "pixelhost.de", "89.31.129.25", 0},
	{"mx1.nordmail.se", S_GENERIC_NOTLS, "nordmail.se", "193.12.96.30 193.12.96.31", 0},
	{"mx2.nordmail.se", S_GENERIC_NOTLS, "nordmail.se", "193.12.97.30", 0},
	{"mx1.redkite-hosting.co.uk", S_GENERIC, "redkite-hosting.co.uk", "185.44.64.40", 0},
	{"mx2.redkite-hosting.co.uk", S_GENERIC, "redkite-hosting.co.uk", "185.44.65.40", 0},
	{"mx1.kumo-hosting.jp", S_GENERIC, "kumo-hosting.jp", "153.122.0.50", 0},
	{"mx2.kumo-hosting.jp", S_GENERIC, "kumo-hosting.jp", "153.122.1.50", 0},
	{"mxw.mxhichina.com", S_GENERIC, "mxhichina.com", "140.205.94.10", 0},
	{"mxn.mxhichina.com", S_GENERIC, "mxhichina.com", "140.205.94.11", 0},
};
#define NHOSTS (sizeof HOSTS / sizeof HOSTS[0])

/* MX hosts only the fixed domains under co.za, org.za and gov.za use
 * (pslcases.c): Mimecast's South African region and a small South African
 * web host.  Added after every other shared server, so that the others
 * keep their places in the files. */
static const HostDef ZA_HOSTS[] = {
	{"za-smtp-inbound-1.mimecast.co.za", S_MIMECAST_ZA, "mimecast.co.za", "41.74.192.21 41.74.193.21", 0},
	{"za-smtp-inbound-2.mimecast.co.za", S_MIMECAST_ZA, "mimecast.co.za", "41.74.192.22 41.74.194.22", 0},
	{"mx1.fynbos-hosting.co.za", S_GENERIC, "fynbos-hosting.co.za", "41.76.208.25", 0},
	{"mx2.fynbos-hosting.co.za", S_GENERIC, "fynbos-hosting.co.za", "41.76.209.25", 0},
};

/* Small hosting companies: truth is their registered domain. */
const char *const UNK_R[NUNK] = {"hostingvault.net", "mailnest-hosting.com", "pixelhost.de", "nordmail.se",
			      "redkite-hosting.co.uk", "kumo-hosting.jp", "mxhichina.com"};

int host_id(const char *name)
{
	for (int i = 0; i < g_nhost; i++)
		if (!strcmp(g_host[i].name, name))
			return i;
	fprintf(stderr, "mxgen: internal error: unknown host %s\n", name);
	exit(1);
}

/* Web-hosting families whose shared boxes serve customer domains. */
const Fam FAM[NFAM] = {
	{"bluehost.com", "EIG", "box%d.bluehost.com", 5100, "162.241.64.0", 12800, I_CPANEL, -360},
	{"hostgator.com", "EIG", "gator%d.hostgator.com", 4100, "192.185.16.0", 12800, I_CPANEL, -300},
	{"web-hosting.com", "NameCheap", "server%d.web-hosting.com", 100, "198.54.114.0", 2800, I_SECTIGO, -240},
	{"hostingvault.net", "hostingvault.net", "srv%d.hostingvault.net", 10, "185.101.20.0", 2400, I_LE, 60},
	{"pixelhost.de", "pixelhost.de", "web%d.pixelhost.de", 1, "89.31.132.0", 2400, I_LE, 120},
};

int g_box0[NFAM], g_nbox;

/* Per-customer hosts of these providers resolve into pools of shared IPs. */
int g_ms0, g_nms, g_pp0, g_npp, g_bar0, g_nbar, g_ns0, g_nns;

/* ------------------------------------------------------------------ */
/* MX sets of providers with shared MX hosts                           */

const Simple SIMPLE[] = {
	{K_YANDEX, "Yandex", {"10 mx.yandex.net", "10 mx.yandex.ru"}},
	{K_GODADDY, "GoDaddy",
	 {"0 mx1.secureserver.net;10 mx2.secureserver.net", "0 smtp.secureserver.net;10 mailstore1.secureserver.net"}},
	{K_MIMECAST, "Mimecast",
	 {"10 us-smtp-inbound-1.mimecast.com;10 us-smtp-inbound-2.mimecast.com",
	  "10 eu-smtp-inbound-1.mimecast.com;10 eu-smtp-inbound-2.mimecast.com"}},
	{K_ZOHO, "Zoho", {"10 mx.zoho.com;20 mx2.zoho.com;50 mx3.zoho.com", "10 mx.zoho.eu;20 mx2.zoho.eu"}},
	{K_RACKSPACE, "Rackspace", {"10 mx1.emailsrvr.com;20 mx2.emailsrvr.com"}},
	{K_TENCENT, "Tencent", {"5 mxbiz1.qq.com;10 mxbiz2.qq.com"}},
	{K_MAILRU, "Mail.Ru", {"10 emx.mail.ru"}},
	{K_OVH, "OVH", {"1 mx1.mail.ovh.net;5 mx2.mail.ovh.net;100 mx3.mail.ovh.net"}},
	{K_NAMECHEAP, "NameCheap", {"10 mx1.privateemail.com;10 mx2.privateemail.com"}},
	{K_EIG, "EIG",
	 {"100 us2.mx1.mailhostbox.com;100 us2.mx2.mailhostbox.com;100 us2.mx3.mailhostbox.com",
	  "10 mx.yourhostingaccount.com"}},
	{K_UI, "UnitedInternet",
	 {"10 mx00.kundenserver.de;10 mx01.kundenserver.de", "10 mx00.perfora.net;10 mx01.perfora.net"}},
	{K_TUCOWS, "Tucows", {"10 mx.hostedemail.com"}},
	{K_STRATO, "Strato", {"5 smtpin.rzone.de"}},
	{K_ARUBA, "Aruba", {"10 mx.aruba.it"}},
	{K_YAHOO, "Yahoo", {"1 mx-biz.mail.am0.yahoodns.net"}},
	{K_GANDI, "Gandi", {"10 spool.mail.gandi.net;50 fb.mail.gandi.net"}},
	{K_FASTMAIL, "Fastmail", {"10 in1-smtp.messagingengine.com;20 in2-smtp.messagingengine.com"}},
	{K_SPAMHERO, "Spamhero", {"10 mx1.mxthunder.net;20 mx2.mxthunder.net"}},
	{K_APPRIVER, "AppRiver", {"10 mx1-us1.appriver.com;10 mx2-us1.appriver.com"}},
	{K_SOPHOS, "Sophos",
	 {"10 mx-01-us-west-2.prod.hydra.sophos.com;20 mx-02-us-west-2.prod.hydra.sophos.com"}},
	{K_SOLARWINDS, "Solarwinds", {"10 mx.antispamcloud.com;20 mx2.antispamcloud.com"}},
	{K_TRENDMICRO, "TrendMicro", {"10 in.hes.trendmicro.com"}},
	{K_FORCEPOINT, "ForcePoint", {"10 cluster-a.mailcontrol.com;20 cluster-b.mailcontrol.com"}},
	{K_MESSAGELABS, "MessageLabs",
	 {"10 cluster1.eu.messagelabs.com;20 cluster1a.eu.messagelabs.com",
	  "10 cluster5.us.messagelabs.com;20 cluster5a.us.messagelabs.com"}},
	{K_INTERMEDIA, "IntermediaCloud", {"10 mx1.serverdata.net;20 mx2.serverdata.net"}},
	{K_FIREEYE, "FireEye", {"10 mx1.fireeyegov.com;10 mx2.fireeyegov.com"}},
	{K_BEGET, "Beget", {"10 mx1.beget.ru;20 mx2.beget.ru"}},
	{K_SITEGROUND, "SiteGround",
	 {"10 mx10.mailspamprotection.com;20 mx20.mailspamprotection.com;30 mx30.mailspamprotection.com"}},
};
#define NSIMPLE (sizeof SIMPLE / sizeof SIMPLE[0])

MxSet g_set[NSIMPLE][3];
int g_nvar[NSIMPLE];
int g_simple_of[K__N]; /* kind -> SIMPLE index + 1 */

int g_h_google[5], g_h_smtpgd, g_h_thunder1, g_h_vault2, g_h_unk[NUNK][2];

/* ------------------------------------------------------------------ */
/* set-up and self-checks                                              */

static int in_pool(uint32_t ip)
{
	for (int p = 0; p < P__N; p++)
		for (int b = 0; b < g_pool[p].nblk; b++)
			if (ip - g_pool[p].base[b] < (g_pool[p].n24[b] << 8))
				return 1;
	return 0;
}

/* The providers' MX hosts and their servers. */
static void add_hosts(const HostDef *defs, size_t n)
{
	char tmp[200];
	for (size_t i = 0; i < n; i++) {
		if (g_nhost >= MAXHOST)
			die_internal("too many MX hosts");
		Host *h = &g_host[g_nhost++];
		h->name = defs[i].name;
		h->R = defs[i].R;
		snprintf(tmp, sizeof tmp, "%s", defs[i].ips);
		for (char *t = strtok(tmp, " "); t && h->nip < 4; t = strtok(NULL, " ")) {
			int si = server_add(ip_literal(t), defs[i].style, h->name, h->R, 1);
			if (defs[i].unscanned)
				g_srv[si].scanned = 0;
			h->srv[h->nip++] = si;
		}
	}
}

/* The pools of shared servers behind per-customer host names (Microsoft,
 * ProofPoint, Barracuda, Network Solutions). */
static void add_customer_pools(void)
{
	g_ms0 = g_nsrv;
	g_nms = 48;
	for (int k = 0; k < g_nms; k++) {
		uint32_t ip = k < 32 ? (104u << 24 | 47u << 16 | (uint32_t)((k * 37 + 20) % 127) << 8 | (uint32_t)(10 + k * 53 % 240))
				     : (40u << 24 | 107u << 16 | (uint32_t)(k * 29 % 251) << 8 | (uint32_t)(20 + k * 7 % 200));
		server_add(ip, S_MS, NULL, "outlook.com", 0);
	}
	g_pp0 = g_nsrv;
	g_npp = 24;
	for (int k = 0; k < g_npp; k++) {
		uint32_t ip = k < 16 ? (148u << 24 | 163u << 16 | (uint32_t)(128 + k * 7 % 32) << 8 | (uint32_t)(20 + k * 11 % 200))
				     : (67u << 24 | 231u << 16 | (uint32_t)(144 + k % 8) << 8 | (uint32_t)(30 + k));
		server_add(ip, S_PP, NULL, "pphosted.com", 0);
	}
	g_bar0 = g_nsrv;
	g_nbar = 16;
	for (int k = 0; k < g_nbar; k++) {
		uint32_t ip = k < 8 ? (209u << 24 | 222u << 16 | (uint32_t)(80 + k) << 8 | (uint32_t)(10 + k))
				    : (64u << 24 | 235u << 16 | (uint32_t)(144 + k) << 8 | (uint32_t)(150 + k));
		server_add(ip, S_BARRACUDA, NULL, "barracudanetworks.com", 0);
	}
	g_ns0 = g_nsrv;
	g_nns = 8;
	for (int k = 0; k < g_nns; k++)
		server_add(206u << 24 | 188u << 16 | 198u << 8 | (uint32_t)(60 + k), S_GENERIC,
			   xasprintf("inbound-%d.atl.netsolmail.net", k + 1), "atl.netsolmail.net", 0);
	for (int i = g_ms0; i < g_nsrv; i++)
		g_srv[i].scanned = to01(HS(g_srv[i].ip, 0x5CA, 0)) >= 0.04;
}

/* Web hosting boxes: 4 styles, at least one box of each. */
static void add_boxes(uint64_t n_domains)
{
	uint64_t nb = n_domains / 5000 / 4 * 4;
	if (nb < 4)
		nb = 4;
	for (int f = 0; f < NFAM; f++)
		if (nb > (uint64_t)FAM[f].maxbox)
			nb = (uint64_t)FAM[f].maxbox / 4 * 4;
	g_nbox = (int)nb;
	for (int f = 0; f < NFAM; f++) {
		g_box0[f] = g_nsrv;
		uint32_t base = ip_literal(FAM[f].base);
		for (int k = 0; k < g_nbox; k++) {
			int si = server_add(base + ((uint32_t)(k / 200) << 8) + 10 + (uint32_t)(k % 200), S_BOX, NULL,
					    FAM[f].R, 0);
			g_srv[si].fam = (uint8_t)f;
			g_srv[si].k = k;
		}
	}
}

/* Self-checks: unique server IPs, outside every pool, all routed; pools
 * routed and apart. */
static void check_world(void)
{
	uint32_t *ips = xcalloc((size_t)g_nsrv, sizeof *ips);
	for (int i = 0; i < g_nsrv; i++) {
		ips[i] = g_srv[i].ip;
		if (in_pool(ips[i]))
			die_internal("a shared server lies inside a per-domain pool");
		(void)pfx_lookup(ips[i]);
	}
	mx_sort(ips, (size_t)g_nsrv, sizeof *ips, mx_cmp_u32);
	for (int i = 1; i < g_nsrv; i++)
		if (ips[i] == ips[i - 1])
			die_internal("duplicate shared server IP");
	free(ips);
	for (int p = 0; p < P__N; p++)
		for (int b = 0; b < g_pool[p].nblk; b++) {
			uint32_t lo = g_pool[p].base[b], hi = lo + (g_pool[p].n24[b] << 8) - 1;
			(void)pfx_lookup(lo);
			(void)pfx_lookup(hi);
			for (int q = 0; q < P__N; q++)
				for (int c = 0; c < g_pool[q].nblk; c++) {
					if (q == p && c == b)
						continue;
					uint32_t lo2 = g_pool[q].base[c], hi2 = lo2 + (g_pool[q].n24[c] << 8) - 1;
					if (lo <= hi2 && lo2 <= hi)
						die_internal("overlapping pools");
				}
		}
}

/* The providers' MX sets, and the hosts the hard cases name. */
static void build_mx_sets(void)
{
	for (size_t si = 0; si < NSIMPLE; si++) {
		g_simple_of[SIMPLE[si].kind] = (int)si + 1;
		for (int v = 0; v < 3 && SIMPLE[si].sets[v]; v++) {
			MxSet *s = &g_set[si][v];
			char buf[400];
			snprintf(buf, sizeof buf, "%s", SIMPLE[si].sets[v]);
			char *save = NULL;
			for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
				char *sp = strchr(t, ' ');
				if (!sp || s->n >= 4)
					die_internal("MX set");
				*sp = 0;
				s->pref[s->n] = atoi(t);
				s->hid[s->n++] = host_id(sp + 1);
			}
			g_nvar[si] = v + 1;
		}
	}
	static const char *gh[5] = {"aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com",
				    "alt3.aspmx.l.google.com", "alt4.aspmx.l.google.com"};
	for (int i = 0; i < 5; i++)
		g_h_google[i] = host_id(gh[i]);
	g_h_smtpgd = host_id("smtp.secureserver.net");
	g_h_thunder1 = host_id("mx1.mxthunder.net");
	g_h_vault2 = host_id("mx2.hostingvault.net");
	char tmp[200];
	for (int u = 0; u < NUNK; u++) {
		for (int k = 0; k < 2; k++) {
			if (u == 6)
				snprintf(tmp, sizeof tmp, "%s", k ? "mxn.mxhichina.com" : "mxw.mxhichina.com");
			else
				snprintf(tmp, sizeof tmp, "mx%d.%s", k + 1, UNK_R[u]);
			g_h_unk[u][k] = host_id(tmp);
		}
	}
}

void init_world(uint64_t n_domains)
{
	add_hosts(HOSTS, NHOSTS);
	add_customer_pools();
	add_boxes(n_domains);
	add_hosts(ZA_HOSTS, sizeof ZA_HOSTS / sizeof ZA_HOSTS[0]);
	check_world();
	build_mx_sets();
}

void free_world(void)
{
	for (int p = 0; p < P__N; p++)
		free(g_pool[p].bits);
	for (int i = g_ns0; i < g_ns0 + g_nns; i++)
		free((char *)g_srv[i].H);
	free(g_srv);
}
