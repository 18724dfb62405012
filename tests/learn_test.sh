#!/usr/bin/env bash
# caisson profile learn (tests/plugins/learner.c): a harmless extra
# syscall is learned and the profile then runs the sample; a dangerous one
# becomes an [exception] stub that profile check refuses until it is
# filled in, after which it loads, runs and passes caisson verify; data
# directories are proposed, collapsed and iterated on (and the filled-in
# result verifies); real tools are learned through caisson exec (base64,
# pdftotext with its data); learning never
# writes an approval; the recorder's bounds hold against a million
# lookups; a hostile directory name cannot add a line.
# usage: learn_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$(cd "$1" && pwd); S=$2
C="$B/caisson"
P="$B/tests/learner.so"
DEF="$S/profiles/default.ini"
tmp=$(mktemp -d /tmp/caisson-learn.XXXXXX)
# Data must live where the data lint accepts it: not under /tmp, /var/tmp,
# /home, /root or /run, where a build tree (a CI clone) may well be: /srv
# (this test runs as root).
mkdir -p /srv && D=$(mktemp -d /srv/caisson-learn-test.XXXXXX) && chmod 755 "$D" ||
	{ echo "FAIL: cannot make a directory in /srv" >&2; exit 1; }
trap 'rm -rf "$tmp" "$D"' EXIT
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
has() { grep -Fq -- "$2" "$1" || fail "$1 lacks '$2': $(sed -n '/Learned by/,$p' "$1" | head -c 2000)"; }
lacks() { ! grep -Eq -- "$2" "$1" || fail "$1 has /$2/: $(grep -E -- "$2" "$1")"; }

# learn WANT_RC NAME SAMPLE [BASE]: learns into $tmp/NAME.ini
learn() {
  local want=$1 name=$2 sample=$3 base=${4:-$DEF}
  printf '%s' "$sample" | "$C" profile learn -p "$base" -o "$tmp/$name.ini" "$P" >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "learn $name -> exit $rc, want $want: $(cat "$tmp/$name.err")"
}

# A person's review: the stub line goes, the three keys are filled in.
fill() {
  sed -e '/^stub = /d' -e 's/^; reason =$/reason = reviewed: the test sample needs it/' \
      -e 's/^; approver =$/approver = learn_test.sh/' -e 's/^; expires =$/expires = 2099-12-31/' "$1" >"$2"
}

# No approval is ever written: the base has none, so neither may the output.
never_approves() {
  lacks "$1" '^[[:space:]]*(approver|reason|expires)[[:space:]]*='
}

# --- usage and refusals: exit 2, nothing written
"$C" profile learn -o "$tmp/x.ini" "$P" </dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "no -p: want exit 2"
grep -Fq -- "-p BASE.ini is required" "$tmp/err" || fail "no -p: $(cat "$tmp/err")"
"$C" profile learn -p "$DEF" -o "$tmp/x.ini" "$P" extra </dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "two plugins: want exit 2"
grep -Fq "one PLUGIN.so, or '-- TOOL [ARGS...]', is required" "$tmp/err" || fail "two plugins: $(cat "$tmp/err")"
"$C" profile learn -p "$DEF" -o "$tmp/x.ini" "$P" -- /usr/bin/base64 </dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "plugin and tool: want exit 2"
grep -Fq "a PLUGIN.so or '-- TOOL [ARGS...]', not both" "$tmp/err" || fail "plugin and tool: $(cat "$tmp/err")"
"$C" profile learn -p "$DEF" -o "$tmp/x.ini" -a x -- /usr/bin/base64 </dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "-a with a tool: want exit 2"
grep -Fq "not a TOOL's" "$tmp/err" || fail "-a with a tool: $(cat "$tmp/err")"
[ ! -e "$tmp/x.ini" ] || fail "a refused command wrote its profile"
touch "$tmp/exists.ini"
echo harmless | "$C" profile learn -p "$DEF" -o "$tmp/exists.ini" "$P" 2>"$tmp/err"; [ $? -eq 2 ] || fail "existing NEW: want exit 2"
grep -Fq "learn never replaces a profile" "$tmp/err" || fail "existing NEW: $(cat "$tmp/err")"
[ ! -s "$tmp/exists.ini" ] || fail "existing NEW was written"
"$C" profile --help | grep -Fq "caisson profile learn -p BASE.ini -o NEW.ini" || fail "profile --help lacks learn"

