/* readahead: a reader thread gathers a file's lines into batches, two
 * parsing threads parse them with the caller's callback, and the caller
 * takes them in file order.  One mutex and one condition variable guard
 * the queue, the counts and the pools. */
#include "mxray/readahead.h"
#include "mxray/util.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#ifndef READAHEAD_NICE
#define READAHEAD_NICE 5 /* the threads' nice value: see ra_yield */
#endif
#define PARSERS 2
/* Batches read but not yet parsed, at most, once the file's turn has
 * come: the reader is many times faster than the parsers, and a reader
 * bound only by the budget filled it with unparsed batches, each in
 * memory newly allocated and faulted in (at 1M domains, 207 of the DNS
 * file's 612 batches, 83k of import's 150k page faults).  So few, their
 * lines are kept in the pool and used again.  Before its turn (allowed
 * 0) a file is read ahead as far as the budget. */
#define AHEAD 8
#define POOL (AHEAD + PARSERS + 2)

/* Lines as read, until parsed. */
typedef struct raw {
	strbuf text;
	readahead_line *ln;
	size_t n, cap;
	struct raw *next; /* in the pool */
} raw;

/* A batch: what the caller sees first. */
typedef struct batch {
	readahead_batch pub;
	struct batch *next;
	raw *raw;    /* the lines, until parsed */
	int state;   /* 0 read, 1 being parsed, 2 parsed */
	size_t held; /* bytes counted against the budget */
} batch;

struct readahead {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const readahead_ops *ops;
	void *ctx;
	char *path;           /* opened by the reader; NULL: f was given */
	infile *f;            /* owned */
	int open_state;       /* 0 not yet, 1 open, -1 cannot be opened */
	infile_lines rd;
	bool rd_init;
	pthread_t reader, parser[PARSERS];
	bool reading;         /* the reader thread is to be joined */
	int nparsers;
	batch *head, *tail;   /* not yet taken, in file order */
	batch *todo;          /* the first not yet parsed */
	batch *spare;         /* emptied batches */
	int nspare;
	raw *pool;            /* emptied lines */
	int npool;
	int unparsed;         /* batches pushed, not yet parsed */
	size_t held;
	int allowed, parsing; /* parsing threads allowed to work, working */
	bool stop;
	enum readahead_end end; /* set by the reader, after its last batch */
	char *rerr;           /* READAHEAD_ERROR: the read error */
	uint64_t lines;       /* read by the reader */
	bool hand_line;       /* READAHEAD_HANDBACK: rd.line holds line `lines` */
	void *mine;           /* scratch for parsing here, when no thread could be had */
	batch *fill;          /* lines given by readahead_add, not yet queued */
};

/* Parse every line of a batch. */
static void batch_parse(readahead *a, batch *b, void *scratch)
{
	const raw *r = b->raw;
	readahead_batch *p = &b->pub;
	sb_clear(&p->out);
	sb_clear(&p->aux);
	p->naux = 0;
	/* The output keeps the room it had (a recycled batch: the last
	 * parse's), counted against the budget as it is.  Cut to its length
	 * after each parse, it grew again by doubling, copied at each step
	 * into memory new to the process: a 1M scan file alone, 8 alternating
	 * runs, 1.24 s against 1.46-1.49 s (medians), 18k page faults against
	 * 23k, the whole import's peak 337-349 MB against 356-370 MB. */
	a->ops->parse(a->ctx, scratch, r->text.data ? r->text.data : "", r->ln, r->n, p);
}

static size_t raw_size(const raw *r)
{
	return r->text.cap + r->cap * sizeof *r->ln;
}

static void raw_free(raw *r)
{
	if (!r)
		return;
	sb_free(&r->text);
	free(r->ln);
	free(r);
}

static void batch_free(batch *b)
{
	if (!b)
		return;
	raw_free(b->raw);
	sb_free(&b->pub.out);
	sb_free(&b->pub.aux);
	free(b);
}

