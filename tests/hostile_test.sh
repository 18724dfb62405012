#!/usr/bin/env bash
# Issue 19: five hostile plugins (tests/plugins/hostile_*.c), each against
# one promise the supervisor makes about a hostile worker (README.md,
# "Threat model"):
#   orphan   no process of a SIGKILLed supervisor survives it (idle, busy
#            in its handler, blocked in a syscall), zygote included
#   idle     a worker that forges its own answer and runs on is killed,
#            with a CPU_LIMIT line naming the profile
#   tty      no control byte of a worker reaches the terminal; worker lines
#            carry the worker's identity (-v, error text, violation)
#   sigrace  signals racing forbidden calls: always VIOLATION naming it
#   runpath  the plugin's RUNPATH chooses no host directory; the profile's
#            [plugin] library_path and $ORIGIN inside its directory do
# Processes are found as descendants of the supervisor this test started,
# never by name (other caisson runs share the machine). No timing is
# asserted: waits are polls bounded by a generous deadline.
# usage: hostile_test.sh BUILD_DIR SOURCE_DIR [CASE...]   (default: all five)
set -uo pipefail
B=$1; S=$2; shift 2
cases=${*:-orphan idle tty sigrace runpath}
C="$B/caisson"; T="$B/tests"
tmp=$(mktemp -d /tmp/caisson-hostile.XXXXXX)
sup=""
trap '[ -n "$sup" ] && kill -9 "$sup" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
echo "hostile_test: running as uid $(id -u)"
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
printf show >"$tmp/show"

profile() { # name, then lines after the default [seccomp] allow
  local f="$tmp/$1.ini"; shift
  printf '%s\n' "[profile]" "name = $(basename "$f" .ini)" "[seccomp]" "allow = @default" "$@" >"$f"; echo "$f"
}

