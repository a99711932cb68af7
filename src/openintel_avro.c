/* openintel_avro: OpenINTEL rows from Avro object container files.  See
 * openintel_avro.h. */
#include "mxray/openintel_avro.h"
#include "mxray/util.h"

#include <avro.h>
#include <inttypes.h>
#include <math.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BLOCK_MAX (64u << 20)  /* bytes of one block, compressed or not */
#define HEADER_MAX (16u << 20) /* bytes of the header */
#define META_MAX 1024          /* header metadata entries */
#define NODES_MAX 4096         /* types in the schema, expanded */
#define DEPTH_MAX 32           /* nesting of types */
#define SYNC_LEN 16

bool oi_avro_sniff(const void *head, size_t n)
{
	return n >= 4 && !memcmp(head, "Obj\x01", 4);
}

/* ---- the schema, compiled ------------------------------------------------
 *
 * libavro's schema, flattened into an array of nodes walked for every
 * record (its own lookups go through hash tables). */

typedef struct {
	avro_type_t type;
	uint32_t n;   /* record: fields; union: branches; enum: symbols; fixed: size */
	uint32_t kid; /* first of the n children in kids[] (array, map: one) */
	int col;      /* a top-level field: its DNS column, or -1 */
	avro_schema_t schema; /* enum: for its symbols */
} node;

typedef struct {
	node *nodes;
	size_t nnodes;
	uint32_t *kids;
	size_t nkids, kcap;
	char why[256];
} prog;

static int compile(prog *p, avro_schema_t s, int depth);

static int kid_add(prog *p, uint32_t k)
{
	if (p->nkids == p->kcap) {
		p->kcap = p->kcap ? p->kcap * 2 : 64;
		p->kids = xrealloc(p->kids, p->kcap * sizeof *p->kids);
	}
	p->kids[p->nkids++] = k;
	return 0;
}

/* The node for schema s (a new one: shared types are expanded); its index,
 * or -1 with p->why. */
static int compile(prog *p, avro_schema_t s, int depth)
{
	while (s && is_avro_link(s))
		s = avro_schema_link_target(s);
	if (!s) {
		snprintf(p->why, sizeof p->why, "a type cannot be resolved");
		return -1;
	}
	if (depth > DEPTH_MAX || p->nnodes >= NODES_MAX) {
		snprintf(p->why, sizeof p->why, "its types nest deeper than %d or number more than %d", DEPTH_MAX,
			 NODES_MAX);
		return -1;
	}
	size_t me = p->nnodes++;
	p->nodes[me] = (node){avro_typeof(s), 0, 0, -1, NULL};
	switch (avro_typeof(s)) {
	case AVRO_RECORD:
	case AVRO_UNION: {
		bool rec = avro_typeof(s) == AVRO_RECORD;
		size_t n = rec ? avro_schema_record_size(s) : avro_schema_union_size(s);
		if (n > NODES_MAX) {
			snprintf(p->why, sizeof p->why, "a %s has %zu members", rec ? "record" : "union", n);
			return -1;
		}
		/* children first, then their indexes in a row */
		uint32_t tmp[64], *idx = n <= 64 ? tmp : xmalloc(n * sizeof *idx);
		for (size_t i = 0; i < n; i++) {
			avro_schema_t k = rec ? avro_schema_record_field_get_by_index(s, (int)i)
					      : avro_schema_union_branch(s, (int)i);
			int c = compile(p, k, depth + 1);
			if (c < 0) {
				if (idx != tmp)
					free(idx);
				return -1;
			}
			idx[i] = (uint32_t)c;
		}
		p->nodes[me].kid = (uint32_t)p->nkids;
		p->nodes[me].n = (uint32_t)n;
		for (size_t i = 0; i < n; i++)
			kid_add(p, idx[i]);
		if (idx != tmp)
			free(idx);
		break;
	}
	case AVRO_ARRAY:
	case AVRO_MAP: {
		avro_schema_t k = avro_typeof(s) == AVRO_ARRAY ? avro_schema_array_items(s) : avro_schema_map_values(s);
		int c = compile(p, k, depth + 1);
		if (c < 0)
			return -1;
		p->nodes[me].kid = (uint32_t)p->nkids;
		p->nodes[me].n = 1;
		kid_add(p, (uint32_t)c);
		break;
	}
	case AVRO_ENUM:
		p->nodes[me].n = (uint32_t)avro_schema_enum_number_of_symbols(s);
		p->nodes[me].schema = s;
		break;
	case AVRO_FIXED: {
		int64_t sz = avro_schema_fixed_size(s);
		if (sz < 0 || sz > (int64_t)BLOCK_MAX) {
			snprintf(p->why, sizeof p->why, "a fixed type has size %" PRId64, sz);
			return -1;
		}
		p->nodes[me].n = (uint32_t)sz;
		break;
	}
	default:
		break;
	}
	return (int)me;
}

