/* A commit by another connection in the middle of a read, at every point
 * where one can come: the reader's k-th statement (k = 1, 2, ...), as it
 * starts to run (SQLITE_TRACE_STMT), first waits for a change committed
 * through a second store opened on the same file.  A command whose output
 * comes from several statements must write either what the file held
 * before the change or what it holds after, for every k; read outside a
 * transaction, the statements before k read one state and the ones after
 * it the other, and the output mixes them. */
#ifndef MXRAY_READMIX_H
#define MXRAY_READMIX_H

#include "testutil.h"
#include "mxray/store.h"
#include "mxray/util.h"

#include <sqlite3.h>
#include <stdbool.h>

/* What the reader writes, from the store (allocated text). */
typedef char *(*readmix_read)(store *st, void *arg);
/* The change, committed through w (a store_open of the same file). */
typedef void (*readmix_change)(store *w, void *arg);

typedef struct {
	const char *path;
	int at, seen; /* the statement the change comes before; statements begun */
	bool done;
	readmix_change change;
	void *arg;
	sqlite3 *db;
} readmix_hook;

/* (A reader that writes, as sample does at its end, holds the write lock
 * from its BEGIN IMMEDIATE on: the change waits for its next statement
 * outside that transaction.) */
static int readmix_trace(unsigned type, void *cx, void *p, void *x)
{
	(void)p;
	(void)x;
	readmix_hook *h = cx;
	if (type == SQLITE_TRACE_STMT && ++h->seen >= h->at && !h->done &&
	    sqlite3_txn_state(h->db, "main") != SQLITE_TXN_WRITE) {
		h->done = true;
		char *err = NULL;
		store *w = store_open(h->path, &err);
		if (!w)
			fail_msg("second connection: %s", err);
		h->change(w, h->arg);
		store_close(w);
	}
	return 0;
}

/* A copy of the fixture's file (in WAL mode, as the store keeps it) at a
 * fresh path. */
static inline const char *readmix_copy(store *fixture)
{
	static char path[64]; /* one copy at a time, removed after */
	static int n;
	snprintf(path, sizeof path, "/tmp/mxray-test-mix-%d-%d", (int)getpid(), n++);
	rmdb(path);
	char *sql = xasprintf("VACUUM INTO '%s'", path);
	assert_int_equal(sqlite3_exec(store_db(fixture), sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	char *err = NULL;
	store *w = store_open(path, &err);
	if (!w)
		fail_msg("copy: %s", err);
	store_close(w);
	return path;
}

static inline store *readmix_open(const char *path, bool readonly)
{
	char *err = NULL;
	store *st = readonly ? store_open_readonly(path, &err) : store_open(path, &err);
	if (!st)
		fail_msg("reader: %s", err);
	return st;
}

/* read(copy of fixture) with the change before statement `at` (0: none;
 * -1: before the read); *fired: whether the change came. */
static inline char *readmix_run(store *fixture, bool readonly, readmix_read read, void *rarg, readmix_change change,
				void *carg, int at, bool *fired)
{
	const char *path = readmix_copy(fixture);
	readmix_hook h = {path, at, 0, false, change, carg, NULL};
	if (at < 0) {
		char *err = NULL;
		store *w = store_open(path, &err);
		if (!w)
			fail_msg("writer: %s", err);
		change(w, carg);
		store_close(w);
	}
	store *st = readmix_open(path, readonly);
	h.db = store_db(st);
	if (at > 0)
		sqlite3_trace_v2(store_db(st), SQLITE_TRACE_STMT, readmix_trace, &h);
	char *out = read(st, rarg);
	sqlite3_trace_v2(store_db(st), 0, NULL, NULL);
	if (fired)
		*fired = h.done;
	store_close(st);
	rmdb(path);
	return out;
}

/* Every k: the output is the one before the change or the one after it,
 * which differ.  Returns the number of statements the read ran. */
static inline int readmix_check(store *fixture, bool readonly, readmix_read read, void *rarg, readmix_change change,
				void *carg)
{
	char *before = readmix_run(fixture, readonly, read, rarg, change, carg, 0, NULL);
	char *after = readmix_run(fixture, readonly, read, rarg, change, carg, -1, NULL);
	if (!strcmp(before, after))
		fail_msg("the change does not show in the output:\n%s", before);
	int k = 1;
	for (;; k++) {
		bool fired = false;
		char *out = readmix_run(fixture, readonly, read, rarg, change, carg, k, &fired);
		if (!fired) {
			free(out);
			break;
		}
		if (strcmp(out, before) && strcmp(out, after))
			fail_msg("a change committed before statement %d: an output of neither state:\n%s\n"
				 "--- before the change:\n%s\n--- after it:\n%s", k, out, before, after);
		free(out);
	}
	free(before);
	free(after);
	return k - 1;
}

/* The text a FILE * writer wrote, for readmix_read functions. */
typedef struct {
	char *buf;
	size_t len;
	FILE *f;
} readmix_out;

static inline FILE *readmix_out_open(readmix_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	return o->f;
}

/* The text, with "rc=N\n" (the reader's return) or the error after it. */
static inline char *readmix_out_close(readmix_out *o, long rc, char *err)
{
	fclose(o->f);
	char *s = xasprintf("%s%s rc=%ld %s\n", o->buf ? o->buf : "", o->len ? "" : "(nothing)", rc, err ? err : "");
	free(o->buf);
	free(err);
	return s;
}

#endif
