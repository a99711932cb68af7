/* infile: plain or compressed input as one byte stream.  See infile.h. */
#include "mxray/infile.h"
#include "mxray/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* What the first bytes say.  K_COMPRESSION, K_ARCHIVE and K_PARQUET are
 * refused. */
enum kind { K_PLAIN, K_GZIP, K_BZIP2, K_XZ, K_ZSTD, K_COMPRESSION, K_ARCHIVE, K_PARQUET };

static const char *const kind_names[] = {NULL, "gzip", "bzip2", "xz", "zstd"};

/* The first bytes looked at: a tar header has its magic at 257. */
#define HEAD_MAX 512
/* Compressed bytes read at a time. */
#define IN_CAP (256u << 10)

/* gzip decoding state: inside a member, after one (another may follow),
 * or in the zero padding some tools put after the last. */
enum { GZ_MEMBER, GZ_BETWEEN, GZ_ZEROS };

struct infile {
	char *name;
	int fd;
	bool own_fd;
	enum kind kind;
	uint64_t size;      /* of a regular file, else 0 */
	uint64_t raw;       /* bytes read from fd, head included */
	bool raw_eof;
	/* The first bytes of the file, read to recognise it: handed out
	 * (plain) or decoded (compressed) before anything else is read. */
	unsigned char head[HEAD_MAX];
	size_t head_len, head_pos;
	unsigned char *in;  /* compressed bytes, IN_CAP */
	z_stream z;         /* gzip */
	bool z_ready;
	int gz;
	struct archive *a;  /* bzip2, xz, zstd */
	int io_errno;       /* a read error met inside libarchive's callback */
	/* The first decompressed bytes, looked at for archives, then handed out. */
	unsigned char *dhead;
	size_t dhead_len, dhead_pos;
	bool eof;           /* decoded to the end */
	char *failed;       /* the error; every later read repeats it */
};

/* ---- recognising the content ------------------------------------------ */

typedef struct {
	size_t off;
	const char *bytes;
	size_t len;
	enum kind kind;
	const char *what; /* for the refused kinds */
} magic;

static const magic magics[] = {
	{0, "\x1f\x8b", 2, K_GZIP, NULL},
	{0, "\xfd" "7zXZ\0", 6, K_XZ, NULL},
	{0, "\x28\xb5\x2f\xfd", 4, K_ZSTD, NULL},
	{0, "\x04\x22\x4d\x18", 4, K_COMPRESSION, "lz4"},
	{0, "LZIP", 4, K_COMPRESSION, "lzip"},
	{0, "\x1f\x9d", 2, K_COMPRESSION, "compress (.Z)"},
	{0, "PK\x03\x04", 4, K_ARCHIVE, "zip"},
	{0, "PK\x05\x06", 4, K_ARCHIVE, "zip"},
	{0, "7z\xbc\xaf\x27\x1c", 6, K_ARCHIVE, "7z"},
	{0, "Rar!\x1a\x07", 6, K_ARCHIVE, "rar"},
	{257, "ustar", 5, K_ARCHIVE, "tar"},
};

/* The kind of data that starts with p[0..n), n being all there is when
 * it is under HEAD_MAX; *what names a refused kind. */
static enum kind sniff(const unsigned char *p, size_t n, const char **what)
{
	*what = NULL;
	/* "BZh" and the block size, then a block's or the end's magic
	 * (what there is of it when the file is that short) */
	if (n >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9') {
		size_t k = n - 4 < 6 ? n - 4 : 6;
		if (!memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", k) || !memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", k))
			return K_BZIP2;
	}
	/* Parquet: "PAR1", then a binary page header (not text) */
	if (n >= 5 && !memcmp(p, "PAR1", 4) && p[4] < 0x20 && p[4] != '\t' && p[4] != '\n' && p[4] != '\r')
		return K_PARQUET;
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
		const magic *m = &magics[i];
		if (n >= m->off + m->len && !memcmp(p + m->off, m->bytes, m->len)) {
			*what = m->what;
			return m->kind;
		}
	}
	return K_PLAIN;
}

/* ---- errors ------------------------------------------------------------ */

/* Record the error (the first one stays) and return -1. */
static long fail(infile *f, char *msg)
{
	if (f->failed)
		free(msg);
	else
		f->failed = msg;
	return -1;
}

static long fail_io(infile *f, int e)
{
	return fail(f, xasprintf("error reading %s: %s", f->name, strerror(e)));
}

