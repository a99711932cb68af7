#!/bin/sh
# Several writers at once on one database: imports started together on a
# new file (the schema is made once, names interned once), imports beside
# an infer, and an import that must wait for a writer longer than SQLite's
# usual 5 s.  Every command succeeds, and the database ends as one made by
# the same commands one after another.
# Usage: tests/cli/concurrent.sh /path/to/mxray
set -u
MXRAY=$1
SD=$(cd "$(dirname "$0")/../../sample-data" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-conc.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
. "$(dirname "$0")/check.sh" # pass, fail, ok, bad, eq

# import_part DB N: the Nth of three imports of one snapshot (files overlap)
import_part() {
	case $2 in
	1) set -- "$1" --list alexa --targets "$SD/targets-alexa.txt" --dns "$SD/dns.jsonl" ;;
	2) set -- "$1" --list com --targets "$SD/targets-com.txt" --dns "$SD/dns.jsonl" --scans "$SD/scans-censys.jsonl" ;;
	3) set -- "$1" --list gov --targets "$SD/targets-gov.txt" --scans "$SD/scans-zgrab2.jsonl" \
		--scans "$SD/scans-censys.jsonl" --pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" ;;
	esac
	db=$1
	shift
	"$MXRAY" import --db "$db" --snapshot 2021-06-08 --quiet "$@"
}
dump() { # the answers and counts of a database
	"$MXRAY" infer --db "$1" --quiet >/dev/null 2>&1
	{ "$MXRAY" stats --db "$1"; "$MXRAY" export assignments --db "$1"; "$MXRAY" export coverage --db "$1"; } | md5sum
}

# one after another
for n in 1 2 3; do import_part "$T/seq.db" $n >/dev/null 2>&1; done
want=$(dump "$T/seq.db")

# the same three at once, five times, each on a new file
for round in 1 2 3 4 5; do
	db=$T/par$round.db
	import_part "$db" 1 >"$T/out1" 2>"$T/err1" &
	p1=$!
	import_part "$db" 2 >"$T/out2" 2>"$T/err2" &
	p2=$!
	import_part "$db" 3 >"$T/out3" 2>"$T/err3" &
	p3=$!
	rcs=""
	for p in $p1 $p2 $p3; do wait $p; rcs="$rcs$?"; done
	eq "round $round: three imports at once all succeed" "000" "$rcs"
	errs=$(cat "$T/err1" "$T/err2" "$T/err3" | grep '^mxray')
	eq "round $round: no error message" "" "$errs"
	eq "round $round: the same database as one after another" "$want" "$(dump "$db")"
done

# four small imports at once on a new file, sixty times: one of them
# turns the file to WAL, which SQLite does without waiting for the others
# (about one round in fifteen failed with "database is locked" before the
# store waited for it); the others migrate after it, each against the
# schema as the file now has it (about one round in 150 failed with "use
# DROP TABLE to delete table scan" before migrate read it again)
head -n 50 "$SD/dns.jsonl" >"$T/tiny.jsonl"
lost=0
for round in $(seq 1 60); do
	db=$T/tiny$round.db
	for n in 1 2 3 4; do
		"$MXRAY" import --db "$db" --snapshot 2021-06-08 --quiet --dns "$T/tiny.jsonl" >/dev/null 2>"$T/tiny$n.err" &
	done
	wait
	if grep -q '^mxray' "$T/tiny1.err" "$T/tiny2.err" "$T/tiny3.err" "$T/tiny4.err"; then
		lost=$((lost + 1))
		grep -h '^mxray' "$T/tiny1.err" "$T/tiny2.err" "$T/tiny3.err" "$T/tiny4.err" | head -1
	fi
done
eq "four imports at once on a new file, 60 rounds: rounds with an error" "0" "$lost"

# an import of a second snapshot while infer runs on the first
db=$T/par1.db
"$MXRAY" infer --db "$db" --quiet >"$T/inf.out" 2>"$T/inf.err" &
p1=$!
"$MXRAY" import --db "$db" --snapshot 2021-06-09 --quiet --dns "$SD/dns.jsonl" >"$T/imp.out" 2>"$T/imp.err" &
p2=$!
rcs=""
for p in $p1 $p2; do wait $p; rcs="$rcs$?"; done
eq "infer beside an import: both succeed" "00" "$rcs"
eq "infer beside an import: no error" "" "$(cat "$T/inf.err" "$T/imp.err" | grep '^mxray')"

# a writer holding the lock for 7 s (longer than SQLite's usual 5 s wait):
# the import waits for it and then succeeds
db=$T/lock.db
import_part "$db" 1 >/dev/null 2>&1
if command -v sqlite3 >/dev/null 2>&1; then
	{ echo "BEGIN IMMEDIATE;"; sleep 7; echo "COMMIT;"; } | sqlite3 "$db" &
	holder=$!
	sleep 1
	start=$(date +%s)
	import_part "$db" 2 >"$T/w.out" 2>"$T/w.err"
	rc=$?
	end=$(date +%s)
	wait $holder
	eq "an import waits for a 7 s lock: exit status" "0" "$rc"
	eq "an import waits for a 7 s lock: no error" "" "$(grep '^mxray' "$T/w.err")"
	waited=$((end - start))
	if [ $waited -ge 5 ]; then ok; else bad "the import waited only ${waited}s for the lock"; fi
	eq "after the wait: one row per name" "$(sqlite3 "$db" "SELECT count(*) FROM name")" \
		"$(sqlite3 "$db" "SELECT count(DISTINCT name) FROM name")"
fi

echo "concurrent: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
