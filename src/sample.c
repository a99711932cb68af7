/* sample: drawing samples, and labels in and out. */
#include "mxray/sample.h"
#include "mxray/csv.h"
#include "mxray/domain.h"
#include "mxray/evaluate.h"
#include "mxray/infile.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias. */
static uint64_t below(uint64_t *s, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	uint64_t v;
	do
		v = splitmix64(s);
	while (v >= lim);
	return v % n;
}

typedef struct {
	char **v;
	size_t n, cap;
} strvec;

static void push(strvec *a, const char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 1024;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = xstrdup(s);
}

static void strvec_free(strvec *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

bool sample_snapshot(store *st, const char *name, char buf[11])
{
	sqlite3_stmt *s = store_prepare(st, "SELECT snapshot FROM sample WHERE name = ?1", NULL);
	bool ok = false;
	if (!s)
		return false;
	store_bind_text(s, 1, name);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(buf, 11, "%s", (const char *)sqlite3_column_text(s, 0));
		ok = true;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) /* not "no sample": the caller asks store_take_error */
		store_note_error(st);
	return ok;
}

/* The population: domains with an SMTP-live primary MX, in name order. */
static int population(store *st, const sample_req *r, strvec *out, char **err)
{
	sqlite3_stmt *s = store_prepare(st,
		"WITH sn AS (SELECT id FROM snapshot WHERE date = ?1), "
		"hu AS (SELECT host, count(DISTINCT domain) AS n FROM f_mx WHERE snap = (SELECT id FROM sn) AND ?3 "
		"GROUP BY host) "
		"SELECT d.name FROM f_primary_mx p JOIN f_host_ev h ON h.snap = p.snap AND h.host = p.host "
		"JOIN name d ON d.id = p.domain WHERE p.snap = (SELECT id FROM sn) "
		"AND (?2 IS NULL OR ?2 = 'all' OR p.domain IN (SELECT domain FROM f_target WHERE snap = (SELECT id FROM sn) "
		"AND list = (SELECT id FROM list WHERE name = ?2))) "
		"GROUP BY p.domain HAVING max(h.live) = 1 "
		"AND (NOT ?3 OR max((SELECT n FROM hu WHERE hu.host = p.host)) = 1) ORDER BY d.name", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, r->snapshot);
	store_bind_text(s, 2, r->list);
	sqlite3_bind_int(s, 3, r->unique_mx);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		push(out, (const char *)sqlite3_column_text(s, 0));
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return 0;
}

/* ---- lines of a domain list or a truth file ------------------------- */

/* Lines of the file (it may be compressed; "-" is standard input). */
typedef infile_lines lines;

static lines *lines_open(const char *path, char **err)
{
	infile *f = infile_open(path, err);
	if (!f)
		return NULL;
	lines *l = xmalloc(sizeof *l);
	infile_lines_init(l, f);
	return l;
}

static void lines_close(lines *l)
{
	if (!l)
		return;
	infile_close(l->f);
	infile_lines_free(l);
	free(l);
}

