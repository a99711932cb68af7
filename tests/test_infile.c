/* infile: plain and compressed input (gzip, bzip2, xz, zstd) from files and
 * pipes, broken compressed data, archives refused.  The compressed data is
 * made here with libarchive's writer (zlib, libbz2, liblzma, libzstd). */
#include "testutil.h"
#include "mxray/infile.h"
#include "mxray/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

enum { GZ, BZ2, XZ, ZST };
static const char *const names[] = {"gzip", "bzip2", "xz", "zstd"};

/* data compressed as one raw stream; *n its length */
static unsigned char *pack(int how, const void *data, size_t len, size_t *n)
{
	struct archive *a = archive_write_new();
	assert_non_null(a);
	int r = how == GZ    ? archive_write_add_filter_gzip(a)
		: how == BZ2 ? archive_write_add_filter_bzip2(a)
		: how == XZ  ? archive_write_add_filter_xz(a)
			     : archive_write_add_filter_zstd(a);
	assert_int_equal(r, ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK); /* no padding */
	size_t cap = len + len / 2 + 65536;
	unsigned char *buf = xmalloc(cap);
	assert_int_equal(archive_write_open_memory(a, buf, cap, n), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (len)
		assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
	return buf;
}

/* ~1.3 MB of lines that do not compress to nothing */
static char *payload(size_t *len)
{
	strbuf sb;
	sb_init(&sb);
	uint32_t x = 2021;
	for (unsigned i = 0; i < 40000; i++) {
		x = x * 1103515245u + 12345u;
		char line[64];
		int k = snprintf(line, sizeof line, "line %06u value %10u %08x\n", i, x, x ^ (x >> 7));
		sb_add(&sb, line, (size_t)k);
	}
	*len = sb.len;
	return sb.data;
}

/* Everything infile gives, in reads of `chunk` bytes; *n its length.
 * Checks that consumed never goes down. */
static char *slurp(infile *f, size_t chunk, size_t *n)
{
	strbuf sb;
	sb_init(&sb);
	char *buf = xmalloc(chunk);
	uint64_t last = 0;
	for (;;) {
		char *err = NULL;
		long k = infile_read(f, buf, chunk, &err);
		if (k < 0)
			fail_msg("unexpected error: %s", err);
		if (k == 0)
			break;
		sb_add(&sb, buf, (size_t)k);
		assert_true(infile_consumed(f) >= last);
		last = infile_consumed(f);
	}
	free(buf);
	*n = sb.len;
	return sb.data ? sb.data : xstrdup("");
}

/* The error infile_read ends with. */
static char *read_to_error(infile *f)
{
	char buf[65536];
	char *err = NULL;
	long k;
	while ((k = infile_read(f, buf, sizeof buf, &err)) > 0)
		;
	assert_int_equal(k, -1);
	assert_non_null(err);
	/* it stays failed, with the same message */
	char *again = NULL;
	assert_int_equal(infile_read(f, buf, sizeof buf, &again), -1);
	assert_string_equal(again, err);
	free(again);
	return err;
}

static void test_plain(void **state)
{
	(void)state;
	const char *p = tmpfile_str("a\nbc\n");
	char *err = NULL;
	infile *f = infile_open(p, &err);
	assert_non_null(f);
	assert_null(infile_compression(f));
	assert_int_equal(infile_size(f), 5);
	assert_string_equal(infile_name(f), p);
	char buf[3];
	/* reads smaller than what was looked at first */
	assert_int_equal(infile_read(f, buf, 3, &err), 3);
	assert_memory_equal(buf, "a\nb", 3);
	assert_int_equal(infile_consumed(f), 3);
	assert_int_equal(infile_read(f, buf, 3, &err), 2);
	assert_memory_equal(buf, "c\n", 2);
	assert_int_equal(infile_read(f, buf, 3, &err), 0);
	assert_int_equal(infile_read(f, buf, 3, &err), 0);
	assert_int_equal(infile_consumed(f), 5);
	infile_close(f);

	/* longer than the bytes looked at first: the rest straight from read() */
	size_t len, n;
	char *data = payload(&len);
	p = tmpfile_with(data, len);
	f = infile_open(p, &err);
	assert_non_null(f);
	char *got = slurp(f, 1 << 20, &n);
	assert_int_equal(n, len);
	assert_memory_equal(got, data, len);
	assert_int_equal(infile_consumed(f), len);
	assert_int_equal(infile_size(f), len);
	infile_close(f);
	free(got);
	free(data);
}

static void test_empty(void **state)
{
	(void)state;
	char *err = NULL;
	infile *f = infile_open(tmpfile_with("", 0), &err);
	assert_non_null(f);
	assert_null(infile_compression(f));
	assert_int_equal(infile_size(f), 0);
	char buf[16];
	assert_int_equal(infile_read(f, buf, sizeof buf, &err), 0);
	infile_close(f);
	/* each compression of nothing */
	for (int how = GZ; how <= ZST; how++) {
		size_t n;
		unsigned char *z = pack(how, "", 0, &n);
		f = infile_open(tmpfile_with((char *)z, n), &err);
		if (!f)
			fail_msg("%s of nothing: %s", names[how], err);
		assert_string_equal(infile_compression(f), names[how]);
		assert_int_equal(infile_read(f, buf, sizeof buf, &err), 0);
		assert_int_equal(infile_consumed(f), n);
		infile_close(f);
		free(z);
	}
	/* short files that look like nothing in particular */
	f = infile_open(tmpfile_with("\x1f", 1), &err);
	assert_non_null(f);
	assert_null(infile_compression(f));
	assert_int_equal(infile_read(f, buf, sizeof buf, &err), 1);
	infile_close(f);
}

static void test_compressed(void **state)
{
	(void)state;
	size_t len;
	char *data = payload(&len);
	for (int how = GZ; how <= ZST; how++) {
		size_t n, got_len;
		unsigned char *z = pack(how, data, len, &n);
		char *err = NULL;
		infile *f = infile_open(tmpfile_with((char *)z, n), &err);
		if (!f)
			fail_msg("%s: %s", names[how], err);
		assert_string_equal(infile_compression(f), names[how]);
		assert_int_equal(infile_size(f), n);
		/* odd read sizes, across the first decompressed bytes */
		char *got = slurp(f, 1000, &got_len);
		assert_int_equal(got_len, len);
		assert_memory_equal(got, data, len);
		/* all of the compressed file was consumed */
		assert_int_equal(infile_consumed(f), n);
		infile_close(f);
		free(got);

		/* two streams one after the other (pigz, pbzip2, pixz, zstd -T)
		 * read as one */
		unsigned char *two = xmalloc(2 * n);
		memcpy(two, z, n);
		memcpy(two + n, z, n);
		f = infile_open(tmpfile_with((char *)two, 2 * n), &err);
		if (!f)
			fail_msg("%s twice: %s", names[how], err);
		got = slurp(f, 1 << 20, &got_len);
		assert_int_equal(got_len, 2 * len);
		assert_memory_equal(got, data, len);
		assert_memory_equal(got + len, data, len);
		infile_close(f);
		free(got);
		free(two);
		free(z);
	}
	free(data);
}

/* data written into a pipe by a child process, as standard input is */
static int pipe_of(const void *data, size_t len, pid_t *pid)
{
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		close(fd[0]);
		const char *p = data;
		/* in small pieces, so that even the first bytes come in parts */
		while (len) {
			size_t k = len < 100 ? len : 100;
			if (write(fd[1], p, k) != (ssize_t)k)
				_exit(1);
			p += k;
			len -= k;
		}
		_exit(0);
	}
	close(fd[1]);
	return fd[0];
}

