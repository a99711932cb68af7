/* stats: data coverage counts. */
#include "mxray/stats.h"
#include "mxray/csv.h"
#include "mxray/util.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

/* ?1 snapshot, ?2 list ('all' = every domain of the DNS data's MX queries:
 * those with an MX record and those whose MX lookup failed). */
static const char *stats_sql =
	"WITH d AS (SELECT domain FROM target WHERE snapshot = ?1 AND list = ?2 AND ?2 <> 'all'"
	"           UNION SELECT domain FROM mx WHERE snapshot = ?1 AND ?2 = 'all'"
	"           UNION SELECT name FROM lookup_fail WHERE snapshot = ?1 AND qtype = 'MX' AND ?2 = 'all'),"
	" h AS (SELECT DISTINCT mx.host FROM mx JOIN d ON mx.domain = d.domain WHERE mx.snapshot = ?1),"
	" i AS (SELECT DISTINCT mx_ip.ip FROM mx_ip JOIN h ON mx_ip.host = h.host WHERE mx_ip.snapshot = ?1)"
	" SELECT (SELECT count(*) FROM d),"
	"  (SELECT count(*) FROM d WHERE EXISTS (SELECT 1 FROM mx WHERE mx.snapshot = ?1 AND mx.domain = d.domain)),"
	"  (SELECT count(*) FROM d WHERE EXISTS (SELECT 1 FROM lookup_fail f WHERE f.snapshot = ?1"
	"     AND f.name = d.domain AND f.qtype = 'MX')),"
	"  (SELECT count(*) FROM h), (SELECT count(*) FROM i),"
	"  (SELECT count(*) FROM i JOIN scan s ON s.snapshot = ?1 AND s.ip = i.ip),"
	"  (SELECT count(*) FROM i JOIN scan s ON s.snapshot = ?1 AND s.ip = i.ip AND s.port25 = 1),"
	"  (SELECT count(*) FROM i JOIN scan s ON s.snapshot = ?1 AND s.ip = i.ip AND s.trusted = 1),"
	"  (SELECT count(*) FROM i JOIN asn a ON a.snapshot = ?1 AND a.ip = i.ip)";

int stats_collect(store *st, const char *snapshot, stats_row **rows, char **err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *lists = NULL, *q = NULL;
	int n = 0, cap = 0;
	*rows = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT s.date, l.list FROM snapshot s JOIN "
			       "(SELECT DISTINCT snapshot, list FROM target UNION "
			       " SELECT date, 'all' FROM snapshot) l ON l.snapshot = s.date "
			       "WHERE ?1 IS NULL OR s.date = ?1 "
			       "ORDER BY s.date, l.list = 'all', l.list", -1, &lists, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, stats_sql, -1, &q, NULL) != SQLITE_OK)
		goto dberr;
	store_bind_text(lists, 1, snapshot);
	int rc;
	while ((rc = sqlite3_step(lists)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*rows = xrealloc(*rows, (size_t)cap * sizeof **rows);
		}
		stats_row *r = &(*rows)[n];
		memset(r, 0, sizeof *r);
		snprintf(r->snapshot, sizeof r->snapshot, "%s", (const char *)sqlite3_column_text(lists, 0));
		snprintf(r->list, sizeof r->list, "%s", (const char *)sqlite3_column_text(lists, 1));
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, r->snapshot, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, r->list, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW)
			goto dberr;
		int c = 0;
#define X(f, name) r->f = sqlite3_column_int64(q, c++);
		STATS_COLUMNS(X)
#undef X
		n++;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(lists);
	sqlite3_finalize(q);
	return n;
dberr:
	*err = xasprintf("database error: %s", sqlite3_errmsg(db));
	sqlite3_finalize(lists);
	sqlite3_finalize(q);
	free(*rows);
	*rows = NULL;
	return -1;
}

static const char *const colnames[] = {
#define X(f, name) name,
	STATS_COLUMNS(X)
#undef X
};
#define NCOLS ((int)(sizeof colnames / sizeof colnames[0]))

static int64_t col(const stats_row *r, int i)
{
	const int64_t v[] = {
#define X(f, name) r->f,
		STATS_COLUMNS(X)
#undef X
	};
	return v[i];
}

void stats_print(FILE *out, const stats_row *rows, int n, enum stats_format fmt)
{
	if (fmt == STATS_CSV) {
		fputs("snapshot,list", out);
		for (int c = 0; c < NCOLS; c++)
			fprintf(out, ",%s", colnames[c]);
		fputc('\n', out);
		for (int i = 0; i < n; i++) {
			fprintf(out, "%s,", rows[i].snapshot);
			csv_put(out, rows[i].list);
			for (int c = 0; c < NCOLS; c++)
				fprintf(out, ",%lld", (long long)col(&rows[i], c));
			fputc('\n', out);
		}
		return;
	}
	if (fmt == STATS_JSON) {
		for (int i = 0; i < n; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "snapshot", json_string(rows[i].snapshot));
			json_object_set_new(o, "list", json_string(rows[i].list));
			for (int c = 0; c < NCOLS; c++)
				json_object_set_new(o, colnames[c], json_integer(col(&rows[i], c)));
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fprintf(out, "%s\n", s);
			free(s);
			json_decref(o);
		}
		return;
	}
	/* Text: one aligned table, widths from the data. */
	int w[NCOLS], wl = 4;
	for (int c = 0; c < NCOLS; c++)
		w[c] = (int)strlen(colnames[c]);
	for (int i = 0; i < n; i++) {
		if ((int)strlen(rows[i].list) > wl)
			wl = (int)strlen(rows[i].list);
		for (int c = 0; c < NCOLS; c++) {
			char b[24];
			int len = snprintf(b, sizeof b, "%lld", (long long)col(&rows[i], c));
			if (len > w[c])
				w[c] = len;
		}
	}
	fprintf(out, "%-10s  %-*s", "snapshot", wl, "list");
	for (int c = 0; c < NCOLS; c++)
		fprintf(out, "  %*s", w[c], colnames[c]);
	fputc('\n', out);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%-10s  %-*s", rows[i].snapshot, wl, rows[i].list);
		for (int c = 0; c < NCOLS; c++)
			fprintf(out, "  %*lld", w[c], (long long)col(&rows[i], c));
		fputc('\n', out);
	}
	if (n == 0)
		fputs("(no snapshots: import data with 'mxray import')\n", out);
}
