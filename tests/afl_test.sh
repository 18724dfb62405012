#!/usr/bin/env bash
# `caisson afl` under AFL++: the forkserver protocol driven exactly
# (tests/afl_forkserver.py: statuses, bitmap, the worker's pid, run-once),
# then a bounded afl-fuzz run (-E execs, -s seed) on the planted harness:
# afl-fuzz accepts caisson as an instrumented target, runs the executions
# asked, sees coverage from inside the sandbox, and leaves no process of
# ours behind. afl-fuzz is Debian's afl++ (make deps installs it).
# usage: afl_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$1; S=$2
tmp=$(mktemp -d /tmp/caisson-afl.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { count=$((count + 1)); if ! eval "$1"; then fail "$2"; fi; }

python3 "$S/tests/afl_forkserver.py" "$B" "$S" || fail "forkserver protocol (afl_forkserver.py)"
command -v afl-fuzz >/dev/null || { echo "FAIL: afl-fuzz not installed (Debian's afl++; make deps)" >&2; exit 1; }

mkdir -p "$tmp/in"
printf 'hello' >"$tmp/in/seed"
printf 'key1="FUZZING!"\nkey2="OPENUP"\n' >"$tmp/keys.dict"
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -i "$tmp/in" -o "$tmp/out" -E 300 -s 1 -x "$tmp/keys.dict" -t 3000 -- \
  "$B/caisson" afl -p "$S/profiles/default.ini" "$B/samples/fuzz_planted.so" @@ >"$tmp/afl.log" 2>&1 </dev/null
rc=$?
stats="$tmp/out/default/fuzzer_stats"
check '[ $rc -eq 0 ] && [ -f "$stats" ]' "afl-fuzz ran to its end (exit $rc): $(tail -c 600 "$tmp/afl.log")"
execs=$(awk '/^execs_done/ {print $3}' "$stats" 2>/dev/null)
edges=$(awk '/^edges_found/ {print $3}' "$stats" 2>/dev/null)
check '[ "${execs:-0}" -ge 300 ]' "afl-fuzz executed at least 300 test cases (execs_done ${execs:-none})"
check '[ "${edges:-0}" -gt 1 ]' "afl-fuzz saw coverage from the sandboxed worker (edges_found ${edges:-none})"
check '! grep -q "not instrumented" "$tmp/afl.log"' "caisson is taken as an instrumented target"
# every crash afl-fuzz kept reproduces under caisson run as a finding
for f in "$tmp/out/default/crashes"/id:*; do
  [ -e "$f" ] || continue
  "$B/caisson" run -p "$S/profiles/default.ini" "$B/samples/fuzz_planted.so" "$f" >/dev/null 2>"$tmp/e" </dev/null
  rc=$?
  check '[ $rc -eq 1 ] && grep -Eq "CRASHED|VIOLATION" "$tmp/e"' "afl's crash $(basename "$f") reproduces under caisson run"
done
echo "afl_test: $count checks, $fails failed"
[ "$fails" -eq 0 ]