int sample_parse_line(char *line, size_t len, bool first, char name[MX_NAME_MAX + 2], const char **why)
{
	char *p = line;
	if (first && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		len -= 3;
	}
	/* the first field; a comment or a NUL ends it as well */
	size_t end = 0;
	while (end < len && p[end] && !strchr(",#\r\n", p[end]))
		end++;
	while (end && (p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	while (end && (*p == ' ' || *p == '\t')) {
		p++;
		end--;
	}
	p[end] = '\0';
	if (!end || (first && !strcmp(p, "domain")))
		return 0;
	*why = mx_name_norm(p, end, name);
	return *why ? -1 : 1;
}

/* Domains named in a file (one per line, or the first CSV field). */
static int from_file(store *st, const sample_req *r, strvec *out, FILE *log, char **err)
{
	lines *in = lines_open(r->from_file, err);
	if (!in)
		return -1;
	const char *fname = infile_name(in->f);
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM mx WHERE snapshot = ?1 AND domain = ?2 LIMIT 1", err);
	if (!s) {
		lines_close(in);
		return -1;
	}
	size_t lineno = 0, missing = 0;
	int got, rc = 0;
	while ((got = infile_lines_next(in, err)) > 0) {
		lineno++;
		char name[MX_NAME_MAX + 2];
		const char *why = NULL;
		int k = in->too_long ? -1 : sample_parse_line(in->line.data, in->line.len, lineno == 1, name, &why);
		if (in->too_long)
			why = "line longer than 16 MiB";
		if (k == 0)
			continue;
		if (k > 0) {
			sqlite3_reset(s);
			store_bind_text(s, 1, r->snapshot);
			store_bind_text(s, 2, name);
			int src = sqlite3_step(s);
			if (src != SQLITE_ROW && store_read_done(st, s, src, err) < 0) {
				rc = -1;
				break;
			}
			if (src != SQLITE_ROW)
				why = "not a domain with MX records in the snapshot";
		}
		if (why) {
			if (++missing <= 10)
				fprintf(log, "%s:%zu: %s\n", fname, lineno, why);
			continue;
		}
		push(out, name);
	}
	if (got < 0)
		rc = -1;
	sqlite3_reset(s);
	if (rc == 0 && missing > 10)
		fprintf(log, "... and %zu more problems in %s\n", missing - 10, fname);
	lines_close(in);
	return rc;
}

/* 0 when no sample has this name; else -1 with *err set (a database
 * error too). */
static int name_free(store *st, const char *name, char **err)
{
	char snap[11];
	if (sample_snapshot(st, name, snap)) {
		*err = xasprintf("a sample named '%s' exists already", name);
		return -1;
	}
	return (*err = store_take_error(st)) ? -1 : 0;
}

/* The sample's name is free, the snapshot has answers, and its
 * population (or the file's domains that are in it) into *pop. */
static int draw(store *st, const sample_req *r, strvec *pop, FILE *log, char **err)
{
	if (name_free(st, r->name, err) < 0)
		return -1;
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM primary_mx WHERE snapshot = ?1 LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, r->snapshot);
	int hrc = sqlite3_step(s), have = hrc == SQLITE_ROW;
	if (store_read_done(st, s, have ? SQLITE_DONE : hrc, err) < 0)
		return -1;
	if (!have) {
		*err = xasprintf("snapshot %s has no inference results: run 'mxray infer --snapshot %s' first", r->snapshot,
				 r->snapshot);
		return -1;
	}
	return r->from_file ? from_file(st, r, pop, log, err) : population(st, r, pop, err);
}

long sample_create(store *st, const sample_req *r, FILE *log, char **err)
{
	/* read in one read transaction: a file's domains are looked up one
	 * at a time, and an import committed among them drew a sample of
	 * domains no state of the snapshot had together */
	strvec pop = {0};
	bool own;
	int rc = store_read_enter(st, &own, err);
	if (rc == 0) {
		rc = draw(st, r, &pop, log, err);
		store_read_leave(st, own);
	}
	if (rc < 0) {
		strvec_free(&pop);
		return -1;
	}
	size_t take = pop.n;
	if (!r->from_file) {
		/* A partial Fisher-Yates shuffle of the name-ordered population:
		 * the same seed and population give the same sample. */
		uint64_t state = r->seed;
		if (take > r->size)
			take = r->size;
		for (size_t i = 0; i < take; i++) {
			size_t j = i + (size_t)below(&state, pop.n - i);
			char *t = pop.v[i];
			pop.v[i] = pop.v[j];
			pop.v[j] = t;
		}
		if (take < r->size && take > 0)
			fprintf(log, "sample %s: only %zu domains qualify (asked for %zu)\n", r->name, take, r->size);
	}
	if (take == 0) { /* an empty sample would only use up its name */
		*err = r->from_file ? xasprintf("%s names no domain of snapshot %s: no sample made", r->from_file,
						r->snapshot)
				    : xasprintf("no domain qualifies for the sample: no sample made");
		strvec_free(&pop);
		return -1;
	}
	if (store_begin(st, err) < 0) {
		strvec_free(&pop);
		return -1;
	}
	/* again under the write lock: another process may have made a
	 * sample of this name since it was read free */
	if (name_free(st, r->name, err) < 0) {
		store_rollback(st);
		strvec_free(&pop);
		return -1;
	}
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO sample(name, snapshot, size, list, unique_mx, seed, from_file, population,"
			      " created_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8, strftime('%Y-%m-%dT%H:%M:%fZ','now'))", err);
	long stored = 0;
	if (s) {
		store_bind_text(s, 1, r->name);
		store_bind_text(s, 2, r->snapshot);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)(r->from_file ? take : r->size));
		store_bind_text(s, 4, r->list);
		sqlite3_bind_int(s, 5, r->unique_mx);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)r->seed);
		store_bind_text(s, 7, r->from_file);
		sqlite3_bind_int64(s, 8, (sqlite3_int64)pop.n);
		rc = store_step_write(st, s, err) < 0 ? -1 : 0;
	} else {
		rc = -1;
	}
	sqlite3_stmt *ins = rc == 0 ? store_prepare(st, "INSERT OR IGNORE INTO sample_domain(sample, domain, pos)"
						       " VALUES(?1,?2,?3)", err) : NULL;
	for (size_t i = 0; rc == 0 && i < take; i++) {
		store_bind_text(ins, 1, r->name);
		store_bind_text(ins, 2, pop.v[i]);
		sqlite3_bind_int64(ins, 3, (sqlite3_int64)i);
		int n = store_step_write(st, ins, err);
		if (n < 0)
			rc = -1;
		stored += n;
	}
	strvec_free(&pop);
	if (rc < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return stored;
}

