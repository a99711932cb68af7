#!/bin/sh
# CLI end-to-end tests on sample-data/: the real binary, a real SQLite file.
# Expected numbers are checked against what the input files say where a
# shell tool can count it independently (wc, grep, sort), and exactly.
# Usage: tests/cli/run.sh /path/to/mxray /path/to/mxgen
set -u
MXRAY=$1
MXGEN=$2
SD=$(cd "$(dirname "$0")/../../sample-data" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/t.db
. "$(dirname "$0")/check.sh" # pass, fail, ok, bad, eq

# has NAME NEEDLE FILE: the file contains the line fragment
has() {
	if grep -qF -- "$2" "$3"; then ok; else bad "$1: [$2] not in $3:"; sed 's/^/    /' "$3" | head -20; fi
}
# status NAME EXPECTED-EXIT command...
status() {
	name=$1 want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else bad "$name: exit $got, expected $want"; sed 's/^/    /' "$T/err" | head -5; fi
}

import_sample() { # DB [extra options]
	db=$1
	shift
	"$MXRAY" import --db "$db" --snapshot 2021-06-08 --quiet "$@" \
		--list alexa --targets "$SD/targets-alexa.txt" \
		--list com --targets "$SD/targets-com.txt" \
		--list gov --targets "$SD/targets-gov.txt" \
		--dns "$SD/dns.jsonl" \
		--scans "$SD/scans-censys.jsonl" --scans "$SD/scans-zgrab2.jsonl" --scans "$SD/scans-censys2.jsonl" \
		--pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt"
}

echo "cli: usage and help"
status "help" 0 "$MXRAY" --help
has "help lists import" "  import " "$T/out"
status "no command" 2 "$MXRAY"
status "unknown command" 2 "$MXRAY" frobnicate
has "unknown command message" "mxray: 'frobnicate' is not a command" "$T/err"
status "import --help" 0 "$MXRAY" import --help
has "import help shows --strict" "--strict" "$T/out"
eq "import --help: --snapshot is not always required" "  --snapshot YYYY-MM-DD    the date the data describes (required unless only --asorg is given; given alone: finish a stopped import)" \
	"$(grep -- '^  --snapshot' "$T/out")"
status "import --asorg alone" 0 "$MXRAY" import --db "$T/asorg.db" --asorg "$SD/as2org.txt"
status "help --help" 0 "$MXRAY" help --help
eq "help --help: --db is ignored, and says so" "  --db FILE                accepted and ignored (help reads no database)" "$(grep -- '^  --db' "$T/out")"
status "help with --db" 0 "$MXRAY" help stats --db "$T/nope.db"
eq "stats --help: what 'all' is" "The rows of list 'all' count every domain of the snapshot's MX queries: with an MX
record, with a failed MX lookup, or answered with no MX record (NODATA).  'all' is
no imported list: no target rows name it." "$("$MXRAY" stats --help | sed -n '/^The rows of list/,/^$/p' | sed '/^$/d')"
status "import without snapshot" 2 "$MXRAY" import --db "$DB" --dns "$SD/dns.jsonl"
has "snapshot required" "--snapshot YYYY-MM-DD is required" "$T/err"
status "bad date" 2 "$MXRAY" import --db "$DB" --snapshot 2021-02-30 --dns "$SD/dns.jsonl"
status "targets without list" 2 "$MXRAY" import --db "$DB" --snapshot 2021-06-08 --targets "$SD/targets-gov.txt"
status "reserved list name" 2 "$MXRAY" import --db "$DB" --snapshot 2021-06-08 --list all --targets "$SD/targets-gov.txt"
eq "reserved list name: what 'all' is" "mxray import: the list name 'all' is reserved: it stands for every domain of the MX queries (with an MX record, a failed MX lookup or NODATA)
Try 'mxray import --help'." "$(cat "$T/err")"
status "stdin twice" 2 "$MXRAY" import --db "$DB" --snapshot 2021-06-08 --dns - --scans -
status "stats on a missing db" 1 "$MXRAY" stats --db "$T/nope.db"
has "missing db message" "does not exist" "$T/err"
status "missing file" 1 "$MXRAY" import --db "$DB" --snapshot 2021-06-08 --dns "$T/nope.jsonl"
has "missing file message" "cannot open $T/nope.jsonl: No such file or directory" "$T/err"
rm -f "$DB" "$DB-wal" "$DB-shm"

echo "cli: the generator is deterministic and made sample-data/"
"$MXGEN" --domains 3000 --seed 2021 --date 2021-06-08 --out "$T/gen" 2>/dev/null
for f in dns.jsonl scans-censys.jsonl scans-zgrab2.jsonl scans-censys2.jsonl pfx2as.txt as2org.txt \
	targets-alexa.txt targets-com.txt targets-gov.txt truth.csv; do
	if cmp -s "$T/gen/$f" "$SD/$f"; then ok; else bad "sample-data/$f differs from mxgen's output"; fi
done
for e in 1 2; do
	d=2021-09-08
	[ $e = 2 ] && d=2021-12-08
	"$MXGEN" --domains 3000 --seed 2021 --date $d --epoch $e --out "$T/gen$e" 2>/dev/null
	for f in dns.jsonl scans-censys.jsonl scans-zgrab2.jsonl scans-censys2.jsonl targets-alexa.txt targets-com.txt \
		targets-gov.txt truth.csv; do
		if cmp -s "$T/gen$e/$f" "$SD/$d/$f"; then ok; else bad "sample-data/$d/$f differs from mxgen's output"; fi
	done
	for f in pfx2as.txt as2org.txt; do
		if cmp -s "$T/gen$e/$f" "$SD/$f"; then ok; else bad "epoch $e's $f is not the first snapshot's"; fi
	done
	rm -rf "$T/gen$e"
done
status "mxgen usage" 2 "$MXGEN" --domains 0
rm -rf "$T/gen"

echo "cli: import sample-data"
import_sample "$DB" 2>"$T/import.log"
eq "import exit" 0 $?
# the file as the import left it, for the tests below that start from it
# (a copy: the same import again takes a second, several under ASan)
cp "$DB" "$T/imported.db"
[ ! -e "$DB-wal" ] || cp "$DB-wal" "$T/imported.db-wal"
imported() { cp "$T/imported.db" "$1" && { [ ! -e "$T/imported.db-wal" ] || cp "$T/imported.db-wal" "$1-wal"; }; }
has "targets summary" "targets $SD/targets-alexa.txt: 907 lines, 907 imported, 0 already present, 0 skipped" "$T/import.log"
has "dns summary" "dns $SD/dns.jsonl: 7616 lines, 7478 imported, 50 already present, 0 skipped, 29 failed lookups, 14 empty answers, 45 ignored (AAAA and other record types)" "$T/import.log"
has "censys summary (raw-byte banners kept)" "scans $SD/scans-censys.jsonl: 926 lines, 926 imported, 0 already present, 0 skipped" "$T/import.log"
has "pfx2as summary" "pfx2as $SD/pfx2as.txt: 114 lines, 108 imported, 0 already present, 0 skipped, 6 ignored (IPv6 prefixes)" "$T/import.log"
"$MXRAY" stats --db "$DB" --format csv >"$T/stats.csv"
cat >"$T/stats.want" <<'EOF'
snapshot,list,domains,with_mx,failed_lookups,mx_hosts,ips,ips_scanned,ips_port25,ips_trusted_cert,ips_with_asn
2021-06-08,alexa,907,897,6,619,553,522,511,334,553
2021-06-08,com,1674,1644,18,707,630,598,577,339,630
2021-06-08,gov,457,449,5,471,328,312,309,246,328
2021-06-08,all,3002,2959,29,1658,1202,1129,1094,641,1202
EOF
if cmp -s "$T/stats.want" "$T/stats.csv"; then ok; else bad "stats differ:"; diff "$T/stats.want" "$T/stats.csv"; fi
# the same numbers counted straight from the files
for l in alexa com gov; do
	n=$(sort -u "$SD/targets-$l.txt" | wc -l | tr -d ' ')
	eq "$l domains = unique lines of targets-$l.txt" "$n" "$(grep ",$l," "$T/stats.csv" | cut -d, -f3)"
done
n=$(grep -c '"status_code":[1-9]' "$SD/dns.jsonl")
eq "failed lookups = rows with a non-zero status_code" "$n" "$(grep ',all,' "$T/stats.csv" | cut -d, -f5)"
n=$(grep '"response_type":"MX"' "$SD/dns.jsonl" | sed 's/.*"query_name":"\([^"]*\)".*/\1/' | tr 'A-Z' 'a-z' |
	sed 's/\.$//' | sort -u | wc -l | tr -d ' ')
eq "domains with MX = distinct query_names of MX rows" "$n" "$(grep ',all,' "$T/stats.csv" | cut -d, -f4)"
n=$(cat "$SD"/scans-*.jsonl | sed 's/^{"ip":"\([0-9.]*\)".*/\1/' | sort -u | wc -l | tr -d ' ')
eq "scan records = distinct IPs of the scan files" "$n" "$(sqlite3 "$DB" 'SELECT count(*) FROM scan')"
eq "raw invalid UTF-8 kept byte for byte" "1" \
	"$(sqlite3 "$DB" "SELECT count(*) > 0 FROM scan WHERE instr(banner, x'fffe') > 0")"

echo "cli: re-import adds nothing"
sqlite3 "$DB" 'SELECT (SELECT count(*) FROM mx), (SELECT count(*) FROM a), (SELECT count(*) FROM scan), (SELECT count(*) FROM asn), (SELECT count(*) FROM target), (SELECT count(*) FROM mx_ip)' >"$T/before"
import_sample "$DB" 2>"$T/import2.log"
eq "re-import exit" 0 $?
eq "re-import imports nothing" "" "$(grep -v ' 0 imported' "$T/import2.log")"
sqlite3 "$DB" 'SELECT (SELECT count(*) FROM mx), (SELECT count(*) FROM a), (SELECT count(*) FROM scan), (SELECT count(*) FROM asn), (SELECT count(*) FROM target), (SELECT count(*) FROM mx_ip)' >"$T/after"
if cmp -s "$T/before" "$T/after"; then ok; else bad "row counts changed on re-import"; fi

echo "cli: bad input, --strict, standard input"
cp "$SD/dns.jsonl" "$T/bad.jsonl"
printf '%s\n' '{"query_name":"x.org","response_type":"MX","mx_address":"mx.x.org","mx_preference":-1}' \
	'not json' '{"query_name":"y.org","response_type":"A","response_name":"y.org","ip4_address":"1.2.3.999"}' >>"$T/bad.jsonl"
status "strict import fails" 1 "$MXRAY" import --db "$DB" --snapshot 2021-06-09 --strict --quiet --dns "$T/bad.jsonl"
has "strict names file and line" "$T/bad.jsonl:7617: mx_preference is not an integer in 0..65535" "$T/err"
has "strict says nothing committed" "aborted (--strict): nothing was committed" "$T/err"
eq "strict left no snapshot" "0" "$(sqlite3 "$DB" "SELECT count(*) FROM snapshot WHERE date = '2021-06-09'")"
status "lenient import" 0 "$MXRAY" import --db "$DB" --snapshot 2021-06-09 --quiet --dns "$T/bad.jsonl"
has "lenient reports line 7618" "$T/bad.jsonl:7618: malformed JSON" "$T/err"
has "lenient reports line 7619" "$T/bad.jsonl:7619: ip4_address is not an IPv4 address" "$T/err"
has "lenient counts skipped" "7619 lines, 7478 imported, 50 already present, 3 skipped" "$T/err"
# issue 13: a label may not begin or end with a hyphen
printf '%s\n' '{"query_type":"MX","query_name":"ok.example.com.","response_type":"MX","response_name":"ok.example.com.","mx_address":"mx.ok.example.com.","mx_preference":10,"status_code":0}' \
	'{"query_type":"MX","query_name":"-cmd.example.com.","response_type":"MX","response_name":"-cmd.example.com.","mx_address":"mx.example.com.","mx_preference":10,"status_code":0}' >"$T/hyphen.jsonl"
status "import with a hyphen-edged label" 0 "$MXRAY" import --db "$T/hyphen.db" --snapshot 2021-06-08 --quiet --dns "$T/hyphen.jsonl"
has "hyphen-edged label named with file and line" "$T/hyphen.jsonl:2: query_name: label begins or ends with '-' in name" "$T/err"
has "hyphen-edged line skipped" "dns $T/hyphen.jsonl: 2 lines, 1 imported, 0 already present, 1 skipped" "$T/err"
eq "no hyphen-edged name stored" "0" "$(sqlite3 "$T/hyphen.db" "SELECT count(*) FROM name WHERE name LIKE '%cmd%'")"
status "correct --domain with a hyphen-edged label" 1 "$MXRAY" correct --db "$T/hyphen.db" --domain -cmd.example.com --confirm
has "correct says why" "mxray correct: '-cmd.example.com' is not a domain name: label begins or ends with '-' in name" "$T/err"
eq "no decision recorded" "0" "$(sqlite3 "$T/hyphen.db" "SELECT count(*) FROM correction")"
"$MXRAY" import --db "$T/stdin.db" --snapshot 2021-06-08 --quiet --dns - <"$SD/dns.jsonl" 2>"$T/err"
eq "stdin import exit" 0 $?
has "stdin summary" "dns <stdin>: 7616 lines, 7478 imported" "$T/err"
# compressed input, recognised by content (under the plain files' names):
# the same summaries, counts and stats as the plain files
mkdir -p "$T/z"
gzip -c "$SD/dns.jsonl" >"$T/z/dns.jsonl"
for s in censys zgrab2 censys2; do zstd -q -c "$SD/scans-$s.jsonl" >"$T/z/scans-$s.jsonl"; done
xz -c "$SD/pfx2as.txt" >"$T/z/pfx2as.txt"
gzip -c "$SD/as2org.txt" >"$T/z/as2org.txt"
"$MXRAY" import --db "$T/z.db" --snapshot 2021-06-08 --quiet \
	--list alexa --targets "$SD/targets-alexa.txt" --list com --targets "$SD/targets-com.txt" \
	--list gov --targets "$SD/targets-gov.txt" --dns "$T/z/dns.jsonl" \
	--scans "$T/z/scans-censys.jsonl" --scans "$T/z/scans-zgrab2.jsonl" --scans "$T/z/scans-censys2.jsonl" \
	--pfx2as "$T/z/pfx2as.txt" --asorg "$T/z/as2org.txt" 2>"$T/z.log"
eq "compressed import exit" 0 $?
sed "s|$T/z/|$SD/|" "$T/z.log" >"$T/z.log2"
if cmp -s "$T/import.log" "$T/z.log2"; then ok; else bad "compressed import summaries differ:"; diff "$T/import.log" "$T/z.log2"; fi
sqlite3 "$T/z.db" 'SELECT (SELECT count(*) FROM mx), (SELECT count(*) FROM a), (SELECT count(*) FROM scan), (SELECT count(*) FROM asn), (SELECT count(*) FROM target), (SELECT count(*) FROM mx_ip)' >"$T/z.counts"
if cmp -s "$T/before" "$T/z.counts"; then ok; else bad "compressed import row counts differ"; fi
"$MXRAY" stats --db "$T/z.db" --format csv >"$T/z.stats"
if cmp -s "$T/stats.want" "$T/z.stats"; then ok; else bad "compressed import stats differ:"; diff "$T/stats.want" "$T/z.stats"; fi
xz -c "$SD/dns.jsonl" | "$MXRAY" import --db "$T/zin.db" --snapshot 2021-06-08 --quiet --dns - 2>"$T/err"
eq "xz on stdin exit" 0 $?
has "xz on stdin summary" "dns <stdin>: 7616 lines, 7478 imported" "$T/err"
# a truncated gzip file: an error naming it, where it broke, nothing of it kept
# (the targets file before it stays)
size=$(wc -c <"$T/z/dns.jsonl" | tr -d ' ')
head -c $((size / 2)) "$T/z/dns.jsonl" >"$T/z/cut.gz"
status "truncated gzip fails" 1 "$MXRAY" import --db "$T/cut.db" --snapshot 2021-06-08 --quiet \
	--list gov --targets "$SD/targets-gov.txt" --dns "$T/z/cut.gz"
has "truncated gzip named, with the byte" "$T/z/cut.gz: truncated gzip data: the file ends at compressed byte $((size / 2)), inside the compressed stream (in line " "$T/err"
eq "nothing of the truncated file kept" "0|0|0|0|0" \
	"$(sqlite3 "$T/cut.db" "SELECT (SELECT count(*) FROM mx), (SELECT count(*) FROM a), (SELECT count(*) FROM cname), (SELECT count(*) FROM lookup_fail), (SELECT count(*) FROM import_log WHERE kind = 'dns')")"
eq "the file before it kept" "457" "$(sqlite3 "$T/cut.db" "SELECT count(*) FROM target")"
# a byte changed in a zstd file (the zstd command writes a checksum)
cp "$T/z/scans-censys.jsonl" "$T/z/bad.zst"
printf 'X' | dd of="$T/z/bad.zst" bs=1 seek=2000 conv=notrunc 2>/dev/null
status "corrupt zstd fails" 1 "$MXRAY" import --db "$T/cut.db" --snapshot 2021-06-08 --quiet --scans "$T/z/bad.zst"
has "corrupt zstd named" "$T/z/bad.zst: corrupt or truncated zstd data at compressed byte " "$T/err"
eq "nothing of the corrupt file kept" "0" "$(sqlite3 "$T/cut.db" "SELECT count(*) FROM scan")"
# an archive is refused, not read as lines
(cd "$SD" && tar -cf "$T/z/dns.tar" dns.jsonl)
status "tar refused" 1 "$MXRAY" import --db "$T/cut.db" --snapshot 2021-06-08 --quiet --dns "$T/z/dns.tar"
has "tar refusal" "$T/z/dns.tar: a tar archive, not a data file: extract the file to import from it first" "$T/err"

echo "cli: infer on sample-data"
status "infer" 0 "$MXRAY" infer --db "$DB" --snapshot 2021-06-08 --quiet
status "infer bad approach" 2 "$MXRAY" infer --db "$DB" --approach best
status "infer bad kb" 1 "$MXRAY" infer --db "$DB" --kb "$SD/truth.csv"
has "bad kb named" "$SD/truth.csv" "$T/err"
# Accuracy against the truth, per approach: the set of companies (or IDs
# where there is no company) must equal the truth's, case-insensitively.
for a in mx cert banner priority; do
	"$MXRAY" export --db "$DB" --snapshot 2021-06-08 assignments --approach $a >"$T/$a.csv"
done
"$MXRAY" export --db "$DB" --snapshot 2021-06-08 assignments >"$T/final.csv"
has "assignments header" "snapshot,domain,provider_id,company,weight,source,confidence,status,reason" "$T/final.csv"
cat >"$T/acc.sql" <<EOF
.mode csv
CREATE TABLE truth(domain TEXT, truth TEXT);
.import $SD/truth.csv truth
DELETE FROM truth WHERE domain = 'domain';
EOF
for a in mx cert banner priority final; do
	cat >>"$T/acc.sql" <<EOF
CREATE TABLE r_$a(snapshot, domain, provider_id, company, weight, source, confidence, status, reason);
.import $T/$a.csv r_$a
DELETE FROM r_$a WHERE snapshot = 'snapshot';
EOF
done
echo ".mode list" >>"$T/acc.sql"
for a in mx cert banner priority final; do
	cat >>"$T/acc.sql" <<EOF
SELECT '$a', sum(lower(x.ans) = lower(t.truth)), count(*) FROM truth t LEFT JOIN
 (SELECT domain, group_concat(p, ';') AS ans FROM
   (SELECT domain, CASE company WHEN '' THEN provider_id ELSE company END AS p FROM r_$a ORDER BY domain, p)
  GROUP BY domain) x USING (domain);
EOF
done
sqlite3 "$T/acc.db" <"$T/acc.sql" >"$T/acc.txt"
echo "cli: accuracy on sample-data (correct|labelled):"
sed 's/^/    /' "$T/acc.txt"
cat >"$T/acc.want" <<'EOF'
mx|2889|2945
cert|2917|2945
banner|2869|2945
priority|2897|2945
final|2936|2945
EOF
if cmp -s "$T/acc.want" "$T/acc.txt"; then ok; else bad "accuracy differs:"; diff "$T/acc.want" "$T/acc.txt"; fi
# issue 15: names under co.za, org.za and gov.za (the list has no rule "za")
# have the registered domains the Public Suffix List gives them, by every
# path: provider ID, company and source of the answers of mx, cert,
# banner, priority and final, in that order
za() {
	for a in mx cert banner priority final; do grep "^2021-06-08,$1," "$T/$a.csv"; done |
		cut -d, -f3,4,6 | tr '\n' ' ' | sed 's/ $//'
}
m=mimecast.co.za,Mimecast
eq "co.za: Mimecast's South African region" "$m,mx $m,cert $m,banner $m,cert $m,cert" "$(za karoofoods.co.za)"
eq "org.za: Mimecast's South African region" "$m,mx $m,cert $m,banner $m,cert $m,cert" "$(za rhinotrust.org.za)"
f=fynbos-hosting.co.za,
eq "org.za at a co.za web host" "$f,mx $f,cert $f,banner $f,cert $f,cert" "$(za wildlife.org.za)"
eq ".com at a co.za web host" "$f,mx $f,cert $f,banner $f,cert $f,cert" "$(za proteasoftware.com)"
f=shop.co.za,
eq "co.za self-hosted (mx.shop.co.za)" "$f,mx $f,cert $f,banner $f,cert $f,cert" "$(za shop.co.za)"
f=durban.gov.za,
eq "gov.za self-hosted" "$f,mx $f,cert $f,banner $f,cert $f,cert" "$(za durban.gov.za)"
f=birdclub.org.za,
eq "org.za self-hosted, no STARTTLS" "$f,mx $f,mx $f,banner $f,banner $f,banner" "$(za birdclub.org.za)"
eq "the truth of the seven" "7" "$(grep -cE '^([a-z]+\.(co|org|gov)\.za|proteasoftware\.com),' "$SD/truth.csv")"
"$MXRAY" export --db "$DB" --snapshot 2021-06-08 providers >"$T/providers.csv"
eq "providers header" "Provider,Domains_of_Provider" "$(head -1 "$T/providers.csv")"
eq "providers top rows" "GoDaddy,508.0 Google,454.0 Microsoft,330.0" "$(sed -n '2,4p' "$T/providers.csv" | tr '\n' ' ' | sed 's/ $//')"
eq "provider shares sum to the answered domains" "2951" \
	"$(awk -F, 'NR > 1 { s += $NF } END { printf "%d", s + 0.5 }' "$T/providers.csv")"
"$MXRAY" export --db "$DB" --snapshot 2021-06-08 providers --list gov >"$T/gov.csv"
eq "gov list top provider" "Microsoft" "$(sed -n 2p "$T/gov.csv" | cut -d, -f1)"
"$MXRAY" export --db "$DB" assignments --format jsonl | head -1 >"$T/one.jsonl"
has "jsonl row" '"snapshot":"2021-06-08"' "$T/one.jsonl"

echo "cli: the paper's hard cases in the final answer"
row() { grep "^2021-06-08,$1," "$T/final.csv" | cut -d, -f3-8 | tr '\n' ' ' | sed 's/ $//'; }
d=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' AND reason LIKE 'AS suggestion%Cisco%' ORDER BY domain LIMIT 1")
eq "Cisco customer certificate -> iphmx.com" "iphmx.com,Cisco,1.0,cert,1,heuristic" "$(row "$d")"
d=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' AND reason LIKE 'AS mismatch%not an AS of Google%' ORDER BY domain LIMIT 1")
eq "fake mx.google.com banner falls back to the MX" "$d,,1.0,mx,1,heuristic" "$(row "$d")"
d=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' AND reason LIKE 'hostname pattern:%secureserver.net%' ORDER BY domain LIMIT 1")
eq "GoDaddy VPS banner -> the customer's own" "$d,,1.0,mx,1,heuristic" "$(row "$d")"
eq "split domains" "9" "$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT domain FROM result WHERE approach = 'final' GROUP BY domain HAVING count(*) > 1)")"

