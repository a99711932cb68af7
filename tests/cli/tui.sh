#!/bin/sh
# End-to-end tests of the review desk in a real terminal: tmux runs it,
# send-keys types, capture-pane reads the screen.  Polls with a timeout;
# never sleeps for a fixed time to wait for output.
# Usage: tests/cli/tui.sh /path/to/mxray
set -u
MXRAY=$1
SD=$(cd "$(dirname "$0")/../../sample-data" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-tui.XXXXXX")
n=0
SOCK=mxray-t$$-$n
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
DB=$T/t.db
ARGS=
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi; }

screen() { $TM capture-pane -p -t desk 2>/dev/null; }
# wait_for TEXT [SECONDS]: poll the screen until TEXT shows
wait_for() {
	i=0
	limit=$((${2:-10} * 20))
	while [ $i -lt $limit ]; do
		if screen | grep -qF -- "$1"; then ok; return 0; fi
		i=$((i + 1))
		sleep 0.05
	done
	bad "screen never showed [$1]; it shows:"
	screen | sed 's/^/    /'
	return 1
}
# wait_exit: the desk process wrote its exit status
wait_exit() {
	i=0
	while [ $i -lt 200 ] && [ ! -s "$T/rc" ]; do i=$((i + 1)); sleep 0.05; done
	if [ -s "$T/rc" ]; then ok; else bad "the desk did not exit"; fi
}
server() { # server COMMAND: run COMMAND in a 200x50 terminal, session "desk", on a tmux server of its own
	rm -f "$T/rc"
	$TM kill-server 2>/dev/null
	n=$((n + 1))
	SOCK=mxray-t$$-$n
	TM="tmux -L $SOCK -f /dev/null"
	$TM new-session -d -s desk -x 200 -y 50 "$1"
}
start() { # start [ENV=...] : a fresh desk on $DB
	server "env LC_ALL=C.UTF-8 $* '$MXRAY' review --db '$DB' --analyst e2e $ARGS; echo \$? > '$T/rc'; sleep 60"
}
keys() { $TM send-keys -t desk "$@"; }
sql() { sqlite3 "$DB" "$1"; }

"$MXRAY" import --db "$DB" --snapshot 2021-06-08 --quiet \
	--dns "$SD/dns.jsonl" --scans "$SD/scans-censys.jsonl" --scans "$SD/scans-zgrab2.jsonl" \
	--scans "$SD/scans-censys2.jsonl" --pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" 2>/dev/null
