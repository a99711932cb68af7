/*
 * mxgen — the internal interface between the generator's files.  mxgen
 * writes a deterministic synthetic measurement snapshot for mxray:
 * OpenINTEL-style DNS rows, port-25 scans in three formats (Censys legacy,
 * ZGrab2, Censys Search 2.0), CAIDA pfx2as and as2org tables, three target
 * lists and the ground truth (who really runs each domain's mail).
 *
 * Everything is a pure function of (--domains, --seed, --date, --epoch):
 * one PRNG family (splitmix64 finaliser over hashed keys), no clocks, no
 * rand().  Domains are streamed one at a time; only the name set, the IP
 * pool bitmaps and the shared-server table stay in memory.
 *
 * The files, by what they make:
 *   main.c           command line, the domain loop, the summary
 *   out.c            buffered output files and the JSON writer
 *   text.c           dates, reply/certificate templates, hex
 *   caida.c          the routing and AS tables; pfx2as.txt, as2org.txt
 *   world.c          address pools, the providers' shared servers and MX
 *                    hosts, web-hosting boxes, the providers' MX sets
 *   domains.c        domain names, kinds, target lists
 *   setup.c          one domain's mail set-up (MX records, servers, truth)
 *   pslcases.c       the fixed domains under co.za, org.za and gov.za
 *   scan.c           one port-25 observation of one IP, and its format
 *   scanjson.c       JSON the three scan formats share (certificate, AS)
 *   censys_legacy.c  scans-censys.jsonl
 *   zgrab2.c         scans-zgrab2.jsonl
 *   censys2.c        scans-censys2.jsonl
 *   dns.c            dns.jsonl
 *   truth.c          targets-*.txt and truth.csv
 */
#ifndef MXGEN_H
#define MXGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAXNAME 256
#define BANNER_MAX 12288

/* ---- errors (main.c): print and exit 1 ---------------------------- */

_Noreturn void die_io(const char *path);
_Noreturn void die_internal(const char *what);

/* ---- deterministic randomness ------------------------------------- */

extern uint64_t g_seed;

/* splitmix64 finaliser: a bijective 64-bit mixer. */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static inline uint64_t H2(uint64_t a, uint64_t b)
{
	return mix64(mix64(a + 0x9E3779B97F4A7C15ULL) ^ (b * 0xD6E8FEB86659FD93ULL + 0x632BE59BD9B4E019ULL));
}

static inline uint64_t H3(uint64_t a, uint64_t b, uint64_t c)
{
	return H2(H2(a, b), c);
}

/* Hash of a key under the global seed. */
static inline uint64_t HS(uint64_t a, uint64_t b, uint64_t c)
{
	return H2(H3(g_seed, a, b), c);
}

typedef struct {
	uint64_t s;
} Rng;

static inline Rng rng_for(uint64_t a, uint64_t b, uint64_t c)
{
	Rng r = {HS(a, b, c)};
	return r;
}

static inline uint64_t rn(Rng *r)
{
	r->s += 0x9E3779B97F4A7C15ULL;
	return mix64(r->s);
}

/* Uniform integer in [0, n). */
static inline uint32_t rb(Rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rn(r) >> 32) * (uint64_t)n) >> 32) : 0;
}

static inline double to01(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static inline double ru(Rng *r)
{
	return to01(rn(r));
}

static inline int rc(Rng *r, double p)
{
	return ru(r) < p;
}

static inline uint64_t str_hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001B3ULL;
	}
	return mix64(h);
}

/* ---- buffered output files with a tiny JSON writer (out.c) --------- */

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
extern const char *const FNAMES[F__N];
extern Out g_out[F__N];

/* Create DIR (and its parents), open every output file in it; flush and
 * close them all (exit 1 on any I/O error). */
void outputs_open(const char *dir);
void outputs_close(void);

void out_flush(Out *o);
void out_need(Out *o, size_t n);
void out_mem(Out *o, const void *p, size_t n);
void out_str(Out *o, const char *s);
void out_ch(Out *o, char c);
void out_u64(Out *o, uint64_t v);
void out_ip(Out *o, uint32_t ip);

