/*
 * mxgen — writes a deterministic synthetic measurement snapshot for mxray:
 * OpenINTEL-style DNS rows, port-25 scans in three formats (Censys legacy,
 * ZGrab2, Censys Search 2.0), CAIDA pfx2as and as2org tables, three target
 * lists and the ground truth (who really runs each domain's mail).
 *
 * Everything is a pure function of (--domains, --seed, --date, --epoch):
 * one PRNG family (splitmix64 finaliser over hashed keys), no clocks, no
 * rand().  Domains are streamed one at a time; only the name set, the IP
 * pool bitmaps and the shared-server table stay in memory.
 *
 * Population: the kind of every domain (Google customer, self-hosted, one
 * of the paper's hard cases, ...) is drawn from a low-discrepancy (Weyl)
 * sequence, so even small snapshots hold every hard case in proportion.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MAXNAME 256
#define BANNER_MAX 12288

/* ------------------------------------------------------------------ */
/* errors and allocation                                               */

static void usage(FILE *f)
{
	fputs("usage: mxgen --domains N --seed S --date YYYY-MM-DD --out DIR [--epoch K]\n"
	      "\n"
	      "Write a deterministic synthetic MX measurement snapshot into DIR:\n"
	      "  dns.jsonl            OpenINTEL-style MX/A/CNAME/AAAA rows\n"
	      "  scans-censys.jsonl   Censys legacy IPv4 host records (port 25)\n"
	      "  scans-zgrab2.jsonl   ZGrab2 smtp module output\n"
	      "  scans-censys2.jsonl  Censys Search 2.0 host records\n"
	      "  pfx2as.txt           CAIDA RouteViews prefix-to-AS\n"
	      "  as2org.txt           CAIDA AS-to-organisation\n"
	      "  targets-alexa.txt, targets-com.txt, targets-gov.txt\n"
	      "  truth.csv            domain,truth (company or provider ID)\n"
	      "\n"
	      "  --domains N   number of base domains (1..20000000)\n"
	      "  --seed S      PRNG seed (unsigned 64-bit integer)\n"
	      "  --date D      snapshot date (UTC), e.g. 2021-06-08\n"
	      "  --out DIR     output directory (created if missing)\n"
	      "  --epoch K     drift epoch 0..100, 0 = base population (default 0)\n"
	      "  --help        show this help\n"
	      "\n"
	      "Same arguments give byte-identical files.  Exit status: 0 success,\n"
	      "1 I/O error, 2 usage error.\n", f);
}

static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("mxgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'mxgen --help' for more information.\n", stderr);
	exit(2);
}

static void die_io(const char *path)
{
	fprintf(stderr, "mxgen: %s: %s\n", path, strerror(errno ? errno : EIO));
	exit(1);
}

static void die_internal(const char *what)
{
	fprintf(stderr, "mxgen: internal error: %s\n", what);
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		fputs("mxgen: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("mxgen: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xcalloc(n, 1);
	memcpy(p, s, n);
	return p;
}

/* ------------------------------------------------------------------ */
/* deterministic randomness                                            */

static uint64_t g_seed;

/* splitmix64 finaliser: a bijective 64-bit mixer. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t H2(uint64_t a, uint64_t b)
{
	return mix64(mix64(a + 0x9E3779B97F4A7C15ULL) ^ (b * 0xD6E8FEB86659FD93ULL + 0x632BE59BD9B4E019ULL));
}

static uint64_t H3(uint64_t a, uint64_t b, uint64_t c)
{
	return H2(H2(a, b), c);
}

/* Hash of a key under the global seed. */
static uint64_t HS(uint64_t a, uint64_t b, uint64_t c)
{
	return H2(H3(g_seed, a, b), c);
}

typedef struct {
	uint64_t s;
} Rng;

static Rng rng_for(uint64_t a, uint64_t b, uint64_t c)
{
	Rng r = {HS(a, b, c)};
	return r;
}

static uint64_t rn(Rng *r)
{
	r->s += 0x9E3779B97F4A7C15ULL;
	return mix64(r->s);
}

/* Uniform integer in [0, n). */
static uint32_t rb(Rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rn(r) >> 32) * (uint64_t)n) >> 32) : 0;
}

static double to01(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static double ru(Rng *r)
{
	return to01(rn(r));
}

static int rc(Rng *r, double p)
{
	return ru(r) < p;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001B3ULL;
	}
	return mix64(h);
}

/* ------------------------------------------------------------------ */
/* buffered output files with a tiny JSON writer                       */

typedef struct {
	FILE *f;
	char *path;
	char *buf;
	size_t len, cap;
	uint64_t rows;
	int depth;
	unsigned char first[40];
} Out;

enum { F_DNS, F_CENSYS, F_ZGRAB, F_CENSYS2, F_PFX, F_ASORG, F_TALEXA, F_TCOM, F_TGOV, F_TRUTH, F__N };
static const char *FNAMES[F__N] = {
	"dns.jsonl", "scans-censys.jsonl", "scans-zgrab2.jsonl", "scans-censys2.jsonl",
	"pfx2as.txt", "as2org.txt", "targets-alexa.txt", "targets-com.txt",
	"targets-gov.txt", "truth.csv"};
static Out g_out[F__N];

static void out_flush(Out *o)
{
	if (o->len) {
		errno = 0;
		if (fwrite(o->buf, 1, o->len, o->f) != o->len)
			die_io(o->path);
	}
	o->len = 0;
}

static void out_need(Out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	out_flush(o);
	if (n > o->cap) {
		o->buf = xrealloc(o->buf, n);
		o->cap = n;
	}
}

static void out_mem(Out *o, const void *p, size_t n)
{
	out_need(o, n);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void out_str(Out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_ch(Out *o, char c)
{
	out_need(o, 1);
	o->buf[o->len++] = c;
}

static void out_u64(Out *o, uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_need(o, (size_t)n);
	while (n)
		o->buf[o->len++] = t[--n];
}

static void out_i64(Out *o, int64_t v)
{
	if (v < 0) {
		out_ch(o, '-');
		out_u64(o, (uint64_t)(-(v + 1)) + 1);
	} else
		out_u64(o, (uint64_t)v);
}

static void out_ip(Out *o, uint32_t ip)
{
	out_u64(o, ip >> 24);
	out_ch(o, '.');
	out_u64(o, (ip >> 16) & 255);
	out_ch(o, '.');
	out_u64(o, (ip >> 8) & 255);
	out_ch(o, '.');
	out_u64(o, ip & 255);
}

/* A JSON string: quotes, backslash and control bytes are escaped; bytes
 * >= 0x80 are copied raw (so invalid UTF-8 stays invalid on purpose). */
static void out_jstrn(Out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	out_need(o, n * 6 + 2);
	char *p = o->buf + o->len;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			*p++ = '\\';
			switch (c) {
			case '\n': *p++ = 'n'; break;
			case '\r': *p++ = 'r'; break;
			case '\t': *p++ = 't'; break;
			case '\b': *p++ = 'b'; break;
			case '\f': *p++ = 'f'; break;
			default:
				*p++ = 'u';
				*p++ = '0';
				*p++ = '0';
				*p++ = hex[c >> 4];
				*p++ = hex[c & 15];
			}
		} else
			*p++ = (char)c;
	}
	*p++ = '"';
	o->len = (size_t)(p - o->buf);
}

static void out_jstr(Out *o, const char *s)
{
	out_jstrn(o, s, strlen(s));
}

static void j_rec(Out *o)
{
	o->depth = 0;
	o->first[0] = 1;
}

static void j_key(Out *o, const char *key)
{
	if (!o->first[o->depth])
		out_ch(o, ',');
	o->first[o->depth] = 0;
	if (key) {
		out_jstr(o, key);
		out_ch(o, ':');
	}
}

static void j_open(Out *o, const char *key)
{
	if (o->depth > 0 || key)
		j_key(o, key);
	out_ch(o, '{');
	if (o->depth + 1 >= (int)sizeof o->first)
		die_internal("JSON nesting");
	o->first[++o->depth] = 1;
}

static void j_close(Out *o)
{
	out_ch(o, '}');
	o->depth--;
}

static void j_aopen(Out *o, const char *key)
{
	j_key(o, key);
	out_ch(o, '[');
	o->first[++o->depth] = 1;
}

static void j_aclose(Out *o)
{
	out_ch(o, ']');
	o->depth--;
}

static void j_str(Out *o, const char *key, const char *v)
{
	j_key(o, key);
	out_jstr(o, v);
}

static void j_strn(Out *o, const char *key, const char *v, size_t n)
{
	j_key(o, key);
	out_jstrn(o, v, n);
}

static void j_int(Out *o, const char *key, int64_t v)
{
	j_key(o, key);
	out_i64(o, v);
}

/* Integer as a JSON string (Censys legacy convention). */
static void j_sint(Out *o, const char *key, int64_t v)
{
	j_key(o, key);
	out_ch(o, '"');
	out_i64(o, v);
	out_ch(o, '"');
}

static void j_bool(Out *o, const char *key, int v)
{
	j_key(o, key);
	out_str(o, v ? "true" : "false");
}

static void j_arr1(Out *o, const char *key, const char *v)
{
	j_aopen(o, key);
	j_str(o, NULL, v);
	j_aclose(o);
}

static void j_end(Out *o)
{
	j_close(o);
	out_ch(o, '\n');
	o->rows++;
}

/* ------------------------------------------------------------------ */
/* calendar (proleptic Gregorian, days since 1970-01-01)               */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return md[m - 1] + (m == 2 && is_leap(y));
}

static int64_t days_of(int y, int m, int d)
{
	int64_t n = 0;
	for (int yy = 1970; yy < y; yy++)
		n += 365 + is_leap(yy);
	for (int mm = 1; mm < m; mm++)
		n += month_days(y, mm);
	return n + d - 1;
}

static void civil_of(int64_t days, int *y, int *m, int *d)
{
	static int64_t cd = -1;
	static int cy, cm, cdd;
	if (days != cd) {
		int64_t n = days;
		int yy = 1970, mm = 1;
		while (n < 0) {
			yy--;
			n += 365 + is_leap(yy);
		}
		while (n >= 365 + is_leap(yy)) {
			n -= 365 + is_leap(yy);
			yy++;
		}
		while (n >= month_days(yy, mm)) {
			n -= month_days(yy, mm);
			mm++;
		}
		cd = days;
		cy = yy;
		cm = mm;
		cdd = (int)n + 1;
	}
	*y = cy;
	*m = cm;
	*d = cdd;
}

static int64_t g_days; /* snapshot date */

/* 2021-06-07T04:12:09Z, or with an offset in minutes (+02:00). */
static void fmt_rfc3339(char *dst, int64_t t, int off_min)
{
	int64_t lt = t + (int64_t)off_min * 60;
	int64_t days = lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400);
	int64_t s = lt - days * 86400;
	int y, m, d;
	civil_of(days, &y, &m, &d);
	if (off_min == 0)
		sprintf(dst, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
	else
		sprintf(dst, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
			(int)(s % 60), off_min < 0 ? '-' : '+', abs(off_min) / 60, abs(off_min) % 60);
}

