/* infer: the inference engine.  Everything for one snapshot is loaded into
 * flat arrays indexed by interned ids (IPs, MX hosts, names, domains), so a
 * million domains take a few passes over memory, then the result tables are
 * rewritten in one transaction. */
#include "mxray/infer.h"
#include "mxray/rawkeep.h"
#include "mxray/jsonfast.h"
#include "mxray/banner.h"
#include "mxray/domain.h"
#include "mxray/progress.h"
#include "mxray/strmap.h"
#include "mxray/tablesync.h"
#include "mxray/util.h"

#include <fnmatch.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const infer_heuristics_names[] = {"apply", "flag", "off"};

atomic_int infer_interrupted;

#define NONE UINT32_MAX

enum source { SRC_NONE, SRC_MX, SRC_BANNER, SRC_CERT, SRC_CORRECTION };
const char *const infer_source_names[5] = {NULL, "mx", "banner", "cert", "correction"};
#define source_names infer_source_names

/* Domain-level status, weakest first (a domain row takes the strongest). */
enum status { ST_AUTO, ST_NOSMTP, ST_FLAGGED, ST_HEURISTIC, ST_CONFIRMED, ST_CORRECTED };
const char *const infer_status_names[6] = {"auto", "no-smtp", "flagged", "heuristic", "confirmed", "corrected"};
#define status_names infer_status_names

unsigned infer_parse_approach(const char *s)
{
	if (!strcmp(s, "mx"))
		return INFER_MX;
	if (!strcmp(s, "cert"))
		return INFER_CERT;
	if (!strcmp(s, "banner"))
		return INFER_BANNER;
	if (!strcmp(s, "priority"))
		return INFER_PRIORITY;
	if (!strcmp(s, "all"))
		return INFER_ALL;
	return 0;
}

int infer_approach_code(unsigned bit)
{
	switch (bit) {
	case INFER_MX: return 0;
	case INFER_CERT: return 1;
	case INFER_BANNER: return 2;
	case INFER_PRIORITY: return 3;
	default: return 4;
	}
}

const char *infer_approach_name(unsigned bit)
{
	switch (bit) {
	case INFER_MX: return "mx";
	case INFER_CERT: return "cert";
	case INFER_BANNER: return "banner";
	case INFER_PRIORITY: return "priority";
	default: return "final";
	}
}

#define vpush u32vec_push

/* Integer rows of the snapshot, read in the table's key order. */
typedef struct {
	uint32_t k[3];
} irow;

typedef struct {
	uint32_t id;      /* correction id */
	int verdict;      /* 0 confirm, 1 set, 2 self */
	char *provider;   /* for set */
	char *note;
} corr;

enum { V_CONFIRM, V_SET, V_SELF };

typedef struct scanahead scanahead;

typedef struct {
	const infer_opts *o;
	store *st;
	char **err;

	/* Names are interned in the order they are met; IPs, hosts and
	 * domains get dense ids in the order of their text (the order the
	 * text tables' keys once gave, which tie-breaks follow). */
	strmap *names;
	size_t nips, nhosts, ndoms;
	uint32_t *ip_addr;       /* per IP: the address */
	uint64_t *ip_by_addr;    /* address << 32 | IP id, by address: for lookups */
	uint32_t *host_of;       /* per name-table id: the host id, or NONE */
	int32_t *host_rd;        /* per name-table id of an MX host: the offset of its
				  * registered domain in the name, -1 none (-2 not an MX
				  * host, -3 being asked) */
	uint8_t *host_rdself;    /* ... and whether that is its own registered domain */
	/* per IP */
	uint8_t *ip_live, *ip_primary;
	uint8_t *ip_scan;        /* 1 scanned, 2 scanned and port 25 answered */
	uint32_t *ip_asn;        /* 0 = none */
	uint32_t *ip_banner;     /* name id of banner FQDN or NONE */
	uint32_t *ip_ehlo;
	uint32_t *ip_cert_first, *ip_cert_n; /* into certnames */
	uint32_t *ip_numip, *ip_stamp, *ip_group;
	u32vec certnames;
	/* per host: IPs (CSR) */
	uint32_t *host_first, *host_n;
	u32vec hostips;
	uint8_t *host_live;
	uint32_t *host_minpref, *host_maxpref; /* over every domain's MX rows */
	size_t host_prefcap;
	size_t nhosts_addr;      /* hosts with addresses; later ids have none */
	/* per name */
	uint32_t *name_rd;       /* name id of the registered domain, or NONE */
	size_t name_cap;
	const kb_company **co_cache; /* company per name id (NULL not looked up) */
	size_t co_cap;
	uint32_t *rd_cnt, *rd_stamp;   /* domains per certificate RD */
	uint32_t *mxrd_cnt, *mxrd_stamp; /* domains per primary MX host RD (tie-break) */
	uint32_t *uf;            /* union-find parent (name ids) */
	uint32_t *group_best, *group_cnt, *group_stamp;
	/* per domain */
	uint32_t *dom_first, *dom_n, *dom_nosmtp;
	uint32_t *dom_cov;       /* coverage so far: 0 no MX IP, 1 no scan, 2 no port 25, 3 port 25 */
	u32vec primary;          /* host ids */
	/* per host results */
	uint32_t *h_domains, *h_conf;
	uint32_t *h_mx, *h_cert, *h_banner, *h_final;   /* name ids or NONE */
	uint32_t *h_sugg;        /* what the heuristics propose (even when they only flag) */
	uint8_t *h_final_src, *h_status;
	char **h_cert_note, **h_banner_note, **h_heur, **h_reason;
	uint32_t *h_corr;        /* correction id applied, or 0 */
	/* corrections */
	corr **c_ip, **c_host, **c_dom;
	corr *corrs;
	size_t ncorrs;
	infer_summary *sum;
	/* the store's ids */
	int64_t snap;
	u32vec dom_db, host_db;  /* name id of each domain and host */
	uint32_t *name_db;       /* name id of each provider ID name (0 not yet) */
	size_t name_db_cap;
	/* the name table's text by id; its ids in the order of their text
	 * (nsorted) and each id's place in that order (nrank, while loading) */
	const char **ntext;
	char *ntext_arena;
	size_t ntext_n;
	uint32_t *nsorted, *nrank;
	size_t nsorted_n;
	uint32_t *nbucket;       /* where nsorted's names of each first two bytes begin */
	bool alone;              /* no other snapshot has results */
	rawkeep keep;            /* the raw approaches this run does not compute: their answers kept */
	/* the counts report reads (f_tally) */
	uint64_t tally_cov[8], tally_src[5], tally_corrected, tally_heur[3];
	progress pg;             /* the phase under way, on the terminal */
	bool nested;             /* read in the caller's transaction */
	scanahead *ahead;        /* the scans being read on another thread, or NULL */
	irow *mrows;             /* the MX records read, until load_domains takes them */
	size_t nmrows;
} ctx;

/* The phase under way on the terminal's progress line (when asked for
 * and stderr is one), with its count of `total` (0: a count alone) as it
 * goes.  A 10M infer reads for half a minute and writes for as long: no
 * part of it is silent. */
static void phase(ctx *c, const char *label, uint64_t total)
{
	progress_step(&c->pg, c->o->progress, label, total);
}

static int dberr(ctx *c, const char *what)
{
	*c->err = store_db_error(store_db(c->st), what);
	return -1;
}

/* Run fn(arg) on a thread beside this one (*t, to be joined: true) or,
 * when none can be started, here and now (false). */
static bool beside(const ctx *c, pthread_t *t, void *(*fn)(void *), void *arg)
{
	if (!(c->o->test && c->o->test->no_threads) && pthread_create(t, NULL, fn, arg) == 0)
		return true;
	fn(arg);
	return false;
}

/* Stopped by Ctrl-C (infer_interrupted): infer_run says what that means. */
static int stopped(ctx *c)
{
	*c->err = xstrdup("interrupted");
	return -1;
}

static sqlite3_stmt *prepare(ctx *c, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &s, NULL) != SQLITE_OK) {
		dberr(c, "database error");
		return NULL;
	}
	sqlite3_bind_text(s, 1, c->o->snapshot, -1, SQLITE_STATIC);
	return s;
}

/* The same for statements on the integer tables: ?1 is the snapshot id. */
static sqlite3_stmt *prepare_id(ctx *c, const char *sql)
{
	sqlite3_stmt *s = prepare(c, sql);
	if (s)
		sqlite3_bind_int64(s, 1, c->snap);
	return s;
}

/* A new name id's entry in name_rd (NONE: no registered domain). */
static void name_new(ctx *c, uint32_t id)
{
	if (id >= c->name_cap) {
		c->name_cap = c->name_cap ? c->name_cap * 2 : 4096;
		c->name_rd = xrealloc(c->name_rd, c->name_cap * sizeof *c->name_rd);
	}
	c->name_rd[id] = NONE;
}

static uint32_t name_of(ctx *c, const char *name)
{
	int added;
	uint32_t id = strmap_intern(c->names, name, &added);
	if (added) {
		name_new(c, id);
		const char *rd = domain_rd(strmap_key(c->names, id));
		if (rd) {
			/* interning the RD may grow name_rd: index it afresh after */
			uint32_t r = strcmp(rd, strmap_key(c->names, id)) == 0 ? id : name_of(c, rd);
			c->name_rd[id] = r;
		}
	}
	return id;
}

/* name_of(rd) for the registered domain of some name, when it is known
 * whether rd is its own registered domain (self; as it always is with
 * the lists there are, but asked, not assumed). */
static uint32_t name_of_rdself(ctx *c, const char *rd, bool self)
{
	if (!self)
		return name_of(c, rd);
	int added;
	uint32_t id = strmap_intern(c->names, rd, &added);
	if (added) {
		name_new(c, id);
		c->name_rd[id] = id;
	}
	return id;
}

/* ---- loading ---------------------------------------------------------- */

static int load_irows(ctx *c, const char *sql, int ncols, irow **out, size_t *n)
{
	sqlite3_stmt *s = prepare_id(c, sql);
	if (!s)
		return -1;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 65536;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		if ((*n & 65535) == 0)
			progress_update(&c->pg, 0, *n, "rows");
		irow *r = &(*out)[(*n)++];
		for (int i = 0; i < 3; i++)
			r->k[i] = i < ncols ? (uint32_t)sqlite3_column_int64(s, i) : 0;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : dberr(c, "reading the snapshot");
}

/* The order of n rows by their distinct keys: row indexes. */
static uint32_t *row_order(const uint32_t *keys, size_t n)
{
	uint64_t *kv = xmalloc((n + 1) * sizeof *kv);
	for (size_t i = 0; i < n; i++)
		kv[i] = (uint64_t)keys[i] << 32 | i;
	mx_sort_u64(kv, n, 32);
	uint32_t *order = xmalloc((n + 1) * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)kv[i];
	free(kv);
	return order;
}

/* Each name id's place in the names' order (strcmp's, which is SQLite's
 * for this text): nrank[id].  The table gives its names in that order
 * when asked; should it not (another collation), they are sorted here. */
static const ctx *nsort_ctx;

static int cmp_name_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int r = strcmp(nsort_ctx->ntext[x], nsort_ctx->ntext[y]);
	return r ? r : (x > y) - (x < y);
}

/* A name's first two bytes, in the names' order. */
static uint32_t key16(const char *s)
{
	return (uint32_t)(unsigned char)s[0] << 8 | (s[0] ? (unsigned char)s[1] : 0u);
}

static void rank_names(ctx *c)
{
	c->nrank = xcalloc(c->ntext_n, sizeof *c->nrank);
	for (size_t i = 1; i < c->nsorted_n; i++)
		if (strcmp(c->ntext[c->nsorted[i - 1]], c->ntext[c->nsorted[i]]) > 0) {
			nsort_ctx = c;
			mx_sort(c->nsorted, c->nsorted_n, sizeof *c->nsorted, cmp_name_id);
			break;
		}
	for (size_t i = 0; i < c->nsorted_n; i++)
		c->nrank[c->nsorted[i]] = (uint32_t)i;
	/* where the names of each first two bytes begin, for lookups */
	c->nbucket = xmalloc(65537 * sizeof *c->nbucket);
	size_t i = 0;
	for (uint32_t k = 0; k <= 65536; k++) {
		while (i < c->nsorted_n && key16(c->ntext[c->nsorted[i]]) < k)
			i++;
		c->nbucket[k] = (uint32_t)i;
	}
}

/* The text of every name id the rows use (ntext[id]); one scan of the
 * name table, in the order of the names. */
static int load_names(ctx *c)
{
	sqlite3_stmt *s = prepare(c, "SELECT id, name FROM name ORDER BY name");
	if (!s)
		return -1;
	int rc;
	strbuf arena;
	sb_init(&arena);
	u32vec ids = {0}, offs = {0};
	uint32_t maxid = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t id = (uint32_t)sqlite3_column_int64(s, 0);
		if ((ids.n & 65535) == 0)
			progress_update(&c->pg, 0, ids.n, "names");
		vpush(&ids, id);
		vpush(&offs, (uint32_t)arena.len);
		sb_add(&arena, sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1) + 1);
		if (id > maxid)
			maxid = id;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sb_free(&arena);
		free(ids.v);
		free(offs.v);
		return dberr(c, "reading names");
	}
	c->ntext = xcalloc((size_t)maxid + 1, sizeof *c->ntext);
	c->ntext_arena = sb_steal(&arena);
	for (size_t i = 0; i < ids.n; i++)
		c->ntext[ids.v[i]] = c->ntext_arena + offs.v[i];
	c->ntext_n = (size_t)maxid + 1;
	c->nsorted = ids.v;
	c->nsorted_n = ids.n;
	free(offs.v);
	rank_names(c);
	c->host_of = xmalloc(c->ntext_n * sizeof *c->host_of);
	memset(c->host_of, 0xff, c->ntext_n * sizeof *c->host_of);
	c->host_rd = xmalloc(c->ntext_n * sizeof *c->host_rd);
	c->host_rdself = xcalloc(c->ntext_n, 1);
	for (size_t i = 0; i < c->ntext_n; i++)
		c->host_rd[i] = -2;
	return 0;
}

static const char *ntext(const ctx *c, uint32_t id)
{
	return id < c->ntext_n && c->ntext[id] ? c->ntext[id] : "";
}