size_t sample_names(store *st, char ***names)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT name FROM sample ORDER BY created_at, rowid", NULL);
	size_t n = 0, cap = 0;
	*names = NULL;
	int rc = SQLITE_DONE;
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*names = xrealloc(*names, cap * sizeof **names);
		}
		(*names)[n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
	}
	if (s) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) /* the caller asks store_take_error */
			store_note_error(st);
	}
	return n;
}

char *label_canonical(const kb *k, const char *truth, char **err)
{
	char *buf = xstrdup(truth ? truth : "");
	strvec toks = {0};
	for (char *save = NULL, *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\r'))
			t[--len] = '\0';
		if (!len)
			continue;
		const kb_company *co = k ? kb_company_named(k, t) : NULL;
		char name[MX_NAME_MAX + 2];
		const char *why = co ? NULL : mx_name_norm(t, len, name);
		if (!co && !why) {
			/* a provider ID is a registered domain: a host name stands for its own */
			const char *rd = domain_rd(name);
			if (rd)
				memmove(name, rd, strlen(rd) + 1);
			else
				why = "no registered domain";
		}
		if (why) {
			char *e = sanitize_str(t);
			*err = xasprintf("'%s' is neither a company the knowledge base knows nor a provider ID (%s)", e, why);
			free(e);
			free(buf);
			strvec_free(&toks);
			return NULL;
		}
		/* an ID the knowledge base maps to a company is that company;
		 * so is an ID that is a company's name ("mx.web.com" -> web.com
		 * -> Web.com): written alone it reads as the company, and the
		 * canonical form must read back as itself */
		const kb_company *by_id = co ? co : k ? kb_company_of(k, name) : NULL;
		if (!by_id && k)
			by_id = kb_company_named(k, name);
		push(&toks, by_id ? by_id->name : name);
	}
	char *canon = eval_set_join(toks.v, toks.n, false);
	free(buf);
	strvec_free(&toks);
	return canon;
}

int64_t label_set(store *st, const char *sample, const char *domain, const char *truth, const char *analyst,
		  char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM sample_domain WHERE sample = ?1 AND domain = ?2", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, sample);
	store_bind_text(s, 2, domain);
	int rc = sqlite3_step(s), in = rc == SQLITE_ROW;
	if (store_read_done(st, s, in ? SQLITE_DONE : rc, err) < 0)
		return -1;
	if (!in) {
		char *d = sanitize_str(domain);
		*err = xasprintf("%s is not in sample %s", d, sample);
		free(d);
		return -1;
	}
	s = store_prepare(st, "INSERT INTO label(sample, domain, truth, analyst, at)"
			      " VALUES(?1,?2,?3,?4, strftime('%Y-%m-%dT%H:%M:%fZ','now'))", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, sample);
	store_bind_text(s, 2, domain);
	store_bind_text(s, 3, truth);
	store_bind_text(s, 4, analyst);
	int64_t id;
	return store_write_alone(st, s, &id, err) < 0 ? -1 : id;
}

/* The label table's undo and redo (history.h; labels keep no undone_by:
 * ?2 is bound and not used). */
const history_table label_history = {
	"label",
	"SELECT r.c0, l.id IS NOT NULL, l.undone_at IS NOT NULL FROM mxray_rows(?1) r"
	" LEFT JOIN label l ON l.id = r.c0 ORDER BY r.rowid",
	"UPDATE label SET undone_at = ?3 WHERE id IN (SELECT c0 FROM mxray_rows(?1)) AND undone_at IS NULL"
	" AND ?2 IS ?2",
	"INSERT INTO label(sample, domain, truth, analyst, at) SELECT l.sample, l.domain, l.truth, l.analyst, ?2"
	" FROM mxray_rows(?1) r JOIN label l ON l.id = r.c0 ORDER BY r.rowid",
};

int label_undo(store *st, int64_t id, char **err)
{
	return history_undo(st, &label_history, &id, 1, NULL, err);
}

int64_t label_redo(store *st, int64_t id, char **err)
{
	int64_t nid;
	return history_redo(st, &label_history, &id, 1, &nid, err) < 0 ? -1 : nid;
}