/* Tue, 08 Jun 2021 04:23:11 +0000 (local time with the given offset). */
static void fmt_rfc2822(char *dst, int64_t t, int off_min)
{
	static const char *wd[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *mn[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t lt = t + (int64_t)off_min * 60;
	int64_t days = lt / 86400, s = lt % 86400;
	int y, m, d;
	civil_of(days, &y, &m, &d);
	sprintf(dst, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", wd[((days % 7) + 7) % 7], d, mn[m - 1], y,
		(int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60), off_min < 0 ? '-' : '+', abs(off_min) / 60,
		abs(off_min) % 60);
}

/* ------------------------------------------------------------------ */
/* IPv4 helpers                                                        */

static uint32_t ip_parse(const char *s)
{
	unsigned a, b, c, d;
	char tail;
	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
		die_internal("bad IPv4 literal in a table");
	return (a << 24) | (b << 16) | (c << 8) | d;
}

static void ip_str(char *dst, uint32_t ip)
{
	sprintf(dst, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void parse_cidr(const char *s, uint32_t *net, int *len)
{
	char tmp[40];
	const char *sl = strchr(s, '/');
	if (!sl || (size_t)(sl - s) >= sizeof tmp)
		die_internal("bad CIDR in a table");
	memcpy(tmp, s, (size_t)(sl - s));
	tmp[sl - s] = 0;
	*net = ip_parse(tmp);
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

typedef struct {
	uint32_t net, mask;
	int len, asn;
	const char *cidr;
} Pfx;

static Pfx g_pfx[NPFX];   /* sorted by length, longest first (for matching) */

static int cmp_pfx_len(const void *a, const void *b)
{
	const Pfx *x = a, *y = b;
	if (x->len != y->len)
		return y->len - x->len;
	return x->net < y->net ? -1 : x->net > y->net;
}

static void pfx_init(void)
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
static const Pfx *pfx_lookup(uint32_t ip)
{
	for (size_t i = 0; i < NPFX; i++)
		if ((ip & g_pfx[i].mask) == g_pfx[i].net)
			return &g_pfx[i];
	char b[16];
	ip_str(b, ip);
	fprintf(stderr, "mxgen: internal error: %s not covered by the prefix table\n", b);
	exit(1);
}

static int asn_of(uint32_t ip)
{
	return pfx_lookup(ip)->asn;
}

/* ------------------------------------------------------------------ */
/* AS and organisation names (as2org.txt, Censys AS names)             */

typedef struct {
	int asn;
	const char *aut_name;
	const char *org_id;
	int old5; /* written in the old 5-field aut form */
} AsDef;

typedef struct {
	const char *org_id, *name, *country, *source;
} OrgDef;

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
};
#define NASES (sizeof ASES / sizeof ASES[0])

static const AsDef *as_def(int asn)
{
	for (size_t i = 0; i < NASES; i++)
		if (ASES[i].asn == asn)
			return &ASES[i];
	return NULL;
}

static const OrgDef *org_def(const char *id)
{
	for (size_t i = 0; i < NORGS; i++)
		if (!strcmp(ORGS[i].org_id, id))
			return &ORGS[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* IP pools for per-domain servers: each slot of a pool is one address */
/* (254 usable per /24); a bitmap keeps addresses unique               */

enum { P_US, P_EU, P_ASIA, P_HETZ, P_GDVPS, P_OVHVPS, P_CISCO, P_PPDED, P__N };

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
};

static void pool_init(void)
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
static int pool_alloc(int p, uint64_t key, uint32_t *ip)
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
/* text templates for SMTP replies and certificates                    */
/*                                                                     */
/* %h server name   %H MX host   %R provider RD   %D customer domain    */
/* %i server IP     %j IP with dashes   %s scanner IP   %t RFC 2822 date */
/* %S "250-STARTTLS\r\n" when offered   %1..%9 random digits            */
/* %x 8 hex digits  %a a letter  %{a|b|c} one alternative  %% a percent */

typedef struct {
	const char *h, *H, *R, *D;
	uint32_t ip;
	int starttls;
	int64_t t;
	int off;
} TCtx;

static size_t expand(char *dst, size_t cap, const char *t, const TCtx *c, Rng *r)
{
	size_t n = 0;
	if (!cap)
		return 0;
	for (const char *p = t; *p; p++) {
		if (*p != '%') {
			if (n + 1 < cap)
				dst[n++] = *p;
			continue;
		}
		p++;
		char tmp[96];
		const char *s = NULL;
		switch (*p) {
		case 'h': s = c->h; break;
		case 'H': s = c->H; break;
		case 'R': s = c->R; break;
		case 'D': s = c->D; break;
		case 'i': ip_str(tmp, c->ip); s = tmp; break;
		case 'j':
			sprintf(tmp, "%u-%u-%u-%u", c->ip >> 24, (c->ip >> 16) & 255, (c->ip >> 8) & 255, c->ip & 255);
			s = tmp;
			break;
		case 's':
			sprintf(tmp, "162.142.125.%u", (unsigned)(1 + HS(c->ip, 77, 1) % 250));
			s = tmp;
			break;
		case 't': fmt_rfc2822(tmp, c->t, c->off); s = tmp; break;
		case 'S': s = c->starttls ? "250-STARTTLS\r\n" : ""; break;
		case 'x':
			for (int i = 0; i < 8; i++)
				tmp[i] = "0123456789abcdef"[rb(r, 16)];
			tmp[8] = 0;
			s = tmp;
			break;
		case 'a':
			tmp[0] = (char)('a' + rb(r, 26));
			tmp[1] = 0;
			s = tmp;
			break;
		case '{': {
			const char *e = strchr(p, '}');
			if (!e)
				die_internal("template");
			int nalt = 1;
			for (const char *q = p + 1; q < e; q++)
				nalt += *q == '|';
			int pick = (int)rb(r, (uint32_t)nalt);
			const char *a = p + 1;
			for (int i = 0; i < pick; i++)
				a = strchr(a, '|') + 1;
			const char *ae = a;
			while (ae < e && *ae != '|')
				ae++;
			char alt[256];
			size_t al = (size_t)(ae - a) < sizeof alt - 1 ? (size_t)(ae - a) : sizeof alt - 1;
			memcpy(alt, a, al);
			alt[al] = 0;
			n += expand(dst + n, cap - n, alt, c, r);
			p = e;
			break;
		}
		case '%': s = "%"; break;
		case 0: p--; break;
		default:
			if (*p >= '1' && *p <= '9') {
				int k = *p - '0';
				for (int i = 0; i < k; i++)
					tmp[i] = (char)('0' + rb(r, 10));
				tmp[k] = 0;
				s = tmp;
			}
		}
		if (s)
			while (*s && n + 1 < cap)
				dst[n++] = *s++;
	}
	dst[n] = 0;
	return n;
}

/* ------------------------------------------------------------------ */
/* certificate issuers                                                 */

typedef struct {
	const char *C, *O, *CN;
} Issuer;

enum { I_GTS, I_DIGICLOUD, I_GLOBALSIGN, I_GODADDY, I_DIGISHA2, I_RAPIDSSL, I_SECTIGO, I_LE, I_STARFIELD,
       I_INCOMMON, I_TELESEC, I_GEOTRUST, I_DIGITLS, I_CPANEL, I__N };
static const Issuer ISS[I__N] = {
	[I_GTS] = {"US", "Google Trust Services LLC", "GTS CA 1C3"},
	[I_DIGICLOUD] = {"US", "DigiCert Inc", "DigiCert Cloud Services CA-1"},
	[I_GLOBALSIGN] = {"BE", "GlobalSign nv-sa", "GlobalSign RSA OV SSL CA 2018"},
	[I_GODADDY] = {"US", "GoDaddy.com, Inc.", "Go Daddy Secure Certificate Authority - G2"},
	[I_DIGISHA2] = {"US", "DigiCert Inc", "DigiCert SHA2 Secure Server CA"},
	[I_RAPIDSSL] = {"US", "DigiCert Inc", "RapidSSL RSA CA 2018"},
	[I_SECTIGO] = {"GB", "Sectigo Limited", "Sectigo RSA Domain Validation Secure Server CA"},
	[I_LE] = {"US", "Let's Encrypt", "R3"},
	[I_STARFIELD] = {"US", "Starfield Technologies, Inc.", "Starfield Secure Certificate Authority - G2"},
	[I_INCOMMON] = {"US", "Internet2", "InCommon RSA Server CA"},
	[I_TELESEC] = {"DE", "T-Systems International GmbH", "TeleSec ServerPass Class 2 CA"},
	[I_GEOTRUST] = {"US", "DigiCert Inc", "GeoTrust RSA CA 2018"},
	[I_DIGITLS] = {"US", "DigiCert Inc", "DigiCert TLS RSA SHA256 2020 CA1"},
	[I_CPANEL] = {"US", "cPanel, Inc.", "cPanel, Inc. Certification Authority"},
};

/* ------------------------------------------------------------------ */
/* server styles of the providers' shared mail servers                 */

enum { S_GOOGLE, S_MS, S_YANDEX, S_GODADDY, S_PP, S_MIMECAST, S_ZOHO, S_BARRACUDA, S_UI, S_TENCENT,
       S_RACKSPACE, S_GENERIC, S_GENERIC_NOTLS, S_BOX, S__N };

typedef struct {
	const char *srv, *banner, *ehlo, *stls, *cn, *names;
	int issuer, off;
} Style;

static const Style STY[S__N] = {
	[S_GOOGLE] = {"mx.google.com", "220 mx.google.com ESMTP %a%a%1si%7%a%a%a.%3 - gsmtp",
		      "250-mx.google.com at your service, [%s]\r\n250-SIZE 157286400\r\n250-8BITMIME\r\n"
		      "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8",
		      "220 2.0.0 Ready to start TLS", "mx.google.com",
		      "mx.google.com aspmx.l.google.com alt1.aspmx.l.google.com alt2.aspmx.l.google.com "
		      "alt3.aspmx.l.google.com alt4.aspmx.l.google.com *.aspmx.l.google.com "
		      "gmail-smtp-in.l.google.com *.gmail-smtp-in.l.google.com aspmx2.googlemail.com "
		      "aspmx3.googlemail.com",
		      I_GTS, 0},
	[S_MS] = {"%{BN8NAM12|DM6NAM10|MW2NAM04|CO1NAM11|BN3NAM01|AM5EUR03|DB5EUR02|VE1EUR03|HE1EUR04|SG2APC01}FT0%2"
		  ".mail.protection.outlook.com",
		  "220 %h Microsoft ESMTP MAIL Service ready at %t",
		  "250-%h Hello [%s]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n"
		  "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		  "250 SMTPUTF8",
		  "220 2.0.0 SMTP server ready", "mail.protection.outlook.com",
		  "mail.protection.outlook.com *.mail.protection.outlook.com *.mail.eo.outlook.com "
		  "mail.messaging.microsoft.com *.mail.protection.outlook.de *.olc.protection.outlook.com",
		  I_DIGICLOUD, 0},
	[S_YANDEX] = {"mxfront%1%a.mail.yandex.net",
		      "220 %h (Want to use Yandex.Mail for your domain? Visit http://pdd.yandex.ru) %9%1-%a%a%a%a%a%a%a%a",
		      "250-%h\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SIZE 53477376\r\n250-STARTTLS\r\n250-DSN\r\n"
		      "250 ENHANCEDSTATUSCODES",
		      "220 Go ahead", "mx.yandex.ru",
		      "mx.yandex.ru mx.yandex.net mx.yandex.com mx.yandex.by mx.yandex.kz mx.yandex.ua",
		      I_GLOBALSIGN, 180},
	[S_GODADDY] = {"p3plibsmtp0%{1|2|3}-0%{1|2|3|4|5|6|7|8|9}.prod.phx3.secureserver.net",
		       "220 %h bizsmtp ESMTP server ready",
		       "250-%h hello [%s], secureserver.net\r\n250-HELP\r\n250-AUTH LOGIN PLAIN\r\n"
		       "250-SIZE 30000000\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 OK",
		       "220 2.0.0 Ready to start TLS", "*.secureserver.net", "*.secureserver.net secureserver.net",
		       I_GODADDY, -420},
	[S_PP] = {"mx0%{a|b}-%x.pphosted.com", "220 %h ESMTP mfa-m0%6",
		  "250-%h Hello [%s], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
		  "250-8BITMIME\r\n250-SIZE 52428800\r\n250-STARTTLS\r\n250-DELIVERBY\r\n250 HELP",
		  "220 2.0.0 Ready to start TLS", "*.pphosted.com", "*.pphosted.com pphosted.com", I_DIGISHA2, -420},
	[S_MIMECAST] = {"%H", "220 %h ESMTP %x%x",
			"250-%h Hello [%s]\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SIZE 157286400\r\n"
			"250-STARTTLS\r\n250 ENHANCEDSTATUSCODES",
			"220 2.0.0 Ready to start TLS", "*.mimecast.com", "*.mimecast.com mimecast.com", I_GLOBALSIGN, 0},
	[S_ZOHO] = {"mx.zohomail.com", "220 %h SMTP Server ready %t",
		    "250-%h Hello %s (%s)\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
		    "250-STARTTLS\r\n250 SMTPUTF8",
		    "220 Ready to start TLS.", "mx.zoho.com",
		    "mx.zoho.com mx2.zoho.com mx3.zoho.com mx.zohomail.com *.zoho.com *.zoho.eu", I_DIGISHA2, -420},
	[S_BARRACUDA] = {"mx%4.ess.barracudanetworks.com", "220 %h ESMTP (%x%x)",
			 "250-%h Hello [%s]\r\n250-PIPELINING\r\n250-SIZE 100000000\r\n250-STARTTLS\r\n250 8BITMIME",
			 "220 2.0.0 Ready to start TLS", "*.ess.barracudanetworks.com",
			 "*.ess.barracudanetworks.com ess.barracudanetworks.com", I_RAPIDSSL, -360},
	[S_UI] = {"%R", "220 %R (mx%{eue|us}0%2) Nemesis ESMTP Service ready",
		  "250-%R Hello %R [%s]\r\n250-8BITMIME\r\n250-SIZE 141557760\r\n250 STARTTLS", "220 OK", "mx00.%R",
		  "mx00.%R mx01.%R mx.%R", I_TELESEC, 120},
	[S_TENCENT] = {"newmx%2.qq.com", "220 %h MX QQ Mail Server",
		       "250-%h\r\n250-SIZE 73400320\r\n250-STARTTLS\r\n250 OK", "220 Ready to start TLS", "*.qq.com",
		       "*.qq.com qq.com", I_DIGISHA2, 480},
	[S_RACKSPACE] = {"smtp%2.relay.iad3%{a|b}.emailsrvr.com",
			 "220 %h ESMTP - VA Code Section 18.2-152.3:1 forbids use of this system for unsolicited "
			 "bulk electronic mail (Spam)",
			 "250-%h\r\n250-PIPELINING\r\n250-SIZE 75000000\r\n250-ETRN\r\n250-STARTTLS\r\n"
			 "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME",
			 "220 2.0.0 Ready to start TLS", "*.emailsrvr.com", "*.emailsrvr.com emailsrvr.com", I_GEOTRUST,
			 -240},
	[S_GENERIC] = {"%H", "220 %h ESMTP %{Postfix|ready|MAIL Service ready|Service ready}",
		       "250-%h\r\n250-PIPELINING\r\n250-SIZE %8\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n"
		       "250 8BITMIME",
		       "220 2.0.0 Ready to start TLS", "*.%R", "*.%R %R", I_DIGITLS, 0},
	[S_GENERIC_NOTLS] = {"%H", "220 %h ESMTP %{Postfix|ready}",
			     "250-%h\r\n250-PIPELINING\r\n250-SIZE %8\r\n250 8BITMIME", NULL, NULL, NULL, I_DIGITLS, 0},
	[S_BOX] = {NULL, NULL, NULL, NULL, NULL, NULL, I_CPANEL, -300},
};

/* ------------------------------------------------------------------ */
/* shared servers (one per IP) and the providers' MX hosts             */

typedef struct {
	uint32_t ip;
	uint8_t style, scanned, used, fam;
	int k;
	const char *H, *R;
} Server;

static Server *g_srv;
static int g_nsrv, g_capsrv;

typedef struct {
	const char *name;
	const char *R;
	int nip;
	int srv[4];
	uint8_t used;
} Host;

#define MAXHOST 160
static Host g_host[MAXHOST];
static int g_nhost;

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

/* Small hosting companies: truth is their registered domain. */
static const char *UNK_R[] = {"hostingvault.net", "mailnest-hosting.com", "pixelhost.de", "nordmail.se",
			      "redkite-hosting.co.uk", "kumo-hosting.jp", "mxhichina.com"};
#define NUNK 7

static int host_id(const char *name)
{
	for (int i = 0; i < g_nhost; i++)
		if (!strcmp(g_host[i].name, name))
			return i;
	fprintf(stderr, "mxgen: internal error: unknown host %s\n", name);
	exit(1);
}

/* Web-hosting families whose shared boxes serve customer domains. */
typedef struct {
	const char *R, *truth, *fmt;
	int kbase;
	const char *base;
	int maxbox, issuer, off;
} Fam;

static const Fam FAM[] = {
	{"bluehost.com", "EIG", "box%d.bluehost.com", 5100, "162.241.64.0", 12800, I_CPANEL, -360},
	{"hostgator.com", "EIG", "gator%d.hostgator.com", 4100, "192.185.16.0", 12800, I_CPANEL, -300},
	{"web-hosting.com", "NameCheap", "server%d.web-hosting.com", 100, "198.54.114.0", 2800, I_SECTIGO, -240},
	{"hostingvault.net", "hostingvault.net", "srv%d.hostingvault.net", 10, "185.101.20.0", 2400, I_LE, 60},
	{"pixelhost.de", "pixelhost.de", "web%d.pixelhost.de", 1, "89.31.132.0", 2400, I_LE, 120},
};
#define NFAM 5
enum { FAM_BLUEHOST, FAM_HOSTGATOR, FAM_WEBHOSTING, FAM_VAULT, FAM_PIXEL };
enum { BOX_NAMED, BOX_MULTILINE, BOX_LOCAL_CERT, BOX_LOCAL_NOCERT };

static int g_box0[NFAM], g_nbox;

/* Per-customer hosts of these providers resolve into pools of shared IPs. */
static int g_ms0, g_nms, g_pp0, g_npp, g_bar0, g_nbar, g_ns0, g_nns;

/* ------------------------------------------------------------------ */
/* one port-25 observation of one IP, before it is written in a format */

enum { SS_UNSCANNED, SS_OPEN, SS_CLOSED, SS_REJECT };
enum { FMT_AUTO = -1, FMT_LEGACY = 0, FMT_ZGRAB = 1, FMT_CENSYS2 = 2, FMT_LEGACY_NESTED = 3 };
enum { V_90, V_365, V_EXPIRED, V_SELF10Y };

typedef struct {
	uint32_t ip;
	const char *mxhost;
	int state, force, plain;
	char banner[BANNER_MAX];
	size_t blen;
	char ehlo[4096];
	size_t elen;
	char helo[512];
	int use_helo;
	char stls[160];
	int tls;
	char cn[320];
	int nsan;
	char san[8][320];
	int trusted;
	const char *err;
	Issuer iss;
	int selfsigned, vkind;
	int64_t nb, na; /* validity, days */
	uint64_t certkey;
	int64_t t; /* scan time, seconds since the epoch */
	int off;   /* local UTC offset of the scanner (ZGrab2), minutes */
} Scan;

static Scan g_scan; /* scratch, reused for every IP */

/* statistics for the summary */
static uint64_t g_nscan[3], g_nlegacy_flat, g_nlegacy_25, g_nclosed, g_nreject, g_nnotls, g_nuntrusted,
	g_nunscanned, g_nnoa_hosts, g_nhelo;
static int g_apperr_done, g_udp_done;

static void scan_reset(Scan *sc, uint32_t ip, const char *mxhost)
{
	sc->ip = ip;
	sc->mxhost = mxhost;
	sc->state = SS_OPEN;
	sc->force = FMT_AUTO;
	sc->plain = 0;
	sc->banner[0] = sc->ehlo[0] = sc->helo[0] = sc->stls[0] = sc->cn[0] = 0;
	sc->blen = sc->elen = 0;
	sc->use_helo = 0;
	sc->tls = 0;
	sc->nsan = 0;
	sc->trusted = 0;
	sc->err = NULL;
	sc->selfsigned = 0;
	sc->vkind = V_365;
	uint64_t h = HS(ip, 0x7157, 0);
	sc->t = (g_days - 1 - (int64_t)(h % 2)) * 86400 + (int64_t)((h >> 8) % 86400);
	static const int offs[6] = {0, 0, 120, -240, -420, 60};
	sc->off = offs[(h >> 40) % 6];
}

static void san_add(Scan *sc, const char *name)
{
	if (sc->nsan < 8 && name && *name)
		snprintf(sc->san[sc->nsan++], sizeof sc->san[0], "%s", name);
}

/* Split a space-separated list of names into the SANs. */
static void san_split(Scan *sc, const char *list)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", list);
	for (char *t = strtok(tmp, " "); t; t = strtok(NULL, " "))
		san_add(sc, t);
}

/* Validity and the key the fingerprints derive from. */
static void cert_finish(Scan *sc)
{
	if (!sc->tls)
		return;
	uint64_t k = str_hash(sc->cn) ^ (uint64_t)sc->selfsigned;
	for (int i = 0; i < sc->nsan; i++)
		k = H2(k, str_hash(sc->san[i]));
	k = H2(k, str_hash(sc->iss.CN));
	sc->certkey = k;
	switch (sc->vkind) {
	case V_90: sc->nb = g_days - 5 - (int64_t)(k % 70); sc->na = sc->nb + 90; break;
	case V_365: sc->nb = g_days - 20 - (int64_t)(k % 300); sc->na = sc->nb + 397; break;
	case V_EXPIRED: sc->nb = g_days - 130 - (int64_t)(k % 400); sc->na = sc->nb + 90; break;
	default: sc->nb = g_days - 400 - (int64_t)(k % 2000); sc->na = sc->nb + 3650; break;
	}
}

static void text_nl(Scan *sc)
{
	sc->use_helo = strstr(sc->banner, "ESMTP") == NULL && sc->banner[0] == '2';
}

/* A shared server of a provider, from its style template. */
static void build_box(Scan *sc, const Server *s, Rng *r);

static void build_server_scan(Scan *sc, int si)
{
	const Server *s = &g_srv[si];
	Rng r = rng_for(s->ip, 0x5E7, 0);
	scan_reset(sc, s->ip, s->H);
	if (s->style == S_BOX) {
		sc->mxhost = NULL;
		build_box(sc, s, &r);
		return;
	}
	const Style *st = &STY[s->style];
	TCtx c = {.H = s->H, .R = s->R, .ip = s->ip, .starttls = st->cn != NULL, .t = sc->t, .off = st->off};
	char h[MAXNAME];
	expand(h, sizeof h, st->srv, &c, &r);
	c.h = h;
	sc->blen = expand(sc->banner, sizeof sc->banner, st->banner, &c, &r);
	sc->elen = expand(sc->ehlo, sizeof sc->ehlo, st->ehlo, &c, &r);
	snprintf(sc->helo, sizeof sc->helo, "250 %s", h);
	text_nl(sc);
	if (st->stls)
		snprintf(sc->stls, sizeof sc->stls, "%s", st->stls);
	if (st->cn) {
		char names[1024];
		sc->tls = 1;
		expand(sc->cn, sizeof sc->cn, st->cn, &c, &r);
		expand(names, sizeof names, st->names, &c, &r);
		san_split(sc, names);
		sc->trusted = 1;
		sc->iss = ISS[st->issuer];
		sc->vkind = V_365;
	}
	cert_finish(sc);
}

static void build_box(Scan *sc, const Server *s, Rng *r)
{
	const Fam *f = &FAM[s->fam];
	char h[MAXNAME];
	snprintf(h, sizeof h, f->fmt, f->kbase + s->k);
	int bs = s->k % 4;
	TCtx c = {.h = h, .R = f->R, .ip = s->ip, .starttls = bs != BOX_LOCAL_NOCERT, .t = sc->t, .off = f->off};
	const char *b, *e;
	switch (bs) {
	case BOX_NAMED:
		b = "220 %h ESMTP Exim 4.94.2 #2 %t";
		e = "250-%h Hello scanner [%s]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
		    "250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN\r\n%S250 HELP";
		break;
	case BOX_MULTILINE:
		b = "220-%h ESMTP Exim 4.94 #2 %t \r\n220-We do not authorize the use of this system to transport "
		    "unsolicited, \r\n220 and/or bulk e-mail.";
		e = "250-%h Hello scanner [%s]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
		    "250-AUTH PLAIN LOGIN\r\n%S250 HELP";
		break;
	default:
		b = "220 localhost ESMTP Exim 4.94 %t";
		e = "250-localhost.localdomain Hello [%s]\r\n250-SIZE 52428800\r\n250-PIPELINING\r\n"
		    "250-AUTH PLAIN LOGIN\r\n%S250 HELP";
	}
	sc->blen = expand(sc->banner, sizeof sc->banner, b, &c, r);
	sc->elen = expand(sc->ehlo, sizeof sc->ehlo, e, &c, r);
	snprintf(sc->helo, sizeof sc->helo, "250 %s", bs >= BOX_LOCAL_CERT ? "localhost.localdomain" : h);
	if (bs != BOX_LOCAL_NOCERT) {
		snprintf(sc->stls, sizeof sc->stls, "220 TLS go ahead");
		sc->tls = 1;
		snprintf(sc->cn, sizeof sc->cn, "%s", h);
		san_add(sc, h);
		sc->trusted = 1;
		sc->iss = ISS[f->issuer];
		sc->vkind = f->issuer == I_LE ? V_90 : V_365;
	}
	cert_finish(sc);
}

/* ------------------------------------------------------------------ */
/* self-run servers (and customers' servers inside providers' ASes)    */

enum { SW_POSTFIX, SW_EXIM, SW_EXCHANGE, SW_SENDMAIL, SW_OTHER };
enum { C_NONE, C_LE, C_COMM, C_SELF, C_EXPIRED, C_FAIL, C_VPSNAME };
enum { BK_NORMAL, BK_NOFQDN, BK_FAKEGOOGLE, BK_SPAMHAUS, BK_HOSTILE, BK_EHLODIFF, BK_GDVPS, BK_OVHVPS,
       BK_CUST_PP, BK_CUST_CISCO, BK_CISCO_HOSTED };

typedef struct {
	int pool, sw, cert, state, force, bk, bsub, noesmtp, plain, comm_issuer;
	const char *fqdn;     /* name the server announces */
	const char *certname; /* subject of LE/commercial/self-signed certificates */
	const char *d;        /* the customer domain */
	const char *extra_san[3];
} SelfOpt;

static const char *SW_BANNER[] = {
	"220 %h ESMTP Postfix%{| (Ubuntu)| (Debian/GNU)| (CentOS)}",
	"220 %h ESMTP Exim 4.9%{2|3|4} %t",
	"220 %h Microsoft ESMTP MAIL Service ready at %t",
	"220 %h ESMTP Sendmail 8.15.2/8.15.2; %t",
	"220 %h %{ESMTP MDaemon 21.0.2; %t|Kerio Connect 9.3.1 ESMTP ready|ESMTP IceWarp 12.3.1; %t|ESMTP Zimbra}",
};
static const char *SW_EHLO[] = {
	"250-%h\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n%S250-ENHANCEDSTATUSCODES\r\n"
	"250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8",
	"250-%h Hello scanner [%s]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n%S250 HELP",
	"250-%h Hello [%s]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n%S"
	"250-8BITMIME\r\n250-BINARYMIME\r\n250 CHUNKING",
	"250-%h Hello [%s], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
	"250-SIZE\r\n250-DSN\r\n%S250 HELP",
	"250-%h\r\n%S250-SIZE 20480000\r\n250 AUTH LOGIN PLAIN",
};
static const char *SW_STLS[] = {"220 2.0.0 Ready to start TLS", "220 TLS go ahead", "220 2.0.0 SMTP server ready",
				"220 2.0.0 Ready to start TLS", "220 Ready to start TLS"};
static const int SW_OFF[] = {0, 120, -240, -300, 60};

/* Hostile banners (all on self-run servers). */
static void hostile_text(Scan *sc, int sub, const char *fq, TCtx *c, Rng *r)
{
	char t[1024];
	switch (sub) {
	case 0: /* ANSI escapes, OSC title + BEL in EHLO */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP \x1b[2J\x1b[31mWARNING: this system is compromised\x1b[0m", fq);
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo,
					    "250-%s Hello \x1b]0;owned\x07\r\n250-SIZE 10240000\r\n250 STARTTLS", fq);
		break;
	case 1: /* CR in the middle: a terminal shows the second half only */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner, "220 %s ESMTP\r220 evil.example ESMTP ready",
					    fq);
		break;
	case 2: /* backspaces overwrite the name on screen */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s\b\b\b\b\b\b\b\b\b\b\b\bmx.google.com ESMTP ready", fq);
		break;
	case 3: /* bidi override and zero-width characters */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP \xe2\x80\xae" "moc.elgoog.xm\xe2\x80\xac ready\xe2\x80\x8b\xe2\x80\x8d\xef\xbb\xbf",
					    fq);
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo,
					    "250-%s\xe2\x80\x8b\r\n250-\xe2\x81\xa6SIZE 10240000\xe2\x81\xa9\r\n250 STARTTLS", fq);
		break;
	case 4: { /* a 10 KB banner */
		size_t n = (size_t)snprintf(sc->banner, sizeof sc->banner, "220 %s ESMTP ", fq);
		static const char pat[] = "NOTICE: unauthorised access prohibited; all activity is logged. ";
		while (n < 10240 + 40) {
			size_t k = sizeof pat - 1;
			if (n + k >= sizeof sc->banner)
				break;
			memcpy(sc->banner + n, pat, k);
			n += k;
		}
		sc->banner[n] = 0;
		sc->blen = n;
		break;
	}
	case 5: /* CJK and emoji */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP \xe6\xac\xa2\xe8\xbf\x8e\xe4\xbd\xbf\xe7\x94\xa8\xe9\x82\xae\xe4\xbb\xb6"
					    "\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8 \xf0\x9f\x93\xa7\xf0\x9f\x94\xa5 "
					    "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90\xe3\x83\xbc",
					    fq);
		expand(t, sizeof t, "250-%h \xe4\xbd\xa0\xe5\xa5\xbd [%s] \xf0\x9f\x98\x80\r\n%S250 8BITMIME", c, r);
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo, "%s", t);
		break;
	case 6: /* invalid UTF-8: raw 0xff 0xfe and a lone 0xc3 */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP Postfix \xff\xfe broken \xc3 encoding", fq);
		break;
	default: /* hostile EHLO and certificate names */
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo,
					    "250-%s\x1b[1;32m OK\x1b[0m\r\n250-\xe2\x80\xaeSTARTTLS\r\n250-SIZE\b\b\b\b1\r\n"
					    "250 8BITMIME",
					    fq);
		break;
	}
}