/* May a DNS column have this type (a scalar, or a union of scalars)? */
static bool column_type_ok(const prog *p, const node *nd, int depth)
{
	switch (nd->type) {
	case AVRO_NULL:
	case AVRO_STRING:
	case AVRO_BYTES:
	case AVRO_INT32:
	case AVRO_INT64:
	case AVRO_FLOAT:
	case AVRO_DOUBLE:
	case AVRO_ENUM:
		return true;
	case AVRO_UNION:
		if (depth)
			return false;
		for (uint32_t i = 0; i < nd->n; i++)
			if (!column_type_ok(p, &p->nodes[p->kids[nd->kid + i]], 1))
				return false;
		return true;
	default:
		return false;
	}
}

/* ---- reading the file ---------------------------------------------------- */

typedef struct {
	infile *f;
	const char *name;
	unsigned char *buf;
	size_t cap, pos, end;
	uint64_t off;  /* file offset of buf[0] (of the decompressed stream) */
	bool eof;
	char *err;     /* a read error, malloc'd */
} rd;

/* Make n bytes available at r->buf + r->pos: 1, 0 when the file ends
 * first, -1 on a read error. */
static int fill(rd *r, size_t n)
{
	if (r->end - r->pos >= n)
		return 1;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->off += r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	if (n > r->cap) {
		size_t c = r->cap ? r->cap : 1;
		while (c < n)
			c *= 2;
		r->buf = xrealloc(r->buf, c);
		r->cap = c;
	}
	while (r->end < n && !r->eof) {
		size_t want = r->cap - r->end;
		long k = infile_read(r->f, r->buf + r->end, want > (1u << 20) ? (1u << 20) : want, &r->err);
		if (k < 0)
			return -1;
		if (k == 0)
			r->eof = true;
		r->end += (size_t)k;
	}
	return r->end >= n ? 1 : 0;
}

static uint64_t rd_offset(const rd *r)
{
	return r->off + r->pos;
}

/* A zig-zag varint: 1, 0 when the file ends before its first byte, -2
 * when it ends inside it or it is longer than 10 bytes, -1 on a read
 * error. */
static int rd_long(rd *r, int64_t *v)
{
	uint64_t u = 0;
	for (int i = 0; i < 10; i++) {
		int k = fill(r, 1);
		if (k < 0)
			return -1;
		if (k == 0)
			return i ? -2 : 0;
		unsigned char b = r->buf[r->pos++];
		u |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
			return 1;
		}
	}
	return -2;
}

/* ---- decoding records ---------------------------------------------------- */

typedef struct {
	const unsigned char *p, *end;
	uint64_t budget; /* steps left: bounds the work of a block */
	const char *why;
} dec;

static bool d_long(dec *d, int64_t *v)
{
	uint64_t u = 0;
	for (int i = 0; i < 10 && d->p < d->end; i++) {
		unsigned char b = *d->p++;
		u |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
			return true;
		}
	}
	d->why = d->p >= d->end ? "the block ends inside a number" : "a number is longer than 10 bytes";
	return false;
}

static bool d_take(dec *d, int64_t n, const unsigned char **at)
{
	if (n < 0 || n > d->end - d->p) {
		d->why = n < 0 ? "a negative length" : "a length beyond the end of the block";
		return false;
	}
	*at = d->p;
	d->p += n;
	return true;
}

/* A value of one of the DNS columns. */
typedef struct {
	avro_type_t type; /* of the branch taken; AVRO_NULL for null */
	const unsigned char *s;
	size_t len;
	int64_t i;
	double x;
	const char *sym;
} cval;