echo "cli: the views join through the tables' keys: on names, and on addresses by ip_int (schema 8)"
eq "planner statistics after import and infer" "1|1" \
	"$(sqlite3 "$DB" "SELECT (SELECT count(*) > 0 FROM sqlite_stat1 WHERE idx = 'f_scan_ip'),
	  (SELECT count(*) > 0 FROM sqlite_stat1 WHERE idx = 'f_primary_mx_host')")"
eq "mx_ip JOIN scan USING (snapshot, ip_int): the integer tables' rows" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM f_mx_ip m JOIN f_scan s ON s.snap = m.snap AND s.ip = m.ip")" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM mx_ip m JOIN scan s USING (snapshot, ip_int) WHERE m.ip = s.ip")"
plan=$(sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT count(*) FROM mx_ip m JOIN scan s USING (snapshot, ip_int)")
case $plan in
*"f_scan_ip (snap=? AND ip=?)"* | *"f_mx_ip_ip (ip=? AND snap=?)"*) ok ;;
*) bad "mx_ip JOIN scan on ip_int is not a key lookup: $plan" ;;
esac
d=$(sqlite3 "$DB" "SELECT domain FROM primary_mx ORDER BY domain LIMIT 1")
plan=$(sqlite3 "$DB" "EXPLAIN QUERY PLAN SELECT count(*) FROM primary_mx p JOIN mx_ip m USING (snapshot, host) WHERE p.domain = '$d'")
case $plan in
*"name_name (name=?)"*"SEARCH p USING PRIMARY KEY (snap=? AND domain=?)"*"SEARCH m USING PRIMARY KEY (snap=? AND host=?)"*) ok ;;
*) bad "primary_mx JOIN mx_ip for one domain does not start from the domain: $plan" ;;
esac

