/* openintel_avro: OpenINTEL forward-DNS data as Avro object container
 * files, written here with libavro (null, deflate and snappy codecs; the
 * sparse schema with every field nullable, and an older one that lacks
 * newer fields) and imported: the same rows as the same data in JSON
 * Lines, exactly.  Broken files: a corrupt block, a wrong sync marker, a
 * file cut short, a schema that is not OpenINTEL's, a Parquet file. */
#include "testdb.h"
#include "mxray/import.h"
#include "mxray/infile.h"
#include "mxray/openintel_avro.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <avro.h>
#include <fcntl.h>
#include <zlib.h>

/* The fields of OpenINTEL's data dictionary (openintel.nl/background/
 * dictionary) in the order of its Avro files, with their types; every
 * field a union with null ("sparse" storage).  A subset: the fields mxray
 * reads and some it does not. */
static const char *SCHEMA_NEW =
	"{\"type\":\"record\",\"name\":\"Measurement\",\"namespace\":\"nl.openintel\",\"fields\":["
	"{\"name\":\"query_type\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"query_name\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"response_type\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"response_name\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"response_ttl\",\"type\":[\"null\",\"int\"],\"default\":null},"
	"{\"name\":\"timestamp\",\"type\":[\"null\",\"long\"],\"default\":null},"
	"{\"name\":\"rtt\",\"type\":[\"null\",\"double\"],\"default\":null},"
	"{\"name\":\"worker_id\",\"type\":[\"null\",\"int\"],\"default\":null},"
	"{\"name\":\"status_code\",\"type\":[\"null\",\"int\"],\"default\":null},"
	"{\"name\":\"ad_flag\",\"type\":[\"null\",\"int\"],\"default\":null},"
	"{\"name\":\"ip4_address\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"ip6_address\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"country\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"as\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"as_full\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"ip_prefix\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"cname_name\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"dname_name\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"mx_address\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"mx_preference\",\"type\":[\"null\",\"int\"],\"default\":null},"
	"{\"name\":\"mxset_hash_algorithm\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"mxset_hash\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"ns_address\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"txt_text\",\"type\":[\"null\",\"string\"],\"default\":null},"
	"{\"name\":\"soa_serial\",\"type\":[\"null\",\"long\"],\"default\":null}"
	"]}";

/* An older layout: "ttl" (long) where newer files have response_ttl, no
 * ad_flag, ip6_address, ip_prefix, cname_name or dname_name, and the null
 * branch second. */
static const char *SCHEMA_OLD =
	"{\"type\":\"record\",\"name\":\"Measurement\",\"fields\":["
	"{\"name\":\"query_type\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"query_name\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"response_type\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"response_name\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"rtt\",\"type\":[\"double\",\"null\"]},"
	"{\"name\":\"timestamp\",\"type\":[\"long\",\"null\"]},"
	"{\"name\":\"worker_id\",\"type\":[\"int\",\"null\"]},"
	"{\"name\":\"ttl\",\"type\":[\"long\",\"null\"]},"
	"{\"name\":\"status_code\",\"type\":[\"int\",\"null\"]},"
	"{\"name\":\"ip4_address\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"country\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"as\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"mx_address\",\"type\":[\"string\",\"null\"]},"
	"{\"name\":\"mx_preference\",\"type\":[\"int\",\"null\"]}"
	"]}";

#define TS "timestamp=1623110400000"

/* One record: "field=value" pairs; fields not named are null. */
typedef const char *rec[16];

static const rec ROWS[] = {
	{"query_type=MX", "query_name=Example.org.", "response_type=MX", "response_name=example.org.",
	 "response_ttl=300", TS, "rtt=0.0123", "worker_id=4", "status_code=0", "mx_address=ASPMX.L.GOOGLE.COM.",
	 "mx_preference=1"},
	{"query_type=MX", "query_name=example.org.", "response_type=MX", "response_name=example.org.", TS,
	 "status_code=0", "mx_address=alt1.aspmx.l.google.com.", "mx_preference=5"},
	{"query_type=MX", "query_name=example.org.", "response_type=A", "response_name=aspmx.l.google.com.", TS,
	 "status_code=0", "ip4_address=142.250.102.27", "country=US", "as=15169", "as_full=15169",
	 "ip_prefix=142.250.102.0/24"},
	{"query_type=MX", "query_name=cn.org.", "response_type=MX", "response_name=cn.org.", TS, "status_code=0",
	 "mx_address=mail.cn.org.", "mx_preference=10"},
	{"query_type=MX", "query_name=cn.org.", "response_type=CNAME", "response_name=mail.cn.org.", TS,
	 "status_code=0", "cname_name=relay.host.net."},
	{"query_type=A", "query_name=relay.host.net.", "response_type=A", "response_name=relay.host.net.", TS,
	 "status_code=0", "ip4_address=198.51.100.7"},
	{"query_type=MX", "query_name=gone.org.", TS, "status_code=3"},
	{"query_type=MX", "query_name=nomx.org.", TS, "status_code=0"},
	{"query_type=MX", "query_name=example.org.", "response_type=AAAA", "response_name=aspmx.l.google.com.", TS,
	 "status_code=0", "ip6_address=2001:db8::1"},
	{"query_type=MX", "query_name=bad.org.", "response_type=A", "response_name=x.bad.org.", TS, "status_code=0",
	 "ip4_address=1.2.3"},
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])

