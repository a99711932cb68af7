#!/bin/sh
# End-to-end tests of 'mxray probe' against real servers on loopback only
# (127.0.0.0/8): dnsmasq serves a test zone, tests/data/probe/smtpd.py
# (python3-aiosmtpd) runs SMTP servers of every behaviour, with certificates
# from a test CA made here with openssl.  Every server started here is
# stopped on exit, whatever happens.
# Usage: tests/cli/probe.sh /path/to/mxray
set -u
MXRAY=$1
R=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-probe.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf "FAIL: %s\n" "$*"; }
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi; }
sql() { sqlite3 "$DB" "$1"; }

echo "cli: probe (loopback DNS and SMTP servers)"
PY=/usr/bin/python3
DNSMASQ=/usr/sbin/dnsmasq
if [ ! -x "$PY" ] || ! "$PY" -c 'import aiosmtpd' 2>/dev/null || [ ! -x "$DNSMASQ" ] || ! command -v openssl >/dev/null; then
	echo "FAIL: needs dnsmasq, python3-aiosmtpd and openssl (.ci/deps test installs them)"
	echo "0 passed, 1 failed"
	exit 1
fi
# a free high port, the same on every address (two tries at most)
PORT=$(( 20000 + $$ % 20000 ))
DNSPORT=$((PORT + 1))
DNSIP=127.0.0.153

# ---- certificates: a test CA and a leaf it signed; a self-signed one
C=$T/certs
mkdir -p "$C"
(
	cd "$C" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
		-subj "/CN=mxray probe test CA" -days 2 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls-ca.key -out tls-ca.csr \
		-subj "/CN=mx1.example.net" &&
	printf 'subjectAltName=DNS:mx1.example.net,DNS:mail.example.net\n' >ext.cnf &&
	openssl x509 -req -in tls-ca.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf \
		-out tls-ca.pem &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls-self.key \
		-out tls-self.pem -subj "/CN=mx.selfsigned.test" -days 2
) >"$T/openssl.log" 2>&1 || { cat "$T/openssl.log"; echo "FAIL: openssl"; echo "0 passed, 1 failed"; exit 1; }

# ---- SMTP servers, one behaviour per address
: >"$T/conn.log"
"$PY" "$R/tests/data/probe/smtpd.py" "$PORT" "$T/conn.log" "$C" \
	127.0.0.21=tls-ca 127.0.0.22=tls-self 127.0.0.23=notls 127.0.0.24=multi 127.0.0.25=close \
	127.0.0.26=silent 127.0.0.27=busy 127.0.0.28=tls-ca 127.0.0.29=tls-ca 127.0.0.30=garbage \
	>"$T/smtpd.out" 2>"$T/smtpd.err" &
PIDS="$PIDS $!"

# ---- the DNS zone
"$DNSMASQ" --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --user=root \
	--port="$DNSPORT" --listen-address="$DNSIP" --bind-interfaces --local=/test/ \
	--log-facility="$T/dnsmasq.log" --log-queries \
	--mx-host=trusted.test,mx1.example.net,10 --host-record=mx1.example.net,127.0.0.21 \
	--mx-host=selfsigned.test,mx.selfsigned.test,10 --host-record=mx.selfsigned.test,127.0.0.22 \
	--mx-host=notls.test,mx.notls.test,10 --host-record=mx.notls.test,127.0.0.23 \
	--mx-host=multi.test,mx.multi.test,10 --host-record=mx.multi.test,127.0.0.24 \
	--mx-host=closer.test,mx.closer.test,10 --host-record=mx.closer.test,127.0.0.25 \
	--mx-host=silent.test,mx.silent.test,10 --host-record=mx.silent.test,127.0.0.26 \
	--mx-host=busy.test,mx.busy.test,10 --host-record=mx.busy.test,127.0.0.27 \
	--mx-host=excluded.test,mx.excluded.test,10 --host-record=mx.excluded.test,127.0.0.28 \
	--mx-host=cidr.test,mx.cidr.test,10 --host-record=mx.cidr.test,127.0.0.29 \
	--mx-host=garbage.test,mx.garbage.test,10 --host-record=mx.garbage.test,127.0.0.30 \
	--mx-host=cname.test,alias.cname.test,5 --cname=alias.cname.test,mx1.example.net \
	--mx-host=noa.test,mx.noa.test,10 \
	--host-record=nodata.test,127.0.0.31 \
	>"$T/dnsmasq.out" 2>&1 &
