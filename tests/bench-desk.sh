#!/bin/sh
# The review desk's benchmark (part of tests/bench.sh): the desk on an
# inferred database, in a real terminal (tmux, 200x50), with its own timing
# trace ($MXRAY_REVIEW_TRACE: "first-screen MS CPU", then "key NAME MS CPU"
# for each key from read to drawn, and "done search|filter MS CPU" from
# the Enter of a search or filter to its answer drawn, as its work may go
# on between keys; MS is wall time, CPU the process's CPU time over the
# same span).  The keys: moving, paging, all rows (v), the
# sorts (S S I), a search for a domain (/ ... Enter, n), a filter (f ...
# Enter, F), the report view (R, q); then a bulk decision: about 20,000 rows
# tagged (20,000 x domains / 1M: the addresses of whole ASes, f asn=N and
# *), confirmed (c, y), undone (u) and redone (^R).  The desk is then killed
# with SIGKILL (after the key was answered: the decision must be in the
# database whole, as the desk said); the check counts the standing
# decisions.  Before the desk starts: 'mxray show' on a domain of the host
# with the most domains (its evidence must cost what any domain's does).
#
# usage: tests/bench-desk.sh MXRAY DB [--rows FILE] [--x FACTOR] [--domains N]
#   --rows FILE appends the figures as tests/bench.sh rows (tab-separated:
#   slug label value unit peak_mb target target_peak_mb state detail);
#   --x scales every time target (tests/bench.sh above 1M domains);
#   --domains N: the database's domains (default: counted), for the tags.
# Targets: first screen < 300 ms, every key < 100 ms (each key's slowest
# time is a row of its own), show < 0.5 s; the search's and the company
# filter's time until answered are reported without one.  A summary goes to stderr; exit
# status 1 when the desk did not answer or a figure missed its target.
set -u
MXRAY=$1
DB=$2
shift 2
ROWS=/dev/null X=1 domains=""
while [ $# -ge 2 ]; do
	case $1 in
	--rows) ROWS=$2 ;;
	--x) X=$2 ;;
	--domains) domains=$2 ;;
	*) echo "bench-desk: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