/* The same rows as JSON Lines (numbers as numbers). */
static char *rows_jsonl(void)
{
	strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < NROWS; i++) {
		sb_addc(&sb, '{');
		for (int k = 0; k < 16 && ROWS[i][k]; k++) {
			const char *eq = strchr(ROWS[i][k], '=');
			bool num = strspn(eq + 1, "0123456789.") == strlen(eq + 1) && strchr(eq + 1, '.') == strrchr(eq + 1, '.') &&
				   strcmp(ROWS[i][k], "ip4_address=1.2.3") && strncmp(ROWS[i][k], "as", 2);
			sb_addf(&sb, "%s\"%.*s\":%s%s%s", k ? "," : "", (int)(eq - ROWS[i][k]), ROWS[i][k], num ? "" : "\"",
				eq + 1, num ? "" : "\"");
		}
		sb_adds(&sb, "}\n");
	}
	return sb_steal(&sb);
}

/* Set a value of schema s from text. */
static void set(avro_value_t *v, avro_schema_t s, const char *name, const char *text)
{
	if (!text)
		assert_int_equal(avro_value_set_null(v), 0);
	else if (is_avro_string(s))
		assert_int_equal(avro_value_set_string(v, text), 0);
	else if (is_avro_int32(s))
		assert_int_equal(avro_value_set_int(v, atoi(text)), 0);
	else if (is_avro_int64(s))
		assert_int_equal(avro_value_set_long(v, atoll(text)), 0);
	else if (is_avro_double(s))
		assert_int_equal(avro_value_set_double(v, strtod(text, NULL)), 0);
	else if (is_avro_float(s))
		assert_int_equal(avro_value_set_float(v, strtof(text, NULL)), 0);
	else if (is_avro_boolean(s))
		assert_int_equal(avro_value_set_boolean(v, text[0] == 't'), 0);
	else
		fail_msg("no type for %s", name);
}

/* Set a field of rec from text, choosing the union's null or value branch. */
static void put(avro_value_t *r, const char *name, const char *text)
{
	avro_value_t field, branch;
	if (avro_value_get_by_name(r, name, &field, NULL))
		return; /* not in this schema */
	avro_schema_t u = avro_value_get_schema(&field);
	if (!is_avro_union(u)) {
		set(&field, u, name, text);
		return;
	}
	int nb = (int)avro_schema_union_size(u);
	for (int b = 0; b < nb; b++) {
		avro_schema_t s = avro_schema_union_branch(u, b);
		if ((text == NULL) != is_avro_null(s))
			continue;
		assert_int_equal(avro_value_set_branch(&field, b, &branch), 0);
		set(&branch, s, name, text);
		return;
	}
	fail_msg("no branch for %s", name);
}

/* Write rows to a new Avro file with libavro; block_size 0: the default. */
static const char *write_avro(const char *schema_json, const char *codec, size_t block_size, const rec *rows,
			      size_t n)
{
	const char *path = tmp_new("/tmp/mxray-test-avro-XXXXXX");
	unlink(path);
	avro_schema_t schema;
	assert_int_equal(avro_schema_from_json_length(schema_json, strlen(schema_json), &schema), 0);
	avro_file_writer_t w;
	int rc = avro_file_writer_create_with_codec(path, schema, &w, codec, block_size);
	if (rc)
		fail_msg("libavro: %s", avro_strerror());
	avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
	avro_value_t r;
	assert_int_equal(avro_generic_value_new(iface, &r), 0);
	size_t nf = is_avro_record(schema) ? avro_schema_record_size(schema) : 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t f = 0; f < nf; f++) {
			const char *name = avro_schema_record_field_name(schema, (int)f);
			const char *text = NULL;
			for (int k = 0; k < 16 && rows[i][k]; k++) {
				size_t l = strlen(name);
				if (!strncmp(rows[i][k], name, l) && rows[i][k][l] == '=')
					text = rows[i][k] + l + 1;
			}
			put(&r, name, text);
		}
		assert_int_equal(avro_file_writer_append_value(w, &r), 0);
	}
	assert_int_equal(avro_file_writer_close(w), 0);
	avro_value_decref(&r);
	avro_value_iface_decref(iface);
	avro_schema_decref(schema);
	return path;
}