echo "cli: show escapes hostile text"
d=$(sqlite3 "$DB" "SELECT p.domain FROM primary_mx p JOIN mx_ip m USING (snapshot, host) JOIN scan s USING (snapshot, ip_int)
  WHERE instr(s.banner, x'1b') > 0 ORDER BY p.domain LIMIT 1")
status "show hostile" 0 "$MXRAY" show --db "$DB" --snapshot 2021-06-08 "$d"
has "escape shown as \\e" '\e[' "$T/out"
eq "no raw ESC byte on stdout" "0" "$(tr -dc '\033' <"$T/out" | wc -c | tr -d ' ')"
eq "no raw CR byte on stdout" "0" "$(tr -dc '\r' <"$T/out" | wc -c | tr -d ' ')"
status "show unknown domain" 1 "$MXRAY" show --db "$DB" no-such-domain.example
d=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' AND reason LIKE 'AS suggestion%' ORDER BY domain LIMIT 1")
status "show Cisco case" 0 "$MXRAY" show --db "$DB" --snapshot 2021-06-08 "$d"
has "show names the heuristic" "heuristic as-suggestion: AS suggestion: every SMTP address is in an AS of Cisco" "$T/out"

echo "cli: samples, labels, scores"
status "sample needs a name" 2 "$MXRAY" sample --db "$DB" --size 5
status "sample needs a size" 2 "$MXRAY" sample --db "$DB" --name x
status "sample" 0 "$MXRAY" sample --db "$DB" --name r200 --size 200 --seed 2021 --snapshot 2021-06-08
has "sample summary" "sample r200: 200 domains from snapshot 2021-06-08" "$T/err"
status "sample name taken" 1 "$MXRAY" sample --db "$DB" --name r200 --size 5 --snapshot 2021-06-08
status "unique-mx sample" 0 "$MXRAY" sample --db "$DB" --name u200 --size 200 --unique-mx --seed 2021 --snapshot 2021-06-08
# (the integer tables: the views joined on their text columns scan, 3 s)
eq "unique-mx: no primary host shared" "0" "$(sqlite3 "$DB" "SELECT count(*) FROM sample_domain d JOIN name n ON n.name = d.domain
  JOIN f_primary_mx p ON p.domain = n.id AND p.snap = (SELECT id FROM snapshot WHERE date = '2021-06-08') WHERE d.sample = 'u200'
  AND p.host IN (SELECT host FROM f_mx WHERE snap = (SELECT id FROM snapshot WHERE date = '2021-06-08')
  GROUP BY host HAVING count(DISTINCT domain) > 1)")"
status "label import" 0 "$MXRAY" label --db "$DB" --sample r200 --import "$SD/truth.csv"
has "label summary" "label $SD/truth.csv: 200 labels imported, 2745 domains not in the sample, 0 skipped" "$T/err"
"$MXRAY" label --db "$DB" --sample r200 --export >"$T/r200.csv"
eq "exported labels" "201" "$(wc -l <"$T/r200.csv" | tr -d ' ')"
status "labels into the unique sample" 0 "$MXRAY" label --db "$DB" --sample u200 --import "$T/r200.csv"
"$MXRAY" eval --db "$DB" --sample r200 --format csv >"$T/eval.csv"
eq "eval header" "sample,approach,labelled,correct,accuracy,examined,undecidable" "$(head -1 "$T/eval.csv")"
# the same scores recomputed from the exported answers and the truth file
sqlite3 "$DB" "SELECT domain FROM sample_domain WHERE sample = 'r200'" >"$T/r200.txt"
{ echo "CREATE TABLE s(domain TEXT);"; echo ".import $T/r200.txt s"; } >"$T/s.sql"
sqlite3 "$T/acc.db" <"$T/s.sql"
examined=$(sqlite3 "$DB" "SELECT count(DISTINCT r.domain) FROM result r JOIN sample_domain d ON d.domain = r.domain AND d.sample = 'r200' WHERE r.snapshot = '2021-06-08' AND r.approach = 'final' AND r.status IN ('heuristic', 'flagged')")
for a in mx cert banner priority final; do
	c=$(sqlite3 "$T/acc.db" "SELECT sum(lower(x.ans) = lower(t.truth)) FROM truth t JOIN s USING (domain) LEFT JOIN (SELECT domain, group_concat(p, ';') AS ans FROM (SELECT domain, CASE company WHEN '' THEN provider_id ELSE company END AS p FROM r_$a ORDER BY domain, p) GROUP BY domain) x USING (domain)")
	eq "eval $a = recomputed" "$c,$examined,0" "$(grep "^r200,$a," "$T/eval.csv" | cut -d, -f4,6,7)"
done
eq "eval final row" "r200,final,200,198,0.99,2,0" "$(grep '^r200,final,' "$T/eval.csv")"
"$MXRAY" eval --db "$DB" >"$T/eval.txt"
has "eval text" "sample u200: 200 domains" "$T/eval.txt"
# --format jsonl: one JSON object per line, a line per sample and approach;
# json (its older name) writes the same
status "eval --format jsonl" 0 "$MXRAY" eval --db "$DB" --format jsonl
cp "$T/out" "$T/eval.jsonl"
eq "eval jsonl: a line per sample and approach" "10" "$(wc -l <"$T/eval.jsonl" | tr -d ' ')"
eq "eval jsonl: the final row of r200" '{"sample":"r200","approach":"final","labelled":200,"correct":198,"accuracy":0.98999999999999999,"examined":2,"undecidable":0}' \
	"$(grep '"sample":"r200","approach":"final"' "$T/eval.jsonl")"
status "eval --format json" 0 "$MXRAY" eval --db "$DB" --format json
if cmp -s "$T/eval.jsonl" "$T/out"; then ok; else bad "eval --format json differs from jsonl"; fi
eq "eval --help names jsonl" "usage: mxray eval [--sample NAME]... [--format text|csv|jsonl] [--allow-mixed]" \
	"$("$MXRAY" eval --help | head -1)"

echo "cli: reports over three snapshots"
MDB=$T/multi.db
for d in 2021-06-08 2021-09-08 2021-12-08; do
	dir=$SD
	[ $d = 2021-06-08 ] || dir=$SD/$d
	"$MXRAY" import --db "$MDB" --snapshot $d --quiet --list alexa --targets "$dir/targets-alexa.txt" \
		--list com --targets "$dir/targets-com.txt" --list gov --targets "$dir/targets-gov.txt" --dns "$dir/dns.jsonl" \
		--scans "$dir/scans-censys.jsonl" --scans "$dir/scans-zgrab2.jsonl" --scans "$dir/scans-censys2.jsonl" \
		--pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" 2>/dev/null
	# what the files say, for the independent checks below
	grep '"response_type":"MX"' "$dir/dns.jsonl" | sed 's/.*"query_name":"\([^"]*\)".*/\1/' | tr 'A-Z' 'a-z' |
		sed 's/\.$//' | sort -u >"$T/mx-$d"
	sort -u "$dir/targets-alexa.txt" | comm -12 - "$T/mx-$d" >"$T/alexa-$d"
done
status "infer --all" 0 "$MXRAY" infer --db "$MDB" --all
has "infer --all names each snapshot" "infer 2021-12-08: 2969 domains, 2963 answered (" "$T/err"
# the same summary as infer --snapshot D (but the time)
grep '^infer 2021-12-08: ' "$T/err" | sed 's/; [0-9.]* s$//' >"$T/sum-all"
cp "$MDB" "$T/m2.db" && { [ ! -e "$MDB-wal" ] || cp "$MDB-wal" "$T/m2.db-wal"; }
"$MXRAY" infer --db "$T/m2.db" --snapshot 2021-12-08 2>&1 | sed 's/; [0-9.]* s$//' >"$T/sum-one"
if cmp -s "$T/sum-one" "$T/sum-all"; then ok; else bad "infer --all's summary differs from --snapshot's:"; diff "$T/sum-one" "$T/sum-all"; fi
has "infer --all: the whole summary" "split across providers), 95 without an SMTP-live MX; 1512 primary MX hosts, 950 SMTP addresses; heuristics fired on " "$T/sum-all"
# snapshots inferred with different parameters: the note names the parameter
"$MXRAY" infer --db "$T/m2.db" --snapshot 2021-06-08 --threshold 3 --quiet
NOTE="note: the snapshots' answers come from infer runs with different parameters, so their shares may not compare: 2021-06-08 run 20, threshold 3, heuristics apply; 2021-09-08 run 8, threshold 5, heuristics apply; 2021-12-08 run 16, threshold 5, heuristics apply"
status "report over runs of different parameters" 0 "$MXRAY" report --db "$T/m2.db"
eq "report: the note says what differs" "mxray report: $NOTE" "$(cat "$T/err")"
status "trend over runs of different parameters" 0 "$MXRAY" export --db "$T/m2.db" trend
eq "trend: the note says what differs" "mxray export: $NOTE" "$(cat "$T/err")"
# one approach re-inferred with another threshold: export's note names it for the others too
"$MXRAY" infer --db "$T/m2.db" --snapshot 2021-09-08 --approach priority --threshold 3 --quiet
status "export of an approach of other parameters" 0 "$MXRAY" export --db "$T/m2.db" assignments --approach priority --snapshot 2021-09-08
has "export: the note names the others' parameters" "other approaches' answers of that snapshot come from runs with different parameters (mx: run 5, threshold 5, heuristics apply; cert: run 6, threshold 5, heuristics apply; banner: run 7, threshold 5, heuristics apply): run 'mxray infer --snapshot 2021-09-08'" "$T/err"
"$MXRAY" export --db "$MDB" trend --top 5 >"$T/trend.csv"
cat >"$T/trend.want" <<'EOF2'
provider,2021-06-08,2021-09-08,2021-12-08
Google,15.3846,15.9878,17.0435
GoDaddy,17.2145,16.9382,16.6048
Microsoft,11.1826,12.0163,12.7911
UnitedInternet,2.7448,2.7834,2.6662
ProofPoint,2.0332,2.0367,2.0250
EOF2
if cmp -s "$T/trend.want" "$T/trend.csv"; then ok; else bad "trend differs:"; diff "$T/trend.want" "$T/trend.csv"; fi
eq "stable gov trend" "Microsoft,30.6636,32.0366,30.8924 Google,9.4966,9.7254,11.3272" \
	"$("$MXRAY" export --db "$MDB" trend --stable --list gov --top 2 | tail -n +2 | tr '\n' ' ' | sed 's/ $//')"
"$MXRAY" export --db "$MDB" coverage --stable --list alexa >"$T/cov.csv"
eq "coverage header" "snapshot,list,category,domains" "$(head -1 "$T/cov.csv")"
eq "stable alexa coverage, 2021-12-08" "5 22 8 157 5 681" \
	"$(grep '^2021-12-08,' "$T/cov.csv" | cut -d, -f4 | tr '\n' ' ' | sed 's/ $//')"
stable=$(comm -12 "$T/alexa-2021-06-08" "$T/alexa-2021-09-08" | comm -12 - "$T/alexa-2021-12-08" | wc -l | tr -d ' ')
for d in 2021-06-08 2021-09-08 2021-12-08; do
	eq "stable alexa domains in $d = in the list with MX in all three files" "$stable" \
		"$(grep "^$d," "$T/cov.csv" | awk -F, '{ s += $4 } END { print s }')"
done
"$MXRAY" export --db "$MDB" coverage >"$T/covall.csv"
for d in 2021-06-08 2021-09-08 2021-12-08; do
	eq "coverage of $d adds up to the domains with MX" "$(wc -l <"$T/mx-$d" | tr -d ' ')" \
		"$(grep "^$d," "$T/covall.csv" | awk -F, '{ s += $4 } END { print s }')"
done
eq "no_mx_ip 2021-06-08" "2021-06-08,all,no_mx_ip,14" "$(grep '^2021-06-08,all,no_mx_ip,' "$T/covall.csv")"
eq "providers --stable sum" "2896" \
	"$("$MXRAY" export --db "$MDB" providers --stable --snapshot 2021-12-08 | awk -F, 'NR > 1 { s += $2 } END { print s }')"
status "trend is CSV only" 2 "$MXRAY" export --db "$MDB" trend --format jsonl
status "unknown list" 1 "$MXRAY" export --db "$MDB" providers --list gvo
has "unknown list named" "mxray export: there is no list 'gvo' (lists: all, alexa, com, gov)" "$T/err"
status "trend with a bad snapshot list" 2 "$MXRAY" export --db "$MDB" trend --snapshots 2021-06-08,junk
status "trend with an unknown snapshot" 1 "$MXRAY" export --db "$MDB" trend --snapshots 2020-01-01
# out: "EXIT|STDOUT|STDERR" of an export on the three snapshots
xout() { "$MXRAY" export --db "$MDB" "$@" >"$T/out" 2>"$T/err"; echo "$?|$(cat "$T/out")|$(cat "$T/err")"; }
# --snapshot and --snapshots agree: the default snapshot is the newest of --snapshots
"$MXRAY" export --db "$MDB" providers --stable --snapshots 2021-06-08,2021-09-08 >"$T/p2.csv" 2>"$T/err"
eq "providers --stable --snapshots A,B: exit 0, silent" "0|" "$?|$(cat "$T/err")"
eq "providers --stable --snapshots A,B: rows of B" "Provider,Domains_of_Provider GoDaddy,495.0 Google,464.0" \
	"$(head -3 "$T/p2.csv" | tr '\n' ' ' | sed 's/ $//')"
eq "providers --stable --snapshots A,B: the stable domains' answers" "2916" \
	"$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$T/p2.csv")"
"$MXRAY" export --db "$MDB" providers --stable --snapshots 2021-06-08,2021-09-08 --snapshot 2021-09-08 >"$T/p2b.csv"
if cmp -s "$T/p2.csv" "$T/p2b.csv"; then ok; else bad "providers --snapshots A,B differs from --snapshot B"; fi
eq "assignments --stable --snapshots A,B: every row of B" "2925 2021-09-08" \
	"$("$MXRAY" export --db "$MDB" assignments --stable --snapshots 2021-09-08,2021-06-08 | awk -F, 'NR > 1 { print $1 }' | uniq -c | sed 's/^ *//')"
for tb in providers assignments coverage; do
	eq "$tb: --snapshot outside --snapshots refused" "2||mxray export: --snapshot 2021-12-08 is not one of --snapshots 2021-06-08,2021-09-08
Try 'mxray export --help'." "$(xout $tb --snapshot 2021-12-08 --snapshots 2021-06-08,2021-09-08 --stable)"
done
# a snapshot that is not there: said as every command says it, nothing written
NOSNAP="mxray export: no snapshot 2020-01-01 in $MDB (snapshots: 2021-06-08, 2021-09-08, 2021-12-08)"
for tb in coverage assignments providers; do
	eq "export $tb --snapshot 2020-01-01" "1||$NOSNAP" "$(xout $tb --snapshot 2020-01-01)"
done
eq "export trend --snapshots with one not there" "1||$NOSNAP" "$(xout trend --snapshots 2021-06-08,2020-01-01)"
eq "stats --snapshot 2020-01-01: the same words" "1||mxray stats: no snapshot 2020-01-01 in $MDB (snapshots: 2021-06-08, 2021-09-08, 2021-12-08)" \
	"$("$MXRAY" stats --db "$MDB" --snapshot 2020-01-01 >"$T/out" 2>"$T/err"; echo "$?|$(cat "$T/out")|$(cat "$T/err")")"
# an option that does nothing for the table is refused, not ignored
for tb in providers coverage assignments corrections; do
	eq "export $tb --top 3 refused" "2||mxray export: --top goes with trend
Try 'mxray export --help'." "$(xout $tb --top 3)"
done
eq "export trend --snapshot refused" "2||mxray export: --snapshot goes with assignments, providers and coverage
Try 'mxray export --help'." "$(xout trend --snapshot 2021-06-08)"
eq "export corrections --list refused" "2||mxray export: --list goes with assignments, providers, coverage and trend
Try 'mxray export --help'." "$(xout corrections --list gov)"
eq "export corrections --stable refused" "2||mxray export: --stable goes with assignments, providers, coverage and trend
Try 'mxray export --help'." "$(xout corrections --stable)"
eq "export coverage --format jsonl refused" "2||mxray export: --format jsonl goes with assignments and providers; coverage is CSV only
Try 'mxray export --help'." "$(xout coverage --format jsonl)"
eq "export --help: where jsonl applies" "  --format csv|jsonl       output format (default csv; jsonl: assignments and providers only)" \
	"$("$MXRAY" export --help | grep -- '^  --format')"
