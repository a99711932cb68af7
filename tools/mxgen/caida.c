/* mxgen caida: the routing table (every address the generator hands out
 * lies in one of its prefixes), the AS and organisation names, and the
 * two CAIDA files written from them: pfx2as.txt and as2org.txt. */
#include "mxgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxray/util.h"

uint32_t ip_literal(const char *s)
{
	uint32_t ip;
	if (!mx_ipv4_parse(s, &ip))
		die_internal("bad IPv4 literal in a table");
	return ip;
}

void parse_cidr(const char *s, uint32_t *net, int *len)
{
	char tmp[40];
	const char *sl = strchr(s, '/');
	if (!sl || (size_t)(sl - s) >= sizeof tmp)
		die_internal("bad CIDR in a table");
	memcpy(tmp, s, (size_t)(sl - s));
	tmp[sl - s] = 0;
	*net = ip_literal(tmp);
	*len = atoi(sl + 1);
	if (*len < 8 || *len > 32)
		die_internal("bad prefix length in a table");
	uint32_t mask = *len == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> *len);
	if (*net & ~mask)
		die_internal("CIDR with host bits set");
}

/* ------------------------------------------------------------------ */
/* routing: the prefix-to-AS table (written to pfx2as.txt and used for  */
/* every ASN this program prints)                                      */

typedef struct {
	const char *cidr;
	const char *origin; /* as in pfx2as: "15169", "8075_8068", "16276,35540" */
} PfxDef;

