#!/usr/bin/env bash
# Clean exits and interrupts (issues 13 and 20), each command run under
# reap_check, a child subreaper that fails when any process of the command
# (zygote, worker, alive or a zombie) or any cgroup directory of its pid
# outlives it: commands that finish, fail and are refused; `caisson run -j 2`
# over inputs that keep both workers busy, interrupted by SIGINT, SIGTERM
# and SIGHUP (exit 128+N, one line saying what finished and what did not
# run); a run blocked reading its stdin; `caisson verify` interrupted; and
# a SIGKILLed run, whose cgroup directories the next start removes.
# usage: interrupt_test.sh BUILD_DIR SOURCE_DIR [PID_LOG]
set -uo pipefail
B=$1; S=$2; LOG=${3:-/dev/null}
C="$B/caisson"
tmp=$(mktemp -d /tmp/caisson-intr.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { "$B/reap_check" --log "$LOG" "$@" || fail "reap_check $*"; }

DEF="$S/profiles/default.ini"
ECHO="$B/samples/echo.so"
BUSY="$B/tests/busy.so"
printf '%s\n' "[seccomp]" "allow = @default" "[limits]" "wall_time = 60s" "cpu_time = 60s" \
  "[pool]" "max_workers = 4" >"$tmp/busy.ini"
for i in 1 2 3 4; do echo "input $i" >"$tmp/in$i"; done

# --- every command ends with its zygote and workers reaped
check -- "$C" run -p "$DEF" "$ECHO" "$tmp/in1"
check -- "$C" run -j 2 -p "$DEF" "$ECHO" "$tmp/in1" "$tmp/in2" "$tmp/in3" "$tmp/in4"
check --status 1 -- "$C" run -p "$S/profiles/hostile.ini" "$B/samples/hostile_segv.so" "$tmp/in1"
check --status 2 -- "$C" run -p "$tmp/nonexistent.ini" "$ECHO" "$tmp/in1"
check -- "$C" profile check "$DEF"
# (unprivileged, verify exits 1: the loaded filter cannot be read back)
check --status "$([ "$(id -u)" -eq 0 ] && echo 0 || echo 1)" -- "$C" verify -p "$DEF" -o "$tmp/report.txt"

# --- interrupts: two workers busy, two inputs waiting
for sig in INT TERM HUP; do
  n=$(kill -l "$sig")
  check --signal "$n" --after 2 busy \
    --line "caisson run: interrupted by SIG$sig; 0 of 4 inputs finished, 2 stopped while running, 2 not run" \
    -- "$C" run -v -j 2 -p "$tmp/busy.ini" "$BUSY" "$tmp/in1" "$tmp/in2" "$tmp/in3" "$tmp/in4"
done
# waiting for its only input on stdin (a FIFO nobody writes to): the read
# is interrupted, nothing ran
mkfifo "$tmp/fifo"
sleep 120 >"$tmp/fifo" &
writer=$!
check --signal "$(kill -l INT)" --after-workers 0 \
  --line "caisson run: interrupted by SIGINT; 0 of 1 inputs finished, 0 stopped while running, 1 not run" \
  -- "$C" run -p "$DEF" "$ECHO" <"$tmp/fifo"
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
# verify, interrupted once it has workers (its battery's, or the attested one)
check --signal "$(kill -l TERM)" --after-workers 1 --line "caisson verify: interrupted by SIGTERM" \
  -- "$C" verify -p "$DEF" -o "$tmp/report2.txt"

# --- SIGKILL: nothing can clean up; the next start removes the directories
left=$("$B/reap_check" --signal 9 --after 2 busy \
  -- "$C" run -v -j 2 -p "$tmp/busy.ini" "$BUSY" "$tmp/in1" "$tmp/in2" "$tmp/in3")
if [ "$(id -u)" -eq 0 ] && [ -d /sys/fs/cgroup/memory ] && [ -z "$left" ]; then
  fail "a SIGKILLed run as root left no cgroup directory to clean up (were cgroups used?)"
fi
check -- "$C" run -p "$DEF" "$ECHO" "$tmp/in1"
for d in $left; do
  [ -e "$d" ] && fail "stale $d of a SIGKILLed supervisor was not removed by the next start"
done
echo "interrupt_test: $fails failures ($(echo "$left" | grep -c . || true) stale directories swept)"
[ "$fails" -eq 0 ]