DIR=$(dirname "$DB")
say() { echo "bench: $*" >&2; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"; }
x() { awk -v a="$1" -v x="$X" 'BEGIN { print a * x }'; }
mb_of_kb() { awk -v k="$1" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%d", (k + 512) / 1024 }'; }
q() { sqlite3 "$DB" "$1" 2>>"$DIR/desk-query.log"; }
: >"$DIR/desk-query.log"
missed=0

# 'mxray show' on a domain of the busiest primary MX host.
big=$(q "SELECT n.name, c FROM (SELECT host, count(*) AS c FROM f_primary_mx GROUP BY host ORDER BY c DESC LIMIT 1) t
	CROSS JOIN f_primary_mx p ON p.host = t.host CROSS JOIN name n ON n.id = p.domain LIMIT 1 OFFSET 100") || big=""
[ -n "$big" ] || big=$(q "SELECT domain || '|1' FROM primary_mx LIMIT 1") || big=""
bigdom=${big%|*} bign=${big#*|}
if [ -n "$bigdom" ]; then
	say "show $bigdom (its primary MX serves $bign domains) ..."
	state=""
	/usr/bin/time -o "$DIR/show.time" -f "%e %M %U %S" "$MXRAY" show --db "$DB" "$bigdom" >"$DIR/show.out" 2>"$DIR/show.log" || state=failed
	set -- $(tail -n 1 "$DIR/show.time" 2>/dev/null) "" "" "" ""
	cpu=$(awk -v u="${3:-0}" -v s="${4:-0}" 'BEGIN { printf "%.2f", u + s }')
	say "show: $1 s wall, $cpu s CPU, $(mb_of_kb "$2") MB peak"
	row show-largest-host "show, busiest host's domain" "$1" s "$(mb_of_kb "$2")" "$(x 0.5)" "" "$state" "$bign domains, cpu $cpu s"
else
	row show-largest-host "show, busiest host's domain" "" s "" "$(x 0.5)" "" failed "no domain"
fi

# The domain to search for; the ASes to tag (the largest under the target,
# in turn, until they add up to it): found before the desk starts.
dom=$(q "SELECT domain FROM result WHERE approach = 'final' AND provider_id = 'google.com' LIMIT 1 OFFSET 777") || dom=""
[ -n "$dom" ] || dom=example.com
[ -n "$domains" ] || domains=$(q "SELECT count(DISTINCT domain) FROM f_target") || domains=0
want=$(awk -v d="${domains:-0}" 'BEGIN { w = int(20000 * d / 1000000); print (w > 0 ? w : 1) }')
asns=$(q "SELECT asn || ' ' || c FROM (SELECT asn, count(*) AS c FROM f_ip_ev WHERE live = 1 AND asn > 0 GROUP BY asn)
	WHERE c < $want ORDER BY c DESC, asn" | awk -v w="$want" '{ if (s < w) { printf "%s ", $1; s += $2 } } END { print "" }')
tagged=$(q "SELECT count(*) FROM f_ip_ev WHERE live = 1 AND asn IN ($(echo $asns | tr ' ' ','))" 2>/dev/null) || tagged=0
say "review desk: tagging ${tagged:-0} rows (AS $asns) for the bulk decision"

TRACE=$DIR/desk.trace
rm -f "$TRACE" "$TRACE.keys"
WAIT=$(awk -v x="$X" 'BEGIN { print int(400 * x) }') # polls of 50 ms
SOCK=mxray-bench-$$
TM="tmux -L $SOCK -f /dev/null"
desk=yes                                # the desk has answered every key so far
noanswer=""                             # the first key it did not answer
n=1                                     # trace lines expected
wait_trace() { # wait_trace N: until the trace has N lines, while it grows
	i=0 had=-1
	while [ $i -lt $WAIT ]; do
		got=0
		[ -f "$TRACE" ] && got=$(wc -l < "$TRACE")
		[ "$got" -ge "$1" ] && return 0
		[ "$got" -gt "$had" ] && i=0 had=$got    # a typed key answered: wait anew
		i=$((i + 1))
		if [ $((i % 10)) -eq 0 ] && ! $TM has-session -t desk 2>/dev/null; then break; fi
		sleep 0.05
	done
	[ -f "$TRACE" ] && [ "$(wc -l < "$TRACE")" -ge "$1" ] && return 0
	say "the desk did not answer (trace has $(cat "$TRACE" 2>/dev/null | wc -l) lines, waiting for $1)"
	return 1
}
send() { # send KEY: one key, then its trace line
	[ $desk = yes ] || return 0
	if $TM send-keys -t desk "$1" 2>/dev/null && wait_trace $((n + 1)); then
		n=$((n + 1))
	else
		desk=no noanswer=$1
	fi
}
answered() { # after the Enter of a search or filter: its "done" line (the
	# work may go on between keys; the desk writes the line when the
	# answer is drawn)
	[ $desk = yes ] || return 0
	if wait_trace $((n + 1)); then n=$((n + 1)); else desk=no noanswer="$1 (its answer)"; fi
}
typein() { # typein TEXT: literal keys, a trace line each
	[ $desk = yes ] || return 0
	if $TM send-keys -t desk -l "$1" 2>/dev/null && wait_trace $((n + ${#1})); then
		n=$((n + ${#1}))
	else
		desk=no noanswer=$1
	fi
}
deskpid=""                              # the desk's process (the pane's, by exec)
if $TM new-session -d -s desk -x 200 -y 50 \
	"exec env MXRAY_REVIEW_TRACE='$TRACE' LC_ALL=C.UTF-8 '$MXRAY' review --db '$DB' --analyst bench 2>'$DIR/desk.log'" 2>/dev/null; then
	deskpid=$($TM list-panes -t desk -F '#{pane_pid}' 2>/dev/null) || deskpid=""
	wait_trace 1 || desk=no noanswer="(first screen)"
else
	desk=no noanswer="(first screen)"
fi
for k in 1 2 3 4 5 6 7 8 9 10; do send j; done
for k in 1 2 3 4 5; do send NPage; done
send G; send g
send v                                  # all rows
for k in 1 2 3 4 5; do send NPage; done
send S; send S; send I                  # sort
send /; typein "$dom"; send Enter; answered search  # search a domain
send n
send f; send C-u; typein "company=google"; send Enter; answered filter   # filter
send F
send R                                  # the report view (computed once per opening)
send q                                  # back from the report view
# the bulk decision: tag the ASes' rows, confirm them, undo, redo
for a in $asns; do send f; send C-u; typein "asn=$a"; send Enter; answered filter; send '*'; done
send F
mark=$n
send c; send y                          # confirm the tagged rows
send u; send C-r
# The desk's peak memory (its VmHWM, as /usr/bin/time's peak RSS), read before
# it is killed, answering or not; then SIGKILL, the decision answered.
deskmb=""
case $deskpid in
[0-9]*) deskmb=$(mb_of_kb "$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$deskpid/status" 2>/dev/null)") || deskmb=""
	kill -9 "$deskpid" 2>/dev/null ;;
esac
$TM kill-server 2>/dev/null || true
[ -n "$noanswer" ] && say "the desk gave no answer to: $noanswer"
# The figures, from the trace lines waited for.
first=$(awk '$1 == "first-screen" { print $2; exit }' "$TRACE" 2>/dev/null) || first=""
firstcpu=$(awk '$1 == "first-screen" { print $3; exit }' "$TRACE" 2>/dev/null) || firstcpu=""
awk -v n=$n 'NR <= n && $1 == "key"' "$TRACE" >"$TRACE.keys" 2>/dev/null || : >"$TRACE.keys"
slow=$(awk '$1 == "key" { c++; if (c == 1 || $3 + 0 > m + 0) { m = $3; k = $2; u = $4 } } END { if (c) printf "%s\t%s\t%d\t%s", m, k, c, u }' "$TRACE.keys")
slowest=$(printf '%s' "$slow" | cut -f1) slowkey=$(printf '%s' "$slow" | cut -f2) nkeys=$(printf '%s' "$slow" | cut -f3)
slowcpu=$(printf '%s' "$slow" | cut -f4)
mean=$(awk '$1 == "key" { c++; s += $3 } END { if (c) printf "%.1f", s / c }' "$TRACE.keys")
rview=$(awk '$1 == "key" && $2 == "R" { r = $3 } END { print r }' "$TRACE.keys")
# the decision's keys: the trace lines after the tagging ($mark lines before)
dec=$(awk -v m=$mark 'NR > m && $1 == "key" { printf "%s %s %s\n", $2, $3, $4 }' "$TRACE" 2>/dev/null | head -n 4)
ky=$(echo "$dec" | awk '$1 == "y" { print $2 " " $3; exit }')
ku=$(echo "$dec" | awk '$1 == "u" { print $2 " " $3; exit }')
kr=$(echo "$dec" | awk '$1 == "^R" { print $2 " " $3; exit }')
# the database after the kill: the decision whole (undone, then redone: one
# standing decision per tagged row)
standing=$(q "SELECT count(*) FROM correction WHERE undone_at IS NULL") || standing=""
dstate=""
if [ $desk = yes ] && [ "${standing:-x}" != "${tagged:-y}" ]; then
	say "after kill -9: $standing standing decisions in the database, $tagged expected"
	dstate=failed
fi
say "review desk: first screen ${first:-?} ms (CPU ${firstcpu:-?} ms), ${nkeys:-0} keys, mean ${mean:-?} ms, slowest ${slowest:-?} ms (${slowkey:-?}, CPU ${slowcpu:-?} ms), R ${rview:-?} ms, ${deskmb:-?} MB peak"
say "review desk: $tagged tagged rows: y ${ky:-?} ms, u ${ku:-?} ms, ^R ${kr:-?} ms (wall, CPU); after kill -9: ${standing:-?} standing decisions"
all=""; [ $desk = yes ] || all="no answer"
row desk-first-screen "desk first screen (ms)" "$first" ms "$deskmb" "$(x 300)" "" "$([ -n "$first" ] || echo "no answer")" "cpu $firstcpu ms"
row desk-slowest-key "desk slowest key (ms)" "$slowest" ms "" "$(x 100)" "" "$all" "$slowkey, cpu $slowcpu ms"
row desk-report-view "desk report view R (ms)" "$rview" ms "" "$(x 100)" "" "$([ -n "$rview" ] || echo "no answer")" ""
row desk-mean-key "desk mean key (ms)" "$mean" ms "" "" "" "$all" ""
# each key's slowest time (the typed text of prompts aside: "text" is its slowest character)
awk -v OFS='\t' -v t="$(x 100)" '
$1 == "key" { k = $2; if (k ~ /^[a-zA-Z0-9.=]$/ && prompt) k = "text"
	if (!(k in m) || $3 + 0 > m[k] + 0) { m[k] = $3; c[k] = $4 }; cnt[k]++
	if ($2 == "/" || $2 == "f") prompt = 1; else if ($2 == "Enter" || $2 == "Esc") prompt = 0
	if (!(k in seen)) { seen[k] = 1; order[++no] = k } }
END { for (i = 1; i <= no; i++) { k = order[i]; slug = k; gsub(/\//, "slash", slug); gsub(/\*/, "star", slug); gsub(/\^/, "ctrl-", slug)
	gsub(/[^a-zA-Z0-9-]/, "_", slug)
	print "desk-key-" slug, "  key " k " (slowest of " cnt[k] ")", m[k], "ms", "", t, "", "", "cpu " c[k] " ms" } }' \
	"$TRACE.keys" >>"$ROWS"
# a search and the company filter until their answers are drawn (their
# work goes on between keys, which stay answered meanwhile)
sdone=$(awk '$1 == "done" && $2 == "search" { print $3 " " $4; exit }' "$TRACE" 2>/dev/null)
fdone=$(awk '$1 == "done" && $2 == "filter" { print $3 " " $4; exit }' "$TRACE" 2>/dev/null)
row desk-search-done "desk search, until answered (ms)" "${sdone% *}" ms "" "" "" "$([ -n "$sdone" ] || echo "no answer")" "cpu ${sdone#* } ms"
row desk-filter-done "desk company filter, until applied (ms)" "${fdone% *}" ms "" "" "" "$([ -n "$fdone" ] || echo "no answer")" "cpu ${fdone#* } ms"
row desk-decision-y "desk y, $tagged tagged rows (ms)" "${ky% *}" ms "" "$(x 100)" "" "$([ -n "$ky" ] && echo "$dstate" || echo "no answer")" "cpu ${ky#* } ms"
row desk-decision-u "desk u of it (ms)" "${ku% *}" ms "" "$(x 100)" "" "$([ -n "$ku" ] || echo "no answer")" "cpu ${ku#* } ms"
row desk-decision-redo "desk ^R of it (ms)" "${kr% *}" ms "" "$(x 100)" "" "$([ -n "$kr" ] || echo "no answer")" "cpu ${kr#* } ms"
[ $desk = yes ] || missed=1
exit $missed
