/* correct: the analyst-decision table. */
#include "mxray/correct.h"
#include "mxray/csv.h"
#include "mxray/domain.h"
#include "mxray/history.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *correct_analyst(const char *given)
{
	if (given && *given)
		return given;
	const char *user = getenv("USER");
	if (user && *user)
		return user;
	/* $USER unset (cron, `env -i`): the account's name */
	const struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}

/* A request checked and normalised: names lower-cased without the
 * trailing dot, a provider ID its registered domain. */
typedef struct {
	const correct_req *r;
	char key[MX_NAME_MAX + 2], pid[MX_NAME_MAX + 2];
} checked;

static int check(const correct_req *r, checked *c, char **err)
{
	const char *why = NULL;
	c->r = r;
	c->pid[0] = '\0';
	if (strcmp(r->scope, "domain") && strcmp(r->scope, "mx") && strcmp(r->scope, "ip")) {
		*err = xasprintf("scope '%s' is not domain, mx or ip", r->scope);
		return -1;
	}
	if (strcmp(r->verdict, "confirm") && strcmp(r->verdict, "set") && strcmp(r->verdict, "self")) {
		*err = xasprintf("verdict '%s' is not confirm, set or self", r->verdict);
		return -1;
	}
	if (!strcmp(r->scope, "ip")) {
		uint32_t ip;
		if (!mx_ipv4_parse(r->key, &ip)) {
			char *s = sanitize_str(r->key);
			*err = xasprintf("'%s' is not an IPv4 address", s);
			free(s);
			return -1;
		}
		mx_ipv4_format(ip, c->key);
	} else if ((why = mx_name_norm(r->key, strlen(r->key), c->key)) || !strcmp(c->key, ".")) {
		char *s = sanitize_str(r->key);
		*err = xasprintf("'%s' is not a %s name: %s", s, r->scope, why ? why : "the root");
		free(s);
		return -1;
	}
	if (!strcmp(r->verdict, "set") && correct_provider(r->provider_id, c->pid, err) < 0)
		return -1;
	if (r->snapshot && !mx_date_valid(r->snapshot)) {
		*err = xasprintf("snapshot '%s' is not a date YYYY-MM-DD", r->snapshot);
		return -1;
	}
	if (r->note && strlen(r->note) > 4096) {
		*err = xstrdup("the note is longer than 4096 bytes");
		return -1;
	}
	return 0;
}

int correct_provider(const char *in, char out[MX_NAME_MAX + 2], char **err)
{
	const char *why = NULL;
	if (!in || (why = mx_name_norm(in, strlen(in), out))) {
		*err = xasprintf("a provider ID is needed for 'set'%s%s", why ? ": " : "", why ? why : "");
		return -1;
	}
	/* a provider ID is a registered domain: a host name stands for its own */
	const char *rd = domain_rd(out);
	if (!rd) {
		*err = xasprintf("'%s' is not a provider ID (a registered domain such as example.com) nor a company "
				 "the knowledge base knows", out);
		return -1;
	}
	memmove(out, rd, strlen(rd) + 1);
	return 0;
}

/* Requests in the order they are inserted: by scope and key, so that the
 * index on (scope, key) grows at its end rather than all over (a third of
 * the time of twenty thousand decisions). */
typedef struct {
	checked *c;
	size_t *order;
} batch;

static const checked *sort_base;