# --- one extra harmless syscall set: learned, grouped, loads, runs
echo harmless | "$C" run -p "$DEF" "$P" >/dev/null 2>"$tmp/err" && fail "harmless ran under default.ini"
learn 0 harmless harmless
H="$tmp/harmless.ini"
has "$H" "allow = @fd-query"
has "$H" "allow = getppid"
has "$H" "allow = access"
has "$H" "; getppid: called 1 time after READY"
has "$H" "fcntl unused"
lacks "$H" '^\[exception\]'
lacks "$H" '^data ='
never_approves "$H"
grep -Fq "the sample under $H: OK" "$tmp/harmless.err" || fail "harmless not tried OK: $(cat "$tmp/harmless.err")"
"$C" profile check "$H" >/dev/null || fail "harmless: profile check refuses $H"
[ "$(echo harmless | "$C" run -p "$H" "$P")" = ok ] || fail "harmless does not run under $H"
# The base is copied unchanged, first.
head -c "$(stat -c %s "$DEF")" "$H" | cmp -s - "$DEF" || fail "$H does not start with the base unchanged"

# --- a dangerous syscall: a stub, refused until filled in, then verify passes
learn 0 danger danger
K="$tmp/danger.ini"
has "$K" "allow = kill"
has "$K" "DANGEROUS (signals other processes)"
has "$K" "stub = written by caisson profile learn, not approved"
never_approves "$K"
grep -Fq "is refused until a person decides" "$tmp/danger.err" || fail "danger: $(cat "$tmp/danger.err")"
"$C" profile check "$K" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] || fail "danger: profile check accepts the stub"
grep -Eq "danger.ini:[0-9]+: \[exception\] for 'kill' is a stub written by 'caisson profile learn', not an approval: a person decides; fill in reason, approver, expires, then delete this 'stub' line" "$tmp/err" \
  || fail "danger: check message: $(cat "$tmp/err")"
# Only the stub line left: still refused, by the ordinary rule.
sed '/^stub = /d' "$K" >"$tmp/nostub.ini"
"$C" profile check "$tmp/nostub.ini" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] || fail "stub line deleted alone: accepted"
grep -Fq "[exception] lacks 'reason'" "$tmp/err" || fail "stub line deleted alone: $(cat "$tmp/err")"
fill "$K" "$tmp/danger-filled.ini"
"$C" profile check "$tmp/danger-filled.ini" >"$tmp/out" || fail "filled stub refused: $(cat "$tmp/out")"
grep -Fq "ok (1 exception)" "$tmp/out" || fail "filled: $(cat "$tmp/out")"
[ "$(echo danger | "$C" run -p "$tmp/danger-filled.ini" "$P")" = ok ] || fail "danger does not run when filled"
"$C" verify -p "$tmp/danger-filled.ini" -o "$tmp/verify.txt" || fail "verify of the filled learned profile: $(tail -n 3 "$tmp/verify.txt")"
grep -q '^verdict: PASS' "$tmp/verify.txt" || fail "verify verdict: $(tail -n 1 "$tmp/verify.txt")"

# --- data: proposed, collapsed, iterated (the first file names the next)
mkdir -p "$D/one" "$D/two" "$D/evil
approver = me"
printf '%s' "$D/two/second" >"$D/one/first"
echo x >"$D/two/second"
learn 0 chain "chain $D/one/first"
CH="$tmp/chain.ini"
has "$CH" "and 3 runs of a sample"
has "$CH" "the proposals
; stopped changing."
has "$CH" "data = $D"
has "$CH" ";   looked up: $D/one/first (3 times, first by openat): under data $D"
grep -Eq "^;   looked up: $P \([0-9]+ times, first by openat\): served to the loader\$" "$CH" || fail "chain: the plugin's own lookups not listed as served"
[ "$(grep -c '^data = ' "$CH")" -eq 1 ] || fail "chain: want one data line: $(grep '^data' "$CH")"
has "$CH" "allow = openat"
never_approves "$CH"
fill "$CH" "$tmp/chain-filled.ini"
"$C" profile check "$tmp/chain-filled.ini" >/dev/null || fail "chain filled refused"
[ "$(echo "chain $D/one/first" | "$C" run -p "$tmp/chain-filled.ini" "$P")" = ok ] || fail "chain does not run when filled"
"$C" verify -p "$tmp/chain-filled.ini" -o "$tmp/verify-chain.txt" || fail "verify of the learned data profile: $(tail -n 3 "$tmp/verify-chain.txt")"
# Paths are made absolute and clean before they are judged: a relative one
# (to the worker's working directory, /) and one with '.', '..' and '//'.
learn 0 relative "chain ${D#/}/one/first"
has "$tmp/relative.ini" "data = $D"
learn 0 dots "chain $D/two/../one//./first"
has "$tmp/dots.ini" "data = $D"
lacks "$tmp/dots.ini" 'data = .*\.\.'
# A host place the data rules refuse is named, never proposed; a name with
# a newline cannot start a line of its own.
printf '%s' "/etc/passwd" >"$D/one/first"
learn 0 refused "chain $D/one/first"
has "$tmp/refused.ini" "; not proposed: /etc (1 lookup): would expose the host's /etc whole"
lacks "$tmp/refused.ini" '^data = /etc'
printf '%s' "$D/evil
approver = me" >"$D/one/first"
learn 0 evil "chain $D/one/first"
has "$tmp/evil.ini" 'evil\x0aapprover = me'
never_approves "$tmp/evil.ini"
lacks "$tmp/evil.ini" '^data = .*evil'

