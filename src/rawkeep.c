/* rawkeep: a partial infer run keeps the earlier answers of the raw
 * approaches it does not compute (see rawkeep.h). */
#include "mxray/rawkeep.h"
#include "mxray/infer.h"

/* The answers of a raw approach this run does not compute stay those of
 * the run that last computed it.  They are derived when read from the
 * snapshot's primary MX hosts and their evidence (f_primary_mx, f_host_ev),
 * which every run writes again.  So while this run writes those two
 * tables, temporary triggers note the rows it deletes (with the columns
 * the derivation reads) and inserts (rawkeep_begin): the earlier rows are
 * the table's now less the inserted plus the deleted.  Then (rawkeep_end)
 * each such approach whose answers of the domains concerned come out
 * different gets its earlier answers stored as rows (f_result, as the
 * result view derived them) and leaves f_raw; where they come out the
 * same, nothing more is stored, and a run that writes neither table
 * costs only the triggers' creation.  A later run that computes the
 * approach deletes those rows and derives its answers again
 * (clear_results, write_raw).  (A trigger's statements may not name a
 * table's schema: the raw_ names are only temp's.) */
static const char keep_sql[] =
	"DROP TABLE IF EXISTS temp.raw_snap; DROP TABLE IF EXISTS temp.raw_host_gone;"
	" DROP TABLE IF EXISTS temp.raw_host_new; DROP TABLE IF EXISTS temp.raw_pmx_gone;"
	" DROP TABLE IF EXISTS temp.raw_pmx_new; DROP TABLE IF EXISTS temp.raw_changed;"
	" CREATE TEMP TABLE raw_snap(snap INTEGER);"
	/* the columns' types as the tables': a key of another affinity is not searched */
	" CREATE TEMP TABLE raw_host_gone(host INTEGER PRIMARY KEY, live INTEGER, confidence INTEGER, mx_id INTEGER,"
	" cert_id INTEGER, banner_id INTEGER);"
	" CREATE TEMP TABLE raw_host_new(host INTEGER PRIMARY KEY);"
	" CREATE TEMP TABLE raw_pmx_gone(domain INTEGER, host INTEGER, PRIMARY KEY(domain, host)) WITHOUT ROWID;"
	" CREATE TEMP TABLE raw_pmx_new(domain INTEGER, host INTEGER, PRIMARY KEY(domain, host)) WITHOUT ROWID;"
	" CREATE TEMP TRIGGER raw_host_del AFTER DELETE ON main.f_host_ev WHEN OLD.snap = (SELECT snap FROM raw_snap)"
	" BEGIN INSERT OR IGNORE INTO raw_host_gone VALUES(OLD.host, OLD.live, OLD.confidence, OLD.mx_id, OLD.cert_id,"
	" OLD.banner_id); END;"
	" CREATE TEMP TRIGGER raw_host_ins AFTER INSERT ON main.f_host_ev WHEN NEW.snap = (SELECT snap FROM raw_snap)"
	" BEGIN INSERT OR IGNORE INTO raw_host_new VALUES(NEW.host); END;"
	" CREATE TEMP TRIGGER raw_pmx_del AFTER DELETE ON main.f_primary_mx WHEN OLD.snap = (SELECT snap FROM raw_snap)"
	" BEGIN INSERT OR IGNORE INTO raw_pmx_gone VALUES(OLD.domain, OLD.host); END;"
	" CREATE TEMP TRIGGER raw_pmx_ins AFTER INSERT ON main.f_primary_mx WHEN NEW.snap = (SELECT snap FROM raw_snap)"
	" BEGIN INSERT OR IGNORE INTO raw_pmx_new VALUES(NEW.domain, NEW.host); END;";
static const char keep_drop_sql[] =
	"DROP TRIGGER temp.raw_host_del; DROP TRIGGER temp.raw_host_ins; DROP TRIGGER temp.raw_pmx_del;"
	" DROP TRIGGER temp.raw_pmx_ins; DROP TABLE temp.raw_snap; DROP TABLE temp.raw_host_gone;"
	" DROP TABLE temp.raw_host_new; DROP TABLE temp.raw_pmx_gone; DROP TABLE temp.raw_pmx_new;"
	" DROP TABLE IF EXISTS temp.raw_changed";
