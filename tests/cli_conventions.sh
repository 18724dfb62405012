#!/usr/bin/env bash
# The command line's conventions (issue 20): options anywhere and '--',
# whatever POSIXLY_CORRECT says; usage errors as the reason plus one line
# pointing at --help, naming what was wrong; -o DIR created or refused
# before any work; answers that would share a file refused; their extension
# (--ext, [output] extension); binary answers kept off a terminal unless
# -o - asks (a pty from script(1)); INPUT_TOO_LARGE with the real size.
# usage: cli_conventions.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd)
C="$B/caisson"
tmp=$(mktemp -d /tmp/caisson-conv.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
echo "cli_conventions: running as uid $(id -u)"
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# run EXPECTED_RC -- caisson args...: stdout in $tmp/out, stderr in $tmp/err
run() {
  local want=$1; shift 2
  count=$((count + 1))
  "$C" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "caisson $* -> exit $rc, want $want; stderr: $(head -c 600 "$tmp/err")"
}
# err_is LINE...: stderr is exactly these lines
err_is() {
  local want
  want=$(printf '%s\n' "$@")
  [ "$(cat "$tmp/err")" = "$want" ] || fail "stderr is '$(cat "$tmp/err")', want '$want'"
}
# usage_err CMD REASON -- caisson args...: exit 2, the reason and the pointer, nothing else
usage_err() {
  local cmd=$1 reason=$2; shift 2
  run 2 "$@"
  err_is "$reason" "Try 'caisson${cmd:+ $cmd} --help' for more information."
  [ ! -s "$tmp/out" ] || fail "usage error wrote to stdout: $(head -c 200 "$tmp/out")"
}

DEF="$S/profiles/default.ini"
ECHO="$B/samples/echo.so"
mkdir -p "$tmp/in" "$tmp/o"
printf 'one' >"$tmp/in/a.txt"; printf 'two' >"$tmp/in/b.txt"

# --- options anywhere: the README's order (options after the files)
run 0 -- run "$ECHO" "$tmp/in/a.txt" "$tmp/in/b.txt" -p "$DEF" -o "$tmp/o"
[ "$(cat "$tmp/o/a.txt")" = one ] && [ "$(cat "$tmp/o/b.txt")" = two ] || fail "options after files: answers wrong"
[ ! -s "$tmp/out" ] || fail "options after files: answers went to stdout too"
rm -f "$tmp/o"/*
# ... and the same under POSIXLY_CORRECT, which must not change the parsing.
count=$((count + 1))
POSIXLY_CORRECT=1 "$C" run "$ECHO" -p "$DEF" "$tmp/in/a.txt" -o "$tmp/o" </dev/null 2>"$tmp/err" ||
  fail "POSIXLY_CORRECT: exit $?: $(cat "$tmp/err")"
[ "$(cat "$tmp/o/a.txt" 2>/dev/null)" = one ] || fail "POSIXLY_CORRECT: answer not in -o DIR"
rm -f "$tmp/o"/*
# Long forms, mixed with short ones.
run 0 -- run --profile="$DEF" "$ECHO" --output "$tmp/o" --ext out "$tmp/in/a.txt" --jobs 1
[ "$(cat "$tmp/o/a.out" 2>/dev/null)" = one ] || fail "long options: no $tmp/o/a.out"
rm -f "$tmp/o"/*
# '--' ends the options: a file named -o is an input.
printf 'dash' >"$tmp/in/-o"
count=$((count + 1))
out=$(cd "$tmp/in" && "$C" run -p "$DEF" "$ECHO" -- -o 2>"$tmp/err")
[ "$out" = dash ] || fail "'--': file '-o' answered '$out' ($(cat "$tmp/err"))"

# --- usage errors: the reason naming the culprit, then the pointer
usage_err run "caisson run: unknown option '-x'" -- run -p "$DEF" "$ECHO" -x
usage_err run "caisson run: unknown option '-x'" -- run -p "$DEF" "$ECHO" -vx
usage_err run "caisson run: unknown option '--frobnicate'" -- run -p "$DEF" "$ECHO" --frobnicate
usage_err run "caisson run: option '--verbose' takes no argument" -- run -p "$DEF" "$ECHO" --verbose=yes
usage_err run "caisson run: option '-p' needs an argument" -- run "$ECHO" -p
usage_err run "caisson run: option '--output' needs an argument" -- run -p "$DEF" "$ECHO" --output
usage_err run "caisson run: -p PROFILE is required" -- run "$ECHO"
usage_err run "caisson run: PLUGIN.so is required" -- run -p "$DEF"
usage_err run "caisson run: -j wants a number of workers from 1 to 1024, not '0'" -- run -p "$DEF" -j 0 "$ECHO"
usage_err run "caisson run: --ext names the answers' files: it needs -o DIR" -- run -p "$DEF" --ext txt "$ECHO"
usage_err run "caisson run: --ext wants 1 to 16 characters from [A-Za-z0-9_+-], not 'a/b'" -- run -p "$DEF" -e a/b "$ECHO"
usage_err profile "caisson profile: unknown subcommand 'lint' (check, show or exceptions)" -- profile lint "$DEF"
usage_err profile "caisson profile: a subcommand is required (check, show or exceptions)" -- profile
usage_err profile "caisson profile: unknown option '--frob'" -- profile check --frob "$DEF"
usage_err profile "caisson profile: show takes exactly one FILE" -- profile show "$DEF" "$DEF"
usage_err profile "caisson profile: --format takes text or json, not 'xml'" -- profile exceptions "$DEF" --format xml
usage_err verify "caisson verify: unexpected argument 'extra'" -- verify -p "$DEF" extra
usage_err verify "caisson verify: unknown option '--frob'" -- verify --frob -p "$DEF"
usage_err verify "caisson verify: --format wants text, json or oscal, not 'yaml'" -- verify -p "$DEF" --format yaml
usage_err "" "caisson: unknown command 'frobnicate'" -- frobnicate
usage_err "" "caisson: unknown option '--frob'" -- --frob
usage_err "" "caisson: a command is required (run, exec, profile, verify, fuzz or serve)" --
# Options after the subcommand's files work for profile too.
run 0 -- profile exceptions "$DEF" --format json
[ "$(cat "$tmp/out")" = "[]" ] || fail "profile exceptions FILE --format json: '$(cat "$tmp/out")'"
# --help anywhere prints the help on stdout, exit 0, and names every option.
run 0 -- run "$ECHO" --help
for opt in "-p, --profile" "-j, --jobs" "-o, --output DIR" "-o -, --output -" "-e, --ext" "-a, --arg" "-v, --verbose"; do
  grep -qF -- "$opt" "$tmp/out" || fail "run --help lacks '$opt'"
done

# --- -o DIR: created when missing (and said), after the configuration is
#     accepted and before any worker starts; a missing parent is an error
run 0 -- run -p "$DEF" "$ECHO" "$tmp/in/a.txt" -o "$tmp/new"
err_is "caisson run: created the output directory '$tmp/new'"
[ "$(cat "$tmp/new/a.txt" 2>/dev/null)" = one ] || fail "-o new DIR: no answer in it"
run 2 -- run -p "$DEF" "$ECHO" "$tmp/in/a.txt" -o "$tmp/missing/out"
err_is "caisson run: output directory '$tmp/missing/out': cannot create it: No such file or directory"
[ ! -e "$tmp/missing" ] || fail "-o DIR with a missing parent: the parent was created"
run 2 -- run -p "$DEF" "$tmp/no-such-plugin.so" "$tmp/in/a.txt" -o "$tmp/new2"
err_is "caisson: $tmp/no-such-plugin.so: No such file or directory"
[ ! -e "$tmp/new2" ] || fail "-o DIR was created for a run refused at configuration"
run 2 -- run -p "$DEF" "$ECHO" "$tmp/in/a.txt" -o "$tmp/in/a.txt"
err_is "caisson run: output directory '$tmp/in/a.txt': Not a directory"

# --- two answers for one file: refused before running, both named
mkdir -p "$tmp/in/sub"; printf 'three' >"$tmp/in/sub/a.txt"
run 2 -- run -p "$DEF" "$ECHO" "$tmp/in/a.txt" "$tmp/in/b.txt" "$tmp/in/sub/a.txt" -o "$tmp/o"
err_is "caisson run: $tmp/in/a.txt and $tmp/in/sub/a.txt would both be written to $tmp/o/a.txt; nothing was run"
[ -z "$(ls -A "$tmp/o")" ] || fail "duplicate names: something was written: $(ls "$tmp/o")"
# ... also when only the new extension makes them collide.
printf 'four' >"$tmp/in/a.dat"
run 2 -- run -p "$DEF" "$ECHO" "$tmp/in/a.dat" "$tmp/in/a.txt" -o "$tmp/o" -e bin
err_is "caisson run: $tmp/in/a.dat and $tmp/in/a.txt would both be written to $tmp/o/a.bin; nothing was run"
# Without -o, the same names are fine (answers go to stdout in order).
run 0 -- run -p "$DEF" "$ECHO" "$tmp/in/a.txt" "$tmp/in/sub/a.txt"
[ "$(cat "$tmp/out")" = onethree ] || fail "same names to stdout: '$(cat "$tmp/out")'"

# --- the answer's extension: the profile names it, --ext overrides it
printf '%s\n' "[seccomp]" "allow = @default" "[output]" "extension = out" >"$tmp/ext.ini"
run 0 -- run -p "$tmp/ext.ini" "$ECHO" "$tmp/in/a.txt" -o "$tmp/o"
[ "$(cat "$tmp/o/a.out" 2>/dev/null)" = one ] && [ ! -e "$tmp/o/a.txt" ] || fail "[output] extension: $(ls "$tmp/o")"
rm -f "$tmp/o"/*
run 0 -- run -p "$tmp/ext.ini" "$ECHO" "$tmp/in/a.txt" -o "$tmp/o" --ext .ppm
[ "$(cat "$tmp/o/a.ppm" 2>/dev/null)" = one ] && [ -z "$(ls "$tmp/o" | grep -v '^a.ppm$')" ] ||
  fail "--ext over the profile: $(ls "$tmp/o")"
rm -f "$tmp/o"/*
printf '%s\n' "[seccomp]" "allow = @default" "[output]" "extension = a.b" >"$tmp/badext.ini"
run 2 -- run -p "$tmp/badext.ini" "$ECHO" "$tmp/in/a.txt"
err_is "caisson: $tmp/badext.ini:4: extension: expected 1 to 16 characters from [A-Za-z0-9_+-], without the dot"
# The shipped png profile names its PPM answers .ppm.
run 0 -- run -p "$S/profiles/png.ini" "$B/samples/png.so" "$S/samples/data/gradient-64.png" -o "$tmp/o"
[ "$(head -c 2 "$tmp/o/gradient-64.ppm" 2>/dev/null)" = P6 ] || fail "png.ini: no gradient-64.ppm: $(ls "$tmp/o")"
rm -f "$tmp/o"/*

# --- binary answers and terminals (script(1) gives caisson a pty)
printf 'a\0b' >"$tmp/in/nul.bin"
printf 'title\033]0;pwned\007' >"$tmp/in/esc.txt"
printf 'caf\xc3\xa9\tok\r\n' >"$tmp/in/utf8.txt"
printf '\xff\xfe' >"$tmp/in/bad-utf8.txt"
# on_tty NAME ARGS...: runs caisson on a pty; its output in $tmp/NAME.tty, stderr in $tmp/err
on_tty() {
  local name=$1; shift
  local cmd
  cmd=$(printf '%q ' "$C" "$@")
  count=$((count + 1))
  script -qec "$cmd 2>$(printf '%q' "$tmp/err")" /dev/null </dev/null >"$tmp/$name.tty"
}
for f in nul.bin esc.txt bad-utf8.txt; do
  on_tty "$f" run -p "$DEF" "$ECHO" "$tmp/in/$f"
  rc=$?
  [ $rc -eq 1 ] || fail "binary $f to a terminal: exit $rc, want 1"
  [ ! -s "$tmp/$f.tty" ] || fail "binary $f reached the terminal: $(od -c "$tmp/$f.tty" | head -3)"
  size=$(wc -c <"$tmp/in/$f")
  err_is "caisson: $tmp/in/$f: binary answer ($size bytes) not written to the terminal; use -o - to write it to the terminal anyway, or -o DIR to save it"
done
on_tty utf8 run -p "$DEF" "$ECHO" "$tmp/in/utf8.txt"
rc=$?
[ $rc -eq 0 ] && grep -q "café" "$tmp/utf8.tty" || fail "UTF-8 text to a terminal: exit $rc, '$(cat "$tmp/utf8.tty")'"
on_tty forced run -p "$DEF" "$ECHO" "$tmp/in/nul.bin" -o -
rc=$?
[ $rc -eq 0 ] && cmp -s "$tmp/forced.tty" "$tmp/in/nul.bin" || fail "-o - to a terminal: exit $rc, $(od -c "$tmp/forced.tty" | head -2)"
# Not a terminal: binary answers go out unchanged.
run 0 -- run -p "$DEF" "$ECHO" "$tmp/in/nul.bin"
cmp -s "$tmp/out" "$tmp/in/nul.bin" || fail "binary answer to a pipe changed"

# --- INPUT_TOO_LARGE says the real size (a sparse 500 MB file, never read),
#     or "at least" for a stream
printf '%s\n' "[seccomp]" "allow = @default" "[limits]" "input = 1K" >"$tmp/small.ini"
truncate -s 500M "$tmp/in/huge.bin"
run 1 -- run -p "$tmp/small.ini" "$ECHO" "$tmp/in/huge.bin" "$tmp/in/a.txt"
err_is "$tmp/in/huge.bin: INPUT_TOO_LARGE 524288000 bytes > limit 1024"
[ "$(cat "$tmp/out")" = one ] || fail "the input after a too large one: '$(cat "$tmp/out")'"
count=$((count + 1))
head -c 5000 /dev/zero | "$C" run -p "$tmp/small.ini" "$ECHO" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "stream too large: exit $rc"
err_is "<stdin>: INPUT_TOO_LARGE at least 1025 bytes > limit 1024"

echo "cli_conventions: $count cases, $fails failure(s)"
[ "$fails" -eq 0 ]