static const PfxDef PFX[] = {
	/* Google */
	{"142.250.0.0/15", "15169"}, {"173.194.0.0/16", "15169"}, {"74.125.0.0/16", "15169"},
	{"209.85.128.0/17", "15169"}, {"64.233.160.0/19", "15169"}, {"35.214.0.0/15", "15169"},
	/* Microsoft (one multi-origin line) */
	{"104.47.0.0/17", "8075"}, {"40.107.0.0/16", "8075_8068"}, {"52.100.0.0/14", "8075"},
	/* Yandex */
	{"77.88.0.0/18", "13238"}, {"213.180.192.0/19", "13238"}, {"87.250.224.0/19", "13238"},
	/* GoDaddy: mail servers, VPS ranges, a more specific /24 of another GoDaddy AS */
	{"68.178.128.0/17", "26496"}, {"72.167.0.0/16", "26496"}, {"173.201.192.0/18", "26496"},
	{"132.148.0.0/16", "26496"}, {"148.72.0.0/16", "26496"}, {"148.72.128.0/24", "398101"},
	/* ProofPoint */
	{"148.163.128.0/17", "26211"}, {"67.231.144.0/20", "22843"}, {"205.220.160.0/19", "13916"},
	{"185.183.28.0/22", "52129"},
	/* Mimecast */
	{"207.211.30.0/24", "30031"}, {"205.139.110.0/24", "30031"}, {"185.58.84.0/22", "39588"},
	{"195.130.217.0/24", "42427"},
	/* Zoho */
	{"204.141.32.0/21", "2639"}, {"136.143.188.0/22", "2639"}, {"185.230.212.0/22", "41913"},
	/* Barracuda */
	{"209.222.80.0/21", "15324"}, {"64.235.144.0/20", "15324"},
	/* Rackspace, AppRiver (hosted in a Rackspace AS) */
	{"173.203.128.0/17", "33070"}, {"146.20.0.0/16", "19994"}, {"204.232.236.0/23", "27357"},
	/* Tencent, Mail.Ru, Beget */
	{"183.3.224.0/20", "132203"}, {"94.100.176.0/20", "47764"}, {"217.69.128.0/20", "47764"},
	{"5.101.152.0/21", "198610"},
	/* OVH: mail cluster, VPS ranges (one AS-set line) */
	{"188.165.0.0/16", "16276"}, {"51.75.0.0/16", "16276"}, {"54.38.0.0/16", "16276"},
	{"51.91.0.0/16", "16276,35540"},
	/* NameCheap */
	{"198.54.112.0/20", "22612"}, {"68.65.120.0/21", "22612"},
	/* EIG */
	{"162.241.0.0/16", "46606"}, {"192.185.0.0/16", "46606"}, {"208.91.196.0/22", "394695"},
	{"66.96.128.0/18", "29873"},
	/* United Internet, Tucows, Strato, Web.com, Aruba, Yahoo, Gandi, Fastmail */
	{"212.227.0.0/16", "8560"}, {"217.72.192.0/20", "8560"}, {"74.208.0.0/16", "8560"},
	{"64.98.36.0/22", "15348"}, {"81.169.144.0/20", "6724"}, {"206.188.192.0/20", "19871"},
	{"62.149.128.0/19", "31034"}, {"67.195.204.0/22", "36647"}, {"98.136.96.0/20", "36647"},
	{"217.70.176.0/20", "29169"}, {"66.111.4.0/24", "11403"},
	/* Spamhero, Sophos (AWS), Solarwinds (Hetzner), TrendMicro, ForcePoint, MessageLabs,
	 * Intermedia, FireEye */
	{"64.69.216.0/21", "13354"}, {"44.224.0.0/16", "16509"}, {"5.9.0.0/16", "24940"},
	{"150.70.224.0/20", "16880"}, {"208.87.232.0/21", "44444"}, {"85.158.136.0/21", "21345"},
	{"67.219.240.0/20", "26282"}, {"64.78.32.0/19", "16406"}, {"12.153.224.0/21", "393423"},
	/* Cisco (IronPort) */
	{"68.232.128.0/19", "16417"}, {"216.71.0.0/16", "30215"}, {"185.12.80.0/22", "30238"},
	/* small hosting companies (invented, documentation-range ASNs) and Alibaba */
	{"185.101.16.0/20", "64501"}, {"193.34.144.0/20", "64502"}, {"89.31.128.0/20", "64503"},
	{"193.12.96.0/20", "64504"}, {"185.44.64.0/20", "64505"}, {"153.122.0.0/20", "64506"},
	{"140.205.94.0/24", "37963"},
	/* South Africa: Mimecast's region, a small web host (invented, documentation-range
	 * ASN) and an ISP (self-hosted servers under co.za, org.za, gov.za) */
	{"41.74.192.0/20", "37235"}, {"41.76.208.0/20", "64507"}, {"196.25.0.0/16", "5713"},
	/* generic ISPs and clouds (self-hosted servers), US */
	{"52.0.0.0/15", "16509"}, {"159.65.0.0/16", "14061"}, {"167.99.0.0/16", "14061_64510"},
	{"138.68.0.0/16", "14061"}, {"45.79.0.0/16", "63949"}, {"50.192.0.0/13", "7922"},
	{"12.0.0.0/12", "7018"}, {"73.0.0.0/10", "7922"}, {"4.0.0.0/14", "3356"}, {"71.160.0.0/14", "701"},
	/* Europe (Hetzner /16 with a more specific /24 of its cloud AS) */
	{"78.46.0.0/15", "24940"}, {"88.99.0.0/16", "24940"}, {"88.99.200.0/24", "213230"},
	{"144.76.0.0/16", "24940"}, {"80.128.0.0/13", "3320"}, {"82.64.0.0/14", "12322"},
	{"77.160.0.0/14", "1136"}, {"86.0.0.0/13", "5089"},
	/* Russia, China, Japan, India */
	{"95.167.0.0/16", "12389"}, {"178.34.0.0/15", "12389"}, {"92.53.64.0/18", "49505"},
	{"218.2.0.0/15", "4134"}, {"116.224.0.0/12", "4134"}, {"106.128.0.0/14", "2516"},
	{"117.192.0.0/14", "9829"},
	/* unrelated filler */
	{"1.1.1.0/24", "13335"}, {"104.16.0.0/13", "13335"},
};
#define NPFX (sizeof PFX / sizeof PFX[0])

