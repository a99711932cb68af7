#!/bin/sh
# Crash test: kill -9 mxray at seeded random points of an import, an infer
# and the review desk (under tmux), or send an import or an infer SIGINT
# (Ctrl-C: it must end by itself, the file left in WAL mode with no journal
# to roll back), then check that
#  - the database is sound (PRAGMA integrity_check),
#  - mxray reads it: stats, infer, show and export work, or refuse with one
#    of the messages that say what to do (never "malformed", never a crash),
#  - the derived tables are consistent: when the snapshot is marked derived,
#    deriving it again changes nothing; when it is not, infer refuses and
#    names the way out,
#  - no analyst decision that was reported saved is lost (the decisions made
#    with 'mxray correct' before, and every one the desk said it saved),
#  - a killed --strict import left nothing (or, killed after its one commit,
#    everything); a killed infer left the earlier
#    answers or the new ones, never a mix,
#  - after the interrupted step is run again, the row counts and the answers
#    are exactly those of a clean run.
# Then two writers at once: two imports, and infer beside five decisions
# (the file stays sound, every decision reported is stored).
# Usage: tests/crashtest.sh /path/to/mxray /path/to/mxgen
#   CRASH_ROUNDS (25) rounds in turn import, infer, desk; CRASH_SEED (1)
#   picks the kill points; CRASH_DOMAINS (30000) is the size of the data.
set -u
MXRAY=$1
MXGEN=$2
ROUNDS=${CRASH_ROUNDS:-25}
SEED=${CRASH_SEED:-1}
DOMAINS=${CRASH_DOMAINS:-30000}
SD=$(cd "$(dirname "$0")/../sample-data" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-crash.XXXXXX")
SOCK=mxray-crash$$
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
pass=0
fail=0
kills=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: round $r: $*"; }
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi; }
r=0
ms() { echo $(($(date +%s%N) / 1000000)); }
# rnd N: a number in [0, N), the same for the same seed and round
rnd() { awk -v s="$SEED" -v r="$r" -v n="$1" 'BEGIN { srand(s * 7919 + r); rand(); print int(rand() * n) }'; }
q() { sqlite3 "$W" "$1"; }

SNAP=2021-06-08
EXEC= # exec: the background job is mxray itself, the process to kill
G=$T/gen
"$MXGEN" --domains "$DOMAINS" --seed 7 --date $SNAP --out "$G" >/dev/null 2>&1 || { echo "crashtest: mxgen failed"; exit 1; }
import_cmd() { # import_cmd DB [--strict]: every file of the generated snapshot
	db=$1
	shift
	$EXEC "$MXRAY" import --db "$db" --snapshot $SNAP --quiet "$@" \
		--list alexa --targets "$G/targets-alexa.txt" --list com --targets "$G/targets-com.txt" \
		--list gov --targets "$G/targets-gov.txt" --dns "$G/dns.jsonl" \
		--scans "$G/scans-censys.jsonl" --scans "$G/scans-zgrab2.jsonl" --scans "$G/scans-censys2.jsonl" \
		--pfx2as "$G/pfx2as.txt" --asorg "$G/as2org.txt"
}
# counts DB: the rows of every table but the logs (import_log, run), and stats
# (one sqlite3 for all the tables: one per table took 10 s of the run)
counts() {
	sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name NOT IN ('import_log', 'run') ORDER BY name" |
		sed "s/.*/SELECT '& ' || count(*) FROM \"&\";/" | sqlite3 "$1"
	"$MXRAY" stats --db "$1" --format csv
}
answers() { # answers DB: the final answers and shares, as exported
	"$MXRAY" export --db "$1" assignments && "$MXRAY" export --db "$1" providers
}

