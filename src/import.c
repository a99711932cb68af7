/* import: file reading, per-kind record handlers, problem reporting,
 * transactions, and the derived tables. */
#include "mxray/import.h"
#include "mxray/asorg.h"
#include "mxray/csv.h"
#include "mxray/dns.h"
#include "mxray/infile.h"
#include "mxray/jsonfast.h"
#include "mxray/jsonl.h"
#include "mxray/jsonprune.h"
#include "mxray/names.h"
#include "mxray/openintel_avro.h"
#include "mxray/pfx2as.h"
#include "mxray/progress.h"
#include "mxray/readahead.h"
#include "mxray/scan.h"
#include "mxray/stats.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const import_kind_names[] = {"targets", "dns", "scans", "pfx2as", "asorg"};

atomic_int import_interrupted;

/* Lines longer than this are reported and skipped without being held. */
#define LINE_MAX_BYTES INFILE_LINE_MAX

/* ---- bulk rows ---------------------------------------------------------- */

/* A fact row kept until the end of its file, then written in key order.
 * seq numbers the input record it came from, so that a record counts as
 * imported when any of its rows was new. */
typedef struct {
	uint32_t k[3];
	uint32_t seq;
} frow;

typedef struct {
	frow *v;
	size_t n, cap;
} frows;

static void frows_push(frows *f, uint32_t a, uint32_t b, uint32_t c, uint32_t seq)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4096;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n++] = (frow){{a, b, c}, seq};
}

_Static_assert(sizeof(frow) == 4 * sizeof(uint32_t), "a frow is four words");

/* In key order (the first nkeys words), and in file order (seq) within
 * a key: the rows are pushed in file order and the sort is stable, so seq
 * need not be sorted on (two of the 16-bit passes fewer). */
static void frows_sort(frows *f, int nkeys)
{
	mx_sort_u32x4((uint32_t(*)[4])(void *)f->v, f->n, nkeys);
}

/* ---- what the derive step reads, kept from the run ---------------------
 *
 * A run of imports (import_run) keeps a copy of the rows it writes to the
 * largest tables the derive step reads (f_target, f_mx, f_a, f_scan,
 * f_asn), so that the step need not read them back.  A table's copy
 * stands only when the snapshot had no rows in it before the run first
 * wrote to it and no other connection has committed since (PRAGMA
 * data_version); otherwise, and after a file that failed, the table is
 * read from the database as before. */
enum { DC_TARGET, DC_MX, DC_A, DC_SCAN, DC_ASN, DC_N };

typedef struct dcache {
	int state[DC_N];  /* 0 not written in this run; 1 the copy is the snapshot's rows; -1 read the table */
	/* two words a row, packed a << 32 | b: target {list, domain}, mx
	 * {domain, host}, a {host, ip}, asn {ip, 0} */
	uint64_t *pair[DC_N];
	size_t npair[DC_N];
	frows scan;       /* {ip, order written, port25 | trusted << 8 (as int8)} */
	int64_t version;  /* data_version at the run's first file; -1 before it */
	uint32_t nscan;   /* scan rows copied so far */
} dcache;

static void dcache_init(dcache *d)
{
	memset(d, 0, sizeof *d);
	d->version = -1;
}

/* Every table read from the database from here on. */
static void dcache_drop(dcache *d)
{
	for (int t = 0; t < DC_N; t++) {
		free(d->pair[t]);
		d->pair[t] = NULL;
		d->npair[t] = 0;
		d->state[t] = -1;
	}
	free(d->scan.v);
	memset(&d->scan, 0, sizeof d->scan);
}

/* With the write lock held: has another connection committed since the
 * run's first file?  Then the copies are dropped.  -1 on a database
 * error. */
static int dc_check(dcache *d, store *st, char **err)
{
	if (!d)
		return 0;
	int64_t v = store_data_version(st, err);
	if (v < 0)
		return -1;
	if (d->version < 0)
		d->version = v;
	else if (v != d->version)
		dcache_drop(d);
	return 0;
}

/* Room for n more rows in table t's copy (exactly: the copies are large). */
static void dc_reserve(dcache *d, int t, size_t n)
{
	d->pair[t] = xrealloc(d->pair[t], (d->npair[t] + n + 1) * sizeof *d->pair[t]);
}

static void dc_add(dcache *d, int t, uint32_t a, uint32_t b)
{
	d->pair[t][d->npair[t]++] = (uint64_t)a << 32 | b;
}

/* Whether rows written to table t go into the copy; empty: the snapshot
 * has no rows in the table yet (asked only at the run's first write). */
static bool dc_keep(dcache *d, int t, int empty)
{
	if (!d)
		return false;
	if (d->state[t] == 0)
		d->state[t] = empty > 0 ? 1 : -1;
	return d->state[t] == 1;
}

/* ---- reading ahead: a file's lines parsed on other threads -------------
 *
 * A DNS or scan file of JSON lines is read ahead (readahead.h): a thread
 * of its own gathers the lines into batches; two more threads parse the
 * batches (JSON and the row checks: most of the cost) into records packed
 * one after another, and this thread takes the parsed batches in file
 * order and stores them, so problems are reported, and --strict stops,
 * exactly as line by line.  The next such file of a run is read ahead,
 * with one parsing thread, while this thread still stores the files
 * before it (a database has one writer: the other core would be idle); it
 * stops at AHEAD_BUDGET bytes of batches held and goes on as they are
 * taken.  This thread is the slower, so the batches wait for it at the
 * budget: 64 MiB of them at 1M domains imported as fast as 256 MiB did
 * (6.22 against 6.20 s, four alternating pairs), with a peak of 378
 * instead of 456 MB.
 *
 * What the reader does not read (an Avro file, CSV, a scan file of JSON
 * documents) is handed back at its first line: this thread reads the rest
 * as before, and its JSON lines or records still go to the parsing
 * threads, in batches it fills itself (readahead_add).  Here: what a
 * batch is parsed into, and which files the reader reads. */
#define AHEAD_BUDGET ((size_t)64 << 20)
#define DNS_BATCH 4096
#define DNS_BATCH_BYTES (8u << 20)
#define SCAN_BATCH 2048
#define SCAN_BATCH_BYTES (16u << 20)

/* A parsing thread's scratch. */
typedef struct {
	strbuf vals[DNS_NCOLS];
	dns_row row;
	uint32_t *slot;  /* DNS: NAME_SLOTS, a batch's names by hash (index + 1, 0 free) */
	uint32_t *noff;  /* DNS: each name's offset in the batch's aux (its names) */
	strbuf pruned;
	scan_rec rec;
	char why[512];
} pscratch;

/* A batch's names, hashed: more than the names of DNS_BATCH rows (three
 * a row), twice over. */
#define NAME_SLOTS 32768
#define NO_NAME UINT32_MAX
_Static_assert(NAME_SLOTS >= 6 * DNS_BATCH, "room for a batch's names");

static void pscratch_init(pscratch *s)
{
	memset(s, 0, sizeof *s);
	for (int c = 0; c < DNS_NCOLS; c++)
		sb_init(&s->vals[c]);
	sb_init(&s->pruned);
	scan_rec_init(&s->rec);
	/* slot and noff: made by the first DNS batch (scan parsing has none) */
}

static void pscratch_free(pscratch *s)
{
	for (int c = 0; c < DNS_NCOLS; c++)
		sb_free(&s->vals[c]);
	sb_free(&s->pruned);
	scan_rec_free(&s->rec);
	free(s->slot);
	free(s->noff);
}

/* Every packed record starts with this. */
typedef struct {
	uint64_t lineno;
	uint32_t size; /* the whole record, a multiple of 8 */
} pk_head;

/* Start a packed record: its header h (hsize bytes, a pk_head first,
 * whose size is set here for `body` bytes to follow), which the caller
 * adds, then pk_pad. */
static void pk_begin(strbuf *out, void *h, size_t hsize, size_t body)
{
	((pk_head *)h)->size = (uint32_t)((hsize + body + 7) & ~(size_t)7);
	sb_add(out, h, hsize);
}

/* Pad a packed record to 8 bytes. */
static void pk_pad(strbuf *out)
{
	static const char zero[8];
	if (out->len & 7)
		sb_add(out, zero, 8 - (out->len & 7));
}

/* A parsed DNS line: this, then name, alias, target, qtype (each with its
 * NUL), or, when !ok, the problem. */
typedef struct {
	pk_head head;
	long long timestamp;
	uint32_t ip, pref, status;
	uint32_t name[3]; /* name, alias, target: indexes of the batch's names, or NO_NAME */
	uint8_t ok, kind;
} dns_pk;

/* The names of a DNS row that dns_store stores, as name, alias, target
 * (NULL: not stored). */
static void dns_names(enum dns_kind kind, const char *qtype, const char *name, const char *alias,
		      const char *target, const char *out[3])
{
	out[0] = out[1] = out[2] = NULL;
	switch (kind) {
	case DNS_ROW_MX:
	case DNS_ROW_CNAME:
		out[0] = name;
		out[2] = target;
		break;
	case DNS_ROW_A:
		out[0] = *name ? name : NULL;
		out[1] = *alias ? alias : NULL;
		break;
	case DNS_ROW_FAIL:
		out[0] = name;
		break;
	case DNS_ROW_EMPTY: /* an MX query's domain: see dns_store */
		out[0] = !strcmp(qtype, "MX") ? name : NULL;
		break;
	case DNS_ROW_AAAA:
	case DNS_ROW_OTHER:
		break;
	}
}

/* The index of name among the batch's names (added when new). */
static uint32_t batch_name(pscratch *s, readahead_batch *b, const char *name)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	for (uint32_t i = h & (NAME_SLOTS - 1);; i = (i + 1) & (NAME_SLOTS - 1)) {
		uint32_t e = s->slot[i];
		if (!e) {
			s->noff[b->naux] = (uint32_t)b->aux.len;
			sb_add(&b->aux, name, strlen(name) + 1);
			s->slot[i] = ++b->naux;
			return b->naux - 1;
		}
		if (!strcmp(b->aux.data + s->noff[e - 1], name))
			return e - 1;
	}
}

static void dns_pack_problem(strbuf *out, uint64_t lineno, const char *why)
{
	dns_pk h;
	memset(&h, 0, sizeof h);
	h.head.lineno = lineno;
	size_t n = strlen(why) + 1;
	pk_begin(out, &h, sizeof h, n);
	sb_add(out, why, n);
	pk_pad(out);
}

/* Parse one JSON line of DNS into its packed record. */
static void dns_parse_pk(pscratch *s, const char *line, size_t len, uint64_t lineno, readahead_batch *b)
{
	strbuf *out = &b->out;
	const char *vals[DNS_NCOLS];
	const char *why = NULL;
	dns_row *r = &s->row;
	/* the common plain line without a DOM; anything else through jansson */
	if (!jsonfast_flat(line, len, dns_column_names, DNS_NCOLS, vals, s->vals)) {
		bool raw;
		json_t *o = jsonl_parse(line, len, &raw, s->why, sizeof s->why);
		if (!o) {
			dns_pack_problem(out, lineno, s->why);
			return;
		}
		why = dns_json_values(o, raw, vals, s->vals, s->why, sizeof s->why);
		if (!why)
			why = dns_row_parse(vals, r, s->why, sizeof s->why);
		json_decref(o);
	} else {
		why = dns_row_parse(vals, r, s->why, sizeof s->why);
	}
	if (why) {
		dns_pack_problem(out, lineno, why);
		return;
	}
	dns_pk h;
	memset(&h, 0, sizeof h);
	h.head.lineno = lineno;
	h.timestamp = r->timestamp;
	h.ip = r->ip;
	h.pref = r->pref;
	h.status = r->status;
	h.ok = 1;
	h.kind = (uint8_t)r->kind;
	const char *names[3];
	dns_names(r->kind, r->qtype, r->name, r->alias, r->target, names);
	for (int i = 0; i < 3; i++)
		h.name[i] = names[i] ? batch_name(s, b, names[i]) : NO_NAME;
	size_t n = strlen(r->qtype) + 1;
	pk_begin(out, &h, sizeof h, n);
	sb_add(out, r->qtype, n);
	pk_pad(out);
}

/* A parsed scan record as the f_scan writer keeps it: this, then (SK_OK)
 * a chunk_rec and its texts, or (SK_PROBLEM) the problem. */
enum { SK_OK, SK_NOT_SMTP, SK_PROBLEM, SK_BAD_IP };

typedef struct {
	pk_head head;
	uint64_t recno;
	uint32_t body;  /* bytes after this */
	uint32_t ip;
	uint8_t what;   /* SK_* */
} scan_pk;

/* One record in the writer's chunk (its arena): this, then its texts one
 * after another. */
typedef struct {
	uint32_t len[6]; /* banner, ehlo, starttls, cert_cn, names, scanned_at */
	uint32_t asn;
	int8_t port25, trusted; /* trusted: -1 none */
	uint8_t present;        /* bit i: text i is given (else NULL) */
	uint8_t format;
} chunk_rec;

static void scan_pack(strbuf *out, scan_pk *h, const void *body, size_t n, const char *const text[6],
		      const uint32_t *tlen)
{
	size_t total = n;
	for (int i = 0; text && i < 6; i++)
		total += tlen[i];
	h->body = (uint32_t)total;
	pk_begin(out, h, sizeof *h, total);
	sb_add(out, body, n);
	for (int i = 0; text && i < 6; i++)
		sb_add(out, text[i], tlen[i]);
	pk_pad(out);
}

static void scan_pack_problem(strbuf *out, uint64_t lineno, uint64_t recno, uint8_t what, const char *why)
{
	scan_pk h;
	memset(&h, 0, sizeof h);
	h.head.lineno = lineno;
	h.recno = recno;
	h.what = what;
	scan_pack(out, &h, why, why ? strlen(why) + 1 : 0, NULL, NULL);
}