static const PfxDef PFX6[] = {
	{"2607:f8b0::/32", "15169"}, {"2a00:1450::/32", "15169"}, {"2a01:111::/32", "8075"},
	{"2a02:6b8::/32", "13238"}, {"2a01:4f8::/32", "24940"}, {"2001:db8::/32", "64500"},
};
#define NPFX6 (sizeof PFX6 / sizeof PFX6[0])

static Pfx g_pfx[NPFX];   /* sorted by length, longest first (for matching) */

static int cmp_pfx_len(const void *a, const void *b)
{
	const Pfx *x = a, *y = b;
	if (x->len != y->len)
		return y->len - x->len;
	return x->net < y->net ? -1 : x->net > y->net;
}

void pfx_init(void)
{
	for (size_t i = 0; i < NPFX; i++) {
		Pfx *p = &g_pfx[i];
		parse_cidr(PFX[i].cidr, &p->net, &p->len);
		p->mask = p->len == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> p->len);
		p->asn = atoi(PFX[i].origin); /* first AS of a MOAS or AS-set line */
		p->cidr = PFX[i].cidr;
	}
	qsort(g_pfx, NPFX, sizeof g_pfx[0], cmp_pfx_len);
}

/* Longest-prefix match; every generated IP must be covered. */
const Pfx *pfx_lookup(uint32_t ip)
{
	for (size_t i = 0; i < NPFX; i++)
		if ((ip & g_pfx[i].mask) == g_pfx[i].net)
			return &g_pfx[i];
	char b[16];
	mx_ipv4_format(ip, b);
	fprintf(stderr, "mxgen: internal error: %s not covered by the prefix table\n", b);
	exit(1);
}

int asn_of(uint32_t ip)
{
	return pfx_lookup(ip)->asn;
}

/* ------------------------------------------------------------------ */
/* AS and organisation names (as2org.txt, Censys AS names)             */