static void build_self_scan(Scan *sc, uint32_t ip, const char *mxhost, const SelfOpt *o, Rng *r)
{
	scan_reset(sc, ip, mxhost);
	sc->state = o->state;
	sc->force = o->force;
	sc->plain = o->plain;
	char fq[MAXNAME];
	snprintf(fq, sizeof fq, "%s", o->fqdn ? o->fqdn : "");
	unsigned a = ip >> 24, b = (ip >> 16) & 255, cc = (ip >> 8) & 255, dd = ip & 255;
	if (o->bk == BK_GDVPS)
		snprintf(fq, sizeof fq, o->bsub ? "ip-%u-%u-%u-%u.ip.secureserver.net" : "s%u-%u-%u-%u.secureserver.net", a,
			 b, cc, dd);
	else if (o->bk == BK_OVHVPS) {
		if (o->bsub)
			snprintf(fq, sizeof fq, "ns%u.ip-%u-%u-%u.eu", 3000000u + rb(r, 999999), a, b, cc);
		else
			snprintf(fq, sizeof fq, "vps%06u.ovh.net", 100000u + rb(r, 899999));
	} else if (o->bk == BK_NOFQDN) {
		static const char *nf[] = {"", "[192.168.1.%u]", "mail", "localhost.localdomain", "mailserver"};
		int k = o->bsub % 5;
		snprintf(fq, sizeof fq, nf[k], 2 + rb(r, 250));
	}
	int starttls = o->cert != C_NONE;
	TCtx c = {.h = fq, .D = o->d, .ip = ip, .starttls = starttls, .t = sc->t, .off = SW_OFF[o->sw]};
	const char *bt = o->noesmtp ? "220 %h %{Service ready|SMTP Server ready|Mail server ready}" : SW_BANNER[o->sw];
	if (o->bk == BK_NOFQDN && !fq[0])
		bt = "220 %{ESMTP ready|ESMTP Service ready|SMTP ready}";
	else if (o->bk == BK_FAKEGOOGLE)
		bt = "220 mx.google.com ESMTP %a%a%1si%7%a%a%a.%3 - gsmtp";
	else if (o->bk == BK_CUST_PP)
		bt = "220 %h ESMTP mfa-m0%6";
	else if (o->bk == BK_CUST_CISCO || o->bk == BK_CISCO_HOSTED)
		bt = "220 %h ESMTP";
	else if (o->bk == BK_SPAMHAUS)
		bt = o->bsub == 0   ? "220 %h ESMTP Postfix; see https://www.spamhaus.org/"
		     : o->bsub == 1 ? "220 ******************************** ESMTP checked by zen.spamhaus.org"
				    : "220 cbl.abuseat.org listed hosts are rejected here - %h ESMTP";
	sc->blen = expand(sc->banner, sizeof sc->banner, bt, &c, r);
	const char *et = SW_EHLO[o->sw];
	if (o->bk == BK_FAKEGOOGLE)
		et = "250-mx.google.com at your service, [%s]\r\n250-SIZE 157286400\r\n%S250 8BITMIME";
	else if (o->bk == BK_CUST_PP)
		et = "250-%h Hello [%s], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
		     "250-8BITMIME\r\n250-SIZE 52428800\r\n%S250 HELP";
	else if (o->bk == BK_CUST_CISCO || o->bk == BK_CISCO_HOSTED)
		et = "250-%h\r\n250-8BITMIME\r\n%S250 SIZE 31457280";
	else if (o->bk == BK_NOFQDN && !fq[0])
		et = "250-Hello [%s]\r\n%S250 SIZE 10240000";
	char ehlo_host[MAXNAME];
	snprintf(ehlo_host, sizeof ehlo_host, "%s", fq);
	if (o->bk == BK_EHLODIFF) {
		snprintf(ehlo_host, sizeof ehlo_host, "static.%u.%u.%u.%u.clients.your-server.de", dd, cc, b, a);
		c.h = ehlo_host;
	}
	sc->elen = expand(sc->ehlo, sizeof sc->ehlo, et, &c, r);
	c.h = fq;
	snprintf(sc->helo, sizeof sc->helo, "250 %s Hello [162.142.125.%u]", ehlo_host[0] ? ehlo_host : "localhost",
		 (unsigned)(1 + HS(ip, 77, 1) % 250));
	if (o->bk == BK_HOSTILE)
		hostile_text(sc, o->bsub, fq, &c, r);
	if (o->state == SS_REJECT)
		sc->blen = expand(sc->banner, sizeof sc->banner,
				  "%{554 5.7.1 <unknown[%s]>: Client host rejected: Access denied|554 %h ESMTP not accepting "
				  "messages|554 5.7.1 Service unavailable; Client host [%s] blocked}",
				  &c, r);
	text_nl(sc);

	/* STARTTLS and the certificate */
	const char *cn = o->certname ? o->certname : fq;
	switch (o->cert) {
	case C_NONE:
		break;
	case C_FAIL: {
		static const char *f[] = {"502 5.5.1 Error: command not recognized", "502 5.5.1 Unrecognized command.",
					  "454 4.7.0 TLS not available due to local problem"};
		snprintf(sc->stls, sizeof sc->stls, "%s", f[rb(r, 3)]);
		break;
	}
	default:
		snprintf(sc->stls, sizeof sc->stls, "%s", o->bk == BK_CUST_PP ? "220 2.0.0 Ready to start TLS" : SW_STLS[o->sw]);
		sc->tls = 1;
		sc->trusted = 1;
		if (o->cert == C_LE || o->cert == C_EXPIRED) {
			snprintf(sc->cn, sizeof sc->cn, "%s", cn);
			san_add(sc, cn);
			sc->iss = ISS[I_LE];
			sc->vkind = V_90;
			if (o->cert == C_EXPIRED) {
				sc->vkind = V_EXPIRED;
				sc->trusted = 0;
				sc->err = "x509: certificate has expired or is not yet valid";
			}
		} else if (o->cert == C_COMM) {
			snprintf(sc->cn, sizeof sc->cn, "%s", cn);
			san_add(sc, cn);
			sc->iss = ISS[o->comm_issuer];
		} else if (o->cert == C_VPSNAME) {
			snprintf(sc->cn, sizeof sc->cn, "%s", fq);
			san_add(sc, fq);
			sc->iss = ISS[I_STARFIELD];
		} else { /* C_SELF */
			static const char *scn[] = {NULL, "localhost", "localhost.localdomain", NULL, "Plesk"};
			int k = (int)rb(r, 5);
			const char *s = scn[k] ? scn[k] : cn;
			snprintf(sc->cn, sizeof sc->cn, "%s", s);
			if (k != 4)
				san_add(sc, s);
			sc->iss.C = k == 4 ? "CH" : "AU";
			sc->iss.O = k == 4 ? "Plesk" : "Internet Widgits Pty Ltd";
			sc->iss.CN = sc->cn;
			sc->selfsigned = 1;
			sc->trusted = 0;
			sc->err = "x509: certificate signed by unknown authority";
			sc->vkind = V_SELF10Y;
		}
		for (int i = 0; i < 3; i++)
			san_add(sc, o->extra_san[i]);
		if (o->bk == BK_HOSTILE && o->bsub == 7) {
			san_add(sc, "\x1b[31mevil.example\x1b[0m");
			san_add(sc, "mail\xe2\x80\x8b.google.com");
			san_add(sc, "\xe2\x80\xae" "moc.elgoog");
		}
	}
	cert_finish(sc);
}

