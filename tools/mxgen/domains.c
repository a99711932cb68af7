/* mxgen domains: the names of the domains (words, places, TLDs), the set
 * of names in use, the kinds of domains (which provider, which hard case)
 * and the target lists they are in. */
#include "mxgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxray/util.h"

static const char *W1[] = {
	"blue", "red", "green", "silver", "golden", "bright", "quick", "smart", "happy", "sunny", "urban", "north",
	"south", "east", "west", "prime", "true", "first", "grand", "royal", "swift", "clear", "fresh", "pure", "wild",
	"open", "big", "little", "modern", "classic", "global", "local", "metro", "coastal", "mountain", "river", "lake",
	"ocean", "harbor", "valley", "summit", "pioneer", "liberty", "heritage", "eagle", "falcon", "cedar", "maple",
	"oak", "pine", "iron", "stone", "crystal", "rapid", "bold", "brave", "lucky", "magic", "noble", "vivid", "solar",
	"lunar", "star", "nova", "alpha", "delta", "omega", "apex", "zen", "echo", "pixel", "cyber", "digital", "micro",
	"mega", "ultra", "hyper", "copper", "amber", "ivory", "scarlet", "emerald", "sapphire", "granite", "willow",
	"birch", "aspen", "sierra", "canyon", "prairie", "meadow", "harvest", "orchard", "sterling", "keystone",
	"cornerstone", "bluebird", "redwood", "evergreen", "highland", "lowland", "midtown", "uptown", "downtown",
	"bayside", "lakeside", "riverside", "hilltop", "sunset", "sunrise", "twin", "united", "allied", "premier",
	"elite", "vital", "active", "simple", "honest", "friendly", "family", "city", "county", "village"};
#define NW1 (sizeof W1 / sizeof W1[0])

static const char *W2[] = {
	"solutions", "systems", "group", "partners", "studio", "labs", "works", "media", "design", "consulting",
	"marketing", "realty", "homes", "dental", "law", "legal", "auto", "motors", "garage", "plumbing", "roofing",
	"electric", "builders", "construction", "landscaping", "farms", "foods", "kitchen", "bakery", "cafe", "coffee",
	"brewing", "wines", "fitness", "yoga", "health", "clinic", "care", "pets", "vet", "travel", "tours", "photo",
	"films", "music", "arts", "books", "press", "news", "games", "toys", "fashion", "boutique", "jewelry", "beauty",
	"salon", "spa", "insurance", "capital", "finance", "invest", "advisors", "accounting", "tax", "logistics",
	"freight", "shipping", "supply", "parts", "tools", "energy", "power", "water", "church", "academy", "school",
	"institute", "foundation", "society", "club", "sports", "outdoors", "events", "wedding", "flowers", "garden",
	"print", "signs", "software", "apps", "network", "security", "cleaning", "repair", "services", "rentals",
	"properties", "ventures", "holdings", "industries", "trading", "imports", "market", "store", "shop", "depot",
	"outlet", "direct", "online", "hub", "zone", "point", "place", "center", "world", "life", "craft", "goods",
	"interiors", "optics", "dynamics", "robotics", "analytics", "pharma", "biotech", "medical", "therapy"};
#define NW2 (sizeof W2 / sizeof W2[0])

static const char *SYL[] = {"ka", "zo", "mi", "lu", "ra", "ve", "no", "ti", "sa", "po", "de", "fi", "ga", "ho",
			    "ji", "ke", "la", "mo", "nu", "pe", "ri", "su", "ta", "vo", "wa", "xi", "yo", "ze",
			    "bra", "tre", "qui", "clo", "dra", "fla", "gri", "plo", "sti", "vra"};
#define NSYL (sizeof SYL / sizeof SYL[0])
static const char *SYLEND[] = {"", "", "", "x", "n", "r", "s", "ly", "io", "fy", "ia", "on", "ex", "ora"};
#define NSYLEND (sizeof SYLEND / sizeof SYLEND[0])

