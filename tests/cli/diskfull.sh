#!/bin/sh
# A full disk: every message names the file that could not be written (the
# database or the output) and says what was not written, the exit status
# is 1, and the database stays sound with nothing half-written.
#  - output: standard output on /dev/full, for every command that prints
#  - database: a small tmpfs filled up to the last 32 KiB (the WAL index
#    fits, no WAL page does; infer, which writes with a rollback journal
#    when it has the file to itself, is asked to change more pages than
#    their journal has room for), mounted in a mount namespace of its own;
#    this needs root (unshare, mount) and is skipped cleanly without it.
# Usage: tests/cli/diskfull.sh /path/to/mxray
set -u
MXRAY=$1
SD=$(cd "$(dirname "$0")/../../sample-data" && pwd)
# the database part runs in a private mount namespace, when there can be one
if [ "${MXRAY_DISKFULL_NS:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m true 2>/dev/null; then
	MXRAY_DISKFULL_NS=1 exec unshare -m sh "$0" "$@"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-full.XXXXXX")
FS=$T/fs
trap 'umount "$FS" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
. "$(dirname "$0")/check.sh" # pass, fail, ok, bad, eq
has() { # has NAME NEEDLE FILE
	if grep -qF -- "$2" "$3"; then ok; else bad "$1: [$2] not in $3:"; sed 's/^/    /' "$3" | head -10; fi
}
status() { # status NAME EXPECTED-EXIT command...
	name=$1 want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else bad "$name: exit $got, expected $want"; sed 's/^/    /' "$T/err" | head -5; fi
}

DB=$T/t.db
"$MXRAY" import --db "$DB" --snapshot 2021-06-08 --quiet --list gov --targets "$SD/targets-gov.txt" \
	--dns "$SD/dns.jsonl" --scans "$SD/scans-censys.jsonl" --pfx2as "$SD/pfx2as.txt" --asorg "$SD/as2org.txt" 2>/dev/null
"$MXRAY" infer --db "$DB" --quiet
d=$(sqlite3 "$DB" "SELECT domain FROM result WHERE approach = 'final' ORDER BY domain LIMIT 1")
"$MXRAY" correct --db "$DB" --domain "$d" --confirm --note "kept" >/dev/null 2>&1
"$MXRAY" sample --db "$DB" --name s5 --size 5 2>/dev/null

echo "diskfull: standard output on a full device"
if [ -c /dev/full ]; then
	IFS='|'
	for cmd in "stats" "stats --format csv" "export assignments" "export assignments --format jsonl" \
		"export providers" "export coverage" "export trend" "export corrections" "report" "show $d" \
		"correct --list" "label --sample s5 --export" "eval" "help import"; do
		IFS=' '
		# shellcheck disable=SC2086
		"$MXRAY" $cmd --db "$DB" >/dev/full 2>"$T/err"
		eq "$cmd >/dev/full: exit 1" "1" "$?"
		has "$cmd >/dev/full: says so" "cannot write the output (standard output): No space left on device; it is incomplete" "$T/err"
		eq "$cmd >/dev/full: one message" "1" "$(wc -l <"$T/err" | tr -d ' ')"
		IFS='|'
	done
	IFS=' '
else
	echo "  (skipped: no /dev/full)"
fi

echo "diskfull: the database on a full file system"
if [ "${MXRAY_DISKFULL_NS:-}" != 1 ]; then
	echo "  (skipped: needs root and a mount namespace (unshare -m))"
elif ! mkdir "$FS" || ! mount -t tmpfs -o size=8m tmpfs "$FS" 2>/dev/null; then
	echo "  (skipped: cannot mount a tmpfs here)"
else
	F=$FS/f.db
	cp "$DB" "$F"
	# fill KB: leave KB kilobytes free on the small file system
	fill() {
		rm -f "$FS/filler"
		av=$(df -k --output=avail "$FS" | tail -1 | tr -d ' ')
		dd if=/dev/zero of="$FS/filler" bs=1k count=$((av - $1)) 2>/dev/null
	}
	q() { sqlite3 "$F" "$1"; }
	sums() { # what a failed write must leave as it was
		q "SELECT count(*) FROM correction; SELECT count(*) FROM run; SELECT count(*) FROM import_log;
		   SELECT count(*), total(weight) FROM f_result; SELECT count(*) FROM f_scan; SELECT count(*) FROM label"
	}
	before=$(sums)

	fill 32
	status "import on a full disk" 1 "$MXRAY" import --db "$F" --snapshot 2021-06-09 \
		--list gov --targets "$SD/targets-gov.txt" --dns "$SD/dns.jsonl"
	# (which write fails first, and so "database error" or "database
	# write failed", depends on the page size)
	has "import: names the input" "mxray import: targets $SD/targets-gov.txt: database " "$T/err"
	has "import: names the database and the cause" "$F: database or disk is full" "$T/err"
	has "import: says what was not written" \
		"mxray import: nothing of that file was written to $F; the files before it were kept" "$T/err"
	fill 32
	status "import --strict on a full disk" 1 "$MXRAY" import --db "$F" --snapshot 2021-06-09 --strict \
		--dns "$SD/dns.jsonl"
	has "import --strict: names the database" "$F: database or disk is full" "$T/err"
	has "import --strict: nothing committed" "mxray import: aborted (--strict): nothing was committed to $F" "$T/err"

	fill 32
	status "correct on a full disk" 1 "$MXRAY" correct --db "$F" --domain "$d" --self
	has "correct: names the database, the decision not recorded" \
		"mxray correct: database error: $F: database or disk is full (the decision was not recorded)" "$T/err"
	eq "correct: no decision number on stdout" "" "$(cat "$T/out")"

	fill 32
	status "infer on a full disk" 1 "$MXRAY" infer --db "$F" --quiet --heuristics flag
	has "infer: names the database, the run not written" \
		"$F: database or disk is full; nothing of this run was written (the snapshot's earlier answers stay)" "$T/err"

	fill 32
	printf 'domain,truth\n%s,Google\n' "$(sqlite3 "$DB" "SELECT domain FROM sample_domain WHERE sample = 's5' LIMIT 1")" >"$T/truth.csv"
	status "label --import on a full disk" 1 "$MXRAY" label --db "$F" --sample s5 --import "$T/truth.csv"
	has "label: names the database" "$F: database or disk is full" "$T/err"

	fill 0
	status "open with no room at all" 1 "$MXRAY" correct --db "$F" --domain "$d" --self
	has "no room: names the database and the cause" "$F: disk I/O error (No space left on device)" "$T/err"

	rm -f "$FS/filler"
	eq "after a full disk: the database is sound" "ok" "$(q 'PRAGMA integrity_check')"
	eq "after a full disk: nothing was half-written" "$before" "$(sums)"
	eq "after a full disk: no snapshot 2021-06-09" "0" "$(q "SELECT count(*) FROM snapshot WHERE date = '2021-06-09'")"
	status "with room again: infer works" 0 "$MXRAY" infer --db "$F" --quiet
	status "with room again: export works" 0 "$MXRAY" export --db "$F" assignments
	eq "with room again: the decision is applied" "confirmed" \
		"$(q "SELECT status FROM result WHERE approach = 'final' AND domain = '$d' LIMIT 1")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
