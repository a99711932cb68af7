/* store: SQLite connection, schema migrations, savepoints, cached
 * statements. */
#include "mxray/store.h"
#include "mxray/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_STMTS 256

struct store {
	sqlite3 *db;
	int depth; /* open savepoints */
	bool outer;    /* store_begin began the transaction (BEGIN IMMEDIATE) */
	double busy_since; /* the busy handler's wait began (mx_clock_s) */
	bool busy_said;    /* and it said so on the terminal */
	sqlite3_stmt *stmts[MAX_STMTS];
	const char *sqls[MAX_STMTS];
	int nstmts;
	bool readonly; /* opened by store_open_readonly */
	char *tidy;    /* close: let a writable connection remove the -wal and -shm this one made */
	char *error;   /* a database error a true/false read helper met (store_note_error) */
	bool stale;    /* read-only and of an older schema: migrate() refused it */
	bool bulk;     /* store_bulk_begin put the file in rollback-journal mode */
};

/* Schema version 1.  Dates are the snapshot key everywhere (YYYY-MM-DD
 * text), IPs are dotted-quad text, names are normalised (lower case, no
 * trailing dot), SMTP text is stored as BLOB because it may not be UTF-8. */
static const char schema_v1[] =
	"CREATE TABLE snapshot(date TEXT PRIMARY KEY, created_at TEXT NOT NULL);"
	"CREATE TABLE target(snapshot TEXT NOT NULL, list TEXT NOT NULL, domain TEXT NOT NULL,"
	"  PRIMARY KEY(snapshot, list, domain)) WITHOUT ROWID;"
	"CREATE TABLE mx(snapshot TEXT NOT NULL, domain TEXT NOT NULL, host TEXT NOT NULL,"
	"  pref INTEGER NOT NULL, PRIMARY KEY(snapshot, domain, host, pref)) WITHOUT ROWID;"
	"CREATE INDEX mx_host ON mx(snapshot, host);"
	"CREATE TABLE a(snapshot TEXT NOT NULL, host TEXT NOT NULL, ip TEXT NOT NULL,"
	"  PRIMARY KEY(snapshot, host, ip)) WITHOUT ROWID;"
	"CREATE TABLE cname(snapshot TEXT NOT NULL, name TEXT NOT NULL, target TEXT NOT NULL,"
	"  PRIMARY KEY(snapshot, name, target)) WITHOUT ROWID;"
	"CREATE TABLE lookup_fail(snapshot TEXT NOT NULL, name TEXT NOT NULL, qtype TEXT NOT NULL,"
	"  rcode INTEGER NOT NULL, PRIMARY KEY(snapshot, name, qtype)) WITHOUT ROWID;"
	"CREATE TABLE mx_ip(snapshot TEXT NOT NULL, host TEXT NOT NULL, ip TEXT NOT NULL,"
	"  via TEXT, PRIMARY KEY(snapshot, host, ip)) WITHOUT ROWID;"
	"CREATE INDEX mx_ip_ip ON mx_ip(snapshot, ip);"
	"CREATE TABLE scan(snapshot TEXT NOT NULL, ip TEXT NOT NULL, port25 INTEGER NOT NULL,"
	"  banner BLOB, ehlo BLOB, starttls BLOB, cert_cn TEXT, cert_names TEXT,"
	"  trusted INTEGER, format TEXT NOT NULL, scanned_at TEXT,"
	"  PRIMARY KEY(snapshot, ip)) WITHOUT ROWID;"
	"CREATE TABLE pfx2as(snapshot TEXT NOT NULL, net INTEGER NOT NULL, len INTEGER NOT NULL,"
	"  origin TEXT NOT NULL, PRIMARY KEY(snapshot, net, len)) WITHOUT ROWID;"
	"CREATE TABLE asn(snapshot TEXT NOT NULL, ip TEXT NOT NULL, asn INTEGER NOT NULL,"
	"  asn_set TEXT, source TEXT NOT NULL, PRIMARY KEY(snapshot, ip)) WITHOUT ROWID;"
	"CREATE TABLE as_org(asn INTEGER PRIMARY KEY, aut_name TEXT, org_id TEXT,"
	"  changed TEXT, source TEXT);"
	"CREATE TABLE org(org_id TEXT PRIMARY KEY, org_name TEXT, country TEXT,"
	"  changed TEXT, source TEXT);"
	"CREATE TABLE import_log(id INTEGER PRIMARY KEY, snapshot TEXT, kind TEXT NOT NULL,"
	"  file TEXT NOT NULL, lines INTEGER, imported INTEGER, duplicates INTEGER,"
	"  skipped INTEGER, failed_lookups INTEGER, at TEXT NOT NULL);";

/* Version 2: inference results and analyst decisions.  Results are kept
 * per snapshot (a new run replaces them); runs and corrections are history. */
static const char schema_v2[] =
	"CREATE TABLE run(id INTEGER PRIMARY KEY, snapshot TEXT NOT NULL, approach TEXT NOT NULL,"
	"  kb_digest TEXT NOT NULL, kb_origin TEXT, psl TEXT, params TEXT NOT NULL, at TEXT NOT NULL,"
	"  domains INTEGER, seconds REAL);"
	/* infer_ip: evidence per SMTP address of a primary MX, and the answer
	 * of the busiest MX host it serves (the review desk's queue). */
	"CREATE TABLE infer_ip(snapshot TEXT NOT NULL, ip TEXT NOT NULL, live INTEGER NOT NULL,"
	"  num_ip INTEGER NOT NULL, cert_group TEXT, num_cert INTEGER, banner_fqdn TEXT,"
	"  ehlo_fqdn TEXT, asn INTEGER, confidence INTEGER, provider_id TEXT, company TEXT, source TEXT,"
	"  priority_id TEXT, status TEXT, heuristic TEXT, reason TEXT, hosts TEXT, nhosts INTEGER,"
	"  suggested_id TEXT, PRIMARY KEY(snapshot, ip)) WITHOUT ROWID;"
	"CREATE TABLE infer_host(snapshot TEXT NOT NULL, host TEXT NOT NULL, live INTEGER NOT NULL,"
	"  domains INTEGER NOT NULL, mx_id TEXT, cert_id TEXT, cert_note TEXT, banner_id TEXT,"
	"  banner_note TEXT, confidence INTEGER NOT NULL, provider_id TEXT, source TEXT, company TEXT,"
	"  status TEXT NOT NULL, heuristic TEXT, reason TEXT, correction INTEGER, min_pref INTEGER,"
	"  max_pref INTEGER, PRIMARY KEY(snapshot, host)) WITHOUT ROWID;"
	"CREATE TABLE primary_mx(snapshot TEXT NOT NULL, domain TEXT NOT NULL, host TEXT NOT NULL,"
	"  PRIMARY KEY(snapshot, domain, host)) WITHOUT ROWID;"
	"CREATE INDEX primary_mx_host ON primary_mx(snapshot, host);"
	/* coverage: the paper's Table 4 category of each domain (0 no_mx_ip ...
	 * 5 complete), computed by infer */
	"CREATE TABLE coverage(snapshot TEXT NOT NULL, domain TEXT NOT NULL, category INTEGER NOT NULL,"
	"  PRIMARY KEY(snapshot, domain)) WITHOUT ROWID;"
	"CREATE TABLE result(snapshot TEXT NOT NULL, approach TEXT NOT NULL, domain TEXT NOT NULL,"
	"  provider_id TEXT NOT NULL, company TEXT, weight REAL NOT NULL, source TEXT NOT NULL,"
	"  confidence INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT,"
	"  PRIMARY KEY(snapshot, approach, domain, provider_id)) WITHOUT ROWID;"
	"CREATE TABLE correction(id INTEGER PRIMARY KEY,"
	"  scope TEXT NOT NULL CHECK (scope IN ('domain', 'mx', 'ip')), key TEXT NOT NULL,"
	"  snapshot TEXT, verdict TEXT NOT NULL CHECK (verdict IN ('confirm', 'set', 'self')),"
	"  provider_id TEXT, analyst TEXT, note TEXT, at TEXT NOT NULL, undone_at TEXT, undone_by TEXT,"
	"  CHECK (verdict <> 'set' OR provider_id IS NOT NULL));"
	"CREATE INDEX correction_key ON correction(scope, key);";

/* The columns and tables of two views that schema 8 made again with one
 * more column (ip_int, between them), as every version wrote them. */
#define SCAN_VIEW_COLS \
	"s.date AS snapshot, " STORE_IPV4_TEXT("c.ip") " AS ip, c.port25 AS port25," \
	"  c.banner AS banner, c.ehlo AS ehlo, c.starttls AS starttls, c.cert_cn AS cert_cn," \
	"  c.cert_names AS cert_names, c.trusted AS trusted, c.format AS format, c.scanned_at AS scanned_at"
#define SCAN_VIEW_FROM " FROM f_scan c JOIN snapshot s ON s.id = c.snap"
#define INFER_IP_VIEW_COLS \
	"s.date AS snapshot, " STORE_IPV4_TEXT("i.ip") " AS ip, i.live AS live," \
	"  i.num_ip AS num_ip, g.name AS cert_group, i.num_cert AS num_cert, i.banner_fqdn AS banner_fqdn," \
	"  i.ehlo_fqdn AS ehlo_fqdn, i.asn AS asn, max(i.num_ip, coalesce(i.num_cert, 0)) AS confidence," \
	"  p.name AS provider_id, co.company AS company," \
	"  CASE WHEN h.source IS NOT NULL THEN " STORE_SOURCE_TEXT("h.source") " END AS source," \
	"  pr.name AS priority_id, CASE WHEN h.host IS NOT NULL THEN " STORE_STATUS_TEXT("h.status") " END AS status," \
	"  h.heuristic AS heuristic, h.reason AS reason, i.nhosts AS nhosts, sg.name AS suggested_id," \
	"  bh.name AS best_host"
/* (pr: the priority approach's ID: certificate, else banner/EHLO, else MX name) */
#define INFER_IP_VIEW_FROM \
	"  FROM f_ip_ev i JOIN snapshot s ON s.id = i.snap LEFT JOIN name g ON g.id = i.cert_group" \
	"  LEFT JOIN f_host_ev h ON h.snap = i.snap AND h.host = i.best_host LEFT JOIN name bh ON bh.id = i.best_host" \
	"  LEFT JOIN name p ON p.id = h.provider" \
	"  LEFT JOIN f_company co ON co.snap = h.snap AND co.approach = 4 AND co.provider = h.provider" \
	"  LEFT JOIN name pr ON pr.id = coalesce(h.cert_id, h.banner_id, h.mx_id) LEFT JOIN name sg ON sg.id = h.suggested"

/* Version 3: evaluation samples and their labels (append-only, like
 * corrections: undo stamps undone_at). */