eq "export trend --top 0 still taken" "0" "$("$MXRAY" export --db "$MDB" trend --top 0 >/dev/null 2>&1; echo $?)"
# report writes text only: the man page says so, and --format is refused
eq "report --format csv refused" "2||mxray report: unknown option '--format'
Try 'mxray report --help'." "$("$MXRAY" report --db "$MDB" --format csv >"$T/out" 2>"$T/err"; echo "$?|$(cat "$T/out")|$(cat "$T/err")")"
if sed -n '/^\.SS report/,/^\.S[HS] /p' "$(dirname "$0")/../../mxray.1" | grep -q 'jsonl\|RFC 4180'; then
	bad "the man page gives report a CSV or jsonl format"; else ok; fi
status "report" 0 "$MXRAY" report --db "$MDB" --list gov --stable --top 5
has "report header" "mxray report: list gov, stable domains only (with MX records in every snapshot), 3 snapshots (2021-06-08 to 2021-12-08)" "$T/out"
has "report coverage" "  complete                366        368        369" "$T/out"
has "report sources" "  cert             374" "$T/out"
"$MXRAY" export --db "$MDB" corrections >"$T/corr.csv"
eq "corrections header" "id,at,analyst,scope,key,snapshot,verdict,provider_id,note,undone_at,undone_by" "$(cat "$T/corr.csv")"
# a snapshot that was imported but not inferred is named, and nothing is printed
"$MXRAY" import --db "$MDB" --snapshot 2022-03-08 --quiet --dns "$SD/2021-12-08/dns.jsonl" 2>/dev/null
status "trend with an uninferred snapshot" 1 "$MXRAY" export --db "$MDB" trend
has "uninferred snapshot named" "no inference results for 2022-03-08: run 'mxray infer --all'" "$T/err"
eq "no partial output" "" "$(cat "$T/out")"
status "report with an uninferred snapshot" 1 "$MXRAY" report --db "$MDB"
status "only the inferred snapshots" 0 "$MXRAY" export --db "$MDB" trend --snapshots 2021-06-08,2021-12-08 --top 1
eq "trend over two snapshots" "provider,2021-06-08,2021-12-08 Google,15.3846,17.0435" "$(tr '\n' ' ' <"$T/out" | sed 's/ $//')"
# a failed first file leaves no empty snapshot behind
status "failed import" 1 "$MXRAY" import --db "$MDB" --snapshot 2022-06-08 --quiet --dns "$T/nope.jsonl"
eq "no empty snapshot" "0" "$(sqlite3 "$MDB" "SELECT count(*) FROM snapshot WHERE date = '2022-06-08'")"

echo "cli: analyst decisions"
d=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' AND provider_id = 'google.com' ORDER BY domain LIMIT 1")
status "correct --domain --set" 0 "$MXRAY" correct --db "$DB" --domain "$d" --set Microsoft --note "moved" --analyst ana
eq "decision id printed" "1" "$(cat "$T/out")"
status "correct --mx --self" 0 "$MXRAY" correct --db "$DB" --mx "MX.$d." --self --analyst ana
status "correct two scopes" 2 "$MXRAY" correct --db "$DB" --mx x.com --ip 1.2.3.4 --self
status "correct bad ip" 1 "$MXRAY" correct --db "$DB" --ip 1.2.3.999 --confirm
"$MXRAY" infer --db "$DB" --snapshot 2021-06-08 --quiet
"$MXRAY" export --db "$DB" --snapshot 2021-06-08 assignments >"$T/final2.csv"
eq "domain decision applied" "2021-06-08,$d,outlook.com,Microsoft,1.0,correction,0,corrected,moved (analyst decision #1 on the domain)" \
	"$(grep "^2021-06-08,$d," "$T/final2.csv")"
status "undo" 0 "$MXRAY" correct --db "$DB" --undo 1
status "undo twice" 1 "$MXRAY" correct --db "$DB" --undo 1
has "undo twice message" "decision #1 is already undone" "$T/err"
"$MXRAY" infer --db "$DB" --snapshot 2021-06-08 --quiet
eq "undone decision no longer applied" "$(grep "^2021-06-08,$d," "$T/final.csv")" "$(grep "^2021-06-08,$d," "$T/final2.csv" | head -0; "$MXRAY" export --db "$DB" --snapshot 2021-06-08 assignments | grep "^2021-06-08,$d,")"
"$MXRAY" correct --db "$DB" --list --format csv >"$T/list.csv"
eq "history keeps both decisions" "3" "$(wc -l <"$T/list.csv" | tr -d ' ')"
has "history row" "domain,$d,,set,outlook.com,moved," "$T/list.csv"
"$MXRAY" export --db "$DB" corrections >"$T/corr.csv"
eq "export corrections = the history" "$(cat "$T/list.csv")" "$(cat "$T/corr.csv")"

echo "cli: an import stopped before its derive step is refused by infer, and finished"
cp "$DB" "$T/stopped.db"
sqlite3 "$T/stopped.db" "DELETE FROM f_mx_ip; UPDATE snapshot SET derived = 0"
runs=$(sqlite3 "$T/stopped.db" "SELECT count(*) FROM run")
status "infer refuses a stopped import" 1 "$MXRAY" infer --db "$T/stopped.db" --snapshot 2021-06-08 --quiet
has "refusal says how to finish" "finish it with 'mxray import --snapshot 2021-06-08' (no files)" "$T/err"
eq "nothing written by the refusal" "$runs" "$(sqlite3 "$T/stopped.db" "SELECT count(*) FROM run")"
status "import --snapshot alone finishes it" 0 "$MXRAY" import --db "$T/stopped.db" --snapshot 2021-06-08
has "finish message" "snapshot 2021-06-08: MX addresses and ASNs resolved" "$T/err"
eq "addresses back" "$(sqlite3 "$DB" "SELECT count(*) FROM mx_ip WHERE snapshot = '2021-06-08'")" \
	"$(sqlite3 "$T/stopped.db" "SELECT count(*) FROM mx_ip WHERE snapshot = '2021-06-08'")"
status "infer after finishing" 0 "$MXRAY" infer --db "$T/stopped.db" --snapshot 2021-06-08 --quiet
# by default infer passes over a newer snapshot that is not fully imported
# (another import is loading it, or was stopped), and says so
sqlite3 "$T/stopped.db" "INSERT INTO snapshot(date, created_at, derived) VALUES('2021-06-10', 'x', 0)"
status "infer by default beside an unfinished snapshot" 0 "$MXRAY" infer --db "$T/stopped.db"
eq "the note names both snapshots" "mxray infer: note: snapshot 2021-06-10 is not fully imported (an import of it is under way, or was stopped before its last step: 'mxray import --db $T/stopped.db --snapshot 2021-06-10' finishes it); inferring 2021-06-08, the newest that is" \
	"$(grep '^mxray' "$T/err")"
has "the finished snapshot inferred" "infer 2021-06-08: 2959 domains" "$T/err"
status "the same with --quiet, silent" 0 "$MXRAY" infer --db "$T/stopped.db" --quiet
eq "no note with --quiet" "" "$(cat "$T/err")"
# so do show, sample and the desk, which have no --quiet (the note is on
# stderr, the output the finished snapshot's)
status "show by default beside an unfinished snapshot" 0 "$MXRAY" show --db "$T/stopped.db" "$d"
eq "show's note" "mxray show: note: snapshot 2021-06-10 is not fully imported (an import of it is under way, or was stopped before its last step: 'mxray import --db $T/stopped.db --snapshot 2021-06-10' finishes it); showing 2021-06-08, the newest that is" \
	"$(cat "$T/err")"
eq "show's output is the finished snapshot's" "$("$MXRAY" show --db "$T/stopped.db" --snapshot 2021-06-08 "$d")" "$(cat "$T/out")"
status "sample by default beside an unfinished snapshot" 0 "$MXRAY" sample --db "$T/stopped.db" --name beside --size 5
eq "sample's note, then its summary" "mxray sample: note: snapshot 2021-06-10 is not fully imported (an import of it is under way, or was stopped before its last step: 'mxray import --db $T/stopped.db --snapshot 2021-06-10' finishes it); sampling 2021-06-08, the newest that is
sample beside: 5 domains from snapshot 2021-06-08" "$(cat "$T/err")"
status "show of a named snapshot: no note" 0 "$MXRAY" show --db "$T/stopped.db" --snapshot 2021-06-08 "$d"
eq "no note when the snapshot is named" "" "$(cat "$T/err")"
status "an unfinished snapshot named is refused" 1 "$MXRAY" infer --db "$T/stopped.db" --snapshot 2021-06-10 --quiet
status "infer --all skips the unfinished snapshots, and fails" 1 "$MXRAY" infer --db "$T/stopped.db" --all
eq "infer --all: what it did" "infer 2021-06-08: 2959 domains
mxray infer: 2021-06-09: skipped: not fully imported (an import of it is under way, or was stopped before its last step: 'mxray import --db $T/stopped.db --snapshot 2021-06-09' finishes it)
mxray infer: 2021-06-10: skipped: not fully imported (an import of it is under way, or was stopped before its last step: 'mxray import --db $T/stopped.db --snapshot 2021-06-10' finishes it)" \
	"$(sed 's/ domains,.*/ domains/' "$T/err")"
status "finish an unknown snapshot" 1 "$MXRAY" import --db "$T/stopped.db" --snapshot 2020-01-01
status "import with nothing at all" 2 "$MXRAY" import --db "$T/stopped.db"

echo "cli: a database of schema version 3 is migrated and keeps its answers and decisions"
FX=$(cd "$(dirname "$0")/../fixtures" && pwd)
cp "$FX/schema-v3.db" "$T/v3.db"
status "migrate on open" 0 "$MXRAY" correct --db "$T/v3.db" --list
if cmp -s "$FX/schema-v3.corrections.csv" "$T/out"; then ok; else bad "decisions differ after the migration:"; diff "$FX/schema-v3.corrections.csv" "$T/out"; fi
"$MXRAY" label --db "$T/v3.db" --sample s20 --export >"$T/out"
if cmp -s "$FX/schema-v3.labels.csv" "$T/out"; then ok; else bad "labels differ after the migration"; fi
"$MXRAY" export --db "$T/v3.db" assignments >"$T/out"
if cmp -s "$FX/schema-v3.assignments.csv" "$T/out"; then ok; else bad "stored answers differ after the migration"; fi
"$MXRAY" infer --db "$T/v3.db" --quiet
"$MXRAY" export --db "$T/v3.db" assignments >"$T/out"
if cmp -s "$FX/schema-v3.assignments.csv" "$T/out"; then ok; else bad "answers differ after the migration and infer:"; diff "$FX/schema-v3.assignments.csv" "$T/out" | head; fi
"$MXRAY" eval --db "$T/v3.db" --format csv >"$T/out"
if cmp -s "$FX/schema-v3.eval.csv" "$T/out"; then ok; else bad "eval differs after the migration"; fi
"$MXRAY" stats --db "$T/v3.db" --format csv >"$T/out"
if cmp -s "$FX/schema-v3.stats.csv" "$T/out"; then ok; else bad "stats differ after the migration:"; diff "$FX/schema-v3.stats.csv" "$T/out"; fi
eq "migrated file is sound" "ok" "$(sqlite3 "$T/v3.db" 'PRAGMA integrity_check')"
# a schema-4 file: what infer derived per host and address moves to
# integer tables; the views, show and the desk read the same
cp "$FX/schema-v4.db" "$T/v4.db"
for d in active-industries.com activelandscaping.com bluekitchen67.com arlingtontech.edu activerobotics.com \
	camdendynamics.com; do "$MXRAY" show --db "$T/v4.db" $d; echo; done >"$T/out"
if cmp -s "$FX/schema-v4.show.txt" "$T/out"; then ok; else bad "show differs after the migration:"; diff "$FX/schema-v4.show.txt" "$T/out" | head; fi
sqlite3 -csv -header "$T/v4.db" "SELECT snapshot, ip, live, num_ip, cert_group, num_cert, banner_fqdn, ehlo_fqdn, asn,
  confidence, provider_id, company, source, priority_id, status, heuristic, reason, nhosts, suggested_id FROM infer_ip
  ORDER BY snapshot, ip" >"$T/out"
if cmp -s "$FX/schema-v4.infer_ip.csv" "$T/out"; then ok; else bad "infer_ip differs after the migration"; fi
sqlite3 -csv -header "$T/v4.db" "SELECT snapshot, host, live, domains, mx_id, cert_id, cert_note, banner_id, banner_note,
  confidence, provider_id, source, company, status, heuristic, reason, correction, min_pref, max_pref FROM infer_host
  ORDER BY snapshot, host" >"$T/out"
if cmp -s "$FX/schema-v4.infer_host.csv" "$T/out"; then ok; else bad "infer_host differs after the migration"; fi
"$MXRAY" infer --db "$T/v4.db" --all --quiet
for d in active-industries.com activelandscaping.com bluekitchen67.com arlingtontech.edu activerobotics.com \
	camdendynamics.com; do "$MXRAY" show --db "$T/v4.db" $d; echo; done >"$T/out"
if cmp -s "$FX/schema-v4.show.txt" "$T/out"; then ok; else bad "show differs after the migration and infer:"; diff "$FX/schema-v4.show.txt" "$T/out" | head; fi
sqlite3 -csv -header "$T/v4.db" "SELECT snapshot, ip, live, num_ip, cert_group, num_cert, banner_fqdn, ehlo_fqdn, asn,
  confidence, provider_id, company, source, priority_id, status, heuristic, reason, nhosts, suggested_id FROM infer_ip
  ORDER BY snapshot, ip" >"$T/out"
if cmp -s "$FX/schema-v4.infer_ip.csv" "$T/out"; then ok; else bad "infer_ip differs after infer on the migrated file:"; diff "$FX/schema-v4.infer_ip.csv" "$T/out" | head -5; fi
sqlite3 -csv -header "$T/v4.db" "SELECT snapshot, host, live, domains, mx_id, cert_id, cert_note, banner_id, banner_note,
  confidence, provider_id, source, company, status, heuristic, reason, correction, min_pref, max_pref FROM infer_host
  ORDER BY snapshot, host" >"$T/out"