/* The name table's id of a name (as read), or NONE. */
static uint32_t name_find_db(const ctx *c, const char *name)
{
	uint32_t k = key16(name);
	size_t lo = c->nbucket[k], hi = c->nbucket[k + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->ntext[c->nsorted[mid]], name);
		if (r == 0)
			return c->nsorted[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

static uint32_t rank_of(const ctx *c, uint32_t id)
{
	return id < c->ntext_n ? c->nrank[id] : 0;
}

/* Groups of rows with the same first key, ordered by that key's name
 * (and then the rows of a group by cmp_in_group): the order the text
 * tables' keys gave, which the ids (and so the tie-breaks) follow.  A
 * group is {name rank, first row, rows}. */
typedef uint32_t group[4];

static const ctx *gsort_ctx;

/* rows of one domain: by host name, then preference */
static int cmp_host_pref(const void *a, const void *b)
{
	const irow *x = a, *y = b;
	uint32_t rx = rank_of(gsort_ctx, x->k[1]), ry = rank_of(gsort_ctx, y->k[1]);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	return (x->k[2] > y->k[2]) - (x->k[2] < y->k[2]);
}

/* An address's place in the order of the addresses' text: octet by octet,
 * each octet's digits as text ("10" before "9"; "1" before "10" as '.'
 * and the end sort before digits). */
static uint32_t ip_text_key(uint32_t ip)
{
	static uint8_t rank[256];
	static bool ready;
	if (!ready) { /* made once (on the loading thread) */
		char t[256][12];
		const char *p[256];
		for (int i = 0; i < 256; i++) {
			snprintf(t[i], sizeof t[i], "%d", i);
			p[i] = t[i];
		}
		qsort(p, 256, sizeof *p, mx_cmp_str);
		for (int i = 0; i < 256; i++)
			rank[atoi(p[i])] = (uint8_t)i;
		ready = true;
	}
	return (uint32_t)rank[ip >> 24] << 24 | (uint32_t)rank[(ip >> 16) & 255] << 16 |
	       (uint32_t)rank[(ip >> 8) & 255] << 8 | rank[ip & 255];
}

/* addresses of one host: by their text */
static int cmp_ip_text(const void *a, const void *b)
{
	uint32_t x = ip_text_key(((const irow *)a)->k[1]), y = ip_text_key(((const irow *)b)->k[1]);
	return (x > y) - (x < y);
}

static group *group_rows(ctx *c, irow *rows, size_t n, size_t *ngroups, int (*cmp_in_group)(const void *, const void *))
{
	group *g = NULL;
	size_t ng = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && rows[i].k[0] == rows[i - 1].k[0]) {
			g[ng - 1][2]++;
			continue;
		}
		if (ng == cap) {
			cap = cap ? cap * 2 : 65536;
			g = xrealloc(g, cap * sizeof *g);
		}
		g[ng][0] = rank_of(c, rows[i].k[0]);
		g[ng][1] = (uint32_t)i;
		g[ng][2] = 1;
		g[ng][3] = 0;
		ng++;
	}
	mx_sort_u32x4(g, ng, 1);
	gsort_ctx = c;
	for (size_t i = 0; i < ng; i++)
		if (g[i][2] > 1)
			mx_sort(rows + g[i][1], g[i][2], sizeof *rows, cmp_in_group);
	*ngroups = ng;
	return g;
}

/* The id of an address (ids are dense, in first-seen order while hosts
 * are loaded: an open-addressing table then; ip_by_addr afterwards). */
typedef struct {
	uint32_t *key, *val;
	size_t mask;
} ipmap;

static size_t ipmap_slot(const ipmap *m, uint32_t addr)
{
	return (addr * 2654435761u) & m->mask;
}

static uint32_t ipmap_id(ctx *c, ipmap *m, uint32_t addr)
{
	size_t i = ipmap_slot(m, addr);
	while (m->val[i] != NONE && m->key[i] != addr)
		i = (i + 1) & m->mask;
	if (m->val[i] == NONE) {
		m->key[i] = addr;
		m->val[i] = (uint32_t)c->nips++;
	}
	return m->val[i];
}

/* The id of an MX address, or NONE.  *at: where the search starts, and
 * then where the address is (or would be) in ip_by_addr.  Rows read in
 * address order (the scan and ASN rows) look each one up a little after
 * the one before: from there by steps that double, then a binary search
 * over the last step (an address before the one before: from the start).
 * A binary search over all, at 10M domains, was a tenth of reading the
 * scans: two random reads a step. */
static uint32_t ip_find_at(const ctx *c, uint32_t addr, size_t *at)
{
	const uint64_t *v = c->ip_by_addr;
	size_t n = c->nips, lo = *at;
	uint64_t key = (uint64_t)addr << 32;
	if (lo > n || (lo > 0 && v[lo - 1] >= key))
		lo = 0;
	size_t hi = lo, step = 1;
	while (hi < n && v[hi] < key) { /* every entry before hi is below key */
		lo = hi + 1;
		hi = lo + step - 1;
		step *= 2;
	}
	if (hi > n)
		hi = n;
	while (lo < hi) { /* the first entry from lo on not below key (hi is one, or n) */
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < n && (uint32_t)(v[lo] >> 32) == addr ? (uint32_t)v[lo] : NONE;
}

static uint32_t ip_find(const ctx *c, uint32_t addr)
{
	size_t at = 0;
	return ip_find_at(c, addr, &at);
}

static const char *ip_text(const ctx *c, uint32_t ip, char buf[16])
{
	mx_ipv4_format(c->ip_addr[ip], buf);
	return buf;
}

static int load_hosts(ctx *c)
{
	irow *rows;
	size_t nrows, ng;
	if (load_irows(c, "SELECT host, ip FROM f_mx_ip WHERE snap = ?1 ORDER BY host, ip", 2, &rows, &nrows) < 0)
		return -1;
	/* by host name, then address as text: the ids come in that order */
	group *g = group_rows(c, rows, nrows, &ng, cmp_ip_text);
	ipmap m;
	m.mask = 1023;
	while (m.mask < 2 * nrows)
		m.mask = m.mask * 2 + 1;
	m.key = xmalloc((m.mask + 1) * sizeof *m.key);
	m.val = xmalloc((m.mask + 1) * sizeof *m.val);
	memset(m.val, 0xff, (m.mask + 1) * sizeof *m.val);
	u32vec first = {0}, n = {0};
	c->ip_addr = xmalloc((nrows + 1) * sizeof *c->ip_addr);
	for (size_t gi = 0; gi < ng; gi++) {
		/* the groups come in name order, their rows from anywhere: a
		 * group's first row read ahead, and then its host's entry and
		 * its first address's slot (10M domains: 0.14-0.18 s against
		 * 0.46-0.53 s) */
		if (gi + 16 < ng)
			__builtin_prefetch(&rows[g[gi + 16][1]]);
		if (gi + 8 < ng) {
			const irow *ra = &rows[g[gi + 8][1]];
			__builtin_prefetch(&c->host_of[ra->k[0] < c->ntext_n ? ra->k[0] : 0], 1);
			__builtin_prefetch(&m.key[ipmap_slot(&m, ra->k[1])]);
			__builtin_prefetch(&m.val[ipmap_slot(&m, ra->k[1])]);
		}
		uint32_t h = (uint32_t)c->nhosts++, hdb = rows[g[gi][1]].k[0];
		vpush(&first, (uint32_t)c->hostips.n);
		vpush(&n, g[gi][2]);
		vpush(&c->host_db, hdb);
		if (hdb < c->ntext_n)
			c->host_of[hdb] = h;
		for (size_t i = g[gi][1]; i < g[gi][1] + g[gi][2]; i++) {
			uint32_t ip = ipmap_id(c, &m, rows[i].k[1]);
			c->ip_addr[ip] = rows[i].k[1];
			vpush(&c->hostips, ip);
		}
	}
	free(m.key);
	free(m.val);
	free(g);
	free(rows);
	c->host_first = first.v;
	c->host_n = n.v;
	c->ip_by_addr = xmalloc((c->nips + 1) * sizeof *c->ip_by_addr);
	for (size_t ip = 0; ip < c->nips; ip++)
		c->ip_by_addr[ip] = (uint64_t)c->ip_addr[ip] << 32 | ip;
	mx_sort_u64(c->ip_by_addr, c->nips, 32); /* one id an address */
	return 0;
}

static void alloc_ip_arrays(ctx *c)
{
	size_t n = c->nips + 1;
	c->ip_live = xcalloc(n, 1);
	c->ip_primary = xcalloc(n, 1);
	c->ip_scan = xcalloc(n, 1);
	c->ip_asn = xcalloc(n, sizeof(uint32_t));
	c->ip_banner = xmalloc(n * sizeof(uint32_t));
	c->ip_ehlo = xmalloc(n * sizeof(uint32_t));
	c->ip_cert_first = xcalloc(n, sizeof(uint32_t));
	c->ip_cert_n = xcalloc(n, sizeof(uint32_t));
	c->ip_numip = xcalloc(n, sizeof(uint32_t));
	c->ip_stamp = xmalloc(n * sizeof(uint32_t));
	c->ip_group = xmalloc(n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		c->ip_banner[i] = c->ip_ehlo[i] = c->ip_stamp[i] = c->ip_group[i] = NONE;
}

/* ---- scans: names and registered domains on both cores ---------------- */

/* A name with its registered domain: rd is the offset of the RD in name
 * (a suffix of it), -1 when it has none, -2 when it must be asked again;
 * self: the RD is its own RD. */
typedef struct {
	char *name;
	int rd;
	bool self;
} rdname;

/* What banner_fqdn reads of an SMTP reply: up to the end of its first
 * line with anything but spaces and ":,;!." on it (a NUL byte counts). */
static size_t reply_head(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == '\n' || p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\v' ||
			 p[i] == '\f' || p[i] == ':' || p[i] == ',' || p[i] == ';' || p[i] == '!' || p[i] == '.'))
		i++;
	const char *nl = i < n ? memchr(p + i, '\n', n - i) : NULL;
	return nl ? (size_t)(nl - p) : n;
}

/* That part of a reply into the arena: its offset (the length in *len). */
static size_t reply_keep(strbuf *arena, const void *p, int n, int *len)
{
	size_t at = arena->len;
	*len = n > 0 ? (int)reply_head(p, (size_t)n) : 0;
	if (*len > 0) {
		sb_add(arena, p, (size_t)*len);
		sb_addc(arena, '\0');
	}
	return at;
}

/* memo: for the names of certificates, many under one domain; a banner's
 * name was just asked about (banner_fqdn checks it has an RD), and
 * domain_rd's cache has its answer. */
static void rdname_set(rdname *x, const char *name, domain_memo *memo)
{
	x->name = xstrdup(name);
	const char *rd = memo ? domain_rd_memo(memo, x->name) : domain_rd(x->name);
	size_t nl = strlen(x->name), rl = rd ? strlen(rd) : 0;
	x->rd = !rd ? -1 : rl <= nl && !strcmp(x->name + nl - rl, rd) ? (int)(nl - rl) : -2;
	/* what name_of would ask when it interns the RD (domain_rd has just
	 * been asked about it, for the memo, when the name is one label
	 * below it: the answer comes from its cache) */
	x->self = x->rd > 0 && domain_rd(x->name + x->rd) == x->name + x->rd;
}

/* name_of with the registered domain already known. */
static uint32_t name_of_rd(ctx *c, const rdname *x)
{
	if (!x->name)
		return NONE;
	if (x->rd == -2)
		return name_of(c, x->name);
	int added;
	uint32_t id = strmap_intern(c->names, x->name, &added);
	if (added) {
		name_new(c, id);
		if (x->rd >= 0) {
			uint32_t r = x->rd == 0 ? id : name_of_rdself(c, x->name + x->rd, x->self);
			c->name_rd[id] = r;
		}
	}
	return id;
}

typedef struct {
	uint32_t ip;
	uint8_t live, scan;
	int32_t list;          /* the row's trusted certificate name list, or -1 */
	bool list_first;       /* the first row with that list */
	size_t banner, ehlo;   /* the replies' first lines: offsets into the arena */
	int bl, el;
	rdname bf, ef;         /* their FQDNs */
} srow;

typedef struct {
	char *text;            /* the JSON array (freed once read) */
	rdname *names;         /* its names that are hostnames with an RD */
	size_t n;
} slist;

typedef struct {
	const kb *k;
	const char *text;      /* the replies' arena */
	srow *rows;
	size_t nrows;
	slist *lists;          /* each read with the first row that has it */
	int part, parts;
} sjob;

/* A certificate name into its list: a hostname, or a wildcard over one,
 * with a registered domain. */
static void list_add(slist *l, const char *nm, domain_memo *memo)
{
	if (!nm || !domain_is_hostname(strncmp(nm, "*.", 2) ? nm : nm + 2))
		return;
	rdname x;
	rdname_set(&x, nm, memo);
	if (x.rd == -1) {
		free(x.name);
		return;
	}
	l->names[l->n++] = x;
}

/* A certificate name list's names, with their registered domains. */
static void list_names(slist *l, strbuf *plain, domain_memo *memo)
{
	/* the list as mxray wrote it: plain ASCII names without a DOM,
	 * anything else through jansson */
	size_t nn;
	if (jsonfast_strings(l->text, strlen(l->text), plain, &nn)) {
		l->names = xcalloc(nn + 1, sizeof *l->names);
		const char *nm = plain->data;
		for (size_t k = 0; k < nn; k++, nm += strlen(nm) + 1)
			list_add(l, nm, memo);
	} else {
		json_t *a = json_loads(l->text, 0, NULL);
		size_t k;
		json_t *v;
		l->names = xcalloc(json_array_size(a) + 1, sizeof *l->names);
		json_array_foreach(a, k, v)
			list_add(l, json_string_value(v), memo);
		json_decref(a);
	}
	free(l->text);
	l->text = NULL;
}

static void *scan_names(void *arg)
{
	sjob *j = arg;
	char out[MX_NAME_MAX + 2];
	/* banners and certificates name few domains many times */
	domain_memo *memo = domain_memo_new();
	strbuf plain;
	sb_init(&plain);
	for (size_t i = (size_t)j->part; i < j->nrows && !infer_interrupted; i += (size_t)j->parts) {
		srow *r = &j->rows[i];
		if (r->bl > 0 && banner_fqdn(j->k, j->text + r->banner, (size_t)r->bl, out))
			rdname_set(&r->bf, out, NULL);
		if (r->el > 0 && banner_fqdn(j->k, j->text + r->ehlo, (size_t)r->el, out))
			rdname_set(&r->ef, out, NULL);
		/* a new list right after its row: its names are often the
		 * banner's, whose answers domain_rd's cache still has */
		if (r->list >= 0 && r->list_first)
			list_names(&j->lists[r->list], &plain, memo);
	}
	sb_free(&plain);
	domain_memo_free(memo);
	return NULL;
}

/* The scan records of the MX addresses as read, before any name in them
 * is worked out: the rows (ip: the address) in address order, the first
 * lines of their replies, each trusted certificate's name list once. */
typedef struct {
	srow *rows;
	size_t nrows;
	strbuf text; /* the replies' arena */
	slist *sl;
	size_t nl;
	int rc;      /* SQLite's: SQLITE_DONE when all was read */
	char *err;   /* else what went wrong */
} scanread;

static void scanread_free(scanread *r)
{
	for (size_t i = 0; i < r->nl; i++) {
		for (size_t k = 0; k < r->sl[i].n; k++)
			free(r->sl[i].names[k].name);
		free(r->sl[i].names);
		free(r->sl[i].text);
	}
	free(r->sl);
	free(r->rows);
	sb_free(&r->text);
	free(r->err);
	memset(r, 0, sizeof *r);
}

/* Read them from st, whichever thread: addrs the MX addresses (sorted,
 * distinct), whose records alone are kept; pg: the progress line, or
 * NULL on another thread. */
