#!/bin/sh
# CLI end-to-end test of a run of some approaches only (README, --approach):
# after 'infer --approach priority' the mx, cert and banner answers are
# still the earlier run's, in every reader (the result view, export
# assignments, eval), although this run's evidence would derive others;
# they are stored only where it would, and 'infer --approach all' derives
# them again.  On sample-data/, snapshots 2021-06-08 and 2021-12-08.
# Usage: tests/cli/partial.sh /path/to/mxray
set -u
MXRAY=$1
SD=$(cd "$(dirname "$0")/../../sample-data" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-partial.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/p.db
S=2021-12-08
. "$(dirname "$0")/check.sh" # pass, fail, ok, bad, eq

# run NAME command...: exit status 0, stdout in $T/out, stderr in $T/err
run() {
	name=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then ok; else bad "$name: exit $?"; sed 's/^/    /' "$T/err" | head -5; fi
}
q() { sqlite3 "$DB" "$1"; }
# every reader's mx, cert and banner answers of the snapshot, into $1.*
answers() {
	for a in mx cert banner; do
		"$MXRAY" export assignments --db "$DB" --snapshot $S --approach $a >"$1.$a" 2>/dev/null
		q "SELECT * FROM result WHERE snapshot = '$S' AND approach = '$a' ORDER BY domain, provider_id" >"$1.view-$a"
	done
}
same() { # NAME A B: the answer files of A and B are the same
	for f in mx cert banner view-mx view-cert view-banner; do
		if cmp -s "$2.$f" "$3.$f"; then ok; else bad "$1: $f differs"; diff "$2.$f" "$3.$f" | head -10; fi
	done
}
# the four domains whose banner answers this test follows
FOUR="'grimoroofing.com', 'nukan.com', 'ploplowas.com', 'townofnashuaga.gov'"
four() { # APPROACH: their export lines
	"$MXRAY" export assignments --db "$DB" --snapshot $S --approach "$1" 2>/dev/null |
		grep -E "^$S,(grimoroofing\.com|nukan\.com|ploplowas\.com|townofnashuaga\.gov),"
}
raw_state() { # f_raw's approaches, then the stored rows per approach, of the snapshot
	q "SELECT (SELECT group_concat(approach) FROM (SELECT approach FROM f_raw WHERE snap = s.id ORDER BY 1))
	   || ' / ' || (SELECT group_concat(approach || ':' || n) FROM (SELECT approach, count(*) AS n FROM f_result
	   WHERE snap = s.id GROUP BY 1 ORDER BY 1)) FROM snapshot s WHERE date = '$S'"
}

for d in 2021-06-08 $S; do
	dir=$SD
	[ $d = 2021-06-08 ] || dir=$SD/$d
	"$MXRAY" import --db "$DB" --snapshot $d --quiet \
		--list alexa --targets "$dir/targets-alexa.txt" --list com --targets "$dir/targets-com.txt" \
		--list gov --targets "$dir/targets-gov.txt" --dns "$dir/dns.jsonl" \
		--scans "$dir/scans-censys.jsonl" --scans "$dir/scans-zgrab2.jsonl" --scans "$dir/scans-censys2.jsonl" \
		--pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" 2>"$T/err" || {
		echo "FAIL: partial: import of $d"; cat "$T/err"; exit 1; }
done
echo "cli: partial: infer of every approach, then priority alone on the same data"
run "infer --all" "$MXRAY" infer --db "$DB" --all --quiet
finals=$(q "SELECT count(*) FROM f_result r JOIN snapshot s ON s.id = r.snap WHERE s.date = '$S'")
eq "every raw approach derived, the final answers stored" "0,1,2,3 / 4:$finals" "$(raw_state)"
answers "$T/a0"
banner_run=$(q "SELECT max(id) FROM run WHERE snapshot = '$S' AND approach = 'banner'")
eq "the four domains' banner answers" \
	"$S,grimoroofing.com,grimoroofing.com,,1.0,banner,1,auto,