/* (domain, host, live, confidence, mx_id, cert_id, banner_id): each
 * primary MX host p of the snapshot (`where` on p.domain) with the columns
 * of its evidence the derivation reads (STORE_RAW_ID and its neighbours),
 * as stored now, and (KEEP_OLD) as they were before this run */
#define KEEP_NOW(where)                                                                                       \
	"SELECT p.domain AS domain, p.host AS host, h.live AS live, h.confidence AS confidence, h.mx_id AS mx_id," \
	" h.cert_id AS cert_id, h.banner_id AS banner_id FROM f_primary_mx p JOIN f_host_ev h ON h.snap = p.snap"  \
	" AND h.host = p.host WHERE p.snap = ?1" where
#define KEEP_OLD_COL(c) "CASE WHEN g.host IS NULL THEN e." c " ELSE g." c " END AS " c
#define KEEP_OLD(where)                                                                                           \
	"SELECT o.domain AS domain, o.host AS host, " KEEP_OLD_COL("live") ", " KEEP_OLD_COL("confidence") ", "       \
	KEEP_OLD_COL("mx_id") ", " KEEP_OLD_COL("cert_id") ", " KEEP_OLD_COL("banner_id") " FROM (SELECT p.domain AS" \
	" domain, p.host AS host FROM f_primary_mx p WHERE p.snap = ?1" where " AND NOT EXISTS (SELECT 1 FROM"       \
	" temp.raw_pmx_new n WHERE n.domain = p.domain AND n.host = p.host) UNION ALL SELECT p.domain, p.host FROM"   \
	" temp.raw_pmx_gone p WHERE 1" where ") o LEFT JOIN temp.raw_host_gone g ON g.host = o.host LEFT JOIN"        \
	" f_host_ev e ON e.snap = ?1 AND e.host = o.host WHERE g.host IS NOT NULL OR (e.host IS NOT NULL AND o.host"  \
	" NOT IN (SELECT host FROM temp.raw_host_new))"
#define KEEP_CHANGED " AND p.domain IN (SELECT domain FROM temp.raw_changed)"
/* approach code ?2's answer rows (domain, provider, weight, source,
 * confidence, status) from the hosts of query `from`: per domain one row
 * per distinct ID, with the highest source, confidence and status of the
 * hosts that give it, weight 1/(number of IDs), as the result view and
 * the export derive them (store.h) */
#define KEEP_DERIVE(from)                                                                                       \
	"SELECT domain, provider, 1.0 / count(*) OVER (PARTITION BY domain) AS weight, source, confidence, status" \
	" FROM (SELECT h.domain AS domain, " STORE_RAW_ID("?2", "h") " AS provider, max("                       \
	STORE_RAW_SOURCE("?2", "h") ") AS source, max(h.confidence) AS confidence, max(" STORE_RAW_STATUS("h")    \
	") AS status FROM (" from ") h WHERE " STORE_RAW_ID("?2", "h") " IS NOT NULL GROUP BY 1, 2)"

/* Run one statement of ?1 the snapshot id, ?2 `code`; *row: whether it gave
 * a row whose first column is non-zero (NULL: a statement without rows). */
static int keep_step(rawkeep *k, const char *sql, int code, int *row)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(k->st), sql, -1, &s, NULL) != SQLITE_OK) {
		*k->err = store_db_error(store_db(k->st), "database error");
		return -1;
	}
	sqlite3_bind_int64(s, 1, k->snap);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int(s, 2, code);
	int rc = sqlite3_step(s);
	if (row)
		*row = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : (*k->err = store_db_error(store_db(k->st), "keeping the earlier answers"), -1);
}

/* Before the evidence is written: which raw approaches to keep (derived
 * ones this run does not compute; approach code k is bit 1 << k), and the
 * triggers when there are any. */