static void scan_read(store *st, int64_t snap, const uint32_t *addrs, size_t naddrs, progress *pg, scanread *r)
{
	memset(r, 0, sizeof *r);
	sb_init(&r->text);
	sqlite3_stmt *s = NULL;
	r->rc = sqlite3_prepare_v2(store_db(st),
				   "SELECT c.ip, c.banner, " STORE_SCAN_EHLO("c", "r") ", c.cert_names, c.trusted,"
				   " c.port25 FROM f_scan c LEFT JOIN scan_text r ON r.id = c.ehlo_rest"
				   " WHERE c.snap = ?1 ORDER BY c.ip", -1, &s, NULL);
	if (r->rc != SQLITE_OK) {
		r->err = store_db_error(store_db(st), "reading scan");
		return;
	}
	sqlite3_bind_int64(s, 1, snap);
	strmap *lists = strmap_new(); /* certificate name lists seen, by their text */
	size_t caprows = 0, capl = 0, at = 0;
	while ((r->rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t addr = (uint32_t)sqlite3_column_int64(s, 0);
		while (at < naddrs && addrs[at] < addr)
			at++;
		if (at == naddrs || addrs[at] != addr)
			continue; /* not an MX address */
		if (r->nrows == caprows) {
			caprows = caprows ? caprows * 2 : 4096;
			r->rows = xrealloc(r->rows, caprows * sizeof *r->rows);
		}
		if (pg && (r->nrows & 16383) == 0)
			progress_update(pg, 0, r->nrows, "scan records");
		srow *w = &r->rows[r->nrows++];
		memset(w, 0, sizeof *w);
		w->ip = addr;
		w->list = -1;
		const void *bt = sqlite3_column_blob(s, 1), *et = sqlite3_column_blob(s, 2);
		int bn = sqlite3_column_bytes(s, 1), en = sqlite3_column_bytes(s, 2);
		w->banner = reply_keep(&r->text, bt, bn, &w->bl);
		w->ehlo = reply_keep(&r->text, et, en, &w->el);
		bool cert = sqlite3_column_type(s, 3) != SQLITE_NULL;
		w->live = bn > 0 || en > 0 || cert;
		w->scan = sqlite3_column_int(s, 5) ? 2 : 1;
		/* Only browser-trusted certificates count; names need an RD.  A
		 * provider's certificate is on thousands of addresses: the same
		 * name list is read once and its names shared. */
		if (cert && sqlite3_column_type(s, 4) == SQLITE_INTEGER && sqlite3_column_int(s, 4) == 1) {
			const char *text = (const char *)sqlite3_column_text(s, 3);
			int added;
			uint32_t li = strmap_intern(lists, text, &added);
			if (added) {
				if (r->nl == capl) {
					capl = capl ? capl * 2 : 1024;
					r->sl = xrealloc(r->sl, capl * sizeof *r->sl);
				}
				r->sl[r->nl++] = (slist){xstrdup(text), NULL, 0};
			}
			w->list = (int32_t)li;
			w->list_first = added;
		}
	}
	if (r->rc != SQLITE_DONE)
		r->err = store_db_error(store_db(st), "reading scan");
	strmap_free(lists);
	sqlite3_finalize(s);
}

/* Reading the scan records ahead, on a thread of its own with a second
 * connection (store_open_sibling), while this one reads the names, the MX
 * addresses and the MX records: they do not need each other.  At 1M
 * domains the scans are the largest read (0.4 s of 0.9). */
struct scanahead {
	store *st;
	int64_t snap;
	pthread_t t;
	scanread r;
	bool fail; /* a test's: the read ends in an error (infer_hooks) */
};

static void *scan_ahead_run(void *arg)
{
	scanahead *a = arg;
	/* the MX addresses, from the same state as the records */
	u32vec addrs = {0};
	char *err = NULL;
	sqlite3_stmt *s = NULL;
	int rc = store_read_begin(a->st, &err) < 0 ? SQLITE_ERROR
		 : sqlite3_prepare_v2(store_db(a->st), "SELECT ip FROM f_mx_ip WHERE snap = ?1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, a->snap);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			vpush(&addrs, (uint32_t)sqlite3_column_int64(s, 0));
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		mx_sort_u32(addrs.v, addrs.n);
		size_t n = 0;
		for (size_t i = 0; i < addrs.n; i++)
			if (!n || addrs.v[i] != addrs.v[n - 1])
				addrs.v[n++] = addrs.v[i];
		scan_read(a->st, a->snap, addrs.v, n, NULL, &a->r);
		if (a->fail) {
			scanread_free(&a->r);
			a->r.rc = SQLITE_IOERR;
			a->r.err = xstrdup("disk I/O error (a test's)");
		}
	} else {
		sb_init(&a->r.text);
		a->r.rc = rc;
		a->r.err = err ? err : store_db_error(store_db(a->st), "reading MX addresses");
		err = NULL;
	}
	free(err);
	free(addrs.v);
	store_read_end(a->st);
	return NULL;
}

/* Start reading the scans ahead, when the database is a file and this
 * run reads it in a transaction of its own (the caller's transaction may
 * have changes a second connection would not see); nothing started (the
 * scans are read in turn) when it cannot be. */
static void scan_ahead_start(ctx *c, bool own)
{
	if (!own)
		return;
	const infer_hooks *test = c->o->test;
	if (test && test->before_ahead)
		test->before_ahead(test->arg);
	char *err = NULL;
	store *sib = store_open_sibling(c->st, &err);
	free(err); /* read in turn, then */
	if (!sib)
		return;
	scanahead *a = xcalloc(1, sizeof *a);
	a->st = sib;
	a->snap = c->snap;
	a->fail = test && test->ahead_fails;
	store_stop_on(sib, &infer_interrupted);
	if ((test && test->no_threads) || pthread_create(&a->t, NULL, scan_ahead_run, a) != 0) {
		store_close(sib);
		free(a);
		return;
	}
	c->ahead = a;
}

/* The records read ahead, once read (the thread joined, its connection
 * closed: a writer's commit would wait for it); false when none were
 * read ahead.  cancel: not wanted (a run that failed before the scans),
 * the thread's reading interrupted rather than waited for. */
static bool scan_ahead_take(ctx *c, scanread *r, bool cancel)
{
	scanahead *a = c->ahead;
	if (!a)
		return false;
	if (cancel)
		sqlite3_interrupt(store_db(a->st));
	pthread_join(a->t, NULL);
	store_close(a->st);
	*r = a->r;
	free(a);
	c->ahead = NULL;
	return true;
}

/* The scan records of the primary addresses: liveness, banner and EHLO
 * names, trusted certificates' names.  The names and their registered
 * domains (the costly part: the suffix list) are worked out on two
 * threads; they are interned afterwards in record order, so that ids, and
 * with them every tie-break, are those of a single pass. */
static int load_scans(ctx *c)
{
	domain_rd("mxray.example"); /* the suffix list is loaded before the threads start */
	scanread sr;
	bool ahead = scan_ahead_take(c, &sr, false);
	if (ahead && sr.rc != SQLITE_DONE && !infer_interrupted) {
		/* the second connection failed: in turn on this one, then
		 * (whose own read says what is wrong if it fails too) */
		if (c->o->log) {
			progress_end(&c->pg);
			fprintf(c->o->log, "infer %s: reading the scans on a second connection failed (%s): reading them on"
				" the run's own\n", c->o->snapshot, sr.err ? sr.err : "no message");
			phase(c, "infer: reading scans", 0);
		}
		scanread_free(&sr);
		ahead = false;
	}
	if (!ahead) {
		uint32_t *addrs = xmalloc((c->nips + 1) * sizeof *addrs);
		for (size_t i = 0; i < c->nips; i++)
			addrs[i] = (uint32_t)(c->ip_by_addr[i] >> 32);
		scan_read(c->st, c->snap, addrs, c->nips, &c->pg, &sr);
		free(addrs);
	}
	int rc = sr.rc;
	srow *rows = sr.rows;
	slist *sl = sr.sl;
	size_t nrows = sr.nrows, nl = sr.nl;
	/* the addresses' ids (every one is an MX address) */
	size_t at = 0;
	for (size_t i = 0; i < nrows; i++)
		rows[i].ip = ip_find_at(c, rows[i].ip, &at);
	if (rc == SQLITE_DONE) {
		sjob jobs[2] = {{c->o->kb, sr.text.data, rows, nrows, sl, 0, 2}, {c->o->kb, sr.text.data, rows, nrows, sl, 1, 2}};
		pthread_t t;
		bool threaded = nrows + nl > 64 && pthread_create(&t, NULL, scan_names, &jobs[1]) == 0;
		if (!threaded)
			jobs[0].parts = 1;
		scan_names(&jobs[0]);
		if (threaded)
			pthread_join(t, NULL);
		if (infer_interrupted) /* the names half worked out: none is kept */
			rc = SQLITE_INTERRUPT;
	}
	/* in record order, as one pass would have met them; each list's
	 * names where its first row is */
	uint32_t *list_first = xmalloc((nl + 1) * sizeof *list_first), *list_n = xcalloc(nl + 1, sizeof *list_n);
	memset(list_first, 0xff, (nl + 1) * sizeof *list_first);
	for (size_t i = 0; i < nrows; i++) {
		srow *r = &rows[i];
		uint32_t ip = r->ip;
		/* NONE: read ahead from a state that then had another address;
		 * this run's answers are not kept (infer_run reads again) */
		if (ip != NONE) {
			c->ip_live[ip] = r->live;
			c->ip_scan[ip] = r->scan;
			if (rc == SQLITE_DONE) {
				c->ip_banner[ip] = name_of_rd(c, &r->bf);
				c->ip_ehlo[ip] = name_of_rd(c, &r->ef);
			}
		}
		free(r->bf.name);
		free(r->ef.name);
		r->bf.name = r->ef.name = NULL;
		if (ip == NONE || r->list < 0 || rc != SQLITE_DONE)
			continue;
		if (list_first[r->list] == NONE) {
			slist *l = &sl[r->list];
			list_first[r->list] = (uint32_t)c->certnames.n;
			for (size_t k = 0; k < l->n; k++)
				vpush(&c->certnames, name_of_rd(c, &l->names[k]));
			list_n[r->list] = (uint32_t)l->n;
		}
		c->ip_cert_first[ip] = list_first[r->list];
		c->ip_cert_n[ip] = list_n[r->list];
	}
	free(list_first);
	free(list_n);
	if (rc != SQLITE_DONE && infer_interrupted) { /* SQLite's, or the names' threads stopped */
		scanread_free(&sr);
		return stopped(c);
	}
	if (rc != SQLITE_DONE) {
		*c->err = sr.err ? sr.err : xstrdup("reading scan: failed");
		sr.err = NULL;
		scanread_free(&sr);
		return -1;
	}
	scanread_free(&sr);
	sqlite3_stmt *s = prepare_id(c, "SELECT ip, asn FROM f_asn WHERE snap = ?1 ORDER BY ip");
	if (!s)
		return -1;
	at = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t ip = ip_find_at(c, (uint32_t)sqlite3_column_int64(s, 0), &at);
		if (ip != NONE)
			c->ip_asn[ip] = (uint32_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : dberr(c, "reading asn");
}

typedef struct {
	uint32_t host; /* NONE: the host has no address */
	unsigned pref;
} mxrow;

static int cmp_mxrow(const void *a, const void *b)
{
	const mxrow *x = a, *y = b;
	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return (x->host > y->host) - (x->host < y->host);
}

/* Step 1: the primary MX set of one domain. */
static void primary_of(ctx *c, uint32_t d, mxrow *rows, size_t n)
{
	mx_sort(rows, n, sizeof *rows, cmp_mxrow);
	/* The paper's Table 4 looks at every MX of the domain for these. */
	uint32_t cov = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t h = rows[i].host;
		if (h >= c->nhosts_addr)
			continue;
		for (uint32_t k = 0; k < c->host_n[h]; k++) {
			uint8_t sc = c->ip_scan[c->hostips.v[c->host_first[h] + k]];
			uint32_t v = sc == 2 ? 3 : sc == 1 ? 2 : 1;
			if (v > cov)
				cov = v;
		}
	}
	c->dom_cov[d] = cov;
	long live_pref = -1;
	for (size_t i = 0; i < n && live_pref < 0; i++)
		if (rows[i].host < c->nhosts_addr && c->host_live[rows[i].host])
			live_pref = rows[i].pref;
	c->dom_first[d] = (uint32_t)c->primary.n;
	c->dom_nosmtp[d] = live_pref < 0;
	unsigned want = live_pref >= 0 ? (unsigned)live_pref : n ? rows[0].pref : 0; /* n > 0: a domain has its rows */
	for (size_t i = 0; i < n; i++) {
		if (rows[i].pref != want || rows[i].host == NONE)
			continue;
		if (live_pref >= 0 && !(rows[i].host < c->nhosts_addr && c->host_live[rows[i].host]))
			continue;
		if (i > 0 && rows[i].host == rows[i - 1].host && rows[i].pref == rows[i - 1].pref)
			continue;
		vpush(&c->primary, rows[i].host);
		c->dom_n[d]++;
	}
}

/* The registered domain of every MX host (host_rd), on both cores: each
 * half of the hosts with its own memo. */
typedef struct {
	ctx *c;
	const uint32_t *ids;
	size_t n;
} rdjob;

/* Hosts taken a batch at a time: their names, and then their entries in
 * the scans' names, each read ahead. */
#define RD_BATCH 256
#define RD_AHEAD 16

static void *host_rds(void *arg)
{
	rdjob *j = arg;
	ctx *c = j->c;
	domain_memo *memo = domain_memo_new();
	const char *name[RD_BATCH];
	uint32_t found[RD_BATCH];
	for (size_t i0 = 0; i0 < j->n && !infer_interrupted; i0 += RD_BATCH) {
		size_t nb = j->n - i0 < RD_BATCH ? j->n - i0 : RD_BATCH;
		for (size_t b = 0; b < nb; b++) {
			if (b + RD_AHEAD < nb)
				__builtin_prefetch(&c->ntext[j->ids[i0 + b + RD_AHEAD]]);
			name[b] = ntext(c, j->ids[i0 + b]);
		}
		/* a name a scan gave (the host's banner, say) has its answers */
		strmap_find_many(c->names, name, nb, found);
		for (size_t b = 0; b < nb; b++) {
			uint32_t db = j->ids[i0 + b], id = found[b];
			if (id != NONE) {
				uint32_t r = c->name_rd[id];
				c->host_rd[db] = r == NONE ? -1 : (int32_t)(strlen(name[b]) - strlen(strmap_key(c->names, r)));
				c->host_rdself[db] = r != NONE && c->name_rd[r] == r;
				continue;
			}
			const char *rd = domain_rd_memo(memo, name[b]);
			c->host_rd[db] = rd ? (int32_t)(rd - name[b]) : -1;
			c->host_rdself[db] = rd && (rd == name[b] || domain_rd(rd) == rd);
		}
	}
	domain_memo_free(memo);
	return NULL;
}

/* The hosts with addresses and every other name an MX row gives. */
static void find_host_rds(ctx *c, const irow *mrows, size_t nm)
{
	u32vec ids = {0};
	for (size_t h = 0; h < c->nhosts; h++)
		if (c->host_db.v[h] < c->ntext_n && c->host_rd[c->host_db.v[h]] == -2) {
			c->host_rd[c->host_db.v[h]] = -3; /* listed */
			vpush(&ids, c->host_db.v[h]);
		}
	for (size_t i = 0; i < nm; i++)
		if (mrows[i].k[1] < c->ntext_n && c->host_rd[mrows[i].k[1]] == -2) {
			c->host_rd[mrows[i].k[1]] = -3;
			vpush(&ids, mrows[i].k[1]);
		}
	domain_rd("mxray.example"); /* the suffix list is loaded before the threads start */
	rdjob jobs[2] = {{c, ids.v, ids.n / 2}, {c, ids.v + ids.n / 2, ids.n - ids.n / 2}};
	pthread_t t;
	bool threaded = ids.n > 64 && pthread_create(&t, NULL, host_rds, &jobs[1]) == 0;
	if (!threaded)
		jobs[0].n = ids.n;
	host_rds(&jobs[0]);
	if (threaded)
		pthread_join(t, NULL);
	free(ids.v);
}

/* The registered domain of host h as text, or NULL. */
static const char *host_rd_text(const ctx *c, uint32_t h)
{
	uint32_t db = c->host_db.v[h];
	return db < c->ntext_n && c->host_rd[db] >= 0 ? ntext(c, db) + c->host_rd[db] : NULL;
}

static void host_pref(ctx *c, uint32_t h, unsigned pref)
{
	if (h >= c->host_prefcap) {
		size_t nc = c->host_prefcap ? c->host_prefcap * 2 : 4096;
		while (nc <= h)
			nc *= 2;
		c->host_minpref = xrealloc(c->host_minpref, nc * sizeof *c->host_minpref);
		c->host_maxpref = xrealloc(c->host_maxpref, nc * sizeof *c->host_maxpref);
		for (size_t i = c->host_prefcap; i < nc; i++) {
			c->host_minpref[i] = NONE;
			c->host_maxpref[i] = 0;
		}
		c->host_prefcap = nc;
	}
	if (pref < c->host_minpref[h])
		c->host_minpref[h] = pref;
	if (pref > c->host_maxpref[h])
		c->host_maxpref[h] = pref;
}

/* The MX records as read (c->mrows), before the scans are worked out. */
static int read_mx(ctx *c)
{
	return load_irows(c, "SELECT domain, host, pref FROM f_mx WHERE snap = ?1 ORDER BY domain, host, pref", 3, &c->mrows,
			  &c->nmrows);
}

static int load_domains(ctx *c)
{
	irow *mrows = c->mrows;
	size_t nm = c->nmrows, ng;
	c->mrows = NULL;
	find_host_rds(c, mrows, nm);
	if (infer_interrupted) { /* the registered domains half worked out */
		free(mrows);
		return stopped(c);
	}
	/* by domain name, host name and preference: ids come in that order */
	group *g = group_rows(c, mrows, nm, &ng, cmp_host_pref);
	size_t hosts_before = c->nhosts;
	c->nhosts_addr = hosts_before;
	c->host_live = xcalloc(hosts_before + 1, 1);
	for (uint32_t h = 0; h < hosts_before; h++)
		for (uint32_t k = 0; k < c->host_n[h]; k++)
			if (c->ip_live[c->hostips.v[c->host_first[h] + k]])
				c->host_live[h] = 1;
	mxrow *rows = NULL;
	size_t caprows = 0;
	c->ndoms = ng;
	c->dom_first = xcalloc(ng + 1, sizeof *c->dom_first);
	c->dom_n = xcalloc(ng + 1, sizeof *c->dom_n);
	c->dom_nosmtp = xcalloc(ng + 1, sizeof *c->dom_nosmtp);
	c->dom_cov = xcalloc(ng + 1, sizeof *c->dom_cov);
	for (size_t gi = 0; gi < ng; gi++) {
		const irow *gr = mrows + g[gi][1];
		uint32_t d = (uint32_t)gi, gn = g[gi][2];
		vpush(&c->dom_db, gr[0].k[0]);
		if (gn > caprows) {
			caprows = gn * 2;
			rows = xrealloc(rows, caprows * sizeof *rows);
		}
		for (size_t j = 0; j < gn; j++) {
			uint32_t hdb = gr[j].k[1];
			unsigned pref = gr[j].k[2];
			uint32_t h = hdb < c->ntext_n ? c->host_of[hdb] : NONE;
			if (h == NONE && hdb < c->ntext_n && c->host_rd[hdb] >= 0) {
				h = (uint32_t)c->nhosts++; /* no address: answered from its name only */
				c->host_of[hdb] = h;
				vpush(&c->host_db, hdb);
			}
			rows[j] = (mxrow){h, pref};
			if (h != NONE)
				host_pref(c, h, pref);
		}
		primary_of(c, d, rows, gn);
	}
	free(rows);
	free(g);
	free(mrows);
	/* hosts added for address-less MXes get empty per-host entries */
	size_t nh = c->nhosts;
	c->host_first = xrealloc(c->host_first, (nh + 1) * sizeof *c->host_first);
	c->host_n = xrealloc(c->host_n, (nh + 1) * sizeof *c->host_n);
	c->host_live = xrealloc(c->host_live, nh + 1);
	for (size_t h = hosts_before; h <= nh; h++) {
		c->host_first[h] = 0;
		c->host_n[h] = 0;
		c->host_live[h] = 0;
	}
	return 0;
}

/* ---- counting and certificate groups ---------------------------------- */

static uint32_t find(uint32_t *uf, uint32_t x)
{
	while (uf[x] != x) {
		uf[x] = uf[uf[x]];
		x = uf[x];
	}
	return x;
}

/* The live IPs of a primary host within domain d (none when d is no-smtp). */
#define FOR_LIVE_IPS(c, h, ipvar) \
	for (uint32_t k_ = 0, ipvar; k_ < (c)->host_n[h] && ((ipvar = (c)->hostips.v[(c)->host_first[h] + k_]), 1); k_++) \
		if ((c)->ip_live[ipvar])

/* Per host, the distinct values (name ids below nn) over its live
 * addresses: their certificate names' RDs, or their certificate groups. */
typedef struct {
	u32vec v;
	uint32_t *first, *n;
} hostset;

static void host_values(ctx *c, size_t nn, bool groups, hostset *out)
{
	size_t nh = c->nhosts;
	memset(&out->v, 0, sizeof out->v);
	out->first = xcalloc(nh + 1, sizeof *out->first);
	out->n = xcalloc(nh + 1, sizeof *out->n);
	uint32_t *seen = xmalloc((nn + 1) * sizeof *seen);
	memset(seen, 0xff, (nn + 1) * sizeof *seen);
	for (uint32_t h = 0; h < nh; h++) {
		out->first[h] = (uint32_t)out->v.n;
		FOR_LIVE_IPS(c, h, ip) {
			uint32_t k = 0, nv = groups ? 1 : c->ip_cert_n[ip];
			for (; k < nv; k++) {
				uint32_t x = groups ? c->ip_group[ip]
						    : c->name_rd[c->certnames.v[c->ip_cert_first[ip] + k]];
				if (x != NONE && seen[x] != h) {
					seen[x] = h;
					vpush(&out->v, x);
				}
			}
		}
		out->n[h] = (uint32_t)out->v.n - out->first[h];
	}
	free(seen);
}

static void hostset_free(hostset *hs)
{
	free(hs->v.v);
	free(hs->first);
	free(hs->n);
}

static void count(ctx *c, size_t ndom)
{
	size_t nn = strmap_size(c->names);
	size_t nh = c->nhosts;
	c->rd_cnt = xcalloc(nn + 1, sizeof(uint32_t));
	c->rd_stamp = xmalloc((nn + 1) * sizeof(uint32_t));
	memset(c->rd_stamp, 0xff, (nn + 1) * sizeof(uint32_t));
	c->mxrd_cnt = xcalloc(nn + 1, sizeof(uint32_t));
	c->mxrd_stamp = xmalloc((nn + 1) * sizeof(uint32_t));
	memset(c->mxrd_stamp, 0xff, (nn + 1) * sizeof(uint32_t));
	c->h_domains = xcalloc(nh + 1, sizeof(uint32_t));
	/* Each host's certificate RDs (distinct, over its live addresses),
	 * once: a domain then visits its hosts' RDs, not every name of every
	 * address (a host with 5000 addresses of 2000 names each, under 50k
	 * domains, was 5e11 steps). */
	hostset hrd;
	host_values(c, nn, false, &hrd);
	/* domains whose one primary host is h: its addresses' numIP at the end */
	uint32_t *h_alone = xcalloc(nh + 1, sizeof *h_alone);
	for (uint32_t d = 0; d < ndom; d++) {
		for (uint32_t j = 0; j < c->dom_n[d]; j++) {
			uint32_t h = c->primary.v[c->dom_first[d] + j];
			c->h_domains[h]++;
			uint32_t mrd = c->h_mx[h];
			if (mrd != NONE && c->mxrd_stamp[mrd] != d) {
				c->mxrd_stamp[mrd] = d;
				c->mxrd_cnt[mrd]++;
			}
			if (c->dom_nosmtp[d])
				continue;
			for (uint32_t k = 0; k < hrd.n[h]; k++) {
				uint32_t rd = hrd.v.v[hrd.first[h] + k];
				if (c->rd_stamp[rd] != d) {
					c->rd_stamp[rd] = d;
					c->rd_cnt[rd]++;
				}
			}
			if (c->dom_n[d] == 1) {
				h_alone[h]++;
				continue;
			}
			FOR_LIVE_IPS(c, h, ip) {
				c->ip_primary[ip] = 1;
				if (c->ip_stamp[ip] == d)
					continue;
				c->ip_stamp[ip] = d;
				c->ip_numip[ip]++;
			}
		}
	}
	for (uint32_t h = 0; h < nh; h++) {
		if (!h_alone[h])
			continue;
		FOR_LIVE_IPS(c, h, ip) {
			c->ip_primary[ip] = 1;
			c->ip_numip[ip] += h_alone[h];
		}
	}
	free(h_alone);
	hostset_free(&hrd);
	/* Join the names on each certificate of a primary IP. */
	c->uf = xmalloc((nn + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i <= nn; i++)
		c->uf[i] = i;
	size_t nip = c->nips;
	for (uint32_t ip = 0; ip < nip; ip++) {
		if (!c->ip_primary[ip] || c->ip_cert_n[ip] == 0)
			continue;
		uint32_t first = find(c->uf, c->certnames.v[c->ip_cert_first[ip]]);
		for (uint32_t k = 1; k < c->ip_cert_n[ip]; k++) {
			uint32_t r = find(c->uf, c->certnames.v[c->ip_cert_first[ip] + k]);
			if (r != first)
				c->uf[r] = first;
		}
	}
	/* Each group's root name: its RD covers most domains; ties, the
	 * lexically smallest name.  The group's ID is that RD. */
	c->group_best = xmalloc((nn + 1) * sizeof(uint32_t));
	memset(c->group_best, 0xff, (nn + 1) * sizeof(uint32_t));
	for (uint32_t ip = 0; ip < nip; ip++) {
		if (!c->ip_primary[ip] || c->ip_cert_n[ip] == 0)
			continue;
		for (uint32_t k = 0; k < c->ip_cert_n[ip]; k++) {
			uint32_t nm = c->certnames.v[c->ip_cert_first[ip] + k];
			uint32_t g = find(c->uf, nm);
			uint32_t b = c->group_best[g];
			if (b == NONE) {
				c->group_best[g] = nm;
				continue;
			}
			uint32_t rb = c->name_rd[b], rn = c->name_rd[nm];
			uint32_t cb = c->rd_cnt[rb], cn = c->rd_cnt[rn];
			/* Ties (every name of one certificate covers the same domains)
			 * go to the RD more domains name in their MX records, then to
			 * the lexically smaller name. */
			uint32_t mb = c->mxrd_cnt[rb], mn = c->mxrd_cnt[rn];
			if (cn > cb || (cn == cb && (mn > mb || (mn == mb &&
			    strcmp(strmap_key(c->names, nm), strmap_key(c->names, b)) < 0))))
				c->group_best[g] = nm;
		}
		c->ip_group[ip] = find(c->uf, c->certnames.v[c->ip_cert_first[ip]]);
	}
	/* numCert: domains whose primary IPs present a certificate of the group. */
	c->group_cnt = xcalloc(nn + 1, sizeof(uint32_t));
	c->group_stamp = xmalloc((nn + 1) * sizeof(uint32_t));
	memset(c->group_stamp, 0xff, (nn + 1) * sizeof(uint32_t));
	/* each host's groups (distinct), once; then each domain its hosts' */
	hostset hg;
	host_values(c, nn, true, &hg);
	for (uint32_t d = 0; d < ndom; d++) {
		if (c->dom_nosmtp[d])
			continue;
		for (uint32_t j = 0; j < c->dom_n[d]; j++) {
			uint32_t h = c->primary.v[c->dom_first[d] + j];
			for (uint32_t k = 0; k < hg.n[h]; k++) {
				uint32_t g = hg.v.v[hg.first[h] + k];
				if (c->group_stamp[g] != d) {
					c->group_stamp[g] = d;
					c->group_cnt[g]++;
				}
			}
		}
	}
	hostset_free(&hg);
}

static uint32_t group_id(ctx *c, uint32_t g)
{
	return c->name_rd[c->group_best[g]];
}

/* An IP's confidence: max(numIP, numCert of its certificate group). */
static uint32_t ip_conf(const ctx *c, uint32_t ip)
{
	uint32_t v = c->ip_numip[ip], g = c->ip_group[ip];
	return g != NONE && c->group_cnt[g] > v ? c->group_cnt[g] : v;
}

/* A host's ID by the first source in the chain certificate, banner, MX
 * that is switched on and has one (the MX is always on). */
const char *infer_source_name(int code)
{
	return code == 0 ? NULL : code > 0 && code < 5 ? infer_source_names[code] : "?";
}

const char *infer_status_name(int code)
{
	return code >= 0 && code < 6 ? infer_status_names[code] : "?";
}

int infer_chain_source(unsigned bit, bool has_cert, bool has_banner)
{
	if ((bit == INFER_CERT || bit == INFER_PRIORITY) && has_cert)
		return SRC_CERT;
	if ((bit == INFER_BANNER || bit == INFER_PRIORITY) && has_banner)
		return SRC_BANNER;
	return SRC_MX;
}

static uint32_t chain_id(const ctx *c, uint32_t h, unsigned bit, uint8_t *src)
{
	*src = (uint8_t)infer_chain_source(bit, c->h_cert[h] != NONE, c->h_banner[h] != NONE);
	return *src == SRC_CERT ? c->h_cert[h] : *src == SRC_BANNER ? c->h_banner[h] : c->h_mx[h];
}

/* ---- per-host decision ------------------------------------------------ */

static const char *nm(ctx *c, uint32_t id)
{
	return id == NONE ? NULL : strmap_key(c->names, id);
}

static void evidence(ctx *c, uint32_t h)
{
	c->h_cert[h] = c->h_banner[h] = NONE;
	uint32_t conf = 0;
	bool cert_clash = false, banner_clash = false;
	char ipt[16];
	strbuf note;
	sb_init(&note);
	FOR_LIVE_IPS(c, h, ip) {
		uint32_t v = ip_conf(c, ip);
		if (c->ip_group[ip] != NONE) {
			uint32_t id = group_id(c, c->ip_group[ip]);
			if (c->h_cert[h] == NONE)
				c->h_cert[h] = id;
			else if (c->h_cert[h] != id)
				cert_clash = true;
		}
		if (v > conf)
			conf = v;
		uint32_t ids[2] = {c->ip_banner[ip], c->ip_ehlo[ip]};
		for (int k = 0; k < 2; k++) {
			if (ids[k] == NONE)
				continue;
			uint32_t id = c->name_rd[ids[k]];
			if (c->h_banner[h] == NONE)
				c->h_banner[h] = id;
			else if (c->h_banner[h] != id)
				banner_clash = true;
		}
	}
	c->h_conf[h] = conf;
	/* A source is used only when every IP that carries it agrees. */
	if (cert_clash) {
		sb_clear(&note);
		FOR_LIVE_IPS(c, h, ip) if (c->ip_group[ip] != NONE)
			sb_addf(&note, "%s%s: %s", note.len ? ", " : "", ip_text(c, ip, ipt),
				nm(c, group_id(c, c->ip_group[ip])));
		c->h_cert_note[h] = xasprintf("certificates disagree (%s)", note.data);
		c->h_cert[h] = NONE;
	}
	if (banner_clash) {
		sb_clear(&note);
		FOR_LIVE_IPS(c, h, ip) {
			if (c->ip_banner[ip] != NONE)
				sb_addf(&note, "%s%s banner: %s", note.len ? ", " : "", ip_text(c, ip, ipt),
					nm(c, c->ip_banner[ip]));
			if (c->ip_ehlo[ip] != NONE)
				sb_addf(&note, "%s%s EHLO: %s", note.len ? ", " : "", ip_text(c, ip, ipt),
					nm(c, c->ip_ehlo[ip]));
		}
		c->h_banner_note[h] = xasprintf("banner/EHLO disagree (%s)", note.data);
		c->h_banner[h] = NONE;
	}
	sb_free(&note);
}

/* The company of a provider ID, looked up once per name (a name no exact
 * ID matches is tried against every pattern). */
static const kb_company *company_of(ctx *c, uint32_t id)
{
	static const kb_company unknown;
	if (id == NONE)
		return NULL;
	if (id >= c->co_cap) {
		size_t nc = c->co_cap ? c->co_cap : 4096;
		while (nc <= id)
			nc *= 2;
		c->co_cache = xrealloc(c->co_cache, nc * sizeof *c->co_cache);
		memset(c->co_cache + c->co_cap, 0, (nc - c->co_cap) * sizeof *c->co_cache);
		c->co_cap = nc;
	}
	if (!c->co_cache[id]) {
		const kb_company *co = kb_company_of(c->o->kb, nm(c, id));
		c->co_cache[id] = co ? co : &unknown;
	}
	return c->co_cache[id] == &unknown ? NULL : c->co_cache[id];
}

/* Its name, or NULL. */
static const char *company(ctx *c, uint32_t id)
{
	const kb_company *co = company_of(c, id);
	return co && co->name && *co->name ? co->name : NULL;
}

enum heur { H_NONE, H_DROP, H_SUGGEST, H_FLAG };

/* Hostname verdicts over the FQDNs that gave `id` from `src`. */
static enum heur hostname_check(ctx *c, uint32_t h, uint32_t id, enum source src, strbuf *why)
{
	const char *rd = nm(c, id);
	if (!kb_has_hostrules(c->o->kb, rd))
		return H_NONE; /* no rules for this domain: kb_hostname says none */
	int nvps = 0, nunknown = 0, ndedicated = 0;
	const char *first_vps = NULL, *first_pat = NULL, *first_unknown = NULL;
	FOR_LIVE_IPS(c, h, ip) {
		uint32_t two[2];
		const uint32_t *cand = two;
		uint32_t n = 0;
		if (src == SRC_BANNER) {
			if (c->ip_banner[ip] != NONE)
				two[n++] = c->ip_banner[ip];
			if (c->ip_ehlo[ip] != NONE)
				two[n++] = c->ip_ehlo[ip];
		} else {
			n = c->ip_cert_n[ip];
			if (n)
				cand = c->certnames.v + c->ip_cert_first[ip];
		}
		for (uint32_t k = 0; k < n; k++) {
			if (c->name_rd[cand[k]] != id)
				continue;
			const char *pat;
			enum kb_host v = kb_hostname(c->o->kb, rd, nm(c, cand[k]), src == SRC_BANNER, &pat);
			if (v == KB_HOST_NONE)
				return H_NONE;
			if (v == KB_HOST_VPS) {
				nvps++;
				if (!first_vps) {
					first_vps = nm(c, cand[k]);
					first_pat = pat;
				}
			} else if (v == KB_HOST_UNKNOWN) {
				nunknown++;
				if (!first_unknown)
					first_unknown = nm(c, cand[k]);
			} else {
				ndedicated++;
			}
		}
	}
	const kb_company *co = company_of(c, id);
	if (nvps && !nunknown && !ndedicated) {
		sb_addf(why, "hostname pattern: %s is a %s VPS (%s), not this provider's own server", first_vps,
			co ? co->name : rd, first_pat ? first_pat : "the default for this domain");
		return H_DROP;
	}
	if (nvps || nunknown) {
		sb_addf(why, "hostname pattern: %s cannot be told apart from a VPS of %s; check by hand",
			first_unknown ? first_unknown : first_vps, co ? co->name : rd);
		return H_FLAG;
	}
	return H_NONE;
}

/* The three heuristics in order; the first that fires wins. */
static enum heur heuristic(ctx *c, uint32_t h, uint32_t id, enum source src, uint32_t *suggest,
			   const char **kind, strbuf *why)
{
	const kb *k = c->o->kb;
	const kb_company *co = company_of(c, id);
	uint32_t *asns = xmalloc((c->host_n[h] + 1) * sizeof *asns);
	size_t nasn = 0, nlive = 0;
	FOR_LIVE_IPS(c, h, ip) {
		nlive++;
		if (c->ip_asn[ip])
			asns[nasn++] = c->ip_asn[ip];
	}
	if (co) {
		FOR_LIVE_IPS(c, h, ip) {
			if (c->ip_asn[ip] && !kb_company_has_asn(co, c->ip_asn[ip])) {
				*kind = "as-mismatch";
				char ipt[16];
				sb_addf(why, "AS mismatch: %s is in AS%u, not an AS of %s", ip_text(c, ip, ipt),
					c->ip_asn[ip], co->name);
				free(asns);
				return src == SRC_MX ? H_FLAG : H_DROP;
			}
		}
	} else {
		/* every SMTP address: one whose AS is unknown cannot vouch */
		const kb_suggestion *sg = nasn == nlive ? kb_suggest(k, asns, nasn) : NULL;
		if (sg) {
			*kind = "as-suggestion";
			*suggest = name_of(c, sg->provider_id);
			sb_addf(why, "AS suggestion: every SMTP address is in an AS of %s (AS%u), so %s", sg->company,
				asns[0], sg->provider_id);
			free(asns);
			return H_SUGGEST;
		}
	}
	free(asns);
	if (src == SRC_BANNER || src == SRC_CERT) {
		enum heur r = hostname_check(c, h, id, src, why);
		if (r != H_NONE) {
			*kind = r == H_DROP ? "hostname-vps" : "hostname-unknown";
			return r;
		}
	}
	return H_NONE;
}

/* Heuristics for one host.  The chain is always walked as in apply mode,
 * so the ID the heuristics propose is known (h_sugg) even when they only
 * flag; with --heuristics flag the answer stays the evidence's. */
static void decide(ctx *c, uint32_t h)
{
	/* The priority chain: cert, banner/EHLO, MX name. */
	uint32_t ids[3];
	enum source srcs[3];
	int n = 0;
	if (c->h_cert[h] != NONE) {
		ids[n] = c->h_cert[h];
		srcs[n++] = SRC_CERT;
	}
	if (c->h_banner[h] != NONE) {
		ids[n] = c->h_banner[h];
		srcs[n++] = SRC_BANNER;
	}
	if (c->h_mx[h] != NONE) {
		ids[n] = c->h_mx[h];
		srcs[n++] = SRC_MX;
	}
	c->h_final[h] = n ? ids[0] : NONE;
	c->h_final_src[h] = n ? srcs[0] : SRC_NONE;
	c->h_sugg[h] = NONE;
	c->h_status[h] = c->host_live[h] ? ST_AUTO : ST_NOSMTP;
	if (!n || c->o->heuristics == INFER_HEUR_OFF || c->h_conf[h] >= c->o->threshold || !c->host_live[h])
		return;
	strbuf why;
	sb_init(&why);
	const char *first_kind = NULL;
	uint32_t id = ids[0];
	uint8_t src = srcs[0];
	bool changed = false;
	for (int i = 0; i < n;) {
		uint32_t suggest = NONE;
		const char *kind = NULL;
		size_t before = why.len;
		if (before)
			sb_adds(&why, "; then ");
		enum heur r = heuristic(c, h, ids[i], srcs[i], &suggest, &kind, &why);
		if (r == H_NONE) {
			if (why.data) {
				why.len = before;
				why.data[before] = '\0';
			}
			break;
		}
		if (!first_kind)
			first_kind = kind;
		if (r == H_FLAG)
			break;
		changed = true;
		if (r == H_SUGGEST) {
			id = suggest;
			break;
		}
		/* not this provider: the next source in priority */
		if (++i < n) {
			id = ids[i];
			src = srcs[i];
			sb_addf(&why, " -> %s from the %s", nm(c, ids[i]), source_names[srcs[i]]);
		} else {
			id = NONE;
			src = SRC_NONE;
			sb_adds(&why, " -> no evidence left");
		}
	}
	if (!first_kind) {
		sb_free(&why);
		return;
	}
	c->h_heur[h] = xstrdup(first_kind);
	c->h_reason[h] = sb_steal(&why);
	c->sum->fired++;
	if (changed)
		c->h_sugg[h] = id;
	if (changed && c->o->heuristics == INFER_HEUR_APPLY) {
		c->h_final[h] = id;
		c->h_final_src[h] = src;
		c->h_status[h] = ST_HEURISTIC;
		c->sum->changed++;
	} else {
		c->h_status[h] = ST_FLAGGED;
	}
}

/* ---- corrections ------------------------------------------------------ */

/* The IP (kind 0), host (1) or domain (2) a decision's key names in this
 * snapshot, or NONE.  *dom_of: each name's domain id, made when first
 * needed. */
static uint32_t corr_target(ctx *c, uint32_t kind, const char *key, uint32_t **dom_of)
{
	if (kind == 0) {
		uint32_t addr;
		char t[16];
		if (!mx_ipv4_parse(key, &addr))
			return NONE;
		mx_ipv4_format(addr, t);
		return strcmp(t, key) ? NONE : ip_find(c, addr);
	}
	uint32_t db = name_find_db(c, key);
	if (db == NONE)
		return NONE;
	if (kind == 1)
		return c->host_of[db];
	if (!*dom_of) {
		*dom_of = xmalloc(c->ntext_n * sizeof **dom_of);
		memset(*dom_of, 0xff, c->ntext_n * sizeof **dom_of);
		for (uint32_t d = 0; d < c->ndoms; d++)
			if (c->dom_db.v[d] < c->ntext_n)
				(*dom_of)[c->dom_db.v[d]] = d;
	}
	return (*dom_of)[db];
}

static int load_corrections(ctx *c)
{
	sqlite3_stmt *s = prepare(c, "SELECT id, scope, key, verdict, provider_id, note FROM correction "
				     "WHERE undone_at IS NULL AND (snapshot IS NULL OR snapshot = ?1) ORDER BY id");
	if (!s)
		return -1;
	size_t nh = c->nhosts, ni = c->nips, nd = c->ndoms;
	uint32_t *dom_of = NULL;
	c->c_host = xcalloc(nh + 1, sizeof *c->c_host);
	c->c_ip = xcalloc(ni + 1, sizeof *c->c_ip);
	c->c_dom = xcalloc(nd + 1, sizeof *c->c_dom);
	size_t cap = 0;
	int rc;
	/* First collect, then point (the array may move while growing). */
	u32vec where;
	memset(&where, 0, sizeof where);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *scope = (const char *)sqlite3_column_text(s, 1);
		const char *key = (const char *)sqlite3_column_text(s, 2);
		const char *verdict = (const char *)sqlite3_column_text(s, 3);
		uint32_t kind = !strcmp(scope, "ip") ? 0 : !strcmp(scope, "mx") ? 1 : 2;
		uint32_t target = corr_target(c, kind, key, &dom_of);
		if (target == NONE)
			continue; /* not in this snapshot */
		if (!strcmp(verdict, "set") && sqlite3_column_type(s, 4) == SQLITE_NULL) {
			/* the schema refuses these; a database edited by hand may not */
			if (c->o->log)
				fprintf(c->o->log, "infer: decision #%lld sets no provider; ignored\n",
					(long long)sqlite3_column_int64(s, 0));
			continue;
		}
		if (c->ncorrs == cap) {
			cap = cap ? cap * 2 : 16;
			c->corrs = xrealloc(c->corrs, cap * sizeof *c->corrs);
		}
		corr *k = &c->corrs[c->ncorrs++];
		k->id = (uint32_t)sqlite3_column_int64(s, 0);
		k->verdict = !strcmp(verdict, "set") ? V_SET : !strcmp(verdict, "self") ? V_SELF : V_CONFIRM;
		k->provider = sqlite3_column_text(s, 4) ? xstrdup((const char *)sqlite3_column_text(s, 4)) : NULL;
		k->note = sqlite3_column_text(s, 5) ? xstrdup((const char *)sqlite3_column_text(s, 5)) : NULL;
		vpush(&where, kind);
		vpush(&where, target);
	}
	sqlite3_finalize(s);
	free(dom_of);
	for (size_t i = 0; i < c->ncorrs; i++) {
		corr ***tab = where.v[2 * i] == 0 ? &c->c_ip : where.v[2 * i] == 1 ? &c->c_host : &c->c_dom;
		(*tab)[where.v[2 * i + 1]] = &c->corrs[i]; /* later ids win */
	}
	free(where.v);
	return rc == SQLITE_DONE ? 0 : dberr(c, "reading corrections");
}

static char *corr_reason(const corr *k, const char *scope)
{
	return xasprintf("%s (analyst decision #%u on the %s)", k->note ? k->note :
			 k->verdict == V_CONFIRM ? "confirmed" : k->verdict == V_SELF ? "self-hosted" : "set",
			 k->id, scope);
}

/* MX-scope decisions win over IP-scope ones. */
static void correct_host(ctx *c, uint32_t h)
{
	corr *k = c->c_host[h];
	const char *scope = "MX host";
	if (!k) {
		scope = "IP";
		for (uint32_t j = 0; j < c->host_n[h]; j++) {
			corr *x = c->c_ip[c->hostips.v[c->host_first[h] + j]];
			if (x && (!k || x->id > k->id))
				k = x;
		}
	}
	if (!k)
		return;
	c->h_corr[h] = k->id;
	free(c->h_reason[h]);
	c->h_reason[h] = corr_reason(k, scope);
	c->sum->corrected++;
	if (k->verdict == V_CONFIRM) {
		c->h_status[h] = ST_CONFIRMED;
		return;
	}
	c->h_final[h] = k->verdict == V_SET ? name_of(c, k->provider) : c->h_mx[h];
	c->h_final_src[h] = SRC_CORRECTION;
	c->h_status[h] = ST_CORRECTED;
}

/* ---- writing: each table's rows of the snapshot brought to ours -------- */

/* a cell of our rows (tablesync): an id, or NULL for NONE */
static tablesync_cell cell_u32(uint32_t v)
{
	return v == NONE ? tablesync_null() : tablesync_int(v);
}

typedef struct {
	uint32_t id;
	uint8_t src, status;
	uint32_t conf;
	const char *reason;
	uint32_t db;     /* the provider ID's name id, once looked up */
} share;

/* The name id of a provider ID, adding the name when it is new. */
static int provider_db(ctx *c, uint32_t id, uint32_t *out)
{
	if (id >= c->name_db_cap) {
		size_t nc = c->name_db_cap ? c->name_db_cap * 2 : 4096;
		while (nc <= id)
			nc *= 2;
		c->name_db = xrealloc(c->name_db, nc * sizeof *c->name_db);
		memset(c->name_db + c->name_db_cap, 0, (nc - c->name_db_cap) * sizeof *c->name_db);
		c->name_db_cap = nc;
	}
	/* most provider IDs are names already (a domain, an MX host's RD):
	 * look first (among the names read, then in the table), add only
	 * what is missing */
	if (!c->name_db[id]) {
		uint32_t db = name_find_db(c, nm(c, id));
		c->name_db[id] = db == NONE ? 0 : db;
	}
	for (int attempt = 0; !c->name_db[id] && attempt < 2; attempt++) {
		sqlite3_stmt *s;
		if (attempt) {
			s = store_prepare(c->st, "INSERT OR IGNORE INTO name(name) VALUES(?1)", c->err);
			if (!s)
				return -1;
			sqlite3_bind_text(s, 1, nm(c, id), -1, SQLITE_STATIC);
			if (store_step_write(c->st, s, c->err) < 0)
				return -1;
		}
		s = store_prepare(c->st, "SELECT id FROM name WHERE name = ?1", c->err);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, nm(c, id), -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			c->name_db[id] = (uint32_t)sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return dberr(c, "looking up a provider ID");
	}
	if (!c->name_db[id])
		return dberr(c, "adding a provider ID");
	*out = c->name_db[id];
	return 0;
}

static int cmp_share_db(const void *a, const void *b)
{
	const share *x = a, *y = b;
	return (x->db > y->db) - (x->db < y->db);
}

/* The answer rows of one approach, kept until they are written in one
 * statement (they are built in key order: domain, then provider). */
typedef struct {
	uint32_t domain, provider, conf;
	uint32_t id; /* the provider ID's name in this run */
	uint8_t src, status;
	uint32_t n; /* shares of the domain (weight 1/n) */
	const char *reason;
} resrow;

typedef struct {
	resrow *v;
	size_t n, cap;
	int64_t snap;
	int approach;
} resrows;

static tablesync_cell res_get(const void *cx, size_t row, int col)
{
	const resrows *r = cx;
	const resrow *x = &r->v[row];
	switch (col) {
	case 0: return tablesync_int(r->snap);
	case 1: return tablesync_int(r->approach);
	case 2: return tablesync_int(x->domain);
	case 3: return tablesync_int(x->provider);
	case 4: return tablesync_float(1.0 / x->n);
	case 5: return tablesync_int(x->src);
	case 6: return tablesync_int(x->conf);
	case 7: return tablesync_int(x->status);
	case 8: return tablesync_text(x->reason);
	default: return tablesync_text(NULL);
	}
}

/* One domain's answer rows, in key order (by provider name id); the
 * company of each provider ID once per approach (seen: by name id). */
static int write_result(ctx *c, resrows *out, sqlite3_stmt *co, uint8_t *seen, int approach, uint32_t domain,
			share *sh, int n)
{
	for (int i = 0; i < n; i++)
		if (provider_db(c, sh[i].id, &sh[i].db) < 0)
			return -1;
	mx_sort(sh, (size_t)n, sizeof *sh, cmp_share_db);
	for (int i = 0; i < n; i++) {
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 65536;
			out->v = xrealloc(out->v, out->cap * sizeof *out->v);
		}
		out->v[out->n++] = (resrow){domain, sh[i].db, sh[i].conf, sh[i].id, sh[i].src, sh[i].status,
					    (uint32_t)n, sh[i].reason};
		const char *company_name = company(c, sh[i].id);
		if (company_name && !seen[sh[i].id]) {
			seen[sh[i].id] = 1;
			sqlite3_reset(co);
			sqlite3_bind_int(co, 2, approach);
			sqlite3_bind_int64(co, 3, sh[i].db);
			sqlite3_bind_text(co, 4, company_name, -1, SQLITE_STATIC);
			if (sqlite3_step(co) != SQLITE_DONE)
				return dberr(c, "writing results");
		}
	}
	return 0;
}

