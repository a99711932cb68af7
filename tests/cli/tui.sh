#!/bin/sh
# End-to-end tests of the review desk in a real terminal: tmux runs it,
# send-keys types, capture-pane reads the screen (with -e, its colours and
# attributes too, against the golden screens in tests/screens/).  Polls with
# a timeout; never sleeps for a fixed time to wait for output.
# Usage: tests/cli/tui.sh /path/to/mxray
# MXRAY_UPDATE_SCREENS=1 writes the golden screens instead of comparing.
set -u
MXRAY=$1
HERE=$(cd "$(dirname "$0")" && pwd)
SD=$(cd "$HERE/../../sample-data" && pwd)
SCREENS=$(cd "$HERE/../screens" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-tui.XXXXXX")
n=0
SOCK=mxray-t$$-$n
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
DB=$T/t.db
BASE=$T/base.db
ARGS=
. "$(dirname "$0")/check.sh" # pass, fail, ok, bad, eq
has() { case $3 in *"$2"*) ok ;; *) bad "$1: [$2] not in [$3]" ;; esac; }

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
# wait_line N TEXT: poll until screen line N (1-based) starts with TEXT
wait_line() {
	i=0
	while [ $i -lt 200 ]; do
		if screen | sed -n "${1}p" | grep -qF -- "$2"; then ok; return 0; fi
		i=$((i + 1))
		sleep 0.05
	done
	bad "screen line $1 never showed [$2]; it is [$(screen | sed -n "${1}p")]"
	return 1
}
# wait_exit: the desk process wrote its exit status
wait_exit() {
	i=0
	while [ $i -lt ${1:-200} ] && [ ! -s "$T/rc" ]; do i=$((i + 1)); sleep 0.05; done
	if [ -s "$T/rc" ]; then ok; else bad "the desk did not exit"; fi
}
server() { # server COMMAND [COLS LINES]: run COMMAND in a terminal (200x50), session "desk", on a tmux server of its own
	rm -f "$T/rc"
	$TM kill-server 2>/dev/null
	n=$((n + 1))
	SOCK=mxray-t$$-$n
	TM="tmux -L $SOCK -f /dev/null"
	$TM new-session -d -s desk -x "${2:-200}" -y "${3:-50}" "$1"
}
# start [COLS LINES [ENV-ARGS...]]: a desk on $DB (analyst $WHO); its stderr in $T/err
WHO="--analyst e2e"
start() {
	c=${1:-200} l=${2:-50}
	[ $# -ge 2 ] && shift 2
	server "env $* LC_ALL=C.UTF-8 '$MXRAY' review --db '$DB' $WHO $ARGS 2>'$T/err'; echo \$? > '$T/rc'; sleep 60" "$c" "$l"
}
keys() { $TM send-keys -t desk "$@"; }
# sql SQL: its rows; a query that fails is a failed check (noted in a
# file: it runs in a command substitution), not an empty answer
sql() { sqlite3 "$DB" "$1" || echo "$1" >>"$T/sql-failed"; }
fresh() { rm -f "$DB" "$DB-wal" "$DB-shm"; cp "$BASE" "$DB"; }
# golden NAME: the screen with its attributes against tests/screens/NAME
# (taken twice, 50 ms apart, until equal: a screen being drawn is no answer)
golden() {
	prev=""
	i=0
	while [ $i -lt 40 ]; do
		cur=$($TM capture-pane -p -e -t desk 2>/dev/null)
		[ -n "$cur" ] && [ "$cur" = "$prev" ] && break
		prev=$cur
		i=$((i + 1))
		sleep 0.05
	done
	printf '%s\n' "$cur" >"$T/screen"
	if [ -n "${MXRAY_UPDATE_SCREENS:-}" ]; then
		cp "$T/screen" "$SCREENS/$1"
		ok
	elif cmp -s "$SCREENS/$1" "$T/screen"; then
		ok
	else
		bad "screen $1 differs from tests/screens/$1 (attributes shown as ^[[...m):"
		diff "$SCREENS/$1" "$T/screen" | cat -v | head -20 | sed 's/^/    /'
	fi
}

"$MXRAY" import --db "$BASE" --snapshot 2021-06-08 --quiet \
	--dns "$SD/dns.jsonl" --scans "$SD/scans-censys.jsonl" --scans "$SD/scans-zgrab2.jsonl" \
	--scans "$SD/scans-censys2.jsonl" --pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" 2>/dev/null
"$MXRAY" infer --db "$BASE" --quiet
fresh
# The desk's default order: candidates, least confident first, then most
# domains, then by address.
cand() { sql "SELECT ip FROM infer_ip WHERE live = 1 AND ((company IS NOT NULL AND confidence < 5) OR heuristic IS NOT NULL)
	ORDER BY confidence, num_ip DESC, (CAST(substr(ip, 1, instr(ip, '.') - 1) AS INTEGER)) LIMIT 1 OFFSET $1"; }
N=$(sql "SELECT count(*) FROM infer_ip WHERE live = 1 AND ((company IS NOT NULL AND confidence < 5) OR heuristic IS NOT NULL)")
FLAGGED=$(sql "SELECT count(*) FROM infer_ip WHERE live = 1 AND heuristic IS NOT NULL")
ALL=$(sql "SELECT count(*) FROM infer_ip WHERE live = 1")

echo "tui: navigate, decide (on to the next row, or stay), override, self-hosted, undo, bulk, quit (items 3, 7, 11)"
start
wait_for "1/$N  0 reviewed  $N remaining  $FLAGGED flagged  view: candidates  sort: confidence"
wait_for "[1 cert]"
wait_for "[4 as]"
keys j
wait_for "2/$N"
keys c
wait_for "saved: 1 decision (confirmed)"
wait_for "3/$N  1 reviewed  $((N - 1)) remaining"      # item 7: on to the next row
third=$(cand 2)
keys o
wait_for "provider ID or company (Tab completes):"
keys -l Zoh
keys Tab
wait_for "company (Tab completes): Zoho"
keys Enter
wait_for "saved: 1 decision (set Zoho)"
wait_for "4/$N"
# item 3: the row shows the decided answer at once, source "correction"
eq "decided row shows its new answer" "1" \
	"$(screen | grep -c "^  O $third *zoho.com *Zoho *correction ")"
keys m                                                   # item 7: stay
wait_for "after a decision: stay on the row"
wait_for "  stay"
keys s
wait_for "saved: 1 decision (marked self-hosted)"
wait_for "4/$N  3 reviewed"
keys m
wait_for "after a decision: on to the next row"
keys u
wait_for "undone: 1 decision (saved)"
wait_for "2 reviewed  $((N - 2)) remaining"
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
keys '?'                                                 # item 11: this mode's keys only
wait_for "mxray review, triage: keys"
wait_for "confirm the answer"
eq "triage help lists no eval key" "0" "$(screen | grep -c 'cannot decide\|Figure 4')"
keys x
keys q
wait_exit 600
eq "desk exit status" "0" "$(cat "$T/rc")"
eq "five decisions, three undone" "confirm|0 set|0 self|1 set|1 set|1" \
	"$(sql "SELECT verdict || '|' || (undone_at IS NOT NULL) FROM correction ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
eq "analyst and snapshot recorded" "e2e|2021-06-08" "$(sql "SELECT DISTINCT analyst || '|' || snapshot FROM correction")"
# item 3: the desk says what it saved, and applies it: no 'infer' needed
eq "the desk says what it saved" "mxray review: saved 5 decisions this session (3 undone); applying the decisions to the answers of snapshot 2021-06-08 (infer --approach priority) ...|mxray review: applied: export and show reflect the decisions" \
	"$(tr '\n' '|' <"$T/err" | sed 's/|$//')"
ip1=$(sql "SELECT key FROM correction WHERE id = 1")
ip2=$(sql "SELECT key FROM correction WHERE id = 2")
"$MXRAY" export --db "$DB" assignments >"$T/after.csv"
d1=$(sql "SELECT DISTINCT p.domain FROM primary_mx p JOIN mx_ip m ON m.snapshot = p.snapshot AND m.host = p.host WHERE m.ip = '$ip1'")
d2=$(sql "SELECT DISTINCT p.domain FROM primary_mx p JOIN mx_ip m ON m.snapshot = p.snapshot AND m.host = p.host WHERE m.ip = '$ip2'")
eq "confirmed row's domain" "confirmed" "$(grep "^2021-06-08,$d1," "$T/after.csv" | cut -d, -f8)"
eq "overridden row's domain" "2021-06-08,$d2,zoho.com,Zoho,1.0,correction,1,corrected,set (analyst decision #2 on the IP)" \
	"$(grep "^2021-06-08,$d2," "$T/after.csv")"
has "show reflects the decision" "zoho.com" "$("$MXRAY" show --db "$DB" "$d2" 2>&1)"
"$MXRAY" correct --db "$DB" --list --format csv >"$T/list.csv"
eq "history lists the desk's decisions" "6" "$(wc -l <"$T/list.csv" | tr -d ' ')"

echo "tui: golden screens with colours and attributes, 80x24 and 200x50, colour and NO_COLOR (item 1)"
for size in "80 24" "200 50"; do
	for colour in color nocolor; do
		fresh
		# shellcheck disable=SC2086
		if [ $colour = color ]; then start $size; else start $size NO_COLOR=1; fi
		wait_for "1/$N"
		keys j c
		wait_for "saved: 1 decision (confirmed)"
		golden "desk-$(echo "$size" | tr ' ' x)-$colour.txt"
		keys q
		wait_exit 600
	done
done
# what the goldens must show: colour pairs on the text itself (the
# cursor row black on cyan, the header on blue, MISMATCH in red), and in
# NO_COLOR none at all but reverse, bold and underline
c=$(cat "$SCREENS/desk-80x24-color.txt")
has "cursor row text on cyan" "$(printf '\033[30m\033[46m  ? ')" "$c"
has "header on blue" "$(printf '\033[44mT S IP')" "$c"
has "MISMATCH in red" "$(printf '\033[31mMISMATCH: AS')" "$c"
has "decided row's letter in green" "$(printf '\033[32m\033[49m C ')" "$c"
m=$(cat "$SCREENS/desk-80x24-nocolor.txt")
eq "NO_COLOR: no colour" "0" "$(printf '%s' "$m" | grep -c "$(printf '\033')\[3[0-6]m\|$(printf '\033')\[4[0-7]m")"
eq "NO_COLOR: the cursor row reversed" "1" "$(printf '%s' "$m" | grep "$(cand 2)" | grep -c ';7m')"
has "NO_COLOR: the header reversed" "$(printf '\033[7mT S IP')" "$m"

echo "tui: a refused override keeps the prompt and the text; Tab completes provider IDs (item 2); eval help (11)"
fresh
"$MXRAY" sample --db "$DB" --name e2e --size 10 --seed 5 2>/dev/null
ARGS="--mode eval --sample e2e"
start
wait_for "1/10  0/10 labelled"
wait_for "[3 answers]"
keys o
wait_for "truth (mx, cert, banner, priority, final;"
keys -l hosting
keys Enter
wait_for "not saved: 'hosting' is neither a company the knowledge base knows nor a provider ID"
wait_for "or companies/IDs, ';' between): hosting"
keys c                                            # goes into the prompt, labels nothing
wait_for "between): hostingc"
eq "nothing labelled meanwhile" "0" "$(sql "SELECT count(*) FROM label")"
keys C-u
keys -l "Google;outlook.co"
keys Tab
wait_for "between): Google;outlook.com"
keys Enter
wait_for "saved: 1 label (1/10 labelled)"
eq "the label, on the row the cursor stayed on" "Google;Microsoft|0" \
	"$(sql "SELECT l.truth || '|' || d.pos FROM label l JOIN sample_domain d USING (sample, domain) ORDER BY l.id DESC LIMIT 1")"
keys c
wait_for "saved: 1 label (2/10 labelled)"
wait_for "3/10"
keys '?'
wait_for "mxray review, eval mode: keys"
wait_for "label: the final answer is the truth"
eq "eval help lists no triage key" "0" "$(screen | grep -c 'accept the heuristic\|candidates only')"
keys x
keys x
wait_for "saved: 1 label (3/10 labelled)"
keys u
wait_for "undone: 1 label (saved)"
keys V
wait_for "e2e: 10 domains, 2 labelled"
keys q R                                          # item 4: the report view
wait_for "data coverage (the paper's Table 4)"
wait_for "no_valid_cert"
keys q q
wait_exit
has "the desk says what it saved" "mxray review: saved 3 labels this session (1 undone); 'mxray eval --sample e2e' scores them" "$(cat "$T/err")"
start                                             # item 11: reopens at the first unlabelled domain
wait_for "3/10  2/10 labelled"
keys q
wait_exit
ARGS=
d1=$(sql "SELECT domain FROM sample_domain WHERE sample = 'e2e' AND pos = 1")
f1=$(sql "SELECT group_concat(coalesce(company, provider_id), ';') FROM result WHERE approach = 'final' AND domain = '$d1'")
"$MXRAY" label --db "$DB" --sample e2e --export >"$T/labels.csv"
has "labels exported" "$d1,$f1" "$(cat "$T/labels.csv")"
eq "one undone label kept in history" "1" "$(sql "SELECT count(*) FROM label WHERE undone_at IS NOT NULL")"
"$MXRAY" sample --db "$DB" --name none --size 3 --seed 5 2>/dev/null
has "eval: nothing labelled is n/a (item 11)" "  final            0        0       n/a" "$("$MXRAY" eval --db "$DB" --sample none)"

echo "tui: the verdict by fields at 80x24; the AS match line in view (item 5)"
fresh
start 80 24
wait_for "1/$N"
wait_for "MISMATCH: AS"                                  # the AS pane's second line
eq "verdict line cut at a word, marked" "1" "$(screen | sed -n 22p | grep -c '[a-z.,] *~ *\[evidence said\| ~$')"
keys c
wait_for "saved: 1 decision (confirmed)"
keys k e
wait_for "note:"
long=$(printf 'word%.0s ' $(seq 1 60))
keys -l "$long"
keys Enter
wait_for "saved: note added"
wait_line 23 "decision #2: confirmed "
eq "the note is cut, the decision whole" "1" "$(screen | sed -n 23p | grep -c '^decision #2: confirmed .*~$')"
eq "a long note is kept whole (item 11)" "300" "$(sql "SELECT length(note) FROM correction WHERE id = 2")"
keys q
wait_exit 600

echo "tui: search and filter by the evidence; the filter prompt holds the filter (item 6)"
fresh
start
wait_for "1/$N"
keys v
wait_for "view: all"
keys / ; keys -l comcast ; keys Enter
wait_for "AS name  COMCAST"
keys / ; keys -l gsmtp ; keys Enter
keys 2 Enter                                     # the banner whole: it says gsmtp
wait_for "[2 smtp] full text"
wait_for "- gsmtp"
keys q
keys f
keys -l "heuristic=suggest"
keys Enter
S=$(sql "SELECT count(*) FROM infer_ip WHERE live = 1 AND heuristic = 'as-suggestion'")
wait_for "1/$S "
wait_for "filter: heuristic=suggest"
keys f
wait_for "banner=): heuristic=suggest"
keys C-u
keys -l "banner=postfix"
keys Enter
P=$(sql "SELECT count(*) FROM f_ip_ev i JOIN scan s ON s.ip_int = i.ip
	AND s.snapshot = (SELECT date FROM snapshot WHERE id = i.snap) WHERE i.live = 1
	AND (instr(lower(s.banner), 'postfix') OR instr(lower(s.ehlo), 'postfix'))")
wait_for "$P rows"
keys q
wait_exit

echo "tui: a domain's whole primary MX set; a split asks; decisions on MX hosts or domains (item 8)"
fresh
# (the integer tables: the views join on text)
split=$(sql "SELECT (m.ip >> 24) || '.' || ((m.ip >> 16) & 255) || '.' || ((m.ip >> 8) & 255) || '.' || (m.ip & 255)
	FROM f_mx_ip m JOIN f_primary_mx p ON p.snap = m.snap AND p.host = m.host JOIN f_ip_ev i ON i.snap = m.snap
	AND i.ip = m.ip WHERE i.live = 1 AND EXISTS (SELECT 1 FROM f_primary_mx p2 JOIN f_host_ev h2 ON h2.snap = p2.snap
	AND h2.host = p2.host WHERE p2.snap = p.snap AND p2.domain = p.domain AND p2.host <> p.host
	AND h2.provider <> i.provider) ORDER BY m.ip LIMIT 1")
start
wait_for "1/$N"
keys v / ; keys -l "$split" ; keys Enter
wait_for " $split "
wait_for "domains with primary MX elsewhere too"
keys 3 Enter
wait_for "(this address)"
keys q
keys o ; keys -l Zoho ; keys Enter
wait_for "Splits "
wait_for "split across providers: "
keys d
wait_for "saved: "
wait_for "(set Zoho) on domains"
ndom=$(sql "SELECT count(DISTINCT p.domain) FROM f_mx_ip m JOIN f_primary_mx p ON p.snap = m.snap AND p.host = m.host
	WHERE m.ip = (SELECT ip FROM f_ip_ev WHERE $(echo "$split" | awk -F. '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }') = ip)")
eq "decided on its domains" "$ndom" "$(sql "SELECT count(*) FROM correction WHERE scope = 'domain' AND provider_id = 'zoho.com'")"
keys z
wait_for "decisions now on the MX hosts of the row"
wait_for "on: MX hosts"
keys c
wait_for "(confirmed) on MX hosts"
eq "decided on MX hosts" "1" "$(sql "SELECT count(*) > 0 FROM correction WHERE scope = 'mx'")"
keys q
wait_exit 600

echo "tui: the split follows the terminal; a pane read full screen, wrapped (item 9)"
fresh
start 220 60
wait_for "1/$N"
wait_for "[1 cert]"
row=$(screen | grep -n '^\[1 cert\]' | cut -d: -f1)
if [ "${row:-0}" -gt 35 ]; then ok; else bad "at 220x60 the queue has $((row - 2)) rows (no more than 21 before)"; fi
big=$(sql "SELECT ip FROM scan WHERE length(banner) > 5000 ORDER BY ip LIMIT 1")
keys v / ; keys -l "$big" ; keys Enter
wait_for " $big "
keys 2 Enter
wait_for "[2 smtp] full text, rows 1-"
# the pane's title can be on the screen a moment before its text
wait_for "unauthorised access"
eq "the 10 KB banner wrapped over the screen" "1" "$(screen | grep -c 'unauthorised access' | awk '{ print ($1 > 30) }')"
keys G
wait_for "(100%)"
keys q
wait_for "[1 cert]"
keys q
wait_exit

echo "tui: a decision waits for another process's lock, never refused; another desk's change shows (item 10)"
fresh
start
wait_for "1/$N"
first=$(cand 0)
( echo ".timeout 5000"; echo "BEGIN IMMEDIATE;"; echo "INSERT INTO correction(scope, key, verdict, at) VALUES('ip', '192.0.2.77', 'confirm', 'x');"
  sleep 3; echo "COMMIT;" ) | sqlite3 "$DB" &
lock=$!
i=0
while [ $i -lt 100 ] && sqlite3 -cmd ".timeout 0" "$DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; do i=$((i + 1)); sleep 0.05; done
keys c
wait_for "waiting for the database: "
keys q                                                 # closing meanwhile loses nothing
wait $lock
wait_exit 600
eq "saved when the lock cleared" "confirm|$first" "$(sql "SELECT verdict || '|' || key FROM correction WHERE analyst = 'e2e'")"
has "and said so" "mxray review: saved 1 decision this session" "$(cat "$T/err")"
fresh
start
wait_for "1/$N"
"$MXRAY" correct --db "$DB" --ip "$first" --set zoho.com --snapshot 2021-06-08 --analyst other >/dev/null
wait_for "another process changed decisions: read again" 5
wait_for "decision #1: set zoho.com"
keys q
wait_exit

echo "tui: ^C while the terminal is too small; the analyst without \$USER (item 11)"
fresh
WHO=
start 200 50 -u USER
wait_for "1/$N"
$TM resize-window -t desk -x 70 -y 20
wait_for "terminal too small (70x20): mxray review needs 80x24"
$TM resize-window -t desk -x 200 -y 50
wait_for "1/$N"
keys c
wait_for "saved: 1 decision (confirmed)"
$TM resize-window -t desk -x 70 -y 20
wait_for "terminal too small"
keys C-c
wait_exit 600
eq "analyst: the account's name" "$(id -un)" "$(sql "SELECT analyst FROM correction")"
WHO="--analyst e2e"

echo "tui: resize"
fresh
start
wait_for "1/$N"
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
hostile=$(sql "SELECT i.ip FROM infer_ip i JOIN scan s USING (snapshot, ip_int) WHERE instr(s.banner, x'1b5b') > 0 ORDER BY i.ip LIMIT 1")
start
wait_for "1/$N"
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

echo "tui: kill -9 right after a decision"
start
wait_for "1/$N"
keys G c
wait_for "saved: 1 decision (confirmed)"
pid=$(pgrep -f "review --db $DB" | head -1)
kill -9 "$pid"
last=$(cand $((N - 1)))
eq "the decision is in the database" "confirm|$last|0" \
	"$(sql "SELECT verdict || '|' || key || '|' || (undone_at IS NOT NULL) FROM correction ORDER BY id DESC LIMIT 1")"
eq "the database is intact" "ok" "$(sql 'PRAGMA integrity_check')"

# A desk whose terminal goes away while SIGHUP is ignored (nohup, some
# multiplexers) leaves instead of spinning on failed reads.
server "sh -c 'trap \"\" HUP; echo \$\$ > \"$T/pid\"; LC_ALL=C.UTF-8 exec \"$MXRAY\" review --db \"$DB\" --analyst e2e 2>/dev/null'"
wait_for "view: candidates"
pid=$(cat "$T/pid")
$TM kill-server 2>/dev/null
i=0
while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do i=$((i + 1)); sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then bad "the desk kept running after its terminal went away"; kill "$pid"; else ok; fi

if [ -s "$T/sql-failed" ]; then
	bad "queries of the checks failed: $(cat "$T/sql-failed")"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