static const char schema_v3[] =
	"CREATE TABLE sample(name TEXT PRIMARY KEY, snapshot TEXT NOT NULL, size INTEGER NOT NULL,"
	"  list TEXT, unique_mx INTEGER NOT NULL, seed INTEGER NOT NULL, from_file TEXT,"
	"  population INTEGER NOT NULL, created_at TEXT NOT NULL);"
	"CREATE TABLE sample_domain(sample TEXT NOT NULL REFERENCES sample(name) ON DELETE CASCADE,"
	"  domain TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY(sample, domain)) WITHOUT ROWID;"
	"CREATE TABLE label(id INTEGER PRIMARY KEY, sample TEXT NOT NULL, domain TEXT NOT NULL,"
	"  truth TEXT NOT NULL, analyst TEXT, at TEXT NOT NULL, undone_at TEXT);"
	"CREATE INDEX label_domain ON label(sample, domain);";

/* Version 4: the compact store.  Every name (domain, MX host, CNAME
 * target) is interned once in `name`; snapshots and target lists get small
 * integer ids; IPv4 addresses are integers.  The fact tables (f_*) hold
 * only integers and are written in key order by bulk loads.  Views with
 * the old table names show the same rows with readable text (snapshot
 * date, names, dotted-quad IPs), so SQL written against version 3 keeps
 * working; a database of version 3 is migrated in place, keeping every
 * analyst decision and label.  `snapshot.derived` is 0 while an import has
 * committed files whose derived tables (mx_ip, pfx2as ASNs) are not built
 * yet; infer refuses such a snapshot. */
static const char schema_v4[] =
	"CREATE TABLE snapshot4(id INTEGER PRIMARY KEY, date TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,"
	"  derived INTEGER NOT NULL DEFAULT 1);"
	"INSERT INTO snapshot4(date, created_at) SELECT date, created_at FROM snapshot ORDER BY date;"
	"CREATE TABLE name(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT INTO name(name) SELECT domain FROM target UNION SELECT domain FROM mx UNION SELECT host FROM mx"
	"  UNION SELECT host FROM a UNION SELECT name FROM cname UNION SELECT target FROM cname"
	"  UNION SELECT name FROM lookup_fail UNION SELECT host FROM mx_ip"
	"  UNION SELECT via FROM mx_ip WHERE via IS NOT NULL;"
	"CREATE TABLE list(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT INTO list(name) SELECT DISTINCT list FROM target ORDER BY list;"
	"CREATE TABLE f_target(snap INTEGER NOT NULL, list INTEGER NOT NULL, domain INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, list, domain)) WITHOUT ROWID;"
	"INSERT INTO f_target SELECT s.id, l.id, n.id FROM target t JOIN snapshot4 s ON s.date = t.snapshot"
	"  JOIN list l ON l.name = t.list JOIN name n ON n.name = t.domain ORDER BY 1, 2, 3;"
	"CREATE TABLE f_mx(snap INTEGER NOT NULL, domain INTEGER NOT NULL, host INTEGER NOT NULL,"
	"  pref INTEGER NOT NULL, PRIMARY KEY(snap, domain, host, pref)) WITHOUT ROWID;"
	"INSERT INTO f_mx SELECT s.id, d.id, h.id, m.pref FROM mx m JOIN snapshot4 s ON s.date = m.snapshot"
	"  JOIN name d ON d.name = m.domain JOIN name h ON h.name = m.host ORDER BY 1, 2, 3, 4;"
	"CREATE TABLE f_a(snap INTEGER NOT NULL, host INTEGER NOT NULL, ip INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, host, ip)) WITHOUT ROWID;"
	"INSERT INTO f_a SELECT s.id, h.id, mxray_ipv4(a.ip) FROM a JOIN snapshot4 s ON s.date = a.snapshot"
	"  JOIN name h ON h.name = a.host ORDER BY 1, 2, 3;"
	"CREATE TABLE f_cname(snap INTEGER NOT NULL, name INTEGER NOT NULL, target INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, name, target)) WITHOUT ROWID;"
	"INSERT INTO f_cname SELECT s.id, n.id, t.id FROM cname c JOIN snapshot4 s ON s.date = c.snapshot"
	"  JOIN name n ON n.name = c.name JOIN name t ON t.name = c.target ORDER BY 1, 2, 3;"
	"CREATE TABLE f_lookup_fail(snap INTEGER NOT NULL, name INTEGER NOT NULL, qtype TEXT NOT NULL,"
	"  rcode INTEGER NOT NULL, PRIMARY KEY(snap, name, qtype)) WITHOUT ROWID;"
	"INSERT INTO f_lookup_fail SELECT s.id, n.id, f.qtype, f.rcode FROM lookup_fail f"
	"  JOIN snapshot4 s ON s.date = f.snapshot JOIN name n ON n.name = f.name ORDER BY 1, 2, 3;"
	"CREATE TABLE f_mx_ip(snap INTEGER NOT NULL, host INTEGER NOT NULL, ip INTEGER NOT NULL, via INTEGER,"
	"  PRIMARY KEY(snap, host, ip)) WITHOUT ROWID;"
	"INSERT INTO f_mx_ip SELECT s.id, h.id, mxray_ipv4(m.ip), v.id FROM mx_ip m"
	"  JOIN snapshot4 s ON s.date = m.snapshot JOIN name h ON h.name = m.host"
	"  LEFT JOIN name v ON v.name = m.via ORDER BY 1, 2, 3;"
	"CREATE TABLE f_scan(snap INTEGER NOT NULL, ip INTEGER NOT NULL, port25 INTEGER NOT NULL,"
	"  banner BLOB, ehlo BLOB, starttls BLOB, cert_cn TEXT, cert_names TEXT,"
	"  trusted INTEGER, format TEXT NOT NULL, scanned_at TEXT, PRIMARY KEY(snap, ip)) WITHOUT ROWID;"
	"INSERT INTO f_scan SELECT s.id, mxray_ipv4(c.ip), c.port25, c.banner, c.ehlo, c.starttls, c.cert_cn,"
	"  c.cert_names, c.trusted, c.format, c.scanned_at FROM scan c JOIN snapshot4 s ON s.date = c.snapshot"
	"  ORDER BY 1, 2;"
	"CREATE TABLE f_asn(snap INTEGER NOT NULL, ip INTEGER NOT NULL, asn INTEGER NOT NULL,"
	"  asn_set TEXT, source TEXT NOT NULL, PRIMARY KEY(snap, ip)) WITHOUT ROWID;"
	"INSERT INTO f_asn SELECT s.id, mxray_ipv4(a.ip), a.asn, a.asn_set, a.source FROM asn a"
	"  JOIN snapshot4 s ON s.date = a.snapshot ORDER BY 1, 2;"
	"DROP TABLE target; DROP TABLE mx; DROP TABLE a; DROP TABLE cname; DROP TABLE lookup_fail;"
	"DROP TABLE mx_ip; DROP TABLE scan; DROP TABLE asn; DROP TABLE snapshot;"
	"ALTER TABLE snapshot4 RENAME TO snapshot;"
	/* secondary index: address -> MX hosts (no MX host -> domains: it
	 * costs a random insert per row; the few who ask scan instead) */
	"CREATE INDEX f_mx_ip_ip ON f_mx_ip(snap, ip);"
	/* the readable views, with the version-3 table names and columns */
	"CREATE VIEW target AS SELECT s.date AS snapshot, l.name AS list, d.name AS domain FROM f_target t"
	"  JOIN snapshot s ON s.id = t.snap JOIN list l ON l.id = t.list JOIN name d ON d.id = t.domain;"
	"CREATE VIEW mx AS SELECT s.date AS snapshot, d.name AS domain, h.name AS host, m.pref AS pref FROM f_mx m"
	"  JOIN snapshot s ON s.id = m.snap JOIN name d ON d.id = m.domain JOIN name h ON h.id = m.host;"
	"CREATE VIEW a AS SELECT s.date AS snapshot, h.name AS host, " STORE_IPV4_TEXT("a.ip") " AS ip FROM f_a a"
	"  JOIN snapshot s ON s.id = a.snap JOIN name h ON h.id = a.host;"
	"CREATE VIEW cname AS SELECT s.date AS snapshot, n.name AS name, t.name AS target FROM f_cname c"
	"  JOIN snapshot s ON s.id = c.snap JOIN name n ON n.id = c.name JOIN name t ON t.id = c.target;"
	"CREATE VIEW lookup_fail AS SELECT s.date AS snapshot, n.name AS name, f.qtype AS qtype, f.rcode AS rcode"
	"  FROM f_lookup_fail f JOIN snapshot s ON s.id = f.snap JOIN name n ON n.id = f.name;"
	"CREATE VIEW mx_ip AS SELECT s.date AS snapshot, h.name AS host, " STORE_IPV4_TEXT("m.ip") " AS ip, v.name AS via"
	"  FROM f_mx_ip m JOIN snapshot s ON s.id = m.snap JOIN name h ON h.id = m.host"
	"  LEFT JOIN name v ON v.id = m.via;"
	"CREATE VIEW scan AS SELECT " SCAN_VIEW_COLS SCAN_VIEW_FROM ";"
	"CREATE VIEW asn AS SELECT s.date AS snapshot, " STORE_IPV4_TEXT("a.ip") " AS ip, a.asn AS asn,"
	"  a.asn_set AS asn_set, a.source AS source FROM f_asn a JOIN snapshot s ON s.id = a.snap;"
	/* Inference results.  approach: 0 mx, 1 cert, 2 banner, 3 priority,
	 * 4 final (the table `approach` names them); source: 1 mx, 2 banner,
	 * 3 cert, 4 correction; status: 0 auto, 1 no-smtp, 2 flagged,
	 * 3 heuristic, 4 confirmed, 5 corrected.  A provider ID is a name;
	 * its company is what the knowledge base of the run said (f_company). */
	"CREATE TABLE approach(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT INTO approach VALUES(0, 'mx'), (1, 'cert'), (2, 'banner'), (3, 'priority'), (4, 'final');"
	"INSERT OR IGNORE INTO name(name) SELECT DISTINCT provider_id FROM result ORDER BY 1;"
	"CREATE TABLE f_result(snap INTEGER NOT NULL, approach INTEGER NOT NULL, domain INTEGER NOT NULL,"
	"  provider INTEGER NOT NULL, weight REAL NOT NULL, source INTEGER NOT NULL, confidence INTEGER NOT NULL,"
	"  status INTEGER NOT NULL, reason TEXT, PRIMARY KEY(snap, approach, domain, provider)) WITHOUT ROWID;"
	"INSERT INTO f_result SELECT s.id, p.id, d.id, v.id, r.weight,"
	"  CASE r.source WHEN 'mx' THEN 1 WHEN 'banner' THEN 2 WHEN 'cert' THEN 3 ELSE 4 END, r.confidence,"
	"  CASE r.status WHEN 'auto' THEN 0 WHEN 'no-smtp' THEN 1 WHEN 'flagged' THEN 2 WHEN 'heuristic' THEN 3"
	"   WHEN 'confirmed' THEN 4 ELSE 5 END, r.reason"
	"  FROM result r JOIN snapshot s ON s.date = r.snapshot JOIN approach p ON p.name = r.approach"
	"  JOIN name d ON d.name = r.domain JOIN name v ON v.name = r.provider_id ORDER BY 1, 2, 3, 4;"
	"CREATE TABLE f_company(snap INTEGER NOT NULL, approach INTEGER NOT NULL, provider INTEGER NOT NULL,"
	"  company TEXT NOT NULL, PRIMARY KEY(snap, approach, provider)) WITHOUT ROWID;"
	"INSERT INTO f_company SELECT DISTINCT s.id, p.id, v.id, r.company FROM result r"
	"  JOIN snapshot s ON s.date = r.snapshot JOIN approach p ON p.name = r.approach"
	"  JOIN name v ON v.name = r.provider_id WHERE r.company IS NOT NULL ORDER BY 1, 2, 3;"
	"CREATE TABLE f_primary_mx(snap INTEGER NOT NULL, domain INTEGER NOT NULL, host INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, domain, host)) WITHOUT ROWID;"
	"INSERT INTO f_primary_mx SELECT s.id, d.id, h.id FROM primary_mx p JOIN snapshot s ON s.date = p.snapshot"
	"  JOIN name d ON d.name = p.domain JOIN name h ON h.name = p.host ORDER BY 1, 2, 3;"
	"CREATE INDEX f_primary_mx_host ON f_primary_mx(snap, host);"
	"CREATE TABLE f_coverage(snap INTEGER NOT NULL, domain INTEGER NOT NULL, category INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, domain)) WITHOUT ROWID;"
	"INSERT INTO f_coverage SELECT s.id, d.id, c.category FROM coverage c JOIN snapshot s ON s.date = c.snapshot"
	"  JOIN name d ON d.name = c.domain ORDER BY 1, 2;"
	/* each snapshot's provider shares over every domain with an answer
	 * (company, else provider ID), stored by infer for export and report */
	"CREATE TABLE f_share(snap INTEGER NOT NULL, provider TEXT NOT NULL, weight REAL NOT NULL,"
	"  PRIMARY KEY(snap, provider)) WITHOUT ROWID;"
	"CREATE TABLE f_share_total(snap INTEGER PRIMARY KEY, domains INTEGER NOT NULL);"
	"INSERT INTO f_share SELECT s.id, coalesce(r.company, r.provider_id), sum(r.weight) FROM result r"
	"  JOIN snapshot s ON s.date = r.snapshot WHERE r.approach = 'final' GROUP BY 1, 2;"
	"INSERT INTO f_share_total SELECT s.id, count(DISTINCT r.domain) FROM result r"
	"  JOIN snapshot s ON s.date = r.snapshot WHERE r.approach = 'final' GROUP BY 1;"
	"DROP TABLE result; DROP TABLE primary_mx; DROP TABLE coverage;"
	"CREATE VIEW result AS SELECT s.date AS snapshot, p.name AS approach, d.name AS domain, v.name AS provider_id,"
	"  c.company AS company, r.weight AS weight,"
	"  " STORE_SOURCE_TEXT("r.source") " AS source, r.confidence AS confidence,"
	"  " STORE_STATUS_TEXT("r.status") " AS status, r.reason AS reason"
	"  FROM f_result r JOIN snapshot s ON s.id = r.snap JOIN approach p ON p.id = r.approach"
	"  JOIN name d ON d.id = r.domain JOIN name v ON v.id = r.provider"
	"  LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = r.approach AND c.provider = r.provider;"
	/* the final answers, as 'mxray export assignments' writes them */
	"CREATE VIEW v_assignment AS SELECT snapshot, domain, provider_id, company, weight, source, confidence,"
	"  status, reason FROM result WHERE approach = 'final';"
	"CREATE VIEW primary_mx AS SELECT s.date AS snapshot, d.name AS domain, h.name AS host FROM f_primary_mx p"
	"  JOIN snapshot s ON s.id = p.snap JOIN name d ON d.id = p.domain JOIN name h ON h.id = p.host;"
	"CREATE VIEW coverage AS SELECT s.date AS snapshot, d.name AS domain, c.category AS category FROM f_coverage c"
	"  JOIN snapshot s ON s.id = c.snap JOIN name d ON d.id = c.domain;"
	/* 'mxray stats' per snapshot and target list (0: every domain of the
	 * MX queries), computed when an import's derive step runs */
	"CREATE TABLE f_stats(snap INTEGER NOT NULL, list INTEGER NOT NULL, domains INTEGER NOT NULL,"
	"  with_mx INTEGER NOT NULL, failed_lookups INTEGER NOT NULL, mx_hosts INTEGER NOT NULL,"
	"  ips INTEGER NOT NULL, ips_scanned INTEGER NOT NULL, ips_port25 INTEGER NOT NULL,"
	"  ips_trusted_cert INTEGER NOT NULL, ips_with_asn INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, list)) WITHOUT ROWID;"
	"CREATE VIEW stats AS SELECT s.date AS snapshot, coalesce(l.name, 'all') AS list, t.domains, t.with_mx,"
	"  t.failed_lookups, t.mx_hosts, t.ips, t.ips_scanned, t.ips_port25, t.ips_trusted_cert, t.ips_with_asn"
	"  FROM f_stats t JOIN snapshot s ON s.id = t.snap LEFT JOIN list l ON l.id = t.list;";