# --- the clean run: the reference, and how long each step takes ---------
REF=$T/ref.db
t0=$(ms)
import_cmd "$REF" 2>/dev/null || { echo "crashtest: the clean import failed"; exit 1; }
t1=$(ms)
IMPORT_MS=$((t1 - t0))
t0=$(ms)
import_cmd "$T/strict.db" --strict 2>/dev/null
t1=$(ms)
STRICT_MS=$((t1 - t0))
cp "$REF" "$T/imported.db"
# decisions made before any crash; infer applies them
dom=$(sqlite3 "$REF" "SELECT domain FROM mx ORDER BY domain LIMIT 3")
set -- $dom
"$MXRAY" correct --db "$REF" --domain "$1" --confirm --note "before" >/dev/null 2>&1
"$MXRAY" correct --db "$REF" --domain "$2" --set google.com --analyst pre >/dev/null 2>&1
"$MXRAY" correct --db "$REF" --domain "$3" --self >/dev/null 2>&1
DECISIONS=$(sqlite3 "$REF" "SELECT id, scope, key, verdict, provider_id, undone_at FROM correction ORDER BY id")
cp "$REF" "$T/decided.db"
t0=$(ms)
"$MXRAY" infer --db "$REF" --quiet || { echo "crashtest: the clean infer failed"; exit 1; }
t1=$(ms)
INFER_MS=$((t1 - t0))
counts "$REF" >"$T/ref.counts"
answers "$REF" >"$T/ref.answers"
# the earlier answers a killed infer may leave: another run's (heuristics only flag)
OLD=$T/old.db
cp "$T/decided.db" "$OLD"
"$MXRAY" infer --db "$OLD" --quiet --heuristics flag
answers "$OLD" >"$T/old.answers"
if cmp -s "$T/old.answers" "$T/ref.answers"; then
	echo "crashtest: the two runs' answers do not differ; the infer check would prove nothing"
	exit 1
fi
# the desk's database: the sample data, inferred
DESKDB=$T/desk.db
"$MXRAY" import --db "$DESKDB" --snapshot $SNAP --quiet --dns "$SD/dns.jsonl" --scans "$SD/scans-censys.jsonl" \
	--scans "$SD/scans-zgrab2.jsonl" --scans "$SD/scans-censys2.jsonl" --pfx2as "$SD/pfx2as.txt" \
	--asorg "$SD/as2org.txt" 2>/dev/null
"$MXRAY" infer --db "$DESKDB" --quiet
HAVE_TMUX=0
command -v tmux >/dev/null 2>&1 && HAVE_TMUX=1
echo "crashtest: $DOMAINS domains, clean import ${IMPORT_MS} ms (--strict ${STRICT_MS} ms), clean infer ${INFER_MS} ms, $ROUNDS rounds, seed $SEED"

# kill_at PID MS [SIG]: kill PID with SIG (9) after MS milliseconds (unless
# it ended); counts the kills; krc is its exit status
kill_at() {
	sleep "$(awk -v m="$2" 'BEGIN { printf "%.3f", m / 1000 }')"
	k0=$(ms)
	if kill -"${3:-9}" "$1" 2>/dev/null; then kills=$((kills + 1)); killed=1; else killed=0; fi
	wait "$1" 2>/dev/null
	krc=$?
	kms=$(($(ms) - k0))
}
# The jobs are started through $DFL, which puts SIGINT back to its default
# action first: a shell starts a script's background jobs with SIGINT
# ignored, and a SIGINT mxray does not catch must end it (it would
# otherwise prove nothing: an infer without a handler ran to its end).
DFL=$T/dfl
printf '#!/usr/bin/perl\n$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec $ARGV[0]: $!";\n' >"$DFL"
chmod +x "$DFL"
int_rounds=0
int_stopped=0

# after a SIGINT (Ctrl-C): mxray ended by itself (0, or 1 saying it was
# interrupted; 130 only when the signal came before it caught signals, when
# it had not begun to write) and left the file in WAL mode with no journal
# to roll back.  stderr of the run in $T/kill.err.
interrupted() {
	int_rounds=$((int_rounds + 1))
	case $krc in
	0 | 130) ok ;;
	1) if grep -q "interrupted" "$T/kill.err"; then ok; int_stopped=$((int_stopped + 1)); else
		bad "SIGINT: exit 1 without saying interrupted: $(head -3 "$T/kill.err")"; fi ;;
	*) bad "SIGINT: exit $krc: $(head -3 "$T/kill.err")" ;;
	esac
	# at once: a few hundred milliseconds at most here (3 s for a loaded machine)
	if [ $killed = 1 ] && [ "$kms" -gt 3000 ]; then bad "SIGINT: it took $kms ms to end"; else ok; fi
	[ -e "$W" ] || return 0
	if [ -e "$W-journal" ]; then bad "SIGINT left a journal to roll back"; else ok; fi
	eq "SIGINT: the file is in WAL mode after" "wal" "$(q 'PRAGMA journal_mode' 2>&1)"
}