/* Parse one scan record (a line, or a record of a JSON document) into its
 * packed record: with the address and the certificate names worked out
 * here, not on the writing thread.  A blank line gives nothing. */
static void scan_parse_pk(pscratch *s, const char *line, size_t len, uint64_t lineno, uint64_t recno, strbuf *out)
{
	if (infile_blank(line, len))
		return;
	scan_rec *r = &s->rec;
	/* the common records (Censys legacy, ZGrab2, Censys 2.0): read without a tree */
	if (!scan_fast(line, len, r)) {
		bool raw;
		jsonl_arena_begin();
		/* most of a record is what no reader looks at: jansson gets the rest */
		bool pruned = jsonprune_scan(line, len, &s->pruned);
		json_t *o = jsonl_parse_alt(line, len, pruned ? s->pruned.data : NULL, s->pruned.len, &raw, s->why,
					    sizeof s->why);
		const char *why = o ? scan_from_json(o, raw, r, s->why, sizeof s->why) : s->why;
		json_decref(o);
		jsonl_arena_end();
		if (why) {
			scan_pack_problem(out, lineno, recno, SK_PROBLEM, why);
			return;
		}
	}
	scan_pk h;
	memset(&h, 0, sizeof h);
	h.head.lineno = lineno;
	h.recno = recno;
	if (r->not_smtp) { /* another ZGrab2 module: no port-25 evidence */
		h.what = SK_NOT_SMTP;
		scan_pack(out, &h, NULL, 0, NULL, NULL);
		return;
	}
	if (!mx_ipv4_parse(r->ip, &h.ip)) {
		scan_pack_problem(out, lineno, recno, SK_BAD_IP, NULL);
		return;
	}
	char *names = scan_names_json(r);
	const char *text[6] = {r->banner.data, r->ehlo.data, r->starttls.data, r->cert_cn.data, names,
			       r->scanned_at.data};
	/* scanned_at is text up to a NUL, as it was bound before */
	size_t tl[6] = {r->banner.len, r->ehlo.len, r->starttls.len, r->cert_cn.len, names ? strlen(names) : 0,
			r->scanned_at.len ? strlen(r->scanned_at.data) : 0};
	bool given[6] = {r->has_banner, r->has_ehlo, r->has_starttls, r->has_cert && r->cert_cn.len, names != NULL,
			 r->scanned_at.len > 0};
	chunk_rec c = {{0}, r->asn, (int8_t)r->port25,
		       (int8_t)(r->trusted == SCAN_TRUST_YES || r->trusted == SCAN_TRUST_NO ? r->trusted : -1), 0,
		       (uint8_t)r->format};
	for (int i = 0; i < 6; i++) {
		c.len[i] = given[i] ? (uint32_t)tl[i] : 0;
		if (given[i])
			c.present |= (uint8_t)(1u << i);
	}
	h.what = SK_OK;
	scan_pack(out, &h, &c, sizeof c, text, c.len);
	free(names);
}

/* The problem of a line the reader did not hold, or NULL. */
static const char *line_bad(const readahead_line *l)
{
	return l->flag == READAHEAD_TOO_LONG ? "line longer than 16 MiB"
	       : l->flag == READAHEAD_NUL    ? "NUL byte in the line"
					     : NULL;
}

/* Parse every line of a DNS batch: its records into out, the names they
 * store into aux (naux of them). */
static void dns_parse_batch(void *ctx, void *scratch, const char *text, const readahead_line *ln, size_t n,
			    readahead_batch *b)
{
	(void)ctx;
	pscratch *s = scratch;
	if (!s->slot) {
		s->slot = xmalloc(NAME_SLOTS * sizeof *s->slot);
		s->noff = xmalloc(3 * DNS_BATCH * sizeof *s->noff);
	}
	memset(s->slot, 0, NAME_SLOTS * sizeof *s->slot);
	for (size_t i = 0; i < n; i++) {
		const readahead_line *l = &ln[i];
		const char *bad = line_bad(l);
		if (bad)
			dns_pack_problem(&b->out, l->lineno, bad);
		else
			dns_parse_pk(s, text + l->off, l->len, l->lineno, b);
	}
}

/* Parse every record of a scan batch into out. */
static void scan_parse_batch(void *ctx, void *scratch, const char *text, const readahead_line *ln, size_t n,
			     readahead_batch *b)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		const readahead_line *l = &ln[i];
		const char *bad = line_bad(l);
		if (bad)
			scan_pack_problem(&b->out, l->lineno, l->recno, SK_PROBLEM, bad);
		else
			scan_parse_pk(scratch, text + l->off, l->len, l->lineno, l->recno, &b->out);
	}
}

static void *pscratch_new(void *ctx)
{
	(void)ctx;
	pscratch *s = xmalloc(sizeof *s);
	pscratch_init(s);
	return s;
}

static void pscratch_del(void *ctx, void *scratch)
{
	(void)ctx;
	pscratch_free(scratch);
	free(scratch);
	jsonl_arena_release();
}

/* An Avro file is read by do_avro. */
static bool ahead_takes_file(void *ctx, const void *head, size_t n)
{
	(void)ctx;
	return !oi_avro_sniff(head, n);
}

/* What the first line that is not blank says of a file (do_dns and
 * do_scan decide by it; the reader reads ahead what they read as lines):
 * DNS as JSON lines (else CSV) when it starts with '{'; scans as a JSON
 * document when it starts with '[' or is a lone '{' (else JSON lines). */
static bool dns_json_line(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] == '{';
}

static bool scan_doc_start(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t n = len;
	while (n > i && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	return i < len && (line[i] == '[' || (n - i == 1 && line[i] == '{'));
}

static bool dns_takes(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	return dns_json_line(line, len);
}

static bool scan_takes(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	return !scan_doc_start(line, len);
}

static const readahead_ops dns_ahead = {
	.takes_file = ahead_takes_file, .takes = dns_takes, .scratch_new = pscratch_new, .scratch_free = pscratch_del,
	.parse = dns_parse_batch, .batch_lines = DNS_BATCH, .batch_bytes = DNS_BATCH_BYTES, .budget = AHEAD_BUDGET};
static const readahead_ops scan_ahead = {
	.takes_file = ahead_takes_file, .takes = scan_takes, .scratch_new = pscratch_new, .scratch_free = pscratch_del,
	.parse = scan_parse_batch, .batch_lines = SCAN_BATCH, .batch_bytes = SCAN_BATCH_BYTES, .budget = AHEAD_BUDGET};

/* Start reading kind's file ahead: path (opened by the reader), or f
 * (opened here, now owned).  threads: parsing threads allowed to work. */
static readahead *ahead_start(int kind, const char *path, infile *f, int threads)
{
	json_decref(json_object()); /* jansson seeds its hash on first use: here, not in a thread */
	return readahead_start(kind == IMPORT_DNS ? &dns_ahead : &scan_ahead, NULL, path, f, threads);
}

/* ---- per-file context ------------------------------------------------- */

typedef struct {
	store *st;
	const import_opts *o;
	const import_input *in;
	const char *name;    /* shown in messages */
	import_counts *c;
	uint64_t lineno;     /* of the record being handled */
	char errbuf[512];
	char **err;
	bool abort;          /* strict-mode stop */
	/* DNS */
	long long snapshot_day;  /* days since 1970-01-01 */
	int dns_mode;        /* 0 unknown, 1 JSONL, 2 CSV */
	int csv_index[DNS_NCOLS];
	size_t csv_nfields;
	csv_record rec;
	strbuf pending;      /* CSV record spanning lines, joined with '\n' */
	uint64_t pending_line;
	size_t pending_n;    /* physical lines in pending */
	/* scans */
	int scan_mode;       /* 0 undecided, 1 JSON lines, 2 JSON document(s) */
	struct scan_doc *doc;
	sqlite3_stmt *scan_ins; /* the f_scan upsert (cached by the store) */
	struct scan_chunk *chunk; /* parsed records waiting to be written */
	struct scantext *texts; /* the shared scan texts' ids, once a row needs one */
	frows scan_asn;      /* the records' ASNs: {ip, record, asn}, seq = record */
	uint8_t *scan_changed; /* per record of the file: its f_scan or f_asn row changed */
	uint32_t nscan;      /* records of the file so far */
	/* as2org */
	enum asorg_section section;
	/* the compact store */
	names *nm;
	int64_t snap;        /* snapshot id */
	int64_t list;        /* target list id */
	frows mx, a, cname, tgt, fail;
	uint32_t nseq;       /* data records buffered so far */
	uint32_t nfail;      /* failed lookups buffered so far */
	strmap *qtypes;      /* query types of failed lookups */
	readahead *ah;       /* DNS, scans: the parsing threads (and reader) */
	uint32_t *bref;      /* a parsed batch's names, interned */
	const char **bnames; /* and their texts */
	uint32_t nbref;
	strbuf tnames;       /* targets: names read, not yet interned */
	uint32_t ntnames;
	dcache *dc;          /* the run's copy for the derive step, or NULL */
} fctx;

/* Report a bad record.  Returns -1 when the import must stop (strict). */
static int problem(fctx *x, const char *reason)
{
	x->c->skipped++;
	if (x->o->strict) {
		*x->err = xasprintf("%s:%llu: %s", x->name, (unsigned long long)x->lineno, reason);
		x->abort = true;
		return -1;
	}
	if (x->c->skipped <= (uint64_t)x->o->max_reported)
		fprintf(x->o->log, "%s:%llu: %s\n", x->name, (unsigned long long)x->lineno, reason);
	return 0;
}

/* Run a write; count whether it changed anything.  -1 on database error. */
static int write_row(fctx *x, sqlite3_stmt *s, int *changed)
{
	int n = store_step_write(x->st, s, x->err);
	if (n < 0) {
		x->abort = true;
		return -1;
	}
	*changed += n;
	return 0;
}

static void count_row(fctx *x, int changed)
{
	if (changed)
		x->c->imported++;
	else
		x->c->duplicates++;
}

static sqlite3_stmt *prep(fctx *x, const char *sql)
{
	sqlite3_stmt *s = store_prepare(x->st, sql, x->err);
	if (!s)
		x->abort = true;
	return s;
}

/* ---- targets ---------------------------------------------------------- */

/* Targets' names are interned TARGET_BATCH at a time (intern_text). */
#define TARGET_BATCH 4096

/* The n names one after another in text (each NUL-terminated) interned
 * all at once (names_ref_many), their references into x->bref: most are
 * new, and each one's slot in the table is a cache miss (a DNS file's 1.5M
 * names at 1M domains: 0.22-0.32 s against 0.34-0.57 s one by one; the
 * 15.4M names at 10M: 3.87/4.02 s against 7.28/6.82 s). */
static void intern_text(fctx *x, const char *text, uint32_t n)
{
	if (x->nbref < n) {
		x->nbref = n;
		x->bref = xrealloc(x->bref, x->nbref * sizeof *x->bref);
		x->bnames = xrealloc(x->bnames, x->nbref * sizeof *x->bnames);
	}
	for (uint32_t i = 0; i < n; i++) {
		x->bnames[i] = text;
		text += strlen(text) + 1;
	}
	names_ref_many(x->nm, x->bnames, n, x->bref);
}

/* The names read since the last call, interned, one f_target row each
 * (in file order: the rows' seq). */
static void targets_intern(fctx *x)
{
	if (!x->ntnames)
		return;
	intern_text(x, x->tnames.data, x->ntnames);
	for (uint32_t i = 0; i < x->ntnames; i++)
		frows_push(&x->tgt, x->bref[i], 0, 0, x->nseq++);
	x->ntnames = 0;
	x->tnames.len = 0;
}

static int do_target(fctx *x, char *line, size_t len)
{
	/* Accept "domain", "rank,domain" (Alexa/Tranco) and '#' comments. */
	char *hash = memchr(line, '#', len);
	if (hash)
		len = (size_t)(hash - line);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	size_t off = 0;
	while (off < len && (line[off] == ' ' || line[off] == '\t'))
		off++;
	for (size_t i = off; i < len; i++)
		if (line[i] == ',')
			off = i + 1;
	if (off >= len)
		return 0;
	char name[MX_NAME_MAX + 2];
	const char *why = mx_name_norm(line + off, len - off, name);
	if (!why && !strcmp(name, "."))
		why = "the root name is not a domain";
	if (why)
		return problem(x, why);
	sb_add(&x->tnames, name, strlen(name) + 1);
	if (++x->ntnames == TARGET_BATCH)
		targets_intern(x);
	return 0;
}

/* ---- DNS -------------------------------------------------------------- */

/* A DNS row to store, its names (as dns_names gives them) interned:
 * name, alias, target, NO_NAME for none. */
typedef struct {
	enum dns_kind kind;
	uint32_t name[3];
	const char *qtype;
	unsigned pref;
	uint32_t ip;
	unsigned status;
} dns_ref;

static int dns_store(fctx *x, const dns_ref *r)
{
	switch (r->kind) {
	case DNS_ROW_MX:
		frows_push(&x->mx, r->name[0], r->name[2], (uint32_t)r->pref, x->nseq++);
		return 0;
	case DNS_ROW_A:
		for (int k = 0; k < 2; k++) /* name, and alias */
			if (r->name[k] != NO_NAME)
				frows_push(&x->a, r->name[k], r->ip, 0, x->nseq);
		x->nseq++;
		return 0;
	case DNS_ROW_CNAME:
		frows_push(&x->cname, r->name[0], r->name[2], 0, x->nseq++);
		return 0;
	case DNS_ROW_FAIL:
		/* counted as a failed lookup, not as data; the last status of a
		 * name and type wins (seq keeps the file's order) */
		x->c->failed++;
		frows_push(&x->fail, r->name[0], strmap_intern(x->qtypes, r->qtype, NULL), r->status, x->nfail++);
		return 0;
	case DNS_ROW_AAAA:
	case DNS_ROW_OTHER:
		x->c->ignored++;
		return 0;
	case DNS_ROW_EMPTY:
		/* NODATA.  For an MX query the domain has no MX, and is still a
		 * domain of the snapshot: it is kept with the failed lookups, as
		 * status 0 (NOERROR), which no failure has.  Counted as an empty
		 * answer, not as a failure; the last status of a name wins. */
		x->c->empty++;
		if (r->name[0] != NO_NAME) /* an MX query (dns_names) */
			frows_push(&x->fail, r->name[0], strmap_intern(x->qtypes, r->qtype, NULL), 0, x->nfail++);
		return 0;
	}
	return 0;
}

/* The failed lookups, in key order; for a name and type seen more than
 * once the last status stands, as the file said it. */
static int write_failures(fctx *x)
{
	frows *f = &x->fail;
	if (!f->n)
		return 0;
	size_t nq = strmap_size(x->qtypes);
	/* query types in name order, so that the sort is the table's key order */
	uint32_t *rank = xmalloc(nq * sizeof *rank);
	for (uint32_t q = 0; q < nq; q++) {
		rank[q] = 0;
		for (uint32_t o = 0; o < nq; o++)
			rank[q] += strcmp(strmap_key(x->qtypes, o), strmap_key(x->qtypes, q)) < 0;
	}
	for (size_t i = 0; i < f->n; i++) {
		f->v[i].k[0] = (uint32_t)names_dbid(x->nm, f->v[i].k[0]);
		f->v[i].k[1] = rank[f->v[i].k[1]];
	}
	uint32_t *by_rank = xmalloc(nq * sizeof *by_rank);
	for (uint32_t q = 0; q < nq; q++)
		by_rank[rank[q]] = q;
	/* by name, type and file order: ignore the status when sorting */
	for (size_t i = 0; i < f->n; i++) {
		uint32_t st = f->v[i].k[2];
		f->v[i].k[2] = f->v[i].seq;
		f->v[i].seq = st;
	}
	frows_sort(f, 3); /* the third word is the file order */
	int rc = 0;
	sqlite3_stmt *s = prep(x, "INSERT INTO f_lookup_fail(snap, name, qtype, rcode) VALUES(?1,?2,?3,?4) "
			       "ON CONFLICT DO UPDATE SET rcode = excluded.rcode WHERE rcode <> excluded.rcode");
	if (!s)
		rc = -1;
	for (size_t i = 0; i < f->n && rc == 0; i++) {
		/* only the last of a name and type matters */
		if (i + 1 < f->n && f->v[i + 1].k[0] == f->v[i].k[0] && f->v[i + 1].k[1] == f->v[i].k[1])
			continue;
		int changed = 0;
		sqlite3_bind_int64(s, 1, x->snap);
		sqlite3_bind_int64(s, 2, f->v[i].k[0]);
		sqlite3_bind_text(s, 3, strmap_key(x->qtypes, by_rank[f->v[i].k[1]]), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, f->v[i].seq);
		rc = write_row(x, s, &changed);
	}
	free(rank);
	free(by_rank);
	free(f->v);
	memset(f, 0, sizeof *f);
	x->nfail = 0;
	return rc;
}

/* 1 when the snapshot (and list) has no rows in the table yet, 0 when it
 * has, -1 on a database error. */
static int snapshot_empty(fctx *x, const char *sql)
{
	sqlite3_stmt *s = prep(x, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, x->snap);
	sqlite3_bind_int64(s, 2, x->list);
	int rc = sqlite3_step(s), v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_reset(s);
	if (v < 0) {
		*x->err = store_db_error(store_db(x->st), "database error");
		x->abort = true;
	}
	return v;
}

/* The distinct rows of one table (keep: their indexes) for mxray_rows. */
typedef struct {
	fctx *x;
	frows *f;
	int table; /* 0 target, 1 mx, 2 a, 3 cname */
	uint32_t *keep;
	size_t nkeep;
} bulk_ctx;

static void bulk_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	const bulk_ctx *b = cx;
	const frow *r = &b->f->v[b->keep[row]];
	if (col == 0) {
		sqlite3_result_int64(out, b->x->snap);
		return;
	}
	if (b->table == 0) { /* snap, list, domain */
		if (col == 1)
			sqlite3_result_int64(out, b->x->list);
		else if (col == 2)
			sqlite3_result_int64(out, r->k[0]);
		else
			sqlite3_result_null(out);
		return;
	}
	if (col <= 3)
		sqlite3_result_int64(out, r->k[col - 1]);
	else
		sqlite3_result_null(out);
}

