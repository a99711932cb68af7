#!/bin/sh
# End-to-end tests of 'mxray probe' against real servers on loopback only
# (127.0.0.0/8): dnsmasq serves a test zone, tests/data/probe/smtpd.py
# (python3-aiosmtpd) runs SMTP servers of every behaviour, with certificates
# from a test CA made here with openssl.  Every server started here is
# stopped on exit, whatever happens.  Polls with a timeout; never sleeps a
# fixed time to wait for something.
# Usage: tests/cli/probe.sh /path/to/mxray
# MXRAY_PROBE_KEEP=1 keeps the temporary folder (the servers still stop).
set -u
MXRAY=$1
R=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-probe.XXXXXX")
PIDS=""
SOCK=mxray-probe-$$
TM="tmux -L $SOCK -f /dev/null"
cleanup() {
	$TM kill-server 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
[ -n "${MXRAY_PROBE_KEEP:-}" ] && cleanup() { $TM kill-server 2>/dev/null; for p in $PIDS; do kill "$p"; done; echo "kept $T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$(dirname "$0")/check.sh" # pass, fail, ok, bad, eq
has() { if grep -qF -- "$2" "$3"; then ok; else bad "$1: no [$2] in: $(cat "$3")"; fi; }
sql() { sqlite3 "$DB" "$1"; }
# until COMMAND...: poll COMMAND (10 s at most); false when it never held
until_ok() {
	i=0
	while [ $i -lt 200 ]; do
		"$@" && return 0
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}
conns() { grep -c "^$1 .* connect$" "$T/conn.log"; }
queries() { grep -c "query\[$1\] $2 from" "$T/dnsmasq.log"; }

echo "cli: probe (loopback DNS and SMTP servers)"
PY=/usr/bin/python3
DNSMASQ=/usr/sbin/dnsmasq
if [ ! -x "$PY" ] || ! "$PY" -c 'import aiosmtpd' 2>/dev/null || [ ! -x "$DNSMASQ" ] || ! command -v openssl >/dev/null; then
	echo "FAIL: needs dnsmasq, python3-aiosmtpd and openssl (.ci/deps test installs them)"
	echo "0 passed, 1 failed"
	exit 1
fi
# a free high port, the same on every address
PORT=$(( 20000 + $$ % 20000 ))
DNSPORT=$((PORT + 1))
DNSIP=127.0.0.153

# ---- certificates, made here: a test CA; a leaf it signed, valid
# 2025-2035; one it signed, expired in 2020; a self-signed one
C=$T/certs
mkdir -p "$C/db"
(
	cd "$C" || exit 1
	: >db/index.txt
	echo 1000 >db/serial
	printf '[ca]\ndefault_ca = c\n[c]\ndatabase = db/index.txt\nnew_certs_dir = db\nserial = db/serial\n' >ca.cnf
	printf 'default_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n' >>ca.cnf
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
		-subj "/CN=mxray probe test CA" -days 2 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls-ca.key -out tls-ca.csr \
		-subj "/CN=mx1.example.net" &&
	printf 'subjectAltName=DNS:mx1.example.net,DNS:mail.example.net\n' >ext-ca.cnf &&
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in tls-ca.csr -out tls-ca.pem -notext \
		-startdate 20250101000000Z -enddate 20350101000000Z -extfile ext-ca.cnf &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls-expired.key -out tls-expired.csr \
		-subj "/CN=mx.expired-example.com" &&
	printf 'subjectAltName=DNS:mx.expired-example.com\n' >ext-expired.cnf &&
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in tls-expired.csr -out tls-expired.pem \
		-notext -startdate 20200101000000Z -enddate 20200102000000Z -extfile ext-expired.cnf &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls-self.key \
		-out tls-self.pem -subj "/CN=mx.selfsigned.test" -days 2
) >"$T/openssl.log" 2>&1 || { cat "$T/openssl.log"; echo "FAIL: openssl"; echo "0 passed, 1 failed"; exit 1; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }

# ---- SMTP servers, one behaviour per address
: >"$T/conn.log"
"$PY" "$R/tests/data/probe/smtpd.py" "$PORT" "$T/conn.log" "$C" \
	127.0.0.21=tls-ca 127.0.0.22=tls-self 127.0.0.23=notls 127.0.0.24=multi 127.0.0.25=close \
	127.0.0.26=silent 127.0.0.27=busy 127.0.0.28=tls-ca 127.0.0.29=tls-ca 127.0.0.30=garbage \
	127.0.0.32=tls-expired \
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
	--mx-host=expired.test,mx.expired.test,10 --host-record=mx.expired.test,127.0.0.32 \
	--mx-host=cname.test,alias.cname.test,5 --cname=alias.cname.test,mx1.example.net \
	--mx-host=noa.test,mx.noa.test,10 \
	--host-record=nodata.test,127.0.0.31 \
	>"$T/dnsmasq.out" 2>&1 &
PIDS="$PIDS $!"

# wait (at most 10 s) for both to answer
until_ok grep -q ready "$T/smtpd.out" || bad "the SMTP servers did not start: $(cat "$T/smtpd.err")"
until_ok grep -q started "$T/dnsmasq.log" || bad "dnsmasq did not start: $(cat "$T/dnsmasq.out")"

SNAP=$(date -u +%F)
DB=$T/t.db
printf '# opt-outs\nexcluded.test\n127.0.0.29/32 # by address\n' >"$T/exclude.txt"
printf '127.0.0.0\t8\t64500\n' >"$T/pfx2as.txt"
printf 'trusted.test\nselfsigned.test\nnotls.test\nmulti.test\ncloser.test\nsilent.test\nbusy.test\n' >"$T/domains.txt"
printf 'excluded.test\ncidr.test\ngarbage.test\ncname.test\nnoa.test\nnx.test\nnodata.test\nexpired.test\n' >>"$T/domains.txt"
# the flags every run here shares: loopback servers, opened by --allow
P="--resolver $DNSIP:$DNSPORT --port $PORT --allow 127.0.0.0/8 --ehlo probe.example.org --ca-file $C/ca.pem"
start=$(date +%s)
# shellcheck disable=SC2086
"$MXRAY" probe --db "$DB" --snapshot "$SNAP" $P --timeout 1 --rate 200 --concurrency 4 --exclude "$T/exclude.txt" \
	--pfx2as "$T/pfx2as.txt" --out "$T/out" --list probed --domains "$T/domains.txt" --quiet >"$T/stdout" 2>"$T/stderr"
eq "probe exits 0" 0 $?
eq "stdout stays clean" "" "$(cat "$T/stdout")"
eq "--quiet: the import's lines only" "targets $T/out/targets-probed.txt: 15 lines, 15 imported, 0 already present, 0 skipped
dns $T/out/dns.jsonl: 27 lines, 23 imported, 1 already present, 0 skipped, 2 failed lookups, 1 empty answers
scans $T/out/scans.jsonl: 9 lines, 9 imported, 0 already present, 0 skipped
pfx2as $T/pfx2as.txt: 1 lines, 1 imported, 0 already present, 0 skipped" "$(cat "$T/stderr")"
el=$(( $(date +%s) - start ))
[ "$el" -le 10 ] && ok || bad "probe took ${el}s"

echo "cli: probe DNS rows"
eq "MX records" "busy.test|mx.busy.test|10
cidr.test|mx.cidr.test|10
closer.test|mx.closer.test|10
cname.test|alias.cname.test|5
expired.test|mx.expired.test|10
garbage.test|mx.garbage.test|10
multi.test|mx.multi.test|10
noa.test|mx.noa.test|10
notls.test|mx.notls.test|10
selfsigned.test|mx.selfsigned.test|10
silent.test|mx.silent.test|10
trusted.test|mx1.example.net|10" "$(sql "SELECT domain, host, pref FROM mx ORDER BY domain")"
eq "excluded domain: not even looked up (no row)" "0" "$(grep -c 'excluded\.test' "$T/out/dns.jsonl")"
eq "excluded domain: not even looked up (no query)" "0" "$(grep -c 'excluded\.test' "$T/dnsmasq.log")"
eq "A records (CNAME target under its own name)" "mx.busy.test|127.0.0.27
mx.cidr.test|127.0.0.29
mx.closer.test|127.0.0.25
mx.expired.test|127.0.0.32
mx.garbage.test|127.0.0.30
mx.multi.test|127.0.0.24
mx.notls.test|127.0.0.23
mx.selfsigned.test|127.0.0.22
mx.silent.test|127.0.0.26
mx1.example.net|127.0.0.21" "$(sql "SELECT DISTINCT host, ip FROM a ORDER BY host")"
eq "CNAME followed" "alias.cname.test|mx1.example.net" "$(sql "SELECT name, target FROM cname")"
eq "mx_ip via the CNAME" "alias.cname.test|127.0.0.21|mx1.example.net" \
	"$(sql "SELECT host, ip, via FROM mx_ip WHERE host = 'alias.cname.test'")"
eq "CNAME row layout" '{"query_type":"A","query_name":"alias.cname.test.","response_type":"CNAME","response_name":"alias.cname.test.","cname_name":"mx1.example.net.","status_code":0,' \
	"$(grep '"cname_name"' "$T/out/dns.jsonl" | sed 's/"timestamp".*//')"
eq "NXDOMAIN, NODATA, MX host without A" "mx.noa.test|A|3
nodata.test|MX|0
nx.test|MX|3" "$(sql "SELECT name, qtype, rcode FROM lookup_fail ORDER BY name")"
eq "NODATA row layout" '{"query_type":"MX","query_name":"nodata.test.","status_code":0,' \
	"$(grep '"nodata.test."' "$T/out/dns.jsonl" | sed 's/"timestamp".*//')"
eq "NXDOMAIN row layout" '{"query_type":"MX","query_name":"nx.test.","status_code":3,' \
	"$(grep '"nx.test."' "$T/out/dns.jsonl" | sed 's/"timestamp".*//')"
eq "MX host without A: row layout" '{"query_type":"A","query_name":"mx.noa.test.","status_code":3,' \
	"$(grep '"mx.noa.test."' "$T/out/dns.jsonl" | grep -v '"MX"' | sed 's/"timestamp".*//')"
eq "timestamps: now, in ms since the epoch" "$(grep -c . "$T/out/dns.jsonl")" \
	"$(grep -c "\"timestamp\":$(date -u +%s | cut -c1-4)[0-9]\{9\}}" "$T/out/dns.jsonl")"
eq "target list imported" "15" "$(sql "SELECT count(*) FROM target WHERE list = 'probed'")"

echo "cli: probe SMTP records"
eq "each address once, excluded ones never" "127.0.0.21
127.0.0.22
127.0.0.23
127.0.0.24
127.0.0.25
127.0.0.26
127.0.0.27
127.0.0.30
127.0.0.32" "$(sql "SELECT ip FROM scan ORDER BY ip")"
eq "no connection to an excluded domain or CIDR" "0" "$(grep -c '127\.0\.0\.2[89]' "$T/conn.log")"
eq "one connection per address" "9" "$(grep ' connect$' "$T/conn.log" | sort -u | wc -l | tr -d ' ')"
eq "connections made" "9" "$(grep -c ' connect$' "$T/conn.log")"
# text columns with CR and LF shown as \r and \n
e() { printf '%s' "replace(replace($1, char(13), '\\r'), char(10), '\\n')"; }
q="SELECT port25, $(e banner), $(e ehlo), $(e starttls), cert_cn, cert_names, trusted FROM scan WHERE ip ="
eq "trusted certificate (--ca-file)" "1|220 mx1.example.net ESMTP probe-test\\r\\n|250-mx1.example.net\\r\\n\
250-SIZE 33554432\\r\\n250-8BITMIME\\r\\n250-STARTTLS\\r\\n250 HELP\\r\\n|220 Ready to start TLS\\r\\n|mx1.example.net|[\"mail.example.net\",\"mx1.example.net\"]|1" "$(sql "$q '127.0.0.21'")"
eq "self-signed certificate" "mx.selfsigned.test|[\"mx.selfsigned.test\"]|0" \
	"$(sql "SELECT cert_cn, cert_names, trusted FROM scan WHERE ip = '127.0.0.22'")"
eq "expired certificate" "1|220 mx.tls-expired.test ESMTP probe-test\\r\\n|mx.expired-example.com|[\"mx.expired-example.com\"]|0" \
	"$(sql "SELECT port25, $(e banner), cert_cn, cert_names, trusted FROM scan WHERE ip = '127.0.0.32'")"
eq "no STARTTLS" "1|220 mx.notls.test ESMTP probe-test\\r\\n|250-mx.notls.test\\r\\n\
250-SIZE 33554432\\r\\n250-8BITMIME\\r\\n250 HELP\\r\\n||||" "$(sql "$q '127.0.0.23'")"
eq "multi-line greeting" "1|220-mx.multi.test ESMTP first line\\r\\n220-second line\\r\\n\
220 third line\\r\\n|250-mx.multi.test hello\\r\\n250 HELP\\r\\n||||" "$(sql "$q '127.0.0.24'")"
eq "closes at once" "0||||||" "$(sql "$q '127.0.0.25'")"
eq "never answers" "0||||||" "$(sql "$q '127.0.0.26'")"
eq "4xx greeting" "1|421 4.3.2 mx.busy.test too busy, try later\\r\\n|||||" "$(sql "$q '127.0.0.27'")"
eq "4xx greeting: QUIT, nothing else" "127.0.0.27 busy QUIT" "$(grep '^127\.0\.0\.27 busy [A-Z]' "$T/conn.log" | grep -v connect)"
eq "garbage" "1|HTTP/1.1 400 Bad Request\\r\\nServer: not-smtp\\r\\n\\r\\n|||||" "$(sql "$q '127.0.0.30'")"
eq "ASNs from --pfx2as" "127.0.0.21|64500|pfx2as
127.0.0.32|64500|pfx2as" "$(sql "SELECT ip, asn, source FROM asn WHERE ip IN ('127.0.0.21', '127.0.0.32') ORDER BY ip")"
# ZGrab2 status and error of each address, from the file
st() { grep "\"ip\":\"$1\"" "$T/out/scans.jsonl" | "$PY" -c 'import json,sys
s = json.loads(sys.stdin.read())["data"]["smtp"]
print(s["status"] + "|" + s.get("error", ""))'; }
eq "statuses and errors" "127.0.0.21 success|
127.0.0.22 success|
127.0.0.23 success|
127.0.0.24 success|
127.0.0.25 connection-closed|connection closed
127.0.0.26 io-timeout|timed out waiting for the server
127.0.0.27 application-error|greeting 421
127.0.0.30 protocol-error|not an SMTP reply
127.0.0.32 success|" "$(for ip in 21 22 23 24 25 26 27 30 32; do echo "127.0.0.$ip $(st 127.0.0.$ip)"; done)"
# every certificate field of a record, from the file
cert() { grep "\"ip\":\"$1\"" "$T/out/scans.jsonl" | "$PY" -c 'import json,sys
r = json.loads(sys.stdin.read())
s = r["data"]["smtp"]
t = s["result"]["tls"]
h = t["handshake_log"]
c = h["server_certificates"]["certificate"]["parsed"]
v = h["server_certificates"]["validation"]
print(s["port"] if "port" in s else "-", h["server_hello"]["version"]["name"], h["server_hello"]["cipher_suite"]["name"],
      h.get("client_hello", {}).get("server_name", "-"))
print(c["subject_dn"], c["subject"]["common_name"], c["names"],
      c.get("extensions", {}).get("subject_alt_name", {}).get("dns_names", []))
print(c["issuer_dn"], c["issuer"]["common_name"], c["serial_number"], c["validity"]["start"], c["validity"]["end"])
print(c["fingerprint_sha256"], len(h["server_certificates"]["chain"]), v["browser_trusted"], v.get("browser_error", "-"))'; }
eq "trusted: every field" "- TLSv1.3 TLS_AES_256_GCM_SHA384 -
CN=mx1.example.net ['mx1.example.net'] ['mx1.example.net', 'mail.example.net'] ['mx1.example.net', 'mail.example.net']
CN=mxray probe test CA ['mxray probe test CA'] 4096 2025-01-01T00:00:00Z 2035-01-01T00:00:00Z
$(fp "$C/tls-ca.pem") 0 True -" "$(cert 127.0.0.21)"
eq "expired: every field" "- TLSv1.3 TLS_AES_256_GCM_SHA384 -
CN=mx.expired-example.com ['mx.expired-example.com'] ['mx.expired-example.com'] ['mx.expired-example.com']
CN=mxray probe test CA ['mxray probe test CA'] 4097 2020-01-01T00:00:00Z 2020-01-02T00:00:00Z
$(fp "$C/tls-expired.pem") 0 False certificate has expired" "$(cert 127.0.0.32)"
eq "self-signed: the reason kept" "self-signed certificate" \
	"$(cert 127.0.0.22 | sed -n 4p | sed 's/^[0-9a-f]* 0 False //')"
eq "scan timestamps: now, UTC" "9" "$(grep -c "\"timestamp\":\"$SNAP"'T[0-9:]*Z"' "$T/out/scans.jsonl")"
eq "EHLO name sent" "127.0.0.21 tls-ca EHLO probe.example.org
127.0.0.22 tls-self EHLO probe.example.org
127.0.0.23 notls EHLO probe.example.org
127.0.0.24 multi EHLO probe.example.org
127.0.0.32 tls-expired EHLO probe.example.org" "$(grep EHLO "$T/conn.log" | sort)"
eq "no SNI without --sni" "0" "$(grep -c ' SNI ' "$T/conn.log")"
eq "never MAIL FROM or RCPT TO" "0" "$(grep -ci ' mail\| rcpt' "$T/conn.log")"

echo "cli: probe then infer and show"
"$MXRAY" infer --db "$DB" --quiet >/dev/null 2>&1
eq "infer exits 0" 0 $?
eq "inferred providers" "cname.test|example.net
trusted.test|example.net" "$(sql "SELECT domain, provider_id FROM v_assignment WHERE provider_id = 'example.net' ORDER BY domain")"
# trusted, the expired certificate would name expired-example.com; the MX
# and banner names are under .test, which has no registered domains
eq "inferred: the expired certificate is not used" "0" "$(sql "SELECT count(*) FROM v_assignment WHERE domain = 'expired.test'")"
"$MXRAY" show --db "$DB" expired.test >"$T/show-expired" 2>&1
has "show: the expired certificate" "certificate: NOT trusted, CN mx.expired-example.com, names mx.expired-example.com" \
	"$T/show-expired"
"$MXRAY" show --db "$DB" cname.test >"$T/show" 2>&1
eq "show exits 0" 0 $?
has "show: the CNAME" 'via CNAME mx1.example.net' "$T/show"
has "show: the final answer" '  example.net  weight 1.0' "$T/show"

echo "cli: probe --sni, --pfx2as when the snapshot has one, the summary"
# shellcheck disable=SC2086
"$MXRAY" probe --db "$DB" --snapshot "$SNAP" $P --timeout 2 --sni --pfx2as "$T/pfx2as.txt" --out "$T/out-sni" \
	trusted.test >/dev/null 2>"$T/err-sni"
eq "--sni exits 0" 0 $?
eq "the MX host name sent as SNI" "127.0.0.21 tls-ca SNI mx1.example.net" "$(grep ' SNI ' "$T/conn.log")"
eq "and recorded" '"client_hello":{"server_name":"mx1.example.net"}' \
	"$(grep -o '"client_hello":{[^}]*}' "$T/out-sni/scans.jsonl")"
has "--pfx2as: not imported over the snapshot's own" \
	"mxray probe: snapshot $SNAP has a pfx2as table already: --pfx2as $T/pfx2as.txt is not imported" "$T/err-sni"
eq "the summary" "probe: 1 domains (0 excluded, 0 done before): 1 MX records, 0 failed lookups, 0 NODATA; 1 MX hosts (0 excluded, 0 done before); 1 addresses (0 excluded, 0 special-purpose, 0 done before); 1 SMTP sessions in X s (X/s): 1 banners, 1 TLS (1 trusted), 0 errors; files in $T/out-sni" \
	"$(grep '^probe: ' "$T/err-sni" | sed 's/in [0-9.]* s ([0-9]*\/s)/in X s (X\/s)/')"

echo "cli: probe never contacts special-purpose addresses unless --allow"
before=$(conns 127.0.0.21)
"$MXRAY" probe --snapshot "$SNAP" --resolver "$DNSIP:$DNSPORT" --port "$PORT" --timeout 2 --out "$T/out-noallow" \
	--no-import trusted.test closer.test 2>"$T/err-noallow"
eq "exits 0" 0 $?
eq "no connection" "$before" "$(conns 127.0.0.21)"
eq "no record" "0" "$(grep -c . "$T/out-noallow/scans.jsonl")"
has "counted as special-purpose" "2 addresses (0 excluded, 2 special-purpose, 0 done before); 0 SMTP sessions" "$T/err-noallow"
"$MXRAY" probe --snapshot "$SNAP" --allow example.org x.test 2>"$T/err-allow"
eq "--allow takes CIDRs only: exit 2" 2 $?
has "--allow: the reason" "mxray probe: --allow 'example.org': not an IPv4 address or CIDR (address/bits)" "$T/err-allow"

echo "cli: probe --no-import, re-import gives the same rows"
# shellcheck disable=SC2086
"$MXRAY" probe --db "$T/n.db" --snapshot "$SNAP" $P --timeout 1 --rate 200 --out "$T/out2" --no-import --quiet \
	trusted.test notls.test 2>"$T/err2"
eq "--no-import exits 0" 0 $?
[ -e "$T/n.db" ] && bad "--no-import made a database" || ok
"$MXRAY" import --db "$T/n.db" --snapshot "$SNAP" --dns "$T/out2/dns.jsonl" --scans "$T/out2/scans.jsonl" --quiet 2>/dev/null
eq "re-import" "127.0.0.21|1|mx1.example.net|1
127.0.0.23|1||" "$(sqlite3 "$T/n.db" "SELECT ip, port25, cert_cn, trusted FROM scan ORDER BY ip")"

echo "cli: probe is interrupted cleanly, and resumes"
silent0=$(conns 127.0.0.26) notls0=$(conns 127.0.0.23) multi0=$(conns 127.0.0.24)
# shellcheck disable=SC2086
"$MXRAY" probe --db "$T/i.db" --snapshot "$SNAP" $P --timeout 30 --out "$T/out3" --quiet \
	silent.test notls.test multi.test 2>"$T/err3" &
pp=$!
# the two quick sessions written, the silent one open
scans3() { [ "$(grep -c '"ip":"127\.0\.0\.2[34]"' "$T/out3/scans.jsonl" 2>/dev/null)" = 2 ] && [ "$(conns 127.0.0.26)" -gt "$silent0" ]; }
until_ok scans3 || bad "interrupt: the sessions did not happen"
kill -INT $pp
wait $pp
eq "interrupted: exit 1" 1 $?
has "interrupted: the message" "mxray probe: interrupted: the files in $T/out3 hold what was done, and nothing was imported; the same command again probes only what is missing" "$T/err3"
"$PY" -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f): json.loads(l)' "$T/out3/dns.jsonl" "$T/out3/scans.jsonl" && ok || bad "interrupted: files are not JSON Lines"
eq "interrupted: nothing imported" "" "$(ls "$T/i.db" 2>/dev/null)"
eq "interrupted: the open session is not written" "0" "$(grep -c '127\.0\.0\.26' "$T/out3/scans.jsonl")"
mxq=$(queries MX silent.test) aq=$(queries A mx.silent.test)
# shellcheck disable=SC2086
"$MXRAY" probe --db "$T/i.db" --snapshot "$SNAP" $P --timeout 1 --out "$T/out3" \
	silent.test notls.test multi.test 2>"$T/err3b"
eq "resumed: exit 0" 0 $?
has "resumed: what was done" "mxray probe: resuming from $T/out3: 3 domains, 3 MX hosts and 2 addresses are done already" "$T/err3b"
has "resumed: the summary" "probe: 3 domains (0 excluded, 3 done before): 0 MX records, 0 failed lookups, 0 NODATA; 3 MX hosts (0 excluded, 3 done before); 3 addresses (0 excluded, 0 special-purpose, 2 done before); 1 SMTP sessions" "$T/err3b"
eq "resumed: no DNS query again" "$mxq $aq" "$(queries MX silent.test) $(queries A mx.silent.test)"
eq "resumed: only the missing address contacted" "$((silent0 + 2)) $((notls0 + 1)) $((multi0 + 1))" \
	"$(conns 127.0.0.26) $(conns 127.0.0.23) $(conns 127.0.0.24)"
eq "resumed: one record per address" "127.0.0.23
127.0.0.24
127.0.0.26" "$(grep -o '"ip":"[0-9.]*"' "$T/out3/scans.jsonl" | sed 's/"ip":"//; s/"//' | sort)"
eq "resumed: all imported" "127.0.0.23|1
127.0.0.24|1
127.0.0.26|0" "$(sqlite3 "$T/i.db" "SELECT ip, port25 FROM scan ORDER BY ip")"
# shellcheck disable=SC2086
"$MXRAY" probe --db "$T/i.db" --snapshot "$SNAP" $P --timeout 1 --out "$T/out3" \
	silent.test notls.test multi.test 2>"$T/err3c"
eq "all done: exit 0" 0 $?
has "all done: nothing to do" "3 addresses (0 excluded, 0 special-purpose, 3 done before); 0 SMTP sessions" "$T/err3c"
eq "all done: no connection" "$((silent0 + 2)) $((notls0 + 1)) $((multi0 + 1))" \
	"$(conns 127.0.0.26) $(conns 127.0.0.23) $(conns 127.0.0.24)"
# a run killed in the middle of a line: the line is dropped, its address probed again
grep -v '"ip":"127.0.0.24"' "$T/out3/scans.jsonl" >"$T/s3" && cat "$T/s3" >"$T/out3/scans.jsonl"
printf '{"ip":"127.0.0.24","data":{"smtp":{"sta' >>"$T/out3/scans.jsonl"
# shellcheck disable=SC2086
"$MXRAY" probe --db "$T/i.db" --snapshot "$SNAP" $P --timeout 1 --out "$T/out3" --quiet \
	silent.test notls.test multi.test 2>"$T/err3d"
eq "killed run: exit 0" 0 $?
has "killed run: the unfinished line dropped" "mxray probe: $T/out3/scans.jsonl: the unfinished last line (39 bytes, from a run that was killed) was dropped" "$T/err3d"
eq "killed run: that address probed again" "$((multi0 + 2))" "$(conns 127.0.0.24)"
"$PY" -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$T/out3/scans.jsonl" && ok || bad "killed run: scans.jsonl is not JSON Lines"

echo "cli: probe keeps below the file-descriptor limit"
# shellcheck disable=SC2086
(ulimit -n 80 && exec "$MXRAY" probe --db "$T/f.db" --snapshot "$SNAP" $P --timeout 2 --concurrency 1000 \
	--out "$T/out-fd" --no-import notls.test multi.test) 2>"$T/err-fd"
eq "fd limit: exit 0" 0 $?
has "fd limit: concurrency lowered" "mxray probe: --concurrency 1000 lowered to 16 (the file-descriptor limit)" "$T/err-fd"
eq "fd limit: both probed" "2" "$(grep -c '"status":"success"' "$T/out-fd/scans.jsonl")"

echo "cli: probe on a full disk"
# a tmpfs of one page, in a mount namespace of its own: dns.jsonl fits,
# scans.jsonl does not
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	mkdir -p "$T/fs"
	unshare -m sh -c "mount -t tmpfs -o size=4k tmpfs '$T/fs' && exec '$MXRAY' probe --db '$T/full.db' \
		--snapshot '$SNAP' $P --timeout 2 --out '$T/fs/o' trusted.test notls.test" 2>"$T/err-full"
	eq "full disk: exit 1" 1 $?
	has "full disk: the file and what it means" "mxray probe: cannot write $T/fs/o/scans.jsonl: No space left on device; nothing was imported (the same command again continues from what was written)" "$T/err-full"
	[ -e "$T/full.db" ] && bad "full disk: a database was made" || ok
else
	echo "cli: probe on a full disk: skipped (needs root and unshare)"
fi

echo "cli: probe progress bar on a terminal"
if command -v tmux >/dev/null; then
	# shellcheck disable=SC2086
	$TM new-session -d -s probe -x 160 -y 10 "'$MXRAY' probe --snapshot '$SNAP' $P --timeout 3 --out '$T/out-tty' \
		--no-import silent.test nx.test; echo rc=\$?; sleep 60"
	bar() { $TM capture-pane -p -t probe 2>/dev/null | grep -q 'probe \[##############################\] 100%  2 domains resolved, 0/1 addresses probed, 0/s, 1 errors'; }
	until_ok bar && ok || bad "no progress bar; the screen: $($TM capture-pane -p -t probe 2>/dev/null)"
	done_tty() { $TM capture-pane -p -t probe 2>/dev/null | grep -q 'rc=0'; }
	until_ok done_tty && ok || bad "the tty run did not end: $($TM capture-pane -p -t probe 2>/dev/null)"
	eq "the bar is gone, the summary stays" "1" "$($TM capture-pane -p -t probe | grep -c '^probe: 2 domains')"
	$TM kill-server 2>/dev/null
else
	bad "needs tmux"
fi

echo "cli: probe usage errors"
"$MXRAY" probe --snapshot "$SNAP" 2>/dev/null
eq "no domains: exit 2" 2 $?
"$MXRAY" probe --snapshot "$SNAP" --rate 0 x.test 2>/dev/null
eq "bad rate: exit 2" 2 $?
"$MXRAY" probe --snapshot "$SNAP" --no-import --pfx2as "$T/pfx2as.txt" x.test 2>/dev/null
eq "--pfx2as with --no-import: exit 2" 2 $?
"$MXRAY" probe --snapshot "$SNAP" --pfx2as "$T/nonexistent" --out "$T/o6" x.test 2>"$T/err6"
eq "unreadable --pfx2as: exit 1 before probing" "1 0" "$? $(ls "$T/o6" 2>/dev/null | wc -l | tr -d ' ')"
printf '300.1.2.3/8\n' >"$T/badex"
"$MXRAY" probe --snapshot "$SNAP" --exclude "$T/badex" --out "$T/o4" x.test 2>"$T/err4"
eq "bad exclude file: exit 1" 1 $?
has "bad exclude: the line" "badex:1: not an IPv4 CIDR" "$T/err4"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