static const char *PLACES[] = {
	"springfield", "riverside", "franklin", "greenville", "clinton", "madison", "georgetown", "salem", "fairview",
	"bristol", "clayton", "dayton", "arlington", "ashland", "burlington", "manchester", "milford", "oxford",
	"jackson", "marion", "lexington", "newport", "plymouth", "winchester", "chester", "dover", "hudson",
	"kingston", "lancaster", "auburn", "bedford", "camden", "dalton", "elgin", "fulton", "glendale", "hamilton",
	"jefferson", "lincoln", "monroe", "norwood", "oakland", "princeton", "quincy", "richmond", "shelby", "troy",
	"union", "vernon", "warren", "york", "aurora", "belmont", "canton", "danville", "easton", "florence",
	"hanover", "irving", "jasper", "kent", "lebanon", "mesa", "nashua", "ogden", "paris", "raleigh", "sparta",
	"tyler", "utica", "vienna", "waco", "yuma", "alton", "brookfield", "cedarville", "deerfield", "eastwood",
	"fairfield", "granville", "hillsboro", "ironton", "johnstown", "kirkwood", "lakewood", "millbrook",
	"northfield", "oakdale", "pinehurst", "ridgewood", "stonington", "thornton", "westfield", "woodstock"};
#define NPLACES (sizeof PLACES / sizeof PLACES[0])

static const char *STATES[] = {"al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il",
			       "in", "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt",
			       "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri",
			       "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy"};
#define NSTATES (sizeof STATES / sizeof STATES[0])

static const char *GOVW[] = {"water", "transit", "courts", "schools", "library", "parks", "health", "police",
			     "fire", "housing", "elections", "treasury", "revenue", "labor", "energy", "veterans",
			     "aging", "lottery", "tourism", "ports", "dmv", "education", "commerce", "justice"};
#define NGOVW (sizeof GOVW / sizeof GOVW[0])

const char *const LNAME[3] = {"alexa", "com", "gov"};

typedef struct {
	const char *tld;
	double w;
	int region;
} Tld;

static const Tld ATLD[] = {
	{"com", 48, P_US}, {"org", 7, P_US}, {"net", 6, P_US}, {"ru", 6, P_ASIA}, {"de", 5, P_EU},
	{"co.uk", 3, P_EU}, {"jp", 2, P_ASIA}, {"co.jp", 1, P_ASIA}, {"fr", 2.5, P_EU}, {"com.br", 2, P_US},
	{"in", 2, P_ASIA}, {"it", 1.5, P_EU}, {"io", 1.5, P_US}, {"edu", 2.5, P_US}, {"cn", 1, P_ASIA},
	{"com.cn", 0.5, P_ASIA}, {"nl", 1.5, P_EU}, {"pl", 1.5, P_EU}, {"es", 1, P_EU}, {"com.au", 1, P_US},
	{"ca", 1, P_US}, {"info", 1, P_US}, {"gov", 1, P_US}, {"se", 0.5, P_EU}, {"ch", 0.5, P_EU},
};
#define NATLD (sizeof ATLD / sizeof ATLD[0])

static int tld_region(const char *tld)
{
	for (size_t i = 0; i < NATLD; i++)
		if (!strcmp(ATLD[i].tld, tld))
			return ATLD[i].region;
	return P_US;
}

/* the set of names already used (64-bit hashes, open addressing) */
static uint64_t *g_nset;
static uint64_t g_nmask;

int nset_add(const char *name)
{
	uint64_t h = str_hash(name);
	if (!h)
		h = 1;
	uint64_t i = h & g_nmask;
	while (g_nset[i]) {
		if (g_nset[i] == h)
			return 0;
		i = (i + 1) & g_nmask;
	}
	g_nset[i] = h;
	return 1;
}

/* ------------------------------------------------------------------ */
/* kinds of domains                                                    */

typedef struct {
	int kind;
	double w[3]; /* weight per list: alexa, com, gov */
} KindW;