# sound: integrity, decisions kept, and mxray reads the file or says what to do
sound() {
	[ -e "$W" ] || return 0
	eq "integrity_check" "ok" "$(q 'PRAGMA integrity_check' 2>&1)"
	if [ -n "$(q "SELECT name FROM sqlite_master WHERE name = 'correction'" 2>/dev/null)" ] && [ "$1" = decided ]; then
		eq "the decisions made before are all there" "$DECISIONS" \
			"$(q "SELECT id, scope, key, verdict, provider_id, undone_at FROM correction WHERE id <= 3 ORDER BY id")"
	fi
	for cmd in "stats" "export assignments" "export providers" "show $dom1" "correct --list"; do
		# shellcheck disable=SC2086
		"$MXRAY" $cmd --db "$W" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc = 0 ] || { [ $rc = 1 ] && grep -Eq "not an mxray database \(no schema|has no snapshots|no inference answers yet|has no answers yet|is not in snapshot|no snapshot|not in .* snapshot" "$T/err"; }; then
			ok
		else
			bad "$cmd after the kill: exit $rc: $(head -3 "$T/err")"
		fi
	done
}

# derived: a snapshot marked derived has consistent derived tables; one
# that is not makes infer refuse, naming the way out
derived() {
	[ -e "$W" ] || return 0
	dv=$(q "SELECT derived FROM snapshot WHERE date = '$SNAP'" 2>/dev/null)
	[ -n "$dv" ] || return 0
	if [ "$dv" = 1 ]; then
		before=$(counts "$W")
		cp "$W" "$T/rederive.db"
		"$MXRAY" import --db "$T/rederive.db" --snapshot $SNAP --quiet 2>"$T/err"
		eq "derive again after the kill: exit" "0" "$?"
		after=$(counts "$T/rederive.db")
		eq "a derived snapshot's tables are what deriving again gives" "$before" "$after"
		rm -f "$T/rederive.db" "$T/rederive.db-wal" "$T/rederive.db-shm"
	else
		"$MXRAY" infer --db "$W" --quiet >"$T/out" 2>"$T/err"
		eq "infer on an unfinished import: exit" "1" "$?"
		if grep -qF "finish it with 'mxray import --snapshot $SNAP' (no files)" "$T/err"; then ok; else
			bad "infer on an unfinished import does not say the way out: $(cat "$T/err")"; fi
	fi
}

dom1=$(sqlite3 "$REF" "SELECT domain FROM result WHERE approach = 'final' ORDER BY domain LIMIT 1")