/* Write the buffered rows of the file in key order; a record counts as
 * imported when one of its rows was new, else as already present. */
static int bulk_write(fctx *x)
{
	targets_intern(x);
	if (names_flush(x->nm, x->st, x->err) < 0) {
		x->abort = true;
		return -1;
	}
	uint8_t *changed = xcalloc(x->nseq + 1, 1);
	static const char *const sql[] = {
		"INSERT OR IGNORE INTO f_target(snap, list, domain) VALUES(?1,?2,?3)",
		"INSERT OR IGNORE INTO f_mx(snap, domain, host, pref) VALUES(?1,?2,?3,?4)",
		"INSERT OR IGNORE INTO f_a(snap, host, ip) VALUES(?1,?2,?3)",
		"INSERT OR IGNORE INTO f_cname(snap, name, target) VALUES(?1,?2,?3)",
	};
	static const char *const bulk_sql[] = {
		"INSERT INTO f_target(snap, list, domain) SELECT c0, c1, c2 FROM mxray_rows(?1)",
		"INSERT INTO f_mx(snap, domain, host, pref) SELECT c0, c1, c2, c3 FROM mxray_rows(?1)",
		"INSERT INTO f_a(snap, host, ip) SELECT c0, c1, c2 FROM mxray_rows(?1)",
		"INSERT INTO f_cname(snap, name, target) SELECT c0, c1, c2 FROM mxray_rows(?1)",
	};
	static const char *const empty_sql[] = {
		"SELECT NOT EXISTS (SELECT 1 FROM f_target WHERE snap = ?1 AND list = ?2)",
		"SELECT NOT EXISTS (SELECT 1 FROM f_mx WHERE snap = ?1)",
		"SELECT NOT EXISTS (SELECT 1 FROM f_a WHERE snap = ?1)",
		"SELECT NOT EXISTS (SELECT 1 FROM f_cname WHERE snap = ?1)",
	};
	/* which key columns are name references */
	static const bool is_name[4][2] = {{true, false}, {true, true}, {true, false}, {true, true}};
	frows *tabs[] = {&x->tgt, &x->mx, &x->a, &x->cname};
	int rc = write_failures(x);
	for (int t = 0; t < 4 && rc == 0; t++) {
		frows *f = tabs[t];
		if (!f->n)
			continue;
		for (size_t i = 0; i < f->n; i++)
			for (int k = 0; k < 2; k++)
				if (is_name[t][k])
					f->v[i].k[k] = (uint32_t)names_dbid(x->nm, f->v[i].k[k]);
		frows_sort(f, t == 1 ? 3 : 2); /* only f_mx has a third key word (pref) */
		/* nothing of the snapshot in the table yet: every distinct row is
		 * new, and one statement writes them all */
		int fresh = snapshot_empty(x, empty_sql[t]);
		if (fresh < 0) {
			rc = -1;
			break;
		}
		/* the run's copy for the derive step (f_cname is small: read back) */
		int dt = t == 0 ? DC_TARGET : t == 1 ? DC_MX : t == 2 ? DC_A : -1, whole = fresh;
		if (t == 0 && x->dc && x->dc->state[DC_TARGET] == 0 &&
		    (whole = snapshot_empty(x, "SELECT NOT EXISTS (SELECT 1 FROM f_target WHERE snap = ?1)")) < 0) {
			rc = -1;
			break;
		}
		if (dt >= 0 && dc_keep(x->dc, dt, whole)) {
			dc_reserve(x->dc, dt, f->n);
			for (size_t i = 0; i < f->n; i++)
				if (!i || memcmp(f->v[i].k, f->v[i - 1].k, 2 * sizeof f->v[i].k[0]))
					dc_add(x->dc, dt, t == 0 ? (uint32_t)x->list : f->v[i].k[0],
					       t == 0 ? f->v[i].k[0] : f->v[i].k[1]);
		}
		if (fresh) {
			bulk_ctx bc = {x, f, t, NULL, 0};
			bc.keep = xmalloc(f->n * sizeof *bc.keep);
			for (size_t i = 0; i < f->n; i++)
				if (!i || memcmp(f->v[i].k, f->v[i - 1].k, sizeof f->v[i].k)) {
					bc.keep[bc.nkeep++] = (uint32_t)i;
					changed[f->v[i].seq] = 1;
				}
			sqlite3_stmt *s = prep(x, bulk_sql[t]);
			store_rows rows = {bc.nkeep, &bc, bulk_column};
			if (s)
				store_bind_rows(s, 1, &rows);
			if (!s || store_step_bulk(x->st, s, x->err) < 0) {
				x->abort = true;
				rc = -1;
			}
			free(bc.keep);
			free(f->v);
			memset(f, 0, sizeof *f);
			continue;
		}
		sqlite3_stmt *s = prep(x, sql[t]);
		if (!s) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < f->n; i++) {
			const frow *r = &f->v[i];
			if (i && !memcmp(r->k, f->v[i - 1].k, sizeof r->k))
				continue; /* the same row again in this file */
			int n = 0, col = 1;
			sqlite3_bind_int64(s, col++, x->snap);
			if (t == 0)
				sqlite3_bind_int64(s, col++, x->list);
			sqlite3_bind_int64(s, col++, r->k[0]);
			sqlite3_bind_int64(s, col++, r->k[1]);
			if (t == 1)
				sqlite3_bind_int64(s, col++, r->k[2]);
			if (write_row(x, s, &n) < 0) {
				rc = -1;
				break;
			}
			if (n)
				changed[r->seq] = 1;
		}
		free(f->v);
		memset(f, 0, sizeof *f);
	}
	if (rc == 0)
		for (uint32_t i = 0; i < x->nseq; i++)
			count_row(x, changed[i]);
	free(changed);
	x->nseq = 0;
	return rc;
}

/* A row dated another day than the snapshot is kept, but counted:
 * OpenINTEL resolves MX hosts on the same day. */
static void count_offday(fctx *x, long long timestamp)
{
	if (timestamp >= 0 && x->snapshot_day >= 0 && timestamp / 86400 != x->snapshot_day)
		x->c->offday++;
}

static int dns_values(fctx *x, const char *const vals[DNS_NCOLS])
{
	dns_row r;
	const char *why = dns_row_parse(vals, &r, x->errbuf, sizeof x->errbuf);
	if (why)
		return problem(x, why);
	count_offday(x, r.timestamp);
	const char *names[3];
	dns_names(r.kind, r.qtype, r.name, r.alias, r.target, names);
	dns_ref ref = {r.kind, {NO_NAME, NO_NAME, NO_NAME}, r.qtype, r.pref, r.ip, r.status};
	for (int k = 0; k < 3; k++)
		if (names[k])
			ref.name[k] = names_ref(x->nm, names[k]);
	return dns_store(x, &ref);
}

static int dns_csv_header(fctx *x, const char *line, size_t len)
{
	const char *why;
	if (csv_parse(line, len, &x->rec, &why) != CSV_OK) {
		*x->err = xasprintf("%s:%llu: the CSV header cannot be read", x->name,
				    (unsigned long long)x->lineno);
		x->abort = true;
		return -1;
	}
	for (int c = 0; c < DNS_NCOLS; c++)
		x->csv_index[c] = -1;
	for (size_t i = 0; i < x->rec.n; i++) {
		const char *h = x->rec.field[i];
		for (int c = 0; c < DNS_NCOLS; c++)
			if (!strcmp(h, dns_column_names[c]))
				x->csv_index[c] = (int)i;
	}
	if (x->csv_index[DNS_RESPONSE_TYPE] < 0 || x->csv_index[DNS_QUERY_NAME] < 0) {
		*x->err = xasprintf("%s:%llu: not a DNS file: expected JSON lines or a CSV header "
				    "with query_name and response_type columns", x->name,
				    (unsigned long long)x->lineno);
		x->abort = true;
		return -1;
	}
	x->csv_nfields = x->rec.n;
	return 0;
}

static int dns_csv_record(fctx *x, const char *text, size_t len)
{
	const char *why;
	enum csv_status st = csv_parse(text, len, &x->rec, &why);
	if (st == CSV_ERROR)
		return problem(x, why);
	if (x->rec.n != x->csv_nfields) {
		snprintf(x->errbuf, sizeof x->errbuf, "%zu fields, the header has %zu", x->rec.n, x->csv_nfields);
		return problem(x, x->errbuf);
	}
	const char *vals[DNS_NCOLS];
	for (int c = 0; c < DNS_NCOLS; c++)
		vals[c] = x->csv_index[c] >= 0 ? x->rec.field[x->csv_index[c]] : NULL;
	return dns_values(x, vals);
}

/* A quoted CSV field may span a few lines, no more: a stray quote must not
 * swallow the rest of the file. */
#define CSV_JOIN_LINES 8
#define CSV_JOIN_BYTES (64u << 10)

static int do_dns(fctx *x, char *line, size_t len);

/* Give up on the pending multi-line record (why: what is wrong with it):
 * report its first line, then read the lines it swallowed again, each as
 * a record of its own, so a stray quote costs one line, not the lines
 * after it.  x->lineno is left as it was. */