/* JSON: j_rec starts a record, j_end ends it (newline, row count). */
void j_rec(Out *o);
void j_end(Out *o);
void j_open(Out *o, const char *key);
void j_close(Out *o);
void j_aopen(Out *o, const char *key);
void j_aclose(Out *o);
void j_str(Out *o, const char *key, const char *v);
void j_strn(Out *o, const char *key, const char *v, size_t n);
void j_int(Out *o, const char *key, int64_t v);
void j_sint(Out *o, const char *key, int64_t v); /* integer as a JSON string */
void j_bool(Out *o, const char *key, int v);
void j_arr1(Out *o, const char *key, const char *v);

/* ---- dates, templates, hex (text.c) ------------------------------- */

extern int64_t g_days; /* snapshot date, days since 1970-01-01 */

/* 2021-06-07T04:12:09Z, or with an offset in minutes (+02:00). */
void fmt_rfc3339(char *dst, int64_t t, int off_min);
/* Tue, 08 Jun 2021 04:23:11 +0000 (local time with the given offset). */
void fmt_rfc2822(char *dst, int64_t t, int off_min);
/* nbytes pseudo-random bytes derived from k, as 2*nbytes hex digits. */
void hex_of(char *dst, uint64_t k, int nbytes);

/* Template context.  In a template:
 * %h server name   %H MX host   %R provider RD   %D customer domain
 * %i server IP     %j IP with dashes   %s scanner IP   %t RFC 2822 date
 * %S "250-STARTTLS\r\n" when offered   %1..%9 random digits
 * %x 8 hex digits  %a a letter  %{a|b|c} one alternative  %% a percent */
typedef struct {
	const char *h, *H, *R, *D;
	uint32_t ip;
	int starttls;
	int64_t t;
	int off;
} TCtx;

size_t expand(char *dst, size_t cap, const char *t, const TCtx *c, Rng *r);

/* ---- routing and AS tables, pfx2as.txt and as2org.txt (caida.c) ---- */

typedef struct {
	uint32_t net, mask;
	int len, asn;
	const char *cidr;
} Pfx;

typedef struct {
	int asn;
	const char *aut_name;
	const char *org_id;
	int old5; /* written in the old 5-field aut form */
} AsDef;

typedef struct {
	const char *org_id, *name, *country, *source;
} OrgDef;

/* An IPv4 literal or CIDR of a built-in table (internal error if bad). */
uint32_t ip_literal(const char *s);
void parse_cidr(const char *s, uint32_t *net, int *len);

void pfx_init(void);
/* Longest-prefix match; every generated IP must be covered. */
const Pfx *pfx_lookup(uint32_t ip);
int asn_of(uint32_t ip);
const AsDef *as_def(int asn);
const OrgDef *org_def(const char *id);
void write_pfx2as(void);
void write_as2org(void);

/* ---- certificate issuers and server styles ------------------------- */

typedef struct {
	const char *C, *O, *CN;
} Issuer;

enum { I_GTS, I_DIGICLOUD, I_GLOBALSIGN, I_GODADDY, I_DIGISHA2, I_RAPIDSSL, I_SECTIGO, I_LE, I_STARFIELD,
       I_INCOMMON, I_TELESEC, I_GEOTRUST, I_DIGITLS, I_CPANEL, I__N };
extern const Issuer ISS[I__N];

/* Styles of the providers' shared mail servers (scan.c has the texts). */
enum { S_GOOGLE, S_MS, S_YANDEX, S_GODADDY, S_PP, S_MIMECAST, S_ZOHO, S_BARRACUDA, S_UI, S_TENCENT,
       S_RACKSPACE, S_GENERIC, S_GENERIC_NOTLS, S_BOX, S_MIMECAST_ZA, S__N };

/* ---- the world: pools, shared servers, MX hosts (world.c) ---------- */