static void rewrite(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* ---- the reader alone ---------------------------------------------------- */

typedef struct {
	strbuf out;
	int stop_at; /* a callback returns 7 at this record */
} collect;

static int c_row(void *cx, uint64_t recno, const char *const vals[DNS_NCOLS])
{
	collect *c = cx;
	sb_addf(&c->out, "%llu:", (unsigned long long)recno);
	for (int i = 0; i < DNS_NCOLS; i++)
		if (vals[i])
			sb_addf(&c->out, " %s=%s", dns_column_names[i], vals[i]);
	sb_addc(&c->out, '\n');
	return c->stop_at == (int)recno ? 7 : 0;
}

static int c_problem(void *cx, uint64_t recno, uint64_t lost, const char *why)
{
	collect *c = cx;
	sb_addf(&c->out, "%llu: problem (%llu lost): %s\n", (unsigned long long)recno, (unsigned long long)lost, why);
	return c->stop_at == (int)recno ? 7 : 0;
}

/* Read a file with the reader: its rows and problems as text. */
static char *read_all(const char *path, int stop_at, int *rc, char **err)
{
	collect c = {{0}, stop_at};
	sb_init(&c.out);
	infile *f = infile_open(path, err);
	assert_non_null(f);
	size_t n;
	const void *head = infile_peek(f, &n);
	assert_true(oi_avro_sniff(head, n));
	oi_avro_sink sink = {&c, c_row, c_problem};
	*rc = oi_avro_read(f, &sink, err);
	infile_close(f);
	return sb_steal(&c.out);
}

static const char *EXPECT_ROWS =
	"1: query_type=MX query_name=Example.org. response_type=MX response_name=example.org. "
	"mx_address=ASPMX.L.GOOGLE.COM. mx_preference=1 status_code=0 timestamp=1623110400000\n"
	"2: query_type=MX query_name=example.org. response_type=MX response_name=example.org. "
	"mx_address=alt1.aspmx.l.google.com. mx_preference=5 status_code=0 timestamp=1623110400000\n"
	"3: query_type=MX query_name=example.org. response_type=A response_name=aspmx.l.google.com. "
	"ip4_address=142.250.102.27 status_code=0 timestamp=1623110400000\n"
	"4: query_type=MX query_name=cn.org. response_type=MX response_name=cn.org. mx_address=mail.cn.org. "
	"mx_preference=10 status_code=0 timestamp=1623110400000\n"
	"5: query_type=MX query_name=cn.org. response_type=CNAME response_name=mail.cn.org. "
	"cname_name=relay.host.net. status_code=0 timestamp=1623110400000\n"
	"6: query_type=A query_name=relay.host.net. response_type=A response_name=relay.host.net. "
	"ip4_address=198.51.100.7 status_code=0 timestamp=1623110400000\n"
	"7: query_type=MX query_name=gone.org. status_code=3 timestamp=1623110400000\n"
	"8: query_type=MX query_name=nomx.org. status_code=0 timestamp=1623110400000\n"
	"9: query_type=MX query_name=example.org. response_type=AAAA response_name=aspmx.l.google.com. "
	"ip6_address=2001:db8::1 status_code=0 timestamp=1623110400000\n"
	"10: query_type=MX query_name=bad.org. response_type=A response_name=x.bad.org. ip4_address=1.2.3 "
	"status_code=0 timestamp=1623110400000\n";

static void test_sniff(void **state)
{
	(void)state;
	assert_true(oi_avro_sniff("Obj\x01\x04", 5));
	assert_false(oi_avro_sniff("Obj\x02", 4));
	assert_false(oi_avro_sniff("Obj", 3));
	assert_false(oi_avro_sniff("{\"query_name\"", 13));
}

/* Every codec, many blocks or one: the same column values. */
static void test_codecs(void **state)
{
	(void)state;
	const char *codecs[] = {"null", "deflate", "snappy"};
	for (int c = 0; c < 3; c++)
		for (size_t bs = 0; bs <= 300; bs += 300) {
			const char *p = write_avro(SCHEMA_NEW, codecs[c], bs, ROWS, NROWS);
			/* MXRAY_AVRO_FIXTURES=DIR keeps a copy (how the files under
			 * tests/data were made) */
			const char *keep = getenv("MXRAY_AVRO_FIXTURES");
			if (keep && bs) {
				size_t n;
				char *data = test_slurp(p, &n);
				char *to = xasprintf("%s/openintel-%s.avro", keep, codecs[c]);
				rewrite(to, data, n);
				free(to);
				free(data);
			}
			int rc;
			char *err = NULL;
			char *got = read_all(p, 0, &rc, &err);
			assert_int_equal(rc, 0);
			assert_string_equal(got, EXPECT_ROWS);
			free(got);
		}
}

/* The files under tests/data (written by test_codecs, see there): the
 * same values. */
static void test_fixture_files(void **state)
{
	(void)state;
	const char *codecs[] = {"null", "deflate", "snappy"};
	for (int c = 0; c < 3; c++) {
		char name[64];
		snprintf(name, sizeof name, "openintel-%s.avro", codecs[c]);
		int rc;
		char *err = NULL;
		char *got = read_all(test_data_path(name), 0, &rc, &err);
		assert_int_equal(rc, 0);
		assert_string_equal(got, EXPECT_ROWS);
		free(got);
	}
}

/* An older layout: the columns it lacks are null. */
static void test_old_schema(void **state)
{
	(void)state;
	static const rec rows[] = {
		{"query_type=MX", "query_name=old.org.", "response_type=MX", "response_name=old.org.", "ttl=3600",
		 "rtt=0.5", TS, "status_code=0", "mx_address=mx.old.org.", "mx_preference=0"},
		{"query_type=MX", "query_name=old.org.", "response_type=CNAME", "response_name=mx.old.org.", TS,
		 "status_code=0", "cname_name=ignored.example."},
	};
	const char *p = write_avro(SCHEMA_OLD, "deflate", 0, rows, 2);
	int rc;
	char *err = NULL;
	char *got = read_all(p, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(got,
		"1: query_type=MX query_name=old.org. response_type=MX response_name=old.org. mx_address=mx.old.org. "
		"mx_preference=0 status_code=0 timestamp=1623110400000\n"
		"2: query_type=MX query_name=old.org. response_type=CNAME response_name=mx.old.org. status_code=0 "
		"timestamp=1623110400000\n");
	free(got);
}

/* Numbers written as doubles (as tools that turn nullable integer columns
 * into doubles write them): integral ones are integers, a fraction is the
 * row's problem. */
static void test_double_columns(void **state)
{
	(void)state;
	const char *schema =
		"{\"type\":\"record\",\"name\":\"m\",\"fields\":["
		"{\"name\":\"query_name\",\"type\":[\"null\",\"string\"]},"
		"{\"name\":\"response_type\",\"type\":[\"null\",\"string\"]},"
		"{\"name\":\"mx_address\",\"type\":[\"null\",\"string\"]},"
		"{\"name\":\"mx_preference\",\"type\":[\"null\",\"double\"]},"
		"{\"name\":\"status_code\",\"type\":[\"null\",\"float\"]}]}";
	static const rec rows[] = {
		{"query_name=d.org.", "response_type=MX", "mx_address=mx.d.org.", "mx_preference=10.0", "status_code=0"},
		{"query_name=d.org.", "response_type=MX", "mx_address=mx2.d.org.", "mx_preference=10.5"},
	};
	const char *p = write_avro(schema, "null", 0, rows, 2);
	int rc;
	char *err = NULL;
	char *got = read_all(p, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "1: query_name=d.org. response_type=MX mx_address=mx.d.org. mx_preference=10 status_code=0\n"
				 "2: query_name=d.org. response_type=MX mx_address=mx2.d.org. mx_preference=10.5\n");
	free(got);
}

/* A callback's non-zero return stops the reading and is returned. */
static void test_stop(void **state)
{
	(void)state;
	const char *p = write_avro(SCHEMA_NEW, "null", 0, ROWS, NROWS);
	int rc;
	char *err = NULL;
	char *got = read_all(p, 2, &rc, &err);
	assert_int_equal(rc, 7);
	assert_null(err);
	assert_int_equal(strlen(got), strchr(strchr(got, '\n') + 1, '\n') + 1 - got);
	free(got);
}

/* The offsets of the sync marker in a file (the last 16 bytes are one). */
static size_t syncs(const char *data, size_t n, size_t *at, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i + 16 <= n && k < max; i++)
		if (!memcmp(data + i, data + n - 16, 16))
			at[k++] = i;
	return k;
}

/* Records of a file in several blocks: ROWS again and again. */
static const char *many_blocks(const char *codec, size_t *nblocks, size_t at[64])
{
	rec rows[40];
	for (size_t i = 0; i < 40; i++)
		memcpy(rows[i], ROWS[i % 9], sizeof rows[i]); /* the good ones */
	const char *p = write_avro(SCHEMA_NEW, codec, 600, rows, 40);
	size_t n;
	char *data = test_slurp(p, &n);
	*nblocks = syncs(data, n, at, 64) - 1; /* the first ends the header */
	free(data);
	return p;
}

/* Count the rows and problems of a read. */
static void count_lines(const char *text, int *rows, int *problems)
{
	*rows = *problems = 0;
	for (const char *l = text; *l; l = strchr(l, '\n') + 1)
		if (strstr(l, ": problem (") && strstr(l, ": problem (") < strchr(l, '\n'))
			(*problems)++;
		else
			(*rows)++;
}

/* Write `n` bytes of `data` over the file at p and read it: it must read
 * to its end (rc 0) with exactly one problem.  The rows and problems read,
 * as text (free it); *rows: how many rows. */
static char *read_damaged(const char *p, const char *data, size_t n, int *rows)
{
	rewrite(p, data, n);
	int rc, problems;
	char *err = NULL;
	char *got = read_all(p, 0, &rc, &err);
	assert_int_equal(rc, 0);
	count_lines(got, rows, &problems);
	assert_int_equal(problems, 1);
	return got;
}

/* A deflate block with garbage inside: its records are skipped, with
 * their numbers; every other block is read. */
static void test_corrupt_block(void **state)
{
	(void)state;
	size_t at[64], nb;
	const char *p = many_blocks("deflate", &nb, at);
	assert_true(nb >= 4);
	size_t n;
	char *data = test_slurp(p, &n);
	/* block 2: between the 2nd and 3rd markers; garbage in its middle */
	size_t from = at[1] + 16, to = at[2];
	memset(data + from + (to - from) / 2, 0xff, 6);
	int rows;
	char *got = read_damaged(p, data, n, &rows);
	free(data);
	const char *pr = strstr(got, "problem");
	assert_non_null(pr);
	assert_non_null(strstr(pr, "block 2 (byte "));
	assert_non_null(strstr(pr, "its deflate data is broken"));
	/* the problem counts exactly the records missing */
	unsigned long long lost = strtoull(strchr(pr, '(') + 1, NULL, 10);
	assert_int_equal(rows + (int)lost, 40);
	/* numbering goes on: the last row is record 40 */
	assert_non_null(strstr(got, "\n40: "));
	free(got);
}

/* A wrong sync marker: the block is skipped and reading goes on at the
 * next marker. */
static void test_wrong_sync(void **state)
{
	(void)state;
	size_t at[64], nb;
	const char *p = many_blocks("null", &nb, at);
	assert_true(nb >= 4);
	size_t n;
	char *data = test_slurp(p, &n);
	data[at[2] + 5] ^= 0x55; /* the marker after block 2 */
	int rows;
	char *got = read_damaged(p, data, n, &rows);
	free(data);
	assert_non_null(strstr(got, "problem (0 lost): block 2 (byte "));
	assert_non_null(strstr(got, "it is not followed by the file's sync marker; its records are skipped, and reading "
				    "goes on at the next sync marker (byte "));
	assert_true(rows > 20 && rows < 40);
	free(got);
}

/* A block size that runs past the end of the file, with blocks after it:
 * not a file cut short; reading goes on at the next sync marker. */
static void test_wrong_size(void **state)
{
	(void)state;
	size_t at[64], nb;
	const char *p = many_blocks("null", &nb, at);
	size_t n;
	char *data = test_slurp(p, &n);
	size_t v = at[1] + 16; /* block 2: count, then size */
	assert_int_equal(data[v] & 0x80, 0);
	assert_true((data[v + 1] & 0x80) && !(data[v + 2] & 0x80));
	assert_true(n - (v + 3) < 8191 + 16);
	data[v + 1] = (char)0xfe; /* 8191, still two bytes */
	data[v + 2] = 0x7f;
	int rows;
	char *got = read_damaged(p, data, n, &rows);
	free(data);
	assert_non_null(strstr(got, "problem (0 lost): block 2 (byte "));
	assert_non_null(strstr(got, "its size runs past the next sync marker; its records are skipped, and reading goes "
				    "on at the next sync marker (byte "));
	assert_true(rows > 20 && rows < 40);
	free(got);
}

/* A file cut inside its last block: the blocks before are read, the last
 * one's records are lost, said so; cut inside the header: an error. */
static void test_truncated(void **state)
{
	(void)state;
	size_t at[64], nb;
	const char *p = many_blocks("snappy", &nb, at);
	size_t n;
	char *data = test_slurp(p, &n);
	int rows;
	char *got = read_damaged(p, data, n - 20, &rows);
	char *err = NULL;
	assert_non_null(strstr(got, "the file ends inside it: its records are lost"));
	unsigned long long lost = strtoull(strchr(strstr(got, "problem"), '(') + 1, NULL, 10);
	assert_int_equal(rows + (int)lost, 40);
	free(got);
	rewrite(p, data, 30);
	infile *f = infile_open(p, &err);
	collect c = {{0}, 0};
	sb_init(&c.out);
	oi_avro_sink sink = {&c, c_row, c_problem};
	assert_int_equal(oi_avro_read(f, &sink, &err), -1);
	assert_memory_equal(err, p, strlen(p));
	assert_non_null(strstr(err, ": the Avro header is broken: the file ends inside it"));
	free(err);
	sb_free(&c.out);
	infile_close(f);
	free(data);
}

/* A schema that is not OpenINTEL's: every record is skipped, once. */
static void test_wrong_schema(void **state)
{
	(void)state;
	const char *user = "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
			   "{\"name\":\"age\",\"type\":\"int\"}]}";
	static const rec people[] = {{"name=ann", "age=31"}, {"name=bob", "age=42"}, {"name=cy", "age=7"}};
	const char *p = write_avro(user, "deflate", 0, people, 3);
	int rc;
	char *err = NULL;
	char *got = read_all(p, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "1: problem (3 lost): the Avro schema is not OpenINTEL's forward-DNS schema: it has no "
				 "query_name field; the file's 3 records are skipped\n");
	free(got);
	const char *boolpref = "{\"type\":\"record\",\"name\":\"m\",\"fields\":[{\"name\":\"query_name\",\"type\":\"string\"},"
			       "{\"name\":\"response_type\",\"type\":\"string\"},"
			       "{\"name\":\"mx_preference\",\"type\":[\"null\",\"boolean\"]}]}";
	static const rec one[] = {{"query_name=a.org.", "response_type=MX", "mx_preference=true"}};
	p = write_avro(boolpref, "null", 0, one, 1);
	got = read_all(p, 0, &rc, &err);
	assert_string_equal(got, "1: problem (1 lost): the Avro schema is not OpenINTEL's forward-DNS schema: its field "
				 "mx_preference is of type union with other types, not a string or number (or null); the "
				 "file's 1 record is skipped\n");
	free(got);
	p = write_avro("{\"type\":\"array\",\"items\":\"string\"}", "null", 0, NULL, 0);
	got = read_all(p, 0, &rc, &err);
	assert_string_equal(got, "1: problem (0 lost): the Avro schema is not OpenINTEL's forward-DNS schema: it is an "
				 "array, not a record; the file's 0 records are skipped\n");
	free(got);
}

/* ---- imported --------------------------------------------------------- */

typedef db_logfx fx;

static char *qs(store *st, const char *sql)
{
	return db_rows(st, sql);
}

static const char *const DUMP[] = {
	"SELECT domain, host, pref FROM mx ORDER BY 1, 2",
	"SELECT host, ip FROM a ORDER BY 1, 2",
	"SELECT name, target FROM cname ORDER BY 1",
	"SELECT name, qtype, rcode FROM lookup_fail ORDER BY 1",
	"SELECT host, ip, via FROM mx_ip ORDER BY 1, 2",
};

static char *dump(store *st)
{
	strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < sizeof DUMP / sizeof DUMP[0]; i++) {
		char *t = qs(st, DUMP[i]);
		sb_adds(&sb, t);
		sb_adds(&sb, "--\n");
		free(t);
	}
	return sb_steal(&sb);
}