static bool d_value(dec *d, const prog *p, uint32_t ni, int depth, cval *cv);

/* Skip (or, with cv, capture) the value of node ni. */
static bool d_value(dec *d, const prog *p, uint32_t ni, int depth, cval *cv)
{
	const node *nd = &p->nodes[ni];
	const unsigned char *at;
	int64_t v;
	if (!d->budget--) {
		d->why = "the block holds more values than bytes";
		return false;
	}
	if (depth > DEPTH_MAX) {
		d->why = "values nest too deeply";
		return false;
	}
	if (cv)
		cv->type = nd->type;
	switch (nd->type) {
	case AVRO_NULL:
		return true;
	case AVRO_BOOLEAN:
		if (!d_take(d, 1, &at))
			return false;
		if (*at > 1) {
			d->why = "a boolean is neither 0 nor 1";
			return false;
		}
		return true;
	case AVRO_INT32:
	case AVRO_INT64:
		if (!d_long(d, &v))
			return false;
		if (nd->type == AVRO_INT32 && (v < INT32_MIN || v > INT32_MAX)) {
			d->why = "an int is out of range";
			return false;
		}
		if (cv)
			cv->i = v;
		return true;
	case AVRO_FLOAT:
	case AVRO_DOUBLE: {
		int64_t n = nd->type == AVRO_FLOAT ? 4 : 8;
		if (!d_take(d, n, &at))
			return false;
		if (cv) {
			/* little-endian IEEE 754 */
			uint64_t u = 0;
			for (int k = (int)n - 1; k >= 0; k--)
				u = u << 8 | at[k];
			if (n == 4) {
				uint32_t w = (uint32_t)u;
				float fl;
				memcpy(&fl, &w, 4);
				cv->x = fl;
			} else {
				memcpy(&cv->x, &u, 8);
			}
		}
		return true;
	}
	case AVRO_STRING:
	case AVRO_BYTES:
		if (!d_long(d, &v) || !d_take(d, v, &at))
			return false;
		if (cv) {
			cv->s = at;
			cv->len = (size_t)v;
		}
		return true;
	case AVRO_FIXED:
		return d_take(d, nd->n, &at);
	case AVRO_ENUM:
		if (!d_long(d, &v))
			return false;
		if (v < 0 || v >= nd->n) {
			d->why = "an enum index is out of range";
			return false;
		}
		if (cv)
			cv->sym = avro_schema_enum_get(nd->schema, (int)v);
		return true;
	case AVRO_UNION:
		if (!d_long(d, &v))
			return false;
		if (v < 0 || v >= nd->n) {
			d->why = "a union branch is out of range";
			return false;
		}
		return d_value(d, p, p->kids[nd->kid + v], depth + 1, cv);
	case AVRO_RECORD:
		for (uint32_t k = 0; k < nd->n; k++)
			if (!d_value(d, p, p->kids[nd->kid + k], depth + 1, NULL))
				return false;
		return true;
	case AVRO_ARRAY:
	case AVRO_MAP:
		for (;;) {
			int64_t count;
			if (!d_long(d, &count))
				return false;
			if (count == 0)
				return true;
			if (count < 0) {
				int64_t size;
				if (count == INT64_MIN || !d_long(d, &size))
					return false;
				count = -count;
			}
			if ((uint64_t)count > d->budget) {
				d->why = "an array or map holds more items than the block bytes";
				return false;
			}
			for (int64_t k = 0; k < count; k++) {
				if (nd->type == AVRO_MAP && (!d_long(d, &v) || !d_take(d, v, &at)))
					return false;
				if (!d_value(d, p, p->kids[nd->kid], depth + 1, NULL))
					return false;
			}
		}
	default:
		d->why = "a type mxray cannot decode";
		return false;
	}
}

/* ---- the whole file ---------------------------------------------------- */

enum codec { C_NULL, C_DEFLATE, C_SNAPPY };