/* ------------------------------------------------------------------ */
/* writing scans                                                       */

static void hex_of(char *dst, uint64_t k, int nbytes)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < nbytes; i++) {
		if (i % 8 == 0)
			k = mix64(k + (uint64_t)i * 0x9E3779B97F4A7C15ULL);
		unsigned v = (unsigned)((k >> ((i % 8) * 8)) & 255);
		dst[2 * i] = hx[v >> 4];
		dst[2 * i + 1] = hx[v & 15];
	}
	dst[2 * nbytes] = 0;
}

static void dn_of(char *dst, size_t cap, const Issuer *is)
{
	size_t n = 0;
	dst[0] = 0;
	if (is->C && *is->C)
		n += (size_t)snprintf(dst + n, cap - n, "C=%s", is->C);
	if (is->O && *is->O && n < cap)
		n += (size_t)snprintf(dst + n, cap - n, "%sO=%s", n ? ", " : "", is->O);
	if (n < cap)
		snprintf(dst + n, cap - n, "%sCN=%s", n ? ", " : "", is->CN ? is->CN : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* zcrypto's names: sorted, unique union of the CN and the SANs. */
static int cert_names(const Scan *sc, const char **v)
{
	int n = 0;
	if (sc->cn[0])
		v[n++] = sc->cn;
	for (int i = 0; i < sc->nsan; i++)
		v[n++] = sc->san[i];
	qsort(v, (size_t)n, sizeof *v, cmp_str);
	int m = 0;
	for (int i = 0; i < n; i++)
		if (!m || strcmp(v[m - 1], v[i]))
			v[m++] = v[i];
	return m;
}

static void w_strarr(Out *o, const char *key, const char **v, int n)
{
	j_aopen(o, key);
	for (int i = 0; i < n; i++)
		j_str(o, NULL, v[i]);
	j_aclose(o);
}

static void w_parsed(Out *o, const Scan *sc, int strints)
{
	char buf[512], fp[80];
	j_open(o, "parsed");
	if (strints)
		j_sint(o, "version", 3);
	else
		j_int(o, "version", 3);
	snprintf(buf, sizeof buf, "%" PRIu64 "%" PRIu64, (uint64_t)(mix64(sc->certkey) % 100000000000ULL), (uint64_t)(sc->certkey % 1000000000ULL));
	j_str(o, "serial_number", buf);
	j_open(o, "signature_algorithm");
	j_str(o, "name", "SHA256-RSA");
	j_close(o);
	j_open(o, "issuer");
	if (sc->iss.C && *sc->iss.C)
		j_arr1(o, "country", sc->iss.C);
	if (sc->iss.O && *sc->iss.O)
		j_arr1(o, "organization", sc->iss.O);
	j_arr1(o, "common_name", sc->iss.CN);
	j_close(o);
	dn_of(buf, sizeof buf, &sc->iss);
	j_str(o, "issuer_dn", buf);
	j_open(o, "validity");
	fmt_rfc3339(buf, sc->nb * 86400, 0);
	j_str(o, "start", buf);
	fmt_rfc3339(buf, sc->na * 86400 - 1, 0);
	j_str(o, "end", buf);
	if (strints)
		j_sint(o, "length", (sc->na - sc->nb) * 86400 - 1);
	else
		j_int(o, "length", (sc->na - sc->nb) * 86400 - 1);
	j_close(o);
	j_open(o, "subject");
	if (sc->cn[0])
		j_arr1(o, "common_name", sc->cn);
	j_close(o);
	snprintf(buf, sizeof buf, "CN=%s", sc->cn);
	j_str(o, "subject_dn", buf);
	const char *v[10];
	int n = cert_names(sc, v);
	w_strarr(o, "names", v, n);
	j_open(o, "extensions");
	j_open(o, "subject_alt_name");
	const char *sv[8];
	for (int i = 0; i < sc->nsan; i++)
		sv[i] = sc->san[i];
	w_strarr(o, "dns_names", sv, sc->nsan);
	j_close(o);
	j_close(o);
	hex_of(fp, sc->certkey, 32);
	j_str(o, "fingerprint_sha256", fp);
	j_close(o);
}

/* The issuer's certificate as the one-element chain (none when self-signed;
 * Censys also gives its fingerprint) and the browser validation verdict. */
static void w_chain_validation(Out *o, const Scan *sc, int with_fp)
{
	if (!sc->selfsigned) {
		char dn[512], fp[80];
		j_aopen(o, "chain");
		j_open(o, NULL);
		j_open(o, "parsed");
		j_open(o, "subject");
		j_arr1(o, "common_name", sc->iss.CN);
		j_close(o);
		dn_of(dn, sizeof dn, &sc->iss);
		j_str(o, "subject_dn", dn);
		if (with_fp) {
			hex_of(fp, str_hash(sc->iss.CN), 32);
			j_str(o, "fingerprint_sha256", fp);
		}
		j_close(o);
		j_close(o);
		j_aclose(o);
	}
	j_open(o, "validation");
	j_bool(o, "browser_trusted", sc->trusted);
	if (sc->err)
		j_str(o, "browser_error", sc->err);
	j_close(o);
}

static void w_as(Out *o, const Pfx *p, int asn_as_string)
{
	const AsDef *a = as_def(p->asn);
	const OrgDef *g = a ? org_def(a->org_id) : NULL;
	j_open(o, "autonomous_system");
	if (asn_as_string)
		j_sint(o, "asn", p->asn);
	else
		j_int(o, "asn", p->asn);
	j_str(o, asn_as_string ? "routed_prefix" : "bgp_prefix", p->cidr);
	if (a)
		j_str(o, "name", a->aut_name);
	if (!asn_as_string && g)
		j_str(o, "description", g->name);
	if (g && g->country[0])
		j_str(o, "country_code", g->country);
	j_close(o);
}

/* Censys legacy: variant 0 nested p25, 1 nested "25", 2 flattened v1 API keys. */
static void w_legacy(const Scan *sc, int variant)
{
	Out *o = &g_out[F_CENSYS];
	char ip[16], ts[40], up[40], key[160];
	uint64_t h = HS(sc->ip, 0x1E6, 0);
	ip_str(ip, sc->ip);
	fmt_rfc3339(ts, sc->t, 0);
	fmt_rfc3339(up, sc->t + 3600 + (int64_t)(h % 7200), 0);
	const Pfx *p = pfx_lookup(sc->ip);
	int web = (h >> 20) % 4 == 0;
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "ip", ip);
	j_str(o, "updated_at", up);
	if (variant == 2) {
		const AsDef *a = as_def(p->asn);
		j_sint(o, "autonomous_system.asn", p->asn);
		j_str(o, "autonomous_system.routed_prefix", p->cidr);
		if (a)
			j_str(o, "autonomous_system.name", a->aut_name);
	} else
		w_as(o, p, 1);
	j_aopen(o, "protocols");
	if (sc->state != SS_CLOSED)
		j_str(o, NULL, "25/smtp");
	if (web || sc->state == SS_CLOSED) {
		j_str(o, NULL, "80/http");
		j_str(o, NULL, "443/https");
	}
	j_aclose(o);
	if (web || sc->state == SS_CLOSED) {
		if (variant == 2)
			j_sint(o, "p80.http.get.status_code", 200);
		else {
			j_open(o, "p80");
			j_open(o, "http");
			j_open(o, "get");
			j_sint(o, "status_code", (h >> 30) % 3 ? 200 : 301);
			j_close(o);
			j_close(o);
			j_close(o);
		}
	}
	if (sc->state == SS_CLOSED) {
		j_end(o);
		return;
	}
	if (variant == 2) {
		const char *S = "p25.smtp.starttls.";
#define FK(k) (snprintf(key, sizeof key, "%s%s", S, k), key)
		j_strn(o, FK("banner"), sc->banner, sc->blen);
		if (sc->state == SS_OPEN && sc->elen)
			j_strn(o, FK("ehlo"), sc->ehlo, sc->elen);
		if (sc->state == SS_OPEN && sc->stls[0])
			j_str(o, FK("starttls"), sc->stls);
		j_str(o, FK("timestamp"), ts);
		if (sc->state == SS_OPEN && sc->tls) {
			const char *v[10];
			int n = cert_names(sc, v);
			char fp[80], dn[512];
			j_str(o, FK("tls.version"), "TLSv1.2");
			if (sc->cn[0])
				j_arr1(o, FK("tls.certificate.parsed.subject.common_name"), sc->cn);
			dn_of(dn, sizeof dn, &sc->iss);
			j_str(o, FK("tls.certificate.parsed.issuer_dn"), dn);
			w_strarr(o, FK("tls.certificate.parsed.names"), v, n);
			const char *sv[8];
			for (int i = 0; i < sc->nsan; i++)
				sv[i] = sc->san[i];
			w_strarr(o, FK("tls.certificate.parsed.extensions.subject_alt_name.dns_names"), sv, sc->nsan);
			hex_of(fp, sc->certkey, 32);
			j_str(o, FK("tls.certificate.parsed.fingerprint_sha256"), fp);
			j_bool(o, FK("tls.validation.browser_trusted"), sc->trusted);
			if (sc->err)
				j_str(o, FK("tls.validation.browser_error"), sc->err);
		}
#undef FK
		j_end(o);
		return;
	}
	j_open(o, variant == 1 ? "25" : "p25");
	j_open(o, "smtp");
	j_open(o, "starttls");
	j_strn(o, "banner", sc->banner, sc->blen);
	if (sc->state == SS_OPEN && sc->elen)
		j_strn(o, "ehlo", sc->ehlo, sc->elen);
	if (sc->state == SS_OPEN && sc->stls[0])
		j_str(o, "starttls", sc->stls);
	j_str(o, "timestamp", ts);
	if (sc->state == SS_OPEN && sc->tls) {
		j_open(o, "tls");
		j_str(o, "version", "TLSv1.2");
		j_open(o, "cipher_suite");
		j_str(o, "id", "0xC02F");
		j_str(o, "name", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
		j_close(o);
		j_open(o, "certificate");
		w_parsed(o, sc, 1);
		j_close(o);
		w_chain_validation(o, sc, 1);
		j_close(o);
	}
	j_close(o);
	j_close(o);
	j_close(o);
	j_end(o);
}

/* text + CRLF, as ZGrab2 and Censys 2.0 store replies */
static char g_crlf[BANNER_MAX + 8];
static size_t with_crlf(const char *s, size_t n)
{
	if (n > BANNER_MAX)
		n = BANNER_MAX;
	memcpy(g_crlf, s, n);
	g_crlf[n] = '\r';
	g_crlf[n + 1] = '\n';
	g_crlf[n + 2] = 0;
	return n + 2;
}

static void base64_fake_der(char *dst, uint64_t k)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char der[120];
	der[0] = 0x30;
	der[1] = 0x82;
	der[2] = 0x05;
	der[3] = 0x1c;
	for (int i = 4; i < 120; i++) {
		if (i % 8 == 4)
			k = mix64(k + 0x51);
		der[i] = (unsigned char)(k >> ((i % 8) * 8));
	}
	int n = 0;
	for (int i = 0; i < 120; i += 3) {
		unsigned v = ((unsigned)der[i] << 16) | ((unsigned)der[i + 1] << 8) | der[i + 2];
		dst[n++] = b64[(v >> 18) & 63];
		dst[n++] = b64[(v >> 12) & 63];
		dst[n++] = b64[(v >> 6) & 63];
		dst[n++] = b64[v & 63];
	}
	dst[n] = 0;
}

static void w_zgrab(const Scan *sc)
{
	Out *o = &g_out[F_ZGRAB];
	char ip[16], ts[40];
	uint64_t h = HS(sc->ip, 0x26AB, 0);
	ip_str(ip, sc->ip);
	fmt_rfc3339(ts, sc->t, (h & 1) ? sc->off : 0); /* local time, sometimes with an offset */
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "ip", ip);
	if (sc->mxhost)
		j_str(o, "domain", sc->mxhost);
	j_open(o, "data");
	j_open(o, "smtp");
	static uint64_t nclosed;
	const char *status = sc->state == SS_OPEN ? "success" : sc->state == SS_REJECT ? "application-error"
							    : nclosed++ % 2 ? "connection-timeout" : "connection-refused";
	j_str(o, "status", status);
	j_str(o, "protocol", "smtp");
	j_int(o, "port", 25);
	j_str(o, "timestamp", ts);
	if (sc->state == SS_CLOSED) {
		char e[96];
		snprintf(e, sizeof e, "dial tcp %s:25: %s", ip,
			 status[11] == 't' ? "i/o timeout" : "connect: connection refused");
		j_str(o, "error", e);
	} else {
		j_open(o, "result");
		size_t n = with_crlf(sc->banner, sc->blen);
		j_strn(o, "banner", g_crlf, n);
		if (sc->state == SS_OPEN) {
			if (sc->use_helo) {
				n = with_crlf(sc->helo, strlen(sc->helo));
				j_strn(o, "helo", g_crlf, n);
				g_nhelo++;
			} else if (sc->elen) {
				n = with_crlf(sc->ehlo, sc->elen);
				j_strn(o, "ehlo", g_crlf, n);
			}
			/* after HELO (no ESMTP in the banner) ZGrab2 does not try STARTTLS */
			if (sc->stls[0] && !sc->use_helo) {
				n = with_crlf(sc->stls, strlen(sc->stls));
				j_strn(o, "starttls", g_crlf, n);
			}
			if (sc->tls && !sc->use_helo) {
				char raw[200];
				j_open(o, "tls");
				j_open(o, "handshake_log");
				j_open(o, "server_hello");
				j_open(o, "version");
				j_str(o, "name", "TLSv1.2");
				j_int(o, "value", 771);
				j_close(o);
				j_open(o, "cipher_suite");
				j_str(o, "hex", "0xC02F");
				j_str(o, "name", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
				j_int(o, "value", 49199);
				j_close(o);
				j_close(o);
				j_open(o, "server_certificates");
				j_open(o, "certificate");
				base64_fake_der(raw, sc->certkey);
				j_str(o, "raw", raw);
				w_parsed(o, sc, 0);
				j_close(o);
				w_chain_validation(o, sc, 0);
				j_close(o);
				j_close(o);
				j_close(o);
			}
			j_str(o, "quit", "221 2.0.0 Bye\r\n");
		}
		j_close(o);
		if (sc->state == SS_REJECT)
			j_str(o, "error", "SMTP error code 554");
	}
	j_close(o);
	j_close(o);
	j_end(o);
}

static void w_censys2(const Scan *sc)
{
	Out *o = &g_out[F_CENSYS2];
	char ip[16], ts[40], up[40];
	uint64_t h = HS(sc->ip, 0xC2C2, 0);
	ip_str(ip, sc->ip);
	fmt_rfc3339(ts, sc->t, 0);
	fmt_rfc3339(up, sc->t + 1800 + (int64_t)(h % 3600), 0);
	const Pfx *p = pfx_lookup(sc->ip);
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "ip", ip);
	w_as(o, p, 0);
	j_str(o, "last_updated_at", up);
	j_aopen(o, "services");
	if (sc->state != SS_CLOSED && !g_udp_done) {
		g_udp_done = 1; /* once: a UDP port-25 entry that is not SMTP */
		j_open(o, NULL);
		j_int(o, "port", 25);
		j_str(o, "service_name", "UNKNOWN");
		j_str(o, "extended_service_name", "UNKNOWN");
		j_str(o, "transport_protocol", "UDP");
		j_str(o, "banner", "\x01\x02\x7f");
		j_str(o, "observed_at", ts);
		j_close(o);
	}
	if (sc->state != SS_CLOSED) {
		size_t n;
		j_open(o, NULL);
		j_int(o, "port", 25);
		j_str(o, "service_name", "SMTP");
		j_str(o, "extended_service_name", "SMTP");
		j_str(o, "transport_protocol", "TCP");
		n = with_crlf(sc->banner, sc->blen);
		j_strn(o, "banner", g_crlf, n);
		if (sc->state == SS_OPEN) {
			j_open(o, "smtp");
			if (sc->elen) {
				n = with_crlf(sc->ehlo, sc->elen);
				j_strn(o, "ehlo", g_crlf, n);
			}
			if (sc->stls[0]) {
				n = with_crlf(sc->stls, strlen(sc->stls));
				j_strn(o, "start_tls", g_crlf, n);
			}
			j_close(o);
		}
		if (sc->state == SS_OPEN && sc->tls) {
			char fp[80], cfp[80], dn[512], sdn[400];
			const char *v[10];
			int nn = cert_names(sc, v);
			hex_of(fp, sc->certkey, 32);
			hex_of(cfp, str_hash(sc->iss.CN), 32);
			dn_of(dn, sizeof dn, &sc->iss);
			snprintf(sdn, sizeof sdn, "CN=%s", sc->cn);
			j_str(o, "certificate", fp);
			j_open(o, "tls");
			j_str(o, "version_selected", "TLSv1_2");
			j_open(o, "certificates");
			j_str(o, "leaf_fp_sha_256", fp);
			j_aopen(o, "chain_fps_sha_256");
			if (!sc->selfsigned)
				j_str(o, NULL, cfp);
			j_aclose(o);
			j_aopen(o, "chain");
			if (!sc->selfsigned) {
				j_open(o, NULL);
				j_str(o, "fingerprint", cfp);
				j_str(o, "subject_dn", dn);
				j_str(o, "issuer_dn", dn);
				j_close(o);
			}
			j_aclose(o);
			j_open(o, "leaf_data");
			w_strarr(o, "names", v, nn);
			j_str(o, "subject_dn", sdn);
			j_str(o, "issuer_dn", dn);
			j_open(o, "subject");
			if (sc->cn[0])
				j_arr1(o, "common_name", sc->cn);
			j_close(o);
			j_str(o, "fingerprint", fp);
			j_open(o, "signature");
			j_bool(o, "self_signed", sc->selfsigned);
			j_close(o);
			j_close(o);
			j_close(o);
			j_close(o);
		}
		j_str(o, "observed_at", ts);
		j_close(o);
	}
	if (sc->state == SS_CLOSED || (h >> 16) % 5 == 0) {
		j_open(o, NULL);
		j_int(o, "port", 80);
		j_str(o, "service_name", "HTTP");
		j_str(o, "extended_service_name", "HTTP");
		j_str(o, "transport_protocol", "TCP");
		j_open(o, "http");
		j_open(o, "response");
		j_int(o, "status_code", 200);
		j_close(o);
		j_close(o);
		j_str(o, "observed_at", ts);
		j_close(o);
	}
	j_aclose(o);
	j_end(o);
}