static const char *EXPECT_DB =
	"cn.org|mail.cn.org|10\nexample.org|alt1.aspmx.l.google.com|5\nexample.org|aspmx.l.google.com|1\n--\n"
	"aspmx.l.google.com|142.250.102.27\nexample.org|142.250.102.27\nrelay.host.net|198.51.100.7\n--\n"
	"mail.cn.org|relay.host.net\n--\n"
	"gone.org|MX|3\nnomx.org|MX|0\n--\n"
	"aspmx.l.google.com|142.250.102.27|NULL\nmail.cn.org|198.51.100.7|relay.host.net\n--\n";

static int import1(fx *f, enum import_kind kind, const char *path, bool strict, import_counts *c, char **err)
{
	import_opts o = {"2021-06-08", strict, false, 10, f->logf};
	import_input in = {kind, path, NULL};
	int rc = import_file(f->st, &o, &in, c, err);
	if (rc == 0 && kind == IMPORT_DNS)
		rc = import_derive(f->st, "2021-06-08", err);
	return rc;
}

static const char *logtext(fx *f)
{
	return db_logfx_log(f);
}

/* The Avro file gives exactly the rows of the same data in JSON Lines. */
static void test_import_same_as_jsonl(void **state)
{
	fx *f = *state;
	const char *p = write_avro(SCHEMA_NEW, "snappy", 0, ROWS, NROWS);
	import_counts c;
	char *err = NULL;
	assert_int_equal(import1(f, IMPORT_DNS, p, false, &c, &err), 0);
	char *got = dump(f->st);
	assert_string_equal(got, EXPECT_DB);
	assert_int_equal(c.lines, 10);
	assert_int_equal(c.imported, 6);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.empty, 1);
	assert_int_equal(c.ignored, 1);
	assert_int_equal(c.skipped, 1);
	char want[300];
	snprintf(want, sizeof want, "%s:10: ip4_address is not an IPv4 address\n", p);
	assert_string_equal(logtext(f), want);
	/* again: nothing new */
	assert_int_equal(import1(f, IMPORT_DNS, p, false, &c, &err), 0);
	assert_int_equal(c.imported, 0);
	assert_int_equal(c.duplicates, 6);

	/* the JSON Lines form in another database */
	void *gs;
	db_logfx_setup(&gs);
	fx *gf = gs;
	char *jsonl = rows_jsonl();
	const char *jp = tmpfile_str(jsonl);
	assert_int_equal(import1(gf, IMPORT_DNS, jp, false, &c, &err), 0);
	char *want_db = dump(gf->st);
	assert_string_equal(got, want_db);
	free(want_db);
	free(jsonl);
	db_logfx_teardown(&gs);
	free(got);
}