char *label_get(store *st, const char *sample, const char *domain, int64_t *id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, truth FROM label WHERE sample = ?1 AND domain = ?2 AND"
					    " undone_at IS NULL ORDER BY id DESC LIMIT 1", NULL);
	char *t = NULL;
	if (id)
		*id = 0;
	if (!s)
		return NULL;
	store_bind_text(s, 1, sample);
	store_bind_text(s, 2, domain);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (id)
			*id = sqlite3_column_int64(s, 0);
		t = xstrdup((const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_note_error(st);
	return t;
}

int label_parse_line(char *line, size_t len, bool first, csv_record *rec, char name[MX_NAME_MAX + 2],
		     const char **truth, const char **why)
{
	char *p = line;
	*why = NULL;
	if (first && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		len -= 3;
	}
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		p[--len] = '\0';
	if (!len)
		return 0;
	if (csv_parse(p, len, rec, why) != CSV_OK) {
		*why = *why ? *why : "unterminated quoted field";
		return -1;
	}
	if (rec->n != 2) {
		*why = "expected two fields: domain,truth";
		return -1;
	}
	if (first && !strcmp(rec->field[0], "domain") && !strcmp(rec->field[1], "truth"))
		return 0;
	if ((*why = mx_name_norm(rec->field[0], strlen(rec->field[0]), name)))
		return -1;
	*truth = rec->field[1];
	return 1;
}

long label_import(store *st, const kb *k, const char *sample, const char *path, const char *analyst, bool strict,
		  FILE *log, char **err)
{
	lines *in = lines_open(path, err);
	if (!in)
		return -1;
	const char *fname = infile_name(in->f);
	csv_record rec;
	csv_record_init(&rec);
	size_t lineno = 0, bad = 0, notin = 0;
	long n = 0;
	int got = 1, rc = store_begin(st, err);
	while (rc == 0 && (got = infile_lines_next(in, err)) > 0) {
		lineno++;
		const char *why = NULL, *field = NULL;
		char *truth = NULL, *msg = NULL;
		char name[MX_NAME_MAX + 2];
		int kind = in->too_long ? -1
					: label_parse_line(in->line.data, in->line.len, lineno == 1, &rec, name, &field, &why);
		if (in->too_long)
			why = "line longer than 16 MiB";
		if (kind == 0)
			continue;
		if (kind > 0) {
			/* a truth file may cover more than the sample: count, not complain */
			sqlite3_stmt *m = store_prepare(st, "SELECT 1 FROM sample_domain WHERE sample = ?1 AND domain = ?2",
							NULL);
			store_bind_text(m, 1, sample);
			store_bind_text(m, 2, name);
			int mrc = m ? sqlite3_step(m) : SQLITE_ERROR;
			bool inside = mrc == SQLITE_ROW;
			if (m)
				sqlite3_reset(m);
			if (!inside && mrc != SQLITE_DONE) { /* a database error ends the import */
				*err = xasprintf("database error: %s", sqlite3_errmsg(store_db(st)));
				rc = -1;
				break;
			}
			if (!inside) {
				notin++;
				continue;
			}
			if (!(truth = label_canonical(k, field, &msg)))
				why = msg;
			if (!why && label_set(st, sample, name, truth, analyst, &msg) < 0)
				why = msg;
		}
		free(truth);
		if (why) {
			bad++;
			if (strict) {
				*err = xasprintf("%s:%zu: %s", fname, lineno, why);
				rc = -1;
			} else if (bad <= 10) {
				fprintf(log, "%s:%zu: %s\n", fname, lineno, why);
			}
		} else {
			n++;
		}
		free(msg);
	}
	if (rc == 0 && got < 0)
		rc = -1;
	csv_record_free(&rec);
	if (rc == 0 && (rc = store_commit(st, err)) < 0)
		store_rollback(st);
	else if (rc < 0)
		store_rollback(st);
	if (rc == 0) {
		if (bad > 10)
			fprintf(log, "... and %zu more problems in %s\n", bad - 10, fname);
		fprintf(log, "label %s: %ld labels imported, %zu domains not in the sample, %zu skipped\n", fname, n,
			notin, bad);
	}
	lines_close(in);
	return rc < 0 ? -1 : n;
}

long label_export(store *st, const char *sample, FILE *out, char **err)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT d.domain, (SELECT truth FROM label l WHERE l.sample = d.sample AND l.domain = d.domain AND"
		" l.undone_at IS NULL ORDER BY l.id DESC LIMIT 1) AS t FROM sample_domain d WHERE d.sample = ?1"
		" AND t IS NOT NULL ORDER BY d.pos", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, sample);
	fputs("domain,truth\n", out);
	long n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		csv_put(out, (const char *)sqlite3_column_text(s, 0));
		fputc(',', out);
		csv_put(out, (const char *)sqlite3_column_text(s, 1));
		fputc('\n', out);
		n++;
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return n;
}