static int dns_pending_replay(fctx *x, const char *why)
{
	uint64_t here = x->lineno;
	x->lineno = x->pending_line;
	if (x->pending_n > 2)
		snprintf(x->errbuf, sizeof x->errbuf, "%s (the %zu lines after it are read again)", why,
			 x->pending_n - 1);
	else if (x->pending_n == 2)
		snprintf(x->errbuf, sizeof x->errbuf, "%s (the line after it is read again)", why);
	else
		snprintf(x->errbuf, sizeof x->errbuf, "%s", why);
	int rc = problem(x, x->errbuf);
	char *copy = xstrndup(x->pending.data, x->pending.len);
	size_t n = x->pending.len;
	uint64_t first = x->pending_line;
	sb_clear(&x->pending);
	x->pending_n = 0;
	char *p = memchr(copy, '\n', n);
	for (uint64_t k = 1; p && rc == 0; k++) {
		char *start = p + 1;
		char *next = memchr(start, '\n', n - (size_t)(start - copy));
		size_t l = next ? (size_t)(next - start) : n - (size_t)(start - copy);
		x->lineno = first + k;
		rc = do_dns(x, start, l);
		p = next;
	}
	free(copy);
	x->lineno = here;
	return rc;
}

static int dns_pending(fctx *x, char *line, size_t len)
{
	sb_addc(&x->pending, '\n');
	sb_add(&x->pending, line, len);
	x->pending_n++;
	const char *why;
	enum csv_status st = csv_parse(x->pending.data, x->pending.len, &x->rec, &why);
	/* closed, but not as a record of this file: the quote was stray */
	if (st == CSV_ERROR)
		return dns_pending_replay(x, why);
	if (st == CSV_OK && x->rec.n != x->csv_nfields) {
		char what[64];
		snprintf(what, sizeof what, "%zu fields, the header has %zu", x->rec.n, x->csv_nfields);
		return dns_pending_replay(x, what);
	}
	if (st != CSV_INCOMPLETE) {
		uint64_t here = x->lineno;
		x->lineno = x->pending_line;
		int rc = dns_csv_record(x, x->pending.data, x->pending.len);
		sb_clear(&x->pending);
		x->pending_n = 0;
		x->lineno = here;
		return rc;
	}
	if (x->pending_n < CSV_JOIN_LINES && x->pending.len < CSV_JOIN_BYTES)
		return 0;
	return dns_pending_replay(x, "unterminated quoted field");
}

/* ---- DNS JSON lines, parsed on other threads (see reading ahead) ------- */

/* The packed record at *off of a batch: its header into h (hsize bytes),
 * x->lineno its line, *off past it; returns what follows the header. */
static const char *pk_next(fctx *x, const readahead_batch *b, size_t *off, void *h, size_t hsize)
{
	const char *rec = b->out.data + *off;
	memcpy(h, rec, hsize);
	const pk_head *head = h;
	*off += head->size;
	x->lineno = head->lineno;
	return rec + hsize;
}

/* Store the rows of a parsed batch, in order. */
static int dns_store_batch(fctx *x, const readahead_batch *b)
{
	/* the batch's names, each interned once */
	intern_text(x, b->aux.data, b->naux);
	int rc = 0;
	for (size_t off = 0; off < b->out.len && rc == 0;) {
		dns_pk h;
		const char *t = pk_next(x, b, &off, &h, sizeof h);
		if (!h.ok) {
			rc = problem(x, t);
			continue;
		}
		count_offday(x, h.timestamp);
		dns_ref r = {(enum dns_kind)h.kind, {NO_NAME, NO_NAME, NO_NAME}, t, h.pref, h.ip, h.status};
		for (int k = 0; k < 3; k++)
			if (h.name[k] != NO_NAME)
				r.name[k] = x->bref[h.name[k]];
		rc = dns_store(x, &r);
	}
	return rc;
}

static int scan_store_batch(fctx *x, const readahead_batch *b);

static int ahead_store(fctx *x, const readahead_batch *b)
{
	return x->in->kind == IMPORT_DNS ? dns_store_batch(x, b) : scan_store_batch(x, b);
}

/* This thread reads the file (after a hand-over): store what is parsed;
 * wait: everything queued, the batch being filled too. */
static int ahead_take(fctx *x, bool wait)
{
	readahead *a = x->ah;
	if (!a)
		return 0;
	if (wait)
		readahead_flush(a, x->lineno);
	int rc = 0;
	readahead_batch *b;
	while (rc == 0 && (b = readahead_pop(a, wait || readahead_over(a)))) {
		uint64_t here = x->lineno;
		rc = ahead_store(x, b);
		x->lineno = here;
		readahead_done(a, b);
	}
	return rc;
}

/* Every record gathered so far parsed and stored. */
static int ahead_drain(fctx *x)
{
	return ahead_take(x, true);
}

/* A line (or a record of a JSON document) read on this thread, for the
 * parsing threads. */
static int ahead_add(fctx *x, const char *line, size_t len, uint64_t lineno, uint64_t recno)
{
	if (!readahead_add(x->ah, line, len, lineno, recno))
		return 0;
	return ahead_take(x, false);
}

static int do_dns(fctx *x, char *line, size_t len)
{
	if (x->pending.len)
		return dns_pending(x, line, len);
	if (infile_blank(line, len))
		return 0;
	if (x->dns_mode == 0) {
		if (dns_json_line(line, len)) {
			x->dns_mode = 1;
		} else {
			x->dns_mode = 2;
			return dns_csv_header(x, line, len);
		}
	}
	if (x->dns_mode == 2) {
		const char *why;
		if (csv_parse(line, len, &x->rec, &why) == CSV_INCOMPLETE) {
			sb_add(&x->pending, line, len);
			x->pending_line = x->lineno;
			x->pending_n = 1;
			return 0;
		}
		return dns_csv_record(x, line, len);
	}
	return ahead_add(x, line, len, x->lineno, 0);
}

/* ---- DNS as Avro (OpenINTEL's older releases) -------------------------- */

/* A record of an Avro file: the same row as a JSON line.  The number
 * reported with a problem is the record's; lines counts records. */
static int avro_row(void *cx, uint64_t recno, const char *const vals[DNS_NCOLS])
{
	fctx *x = cx;
	if (import_interrupted) {
		*x->err = xasprintf("interrupted while reading %s", x->name);
		return -1;
	}
	x->c->lines = recno;
	x->lineno = recno;
	return dns_values(x, vals);
}

static int avro_problem(void *cx, uint64_t recno, uint64_t lost, const char *why)
{
	fctx *x = cx;
	if (lost && recno + lost - 1 > x->c->lines)
		x->c->lines = recno + lost - 1;
	x->lineno = recno;
	if (lost > 1)
		x->c->skipped += lost - 1; /* problem() counts one */
	return problem(x, why);
}

/* An Avro object container file is read here, record by record, to its
 * end; any other input is left to the line reader. */
static int do_avro(fctx *x, infile *f)
{
	size_t n;
	const void *head = infile_peek(f, &n);
	if (!oi_avro_sniff(head, n))
		return 0;
	if (x->in->kind != IMPORT_DNS) {
		*x->err = xasprintf("%s: an Avro file: only --dns reads Avro (OpenINTEL's DNS data)", x->name);
		return -1;
	}
	oi_avro_sink sink = {x, avro_row, avro_problem};
	return oi_avro_read(f, &sink, x->err);
}

/* ---- scans ------------------------------------------------------------ */

static int scan_write_pk(fctx *x, const scan_pk *h, const char *body);

/* Write a parsed batch in order. */
static int scan_store_batch(fctx *x, const readahead_batch *b)
{
	int rc = 0;
	for (size_t off = 0; off < b->out.len && rc == 0;) {
		scan_pk h;
		const char *body = pk_next(x, b, &off, &h, sizeof h);
		if (h.what == SK_NOT_SMTP) {
			x->c->not_smtp++; /* another ZGrab2 module: no port-25 evidence */
		} else if (h.what == SK_BAD_IP) {
			rc = problem(x, "ip is not an IPv4 address");
		} else if (h.what == SK_PROBLEM && h.recno) {
			char why[600];
			snprintf(why, sizeof why, "record %llu: %s", (unsigned long long)h.recno, body);
			rc = problem(x, why);
		} else if (h.what == SK_PROBLEM) {
			rc = problem(x, body);
		} else {
			rc = scan_write_pk(x, &h, body);
		}
	}
	return rc;
}

/* ---- scans as JSON documents -------------------------------------------
 *
 * The censys command-line tool writes indented JSON: one host over many
 * lines, or a search as a JSON array of hosts.  A scan file whose first
 * non-blank line is "{" alone or starts with "[" is read as a sequence of
 * JSON values, top-level arrays opened: each object is one record, cut out
 * by tracking strings and nesting, then parsed like a line (jsonl_parse,
 * with its limits).  Memory is one record (at most 16 MiB) plus the batch.
 * A problem names the line where its record starts and the record's
 * number; a file that ends inside a record or an open array is a problem
 * after the records before it are kept. */

typedef struct scan_doc {
	strbuf rec;          /* the record being cut out */
	uint64_t rec_line;   /* where it starts */
	uint64_t nrec;       /* records started so far */
	int depth;           /* nesting inside the record */
	int arrays;          /* top-level arrays open */
	bool in_rec, in_str, esc, too_long;
} scan_doc;

static int doc_record_end(fctx *x, scan_doc *d)
{
	d->in_rec = false;
	if (d->too_long) {
		d->too_long = false;
		int rc = ahead_drain(x); /* the records before it first */
		if (rc)
			return rc;
		uint64_t here = x->lineno;
		x->lineno = d->rec_line;
		char why[128];
		snprintf(why, sizeof why, "record %llu: longer than 16 MiB", (unsigned long long)d->nrec);
		rc = problem(x, why);
		x->lineno = here;
		return rc;
	}
	int rc = ahead_add(x, d->rec.data, d->rec.len, d->rec_line, d->nrec);
	sb_clear(&d->rec);
	if (d->rec.cap > (1u << 20)) { /* do not keep a huge one */
		sb_free(&d->rec);
		sb_init(&d->rec);
	}
	return rc;
}

/* Feed one line (and its newline) of a JSON document. */
static int doc_feed(fctx *x, const char *p, size_t len)
{
	scan_doc *d = x->doc;
	size_t i = 0;
	while (i < len) {
		if (!d->in_rec) {
			char ch = p[i];
			if (ch == ' ' || ch == '\t' || ch == '\r' || (ch == ',' && d->arrays)) {
				i++;
				continue;
			}
			if (ch == '[') {
				d->arrays++;
				i++;
				continue;
			}
			if (ch == ']' && d->arrays) {
				d->arrays--;
				i++;
				continue;
			}
			if (ch != '{') {
				int rc = ahead_drain(x);
				if (rc)
					return rc;
				char why[128];
				if (ch >= 0x20 && ch < 0x7f)
					snprintf(why, sizeof why, "unexpected '%c' between the records of a JSON document", ch);
				else
					snprintf(why, sizeof why, "unexpected byte 0x%02x between the records of a JSON document",
						 (unsigned char)ch);
				return problem(x, why); /* the rest of the line is skipped */
			}
			d->in_rec = true;
			d->depth = 0;
			d->in_str = d->esc = d->too_long = false;
			d->rec_line = x->lineno;
			d->nrec++;
			sb_clear(&d->rec);
		}
		/* inside a record: up to the brace that closes it */
		size_t from = i;
		bool done = false;
		for (; i < len && !done; i++) {
			char ch = p[i];
			if (d->in_str) {
				if (d->esc)
					d->esc = false;
				else if (ch == '\\')
					d->esc = true;
				else if (ch == '"')
					d->in_str = false;
			} else if (ch == '"') {
				d->in_str = true;
			} else if (ch == '{' || ch == '[') {
				d->depth++;
			} else if (ch == '}' || ch == ']') {
				if (--d->depth == 0)
					done = true;
			}
		}
		if (!d->too_long) {
			if (d->rec.len + (i - from) + 1 > LINE_MAX_BYTES) {
				d->too_long = true;
				sb_free(&d->rec);
				sb_init(&d->rec);
			} else {
				sb_add(&d->rec, p + from, i - from);
			}
		}
		if (done) {
			int rc = doc_record_end(x, d);
			if (rc)
				return rc;
		}
	}
	if (d->in_rec && !d->too_long)
		sb_add(&d->rec, "\n", 1);
	return 0;
}

/* The end of a JSON document: a record or an array left open is cut off. */
static int doc_end(fctx *x)
{
	scan_doc *d = x->doc;
	if (!d || (!d->in_rec && !d->arrays))
		return 0;
	int rc = ahead_drain(x); /* the good records first */
	if (rc)
		return rc;
	char why[200];
	if (d->in_rec) {
		x->lineno = d->rec_line;
		snprintf(why, sizeof why, "record %llu is cut off: the file ends inside it",
			 (unsigned long long)d->nrec);
	} else {
		snprintf(why, sizeof why, "the JSON array is not closed: the file ends after record %llu",
			 (unsigned long long)d->nrec);
	}
	d->in_rec = false;
	d->arrays = 0;
	return problem(x, why);
}

static int do_scan(fctx *x, char *line, size_t len)
{
	if (!x->scan_mode) {
		if (infile_blank(line, len))
			return 0;
		/* a JSON line is a whole object: "{" alone or "[" starts a document */
		x->scan_mode = scan_doc_start(line, len) ? 2 : 1;
		if (x->scan_mode == 2) {
			x->doc = xcalloc(1, sizeof *x->doc);
			sb_init(&x->doc->rec);
		}
	}
	if (x->scan_mode == 2)
		return doc_feed(x, line, len);
	return ahead_add(x, line, len, x->lineno, 0);
}

/* The f_scan upsert.  One record per (snapshot, ip).  A record with
 * port-25 data replaces one without; otherwise the later record wins.
 * Identical data changes nothing, so a re-import counts as already
 * present. */
