#!/usr/bin/env bash
# The `caisson exec` contract end to end with real Debian tools (tr,
# base64, mawk) and a small test program (exec_tool): a round trip through
# stdin and stdout, a non-zero exit, a signal, the output cap, the CPU
# limit, a second fork or exec, a profile that lacks a call the tool makes,
# refused binaries and placeholders. Run as root and as nobody.
# usage: exec_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$1; S=$2
C="$B/caisson"
P="$S/tests/profiles/exec_basic.ini"
TOOL="$B/exec_tool"
tmp=$(mktemp -d /tmp/caisson-exec.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
echo "exec_test: running as uid $(id -u)"

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# ex EXPECTED_RC STDERR_PATTERN INPUT_FILE caisson-exec-args...
ex() {
  local want=$1 pat=$2 in=$3; shift 3
  count=$((count + 1))
  "$C" exec "$@" >"$tmp/out" 2>"$tmp/err" <"$in"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then fail "caisson exec $* -> exit $rc, want $want; stderr: $(head -c 600 "$tmp/err")"; return; fi
  if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/err"; then
    fail "caisson exec $* -> stderr lacks /$pat/: $(head -c 600 "$tmp/err")"
  fi
}

printf 'hello, caisson\n' >"$tmp/hello"
: >"$tmp/empty"

# --- stdin -> stdout round trips of real binaries
ex 0 "" "$tmp/hello" -p "$P" -- /usr/bin/tr a-z A-Z
[ "$(cat "$tmp/out")" = "HELLO, CAISSON" ] || fail "tr: answer '$(head -c 100 "$tmp/out")'"
# Found on PATH by name; larger than one message both ways (bulk regions).
head -c 200000 /dev/urandom >"$tmp/rand"
ex 0 "" "$tmp/rand" -p "$P" -- base64
base64 <"$tmp/rand" | cmp -s - "$tmp/out" || fail "base64: answer differs from the host's"
ex 0 "" "$tmp/empty" -p "$P" -- /usr/bin/tr a-z A-Z
[ -s "$tmp/out" ] && fail "tr on empty input answered '$(head -c 100 "$tmp/out")'"
# FILEs after a second --, answers under -o DIR in input order.
printf 'one\n' >"$tmp/a.txt"; printf 'two\n' >"$tmp/b.txt"
ex 0 "" "$tmp/empty" -p "$P" -j 2 -o "$tmp/outdir" -- /usr/bin/tr a-z A-Z -- "$tmp/a.txt" "$tmp/b.txt"
[ "$(cat "$tmp/outdir/a.txt" 2>/dev/null)" = ONE ] && [ "$(cat "$tmp/outdir/b.txt" 2>/dev/null)" = TWO ] ||
  fail "-o DIR: answers '$(cat "$tmp/outdir/a.txt" "$tmp/outdir/b.txt" 2>&1)'"
# The test program echoes; braces doubled are literal, in one argument.
ex 0 "" "$tmp/hello" -p "$P" -- "$TOOL" '{{x}}'
cmp -s "$tmp/hello" "$tmp/out" || fail "exec_tool echo: answer '$(head -c 100 "$tmp/out")'"

# --- files in and out: {in} and {out} in the profile's scratch directory
PS="$S/tests/profiles/exec_scratch.ini"
ex 0 "" "$tmp/rand" -p "$PS" -- base64 '{in}'
base64 <"$tmp/rand" | cmp -s - "$tmp/out" || fail "base64 {in}: answer differs from the host's"
printf '/Times-Roman findfont 12 scalefont setfont 72 720 moveto (caisson exec) show showpage\n' >"$tmp/doc.ps"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$tmp/doc.pdf" "$tmp/doc.ps" >/dev/null 2>&1 ||
  fail "gs could not make the test PDF"
ex 0 "" "$tmp/doc.pdf" -p "$PS" -- pdftotext '{in}' '{out}'
pdftotext "$tmp/doc.pdf" - | cmp -s - "$tmp/out" || fail "pdftotext {in} {out}: answer '$(head -c 100 "$tmp/out")'"
grep -q "caisson exec" "$tmp/out" || fail "pdftotext {in} {out}: the text is not in the answer"
ex 1 "^<stdin>: PLUGIN_ERROR the tool wrote no readable /tmp/out: No such file or directory" "$tmp/empty" \
  -p "$PS" -- mawk 'BEGIN {{ x = "{out}" }}'

# caisson verify attests a worker of an exec profile (its probes run as a
# plugin in that profile's worker, data and scratch mounts included).
count=$((count + 1))
"$C" verify -p "$PS" >"$tmp/verify" 2>&1 && grep -q "^verdict: PASS" "$tmp/verify" ||
  fail "caisson verify -p exec_scratch.ini: $(tail -3 "$tmp/verify")"

# --- ends of the tool: exit code and last stderr line, signals, limits
ex 1 "^<stdin>: PLUGIN_ERROR exit 3: boom$" "$tmp/empty" -p "$P" -- mawk 'BEGIN {{ print "first" > "/dev/stderr"; print "boom" > "/dev/stderr"; exit 3 }}'
printf 'segv\n' >"$tmp/segv"; printf 'abort\n' >"$tmp/abort"
ex 1 "^<stdin>: CRASHED SIGSEGV" "$tmp/segv" -p "$P" -- "$TOOL"
ex 1 "^<stdin>: CRASHED SIGABRT" "$tmp/abort" -p "$P" -- "$TOOL"
head -c 900000 /dev/zero >"$tmp/zeros"
ex 1 "^<stdin>: OUTPUT_LIMIT output exceeded 1048576 bytes" "$tmp/zeros" -p "$P" -- base64
ex 1 "^<stdin>: CPU_LIMIT cpu time 2000ms exceeded" "$tmp/empty" -p "$P" -- mawk 'BEGIN {{ for (;;); }}'
# Memory covers the tool: as root its cgroup's OOM kill; unprivileged
# (no delegated cgroup here) RLIMIT_AS, which it inherits, fails its malloc.
if [ "$(id -u)" -eq 0 ]; then mem="^<stdin>: MEMORY_LIMIT memory limit 256M reached"
else mem="^<stdin>: (MEMORY_LIMIT memory limit 256M reached|PLUGIN_ERROR exit 2)"; fi
ex 1 "$mem" "$tmp/empty" -p "$P" -- mawk 'BEGIN {{ s = "x"; for (;;) s = s s }}'

# --- what the sandbox refuses, named from the kernel's record
ex 1 "^<stdin>: VIOLATION clone3\(" "$tmp/empty" -p "$P" -- mawk 'BEGIN {{ system("true") }}'
printf 'exec\n' >"$tmp/exec"
ex 1 "^<stdin>: VIOLATION execve\(\"/usr/bin/true\"" "$tmp/exec" -p "$P" -- "$TOOL"
# mawk asks whether stdin is a terminal (TCGETS): ioctl is not allowed.
ex 1 "^<stdin>: VIOLATION ioctl\(0, 0x5401" "$tmp/hello" -p "$P" -- mawk '{{ print }}'

# --- refused before anything runs (exit 2, one line)
cp /usr/bin/true "$tmp/suid"; chmod u+s "$tmp/suid"
ex 2 "suid: set-user-ID or set-group-ID: refused" "$tmp/empty" -p "$P" -- "$tmp/suid"
ex 2 "exec_static: no dynamic section \(statically linked\?\)" "$tmp/empty" -p "$P" -- "$B/exec_static"
ex 2 "^caisson: /nonexistent/tool: No such file or directory" "$tmp/empty" -p "$P" -- /nonexistent/tool
ex 2 "^caisson: no-such-tool-here: No such file or directory" "$tmp/empty" -p "$P" -- no-such-tool-here
ex 2 "unknown placeholder \{name\}" "$tmp/empty" -p "$P" -- /usr/bin/tr '{name}' x
ex 2 "stray '\}'" "$tmp/empty" -p "$P" -- /usr/bin/tr 'a}' x
ex 2 "'\{' opens no placeholder" "$tmp/empty" -p "$P" -- /usr/bin/tr '{a b}' x
ex 2 "\{in\} and \{out\} need a scratch directory" "$tmp/empty" -p "$P" -- /usr/bin/tr '{in}' x
ex 2 "TOOL \[ARGS...\] is required" "$tmp/empty" -p "$P"
ex 2 "-p PROFILE is required" "$tmp/empty" -- /usr/bin/tr a b
ex 2 "lacks 'poll', which the exec runner needs" "$tmp/empty" -p "$S/profiles/default.ini" -- /usr/bin/tr a b
ex 0 "" "$tmp/empty" --help
grep -q "usage: caisson exec" "$tmp/out" || fail "--help printed no usage"

echo "exec_test: $count cases, $fails failed"
[ "$fails" -eq 0 ]