PIDS="$PIDS $!"

# wait (at most 10 s) for both to answer
i=0
while [ $i -lt 200 ]; do
	grep -q ready "$T/smtpd.out" 2>/dev/null && grep -q 'started' "$T/dnsmasq.log" 2>/dev/null && break
	i=$((i + 1))
	sleep 0.05
done
grep -q ready "$T/smtpd.out" || { bad "the SMTP servers did not start: $(cat "$T/smtpd.err")"; }
i=0
while [ $i -lt 200 ] && ! grep -q 'started' "$T/dnsmasq.log" 2>/dev/null; do i=$((i + 1)); sleep 0.05; done
grep -q started "$T/dnsmasq.log" 2>/dev/null || bad "dnsmasq did not start: $(cat "$T/dnsmasq.out")"

SNAP=$(date -u +%F)
DB=$T/t.db
printf '# opt-outs\nexcluded.test\n127.0.0.29/32 # by address\n' >"$T/exclude.txt"
printf 'trusted.test\nselfsigned.test\nnotls.test\nmulti.test\ncloser.test\nsilent.test\nbusy.test\n' >"$T/domains.txt"
printf 'excluded.test\ncidr.test\ngarbage.test\ncname.test\nnoa.test\nnx.test\nnodata.test\n' >>"$T/domains.txt"
start=$(date +%s)
"$MXRAY" probe --db "$DB" --snapshot "$SNAP" --resolver "$DNSIP:$DNSPORT" --port "$PORT" --ehlo probe.example.org \
	--timeout 1 --rate 200 --concurrency 4 --exclude "$T/exclude.txt" --ca-file "$C/ca.pem" --out "$T/out" \
	--list probed --domains "$T/domains.txt" --quiet >"$T/stdout" 2>"$T/stderr"
eq "probe exits 0" 0 $?
eq "stdout stays clean" "" "$(cat "$T/stdout")"
el=$(( $(date +%s) - start ))
[ "$el" -le 10 ] && ok || bad "probe took ${el}s"

echo "cli: probe DNS rows"
eq "MX records" "busy.test|mx.busy.test|10
cidr.test|mx.cidr.test|10
closer.test|mx.closer.test|10
cname.test|alias.cname.test|5
garbage.test|mx.garbage.test|10
multi.test|mx.multi.test|10
noa.test|mx.noa.test|10
notls.test|mx.notls.test|10
selfsigned.test|mx.selfsigned.test|10
silent.test|mx.silent.test|10
trusted.test|mx1.example.net|10" "$(sql "SELECT domain, host, pref FROM mx ORDER BY domain")"
eq "excluded domain: not even looked up" "0" "$(grep -c 'excluded\.test' "$T/out/dns.jsonl")"
eq "A records (CNAME target under its own name)" "mx.busy.test|127.0.0.27
mx.cidr.test|127.0.0.29
mx.closer.test|127.0.0.25
mx.garbage.test|127.0.0.30
mx.multi.test|127.0.0.24
mx.notls.test|127.0.0.23
mx.selfsigned.test|127.0.0.22
mx.silent.test|127.0.0.26
mx1.example.net|127.0.0.21" "$(sql "SELECT DISTINCT host, ip FROM a ORDER BY host")"
eq "CNAME followed" "alias.cname.test|mx1.example.net" "$(sql "SELECT name, target FROM cname")"
eq "mx_ip via the CNAME" "alias.cname.test|127.0.0.21|mx1.example.net" \
	"$(sql "SELECT host, ip, via FROM mx_ip WHERE host = 'alias.cname.test'")"