/* Write one scanned IP to exactly one of the three scan files. */
static void scan_emit(Scan *sc)
{
	if (sc->state == SS_UNSCANNED) {
		g_nunscanned++;
		return;
	}
	uint64_t h = HS(sc->ip, 0xF11E, 0);
	int f = sc->force;
	if (f == FMT_AUTO) {
		double x = to01(h);
		f = x < 0.85 ? FMT_LEGACY : x < 0.95 ? FMT_ZGRAB : FMT_CENSYS2;
	}
	if (f == FMT_ZGRAB && sc->plain && sc->state == SS_OPEN && !g_apperr_done && g_out[F_ZGRAB].rows >= 3) {
		/* at least one ZGrab2 application-error (a 554 greeting) */
		sc->state = SS_REJECT;
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "554 5.7.1 <unknown[162.142.125.%u]>: Client host rejected: Access denied",
					    (unsigned)(1 + HS(sc->ip, 77, 1) % 250));
	}
	if (sc->state == SS_CLOSED)
		g_nclosed++;
	else if (sc->state == SS_REJECT)
		g_nreject++;
	else if (!sc->tls)
		g_nnotls++;
	else if (!sc->trusted)
		g_nuntrusted++;
	switch (f) {
	case FMT_ZGRAB:
		if (sc->state == SS_REJECT)
			g_apperr_done = 1;
		w_zgrab(sc);
		g_nscan[1]++;
		break;
	case FMT_CENSYS2:
		w_censys2(sc);
		g_nscan[2]++;
		break;
	default: {
		int v = 0;
		if (f == FMT_LEGACY) {
			double y = to01(H2(h, 0x25));
			v = y < 0.03 ? 2 : y < 0.05 ? 1 : 0;
		}
		g_nlegacy_flat += v == 2;
		g_nlegacy_25 += v == 1;
		w_legacy(sc, v);
		g_nscan[0]++;
	}
	}
}

