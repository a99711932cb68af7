/* correct: the analyst-decision table. */
#include "mxray/correct.h"
#include "mxray/csv.h"
#include "mxray/domain.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

int64_t correct_add(store *st, const correct_req *r, char **err)
{
	char key[MX_NAME_MAX + 2], pid[MX_NAME_MAX + 2];
	const char *why = NULL;
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
		mx_ipv4_format(ip, key);
	} else if ((why = mx_name_norm(r->key, strlen(r->key), key)) || !strcmp(key, ".")) {
		char *s = sanitize_str(r->key);
		*err = xasprintf("'%s' is not a %s name: %s", s, r->scope, why ? why : "the root");
		free(s);
		return -1;
	}
	if (!strcmp(r->verdict, "set")) {
		if (!r->provider_id || (why = mx_name_norm(r->provider_id, strlen(r->provider_id), pid))) {
			*err = xasprintf("a provider ID is needed for 'set'%s%s", why ? ": " : "", why ? why : "");
			return -1;
		}
		/* a provider ID is a registered domain: a host name stands for its own */
		const char *rd = domain_rd(pid);
		if (!rd) {
			*err = xasprintf("'%s' is not a provider ID (a registered domain such as example.com) nor a company "
					 "the knowledge base knows", pid);
			return -1;
		}
		memmove(pid, rd, strlen(rd) + 1);
	}
	if (r->snapshot && !mx_date_valid(r->snapshot)) {
		*err = xasprintf("snapshot '%s' is not a date YYYY-MM-DD", r->snapshot);
		return -1;
	}
	if (r->note && strlen(r->note) > 4096) {
		*err = xstrdup("the note is longer than 4096 bytes");
		return -1;
	}
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO correction(scope, key, snapshot, verdict, provider_id,"
					    " analyst, note, at) VALUES(?1,?2,?3,?4,?5,?6,?7,"
					    " strftime('%Y-%m-%dT%H:%M:%fZ','now'))", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, r->scope);
	store_bind_text(s, 2, key);
	store_bind_text(s, 3, r->snapshot);
	store_bind_text(s, 4, r->verdict);
	store_bind_text(s, 5, !strcmp(r->verdict, "set") ? pid : NULL);
	store_bind_text(s, 6, r->analyst);
	store_bind_text(s, 7, r->note && *r->note ? r->note : NULL);
	int64_t id;
	return store_write_alone(st, s, &id, err) < 0 ? -1 : id;
}

int correct_undo(store *st, int64_t id, const char *analyst, char **err)
{
	if (id <= 0) {
		*err = xasprintf("decision #%lld is out of range: decision numbers start at 1", (long long)id);
		return -1;
	}
	sqlite3_stmt *s = store_prepare(st, "SELECT undone_at FROM correction WHERE id = ?1", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	bool exists = rc == SQLITE_ROW, undone = exists && sqlite3_column_type(s, 0) != SQLITE_NULL;
	if (store_read_done(st, s, exists ? SQLITE_DONE : rc, err) < 0) /* an error is not "no such decision" */
		return -1;
	if (!exists) {
		*err = xasprintf("there is no decision #%lld", (long long)id);
		return -1;
	}
	if (undone) {
		*err = xasprintf("decision #%lld is already undone", (long long)id);
		return -1;
	}
	s = store_prepare(st, "UPDATE correction SET undone_at = strftime('%Y-%m-%dT%H:%M:%fZ','now'), undone_by = ?2"
			      " WHERE id = ?1 AND undone_at IS NULL", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, analyst);
	int n = store_write_alone(st, s, NULL, err);
	if (n == 0) /* undone by someone else since the check above */
		*err = xasprintf("decision #%lld is already undone", (long long)id);
	return n <= 0 ? -1 : 0;
}

int64_t correct_redo(store *st, int64_t id, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO correction(scope, key, snapshot, verdict, provider_id,"
					    " analyst, note, at) SELECT scope, key, snapshot, verdict, provider_id,"
					    " analyst, note, strftime('%Y-%m-%dT%H:%M:%fZ','now') FROM correction"
					    " WHERE id = ?1", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int64_t nid;
	int n = store_write_alone(st, s, &nid, err);
	if (n == 0)
		*err = xasprintf("there is no decision #%lld", (long long)id);
	return n <= 0 ? -1 : nid;
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