typedef struct {
	rd r;
	const oi_avro_sink *sink;
	char **err;
	prog p;
	int root;
	bool schema_ok;
	char schema_why[300];
	enum codec codec;
	unsigned char sync[SYNC_LEN];
	unsigned char *out; /* a decompressed block */
	size_t outcap;
	uint64_t recno;     /* next record's number */
	uint64_t block;     /* blocks started */
	strbuf vals[DNS_NCOLS];
	char why[512];
} oi;

static int fail(oi *o, char *msg)
{
	*o->err = msg;
	return -1;
}

/* A read error, or a header cut off or broken, as a file error. */
static int header_fail(oi *o, int k, const char *what)
{
	if (k == -1)
		return fail(o, xstrdup(o->r.err));
	return fail(o, xasprintf("%s: byte %" PRIu64 ": the Avro header is broken: %s", o->r.name, rd_offset(&o->r),
				 k == 0 || k == -2 ? "the file ends inside it" : what));
}

static int read_header(oi *o, strbuf *schema_json)
{
	rd *r = &o->r;
	int k = fill(r, 4);
	if (k <= 0 || memcmp(r->buf + r->pos, "Obj\x01", 4))
		return header_fail(o, k, "no Avro magic");
	r->pos += 4;
	char codec[32] = "null";
	bool have_schema = false;
	size_t entries = 0;
	for (;;) {
		int64_t count, size;
		if ((k = rd_long(r, &count)) <= 0)
			return header_fail(o, k, "");
		if (count == 0)
			break;
		if (count < 0) {
			if (count == INT64_MIN)
				return header_fail(o, 1, "a metadata count out of range");
			count = -count;
			if ((k = rd_long(r, &size)) <= 0)
				return header_fail(o, k, "");
		}
		if (count > META_MAX || (entries += (size_t)count) > META_MAX)
			return header_fail(o, 1, "more than 1024 metadata entries");
		for (int64_t i = 0; i < count; i++) {
			/* the key (kept: reading the value may move the buffer),
			 * then the value */
			int64_t klen, vlen;
			char key[16];
			if ((k = rd_long(r, &klen)) <= 0)
				return header_fail(o, k, "");
			if (klen < 0 || (uint64_t)klen > HEADER_MAX)
				return header_fail(o, 1, "a metadata length out of range");
			if ((k = fill(r, (size_t)klen)) <= 0)
				return header_fail(o, k, "");
			size_t kn = (size_t)klen < sizeof key ? (size_t)klen : sizeof key;
			memcpy(key, r->buf + r->pos, kn);
			r->pos += (size_t)klen;
			if ((k = rd_long(r, &vlen)) <= 0)
				return header_fail(o, k, "");
			if (vlen < 0 || (uint64_t)vlen > HEADER_MAX)
				return header_fail(o, 1, "a metadata length out of range");
			if ((k = fill(r, (size_t)vlen)) <= 0)
				return header_fail(o, k, "");
			const unsigned char *val = r->buf + r->pos;
			r->pos += (size_t)vlen;
			if (rd_offset(r) > HEADER_MAX)
				return header_fail(o, 1, "longer than 16 MiB");
			if (klen == 10 && !memcmp(key, "avro.codec", 10)) {
				if ((size_t)vlen >= sizeof codec)
					return fail(o, xasprintf("%s: the Avro codec is not one mxray reads (null, deflate, snappy)",
								 r->name));
				memcpy(codec, val, (size_t)vlen);
				codec[vlen] = '\0';
			} else if (klen == 11 && !memcmp(key, "avro.schema", 11)) {
				sb_clear(schema_json);
				sb_add(schema_json, (const char *)val, (size_t)vlen);
				have_schema = true;
			}
		}
	}
	if ((k = fill(r, SYNC_LEN)) <= 0)
		return header_fail(o, k, "");
	memcpy(o->sync, r->buf + r->pos, SYNC_LEN);
	r->pos += SYNC_LEN;
	if (!strcmp(codec, "null") || !*codec)
		o->codec = C_NULL;
	else if (!strcmp(codec, "deflate"))
		o->codec = C_DEFLATE;
	else if (!strcmp(codec, "snappy"))
		o->codec = C_SNAPPY;
	else {
		bool printable = true;
		for (const char *c = codec; *c; c++)
			printable &= *c > 0x20 && *c < 0x7f;
		return fail(o, xasprintf("%s: the Avro codec %s%s%s is not one mxray reads (null, deflate, snappy)",
					 r->name, printable ? "\"" : "", printable ? codec : "(unprintable)",
					 printable ? "\"" : ""));
	}
	if (!have_schema)
		return fail(o, xasprintf("%s: the Avro header has no schema", r->name));
	return 0;
}