static const KindW KW[] = {
	{K_GOOGLE, {29, 10, 9.5}}, {K_MS, {11, 6, 32}}, {K_YANDEX, {4.5, 0.3, 0}}, {K_GODADDY, {1.5, 31, 0.9}},
	{K_PP, {3, 0.45, 4.4}}, {K_MIMECAST, {2.1, 0.2, 2.5}}, {K_ZOHO, {1.3, 0.55, 0.1}},
	{K_BARRACUDA, {0.6, 0.1, 8}}, {K_RACKSPACE, {0.8, 0.9, 1.4}}, {K_TENCENT, {0.9, 0.6, 0}},
	{K_MAILRU, {0.6, 0.05, 0}}, {K_OVH, {0.4, 1.4, 0}}, {K_NAMECHEAP, {0.35, 1.2, 0.05}},
	{K_EIG, {0.3, 1.5, 0.3}}, {K_UI, {0.4, 4.8, 0.05}}, {K_TUCOWS, {0.15, 1.0, 0.05}},
	{K_STRATO, {0.1, 0.9, 0}}, {K_WEBCOM, {0.1, 0.75, 0.3}}, {K_ARUBA, {0.1, 0.7, 0}},
	{K_YAHOO, {0.1, 0.65, 0.05}}, {K_GANDI, {0.15, 0.5, 0}}, {K_FASTMAIL, {0.25, 0.2, 0.02}},
	{K_SPAMHERO, {0.02, 0.05, 0.4}}, {K_APPRIVER, {0.1, 0.1, 1.7}}, {K_SOPHOS, {0.1, 0.05, 0.8}},
	{K_SOLARWINDS, {0.15, 0.1, 0.8}}, {K_TRENDMICRO, {0.2, 0.05, 0.6}}, {K_FORCEPOINT, {0.2, 0.02, 0.4}},
	{K_MESSAGELABS, {0.45, 0.05, 0.25}}, {K_INTERMEDIA, {0.1, 0.1, 0.7}}, {K_FIREEYE, {0.05, 0.01, 0.5}},
	{K_BEGET, {0.45, 0.05, 0}}, {K_SITEGROUND, {0.3, 0.6, 0.05}}, {K_CISCO, {0.8, 0.1, 1.4}},
	{K_UNKHOST, {4, 12, 3}}, {K_SELF, {33, 21, 29}}, {K_NOMX, {0.3, 0.6, 0.5}}, {K_NULLMX, {0.3, 0.3, 0.2}},
	{K_FAIL, {1.0, 1.0, 1.0}}, {K_NODNS, {0.2, 0.2, 0.2}},
};
#define NKW (sizeof KW / sizeof KW[0])

/* The paper's hard cases: global rate and number of sub-variants (taken
 * round-robin, so every variant shows up). */
const HardDef HARD[] = {
	{H_A, 0.004, 4, "a  web host default mx.<domain>"},
	{H_B_GD, 0.003, 2, "b1 GoDaddy VPS (s1-2-3-4.secureserver.net)"},
	{H_B_OVH, 0.003, 2, "b2 OVH VPS (vps123456.ovh.net, ns*.ip-*.eu)"},
	{H_C, 0.003, 2, "c  fake mx.google.com banner"},
	{H_D_CISCO, 0.003, 2, "d1 Cisco with customer certificate"},
	{H_D_PP, 0.003, 2, "d2 ProofPoint with customer certificate"},
	{H_E, 0.004, 4, "e  split primary MX (same preference)"},
	{H_F, 0.0035, 4, "f  backup MX at another provider"},
	{H_G, 0.008, 6, "g  missing data"},
	{H_H, 0.0035, 5, "h  localhost banner at a web host"},
	{H_I, 0.003, 3, "i  multi-line 220- banner / EHLO differs"},
	{H_J, 0.005, 8, "j  hostile banner text"},
	{H_K, 0.0025, 3, "k  misleading banner domain (spamhaus)"},
};
const size_t NHARD = sizeof HARD / sizeof HARD[0];

const char *kind_name(int k)
{
	static const char *n[] = {"Google", "Microsoft", "Yandex", "GoDaddy", "ProofPoint", "Mimecast", "Zoho",
				  "Barracuda", "Rackspace", "Tencent", "Mail.Ru", "OVH", "NameCheap", "EIG",
				  "UnitedInternet", "Tucows", "Strato", "Web.com", "Aruba", "Yahoo", "Gandi",
				  "Fastmail", "Spamhero", "AppRiver", "Sophos", "Solarwinds", "TrendMicro",
				  "ForcePoint", "MessageLabs", "IntermediaCloud", "FireEye", "Beget", "SiteGround",
				  "Cisco", "small web hosts", "self-hosted", "no MX", "null MX", "failed lookup",
				  "no DNS rows"};
	return k < (int)(sizeof n / sizeof n[0]) ? n[k] : "hard case";
}

