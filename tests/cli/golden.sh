#!/bin/sh
# Golden outputs on sample-data: the answers must not change when the store
# or the engine is reworked.  Imports the three snapshots, infers, draws and
# labels a sample, and compares every export, stats, the report, eval and
# show for a few hard cases with tests/golden/ byte for byte.
# Usage: tests/cli/golden.sh /path/to/mxray [--update]
set -u
MXRAY=$1
UPDATE=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SD=$ROOT/sample-data
G=$ROOT/tests/golden
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-golden.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/g.db
OUT=$T/out
mkdir -p "$OUT"
pass=0
fail=0

for d in 2021-06-08 2021-09-08 2021-12-08; do
	dir=$SD
	[ $d = 2021-06-08 ] || dir=$SD/$d
	"$MXRAY" import --db "$DB" --snapshot $d --quiet \
		--list alexa --targets "$dir/targets-alexa.txt" \
		--list com --targets "$dir/targets-com.txt" \
		--list gov --targets "$dir/targets-gov.txt" \
		--dns "$dir/dns.jsonl" \
		--scans "$dir/scans-censys.jsonl" --scans "$dir/scans-zgrab2.jsonl" \
		--scans "$dir/scans-censys2.jsonl" \
		--pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" 2>"$OUT/import-$d.log" || {
		echo "FAIL: golden: import of $d"; cat "$OUT/import-$d.log"; exit 1; }
	sed "s#$SD#sample-data#g" "$OUT/import-$d.log" >"$T/log" && mv "$T/log" "$OUT/import-$d.log"
done
# analyst decisions of each scope, one undone, applied by infer
"$MXRAY" correct --db "$DB" --domain activerobotics.com --set outlook.com --analyst g >/dev/null 2>&1
"$MXRAY" correct --db "$DB" --mx mail.biglabs.org --self --analyst g >/dev/null 2>&1
"$MXRAY" correct --db "$DB" --domain belmontpharma.com --confirm --analyst g >/dev/null 2>&1
"$MXRAY" correct --db "$DB" --domain arlingtontech.edu --set google.com --analyst g >/dev/null 2>&1
"$MXRAY" correct --db "$DB" --undo 4 >/dev/null 2>&1
"$MXRAY" infer --db "$DB" --all --quiet 2>/dev/null || { echo "FAIL: golden: infer"; exit 1; }

"$MXRAY" stats --db "$DB" --format csv >"$OUT/stats.csv"
for d in 2021-06-08 2021-09-08 2021-12-08; do
	"$MXRAY" export --db "$DB" --snapshot $d assignments >"$OUT/assignments-final-$d.csv"
	for a in mx cert banner priority; do
		"$MXRAY" export --db "$DB" --snapshot $d assignments --approach $a >"$OUT/assignments-$a-$d.csv"
	done
	"$MXRAY" export --db "$DB" --snapshot $d providers >"$OUT/providers-$d.csv"
	"$MXRAY" export --db "$DB" --snapshot $d providers --list gov >"$OUT/providers-gov-$d.csv"
done
"$MXRAY" export --db "$DB" --snapshot 2021-06-08 assignments --format jsonl --list alexa >"$OUT/assignments-alexa.jsonl"
"$MXRAY" export --db "$DB" coverage >"$OUT/coverage.csv"
"$MXRAY" export --db "$DB" trend --top 0 >"$OUT/trend.csv"
"$MXRAY" export --db "$DB" trend --stable --list com >"$OUT/trend-stable-com.csv"
"$MXRAY" report --db "$DB" >"$OUT/report.txt"
"$MXRAY" report --db "$DB" --stable --list gov >"$OUT/report-stable-gov.txt"
"$MXRAY" sample --db "$DB" --name g100 --size 100 --seed 7 --snapshot 2021-06-08 2>/dev/null
"$MXRAY" sample --db "$DB" --name gu100 --size 100 --seed 7 --unique-mx --snapshot 2021-06-08 2>/dev/null
"$MXRAY" label --db "$DB" --sample g100 --import "$SD/truth.csv" 2>/dev/null
"$MXRAY" label --db "$DB" --sample gu100 --import "$SD/truth.csv" 2>/dev/null
"$MXRAY" label --db "$DB" --sample g100 --export >"$OUT/labels-g100.csv"
"$MXRAY" label --db "$DB" --sample gu100 --export >"$OUT/labels-gu100.csv"
"$MXRAY" eval --db "$DB" --format csv >"$OUT/eval.csv"
"$MXRAY" eval --db "$DB" >"$OUT/eval.txt"
# show: the first domain of each source and status
"$MXRAY" export --db "$DB" --snapshot 2021-06-08 assignments |
	awk -F, 'NR > 1 && !seen[$6 "," $8]++ { print $2 }' >"$T/show-domains"
for dom in $(cat "$T/show-domains"); do
	"$MXRAY" show --db "$DB" --snapshot 2021-06-08 "$dom" 2>&1 |
		sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z/TIME/g' >"$OUT/show-$dom.txt"
done

if [ "$UPDATE" = --update ]; then
	rm -rf "$G"
	mkdir -p "$G"
	cp "$OUT"/* "$G"/
	echo "golden: wrote $(ls "$G" | wc -l | tr -d ' ') files to tests/golden/"
	exit 0
fi
for f in "$G"/*; do
	b=$(basename "$f")
	if cmp -s "$f" "$OUT/$b"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: golden: $b differs:"
		diff "$f" "$OUT/$b" | head -10 | sed 's/^/    /'
	fi
done
for f in "$OUT"/*; do
	[ -f "$G/$(basename "$f")" ] || { fail=$((fail + 1)); echo "FAIL: golden: $(basename "$f") has no golden file"; }
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
