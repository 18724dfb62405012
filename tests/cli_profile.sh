#!/usr/bin/env bash
# The `caisson profile` contract: check (lint, exact FILE:LINE, exit codes),
# show (effective policy, origins, rules, digest) and exceptions (register
# as text and JSON, days left against CAISSON_TODAY). Also run on every
# shipped profile by the profile_check_shipped test.
# usage: cli_profile.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$1; S=$2
C="$B/caisson"
tmp=$(mktemp -d /tmp/caisson-cliprof.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0

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
out_has() { grep -Fq -- "$1" "$tmp/out" || fail "stdout lacks '$1': $(head -c 800 "$tmp/out")"; }
out_lines() { [ "$(wc -l <"$tmp/out")" -eq "$1" ] || fail "want $1 stdout lines, got: $(cat "$tmp/out")"; }
err_lines() { [ "$(wc -l <"$tmp/err")" -eq "$1" ] || fail "want $1 stderr lines, got: $(cat "$tmp/err")"; }

T="$S/tests/profiles"
W="$T/weak_network.ini"
export CAISSON_TODAY=2099-12-01

# --- usage: exit 2
run 0 "" -- profile --help
out_has "caisson profile exceptions [--format text|json] FILE..."
run 2 "a subcommand is required" -- profile
run 2 "unknown subcommand" -- profile lint "$W"
run 2 "FILE is required" -- profile check
run 2 "show takes exactly one FILE" -- profile show "$W" "$W"
run 2 "--format takes text or json" -- profile exceptions --format xml "$W"
run 2 "--format applies to 'exceptions' only" -- profile check --format json "$W"
CAISSON_TODAY=2099-02-30 run 2 "CAISSON_TODAY='2099-02-30' is not a date" -- profile check "$W"
run 0 "" -- --help
out_has "profile"

# --- check: each refusal one line with its exact FILE:LINE, exit 1
run 1 "" -- profile check "$T/bad_dangerous.ini" "$T/bad_exc_expired.ini" "$T/bad_exc_date.ini" \
  "$T/bad_exc_no_approver.ini" "$T/bad_exc_stale.ini" "$T/bad_exc_namespace.ini" "$W"
err_lines 6
grep -Fxq "$T/bad_dangerous.ini:4: allow: syscall 'execve' is dangerous (replaces the process image) and needs an [exception] (allow = execve, reason, approver, expires)" "$tmp/err" || fail "bad_dangerous: $(cat "$tmp/err")"
grep -Fq "$T/bad_exc_expired.ini:9: expires: [exception] for 'ptrace' expired on 2000-12-31" "$tmp/err" || fail "bad_exc_expired: $(cat "$tmp/err")"
grep -Fq "$T/bad_exc_date.ini:9: expires: '2026-02-30' is not a date" "$tmp/err" || fail "bad_exc_date"
grep -Fq "$T/bad_exc_no_approver.ini:6: [exception] lacks 'approver'" "$tmp/err" || fail "bad_exc_no_approver"
grep -Fq "$T/bad_exc_stale.ini:6: allow: [exception] for 'ptrace' covers nothing" "$tmp/err" || fail "bad_exc_stale"
grep -Fq "$T/bad_exc_namespace.ini:7: allow: 'namespace:network': this version cannot turn a namespace off" "$tmp/err" || fail "bad_exc_namespace"
out_lines 1
out_has "$W: ok (1 exception)"
run 0 "" -- profile check "$W" "$S/profiles/default.ini"
out_has "$S/profiles/default.ini: ok (0 exceptions)"
# Expiry is judged against today: the last day is valid, the next is not.
CAISSON_TODAY=2099-12-31 run 0 "" -- profile check "$W"
CAISSON_TODAY=2100-01-01 run 1 "^$W:34: expires: \[exception\] for '@network' expired on 2099-12-31 \(approved by Security Review <security@example.org>\); renew or remove it$" -- profile check "$W"
# Without CAISSON_TODAY, the real clock: 2000-12-31 is long past.
env -u CAISSON_TODAY "$C" profile check "$T/bad_exc_expired.ini" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "expired on 2000-12-31" "$tmp/err" || fail "real clock: expired exception accepted"
count=$((count + 1))
run 1 "No such file or directory" -- profile check "$tmp/missing.ini"

# --- show: effective policy
run 0 "" -- profile show "$W"
out_has "profile:     weak_network ($W)"
out_has "namespaces:  user=on pid=on mount=on network=on ipc=on uts=on cgroup=on"
out_has "limits:      wall_time 5s, cpu_time 5s, memory 256M, output 16M, input 16M, open_files 16"
# capability names come from libcap, for the running kernel (cap_chown is 0)
grep -Eq '^capabilities: none of the [0-9]+ this kernel knows \(cap_chown \.\. cap_[a-z_]+\), in every set' "$tmp/out" ||
  fail "show: capabilities line: $(grep -i cap "$tmp/out")"
grep -Eq '^  socket +line 20 via @network$' "$tmp/out" || fail "show: socket origin: $(cat "$tmp/out")"
grep -Eq '^  read +line 18 via @default$' "$tmp/out" || fail "show: read origin"
grep -Eq '^  mmap +line 18 via @default +only when \(arg2 & PROT_EXEC\) == 0$' "$tmp/out" || fail "show: mmap rule"
grep -Eq '^  openat +policy.s @loader$' "$tmp/out" || fail "show: init-only openat"
grep -Eq '^landlock: +auto; ABI [1-9][0-9]* \(kernel [0-9]+\); enforced: fs denied unless granted: execute write_file read_file .*; read allowed beneath the binds and data only$' "$tmp/out" ||
  fail "show: landlock line: $(grep '^landlock' "$tmp/out")"
out_has "run syscalls (45)"
out_has "dangerous syscalls of @network; reason: Test fixture"
out_has "expires 2099-12-31 (30 days left)"
grep -Eq '^filter: +[0-9]+ BPF instructions, sha256 [0-9a-f]{64}$' "$tmp/out" || fail "show: digest line"
d1=$(grep '^filter:' "$tmp/out")
run 0 "" -- profile show "$T/good_full.ini"
grep -Eq '^  getppid +line 23$' "$tmp/out" || fail "show: getppid named alone"
grep -Eq '^  fcntl +line 22 via @fd-query +only when arg1 is F_GETFD or F_GETFL$' "$tmp/out" || fail "show: fcntl rule"
grep -Eq '^  uname +line 24$' "$tmp/out" || fail "show: init_allow origin"
out_has "  /usr/share/zoneinfo/UTC (read-only, noexec)"
out_has "limits:      wall_time 1500ms, cpu_time 2min, memory 1G, output 512K, input 1, open_files 4"
# A run set that allows the open family keeps the loader's opens notified.
run 0 "" -- profile show "$T/widen.ini"
out_has "landlock:    required; ABI "
grep -Eq '^  openat +line [0-9]+ +notified: served to the loader until READY, then continued$' "$tmp/out" ||
  fail "show: run-set openat: $(grep openat "$tmp/out")"
# Argument rules: shown per syscall; each exception names its rule.
run 0 "" -- profile show "$T/argrules.ini"
grep -Eq '^  socket +line 11 +only when arg0 is AF_UNIX$' "$tmp/out" || fail "show: socket rule: $(grep socket "$tmp/out")"
grep -Eq '^  clone +line 12 +threads only: arg0 has CLONE_VM\|FS\|FILES\|SIGHAND\|THREAD, no CLONE_NEW\*$' "$tmp/out" ||
  fail "show: clone rule"
grep -Eq '^  prctl +line 13 +only when arg0 is PR_SET_NAME or PR_GET_NAME$' "$tmp/out" || fail "show: prctl rule"
out_has "argrules: syscall prctl(PR_SET_NAME|PR_GET_NAME|PR_SET_VMA); reason: Test fixture: naming threads"
[ "$(grep '^filter:' "$tmp/out")" != "$d1" ] || fail "show: two policies, one digest"
run 1 "^$T/bad_dangerous.ini:4: " -- profile show "$T/bad_dangerous.ini"
[ ! -s "$tmp/out" ] || fail "show printed a refused profile"

# --- exceptions: the register
run 0 "" -- profile exceptions "$W" "$S/profiles/default.ini"
out_has "$W:30: weak_network: dangerous syscalls of @network; reason: Test fixture: shows what caisson verify reports for a profile that may open sockets; approver: Security Review <security@example.org>; expires 2099-12-31 (30 days left)"
out_has "$S/profiles/default.ini: no exceptions"
# JSON with strings that need escaping: quotes, backslash, UTF-8.
cat >"$tmp/q.ini" <<'INI'
[profile]
name = quoted
[seccomp]
allow = @default socket ptrace
[exception]
allow = socket
reason = says "hi" to C:\resolver
approver = Zoë <z@example.org>
expires = 2099-12-02
[exception]
allow = ptrace
reason = debugger
approver = b
expires = 2099-12-01
INI
run 0 "" -- profile exceptions --format json "$W" "$tmp/q.ini"
python3 - "$tmp/out" "$tmp/q.ini" "$W" <<'PY' || fail "exceptions JSON: $(cat "$tmp/out")"
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(a) == 3, a
assert a[0] == {"file": sys.argv[3], "profile": "weak_network", "allow": "@network",
                "relaxes": "dangerous syscalls of @network",
                "reason": "Test fixture: shows what caisson verify reports for a profile that may open sockets",
                "approver": "Security Review <security@example.org>", "expires": "2099-12-31",
                "line": 30, "days_left": 30}, a[0]
assert a[1]["reason"] == 'says "hi" to C:\\resolver' and a[1]["approver"] == "Zoë <z@example.org>", a[1]
assert a[1]["days_left"] == 1 and a[1]["relaxes"] == "syscall socket" and a[1]["file"] == sys.argv[2]
assert a[2]["days_left"] == 0 and a[2]["line"] == 10 and a[2]["allow"] == "ptrace", a[2]
PY
count=$((count + 1))
run 0 "" -- profile exceptions --format json "$S/profiles/default.ini"
[ "$(tr -d ' \n' <"$tmp/out")" = "[]" ] || fail "empty register is not []: $(cat "$tmp/out")"
run 1 "^$T/bad_exc_stale.ini:6: " -- profile exceptions --format json "$T/bad_exc_stale.ini" "$W"
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 1' "$tmp/out" || fail "JSON with a refused file"
count=$((count + 1))

echo "cli_profile: $count cases, $fails failure(s)"
[ "$fails" -eq 0 ]