int rawkeep_begin(rawkeep *k, store *st, int64_t snap, unsigned computed, char **err)
{
	*k = (rawkeep){st, snap, 0, err};
	if ((computed & INFER_ALL) == INFER_ALL)
		return 0;
	for (int code = 0; code < 4; code++) {
		unsigned bit = 1u << code;
		int derived = 0;
		if (computed & bit)
			continue;
		if (keep_step(k, "SELECT EXISTS (SELECT 1 FROM f_raw WHERE snap = ?1 AND approach = ?2)", code, &derived) < 0)
			return -1;
		if (derived)
			k->keep |= bit;
	}
	if (!k->keep)
		return 0;
	if (store_exec(k->st, keep_sql, k->err) < 0)
		return -1;
	return keep_step(k, "INSERT INTO temp.raw_snap VALUES(?1)", 0, NULL);
}

/* After f_host_ev and f_primary_mx are written. */
int rawkeep_end(rawkeep *k)
{
	if (!k->keep)
		return 0;
	int changed = 0;
	int rc = keep_step(k, "SELECT EXISTS (SELECT 1 FROM temp.raw_host_gone) OR EXISTS (SELECT 1 FROM temp.raw_host_new)"
			      " OR EXISTS (SELECT 1 FROM temp.raw_pmx_gone) OR EXISTS (SELECT 1 FROM temp.raw_pmx_new)",
			   0, &changed);
	/* the domains whose primary MX hosts, or the columns of their
	 * evidence the derivation reads, changed: the only ones whose answers
	 * can have (a host rewritten for its status or provider alone, as
	 * analyst decisions do, is not one) */
	if (rc == 0 && changed)
		rc = keep_step(k, "CREATE TEMP TABLE raw_changed AS SELECT domain FROM temp.raw_pmx_gone UNION SELECT domain"
				  " FROM temp.raw_pmx_new UNION SELECT p.domain FROM f_primary_mx p WHERE p.snap = ?1 AND p.host"
				  " IN (SELECT g.host FROM temp.raw_host_gone g LEFT JOIN f_host_ev e ON e.snap = ?1 AND e.host ="
				  " g.host WHERE e.host IS NULL OR g.live IS NOT e.live OR g.confidence IS NOT e.confidence OR"
				  " g.mx_id IS NOT e.mx_id OR g.cert_id IS NOT e.cert_id OR g.banner_id IS NOT e.banner_id"
				  " UNION SELECT host FROM temp.raw_host_new WHERE host NOT IN (SELECT host FROM"
				  " temp.raw_host_gone))", 0, NULL);
	if (rc == 0 && changed)
		rc = keep_step(k, "SELECT EXISTS (SELECT 1 FROM temp.raw_changed)", 0, &changed);
	for (int code = 0; code < 4 && rc == 0 && changed; code++) {
		int differ = 0;
		if (!(k->keep & (1u << code)))
			continue;
		rc = keep_step(k, "SELECT EXISTS (SELECT * FROM (" KEEP_DERIVE(KEEP_OLD(KEEP_CHANGED)) " EXCEPT "
				  KEEP_DERIVE(KEEP_NOW(KEEP_CHANGED)) ")) OR EXISTS (SELECT * FROM ("
				  KEEP_DERIVE(KEEP_NOW(KEEP_CHANGED)) " EXCEPT " KEEP_DERIVE(KEEP_OLD(KEEP_CHANGED)) "))",
			       code, &differ);
		if (rc == 0 && differ)
			rc = keep_step(k, "INSERT INTO f_result(snap, approach, domain, provider, weight, source, confidence,"
					  " status, reason) SELECT ?1, ?2, domain, provider, weight, source, confidence, status,"
					  " NULL FROM (" KEEP_DERIVE(KEEP_OLD("")) ") ORDER BY domain, provider", code, NULL);
		if (rc == 0 && differ)
			rc = keep_step(k, "DELETE FROM f_raw WHERE snap = ?1 AND approach = ?2", code, NULL);
	}
	if (rc == 0)
		rc = store_exec(k->st, keep_drop_sql, k->err);
	return rc;
}