static void test_pipe(void **state)
{
	(void)state;
	size_t len;
	char *data = payload(&len);
	for (int how = -1; how <= ZST; how++) {
		size_t n = len, got_len;
		unsigned char *z = how < 0 ? (unsigned char *)data : pack(how, data, len, &n);
		pid_t pid;
		int fd = pipe_of(z, n, &pid);
		char *err = NULL;
		infile *f = infile_open_fd(fd, "<stdin>", &err);
		if (!f)
			fail_msg("%s: %s", how < 0 ? "plain" : names[how], err);
		if (how < 0)
			assert_null(infile_compression(f));
		else
			assert_string_equal(infile_compression(f), names[how]);
		assert_int_equal(infile_size(f), 0); /* a pipe has no size */
		char *got = slurp(f, 65536, &got_len);
		assert_int_equal(got_len, len);
		assert_memory_equal(got, data, len);
		assert_int_equal(infile_consumed(f), n);
		infile_close(f);
		assert_int_equal(close(fd), 0); /* infile_open_fd leaves it open */
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		free(got);
		if (how >= 0)
			free(z);
	}
	free(data);
}

static void test_truncated(void **state)
{
	(void)state;
	size_t len;
	char *data = payload(&len);
	size_t n;
	unsigned char *z = pack(GZ, data, len, &n);
	char *err = NULL;
	char want[512];

	/* cut in the middle: the lines before come out, then the error */
	const char *p = tmpfile_with((char *)z, n / 2);
	infile *f = infile_open(p, &err);
	assert_non_null(f);
	char *msg = read_to_error(f);
	snprintf(want, sizeof want,
		 "%s: truncated gzip data: the file ends at compressed byte %zu, inside the compressed stream", p, n / 2);
	assert_string_equal(msg, want);
	free(msg);
	infile_close(f);

	/* the trailer (CRC-32 and length) missing */
	p = tmpfile_with((char *)z, n - 8);
	f = infile_open(p, &err);
	assert_non_null(f);
	msg = read_to_error(f);
	snprintf(want, sizeof want,
		 "%s: truncated gzip data: the file ends at compressed byte %zu, inside the compressed stream", p, n - 8);
	assert_string_equal(msg, want);
	free(msg);
	infile_close(f);

	/* cut inside the header: the open fails */
	p = tmpfile_with((char *)z, 5);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want,
		 "%s: truncated gzip data: the file ends at compressed byte 5, inside the compressed stream", p);
	assert_string_equal(err, want);
	free(err);
	free(z);

	/* the other three, cut in the middle */
	static const char *const why[] = {NULL, "truncated bzip2 input", "Lzma library error:  No progress is possible",
					  "Truncated zstd input"};
	for (int how = BZ2; how <= ZST; how++) {
		z = pack(how, data, len, &n);
		p = tmpfile_with((char *)z, n - 10);
		f = infile_open(p, &err);
		assert_non_null(f);
		msg = read_to_error(f);
		snprintf(want, sizeof want, "%s: corrupt or truncated %s data at compressed byte ", p, names[how]);
		assert_true(!strncmp(msg, want, strlen(want)));
		/* where it broke, then what the library said */
		char *end;
		unsigned long long at = strtoull(msg + strlen(want), &end, 10);
		assert_true(at > 0 && at <= n - 10);
		assert_memory_equal(end, ": ", 2);
		assert_string_equal(end + 2, why[how]);
		free(msg);
		infile_close(f);
		free(z);
	}
	/* a bzip2 file too short for libarchive to take it as bzip2 */
	p = tmpfile_with("BZh91AY", 7);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want, "%s: corrupt or truncated bzip2 data at compressed byte 0: the header is not recognised",
		 p);
	assert_string_equal(err, want);
	free(err);
	free(data);
}