static const OrgDef ORGS[] = {
	{"GOGL-ARIN", "Google LLC", "US", "ARIN"},
	{"MSFT-ARIN", "Microsoft Corporation", "US", "ARIN"},
	{"ORG-YA1-RIPE", "YANDEX LLC", "RU", "RIPE"},
	{"GODAD-ARIN", "GoDaddy.com, LLC", "US", "ARIN"},
	{"PROOF-ARIN", "Proofpoint, Inc.", "US", "ARIN"},
	{"MIMEC-ARIN", "Mimecast North America, Inc.", "US", "ARIN"},
	{"ORG-MSL12-RIPE", "Mimecast Services Limited", "GB", "RIPE"},
	{"ZOHO-ARIN", "ZOHO", "US", "ARIN"},
	{"ORG-ZCB1-RIPE", "Zoho Corporation B.V.", "NL", "RIPE"},
	{"BN-ARIN", "Barracuda Networks, Inc.", "US", "ARIN"},
	{"RACKS-ARIN", "Rackspace Hosting", "US", "ARIN"},
	{"ORG-TCL2-AP", "Tencent Building, Kejizhongyi Avenue", "CN", "APNIC"},
	{"ORG-LV1-RIPE", "LLC VK", "RU", "RIPE"},
	{"ORG-BL11-RIPE", "Beget LLC", "RU", "RIPE"},
	{"ORG-OS3-RIPE", "OVH SAS", "FR", "RIPE"},
	{"NCHEAP-ARIN", "Namecheap, Inc.", "US", "ARIN"},
	{"BLUEH-2-ARIN", "Unified Layer", "US", "ARIN"},
	{"PDR-ARIN", "PDR", "", "ARIN"},
	{"EIG-ARIN", "The Endurance International Group, Inc.", "US", "ARIN"},
	{"ORG-IS1-RIPE", "IONOS SE", "DE", "RIPE"},
	{"TUCOW-ARIN", "Tucows.com Co.", "CA", "ARIN"},
	{"ORG-SA22-RIPE", "Strato AG", "DE", "RIPE"},
	{"NETSO-ARIN", "Network Solutions, LLC", "US", "ARIN"},
	{"ORG-AS9-RIPE", "Aruba S.p.A.", "IT", "RIPE"},
	{"YAHOO-ARIN", "Yahoo", "US", "ARIN"},
	{"ORG-GG1-RIPE", "Gandi SAS", "FR", "RIPE"},
	{"NYI-ARIN", "New York Internet Company", "US", "ARIN"},
	{"SPAMH-ARIN", "SpamHero, Inc.", "", "ARIN"},
	{"AMAZO-4-ARIN", "Amazon.com, Inc.", "US", "ARIN"},
	{"ORG-HOA1-RIPE", "Hetzner Online GmbH", "DE", "RIPE"},
	{"TMI-ARIN", "Trend Micro Incorporated", "US", "ARIN"},
	{"ORG-FL15-RIPE", "Forcepoint Cloud Ltd", "GB", "RIPE"},
	{"ORG-ML2-RIPE", "MessageLabs Ltd", "GB", "RIPE"},
	{"SYMAN-ARIN", "Symantec Corporation", "US", "ARIN"},
	{"INTER-ARIN", "Intermedia.net, Inc.", "US", "ARIN"},
	{"FIREE-ARIN", "FireEye, Inc.", "US", "ARIN"},
	{"IRONP-ARIN", "Cisco IronPort Systems LLC", "US", "ARIN"},
	{"CISCO-ARIN", "Cisco Systems, Inc.", "US", "ARIN"},
	{"ORG-HVN1-RIPE", "Hostingvault Networks Ltd", "", "RIPE"},
	{"ORG-MNH1-RIPE", "Mailnest Hosting SRL", "RO", "RIPE"},
	{"ORG-PH7-RIPE", "Pixelhost GmbH", "DE", "RIPE"},
	{"ORG-NM3-RIPE", "Nordmail AB", "SE", "RIPE"},
	{"ORG-RHL4-RIPE", "Redkite Hosting Ltd", "GB", "RIPE"},
	{"ORG-KH2-AP", "Kumo Hosting K.K.", "", "APNIC"},
	{"ORG-AAC1-AP", "Hangzhou Alibaba Advertising Co.,Ltd.", "CN", "APNIC"},
	{"DO-13-ARIN", "DigitalOcean, LLC", "US", "ARIN"},
	{"DOC-ARIN", "Documentation ASN holder", "", "ARIN"},
	{"LINOD-ARIN", "Linode, LLC", "US", "ARIN"},
	{"CCCS-ARIN", "Comcast Cable Communications, LLC", "US", "ARIN"},
	{"ATTW-ARIN", "AT&T Services, Inc.", "US", "ARIN"},
	{"LPL-141-ARIN", "Level 3 Parent, LLC", "US", "ARIN"},
	{"MCICS-ARIN", "Verizon Business", "US", "ARIN"},
	{"ORG-DTAG1-RIPE", "Deutsche Telekom AG", "DE", "RIPE"},
	{"ORG-FS4-RIPE", "Free SAS", "FR", "RIPE"},
	{"ORG-KN1-RIPE", "KPN B.V.", "NL", "RIPE"},
	{"ORG-VML1-RIPE", "Virgin Media Limited", "GB", "RIPE"},
	{"ORG-RPC1-RIPE", "PJSC Rostelecom", "RU", "RIPE"},
	{"ORG-SL19-RIPE", "Selectel Ltd.", "RU", "RIPE"},
	{"ORG-CT5-AP", "China Telecom", "CN", "APNIC"},
	{"ORG-KC3-AP", "KDDI CORPORATION", "JP", "APNIC"},
	{"ORG-BSNL1-AP", "Bharat Sanchar Nigam Ltd.", "IN", "APNIC"},
	{"CLOUD14-ARIN", "Cloudflare, Inc.", "US", "ARIN"},
	{"ORG-MSA1-AFRINIC", "Mimecast South Africa (Pty) Ltd", "ZA", "AFRINIC"},
	{"ORG-FHP1-AFRINIC", "Fynbos Hosting (Pty) Ltd", "ZA", "AFRINIC"},
	{"ORG-TSL1-AFRINIC", "Telkom SA Ltd", "ZA", "AFRINIC"},
};
#define NORGS (sizeof ORGS / sizeof ORGS[0])