# "pid starttime" of every live descendant of $1 (from /proc, by ppid).
descendants() {
  local -A kids=()
  local root=$1 f line rest
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    rest=${line##*) }
    set -- $rest
    kids[${f//[^0-9]/}]="$2 ${20}"
  done
  local queue=("$root") p k
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    for k in "${!kids[@]}"; do
      set -- ${kids[$k]}
      if [ "$1" = "$p" ]; then echo "$k $2"; queue+=("$k"); fi
    done
  done
}

# Whether the process "pid starttime" still runs (a zombie has ended).
alive() {
  local pid=$1 start=$2 line rest
  read -r line 2>/dev/null <"/proc/$pid/stat" || return 1
  rest=${line##*) }
  set -- $rest
  [ "${20}" = "$start" ] && [ "$1" != Z ] && [ "$1" != X ]
}

wait_for() { # up to 20 s for a command to succeed
  local i
  for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
  return 1
}

# --- 1. orphan: kill -9 the supervisor with one worker idle, one asleep
#     in nanosleep and one spinning in its handler
case_orphan() {
  P=$(profile orphan "[limits]" "wall_time = 1h" "cpu_time = 1h" "[pool]" "requests_per_worker = 10")
  mkdir -p "$tmp/in1" "$tmp/out1"
  printf idle >"$tmp/in1/1-idle"; printf sleep >"$tmp/in1/2-sleep"; printf spin >"$tmp/in1/3-spin"
  "$C" run -v -j 3 -p "$P" -o "$tmp/out1" "$T/hostile_orphan.so" "$tmp"/in1/* >/dev/null 2>"$tmp/err1" &
  sup=$!
  states_reached() { [ -e "$tmp/out1/1-idle" ] && grep -q "sleeping$" "$tmp/err1" && grep -q "spinning$" "$tmp/err1"; }
  if ! wait_for states_reached; then
    fail "orphan: the three workers did not reach idle/asleep/spinning: $(head -c 600 "$tmp/err1")"
  else
    procs=$(descendants "$sup")
    n=$(printf '%s\n' "$procs" | grep -c .)
    # The zygote and its three workers at least.
    [ "$n" -ge 4 ] || fail "orphan: want >= 4 descendants of the supervisor, found $n"
    kill -9 "$sup"; wait "$sup" 2>/dev/null; sup=""
    all_gone() { local l; while read -r l; do [ -n "$l" ] && alive $l && return 1; done <<<"$procs"; return 0; }
    wait_for all_gone || fail "orphan: still running 20 s after kill -9 of the supervisor: $(while read -r l; do alive $l && echo "${l%% *}"; done <<<"$procs" | tr '\n' ' ')"
  fi
}

# --- 2. idle: a forged answer, then CPU with no request in hand
case_idle() {
  P=$(profile idle-cpu "[limits]" "wall_time = 10s" "cpu_time = 1s" "[pool]" "requests_per_worker = 100")
  mkdir -p "$tmp/in2" "$tmp/out2"
  printf wait >"$tmp/in2/1-wait"; printf forge >"$tmp/in2/2-forge"
  "$C" run -j 2 -p "$P" -o "$tmp/out2" "$T/hostile_idle.so" "$tmp"/in2/* >/dev/null 2>"$tmp/err2"
  rc=$?
  pat="^caisson: profile 'idle-cpu': worker [0-9]+ pid [0-9]+: CPU_LIMIT: ran [0-9]+ms of CPU with no request in hand \(at most 10ms allowed while idle\); killed$"
  grep -Eq "$pat" "$tmp/err2" || fail "idle: no idle CPU kill line (rc $rc): $(head -c 600 "$tmp/err2")"
  [ "$rc" -eq 0 ] || fail "idle: exit $rc, want 0 (both answers arrived): $(head -c 600 "$tmp/err2")"
}

# --- 3. tty: escape sequences and forged lines, through every path
case_tty() {
  P=$(profile tty)
  printf error >"$tmp/error"; printf open >"$tmp/open"
  "$C" run -v -p "$P" "$T/hostile_tty.so" "$tmp/show" "$tmp/error" "$tmp/open" >/dev/null 2>"$tmp/err3"
  bad=$(LC_ALL=C tr -d '\n\040-\176' <"$tmp/err3" | wc -c)
  [ "$bad" -eq 0 ] || fail "tty: $bad control or non-ASCII bytes reached stderr: $(od -c "$tmp/err3" | head -20)"
  grep -q '^\[worker [0-9]* pid [0-9]*\] \\x1b\]0;owned\\x07\\x0d\\x1b\[2K\\x9b31m\\xc2\\x9b0mother.png: OK$' "$tmp/err3" ||
    fail "tty: the -v line is not escaped and prefixed: $(cat "$tmp/err3")"
  grep -q '^\[worker [0-9]* pid [0-9]*\] no newline at the end\\x1b$' "$tmp/err3" || fail "tty: the unterminated last line is lost"
  grep -q 'other.png' "$tmp/err3" && grep 'other.png' "$tmp/err3" | grep -Evq '^(\[worker [0-9]+ pid [0-9]+\] |.*/error: PLUGIN_ERROR |.*/open: VIOLATION )' &&
    fail "tty: a forged line passes for the supervisor's: $(grep 'other.png' "$tmp/err3")"
  grep -Eq "/error: PLUGIN_ERROR \?\]0;owned\?\?\?\[2K\?31m\?\?0mother.png: OK$" "$tmp/err3" || fail "tty: error text: $(cat "$tmp/err3")"
  grep -Eq '/open: VIOLATION open(at)?\((AT_FDCWD, )?"\\x1b\]0;owned\\x07' "$tmp/err3" || fail "tty: violation line: $(cat "$tmp/err3")"
}

# --- 4. sigrace: withdrawn notifications are not a dead worker
case_sigrace() {
  P=$(profile sigrace "allow = setitimer" "[limits]" "wall_time = 5s")
  for i in 1 2 3 4 5; do
    "$C" run -p "$P" "$T/hostile_sigrace.so" "$tmp/show" >/dev/null 2>"$tmp/err4"
    rc=$?
    grep -q "show: VIOLATION socket(AF_INET, SOCK_STREAM, 0)$" "$tmp/err4" && [ "$rc" -eq 1 ] ||
      fail "sigrace run $i: exit $rc, want VIOLATION socket(...): $(head -c 400 "$tmp/err4")"
  done
}

# --- 5. runpath: a 0600 library in a 0700 directory named only by RUNPATH
case_runpath() {
  mkdir -p "$tmp/priv" "$tmp/plug/lib" "$tmp/side"
  cc -shared -fPIC -DSECRET_LIB -o "$tmp/priv/libsecret.so" "$S/tests/plugins/hostile_runpath.c" || fail "runpath: cc"
  cp "$tmp/priv/libsecret.so" "$tmp/plug/lib/libsecret.so"; cp "$tmp/priv/libsecret.so" "$tmp/side/libsecret.so"
  chmod 0600 "$tmp/priv/libsecret.so"; chmod 0700 "$tmp/priv"
  build_plugin() { # name runpath
    cc -shared -fPIC -o "$tmp/plug/$1.so" "$S/tests/plugins/hostile_runpath.c" -L"$tmp/side" -lsecret \
       -Wl,--enable-new-dtags,-rpath,"$2" || fail "runpath: cc $1"
}
build_plugin abs "$tmp/priv"
build_plugin origin '$ORIGIN/lib'
build_plugin escape '$ORIGIN/../priv'
P=$(profile runpath)
"$C" run -p "$P" "$tmp/plug/abs.so" "$tmp/show" >"$tmp/out5" 2>"$tmp/err5"; rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err5")" -eq 1 ] &&
  grep -q "^caisson: $tmp/plug/abs.so: DT_RUNPATH entry '$tmp/priv' is not a system library directory, a \[plugin\] library_path of the profile or inside the plugin's directory; refused$" "$tmp/err5" ||
  fail "runpath: absolute entry: exit $rc: $(cat "$tmp/err5")"
grep -q secret "$tmp/out5" && fail "runpath: the secret library's contents came back"
"$C" run -p "$P" "$tmp/plug/escape.so" "$tmp/show" >"$tmp/out5" 2>"$tmp/err5"; rc=$?
[ "$rc" -eq 2 ] && grep -q "DT_RUNPATH entry '\$ORIGIN/../priv' is not a system library directory" "$tmp/err5" ||
  fail "runpath: \$ORIGIN escape: exit $rc: $(cat "$tmp/err5")"
out=$("$C" run -p "$P" "$tmp/plug/origin.so" "$tmp/show" 2>"$tmp/err5")
[ "$out" = "the secret library's contents" ] || fail "runpath: \$ORIGIN/lib inside the plugin's directory: '$out' $(cat "$tmp/err5")"
# The operator adds the directory on purpose: the library loads.
P=$(profile libpath "[plugin]" "library_path = $tmp/priv")
out=$("$C" run -p "$P" "$tmp/plug/abs.so" "$tmp/show" 2>"$tmp/err5")
[ "$out" = "the secret library's contents" ] || fail "runpath: library_path: '$out' $(cat "$tmp/err5")"
# Opened with no more right than the invoking user's: a supervisor with
# root's effective uid for a real uid that cannot read the library (as a
# set-id install would run) refuses it. Only root can start one.
if [ "$(id -u)" -eq 0 ]; then
  chmod 0711 "$tmp"
  setpriv --ruid=65534 "$C" run -p "$P" "$tmp/plug/abs.so" "$tmp/show" >"$tmp/out5" 2>"$tmp/err5"; rc=$?
  [ "$rc" -eq 2 ] &&
    grep -q "^caisson: $tmp/priv/libsecret.so: not readable by the invoking user (uid 65534): Permission denied$" "$tmp/err5" ||
    fail "runpath: real uid 65534, library_path: exit $rc: $(cat "$tmp/err5")"
  chmod 0700 "$tmp"
fi
P=$(profile relpath "[plugin]" "library_path = lib")
"$C" run -p "$P" "$tmp/plug/origin.so" "$tmp/show" >/dev/null 2>"$tmp/err5"; rc=$?
[ "$rc" -eq 2 ] && grep -q "library_path: 'lib' is not an absolute path" "$tmp/err5" ||
  fail "runpath: relative library_path: exit $rc: $(cat "$tmp/err5")"
}

for c in $cases; do
  declare -F "case_$c" >/dev/null || { fail "unknown case $c"; continue; }
  "case_$c"
done
echo "hostile_test: $fails failure(s)"
[ "$fails" -eq 0 ]
