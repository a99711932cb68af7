/* readahead: batches in file order with their line numbers, lines that
 * are not held flagged, the budget, how far the reader runs ahead of the
 * parsing, files that cannot be opened or read,
 * the hand-back at the first line, and stopping mid-file.  The parse
 * callback here writes each line upper-cased after its number. */
#include "testutil.h"
#include "mxray/infile.h"
#include "mxray/readahead.h"
#include "mxray/util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdatomic.h>
#include <time.h>
#include <zlib.h>

typedef struct {
	const char *decline;  /* takes: false for a line starting with this */
	char decline_file;    /* takes_file: false for a file starting with this */
	atomic_int made, freed; /* scratches */
	atomic_long parsed;   /* lines */
	atomic_bool hold;     /* t_parse_held waits while it is set */
} tctx;

static void *t_scratch_new(void *ctx)
{
	tctx *t = ctx;
	atomic_fetch_add(&t->made, 1);
	strbuf *s = xmalloc(sizeof *s);
	sb_init(s);
	return s;
}

static void t_scratch_free(void *ctx, void *scratch)
{
	tctx *t = ctx;
	atomic_fetch_add(&t->freed, 1);
	sb_free(scratch);
	free(scratch);
}

/* Each line as "LINENO[/RECNO] FLAG TEXT-UPPER-CASED\n"; naux: lines. */
static void t_parse(void *ctx, void *scratch, const char *text, const readahead_line *ln, size_t n,
		    readahead_batch *b)
{
	tctx *t = ctx;
	strbuf *up = scratch;
	for (size_t i = 0; i < n; i++) {
		sb_clear(up);
		for (size_t k = 0; k < ln[i].len; k++)
			sb_addc(up, (char)toupper((unsigned char)text[ln[i].off + k]));
		static const char flags[] = "LTN";
		sb_addf(&b->out, "%llu", (unsigned long long)ln[i].lineno);
		if (ln[i].recno)
			sb_addf(&b->out, "/%llu", (unsigned long long)ln[i].recno);
		sb_addf(&b->out, " %c %s\n", flags[ln[i].flag], up->data ? up->data : "");
		b->naux++;
	}
	atomic_fetch_add(&t->parsed, (long)n);
}

static bool t_takes(void *ctx, const char *line, size_t len)
{
	const tctx *t = ctx;
	size_t n = t->decline ? strlen(t->decline) : 0;
	return !(t->decline && len >= n && !memcmp(line, t->decline, n));
}

static bool t_takes_file(void *ctx, const void *head, size_t n)
{
	const tctx *t = ctx;
	return !(t->decline_file && n && *(const char *)head == t->decline_file);
}

static readahead_ops ops_with(size_t lines, size_t budget)
{
	return (readahead_ops){t_takes_file, t_takes, t_scratch_new, t_scratch_free, t_parse, lines, 1u << 20, budget};
}

/* Every batch's out, in the order handed out; *nbatches counted. */
static char *pop_all(readahead *a, size_t *nbatches, uint64_t *last_line)
{
	strbuf all;
	sb_init(&all);
	*nbatches = 0;
	readahead_batch *b;
	while ((b = readahead_pop(a, true))) {
		sb_add(&all, b->out.data ? b->out.data : "", b->out.len);
		*last_line = b->last_line;
		++*nbatches;
		readahead_done(a, b);
	}
	sb_addc(&all, '\0');
	return sb_steal(&all);
}

static int threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	assert_non_null(d);
	int n = 0;
	const struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void nap(void)
{
	nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
}

/* Wait (10 s at most) until cond holds; asked once when it does (with
 * threads running it may not hold a moment later). */
#define WAIT_FOR(cond)                                      \
	do {                                                \
		int waited_ = 0;                            \
		bool met_;                                  \
		while (!(met_ = (cond)) && waited_++ < 2000) \
			nap();                              \
		assert_true(met_);                          \
	} while (0)

/* A file of n lines "line NNNNNN" (from 1); the text expected of them. */
static const char *lines_file(int n, char **want)
{
	strbuf f, w;
	sb_init(&f);
	sb_init(&w);
	for (int i = 1; i <= n; i++) {
		sb_addf(&f, "line %06d\n", i);
		sb_addf(&w, "%d L LINE %06d\n", i, i);
	}
	const char *p = tmpfile_with(f.data, f.len);
	sb_free(&f);
	*want = sb_steal(&w);
	return p;
}