/* Compressed bytes consumed by the decoder. */
uint64_t infile_consumed(const infile *f)
{
	if (f->a) {
		int64_t b = archive_filter_bytes(f->a, -1);
		if (b >= 0)
			return (uint64_t)b;
	}
	uint64_t n = f->raw - (f->head_len - f->head_pos);
	if (f->z_ready)
		n -= f->z.avail_in;
	return n;
}

/* ---- raw bytes ----------------------------------------------------------- */

/* Up to n bytes of a buffered head (sniffed bytes, raw or decoded). */
static long from_head(void *buf, size_t n, const unsigned char *head, size_t len, size_t *pos)
{
	size_t k = len - *pos;
	if (k > n)
		k = n;
	memcpy(buf, head + *pos, k);
	*pos += k;
	return (long)k;
}

/* Bytes of the file: the head first, then read(2).  -1 with errno set.
 * EINTR is not retried: it comes from SIGINT or SIGTERM, which stop the
 * import. */
static long raw_get(infile *f, void *buf, size_t n)
{
	if (f->head_pos < f->head_len)
		return from_head(buf, n, f->head, f->head_len, &f->head_pos);
	if (f->raw_eof)
		return 0;
	if (n > (size_t)LONG_MAX)
		n = (size_t)LONG_MAX;
	ssize_t k = read(f->fd, buf, n);
	if (k < 0)
		return -1;
	if (k == 0)
		f->raw_eof = true;
	f->raw += (uint64_t)k;
	return (long)k;
}

/* ---- gzip, with zlib ------------------------------------------------------ */