if cmp -s "$FX/schema-v4.infer_host.csv" "$T/out"; then ok; else bad "infer_host differs after infer on the migrated file:"; diff "$FX/schema-v4.infer_host.csv" "$T/out" | head -5; fi
eq "migrated schema-4 file is sound" "ok" "$(sqlite3 "$T/v4.db" 'PRAGMA integrity_check')"

echo "cli: a stored pfx2as origin longer than any line's is refused, not copied (issue 13)"
cp "$DB" "$T/origin.db"
sqlite3 "$T/origin.db" "update pfx2as set origin=(select group_concat('1',',') from (select 1 from mx limit 400))"
eq "the stored origin is 799 bytes" "799" "$(sqlite3 "$T/origin.db" "SELECT max(length(origin)) FROM pfx2as")"
status "import over a long stored origin" 0 "$MXRAY" import --db "$T/origin.db" --snapshot 2021-06-08 --pfx2as /dev/null
eq "no ASN from a refused origin" "0" "$(sqlite3 "$T/origin.db" "SELECT count(*) FROM asn WHERE source = 'pfx2as'")"

echo "cli: show escapes bidi controls and line separators (issue 13)"
cp "$DB" "$T/bidi.db"
# (joins go through the integer tables: views joined on their text columns scan)
d=$(sqlite3 "$T/bidi.db" "SELECT n.name FROM f_primary_mx p JOIN f_mx_ip m ON m.snap = p.snap AND m.host = p.host
  JOIN f_scan s ON s.snap = m.snap AND s.ip = m.ip JOIN name n ON n.id = p.domain
  WHERE p.snap = (SELECT id FROM snapshot WHERE date = '2021-06-08') AND s.port25 = 1 AND s.banner IS NOT NULL
  ORDER BY n.name LIMIT 1")
sqlite3 "$T/bidi.db" "UPDATE f_scan SET banner = CAST('220 mx' || char(0x61c) || '.example ESMTP' || char(0x2028) || 'a' || char(0x2029) || 'b' AS BLOB) WHERE snap = (SELECT id FROM snapshot WHERE date = '2021-06-08') AND ip IN (SELECT m.ip FROM f_mx_ip m JOIN f_primary_mx p ON p.snap = m.snap AND p.host = m.host WHERE p.domain = (SELECT id FROM name WHERE name = '$d'))"
status "show a banner with U+061C, U+2028, U+2029" 0 "$MXRAY" show --db "$T/bidi.db" --snapshot 2021-06-08 "$d"
has "banner escaped" "      banner 220 mx<U+061C>.example ESMTP<U+2028>a<U+2029>b" "$T/out"
for b in '\330\234' '\342\200\250' '\342\200\251'; do
	eq "no raw $b on stdout" "0" "$(LC_ALL=C grep -c "$(printf "$b")" "$T/out")"
done

echo "cli: CSV exports neutralise formulas and escape control bytes; --raw-cells and JSON Lines do not (issue 13)"
cp "$DB" "$T/csv.db"
d1=$(sqlite3 "$T/csv.db" "SELECT domain FROM result WHERE snapshot = '2021-06-08' AND approach = 'final' AND provider_id = 'google.com' ORDER BY domain LIMIT 1 OFFSET 1")
d2=$(sqlite3 "$T/csv.db" "SELECT domain FROM result WHERE snapshot = '2021-06-08' AND approach = 'final' AND provider_id = 'google.com' ORDER BY domain LIMIT 1 OFFSET 2")
BELESC=$(printf 'bell\a esc\033[2J')
id1=$("$MXRAY" correct --db "$T/csv.db" --domain "$d1" --set outlook.com --note "=cmd|' /C calc'!A0" --analyst "@SUM(1+1)" 2>/dev/null)
id2=$("$MXRAY" correct --db "$T/csv.db" --domain "$d2" --set outlook.com --note "$BELESC" --analyst "-2+3" 2>/dev/null)
"$MXRAY" infer --db "$T/csv.db" --snapshot 2021-06-08 --quiet
"$MXRAY" export --db "$T/csv.db" corrections >"$T/corr.csv"
eq "corrections: formula note and analyst" "$id1,\"'@SUM(1+1)\",domain,$d1,,set,outlook.com,\"'=cmd|' /C calc'!A0\",," \
	"$(grep "^$id1," "$T/corr.csv" | cut -d, -f1,3-)"
eq "corrections: control bytes escaped" "$id2,\"'-2+3\",domain,$d2,,set,outlook.com,bell\\x07 esc\\e[2J,," \
	"$(grep "^$id2," "$T/corr.csv" | cut -d, -f1,3-)"
eq "corrections: no raw ESC or BEL" "0" "$(tr -dc '\033\007' <"$T/corr.csv" | wc -c | tr -d ' ')"
"$MXRAY" correct --db "$T/csv.db" --list --format csv >"$T/list.csv"
if cmp -s "$T/corr.csv" "$T/list.csv"; then ok; else bad "correct --list --format csv differs from export corrections"; fi
"$MXRAY" export --db "$T/csv.db" corrections --raw-cells >"$T/corr-raw.csv"
eq "corrections --raw-cells: the stored text" "$id1,@SUM(1+1),domain,$d1,,set,outlook.com,=cmd|' /C calc'!A0,," \
	"$(grep "^$id1," "$T/corr-raw.csv" | cut -d, -f1,3-)"
eq "corrections --raw-cells: the stored bytes" "$id2,-2+3,domain,$d2,,set,outlook.com,$BELESC,," \
	"$(grep "^$id2," "$T/corr-raw.csv" | cut -d, -f1,3-)"
"$MXRAY" export --db "$T/csv.db" --snapshot 2021-06-08 assignments >"$T/a.csv"
eq "assignments: formula reason" \
	"2021-06-08,$d1,outlook.com,Microsoft,1.0,correction,0,corrected,\"'=cmd|' /C calc'!A0 (analyst decision #$id1 on the domain)\"" \
	"$(grep "^2021-06-08,$d1," "$T/a.csv")"
eq "assignments: escaped reason" \
	"2021-06-08,$d2,outlook.com,Microsoft,1.0,correction,0,corrected,bell\\x07 esc\\e[2J (analyst decision #$id2 on the domain)" \
	"$(grep "^2021-06-08,$d2," "$T/a.csv")"
eq "assignments: no raw ESC or BEL" "0" "$(tr -dc '\033\007' <"$T/a.csv" | wc -c | tr -d ' ')"
"$MXRAY" export --db "$T/csv.db" --snapshot 2021-06-08 assignments --raw-cells >"$T/a-raw.csv"
eq "assignments --raw-cells" \
	"2021-06-08,$d2,outlook.com,Microsoft,1.0,correction,0,corrected,$BELESC (analyst decision #$id2 on the domain)" \
	"$(grep "^2021-06-08,$d2," "$T/a-raw.csv")"
"$MXRAY" export --db "$T/csv.db" --snapshot 2021-06-08 assignments --format jsonl >"$T/a.jsonl"
has "jsonl: no formula prefix" "\"reason\":\"=cmd|' /C calc'!A0 (analyst decision #$id1 on the domain)\"" "$T/a.jsonl"
has "jsonl: controls JSON-escaped" "\"reason\":\"bell\\u0007 esc\\u001B[2J (analyst decision #$id2 on the domain)\"" "$T/a.jsonl"
# numbers are not text cells: a negative weight or confidence stays a number
sqlite3 "$T/csv.db" "UPDATE f_result SET weight = -1, confidence = -5 WHERE snap = (SELECT id FROM snapshot WHERE date = '2021-06-08') AND approach = (SELECT id FROM approach WHERE name = 'final') AND domain = (SELECT id FROM name WHERE name = '$d1')"
eq "negative numbers written as numbers" \
	"2021-06-08,$d1,outlook.com,Microsoft,-1.0,correction,-5,corrected,\"'=cmd|' /C calc'!A0 (analyst decision #$id1 on the domain)\"" \
	"$("$MXRAY" export --db "$T/csv.db" --snapshot 2021-06-08 assignments | grep "^2021-06-08,$d1,")"

echo "cli: small ones (issue 13)"
status "undo 2^64-1" 2 "$MXRAY" correct --db "$T/csv.db" --undo 18446744073709551615
has "undo 2^64-1 is out of range" "mxray correct: --undo '18446744073709551615' is out of range (decision numbers are 1 to 9223372036854775807)" "$T/err"
if grep -q -- '#-1' "$T/err"; then bad "undo 2^64-1 names decision #-1"; else ok; fi
status "undo 2^63" 2 "$MXRAY" correct --db "$T/csv.db" --undo 9223372036854775808
has "undo 2^63 is out of range" "--undo '9223372036854775808' is out of range" "$T/err"
status "undo 2^63-1" 1 "$MXRAY" correct --db "$T/csv.db" --undo 9223372036854775807
has "undo 2^63-1: no such decision" "there is no decision #9223372036854775807" "$T/err"
status "correct an IP with leading zeros" 1 "$MXRAY" correct --db "$T/csv.db" --ip 01.02.003.4 --confirm
has "leading zeros refused" "mxray correct: '01.02.003.4' is not an IPv4 address" "$T/err"

echo "cli: an MX query answered without an MX record (NODATA) is a domain of the snapshot (issue 10)"
"$MXRAY" import --db "$T/nodata.db" --snapshot 2021-06-08 --quiet --dns "$SD/dns.jsonl" 2>/dev/null
# every query name of the MX queries, counted by hand, is in 'all'
n=$(grep '"query_type":"MX"' "$SD/dns.jsonl" | sed 's/.*"query_name":"\([^"]*\)".*/\1/' | tr 'A-Z' 'a-z' |
	sed 's/\.$//' | sort -u | wc -l | tr -d ' ')
eq "all: every domain of the MX queries" "$n" "$("$MXRAY" stats --db "$T/nodata.db" --format csv | awk -F, '$2 == "all" { print $3 }')"
nd=$(grep '"query_type":"MX"' "$SD/dns.jsonl" | grep -v '"response_type"' | grep -c '"status_code":0')
eq "NODATA kept as status 0" "$nd" "$(sqlite3 "$T/nodata.db" "SELECT count(*) FROM lookup_fail WHERE qtype = 'MX' AND rcode = 0")"
eq "NODATA not a failed lookup" "$(grep -v '"response_type"' "$SD/dns.jsonl" | grep -vc '"status_code":0')" \
	"$("$MXRAY" stats --db "$T/nodata.db" --format csv | awk -F, '$2 == "all" { print $5 }')"
eq "all = with MX + failed lookups + NODATA (stats --help, README)" "3002|2959|29|14" \
	"$("$MXRAY" stats --db "$T/nodata.db" --format csv | awk -F, '$2 == "all" { print $3 "|" $4 "|" $5 "|" $3 - $4 - $5 }')"
eq "all is no list: no target row names it" "0" "$(sqlite3 "$DB" "SELECT count(*) FROM target WHERE list = 'all'")"
d=$(grep '"query_type":"MX"' "$SD/dns.jsonl" | grep -v '"response_type"' | grep '"status_code":0' | head -1 |
	sed 's/.*"query_name":"\([^"]*\)\.".*/\1/')
status "show a NODATA domain" 0 "$MXRAY" show --db "$T/nodata.db" "$d"
eq "show says NODATA" "$d  (snapshot 2021-06-08)

The MX query returned no MX record (NODATA); there is nothing to infer." "$(cat "$T/out")"
printf '%s\n' '{"query_type":"MX","query_name":"float.example.","response_type":"MX","mx_address":"mx.float.example.","mx_preference":10.0,"status_code":0.0}' \
	'{"query_type":"MX","query_name":"frac.example.","response_type":"MX","mx_address":"mx.frac.example.","mx_preference":10.5}' >"$T/float.jsonl"
status "integral float accepted" 0 "$MXRAY" import --db "$T/nodata.db" --snapshot 2021-06-08 --dns "$T/float.jsonl"
has "fraction refused" "$T/float.jsonl:2: mx_preference is not an integer (10.5 has a fraction)" "$T/err"
eq "10.0 stored as 10" "10" "$(sqlite3 "$T/nodata.db" "SELECT pref FROM mx WHERE domain = 'float.example'")"
status "strict: the fraction aborts" 1 "$MXRAY" import --db "$T/nodata.db" --snapshot 2021-06-10 --strict --dns "$T/float.jsonl"
has "strict names the line" "$T/float.jsonl:2: mx_preference is not an integer (10.5 has a fraction)" "$T/err"

echo "cli: the certificate CN is TEXT, also in a migrated file (issue 10)"
"$MXRAY" import --db "$T/cn.db" --snapshot 2021-06-08 --quiet --scans "$SD/scans-censys.jsonl" 2>/dev/null
eq "no BLOB CN" "0" "$(sqlite3 "$T/cn.db" "SELECT count(*) FROM scan WHERE typeof(cert_cn) <> 'text' AND cert_cn IS NOT NULL")"
cn=$(sqlite3 "$T/cn.db" "SELECT cert_cn FROM scan WHERE cert_cn IS NOT NULL ORDER BY ip LIMIT 1")
eq "WHERE cert_cn = text matches" "$(sqlite3 "$T/cn.db" "SELECT count(*) FROM scan WHERE cert_cn IS NOT NULL AND CAST(cert_cn AS BLOB) = CAST('$cn' AS BLOB)")" \
	"$(sqlite3 "$T/cn.db" "SELECT count(*) FROM scan WHERE cert_cn = '$cn'")"
eq "banner stays a BLOB" "0" "$(sqlite3 "$T/cn.db" "SELECT count(*) FROM scan WHERE typeof(banner) NOT IN ('blob', 'null')")"
cp "$FX/schema-v4.db" "$T/v4cn.db"
ncn=$(sqlite3 "$T/v4cn.db" "SELECT count(*) FROM f_scan WHERE cert_cn IS NOT NULL")
"$MXRAY" stats --db "$T/v4cn.db" >/dev/null
eq "migrated: every CN is TEXT" "$ncn|$ncn" "$(sqlite3 "$T/v4cn.db" "SELECT count(*), sum(typeof(cert_cn) = 'text') FROM f_scan WHERE cert_cn IS NOT NULL")"

echo "cli: ZGrab2 modules that are not SMTP, Censys as downloaded (issue 10)"
TD=$(cd "$(dirname "$0")/../data" && pwd)
status "zgrab2 multiple" 0 "$MXRAY" import --db "$T/fx.db" --snapshot 2021-06-08 --scans "$TD/zgrab2-multiple.jsonl" \
	--scans "$TD/zgrab2-pop3.jsonl" --scans "$TD/zgrab2-smtp-helo.jsonl"
has "not SMTP counted" "scans $TD/zgrab2-multiple.jsonl: 3 lines, 1 imported, 0 already present, 0 skipped, 2 not SMTP (other ZGrab2 modules, not stored)" "$T/err"
has "pop3 not SMTP" "scans $TD/zgrab2-pop3.jsonl: 1 lines, 0 imported, 0 already present, 0 skipped, 1 not SMTP" "$T/err"
eq "only SMTP stored" "172.17.0.3|1|zgrab2
192.0.2.25|1|zgrab2" "$(sqlite3 "$T/fx.db" "SELECT ip, port25, format FROM scan ORDER BY ip")"
eq "the smtp module of zgrab2 multiple" "220 mx.example.net ESMTP Postfix (Debian/GNU)|mx.example.net|[\"mail.example.net\",\"mx.example.net\"]|1" \
	"$(sqlite3 "$T/fx.db" "SELECT rtrim(CAST(banner AS TEXT), char(13,10)), cert_cn, cert_names, trusted FROM scan WHERE ip = '192.0.2.25'")"
status "censys files" 0 "$MXRAY" import --db "$T/fx.db" --snapshot 2021-06-08 --scans "$TD/censys-v2-view.json" \
	--scans "$TD/censys-v2-view-smtp.json" --scans "$TD/censys-search.json" --scans "$TD/censys-platform-host.json"
eq "censys formats" "1.0.0.0|0|censys2|
1.0.0.1|0|censys2|
142.250.102.27|1|censys2|mx.google.com
198.51.100.25|1|censys2|
203.0.113.25|1|censys-platform|mail.example.org
8.8.8.8|0|censys2|" \
	"$(sqlite3 "$T/fx.db" "SELECT ip, port25, format, cert_cn FROM scan WHERE format LIKE 'censys%' ORDER BY ip")"
eq "platform host" "220 mail.example.org ESMTP Postfix|[\"mail.example.org\",\"smtp.example.org\"]|1|2025-04-20T08:14:37Z|64496" \
	"$(sqlite3 "$T/fx.db" "SELECT rtrim(CAST(s.banner AS TEXT), char(13,10)), s.cert_names, s.trusted, s.scanned_at, a.asn FROM scan s JOIN asn a ON a.ip = s.ip AND a.snapshot = s.snapshot WHERE s.ip = '203.0.113.25'")"
status "censys array cut in half" 0 "$MXRAY" import --db "$T/cut.db" --snapshot 2021-06-08 --scans "$TD/censys-search-cut.json"
has "cut: FILE:LINE and the record" "$TD/censys-search-cut.json:28: record 3 is cut off: the file ends inside it" "$T/err"
eq "cut: the good records kept" "1.0.0.0
1.0.0.1" "$(sqlite3 "$T/cut.db" "SELECT ip FROM scan ORDER BY ip")"
status "cut: --strict aborts" 1 "$MXRAY" import --db "$T/cut2.db" --snapshot 2021-06-08 --strict --scans "$TD/censys-search-cut.json"
has "cut: strict names the record" "$TD/censys-search-cut.json:28: record 3 is cut off" "$T/err"
eq "cut: strict committed nothing" "0" "$(sqlite3 "$T/cut2.db" "SELECT count(*) FROM scan" 2>/dev/null || echo 0)"
status "censys on stdin" 0 sh -c "\"$MXRAY\" import --db \"$T/stdin.db\" --snapshot 2021-06-08 --scans - <\"$TD/censys-platform-host.json\""
eq "stdin: same row" "$(sqlite3 "$T/fx.db" "SELECT ip, port25, banner, ehlo, starttls, cert_cn, cert_names, trusted, format, scanned_at FROM scan WHERE ip = '203.0.113.25'")" \
	"$(sqlite3 "$T/stdin.db" "SELECT ip, port25, banner, ehlo, starttls, cert_cn, cert_names, trusted, format, scanned_at FROM scan")"

echo "cli: nothing in the repository cites a file outside it (issue 14)"
# every file git knows of (tracked, and new files not ignored); the patterns
# are spelt in pieces so that this file does not match itself
R=$(cd "$(dirname "$0")/../.." && pwd)
cites=$(cd "$R" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 grep -lsE 'DESIGN''\.md|FORMATS''\.md|PERF-''NOTES|\.\./''shared' | tr '\n' ' ' | sed 's/ $//')
eq "no file cites the design notes or the folder beside the repository" "" "$cites"

echo "cli: review says what is missing, once, and writes nothing (issue 13, item 2)"
# review needs a terminal: script(1) gives it one where it exists
if command -v script >/dev/null 2>&1; then
	"$MXRAY" import --db "$T/rv.db" --snapshot 2021-06-08 --quiet --dns "$SD/dns.jsonl" 2>/dev/null
	review_tty() { script -qec "$MXRAY review --db $1 --analyst t" /dev/null </dev/null >"$T/out" 2>&1; }
	review_tty "$T/rv.db"
	eq "review before infer: exit 1" "1" "$?"
	has "review before infer: says so" "snapshot 2021-06-08 has no answers yet: run 'mxray infer --snapshot 2021-06-08' first" "$T/out"
	eq "review before infer: no run rows" "0" "$(sqlite3 "$T/rv.db" 'SELECT count(*) FROM run')"
	"$MXRAY" infer --db "$T/rv.db" --quiet
	runs=$(sqlite3 "$T/rv.db" 'SELECT count(*) FROM run')
	review_tty "$T/rv.db"
	eq "review without scans: exit 1" "1" "$?"
	has "review without scans: says what is missing" "no SMTP address with scan data in snapshot 2021-06-08" "$T/out"
	eq "review without scans: one message" "1" "$(grep -c 'mxray review' "$T/out")"
	if grep -q 'running infer' "$T/out"; then bad "review ran infer"; else ok; fi
	eq "review without scans: no new run rows" "$runs" "$(sqlite3 "$T/rv.db" 'SELECT count(*) FROM run')"
else
	echo "  (skipped: no script(1) for a terminal)"
fi

echo "cli: a corrupted database is an error, not 'no answers' (issue 13, item 5)"
imported "$T/bad.db"
"$MXRAY" infer --db "$T/bad.db" --quiet
sqlite3 "$T/bad.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
d=$(sqlite3 "$T/bad.db" "SELECT n.name FROM f_result r JOIN name n ON n.id = r.domain LIMIT 1")
psz=$(sqlite3 "$T/bad.db" "PRAGMA page_size")
for p in $(sqlite3 "$T/bad.db" "SELECT pageno FROM dbstat WHERE name IN ('f_result', 'f_stats') AND pagetype = 'leaf'"); do
	awk 'BEGIN { for (i = 0; i < 1024; i++) printf "junk" }' |
		dd of="$T/bad.db" bs="$psz" seek=$((p - 1)) count=1 conv=notrunc 2>/dev/null
done
for cmd in "export assignments" "export providers" "export coverage" "show $d" "stats" "report"; do
	# shellcheck disable=SC2086
	status "corrupt: $cmd fails" 1 "$MXRAY" $cmd --db "$T/bad.db"
	if grep -Eq 'malformed|corrupt' "$T/err"; then ok; else bad "corrupt: $cmd: no SQLite message:"; sed 's/^/    /' "$T/err"; fi
	if grep -q "run 'mxray infer" "$T/err"; then bad "corrupt: $cmd says 'run mxray infer'"; else ok; fi
	eq "corrupt: $cmd prints nothing" "0" "$(wc -c <"$T/out" | tr -d ' ')"
done

echo "cli: read-only commands read and write nothing (issue 13, item 6)"
imported "$T/ro.db"
"$MXRAY" infer --db "$T/ro.db" --quiet
"$MXRAY" sample --db "$T/ro.db" --name ro5 --size 5 2>/dev/null
"$MXRAY" correct --db "$T/ro.db" --domain "$d" --confirm >/dev/null 2>&1
for f in "$T/ro.db-wal" "$T/ro.db-shm"; do [ -e "$f" ] && bad "a writer left $f"; done
ro_cmds="stats|show $d|export assignments|export providers|export coverage|export trend|export corrections|report|eval|correct --list|label --sample ro5 --export"
expect_ro() { # DB LABEL: every read-only command works, and the file is untouched
	sum=$(cksum <"$1")
	mt=$(ls -l --time-style=full-iso "$1" 2>/dev/null | awk '{ print $6, $7 }')
	IFS='|'
	for cmd in $ro_cmds; do
		IFS=' '
		# shellcheck disable=SC2086
		$RUNAS "$MXRAY" $cmd --db "$1" >"$T/out" 2>"$T/err"
		eq "$2: $cmd exits 0" "0" "$?"
		if grep -q 'readonly' "$T/err"; then bad "$2: $cmd: $(cat "$T/err")"; else ok; fi
		IFS='|'
	done
	IFS=' '
	eq "$2: the file is unchanged" "$sum" "$(cksum <"$1")"
	eq "$2: the mtime is unchanged" "$mt" "$(ls -l --time-style=full-iso "$1" 2>/dev/null | awk '{ print $6, $7 }')"
	for f in "$1-wal" "$1-shm" "$1-journal"; do
		if [ -e "$f" ]; then bad "$2: $f left behind"; else ok; fi
	done
}
RUNAS=
expect_ro "$T/ro.db" "writable file"
# A 0444 file, and a read-only directory.  Root ignores file modes, so
# as root these run as nobody (setpriv); without either, they are skipped.
RUNAS=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		RUNAS=skip
	fi
fi
if [ "$RUNAS" != skip ] && ROT=$(mktemp -d "${TMPDIR:-/tmp}/mxray-ro.XXXXXX"); then
	chmod 755 "$ROT"
	mkdir "$ROT/file" "$ROT/dir"
	cp "$T/ro.db" "$ROT/file/r.db"
	cp "$T/ro.db" "$ROT/dir/r.db"
	chmod 444 "$ROT/file/r.db" "$ROT/dir/r.db"
	chmod 777 "$ROT/file"
	chmod 555 "$ROT/dir"
	if $RUNAS sh -c "[ -x '$MXRAY' ] && [ -r '$ROT/dir/r.db' ]"; then
		expect_ro "$ROT/file/r.db" "0444 file"
		expect_ro "$ROT/dir/r.db" "read-only directory"
		# a writing command still fails, and says why
		$RUNAS "$MXRAY" infer --db "$ROT/dir/r.db" --quiet >"$T/out" 2>"$T/err"
		eq "read-only directory: infer fails" "1" "$?"
		has "read-only directory: infer says why" "readonly" "$T/err"
		# an older schema cannot be migrated there: refused, clearly
		cp "$FX/schema-v4.db" "$ROT/file/v4.db"
		chmod 444 "$ROT/file/v4.db"
		$RUNAS "$MXRAY" stats --db "$ROT/file/v4.db" >"$T/out" 2>"$T/err"
		eq "old schema, read-only: refused" "1" "$?"
		has "old schema, read-only: says so" "database is schema 4; open it once with a writable command" "$T/err"
		eq "old schema, read-only: still schema 4" "4" "$(sqlite3 "file:$ROT/file/v4.db?mode=ro" 'PRAGMA user_version')"
	else
		echo "  (skipped: $ROT is not reachable as an unprivileged user)"
	fi
	chmod -R u+w "$ROT"
	rm -rf "$ROT"
else
	echo "  (skipped: running as root without setpriv)"
fi

echo "cli: label --import and sample --from-file skip lines over 16 MiB without holding them (issue 13, item 7)"
cp "$DB" "$T/long.db"
d=$(sqlite3 "$T/long.db" "SELECT domain FROM sample_domain WHERE sample = 'r200' ORDER BY pos LIMIT 1")
{ echo "domain,truth"; head -c 20971520 /dev/zero | tr '\0' a; echo; echo "$d,"; } >"$T/long-truth.csv"
{ head -c 20971520 /dev/zero | tr '\0' a; echo; echo "$d"; } >"$T/long-list.txt"
# peak_under NAME KB: the last command's peak resident set (from time -o) is under KB kilobytes
peak_under() {
	kb=$(tail -1 "$T/rss" 2>/dev/null)
	case $kb in
	'' | *[!0-9]*) bad "$1: no peak memory from /usr/bin/time: [$kb]" ;;
	*) if [ "$kb" -lt "$2" ]; then ok; else bad "$1: peak memory ${kb} KB, expected under $2 KB"; fi ;;
	esac
}
# run_peak NAME EXPECTED-EXIT command...: status, measuring the peak memory when /usr/bin/time can
run_peak() {
	name=$1 want=$2
	shift 2
	if [ -x /usr/bin/time ]; then
		status "$name" "$want" /usr/bin/time -f %M -o "$T/rss" "$@"
		peak_under "$name: memory" 102400
	else
		status "$name" "$want" "$@"
	fi
}
run_peak "label --import with a 20 MiB line" 0 "$MXRAY" label --db "$T/long.db" --sample r200 --import "$T/long-truth.csv"
has "long truth line reported" "$T/long-truth.csv:2: line longer than 16 MiB" "$T/err"
has "the line after it imported" "label $T/long-truth.csv: 1 labels imported, 0 domains not in the sample, 1 skipped" "$T/err"
eq "its label is stored" "1" "$(sqlite3 "$T/long.db" "SELECT count(*) FROM label WHERE sample = 'r200' AND domain = '$d' AND truth = '' AND undone_at IS NULL")"
n0=$(sqlite3 "$T/long.db" "SELECT count(*) FROM label")
run_peak "label --import --strict with a 20 MiB line" 1 "$MXRAY" label --db "$T/long.db" --sample r200 --strict --import "$T/long-truth.csv"
has "strict: the long line ends it" "mxray label: $T/long-truth.csv:2: line longer than 16 MiB" "$T/err"
eq "strict: nothing kept" "$n0" "$(sqlite3 "$T/long.db" "SELECT count(*) FROM label")"
run_peak "sample --from-file with a 20 MiB line" 0 "$MXRAY" sample --db "$T/long.db" --name long1 --from-file "$T/long-list.txt" --snapshot 2021-06-08
has "long list line reported" "$T/long-list.txt:1: line longer than 16 MiB" "$T/err"
has "the sample has the line after it" "sample long1: 1 domains from snapshot 2021-06-08" "$T/err"
eq "sampled domain" "$d" "$(sqlite3 "$T/long.db" "SELECT domain FROM sample_domain WHERE sample = 'long1'")"
# a line of exactly 16 MiB is still read (and is a bad name, not a long line)
{ head -c 16777216 /dev/zero | tr '\0' a; echo; echo "$d"; } >"$T/limit-list.txt"
status "sample --from-file with a 16 MiB line" 0 "$MXRAY" sample --db "$T/long.db" --name long2 --from-file "$T/limit-list.txt" --snapshot 2021-06-08
if grep -q 'longer than 16 MiB' "$T/err"; then bad "a 16 MiB line is not over the limit"; else ok; fi
has "16 MiB line: a bad name" "$T/limit-list.txt:1: " "$T/err"
# a provider ID that is a company's name is that company, as it reads back (found by fuzz_label)
printf 'domain,truth\n%s,mx.web.com\n' "$d" >"$T/webcom.csv"
status "label a host under web.com" 0 "$MXRAY" label --db "$T/long.db" --sample long1 --import "$T/webcom.csv"
"$MXRAY" label --db "$T/long.db" --sample long1 --export >"$T/webcom-out.csv"
eq "web.com is the company Web.com" "$d,Web.com" "$(tail -1 "$T/webcom-out.csv")"
# both read compressed files, as the importers do
if command -v gzip >/dev/null 2>&1; then
	printf 'domain,truth\n%s,\n' "$d" | gzip -c >"$T/truth.csv.gz"
	status "label --import of a gzip file" 0 "$MXRAY" label --db "$T/long.db" --sample long1 --import "$T/truth.csv.gz"
	has "gzip truth imported" "label $T/truth.csv.gz: 1 labels imported, 0 domains not in the sample, 0 skipped" "$T/err"
	printf '%s\n' "$d" | gzip -c >"$T/list.txt.gz"
	status "sample --from-file of a gzip file" 0 "$MXRAY" sample --db "$T/long.db" --name long3 --from-file "$T/list.txt.gz" --snapshot 2021-06-08
	has "gzip list read" "sample long3: 1 domains from snapshot 2021-06-08" "$T/err"