static const char scan_upsert_sql[] =
	"INSERT INTO f_scan(snap, ip, port25, banner, ehlo_head, ehlo_rest, starttls_id, cert_cn, cert_names,"
	" trusted, format_id, scanned_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) "
	"ON CONFLICT(snap, ip) DO UPDATE SET port25=excluded.port25, banner=excluded.banner,"
	" ehlo_head=excluded.ehlo_head, ehlo_rest=excluded.ehlo_rest, starttls_id=excluded.starttls_id,"
	" cert_cn=excluded.cert_cn, cert_names=excluded.cert_names, trusted=excluded.trusted,"
	" format_id=excluded.format_id, scanned_at=excluded.scanned_at "
	"WHERE excluded.port25 >= f_scan.port25 AND (f_scan.port25, f_scan.banner, f_scan.ehlo_head,"
	" f_scan.ehlo_rest, f_scan.starttls_id, f_scan.cert_cn, f_scan.cert_names, f_scan.trusted,"
	" f_scan.format_id, f_scan.scanned_at)"
	" IS NOT (excluded.port25, excluded.banner, excluded.ehlo_head, excluded.ehlo_rest,"
	" excluded.starttls_id, excluded.cert_cn, excluded.cert_names, excluded.trusted, excluded.format_id,"
	" excluded.scanned_at)";

/* ---- shared scan texts ---------------------------------------------------
 *
 * The texts many servers share (an EHLO reply after its first line, a
 * STARTTLS reply, a record's format) are stored once in scan_text and
 * referred to by id (store.c, schema 11).  The ids are looked up in a map
 * of the table, loaded at the file's first scan row with the write lock
 * held (another import may have added texts), and gone with the file's
 * transaction.  A text is any bytes: a key with a NUL byte (or starting
 * with byte 1) is written as byte 1 and the text in hex. */
typedef struct scantext {
	strmap *map;
	int64_t *id; /* by map index */
	size_t cap;
	strbuf key;
} scantext;

static void scantext_free(scantext *t)
{
	if (!t)
		return;
	strmap_free(t->map);
	free(t->id);
	sb_free(&t->key);
	free(t);
}

static const char *scantext_key(scantext *t, const void *p, size_t n)
{
	const unsigned char *b = p;
	sb_clear(&t->key);
	if (n && (memchr(b, '\0', n) || b[0] == 1)) {
		static const char hex[] = "0123456789abcdef";
		sb_addc(&t->key, 1);
		for (size_t i = 0; i < n; i++) {
			sb_addc(&t->key, hex[b[i] >> 4]);
			sb_addc(&t->key, hex[b[i] & 15]);
		}
	} else if (n) {
		sb_add(&t->key, p, n);
	}
	sb_addc(&t->key, '\0');
	return t->key.data;
}

static void scantext_put(scantext *t, const char *key, int64_t id)
{
	uint32_t i = strmap_intern(t->map, key, NULL);
	if (i >= t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		while (nc <= i)
			nc *= 2;
		t->id = xrealloc(t->id, nc * sizeof *t->id);
		t->cap = nc;
	}
	t->id[i] = id;
}

static int scantext_load(fctx *x)
{
	scantext *t = x->texts = xcalloc(1, sizeof *x->texts);
	t->map = strmap_new();
	sb_init(&t->key);
	sqlite3_stmt *s = prep(x, "SELECT id, text FROM scan_text");
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		scantext_put(t, scantext_key(t, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1)),
			     sqlite3_column_int64(s, 0));
	if (store_read_done(x->st, s, rc, x->err) < 0) {
		x->abort = true;
		return -1;
	}
	return 0;
}

/* The id of a shared text (stored now if it is new), or -1 on a database
 * error. */
static int64_t scantext_id(fctx *x, const void *p, size_t n)
{
	if (!x->texts && scantext_load(x) < 0)
		return -1;
	scantext *t = x->texts;
	const char *key = scantext_key(t, p, n);
	uint32_t i = strmap_find(t->map, key);
	if (i != UINT32_MAX)
		return t->id[i];
	sqlite3_stmt *s = prep(x, "INSERT INTO scan_text(text) VALUES(?1)");
	if (!s)
		return -1;
	sqlite3_bind_blob64(s, 1, n ? p : "", n, SQLITE_STATIC);
	int changed = 0;
	if (write_row(x, s, &changed) < 0)
		return -1;
	int64_t id = sqlite3_last_insert_rowid(store_db(x->st));
	scantext_put(t, key, id);
	return id;
}

/* The shared texts no scan row refers to any more: those of records a
 * later one replaced (in the same file or an earlier import), and those
 * stored for a record the upsert then kept out.  Once per run that
 * changed scan rows (one read of f_scan's id columns: 0.28 s at 1M). */
static int scantext_prune(store *st, char **err)
{
	return store_exec(st,
			  "DELETE FROM scan_text WHERE id NOT IN (SELECT ehlo_rest FROM f_scan WHERE ehlo_rest IS NOT NULL"
			  " UNION SELECT starttls_id FROM f_scan WHERE starttls_id IS NOT NULL"
			  " UNION SELECT format_id FROM f_scan)",
			  err);
}

/* Bind a shared text's id to parameter col.  -1 on a database error. */
static int bind_text_id(fctx *x, sqlite3_stmt *s, int col, const void *p, size_t n)
{
	int64_t id = scantext_id(x, p, n);
	if (id < 0)
		return -1;
	sqlite3_bind_int64(s, col, id);
	return 0;
}

/* Where an EHLO reply is cut: after its first newline, when something
 * follows it (else 0: the reply is kept whole). */
static size_t ehlo_cut(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	return nl && (size_t)(nl - p) + 1 < n ? (size_t)(nl - p) + 1 : 0;
}

/* ---- scan records in address order --------------------------------------
 *
 * Scan files list addresses in no order.  Written as they come, f_scan's
 * rows (a rowid table) would lie in that order, and every read of a
 * snapshot by address (infer, stats, the desk) would jump to a random page
 * for each row: 1 s instead of 0.25 s at 1M domains.  So the parsed records
 * are gathered in a chunk of up to SCAN_CHUNK_BYTES, sorted by address
 * (each address's records in file order) and written then: each chunk is
 * one run in address order, and a read by address follows a few runs. */
#define SCAN_CHUNK_BYTES (32u << 20)

typedef struct scan_chunk {
	char *arena;
	size_t len, cap;
	uint32_t (*ref)[4]; /* ip, record, offset (high, low) */
	size_t n, capref;
} scan_chunk;

static void chunk_add(scan_chunk *c, const void *p, size_t n)
{
	if (c->len + n > c->cap) {
		while (c->len + n > c->cap)
			c->cap = c->cap ? c->cap * 2 : (1u << 20);
		c->arena = xrealloc(c->arena, c->cap);
	}
	if (n)
		memcpy(c->arena + c->len, p, n);
	c->len += n;
}

static void chunk_free(scan_chunk *c)
{
	if (!c)
		return;
	free(c->arena);
	free(c->ref);
	free(c);
}

/* Bind one kept record to the f_scan upsert (texts without a copy: the
 * arena stays put until the row is written); the shared texts by id.
 * -1 on a database error. */
static int chunk_bind(fctx *x, sqlite3_stmt *s, const char *at, uint32_t ip)
{
	chunk_rec h;
	memcpy(&h, at, sizeof h);
	const char *p = at + sizeof h;
	const char *text[6];
	for (int i = 0; i < 6; i++) {
		text[i] = h.len[i] ? p : "";
		p += h.len[i];
	}
	sqlite3_clear_bindings(s); /* what the record has not is NULL */
	sqlite3_bind_int64(s, 1, x->snap);
	sqlite3_bind_int64(s, 2, ip);
	sqlite3_bind_int(s, 3, h.port25);
	/* the SMTP texts may hold any bytes and stay BLOBs: the banner, the
	 * EHLO reply's first line here and its rest shared, the STARTTLS
	 * reply shared */
	if (h.present & 1)
		sqlite3_bind_blob64(s, 4, text[0], h.len[0], SQLITE_STATIC);
	if (h.present >> 1 & 1) {
		size_t cut = ehlo_cut(text[1], h.len[1]);
		sqlite3_bind_blob64(s, 5, text[1], cut ? cut : h.len[1], SQLITE_STATIC);
		if (cut && bind_text_id(x, s, 6, text[1] + cut, h.len[1] - cut) < 0)
			return -1;
	}
	if ((h.present >> 2 & 1) && bind_text_id(x, s, 7, text[2], h.len[2]) < 0)
		return -1;
	/* the CN is a name: TEXT, so that cert_cn = '*.example.com' matches */
	static const int col[3] = {8, 9, 12}; /* cert_cn, cert_names, scanned_at */
	for (int i = 3; i < 6; i++)
		if (h.present >> i & 1)
			sqlite3_bind_text64(s, col[i - 3], text[i], h.len[i], SQLITE_STATIC, SQLITE_UTF8);
	if (h.trusted >= 0)
		sqlite3_bind_int(s, 10, h.trusted);
	const char *fmt = scan_format_names[h.format];
	return bind_text_id(x, s, 11, fmt, strlen(fmt));
}

/* Records ahead of the one written whose first 256 bytes (most records'
 * whole length) are fetched into the cache meanwhile. */
#define CHUNK_AHEAD 8

/* Write the chunk's records in address order, and empty it. */
static int chunk_write(fctx *x)
{
	scan_chunk *c = x->chunk;
	if (!c || !c->n)
		return 0;
	mx_sort_u32x4(c->ref, c->n, 2);
	if (!x->scan_ins && !(x->scan_ins = prep(x, scan_upsert_sql)))
		return -1;
	sqlite3_stmt *s = x->scan_ins;
	int rc = 0;
	/* the run's copy for the derive step: each row's port 25 and trust */
	bool keep = false;
	if (x->dc && x->dc->state[DC_SCAN] == 0) {
		int empty = snapshot_empty(x, "SELECT NOT EXISTS (SELECT 1 FROM f_scan WHERE snap = ?1)");
		if (empty < 0)
			return -1;
		keep = dc_keep(x->dc, DC_SCAN, empty);
	} else {
		keep = dc_keep(x->dc, DC_SCAN, 0);
	}
	for (size_t i = 0; i < c->n && rc == 0; i++) {
		uint64_t off = (uint64_t)c->ref[i][2] << 32 | c->ref[i][3];
		if (i + CHUNK_AHEAD < c->n) { /* in address order the records lie all over the arena */
			const char *next = c->arena + ((uint64_t)c->ref[i + CHUNK_AHEAD][2] << 32 | c->ref[i + CHUNK_AHEAD][3]);
			for (int line = 0; line < 4; line++)
				__builtin_prefetch(next + 64 * line);
		}
		int changed = 0;
		rc = chunk_bind(x, s, c->arena + off, c->ref[i][0]);
		/* a row added sets the last rowid (1 and up); the upsert's update
		 * leaves it (after the bind, which may add a shared text) */
		sqlite3_set_last_insert_rowid(store_db(x->st), 0);
		if (rc == 0)
			rc = write_row(x, s, &changed);
		if (changed)
			x->scan_changed[c->ref[i][1]] = 1;
		if (changed && sqlite3_last_insert_rowid(store_db(x->st)) != 0)
			x->c->new_rows++;
		if (keep) {
			chunk_rec h;
			memcpy(&h, c->arena + off, sizeof h);
			frows_push(&x->dc->scan, c->ref[i][0], x->dc->nscan++,
				   (uint32_t)(uint8_t)h.port25 | (uint32_t)(uint8_t)h.trusted << 8, 0);
		}
	}
	sqlite3_clear_bindings(s); /* nothing left pointing into the arena */
	c->n = 0;
	c->len = 0;
	if (c->cap > 2 * (size_t)SCAN_CHUNK_BYTES) { /* one huge record: not kept */
		free(c->arena);
		c->arena = NULL;
		c->cap = 0;
	}
	return rc;
}

/* One parsed scan record (its chunk_rec and texts, as the parsing thread
 * packed them): kept for the chunk, its ASN (if any) for scan_finish at
 * the end of the file; it is counted then. */
static int scan_write_pk(fctx *x, const scan_pk *h, const char *body)
{
	uint32_t seq = x->nscan++;
	if ((seq & (seq - 1)) == 0) /* 0, 1, 2, 4, ...: grow at powers of two */
		x->scan_changed = xrealloc(x->scan_changed, seq ? 2 * (size_t)seq : 1);
	x->scan_changed[seq] = 0;
	if (!x->chunk)
		x->chunk = xcalloc(1, sizeof *x->chunk);
	scan_chunk *c = x->chunk;
	if (c->n == c->capref) {
		c->capref = c->capref ? c->capref * 2 : 4096;
		c->ref = xrealloc(c->ref, c->capref * sizeof *c->ref);
	}
	uint64_t off = c->len;
	c->ref[c->n][0] = h->ip;
	c->ref[c->n][1] = seq;
	c->ref[c->n][2] = (uint32_t)(off >> 32);
	c->ref[c->n][3] = (uint32_t)off;
	c->n++;
	chunk_add(c, body, h->body);
	chunk_rec r;
	memcpy(&r, body, sizeof r);
	if (r.asn)
		frows_push(&x->scan_asn, h->ip, seq, r.asn, seq);
	return c->len >= SCAN_CHUNK_BYTES ? chunk_write(x) : 0;
}

typedef struct {
	const fctx *x;
	const frow *v;
	const uint32_t *keep;
} asn_rows;

static void asn_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	const asn_rows *a = cx;
	const frow *r = &a->v[a->keep[row]];
	if (col == 0)
		sqlite3_result_int64(out, a->x->snap);
	else if (col == 1)
		sqlite3_result_int64(out, r->k[0]);
	else
		sqlite3_result_int64(out, r->k[2]);
}

/* Nothing of the snapshot in f_asn yet: each address's last ASN, in one
 * statement.  A record changed it when it was the address's first or
 * gave another ASN than the record before it. */