/* Check the schema: a record, with the DNS columns it has of a usable
 * type, query_name and response_type among them.  Sets o->schema_ok, or
 * o->schema_why. */
static void check_schema(oi *o, avro_schema_t s)
{
	o->p.nodes = xcalloc(NODES_MAX, sizeof *o->p.nodes);
	if (!is_avro_record(s)) {
		snprintf(o->schema_why, sizeof o->schema_why, "it is %s %s, not a record",
			 avro_typeof(s) == AVRO_ARRAY || avro_typeof(s) == AVRO_ENUM ? "an" : "a",
			 avro_schema_type_name(s));
		return;
	}
	o->root = compile(&o->p, s, 0);
	if (o->root < 0) {
		snprintf(o->schema_why, sizeof o->schema_why, "%s", o->p.why);
		return;
	}
	const node *root = &o->p.nodes[o->root];
	for (int c = 0; c < DNS_NCOLS; c++) {
		int i = avro_schema_record_field_get_index(s, dns_column_names[c]);
		if (i < 0) {
			if (c == DNS_QUERY_NAME || c == DNS_RESPONSE_TYPE) {
				snprintf(o->schema_why, sizeof o->schema_why, "it has no %s field", dns_column_names[c]);
				return;
			}
			continue;
		}
		node *fld = &o->p.nodes[o->p.kids[root->kid + (uint32_t)i]];
		if (!column_type_ok(&o->p, fld, 0)) {
			snprintf(o->schema_why, sizeof o->schema_why,
				 "its field %s is of type %s, not a string or number (or null)", dns_column_names[c],
				 fld->type == AVRO_UNION ? "union with other types" :
				 avro_schema_type_name(avro_schema_record_field_get_by_index(s, i)));
			return;
		}
		fld->col = c;
	}
	o->schema_ok = true;
}

/* Decompress a block into o->out; the data, or NULL with o->why. */
static const unsigned char *decompress(oi *o, const unsigned char *in, size_t len, size_t *outlen)
{
	if (o->codec == C_NULL) {
		*outlen = len;
		return in;
	}
	if (o->codec == C_SNAPPY) {
		size_t n;
		if (len < 4 || snappy_uncompressed_length((const char *)in, len - 4, &n) != SNAPPY_OK) {
			snprintf(o->why, sizeof o->why, "its snappy data is broken");
			return NULL;
		}
		if (n > BLOCK_MAX) {
			snprintf(o->why, sizeof o->why, "it would decompress to %zu bytes, more than 64 MiB", n);
			return NULL;
		}
		if (n > o->outcap) {
			o->out = xrealloc(o->out, n ? n : 1);
			o->outcap = n;
		}
		if (snappy_uncompress((const char *)in, len - 4, (char *)o->out, &n) != SNAPPY_OK) {
			snprintf(o->why, sizeof o->why, "its snappy data is broken");
			return NULL;
		}
		uint32_t want = (uint32_t)in[len - 4] << 24 | (uint32_t)in[len - 3] << 16 | (uint32_t)in[len - 2] << 8 |
				in[len - 1];
		if ((uint32_t)crc32(0, o->out, (uInt)n) != want) {
			snprintf(o->why, sizeof o->why, "its snappy data fails its CRC-32 check");
			return NULL;
		}
		*outlen = n;
		return o->out;
	}
	/* deflate, raw (no zlib header) */
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK) {
		snprintf(o->why, sizeof o->why, "zlib cannot be initialised");
		return NULL;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	size_t n = 0;
	int zr = Z_OK;
	while (zr != Z_STREAM_END) {
		if (n == o->outcap) {
			if (o->outcap >= BLOCK_MAX) {
				inflateEnd(&z);
				snprintf(o->why, sizeof o->why, "it decompresses to more than 64 MiB");
				return NULL;
			}
			o->outcap = o->outcap ? o->outcap * 2 : 65536;
			if (o->outcap > BLOCK_MAX)
				o->outcap = BLOCK_MAX;
			o->out = xrealloc(o->out, o->outcap);
		}
		z.next_out = o->out + n;
		z.avail_out = (uInt)(o->outcap - n);
		zr = inflate(&z, Z_NO_FLUSH);
		n = o->outcap - z.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			inflateEnd(&z);
			snprintf(o->why, sizeof o->why, "its deflate data is cut off");
			return NULL;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			snprintf(o->why, sizeof o->why, "its deflate data is broken (%s)", z.msg ? z.msg : "zlib error");
			inflateEnd(&z);
			return NULL;
		}
	}
	bool rest = z.avail_in != 0;
	inflateEnd(&z);
	if (rest) {
		snprintf(o->why, sizeof o->why, "it has bytes after its deflate data");
		return NULL;
	}
	*outlen = n;
	return o->out;
}