/* IP pools for per-domain servers: each slot of a pool is one address
 * (254 usable per /24); a bitmap keeps addresses unique. */
enum { P_US, P_EU, P_ASIA, P_HETZ, P_GDVPS, P_OVHVPS, P_CISCO, P_PPDED, P_ZA, P__N };

void pool_init(void);
/* Allocate a unique address for key.  Returns 1 if fresh; when a pool is
 * nearly full the address may repeat (returns 0: do not scan it again). */
int pool_alloc(int p, uint64_t key, uint32_t *ip);

/* A shared server: one per IP. */
typedef struct {
	uint32_t ip;
	uint8_t style, scanned, used, fam;
	int k;
	const char *H, *R;
} Server;

extern Server *g_srv;
extern int g_nsrv;

/* A provider's MX host and its servers. */
typedef struct {
	const char *name;
	const char *R;
	int nip;
	int srv[4];
	uint8_t used;
} Host;

extern Host g_host[];
extern int g_nhost;
int host_id(const char *name);

/* Small hosting companies: truth is their registered domain. */
#define NUNK 7
extern const char *const UNK_R[NUNK];

/* Web-hosting families whose shared boxes serve customer domains. */
typedef struct {
	const char *R, *truth, *fmt;
	int kbase;
	const char *base;
	int maxbox, issuer, off;
} Fam;

#define NFAM 5
extern const Fam FAM[NFAM];
enum { FAM_BLUEHOST, FAM_HOSTGATOR, FAM_WEBHOSTING, FAM_VAULT, FAM_PIXEL };
enum { BOX_NAMED, BOX_MULTILINE, BOX_LOCAL_CERT, BOX_LOCAL_NOCERT };

extern int g_box0[NFAM], g_nbox;
/* Per-customer hosts of these providers resolve into pools of shared IPs. */
extern int g_ms0, g_nms, g_pp0, g_npp, g_bar0, g_nbar, g_ns0, g_nns;

/* Providers with shared MX hosts: their MX sets (up to three variants). */
typedef struct {
	int kind;
	const char *truth;
	const char *sets[3];
} Simple;

typedef struct {
	int n;
	int pref[4], hid[4];
} MxSet;

extern const Simple SIMPLE[];
extern MxSet g_set[][3];
extern int g_nvar[];
extern int g_simple_of[]; /* kind -> SIMPLE index + 1 */
extern int g_h_google[5], g_h_smtpgd, g_h_thunder1, g_h_vault2, g_h_unk[NUNK][2];

/* Build the shared servers, MX hosts, boxes and MX sets, with self-checks. */
void init_world(uint64_t n_domains);
void free_world(void);

/* ---- one port-25 observation of one IP (scan.c) -------------------- */

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

extern Scan g_scan; /* scratch, reused for every IP */

/* Self-run servers (and customers' servers inside providers' ASes). */
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

void build_self_scan(Scan *sc, uint32_t ip, const char *mxhost, const SelfOpt *o, Rng *r);
/* Write one scanned IP to exactly one of the three scan files. */
void scan_emit(Scan *sc);
/* The scans of the shared servers some domain used. */
void emit_shared_scans(void);

/* ---- the scan formats (scanjson.c and one file each) --------------- */

void dn_of(char *dst, size_t cap, const Issuer *is);
/* zcrypto's names: sorted, unique union of the CN and the SANs (v: 10). */
int cert_names(const Scan *sc, const char **v);
void w_strarr(Out *o, const char *key, const char **v, int n);
void w_parsed(Out *o, const Scan *sc, int strints);
void w_chain_validation(Out *o, const Scan *sc, int with_fp);
void w_as(Out *o, const Pfx *p, int asn_as_string);
/* text + CRLF, as ZGrab2 and Censys 2.0 store replies (a static buffer). */
const char *with_crlf(const char *s, size_t n, size_t *len);

/* Censys legacy: variant 0 nested p25, 1 nested "25", 2 flattened v1 API keys. */
void w_legacy(const Scan *sc, int variant);
void w_zgrab(const Scan *sc);
void w_censys2(const Scan *sc);