fi

echo "cli: issue 15: answers of different infer runs are never scored as one (eval), and are said to be (export, report)"
RDB=$T/runs.db
imported "$RDB"
status "runs: infer --all" 0 "$MXRAY" infer --db "$RDB" --all --quiet
"$MXRAY" sample --db "$RDB" --name m200 --size 200 --seed 2021 --snapshot 2021-06-08 2>/dev/null
"$MXRAY" label --db "$RDB" --sample m200 --import "$SD/truth.csv" 2>/dev/null
status "runs: eval of one run" 0 "$MXRAY" eval --db "$RDB" --format csv
cp "$T/out" "$T/runs-eval1.csv"
eq "runs: eval of one run says nothing" "" "$(cat "$T/err")"
# another knowledge base: Google's company renamed, so the answers differ
sed 's/"name": "Google"/"name": "Alphabet"/' "$SD/../src/kb-default.json" >"$T/other-kb.json"
eq "runs: the other kb differs" "1" "$(grep -c '"name": "Alphabet"' "$T/other-kb.json")"
status "runs: infer priority with another kb" 0 "$MXRAY" infer --db "$RDB" --approach priority --kb "$T/other-kb.json" --quiet
status "runs: eval refuses a mix" 1 "$MXRAY" eval --db "$RDB" --format csv
eq "runs: refused eval prints no scores" "" "$(cat "$T/out")"
has "runs: refusal says why" "mxray eval: sample m200 (snapshot 2021-06-08): the approaches' answers come from runs with different knowledge bases:" "$T/err"
has "runs: refusal names the first kb" "  mx        run 1 at " "$T/err"
has "runs: refusal names the built-in kb" ", kb built-in (fnv1a64:" "$T/err"
has "runs: refusal names the other kb" ", kb $T/other-kb.json (fnv1a64:" "$T/err"
eq "runs: priority and final from the other kb" "2" "$(grep -cE "^  (priority|final) +run 5 at .*, kb $T/other-kb.json " "$T/err")"
eq "runs: mx, cert, banner from the built-in kb" "3" "$(grep -cE '^  (mx|cert|banner) +run [123] at .*, kb built-in ' "$T/err")"
has "runs: refusal says what to do" "not scoring a mix: run 'mxray infer --snapshot 2021-06-08' (every approach) to score one run, or give --allow-mixed" "$T/err"
status "runs: eval --allow-mixed" 0 "$MXRAY" eval --db "$RDB" --format csv --allow-mixed
has "runs: allowed mix is said" "mxray eval: note: sample m200 (snapshot 2021-06-08): scoring answers of runs with different knowledge bases (--allow-mixed):" "$T/err"
eq "runs: allowed mix names each approach's run" "5" "$(grep -cE '^  (mx|cert|banner|priority|final) +run [0-9]+ at ' "$T/err")"
eq "runs: mx scored as before" "$(grep '^m200,mx,' "$T/runs-eval1.csv")" "$(grep '^m200,mx,' "$T/out")"
if [ "$(grep '^m200,priority,' "$T/runs-eval1.csv")" != "$(grep '^m200,priority,' "$T/out")" ]; then ok; else
	bad "runs: the other kb did not change the priority score"; fi