static int scan_asn_fresh(fctx *x, frows *f)
{
	uint32_t *keep = xmalloc(f->n * sizeof *keep);
	size_t nkeep = 0;
	for (size_t i = 0; i < f->n; i++) {
		bool first = !i || f->v[i].k[0] != f->v[i - 1].k[0];
		if (first || f->v[i].k[2] != f->v[i - 1].k[2])
			x->scan_changed[f->v[i].seq] = 1;
		if (i + 1 == f->n || f->v[i + 1].k[0] != f->v[i].k[0])
			keep[nkeep++] = (uint32_t)i;
	}
	sqlite3_stmt *s = prep(x, "INSERT INTO f_asn(snap, ip, asn, asn_set, source)"
				  " SELECT c0, c1, c2, NULL, 'scan' FROM mxray_rows(?1)");
	asn_rows ar = {x, f->v, keep};
	store_rows rows = {nkeep, &ar, asn_column};
	int rc = 0;
	if (s)
		store_bind_rows(s, 1, &rows);
	if (!s || store_step_bulk(x->st, s, x->err) < 0) {
		x->abort = true;
		rc = -1;
	}
	free(keep);
	return rc;
}

/* The end of a scan file: the chunk's last records; then the records'
 * ASNs, in address order (a random order made every insert a walk to a
 * random page of f_asn), each address's in file order, so that the later
 * record wins as before; then each record is counted, as imported when
 * its f_scan or f_asn row changed. */
static int scan_finish(fctx *x)
{
	frows *f = &x->scan_asn;
	int rc = chunk_write(x);
	if (rc == 0 && f->n) {
		frows_sort(f, 2); /* {ip, record}: the record is the file order */
		int fresh = snapshot_empty(x, "SELECT NOT EXISTS (SELECT 1 FROM f_asn WHERE snap = ?1)");
		sqlite3_stmt *s = fresh ? NULL
				    : prep(x, "INSERT INTO f_asn(snap, ip, asn, asn_set, source) VALUES(?1,?2,?3,NULL,'scan') "
					      "ON CONFLICT(snap, ip) DO UPDATE SET asn=excluded.asn, asn_set=NULL, source='scan' "
					      "WHERE (asn, asn_set, source) IS NOT (excluded.asn, NULL, 'scan')");
		if (fresh < 0 || (!fresh && !s))
			rc = -1;
		else if (fresh)
			rc = scan_asn_fresh(x, f);
		if (rc == 0 && dc_keep(x->dc, DC_ASN, fresh)) { /* the run's copy: the addresses */
			dc_reserve(x->dc, DC_ASN, f->n);
			for (size_t i = 0; i < f->n; i++)
				if (!i || f->v[i].k[0] != f->v[i - 1].k[0])
					dc_add(x->dc, DC_ASN, f->v[i].k[0], 0);
		}
		for (size_t i = 0; i < f->n && rc == 0 && !fresh; i++) {
			int changed = 0;
			sqlite3_bind_int64(s, 1, x->snap);
			sqlite3_bind_int64(s, 2, f->v[i].k[0]);
			sqlite3_bind_int64(s, 3, f->v[i].k[2]);
			if (write_row(x, s, &changed) < 0)
				rc = -1;
			else if (changed)
				x->scan_changed[f->v[i].seq] = 1;
		}
	}
	if (rc == 0)
		for (uint32_t i = 0; i < x->nscan; i++)
			count_row(x, x->scan_changed[i]);
	free(f->v);
	memset(f, 0, sizeof *f);
	free(x->scan_changed);
	x->scan_changed = NULL;
	x->nscan = 0;
	return rc;
}

/* ---- pfx2as ----------------------------------------------------------- */

static int do_pfx2as(fctx *x, char *line, size_t len)
{
	(void)len;
	pfx2as_line p;
	const char *why;
	switch (pfx2as_parse_line(line, &p, &why)) {
	case PFX2AS_BLANK:
		return 0;
	case PFX2AS_IPV6:
		x->c->ignored++;
		return 0;
	case PFX2AS_BAD:
		return problem(x, why);
	case PFX2AS_OK:
		break;
	}
	sqlite3_stmt *s = prep(x, "INSERT INTO pfx2as(snapshot, net, len, origin) VALUES(?1,?2,?3,?4) "
				  "ON CONFLICT DO UPDATE SET origin=excluded.origin WHERE origin <> excluded.origin");
	if (!s)
		return -1;
	store_bind_text(s, 1, x->o->snapshot);
	sqlite3_bind_int64(s, 2, p.net);
	sqlite3_bind_int(s, 3, (int)p.len);
	store_bind_text(s, 4, p.origin);
	int changed = 0;
	if (write_row(x, s, &changed) < 0)
		return -1;
	count_row(x, changed);
	return 0;
}

/* ---- as2org ----------------------------------------------------------- */

static int do_asorg(fctx *x, char *line, size_t len)
{
	(void)len;
	asorg_rec r;
	const char *why;
	sqlite3_stmt *s = NULL;
	switch (asorg_parse_line(&x->section, line, &r, &why)) {
	case ASORG_BLANK:
		return 0;
	case ASORG_BAD:
		return problem(x, why);
	case ASORG_ORG:
		s = prep(x, "INSERT INTO org(org_id, org_name, country, changed, source) VALUES(?1,?2,?3,?4,?5) "
			    "ON CONFLICT DO UPDATE SET org_name=excluded.org_name, country=excluded.country,"
			    " changed=excluded.changed, source=excluded.source WHERE (org_name, country, changed,"
			    " source) IS NOT (excluded.org_name, excluded.country, excluded.changed, excluded.source)");
		if (!s)
			return -1;
		store_bind_text(s, 1, r.org_id);
		store_bind_text(s, 2, r.name);
		store_bind_text(s, 3, *r.country ? r.country : NULL);
		store_bind_text(s, 4, r.changed);
		store_bind_text(s, 5, r.source);
		break;
	case ASORG_AUT:
		s = prep(x, "INSERT INTO as_org(asn, aut_name, org_id, changed, source) VALUES(?1,?2,?3,?4,?5) "
			    "ON CONFLICT DO UPDATE SET aut_name=excluded.aut_name, org_id=excluded.org_id,"
			    " changed=excluded.changed, source=excluded.source WHERE (aut_name, org_id, changed,"
			    " source) IS NOT (excluded.aut_name, excluded.org_id, excluded.changed, excluded.source)");
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, r.asn);
		store_bind_text(s, 2, r.name);
		store_bind_text(s, 3, r.org_id);
		store_bind_text(s, 4, r.changed);
		store_bind_text(s, 5, r.source);
		break;
	}
	int changed = 0;
	if (write_row(x, s, &changed) < 0)
		return -1;
	count_row(x, changed);
	return 0;
}

/* ---- driver ----------------------------------------------------------- */

typedef int (*handler)(fctx *, char *, size_t);
/* Each kind of file's line handler, and what its progress counts (by
 * import_kind). */
static const handler handlers[] = {do_target, do_dns, do_scan, do_pfx2as, do_asorg};
static const char *const units[] = {"domains", "rows", "hosts", "prefixes", "lines"};

static int log_file(fctx *x)
{
	sqlite3_stmt *s = prep(x, "INSERT INTO import_log(snapshot, kind, file, lines, imported, duplicates,"
				  " skipped, failed_lookups, at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,"
				  " strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
	if (!s)
		return -1;
	store_bind_text(s, 1, x->o->snapshot);
	store_bind_text(s, 2, import_kind_names[x->in->kind]);
	store_bind_text(s, 3, x->name);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)x->c->lines);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)x->c->imported);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)x->c->duplicates);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)x->c->skipped);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)x->c->failed);
	int changed = 0;
	return write_row(x, s, &changed);
}

/* What import_run reads ahead: the next DNS or scan file after the one
 * being imported. */
typedef struct {
	const import_input *in;
	const size_t *order; /* inputs in the order imported */
	size_t n;
	readahead *next;     /* reading ahead, or NULL */
	size_t next_pos;     /* its position in order */
} run_ahead;

/* Start reading ahead the first DNS or scan file after position pos, when
 * none is yet: a regular file (not standard input, not a pipe) that the
 * reader thread opens; one that cannot be opened is opened again, and the
 * error given, when its turn comes. */
static void run_kick(run_ahead *r, size_t pos)
{
	if (!r || r->next)
		return;
	for (size_t p = pos + 1; p < r->n; p++) {
		const import_input *in = &r->in[r->order[p]];
		if (in->kind != IMPORT_DNS && in->kind != IMPORT_SCANS)
			continue;
		struct stat sb;
		if (!strcmp(in->path, "-") || stat(in->path, &sb) < 0 || !S_ISREG(sb.st_mode))
			return;
		r->next = ahead_start(in->kind, in->path, NULL, 1);
		r->next_pos = p;
		return;
	}
}

/* The file at position pos, when it is being read ahead (opened). */
static readahead *run_take(run_ahead *r, size_t pos)
{
	if (!r || !r->next || r->next_pos != pos)
		return NULL;
	readahead *a = r->next;
	r->next = NULL;
	if (!readahead_opened(a)) {
		readahead_free(a);
		return NULL;
	}
	return a;
}

/* Store the batches the reader thread gives, in order, to the end of the
 * file (0) or its hand-over to this thread (1).  The next file is read
 * ahead once every line of this one is parsed. */
static int ahead_read(fctx *x, progress *pg, const char *unit, run_ahead *run, size_t pos)
{
	readahead *a = x->ah;
	bool kicked = false;
	size_t taken = 0; /* bytes of batches stored since the last trim */
	readahead_batch *b;
	while ((b = readahead_pop(a, true))) {
		int rc;
		if ((taken += b->out.len) >= AHEAD_BUDGET / 4) {
			readahead_trim();
			taken = 0;
		}
		if (import_interrupted) {
			*x->err = xasprintf("interrupted while reading %s", x->name);
			rc = -1;
		} else {
			rc = ahead_store(x, b);
		}
		x->c->lines = b->last_line;
		progress_update(pg, b->consumed, b->last_line, unit);
		readahead_done(a, b);
		if (rc)
			return rc;
		if (!kicked && run && readahead_parsed(a)) {
			run_kick(run, pos);
			kicked = true;
		}
	}
	uint64_t lines;
	const char *rerr;
	enum readahead_end end = readahead_join(a, &lines, &rerr);
	x->c->lines = x->lineno = lines;
	if (end == READAHEAD_ERROR) {
		*x->err = xasprintf("%s (in line %llu)", rerr, (unsigned long long)lines + 1);
		return -1;
	}
	return end == READAHEAD_HANDBACK ? 1 : 0;
}

/* The lines read on this thread (any file but the JSON lines the reader
 * thread reads), from where rd stands. */
static int read_lines(fctx *x, infile *f, infile_lines *rd, progress *pg)
{
	import_counts *c = x->c;
	char *rerr = NULL;
	int rc = 0;
	while (rc == 0) {
		int got = infile_lines_next(rd, &rerr);
		if (got < 0) {
			*x->err = xasprintf("%s (in line %llu)", rerr, (unsigned long long)c->lines + 1);
			rc = -1;
			break;
		}
		if (got == 0)
			break;
		c->lines++;
		x->lineno = c->lines;
		if (import_interrupted) {
			*x->err = xasprintf("interrupted while reading %s", x->name);
			rc = -1;
			break;
		}
		char *line;
		size_t len;
		enum infile_line what = infile_lines_view(rd, c->lines, &line, &len);
		if (what != INFILE_HELD && (rc = ahead_drain(x)) != 0) /* the lines before it first */
			break;
		if (what == INFILE_TOO_LONG)
			rc = problem(x, "line longer than 16 MiB");
		else if (what == INFILE_NUL)
			rc = problem(x, "NUL byte in the line");
		else
			rc = handlers[x->in->kind](x, line, len);
		if ((c->lines & 1023) == 0)
			progress_update(pg, infile_consumed(f), c->lines, units[x->in->kind]);
	}
	free(rerr);
	return rc;
}

/* Every line of the file read and handed to its handler: by the reader
 * thread (x->ah), then, after a hand-over, or for any other file, here. */
static int read_input(fctx *x, infile *f, progress *pg, run_ahead *run, size_t pos)
{
	readahead *a = x->ah;
	int rc = a ? ahead_read(x, pg, units[x->in->kind], run, pos) : 0;
	if (rc != 1 && a)
		return rc;
	run_kick(run, pos); /* this thread reads the rest: the next file ahead */
	bool at_line = false;
	infile_lines *rest = a ? readahead_rest(a, &at_line) : NULL;
	if (at_line) { /* the first line the reader does not read (held: it decided) */
		char *line;
		size_t len;
		infile_lines_view(rest, x->lineno, &line, &len);
		rc = handlers[x->in->kind](x, line, len);
	} else {
		rc = do_avro(x, f); /* reads an Avro file whole: no line is left */
	}
	infile_lines own;
	if (!a)
		infile_lines_init(&own, f);
	if (rc == 0)
		rc = read_lines(x, f, a ? rest : &own, pg);
	if (!a)
		infile_lines_free(&own);
	return rc;
}

static void fctx_free(fctx *x)
{
	csv_record_free(&x->rec);
	sb_free(&x->pending);
	if (x->doc) {
		sb_free(&x->doc->rec);
		free(x->doc);
	}
	readahead_free(x->ah);
	free(x->mx.v);
	free(x->a.v);
	free(x->cname.v);
	free(x->tgt.v);
	free(x->fail.v);
	free(x->scan_asn.v);
	free(x->scan_changed);
	chunk_free(x->chunk);
	scantext_free(x->texts);
	strmap_free(x->qtypes);
	free(x->bref);
	free(x->bnames);
	sb_free(&x->tnames);
}

/* In the file's transaction (begun): names and caches brought up to date,
 * its snapshot and list made, the snapshot marked not derived. */