/* ------------------------------------------------------------------ */
/* domain names                                                        */

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

enum { L_ALEXA, L_COM, L_GOV };
static const char *LNAME[3] = {"alexa", "com", "gov"};

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

static int nset_add(const char *name)
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

enum {
	K_GOOGLE, K_MS, K_YANDEX, K_GODADDY, K_PP, K_MIMECAST, K_ZOHO, K_BARRACUDA, K_RACKSPACE, K_TENCENT,
	K_MAILRU, K_OVH, K_NAMECHEAP, K_EIG, K_UI, K_TUCOWS, K_STRATO, K_WEBCOM, K_ARUBA, K_YAHOO, K_GANDI,
	K_FASTMAIL, K_SPAMHERO, K_APPRIVER, K_SOPHOS, K_SOLARWINDS, K_TRENDMICRO, K_FORCEPOINT, K_MESSAGELABS,
	K_INTERMEDIA, K_FIREEYE, K_BEGET, K_SITEGROUND, K_CISCO, K_UNKHOST, K_SELF, K_NOMX, K_NULLMX, K_FAIL,
	K_NODNS,
	H_A, H_B_GD, H_B_OVH, H_C, H_D_CISCO, H_D_PP, H_E, H_F, H_G, H_H, H_I, H_J, H_K, K__N
};

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
static const struct {
	int kind;
	double p;
	int nsub;
	const char *label;
} HARD[] = {
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
#define NHARD (sizeof HARD / sizeof HARD[0])

static const char *kind_name(int k)
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

static int migrate(int kind, uint64_t h)
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

typedef struct {
	uint64_t id;
	int list, list2;
	int basekind, kind, sub, moved;
	uint64_t ctr; /* how many earlier domains had the same base kind */
	int region, edu;
	char name[112];
	char tld[16];
} Dom;

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
static void dom_base(Dom *d, uint64_t id)
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

/* ------------------------------------------------------------------ */
/* MX sets of providers with shared MX hosts                           */

typedef struct {
	int kind;
	const char *truth;
	const char *sets[3];
} Simple;

static const Simple SIMPLE[] = {
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

typedef struct {
	int n;
	int pref[4], hid[4];
} MxSet;

static MxSet g_set[NSIMPLE][3];
static int g_nvar[NSIMPLE];
static int g_simple_of[K__N]; /* kind -> SIMPLE index + 1 */

static int g_h_google[5], g_h_smtpgd, g_h_thunder1, g_h_vault2, g_h_unk[NUNK][2];

/* ------------------------------------------------------------------ */
/* one domain's mail setup                                             */

typedef struct {
	char host[MAXNAME];
	char cname[MAXNAME]; /* the MX host is a CNAME to this name */
	int pref, shared, embed, nip, aaaa;
	uint32_t ip[4];
} Mx;

typedef struct {
	int nmx;
	Mx mx[6];
	int status, nomx, nullmx, nodns;
	int ntruth;
	const char *truth[4];
} Setup;

static uint64_t g_nlist[3], g_ndomains, g_ntruth, g_nkind[K__N], g_ngone, g_nmoved, g_nnew;

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

static Mx *mx_new(Setup *S, int pref, const char *fmt, const char *arg)
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

static void mx_shared(Setup *S, int hid, int pref, Rng *r)
{
	Host *h = &g_host[hid];
	Mx *m = mx_new(S, pref, "%s", h->name);
	m->shared = hid;
	m->embed = rc(r, 0.03);
	h->used = 1;
	for (int i = 0; i < h->nip; i++)
		mx_srv(m, h->srv[i]);
}

static void truth_add(Setup *S, const char *t)
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

static void self_defaults(SelfOpt *o, const Dom *d, Rng *r, const char *fqdn)
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
static void self_server(const Dom *d, Mx *m, const SelfOpt *o, Rng *r, int idx)
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
			g_nnoa_hosts++;
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
			g_nnoa_hosts++;
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

static void build_setup(Dom *d, Setup *S, Rng *r)
{
	const char *D = d->name;
	char fq[MAXNAME], fq2[MAXNAME], cn[MAXNAME], buf[MAXNAME];
	SelfOpt o;
	S->nmx = 0;
	S->status = S->nomx = S->nullmx = S->nodns = 0;
	S->ntruth = 0;
	int sub = d->kind == d->basekind ? d->sub : 0;
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
	case K_PP: {
		uint64_t k = HS(d->id, 0x9F, 0);
		char hx[16];
		snprintf(hx, sizeof hx, "00%06x", (unsigned)(k & 0xFFFFFF));
		Mx *a = mx_new(S, 10, "mx0a-%s.pphosted.com", hx);
		Mx *b = mx_new(S, 10, "mx0b-%s.pphosted.com", hx);
		mx_srv(a, g_pp0 + (int)((k >> 24) % (uint64_t)g_npp));
		mx_srv(b, g_pp0 + (int)((k >> 40) % (uint64_t)g_npp));
		truth_add(S, "ProofPoint");
		break;
	}
	case K_BARRACUDA: {
		uint64_t k = HS(d->id, 0xBA, 0);
		unsigned n = 100000 + (unsigned)(k % 900000);
		for (int i = 0; i < 2; i++) {
			snprintf(buf, sizeof buf, "d%u%c.ess.barracudanetworks.com", n, 'a' + i);
			Mx *m = mx_new(S, 10, "%s", buf);
			mx_srv(m, g_bar0 + (int)((k >> (20 + 8 * i)) % (uint64_t)g_nbar));
		}
		truth_add(S, "Barracuda");
		break;
	}
	case K_WEBCOM: {
		Mx *m = mx_new(S, 10, "inbound.%s.netsolmail.net", D);
		mx_srv(m, g_ns0 + (int)(HS(d->id, 0x5E, 0) % (uint64_t)g_nns));
		truth_add(S, "Web.com");
		break;
	}
	case K_CISCO: {
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
		break;
	}
	case K_EIG:
		if (rc(r, .3)) {
			Mx *m = mx_new(S, 0, "%s", D);
			mx_srv(m, pick_box(rc(r, .5) ? FAM_BLUEHOST : FAM_HOSTGATOR, (int)rb(r, 2), r));
			truth_add(S, "EIG");
			break;
		}
		goto simple;
	case K_UNKHOST: {
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
		break;
	}
	case K_SELF:
		self_kind(d, S, r, 1);
		break;
	case K_NOMX:
		S->nomx = 1;
		break;
	case K_NULLMX:
		S->nullmx = 1;
		break;
	case K_FAIL:
		S->status = rc(r, .5) ? 3 : 65535;
		break;
	case K_NODNS:
		S->nodns = 1;
		break;

	/* ---- the paper's hard cases ---- */
	case H_A: { /* default mx.<domain> pointing at a web host's shared box */
		static const int fam[4] = {FAM_BLUEHOST, FAM_HOSTGATOR, FAM_WEBHOSTING, FAM_WEBHOSTING};
		static const int sty[4] = {BOX_NAMED, BOX_MULTILINE, BOX_NAMED, BOX_MULTILINE};
		Mx *m = mx_new(S, 0, "mx.%s", D);
		mx_srv(m, pick_box(fam[sub], sty[sub], r));
		truth_add(S, FAM[fam[sub]].truth);
		break;
	}
	case H_B_GD:
	case H_B_OVH: {
		snprintf(fq, sizeof fq, "mail.%s", D);
		self_defaults(&o, d, r, fq);
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
		truth_add(S, D);
		break;
	}
	case H_C: { /* an own server claiming to be mx.google.com */
		snprintf(fq, sizeof fq, "mail.%s", D);
		self_defaults(&o, d, r, fq);
		o.bk = BK_FAKEGOOGLE;
		o.noesmtp = 0;
		o.cert = sub ? C_SELF : C_NONE;
		o.certname = "mx.google.com";
		hard_self(d, S, r, rc(r, .5) ? 10 : 0, rc(r, .7) ? "mail.%s" : "%s", &o, 0);
		truth_add(S, D);
		break;
	}
	case H_D_CISCO:
	case H_D_PP: { /* a provider presenting the customer's own certificate */
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
		break;
	}
	case H_E: /* split primary MX set */
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
			snprintf(fq, sizeof fq, "mail.%s", D);
			self_defaults(&o, d, r, fq);
			o.cert = C_LE;
			o.noesmtp = 0;
			hard_self(d, S, r, 10, "mail.%s", &o, 0);
			truth_add(S, sub == 1 ? "Google" : "Microsoft");
			truth_add(S, D);
			break;
		default:
			mx_shared(S, g_h_google[0], 1, r);
			mx_shared(S, g_h_google[1], 1, r);
			mx_shared(S, g_h_google[2], 5, r);
			truth_add(S, "Google");
		}
		break;
	case H_F: /* backup MX at another provider: truth is the primary only */
		switch (sub) {
		case 0:
			snprintf(fq, sizeof fq, "mail.%s", D);
			self_defaults(&o, d, r, fq);
			o.noesmtp = 0;
			hard_self(d, S, r, 10, "mail.%s", &o, 0);
			mx_shared(S, g_h_thunder1, 20, r);
			truth_add(S, D);
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
			snprintf(fq, sizeof fq, "mail.%s", D);
			self_defaults(&o, d, r, fq);
			hard_self(d, S, r, 20, "mail.%s", &o, 0);
			truth_add(S, "Google");
		}
		break;
	case H_G: { /* every kind of missing data, on self-run servers */
		snprintf(fq, sizeof fq, "mail.%s", D);
		self_defaults(&o, d, r, fq);
		o.noesmtp = 0;
		if (sub == 0) {
			Mx *m = mx_new(S, 10, "mail.%s", D);
			(void)m;
			g_nnoa_hosts++;
			if (HS(d->id, 0x6A, 0) & 1)
				hard_self(d, S, r, 20, "mail2.%s", &o, 1);
		} else {
			if (sub == 1)
				o.state = SS_UNSCANNED;
			else if (sub == 2) {
				o.state = SS_CLOSED;
				o.force = (d->ctr / 6) % 2 ? FMT_ZGRAB : FMT_LEGACY;
			}
			else if (sub == 3)
				o.cert = (HS(d->id, 0x6B, 0) & 1) ? C_FAIL : C_NONE;
			else if (sub == 4)
				o.cert = (HS(d->id, 0x6C, 0) & 1) ? C_EXPIRED : C_SELF;
			else {
				o.bk = BK_NOFQDN;
				o.bsub = (int)(HS(d->id, 0x6D, 0) % 5);
			}
			hard_self(d, S, r, 10, "mail.%s", &o, 0);
		}
		truth_add(S, D);
		break;
	}
	case H_H: { /* localhost greeting on a web host's box */
		int style = (HS(d->id, 0x44, 0) & 1) ? BOX_LOCAL_CERT : BOX_LOCAL_NOCERT;
		Mx *m = rc(r, .5) ? mx_new(S, 10, "mail.%s", D) : mx_new(S, 0, "%s", D);
		mx_srv(m, pick_box(sub, style, r));
		truth_add(S, FAM[sub].truth);
		break;
	}
	case H_I:
		if (sub < 2) { /* cPanel's multi-line 220- greeting */
			int fam = sub == 0 ? FAM_HOSTGATOR : FAM_WEBHOSTING;
			Mx *m = mx_new(S, 0, "%s", D);
			mx_srv(m, pick_box(fam, BOX_MULTILINE, r));
			truth_add(S, FAM[fam].truth);
		} else { /* EHLO names another host than the banner */
			snprintf(fq, sizeof fq, "mail.%s", D);
			self_defaults(&o, d, r, fq);
			o.pool = P_HETZ;
			o.bk = BK_EHLODIFF;
			o.sw = SW_POSTFIX;
			o.noesmtp = 0;
			hard_self(d, S, r, 10, "mail.%s", &o, 0);
			truth_add(S, D);
		}
		break;
	case H_J: /* hostile greeting text */
		snprintf(fq, sizeof fq, "mail.%s", D);
		self_defaults(&o, d, r, fq);
		o.bk = BK_HOSTILE;
		o.bsub = sub;
		o.noesmtp = 0;
		if (sub == 6)
			o.force = FMT_LEGACY_NESTED;
		if (sub == 7)
			o.cert = C_SELF;
		else if (o.cert == C_FAIL)
			o.cert = C_NONE;
		hard_self(d, S, r, 10, "mail.%s", &o, 0);
		truth_add(S, D);
		break;
	case H_K: /* banner mentions a misleading domain */
		snprintf(fq, sizeof fq, "mail.%s", D);
		self_defaults(&o, d, r, fq);
		o.bk = BK_SPAMHAUS;
		o.bsub = sub;
		o.noesmtp = 0;
		hard_self(d, S, r, 10, "mail.%s", &o, 0);
		truth_add(S, D);
		break;
	default:
	simple: {
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
	}
}

/* ------------------------------------------------------------------ */
/* DNS rows                                                            */

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
		ip_str(b, ip4);
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

static void emit_dns(const Dom *d, const Setup *S)
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
static void emit_shared_dns(void)
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

static void emit_shared_scans(void)
{
	for (int i = 0; i < g_nsrv; i++) {
		if (!g_srv[i].used)
			continue;
		if (!g_srv[i].scanned) {
			g_nunscanned++;
			continue;
		}
		build_server_scan(&g_scan, i);
		scan_emit(&g_scan);
	}
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

static void write_pfx2as(void)
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

static void write_as2org(void)
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
	qsort(used, (size_t)nused, sizeof used[0], cmp_str);
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

/* ------------------------------------------------------------------ */
/* set-up and self-checks                                              */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int in_pool(uint32_t ip)
{
	for (int p = 0; p < P__N; p++)
		for (int b = 0; b < g_pool[p].nblk; b++)
			if (ip - g_pool[p].base[b] < (g_pool[p].n24[b] << 8))
				return 1;
	return 0;
}

static void init_world(uint64_t n_domains)
{
	char tmp[200];
	/* provider MX hosts */
	for (size_t i = 0; i < NHOSTS; i++) {
		Host *h = &g_host[g_nhost++];
		h->name = HOSTS[i].name;
		h->R = HOSTS[i].R;
		snprintf(tmp, sizeof tmp, "%s", HOSTS[i].ips);
		for (char *t = strtok(tmp, " "); t && h->nip < 4; t = strtok(NULL, " ")) {
			int si = server_add(ip_parse(t), HOSTS[i].style, h->name, h->R, 1);
			if (HOSTS[i].unscanned)
				g_srv[si].scanned = 0;
			h->srv[h->nip++] = si;
		}
	}
	/* pools behind per-customer host names */
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
	for (int k = 0; k < g_nns; k++) {
		snprintf(tmp, sizeof tmp, "inbound-%d.atl.netsolmail.net", k + 1);
		server_add(206u << 24 | 188u << 16 | 198u << 8 | (uint32_t)(60 + k), S_GENERIC, xstrdup(tmp),
			   "atl.netsolmail.net", 0);
	}
	for (int i = g_ms0; i < g_nsrv; i++)
		g_srv[i].scanned = to01(HS(g_srv[i].ip, 0x5CA, 0)) >= 0.04;
	/* web hosting boxes: 4 styles, at least one box of each */
	uint64_t nb = n_domains / 5000 / 4 * 4;
	if (nb < 4)
		nb = 4;
	for (int f = 0; f < NFAM; f++)
		if (nb > (uint64_t)FAM[f].maxbox)
			nb = (uint64_t)FAM[f].maxbox / 4 * 4;
	g_nbox = (int)nb;
	for (int f = 0; f < NFAM; f++) {
		g_box0[f] = g_nsrv;
		uint32_t base = ip_parse(FAM[f].base);
		for (int k = 0; k < g_nbox; k++) {
			int si = server_add(base + ((uint32_t)(k / 200) << 8) + 10 + (uint32_t)(k % 200), S_BOX, NULL,
					    FAM[f].R, 0);
			g_srv[si].fam = (uint8_t)f;
			g_srv[si].k = k;
		}
	}
	/* self-checks: unique server IPs, outside every pool, all routed */
	uint32_t *ips = xcalloc((size_t)g_nsrv, sizeof *ips);
	for (int i = 0; i < g_nsrv; i++) {
		ips[i] = g_srv[i].ip;
		if (in_pool(ips[i]))
			die_internal("a shared server lies inside a per-domain pool");
		(void)pfx_lookup(ips[i]);
	}
	qsort(ips, (size_t)g_nsrv, sizeof *ips, cmp_u32);
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
	/* provider MX sets */
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

/* ------------------------------------------------------------------ */
/* command line                                                        */

static int parse_u64(const char *s, uint64_t *v)
{
	if (!s || !*s)
		return 0;
	uint64_t x = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return 0;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*v = x;
	return 1;
}

static int parse_date(const char *s, int64_t *days)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return 0;
	*days = days_of(y, m, d);
	return 1;
}

static void mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			die_io(p);
		*q = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		die_io(p);
	struct stat st;
	if (stat(p, &st) != 0)
		die_io(p);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		die_io(p);
	}
	free(p);
}