status "runs: export of the re-inferred approach" 0 "$MXRAY" export --db "$RDB" assignments --approach priority
has "runs: export notes the mix" "mxray export: note: the priority answers of 2021-06-08 come from run 5 at " "$T/err"
has "runs: export names the other runs" "(mx: run 1, kb built-in (fnv1a64:" "$T/err"
eq "runs: export note is one line" "1" "$(wc -l <"$T/err" | tr -d ' ')"
status "runs: report" 0 "$MXRAY" report --db "$RDB"
has "runs: report notes the mix" "mxray report: note: the final answers of 2021-06-08 come from run 5 at " "$T/err"
status "runs: infer --all again" 0 "$MXRAY" infer --db "$RDB" --all --quiet
status "runs: eval works again without the flag" 0 "$MXRAY" eval --db "$RDB" --format csv
eq "runs: eval of the new run says nothing" "" "$(cat "$T/err")"
if cmp -s "$T/runs-eval1.csv" "$T/out"; then ok; else bad "runs: eval after infer --all differs from the first"; fi
status "runs: export after infer --all" 0 "$MXRAY" export --db "$RDB" assignments --approach priority
eq "runs: no export note" "" "$(cat "$T/err")"
status "runs: report after infer --all" 0 "$MXRAY" report --db "$RDB"
eq "runs: no report note" "" "$(cat "$T/err")"

echo "cli: OpenINTEL Avro (three codecs, gzip-wrapped, stdin), CAIDA as2org JSON Lines, Parquet refused (issue 10)"
AV_LINE="dns tests/data/openintel-null.avro: 10 lines, 6 imported, 0 already present, 1 skipped, 1 failed lookups, 1 empty answers, 1 ignored (AAAA and other record types)"
for codec in null deflate snappy; do
	rm -f "$T/av.db"*
	status "avro $codec: import" 0 "$MXRAY" import --db "$T/av.db" --snapshot 2021-06-08 --dns "tests/data/openintel-$codec.avro"
	has "avro $codec: counts" "$(echo "$AV_LINE" | sed "s/-null\./-$codec./")" "$T/err"
	has "avro $codec: the bad record named by number" "tests/data/openintel-$codec.avro:10: ip4_address is not an IPv4 address" "$T/err"
	eq "avro $codec: MX rows" "cn.org|mail.cn.org|10
example.org|alt1.aspmx.l.google.com|5
example.org|aspmx.l.google.com|1" "$(sqlite3 "$T/av.db" "SELECT domain, host, pref FROM mx ORDER BY 1, 2")"
	eq "avro $codec: A rows" "aspmx.l.google.com|142.250.102.27
example.org|142.250.102.27
relay.host.net|198.51.100.7" "$(sqlite3 "$T/av.db" "SELECT host, ip FROM a ORDER BY 1, 2")"
	eq "avro $codec: failed and NODATA lookups" "gone.org|MX|3
nomx.org|MX|0" "$(sqlite3 "$T/av.db" "SELECT name, qtype, rcode FROM lookup_fail ORDER BY 1")"
done
gzip -c tests/data/openintel-deflate.avro >"$T/oi.avro.gz"
rm -f "$T/av2.db"*
status "avro: gzip-wrapped on stdin" 0 sh -c "\"\$0\" import --db \"\$1\" --snapshot 2021-06-08 --dns - <\"\$2\"" "$MXRAY" "$T/av2.db" "$T/oi.avro.gz"
for q in "SELECT domain, host, pref FROM mx" "SELECT host, ip FROM a" "SELECT name, qtype, rcode FROM lookup_fail"; do
	want=$(sqlite3 "$T/av.db" "$q ORDER BY 1, 2, 3" 2>&1)
	eq "avro: stdin gives the same rows ($q)" "$want" "$(sqlite3 "$T/av2.db" "$q ORDER BY 1, 2, 3" 2>&1)"
	if [ -n "$want" ]; then ok; else bad "avro: no rows to compare ($q)"; fi
done
status "avro: --strict stops at the bad record" 1 "$MXRAY" import --db "$T/av3.db" --snapshot 2021-06-08 --strict --dns tests/data/openintel-snappy.avro
has "avro: --strict names it" "tests/data/openintel-snappy.avro:10: ip4_address is not an IPv4 address" "$T/err"
eq "avro: --strict keeps nothing" "0" "$(sqlite3 "$T/av3.db" "SELECT count(*) FROM f_mx" 2>/dev/null || echo 0)"
status "avro: only --dns reads Avro" 1 "$MXRAY" import --db "$T/av3.db" --snapshot 2021-06-08 --scans tests/data/openintel-null.avro
has "avro: --scans refusal" "an Avro file: only --dns reads Avro" "$T/err"
status "as2org JSON Lines: import" 0 "$MXRAY" import --db "$T/av.db" --asorg tests/data/caida-as2org.jsonl
has "as2org JSON Lines: counts" "asorg tests/data/caida-as2org.jsonl: 4 lines, 4 imported, 0 already present, 0 skipped" "$T/err"
eq "as2org JSON Lines: AS rows" "10000|NCM|@aut-10000-JPNIC
400644|BGPKIT-LLC|BL-1057-ARIN" "$(sqlite3 "$T/av.db" "SELECT asn, aut_name, org_id FROM as_org ORDER BY 1")"
eq "as2org JSON Lines: an organisation" "Nagasaki Cable Media Inc.|JP|JPNIC" "$(sqlite3 "$T/av.db" "SELECT org_name, country, source FROM org WHERE org_id = '@aut-10000-JPNIC'")"
printf 'PAR1\025\004\025\000' >"$T/x.gz.parquet"
status "parquet: refused" 1 "$MXRAY" import --db "$T/av.db" --snapshot 2021-06-08 --dns "$T/x.gz.parquet"
has "parquet: says how to convert" "$T/x.gz.parquet: a Parquet file, which mxray does not read: convert it to JSON Lines first, e.g. with DuckDB: duckdb -c" "$T/err"
has "parquet: nothing written" "mxray import: nothing of that file was written to $T/av.db" "$T/err"
eq "parquet: the message and what was kept, no more" "2" "$(wc -l <"$T/err" | tr -d ' ')"

echo "cli: options by getopt_long, commands by one table (issue 14, item 1)"
O=$T/opt
mkdir "$O"
# two domains on one MX host with one address: a snapshot small enough to count by hand
printf '%s\n' '{"query_type":"MX","query_name":"a.example.","response_type":"MX","response_name":"a.example.","mx_address":"mx.a.example.","mx_preference":10,"status_code":0}' \
	'{"query_type":"MX","query_name":"a.example.","response_type":"A","response_name":"mx.a.example.","ip4_address":"192.0.2.1","status_code":0}' \
	'{"query_type":"MX","query_name":"b.example.","response_type":"MX","response_name":"b.example.","mx_address":"mx.a.example.","mx_preference":5,"status_code":0}' \
	>"$O/-weird-name"