static void test_corrupt(void **state)
{
	(void)state;
	size_t len;
	char *data = payload(&len);
	size_t n;
	unsigned char *z = pack(GZ, data, len, &n);
	char *err = NULL;
	char want[512];

	/* a wrong CRC-32: every byte decodes, the check fails (libarchive's
	 * own gzip reader does not check it; zlib does) */
	z[n - 8] ^= 0x55;
	const char *p = tmpfile_with((char *)z, n);
	infile *f = infile_open(p, &err);
	assert_non_null(f);
	char *msg = read_to_error(f);
	snprintf(want, sizeof want, "%s: corrupt gzip data at compressed byte %zu: incorrect data check", p, n - 4);
	assert_string_equal(msg, want);
	free(msg);
	infile_close(f);
	z[n - 8] ^= 0x55;

	/* a wrong length */
	z[n - 1] ^= 0x01;
	p = tmpfile_with((char *)z, n);
	f = infile_open(p, &err);
	assert_non_null(f);
	msg = read_to_error(f);
	snprintf(want, sizeof want, "%s: corrupt gzip data at compressed byte %zu: incorrect length check", p, n);
	assert_string_equal(msg, want);
	free(msg);
	infile_close(f);
	z[n - 1] ^= 0x01;

	/* garbage after the gzip data is an error; zero padding is not */
	unsigned char *more = xmalloc(n + 16);
	memcpy(more, z, n);
	memset(more + n, 0, 16);
	f = infile_open(tmpfile_with((char *)more, n + 16), &err);
	assert_non_null(f);
	size_t got_len;
	char *got = slurp(f, 1 << 20, &got_len);
	assert_int_equal(got_len, len);
	infile_close(f);
	free(got);
	more[n + 4] = 'x';
	p = tmpfile_with((char *)more, n + 16);
	f = infile_open(p, &err);
	assert_non_null(f);
	msg = read_to_error(f);
	snprintf(want, sizeof want, "%s: data that is not gzip after the end of the gzip data, at compressed byte %zu", p,
		 n + 4);
	assert_string_equal(msg, want);
	free(msg);
	infile_close(f);
	memcpy(more + n, "junk", 4);
	p = tmpfile_with((char *)more, n + 16);
	f = infile_open(p, &err);
	assert_non_null(f);
	msg = read_to_error(f);
	snprintf(want, sizeof want, "%s: data that is not gzip after the end of the gzip data, at compressed byte %zu", p, n);
	assert_string_equal(msg, want);
	free(msg);
	infile_close(f);
	free(more);

	/* a bad byte inside the deflate data: it breaks where it is, not at
	 * the end of the file */
	z[n / 2] ^= 0xff;
	p = tmpfile_with((char *)z, n);
	f = infile_open(p, &err);
	assert_non_null(f);
	msg = read_to_error(f);
	snprintf(want, sizeof want, "%s: corrupt gzip data at compressed byte ", p);
	assert_true(!strncmp(msg, want, strlen(want)));
	free(msg);
	infile_close(f);
	free(z);

	/* the other three: a flipped byte in the middle is found by the block
	 * CRCs of bzip2 and xz.  libarchive writes zstd frames without a
	 * checksum (the zstd command adds one): there a changed literal byte
	 * cannot be seen, so the reserved bit of the frame header is set. */
	for (int how = BZ2; how <= ZST; how++) {
		z = pack(how, data, len, &n);
		if (how == ZST)
			z[4] ^= 0x08;
		else
			z[n / 2] ^= 0x55;
		p = tmpfile_with((char *)z, n);
		f = infile_open(p, &err);
		if (f) {
			msg = read_to_error(f);
			infile_close(f);
		} else {
			msg = err;
		}
		snprintf(want, sizeof want, "%s: corrupt or truncated %s data at compressed byte ", p, names[how]);
		if (strncmp(msg, want, strlen(want)))
			fail_msg("%s: %s", names[how], msg);
		free(msg);
		free(z);
	}
	free(data);
}