static void open_outputs(const char *dir)
{
	for (int i = 0; i < F__N; i++) {
		Out *o = &g_out[i];
		size_t n = strlen(dir) + strlen(FNAMES[i]) + 2;
		o->path = xcalloc(n, 1);
		snprintf(o->path, n, "%s/%s", dir, FNAMES[i]);
		errno = 0;
		o->f = fopen(o->path, "wb");
		if (!o->f)
			die_io(o->path);
		o->cap = (i == F_DNS || i == F_CENSYS) ? (8u << 20) : (1u << 20);
		o->buf = xcalloc(o->cap, 1);
	}
}

static void close_outputs(void)
{
	for (int i = 0; i < F__N; i++) {
		Out *o = &g_out[i];
		out_flush(o);
		errno = 0;
		if (fflush(o->f) != 0 || ferror(o->f))
			die_io(o->path);
		if (fclose(o->f) != 0)
			die_io(o->path);
		free(o->buf);
	}
}

static void write_target(int list, const char *name)
{
	Out *o = &g_out[F_TALEXA + list];
	out_str(o, name);
	out_ch(o, '\n');
	o->rows++;
	g_nlist[list]++;
}

static void write_truth(const Dom *d, Setup *S)
{
	int hasip = 0;
	for (int i = 0; i < S->nmx; i++)
		hasip |= S->mx[i].nip > 0;
	if (!hasip || !S->ntruth)
		return;
	qsort(S->truth, (size_t)S->ntruth, sizeof S->truth[0], cmp_str);
	Out *o = &g_out[F_TRUTH];
	out_str(o, d->name);
	out_ch(o, ',');
	for (int i = 0; i < S->ntruth; i++) {
		if (i)
			out_ch(o, ';');
		out_str(o, S->truth[i]);
	}
	out_ch(o, '\n');
	o->rows++;
	g_ntruth++;
}