/* Version 5: what infer derived per primary MX host and per SMTP address,
 * as integers (names interned, codes for source and status), no longer
 * text shaped for the review desk.  The views infer_host and infer_ip show
 * them as before (infer_ip without its display column `hosts`).  An
 * address's answer is its busiest primary MX host's (best_host: most
 * domains, ties by name); its provider, source, status and whether a
 * heuristic fired are kept beside it as codes (the desk's queue reads
 * f_ip_ev alone). */
static const char schema_v5[] =
	"INSERT OR IGNORE INTO name(name) SELECT mx_id FROM infer_host WHERE mx_id IS NOT NULL"
	"  UNION SELECT cert_id FROM infer_host WHERE cert_id IS NOT NULL"
	"  UNION SELECT banner_id FROM infer_host WHERE banner_id IS NOT NULL"
	"  UNION SELECT provider_id FROM infer_host WHERE provider_id IS NOT NULL"
	"  UNION SELECT host FROM infer_host UNION SELECT cert_group FROM infer_ip WHERE cert_group IS NOT NULL"
	"  UNION SELECT suggested_id FROM infer_ip WHERE suggested_id IS NOT NULL ORDER BY 1;"
	"CREATE TABLE f_host_ev(snap INTEGER NOT NULL, host INTEGER NOT NULL, live INTEGER NOT NULL,"
	"  domains INTEGER NOT NULL, mx_id INTEGER, cert_id INTEGER, banner_id INTEGER, cert_note TEXT,"
	"  banner_note TEXT, confidence INTEGER NOT NULL, provider INTEGER, source INTEGER, status INTEGER NOT NULL,"
	"  heuristic TEXT, reason TEXT, correction INTEGER, min_pref INTEGER, max_pref INTEGER, suggested INTEGER,"
	"  PRIMARY KEY(snap, host)) WITHOUT ROWID;"
	"INSERT INTO f_host_ev SELECT s.id, n.id, h.live, h.domains, m.id, c.id, b.id, h.cert_note, h.banner_note,"
	"  h.confidence, p.id, CASE h.source WHEN 'mx' THEN 1 WHEN 'banner' THEN 2 WHEN 'cert' THEN 3"
	"   WHEN 'correction' THEN 4 END,"
	"  CASE h.status WHEN 'auto' THEN 0 WHEN 'no-smtp' THEN 1 WHEN 'flagged' THEN 2 WHEN 'heuristic' THEN 3"
	"   WHEN 'confirmed' THEN 4 ELSE 5 END, h.heuristic, h.reason, h.correction, h.min_pref, h.max_pref, NULL"
	"  FROM infer_host h JOIN snapshot s ON s.date = h.snapshot JOIN name n ON n.name = h.host"
	"  LEFT JOIN name m ON m.name = h.mx_id LEFT JOIN name c ON c.name = h.cert_id"
	"  LEFT JOIN name b ON b.name = h.banner_id LEFT JOIN name p ON p.name = h.provider_id ORDER BY 1, 2;"
	"CREATE TABLE f_ip_ev(snap INTEGER NOT NULL, ip INTEGER NOT NULL, live INTEGER NOT NULL,"
	"  num_ip INTEGER NOT NULL, cert_group INTEGER, num_cert INTEGER, banner_fqdn TEXT, ehlo_fqdn TEXT,"
	"  best_host INTEGER, nhosts INTEGER NOT NULL, asn INTEGER, provider INTEGER, source INTEGER, status INTEGER,"
	"  flagged INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(snap, ip)) WITHOUT ROWID;"
	"INSERT INTO f_ip_ev SELECT s.id, mxray_ipv4(i.ip), i.live, i.num_ip, g.id, i.num_cert, i.banner_fqdn, i.ehlo_fqdn,"
	"  CASE WHEN i.live THEN (SELECT m.host FROM f_mx_ip m JOIN f_host_ev h ON h.snap = m.snap AND h.host = m.host"
	"   JOIN name hn ON hn.id = m.host WHERE m.snap = s.id AND m.ip = mxray_ipv4(i.ip) AND h.domains > 0"
	"   ORDER BY h.domains DESC, hn.name LIMIT 1) END, coalesce(i.nhosts, 0), i.asn, NULL, NULL, NULL, 0"
	"  FROM infer_ip i JOIN snapshot s ON s.date = i.snapshot LEFT JOIN name g ON g.name = i.cert_group"
	"  ORDER BY 1, 2;"
	/* the address's answer is its busiest host's, kept beside it as codes
	 * so that the review desk's queue is one read */
	"UPDATE f_ip_ev SET provider = h.provider, source = h.source, status = h.status,"
	"  flagged = h.heuristic IS NOT NULL FROM f_host_ev h WHERE h.snap = f_ip_ev.snap AND h.host = f_ip_ev.best_host;"
	/* the heuristics' suggestion was kept per address; it is the host's */
	"UPDATE f_host_ev SET suggested = t.sid FROM (SELECT x.snap AS snap, x.best_host AS host, min(n.id) AS sid"
	"  FROM infer_ip i JOIN snapshot s ON s.date = i.snapshot JOIN f_ip_ev x ON x.snap = s.id"
	"  AND x.ip = mxray_ipv4(i.ip) JOIN name n ON n.name = i.suggested_id"
	"  WHERE i.suggested_id IS NOT NULL AND x.best_host IS NOT NULL GROUP BY 1, 2) t"
	"  WHERE f_host_ev.snap = t.snap AND f_host_ev.host = t.host;"
	"DROP TABLE infer_ip; DROP TABLE infer_host;"
	/* the counts report prints for a whole snapshot, stored by infer */
	"CREATE TABLE f_tally(snap INTEGER NOT NULL, kind TEXT NOT NULL, code INTEGER NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(snap, kind, code)) WITHOUT ROWID;"
	"INSERT INTO f_tally SELECT snap, 'coverage', category, count(*) FROM f_coverage GROUP BY 1, 3;"
	"INSERT INTO f_tally SELECT snap, 'source', source, count(*) FROM f_result WHERE approach = 4 GROUP BY 1, 3;"
	"INSERT INTO f_tally SELECT snap, 'corrected', 0, count(*) FROM f_result WHERE approach = 4"
	"  AND status IN (4, 5) GROUP BY 1;"
	"INSERT INTO f_tally SELECT snap, 'heuristic', 0, count(heuristic) FROM f_host_ev GROUP BY 1;"
	"INSERT INTO f_tally SELECT snap, 'heuristic', 1, sum(status = 3) FROM f_host_ev GROUP BY 1;"
	"INSERT INTO f_tally SELECT snap, 'heuristic', 2, sum(status = 2) FROM f_host_ev GROUP BY 1;"
	"CREATE VIEW infer_host AS SELECT s.date AS snapshot, n.name AS host, h.live AS live, h.domains AS domains,"
	"  m.name AS mx_id, c.name AS cert_id, h.cert_note AS cert_note, b.name AS banner_id,"
	"  h.banner_note AS banner_note, h.confidence AS confidence, p.name AS provider_id,"
	"  CASE WHEN h.source IS NOT NULL THEN " STORE_SOURCE_TEXT("h.source") " END AS source,"
	"  co.company AS company, " STORE_STATUS_TEXT("h.status") " AS status, h.heuristic AS heuristic,"
	"  h.reason AS reason, h.correction AS correction, h.min_pref AS min_pref, h.max_pref AS max_pref,"
	"  g.name AS suggested_id"
	"  FROM f_host_ev h JOIN snapshot s ON s.id = h.snap JOIN name n ON n.id = h.host"
	"  LEFT JOIN name m ON m.id = h.mx_id LEFT JOIN name c ON c.id = h.cert_id LEFT JOIN name b ON b.id = h.banner_id"
	"  LEFT JOIN name p ON p.id = h.provider LEFT JOIN name g ON g.id = h.suggested"
	"  LEFT JOIN f_company co ON co.snap = h.snap AND co.approach = 4 AND co.provider = h.provider;"
	"CREATE VIEW infer_ip AS SELECT " INFER_IP_VIEW_COLS INFER_IP_VIEW_FROM ";"
	"UPDATE f_scan SET cert_cn = CAST(cert_cn AS TEXT) WHERE typeof(cert_cn) = 'blob';";

