#!/bin/sh
# Run test jobs several at a time: each job's output is kept whole and
# printed in the order the jobs are given (as soon as it and every job
# before it have ended), whatever order they end in.  The exit status is
# 1 when any job failed, and the last line names every one that did.
# Each job works in temporary folders of its own (mktemp, its own tmux
# socket), so they do not disturb each other.
# Usage: tests/suite.sh MXRAY MXGEN JOB...
#   JOB: a unit test binary (BUILD/tests/test_NAME), run with
#        MXRAY_TEST_DATA=tests/data; or a script tests/cli/NAME.sh, run as
#        sh tests/cli/NAME.sh MXRAY (run.sh also gets MXGEN).
#   SUITE_JOBS: how many at a time (default: the number of cores + 2; the
#        end-to-end scripts spend much of their time waiting).
#   SUITE_TIMES=1: a last line per job with its wall time.
# Scripts start first (the longest first), then the unit tests.
set -u
if [ "${1:-}" = --one ]; then # --one OUTDIR N: run job N (a line of OUTDIR/jobs)
	job=$(sed -n "${3}p" "$2/jobs")
	start=$(date +%s%N)
	case $job in
	*/run.sh) sh "$job" "$SUITE_MXRAY" "$SUITE_MXGEN" ;;
	*.sh) sh "$job" "$SUITE_MXRAY" ;;
	*) MXRAY_TEST_DATA=tests/data "$job" ;;
	esac >"$2/$3.out" 2>&1 </dev/null
	rc=$?
	end=$(date +%s%N)
	echo "$(((end - start) / 1000000))" >"$2/$3.ms"
	echo "$rc" >"$2/$3.rc.new" && mv "$2/$3.rc.new" "$2/$3.rc"
	exit 0
fi
[ $# -ge 3 ] || { echo "usage: tests/suite.sh MXRAY MXGEN JOB..." >&2; exit 2; }
cd "$(dirname "$0")/.." || exit 1
SUITE_MXRAY=$1
SUITE_MXGEN=$2
export SUITE_MXRAY SUITE_MXGEN
shift 2
JOBS=${SUITE_JOBS:-$(($(nproc 2>/dev/null || echo 2) + 2))}
O=$(mktemp -d "${TMPDIR:-/tmp}/mxray-suite.XXXXXX")
pool=
trap 'rm -rf "$O"' EXIT
trap '[ -n "$pool" ] && kill "$pool" 2>/dev/null; exit 130' INT TERM
n=0
for j in "$@"; do
	n=$((n + 1))
	echo "$j" >>"$O/jobs"
done
# the start order: scripts by how long they take (waits mostly), then the rest
for s in concurrent tui run probe golden diskfull; do
	grep -n "/$s\.sh\$" "$O/jobs" | cut -d: -f1
done >"$O/order"
grep -vn '\.sh$' "$O/jobs" | cut -d: -f1 >>"$O/order"
grep -n '\.sh$' "$O/jobs" | cut -d: -f1 | grep -vxF -f "$O/order" >>"$O/order"
xargs -P "$JOBS" -n 1 sh tests/suite.sh --one "$O" <"$O/order" &
pool=$!
failed=
i=0
while [ $i -lt $n ]; do
	i=$((i + 1))
	while [ ! -e "$O/$i.rc" ]; do
		if ! kill -0 "$pool" 2>/dev/null && [ ! -e "$O/$i.rc" ]; then
			echo "suite: $(sed -n "${i}p" "$O/jobs") did not run" >"$O/$i.out"
			echo 1 >"$O/$i.rc"
			break
		fi
		sleep 0.1
	done
	cat "$O/$i.out"
	rc=$(cat "$O/$i.rc")
	if [ "$rc" != 0 ]; then
		echo "suite: FAILED: $(sed -n "${i}p" "$O/jobs") (exit $rc)"
		failed="$failed $(sed -n "${i}p" "$O/jobs")"
	fi
done
wait "$pool"
if [ -n "${SUITE_TIMES:-}" ]; then
	i=0
	while [ $i -lt $n ]; do
		i=$((i + 1))
		printf 'suite: %6.1f s  %s\n' "$(awk -v m="$(cat "$O/$i.ms" 2>/dev/null || echo 0)" 'BEGIN { print m / 1000 }')" \
			"$(sed -n "${i}p" "$O/jobs")"
	done
fi
if [ -n "$failed" ]; then
	echo "suite: $n jobs, $(echo $failed | wc -w | tr -d ' ') FAILED:$failed"
	exit 1
fi
echo "suite: $n jobs, all passed"