/* ---- domains (domains.c) ------------------------------------------- */

enum { L_ALEXA, L_COM, L_GOV };
extern const char *const LNAME[3];

enum {
	K_GOOGLE, K_MS, K_YANDEX, K_GODADDY, K_PP, K_MIMECAST, K_ZOHO, K_BARRACUDA, K_RACKSPACE, K_TENCENT,
	K_MAILRU, K_OVH, K_NAMECHEAP, K_EIG, K_UI, K_TUCOWS, K_STRATO, K_WEBCOM, K_ARUBA, K_YAHOO, K_GANDI,
	K_FASTMAIL, K_SPAMHERO, K_APPRIVER, K_SOPHOS, K_SOLARWINDS, K_TRENDMICRO, K_FORCEPOINT, K_MESSAGELABS,
	K_INTERMEDIA, K_FIREEYE, K_BEGET, K_SITEGROUND, K_CISCO, K_UNKHOST, K_SELF, K_NOMX, K_NULLMX, K_FAIL,
	K_NODNS,
	H_A, H_B_GD, H_B_OVH, H_C, H_D_CISCO, H_D_PP, H_E, H_F, H_G, H_H, H_I, H_J, H_K, K__N
};

/* The paper's hard cases: global rate and number of sub-variants (taken
 * round-robin, so every variant shows up). */
typedef struct {
	int kind;
	double p;
	int nsub;
	const char *label;
} HardDef;

extern const HardDef HARD[];
extern const size_t NHARD;

typedef struct {
	uint64_t id;
	int list, list2;
	int basekind, kind, sub, moved;
	uint64_t ctr; /* how many earlier domains had the same base kind */
	int region, edu;
	char name[112];
	char tld[16];
} Dom;

const char *kind_name(int k);
/* The name set (room for total domains) and the kind sequence. */
void domains_init(uint64_t total);
void domains_free(void);
/* Add a name to the set of used names; 0 if it was there already. */
int nset_add(const char *name);
/* The identity of a domain: list(s), base kind, variant and name. */
void dom_base(Dom *d, uint64_t id);
/* The kind a domain moves to in a drift epoch. */
int migrate(int kind, uint64_t h);

/* ---- one domain's mail set-up (setup.c) ---------------------------- */

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

void setup_reset(Setup *S);
/* Add an MX record (fmt with each "%s" replaced by arg). */
Mx *mx_new(Setup *S, int pref, const char *fmt, const char *arg);
/* An MX record naming a provider's shared host. */
void mx_shared(Setup *S, int hid, int pref, Rng *r);
void truth_add(Setup *S, const char *t);
/* A new server for the domain behind MX m: allocate, describe, scan it. */
void self_server(const Dom *d, Mx *m, const SelfOpt *o, Rng *r, int idx);
void self_defaults(SelfOpt *o, const Dom *d, Rng *r, const char *fqdn);
void build_setup(Dom *d, Setup *S, Rng *r);

/* The fixed domains under public suffixes whose parent is no rule of the
 * Public Suffix List (co.za, org.za, gov.za): targets, set-up, DNS, truth. */
void psl_cases(Setup *S);

/* ---- dns.jsonl (dns.c) --------------------------------------------- */

void emit_dns(const Dom *d, const Setup *S);
/* A-query rows of the providers' shared MX hosts, once per host. */
void emit_shared_dns(void);

/* ---- targets and truth (truth.c) ----------------------------------- */

void write_target(int list, const char *name);
void write_truth(const Dom *d, Setup *S);

/* ---- counts for the summary ---------------------------------------- */

typedef struct {
	uint64_t list[3], domains, truth, kind[K__N], gone, moved, fresh, psl;
	uint64_t scan[3], legacy_flat, legacy_25, closed, reject, notls, untrusted, unscanned, noa_hosts, helo;
} Counts;

extern Counts g_n;

#endif