/* Version 6: the four raw approaches' per-domain answers (mx, cert,
 * banner, priority: four of every five rows of f_result) are no longer
 * stored but derived when read from what infer stores anyway, each
 * domain's primary MX hosts (f_primary_mx) and each host's evidence
 * (f_host_ev; STORE_RAW_ID and its neighbours in store.h).  f_raw(snap,
 * approach) records which raw approaches a snapshot's runs computed; their
 * companies stay in f_company.  The migration derives each snapshot's
 * answers and compares them with the stored rows: where they are the same
 * (always, for a snapshot whose runs saw the same data and PSL) the rows
 * go and f_raw takes the approach; where not, the stored rows stay and
 * are read as before. */
/* from f_raw k, each primary MX host p of the snapshot with its evidence h */
#define RAW_FROM \
	" FROM f_raw k JOIN f_primary_mx p ON p.snap = k.snap JOIN f_host_ev h ON h.snap = p.snap AND h.host = p.host"
/* the other primary MX hosts o of p's domain, with their evidence g */
#define RAW_PEERS " FROM f_primary_mx o JOIN f_host_ev g ON g.snap = o.snap AND g.host = o.host" \
	" WHERE o.snap = p.snap AND o.domain = p.domain"
#define RAW_ID_H STORE_RAW_ID("k.approach", "h")
#define RAW_ID_G STORE_RAW_ID("k.approach", "g")
/* whether p's domain has other primary MX hosts: most have one, and then
 * p's row is the answer */
#define RAW_OTHERS \
	" EXISTS (SELECT 1 FROM f_primary_mx o WHERE o.snap = p.snap AND o.domain = p.domain AND o.host <> p.host)"
/* else one row per distinct ID, at the first host (by id) that gives it,
 * with the highest value x of the hosts that give it */
#define RAW_FIRST " NOT EXISTS (SELECT 1" RAW_PEERS " AND o.host < p.host AND " RAW_ID_G " = " RAW_ID_H ")"
#define RAW_MAX(x) "(SELECT max(" x ")" RAW_PEERS " AND " RAW_ID_G " = " RAW_ID_H ")"
#define RAW_WEIGHT "1.0 / (SELECT count(DISTINCT " RAW_ID_G ")" RAW_PEERS ")"
/* (snap, approach, domain, provider, weight, source, confidence, status) */
#define RAW_ROWS                                                                                              \
	"SELECT k.snap AS snap, k.approach AS approach, p.domain AS domain, " RAW_ID_H " AS provider, 1.0 AS weight," \
	" " STORE_RAW_SOURCE("k.approach", "h") " AS source, h.confidence AS confidence, " STORE_RAW_STATUS("h")      \
	" AS status" RAW_FROM " WHERE " RAW_ID_H " IS NOT NULL AND NOT" RAW_OTHERS                                        \
	" UNION ALL SELECT k.snap, k.approach, p.domain, " RAW_ID_H ", " RAW_WEIGHT ","                               \
	" " RAW_MAX(STORE_RAW_SOURCE("k.approach", "g")) ", " RAW_MAX("g.confidence") ", "                            \
	RAW_MAX(STORE_RAW_STATUS("g")) RAW_FROM " WHERE " RAW_ID_H " IS NOT NULL AND" RAW_OTHERS " AND" RAW_FIRST
/* the same with readable text, as the result view's columns (each branch
 * joins its names itself, so that a query on one domain reads only it) */
#define RAW_TEXT(weight, source, confidence, status)                                                        \
	"SELECT s.date AS snapshot, ap.name AS approach, d.name AS domain, v.name AS provider_id,"                \
	" c.company AS company, " weight " AS weight, " STORE_SOURCE_TEXT(source) " AS source,"                   \
	" " confidence " AS confidence, " STORE_STATUS_TEXT(status) " AS status, NULL AS reason" RAW_FROM         \
	" JOIN snapshot s ON s.id = k.snap JOIN approach ap ON ap.id = k.approach JOIN name d ON d.id = p.domain"  \
	" JOIN name v ON v.id = " RAW_ID_H " LEFT JOIN f_company c ON c.snap = k.snap AND c.approach = k.approach" \
	" AND c.provider = v.id"
static const char schema_v6[] =
	"CREATE TABLE f_raw(snap INTEGER NOT NULL, approach INTEGER NOT NULL CHECK (approach BETWEEN 0 AND 3),"
	"  PRIMARY KEY(snap, approach)) WITHOUT ROWID;"
	"INSERT INTO f_raw SELECT DISTINCT snap, approach FROM f_result WHERE approach < 4;"
	/* per (snapshot, approach): derived rows, and how many of them are stored as they are */
	"CREATE TEMP TABLE raw_check AS SELECT d.snap AS snap, d.approach AS approach, count(*) AS n,"
	"  count(r.snap) AS same FROM (" RAW_ROWS ") d LEFT JOIN f_result r ON r.snap = d.snap"
	"  AND r.approach = d.approach AND r.domain = d.domain AND r.provider = d.provider AND r.weight = d.weight"
	"  AND r.source = d.source AND r.confidence = d.confidence AND r.status = d.status AND r.reason IS NULL"
	"  GROUP BY 1, 2;"
	"DELETE FROM f_raw WHERE NOT EXISTS (SELECT 1 FROM temp.raw_check x WHERE x.snap = f_raw.snap"
	"  AND x.approach = f_raw.approach AND x.same = x.n"
	"  AND x.n = (SELECT count(*) FROM f_result r WHERE r.snap = f_raw.snap AND r.approach = f_raw.approach));"
	"DROP TABLE temp.raw_check;"
	"DELETE FROM f_result WHERE approach < 4 AND (snap, approach) IN (SELECT snap, approach FROM f_raw);"
	"DROP VIEW v_assignment; DROP VIEW result;"
	/* the stored answers (the final ones, and raw ones kept: by the
	 * migration, or by a later run of other approaches whose evidence
	 * would change them, rawkeep.c), then the derived: a
	 * domain's one host, a domain's several hosts */
	"CREATE VIEW result AS SELECT s.date AS snapshot, p.name AS approach, d.name AS domain, v.name AS provider_id,"
	"  c.company AS company, r.weight AS weight,"
	"  " STORE_SOURCE_TEXT("r.source") " AS source, r.confidence AS confidence,"
	"  " STORE_STATUS_TEXT("r.status") " AS status, r.reason AS reason"
	"  FROM f_result r JOIN snapshot s ON s.id = r.snap JOIN approach p ON p.id = r.approach"
	"  JOIN name d ON d.id = r.domain JOIN name v ON v.id = r.provider"
	"  LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = r.approach AND c.provider = r.provider"
	" UNION ALL " RAW_TEXT("1.0", STORE_RAW_SOURCE("k.approach", "h"), "h.confidence", STORE_RAW_STATUS("h"))
	" WHERE NOT" RAW_OTHERS
	" UNION ALL " RAW_TEXT(RAW_WEIGHT, RAW_MAX(STORE_RAW_SOURCE("k.approach", "g")), RAW_MAX("g.confidence"),
			       RAW_MAX(STORE_RAW_STATUS("g")))
	" WHERE" RAW_OTHERS " AND" RAW_FIRST ";"
	/* the final answers, as 'mxray export assignments' writes them */
	"CREATE VIEW v_assignment AS SELECT s.date AS snapshot, d.name AS domain, v.name AS provider_id,"
	"  c.company AS company, r.weight AS weight, " STORE_SOURCE_TEXT("r.source") " AS source,"
	"  r.confidence AS confidence, " STORE_STATUS_TEXT("r.status") " AS status, r.reason AS reason"
	"  FROM f_result r JOIN snapshot s ON s.id = r.snap JOIN name d ON d.id = r.domain JOIN name v ON v.id = r.provider"
	"  LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = 4 AND c.provider = r.provider WHERE r.approach = 4;";

/* Version 7: f_scan becomes an ordinary rowid table with a unique index
 * on (snap, ip).  Its rows are large (raw banner, EHLO and certificate
 * text): a WITHOUT ROWID table keeps whole rows in its interior pages and
 * inserts each into the middle of its b-tree, while a rowid table appends
 * it and only the small index takes the insert in the middle (the import
 * writes each scan file's records in address order, in chunks, so that
 * the rows lie nearly in address order too).  Columns and their meanings
 * are as before; a read of one snapshot (WHERE snap = ? [AND ip ...])
 * goes through the index and comes in address order.  And `name` gets a
 * named unique index (name_name) in place of its inline UNIQUE, whose
 * index cannot be dropped: a large bulk load drops it, and it is built
 * again after the load (names_flush, store_name_index). */