/* Add (id, ...) to the domain's distinct provider IDs, keeping the
 * strongest source and status and the highest confidence. */
static int add_share(share *sh, int n, uint32_t id, uint8_t src, uint8_t status, uint32_t conf, const char *reason)
{
	if (id == NONE)
		return n;
	for (int i = 0; i < n; i++)
		if (sh[i].id == id) {
			if (src > sh[i].src)
				sh[i].src = src;
			if (status > sh[i].status) {
				sh[i].status = status;
				if (reason)
					sh[i].reason = reason;
			}
			if (conf > sh[i].conf)
				sh[i].conf = conf;
			if (!sh[i].reason)
				sh[i].reason = reason;
			return n;
		}
	sh[n] = (share){id, src, status, conf, reason, 0};
	return n + 1;
}

/* The provider shares: each key's text and summed weight, written in the
 * order of the keys' text (the table's). */
typedef struct {
	strmap *keys;
	double *w;
	uint32_t *order;
	int64_t snap;
} sharerows;

static tablesync_cell share_get(const void *cx, size_t row, int col)
{
	const sharerows *r = cx;
	uint32_t k = r->order[row];
	switch (col) {
	case 0: return tablesync_int(r->snap);
	case 1: return tablesync_text(strmap_key(r->keys, k));
	case 2: return tablesync_float(r->w[k]);
	default: return tablesync_text(NULL);
	}
}