eq "NXDOMAIN, NODATA, MX host without A" "mx.noa.test|A|3
nodata.test|MX|0
nx.test|MX|3" "$(sql "SELECT name, qtype, rcode FROM lookup_fail ORDER BY name")"
eq "NODATA row layout" '{"query_type":"MX","query_name":"nodata.test.","status_code":0,' \
	"$(grep '"nodata.test."' "$T/out/dns.jsonl" | sed 's/"timestamp".*//')"
eq "NXDOMAIN row layout" '{"query_type":"MX","query_name":"nx.test.","status_code":3,' \
	"$(grep '"nx.test."' "$T/out/dns.jsonl" | sed 's/"timestamp".*//')"
eq "target list imported" "14" "$(sql "SELECT count(*) FROM target WHERE list = 'probed'")"

echo "cli: probe SMTP records"
eq "each address once, excluded ones never" "127.0.0.21
127.0.0.22
127.0.0.23
127.0.0.24
127.0.0.25
127.0.0.26
127.0.0.27
127.0.0.30" "$(sql "SELECT ip FROM scan ORDER BY ip")"
eq "no connection to an excluded domain or CIDR" "0" "$(grep -c '127\.0\.0\.2[89]' "$T/conn.log")"
eq "one connection per address" "8" "$(grep ' connect$' "$T/conn.log" | sort -u | wc -l | tr -d ' ')"
eq "connections made" "8" "$(grep -c ' connect$' "$T/conn.log")"
# text columns with CR and LF shown as \r and \n
e() { printf '%s' "replace(replace($1, char(13), '\\r'), char(10), '\\n')"; }
q="SELECT port25, $(e banner), $(e ehlo), $(e starttls), cert_cn, cert_names, trusted FROM scan WHERE ip ="
eq "trusted certificate (--ca-file)" "1|220 mx1.example.net ESMTP probe-test\\r\\n|250-mx1.example.net\\r\\n\
250-SIZE 33554432\\r\\n250-8BITMIME\\r\\n250-STARTTLS\\r\\n250 HELP\\r\\n|220 Ready to start TLS\\r\\n|mx1.example.net|[\"mail.example.net\",\"mx1.example.net\"]|1" "$(sql "$q '127.0.0.21'")"
eq "self-signed certificate" "mx.selfsigned.test|[\"mx.selfsigned.test\"]|0" \
	"$(sql "SELECT cert_cn, cert_names, trusted FROM scan WHERE ip = '127.0.0.22'")"
eq "no STARTTLS" "1|220 mx.notls.test ESMTP probe-test\\r\\n|250-mx.notls.test\\r\\n\
250-SIZE 33554432\\r\\n250-8BITMIME\\r\\n250 HELP\\r\\n||||" "$(sql "$q '127.0.0.23'")"
eq "multi-line greeting" "1|220-mx.multi.test ESMTP first line\\r\\n220-second line\\r\\n\
220 third line\\r\\n|250-mx.multi.test hello\\r\\n250 HELP\\r\\n||||" "$(sql "$q '127.0.0.24'")"
eq "closes at once" "0||||||" "$(sql "$q '127.0.0.25'")"
eq "never answers" "0||||||" "$(sql "$q '127.0.0.26'")"
eq "4xx greeting" "1|421 4.3.2 mx.busy.test too busy, try later\\r\\n|||||" "$(sql "$q '127.0.0.27'")"
eq "garbage" "1|HTTP/1.1 400 Bad Request\\r\\nServer: not-smtp\\r\\n\\r\\n|||||" "$(sql "$q '127.0.0.30'")"
st() { grep "\"ip\":\"$1\"" "$T/out/scans.jsonl" | sed 's/.*"status":"\([a-z-]*\)".*/\1/'; }
eq "statuses" "success success success success connection-closed io-timeout application-error protocol-error" \
	"$(echo $(st 127.0.0.21) $(st 127.0.0.22) $(st 127.0.0.23) $(st 127.0.0.24) $(st 127.0.0.25) $(st 127.0.0.26) \
		$(st 127.0.0.27) $(st 127.0.0.30))"