static void test_order(void **state)
{
	(void)state;
	/* a byte-order mark, blank lines (spaces, tabs, CR) skipped, no end
	 * of line at the end */
	const char text[] = "\xef\xbb\xbf{a}\n\n  \t\r\nb c\nd\n\n\ne";
	tctx t = {0};
	readahead_ops ops = ops_with(2, 1u << 20);
	const char *p = tmpfile_with(text, sizeof text - 1);
	readahead *a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	assert_non_null(readahead_file(a));
	size_t nb;
	uint64_t last = 0;
	char *got = pop_all(a, &nb, &last);
	assert_string_equal(got, "1 L {A}\n4 L B C\n5 L D\n8 L E\n");
	free(got);
	assert_int_equal(nb, 2);
	assert_int_equal(last, 8);
	uint64_t lines = 0;
	const char *err = "x";
	assert_int_equal(readahead_join(a, &lines, &err), READAHEAD_EOF);
	assert_int_equal(lines, 8);
	assert_null(err);
	assert_true(readahead_parsed(a));
	assert_int_equal(readahead_held(a), 0);
	readahead_free(a);
	assert_int_equal(t.made, 2);
	assert_int_equal(t.freed, 2);
	assert_int_equal(t.parsed, 4);

	/* many batches, from a file given open, in order */
	char *want;
	p = lines_file(10000, &want);
	char *e = NULL;
	infile *f = infile_open(p, &e);
	assert_non_null(f);
	ops = ops_with(64, 1u << 20);
	a = readahead_start(&ops, &t, NULL, f, 2);
	assert_ptr_equal(readahead_file(a), f);
	got = pop_all(a, &nb, &last);
	assert_string_equal(got, want);
	assert_int_equal(nb, (10000 + 63) / 64);
	assert_int_equal(last, 10000);
	assert_int_equal(readahead_join(a, &lines, &err), READAHEAD_EOF);
	assert_int_equal(lines, 10000);
	readahead_free(a);
	free(got);
	free(want);
}

static void test_flags(void **state)
{
	(void)state;
	/* a line with a NUL, one longer than INFILE_LINE_MAX: flagged, not held */
	strbuf s;
	sb_init(&s);
	sb_adds(&s, "x\n");
	sb_add(&s, "a\0b\n", 4);
	sb_adds(&s, "\n");
	for (size_t i = 0; i <= INFILE_LINE_MAX; i++)
		sb_addc(&s, 'z');
	sb_adds(&s, "\ny\n");
	const char *p = tmpfile_with(s.data, s.len);
	sb_free(&s);
	tctx t = {0};
	readahead_ops ops = ops_with(1024, 1u << 20);
	readahead *a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	size_t nb;
	uint64_t last = 0;
	char *got = pop_all(a, &nb, &last);
	assert_string_equal(got, "1 L X\n2 N \n4 T \n5 L Y\n");
	free(got);
	assert_int_equal(nb, 1);
	uint64_t lines;
	assert_int_equal(readahead_join(a, &lines, NULL), READAHEAD_EOF);
	assert_int_equal(lines, 5);
	readahead_free(a);

	/* the first line held decides: a flagged line before it does not */
	t.decline = "#";
	p = tmpfile_with("a\0\n#b\n", 6);
	a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	got = pop_all(a, &nb, &last);
	assert_string_equal(got, "1 N \n");
	free(got);
	assert_int_equal(readahead_join(a, &lines, NULL), READAHEAD_HANDBACK);
	assert_int_equal(lines, 2);
	readahead_free(a);
}

static void test_budget(void **state)
{
	(void)state;
	char *want;
	const char *p = lines_file(20000, &want);
	tctx t = {0};
	/* 100 lines of 11 bytes a batch: 2048 bytes of text, room for 1024
	 * lines; a parsed batch holds its out, 1700 bytes (2048) */
	const size_t budget = 100000, raw = 2048 + 1024 * sizeof(readahead_line), out = 2048;
	readahead_ops ops = ops_with(100, budget);
	readahead *a = readahead_start(&ops, &t, p, NULL, 0);
	/* nothing parsed: the reader stops after the batch that takes it
	 * over the budget */
	WAIT_FOR(readahead_over(a));
	for (int i = 0; i < 20; i++)
		nap();
	assert_int_equal(readahead_held(a), 3 * raw);
	assert_int_equal(t.parsed, 0);
	assert_false(readahead_parsed(a));
	assert_null(readahead_pop(a, false));
	/* parsed, the batches hold less: the reader goes on to the budget,
	 * and on as they are taken */
	assert_true(readahead_opened(a));
	WAIT_FOR(t.parsed >= 300 && readahead_over(a));
	assert_true(t.parsed < 20000);
	strbuf got;
	sb_init(&got);
	size_t nb = 0;
	readahead_batch *b;
	while ((b = readahead_pop(a, true))) {
		/* at most one batch over: its lines, and the out a batch used
		 * again keeps (the reader waits while more than the budget is
		 * held, then adds one) */
		assert_true(readahead_held(a) <= budget + raw + out);
		sb_add(&got, b->out.data, b->out.len);
		assert_int_equal(b->naux, 100);
		nb++;
		readahead_done(a, b);
	}
	assert_int_equal(nb, 200);
	assert_string_equal(got.data, want);
	sb_free(&got);
	free(want);
	assert_int_equal(readahead_held(a), 0);
	uint64_t lines;
	assert_int_equal(readahead_join(a, &lines, NULL), READAHEAD_EOF);
	assert_int_equal(lines, 20000);
	readahead_free(a);
}