static const char schema_v7[] =
	"DROP VIEW scan;"
	"ALTER TABLE f_scan RENAME TO f_scan6;"
	"CREATE TABLE f_scan(snap INTEGER NOT NULL, ip INTEGER NOT NULL, port25 INTEGER NOT NULL,"
	"  banner BLOB, ehlo BLOB, starttls BLOB, cert_cn TEXT, cert_names TEXT,"
	"  trusted INTEGER, format TEXT NOT NULL, scanned_at TEXT);"
	"INSERT INTO f_scan(snap, ip, port25, banner, ehlo, starttls, cert_cn, cert_names, trusted, format, scanned_at)"
	"  SELECT snap, ip, port25, banner, ehlo, starttls, cert_cn, cert_names, trusted, format, scanned_at"
	"  FROM f_scan6 ORDER BY snap, ip;"
	"DROP TABLE f_scan6;"
	"CREATE UNIQUE INDEX f_scan_ip ON f_scan(snap, ip);"
	"CREATE VIEW scan AS SELECT " SCAN_VIEW_COLS SCAN_VIEW_FROM ";"
	"CREATE TEMP TABLE name6 AS SELECT id, name FROM name;"
	"DROP TABLE name;"
	"CREATE TABLE name(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
	"INSERT INTO name(id, name) SELECT id, name FROM name6 ORDER BY id;"
	"DROP TABLE temp.name6;"
	"CREATE UNIQUE INDEX name_name ON name(name);";

/* Version 8: every view that shows an address as dotted-quad text also
 * gives it as the integer it is stored as, in a last column ip_int.  Two
 * views joined on their text ip compare a text computed for every pair of
 * rows (no index can serve an expression of the other side): mx_ip JOIN
 * scan USING (snapshot, ip) took 18 s on the 3,000-domain sample, and
 * would not end at 1M.  Joined on ip_int the same query is a lookup in
 * the table's (snap, ip) key.  Names need nothing: a join on a host or
 * domain text is a lookup in name_name. */
static const char schema_v8[] =
	"DROP VIEW a; DROP VIEW mx_ip; DROP VIEW scan; DROP VIEW asn; DROP VIEW infer_ip;"
	"CREATE VIEW a AS SELECT s.date AS snapshot, h.name AS host, " STORE_IPV4_TEXT("a.ip") " AS ip,"
	"  a.ip AS ip_int FROM f_a a JOIN snapshot s ON s.id = a.snap JOIN name h ON h.id = a.host;"
	"CREATE VIEW mx_ip AS SELECT s.date AS snapshot, h.name AS host, " STORE_IPV4_TEXT("m.ip") " AS ip, v.name AS via,"
	"  m.ip AS ip_int FROM f_mx_ip m JOIN snapshot s ON s.id = m.snap JOIN name h ON h.id = m.host"
	"  LEFT JOIN name v ON v.id = m.via;"
	"CREATE VIEW scan AS SELECT " SCAN_VIEW_COLS ", c.ip AS ip_int" SCAN_VIEW_FROM ";"
	"CREATE VIEW asn AS SELECT s.date AS snapshot, " STORE_IPV4_TEXT("a.ip") " AS ip, a.asn AS asn,"
	"  a.asn_set AS asn_set, a.source AS source, a.ip AS ip_int FROM f_asn a JOIN snapshot s ON s.id = a.snap;"
	"CREATE VIEW infer_ip AS SELECT " INFER_IP_VIEW_COLS ", i.ip AS ip_int" INFER_IP_VIEW_FROM ";";

/* Version 9: the shares by weight.  The report's top providers (its
 * table, the desk's report view R, export trend) read the largest shares
 * of the last snapshot: a scan of every provider's share without this
 * index (275,222 rows, 50 ms at 1M), the first rows of it with. */
static const char schema_v9[] = "CREATE INDEX IF NOT EXISTS f_share_weight ON f_share(snap, weight);";

/* Version 10: the two secondary indexes that infer and import build
 * again after each bulk load lead with the column that varies.  SQLite
 * sorts the index entries and compares the first column of two entries
 * as integers before it decodes the rest; on (snap, host) that column
 * is the same in every entry of the load, so every comparison decoded
 * both whole entries.  On (host, snap) the build of f_primary_mx_host
 * took 1.16 s at 1M domains against 1.46 s, f_mx_ip_ip 0.59 s against
 * 0.86 s.  They serve the same look-ups (snap = ? AND host = ?, snap = ?
 * AND ip = ?); no query reads them in order. */
static const char schema_v10[] = "DROP INDEX IF EXISTS f_primary_mx_host;"
				 "CREATE INDEX f_primary_mx_host ON " STORE_INDEX_PRIMARY_MX_HOST ";"
				 "DROP INDEX IF EXISTS f_mx_ip_ip;"
				 "CREATE INDEX f_mx_ip_ip ON " STORE_INDEX_MX_IP_IP ";";

/* Version 11: the scan texts many servers share are kept once.  At 1M
 * domains the EHLO replies were 40 MB, of which 28 MB the lines after the
 * first (144 different ones: the extensions a server software offers),
 * the STARTTLS replies 5.8 MB (17 different) and the formats 3.6 MB (4).
 * scan_text(id, text) holds each such text once, as a BLOB; f_scan keeps
 * the EHLO reply's first line, up to and with its first newline, in
 * ehlo_head and the rest's id in ehlo_rest (NULL when nothing follows),
 * the STARTTLS reply's id in starttls_id and the format's in format_id.
 * The scan view shows the texts as before, byte for byte. */
#define EHLO_NL "instr(ehlo, X'0A')"
#define EHLO_SPLIT "(" EHLO_NL " > 0 AND " EHLO_NL " < length(ehlo))"
static const char schema_v11[] =
	"CREATE TABLE scan_text(id INTEGER PRIMARY KEY, text BLOB NOT NULL);"
	"CREATE UNIQUE INDEX scan_text_text ON scan_text(text);"
	"INSERT INTO scan_text(text) SELECT t FROM (SELECT CAST(substr(ehlo, " EHLO_NL " + 1) AS BLOB) AS t FROM f_scan"
	"  WHERE " EHLO_SPLIT " UNION SELECT CAST(starttls AS BLOB) FROM f_scan WHERE starttls IS NOT NULL"
	"  UNION SELECT CAST(format AS BLOB) FROM f_scan) ORDER BY t;"
	"DROP VIEW scan;"
	"ALTER TABLE f_scan RENAME TO f_scan10;"
	"CREATE TABLE f_scan(snap INTEGER NOT NULL, ip INTEGER NOT NULL, port25 INTEGER NOT NULL,"
	"  banner BLOB, ehlo_head BLOB, ehlo_rest INTEGER, starttls_id INTEGER, cert_cn TEXT, cert_names TEXT,"
	"  trusted INTEGER, format_id INTEGER NOT NULL, scanned_at TEXT);"
	"INSERT INTO f_scan(snap, ip, port25, banner, ehlo_head, ehlo_rest, starttls_id, cert_cn, cert_names, trusted,"
	"  format_id, scanned_at)"
	"  SELECT c.snap, c.ip, c.port25, c.banner,"
	"    CASE WHEN " EHLO_SPLIT " THEN substr(ehlo, 1, " EHLO_NL ") ELSE ehlo END,"
	"    e.id, t.id, c.cert_cn, c.cert_names, c.trusted, f.id, c.scanned_at"
	"  FROM f_scan10 c LEFT JOIN scan_text e ON " EHLO_SPLIT " AND e.text = CAST(substr(ehlo, " EHLO_NL " + 1) AS BLOB)"
	"  LEFT JOIN scan_text t ON t.text = CAST(c.starttls AS BLOB) JOIN scan_text f ON f.text = CAST(c.format AS BLOB)"
	"  ORDER BY c.snap, c.ip;"
	"DROP TABLE f_scan10;"
	"CREATE UNIQUE INDEX f_scan_ip ON f_scan(snap, ip);"
	"CREATE VIEW scan AS SELECT s.date AS snapshot, " STORE_IPV4_TEXT("c.ip") " AS ip, c.port25 AS port25,"
	"  c.banner AS banner, " STORE_SCAN_EHLO("c", "e") " AS ehlo, t.text AS starttls, c.cert_cn AS cert_cn,"
	"  c.cert_names AS cert_names, c.trusted AS trusted, CAST(f.text AS TEXT) AS format,"
	"  c.scanned_at AS scanned_at, c.ip AS ip_int"
	"  FROM f_scan c JOIN snapshot s ON s.id = c.snap LEFT JOIN scan_text e ON e.id = c.ehlo_rest"
	"  LEFT JOIN scan_text t ON t.id = c.starttls_id JOIN scan_text f ON f.id = c.format_id;";
#undef EHLO_SPLIT
#undef EHLO_NL

static const char *migrations[] = {schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6,
				   schema_v7, schema_v8, schema_v9, schema_v10, schema_v11};
_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION, "one migration per schema version");

char *store_db_error(sqlite3 *db, const char *what)
{
	/* a full disk or an I/O error: say which file, the first thing to
	 * know (the -wal beside it is the same database) */
	int code = sqlite3_extended_errcode(db) & 0xff, sys = sqlite3_system_errno(db);
	const char *file = sqlite3_db_filename(db, "main");
	if ((code == SQLITE_FULL || code == SQLITE_IOERR) && file && file[0]) {
		if (code == SQLITE_IOERR && sys) /* "disk I/O error": which one */
			return xasprintf("%s: %s: %s (%s)", what, file, sqlite3_errmsg(db), strerror(sys));
		return xasprintf("%s: %s: %s", what, file, sqlite3_errmsg(db));
	}
	return xasprintf("%s: %s", what, sqlite3_errmsg(db));
}

static char *db_err(sqlite3 *db, const char *what)
{
	return store_db_error(db, what);
}

int store_exec(store *st, const char *sql, char **err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		if (err)
			*err = db_err(st->db, "database error");
		return -1;
	}
	return 0;
}

static int stop_check(void *flag)
{
	return atomic_load_explicit((const atomic_int *)flag, memory_order_relaxed) != 0;
}

void store_stop_on(store *st, const atomic_int *flag)
{
	/* every 4096 virtual machine steps: well under a millisecond */
	sqlite3_progress_handler(st->db, flag ? 4096 : 0, flag ? stop_check : NULL, (void *)flag);
}

int store_build_index(store *st, const char *sql, bool helper, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA cache_size", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int64_t was = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (store_read_done(st, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, err) < 0)
		return -1;
	/* SQLite's least run is 250 pages: 4 MiB of 16 KiB pages */
	if (store_exec(st, helper ? "PRAGMA cache_size=-4096; PRAGMA threads=1" : "PRAGMA cache_size=-4096", err) < 0)
		return -1;
	rc = store_exec(st, sql, err);
	char put[64];
	snprintf(put, sizeof put, "PRAGMA cache_size=%lld; PRAGMA threads=0", (long long)was);
	if (store_exec(st, put, rc < 0 ? NULL : err) < 0)
		rc = -1;
	return rc;
}