static const strmap *keysort_map;

static int cmp_key_text(const void *a, const void *b)
{
	return strcmp(strmap_key(keysort_map, *(const uint32_t *)a), strmap_key(keysort_map, *(const uint32_t *)b));
}

/* The final answers' provider shares (company, else provider ID), summed
 * in the rows' key order as SQL's sum() over the table would, and the
 * number of domains with an answer: stored for export and report.  They
 * are worked out (share_sums) on another thread while f_result is
 * written, and written after it (write_shares). */
typedef struct {
	ctx *c;
	const resrows *rows;
	sharerows sr;
	size_t nk;
	int64_t domains;
} sharejob;

static void *share_sums(void *arg)
{
	sharejob *j = arg;
	ctx *c = j->c;
	const resrows *rows = j->rows;
	j->sr = (sharerows){strmap_new(), NULL, NULL, c->snap};
	sharerows *sr = &j->sr;
	size_t cap = 0, nn = strmap_size(c->names) + 1;
	uint32_t *key_of = xmalloc(nn * sizeof *key_of); /* per name id, once */
	memset(key_of, 0xff, nn * sizeof *key_of);
	for (size_t i = 0; i < rows->n; i++) {
		const resrow *r = &rows->v[i];
		if (i == 0 || r->domain != rows->v[i - 1].domain)
			j->domains++;
		if (key_of[r->id] == NONE) {
			const char *co = company(c, r->id);
			key_of[r->id] = strmap_intern(sr->keys, co ? co : nm(c, r->id), NULL);
		}
		uint32_t k = key_of[r->id];
		if (k >= cap) {
			size_t nc = cap ? cap * 2 : 256;
			sr->w = xrealloc(sr->w, nc * sizeof *sr->w);
			memset(sr->w + cap, 0, (nc - cap) * sizeof *sr->w);
			cap = nc;
		}
		sr->w[k] += 1.0 / r->n;
	}
	free(key_of);
	j->nk = strmap_size(sr->keys);
	sr->order = xmalloc((j->nk + 1) * sizeof *sr->order);
	for (uint32_t k = 0; k < j->nk; k++)
		sr->order[k] = k;
	/* one sort at a time uses keysort_map: this thread's is the only one */
	keysort_map = sr->keys;
	mx_sort(sr->order, j->nk, sizeof *sr->order, cmp_key_text);
	return NULL;
}