static double g_whard, g_wlist[3];
static uint64_t g_koff, g_loff;
static uint64_t g_subctr[K__N];

static int pick_kind(uint64_t id, int list)
{
	double u = to01(g_koff + id * 0x9E3779B97F4A7C15ULL);
	if (u < g_whard) {
		for (size_t i = 0; i < NHARD; i++) {
			if (u < HARD[i].p)
				return HARD[i].kind;
			u -= HARD[i].p;
		}
		return HARD[NHARD - 1].kind;
	}
	double x = (u - g_whard) / (1 - g_whard) * g_wlist[list];
	for (size_t i = 0; i < NKW; i++) {
		if (x < KW[i].w[list])
			return KW[i].kind;
		x -= KW[i].w[list];
	}
	return K_SELF;
}

static int hard_nsub(int kind)
{
	for (size_t i = 0; i < NHARD; i++)
		if (HARD[i].kind == kind)
			return HARD[i].nsub;
	return 1;
}

int migrate(int kind, uint64_t h)
{
	double x = to01(h);
	switch (kind) {
	case K_SELF: return x < .4 ? K_GOOGLE : x < .8 ? K_MS : x < .85 ? K_ZOHO : x < .9 ? K_GODADDY : K_UNKHOST;
	case K_GODADDY: return x < .5 ? K_MS : x < .8 ? K_GOOGLE : x < .9 ? K_SELF : K_NAMECHEAP;
	case K_GOOGLE: return x < .6 ? K_MS : x < .8 ? K_SELF : K_ZOHO;
	case K_MS: return x < .7 ? K_GOOGLE : x < .85 ? K_PP : K_MIMECAST;
	default: return x < .45 ? K_GOOGLE : x < .9 ? K_MS : K_SELF;
	}
}

static void pick_tld(Dom *d, Rng *r)
{
	const char *t = NULL;
	double x = ru(r);
	if (d->list == L_COM)
		t = "com";
	else if (d->list == L_GOV)
		t = "gov";
	else {
		switch (d->basekind) {
		case K_YANDEX: case K_MAILRU: case K_BEGET: if (x < .85) t = "ru"; break;
		case K_TENCENT: if (x < .6) t = x < .4 ? "cn" : "com.cn"; break;
		case K_UI: if (x < .55) t = "de"; break;
		case K_STRATO: if (x < .85) t = "de"; break;
		case K_ARUBA: if (x < .9) t = "it"; break;
		case K_OVH: if (x < .5) t = "fr"; break;
		case K_GANDI: if (x < .4) t = "fr"; break;
		case H_D_CISCO: case H_D_PP: if (x < .6) t = "edu"; break;
		default: break;
		}
		if (!t) {
			double tot = 0;
			for (size_t i = 0; i < NATLD; i++)
				tot += ATLD[i].w;
			double y = ru(r) * tot;
			t = ATLD[NATLD - 1].tld;
			for (size_t i = 0; i < NATLD; i++) {
				if (y < ATLD[i].w) {
					t = ATLD[i].tld;
					break;
				}
				y -= ATLD[i].w;
			}
		}
	}
	snprintf(d->tld, sizeof d->tld, "%s", t);
}