static const AsDef ASES[] = {
	{15169, "GOOGLE", "GOGL-ARIN", 0},
	{8075, "MICROSOFT-CORP-MSN-AS-BLOCK", "MSFT-ARIN", 0},
	{8068, "MICROSOFT-CORP-EXCHANGE-ONLINE-AS", "MSFT-ARIN", 0},
	{13238, "YANDEX", "ORG-YA1-RIPE", 0},
	{26496, "AS-26496-GO-DADDY-COM-LLC", "GODAD-ARIN", 0},
	{398101, "GO-DADDY-COM-LLC", "GODAD-ARIN", 0},
	{26211, "PROOFPOINT-ASN-US-WEST", "PROOF-ARIN", 0},
	{22843, "PROOFPOINT-ASN-US-EAST", "PROOF-ARIN", 0},
	{13916, "PROOFPOINT-ASN-3", "PROOF-ARIN", 0},
	{52129, "PROOFPOINT-ASN-4", "PROOF-ARIN", 0},
	{30031, "MIMECAST-US", "MIMEC-ARIN", 0},
	{39588, "MIMECAST-UK", "ORG-MSL12-RIPE", 0},
	{42427, "MIMECAST-DE", "ORG-MSL12-RIPE", 0},
	{2639, "ZOHO-AS", "ZOHO-ARIN", 0},
	{41913, "ZOHO-EU", "ORG-ZCB1-RIPE", 0},
	{15324, "BARRACUDA-NETWORKS", "BN-ARIN", 0},
	{33070, "RMH-14", "RACKS-ARIN", 0},
	{19994, "RACKSPACE", "RACKS-ARIN", 0},
	{27357, "RACKSPACE", "RACKS-ARIN", 1},
	{132203, "TENCENT-NET-AP-CN", "ORG-TCL2-AP", 0},
	{47764, "MAILRU-AS", "ORG-LV1-RIPE", 0},
	{198610, "BEGET-AS", "ORG-BL11-RIPE", 0},
	{16276, "OVH", "ORG-OS3-RIPE", 0},
	{35540, "OVH-TELECOM", "ORG-OS3-RIPE", 0},
	{22612, "NAMECHEAP-NET", "NCHEAP-ARIN", 0},
	{46606, "UNIFIEDLAYER-AS-1", "BLUEH-2-ARIN", 0},
	{394695, "PUBLIC-DOMAIN-REGISTRY", "PDR-ARIN", 0},
	{29873, "BIZLAND-SD", "EIG-ARIN", 1},
	{8560, "IONOS-AS", "ORG-IS1-RIPE", 0},
	{15348, "TUCOWS-3", "TUCOW-ARIN", 0},
	{6724, "STRATO", "ORG-SA22-RIPE", 0},
	{19871, "NETWORK-SOLUTIONS-HOSTING", "NETSO-ARIN", 0},
	{31034, "ARUBA-ASN", "ORG-AS9-RIPE", 0},
	{36647, "YAHOO-GQ1", "YAHOO-ARIN", 0},
	{29169, "GANDI-AS", "ORG-GG1-RIPE", 0},
	{11403, "NYINTERNET", "NYI-ARIN", 0},
	{13354, "SPAMHERO", "SPAMH-ARIN", 0},
	{16509, "AMAZON-02", "AMAZO-4-ARIN", 0},
	{24940, "HETZNER-AS", "ORG-HOA1-RIPE", 0},
	{213230, "HETZNER-CLOUD2-AS", "ORG-HOA1-RIPE", 0},
	{16880, "TRENDMICRO", "TMI-ARIN", 0},
	{44444, "FORCEPOINT-CLOUD-AS", "ORG-FL15-RIPE", 0},
	{21345, "MESSAGELABS-EU", "ORG-ML2-RIPE", 0},
	{26282, "MESSAGELABS-US", "SYMAN-ARIN", 0},
	{16406, "INTERMEDIA-NET", "INTER-ARIN", 0},
	{393423, "FIREEYE-SECURE", "FIREE-ARIN", 0},
	{16417, "IRONPORT-SYSTEMS-INC", "IRONP-ARIN", 0},
	{30215, "CISCO-IRONPORT-1", "CISCO-ARIN", 0},
	{30238, "CISCO-IRONPORT-EU", "CISCO-ARIN", 0},
	{64501, "HOSTINGVAULT-AS", "ORG-HVN1-RIPE", 0},
	{64502, "MAILNEST-AS", "ORG-MNH1-RIPE", 0},
	{64503, "PIXELHOST-AS", "ORG-PH7-RIPE", 0},
	{64504, "NORDMAIL-AS", "ORG-NM3-RIPE", 0},
	{64505, "REDKITE-AS", "ORG-RHL4-RIPE", 0},
	{64506, "KUMO-AS", "ORG-KH2-AP", 0},
	{37963, "CNNIC-ALIBABA-CN-NET-AP", "ORG-AAC1-AP", 0},
	{14061, "DIGITALOCEAN-ASN", "DO-13-ARIN", 0},
	{64510, "DOC-AS64510", "DOC-ARIN", 0},
	{64500, "DOC-AS64500", "DOC-ARIN", 0},
	{63949, "LINODE-AP", "LINOD-ARIN", 1},
	{7922, "COMCAST-7922", "CCCS-ARIN", 0},
	{7018, "ATT-INTERNET4", "ATTW-ARIN", 0},
	{3356, "LEVEL3", "LPL-141-ARIN", 0},
	{701, "UUNET", "MCICS-ARIN", 1},
	{3320, "DTAG", "ORG-DTAG1-RIPE", 0},
	{12322, "PROXAD", "ORG-FS4-RIPE", 0},
	{1136, "KPN", "ORG-KN1-RIPE", 0},
	{5089, "NTL", "ORG-VML1-RIPE", 0},
	{12389, "ROSTELECOM-AS", "ORG-RPC1-RIPE", 0},
	{49505, "SELECTEL", "ORG-SL19-RIPE", 0},
	{4134, "CHINANET-BACKBONE", "ORG-CT5-AP", 0},
	{2516, "KDDI", "ORG-KC3-AP", 0},
	{9829, "BSNL-NIB", "ORG-BSNL1-AP", 0},
	{13335, "CLOUDFLARENET", "CLOUD14-ARIN", 0},
	{37235, "MIMECAST-ZA", "ORG-MSA1-AFRINIC", 0},
	{64507, "FYNBOS-AS", "ORG-FHP1-AFRINIC", 0},
	{5713, "SAIX-NET", "ORG-TSL1-AFRINIC", 0},
};
#define NASES (sizeof ASES / sizeof ASES[0])

