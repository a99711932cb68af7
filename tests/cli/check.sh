# The end-to-end scripts' counters and checks (sourced by tests/cli/*.sh):
# ok and bad count a check; eq NAME EXPECTED ACTUAL compares two texts.
# Each script prints "$pass passed, $fail failed" at its end and exits 1
# when a check failed.
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi; }
