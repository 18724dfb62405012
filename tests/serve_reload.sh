#!/usr/bin/env bash
# caisson serve's SIGHUP reload, as root, under steady load (serve_load.py:
# 4 clients on two pools, every answer checked byte for byte): a pool
# unchanged is kept, one changed is rebuilt and one removed finishes its
# request in flight (it ends with its own status, not CANCELLED) before it
# is freed, a new one serves at once; a configuration that does not parse,
# or whose pool cannot be built, leaves the running one serving with a log
# line saying why; after six reloads no request was lost or failed, and
# SIGTERM leaves nothing behind (reap_check).
# Usage: serve_reload.sh BUILD SRC SUITE_PIDS
set -u
B=$(cd "$1" && pwd) S=$(cd "$2" && pwd) PIDS=$3
tmp=$(mktemp -d /tmp/caisson-reload.XXXXXX)
dpid="" lpid=""
cleanup() {
	touch "$tmp/stop"
	[ -n "$lpid" ] && wait "$lpid" 2>/dev/null
	[ -n "$dpid" ] && kill -KILL "$dpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log:"; cat "$tmp/log" 2>/dev/null; exit 1; }
sock=$tmp/caisson.sock
C() { curl -s --unix-socket "$sock" "$@"; }
pool() { # NAME PROFILE PLUGIN WORKERS
	printf '[pool %s]\nprofile = %s\nplugin = %s\nworkers = %s\n\n' "$@"
}
config() { # A or B
	printf '[server]\nsocket = %s\nmax_clients = 32\n\n' "$sock"
	pool echo "$S/profiles/echo.ini" "$B/samples/echo.so" 2
	if [ "$1" = A ]; then
		pool changed "$S/profiles/echo.ini" "$B/samples/echo.so" 2
		pool gone "$S/profiles/hostile.ini" "$B/tests/selective.so" 1
	else
		pool changed "$S/profiles/echo.ini" "$B/samples/echo.so" 3
		pool added "$S/profiles/echo.ini" "$B/samples/echo.so" 1
	fi
}
events() { grep -c "\"event\":\"$1\"" "$tmp/log"; }
wait_events() { # EVENT COUNT
	for _ in $(seq 400); do [ "$(events "$1")" -ge "$2" ] && return 0; sleep 0.05; done
	fail "fewer than $2 '$1' events"
}
reload() { # A|B|-: rewrite the configuration (- keeps the file) and SIGHUP
	[ "$1" = - ] || config "$1" >"$tmp/serve.ini"
	kill -HUP "$dpid"
}
code_of() { C -o "$tmp/out" -w '%{http_code}' --data-binary "$2" "http://x/v1/pools/$1/run"; }

config A >"$tmp/serve.ini"
"$B/reap_check" --log "$PIDS" -- "$B/caisson" serve -c "$tmp/serve.ini" 2>"$tmp/log" &
rpid=$!
wait_events ready 1
dpid=$(pgrep -P "$rpid" -x caisson)
[ -n "$dpid" ] || fail "no daemon under reap_check"

python3 "$S/tests/serve_load.py" "$sock" "$tmp/stop" 4 echo changed >"$tmp/load" 2>&1 &
lpid=$!
for _ in $(seq 400); do
	C http://x/metrics | grep -qE '^caisson_requests_total\{pool="changed",status="OK"\} [0-9]{2,}' && break
	sleep 0.05
done
# A request in flight in the pool the reload removes: it hangs until the
# pool's 1 s wall time, and must end with that (TIMEOUT), not CANCELLED.
C -D "$tmp/hh" -o /dev/null -w '%{http_code}' --data-binary hang http://x/v1/pools/gone/run >"$tmp/inflight" &
hpid=$!
for _ in $(seq 200); do
	C http://x/metrics | grep -qE '^caisson_workers\{pool="gone",state="busy"\} 1$' && break
	sleep 0.02
done

reload B
wait_events reload 1
grep '"event":"reload"' "$tmp/log" | grep -q '"3 pools: 1 kept, 2 built, 2 retired' ||
	fail "first reload: $(grep '"event":"reload"' "$tmp/log")"
[ "$(code_of added new)" = 200 ] && [ "$(cat "$tmp/out")" = new ] || fail "the added pool does not serve"
[ "$(code_of gone x)" = 404 ] || fail "the removed pool still takes requests"
wait $hpid
[ "$(cat "$tmp/inflight")" = 502 ] && grep -qi '^Caisson-Status: TIMEOUT' "$tmp/hh" ||
	fail "the removed pool's request in flight: HTTP $(cat "$tmp/inflight") $(cat "$tmp/hh")"
wait_events retired 2
grep '"event":"retired"' "$tmp/log" | grep -q '"detail":"gone"' || fail "the removed pool was not freed"

# A file that does not parse: the running configuration stays.
printf '[server]\nsocket = %s\nbogus = 1\n' "$sock" >"$tmp/serve.ini"
reload -
wait_events reload_failed 1
grep '"event":"reload_failed"' "$tmp/log" | grep -q "serve.ini:3: unknown key 'bogus'" ||
	fail "no reason for the failed reload: $(grep reload_failed "$tmp/log")"
[ "$(code_of added still)" = 200 ] || fail "a failed reload stopped the running pools"
# One that parses but whose new pool cannot be built: nothing of it runs.
{ config B; pool x "$S/profiles/echo.ini" /nonexistent.so 1; } >"$tmp/serve.ini"
reload -
wait_events reload_failed 2
grep '"event":"reload_failed"' "$tmp/log" | tail -1 | grep -q "pool 'x' (line [0-9]*): /nonexistent.so" ||
	fail "no reason for the unbuildable pool: $(grep reload_failed "$tmp/log" | tail -1)"
[ "$(code_of x y)" = 404 ] || fail "a pool of a failed reload takes requests"
[ "$(code_of added still)" = 200 ] || fail "a failed reload stopped the running pools"
# The socket cannot move: refused, and said so.
sed "s|^socket = .*|socket = $tmp/elsewhere.sock|" <(config B) >"$tmp/serve.ini"
reload -
wait_events reload_failed 3
grep '"event":"reload_failed"' "$tmp/log" | tail -1 | grep -q "restart the daemon to move it" ||
	fail "a moved socket: $(grep reload_failed "$tmp/log" | tail -1)"

# Back and forth under the load: five more reloads, each applied.
n=1
for c in A B A B A; do
	reload $c
	n=$((n + 1))
	wait_events reload $n
	sleep 0.2
done
[ "$(code_of gone back)" = 200 ] || fail "a pool added back does not serve"
touch "$tmp/stop"
wait $lpid
lpid=""
grep -q '^ok [0-9]' "$tmp/load" || fail "load across the reloads: $(cat "$tmp/load")"
[ "$(awk '{print $2}' "$tmp/load")" -ge 50 ] || fail "too little load to say anything: $(cat "$tmp/load")"
# echo was never rebuilt: one pool's counters across every reload.
C http://x/v1/pools | jq -e '.pools[] | select(.name == "echo") | .completed > 20' >/dev/null ||
	fail "echo's counters did not survive the reloads: $(C http://x/v1/pools)"

kill -TERM "$dpid"
wait $rpid; rc=$?
dpid=""
[ $rc = 0 ] || fail "daemon (under reap_check) exited $rc: $(grep reap_check "$tmp/log")"
grep -q '^reap_check: ok: ' "$tmp/log" || fail "no verdict from reap_check"
echo "serve_reload: ok ($(cat "$tmp/load") requests across $(events reload) reloads, none lost)"