int store_has_name_index(store *st, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = '"
					    STORE_NAME_INDEX "'", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	return store_read_done(st, s, found ? SQLITE_DONE : rc, err) < 0 ? -1 : found;
}

/* Under the write lock (the caller's transaction, or one begun before):
 * the name index built unless another process built it meanwhile; `say`:
 * on a terminal, as a wait for a lock is (seconds at 10M). */
static int name_index_locked(store *st, bool say, bool *built, char **err)
{
	if (store_begin(st, err) < 0)
		return -1;
	int has = store_has_name_index(st, err);
	int rc = has < 0 ? -1 : 0;
	if (has == 0 && say && isatty(STDERR_FILENO))
		fprintf(stderr, "mxray: indexing the names of %s (an import dropped the index to load faster and has "
				"not built it again)\n",
			sqlite3_db_filename(st->db, "main"));
	if (has == 0)
		rc = store_build_index(st, "CREATE UNIQUE INDEX " STORE_NAME_INDEX " ON name(name)", true, err);
	if (rc == 0 && store_commit(st, err) < 0)
		rc = -1;
	if (rc < 0) {
		store_rollback(st);
		return -1;
	}
	if (built)
		*built = has == 0;
	return 0;
}

static int busy_wait(void *arg, int count);

int store_name_index(store *st, bool wait, bool *built, char **err)
{
	if (built)
		*built = false;
	/* looked at once without the lock (the usual case: it is there) */
	int has = store_has_name_index(st, err);
	if (has != 0)
		return has < 0 ? -1 : 0;
	if (wait || !sqlite3_get_autocommit(st->db))
		return name_index_locked(st, false, built, err);
	/* the write lock now or never: an import that dropped the index holds
	 * it for a whole file, and builds the index itself */
	sqlite3_busy_handler(st->db, NULL, NULL);
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_handler(st->db, busy_wait, st);
	if ((rc & 0xff) == SQLITE_BUSY)
		return 0;
	if (rc != SQLITE_OK) {
		*err = db_err(st->db, "database error");
		return -1;
	}
	rc = name_index_locked(st, true, built, err);
	if (rc == 0 && store_exec(st, "COMMIT", err) < 0)
		rc = -1;
	if (rc < 0 && built)
		*built = false;
	if (rc < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The stored schema version in *v; false when it cannot be read. */
static bool user_version(store *st, int *v)
{
	sqlite3_stmt *s;
	bool ok = false;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW) {
			*v = sqlite3_column_int(s, 0);
			ok = true;
		}
		sqlite3_finalize(s);
	}
	return ok;
}

/* mxray_ipv4(text): the dotted quad as an integer (NULL when it is not one);
 * the version-4 migration converts the stored addresses with it. */
static void sql_ipv4(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	uint32_t ip;
	if (t && mx_ipv4_parse(t, &ip))
		sqlite3_result_int64(cx, ip);
	else
		sqlite3_result_null(cx);
}

static int migrate(store *st, char **err)
{
	int v = 0;
	int target = (int)(sizeof migrations / sizeof migrations[0]);
	if (!user_version(st, &v)) {
		*err = db_err(st->db, "cannot read schema version");
		return -1;
	}
	if (v < 0) {
		*err = xasprintf("database has schema version %d, which this mxray does not know", v);
		return -1;
	}
	if (v > target) {
		*err = xasprintf("database schema version %d is newer than this mxray (%d); upgrade mxray",
				 v, target);
		return -1;
	}
	if (v < target && st->readonly) {
		st->stale = v > 0;
		*err = v == 0 ? xstrdup("not an mxray database (no schema; create one with 'mxray import')")
			      : xasprintf("database is schema %d; open it once with a writable command (e.g. 'mxray infer')"
					  " to migrate it to schema %d", v, target);
		return -1;
	}
	if (v < target && sqlite3_create_function(st->db, "mxray_ipv4", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
						   sql_ipv4, NULL, NULL) != SQLITE_OK) {
		*err = db_err(st->db, "cannot register a migration function");
		return -1;
	}
	while (v < target) {
		if (store_exec(st, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		/* another process may have migrated while this one waited for
		 * the write lock: read the version again under the lock */
		if (!user_version(st, &v)) {
			*err = db_err(st->db, "cannot read schema version");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (v >= target) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			break;
		}
		/* and its schema: this connection may still hold the tables as
		 * they were before that process's steps, and a migration's DROP
		 * VIEW is refused against such a stale copy ("use DROP TABLE")
		 * without SQLite reading it again; a read of the schema table
		 * checks its version and reloads it */
		if (store_exec(st, "SELECT count(*) FROM sqlite_schema", err) < 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		char *pragma = xasprintf("PRAGMA user_version=%d", v + 1);
		int rc = store_exec(st, migrations[v], err);
		if (rc == 0)
			rc = store_exec(st, pragma, err);
		free(pragma);
		if (rc == 0)
			rc = store_exec(st, "COMMIT", err);
		if (rc < 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		v++;
	}
	return 0;
}

/* ---- mxray_rows: bulk rows from a C array ------------------------------ */

typedef struct {
	sqlite3_vtab base;
} rows_vtab;

typedef struct {
	sqlite3_vtab_cursor base;
	store_rows *rows;
	size_t i;
} rows_cursor;

/* n zeroed bytes from SQLite's allocator (it frees them), or NULL. */
static void *zalloc(size_t n)
{
	void *p = sqlite3_malloc64(n);
	if (p)
		memset(p, 0, n);
	return p;
}

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err)
{
	(void)aux, (void)argc, (void)argv, (void)err;
	int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14,"
					" c15, c16, c17, c18, c19, src HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	rows_vtab *v = zalloc(sizeof *v);
	if (!v)
		return SQLITE_NOMEM;
	*out = &v->base;
	return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

static int rows_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	(void)v;
	rows_cursor *c = zalloc(sizeof *c);
	if (!c)
		return SQLITE_NOMEM;
	*out = &c->base;
	return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc, sqlite3_value **argv)
{
	(void)idxstr;
	rows_cursor *c = (rows_cursor *)cur;
	c->rows = idx == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], "mxray_rows") : NULL;
	c->i = 0;
	return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
	((rows_cursor *)cur)->i++;
	return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
	rows_cursor *c = (rows_cursor *)cur;
	return !c->rows || c->i >= c->rows->nrows;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *cx, int col)
{
	rows_cursor *c = (rows_cursor *)cur;
	if (col < STORE_ROWS_COLS)
		c->rows->column(c->rows->ctx, c->i, col, cx);
	else
		sqlite3_result_null(cx);
	return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out)
{
	*out = (sqlite3_int64)((rows_cursor *)cur)->i;
	return SQLITE_OK;
}

/* The hidden column src must be given (mxray_rows(?)); nothing else is
 * used, and the rows come in the caller's order, which is their rowid's
 * (their index): ORDER BY rowid costs no sort. */
static int rows_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
	(void)v;
	if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == -1 && !info->aOrderBy[0].desc)
		info->orderByConsumed = 1;
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *k = &info->aConstraint[i];
		if (k->iColumn == STORE_ROWS_COLS && k->op == SQLITE_INDEX_CONSTRAINT_EQ) {
			if (!k->usable)
				return SQLITE_CONSTRAINT;
			info->aConstraintUsage[i].argvIndex = 1;
			info->aConstraintUsage[i].omit = 1;
			info->idxNum = 1;
			info->estimatedCost = 1;
			info->estimatedRows = 1000;
			return SQLITE_OK;
		}
	}
	info->idxNum = 0;
	info->estimatedCost = 1e12;
	return SQLITE_OK;
}

static sqlite3_module rows_module = {
	.iVersion = 0,
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

void store_bind_rows(sqlite3_stmt *s, int i, store_rows *rows)
{
	sqlite3_bind_pointer(s, i, rows, "mxray_rows", NULL);
}

int64_t store_step_bulk(store *st, sqlite3_stmt *s, char **err)
{
	int rc = sqlite3_step(s);
	int64_t n = rc == SQLITE_DONE ? sqlite3_changes64(st->db) : -1;
	if (n < 0 && err)
		*err = db_err(st->db, "database write failed");
	sqlite3_reset(s);
	return n;
}

/* SQLite's busy handler: another process holds a lock this connection
 * needs (a writer: an import, infer, a desk's decision; while this one
 * writes in bulk with a rollback journal, a reader in a read transaction
 * too).  Wait for it, up to STORE_BUSY_WAIT seconds, saying so once on a
 * terminal. */
#define STORE_BUSY_WAIT 600
static int busy_wait(void *arg, int count)
{
	store *st = arg;
	double now = mx_clock_s();
	if (count == 0) {
		st->busy_since = now;
		st->busy_said = false;
	}
	double waited = now - st->busy_since;
	if (waited >= STORE_BUSY_WAIT)
		return 0; /* SQLITE_BUSY: "database is locked" */
	if (!st->busy_said && waited >= 2 && isatty(STDERR_FILENO)) {
		fprintf(stderr, "mxray: waiting for another process that has %s locked\n",
			sqlite3_db_filename(st->db, "main"));
		st->busy_said = true;
	}
	sqlite3_sleep(count < 10 ? 5 : 50);
	return 1;
}

/* Put the file in WAL mode (nothing to do when it is).  Changing the
 * journal mode needs the file to itself for a moment, and SQLite does not
 * wait for that with the busy handler: when several processes open a new
 * file at once, all but one got "database is locked" (tests/cli/
 * concurrent.sh, about one round in fifteen).  So wait here, as for any
 * other lock. */
static int set_wal(store *st, char **err)
{
	/* the wait's own start: SQLite calls busy_wait afresh (count 0)
	 * within an attempt, which starts its clock again */
	double start = mx_clock_s();
	for (int n = 0;; n++) {
		int rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || mx_clock_s() - start >= STORE_BUSY_WAIT || !busy_wait(st, n)) {
			*err = db_err(st->db, "database error");
			return -1;
		}
	}
}

/* Bulk writing.  In WAL mode every page a transaction writes is written
 * twice: to the -wal file at commit, and into the database at the next
 * checkpoint; the readers this spares a lock are what WAL is for.  With
 * a rollback journal, the pages a load appends to the file are written
 * once, and only those it changes are first copied to the journal: at 1M
 * domains (synchronous=FULL, two alternating pairs) import took 5.41 and
 * 5.38 s instead of 6.56 and 6.37 s, and a first infer 4.54 and 4.34 s
 * instead of 5.44 and 5.01 s.  So a bulk writer takes that mode when
 * nobody else has the file open (leaving WAL needs the file to itself,
 * and SQLite does not wait for it: this does not either), and puts WAL
 * back when it is done (store_bulk_end, or store_close).
 * Meanwhile a process that opens the file waits for the transaction under
 * way (busy_wait, saying so on a terminal): a writer then puts the file
 * back in WAL (set_wal), and the bulk writer goes on in it. */