static long gz_read(infile *f, unsigned char *out, size_t n)
{
	z_stream *z = &f->z;
	uInt want = n > UINT_MAX ? UINT_MAX : (uInt)n;
	z->next_out = out;
	z->avail_out = want;
	while (z->avail_out == want) {
		if (z->avail_in == 0) {
			long k = raw_get(f, f->in, IN_CAP);
			if (k < 0)
				return fail_io(f, errno);
			if (k == 0) {
				if (f->gz == GZ_MEMBER)
					return fail(f, xasprintf("%s: truncated gzip data: the file ends at compressed byte %llu, "
								 "inside the compressed stream",
								 f->name, (unsigned long long)infile_consumed(f)));
				f->eof = true;
				return 0;
			}
			z->next_in = f->in;
			z->avail_in = (uInt)k;
		}
		if (f->gz != GZ_MEMBER) {
			if (*z->next_in == 0) {
				while (z->avail_in && *z->next_in == 0) {
					z->next_in++;
					z->avail_in--;
				}
				f->gz = GZ_ZEROS;
				continue;
			}
			if (f->gz == GZ_ZEROS || *z->next_in != 0x1f)
				return fail(f, xasprintf("%s: data that is not gzip after the end of the gzip data, "
							 "at compressed byte %llu",
							 f->name, (unsigned long long)infile_consumed(f)));
			if (inflateReset(z) != Z_OK)
				return fail(f, xasprintf("%s: zlib cannot start a gzip member", f->name));
			f->gz = GZ_MEMBER;
		}
		int rc = inflate(z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			f->gz = GZ_BETWEEN;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return fail(f, xasprintf("%s: corrupt gzip data at compressed byte %llu: %s", f->name,
						 (unsigned long long)infile_consumed(f),
						 z->msg ? z->msg : rc == Z_MEM_ERROR ? "out of memory" : "zlib error"));
	}
	return (long)(want - z->avail_out);
}

static int gz_start(infile *f)
{
	memset(&f->z, 0, sizeof f->z);
	if (inflateInit2(&f->z, 15 + 16) != Z_OK) /* gzip only, CRC-32 and length checked */
		return (int)fail(f, xasprintf("%s: zlib cannot be initialised", f->name));
	f->z_ready = true;
	f->gz = GZ_BETWEEN; /* the first member starts at byte 0 */
	return 0;
}

/* ---- bzip2, xz, zstd, with libarchive --------------------------------------- */

static la_ssize_t la_read(struct archive *a, void *cx, const void **buf)
{
	infile *f = cx;
	long k = raw_get(f, f->in, IN_CAP);
	if (k < 0) {
		f->io_errno = errno;
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	*buf = f->in;
	return k;
}

static long la_fail(infile *f)
{
	if (f->io_errno)
		return fail_io(f, f->io_errno);
	const char *why = archive_error_string(f->a);
	return fail(f, xasprintf("%s: corrupt or truncated %s data at compressed byte %llu: %s", f->name,
				 kind_names[f->kind], (unsigned long long)infile_consumed(f),
				 why ? why : "libarchive error"));
}

static int la_start(infile *f)
{
	f->a = archive_read_new();
	if (!f->a)
		return (int)fail(f, xasprintf("%s: libarchive cannot be initialised", f->name));
	int r, code;
	switch (f->kind) {
	case K_BZIP2:
		r = archive_read_support_filter_bzip2(f->a);
		code = ARCHIVE_FILTER_BZIP2;
		break;
	case K_XZ:
		r = archive_read_support_filter_xz(f->a);
		code = ARCHIVE_FILTER_XZ;
		break;
	default:
		r = archive_read_support_filter_zstd(f->a);
		code = ARCHIVE_FILTER_ZSTD;
		break;
	}
	/* ARCHIVE_WARN: it will run the external program instead */
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return (int)fail(f, xasprintf("%s: this libarchive cannot read %s data", f->name, kind_names[f->kind]));
	/* raw: the decompressed bytes as one entry; empty: no bytes at all */
	archive_read_support_format_raw(f->a);
	archive_read_support_format_empty(f->a);
	if (archive_read_open(f->a, f, NULL, la_read, NULL) != ARCHIVE_OK)
		return (int)la_fail(f);
	/* the magic matched but libarchive did not take it as such (too short) */
	if (archive_filter_count(f->a) < 2 || archive_filter_code(f->a, 0) != code)
		return (int)fail(f, xasprintf("%s: corrupt or truncated %s data at compressed byte 0: "
					      "the header is not recognised",
					      f->name, kind_names[f->kind]));
	struct archive_entry *e;
	r = archive_read_next_header(f->a, &e);
	if (r == ARCHIVE_EOF)
		f->eof = true;
	else if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return (int)la_fail(f);
	return 0;
}

static long la_data(infile *f, void *out, size_t n)
{
	la_ssize_t k = archive_read_data(f->a, out, n);
	if (k < 0)
		return la_fail(f);
	if (k == 0)
		f->eof = true;
	return (long)k;
}

/* ---- the stream ------------------------------------------------------------ */

/* Decompressed bytes, past the head. */
static long dec_read(infile *f, void *out, size_t n)
{
	if (f->failed)
		return -1;
	if (f->eof)
		return 0;
	if (n > (size_t)LONG_MAX)
		n = (size_t)LONG_MAX;
	return f->kind == K_GZIP ? gz_read(f, out, n) : la_data(f, out, n);
}

long infile_read(infile *f, void *buf, size_t n, char **err)
{
	if (f->failed) {
		*err = xstrdup(f->failed);
		return -1;
	}
	if (n == 0)
		return 0;
	if (f->kind == K_PLAIN) {
		long k = raw_get(f, buf, n);
		if (k < 0) {
			fail_io(f, errno);
			*err = xstrdup(f->failed);
		}
		return k;
	}
	if (f->dhead_pos < f->dhead_len)
		return from_head(buf, n, f->dhead, f->dhead_len, &f->dhead_pos);
	long k = dec_read(f, buf, n);
	if (k < 0)
		*err = xstrdup(f->failed);
	return k;
}

/* A refusal of a kind of content, inside compression `outer` or not. */
static char *refusal(const infile *f, enum kind k, const char *what, const char *outer)
{
	if (k == K_PARQUET) /* Debian packages no Parquet reader for C */
		return xasprintf("%s: a Parquet file%s%s%s, which mxray does not read: convert it to JSON Lines first, "
				 "e.g. with DuckDB: duckdb -c \"COPY (FROM '%s') TO 'out.jsonl' (FORMAT json)\"",
				 f->name, outer ? " (" : "", outer ? outer : "", outer ? "-compressed: decompress it)" : "",
				 strcmp(f->name, "<stdin>") ? f->name : "FILE.parquet");
	if (k == K_ARCHIVE)
		return xasprintf("%s: a %s archive%s%s%s, not a data file: extract the file to import from it first",
				 f->name, what, outer ? " (" : "", outer ? outer : "", outer ? "-compressed)" : "");
	if (outer)
		return xasprintf("%s: compressed twice (%s inside %s): decompress it once first", f->name,
				 what ? what : kind_names[k], outer);
	return xasprintf("%s: %s compression, which mxray does not read (it reads gzip, bzip2, xz and zstd): "
			 "decompress it first",
			 f->name, what);
}

infile *infile_open_fd(int fd, const char *name, char **err)
{
	infile *f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name);
	f->fd = fd;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		f->size = (uint64_t)sb.st_size;
	/* the first bytes: a pipe may give them a few at a time */
	while (f->head_len < HEAD_MAX) {
		ssize_t k = read(fd, f->head + f->head_len, HEAD_MAX - f->head_len);
		if (k < 0) {
			fail_io(f, errno);
			goto bad;
		}
		if (k == 0) {
			f->raw_eof = true;
			break;
		}
		f->head_len += (size_t)k;
		f->raw += (uint64_t)k;
	}
	const char *what;
	f->kind = sniff(f->head, f->head_len, &what);
	if (f->kind == K_PLAIN)
		return f;
	if (f->kind == K_COMPRESSION || f->kind == K_ARCHIVE || f->kind == K_PARQUET) {
		fail(f, refusal(f, f->kind, what, NULL));
		goto bad;
	}
	f->in = xmalloc(IN_CAP);
	if ((f->kind == K_GZIP ? gz_start(f) : la_start(f)) < 0)
		goto bad;
	/* what the decompressed data starts with */
	f->dhead = xmalloc(HEAD_MAX);
	while (f->dhead_len < HEAD_MAX) {
		long k = dec_read(f, f->dhead + f->dhead_len, HEAD_MAX - f->dhead_len);
		if (k < 0)
			goto bad;
		if (k == 0)
			break;
		f->dhead_len += (size_t)k;
	}
	enum kind inner = sniff(f->dhead, f->dhead_len, &what);
	if (inner != K_PLAIN) {
		fail(f, refusal(f, inner, what, kind_names[f->kind]));
		goto bad;
	}
	return f;
bad:
	*err = xstrdup(f->failed);
	infile_close(f);
	return NULL;
}

infile *infile_open(const char *path, char **err)
{
	if (!strcmp(path, "-"))
		return infile_open_fd(STDIN_FILENO, "<stdin>", err);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		*err = xasprintf("cannot read %s: it is a directory", path);
		return NULL;
	}
	infile *f = infile_open_fd(fd, path, err);
	if (!f)
		close(fd);
	else
		f->own_fd = true;
	return f;
}