static int begin_file(fctx *x)
{
	const import_opts *o = x->o;
	store *st = x->st;
	char **err = x->err;
	/* with the write lock held: names another process stored meanwhile */
	int rc = names_sync(x->nm, st, err);
	if (rc == 0)
		rc = dc_check(x->dc, st, err);
	/* the snapshot exists once a file of it is committed, not before */
	if (rc == 0 && o->snapshot)
		rc = store_snapshot_add(st, o->snapshot, err);
	if (rc == 0 && o->snapshot)
		x->snap = store_snapshot_id(st, o->snapshot);
	if (rc == 0 && x->in->kind == IMPORT_TARGETS && (x->list = store_list_id(st, x->in->list, err)) < 0)
		rc = -1;
	/* the derived tables are stale until import_derive, in this
	 * file's transaction: a kill in between is seen by infer (a target
	 * list too: the stored counts of f_stats; found by make crashtest) */
	if (rc == 0 && o->snapshot && x->in->kind != IMPORT_ASORG) {
		sqlite3_stmt *s = store_prepare(st, "UPDATE snapshot SET derived = 0 WHERE id = ?1", err);
		if (!s)
			rc = -1;
		else {
			sqlite3_bind_int64(s, 1, x->snap);
			if (store_step_write(st, s, err) < 0)
				rc = -1;
		}
	}
	return rc;
}

/* Import one file in a transaction of its own (a savepoint under
 * --strict); run: the run's reading ahead (NULL: none), pos: the file's
 * position in it. */
static int import_one(store *st, const import_opts *o, const import_input *in, import_counts *c, names *nm,
		      dcache *dc, run_ahead *run, size_t pos, char **err)
{
	memset(c, 0, sizeof *c);
	bool is_stdin = !strcmp(in->path, "-");
	/* read ahead already, or opened now (compressed input is recognised
	 * by its first bytes and decompressed) */
	readahead *a = run_take(run, pos);
	infile *f = a ? readahead_file(a) : infile_open(in->path, err);
	if (!f)
		return -1;
	if (!a && (in->kind == IMPORT_DNS || in->kind == IMPORT_SCANS))
		a = ahead_start(in->kind, NULL, f, 2);
	if (!a)
		run_kick(run, pos); /* this thread stores this file: the next one is read meanwhile */
	uint64_t total = infile_size(f); /* compressed bytes, when compressed */

	fctx x;
	memset(&x, 0, sizeof x);
	x.st = st;
	x.o = o;
	x.in = in;
	x.name = is_stdin ? "<stdin>" : in->path;
	x.snapshot_day = o->snapshot ? mx_days_from_date(o->snapshot) : -1;
	x.c = c;
	x.err = err;
	x.nm = nm;
	x.dc = dc;
	x.ah = a;
	x.qtypes = strmap_new();
	csv_record_init(&x.rec);
	sb_init(&x.pending);
	sb_init(&x.tnames);

	progress pg;
	char label[64];
	snprintf(label, sizeof label, "%s %s", import_kind_names[in->kind], x.name);
	progress_begin(&pg, o->progress, label, total);

	bool began = store_begin(st, err) == 0;
	int rc = began ? begin_file(&x) : -1;
	if (rc == 0)
		rc = read_input(&x, f, &pg, run, pos);
	if (rc == 0)
		rc = doc_end(&x);
	if (rc == 0)
		rc = ahead_drain(&x);
	while (rc == 0 && x.pending.len) /* each replay drops a line: it ends */
		rc = dns_pending_replay(&x, "unterminated quoted field at the end of the file");
	progress_end(&pg);
	/* the file is read: its threads end, and what they held is let go */
	if (x.ah) {
		readahead_free(x.ah);
		f = NULL;
		x.ah = NULL;
		readahead_trim(); /* the batches' memory back, for what is written next */
	}
	run_kick(run, pos);
	if (rc == 0)
		rc = scan_finish(&x);
	if (rc == 0)
		rc = bulk_write(&x);
	if (rc == 0)
		rc = log_file(&x);
	if (rc == 0)
		rc = store_commit(st, err);
	if (rc != 0 && began)
		store_rollback(st);

	infile_close(f);
	fctx_free(&x);
	return rc;
}

/* An error that Ctrl-C made (the reader's stop, SQLite's "interrupted"),
 * not one of its own cause that came meanwhile. */
static bool by_signal(const char *err)
{
	return import_interrupted && err && strstr(err, "interrupted");
}

/* The name index, if a load dropped it, built once over every name
 * (store_name_index; not after Ctrl-C).  When that fails, the files stay
 * (the last step does not need the index, and the next writable open
 * builds it): a warning on log; with `strict` the run fails instead (-1,
 * *err). */
static int build_name_index(store *st, FILE *log, bool strict, char **err)
{
	char *e = NULL;
	if (import_interrupted || store_name_index(st, true, NULL, &e) == 0)
		return 0;
	if (strict) {
		*err = e;
		return -1;
	}
	if (log && !by_signal(e))
		fprintf(log, "warning: the index of names was not built: %s; the next command that writes to the file "
			     "builds it\n", e);
	free(e);
	return 0;
}

int import_file(store *st, const import_opts *o, const import_input *in, import_counts *c, char **err)
{
	names *nm = names_open(st, err);
	if (!nm) {
		memset(c, 0, sizeof *c);
		return -1;
	}
	int rc = import_one(st, o, in, c, nm, NULL, NULL, 0, err);
	names_free(nm);
	if (rc == 0) /* the file is kept whatever happens to the index */
		build_name_index(st, o->log, false, NULL);
	return rc;
}

typedef struct {
	uint32_t host, ip, via, seq;
} mxip_row;

static int cmp_mxip(const void *pa, const void *pb)
{
	const mxip_row *a = pa, *b = pb;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	if (a->ip != b->ip)
		return a->ip < b->ip ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

typedef struct {
	const mxip_row *v;
	int64_t snap;
} mxip_rows;

static void mxip_column(void *cx, size_t row, int col, sqlite3_context *out)
{
	const mxip_rows *r = cx;
	const mxip_row *x = &r->v[row];
	if (col == 0)
		sqlite3_result_int64(out, r->snap);
	else if (col == 1)
		sqlite3_result_int64(out, x->host);
	else if (col == 2)
		sqlite3_result_int64(out, x->ip);
	else if (col == 3 && x->via)
		sqlite3_result_int64(out, x->via);
	else
		sqlite3_result_null(out);
}

/* What the derive step reads: the snapshot's rows, from the run's copy
 * (dc) where it stands, else from the database. */
typedef struct {
	stats_input s;     /* f_mx, f_mx_ip, lookups, scans, ASNs, targets */
	u32vec a[2], cn[2]; /* f_a (host, ip), f_cname (name, target), in key order */
	mxip_row *mxip;    /* f_mx_ip as written */
	size_t nmxip;
} derive_in;

static void derive_in_free(derive_in *d)
{
	stats_input_free(&d->s);
	free(d->a[0].v), free(d->a[1].v), free(d->cn[0].v), free(d->cn[1].v);
	free(d->mxip);
}

/* A copy in ascending order, each row once; returns the rows left. */
static size_t pairs_unique(uint64_t *v, size_t n)
{
	size_t i = 1;
	while (i < n && v[i - 1] < v[i])
		i++;
	if (i >= n)
		return n; /* one file's rows: already so */
	mx_sort_u64(v, n, 0);
	size_t w = 1;
	for (i = 1; i < n; i++)
		if (v[i] != v[w - 1])
			v[w++] = v[i];
	return w;
}

/* Table t's rows as columns a and b (b may be NULL): from the copy, else
 * by the query. */
static int derive_load(store *st, int64_t snap, dcache *dc, int t, const char *sql, u32vec *a, u32vec *b,
		       char **err)
{
	if (!dc || dc->state[t] != 1) {
		u32vec v[2] = {{0}, {0}};
		int rc = store_load_u32(st, sql, snap, b ? 2 : 1, v, err);
		*a = v[0];
		if (b)
			*b = v[1];
		return rc;
	}
	size_t n = pairs_unique(dc->pair[t], dc->npair[t]);
	a->v = xmalloc((n + 1) * sizeof *a->v);
	a->n = a->cap = n;
	for (size_t i = 0; i < n; i++)
		a->v[i] = (uint32_t)(dc->pair[t][i] >> 32);
	if (b) {
		b->v = xmalloc((n + 1) * sizeof *b->v);
		b->n = b->cap = n;
		for (size_t i = 0; i < n; i++)
			b->v[i] = (uint32_t)dc->pair[t][i];
	}
	return 0;
}

/* The snapshot's scans as address sets: every address, those with
 * port 25, those with a trusted certificate.  From the copy, each
 * address's records in the order they were written, as the f_scan upsert
 * kept them (a record replaces the row unless it lacks port 25 and the
 * row has it). */
static int derive_scans(store *st, int64_t snap, dcache *dc, stats_input *s, char **err)
{
	if (!dc || dc->state[DC_SCAN] != 1) {
		u32vec v[3] = {{0}, {0}, {0}};
		int rc = store_load_u32(st, "SELECT ip, port25, coalesce(trusted, 0) FROM f_scan WHERE snap = ?1 ORDER BY ip",
					snap, 3, v, err);
		for (size_t i = 0; rc == 0 && i < v[0].n; i++) {
			u32vec_push(&s->scanned, v[0].v[i]);
			if (v[1].v[i] == 1)
				u32vec_push(&s->port25, v[0].v[i]);
			if (v[2].v[i] == 1)
				u32vec_push(&s->trusted, v[0].v[i]);
		}
		free(v[0].v), free(v[1].v), free(v[2].v);
		return rc;
	}
	frows *f = &dc->scan;
	mx_sort_u32x4((uint32_t(*)[4])(void *)f->v, f->n, 2);
	uint32_t cur = 0;
	for (size_t i = 0; i < f->n; i++) {
		uint32_t r = f->v[i].k[2];
		if (!i || f->v[i].k[0] != f->v[i - 1].k[0] || (int8_t)(r & 0xff) >= (int8_t)(cur & 0xff))
			cur = r;
		if (i + 1 < f->n && f->v[i + 1].k[0] == f->v[i].k[0])
			continue;
		u32vec_push(&s->scanned, f->v[i].k[0]);
		if ((int8_t)(cur & 0xff) == 1)
			u32vec_push(&s->port25, f->v[i].k[0]);
		if ((int8_t)(cur >> 8 & 0xff) == 1)
			u32vec_push(&s->trusted, f->v[i].k[0]);
	}
	return 0;
}

static void mxip_add(derive_in *d, size_t *cap, mxip_row r)
{
	if (d->nmxip == *cap) {
		*cap = *cap ? *cap * 2 : 65536;
		d->mxip = xrealloc(d->mxip, *cap * sizeof *d->mxip);
	}
	d->mxip[d->nmxip++] = r;
}

/* Each distinct MX host's addresses: its A records, or, for a host with
 * none, those of its CNAME targets (one CNAME followed; `via` names it,
 * the first target by id when two give the same address), in key order. */
static void mx_ip_rows(derive_in *d)
{
	const u32vec *a = d->a, *cn = d->cn;
	uint32_t *hosts = xmalloc((d->s.mxh.n + 1) * sizeof *hosts);
	size_t nh = d->s.mxh.n, cap = 0;
	if (nh)
		memcpy(hosts, d->s.mxh.v, nh * sizeof *hosts);
	mx_sort_u32(hosts, nh);
	for (size_t i = 0; i < nh; i++) {
		uint32_t h = hosts[i];
		if (i && h == hosts[i - 1])
			continue;
		size_t k = mx_lower_bound(a[0].v, a[0].n, h);
		if (k < a[0].n && a[0].v[k] == h) {
			for (; k < a[0].n && a[0].v[k] == h; k++)
				mxip_add(d, &cap, (mxip_row){h, a[1].v[k], 0, 0});
			continue;
		}
		size_t start = d->nmxip;
		for (size_t c = mx_lower_bound(cn[0].v, cn[0].n, h); c < cn[0].n && cn[0].v[c] == h; c++) {
			uint32_t t = cn[1].v[c];
			for (k = mx_lower_bound(a[0].v, a[0].n, t); k < a[0].n && a[0].v[k] == t; k++)
				mxip_add(d, &cap, (mxip_row){h, a[1].v[k], t, (uint32_t)(d->nmxip - start)});
		}
		if (d->nmxip - start < 2) /* (with none, d->mxip may still be NULL) */
			continue;
		/* by address; the first target that gave it stays */
		mx_sort(d->mxip + start, d->nmxip - start, sizeof *d->mxip, cmp_mxip);
		size_t w = start;
		for (size_t r = start; r < d->nmxip; r++)
			if (r == start || d->mxip[r].ip != d->mxip[w - 1].ip)
				d->mxip[w++] = d->mxip[r];
		d->nmxip = w;
	}
	free(hosts);
	for (size_t i = 0; i < d->nmxip; i++) {
		u32vec_push(&d->s.iph, d->mxip[i].host);
		u32vec_push(&d->s.ipa, d->mxip[i].ip);
	}
}

/* Write f_mx_ip for the snapshot: its rows replaced, in key order; the
 * address index is built again after the load when the snapshot is the
 * only one in the table. */
static int write_mx_ip(store *st, int64_t snap, const derive_in *d, char **err)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT EXISTS (SELECT 1 FROM f_mx_ip WHERE snap <> ?1)", err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, snap);
	int others = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
	sqlite3_reset(q);
	if (others < 0) {
		*err = store_db_error(store_db(st), "database error");
		return -1;
	}
	if (!others) { /* the whole table is this snapshot's: empty it, load, index */
		if (store_exec(st, "DELETE FROM f_mx_ip; DROP INDEX IF EXISTS f_mx_ip_ip;", err) < 0)
			return -1;
	} else {
		q = store_prepare(st, "DELETE FROM f_mx_ip WHERE snap = ?1", err);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, snap);
		if (store_step_write(st, q, err) < 0)
			return -1;
	}
	q = store_prepare(st, "INSERT INTO f_mx_ip(snap, host, ip, via) SELECT c0, c1, c2, c3 FROM mxray_rows(?1)", err);
	if (!q)
		return -1;
	mxip_rows mr = {d->mxip, snap};
	store_rows sr = {d->nmxip, &mr, mxip_column};
	store_bind_rows(q, 1, &sr);
	if (store_step_bulk(st, q, err) < 0)
		return -1;
	if (!others && store_build_index(st, "CREATE INDEX f_mx_ip_ip ON " STORE_INDEX_MX_IP_IP, true, err) < 0)
		return -1;
	return 0;
}