static void make_label(char *dst, size_t cap, const Dom *d, Rng *r)
{
	double x = ru(r);
	const char *w1 = W1[rb(r, NW1)], *w2 = W2[rb(r, NW2)], *pl = PLACES[rb(r, NPLACES)];
	if (!strcmp(d->tld, "gov")) {
		const char *st = STATES[rb(r, NSTATES)];
		if (x < .25)
			snprintf(dst, cap, "cityof%s%s", pl, x < .1 ? st : "");
		else if (x < .45)
			snprintf(dst, cap, "%scounty%s", pl, x < .35 ? st : "");
		else if (x < .6)
			snprintf(dst, cap, "%s%s", pl, st);
		else if (x < .7)
			snprintf(dst, cap, "townof%s%s", pl, st);
		else if (x < .85)
			snprintf(dst, cap, "%s%s", st, GOVW[rb(r, NGOVW)]);
		else
			snprintf(dst, cap, "%s-%s", pl, st);
	} else if (!strcmp(d->tld, "edu")) {
		if (x < .3)
			snprintf(dst, cap, "%su", pl);
		else if (x < .55)
			snprintf(dst, cap, "%sstate", pl);
		else if (x < .75)
			snprintf(dst, cap, "%scollege", pl);
		else if (x < .9)
			snprintf(dst, cap, "u%s", pl);
		else
			snprintf(dst, cap, "%stech", pl);
	} else if (d->list == L_ALEXA && x < .4) {
		size_t n = 0;
		int ns = 2 + (int)rb(r, 2);
		dst[0] = 0;
		for (int i = 0; i < ns; i++)
			n += (size_t)snprintf(dst + n, cap - n, "%s", SYL[rb(r, NSYL)]);
		snprintf(dst + n, cap - n, "%s", SYLEND[rb(r, NSYLEND)]);
	} else {
		double y = ru(r);
		if (y < .45)
			snprintf(dst, cap, "%s%s", w1, w2);
		else if (y < .6)
			snprintf(dst, cap, "%s%s%u", w1, w2, rb(r, 2) ? rb(r, 100) : 1 + rb(r, 999));
		else if (y < .72)
			snprintf(dst, cap, "%s-%s", w1, w2);
		else if (y < .85)
			snprintf(dst, cap, "%s%s%s", w1, w2, W2[rb(r, NW2)]);
		else if (y < .93)
			snprintf(dst, cap, "%s%s", pl, w2);
		else
			snprintf(dst, cap, "%s%s%s", SYL[rb(r, NSYL)], SYL[rb(r, NSYL)], w2);
	}
}

/* The identity of a domain: list(s), base kind, variant and name. */
void dom_base(Dom *d, uint64_t id)
{
	memset(d, 0, sizeof *d);
	d->id = id;
	double v = to01(g_loff + id * 0x6A09E667F3BCC909ULL);
	d->list = v < 0.30 ? L_ALEXA : v < 0.85 ? L_COM : L_GOV;
	d->list2 = -1;
	d->basekind = pick_kind(id, d->list);
	d->ctr = g_subctr[d->basekind]++;
	d->sub = (int)(d->ctr % (uint64_t)hard_nsub(d->basekind));
	Rng r = rng_for(id, 0xA3E, 0);
	pick_tld(d, &r);
	for (int attempt = 0;; attempt++) {
		char label[80];
		make_label(label, sizeof label, d, &r);
		if (attempt > 3)
			snprintf(label + strlen(label), sizeof label - strlen(label), "%u", rb(&r, 10000));
		snprintf(d->name, sizeof d->name, "%s.%s", label, d->tld);
		if (nset_add(d->name))
			break;
	}
	d->region = tld_region(d->tld);
	d->edu = !strcmp(d->tld, "edu");
	if (d->list == L_ALEXA) {
		if (!strcmp(d->tld, "gov"))
			d->list2 = L_GOV;
		else if (!strcmp(d->tld, "com") && to01(HS(id, 0x2215, 0)) < 0.06)
			d->list2 = L_COM;
	}
}

void domains_init(uint64_t total)
{
	uint64_t cap = 1024;
	while (cap < 2 * (total + 256))
		cap <<= 1;
	g_nset = xcalloc((size_t)cap, sizeof *g_nset);
	g_nmask = cap - 1;
	for (int i = 0; i < g_nhost; i++)
		nset_add(g_host[i].R);
	for (int f = 0; f < NFAM; f++)
		nset_add(FAM[f].R);
	g_koff = HS(0x11, 0x22, 0x33);
	g_loff = HS(0x44, 0x55, 0x66);
	for (size_t i = 0; i < NHARD; i++)
		g_whard += HARD[i].p;
	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < NKW; i++)
			g_wlist[l] += KW[i].w[l];
}

void domains_free(void)
{
	free(g_nset);
}
