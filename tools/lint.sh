#!/bin/sh
# Static analysis of src/ and ui/: cppcheck, and clang's static analyzer
# (clang --analyze, what scan-build runs) on every file, in parallel.
# Every finding fails the run unless tools/lint.supp explains it; an entry
# of tools/lint.supp that matches nothing fails it too (the code it
# explained has changed: look again).
# Usage: tools/lint.sh 'CFLAGS'   (make lint passes the build's flags)
#   LINT_FILES='src/a.c src/b.c' checks those only (stale entries of
#   tools/lint.supp are then not reported).
set -u
cd "$(dirname "$0")/.."
CFLAGS=${1:-"-std=c11 -D_XOPEN_SOURCE=700 -D_XOPEN_SOURCE_EXTENDED -D_DEFAULT_SOURCE -Iinclude"}
SUPP=tools/lint.supp
JOBS=$(nproc 2>/dev/null || echo 2)
for tool in cppcheck clang; do
	command -v $tool >/dev/null 2>&1 || { echo "lint: $tool is missing (sh .ci/deps lint installs it)" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/mxray-lint.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
# analyse a copy: the findings and the lines they point at stay the same
# text even when the tree is edited meanwhile
mkdir "$T/tree"
cp -R src ui include "$T/tree/"
SUPP=$(pwd)/$SUPP
SHAPES=$(pwd)/tools/lint-cppcheck.h
cd "$T/tree" || exit 1
# the largest first: the analyzer takes longest on them, and the last to
# start should not be one that keeps a core busy alone
FILES=${LINT_FILES:-$(ls -S src/*.c src/cli/*.c ui/*.c)} # LINT_FILES: a few, while fixing them

# Each finding as one line: FILE:LINE:COL: CHECKER: MESSAGE
# cppcheck: its own warnings and portability checks (style is taste)
# shellcheck disable=SC2086
cppcheck --std=c11 -q -j "$JOBS" --enable=warning,portability --inline-suppr \
	--suppress=missingIncludeSystem --suppress=unmatchedSuppression \
	-Iinclude -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE --include="$SHAPES" \
	--template='{file}:{line}:{column}: cppcheck-{id}: {message}' $FILES 2>"$T/cppcheck.raw"
grep -E '^[^ :]+:[0-9]+:[0-9]+: cppcheck-' "$T/cppcheck.raw" >"$T/findings"
if grep -vE '^[^ :]+:[0-9]+:[0-9]+: cppcheck-' "$T/cppcheck.raw" | grep -q .; then
	# anything else cppcheck said (a parse failure) is a finding too
	grep -vE '^[^ :]+:[0-9]+:[0-9]+: cppcheck-' "$T/cppcheck.raw" | sed 's/^/lint: cppcheck: /' >&2
	echo "lint: cppcheck could not check everything (above)" >&2
	exit 1
fi

# clang's analyzer: the default checkers, plus clang's own -Wall -Wextra
echo "$FILES" | tr ' ' '\n' | grep . |
	xargs -P "$JOBS" -I{} sh -c 'clang --analyze $1 -o /dev/null "$2" 2>"$3/$(echo "$2" | tr / _).log" || echo "$2" >>"$3/failed"' \
		sh "$CFLAGS" {} "$T"
if [ -s "$T/failed" ]; then
	echo "lint: clang could not analyze: $(tr '\n' ' ' <"$T/failed")" >&2
	cat "$T"/*.log >&2
	exit 1
fi
cat "$T"/*.log | sed -nE 's/^([^ :]+:[0-9]+:[0-9]+): (warning|error): (.*) \[([^]]+)\]$/\1: clang-\4: \3/p' >>"$T/findings"
if cat "$T"/*.log | grep -E ': (warning|error): ' | grep -vqE '\[[^]]+\]$'; then
	cat "$T"/*.log | grep -E ': (warning|error): ' | grep -vE '\[[^]]+\]$' >&2
	echo "lint: clang said something without a checker name (above)" >&2
	exit 1
fi

# Explain or fail.  An entry of tools/lint.supp is FILE:CHECKER:CODE, CODE
# being the finding's source line with its indentation taken off; the
# comment lines above it say why it is not a defect.
awk -v supp="$SUPP" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
BEGIN {
	while ((getline l < supp) > 0) {
		if (l ~ /^#/ || l ~ /^[ \t]*$/)
			continue
		n++
		key[n] = l
		want[l] = n
	}
}
{
	split($0, a, ":")
	file = a[1]; line = a[2]; checker = trim(a[4])
	if (!(file in seen)) {
		seen[file] = 1
		i = 0
		while ((getline s < file) > 0)
			src[file, ++i] = s
		close(file)
	}
	k = file ":" checker ":" trim(src[file, line])
	if (k in want) {
		used[k] = 1
		explained++
		next
	}
	bad++
	print "lint: " $0
	print "      " trim(src[file, line])
}
END {
	for (i = 1; i <= n && !some; i++)
		if (!(key[i] in used)) {
			print "lint: tools/lint.supp entry matches nothing now (the code changed: look again, then remove it):"
			print "      " key[i]
			bad++
		}
	printf "lint: %d findings explained in tools/lint.supp, %d not\n", explained, bad
	exit bad > 0
}' some="${LINT_FILES:+1}" "$T/findings"