bool store_bulk_begin(store *st)
{
	if (st->readonly || st->bulk || !sqlite3_get_autocommit(st->db))
		return false;
	const char *file = sqlite3_db_filename(st->db, "main");
	if (!file || !*file)
		return false; /* in memory: nothing is written twice */
	sqlite3_busy_handler(st->db, NULL, NULL);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=DELETE", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *mode = sqlite3_column_text(s, 0);
		st->bulk = mode && !strcmp((const char *)mode, "delete");
	}
	sqlite3_finalize(s);
	/* a power cut must not corrupt the file in this mode either: the
	 * journal synced before the file is written (NORMAL in WAL mode
	 * promises that; with a rollback journal only FULL does) */
	if (st->bulk)
		sqlite3_exec(st->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	sqlite3_busy_handler(st->db, busy_wait, st);
	return st->bulk;
}

int store_bulk_end(store *st, char **err)
{
	if (!st->bulk)
		return 0;
	st->bulk = false;
	if (set_wal(st, err) < 0)
		return -1;
	return store_exec(st, "PRAGMA synchronous=NORMAL", err);
}

/* A reader's page cache and temporary store (open_common says why a
 * writer's differ). */
#define READER_PRAGMAS " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;"

int64_t store_data_version(store *st, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA data_version", err);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	if (store_read_done(st, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, err) < 0)
		return -1;
	return v;
}

int store_analyze(store *st, char **err)
{
	return store_exec(st, "PRAGMA analysis_limit=1000; ANALYZE;", err);
}

void store_read_mostly(store *st)
{
	sqlite3_exec(st->db, READER_PRAGMAS, NULL, NULL, NULL);
}

/* The map's size: all of a file up to the library's own limit (2 GB in
 * its default build).  At 1M domains, in one sqlite3 shell run each:
 * the name table read in name order 0.30 s read, 0.10 s mapped; the scan
 * rows 0.45 against 0.20 s; the MX records 0.33 against 0.18 s; the time
 * saved was system time, the reads' copies of every page. */
#define STORE_MAP_SIZE "4294967296"

void store_map_reads(store *st, bool on)
{
	sqlite3_exec(st->db, on ? "PRAGMA mmap_size=" STORE_MAP_SIZE : "PRAGMA mmap_size=0", NULL, NULL, NULL);
}

/* A connection to `file` (flags: sqlite3_open_v2's), with the store's
 * busy handler and extended result codes; NULL with *err naming `path`
 * (`again`: a second connection). */
static store *open_connection(const char *path, const char *file, int flags, bool readonly, const char *again,
			      char **err)
{
	store *st = xcalloc(1, sizeof *st);
	st->readonly = readonly;
	/* one thread uses a connection at a time (import's parsing threads
	 * never touch SQLite; infer's second connection is its reading
	 * thread's alone): no mutex around every call */
	if (sqlite3_open_v2(file, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*err = xasprintf("cannot open database %s%s: %s", path, again,
				 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		free(st);
		return NULL;
	}
	/* A reader waits as a writer does: while a bulk writer holds the file
	 * in rollback-journal mode (store_bulk_begin), reading waits for its
	 * transaction. */
	sqlite3_busy_handler(st->db, busy_wait, st);
	sqlite3_extended_result_codes(st->db, 1);
	return st;
}

store *store_open_sibling(store *st, char **err)
{
	const char *file = sqlite3_db_filename(st->db, "main");
	if (!file || !*file || !sqlite3_threadsafe())
		return NULL;
	store *s = open_connection(file, file, SQLITE_OPEN_READONLY, true, " again", err);
	if (s)
		sqlite3_exec(s->db, "PRAGMA mmap_size=" STORE_MAP_SIZE, NULL, NULL, NULL);
	return s;
}

/* Open `file` (a path, or a URI with SQLITE_OPEN_URI); messages name `path`. */
static store *open_common(const char *path, const char *file, int flags, bool readonly, bool *stale, char **err)
{
	store *st = open_connection(path, file, flags, readonly, "", err);
	if (!st)
		return NULL;
	sqlite3_create_module(st->db, "mxray_rows", &rows_module, NULL);
	/* WAL: readers (the review desk) never block a writer; NORMAL sync is
	 * durable across process crashes, which is what kill -9 needs.  A
	 * read-only connection leaves the journal mode as the file has it.
	 * Page cache: 64 MiB for a writer (import and infer write in key
	 * order and read tables once: at 1M they took as long with 64 MiB as
	 * with 256 MiB, and peaked 170-190 MB lower), 256 MiB for readers.
	 * Temporary data of a writer in files, not memory: a statement that
	 * rewrites pages a DELETE freed keeps their old content in its
	 * statement journal, which in memory made infer run again on a 10M
	 * snapshot peak at 4.9 GB (at 1M: 611 MB in memory, 450 MB in files,
	 * no slower).  Deleted content is zeroed only where that costs no
	 * extra write (secure_delete=FAST; the library's default zeroes every
	 * freed page: clearing a 1M snapshot's results took 0.7-1.0 s instead
	 * of 0.25-0.3 s).  The review desk asks for the readers' settings
	 * (store_read_mostly). */
	/* A file made here has pages of 16 KiB (the library's default is 4):
	 * a quarter of the reads and writes, each of a page, for a table
	 * read or loaded whole.  At 1M domains, three alternating runs each:
	 * import 5.87 s with 4 KiB pages, 5.37 s with 16, 5.26 s with 64;
	 * infer 5.02, 4.43 and 4.49 s (two runs); export assignments, report
	 * and stats no slower; the file the same size.  No effect on a file
	 * that has its pages already. */
	if (!readonly)
		sqlite3_exec(st->db, "PRAGMA page_size=16384", NULL, NULL, NULL);
	if ((!readonly && set_wal(st, err) < 0) ||
	    store_exec(st, readonly ? "PRAGMA foreign_keys=ON;" READER_PRAGMAS
				    : "PRAGMA synchronous=NORMAL;"
				      "PRAGMA foreign_keys=ON; PRAGMA temp_store=FILE;"
				      "PRAGMA cache_size=-65536; PRAGMA secure_delete=FAST;", err) < 0 ||
	    migrate(st, err) < 0) {
		char *inner = *err;
		if (!strstr(inner, path)) { /* a full disk's message names it already */
			*err = xasprintf("%s: %s", path, inner);
			free(inner);
		}
		if (stale)
			*stale = st->stale;
		store_close(st);
		return NULL;
	}
	/* a missing name index built again (store_name_index); a failure
	 * (a full disk, a file this user may not write) only says so: the
	 * command can do without it */
	char *ie = NULL;
	if (!readonly && store_name_index(st, false, NULL, &ie) < 0) {
		fprintf(stderr, "mxray: warning: the index of names of %s was not built: %s\n", path, ie);
		free(ie);
	}
	return st;
}

store *store_open(const char *path, char **err)
{
	return open_common(path, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, false, NULL, err);
}

static bool db_missing(const char *path, char **err)
{
	if (strcmp(path, ":memory:") != 0 && access(path, F_OK) != 0) {
		*err = xasprintf("database %s does not exist (create it with 'mxray import')", path);
		return true;
	}
	return false;
}

store *store_open_existing(const char *path, char **err)
{
	if (db_missing(path, err))
		return NULL;
	return open_common(path, path, SQLITE_OPEN_READWRITE, false, NULL, err);
}

/* Whether this process may create files in the directory of `path`. */
static bool dir_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return access(".", W_OK | X_OK) == 0;
	char *dir = slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
	bool ok = access(dir, W_OK | X_OK) == 0;
	free(dir);
	return ok;
}

/* "file:" URI of a path with query `q` (RFC 3986: % ? # and the rest
 * escaped). */
static char *file_uri(const char *path, const char *q)
{
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/._~-", *p))
			sb_add(&sb, p, 1);
		else
			sb_addf(&sb, "%%%02X", *p);
	}
	sb_addf(&sb, "?%s", q);
	return sb_steal(&sb);
}

/* Whether `path` has a rollback journal with something in it: a bulk
 * writer's transaction (store_bulk_begin) under way, or one a killed
 * process left, which only a connection that may write the file can undo
 * (a read-only one fails with SQLITE_READONLY_ROLLBACK). */
static bool has_journal(const char *path)
{
	char *j = xasprintf("%s-journal", path);
	struct stat sj;
	bool yes = stat(j, &sj) == 0 && sj.st_size > 0;
	free(j);
	return yes;
}

/* Let a writable connection read the file once: SQLite rolls back a
 * journal that no live process holds, and waits for one that does. */