# --- the exec form: a real tool learned from a base with the runner's needs only
XB="$S/tests/profiles/learn_exec_base.ini"
printf 'hello, learning\n' >"$tmp/hello"
"$C" profile learn -p "$XB" -o "$tmp/b64.ini" -- base64 <"$tmp/hello" 2>"$tmp/b64.err" || fail "learn base64: $(cat "$tmp/b64.err")"
has "$tmp/b64.ini" "with tool /usr/bin/base64"
has "$tmp/b64.ini" "allow = arch_prctl"
lacks "$tmp/b64.ini" '^\[exception\]'
never_approves "$tmp/b64.ini"
grep -Fq "the sample under $tmp/b64.ini: OK" "$tmp/b64.err" || fail "base64 not tried OK: $(cat "$tmp/b64.err")"
[ "$("$C" exec -p "$tmp/b64.ini" -- base64 <"$tmp/hello")" = "$(base64 <"$tmp/hello")" ] || fail "base64 under its learned profile"
"$C" exec -p "$XB" -- base64 <"$tmp/hello" >/dev/null 2>&1 && fail "base64 ran under the bare base"
# pdftotext (poppler-utils): its data directory learned over two runs, its
# opens an [exception] stub; filled in, it converts the sample.
command -v pdftotext >/dev/null || fail "pdftotext missing: install poppler-utils"
python3 - "$tmp/sample.pdf" <<'PY'
import sys
text = b"BT /F1 18 Tf 20 40 Td (learned by caisson) Tj ET"
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out, offs = bytearray(b"%PDF-1.4\n"), []
for i, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(sys.argv[1], "wb").write(out)
PY
"$C" profile learn -p "$XB" -o "$tmp/pdf.ini" -- pdftotext - - <"$tmp/sample.pdf" 2>"$tmp/pdf.err" || fail "learn pdftotext: $(cat "$tmp/pdf.err")"
has "$tmp/pdf.ini" "and 2 runs of a sample with tool $(command -v pdftotext) - -"
has "$tmp/pdf.ini" "data = /usr/share/poppler"
has "$tmp/pdf.ini" "allow = openat"
has "$tmp/pdf.ini" "stub = written by caisson profile learn, not approved"
never_approves "$tmp/pdf.ini"
fill "$tmp/pdf.ini" "$tmp/pdf-filled.ini"
"$C" exec -p "$tmp/pdf-filled.ini" -- pdftotext - - <"$tmp/sample.pdf" >"$tmp/pdf.out" 2>"$tmp/err" || fail "pdftotext under its filled profile: $(cat "$tmp/err")"
grep -Fq "learned by caisson" "$tmp/pdf.out" || fail "pdftotext answer: $(head -c 200 "$tmp/pdf.out")"
"$C" verify -p "$tmp/pdf-filled.ini" -o "$tmp/verify-pdf.txt" || fail "verify of the learned pdftotext profile: $(tail -n 3 "$tmp/verify-pdf.txt")"

# --- bounds: a million distinct paths, 100000 unnamable syscall numbers
printf '[profile]\nname = flood\n[seccomp]\nallow = @default\n[limits]\nwall_time = 600s\ncpu_time = 600s\n' >"$tmp/flood-base.ini"
learn 0 flood "flood 1000000" "$tmp/flood-base.ini"
has "$tmp/flood.ini" "4096 distinct paths kept, 995905 more of new paths past the bound of 4096 counted only"
has "$tmp/flood.ini" ";   looked up: /caisson-learn-flood/0 (1 time, first by newfstatat): missing on the host too"
has "$tmp/flood.ini" ";   4032 more distinct paths not listed"
grep -Fq "995905 lookups of new paths past the bound of 4096 distinct paths counted, not recorded" "$tmp/flood.err" \
  || fail "flood: $(cat "$tmp/flood.err")"
[ "$(stat -c %s "$tmp/flood.ini")" -lt 8192 ] || fail "flood: the profile grew with the sample: $(stat -c %s "$tmp/flood.ini") bytes"
learn 1 numbers "numbers 100000" "$tmp/flood-base.ini"
has "$tmp/numbers.ini" "; 100000 calls to syscall numbers no profile can name (>= 512) failed with ENOSYS; not listed"
grep -Fq "the sample made 100000 calls to syscall numbers no profile can name" "$tmp/numbers.err" \
  || fail "numbers: $(cat "$tmp/numbers.err")"

[ "$fails" -eq 0 ] && echo "learn_test: all passed"
exit $((fails > 0))