/* A gzip member whose header has every optional field (extra, name,
 * comment, header CRC), then one without; read in 7-byte pieces, so that
 * the header, the end of the deflate data and the trailer are cut at
 * every place.  A wrong header CRC is an error. */
static void test_gzip_header_fields(void **state)
{
	(void)state;
	size_t len;
	char *data = payload(&len);
	size_t n;
	unsigned char *z = pack(GZ, data, len, &n);
	/* the 10-byte header, then FHCRC|FEXTRA|FNAME|FCOMMENT and their fields */
	static const unsigned char extra[] = {6, 0, 'm', 'x', 2, 0, 'o', 'k'};
	strbuf sb;
	sb_init(&sb);
	unsigned char head[10];
	memcpy(head, z, 10);
	head[3] = 0x02 | 0x04 | 0x08 | 0x10;
	sb_add(&sb, head, 10);
	sb_add(&sb, extra, sizeof extra);
	sb_add(&sb, "data.jsonl", 11);
	sb_add(&sb, "a comment", 10);
	uLong hcrc = crc32(0, (const Bytef *)sb.data, (uInt)sb.len);
	unsigned char h2[2] = {(unsigned char)(hcrc & 0xff), (unsigned char)(hcrc >> 8 & 0xff)};
	size_t hcrc_at = sb.len;
	sb_add(&sb, h2, 2);
	sb_add(&sb, z + 10, n - 10);
	sb_add(&sb, z, n); /* the second member: plain header */
	char *err = NULL;
	infile *f = infile_open(tmpfile_with(sb.data, sb.len), &err);
	if (!f)
		fail_msg("%s", err);
	size_t got_len;
	char *got = slurp(f, 7, &got_len);
	assert_int_equal(got_len, 2 * len);
	assert_memory_equal(got, data, len);
	assert_memory_equal(got + len, data, len);
	assert_int_equal(infile_consumed(f), sb.len);
	infile_close(f);
	free(got);

	sb.data[hcrc_at] ^= 0x01;
	const char *p = tmpfile_with(sb.data, sb.len);
	f = infile_open(p, &err);
	if (f) {
		char *msg = read_to_error(f);
		err = msg;
		infile_close(f);
	}
	char want[512];
	snprintf(want, sizeof want, "%s: corrupt gzip data at compressed byte ", p);
	assert_true(!strncmp(err, want, strlen(want)));
	assert_non_null(strstr(err, ": header crc mismatch"));
	free(err);
	free(sb.data);
	free(z);
	free(data);
}