eq "self-signed: the reason kept" "1" "$(grep -c '"browser_trusted":false,"browser_error":"self.signed certificate"' "$T/out/scans.jsonl")"
eq "EHLO name sent" "127.0.0.21 tls-ca EHLO probe.example.org
127.0.0.22 tls-self EHLO probe.example.org
127.0.0.23 notls EHLO probe.example.org
127.0.0.24 multi EHLO probe.example.org" "$(grep EHLO "$T/conn.log" | sort)"
eq "never MAIL FROM or RCPT TO" "0" "$(grep -ci ' mail\| rcpt' "$T/conn.log")"

echo "cli: probe then infer and show"
"$MXRAY" infer --db "$DB" --quiet >/dev/null 2>&1
eq "infer exits 0" 0 $?
eq "inferred providers" "cname.test|example.net
trusted.test|example.net" "$(sql "SELECT domain, provider_id FROM v_assignment WHERE provider_id = 'example.net' ORDER BY domain")"
"$MXRAY" show --db "$DB" cname.test >"$T/show" 2>&1
eq "show exits 0" 0 $?
grep -q 'via CNAME mx1.example.net' "$T/show" && ok || bad "show: no CNAME line: $(cat "$T/show")"
grep -q '^  example.net  weight 1.0' "$T/show" && ok || bad "show: no final answer: $(cat "$T/show")"

echo "cli: probe --no-import, re-import gives the same rows"
"$MXRAY" probe --db "$T/n.db" --snapshot "$SNAP" --resolver "$DNSIP:$DNSPORT" --port "$PORT" --ehlo probe.example.org \
	--timeout 1 --rate 200 --ca-file "$C/ca.pem" --out "$T/out2" --no-import --quiet trusted.test notls.test 2>"$T/err2"
eq "--no-import exits 0" 0 $?
[ -e "$T/n.db" ] && bad "--no-import made a database" || ok
"$MXRAY" import --db "$T/n.db" --snapshot "$SNAP" --dns "$T/out2/dns.jsonl" --scans "$T/out2/scans.jsonl" --quiet 2>/dev/null
eq "re-import" "127.0.0.21|1|mx1.example.net|1
127.0.0.23|1||" "$(sqlite3 "$T/n.db" "SELECT ip, port25, cert_cn, trusted FROM scan ORDER BY ip")"

echo "cli: probe is interrupted cleanly"
"$MXRAY" probe --db "$T/i.db" --snapshot "$SNAP" --resolver "$DNSIP:$DNSPORT" --port "$PORT" --timeout 30 \
	--out "$T/out3" --quiet silent.test notls.test 2>"$T/err3" &
pp=$!
i=0
while [ $i -lt 100 ]; do
	[ "$(grep -c 'silent connect' "$T/conn.log")" -ge 2 ] && break
	i=$((i + 1))
	sleep 0.05
done
kill -INT $pp
wait $pp
eq "interrupted: exit 1" 1 $?
grep -q 'interrupted' "$T/err3" && ok || bad "interrupted: no message: $(cat "$T/err3")"
"$PY" -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f): json.loads(l)' "$T/out3/dns.jsonl" "$T/out3/scans.jsonl" && ok || bad "interrupted: files are not JSON Lines"
eq "interrupted: nothing imported" "" "$(ls "$T/i.db" 2>/dev/null)"

echo "cli: probe usage errors"
"$MXRAY" probe --snapshot "$SNAP" 2>/dev/null
eq "no domains: exit 2" 2 $?
"$MXRAY" probe --snapshot "$SNAP" --rate 0 x.test 2>/dev/null
eq "bad rate: exit 2" 2 $?
printf '300.1.2.3/8\n' >"$T/badex"
"$MXRAY" probe --snapshot "$SNAP" --exclude "$T/badex" --out "$T/o4" x.test 2>"$T/err4"
eq "bad exclude file: exit 1" 1 $?
grep -q "badex:1: not an IPv4 CIDR" "$T/err4" && ok || bad "bad exclude: $(cat "$T/err4")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