static int recover(const char *path, char **err)
{
	store *rw = xcalloc(1, sizeof *rw);
	int rc = sqlite3_open_v2(path, &rw->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_handler(rw->db, busy_wait, rw);
		rc = sqlite3_exec(rw->db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK)
		*err = xasprintf("%s: %s", path, rw->db ? sqlite3_errmsg(rw->db) : "out of memory");
	sqlite3_close(rw->db);
	free(rw);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Whether the file's header says rollback-journal mode (bytes 18 and 19,
 * its write and read versions: 1 for a rollback journal, 2 for WAL): a
 * bulk writer (store_bulk_begin) may be at work, with no -wal to show it
 * and, between its transactions, no -journal either. */
static bool header_rollback(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	unsigned char v[2];
	bool yes = pread(fd, v, 2, 18) == 2 && (v[0] == 1 || v[1] == 1);
	close(fd);
	return yes;
}

store *store_open_readonly(const char *path, char **err)
{
	if (db_missing(path, err))
		return NULL;
	if (!strcmp(path, ":memory:"))
		return open_common(path, path, SQLITE_OPEN_READONLY, true, NULL, err);
	/* A WAL database needs its -shm and -wal files, even to read: SQLite
	 * uses them when they exist and creates them when the directory lets
	 * it (see "Read-Only Databases" in SQLite's WAL documentation).
	 *  - No -wal with content, the file in WAL mode, and the file or its
	 *    directory is not ours to write: nobody is writing it (a writer
	 *    keeps the -wal while it is open; a bulk writer has the file in
	 *    rollback-journal mode, which its header says), and nobody here
	 *    can start: read it as immutable, which needs and makes no side
	 *    files.  In rollback-journal mode a plain read-only connection
	 *    takes the locks it needs on the file opened for reading only.
	 *  - Otherwise a plain read-only connection, which sees concurrent
	 *    writers as any reader does.  When it had to create the -wal and
	 *    -shm, they are removed at close the way SQLite removes them: a
	 *    writable connection, if it is the last one, checkpoints nothing
	 *    and deletes them (the database file is not written). */
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	struct stat sw;
	bool have_wal = stat(wal, &sw) == 0, have_shm = access(shm, F_OK) == 0;
	bool wal_empty = !have_wal || sw.st_size == 0;
	bool writable = access(path, W_OK) == 0 && dir_writable(path);
	bool journal = has_journal(path);
	store *st;
	if (journal && writable && recover(path, err) < 0) {
		free(wal);
		free(shm);
		return NULL;
	}
	if (!writable && wal_empty && !journal && !header_rollback(path)) {
		free(wal);
		free(shm);
		char *uri = file_uri(path, "immutable=1");
		st = open_common(path, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, true, NULL, err);
		free(uri);
		return st;
	}
	bool stale = false;
	st = open_common(path, path, SQLITE_OPEN_READONLY, true, &stale, err);
	if (!st && journal && !writable && has_journal(path)) {
		char *e = xasprintf("%s (%s-journal may hold a write that a process was stopped in: only a process that "
				    "may write the file and its directory can undo it; any mxray command run as such a "
				    "user does, e.g. 'mxray stats --db %s')",
				    *err, path, path);
		free(*err);
		*err = e;
	}
	if (!st && stale) {
		/* An older schema in a file this process may write: migrated
		 * once (as any command always did), then read read-only. */
		free(*err);
		*err = NULL;
		store *rw = store_open_existing(path, err);
		if (!rw)
			return NULL;
		store_close(rw);
		have_wal = access(wal, F_OK) == 0;
		have_shm = access(shm, F_OK) == 0;
		st = open_common(path, path, SQLITE_OPEN_READONLY, true, NULL, err);
	}
	if (st && writable && !have_wal && !have_shm)
		st->tidy = xstrdup(path);
	free(wal);
	free(shm);
	return st;
}

bool store_readonly(store *st)
{
	return st->readonly;
}

void store_close(store *st)
{
	if (!st)
		return;
	for (int i = 0; i < st->nstmts; i++) {
		sqlite3_finalize(st->stmts[i]);
		free((char *)st->sqls[i]);
	}
	if (st->bulk) {
		/* WAL again, without waiting long for anyone: a writer that
		 * opens the file next puts it back itself (set_wal) */
		sqlite3_busy_timeout(st->db, 1000);
		sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	}
	sqlite3_close(st->db);
	if (st->tidy) {
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;
		if (sqlite3_open_v2(st->tidy, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema LIMIT 1", -1, &s, NULL) == SQLITE_OK)
			sqlite3_step(s);
		sqlite3_finalize(s);
		sqlite3_close(db);
		free(st->tidy);
	}
	free(st->error);
	free(st);
}

sqlite3 *store_db(store *st)
{
	return st->db;
}

int store_begin(store *st, char **err)
{
	/* The outermost level takes the write lock at once (BEGIN
	 * IMMEDIATE): a deferred transaction that reads first and writes
	 * later fails at its first write when another process committed
	 * meanwhile, and what it read may be stale (import's name cache). */
	bool outer = st->depth == 0 && !st->readonly && sqlite3_get_autocommit(st->db);
	if (outer && store_exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	char sql[48];
	snprintf(sql, sizeof sql, "SAVEPOINT sp%d", st->depth);
	if (store_exec(st, sql, err) < 0) {
		if (outer)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (outer)
		st->outer = true;
	st->depth++;
	return 0;
}

int store_commit(store *st, char **err)
{
	char sql[48];
	snprintf(sql, sizeof sql, "RELEASE sp%d", st->depth - 1);
	if (store_exec(st, sql, err) < 0)
		return -1;
	st->depth--;
	if (st->depth == 0 && st->outer) {
		st->outer = false;
		if (store_exec(st, "COMMIT", err) < 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

void store_rollback(store *st)
{
	char sql[80];
	if (st->depth <= 0)
		return;
	snprintf(sql, sizeof sql, "ROLLBACK TO sp%d; RELEASE sp%d", st->depth - 1, st->depth - 1);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	st->depth--;
	if (st->depth == 0 && st->outer) {
		st->outer = false;
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

int store_read_begin(store *st, char **err)
{
	return store_exec(st, "BEGIN DEFERRED", err);
}

void store_read_end(store *st)
{
	for (int i = 0; i < st->nstmts; i++)
		sqlite3_reset(st->stmts[i]);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int store_read_enter(store *st, bool *own, char **err)
{
	*own = false;
	if (!sqlite3_get_autocommit(st->db))
		return 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(st->db, NULL); s; s = sqlite3_next_stmt(st->db, s))
		if (sqlite3_stmt_busy(s))
			return 0;
	if (store_read_begin(st, err) < 0)
		return -1;
	*own = true;
	return 0;
}

void store_read_leave(store *st, bool own)
{
	if (own)
		store_read_end(st);
}

sqlite3_stmt *store_prepare(store *st, const char *sql, char **err)
{
	/* by text, not pointer: callers may build SQL in a reused buffer */
	for (int i = 0; i < st->nstmts; i++)
		if (strcmp(st->sqls[i], sql) == 0) {
			sqlite3_reset(st->stmts[i]);
			sqlite3_clear_bindings(st->stmts[i]);
			return st->stmts[i];
		}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		if (err)
			*err = db_err(st->db, "cannot prepare statement");
		else
			store_note_error(st);
		return NULL;
	}
	if (st->nstmts < MAX_STMTS) {
		st->stmts[st->nstmts] = s;
		st->sqls[st->nstmts] = xstrdup(sql);
		st->nstmts++;
	} else {
		/* Should not happen: the statement set is fixed by the code. */
		fprintf(stderr, "mxray: internal error: statement cache full\n");
		abort();
	}
	return s;
}

char *store_column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

void store_bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n, bool present)
{
	if (present)
		sqlite3_bind_blob64(s, i, v ? v : "", n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int store_step_write(store *st, sqlite3_stmt *s, char **err)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		if (err)
			*err = db_err(st->db, "database write failed");
		sqlite3_reset(s);
		return -1;
	}
	int n = sqlite3_changes(st->db);
	sqlite3_reset(s);
	return n;
}

int store_snapshot_add(store *st, const char *date, char **err)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT OR IGNORE INTO snapshot(date, created_at) "
		"VALUES(?1, strftime('%Y-%m-%dT%H:%M:%fZ','now'))", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, date);
	return store_step_write(st, s, err) < 0 ? -1 : 0;
}

/* End a one-row read: rc is the first step's result.  1 with the row
 * read, 0 with none, -1 with *err (when err is not NULL) on an error. */
static int read_one_done(store *st, sqlite3_stmt *s, int rc, char **err)
{
	int found = rc == SQLITE_ROW;
	if (found)
		rc = SQLITE_DONE; /* the rest of the rows are not wanted */
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return found;
	if (err)
		*err = db_err(st->db, "database error");
	else
		store_note_error(st);
	return -1;
}

void store_note_error(store *st)
{
	if (!st->error)
		st->error = db_err(st->db, "database error");
}

char *store_take_error(store *st)
{
	char *e = st->error;
	st->error = NULL;
	return e;
}

/* The first row's date of `sql` (bound to `after` as ?1 when not NULL)
 * into buf: 1, 0 when no row, -1 with *err. */
static int snapshot_date(store *st, const char *sql, const char *after, char buf[11], char **err)
{
	sqlite3_stmt *s = store_prepare(st, sql, err);
	if (!s)
		return -1;
	if (after)
		store_bind_text(s, 1, after);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		snprintf(buf, 11, "%s", (const char *)sqlite3_column_text(s, 0));
		found = 1;
	}
	return read_one_done(st, s, rc, err) < 0 ? -1 : found;
}

int store_snapshot_newest(store *st, char buf[11], char **err)
{
	return snapshot_date(st, "SELECT date FROM snapshot ORDER BY derived DESC, date DESC LIMIT 1", NULL, buf, err);
}

int store_snapshot_unfinished_after(store *st, const char *date, char buf[11], char **err)
{
	return snapshot_date(st, "SELECT max(date) FROM snapshot WHERE derived = 0 AND date > ?1", date, buf, err);
}

int store_write_alone(store *st, sqlite3_stmt *s, int64_t *rowid, char **err)
{
	if (store_begin(st, err) < 0) {
		sqlite3_reset(s);
		return -1;
	}
	int n = store_step_write(st, s, err);
	if (rowid)
		*rowid = sqlite3_last_insert_rowid(st->db);
	if (n < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return n;
}

int store_read_done(store *st, sqlite3_stmt *s, int rc, char **err)
{
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	*err = db_err(st->db, "database error");
	return -1;
}

int store_snapshot_find(store *st, const char *date, int64_t *id, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM snapshot WHERE date = ?1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, date);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && id)
		*id = sqlite3_column_int64(s, 0);
	return read_one_done(st, s, rc, err);
}

bool store_snapshot_exists(store *st, const char *date)
{
	return store_snapshot_find(st, date, NULL, NULL) == 1;
}

long store_snapshot_dates(store *st, char (**dates)[11], char **err)
{
	*dates = NULL;
	sqlite3_stmt *s = store_prepare(st, "SELECT date FROM snapshot ORDER BY date", err);
	if (!s)
		return -1;
	long n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*dates = xrealloc(*dates, (size_t)(n + 1) * sizeof **dates);
		snprintf((*dates)[n++], 11, "%s", (const char *)sqlite3_column_text(s, 0));
	}
	if (store_read_done(st, s, rc, err) < 0) {
		free(*dates);
		*dates = NULL;
		return -1;
	}
	return n;
}

int store_list_find(store *st, const char *list, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM target WHERE list = ?1 LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, list);
	return read_one_done(st, s, sqlite3_step(s), err);
}

bool store_list_exists(store *st, const char *list)
{
	return store_list_find(st, list, NULL) == 1;
}

char *store_list_names(store *st)
{
	strbuf names;
	sb_init(&names);
	sqlite3_stmt *s = store_prepare(st, "SELECT DISTINCT list FROM target ORDER BY list", NULL);
	int rc = SQLITE_DONE;
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW)
		sb_addf(&names, "%s%s", names.len ? ", " : "", (const char *)sqlite3_column_text(s, 0));
	if (s) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			store_note_error(st);
	}
	return sb_steal(&names);
}

int64_t store_snapshot_id(store *st, const char *date)
{
	int64_t id = -1;
	return store_snapshot_find(st, date, &id, NULL) == 1 ? id : -1;
}

int64_t store_list_id(store *st, const char *list, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR IGNORE INTO list(name) VALUES(?1)", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, list);
	if (store_step_write(st, s, err) < 0)
		return -1;
	s = store_prepare(st, "SELECT id FROM list WHERE name = ?1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, list);
	int64_t id = -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return id;
}

int store_snapshot_derived(store *st, const char *date, char **err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT derived FROM snapshot WHERE date = ?1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, date);
	int v = 1, rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		v = sqlite3_column_int(s, 0) != 0;
		rc = sqlite3_step(s);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return v;
}

int store_load_u32(store *st, const char *sql, int64_t snap, int ncols, u32vec *out, char **err)
{
	sqlite3_stmt *s = store_prepare(st, sql, err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		for (int i = 0; i < ncols; i++)
			u32vec_push(&out[i], (uint32_t)sqlite3_column_int64(s, i));
	return store_read_done(st, s, rc, err);
}