static int cmp_checked(const void *a, const void *b)
{
	const checked *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];
	int c = strcmp(x->r->scope, y->r->scope);
	if (!c)
		c = strcmp(x->key, y->key);
	return c ? c : (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

static void checked_column(void *ctx, size_t row, int col, sqlite3_context *out)
{
	const batch *b = ctx;
	const checked *c = &b->c[b->order[row]];
	const correct_req *r = c->r;
	const char *v = NULL;
	switch (col) {
	case 0: v = r->scope; break;
	case 1: v = c->key; break;
	case 2: v = r->snapshot; break;
	case 3: v = r->verdict; break;
	case 4: v = !strcmp(r->verdict, "set") ? c->pid : NULL; break;
	case 5: v = r->analyst; break;
	case 6: v = r->note && *r->note ? r->note : NULL; break;
	}
	if (v)
		sqlite3_result_text(out, v, -1, SQLITE_STATIC); /* alive until the statement is done */
	else
		sqlite3_result_null(out);
}

int correct_add_many(store *st, const correct_req *r, size_t n, int64_t *ids, char **err)
{
	if (n == 0)
		return 0;
	checked *c = xcalloc(n, sizeof *c);
	for (size_t i = 0; i < n; i++)
		if (check(&r[i], &c[i], err) < 0) {
			free(c);
			return -1;
		}
	char at[32];
	bool stamped = history_stamp(st, at, err) == 0;
	if (stamped)
		history_trusted_write(st, true);
	sqlite3_stmt *s = !stamped ? NULL :
		store_prepare(st, "INSERT INTO correction(scope, key, snapshot, verdict, provider_id, analyst, note, at)"
			      " SELECT c0, c1, c2, c3, c4, c5, c6, ?2 FROM mxray_rows(?1)", err);
	int rc = -1;
	size_t *order = xmalloc(n * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_base = c;
	qsort(order, n, sizeof *order, cmp_checked);
	batch b = {c, order};
	if (s && store_begin(st, err) == 0) {
		store_rows rows = {n, &b, checked_column};
		store_bind_rows(s, 1, &rows);
		store_bind_text(s, 2, at);
		int64_t done = store_step_bulk(st, s, err);
		/* one statement, rows in order: the ids are the n after the largest */
		int64_t last = sqlite3_last_insert_rowid(store_db(st));
		if (done == (int64_t)n && store_commit(st, err) == 0) {
			for (size_t j = 0; j < n; j++)
				ids[order[j]] = last - (int64_t)(n - 1 - j);
			rc = 0;
		} else {
			if (done >= 0 && done != (int64_t)n)
				*err = xasprintf("%lld of %zu decisions written", (long long)done, n);
			store_rollback(st);
		}
	}
	if (stamped)
		history_trusted_write(st, false);
	free(order);
	free(c);
	return rc;
}

int64_t correct_add(store *st, const correct_req *r, char **err)
{
	int64_t id;
	return correct_add_many(st, r, 1, &id, err) < 0 ? -1 : id;
}

/* The correction table's undo and redo (history.h). */
const history_table correct_history = {
	"decision",
	"SELECT r.c0, c.id IS NOT NULL, c.undone_at IS NOT NULL FROM mxray_rows(?1) r"
	" LEFT JOIN correction c ON c.id = r.c0 ORDER BY r.rowid",
	"UPDATE correction SET undone_at = ?3, undone_by = ?2 WHERE id IN (SELECT c0 FROM mxray_rows(?1))"
	" AND undone_at IS NULL",
	"INSERT INTO correction(scope, key, snapshot, verdict, provider_id, analyst, note, at)"
	" SELECT c.scope, c.key, c.snapshot, c.verdict, c.provider_id, c.analyst, c.note, ?2"
	" FROM mxray_rows(?1) r JOIN correction c ON c.id = r.c0 ORDER BY r.rowid",
};

int correct_undo(store *st, int64_t id, const char *analyst, char **err)
{
	return history_undo(st, &correct_history, &id, 1, analyst, err);
}

int64_t correct_redo(store *st, int64_t id, char **err)
{
	int64_t nid;
	return history_redo(st, &correct_history, &id, 1, &nid, err) < 0 ? -1 : nid;
}

int correct_list(store *st, FILE *out, enum correct_format fmt, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, at, analyst, scope, key, snapshot, verdict, provider_id,"
					    " note, undone_at, undone_by FROM correction ORDER BY id", err);
	if (!s)
		return -1;
	static const char *const cols[] = {"id", "at", "analyst", "scope", "key", "snapshot", "verdict",
					   "provider_id", "note", "undone_at", "undone_by"};
	if (fmt == CORRECT_CSV) {
		for (int i = 0; i < 11; i++)
			fprintf(out, "%s%s", i ? "," : "", cols[i]);
		fputc('\n', out);
	}
	int n = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if (fmt == CORRECT_CSV) {
			fprintf(out, "%lld", (long long)sqlite3_column_int64(s, 0)); /* a number, not a text cell */
			for (int i = 1; i < 11; i++) {
				fputc(',', out);
				csv_put(out, (const char *)sqlite3_column_text(s, i));
			}
			fputc('\n', out);
			continue;
		}
		/* every text column in its display form: the database may hold
		 * anything (a note or analyst name is stored as given) */
		char *t[11];
		for (int i = 1; i < 11; i++)
			t[i] = sqlite3_column_type(s, i) == SQLITE_NULL ? NULL
				: sanitize_str((const char *)sqlite3_column_text(s, i));
		const char *verdict = t[6] ? t[6] : "";
		fprintf(out, "#%-4lld %s  %-10s %-6s %s: %s%s  [%s]%s%s%s\n", (long long)sqlite3_column_int64(s, 0),
			t[1] ? t[1] : "", t[2] && *t[2] ? t[2] : "-", t[3] ? t[3] : "", t[4] ? t[4] : "",
			!strcmp(verdict, "set") ? "set " : !strcmp(verdict, "self") ? "self-hosted" : "confirmed",
			t[7] ? t[7] : "", t[5] ? t[5] : "all snapshots", t[8] && *t[8] ? "  note: " : "", t[8] ? t[8] : "",
			t[9] ? "  (undone)" : "");
		for (int i = 1; i < 11; i++)
			free(t[i]);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	if (fmt == CORRECT_TEXT && n == 0)
		fputs("no analyst decisions yet\n", out);
	return n;
}