const AsDef *as_def(int asn)
{
	for (size_t i = 0; i < NASES; i++)
		if (ASES[i].asn == asn)
			return &ASES[i];
	return NULL;
}

const OrgDef *org_def(const char *id)
{
	for (size_t i = 0; i < NORGS; i++)
		if (!strcmp(ORGS[i].org_id, id))
			return &ORGS[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* pfx2as and as2org                                                   */

static int cmp_pfx_addr(const void *a, const void *b)
{
	const Pfx *x = a, *y = b;
	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->len - y->len;
}

void write_pfx2as(void)
{
	Out *o = &g_out[F_PFX];
	Pfx v[NPFX];
	memcpy(v, g_pfx, sizeof v);
	qsort(v, NPFX, sizeof v[0], cmp_pfx_addr);
	for (size_t i = 0; i < NPFX; i++) {
		const char *origin = NULL;
		for (size_t k = 0; k < NPFX; k++)
			if (!strcmp(PFX[k].cidr, v[i].cidr))
				origin = PFX[k].origin;
		out_ip(o, v[i].net);
		out_ch(o, '\t');
		out_u64(o, (uint64_t)v[i].len);
		out_ch(o, '\t');
		out_str(o, origin);
		out_ch(o, '\n');
		o->rows++;
	}
	for (size_t i = 0; i < NPFX6; i++) {
		const char *sl = strchr(PFX6[i].cidr, '/');
		out_mem(o, PFX6[i].cidr, (size_t)(sl - PFX6[i].cidr));
		out_ch(o, '\t');
		out_str(o, sl + 1);
		out_ch(o, '\t');
		out_str(o, PFX6[i].origin);
		out_ch(o, '\n');
		o->rows++;
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int collect_asns(int *v)
{
	int n = 0;
	for (size_t i = 0; i < NPFX + NPFX6; i++) {
		const char *s = i < NPFX ? PFX[i].origin : PFX6[i - NPFX].origin;
		while (*s) {
			v[n++] = atoi(s);
			while (*s && *s != '_' && *s != ',')
				s++;
			if (*s)
				s++;
		}
	}
	qsort(v, (size_t)n, sizeof *v, cmp_int);
	int m = 0;
	for (int i = 0; i < n; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

static void changed_date(char *dst, uint64_t h)
{
	sprintf(dst, "%04d%02d%02d", 2000 + (int)(h % 21), 1 + (int)((h >> 8) % 12), 1 + (int)((h >> 16) % 28));
}

void write_as2org(void)
{
	Out *o = &g_out[F_ASORG];
	int asns[2 * (NPFX + NPFX6) + 8];
	int n = collect_asns(asns);
	char line[512], ch[16], opaque[80];
	const char *used[NORGS];
	int nused = 0;
	for (int i = 0; i < n; i++) {
		const AsDef *a = as_def(asns[i]);
		if (!a || !org_def(a->org_id)) {
			fprintf(stderr, "mxgen: internal error: AS%d has no organisation\n", asns[i]);
			exit(1);
		}
		int seen = 0;
		for (int k = 0; k < nused; k++)
			seen |= !strcmp(used[k], a->org_id);
		if (!seen)
			used[nused++] = a->org_id;
	}
	qsort(used, (size_t)nused, sizeof used[0], mx_cmp_str);
	out_str(o, "# name: AS Org (synthetic snapshot written by mxgen)\n");
	out_str(o, "# format:org_id|changed|org_name|country|source\n");
	for (int i = 0; i < nused; i++) {
		const OrgDef *g = org_def(used[i]);
		changed_date(ch, str_hash(g->org_id));
		snprintf(line, sizeof line, "%s|%s|%s|%s|%s\n", g->org_id, ch, g->name, g->country, g->source);
		out_str(o, line);
		o->rows++;
	}
	out_str(o, "# format:aut|changed|aut_name|org_id|opaque_id|source\n");
	for (int i = 0; i < n; i++) {
		const AsDef *a = as_def(asns[i]);
		const OrgDef *g = org_def(a->org_id);
		changed_date(ch, mix64((uint64_t)a->asn));
		hex_of(opaque, mix64((uint64_t)a->asn * 31), 16);
		if (a->old5)
			snprintf(line, sizeof line, "%d|%s|%s|%s|%s\n", a->asn, ch, a->aut_name, a->org_id, g->source);
		else
			snprintf(line, sizeof line, "%d|%s|%s|%s|%s_%s|%s\n", a->asn, ch, a->aut_name, a->org_id, opaque,
				 g->source, g->source);
		out_str(o, line);
		o->rows++;
	}
}