int main(int argc, char **argv)
{
	const char *a_domains = NULL, *a_seed = NULL, *a_date = NULL, *a_out = NULL, *a_epoch = NULL;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			return 0;
		}
		static const char *names[5] = {"--domains", "--seed", "--date", "--out", "--epoch"};
		const char **slot[5] = {&a_domains, &a_seed, &a_date, &a_out, &a_epoch};
		int hit = -1;
		const char *val = NULL;
		for (int k = 0; k < 5; k++) {
			size_t n = strlen(names[k]);
			if (!strncmp(arg, names[k], n) && (arg[n] == 0 || arg[n] == '=')) {
				hit = k;
				if (arg[n] == '=')
					val = arg + n + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else
					die_usage("option %s needs a value", names[k]);
			}
		}
		if (hit < 0)
			die_usage("unknown argument '%s'", arg);
		*slot[hit] = val;
	}
	uint64_t n_domains, seed, epoch = 0;
	int64_t days;
	if (!a_domains || !a_seed || !a_date || !a_out)
		die_usage("--domains, --seed, --date and --out are required");
	if (!parse_u64(a_domains, &n_domains) || n_domains < 1 || n_domains > 20000000)
		die_usage("--domains must be an integer from 1 to 20000000, not '%s'", a_domains);
	if (!parse_u64(a_seed, &seed))
		die_usage("--seed must be an unsigned decimal integer, not '%s'", a_seed);
	if (!parse_date(a_date, &days))
		die_usage("--date must be a valid date YYYY-MM-DD (1970 or later), not '%s'", a_date);
	if (a_epoch && (!parse_u64(a_epoch, &epoch) || epoch > 100))
		die_usage("--epoch must be an integer from 0 to 100, not '%s'", a_epoch);
	if (!*a_out)
		die_usage("--out must name a directory");

	g_seed = seed;
	g_days = days;
	pfx_init();
	pool_init();
	init_world(n_domains);
	mkdir_p(a_out);
	open_outputs(a_out);
	out_str(&g_out[F_TRUTH], "domain,truth\n");

	g_koff = HS(0x11, 0x22, 0x33);
	g_loff = HS(0x44, 0x55, 0x66);
	for (size_t i = 0; i < NHARD; i++)
		g_whard += HARD[i].p;
	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < NKW; i++)
			g_wlist[l] += KW[i].w[l];

	uint64_t newper = (n_domains + 50) / 100;
	uint64_t total = n_domains + epoch * newper;
	uint64_t cap = 1024;
	while (cap < 2 * (total + 256))
		cap <<= 1;
	g_nset = xcalloc((size_t)cap, sizeof *g_nset);
	g_nmask = cap - 1;
	for (int i = 0; i < g_nhost; i++)
		nset_add(g_host[i].R);
	for (int f = 0; f < NFAM; f++)
		nset_add(FAM[f].R);

	Setup *S = xcalloc(1, sizeof *S);
	uint64_t ntwo = 0, nhard[NHARD] = {0};
	for (uint64_t id = 0; id < total; id++) {
		Dom d;
		dom_base(&d, id);
		uint64_t born = id < n_domains ? 0 : 1 + (id - n_domains) / newper;
		d.kind = d.basekind;
		int gone = 0;
		for (uint64_t e = born + 1; e <= epoch; e++) {
			uint64_t h = HS(id, e, 0xE90C);
			double x = to01(h);
			if (x < 0.01) {
				gone = 1;
				break;
			}
			if (x < 0.04) {
				d.kind = migrate(d.kind, H2(h, 7));
				d.moved = (int)e;
			}
		}
		write_target(d.list, d.name);
		if (d.list2 >= 0) {
			write_target(d.list2, d.name);
			ntwo++;
		}
		g_ndomains++;
		g_nnew += born > 0;
		if (gone) { /* expired: still a target, but no DNS data any more */
			g_ngone++;
			continue;
		}
		g_nmoved += d.moved > 0;
		Rng r = rng_for(id, (uint64_t)d.moved, 0x5E7);
		build_setup(&d, S, &r);
		emit_dns(&d, S);
		write_truth(&d, S);
		g_nkind[d.kind]++;
	}
	free(S);
	emit_shared_dns();
	emit_shared_scans();
	write_pfx2as();
	write_as2org();
	close_outputs();
	for (int i = 0; i < F__N; i++)
		free(g_out[i].path);
	for (int p = 0; p < P__N; p++)
		free(g_pool[p].bits);
	for (int i = g_ns0; i < g_ns0 + g_nns; i++)
		free((char *)g_srv[i].H);
	free(g_srv);
	free(g_nset);

	for (size_t i = 0; i < NHARD; i++)
		nhard[i] = g_nkind[HARD[i].kind];
	fprintf(stderr, "mxgen: %" PRIu64 " domains (seed %" PRIu64 ", date %s, epoch %" PRIu64 ") -> %s\n",
		g_ndomains, seed, a_date, epoch, a_out);
	fprintf(stderr, "  lists: %s %" PRIu64 ", %s %" PRIu64 ", %s %" PRIu64 " (%" PRIu64 " domains in two lists)\n",
		LNAME[0], g_nlist[0], LNAME[1], g_nlist[1], LNAME[2], g_nlist[2], ntwo);
	fprintf(stderr, "  population:");
	for (int k = 0, col = 14; k < K_NODNS + 1; k++) {
		char item[64];
		int n = snprintf(item, sizeof item, " %s %" PRIu64 "%s", kind_name(k), g_nkind[k], k < K_NODNS ? "," : "");
		if (col + n > 100) {
			fputs("\n             ", stderr);
			col = 13;
		}
		fputs(item, stderr);
		col += n;
	}
	fputc('\n', stderr);
	if (epoch)
		fprintf(stderr, "  drift: %" PRIu64 " moved provider, %" PRIu64 " gone from the DNS, %" PRIu64 " new\n",
			g_nmoved, g_ngone, g_nnew);
	for (int i = 0; i < F__N; i++)
		fprintf(stderr, "  %-20s %10" PRIu64 " %s\n", FNAMES[i], g_out[i].rows,
			i == F_TRUTH ? "rows (plus header)" : i == F_ASORG ? "org+aut lines" : "rows");
	fprintf(stderr, "  scans: %" PRIu64 " flattened and %" PRIu64 " '25.' records in censys; %" PRIu64
			" MX IPs unscanned, %" PRIu64 " port 25 closed, %" PRIu64 " 554 greetings, %" PRIu64
			" without TLS, %" PRIu64 " untrusted cert only, %" PRIu64 " HELO-only (zgrab2)\n",
		g_nlegacy_flat, g_nlegacy_25, g_nunscanned, g_nclosed, g_nreject, g_nnotls, g_nuntrusted, g_nhelo);
	fprintf(stderr, "  MX hosts without an A record: %" PRIu64 "; domains without MX data: %" PRIu64
			" no MX, %" PRIu64 " null MX, %" PRIu64 " failed lookups, %" PRIu64 " no DNS rows\n",
		g_nnoa_hosts, g_nkind[K_NOMX], g_nkind[K_NULLMX], g_nkind[K_FAIL], g_nkind[K_NODNS] + g_ngone);
	fprintf(stderr, "  hard cases (domains):\n");
	for (size_t i = 0; i < NHARD; i++)
		fprintf(stderr, "    %-46s %8" PRIu64 "\n", HARD[i].label, nhard[i]);
	return 0;
}