static void sharejob_free(sharejob *j)
{
	free(j->sr.w);
	free(j->sr.order);
	strmap_free(j->sr.keys);
}

static int write_shares(ctx *c, sharejob *j)
{
	size_t nk = j->nk;
	int64_t domains = j->domains;
	/* the snapshot's earlier shares: when no other snapshot has any, the
	 * whole table may be emptied at once (its pages dropped, not its rows
	 * one by one) */
	int rc = 0;
	sqlite3_stmt *s = prepare_id(c, "SELECT " TABLESYNC_OTHER_SNAP("f_share"));
	if (!s || sqlite3_step(s) != SQLITE_ROW)
		rc = dberr(c, "writing shares");
	bool others = rc || sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	static const tablesync_table def = {"f_share", "snap, provider, weight", "provider", "provider = ?2", 1,
					    NULL, "f_share_weight", "f_share(snap, weight)"};
	tablesync_rows bulk = {nk, &j->sr, share_get, NULL};
	if (rc == 0)
		rc = tablesync_run(c->st, c->snap, &def, &bulk, !others, c->err);
	s = rc ? NULL : prepare_id(c, "INSERT OR REPLACE INTO f_share_total(snap, domains) VALUES(?1, ?2)");
	if (s) {
		sqlite3_bind_int64(s, 2, domains);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = dberr(c, "writing shares");
	}
	sqlite3_finalize(s);
	return rc;
}

/* (snapshot, a, b) rows for one bulk statement */
typedef struct {
	uint32_t (*v)[2];
	size_t n, cap;
	int64_t snap;
} pairs;

static void pairs_push(pairs *p, uint32_t a, uint32_t b)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 65536;
		p->v = xrealloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n][0] = a;
	p->v[p->n][1] = b;
	p->n++;
}

static tablesync_cell pairs_get(const void *cx, size_t row, int col)
{
	const pairs *p = cx;
	return col == 0 ? tablesync_int(p->snap) : col <= 2 ? tablesync_int(p->v[row][col - 1]) : tablesync_text(NULL);
}

/* ---- per host and per address: what the evidence said ------------------ */

/* A host's row: what the context has of it is read from there when the
 * row is written; here only its id and the names' database ids (which
 * may add names, so are found before).  A 10M run's 4.8M hosts were its
 * peak as whole rows (88 bytes each). */
typedef struct {
	uint32_t h, mx, cert, banner, provider, sugg;
} hostrow;

typedef struct {
	const ctx *c;
	hostrow *v;
	size_t n;
	sqlite3_int64 snap;
	uint32_t *order; /* the rows in key order */
} hostrows;

static tablesync_cell host_get(const void *cx, size_t row, int col)
{
	const hostrows *r = cx;
	const hostrow *x = &r->v[r->order[row]];
	const ctx *c = r->c;
	uint32_t h = x->h;
	bool pref = h < c->host_prefcap && c->host_minpref[h] != NONE;
	switch (col) {
	case 0: return tablesync_int(r->snap);
	case 1: return tablesync_int(c->host_db.v[h]);
	case 2: return tablesync_int((int)c->host_live[h]);
	case 3: return tablesync_int(c->h_domains[h]);
	case 4: return cell_u32(x->mx);
	case 5: return cell_u32(x->cert);
	case 6: return cell_u32(x->banner);
	case 7: return tablesync_text(c->h_cert_note[h]);
	case 8: return tablesync_text(c->h_banner_note[h]);
	case 9: return tablesync_int(c->h_conf[h]);
	case 10: return cell_u32(x->provider);
	case 11: return cell_u32(c->h_final_src[h] ? c->h_final_src[h] : NONE);
	case 12: return tablesync_int((int)c->h_status[h]);
	case 13: return tablesync_text(c->h_heur[h]);
	case 14: return tablesync_text(c->h_reason[h]);
	case 15: return cell_u32(c->h_corr[h] ? c->h_corr[h] : NONE);
	case 16: return cell_u32(pref ? c->host_minpref[h] : NONE);
	case 17: return cell_u32(pref ? c->host_maxpref[h] : NONE);
	case 18: return cell_u32(x->sugg);
	default: return tablesync_text(NULL);
	}
}

typedef struct {
	uint32_t ip, live, numip, group, numcert, best, nhosts, asn, provider, src, status, flagged;
	const char *banner, *ehlo;
} iprow;

typedef struct {
	iprow *v;
	size_t n;
	sqlite3_int64 snap;
	uint32_t *order;
} iprows;

static tablesync_cell ip_get(const void *ctx, size_t row, int col)
{
	const iprows *r = ctx;
	const iprow *x = &r->v[r->order[row]];
	switch (col) {
	case 0: return tablesync_int(r->snap);
	case 1: return tablesync_int(x->ip);
	case 2: return tablesync_int((int)x->live);
	case 3: return tablesync_int(x->numip);
	case 4: return cell_u32(x->group);
	case 5: return cell_u32(x->numcert);
	case 6: return tablesync_text(x->banner);
	case 7: return tablesync_text(x->ehlo);
	case 8: return cell_u32(x->best);
	case 9: return tablesync_int(x->nhosts);
	case 10: return cell_u32(x->asn ? x->asn : NONE);
	case 11: return cell_u32(x->provider);
	case 12: return cell_u32(x->src);
	case 13: return cell_u32(x->status);
	case 14: return tablesync_int((int)x->flagged);
	default: return tablesync_text(NULL);
	}
}

static const tablesync_table host_ev_def = {
	"f_host_ev", "snap, host, live, domains, mx_id, cert_id, banner_id, cert_note, banner_note, confidence,"
	" provider, source, status, heuristic, reason, correction, min_pref, max_pref, suggested",
	"host", "host = ?2", 1, NULL, NULL, NULL};
static const tablesync_table ip_ev_def = {
	"f_ip_ev", "snap, ip, live, num_ip, cert_group, num_cert, banner_fqdn, ehlo_fqdn, best_host, nhosts, asn,"
	" provider, source, status, flagged",
	"ip", "ip = ?2", 1, NULL, NULL, NULL};

/* A name id of ours as the database's, or NONE. */
static int db_name(ctx *c, uint32_t id, uint32_t *out)
{
	*out = NONE;
	return id == NONE ? 0 : provider_db(c, id, out);
}

/* f_host_ev: each primary MX host's evidence, answer and heuristic;
 * f_ip_ev: each primary address's evidence, its number of primary hosts
 * and the busiest of them (most domains; ties: the smaller host id, i.e.
 * the host name first in order), whose answer the address shows. */
/* The evidence rows, each provider ID in them a name id (NONE for none),
 * and their key order: no database, so on another thread while the
 * coverage categories are written (evidence_ids makes them the name
 * table's ids after). */
typedef struct {
	ctx *c;
	hostrows hr;
	iprows ir;
} evjob;

static void *evidence_rows(void *arg)
{
	evjob *j = arg;
	ctx *c = j->c;
	size_t nip = c->nips, nh = c->nhosts;
	uint32_t *best = xmalloc((nip + 1) * sizeof *best), *nhosts = xcalloc(nip + 1, sizeof *nhosts);
	memset(best, 0xff, (nip + 1) * sizeof *best);
	hostrows *hr = &j->hr;
	*hr = (hostrows){c, xmalloc((nh + 1) * sizeof *hr->v), 0, c->snap, NULL};
	for (uint32_t h = 0; h < nh; h++) {
		if (!c->h_domains[h])
			continue;
		FOR_LIVE_IPS(c, h, ip) {
			if (best[ip] == NONE || c->h_domains[h] > c->h_domains[best[ip]])
				best[ip] = h;
			nhosts[ip]++;
		}
		c->tally_heur[0] += c->h_heur[h] != NULL;
		c->tally_heur[1] += c->h_status[h] == ST_HEURISTIC;
		c->tally_heur[2] += c->h_status[h] == ST_FLAGGED;
		hr->v[hr->n++] = (hostrow){h, c->h_mx[h], c->h_cert[h], c->h_banner[h], c->h_final[h], c->h_sugg[h]};
	}
	iprows *ir = &j->ir;
	*ir = (iprows){xmalloc((nip + 1) * sizeof *ir->v), 0, c->snap, NULL};
	for (uint32_t ip = 0; ip < nip; ip++) {
		if (!c->ip_primary[ip])
			continue;
		iprow *x = &ir->v[ir->n++];
		x->ip = c->ip_addr[ip];
		x->live = c->ip_live[ip];
		x->numip = c->ip_numip[ip];
		x->group = x->numcert = NONE;
		if (c->ip_group[ip] != NONE) {
			x->group = group_id(c, c->ip_group[ip]);
			x->numcert = c->group_cnt[c->ip_group[ip]];
		}
		x->banner = nm(c, c->ip_banner[ip]);
		x->ehlo = nm(c, c->ip_ehlo[ip]);
		x->best = x->provider = x->src = x->status = NONE;
		x->flagged = 0;
		if (best[ip] != NONE) {
			uint32_t h = best[ip];
			x->best = c->host_db.v[h];
			x->provider = c->h_final[h];
			x->src = c->h_final_src[h] ? c->h_final_src[h] : NONE;
			x->status = c->h_status[h];
			x->flagged = c->h_heur[h] != NULL;
		}
		x->nhosts = nhosts[ip];
		x->asn = c->ip_asn[ip];
	}
	free(best);
	free(nhosts);
	/* in key order: by host and address */
	uint32_t *keys = xmalloc((hr->n + ir->n + 1) * sizeof *keys);
	for (size_t i = 0; i < hr->n; i++)
		keys[i] = c->host_db.v[hr->v[i].h];
	hr->order = row_order(keys, hr->n);
	for (size_t i = 0; i < ir->n; i++)
		keys[i] = ir->v[i].ip;
	ir->order = row_order(keys, ir->n);
	free(keys);
	return NULL;
}

/* The rows' provider IDs as the name table's ids, in the order the rows
 * were made (a name the table lacks is added: its id follows that order). */
static int evidence_ids(ctx *c, hostrows *hr, iprows *ir)
{
	for (size_t i = 0; i < hr->n; i++) {
		hostrow *x = &hr->v[i];
		if (db_name(c, x->mx, &x->mx) < 0 || db_name(c, x->cert, &x->cert) < 0 ||
		    db_name(c, x->banner, &x->banner) < 0 || db_name(c, x->provider, &x->provider) < 0 ||
		    db_name(c, x->sugg, &x->sugg) < 0)
			return -1;
	}
	for (size_t i = 0; i < ir->n; i++) {
		iprow *x = &ir->v[i];
		if (db_name(c, x->group, &x->group) < 0 || db_name(c, x->provider, &x->provider) < 0)
			return -1;
	}
	return 0;
}