/* t_parse, once t->hold is cleared. */
static void t_parse_held(void *ctx, void *scratch, const char *text, const readahead_line *ln, size_t n,
			 readahead_batch *b)
{
	tctx *t = ctx;
	while (atomic_load(&t->hold))
		nap();
	t_parse(ctx, scratch, text, ln, n, b);
}

/* In the file's turn the reader stays at most 8 batches ahead of the
 * parsing, however large the budget: with both parsing threads held
 * (each in a batch), it stops at 8 batches of lines pushed. */
static void test_ahead(void **state)
{
	(void)state;
	char *want;
	const char *p = lines_file(20000, &want);
	tctx t = {0};
	atomic_store(&t.hold, true);
	const size_t raw = 2048 + 1024 * sizeof(readahead_line);
	readahead_ops ops = ops_with(100, 64u << 20);
	ops.parse = t_parse_held;
	/* its turn from the start (2 threads): before it, the reader may
	 * read as far as the budget */
	readahead *a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	WAIT_FOR(readahead_held(a) >= 8 * raw);
	for (int i = 0; i < 40; i++)
		nap();
	assert_int_equal(readahead_held(a), 8 * raw);
	assert_int_equal(t.parsed, 0);
	atomic_store(&t.hold, false);
	size_t nb = 0;
	uint64_t last = 0;
	char *got = pop_all(a, &nb, &last);
	assert_int_equal(nb, 200);
	assert_int_equal(last, 20000);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(readahead_join(a, NULL, NULL), READAHEAD_EOF);
	readahead_free(a);
}

static void test_unopenable(void **state)
{
	(void)state;
	tctx t = {0};
	readahead_ops ops = ops_with(100, 1u << 20);
	readahead *a = readahead_start(&ops, &t, "/nonexistent/mxray.jsonl", NULL, 1);
	assert_false(readahead_opened(a));
	assert_null(readahead_file(a));
	assert_null(readahead_pop(a, true));
	uint64_t lines = 7;
	const char *err = "x";
	assert_int_equal(readahead_join(a, &lines, &err), READAHEAD_EOF);
	assert_int_equal(lines, 0);
	assert_null(err);
	readahead_free(a);
	/* a directory, a refused archive alike */
	a = readahead_start(&ops, &t, "/tmp", NULL, 1);
	assert_false(readahead_opened(a));
	readahead_free(a);
	assert_int_equal(t.made, t.freed);
}

static void test_read_error(void **state)
{
	(void)state;
	/* a gzip file cut in the middle */
	char *want;
	const char *plain = lines_file(20000, &want);
	free(want);
	const char *p = tmp_new("/tmp/mxray-test-gz-XXXXXX");
	gzFile z = gzopen(p, "wb");
	assert_non_null(z);
	FILE *in = fopen(plain, "rb");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(gzwrite(z, buf, (unsigned)n), (int)n);
	fclose(in);
	assert_int_equal(gzclose(z), Z_OK);
	FILE *g = fopen(p, "rb");
	fseek(g, 0, SEEK_END);
	long size = ftell(g);
	fclose(g);
	assert_int_equal(truncate(p, size / 2), 0);
	/* what the line reader gives of it */
	char *e = NULL;
	infile *f = infile_open(p, &e);
	assert_non_null(f);
	infile_lines rd;
	infile_lines_init(&rd, f);
	uint64_t good = 0;
	int r;
	while ((r = infile_lines_next(&rd, &e)) > 0)
		good++;
	assert_int_equal(r, -1);
	infile_lines_free(&rd);
	infile_close(f);
	assert_true(good > 100 && good < 20000);

	tctx t = {0};
	readahead_ops ops = ops_with(100, 1u << 20);
	readahead *a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	size_t nb;
	uint64_t last = 0;
	char *got = pop_all(a, &nb, &last);
	strbuf w;
	sb_init(&w);
	for (uint64_t i = 1; i <= good; i++)
		sb_addf(&w, "%llu L LINE %06llu\n", (unsigned long long)i, (unsigned long long)i);
	assert_string_equal(got, w.data);
	free(got);
	sb_free(&w);
	assert_int_equal(last, good);
	uint64_t lines;
	const char *err = NULL;
	assert_int_equal(readahead_join(a, &lines, &err), READAHEAD_ERROR);
	assert_int_equal(lines, good);
	assert_string_equal(err, e);
	free(e);
	readahead_free(a);
}

