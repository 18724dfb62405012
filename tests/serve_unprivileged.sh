#!/usr/bin/env bash
# caisson serve as an unprivileged user (run by as_user.sh as nobody): the
# pools spawn through user namespaces, the daemon's own uid is admitted by
# default, a round trip is exact, and SIGTERM drains: exit 0, the socket
# removed, the zygote and its workers gone. Usage: serve_unprivileged.sh BUILD SRC
set -u
B=$(cd "$1" && pwd) S=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/caisson-serve-unpriv.XXXXXX)
dpid=""
trap '[ -n "$dpid" ] && kill -KILL "$dpid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/log" 2>/dev/null; exit 1; }
[ "$(id -u)" -ne 0 ] || fail "this test is for an unprivileged user (as_user.sh runs it)"
sock=$tmp/s.sock
cat >"$tmp/serve.ini" <<INI
[server]
socket = $sock
[pool echo]
profile = $S/profiles/echo.ini
plugin = $B/samples/echo.so
workers = 2
INI
"$B/caisson" serve -c "$tmp/serve.ini" 2>"$tmp/log" &
dpid=$!
for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || fail "no socket"
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), default 0660"
head -c 5000 /dev/urandom >"$tmp/in"
code=$(curl -s --unix-socket "$sock" -o "$tmp/out" -w '%{http_code}' --data-binary @"$tmp/in" \
	http://x/v1/pools/echo/run)
[ "$code" = 200 ] && cmp -s "$tmp/in" "$tmp/out" || fail "round trip as uid $(id -u): HTTP $code"
grep -q "\"peer_uid\":$(id -u)" "$tmp/log" || fail "no log line with the peer's uid"
procs=$(pgrep -P "$dpid"; for z in $(pgrep -P "$dpid"); do pgrep -P "$z"; done)
[ -n "$procs" ] || fail "no zygote or worker under the daemon"
kill -TERM "$dpid"
wait "$dpid"; rc=$?
dpid=""
[ $rc = 0 ] || fail "exit status $rc after SIGTERM"
[ ! -e "$sock" ] || fail "socket left behind"
for p in $procs; do
	[ -d "/proc/$p" ] && fail "process $p of the daemon outlived it: $(cat /proc/$p/status | head -3)"
done
echo "serve_unprivileged: ok (uid $(id -u); $(echo $procs | wc -w) zygote and worker processes gone)"