STATS_X="snapshot    list  domains  with_mx  failed_lookups  mx_hosts  ips  ips_scanned  ips_port25  ips_trusted_cert  ips_with_asn
2021-06-08  all         2        2               0         1    1            0           0                 0             0"
# in "$O", as a user types them: x.db and -weird-name are relative names
inopt() { (cd "$O" && "$MXRAY" "$@") >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
inopt import -- -weird-name
eq "import -- -weird-name: an operand, and import takes none" "2|mxray import: unexpected argument '-weird-name' (files go after --dns, --scans, --targets, --pfx2as or --asorg)
Try 'mxray import --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt import -weird-name
eq "import -weird-name: options, refused" "2|mxray import: unknown option '-w'
Try 'mxray import --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt --db=x.db import --snapshot 2021-06-08 --dns -weird-name
eq "import --dns -weird-name: the value of --dns, a file" "0|dns -weird-name: 3 lines, 3 imported, 0 already present, 0 skipped, 0 failed lookups" \
	"$(cat "$T/rc")|$(cat "$T/err")"
inopt --db=x.db stats
eq "mxray --db=x.db stats" "0|$STATS_X|" "$(cat "$T/rc")|$(cat "$T/out")|$(cat "$T/err")"
inopt stats --db x.db
eq "mxray stats --db x.db" "0|$STATS_X|" "$(cat "$T/rc")|$(cat "$T/out")|$(cat "$T/err")"
inopt stats --db=x.db
eq "mxray stats --db=x.db" "0|$STATS_X|" "$(cat "$T/rc")|$(cat "$T/out")|$(cat "$T/err")"
(cd "$O" && MXRAY_DB=nope.db "$MXRAY" --db x.db stats --format=csv) >"$T/out" 2>&1
eq "mxray's --db wins over \$MXRAY_DB; --format=csv" "snapshot,list,domains,with_mx,failed_lookups,mx_hosts,ips,ips_scanned,ips_port25,ips_trusted_cert,ips_with_asn
2021-06-08,all,2,2,0,1,1,0,0,0,0" "$(cat "$T/out")"
inopt --db=nope.db stats --db x.db --format csv
eq "the command's --db wins over mxray's" "0|2021-06-08,all,2,2,0,1,1,0,0,0,0" "$(cat "$T/rc")|$(sed -n 2p "$T/out")"
inopt show --db x.db a.example --snapshot=2021-06-08
eq "options after an operand" "0|a.example  (snapshot 2021-06-08)" "$(cat "$T/rc")|$(head -1 "$T/out")"
inopt show --db x.db -- -weird-name
eq "show -- -weird-name: the domain operand (and no domain name)" "1|mxray show: that is not a domain name" "$(cat "$T/rc")|$(cat "$T/err")"
inopt stats --db x.db --snap 2021-06-08
eq "an abbreviation is refused" "2|mxray stats: '--snap' is short for --snapshot: give the whole name
Try 'mxray stats --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt stats --db x.db --form=csv
eq "an abbreviation with = is refused" "2|mxray stats: '--form' is short for --format: give the whole name
Try 'mxray stats --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt --d=x.db stats
eq "mxray's own options: no abbreviation either" "2|mxray: '--d' is short for --db: give the whole name
Try 'mxray --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt export --db x.db providers --s 2021-06-08
eq "an ambiguous abbreviation" "2|mxray export: '--s' is short for one of --snapshot, --stable, --snapshots: give the whole name
Try 'mxray export --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt stats --db x.db --snapshot 2021-02-30
eq "a date is checked by its type" "2|mxray stats: --snapshot '2021-02-30' is not a date YYYY-MM-DD
Try 'mxray stats --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt infer --db x.db --threshold=-1
eq "a number is checked by its type" "2|mxray infer: --threshold '-1' is not a whole number
Try 'mxray infer --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt infer --db x.db --heuristics maybe
eq "a choice is checked by its type" "2|mxray infer: --heuristics 'maybe' is not apply, flag or off
Try 'mxray infer --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt stats --db x.db --quiet
eq "an option of another command" "2|mxray stats: unknown option '--quiet'
Try 'mxray stats --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt infer --db x.db --quiet=yes
eq "a flag takes no value" "2|mxray infer: --quiet takes no value
Try 'mxray infer --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt import --db x.db --snapshot
eq "a value is missing" "2|mxray import: --snapshot needs a value
Try 'mxray import --help'." "$(cat "$T/rc")|$(cat "$T/err")"
inopt stats -h
eq "-h is --help" "0|usage: mxray stats [--snapshot D] [--format text|csv|jsonl]" "$(cat "$T/rc")|$(head -1 "$T/out")"

echo "cli: every command's --help, its usage line and the man page's SYNOPSIS list the same options (issue 14, item 1)"
MAN=$(cd "$(dirname "$0")/../.." && pwd)/mxray.1
# the options a text names, one a line, sorted (--db and --help are every command's)
opts_of() { grep -o -- '--[a-z0-9][a-z0-9-]*' | grep -vx -- '--db\|--help' | sort -u | tr '\n' ' '; }
# the SYNOPSIS entries of the man page that begin "mxray CMD"
man_synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$MAN" | awk -v cmd="$1" '
		/^\.br/ { on = 0; next }
		/^\.B mxray / { split($0, w, " "); on = (w[3] == cmd) }
		on' | sed 's/\\-/-/g'
}
cmds=$("$MXRAY" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { printf "%s ", $1 }')
eq "the table's commands" "import stats infer correct show export review sample label eval report probe help version " "$cmds"
for c in $cmds; do
	"$MXRAY" "$c" --help >"$T/help" 2>&1 || bad "$c --help: exit $?"
	listed=$(sed -n '/^options:/,$p' "$T/help" | grep '^  --' | awk '{ print $1 }' | opts_of)
	usage=$(sed -n '1,/^$/p' "$T/help" | opts_of)
	man_synopsis "$c" >"$T/man"
	[ -s "$T/man" ] && ok || bad "$c: no 'mxray $c' in the man page's SYNOPSIS"
	eq "$c: --help's usage line and its options" "$listed" "$usage"
	eq "$c: the man page's SYNOPSIS and --help" "$listed" "$(opts_of <"$T/man")"
done
# the check can fail: a man page without one of probe's options
sed '/^\.SH SYNOPSIS/,/^\.SH /{/^\.RB \[ \\-\\-sni \]$/d}' "$MAN" >"$T/broken.1"
if [ "$(MAN=$T/broken.1 man_synopsis probe | opts_of)" != "$(MAN=$MAN man_synopsis probe | opts_of)" ]; then ok; else bad "a man page without --sni passes the check"; fi

echo "cli: correct --set takes company names from --kb, dotted ones too (issue 14, item 4)"
printf '{"format":"mxray-kb/1","companies":[{"name":"Web.com","provider_ids":["webcom-mail.net","registeredsite.com"],"asns":[64500]}]}' >"$O/kb.json"
inopt correct --db x.db --domain a.example --set Web.com --kb kb.json --analyst ana
eq "--set Web.com --kb kb.json" "0|1|mxray correct: Web.com is a company of the knowledge base (kb.json): its first provider ID, webcom-mail.net
decision #1 recorded; run 'mxray infer' to apply it" "$(cat "$T/rc")|$(cat "$T/out")|$(cat "$T/err")"
inopt correct --db x.db --domain b.example --set Web.com --analyst ana
eq "--set Web.com, the built-in knowledge base" "0|2|mxray correct: Web.com is a company of the knowledge base (built-in): its first provider ID, registeredsite.com
decision #2 recorded; run 'mxray infer' to apply it" "$(cat "$T/rc")|$(cat "$T/out")|$(cat "$T/err")"
inopt correct --db x.db --mx mx.a.example --set hoster.net --kb kb.json --analyst ana
eq "--set an ID that is no company" "0|3|decision #3 recorded; run 'mxray infer' to apply it" "$(cat "$T/rc")|$(cat "$T/out")|$(cat "$T/err")"
eq "the IDs recorded" "domain|a.example|webcom-mail.net
domain|b.example|registeredsite.com
mx|mx.a.example|hoster.net" "$(sqlite3 "$O/x.db" "SELECT scope, key, provider_id FROM correction ORDER BY id")"
inopt correct --db x.db --domain a.example --set Web.com --kb nokb.json
eq "an unreadable --kb records nothing" "1|mxray correct: cannot open knowledge base nokb.json: No such file or directory|3" \
	"$(cat "$T/rc")|$(cat "$T/err")|$(sqlite3 "$O/x.db" "SELECT count(*) FROM correction")"

echo "cli: with \$USER unset or empty, correct and label record the account's name, as the desk does"
acct=$(id -un 2>/dev/null || echo unknown)
n0=$(sqlite3 "$O/x.db" "SELECT max(id) FROM correction")
env -u USER "$MXRAY" correct --db "$O/x.db" --domain b.example --confirm >"$T/out" 2>"$T/err"
eq "correct without \$USER: exit 0" "0" "$?"
USER= "$MXRAY" correct --db "$O/x.db" --domain a.example --confirm --analyst "" >/dev/null 2>&1
USER=ana "$MXRAY" correct --db "$O/x.db" --domain a.example --confirm >/dev/null 2>&1
env -u USER "$MXRAY" correct --db "$O/x.db" --undo "$((n0 + 3))" >/dev/null 2>&1
eq "correct: the analysts recorded" "$acct|
$acct|
ana|$acct" "$(sqlite3 "$O/x.db" "SELECT analyst, undone_by FROM correction WHERE id > $n0 ORDER BY id")"
d=$(sqlite3 "$DB" "SELECT domain FROM sample_domain WHERE sample = 'r200' ORDER BY pos LIMIT 1 OFFSET 1")
printf 'domain,truth\n%s,\n' "$d" >"$T/nouser.csv"
env -u USER "$MXRAY" label --db "$DB" --sample r200 --import "$T/nouser.csv" >"$T/out" 2>"$T/err"
eq "label --import without \$USER: exit 0" "0" "$?"
eq "label --import without \$USER: the account's name" "$acct" \
	"$(sqlite3 "$DB" "SELECT analyst FROM label WHERE sample = 'r200' AND domain = '$d' ORDER BY id DESC LIMIT 1")"

echo "cli: label --import takes company names from --kb (issue 14, item 4)"
printf '{"format":"mxray-kb/1","companies":[{"name":"Hoster Group","provider_ids":["hoster-mail.net"],"asns":[64501]}]}' >"$O/kb2.json"
d=$(sqlite3 "$DB" "SELECT domain FROM sample_domain WHERE sample = 'r200' ORDER BY pos LIMIT 1")
printf 'domain,truth\n%s,HOSTER GROUP;hoster-mail.net\n' "$d" >"$T/kb2-labels.csv"
"$MXRAY" label --db "$DB" --sample r200 --import "$T/kb2-labels.csv" --strict >"$T/out" 2>"$T/err"
eq "label --import, the built-in knowledge base: the name is refused" "1|mxray label: $T/kb2-labels.csv:2: 'HOSTER GROUP' is neither a company the knowledge base knows nor a provider ID" \
	"$?|$(sed 's/ (.*//' "$T/err")"
"$MXRAY" label --db "$DB" --sample r200 --import "$T/kb2-labels.csv" --kb "$O/kb2.json" >"$T/out" 2>"$T/err"
eq "label --import --kb: exit status" "0" "$?"
eq "label --import --kb: the company, once (its ID is the company too)" "$d,Hoster Group" \
	"$("$MXRAY" label --db "$DB" --sample r200 --export | grep -F -- "$d,")"
status "label --kb goes with --import" 2 "$MXRAY" label --db "$DB" --sample r200 --export --kb "$O/kb2.json"

echo "cli: infer on a terminal names each phase as it goes (and import its last step); not on a file or pipe"
if command -v script >/dev/null 2>&1; then
	import_sample "$T/tty.db" 2>/dev/null
	script -qec "$MXRAY infer --db $T/tty.db" /dev/null </dev/null >"$T/tty.out" 2>&1
	eq "infer on a terminal: exit 0" "0" "$?"
	# each phase's label, in order, once (a count or bar after it dropped)
	eq "infer on a terminal: its phases" "infer: reading names|infer: reading MX addresses|infer: reading MX records|\
infer: reading scans|infer: primary MX of each domain|infer: primary MX sets|infer: writing f_primary_mx|\
infer: deciding|infer: writing f_coverage|infer: evidence rows|infer: writing f_host_ev|infer: writing f_ip_ev|infer: companies of the approaches|infer: final answers|infer: writing f_result|infer: writing f_share|\
infer: committing|" "$(tr '\r' '\n' <"$T/tty.out" | sed -n 's/^\(infer: [^[]*[a-z_]\)\( *\[.*\|  .*\| *\)$/\1/p' | uniq | tr '\n' '|')"
	has "infer on a terminal: the line cleared (back to its start), then the summary" "$(printf ' \r')infer 2021-06-08: " "$T/tty.out"
	"$MXRAY" infer --db "$T/tty.db" >"$T/out" 2>"$T/err"
	eq "infer to a file: the summary alone" "infer 2021-06-08: " "$(cut -c1-18 "$T/err")"
	script -qec "$MXRAY import --db $T/tty2.db --snapshot 2021-06-08 --dns $SD/dns.jsonl" /dev/null </dev/null >"$T/tty.out" 2>&1
	has "import on a terminal: the last step's label, after the file's" "$(printf '\r')import: MX addresses, ASNs and counts" "$T/tty.out"
else
	echo "(no script(1): skipped)"
fi

echo "cli: import (as infer, export, review and sample) starts again with the heap in huge pages"
# What the kernel says (Debian's default is [madvise]; elsewhere nothing
# is started again); the environment a process started with is in
# /proc/PID/environ, its name in /proc/PID/comm: an import waits on a FIFO
# meanwhile.
mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
# (glibc rewrites the variable's text in place as it reads it: the
# first tunable is what /proc/PID/environ shows of it for sure)
case $mode in *"[madvise]"*) want=GLIBC_TUNABLES=glibc.malloc.hugetlb=1 ;; *) want= ;; esac
# thp_import NAME [ENV-ARGS...]: an import reading a FIFO, started with
# ENV-ARGS; once it reads, GLIBC_TUNABLES and its name into $T/NAME.env,
# its messages into $T/NAME.err
thp_import() {
	name=$1
	shift
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	exec 3<>"$T/fifo" # held open (read and write: no wait), so the import waits for data
	env "$@" "$MXRAY" import --db "$T/thp.db" --snapshot 2021-06-08 --quiet --dns "$T/fifo" 2>"$T/$name.err" 3>&- &
	pid=$!
	# the first process's environment until it has started again: wait
	# for the import to open its input (on a descriptor other than 3,
	# which the shell that starts it holds for a moment)
	i=0
	while [ $i -lt 200 ]; do
		for fd in /proc/$pid/fd/*; do
			[ "${fd##*/}" != 3 ] && [ "$(readlink "$fd" 2>/dev/null)" = "$T/fifo" ] && break 2
		done
		i=$((i + 1))
		sleep 0.05
	done
	{ tr '\0' '\n' </proc/$pid/environ | grep '^GLIBC_TUNABLES=' | cut -d: -f1 || true; cat /proc/$pid/comm; } >"$T/$name.env"
	exec 3>&- # the end of the input
	wait $pid
}
thp_import plain -u GLIBC_TUNABLES
eq "import: started again with the tunable, and still called mxray (this machine: ${mode:-no huge pages})" \
	"${want:+$want }$(basename "$MXRAY" | cut -c1-15)" "$(tr '\n' ' ' <"$T/plain.env" | sed 's/ $//')"
eq "import: its one message, not two (nothing said before it started again)" \
	"dns $T/fifo: 0 lines, 0 imported, 0 already present, 0 skipped, 0 failed lookups" "$(cat "$T/plain.err")"
thp_import own GLIBC_TUNABLES=glibc.malloc.check=0
eq "import: never over the user's own tunables" "GLIBC_TUNABLES=glibc.malloc.check=0" "$(head -n 1 "$T/own.env")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
