#!/usr/bin/env bash
# caisson serve as PID 1 of its own pid namespace (a container's init,
# made with unshare -pf --mount-proc), as root: it serves; a process of its
# namespace whose parent exits is reparented to it and, once it exits, is
# reaped rather than left a zombie (also a worker's orphans after a
# reload); SIGTERM from outside drains it, exit 0.
# Usage: serve_pid1.sh BUILD SRC
set -u
B=$(cd "$1" && pwd) S=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/caisson-pid1.XXXXXX)
upid=""
cleanup() { [ -n "$upid" ] && kill -KILL "$upid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log:"; cat "$tmp/log" 2>/dev/null; exit 1; }
sock=$tmp/s.sock
cat >"$tmp/serve.ini" <<INI
[server]
socket = $sock
[pool echo]
profile = $S/profiles/echo.ini
plugin = $B/samples/echo.so
workers = 1
INI
unshare -pf --mount-proc "$B/caisson" serve -c "$tmp/serve.ini" 2>"$tmp/log" &
upid=$!
for _ in $(seq 400); do grep -q '"event":"ready"' "$tmp/log" && break; sleep 0.05; done
grep -q '"event":"ready"' "$tmp/log" || fail "the daemon did not start"
dpid=$(pgrep -P "$upid" -x caisson)
[ -n "$dpid" ] || fail "no daemon under unshare"
[ "$(awk '/^NSpid:/ {print $NF}' "/proc/$dpid/status")" = 1 ] || fail "not PID 1: $(grep NSpid "/proc/$dpid/status")"
code=$(curl -s --unix-socket "$sock" -o "$tmp/out" -w '%{http_code}' --data-binary pid1 http://x/v1/pools/echo/run)
[ "$code" = 200 ] && [ "$(cat "$tmp/out")" = pid1 ] || fail "request to the PID-1 daemon: HTTP $code"

children() { tr ' ' '\n' <"/proc/$dpid/task/$dpid/children" | grep .; }
# An orphan: a shell in the namespace starts a sleep and exits at once.
nsenter -t "$dpid" -p -- sh -c 'sleep 1 & exit 0'
orphan=""
for _ in $(seq 200); do
	for c in $(children); do [ "$(cat "/proc/$c/comm" 2>/dev/null)" = sleep ] && orphan=$c; done
	[ -n "$orphan" ] && break
	sleep 0.02
done
[ -n "$orphan" ] || fail "the orphan was not reparented to the daemon"
# Once it exits it must go entirely (a zombie keeps its /proc entry).
for _ in $(seq 400); do [ -e "/proc/$orphan" ] || break; sleep 0.05; done
[ ! -e "/proc/$orphan" ] || fail "orphan $orphan left as $(awk '/^State:/ {print $2}' "/proc/$orphan/status")"
# The pool still serves: its zygote was not taken from it.
code=$(curl -s --unix-socket "$sock" -o "$tmp/out" -w '%{http_code}' --data-binary again http://x/v1/pools/echo/run)
[ "$code" = 200 ] || fail "request after the reaping: HTTP $code"

kill -TERM "$dpid"
wait "$upid"; rc=$?
upid=""
[ $rc = 0 ] || fail "exit $rc after SIGTERM"
grep -q '"event":"exit","detail":"drained"' "$tmp/log" || fail "no drained exit"
echo "serve_pid1: ok (orphan $orphan reaped by the PID-1 daemon $dpid)"