static void evjob_free(evjob *j)
{
	free(j->hr.v);
	free(j->ir.v);
	free(j->hr.order);
	free(j->ir.order);
}

static int write_evidence(ctx *c, evjob *j)
{
	hostrows *hr = &j->hr;
	iprows *ir = &j->ir;
	c->sum->hosts += hr->n;
	c->sum->ips += ir->n;
	int rc = evidence_ids(c, hr, ir);
	if (rc == 0) {
		tablesync_rows sr = {hr->n, hr, host_get, &c->pg}, si = {ir->n, ir, ip_get, &c->pg};
		phase(c, "infer: writing f_host_ev", hr->n);
		rc = tablesync_run(c->st, c->snap, &host_ev_def, &sr, c->alone, c->err);
		if (rc == 0) {
			phase(c, "infer: writing f_ip_ev", ir->n);
			rc = tablesync_run(c->st, c->snap, &ip_ev_def, &si, c->alone, c->err);
		}
	}
	return rc;
}

/* The counts `report` prints for the whole snapshot, so that it reads a
 * few rows instead of scanning the answers: f_tally(snap, kind, code, n),
 * kind 'coverage' (category), 'source' (final answer rows by source),
 * 'corrected' (confirmed or corrected answer rows), 'heuristic' (0 fired,
 * 1 changed, 2 flagged hosts). */
static int write_tally(ctx *c)
{
	sqlite3_stmt *s = prepare_id(c, "DELETE FROM f_tally WHERE snap = ?1");
	if (!s || sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return dberr(c, "writing the counts");
	}
	sqlite3_finalize(s);
	s = prepare_id(c, "INSERT INTO f_tally(snap, kind, code, n) VALUES(?1, ?2, ?3, ?4)");
	if (!s)
		return -1;
	struct {
		const char *kind;
		const uint64_t *v;
		int n, first;
	} t[] = {{"coverage", c->tally_cov, 6, 0}, {"source", c->tally_src, 5, 1},
		 {"corrected", &c->tally_corrected, 1, 0}, {"heuristic", c->tally_heur, 3, 0}};
	int rc = 0;
	for (size_t k = 0; k < sizeof t / sizeof t[0] && rc == 0; k++)
		for (int i = t[k].first; i < t[k].n && rc == 0; i++) {
			sqlite3_reset(s);
			sqlite3_bind_text(s, 2, t[k].kind, -1, SQLITE_STATIC);
			sqlite3_bind_int(s, 3, i);
			sqlite3_bind_int64(s, 4, (sqlite3_int64)t[k].v[i]);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = dberr(c, "writing the counts");
		}
	sqlite3_finalize(s);
	return rc;
}

/* Remove the snapshot's earlier raw results and companies (of the
 * approaches this run computes); the tables of rows (evidence, primary MX,
 * coverage, final answers, shares) are brought to this run's when written
 * (tablesync_run).  Whether the snapshot is the only one with results: then
 * whole tables are emptied at once (SQLite drops their pages instead of
 * deleting row by row). */
static int clear_results(ctx *c)
{
	sqlite3_stmt *s = prepare_id(c, "SELECT " TABLESYNC_OTHER_SNAP("f_coverage") " OR "
					 TABLESYNC_OTHER_SNAP("f_result") " OR " TABLESYNC_OTHER_SNAP("f_host_ev"));
	if (!s)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return dberr(c, "clearing old results");
	}
	c->alone = !sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	bool every = (c->o->approaches & INFER_ALL) == INFER_ALL;
	if (c->alone && every && store_exec(c->st, "DELETE FROM f_company; DELETE FROM f_raw;", c->err) < 0)
		return -1;
	/* each approach's companies (unless emptied above) and the raw
	 * approaches' answer rows (the final ones: tablesync_run) */
	static const char *const clear_approach[] = {"DELETE FROM f_company WHERE snap = ?1 AND approach = ?2",
						     "DELETE FROM f_result WHERE snap = ?1 AND approach = ?2"};
	for (size_t i = c->alone && every ? 1 : 0; i < 2; i++) {
		s = prepare_id(c, clear_approach[i]);
		if (!s)
			return -1;
		for (unsigned bit = 1; bit <= 16; bit <<= 1) {
			if (bit == 16 ? i == 1 : !(c->o->approaches & bit))
				continue;
			sqlite3_reset(s);
			sqlite3_bind_int(s, 2, infer_approach_code(bit));
			if (sqlite3_step(s) != SQLITE_DONE) {
				sqlite3_finalize(s);
				return dberr(c, "clearing old results");
			}
		}
		sqlite3_finalize(s);
	}
	return 0;
}

/* The domains in name id order: every table is written in key order. */
static uint32_t *domain_order(ctx *c, size_t ndom)
{
	return row_order(c->dom_db.v, ndom);
}

/* A domain's coverage category (the paper's Table 4): past port 25, a
 * trusted certificate with a usable name, then a usable banner/EHLO
 * name, on a primary address. */
static uint32_t coverage_of(const ctx *c, uint32_t d)
{
	uint32_t cat = c->dom_cov[d];
	if (cat != 3)
		return cat;
	bool cert = false, name = false;
	uint32_t first = c->dom_first[d], n = c->dom_n[d];
	for (uint32_t j = 0; j < n; j++) {
		uint32_t h = c->primary.v[first + j];
		FOR_LIVE_IPS(c, h, ip) {
			cert |= c->ip_group[ip] != NONE;
			name |= c->ip_banner[ip] != NONE || c->ip_ehlo[ip] != NONE;
		}
	}
	return !cert ? 3 : !name ? 4 : 5;
}

static const tablesync_table primary_mx_def = {"f_primary_mx", "snap, domain, host", "domain, host",
					       "domain = ?2 AND host = ?3", 2, NULL,
					       "f_primary_mx_host", STORE_INDEX_PRIMARY_MX_HOST};
static const tablesync_table coverage_def = {"f_coverage", "snap, domain, category", "domain", "domain = ?2", 1,
					     NULL, NULL, NULL};

/* Every domain's primary MX set (domains in the order of their name ids). */
static int write_primary(ctx *c, const uint32_t *order, size_t ndom)
{
	uint32_t *hbuf = NULL;
	size_t hcap = 0;
	pairs pmrows = {NULL, 0, 0, c->snap};
	phase(c, "infer: primary MX sets", ndom);
	for (uint32_t di = 0; di < ndom; di++) {
		uint32_t d = order[di];
		uint32_t first = c->dom_first[d], n = c->dom_n[d];
		if ((di & 4095) == 0)
			progress_update(&c->pg, di, di, "domains");
		if (n > hcap) {
			hcap = n * 2;
			hbuf = xrealloc(hbuf, hcap * sizeof *hbuf);
		}
		for (uint32_t j = 0; j < n; j++)
			hbuf[j] = c->host_db.v[c->primary.v[first + j]];
		mx_sort_u32(hbuf, n);
		for (uint32_t j = 0; j < n; j++)
			if (!j || hbuf[j] != hbuf[j - 1])
				pairs_push(&pmrows, c->dom_db.v[d], hbuf[j]);
	}
	phase(c, "infer: writing f_primary_mx", pmrows.n);
	tablesync_rows pr = {pmrows.n, &pmrows, pairs_get, &c->pg};
	int rc = tablesync_run(c->st, c->snap, &primary_mx_def, &pr, c->alone, c->err);
	free(pmrows.v);
	free(hbuf);
	return rc;
}

/* Every domain's coverage category. */
static int write_coverage(ctx *c, const uint32_t *order, size_t ndom)
{
	pairs covrows = {NULL, 0, 0, c->snap};
	for (uint32_t di = 0; di < ndom; di++) {
		uint32_t d = order[di];
		uint32_t cat = coverage_of(c, d);
		pairs_push(&covrows, c->dom_db.v[d], cat);
		c->tally_cov[cat < 8 ? cat : 7]++;
		if (c->dom_nosmtp[d])
			c->sum->no_smtp++;
	}
	phase(c, "infer: writing f_coverage", covrows.n);
	tablesync_rows cr = {covrows.n, &covrows, pairs_get, &c->pg};
	int rc = tablesync_run(c->st, c->snap, &coverage_def, &cr, c->alone, c->err);
	free(covrows.v);
	return rc;
}

/* The companies written for one approach, by name id; it grows with the
 * names a decision may add. */
typedef struct {
	uint8_t *v;
	size_t n;
} seen_set;

static void seen_grow(ctx *c, seen_set *seen)
{
	size_t want = strmap_size(c->names) + 1;
	if (seen->v && seen->n >= want)
		return;
	seen->v = xrealloc(seen->v, want);
	memset(seen->v + seen->n, 0, want - seen->n);
	seen->n = want;
}

/* One domain's final answer: the hosts' answers after the heuristics,
 * then a standing domain decision.  *dreason: the decision's reason (the
 * caller frees it after the rows are written). */
static int final_shares(ctx *c, uint32_t d, share *sh, seen_set *seen, char **dreason)
{
	corr *dc = c->c_dom[d];
	*dreason = NULL;
	if (dc) {
		*dreason = corr_reason(dc, "domain");
		c->sum->corrected++;
	}
	int k = 0;
	if (dc && dc->verdict == V_SET) {
		uint32_t pid = name_of(c, dc->provider);
		seen_grow(c, seen); /* the ID may be a name first seen here */
		k = add_share(sh, 0, pid, SRC_CORRECTION, ST_CORRECTED, 0, *dreason);
	} else {
		uint32_t first = c->dom_first[d], n = c->dom_n[d];
		for (uint32_t j = 0; j < n; j++) {
			uint32_t h = c->primary.v[first + j];
			uint8_t st = c->h_status[h];
			uint32_t id = c->h_final[h];
			uint8_t src = c->h_final_src[h];
			if (dc && dc->verdict == V_SELF) {
				id = c->h_mx[h];
				src = SRC_CORRECTION;
				st = ST_CORRECTED;
			} else if (dc) {
				st = ST_CONFIRMED;
			}
			k = add_share(sh, k, id, src, st, c->h_conf[h], dc ? *dreason : c->h_reason[h]);
		}
	}
	if (k > 0)
		c->sum->answered++;
	if (k > 1)
		c->sum->split++;
	return k;
}

/* The company of every host's final answer (f_host_ev names it), also
 * when no domain kept that answer; or (bit: a raw approach) of every
 * primary MX host's ID under that approach, which are the IDs of the
 * approach's answers (derived when read: store.h, STORE_RAW_ID). */
static int write_host_companies(ctx *c, sqlite3_stmt *co, unsigned bit, seen_set *seen)
{
	int code = infer_approach_code(bit);
	for (uint32_t h = 0; h < c->nhosts; h++) {
		uint8_t src;
		uint32_t id = bit ? chain_id(c, h, bit, &src) : c->h_final[h];
		if (!c->h_domains[h] || id == NONE || (id < seen->n && seen->v[id]))
			continue;
		const char *company_name = company(c, id);
		uint32_t db;
		if (!company_name)
			continue;
		if (provider_db(c, id, &db) < 0)
			return -1;
		seen_grow(c, seen);
		seen->v[id] = 1;
		sqlite3_reset(co);
		sqlite3_bind_int(co, 2, code);
		sqlite3_bind_int64(co, 3, db);
		sqlite3_bind_text(co, 4, company_name, -1, SQLITE_STATIC);
		if (sqlite3_step(co) != SQLITE_DONE)
			return dberr(c, "writing results");
	}
	return 0;
}

/* A raw approach: its answers are derived when read from f_primary_mx and
 * f_host_ev; f_raw records that the snapshot has them, f_company the
 * companies of their IDs. */
static int write_raw(ctx *c, unsigned bit, sqlite3_stmt *co)
{
	seen_set seen = {NULL, 0};
	seen_grow(c, &seen);
	int rc = write_host_companies(c, co, bit, &seen);
	free(seen.v);
	sqlite3_stmt *s = rc ? NULL : prepare_id(c, "INSERT OR IGNORE INTO f_raw(snap, approach) VALUES(?1, ?2)");
	if (s) {
		sqlite3_bind_int(s, 2, infer_approach_code(bit));
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = dberr(c, "writing results");
		sqlite3_finalize(s);
	} else {
		rc = -1;
	}
	return rc;
}

/* The final answers, in the result table's key order (approach, domain,
 * provider), which SQLite writes several times faster than rows that
 * jump. */
static int write_final(ctx *c, const uint32_t *order, size_t ndom, sqlite3_stmt *co)
{
	int code = infer_approach_code(0);
	seen_set seen = {NULL, 0};
	seen_grow(c, &seen);
	resrows rows = {NULL, 0, 0, c->snap, code};
	char **reasons = NULL; /* the domain decisions' reasons, alive until written */
	size_t nreasons = 0;
	size_t shcap = 16;
	share *sh = xmalloc(shcap * sizeof *sh);
	int rc = 0;
	phase(c, "infer: final answers", ndom);
	for (uint32_t di = 0; di < ndom && rc == 0; di++) {
		uint32_t d = order[di];
		if ((di & 4095) == 0)
			progress_update(&c->pg, di, di, "domains");
		if (c->dom_n[d] + 1 > shcap) { /* + 1: a domain decision may add an ID to none */
			shcap = (c->dom_n[d] + 1) * 2;
			sh = xrealloc(sh, shcap * sizeof *sh);
		}
		char *dreason = NULL;
		int k = final_shares(c, d, sh, &seen, &dreason);
		rc = write_result(c, &rows, co, seen.v, code, c->dom_db.v[d], sh, k);
		if (dreason) {
			reasons = xrealloc(reasons, (nreasons + 1) * sizeof *reasons);
			reasons[nreasons++] = dreason;
		}
	}
	if (rc == 0) {
		/* the stored answers of this approach; the others' are gone */
		char only[32];
		snprintf(only, sizeof only, "approach = %d", code);
		const tablesync_table def = {"f_result", "snap, approach, domain, provider, weight, source, confidence,"
					     " status, reason", "approach, domain, provider",
					     "approach = ?2 AND domain = ?3 AND provider = ?4", 3, only, NULL, NULL};
		tablesync_rows sr = {rows.n, &rows, res_get, &c->pg};
		bool whole = c->alone && (c->o->approaches & INFER_ALL) == INFER_ALL;
		/* meanwhile the shares are summed (nothing here touches the
		 * names or the companies' cache until it is done) */
		sharejob shares = {c, &rows, {NULL, NULL, NULL, 0}, 0, 0};
		pthread_t t;
		bool threaded = beside(c, &t, share_sums, &shares);
		phase(c, "infer: writing f_result", rows.n);
		rc = tablesync_run(c->st, c->snap, &def, &sr, whole, c->err);
		if (threaded)
			pthread_join(t, NULL);
		if (rc == 0) {
			phase(c, "infer: writing f_share", 0);
			rc = write_shares(c, &shares);
		}
		sharejob_free(&shares);
	}
	for (size_t i = 0; i < rows.n; i++) {
		c->tally_src[rows.v[i].src < 5 ? rows.v[i].src : 0]++;
		c->tally_corrected += rows.v[i].status == ST_CONFIRMED || rows.v[i].status == ST_CORRECTED;
	}
	if (rc == 0)
		rc = write_host_companies(c, co, 0, &seen);
	free(rows.v);
	for (size_t i = 0; i < nreasons; i++)
		free(reasons[i]);
	free(reasons);
	free(seen.v);
	free(sh);
	return rc;
}

/* Work out every answer from what infer_read read: no database, no
 * terminal (it runs on another thread while the primary MX sets are
 * written).  -1 when stopped by Ctrl-C. */