/* gzip around the Avro file, and standard input: the same rows. */
static void test_import_gzip_stdin(void **state)
{
	fx *f = *state;
	const char *p = write_avro(SCHEMA_NEW, "deflate", 0, ROWS, NROWS);
	size_t n;
	char *data = test_slurp(p, &n);
	const char *gz = tmp_new("/tmp/mxray-test-avro-gz-XXXXXX");
	gzFile z = gzopen(gz, "wb");
	assert_non_null(z);
	assert_int_equal(gzwrite(z, data, (unsigned)n), (int)n);
	gzclose(z);
	free(data);
	import_counts c;
	char *err = NULL;
	assert_int_equal(import1(f, IMPORT_DNS, gz, false, &c, &err), 0);
	char *got = dump(f->st);
	assert_string_equal(got, EXPECT_DB);
	free(got);
	assert_int_equal(c.imported, 6);
	/* standard input, into a fresh database */
	void *gs;
	db_logfx_setup(&gs);
	int saved = dup(STDIN_FILENO), fd = open(p, O_RDONLY);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	assert_int_equal(import1(gs, IMPORT_DNS, "-", false, &c, &err), 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
	got = dump(((fx *)gs)->st);
	assert_string_equal(got, EXPECT_DB);
	free(got);
	assert_non_null(strstr(logtext(gs), "<stdin>:10: ip4_address is not an IPv4 address\n"));
	db_logfx_teardown(&gs);
}

/* A corrupt block: the good records are kept, the block's records are
 * counted as skipped; --strict stops at it and keeps nothing. */
static void test_import_corrupt(void **state)
{
	fx *f = *state;
	size_t at[64], nb;
	const char *p = many_blocks("deflate", &nb, at);
	size_t n;
	char *data = test_slurp(p, &n);
	memset(data + at[1] + 16 + (at[2] - at[1] - 16) / 2, 0xff, 6);
	rewrite(p, data, n);
	free(data);
	import_counts c;
	char *err = NULL;
	assert_int_equal(import1(f, IMPORT_DNS, p, false, &c, &err), 0);
	assert_int_equal(c.lines, 40);
	assert_true(c.skipped > 1 && c.skipped < 40);
	assert_true(c.imported > 0);
	char want[300];
	snprintf(want, sizeof want, "%s:", p);
	assert_memory_equal(logtext(f), want, strlen(want));
	assert_non_null(strstr(logtext(f), ": block 2 (byte "));
	assert_int_equal(db_int(f->st, "SELECT count(*) FROM mx"), 3); /* every MX of ROWS is in other blocks too */
	/* strict: nothing of it */
	void *gs;
	db_logfx_setup(&gs);
	assert_int_equal(import1(gs, IMPORT_DNS, p, true, &c, &err), -1);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "its deflate data is broken"));
	free(err);
	err = NULL;
	assert_int_equal(db_int(((fx *)gs)->st, "SELECT count(*) FROM f_mx"), 0);
	db_logfx_teardown(&gs);
}