$S,nukan.com,nukan.com,,1.0,banner,1,auto,
$S,ploplowas.com,ploplowas.com,,1.0,banner,1,auto,
$S,townofnashuaga.gov,townofnashuaga.gov,,1.0,banner,1,auto," "$(four banner)"
"$MXRAY" sample --db "$DB" --name four --from-file /dev/stdin --snapshot $S >/dev/null 2>&1 <<EOF
grimoroofing.com
nukan.com
ploplowas.com
townofnashuaga.gov
EOF
"$MXRAY" label --db "$DB" --sample four --import "$SD/truth.csv" >/dev/null 2>&1
run "eval of one run" "$MXRAY" eval --db "$DB" --format csv
cp "$T/out" "$T/eval0.csv"
eq "eval: the four labelled, banner right on each" "four,banner,4,4,1.0,0,0" "$(grep '^four,banner,' "$T/eval0.csv")"
# a run that changes nothing stores nothing more and rewrites no answer
q "SELECT * FROM f_result ORDER BY 1, 2, 3, 4" >"$T/result0"
run "infer --approach priority, same knowledge base" "$MXRAY" infer --db "$DB" --approach priority --quiet
eq "nothing stored: every raw approach still derived" "0,1,2,3 / 4:$finals" "$(raw_state)"
q "SELECT * FROM f_result ORDER BY 1, 2, 3, 4" >"$T/result1"
if cmp -s "$T/result0" "$T/result1"; then ok; else bad "f_result changed on a run that changes nothing"; fi

echo "cli: partial: priority alone with a knowledge base that changes the banner IDs"
# the built-in knowledge base without its misleading banner domains
sed -e '/^  "spamhaus.org",$/d' -e '/^  "abuseat.org",$/d' -e '/^  "trustedsource.org"$/d' \
	"$SD/../src/kb-default.json" >"$T/kbx.json"
eq "kbx: the list is empty" "1|0" "$(grep -c '"misleading_banner_domains": \[$' "$T/kbx.json")|$(grep -c 'spamhaus' "$T/kbx.json")"
run "infer --approach priority --kb kbx" "$MXRAY" infer --db "$DB" --approach priority --kb "$T/kbx.json" --quiet
answers "$T/a1"
same "mx, cert and banner answers kept" "$T/a0" "$T/a1"
eq "the four domains' banner answers kept" \
	"$S,grimoroofing.com,grimoroofing.com,,1.0,banner,1,auto,
$S,nukan.com,nukan.com,,1.0,banner,1,auto,
$S,ploplowas.com,ploplowas.com,,1.0,banner,1,auto,
$S,townofnashuaga.gov,townofnashuaga.gov,,1.0,banner,1,auto," "$(four banner)"
eq "the four domains' priority answers are this run's" \
	"$S,grimoroofing.com,grimoroofing.com,,1.0,cert,1,auto,
$S,nukan.com,nukan.com,,1.0,cert,1,auto,
$S,ploplowas.com,ploplowas.com,,1.0,mx,1,auto,
$S,townofnashuaga.gov,townofnashuaga.gov,,1.0,cert,1,auto," "$(four priority)"
banner_rows=$(wc -l <"$T/a0.view-banner" | tr -d ' ')
eq "the banner answers stored (they would change), mx and cert still derived" \
	"0,1,3 / 2:$banner_rows,4:$finals" "$(raw_state)"
eq "the stored banner rows are the earlier answers" "4" \
	"$(q "SELECT count(*) FROM f_result r JOIN name d ON d.id = r.domain JOIN snapshot s ON s.id = r.snap
	      WHERE s.date = '$S' AND r.approach = 2 AND r.source = 2 AND d.name IN ($FOUR)")"
"$MXRAY" export assignments --db "$DB" --snapshot $S --approach banner >/dev/null 2>"$T/err"
eq "export notes that the banner answers come from the earlier run" "1" \
	"$(grep -c "^mxray export: note: the banner answers of $S come from run $banner_run at .*, kb built-in " "$T/err")"
run "eval --allow-mixed" "$MXRAY" eval --db "$DB" --format csv --allow-mixed
for a in mx cert banner; do
	eq "eval: $a scored as before" "$(grep "^four,$a," "$T/eval0.csv")" "$(grep "^four,$a," "$T/out")"
done
eq "the other snapshot untouched" "0,1,2,3" \
	"$(q "SELECT group_concat(approach) FROM f_raw k JOIN snapshot s ON s.id = k.snap WHERE s.date = '2021-06-08'")"

echo "cli: partial: every approach again, with the built-in knowledge base"
run "infer --approach all" "$MXRAY" infer --db "$DB" --approach all --quiet
eq "derived again, the final answers stored" "0,1,2,3 / 4:$finals" "$(raw_state)"
answers "$T/a2"
same "the answers of the first run" "$T/a0" "$T/a2"
q "SELECT * FROM f_result ORDER BY 1, 2, 3, 4" >"$T/result2"
if cmp -s "$T/result0" "$T/result2"; then ok; else bad "f_result differs from the first run's"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