static void test_handback(void **state)
{
	(void)state;
	tctx t = {0};
	t.decline = "name,";
	readahead_ops ops = ops_with(2, 1u << 20);
	const char *p = tmpfile_str("\xef\xbb\xbf\n \nname,ip\nx,1\ny,2\n");
	readahead *a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	assert_null(readahead_pop(a, true));
	uint64_t lines;
	assert_int_equal(readahead_join(a, &lines, NULL), READAHEAD_HANDBACK);
	assert_int_equal(lines, 3);
	/* the file left at that line */
	bool at = false;
	infile_lines *rd = readahead_rest(a, &at);
	assert_true(at);
	assert_string_equal(rd->line.data, "name,ip");
	char *e = NULL;
	assert_int_equal(infile_lines_next(rd, &e), 1);
	assert_string_equal(rd->line.data, "x,1");
	/* lines read here, parsed by the threads, in order */
	assert_false(readahead_add(a, "x,1", 3, 4, 0));
	assert_int_equal(infile_lines_next(rd, &e), 1);
	assert_true(readahead_add(a, rd->line.data, rd->line.len, 5, 0));
	assert_int_equal(infile_lines_next(rd, &e), 0);
	assert_false(readahead_add(a, "doc", 3, 5, 2));
	readahead_flush(a, 6);
	readahead_flush(a, 7); /* nothing more */
	size_t nb;
	uint64_t last = 0;
	char *got = pop_all(a, &nb, &last);
	assert_string_equal(got, "4 L X,1\n5 L Y,2\n5/2 L DOC\n");
	free(got);
	assert_int_equal(nb, 2);
	assert_int_equal(last, 6);
	readahead_free(a);

	/* declined at its first bytes: before any line */
	t.decline_file = 'O';
	p = tmpfile_str("Obj\nname,ip\n");
	a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	assert_null(readahead_pop(a, true));
	assert_int_equal(readahead_join(a, &lines, NULL), READAHEAD_HANDBACK);
	assert_int_equal(lines, 0);
	rd = readahead_rest(a, &at);
	assert_false(at);
	assert_int_equal(infile_lines_next(rd, &e), 1);
	assert_string_equal(rd->line.data, "Obj");
	readahead_free(a);
	assert_int_equal(t.made, t.freed);
}

static void test_stop_early(void **state)
{
	(void)state;
	char *want;
	const char *p = lines_file(200000, &want);
	free(want);
	int before = threads_now();
	tctx t = {0};
	readahead_ops ops = ops_with(100, 100000);
	/* freed at once, and mid-file with the reader waiting on the budget */
	readahead *a = readahead_start(&ops, &t, p, NULL, 2);
	readahead_free(a);
	assert_int_equal(threads_now(), before);
	a = readahead_start(&ops, &t, p, NULL, 2);
	assert_true(readahead_opened(a));
	readahead_batch *b = readahead_pop(a, true);
	assert_non_null(b);
	assert_int_equal(b->last_line, 100);
	readahead_done(a, b);
	b = readahead_pop(a, true);
	assert_non_null(b);
	assert_false(readahead_add(a, "a", 1, 1, 0)); /* a batch being filled */
	WAIT_FOR(readahead_over(a));
	assert_false(readahead_parsed(a));
	readahead_done(a, b);
	readahead_free(a);
	assert_int_equal(threads_now(), before);
	assert_int_equal(t.made, 4);
	assert_int_equal(t.freed, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),	    cmocka_unit_test(test_flags),   cmocka_unit_test(test_budget),
		cmocka_unit_test(test_unopenable), cmocka_unit_test(test_read_error), cmocka_unit_test(test_handback),
		cmocka_unit_test(test_stop_early), cmocka_unit_test(test_ahead),
	};
	return cmocka_run_group_tests_name("readahead", tests, NULL, NULL);
}
