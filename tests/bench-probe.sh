#!/bin/sh
# The probe benchmark: 'mxray probe' on 10,000 domains and addresses on
# loopback.  One server (tests/probe-bench-server.c, built here with cc and
# OpenSSL) listens on 10,000 addresses 127.2.x.y with a certificate from a
# test CA made here with openssl, and answers DNS on 127.0.0.153: one domain
# per address (MX, then A).  The probe runs with --concurrency 1000 and no
# rate limit, --no-import; every session is a full one: greeting, EHLO,
# STARTTLS, the TLS handshake and trust check (--ca-file), QUIT.  Only
# 127.0.0.0/8 is contacted, and the server is stopped on exit, whatever
# happens.
#
# Prints one line and one CSV row (the columns of build/bench.csv) on stdout:
#   probe: N sessions in S s, R/s, P MB peak
#   probe,S,s,P,T,300,STATUS,R/s,N,MACHINE,DATE
# where T is the time N sessions take at 500/s.  Exit status 1 when fewer
# than N sessions completed, the rate is under 500/s or the peak memory is
# 300 MB or more.  Progress and diagnostics go to stderr.
#
# usage: tests/bench-probe.sh /path/to/mxray [--rows FILE]
#   --rows FILE also appends the figure as a tests/bench.sh row (tab-separated:
#   slug label value unit peak_mb target target_peak_mb state detail).
# MXRAY_BENCH_PROBE_ADDRESSES (default 10000) and MXRAY_BENCH_PROBE_CONCURRENCY
# (default 1000) change the size.
set -u
MXRAY=$1
ROWS=""
[ $# -ge 3 ] && [ "$2" = --rows ] && ROWS=$3
R=$(cd "$(dirname "$0")/.." && pwd)
N=${MXRAY_BENCH_PROBE_ADDRESSES:-10000}
CONC=${MXRAY_BENCH_PROBE_CONCURRENCY:-1000}
case $N$CONC in
'' | *[!0-9]*) echo "bench-probe: MXRAY_BENCH_PROBE_ADDRESSES and _CONCURRENCY must be numbers" >&2; exit 2 ;;
esac
[ "$N" -ge 1 ] && [ "$N" -le 60000 ] || { echo "bench-probe: 1-60000 addresses" >&2; exit 2; }
MIN_RATE=500 MAX_MB=300
say() { echo "bench-probe: $*" >&2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-bench-probe.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
	say "$*"
	echo "probe: FAILED ($*)"
	[ -z "$ROWS" ] || printf 'probe\tprobe %s\t\ts\t\t%s\t%s\tfailed\t\n' "$N" \
		"$(awk -v n="$N" -v r=$MIN_RATE 'BEGIN { print n / r }')" $MAX_MB >>"$ROWS"
	exit 1
}

[ -x /usr/bin/time ] || fail "needs /usr/bin/time (.ci/deps bench installs it)"
command -v openssl >/dev/null || fail "needs openssl"
command -v pkg-config >/dev/null && pkg-config --exists openssl || fail "needs libssl-dev"

say "building the server"
${CC:-cc} -std=c11 -O2 -Wall -o "$T/server" "$R/tests/probe-bench-server.c" \
	$(pkg-config --cflags --libs openssl) -pthread 2>"$T/cc.log" || fail "cannot build the server: $(cat "$T/cc.log")"

say "certificates"
(
	cd "$T" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
		-subj "/CN=mxray bench CA" -days 2 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
		-subj "/CN=mx.bench.test" &&
	printf 'subjectAltName=DNS:mx.bench.test,DNS:*.bench.test\n' >ext.cnf &&
	openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out leaf.pem
) >"$T/openssl.log" 2>&1 || fail "openssl: $(cat "$T/openssl.log")"

# Ports: free high ones, the same on every address.
PORT=$((20000 + $$ % 20000))
DNSPORT=$((PORT + 1))
DNSIP=127.0.0.153
FIRST=127.2.0.1

# One domain per address: dN.bench.test MX mxN.bench.test, mxN.bench.test A
# FIRST + N (the server computes the answers).
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "d%d.bench.test\n", i }' >"$T/domains.txt"

say "starting the server on $N addresses"
"$T/server" "$T/leaf.pem" "$T/leaf.key" "$PORT" "$FIRST" "$N" "$DNSIP" "$DNSPORT" >"$T/server.out" 2>"$T/server.err" &
PIDS="$PIDS $!"
i=0
while [ $i -lt 400 ] && ! grep -q ready "$T/server.out" 2>/dev/null; do
	i=$((i + 1))
	sleep 0.05
done
grep -q ready "$T/server.out" 2>/dev/null || fail "the server did not start: $(cat "$T/server.err")"

say "probing $N addresses, concurrency $CONC"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null) || load="?"
/usr/bin/time -o "$T/time" -f "%e %M %U %S" "$MXRAY" probe --snapshot 2026-01-01 --no-import \
	--resolver "$DNSIP:$DNSPORT" --port "$PORT" --allow 127.0.0.0/8 --ehlo bench.probe.test \
	--rate 100000 --concurrency "$CONC" --timeout 30 --ca-file "$T/ca.pem" --out "$T/out" \
	--domains "$T/domains.txt" 2>"$T/probe.err" || fail "mxray probe failed: $(tail -n 5 "$T/probe.err")"
read -r secs kb usr sys <"$T/time"
mb=$(awk -v k="$kb" 'BEGIN { printf "%d", (k + 512) / 1024 }')
# full sessions: a trusted certificate and the server's 221 to QUIT
done_n=$(grep -c '"browser_trusted":true.*"quit":"221 2.0.0 Bye\\r\\n"' "$T/out/scans.jsonl")
rate=$(awk -v n="$done_n" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
sed 's/^/bench-probe: /' "$T/probe.err" >&2
# what the machine's other work does not change much: the probe's own CPU
say "the probe's CPU: $usr s user + $sys s system, $(awk -v u="$usr" -v s="$sys" -v n="$done_n" \
	'BEGIN { printf "%.2f", (n > 0 ? (u + s) * 1000 / n : 0) }') ms a session; load average $load at the start"
echo "probe: $done_n sessions in $secs s, $rate/s, $mb MB peak"
status=ok
if [ "$done_n" -lt "$N" ]; then
	status=MISSED
	say "$((N - done_n)) of $N addresses have no full session ($(wc -l <"$T/out/scans.jsonl") records); for example:"
	grep -v '"browser_trusted":true.*"quit":"221' "$T/out/scans.jsonl" | head -n 3 | cut -c 1-300 >&2
fi
[ "$rate" -ge $MIN_RATE ] || status=MISSED
[ "$mb" -lt $MAX_MB ] || status=MISSED
CPU=$(awk -F': *' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null) || CPU=""
[ -n "$CPU" ] || CPU=$(uname -m)
MACHINE="$CPU, $(nproc 2>/dev/null || echo '?') cores"
target=$(awk -v n="$N" -v r=$MIN_RATE 'BEGIN { print n / r }')
printf 'probe,%s,s,%s,%s,%s,%s,%s/s,%s,"%s",%s\n' "$secs" "$mb" "$target" $MAX_MB "$status" "$rate" "$N" \
	"$MACHINE" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
if [ -n "$ROWS" ]; then
	state=""
	[ "$done_n" -ge "$N" ] || state="failed"
	printf 'probe\tprobe %s (%s/s)\t%s\ts\t%s\t%s\t%s\t%s\t\n' "$N" "$rate" "$secs" "$mb" \
		"$target" $MAX_MB "$state" >>"$ROWS"
fi
[ "$status" = ok ]