const void *infile_peek(const infile *f, size_t *n)
{
	if (f->kind == K_PLAIN) {
		*n = f->head_len - f->head_pos;
		return f->head + f->head_pos;
	}
	*n = f->dhead_len - f->dhead_pos;
	return f->dhead + f->dhead_pos;
}

const char *infile_compression(const infile *f)
{
	return kind_names[f->kind];
}

uint64_t infile_size(const infile *f)
{
	return f->size;
}

const char *infile_name(const infile *f)
{
	return f->name;
}

void infile_close(infile *f)
{
	if (!f)
		return;
	if (f->a)
		archive_read_free(f->a);
	if (f->z_ready)
		inflateEnd(&f->z);
	if (f->own_fd)
		close(f->fd);
	free(f->in);
	free(f->dhead);
	free(f->failed);
	free(f->name);
	free(f);
}

/* ---- lines ------------------------------------------------------------- */

void infile_lines_init(infile_lines *l, infile *f)
{
	memset(l, 0, sizeof *l);
	l->f = f;
	l->cap = 1 << 20;
	l->buf = xmalloc(l->cap);
	sb_init(&l->line);
}

void infile_lines_free(infile_lines *l)
{
	free(l->buf);
	sb_free(&l->line);
	memset(l, 0, sizeof *l);
}

enum infile_line infile_lines_view(infile_lines *l, uint64_t lineno, char **line, size_t *len)
{
	if (!l->line.data)
		sb_add(&l->line, "", 0); /* an empty line is text too, writable as the others */
	char *p = l->line.data;
	size_t n = l->line.len;
	if (lineno == 1 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3; /* a UTF-8 byte-order mark */
		n -= 3;
	}
	*line = p;
	*len = n;
	return l->too_long ? INFILE_TOO_LONG : n && memchr(p, '\0', n) ? INFILE_NUL : INFILE_HELD;
}

bool infile_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int infile_lines_next(infile_lines *l, char **err)
{
	sb_clear(&l->line);
	l->too_long = false;
	bool got = false;
	for (;;) {
		if (l->pos == l->end) {
			if (l->eof)
				return got;
			long n = infile_read(l->f, l->buf, l->cap, err);
			if (n < 0)
				return -1;
			l->pos = l->end = 0;
			if (n == 0) {
				l->eof = true;
				continue;
			}
			l->end = (size_t)n;
		}
		got = true;
		const char *p = l->buf + l->pos;
		const char *nl = memchr(p, '\n', l->end - l->pos);
		size_t n = nl ? (size_t)(nl - p) : l->end - l->pos;
		if (!l->too_long && l->line.len + n > INFILE_LINE_MAX) {
			l->too_long = true;
			sb_free(&l->line); /* give the memory back, not only the length */
			sb_init(&l->line);
		} else if (!l->too_long) {
			sb_add(&l->line, p, n);
		}
		l->pos += n + (nl != NULL);
		if (nl)
			return 1;
	}
}
