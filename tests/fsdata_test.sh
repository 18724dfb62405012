#!/usr/bin/env bash
# [filesystem] data and scratch end to end (issue 15), with the test plugin
# tests/plugins/fsdata.c under tests/profiles/fsdata.ini: a data file read at
# request time (after READY) gives the host's bytes, and is absent without
# the key; writing or creating there fails; scratch round-trips, fills at
# its cap with ENOSPC, and nothing on it executes; the root shows nothing
# else; a data mount outlives the clearing of the binds in a pool; each lint
# refusal names its reason at its line. Run as root and, through
# as_user.sh, as nobody (user-namespace workers).
# usage: fsdata_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$1; S=$2
C="$B/caisson"
PL="$B/tests/fsdata.so"
P="$S/tests/profiles/fsdata.ini"
DATA=/usr/share/common-licenses/GPL-3
tmp=$(mktemp -d /tmp/caisson-fsdata.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
echo "fsdata_test: running as uid $(id -u)"
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
[ -r "$DATA" ] || { fail "$DATA is missing: the test needs Debian's base-files"; exit 1; }

# ask PROFILE COMMAND EXPECTED_RC STDOUT_REGEX [STDERR_REGEX]
ask() {
  local prof=$1 cmd=$2 want=$3 out=$4 err=${5:-}
  count=$((count + 1))
  printf '%s' "$cmd" | "$C" run -p "$prof" "$PL" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || { fail "'$cmd' under $(basename "$prof"): exit $rc, want $want; $(head -c 300 "$tmp/err")"; return; }
  [ -z "$out" ] || grep -Eq -- "$out" "$tmp/out" || fail "'$cmd': stdout '$(head -c 200 "$tmp/out")' lacks /$out/"
  [ -z "$err" ] || grep -Eq -- "$err" "$tmp/err" || fail "'$cmd': stderr '$(head -c 300 "$tmp/err")' lacks /$err/"
}

# --- data: read at request time, the host's bytes
count=$((count + 1))
printf 'read %s' "$DATA" | "$C" run -p "$P" "$PL" >"$tmp/gpl" 2>"$tmp/err" || fail "read $DATA: $(cat "$tmp/err")"
cmp -s "$tmp/gpl" "$DATA" || fail "read $DATA: $(wc -c <"$tmp/gpl") bytes, not the host's $(wc -c <"$DATA")"
# Without the key the same file is not there.
grep -v '^data = ' "$P" >"$tmp/nodata.ini"
ask "$tmp/nodata.ini" "read $DATA" 1 "" "PLUGIN_ERROR read $DATA: ENOENT"
# Read-only: the file cannot be opened for writing, nothing can be created.
ask "$P" "write $DATA" 0 '^(EROFS|EACCES)$'
ask "$P" "create /usr/share/common-licenses/caisson-new" 0 '^(EROFS|EACCES)$'
[ ! -e /usr/share/common-licenses/caisson-new ] || fail "a file appeared in the host's data directory"
# Nothing of the host beside it: its directory is not listable, nor the root.
ask "$P" "list /usr/share" 0 '^(EACCES|ENOENT)$'
ask "$P" "list /" 0 '^EACCES$'
ask "$P" "read /etc/passwd" 1 "" "read /etc/passwd: ENOENT"

# --- scratch: a round trip, full at its cap, nothing executes there
ask "$P" "scratch 300000" 0 '^ok 300000$'
ask "$P" "fill" 0 '^ENOSPC after 1048576$'
ask "$P" "exec" 0 '^EACCES$'
ask "$P" "mmapx" 1 "" 'VIOLATION mmap\(0x0, 4096, 0x5, '
ask "$P" "list /tmp" 0 ""
[ ! -s "$tmp/out" ] || fail "a fresh worker's scratch holds: $(cat "$tmp/out")"
# Without scratch, /tmp is not there and nothing is writable.
grep -v '^scratch = ' "$P" >"$tmp/noscratch.ini"
ask "$tmp/noscratch.ini" "scratch 10" 0 '^open failed: (ENOENT|EROFS|EACCES)$'

# --- a pool that clears its binds after READY keeps the data and scratch
sed 's|^data = .*|&\nbind_ro = /usr/share/zoneinfo/UTC|' "$P" >"$tmp/bind.ini"
ask "$tmp/bind.ini" "read $DATA" 0 "GNU GENERAL PUBLIC LICENSE"
ask "$tmp/bind.ini" "read /usr/share/zoneinfo/UTC" 1 "" "ENOENT"
ask "$tmp/bind.ini" "scratch 4096" 0 '^ok 4096$'

# --- lint refusals, each at its line, nothing run
lint() { # path-or-key-line, expected message
  local line=$1 msg=$2
  count=$((count + 1))
  printf '[seccomp]\nallow = @default\n[filesystem]\n%s\n' "$line" >"$tmp/l.ini"
  "$C" profile check "$tmp/l.ini" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 1 ] || fail "profile check '$line': exit $rc, want 1"
  grep -Fq -- "$tmp/l.ini:4: $msg" "$tmp/err" || fail "profile check '$line': '$(cat "$tmp/err")' lacks '$msg'"
  "$C" run -p "$tmp/l.ini" "$PL" </dev/null >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] && grep -Fq -- "$tmp/l.ini:4: $msg" "$tmp/err" || fail "run refused '$line' otherwise: $(cat "$tmp/err")"
}
lint "data = /" "data: '/' would expose the whole host filesystem"
lint "data = /etc" "data: '/etc' would expose the host's /etc whole"
lint "data = /proc" "data: '/proc' is /proc, which holds the host's secrets or state"
lint "data = /home" "data: '/home' is /home, which holds the host's secrets or state"
lint "data = /etc/ssl" "data: '/etc/ssl' contains /etc/ssl/private, which holds the host's secrets or state"
lint "data = /usr/share/doc, /etc/shadow" "data: '/etc/shadow' is /etc/shadow, which holds the host's secrets or state"
lint "data = /dev/null" "data: '/dev/null' is a character device, not a directory or regular file"
mkdir -p "$tmp/real" && ln -s real "$tmp/link"
lint "data = $tmp/link" "data: '$tmp/link' is not canonical: it resolves to '$tmp/real'"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/sock"
lint "data = $tmp/sock" "data: '$tmp/sock' is a socket, not a directory or regular file"
mkfifo "$tmp/fifo"
lint "data = $tmp/fifo" "data: '$tmp/fifo' is a FIFO, not a directory or regular file"
lint "data = /usr/share, /usr/share/doc" "data: '/usr/share' overlaps data '/usr/share/doc' (line 4)"
lint "data = /nonexistent/caisson" "data: '/nonexistent/caisson' cannot be resolved (No such file or directory)"
lint "scratch = 512M" "scratch: 536870912 bytes is more than [limits] memory (268435456 bytes)"
lint "scratch = 17G" "scratch: '17G' is out of range (0..16G)"
if [ "$(id -u)" -ne 0 ]; then
  # Root reads everything; an unprivileged caller is refused what it cannot
  # read (libc-bin's cache directory, root's alone on every Debian).
  [ -d /var/cache/ldconfig ] || fail "/var/cache/ldconfig is missing: the test needs libc-bin"
  lint "data = /var/cache/ldconfig" "data: '/var/cache/ldconfig' is not readable by this user (Permission denied)"
fi

echo "fsdata_test: $count cases, $fails failure(s)"
[ "$fails" -eq 0 ]