/* One column value as the text a JSON or CSV row would give. */
static const char *col_text(oi *o, int c, const cval *cv, const char **why)
{
	strbuf *sb = &o->vals[c];
	sb_clear(sb);
	switch (cv->type) {
	case AVRO_STRING:
	case AVRO_BYTES:
		if (memchr(cv->s, '\0', cv->len)) {
			snprintf(o->why, sizeof o->why, "%s contains a NUL byte", dns_column_names[c]);
			*why = o->why;
			return NULL;
		}
		sb_add(sb, (const char *)cv->s, cv->len);
		return sb->data;
	case AVRO_INT32:
	case AVRO_INT64:
		sb_addf(sb, "%" PRId64, cv->i);
		return sb->data;
	case AVRO_FLOAT:
	case AVRO_DOUBLE:
		/* an integral number stored as a double is that integer; a
		 * fraction is refused by the row's own checks */
		if (isfinite(cv->x) && cv->x == trunc(cv->x) && fabs(cv->x) < 1e18)
			sb_addf(sb, "%.0f", cv->x + 0.0);
		else
			sb_addf(sb, "%.17g", cv->x);
		return sb->data;
	case AVRO_ENUM:
		sb_adds(sb, cv->sym ? cv->sym : "");
		return sb->data;
	default:
		return NULL; /* null */
	}
}

/* Decode and hand out the records of one (decompressed) block. */
static int read_records(oi *o, const unsigned char *data, size_t len, int64_t count)
{
	/* at most one record per byte (an OpenINTEL record takes one at
	 * least per field), and a bounded number of steps per byte */
	if ((uint64_t)count > len) {
		char msg[200];
		snprintf(msg, sizeof msg, "block %" PRIu64 " claims %" PRId64 " records in %zu bytes: its records are skipped",
			 o->block, count, len);
		uint64_t recno = o->recno;
		o->recno += (uint64_t)count;
		return o->sink->problem(o->sink->cx, recno, (uint64_t)count, msg);
	}
	dec d = {data, data + len, ((uint64_t)len + 1024) * 16, NULL};
	const node *root = &o->p.nodes[o->root];
	for (int64_t k = 0; k < count; k++) {
		uint64_t recno = o->recno++;
		const char *vals[DNS_NCOLS] = {NULL};
		const char *bad = NULL; /* a value the row cannot take */
		for (uint32_t i = 0; i < root->n; i++) {
			const node *fld = &o->p.nodes[o->p.kids[root->kid + i]];
			bool take = fld->col >= 0 && !bad;
			cval cv = {AVRO_NULL, NULL, 0, 0, 0, NULL};
			if (!d_value(&d, &o->p, o->p.kids[root->kid + i], 1, take ? &cv : NULL)) {
				/* the record's bytes are lost: so are the ones after it */
				uint64_t left = (uint64_t)(count - k);
				o->recno += left - 1;
				char msg[400];
				snprintf(msg, sizeof msg, "cannot be decoded (%s): %s", d.why,
					 left > 1 ? "it and the rest of its block are skipped" : "it is skipped");
				return o->sink->problem(o->sink->cx, recno, left, msg);
			}
			if (take)
				vals[fld->col] = col_text(o, fld->col, &cv, &bad);
		}
		int rc = bad ? o->sink->problem(o->sink->cx, recno, 1, bad) : o->sink->row(o->sink->cx, recno, vals);
		if (rc)
			return rc;
	}
	if (d.p != d.end) {
		char msg[200];
		snprintf(msg, sizeof msg, "block %" PRIu64 " has %zu bytes after its last record", o->block,
			 (size_t)(d.end - d.p));
		return o->sink->problem(o->sink->cx, o->recno, 0, msg);
	}
	return 0;
}

