// What an analyst's SQL engine does with mxgen's files, for README's
// comparison ("Speed"): DuckDB, two threads, in memory, reads dns.jsonl and
// scans-censys.jsonl (the columns it needs) and answers every domain by its
// primary MX hosts (lowest preference), each host by the first certificate
// name of one of its addresses, else by its own name; a provider is a
// name's last two labels (no public suffix list, no banners, heuristics or
// decisions; nothing written to disk).  It prints each step's seconds and
// the domains answered, the answers and the providers.
//
//   npm install --prefix /tmp/duck @duckdb/node-api
//   NODE_PATH=/tmp/duck/node_modules node tools/duckdb-e2e.js DIR
//
// DIR: an mxgen output directory (make bench keeps them under
// /tmp/mxray-bench/data-N).  Not part of the build or the tests.
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const D = process.argv[2];
  const t0 = Date.now();
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await inst.connect();
  const q = async (sql) => { const r = await con.runAndReadAll(sql); return r.getRows(); };
  await q(`CREATE TABLE dns AS SELECT lower(rtrim(query_name,'.')) AS domain, response_type AS rt,
    lower(rtrim(response_name,'.')) AS rname, lower(rtrim(mx_address,'.')) AS mx, mx_preference AS pref, ip4_address AS ip
    FROM read_json('${D}/dns.jsonl', format='newline_delimited', ignore_errors=true, columns={query_name:'VARCHAR', response_type:'VARCHAR',
    response_name:'VARCHAR', mx_address:'VARCHAR', mx_preference:'INTEGER', ip4_address:'VARCHAR'})`);
  const t1 = Date.now();
  await q(`CREATE TABLE scan AS SELECT ip, p25.smtp.starttls.tls.certificate.parsed.names AS names
    FROM read_json('${D}/scans-censys.jsonl', format='newline_delimited', ignore_errors=true, columns={ip:'VARCHAR',
    p25:'STRUCT(smtp STRUCT(starttls STRUCT(tls STRUCT(certificate STRUCT(parsed STRUCT(names VARCHAR[]))))))'})`);
  const t2 = Date.now();
  const rows = await q(`
    WITH pm AS (SELECT domain, mx FROM (SELECT domain, mx, pref, min(pref) OVER (PARTITION BY domain) AS mp
                FROM dns WHERE rt = 'MX') WHERE pref = mp),
         hip AS (SELECT DISTINCT rname AS host, ip FROM dns WHERE rt = 'A'),
         ic AS (SELECT ip, regexp_extract(lower(names[1]), '[^.]+\\.[^.]+$') AS cp FROM scan WHERE len(names) > 0),
         hp AS (SELECT m.mx AS host, min(ic.cp) AS cp FROM (SELECT DISTINCT mx FROM pm) m
                LEFT JOIN hip ON hip.host = m.mx LEFT JOIN ic ON ic.ip = hip.ip GROUP BY m.mx),
         ans AS (SELECT DISTINCT pm.domain, coalesce(hp.cp, regexp_extract(pm.mx, '[^.]+\\.[^.]+$')) AS provider
                 FROM pm LEFT JOIN hp ON hp.host = pm.mx)
    SELECT count(DISTINCT domain), count(*), (SELECT count(*) FROM (SELECT provider FROM ans GROUP BY provider)) FROM ans`);
  const t3 = Date.now();
  console.log(`dns ${(t1-t0)/1000} s, scans ${(t2-t1)/1000} s, answers ${(t3-t2)/1000} s, total ${(t3-t0)/1000} s:`, rows[0].map(String).join(' '));
})();