static int infer_work(ctx *c)
{
	size_t nh = c->nhosts;
	c->h_mx = xcalloc(nh + 1, sizeof *c->h_mx);
	for (uint32_t h = 0; h < nh; h++) {
		const char *rd = host_rd_text(c, h);
		c->h_mx[h] = rd ? name_of_rdself(c, rd, c->host_rdself[c->host_db.v[h]]) : NONE;
	}
	count(c, c->ndoms);
	if (infer_interrupted)
		return -1;
#define HARR(f, n) c->f = xcalloc((n) + 1, sizeof *c->f)
	HARR(h_conf, nh);
	HARR(h_cert, nh);
	HARR(h_banner, nh);
	HARR(h_final, nh);
	HARR(h_sugg, nh);
	HARR(h_final_src, nh);
	HARR(h_status, nh);
	HARR(h_cert_note, nh);
	HARR(h_banner_note, nh);
	HARR(h_heur, nh);
	HARR(h_reason, nh);
	HARR(h_corr, nh);
#undef HARR
	for (uint32_t h = 0; h < nh; h++) {
		if ((h & 16383) == 0 && infer_interrupted) /* SQLite's steps check it elsewhere */
			return -1;
		if (!c->h_domains[h])
			continue;
		evidence(c, h);
		decide(c, h);
		correct_host(c, h);
	}
	return 0;
}

typedef struct {
	ctx *c;
	int rc;
} workjob;

static void *find_evidence_names(void *arg);

/* The answers, and then the name ids of the evidence (the writing of the
 * primary MX sets takes longer than both). */
static void *work_thread(void *arg)
{
	workjob *w = arg;
	ctx *c = w->c;
	w->rc = infer_work(c);
	if (w->rc == 0) {
		/* every name id has its entry in name_db */
		size_t nn = strmap_size(c->names) + 1;
		if (nn > c->name_db_cap) {
			c->name_db = xrealloc(c->name_db, nn * sizeof *c->name_db);
			memset(c->name_db + c->name_db_cap, 0, (nn - c->name_db_cap) * sizeof *c->name_db);
			c->name_db_cap = nn;
		}
		find_evidence_names(c);
	}
	return NULL;
}

/* The name table's id of every name the evidence rows give (each host's
 * provider IDs, each primary address's certificate group) looked up in
 * the names read (name_find_db: most are there; the rest stay 0, for
 * provider_db to add in its own order), on another thread after the
 * answers (work_thread): the writing of the primary MX sets touches
 * neither c->name_db nor the names.  At 1M domains the look-ups take
 * 0.12-0.14 s. */
static void *find_evidence_names(void *arg)
{
	ctx *c = arg;
	for (uint32_t h = 0; h < c->nhosts && !infer_interrupted; h++) {
		if (!c->h_domains[h])
			continue;
		uint32_t ids[5] = {c->h_mx[h], c->h_cert[h], c->h_banner[h], c->h_final[h], c->h_sugg[h]};
		for (int i = 0; i < 5; i++)
			if (ids[i] != NONE && !c->name_db[ids[i]]) {
				uint32_t db = name_find_db(c, nm(c, ids[i]));
				c->name_db[ids[i]] = db == NONE ? 0 : db;
			}
	}
	for (uint32_t ip = 0; ip < c->nips && !infer_interrupted; ip++)
		if (c->ip_primary[ip] && c->ip_group[ip] != NONE) {
			uint32_t id = group_id(c, c->ip_group[ip]);
			if (id != NONE && !c->name_db[id]) {
				uint32_t db = name_find_db(c, nm(c, id));
				c->name_db[id] = db == NONE ? 0 : db;
			}
		}
	return NULL;
}

/* Work out the answers (infer_work) and write them: the answers, and the
 * name ids of the evidence, on another thread while the primary MX sets
 * are written, which need neither (at 1M domains 0.35-0.5 s of work
 * beside 0.5 s of writing). */
static int write_all(ctx *c, size_t ndom)
{
	if (tablesync_define(c->st, c->err) < 0 || clear_results(c) < 0 ||
	    rawkeep_begin(&c->keep, c->st, c->snap, c->o->approaches, c->err) < 0)
		return -1;
	workjob work = {c, 0};
	pthread_t t;
	bool threaded = beside(c, &t, work_thread, &work);
	uint32_t *order = domain_order(c, ndom);
	int rc = write_primary(c, order, ndom);
	if (threaded) {
		phase(c, "infer: deciding", 0);
		pthread_join(t, NULL);
	}
	if (rc == 0 && work.rc < 0)
		rc = stopped(c);
	if (rc < 0) {
		free(order);
		return -1;
	}
	evjob ev = {c, {0}, {0}};
	threaded = beside(c, &t, evidence_rows, &ev);
	rc = write_coverage(c, order, ndom);
	if (threaded) {
		phase(c, "infer: evidence rows", 0);
		pthread_join(t, NULL);
	}
	if (rc == 0)
		rc = write_evidence(c, &ev);
	evjob_free(&ev);
	if (rc == 0)
		rc = rawkeep_end(&c->keep);
	sqlite3_stmt *co = prepare_id(c, "INSERT INTO f_company(snap, approach, provider, company) VALUES(?1,?2,?3,?4)");
	if (!co)
		rc = -1;
	/* the raw approaches in code order, the final answers last */
	phase(c, "infer: companies of the approaches", 0);
	for (unsigned bit = INFER_MX; bit <= INFER_PRIORITY && rc == 0; bit <<= 1)
		if (c->o->approaches & bit)
			rc = write_raw(c, bit, co);
	if (rc == 0)
		rc = write_final(c, order, ndom, co);
	if (rc == 0)
		rc = write_tally(c);
	free(order);
	sqlite3_finalize(co);
	return rc;
}

static int record_runs(ctx *c, uint64_t ndom, double secs)
{
	char params[160];
	snprintf(params, sizeof params, "{\"threshold\":%u,\"heuristics\":\"%s\"}", c->o->threshold,
		 infer_heuristics_names[c->o->heuristics]);
	sqlite3_stmt *s = prepare(c, "INSERT INTO run(snapshot, approach, kb_digest, kb_origin, psl, params, at,"
				     " domains, seconds) VALUES(?1,?2,?3,?4,?5,?6,"
				     " strftime('%Y-%m-%dT%H:%M:%fZ','now'),?7,?8)");
	if (!s)
		return -1;
	for (unsigned bit = 1; bit <= INFER_PRIORITY; bit <<= 1) {
		if (!(c->o->approaches & bit))
			continue;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 2, infer_approach_name(bit), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c->o->kb->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, c->o->kb->origin, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, domain_psl_source(), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, params, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, (sqlite3_int64)ndom);
		sqlite3_bind_double(s, 8, secs);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return dberr(c, "recording the run");
		}
	}
	sqlite3_finalize(s);
	return 0;
}

static void ctx_free(ctx *c)
{
	progress_end(&c->pg);
	scanread sr;
	if (scan_ahead_take(c, &sr, true)) /* a run that failed before the scans */
		scanread_free(&sr);
	for (size_t h = 0; h < c->nhosts; h++) {
		if (c->h_cert_note)
			free(c->h_cert_note[h]);
		if (c->h_banner_note)
			free(c->h_banner_note[h]);
		if (c->h_heur)
			free(c->h_heur[h]);
		if (c->h_reason)
			free(c->h_reason[h]);
	}
	for (size_t i = 0; i < c->ncorrs; i++) {
		free(c->corrs[i].provider);
		free(c->corrs[i].note);
	}
	void *arrays[] = {c->ip_live, c->ip_primary, c->ip_scan, c->dom_cov, c->ip_asn, c->ip_banner, c->ip_ehlo, c->ip_cert_first,
			  c->ip_cert_n, c->ip_numip, c->ip_stamp, c->ip_group, c->certnames.v, c->host_first,
			  c->host_n, c->hostips.v, c->host_live, c->name_rd, c->rd_cnt, c->rd_stamp, c->mxrd_cnt, c->mxrd_stamp, c->uf,
			  c->group_best, c->group_cnt, c->group_stamp, c->dom_first, c->dom_n, c->dom_nosmtp,
			  c->primary.v, c->h_domains, c->h_conf, c->h_mx, c->h_cert, c->h_banner, c->h_final,
			  c->h_final_src, c->h_status, c->h_cert_note, c->h_banner_note, c->h_heur, c->h_reason,
			  c->h_corr, c->c_ip, c->c_host, c->c_dom, c->corrs, c->host_minpref, c->host_maxpref, c->h_sugg, c->co_cache};
	for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		free(arrays[i]);
	strmap_free(c->names);
	free(c->ip_addr);
	free(c->ip_by_addr);
	free(c->host_of);
	free(c->host_rd);
	free(c->host_rdself);
	free(c->nsorted);
	free(c->nbucket);
	free(c->nrank);
	free(c->dom_db.v);
	free(c->ntext);
	free(c->ntext_arena);
	free(c->host_db.v);
	free(c->name_db);
	free(c->mrows);
}


/* One phase of reading a table whole, its pages through a memory map
 * (store_map_reads), unmapped after: the mapped pages count in the
 * resident memory, and the peak comes later, in deciding and writing,
 * which read little.  At 1M domains: 4.61 s against 4.79 s read (means
 * of three alternating runs), peak 416 against 436 MB.  The whole file
 * mapped throughout saved as much, but raised the peak by 165 MB (at
 * 10M, 1.6 GB: over the 4 GB target). */
static int read_mapped(ctx *c, const char *label, int (*load)(ctx *))
{
	phase(c, label, 0);
	store_map_reads(c->st, true);
	int rc = load(c);
	store_map_reads(c->st, false);
	return rc;
}

/* Read the snapshot: everything the answers are worked out from (infer_work). */
static int infer_read(ctx *c)
{
	const infer_opts *o = c->o;
	int derived = store_snapshot_derived(c->st, o->snapshot, c->err);
	if (derived < 0)
		return -1;
	if (!derived) {
		*c->err = xasprintf("snapshot %s has imported files whose MX addresses and ASNs were never resolved "
				    "(the import was stopped before its last step); finish it with "
				    "'mxray import --snapshot %s' (no files), then run infer again",
				    o->snapshot, o->snapshot);
		return -1;
	}
	c->snap = store_snapshot_id(c->st, o->snapshot);
	/* the scans on another thread meanwhile, once this run's read
	 * transaction is under way (the reads above) */
	scan_ahead_start(c, !c->nested);
	if (read_mapped(c, "infer: reading names", load_names) < 0 ||
	    read_mapped(c, "infer: reading MX addresses", load_hosts) < 0)
		return -1;
	alloc_ip_arrays(c);
	if (read_mapped(c, "infer: reading MX records", read_mx) < 0 ||
	    read_mapped(c, "infer: reading scans", load_scans) < 0)
		return -1;
	phase(c, "infer: primary MX of each domain", 0);
	if (load_domains(c) < 0)
		return -1;
	c->sum->domains = c->ndoms;
	free(c->nrank);
	c->nrank = NULL;
	return load_corrections(c);
}


/* Times the answers are worked out again when another process commits
 * while they are read; the last time the write lock is taken first. */
#define INFER_TRIES 3

/* The answers are worked out from one state of the database: it is read
 * in a read transaction (other processes keep writing meanwhile), and the
 * answers are worked out and written only when, under the write lock,
 * nothing was committed since that state (PRAGMA data_version); they are
 * worked out while the first table is written (write_all).  Otherwise it
 * is read again; the last try takes the write lock before
 * reading, so an import, another infer or the desk's decisions wait for
 * the whole run rather than come between.  Without this, an import of
 * the same snapshot committed while infer read it left answers worked out
 * from both states: in one trial at 1M domains, 445 domains answered
 * differently from a run on either, with nothing said. */
int infer_run(store *st, const infer_opts *o, infer_summary *sum, char **err)
{
	double t0 = mx_clock_s();
	memset(sum, 0, sizeof *sum);
	const char *why;
	if (!domain_init(&why)) {
		*err = xstrdup(why);
		return -1;
	}
	/* inside the caller's transaction, its state is the one read */
	bool nested = !sqlite3_get_autocommit(store_db(st));
	store_stop_on(st, &infer_interrupted);
	ctx c;
	int rc = -1;
	bool writing = false;
	for (int attempt = 0;; attempt++) {
		memset(&c, 0, sizeof c);
		c.o = o;
		c.st = st;
		c.err = err;
		c.sum = sum;
		c.names = strmap_new();
		c.nested = nested;
		memset(sum, 0, sizeof *sum);
		bool locked = nested || attempt == INFER_TRIES - 1, own = false;
		int64_t seen = 0;
		if (!locked && store_read_enter(st, &own, err) < 0)
			break;
		/* a statement of the caller under way holds an older state: the
		 * write lock could not be waited for (SQLite refuses at once), so
		 * say what is wrong rather than "database is locked" (no caller
		 * does this; the desk has none under way when it applies) */
		if (!locked && !own) {
			*err = xstrdup("infer needs a connection with no statement under way");
			break;
		}
		if (locked && store_begin(st, err) < 0)
			break;
		if (!locked && (seen = store_data_version(st, err)) < 0) {
			store_read_end(st);
			break;
		}
		if (infer_read(&c) < 0) {
			if (locked)
				store_rollback(st);
			else
				store_read_end(st);
			break;
		}
		if (o->test && o->test->after_read)
			o->test->after_read(o->test->arg, locked);
		writing = true;
		if (!locked) {
			store_read_end(st);
			int64_t now;
			if (store_begin(st, err) < 0)
				break;
			if ((now = store_data_version(st, err)) < 0) {
				store_rollback(st);
				break;
			}
			if (infer_interrupted) { /* said below */
				stopped(&c);
				store_rollback(st);
				break;
			}
			if (now != seen) {
				store_rollback(st);
				if (o->log) /* with --quiet too: a run that took longer says why */
					fprintf(o->log, "infer %s: the database changed while it was read: reading it again\n",
						o->snapshot);
				ctx_free(&c);
				writing = false;
				continue;
			}
		}
		/* provider IDs are looked up by name as they are written: the
		 * name index back first, should an import have dropped it (one
		 * that is still loading holds the write lock, so it was not
		 * there to build at open) */
		if (store_name_index(st, true, NULL, err) < 0 || write_all(&c, c.ndoms) < 0 ||
		    record_runs(&c, c.ndoms, mx_clock_s() - t0) < 0) {
			store_rollback(st);
			break;
		}
		phase(&c, "infer: committing", 0);
		if (store_commit(st, err) < 0) {
			store_rollback(st);
			break;
		}
		progress_end(&c.pg);
		/* the planner's statistics for the answers written: after the
		 * commit, so they are kept whatever happens to them (on a
		 * failure the old ones stay, and the next import or infer tries
		 * again) */
		char *e = NULL;
		if (!infer_interrupted && store_analyze(st, &e) < 0) {
			if (o->log && !infer_interrupted) /* Ctrl-C now: all is written */
				fprintf(o->log, "warning: the planner statistics were not refreshed: %s\n", e);
			free(e);
		}
		rc = 0;
		break;
	}
	store_stop_on(st, NULL);
	if (rc < 0 && infer_interrupted && *err && strstr(*err, "interrupted")) { /* SQLite's, or ours */
		free(*err);
		*err = xstrdup("interrupted; nothing of this run was written (the snapshot's earlier answers stay)");
	} else if (rc < 0 && writing && *err) { /* a full disk, say: what was not written */
		char *e = xasprintf("%s; nothing of this run was written (the snapshot's earlier answers stay)", *err);
		free(*err);
		*err = e;
	}
	sum->seconds = mx_clock_s() - t0;
	ctx_free(&c);
	return rc;
}

int infer_has_results(store *st, const char *snapshot, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_ip_ev WHERE snap = (SELECT id FROM snapshot WHERE date = ?1) LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	return store_read_done(st, s, found ? SQLITE_DONE : rc, err) < 0 ? -1 : found;
}

int infer_last_threshold(store *st, const char *snapshot, unsigned *threshold, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT json_extract(params, '$.threshold') FROM run WHERE snapshot = ?1"
					    " ORDER BY id DESC LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER;
	if (found)
		*threshold = (unsigned)sqlite3_column_int(s, 0);
	return store_read_done(st, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, err) < 0 ? -1 : found;
}