static const unsigned char *find_sync(const unsigned char *p, size_t n, const unsigned char *sync)
{
	for (const unsigned char *end = p + n; (size_t)(end - p) >= SYNC_LEN;) {
		const unsigned char *c = memchr(p, sync[0], (size_t)(end - p) - (SYNC_LEN - 1));
		if (!c)
			return NULL;
		if (!memcmp(c, sync, SYNC_LEN))
			return c;
		p = c + 1;
	}
	return NULL;
}

/* Find the next sync marker from r->pos on and stand after it: 1, 0 when
 * the file ends first, -1 on a read error. */
static int resync(oi *o)
{
	rd *r = &o->r;
	for (;;) {
		int k = fill(r, SYNC_LEN);
		if (k <= 0)
			return k;
		size_t n = r->end - r->pos;
		const unsigned char *hit = find_sync(r->buf + r->pos, n, o->sync);
		if (hit) {
			r->pos = (size_t)(hit - r->buf) + SYNC_LEN;
			return 1;
		}
		/* keep the last bytes: a marker may straddle the next read */
		r->pos = r->end - (SYNC_LEN - 1);
		k = fill(r, r->end - r->pos + 65536);
		if (k < 0)
			return -1;
		if (k == 0 && r->end - r->pos < SYNC_LEN)
			return 0;
		if (k == 0) {
			hit = find_sync(r->buf + r->pos, r->end - r->pos, o->sync);
			if (!hit)
				return 0;
			r->pos = (size_t)(hit - r->buf) + SYNC_LEN;
			return 1;
		}
	}
}

/* The block structure broke at file offset `at` (why): report it and go
 * on after the next sync marker, searched from r->pos.  0 to go on, 1
 * at the end of the file, or a callback's return / -1. */
static int broken(oi *o, uint64_t at, const char *why)
{
	int k = resync(o);
	if (k < 0)
		return fail(o, xstrdup(o->r.err));
	char msg[600];
	if (k)
		snprintf(msg, sizeof msg,
			 "block %" PRIu64 " (byte %" PRIu64 "): %s; its records are skipped, and reading goes on at the "
			 "next sync marker (byte %" PRIu64 ")",
			 o->block, at, why, rd_offset(&o->r));
	else
		snprintf(msg, sizeof msg,
			 "block %" PRIu64 " (byte %" PRIu64 "): %s; no sync marker follows: the rest of the file is skipped",
			 o->block, at, why);
	int rc = o->sink->problem(o->sink->cx, o->recno, 0, msg);
	return rc ? rc : k ? 0 : 1;
}

