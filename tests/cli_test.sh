#!/usr/bin/env bash
# The `caisson run` contract end to end: usage and configuration errors,
# real parsers, every hostile sample with its own precise status, lockdown
# failures named by step, and the next input succeeding after each failure.
# usage: cli_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$1; S=$2
C="$B/caisson"
tmp=$(mktemp -d /tmp/caisson-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
echo "cli_test: running as uid $(id -u)"

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# run EXPECTED_RC STDERR_PATTERN -- caisson args...
run() {
  local want=$1 pat=$2; shift 3
  count=$((count + 1))
  "$C" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  if [ "$rc" -ne "$want" ]; then fail "caisson $* -> exit $rc, want $want; stderr: $(head -c 600 "$tmp/err")"; return; fi
  if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/err"; then
    fail "caisson $* -> stderr lacks /$pat/: $(head -c 600 "$tmp/err")"
  fi
}

profile() { # name, then lines; the default run set comes first (line 1-2)
  local f="$tmp/$1.ini"; shift
  printf '%s\n' "[seccomp]" "allow = @default" "$@" >"$f"; echo "$f"
}

DEF="$S/profiles/default.ini"
ECHO="$B/samples/echo.so"
SEL="$B/tests/selective.so"

# --- usage and configuration errors: one line, exit 2, nothing runs
run 2 "PROFILE is required" -- run "$ECHO"
run 2 "PLUGIN.so is required" -- run -p "$DEF"
run 0 "" -- run --help
run 2 "unknown command" -- frobnicate
run 2 "^caisson: .*nonexistent.so: No such file" -- run -p "$DEF" "$tmp/nonexistent.so"
echo "not an elf" >"$tmp/text.so"
run 2 "not an ELF file" -- run -p "$DEF" "$tmp/text.so"
run 2 "does not export caisson_plugin_handle" -- run -p "$DEF" "$B/samples/noexport.so"
P=$(profile badsys "allow = frobnicate_syscall")
run 2 "^caisson: $P:3: " -- run -p "$P" "$ECHO"
P=$(profile badkey "[limits]" "wall_time = 1s" "colour = blue")
run 2 "^caisson: $P:5: " -- run -p "$P" "$ECHO"
P=$(profile badrange "[limits]" "memory = 99999999999999999999G")
run 2 "^caisson: $P:4: " -- run -p "$P" "$ECHO"
P=$(profile danger "allow = ptrace")
run 2 "^caisson: $P:3: .*ptrace" -- run -p "$P" "$ECHO"
printf '[limits]\nwall_time = 1s\n' >"$tmp/noallow.ini"
run 2 "^caisson: $tmp/noallow.ini: \[seccomp\] allow lacks 'recvmsg'" -- run -p "$tmp/noallow.ini" "$ECHO"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "config error not one line: $(cat "$tmp/err")"

# --- echo: stdin to stdout, and files to -o DIR
count=$((count + 1))
out=$(printf 'hello caisson' | "$C" run -p "$DEF" "$ECHO")
[ "$out" = "hello caisson" ] || fail "echo via stdin gave '$out'"
mkdir -p "$tmp/o"
printf 'one' >"$tmp/a.txt"; printf 'two' >"$tmp/b.txt"
run 0 "" -- run -p "$DEF" -o "$tmp/o" "$ECHO" "$tmp/a.txt" "$tmp/b.txt"
[ "$(cat "$tmp/o/a.txt")" = one ] && [ "$(cat "$tmp/o/b.txt")" = two ] || fail "-o DIR answers wrong"
# Larger than one inline message: travels in a sealed memfd.
head -c 300000 /dev/urandom >"$tmp/big.bin"
run 0 "" -- run -p "$DEF" -o "$tmp/o" "$ECHO" "$tmp/big.bin"
cmp -s "$tmp/big.bin" "$tmp/o/big.bin" || fail "300 KB echo differs"
P=$(profile small "[limits]" "input = 1K")
run 1 "big.bin: INPUT_TOO_LARGE" -- run -p "$P" "$ECHO" "$tmp/big.bin"

# --- one supervisor, mixed hostile and good inputs: each its own status,
#     and every good input after a failure still succeeds
P=$(profile tight "[limits]" "wall_time = 400ms" "cpu_time = 10s" "output = 1M")
mkdir -p "$tmp/in" "$tmp/o2"
i=0
for w in segv ok open ok socket ok spin ok garbage ok exit ok abort ok fail ok flood ok; do
  i=$((i + 1)); printf '%s' "$w" >"$tmp/in/$(printf %02d $i)-$w"
done
run 1 "" -- run -p "$P" -o "$tmp/o2" "$SEL" "$tmp"/in/*
expect() { grep -Eq -- "$1" "$tmp/err" || fail "selective: no line /$1/ in: $(cat "$tmp/err")"; }
expect "01-segv: CRASHED SIGSEGV$"
expect "03-open: VIOLATION openat\(AT_FDCWD, \"/etc/passwd\", O_RDONLY"
expect "05-socket: VIOLATION socket\(AF_INET, SOCK_STREAM, 0\)"
expect "07-spin: TIMEOUT wall time 400ms exceeded"
expect "09-garbage: PROTOCOL_ERROR "
expect "11-exit: CRASHED worker exited with status 3"
expect "13-abort: CRASHED SIGABRT"
expect "15-fail: PLUGIN_ERROR refused: input says fail"
expect "17-flood: OUTPUT_LIMIT output exceeded 1048576 bytes"
n=$(wc -l <"$tmp/err"); [ "$n" -eq 9 ] || fail "want 9 failure lines, got $n: $(cat "$tmp/err")"
for f in "$tmp"/in/*-ok; do
  [ "$(cat "$tmp/o2/$(basename "$f")" 2>/dev/null)" = ok ] || fail "good input $(basename "$f") after a failure did not succeed"
done

# --- the hostile samples under the hostile profile (default groups, tight limits)
H="$S/profiles/hostile.ini"; IN="$S/samples/data/hello.txt"
run 1 "hello.txt: VIOLATION openat\(AT_FDCWD, \"/etc/passwd\", O_RDONLY" -- run -p "$H" "$B/samples/hostile_open.so" "$IN"
run 1 "hello.txt: VIOLATION socket\(AF_INET, SOCK_STREAM" -- run -p "$H" "$B/samples/hostile_socket.so" "$IN"
run 1 "hello.txt: VIOLATION clone\(" -- run -p "$H" "$B/samples/hostile_fork.so" "$IN"
run 1 "hello.txt: (TIMEOUT|CPU_LIMIT) " -- run -p "$H" "$B/samples/hostile_spin.so" "$IN"
run 1 "hello.txt: MEMORY_LIMIT " -- run -p "$H" "$B/samples/hostile_alloc.so" "$IN"
# As root with the v1 memory hierarchy, the limit is the cgroup's, both for
# one input (a flat pool: the worker in the pool's directory) and for two
# (a wN directory per worker).
if [ "$(id -u)" = 0 ] && [ -e /sys/fs/cgroup/memory/cgroup.procs ]; then
  run 1 "hello.txt: MEMORY_LIMIT memory limit 64M reached \(cgroup v1 OOM kill" -- run -p "$H" "$B/samples/hostile_alloc.so" "$IN"
  run 1 "hello.txt: MEMORY_LIMIT memory limit 64M reached \(cgroup v1 OOM kill" -- run -p "$H" -j 2 "$B/samples/hostile_alloc.so" "$IN" "$IN"
fi
run 1 "hello.txt: OUTPUT_LIMIT " -- run -p "$H" "$B/samples/hostile_flood.so" "$IN"
run 1 "hello.txt: PROTOCOL_ERROR " -- run -p "$H" "$B/samples/hostile_garbage.so" "$IN"
run 1 "hello.txt: CRASHED SIGSEGV" -- run -p "$H" "$B/samples/hostile_segv.so" "$IN"
# Plugin constructors run only after the filter: socket() at load time is caught.
run 1 "hello.txt: SPAWN_FAILED VIOLATION socket\(AF_INET, SOCK_STREAM, 0\) while loading \(pool failed after 5 consecutive spawn failures: every worker dies on arrival: the plugin or profile is broken\)" -- run -p "$H" "$B/samples/hostile_ctor.so" "$IN"
run 1 "hello.txt: SPAWN_FAILED plugin init: caisson_plugin_init returned 7" -- run -p "$H" "$B/samples/hostile_init.so" "$IN"

# --- real parsers: a malformed input fails alone, the next one succeeds
D="$S/samples/data"
run 1 "truncated.png: PLUGIN_ERROR " -- run -p "$S/profiles/png.ini" -o "$tmp/o" "$B/samples/png.so" "$D/truncated.png" "$D/gradient-64.png"
head -c 2 "$tmp/o/gradient-64.ppm" | grep -q P6 || fail "png.so did not produce a PPM named .ppm ([output] extension)"
[ ! -e "$tmp/o/gradient-64.png" ] || fail "png.ini: the answer kept the input's .png name"
# An answer larger than one message from inputs that all fit one: the
# workers get no bulk regions (the answer streams in W_OUTPUT chunks); the
# same input from stdin (size unknown: regions) gives the same bytes.
"$C" run -p "$S/profiles/png.ini" "$B/samples/png.so" "$D/stripes-256.png" >"$tmp/streamed" 2>"$tmp/err" ||
  fail "stripes-256.png without regions: $(head -c 300 "$tmp/err")"
"$C" run -p "$S/profiles/png.ini" "$B/samples/png.so" - <"$D/stripes-256.png" >"$tmp/regions" 2>"$tmp/err" ||
  fail "stripes-256.png from stdin: $(head -c 300 "$tmp/err")"
[ "$(wc -c <"$tmp/streamed")" -eq 196623 ] && cmp -s "$tmp/streamed" "$tmp/regions" ||
  fail "stripes-256.png: the streamed answer ($(wc -c <"$tmp/streamed") bytes) differs from the regions' ($(wc -c <"$tmp/regions"))"
count=$((count + 1))
run 1 "bad.xml: PLUGIN_ERROR " -- run -p "$S/profiles/xml.ini" -o "$tmp/o" "$B/samples/xml.so" "$D/bad.xml" "$D/note.xml"
[ -s "$tmp/o/note.xml" ] || fail "xml.so gave no canonical output for note.xml"

# --- no lockdown step fails silently: forced failures name the step
P=$(profile nobind "[filesystem]" "bind_ro = /nonexistent/caisson-data")
run 1 "SPAWN_FAILED bind read-only file: open_tree /nonexistent/caisson-data: No such file or directory" -- run -p "$P" "$ECHO" "$IN"

echo "cli_test: $count cases, $fails failure(s)"
[ "$fails" -eq 0 ]