"$MXRAY" infer --db "$DB" --quiet
# The desk's default order: candidates, least confident first, then most
# domains, then by address.
cand() { sql "SELECT ip FROM infer_ip WHERE live = 1 AND ((company IS NOT NULL AND confidence < 5) OR heuristic IS NOT NULL)
	ORDER BY confidence, num_ip DESC, (CAST(substr(ip, 1, instr(ip, '.') - 1) AS INTEGER)) LIMIT 1 OFFSET $1"; }

echo "tui: navigate, confirm, override, self-hosted, undo, quit"
start
wait_for "1/77  0 reviewed  77 remaining  57 flagged  view: candidates  sort: confidence"
wait_for "[1 cert]"
wait_for "[4 as]"
keys j
wait_for "2/77"
keys c
wait_for "saved: 1 decision (confirmed)"
wait_for "1 reviewed  76 remaining"
keys j o
wait_for "provider ID or company (Tab completes):"
keys -l Zoh
keys Tab
wait_for "company (Tab completes): Zoho"
keys Enter
wait_for "saved: 1 decision (set Zoho)"
keys j s
wait_for "saved: 1 decision (marked self-hosted)"
keys u
wait_for "undone: 1 decision (saved)"
wait_for "2 reviewed  75 remaining"
keys t t o
wait_for "provider ID or company for the tagged rows"
keys -l Google
keys Enter
wait_for "Set 2 tagged rows to Google? (y/n)"
keys n
wait_for "cancelled"
keys o
keys -l Google
keys Enter
keys y
wait_for "saved: 2 decisions (set Google)"
keys u
wait_for "undone: 2 decisions (saved)"
keys '?'
wait_for "mxray review: keys"
wait_for "confirm the answer"
keys x
keys q
wait_exit
eq "desk exit status" "0" "$(cat "$T/rc")"
eq "five decisions, three undone" "confirm|0 set|0 self|1 set|1 set|1" \
	"$(sql "SELECT verdict || '|' || (undone_at IS NOT NULL) FROM correction ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
eq "analyst and snapshot recorded" "e2e|2021-06-08" "$(sql "SELECT DISTINCT analyst || '|' || snapshot FROM correction")"
ip1=$(sql "SELECT key FROM correction WHERE id = 1")
ip2=$(sql "SELECT key FROM correction WHERE id = 2")
"$MXRAY" infer --db "$DB" --quiet
"$MXRAY" export --db "$DB" assignments >"$T/after.csv"
d1=$(sql "SELECT DISTINCT p.domain FROM primary_mx p JOIN mx_ip m ON m.snapshot = p.snapshot AND m.host = p.host WHERE m.ip = '$ip1'")
d2=$(sql "SELECT DISTINCT p.domain FROM primary_mx p JOIN mx_ip m ON m.snapshot = p.snapshot AND m.host = p.host WHERE m.ip = '$ip2'")
eq "confirmed row's domain" "confirmed" "$(grep "^2021-06-08,$d1," "$T/after.csv" | cut -d, -f8)"
eq "overridden row's domain" "2021-06-08,$d2,zoho.com,Zoho,1.0,correction,1,corrected,set (analyst decision #2 on the IP)" \
	"$(grep "^2021-06-08,$d2," "$T/after.csv")"
"$MXRAY" correct --db "$DB" --list --format csv >"$T/list.csv"
eq "history lists the desk's decisions" "6" "$(wc -l <"$T/list.csv" | tr -d ' ')"

echo "tui: resize"
start
wait_for "1/77"
$TM resize-window -t desk -x 120 -y 40
# narrow: the panes stack two by two, so [3 mx] starts a line of its own
# (at 200 columns it is mid-line: wait for the redraw, not for the text)
i=0
while [ $i -lt 200 ] && [ "$(screen | grep -c '^\[3 mx\]')" != 1 ]; do i=$((i + 1)); sleep 0.05; done
eq "narrow layout stacks the panes" "1" "$(screen | grep -c '^\[3 mx\]')"
$TM resize-window -t desk -x 70 -y 20
wait_for "terminal too small (70x20): mxray review needs 80x24"
$TM resize-window -t desk -x 200 -y 50
wait_for "[4 as]"
eq "wide layout puts the panes in one row" "1" "$(screen | grep -c '^\[1 cert\].*\[2 smtp\].*\[3 mx\].*\[4 as\]')"
keys q
wait_exit

echo "tui: hostile banner is escaped"
hostile=$(sql "SELECT i.ip FROM infer_ip i JOIN scan s USING (snapshot, ip) WHERE instr(s.banner, x'1b5b') > 0 ORDER BY i.ip LIMIT 1")
start
wait_for "1/77"
keys v
wait_for "view: all"
keys /
keys -l "$hostile"
keys Enter
wait_for " $hostile "
wait_for '\e['
eq "no raw ESC on the screen" "0" "$(screen | tr -dc '\033' | wc -c | tr -d ' ')"
keys q
wait_exit

echo "tui: NO_COLOR and monochrome"
start NO_COLOR=1
wait_for "1/77"
wait_for "[2 smtp]"
keys q
wait_exit

echo "tui: kill -9 right after a decision"
start
wait_for "1/77"
keys G c
wait_for "saved: 1 decision (confirmed)"
pid=$(pgrep -f "review --db $DB" | head -1)
kill -9 "$pid"
last=$(cand 76)
eq "the decision is in the database" "confirm|$last|0" \
	"$(sql "SELECT verdict || '|' || key || '|' || (undone_at IS NOT NULL) FROM correction ORDER BY id DESC LIMIT 1")"
eq "the database is intact" "ok" "$(sql 'PRAGMA integrity_check')"

echo "tui: eval mode: label a sample, chart"
"$MXRAY" sample --db "$DB" --name e2e --size 10 --seed 5 2>/dev/null
ARGS="--mode eval --sample e2e"
start
wait_for "1/10  0/10 labelled"
wait_for "[3 answers]"
keys c
wait_for "saved: 1 label (1/10 labelled)"
keys o
wait_for "truth (mx, cert, banner, priority, final;"
keys -l "Google;Microsoft"
keys Enter
wait_for "saved: 1 label (2/10 labelled)"
keys x
wait_for "saved: 1 label (3/10 labelled)"
keys u
wait_for "undone: 1 label (saved)"
keys V
wait_for "e2e: 10 domains, 2 labelled"
keys q R
wait_for "data coverage (the paper's Table 4)"
wait_for "no_valid_cert"
keys q q
wait_exit
ARGS=
d1=$(sql "SELECT domain FROM sample_domain WHERE sample = 'e2e' AND pos = 0")
d2=$(sql "SELECT domain FROM sample_domain WHERE sample = 'e2e' AND pos = 1")
f1=$(sql "SELECT group_concat(coalesce(company, provider_id), ';') FROM result WHERE approach = 'final' AND domain = '$d1'")
"$MXRAY" label --db "$DB" --sample e2e --export >"$T/labels.csv"
eq "labels exported" "domain,truth $d1,$f1 $d2,Google;Microsoft" "$(tr '\n' ' ' <"$T/labels.csv" | sed 's/ $//')"
eq "one undone label kept in history" "1" "$(sql "SELECT count(*) FROM label WHERE undone_at IS NOT NULL")"
"$MXRAY" eval --db "$DB" --sample e2e --format csv >"$T/eval.csv"
eq "eval: final right on the first" "e2e,final,2,1,0.5,$(sql "SELECT count(DISTINCT d.domain) FROM sample_domain d JOIN result r ON r.domain = d.domain AND r.approach = 'final' AND r.status IN ('heuristic', 'flagged') WHERE d.sample = 'e2e'"),0" \
	"$(grep '^e2e,final,' "$T/eval.csv")"

# A desk whose terminal goes away while SIGHUP is ignored (nohup, some
# multiplexers) leaves instead of spinning on failed reads.
server "sh -c 'trap \"\" HUP; echo \$\$ > \"$T/pid\"; LC_ALL=C.UTF-8 exec \"$MXRAY\" review --db \"$DB\" --analyst e2e'"
wait_for "view: candidates"
pid=$(cat "$T/pid")
$TM kill-server 2>/dev/null
i=0
while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do i=$((i + 1)); sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then bad "the desk kept running after its terminal went away"; kill "$pid"; else ok; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