static void test_refused(void **state)
{
	(void)state;
	char *err = NULL;
	char want[512];
	/* a tar archive: "ustar" at 257 */
	char tar[1024];
	memset(tar, 0, sizeof tar);
	strcpy(tar, "dns.jsonl");
	memcpy(tar + 257, "ustar\0" "00", 8);
	const char *p = tmpfile_with(tar, sizeof tar);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want, "%s: a tar archive, not a data file: extract the file to import from it first", p);
	assert_string_equal(err, want);
	free(err);
	/* GNU tar's magic, compressed */
	memcpy(tar + 257, "ustar  \0", 8);
	size_t n;
	unsigned char *z = pack(XZ, tar, sizeof tar, &n);
	p = tmpfile_with((char *)z, n);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want,
		 "%s: a tar archive (xz-compressed), not a data file: extract the file to import from it first", p);
	assert_string_equal(err, want);
	free(err);
	free(z);
	/* zip */
	p = tmpfile_with("PK\x03\x04\x14\0\0\0\x08\0", 10);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want, "%s: a zip archive, not a data file: extract the file to import from it first", p);
	assert_string_equal(err, want);
	free(err);
	/* a compression mxray does not read */
	p = tmpfile_with("\x04\x22\x4d\x18\x64\x40\xa7", 7);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want,
		 "%s: lz4 compression, which mxray does not read (it reads gzip, bzip2, xz and zstd): decompress it first",
		 p);
	assert_string_equal(err, want);
	free(err);
	/* compressed twice */
	size_t m;
	unsigned char *inner = pack(ZST, "x\n", 2, &m);
	z = pack(GZ, inner, m, &n);
	p = tmpfile_with((char *)z, n);
	assert_null(infile_open(p, &err));
	snprintf(want, sizeof want, "%s: compressed twice (zstd inside gzip): decompress it once first", p);
	assert_string_equal(err, want);
	free(err);
	free(z);
	free(inner);
	/* "BZh" in a text file is text */
	infile *f = infile_open(tmpfile_str("BZh9 is not bzip2\n"), &err);
	assert_non_null(f);
	assert_null(infile_compression(f));
	infile_close(f);
}