/* With the lock held: the parsed batch's lines back to the pool. */
static void raw_done(readahead *a, batch *b)
{
	raw *r = b->raw;
	b->raw = NULL;
	a->held -= b->held;
	b->held = b->pub.out.cap + b->pub.aux.cap;
	a->held += b->held;
	a->unparsed--;
	if (a->npool < POOL && r->text.cap <= (32u << 20)) {
		r->n = 0;
		sb_clear(&r->text);
		r->next = a->pool;
		a->pool = r;
		a->npool++;
	} else {
		raw_free(r);
	}
}

/* With the lock held: take the first batch not yet parsed, parse it with
 * the lock released, and mark it parsed. */
static void parse_next(readahead *a, void *scratch)
{
	batch *b = a->todo;
	a->todo = b->next;
	b->state = 1;
	a->parsing++;
	pthread_mutex_unlock(&a->mu);
	batch_parse(a, b, scratch);
	pthread_mutex_lock(&a->mu);
	b->state = 2;
	a->parsing--;
	raw_done(a, b);
	pthread_cond_broadcast(&a->cv);
}

/* The reader and parsing threads give way to the caller's: what it does
 * with the batches (e.g. a database's one writer) is what the whole
 * waits for; they have the rest of the machine. */
static void ra_yield(void)
{
#ifdef __linux__
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), READAHEAD_NICE); /* failing: as it was */
#endif
}

static void *parser_main(void *arg)
{
	readahead *a = arg;
	ra_yield();
	void *s = a->ops->scratch_new ? a->ops->scratch_new(a->ctx) : NULL;
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->stop && !(a->todo && a->parsing < a->allowed))
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop)
			break;
		parse_next(a, s);
	}
	pthread_mutex_unlock(&a->mu);
	if (a->ops->scratch_free)
		a->ops->scratch_free(a->ctx, s);
	return NULL;
}

/* An empty batch (with room for lines); wait: only while no more than
 * the budget is held and, in the file's turn, fewer than AHEAD batches
 * wait to be parsed (else NULL once stopped). */
static batch *batch_get(readahead *a, bool wait)
{
	pthread_mutex_lock(&a->mu);
	while (wait && !a->stop && (a->held > a->ops->budget || (a->allowed > 0 && a->unparsed >= AHEAD)))
		pthread_cond_wait(&a->cv, &a->mu);
	if (wait && a->stop) {
		pthread_mutex_unlock(&a->mu);
		return NULL;
	}
	batch *b = a->spare;
	if (b) {
		a->spare = b->next;
		a->nspare--;
	}
	raw *r = a->pool;
	if (r) {
		a->pool = r->next;
		a->npool--;
	}
	pthread_mutex_unlock(&a->mu);
	if (!b) {
		b = xcalloc(1, sizeof *b);
		sb_init(&b->pub.out);
		sb_init(&b->pub.aux);
	}
	if (!r) {
		r = xcalloc(1, sizeof *r);
		sb_init(&r->text);
	}
	b->raw = r;
	b->next = NULL;
	b->state = 0;
	return b;
}

static void batch_add(batch *b, const char *line, size_t len, uint64_t lineno, uint64_t recno, int flag)
{
	raw *r = b->raw;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->ln = xrealloc(r->ln, r->cap * sizeof *r->ln);
	}
	r->ln[r->n++] = (readahead_line){r->text.len, len, lineno, recno, flag};
	sb_add(&r->text, line, len);
}

static bool batch_full(const readahead *a, const batch *b)
{
	const raw *r = b->raw;
	return r->n >= a->ops->batch_lines || r->text.len >= a->ops->batch_bytes;
}

