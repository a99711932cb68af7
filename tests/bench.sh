#!/bin/sh
# make bench: generate a 1M-domain snapshot outside the repository and time
# the import, the inference and the review desk.  Targets (2 cores): import
# under 60 s and 1 GB peak memory; infer --approach all under 30 s and 2 GB;
# the desk's first screen under 1 s and every key under 100 ms.
# MXRAY_BENCH_DIR (default /tmp/mxray-bench) and MXRAY_BENCH_DOMAINS
# (default 1000000) change where and how much.
set -eu
MXRAY=$1
MXGEN=$2
DIR=${MXRAY_BENCH_DIR:-${TMPDIR:-/tmp}/mxray-bench}
N=${MXRAY_BENCH_DOMAINS:-1000000}
DATE=2021-06-08
DATA=$DIR/data-$N
mkdir -p "$DIR"
if [ ! -f "$DATA/.complete" ]; then
	echo "bench: generating $N domains into $DATA" >&2
	/usr/bin/time -f "bench: generate: %e s, %M KB peak" "$MXGEN" --domains "$N" --seed 42 --date $DATE --out "$DATA"
	touch "$DATA/.complete"
fi
for f in dns.jsonl scans-censys.jsonl scans-zgrab2.jsonl scans-censys2.jsonl pfx2as.txt; do
	printf 'bench: %-22s %10s lines\n' "$f" "$(wc -l < "$DATA/$f")"
done
DB=$DIR/bench.db
rm -f "$DB" "$DB-wal" "$DB-shm"
TIMES=$DIR/import.time
/usr/bin/time -o "$TIMES" -f "%e %M" "$MXRAY" import --db "$DB" --snapshot $DATE --quiet \
	--list alexa --targets "$DATA/targets-alexa.txt" \
	--list com --targets "$DATA/targets-com.txt" \
	--list gov --targets "$DATA/targets-gov.txt" \
	--dns "$DATA/dns.jsonl" \
	--scans "$DATA/scans-censys.jsonl" --scans "$DATA/scans-zgrab2.jsonl" \
	--scans "$DATA/scans-censys2.jsonl" \
	--pfx2as "$DATA/pfx2as.txt" --asorg "$DATA/as2org.txt" 2>"$DIR/import.log" || {
	cat "$DIR/import.log" >&2; exit 1; }
grep -v ':[0-9]*: ' "$DIR/import.log" | sed 's/^/bench:   /'
read -r secs kb < "$TIMES"
mb=$((kb / 1024))
echo "bench: import: $secs s, $mb MB peak RSS (target: < 60 s, < 1024 MB)"
echo "bench: database: $(du -h "$DB" | cut -f1)"
/usr/bin/time -f "bench: stats: %e s, %M KB peak" "$MXRAY" stats --db "$DB"
/usr/bin/time -o "$TIMES" -f "%e %M" "$MXRAY" infer --db "$DB" --approach all 2>"$DIR/infer.log" || {
	cat "$DIR/infer.log" >&2; exit 1; }
sed 's/^/bench:   /' "$DIR/infer.log"
read -r isecs ikb < "$TIMES"
imb=$((ikb / 1024))
echo "bench: infer --approach all: $isecs s, $imb MB peak RSS (target: < 30 s, < 2048 MB)"
/usr/bin/time -f "bench: export assignments: %e s, %M KB peak" "$MXRAY" export --db "$DB" assignments >/dev/null
/usr/bin/time -f "bench: export providers: %e s, %M KB peak" "$MXRAY" export --db "$DB" providers >/dev/null
# The review desk on the same database, in a real terminal (tmux), with
# its own timing trace: time to first screen, and each key from read to drawn.
TRACE=$DIR/desk.trace
rm -f "$TRACE"
SOCK=mxray-bench-$$
TM="tmux -L $SOCK -f /dev/null"
$TM new-session -d -s desk -x 200 -y 50 "env MXRAY_REVIEW_TRACE='$TRACE' LC_ALL=C.UTF-8 '$MXRAY' review --db '$DB' --analyst bench"
wait_trace() { # wait_trace N: until the trace has N lines (20 s at most)
	i=0
	while [ $i -lt 400 ]; do
		[ -f "$TRACE" ] && [ "$(wc -l < "$TRACE")" -ge "$1" ] && return 0
		i=$((i + 1)); sleep 0.05
	done
	echo "bench: the desk did not answer (trace has $(cat "$TRACE" 2>/dev/null | wc -l) lines)"; return 1
}
dom=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' AND provider_id = 'google.com' LIMIT 1 OFFSET 777")
n=1
wait_trace $n
send() { $TM send-keys -t desk "$@"; n=$((n + 1)); wait_trace $n; }
for k in 1 2 3 4 5 6 7 8 9 10; do send j; done
for k in 1 2 3 4 5; do send NPage; done
send G; send g
send v                                  # all rows
for k in 1 2 3 4 5; do send NPage; done
send S; send S; send I                  # sort
send / ; $TM send-keys -t desk -l "$dom"; n=$((n + ${#dom})); send Enter   # search a domain
send n
send f ; $TM send-keys -t desk -l "company=google"; n=$((n + 14)); send Enter   # filter
send F
send R                                  # the report view (computed once per opening)
send q
$TM send-keys -t desk q
$TM kill-server 2>/dev/null
first=$(awk '$1 == "first-screen" { print $2 }' "$TRACE")
echo "bench: review desk: first screen $first ms (target < 1000 ms)"
grep '^key' "$TRACE" | sed '$d' | sed '$d' >"$TRACE.keys"   # the R and its closing key apart
awk '$1 == "key" { n++; s += $3; if ($3 > m) { m = $3; k = $2 } }
     END { printf "bench: review desk: %d keys, mean %.1f ms, slowest %.1f ms (%s) (target < 100 ms)\n", n, s / n, m, k }' "$TRACE.keys"
echo "bench: review desk: report view (R) $(grep '^key R ' "$TRACE" | tail -1 | cut -d' ' -f3) ms"
slow=$(awk '$1 == "key" && $3 >= 100 { c++ } END { print c + 0 }' "$TRACE.keys")

status=0
ok=$(awk -v f="$first" -v s="$slow" 'BEGIN { print (f < 1000 && s == 0) ? "yes" : "no" }')
if [ "$ok" = yes ]; then echo "bench: review desk within target"; else echo "bench: review desk MISSED its target"; status=1; fi
ok=$(awk -v s="$secs" -v m="$mb" 'BEGIN { print (s < 60 && m < 1024) ? "yes" : "no" }')
if [ "$ok" = yes ]; then echo "bench: import within target"; else echo "bench: import MISSED its target"; status=1; fi
ok=$(awk -v s="$isecs" -v m="$imb" 'BEGIN { print (s < 30 && m < 2048) ? "yes" : "no" }')
if [ "$ok" = yes ]; then echo "bench: infer within target"; else echo "bench: infer MISSED its target"; status=1; fi
exit $status