/* The addresses in a or b and not in c (each ascending, repeats
 * allowed), ascending, once each. */
static u32vec ip_union_minus(const u32vec *a, const u32vec *b, const u32vec *c)
{
	u32vec out = {0};
	size_t i = 0, j = 0, k = 0;
	while (i < a->n || j < b->n) {
		uint32_t v = j >= b->n || (i < a->n && a->v[i] <= b->v[j]) ? a->v[i] : b->v[j];
		while (i < a->n && a->v[i] == v)
			i++;
		while (j < b->n && b->v[j] == v)
			j++;
		while (k < c->n && c->v[k] < v)
			k++;
		if (k >= c->n || c->v[k] != v)
			u32vec_push(&out, v);
	}
	return out;
}

/* ASNs from pfx2as for every address (of an MX host or scanned) that its
 * scan gave none; the ASN set of the counts gets them too. */
static int derive_pfx2as(store *st, int64_t snap, const char *snapshot, derive_in *d, char **err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL, *ins = NULL;
	pfx2as *t = pfx2as_new();
	u32vec mxips = {0}, cand = {0};
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT net, len, origin FROM pfx2as WHERE snapshot = ?1", -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(s, 1, snapshot, -1, SQLITE_STATIC);
	int prc;
	while ((prc = sqlite3_step(s)) == SQLITE_ROW)
		pfx2as_add(t, (uint32_t)sqlite3_column_int64(s, 0), (unsigned)sqlite3_column_int(s, 1),
			   (const char *)sqlite3_column_text(s, 2));
	if (prc != SQLITE_DONE) /* half a prefix table would give wrong ASNs */
		goto dberr;
	if (pfx2as_count(t) == 0) {
		rc = 0;
		goto out;
	}
	mxips.v = xmalloc((d->s.ipa.n + 1) * sizeof *mxips.v);
	mxips.n = mxips.cap = d->s.ipa.n;
	if (mxips.n)
		memcpy(mxips.v, d->s.ipa.v, mxips.n * sizeof *mxips.v);
	mx_sort_u32(mxips.v, mxips.n);
	cand = ip_union_minus(&mxips, &d->s.scanned, &d->s.asn);
	if (sqlite3_prepare_v2(db, "INSERT INTO f_asn(snap, ip, asn, asn_set, source) VALUES(?1, ?2, ?3, ?4, 'pfx2as')", -1,
			       &ins, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(ins, 1, snap);
	size_t had = d->s.asn.n;
	for (size_t i = 0; i < cand.n; i++) {
		uint32_t addr = cand.v[i], asn;
		char set[PFX2AS_ORIGIN_MAX];
		const char *origin;
		if (!(origin = pfx2as_lookup(t, addr, NULL)) || !pfx2as_origin(origin, &asn, set))
			continue;
		sqlite3_bind_int64(ins, 2, addr);
		sqlite3_bind_int64(ins, 3, asn);
		store_bind_text(ins, 4, set[0] ? set : NULL);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto dberr;
		sqlite3_reset(ins);
		u32vec_push(&d->s.asn, addr);
	}
	if (d->s.asn.n > had)
		mx_sort_u32(d->s.asn.v, d->s.asn.n);
	rc = 0;
	goto out;
dberr:
	*err = store_db_error(db, "database error while resolving MX addresses");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	pfx2as_free(t);
	free(mxips.v), free(cand.v);
	return rc;
}

/* The derive step in the open transaction: f_mx_ip, the pfx2as ASNs, the
 * snapshot marked derived, and the counts of f_stats. */
static int derive_steps(store *st, int64_t snap, const char *snapshot, dcache *dc, derive_in *d, char **err)
{
	u32vec f[2] = {{0}, {0}};
	int rc = -1;
	if (derive_load(st, snap, dc, DC_MX, "SELECT domain, host FROM f_mx WHERE snap = ?1", &d->s.mxd, &d->s.mxh,
			err) < 0 ||
	    derive_load(st, snap, dc, DC_A, "SELECT host, ip FROM f_a WHERE snap = ?1 ORDER BY host, ip", &d->a[0],
			&d->a[1], err) < 0 ||
	    derive_load(st, snap, NULL, -1, "SELECT name, target FROM f_cname WHERE snap = ?1 ORDER BY name, target",
			&d->cn[0], &d->cn[1], err) < 0)
		goto out;
	mx_ip_rows(d);
	if (write_mx_ip(st, snap, d, err) < 0)
		goto out;
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM f_asn WHERE snap = ?1 AND source = 'pfx2as'", err);
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, snap);
	if (store_step_write(st, s, err) < 0 ||
	    derive_load(st, snap, dc, DC_ASN, "SELECT ip FROM f_asn WHERE snap = ?1 ORDER BY ip", &d->s.asn, NULL, err) < 0 ||
	    derive_scans(st, snap, dc, &d->s, err) < 0 || derive_pfx2as(st, snap, snapshot, d, err) < 0)
		goto out;
	s = store_prepare(st, "UPDATE snapshot SET derived = 1 WHERE id = ?1", err);
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, snap);
	if (store_step_write(st, s, err) < 0)
		goto out;
	/* the counts 'mxray stats' shows, with the data they count */
	if (store_load_u32(st, "SELECT name, rcode FROM f_lookup_fail WHERE snap = ?1 AND qtype = 'MX'", snap, 2, f,
			   err) < 0 ||
	    derive_load(st, snap, dc, DC_TARGET, "SELECT list, domain FROM f_target WHERE snap = ?1 ORDER BY list, domain",
			&d->s.tl, &d->s.td, err) < 0)
		goto out;
	for (size_t i = 0; i < f[0].n; i++)
		u32vec_push(f[1].v[i] ? &d->s.fail : &d->s.nodata, f[0].v[i]);
	rc = stats_store(st, snap, &d->s, err);
out:
	free(f[0].v), free(f[1].v);
	return rc;
}

/* Derive the snapshot in a transaction of its own; dc: the run's copy of
 * what it wrote, or NULL to read everything from the database; show: the
 * step's label on the terminal's progress line meanwhile (a dozen seconds
 * at 10M domains). */
static int derive_snapshot(store *st, const char *snapshot, dcache *dc, bool show, char **err)
{
	int64_t snap = store_snapshot_id(st, snapshot);
	if (snap < 0)
		return 0; /* nothing imported for it: nothing to derive */
	if (store_begin(st, err) < 0)
		return -1;
	progress pg = {0};
	progress_step(&pg, show, "import: MX addresses, ASNs and counts", 0);
	derive_in d;
	memset(&d, 0, sizeof d);
	int rc = dc_check(dc, st, err);
	if (rc == 0)
		rc = derive_steps(st, snap, snapshot, dc, &d, err);
	derive_in_free(&d);
	if (rc == 0)
		rc = store_commit(st, err);
	if (rc < 0)
		store_rollback(st);
	progress_end(&pg);
	return rc;
}

int import_derive(store *st, const char *snapshot, char **err)
{
	return derive_snapshot(st, snapshot, NULL, false, err);
}

static void summary(FILE *log, const import_input *in, const import_counts *c)
{
	fprintf(log, "%s %s: %llu lines, %llu imported, %llu already present, %llu skipped",
		import_kind_names[in->kind], strcmp(in->path, "-") ? in->path : "<stdin>",
		(unsigned long long)c->lines, (unsigned long long)c->imported,
		(unsigned long long)c->duplicates, (unsigned long long)c->skipped);
	if (in->kind == IMPORT_DNS)
		fprintf(log, ", %llu failed lookups", (unsigned long long)c->failed);
	if (c->empty)
		fprintf(log, ", %llu empty answers", (unsigned long long)c->empty);
	if (c->offday)
		fprintf(log, ", %llu rows dated another day than the snapshot", (unsigned long long)c->offday);
	if (c->not_smtp)
		fprintf(log, ", %llu not SMTP (other ZGrab2 modules, not stored)", (unsigned long long)c->not_smtp);
	if (c->ignored)
		fprintf(log, ", %llu ignored (%s)", (unsigned long long)c->ignored,
			in->kind == IMPORT_DNS ? "AAAA and other record types" : "IPv6 prefixes");
	fputc('\n', log);
}

static int run_files(store *st, const import_opts *o, const import_input *in, size_t n, char **err)
{
	/* With --strict everything is one transaction: any problem, nothing kept. */
	if (o->strict && store_begin(st, err) < 0)
		return -1;
	bool derive = false, scans_replaced = false;
	int failrc = -1;
	dcache dc;
	dcache_init(&dc);
	/* Targets first, then the rest in the order given. */
	size_t *order = xmalloc((n + 1) * sizeof *order), norder = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++)
			if ((pass == 0) == (in[i].kind == IMPORT_TARGETS))
				order[norder++] = i;
	run_ahead run = {in, order, norder, NULL, 0};
	names *nm = names_open(st, err);
	if (!nm)
		goto fail;
	for (size_t pos = 0; pos < norder; pos++) {
		size_t i = order[pos];
		import_counts c;
		if (import_one(st, o, &in[i], &c, nm, &dc, &run, pos, err) < 0) {
			readahead_free(run.next); /* what was read ahead is not needed */
			run.next = NULL;
			/* say which file, when the message does not (a database error) */
			const char *name = strcmp(in[i].path, "-") ? in[i].path : "<stdin>";
			if (by_signal(*err)) {
				free(*err);
				*err = xasprintf("interrupted while importing %s", name);
			}
			if (*err && !strstr(*err, name)) {
				char *e = xasprintf("%s %s: %s", import_kind_names[in[i].kind], name, *err);
				free(*err);
				*err = e;
			}
			if (!o->strict && c.skipped > (uint64_t)o->max_reported)
				fprintf(o->log, "... and %llu more problems\n",
					(unsigned long long)(c.skipped - (uint64_t)o->max_reported));
			/* the files before this one stay: resolve what they brought,
			 * from the tables (the copy holds this file's rows too) */
			char *e2 = NULL;
			if (!o->strict)
				build_name_index(st, o->log, false, NULL);
			if (!o->strict && derive && o->snapshot && import_interrupted) { /* no: stop now */
				failrc = -3;
			} else if (!o->strict && derive && o->snapshot && import_derive(st, o->snapshot, &e2) < 0) {
				failrc = -3; /* the files before it kept, their last step not done */
				fprintf(o->log, "%s\n", by_signal(e2) ? "interrupted while resolving MX addresses" : e2);
				free(e2);
			}
			goto fail;
		}
		if (c.skipped > (uint64_t)o->max_reported)
			fprintf(o->log, "... and %llu more problems in %s\n",
				(unsigned long long)(c.skipped - (uint64_t)o->max_reported),
				strcmp(in[i].path, "-") ? in[i].path : "<stdin>");
		summary(o->log, &in[i], &c);
		if (in[i].kind != IMPORT_ASORG) /* targets: for the stored counts */
			derive = true;
		/* a shared text is left unused only where a record did not add
		 * a row: it replaced its address's row, or changed nothing (its
		 * texts maybe added all the same) */
		if (in[i].kind == IMPORT_SCANS && (c.duplicates || c.imported > c.new_rows))
			scans_replaced = true;
	}
	names_free(nm);
	nm = NULL;
	readahead_free(run.next);
	run.next = NULL;
	free(order);
	order = NULL;
	if (build_name_index(st, o->log, o->strict, err) < 0)
		goto fail;
	if (derive && o->snapshot && derive_snapshot(st, o->snapshot, &dc, o->progress, err) < 0) {
		if (by_signal(*err)) {
			free(*err);
			*err = xstrdup("interrupted while resolving MX addresses");
		}
		if (!o->strict) { /* the files stay, their derived tables wait */
			dcache_drop(&dc);
			return -2;
		}
		goto fail;
	}
	dcache_drop(&dc);
	/* in the run's transaction with --strict; else on its own, after the
	 * files are kept (a failure leaves texts no row shows, for the next
	 * run that replaces scan rows to remove).  Not when every record
	 * added a row: it reads every scan row (0.1-0.3 s at 1M domains) */
	if (scans_replaced && o->strict && scantext_prune(st, err) < 0)
		goto fail;
	if (o->strict && store_commit(st, err) < 0)
		goto fail;
	char *pe = NULL;
	/* (a Ctrl-C from here on: everything is written, these two wait for
	 * the next run, and the command ends as it would have) */
	if (scans_replaced && !o->strict && !import_interrupted && scantext_prune(st, &pe) < 0) {
		if (o->log && !import_interrupted)
			fprintf(o->log, "warning: texts no scan row uses were not removed: %s\n", pe);
		free(pe);
	}
	/* the planner's statistics for what was loaded: after the commit, so
	 * the data is kept whatever happens to them (on a failure the old
	 * ones stay, and the next import or infer tries again) */
	char *e = NULL;
	if (derive && !import_interrupted && store_analyze(st, &e) < 0) {
		if (o->log && !import_interrupted)
			fprintf(o->log, "warning: the planner statistics were not refreshed: %s\n", e);
		free(e);
	}
	return 0;
fail:
	readahead_free(run.next);
	free(order);
	dcache_drop(&dc);
	names_free(nm);
	if (o->strict)
		store_rollback(st);
	return failrc;
}

int import_run(store *st, const import_opts *o, const import_input *in, size_t n, char **err)
{
	store_stop_on(st, &import_interrupted); /* in SQLite's long steps too (a load, an index, the last step) */
	int rc = run_files(st, o, in, n, err);
	store_stop_on(st, NULL);
	return rc;
}