round_import() {
	strict=
	[ $((r % 2)) = 0 ] && strict=--strict
	W=$T/w.db
	rm -f "$W" "$W-wal" "$W-shm"
	if [ -n "$strict" ]; then at=$(rnd $((STRICT_MS * 105 / 100))); else at=$(rnd $((IMPORT_MS * 105 / 100))); fi
	sig=9 # every other pair of import rounds: Ctrl-C instead
	[ $((r / 6 % 2)) = 1 ] && sig=INT
	EXEC="exec $DFL" import_cmd "$W" $strict 2>"$T/kill.err" &
	kill_at $! "$at" $sig
	state=$(q "SELECT (SELECT count(*) FROM import_log) || ' files kept, derived ' || ifnull((SELECT derived FROM snapshot), '-')" 2>/dev/null)
	echo "  round $r: import $strict sent SIG$sig at $at ms: ${state:-no schema yet}$([ $killed = 1 ] || echo ' (it had ended)')$([ $sig = INT ] && echo ", exit $krc after $kms ms")"
	[ $sig = INT ] && interrupted
	sound fresh
	if [ -n "$strict" ] && [ $killed = 1 ] && [ -e "$W" ] &&
		[ -n "$(q "SELECT name FROM sqlite_master WHERE name = 'snapshot'" 2>/dev/null)" ]; then
		# all or nothing: a kill after the one commit (while the file is
		# closed, say) finds everything, as the clean --strict run left it
		got=$(q "SELECT (SELECT count(*) FROM snapshot), (SELECT count(*) FROM f_mx), (SELECT count(*) FROM import_log)")
		whole=$(sqlite3 "$T/strict.db" "SELECT (SELECT count(*) FROM snapshot), (SELECT count(*) FROM f_mx),
			(SELECT count(*) FROM import_log)")
		[ "$got" = "$whole" ] && got="0|0|0 or $whole"
		[ "$got" = "0|0|0" ] && got="0|0|0 or $whole"
		eq "a killed --strict import kept nothing or everything" "0|0|0 or $whole" "$got"
	fi
	derived
	# run it again: the same rows and answers as the clean run
	import_cmd "$W" 2>"$T/err"
	rc=$?
	eq "the import run again: exit" "0" "$rc"
	[ $rc = 0 ] || sed 's/^/    /' "$T/err" | head -5
	"$MXRAY" correct --db "$W" --domain "$1" --confirm --note "before" >/dev/null 2>&1
	"$MXRAY" correct --db "$W" --domain "$2" --set google.com --analyst pre >/dev/null 2>&1
	"$MXRAY" correct --db "$W" --domain "$3" --self >/dev/null 2>&1
	"$MXRAY" infer --db "$W" --quiet
	eq "infer after the import ran again: exit" "0" "$?"
	if counts "$W" | cmp -s - "$T/ref.counts"; then ok; else
		bad "row counts differ from the clean run's:"; counts "$W" | diff "$T/ref.counts" - | head -10; fi
	if answers "$W" | cmp -s - "$T/ref.answers"; then ok; else bad "answers differ from the clean run's"; fi
}

round_infer() {
	W=$T/w.db
	rm -f "$W" "$W-wal" "$W-shm"
	cp "$OLD" "$W"
	at=$(rnd $((INFER_MS * 105 / 100)))
	sig=9 # every other infer round: Ctrl-C instead
	[ $((r % 2)) = 0 ] && sig=INT
	exec "$DFL" "$MXRAY" infer --db "$W" --quiet 2>"$T/kill.err" &
	kill_at $! "$at" $sig
	echo "  round $r: infer sent SIG$sig at $at ms$([ $killed = 1 ] || echo ' (it had ended)')$([ $sig = INT ] && echo ", exit $krc after $kms ms")"
	[ $sig = INT ] && interrupted
	sound decided
	derived
	answers "$W" >"$T/got.answers" 2>"$T/err"
	if cmp -s "$T/got.answers" "$T/old.answers" || cmp -s "$T/got.answers" "$T/ref.answers"; then ok; else
		bad "after a killed infer the answers are neither the earlier run's nor the new one's"; fi
	"$MXRAY" infer --db "$W" --quiet
	eq "infer run again: exit" "0" "$?"
	if counts "$W" | cmp -s - "$T/ref.counts"; then ok; else
		bad "row counts differ from the clean run's:"; counts "$W" | diff "$T/ref.counts" - | head -10; fi
	if answers "$W" | cmp -s - "$T/ref.answers"; then ok; else bad "answers differ from the clean run's"; fi
}

screen() { $TM capture-pane -p -t desk 2>/dev/null; }
wait_for() { # wait_for TEXT: poll the screen (10 s)
	i=0
	while [ $i -lt 200 ]; do
		screen | grep -qF -- "$1" && return 0
		i=$((i + 1))
		sleep 0.05
	done
	bad "the desk never showed [$1]; it shows:"
	screen | sed 's/^/    /' | tail -5
	return 1
}
cat >"$T/desk.sh" <<'EOF'
#!/bin/sh
# the desk, as this shell's process: its pid is the one to kill
echo $$ >"$2"
exec env LC_ALL=C.UTF-8 "$1" review --db "$3" --analyst crash
EOF

round_desk() {
	if [ $HAVE_TMUX = 0 ]; then
		echo "  round $r: desk (skipped: no tmux)"
		return
	fi
	W=$T/w.db
	rm -f "$W" "$W-wal" "$W-shm" "$T/desk.pid"
	cp "$DESKDB" "$W"
	$TM kill-server 2>/dev/null
	$TM new-session -d -s desk -x 200 -y 50 "sh '$T/desk.sh' '$MXRAY' '$T/desk.pid' '$W'; sleep 60"
	wait_for "view: candidates" || return
	pid=$(cat "$T/desk.pid")
	# decisions the desk says it saved, each waited for
	saved=$(($(rnd 4) + 1))
	k=0
	while [ $k -lt $saved ]; do
		k=$((k + 1))
		[ $k -gt 1 ] && $TM send-keys -t desk j
		if [ $((k % 2)) = 1 ]; then $TM send-keys -t desk c; else $TM send-keys -t desk s; fi
		# a decision on an address that splits a domain asks first: yes
		i=0
		while [ $i -lt 200 ] && ! screen | grep -qF "$k reviewed"; do
			if screen | grep -qF "[y] address anyway"; then $TM send-keys -t desk y; fi
			i=$((i + 1))
			sleep 0.05
		done
		wait_for "$k reviewed" || break
	done
	# then more keys, and the kill somewhere among them
	$TM send-keys -t desk j c j s j c
	at=$(rnd 300)
	kill_at "$pid" "$at"
	echo "  round $r: desk killed $at ms after $saved saved decisions and 3 more keyed"
	$TM kill-server 2>/dev/null
	sound fresh
	n=$(q "SELECT count(*) FROM correction WHERE analyst = 'crash' AND undone_at IS NULL")
	if [ "$n" -ge "$saved" ] && [ "$n" -le $((saved + 3)) ]; then ok; else
		bad "the desk said $saved decisions were saved (3 more keyed); the database has $n"; fi
	eq "the saved decisions are distinct addresses" "$n" \
		"$(q "SELECT count(DISTINCT key) FROM correction WHERE analyst = 'crash' AND scope = 'ip'")"
	"$MXRAY" infer --db "$W" --quiet
	eq "infer after the desk was killed: exit" "0" "$?"
	eq "every decision is applied" "$n" "$(q "SELECT count(DISTINCT c.id) FROM correction c JOIN infer_ip i
		ON i.ip = c.key AND i.snapshot = '$SNAP' WHERE c.analyst = 'crash' AND i.status IN ('confirmed', 'corrected')")"
}

# Two writers at once: they queue on SQLite's lock (5 s), or one fails and
# writes nothing of its file; the file stays sound and nothing reported
# saved is lost.
concurrent() {
	r=concurrent
	W=$T/w.db
	rm -f "$W" "$W-wal" "$W-shm"
	"$MXRAY" import --db "$W" --snapshot $SNAP --quiet --asorg "$G/as2org.txt" 2>/dev/null
	EXEC=exec import_cmd "$W" 2>"$T/imp1.err" &
	p1=$!
	EXEC=exec import_cmd "$W" 2>"$T/imp2.err" &
	p2=$!
	wait $p1
	rc1=$?
	wait $p2
	rc2=$?
	echo "  two imports at once: exit $rc1 and $rc2$(cat "$T/imp1.err" "$T/imp2.err" | grep '^mxray import: ' | head -1 | sed 's/^/; /')"
	for rc in $rc1 $rc2; do
		if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then ok; else bad "a concurrent import ended with exit $rc"; fi
	done
	eq "two imports at once: integrity_check" "ok" "$(q 'PRAGMA integrity_check')"
	derived
	import_cmd "$W" 2>"$T/err"
	eq "the import run again: exit" "0" "$?"
	set -- $dom
	"$MXRAY" correct --db "$W" --domain "$1" --confirm --note "before" >/dev/null 2>&1
	"$MXRAY" correct --db "$W" --domain "$2" --set google.com --analyst pre >/dev/null 2>&1
	"$MXRAY" correct --db "$W" --domain "$3" --self >/dev/null 2>&1
	# decisions recorded while infer writes
	"$MXRAY" infer --db "$W" --quiet 2>"$T/inf.err" &
	p1=$!
	: >"$T/ids"
	for d in $(sqlite3 "$REF" "SELECT domain FROM mx ORDER BY domain LIMIT 5 OFFSET 10"); do
		"$MXRAY" correct --db "$W" --domain "$d" --confirm --analyst conc >>"$T/ids" 2>>"$T/corr.err"
	done
	wait $p1
	eq "infer beside five decisions: exit" "0" "$?"
	eq "five decisions recorded beside infer" "5" "$(grep -c . "$T/ids")"
	eq "each recorded decision is stored" "$(tr '\n' ' ' <"$T/ids")" \
		"$(q "SELECT id FROM correction WHERE analyst = 'conc' ORDER BY id" | tr '\n' ' ')"
	eq "infer beside decisions: integrity_check" "ok" "$(q 'PRAGMA integrity_check')"
	"$MXRAY" correct --db "$W" --list --format csv >/dev/null
	eq "correct --list after: exit" "0" "$?"
}

set -- $dom
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	case $((r % 3)) in
	1) round_import "$@" ;;
	2) round_infer ;;
	0) round_desk ;;
	esac
done
concurrent
# the SIGINT rounds must have stopped something (not only runs it ended)
if [ $int_rounds -gt 2 ] && [ $int_stopped = 0 ]; then
	r=end
	bad "none of the $int_rounds SIGINT rounds ended a run with exit 1 'interrupted'"
fi
echo "crashtest: $kills kills in $ROUNDS rounds ($int_stopped of $int_rounds SIGINT rounds stopped a run); $pass passed, $fail failed"
[ "$fail" -eq 0 ]