/* A wrong schema: a counted problem, the next file is imported; --strict
 * aborts. */
static void test_import_wrong_schema(void **state)
{
	fx *f = *state;
	const char *user = "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"}]}";
	static const rec people[] = {{"name=ann"}, {"name=bob"}};
	const char *bad = write_avro(user, "null", 0, people, 2);
	const char *good = write_avro(SCHEMA_NEW, "null", 0, ROWS, NROWS);
	import_input in[] = {{IMPORT_DNS, bad, NULL}, {IMPORT_DNS, good, NULL}};
	import_opts o = {"2021-06-08", false, false, 10, f->logf};
	char *err = NULL;
	assert_int_equal(import_run(f->st, &o, in, 2, &err), 0);
	char want[400];
	snprintf(want, sizeof want, "%s:1: the Avro schema is not OpenINTEL's forward-DNS schema: it has no query_name "
		 "field; the file's 2 records are skipped\n", bad);
	assert_memory_equal(logtext(f), want, strlen(want));
	assert_non_null(strstr(logtext(f), ": 2 lines, 0 imported, 0 already present, 2 skipped"));
	char *got = dump(f->st);
	assert_string_equal(got, EXPECT_DB);
	free(got);
	o.strict = true;
	assert_int_equal(import_run(f->st, &o, in, 1, &err), -1);
	want[strlen(want) - strlen("; the file's 2 records are skipped\n")] = '\0';
	assert_memory_equal(err, want, strlen(want));
	free(err);
}