static void test_open_errors(void **state)
{
	(void)state;
	char *err = NULL;
	assert_null(infile_open("/nonexistent/mxray.jsonl", &err));
	assert_string_equal(err, "cannot open /nonexistent/mxray.jsonl: No such file or directory");
	free(err);
	assert_null(infile_open("/tmp", &err));
	assert_string_equal(err, "cannot read /tmp: it is a directory");
	free(err);
	/* a descriptor that cannot be read */
	int fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	assert_null(infile_open_fd(fd, "<out>", &err));
	assert_string_equal(err, "error reading <out>: Bad file descriptor");
	free(err);
	close(fd);
}

/* Lines as every reader of lines sees them (infile_lines_view): the
 * byte-order mark dropped on the first line only, a NUL byte or a line
 * over INFILE_LINE_MAX not held, the empty line writable text. */
static void test_lines_view(void **state)
{
	(void)state;
	size_t big = INFILE_LINE_MAX + 5;
	strbuf in;
	sb_init(&in);
	static const char head[] = "\xef\xbb\xbf{\"a\":1}\n\n \t\r\nx\0y\n\xef\xbb\xbf" "again\n";
	sb_add(&in, head, sizeof head - 1);
	for (size_t i = 0; i < big; i++)
		sb_addc(&in, 'a');
	sb_add(&in, "\nlast", 5);
	char *err = NULL;
	infile *f = infile_open(tmpfile_with(in.data, in.len), &err);
	assert_non_null(f);
	sb_free(&in);
	infile_lines l;
	infile_lines_init(&l, f);
	static const struct {
		enum infile_line what;
		const char *text;
		size_t len;
		bool blank;
	} want[] = {
		{INFILE_HELD, "{\"a\":1}", 7, false},   /* the mark dropped */
		{INFILE_HELD, "", 0, true},
		{INFILE_HELD, " \t\r", 3, true},
		{INFILE_NUL, "x\0y", 3, false},
		{INFILE_HELD, "\xef\xbb\xbf" "again", 8, false}, /* kept after line 1 */
		{INFILE_TOO_LONG, "", 0, true},
		{INFILE_HELD, "last", 4, false},
	};
	for (uint64_t n = 1; n <= sizeof want / sizeof want[0]; n++) {
		assert_int_equal(infile_lines_next(&l, &err), 1);
		char *line = NULL;
		size_t len = 99;
		assert_int_equal(infile_lines_view(&l, n, &line, &len), want[n - 1].what);
		assert_non_null(line);
		assert_int_equal(len, want[n - 1].len);
		assert_memory_equal(line, want[n - 1].text, len);
		line[len] = '\0'; /* writable, the empty line too */
		assert_int_equal(infile_blank(line, len), want[n - 1].blank);
	}
	assert_int_equal(infile_lines_next(&l, &err), 0);
	assert_true(infile_blank("\n", 1));
	assert_false(infile_blank(" x", 2));
	infile_lines_free(&l);
	infile_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),       cmocka_unit_test(test_empty),
		cmocka_unit_test(test_compressed),  cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_truncated),   cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_refused),     cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_gzip_header_fields), cmocka_unit_test(test_lines_view),
	};
	return cmocka_run_group_tests_name("infile", tests, NULL, NULL);
}