/* Queue a filled batch for the parsing threads. */
static void push(readahead *a, batch *b, uint64_t last_line, uint64_t consumed)
{
	b->pub.last_line = last_line;
	b->pub.consumed = consumed;
	pthread_mutex_lock(&a->mu);
	b->held = raw_size(b->raw) + b->pub.out.cap + b->pub.aux.cap;
	a->held += b->held;
	a->unparsed++;
	if (a->tail)
		a->tail->next = b;
	else
		a->head = b;
	a->tail = b;
	if (!a->todo)
		a->todo = b;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

readahead_batch *readahead_pop(readahead *a, bool wait)
{
	pthread_mutex_lock(&a->mu);
	for (;;) {
		batch *b = a->head;
		if (b && b->state == 2) {
			a->head = b->next;
			if (!a->head)
				a->tail = NULL;
			pthread_mutex_unlock(&a->mu);
			return &b->pub;
		}
		if (!wait || (!b && (a->end != READAHEAD_RUNNING || !a->reading)))
			break;
		if (b && b->state == 0 && !a->nparsers) { /* no thread to parse it: here */
			if (!a->mine && a->ops->scratch_new)
				a->mine = a->ops->scratch_new(a->ctx);
			parse_next(a, a->mine);
			continue;
		}
		pthread_cond_wait(&a->cv, &a->mu);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* A batch taken (or one left unused), emptied for the reader. */
static void recycle(readahead *a, batch *b)
{
	raw_free(b->raw);
	b->raw = NULL;
	/* room for the next parse kept (batch_parse), but not what an
	 * outsize batch needed */
	strbuf *keep[] = {&b->pub.out, &b->pub.aux};
	for (int k = 0; k < 2; k++)
		if (keep[k]->cap > 2 * a->ops->batch_bytes)
			sb_free(keep[k]);
		else
			sb_clear(keep[k]);
	pthread_mutex_lock(&a->mu);
	a->held -= b->held;
	b->held = 0;
	if (a->nspare < 4) {
		b->next = a->spare;
		a->spare = b;
		a->nspare++;
		b = NULL;
	}
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	batch_free(b);
}

void readahead_done(readahead *a, readahead_batch *b)
{
	recycle(a, (batch *)(void *)b); /* pub is a batch's first member */
}

static void finish(readahead *a, enum readahead_end end, char *rerr, bool hand_line)
{
	pthread_mutex_lock(&a->mu);
	a->end = end;
	a->rerr = rerr;
	a->hand_line = hand_line;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/* The reader thread, once the file is open: its lines into batches, or
 * the file handed back; the end it came to. */
static enum readahead_end read_file(readahead *a, char **rerr)
{
	bool decided = false;
	batch *b = NULL;
	enum readahead_end end = READAHEAD_EOF;
	uint64_t lines = 0;
	for (;;) {
		if (!b && !(b = batch_get(a, true)))
			break; /* stopped */
		int got = infile_lines_next(&a->rd, rerr);
		if (got <= 0) {
			end = got < 0 ? READAHEAD_ERROR : READAHEAD_EOF;
			break;
		}
		lines++;
		char *line;
		size_t len;
		int flag = (int)infile_lines_view(&a->rd, lines, &line, &len);
		if (flag == READAHEAD_LINE && infile_blank(line, len))
			continue;
		if (flag == READAHEAD_LINE && !decided) {
			if (a->ops->takes && !a->ops->takes(a->ctx, line, len)) {
				end = READAHEAD_HANDBACK;
				break;
			}
			decided = true;
		}
		bool held = flag == READAHEAD_LINE;
		batch_add(b, held ? line : "", held ? len : 0, lines, 0, flag);
		if (batch_full(a, b)) {
			push(a, b, lines, infile_consumed(a->f));
			b = NULL;
		}
	}
	pthread_mutex_lock(&a->mu);
	a->lines = lines;
	pthread_mutex_unlock(&a->mu);
	if (b && b->raw->n)
		push(a, b, lines, infile_consumed(a->f));
	else if (b)
		recycle(a, b);
	return end;
}

/* The reader thread: open the file (unless given), read its lines into
 * batches, or hand it back. */
static void *reader_main(void *arg)
{
	readahead *a = arg;
	ra_yield();
	if (!a->f) {
		char *e = NULL;
		infile *f = infile_open(a->path, &e);
		free(e); /* this thread reports nothing: the caller opens it again */
		pthread_mutex_lock(&a->mu);
		a->f = f;
		a->open_state = f ? 1 : -1;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (!f) {
			finish(a, READAHEAD_EOF, NULL, false);
			return NULL;
		}
	}
	infile_lines_init(&a->rd, a->f);
	a->rd_init = true;
	size_t n;
	const void *head = infile_peek(a->f, &n);
	if (a->ops->takes_file && !a->ops->takes_file(a->ctx, head, n)) {
		finish(a, READAHEAD_HANDBACK, NULL, false);
		return NULL;
	}
	char *rerr = NULL;
	enum readahead_end end = read_file(a, &rerr);
	finish(a, end, rerr, end == READAHEAD_HANDBACK);
	return NULL;
}

readahead *readahead_start(const readahead_ops *ops, void *ctx, const char *path, infile *f, int threads)
{
	readahead *a = xcalloc(1, sizeof *a);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->ops = ops;
	a->ctx = ctx;
	a->allowed = threads;
	if (f) {
		a->f = f;
		a->open_state = 1;
	} else {
		a->path = xstrdup(path);
	}
	for (int k = 0; k < PARSERS; k++)
		if (pthread_create(&a->parser[a->nparsers], NULL, parser_main, a) == 0)
			a->nparsers++;
	a->reading = pthread_create(&a->reader, NULL, reader_main, a) == 0;
	if (!a->reading) { /* read by the caller, line by line */
		if (!a->f) {
			a->open_state = -1;
		} else {
			infile_lines_init(&a->rd, a->f);
			a->rd_init = true;
		}
		a->end = READAHEAD_HANDBACK;
	}
	return a;
}

bool readahead_opened(readahead *a)
{
	pthread_mutex_lock(&a->mu);
	while (!a->open_state)
		pthread_cond_wait(&a->cv, &a->mu);
	bool ok = a->open_state > 0;
	a->allowed = PARSERS; /* its turn: every parsing thread */
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return ok;
}

infile *readahead_file(readahead *a)
{
	pthread_mutex_lock(&a->mu);
	infile *f = a->open_state > 0 ? a->f : NULL;
	pthread_mutex_unlock(&a->mu);
	return f;
}

bool readahead_add(readahead *a, const char *line, size_t len, uint64_t lineno, uint64_t recno)
{
	if (!a->fill)
		a->fill = batch_get(a, false);
	batch_add(a->fill, line, len, lineno, recno, READAHEAD_LINE);
	if (!batch_full(a, a->fill))
		return false;
	push(a, a->fill, lineno, 0);
	a->fill = NULL;
	return true;
}

void readahead_flush(readahead *a, uint64_t last_line)
{
	if (!a->fill)
		return;
	push(a, a->fill, last_line, 0);
	a->fill = NULL;
}

size_t readahead_held(readahead *a)
{
	pthread_mutex_lock(&a->mu);
	size_t held = a->held;
	pthread_mutex_unlock(&a->mu);
	return held;
}

bool readahead_over(readahead *a)
{
	return readahead_held(a) > a->ops->budget;
}

bool readahead_parsed(readahead *a)
{
	pthread_mutex_lock(&a->mu);
	bool done = a->end != READAHEAD_RUNNING && !a->todo && !a->parsing;
	pthread_mutex_unlock(&a->mu);
	return done;
}

static void join_reader(readahead *a)
{
	if (a->reading)
		pthread_join(a->reader, NULL);
	a->reading = false;
}

enum readahead_end readahead_join(readahead *a, uint64_t *lines, const char **err)
{
	join_reader(a);
	if (lines)
		*lines = a->lines;
	if (err)
		*err = a->rerr;
	return a->end;
}

infile_lines *readahead_rest(readahead *a, bool *at_line)
{
	*at_line = a->hand_line;
	return a->rd_init ? &a->rd : NULL;
}

void readahead_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void readahead_free(readahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	join_reader(a);
	for (int k = 0; k < a->nparsers; k++)
		pthread_join(a->parser[k], NULL);
	batch_free(a->fill);
	while (a->head) {
		batch *b = a->head;
		a->head = b->next;
		batch_free(b);
	}
	while (a->spare) {
		batch *b = a->spare;
		a->spare = b->next;
		batch_free(b);
	}
	while (a->pool) {
		raw *r = a->pool;
		a->pool = r->next;
		raw_free(r);
	}
	if (a->mine && a->ops->scratch_free)
		a->ops->scratch_free(a->ctx, a->mine);
	if (a->rd_init)
		infile_lines_free(&a->rd);
	infile_close(a->f);
	free(a->path);
	free(a->rerr);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