static int read_blocks(oi *o)
{
	rd *r = &o->r;
	for (;;) {
		uint64_t at = rd_offset(r);
		int64_t count, size;
		int k = rd_long(r, &count);
		if (k == 0)
			return 0; /* the end, between blocks */
		if (k == -1)
			return fail(o, xstrdup(r->err));
		o->block++;
		if (k == 1)
			k = rd_long(r, &size);
		if (k == -1)
			return fail(o, xstrdup(r->err));
		if (k != 1) {
			char msg[300];
			snprintf(msg, sizeof msg, "block %" PRIu64 " (byte %" PRIu64 "): the file ends inside its header",
				 o->block, at);
			return o->sink->problem(o->sink->cx, o->recno, 0, msg);
		}
		if (count < 0 || count > (int64_t)BLOCK_MAX * 8 || size < 0 || size > (int64_t)BLOCK_MAX) {
			char why[120];
			snprintf(why, sizeof why, "its count (%" PRId64 ") or size (%" PRId64 ") is out of range", count,
				 size);
			int rc = broken(o, at, why);
			if (rc)
				return rc == 1 ? 0 : rc;
			continue;
		}
		k = fill(r, (size_t)size + SYNC_LEN);
		if (k < 0)
			return fail(o, xstrdup(r->err));
		if (k == 0) {
			/* a size too large, with more blocks after it, or the
			 * file cut short: a sync marker further on tells */
			int found = resync(o);
			if (found < 0)
				return fail(o, xstrdup(r->err));
			if (found) {
				r->pos -= SYNC_LEN; /* broken() searches again, from it */
				int rc = broken(o, at, "its size runs past the next sync marker");
				if (rc)
					return rc == 1 ? 0 : rc;
				continue;
			}
			char msg[300];
			snprintf(msg, sizeof msg,
				 "block %" PRIu64 " (byte %" PRIu64 ", %" PRId64 " records): the file ends inside it: its "
				 "records are lost",
				 o->block, at, count);
			uint64_t recno = o->recno;
			o->recno += (uint64_t)count;
			return o->sink->problem(o->sink->cx, recno, (uint64_t)count, msg);
		}
		const unsigned char *data = r->buf + r->pos;
		if (memcmp(data + size, o->sync, SYNC_LEN)) {
			/* the size or the marker is wrong: search from the data */
			int rc = broken(o, at, "it is not followed by the file's sync marker");
			if (rc)
				return rc == 1 ? 0 : rc;
			continue;
		}
		r->pos += (size_t)size + SYNC_LEN;
		if (!count)
			continue;
		if (!o->schema_ok) {
			o->recno += (uint64_t)count; /* counted; reported at the end */
			continue;
		}
		size_t n;
		const unsigned char *plain = decompress(o, data, (size_t)size, &n);
		if (!plain) {
			char msg[700];
			snprintf(msg, sizeof msg, "block %" PRIu64 " (byte %" PRIu64 ", %" PRId64 " records): %s: its records "
				 "are skipped", o->block, at, count, o->why);
			uint64_t recno = o->recno;
			o->recno += (uint64_t)count;
			int rc = o->sink->problem(o->sink->cx, recno, (uint64_t)count, msg);
			if (rc)
				return rc;
			continue;
		}
		int rc = read_records(o, plain, n, count);
		if (rc)
			return rc;
	}
}

int oi_avro_read(infile *f, const oi_avro_sink *sink, char **err)
{
	oi *o = xcalloc(1, sizeof *o);
	o->r.f = f;
	o->r.name = infile_name(f);
	o->sink = sink;
	o->err = err;
	o->recno = 1;
	o->root = -1;
	for (int c = 0; c < DNS_NCOLS; c++)
		sb_init(&o->vals[c]);
	strbuf json;
	sb_init(&json);
	avro_schema_t schema = NULL;
	int rc = read_header(o, &json);
	if (rc == 0) {
		if (avro_schema_from_json_length(json.data, json.len, &schema)) {
			/* libavro's message, made printable and kept short */
			const char *e = avro_strerror();
			char shown[160];
			size_t i = 0;
			for (; e && e[i] && i < sizeof shown - 1; i++)
				shown[i] = e[i] >= 0x20 && e[i] < 0x7f ? e[i] : '?';
			shown[i] = '\0';
			snprintf(o->schema_why, sizeof o->schema_why, "libavro cannot parse it (%s)", shown);
			schema = NULL;
		} else {
			check_schema(o, schema);
		}
		rc = read_blocks(o);
		if (rc == 0 && !o->schema_ok) {
			char msg[500];
			uint64_t n = o->recno - 1;
			snprintf(msg, sizeof msg, "the Avro schema is not OpenINTEL's forward-DNS schema: %s; the file's %" PRIu64
				 " record%s skipped", o->schema_why, n, n == 1 ? " is" : "s are");
			rc = sink->problem(sink->cx, 1, n, msg);
		}
	}
	if (schema)
		avro_schema_decref(schema);
	sb_free(&json);
	for (int c = 0; c < DNS_NCOLS; c++)
		sb_free(&o->vals[c]);
	free(o->p.nodes);
	free(o->p.kids);
	free(o->out);
	free(o->r.buf);
	free(o->r.err);
	free(o);
	return rc;
}