/* Avro anywhere else than --dns is refused, and so is Parquet, anywhere,
 * with a conversion command. */
static void test_refused(void **state)
{
	fx *f = *state;
	const char *p = write_avro(SCHEMA_NEW, "null", 0, ROWS, 2);
	import_counts c;
	char *err = NULL;
	assert_int_equal(import1(f, IMPORT_SCANS, p, false, &c, &err), -1);
	char want[400];
	snprintf(want, sizeof want, "%s: an Avro file: only --dns reads Avro (OpenINTEL's DNS data)", p);
	assert_string_equal(err, want);
	free(err);
	const char *pq = tmpfile_with("PAR1\x15\x04\x15\x10\x15\x14L\x15\x02\x15\x00\x12\x00\x00", 18);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(import1(f, k ? IMPORT_TARGETS : IMPORT_DNS, pq, false, &c, &err), -1);
		snprintf(want, sizeof want,
			 "%s: a Parquet file, which mxray does not read: convert it to JSON Lines first, e.g. with DuckDB: "
			 "duckdb -c \"COPY (FROM '%s') TO 'out.jsonl' (FORMAT json)\"", pq, pq);
		assert_string_equal(err, want);
		free(err);
	}
	assert_int_equal(db_int(f->st, "SELECT count(*) FROM import_log"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_fixture_files),
		cmocka_unit_test(test_old_schema),
		cmocka_unit_test(test_double_columns),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_corrupt_block),
		cmocka_unit_test(test_wrong_sync),
		cmocka_unit_test(test_wrong_size),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_schema),
		cmocka_unit_test_setup_teardown(test_import_same_as_jsonl, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_import_gzip_stdin, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_import_corrupt, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_import_wrong_schema, db_logfx_setup, db_logfx_teardown),
		cmocka_unit_test_setup_teardown(test_refused, db_logfx_setup, db_logfx_teardown),
	};
	return cmocka_run_group_tests_name("openintel_avro", tests, NULL, NULL);
}
