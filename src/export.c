/* export: assignments and provider shares as CSV (RFC 4180) or JSON Lines. */
#include "mxray/export.h"
#include "mxray/csv.h"
#include "mxray/report.h"
#include "mxray/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

bool export_latest(store *st, const char *approach, char buf[11])
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(s.date) FROM snapshot s WHERE EXISTS (SELECT 1 FROM f_result r"
					    " WHERE r.snap = s.id AND r.approach = (SELECT id FROM approach WHERE name = ?1))",
					NULL);
	bool ok = false;
	if (!s)
		return false;
	store_bind_text(s, 1, approach);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		snprintf(buf, 11, "%s", (const char *)sqlite3_column_text(s, 0));
		ok = true;
	}
	sqlite3_reset(s);
	return ok;
}

static int check_results(store *st, const char *snapshot, const char *approach, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM f_result r JOIN snapshot s ON s.id = r.snap WHERE s.date = ?1"
					    " AND r.approach = (SELECT id FROM approach WHERE name = ?2) LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, approach);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		*err = xasprintf("no %s answers for snapshot %s: run 'mxray infer --snapshot %s%s'",
				 !strcmp(approach, "final") ? "inference" : approach, snapshot, snapshot,
				 !strcmp(approach, "final") ? "" : " --approach all");
		return -1;
	}
	return 0;
}

/* One JSON Lines record (ASCII, keys in order, doubles round-trip); takes o. */
static void put_json_line(FILE *out, json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
	if (line)
		fprintf(out, "%s\n", line);
	free(line);
	json_decref(o);
}

static const char *const assign_cols[] = {"snapshot", "domain", "provider_id", "company", "weight",
					  "source", "confidence", "status", "reason"};

long export_assignments(store *st, FILE *out, const char *snapshot, const char *list, const char *approach,
			enum export_format fmt, bool scoped, char **err)
{
	if (check_results(st, snapshot, approach, err) < 0 || report_scope_table(st, err) < 0)
		return -1;
	/* the integer tables, by name: ?1 snapshot id, ?5 its date */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT ?5, d.name, p.name, c.company, r.weight, " STORE_SOURCE_TEXT("r.source") ", r.confidence, "
		STORE_STATUS_TEXT("r.status") ", r.reason FROM f_result r JOIN name d ON d.id = r.domain"
		" JOIN name p ON p.id = r.provider LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = r.approach"
		" AND c.provider = r.provider WHERE r.snap = ?1 AND r.approach = (SELECT id FROM approach WHERE name = ?2)"
		" AND (?3 IS NULL OR ?3 = 'all' OR r.domain IN (SELECT domain FROM f_target WHERE snap = ?1 AND"
		" list = (SELECT id FROM list WHERE name = ?3))) AND (NOT ?4 OR r.domain IN"
		" (SELECT domain FROM temp.scope_domain WHERE snap = ?1)) ORDER BY d.name, p.name", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, store_snapshot_id(st, snapshot));
	store_bind_text(s, 5, snapshot);
	store_bind_text(s, 2, approach);
	store_bind_text(s, 3, list);
	sqlite3_bind_int(s, 4, scoped);
	if (fmt == EXPORT_CSV) {
		for (int i = 0; i < 9; i++)
			fprintf(out, "%s%s", i ? "," : "", assign_cols[i]);
		fputc('\n', out);
	}
	long n = 0;
	int rc;
	char w[32];
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		mx_fmt_double(sqlite3_column_double(s, 4), w);
		if (fmt == EXPORT_CSV) {
			for (int i = 0; i < 9; i++) {
				if (i)
					fputc(',', out);
				if (i == 4)
					fputs(w, out);
				else
					csv_put(out, (const char *)sqlite3_column_text(s, i));
			}
			fputc('\n', out);
			continue;
		}
		json_t *o = json_object();
		for (int i = 0; i < 9; i++) {
			json_t *v;
			if (sqlite3_column_type(s, i) == SQLITE_NULL)
				v = json_null();
			else if (i == 4)
				v = json_real(sqlite3_column_double(s, i));
			else if (i == 6)
				v = json_integer(sqlite3_column_int64(s, i));
			else
				v = json_string((const char *)sqlite3_column_text(s, i));
			json_object_set_new(o, assign_cols[i], v ? v : json_null());
		}
		put_json_line(out, o);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return n;
}

long export_providers(store *st, FILE *out, const char *snapshot, const char *list, enum export_format fmt,
		      bool scoped, char **err)
{
	if (check_results(st, snapshot, "final", err) < 0 || report_scope_table(st, err) < 0)
		return -1;
	/* every domain: the shares infer stored; a list or scope: summed here */
	bool all = !scoped && (!list || !strcmp(list, "all"));
	sqlite3_stmt *s = all ? store_prepare(st, "SELECT provider, weight FROM f_share WHERE snap = ?1"
						  " ORDER BY weight DESC, provider", err) : store_prepare(st,
		"SELECT coalesce(c.company, n.name) AS p, sum(r.weight) AS w FROM f_result r JOIN name n ON n.id = r.provider"
		" LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = r.approach AND c.provider = r.provider"
		" WHERE r.snap = ?1 AND r.approach = 4 AND (?2 IS NULL OR ?2 = 'all' OR r.domain IN"
		" (SELECT domain FROM f_target WHERE snap = ?1 AND list = (SELECT id FROM list WHERE name = ?2)))"
		" AND (NOT ?3 OR r.domain IN (SELECT domain FROM temp.scope_domain WHERE snap = ?1))"
		" GROUP BY p ORDER BY w DESC, p", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, store_snapshot_id(st, snapshot));
	if (!all) {
		store_bind_text(s, 2, list);
		sqlite3_bind_int(s, 3, scoped);
	}
	if (fmt == EXPORT_CSV)
		fputs("Provider,Domains_of_Provider\n", out);
	long n = 0;
	int rc;
	char w[32];
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		const char *p = (const char *)sqlite3_column_text(s, 0);
		double v = sqlite3_column_double(s, 1);
		if (fmt == EXPORT_CSV) {
			mx_fmt_double(v, w);
			csv_put(out, p);
			fprintf(out, ",%s\n", w);
		} else {
			json_t *o = json_pack("{s:s, s:f}", "Provider", p, "Domains_of_Provider", v);
			put_json_line(out, o);
		}
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return n;
}
