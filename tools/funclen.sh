#!/bin/sh
# Fails when a C function is longer than MAX lines, naming each one as
# FILE:LINE: N lines: NAME (LINE: where its definition begins).
# Usage: tools/funclen.sh MAX FILE...   (make funclen; make lint runs it)
# A function is what the project's style writes: its definition begins at
# column 0, its body opens with '{' alone at column 0 and ends at the next
# '}' at column 0; its length counts from the definition's first line to
# that '}'.  Labels at column 0 inside a body are not definitions.
set -u
if [ $# -lt 2 ]; then
	echo "usage: tools/funclen.sh MAX FILE..." >&2
	exit 2
fi
max=$1
shift
awk -v max="$max" '
FNR == 1 { inbody = 0; sig = 0 }
!inbody && /^[A-Za-z_]/ { sig = FNR; head = $0 }
!inbody && /^\{/ { inbody = 1; start = sig ? sig : FNR; name = head }
inbody && /^\}/ {
	inbody = 0
	len = FNR - start + 1
	sub(/\(.*/, "", name)
	sub(/.*[ *]/, "", name)
	if (len > max) {
		printf "%s:%d: %d lines: %s\n", FILENAME, start, len, name
		over++
	}
	sig = 0
}
END {
	if (over) {
		printf "funclen: %d function%s longer than %d lines (split where a name can say what each part does)\n",
			over, over == 1 ? " is" : "s are", max > "/dev/stderr"
		exit 1
	}
}' "$@"
