#!/usr/bin/env bash
# caisson serve over its UNIX socket with curl, as root, with two pools
# (echo, and the fault-injecting selective plugin under the hostile
# profile): answers and their statuses and headers, hostile requests
# (wrong method, unknown pool, body over the limit, huge headers, a client
# that never finishes its body, an unauthorised uid), the status endpoints,
# the JSON log, and a SIGTERM drain with a request in flight that leaves
# no socket, process or cgroup directory behind (reap_check).
# Usage: serve_test.sh BUILD SRC SUITE_PIDS (reap_check's --log record)
set -u
B=$(cd "$1" && pwd) S=$(cd "$2" && pwd) PIDS=$3
tmp=$(mktemp -d /tmp/caisson-serve.XXXXXX)
chmod 755 "$tmp" # nobody must reach the socket for the 403 case
dpid=""
cleanup() { [ -n "$dpid" ] && kill -KILL "$dpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log:"; cat "$tmp/log" 2>/dev/null; exit 1; }
sock=$tmp/caisson.sock
C() { curl -s --unix-socket "$sock" "$@"; }

cat >"$tmp/serve.ini" <<INI
; the test's daemon
[server]
socket = $sock
socket_mode = 0666
max_body = 64K
max_clients = 16
client_timeout = 2s

[pool echo]
profile = $S/profiles/echo.ini
plugin = $B/samples/echo.so
workers = 2

[pool.hostile]
profile = $S/profiles/hostile.ini
plugin = $B/tests/selective.so
workers = 2

; per-request arguments ([args] page, format, name): tests/plugins/args.c
[pool args]
profile = $S/tests/profiles/args.ini
plugin = $B/tests/args.so
workers = 2

; one worker and queue 0: room for one request running and one waiting
; (the pool's bound is queue + max_workers), the third is OVERLOADED
[pool tight]
profile = tight.ini
plugin = $B/tests/selective.so
workers = 1
INI
{ cat "$S/profiles/hostile.ini"; printf '\n[pool]\nqueue = 0\n'; } >"$tmp/tight.ini"

# Configuration errors: refused at FILE:LINE, exit 2, nothing created.
printf '[server]\nsocket = %s\nsocket = %s\n' "$sock" "$sock" >"$tmp/dup.ini"
out=$("$B/caisson" serve -c "$tmp/dup.ini" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "dup.ini:3: duplicate key 'socket'" || fail "duplicate key: rc $rc: $out"
printf '[server]\nsocket = %s\nbogus = 1\n' "$sock" >"$tmp/unk.ini"
out=$("$B/caisson" serve -c "$tmp/unk.ini" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "unk.ini:3: unknown key 'bogus'" || fail "unknown key: rc $rc: $out"
printf '[server]\nsocket = %s\n[pool Bad!]\n' "$sock" >"$tmp/name.ini"
out=$("$B/caisson" serve -c "$tmp/name.ini" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "name.ini:3: pool name" || fail "bad pool name: rc $rc: $out"
printf '[server]\nsocket = %s\n[pool x]\nprofile = %s/profiles/echo.ini\nplugin = /nonexistent.so\n' \
	"$sock" "$S" >"$tmp/plug.ini"
out=$("$B/caisson" serve -c "$tmp/plug.ini" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "pool 'x' (line 3)" || fail "missing plugin: rc $rc: $out"
[ ! -e "$sock" ] || fail "a refused configuration left a socket"
# What is at the socket's path: a regular file is never replaced; a stale
# socket (nobody listening) is.
touch "$sock"
out=$("$B/caisson" serve -c "$tmp/serve.ini" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "exists and is not a socket" || fail "file at the socket path: rc $rc: $out"
rm -f "$sock"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
[ -S "$sock" ] || fail "could not make a stale socket"

# Under reap_check (a child subreaper): whatever the daemon leaves behind,
# a process or a cgroup directory, fails the test.
"$B/reap_check" --log "$PIDS" -- "$B/caisson" serve -c "$tmp/serve.ini" 2>"$tmp/log" &
rpid=$!
# (The stale socket is already there: wait for the daemon's "ready".)
for _ in $(seq 400); do grep -q '"event":"ready"' "$tmp/log" && break; sleep 0.05; done
grep -q '"event":"ready"' "$tmp/log" || fail "the daemon did not start"
[ -S "$sock" ] || fail "the daemon did not create its socket"
dpid=$(pgrep -P "$rpid" -x caisson)
[ -n "$dpid" ] || fail "no daemon under reap_check"
[ "$(stat -c %a "$sock")" = 666 ] || fail "socket mode $(stat -c %a "$sock"), configured 0666"
# A second daemon on the same socket is refused; the first keeps it.
out=$("$B/caisson" serve -c "$tmp/serve.ini" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "another daemon is listening there" || fail "second daemon: rc $rc: $out"
[ "$(C http://x/healthz)" = ok ] || fail "the first daemon lost its socket to the second"

# OK: the exact bytes back, 200, Caisson-Status OK.
head -c 40000 /dev/urandom >"$tmp/in"
code=$(C -D "$tmp/h" -o "$tmp/out" -w '%{http_code}' --data-binary @"$tmp/in" http://x/v1/pools/echo/run)
[ "$code" = 200 ] || fail "echo: HTTP $code"
cmp -s "$tmp/in" "$tmp/out" || fail "echo: the answer differs from the input"
grep -qi '^Caisson-Status: OK' "$tmp/h" || fail "echo: no Caisson-Status OK: $(cat "$tmp/h")"
grep -qi '^Caisson-Request-Id: [0-9]' "$tmp/h" || fail "echo: no request id"

# Plugin and worker faults: status, headers, and the pool keeps serving.
expect() { # POOL INPUT HTTP STATUS DETAIL-REGEX
	code=$(printf '%s' "$2" | C -D "$tmp/h" -o "$tmp/out" -w '%{http_code}' --data-binary @- \
		"http://x/v1/pools/$1/run")
	[ "$code" = "$3" ] || fail "$2: HTTP $code, expected $3"
	grep -qi "^Caisson-Status: $4"$'\r'"\$" "$tmp/h" || fail "$2: headers: $(cat "$tmp/h")"
	grep -qiE "^Caisson-Detail: $5" "$tmp/h" || fail "$2: detail: $(cat "$tmp/h")"
}
expect hostile fail 422 PLUGIN_ERROR 'refused: input says fail'
expect hostile segv 502 CRASHED 'SIGSEGV'
expect hostile open 502 VIOLATION 'openat'
expect hostile hang 502 TIMEOUT '.'
code=$(C -o "$tmp/out" -w '%{http_code}' --data-binary again http://x/v1/pools/hostile/run)
[ "$code" = 200 ] && [ "$(cat "$tmp/out")" = again ] || fail "hostile pool after its faults: HTTP $code"

# A full pool: one request running, one waiting, the next refused at once.
# Step by step (a request waiting for a worker being spawned counts as
# waiting): a warm worker first, then one hang, then the second.
tight_wait() { # REGEX...: until /metrics matches every one
	for _ in $(seq 250); do
		C http://x/metrics >"$tmp/m"
		local ok=1
		for re in "$@"; do grep -qE "^$re" "$tmp/m" || ok=0; done
		[ $ok = 1 ] && return 0
		sleep 0.02
	done
	fail "/metrics never showed $*"
}
code=$(C -o /dev/null -w '%{http_code}' --data-binary warm http://x/v1/pools/tight/run)
[ "$code" = 200 ] || fail "warming the tight pool: HTTP $code"
C -o /dev/null -w '%{http_code}' --data-binary hang http://x/v1/pools/tight/run >"$tmp/tight1" &
t1=$!
tight_wait 'caisson_workers\{pool="tight",state="busy"\} 1$'
C -o /dev/null -w '%{http_code}' --data-binary hang http://x/v1/pools/tight/run >"$tmp/tight2" &
t2=$!
tight_wait 'caisson_queue_depth\{pool="tight"\} 1$'
expect tight more 429 OVERLOADED 'queue full'
wait $t1 $t2
[ "$(cat "$tmp/tight1") $(cat "$tmp/tight2")" = "502 502" ] || fail "the tight pool's two: $(cat "$tmp/tight1" "$tmp/tight2")"

# Refusals by the daemon.
code=$(C -D "$tmp/h" -o /dev/null -w '%{http_code}' --data-binary x http://x/v1/pools/nope/run)
[ "$code" = 404 ] || fail "unknown pool: HTTP $code"
code=$(C -D "$tmp/h" -o /dev/null -w '%{http_code}' http://x/v1/pools/echo/run)
[ "$code" = 405 ] && grep -qi '^Allow: POST' "$tmp/h" || fail "GET on run: HTTP $code"
code=$(C -o /dev/null -w '%{http_code}' -X DELETE http://x/metrics)
[ "$code" = 405 ] || fail "DELETE /metrics: HTTP $code"

# Per-request arguments in the query: given to the plugin when they fit the
# profile's [args]; every hostile set refused 400 BAD_ARGS with its reason,
# before any worker (the log line's worker_pid is null).
argq() { # POOL QUERY HTTP STATUS DETAIL (a fixed string; "" for none)
	code=$(printf 'page\nformat\nname\n' | C -D "$tmp/h" -o "$tmp/out" -w '%{http_code}' --data-binary @- \
		"http://x/v1/pools/$1/run?$2")
	[ "$code" = "$3" ] || fail "?$2: HTTP $code, expected $3"
	grep -qi "^Caisson-Status: $4"$'\r'"\$" "$tmp/h" || fail "?$2: headers: $(cat "$tmp/h")"
	[ -z "$5" ] || grep -qiF "Caisson-Detail: $5"$'\r' "$tmp/h" || fail "?$2: detail: $(cat "$tmp/h")"
	[ "$4" = OK ] && return
	rid=$(sed -n 's/^Caisson-Request-Id: \([0-9]*\).*/\1/ip' "$tmp/h")
	for _ in $(seq 100); do grep -q "\"request_id\":$rid," "$tmp/log" && break; sleep 0.02; done
	grep "\"request_id\":$rid," "$tmp/log" | grep -q '"worker_pid":null' ||
		fail "?$2: a worker saw it: $(grep "\"request_id\":$rid," "$tmp/log")"
}
argq args 'page=7&format=png&name=a%2Bb.c' 200 OK ''
[ "$(cat "$tmp/out")" = "$(printf 'page=7\nformat=png\nname=a+b.c')" ] || fail "args: answer $(cat "$tmp/out")"
argq args '' 200 OK ''
[ "$(cat "$tmp/out")" = "$(printf 'page unset\nformat unset\nname unset')" ] || fail "no args: $(cat "$tmp/out")"
argq echo 'width=3' 400 BAD_ARGS "unknown argument 'width' (the profile declares none)"
argq args 'name=a%00b' 400 BAD_ARGS "argument 'name': value 'a?b' holds a NUL byte"
argq args 'na%00me=x' 400 BAD_ARGS "argument name 'na?me' holds a NUL byte"
argq args 'size=1' 400 BAD_ARGS "unknown argument 'size' (the profile declares page, format, name)"
k40=$(printf 'k%.0s' $(seq 40))
argq args "$k40=1" 400 BAD_ARGS "argument name of 40 bytes > limit 32 ('$k40')"
argq args "name=$(printf 'v%.0s' $(seq 300))" 400 BAD_ARGS "argument 'name': value of 300 bytes > limit 256"
argq args 'name=a%3Brm%20-rf%20%2F' 400 BAD_ARGS \
	"argument 'name': 'a;rm -rf /' has a character outside [A-Za-z0-9._+-] (word 64)"
argq args 'name=%60id%60%7C%24(x)' 400 BAD_ARGS \
	"argument 'name': '\`id\`|\$(x)' has a character outside [A-Za-z0-9._+-] (word 64)"
argq args 'name=-rf' 400 BAD_ARGS "argument 'name': '-rf' starts with '-' (word 64)"
argq args 'page=0' 400 BAD_ARGS "argument 'page': '0' is out of range (int 1..9999)"
argq args 'format=gif' 400 BAD_ARGS "argument 'format': 'gif' is not one of the members (enum png,jpeg,tiff)"
argq args "$(for i in $(seq 17); do printf 'page=1&'; done)" 400 BAD_ARGS "17 arguments > limit 16"
argq args 'page=1&page=2' 400 BAD_ARGS "argument 'page' given twice"
argq args 'page' 400 BAD_ARGS "query piece 'page' is not KEY=VALUE"
argq args 'page=%zz' 400 BAD_ARGS "malformed percent-encoding in query piece 'page=%zz'"
head -c $((64 * 1024 + 1)) /dev/zero >"$tmp/big"
code=$(C -o /dev/null -w '%{http_code}' --data-binary @"$tmp/big" http://x/v1/pools/echo/run)
[ "$code" = 413 ] || fail "body over max_body: HTTP $code"
code=$(C -o /dev/null -w '%{http_code}' -H "X-Huge: $(head -c 20000 /dev/zero | tr '\0' a)" http://x/healthz)
case $code in 4??) ;; *) fail "20 KB of headers: HTTP $code" ;; esac

# A client that never finishes its body is dropped after client_timeout,
# while other clients are served meanwhile.
python3 - "$sock" >"$tmp/slow" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /v1/pools/echo/run HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
s.settimeout(60)
data = s.recv(4096)
while data and not data.endswith(b"\r\n\r\n") and b"\r\n\r\n" not in data:
    more = s.recv(4096)
    if not more:
        break
    data += more
rest = s.recv(4096) if data else b""
print("dropped" if not rest else "answered", repr(data[:60]))
PY
slow=$!
code=$(C -o "$tmp/out" -w '%{http_code}' --data-binary meanwhile http://x/v1/pools/echo/run)
[ "$code" = 200 ] && [ "$(cat "$tmp/out")" = meanwhile ] || fail "served while a client stalls: HTTP $code"
wait $slow
grep -q '^dropped' "$tmp/slow" || fail "slow client: $(cat "$tmp/slow")"

# A client that hangs up while its request runs: the answer has nowhere to
# go, the daemon frees it and keeps serving.
C -m 0.3 -o /dev/null --data-binary hang http://x/v1/pools/hostile/run
for _ in $(seq 200); do
	grep -q '"status":"TIMEOUT".*"peer_uid":0' <(tail -n 3 "$tmp/log") && break
	sleep 0.02
done
code=$(C -o "$tmp/out" -w '%{http_code}' --data-binary after http://x/v1/pools/hostile/run)
[ "$code" = 200 ] && [ "$(cat "$tmp/out")" = after ] || fail "after a client hung up mid-request: HTTP $code"

# max_clients (16): a 17th client is refused while 16 hold connections;
# once they close, a new client is served again.
python3 - "$sock" >"$tmp/clients" 2>&1 <<'PY'
import socket, sys
def get(s):
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        more = s.recv(4096)
        if not more:
            break
        data += more
    return data.split(b" ", 2)[1].decode() if data else "closed"
held = []
for i in range(16):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append((s, get(s)))
extra = socket.socket(socket.AF_UNIX)
extra.connect(sys.argv[1])
print(" ".join(c for _, c in held), "extra", get(extra))
for s, _ in held:
    s.close()
extra.close()
PY
grep -q '^\(200 \)\{16\}extra 503$' "$tmp/clients" || fail "max_clients: $(cat "$tmp/clients")"
# (The daemon counts a client gone when it reads its EOF: retry briefly.)
for _ in $(seq 100); do
	code=$(C -o /dev/null -w '%{http_code}' http://x/healthz)
	[ "$code" = 200 ] && break
	sleep 0.05
done
[ "$code" = 200 ] || fail "a client after the 16 closed: HTTP $code"

# Peer credentials: nobody may connect (0666) but is not allowed.
asnobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# (nobody cannot write under $tmp: the headers come on stdout.)
"${asnobody[@]}" curl -s --unix-socket "$sock" -D - -o /dev/null --data-binary x \
	http://x/v1/pools/echo/run >"$tmp/h"
head -1 "$tmp/h" | grep -q '^HTTP/1.1 403 ' && grep -qi '^Caisson-Status: FORBIDDEN' "$tmp/h" ||
	fail "nobody on echo: $(cat "$tmp/h")"
code=$("${asnobody[@]}" curl -s --unix-socket "$sock" -o /dev/null -w '%{http_code}' http://x/v1/pools)
[ "$code" = 403 ] || fail "nobody on /v1/pools: HTTP $code"
code=$("${asnobody[@]}" curl -s --unix-socket "$sock" -o /dev/null -w '%{http_code}' http://x/healthz)
[ "$code" = 200 ] || fail "nobody on /healthz: HTTP $code"
grep '"http":403' "$tmp/log" | grep -q '"peer_uid":65534' || fail "no log line for the 403"

# Status endpoints.
[ "$(C http://x/healthz)" = ok ] || fail "/healthz"
C http://x/v1/pools >"$tmp/pools.json"
[ "$(jq -r '[.pools[].name] | join(",")' "$tmp/pools.json")" = echo,hostile,args,tight ] || fail "/v1/pools: $(cat "$tmp/pools.json")"
[ "$(jq '.pools[] | select(.name == "hostile") | .by_status.CRASHED' "$tmp/pools.json")" -ge 1 ] ||
	fail "/v1/pools counts no crash"
C http://x/metrics >"$tmp/metrics"
for re in 'caisson_requests_total\{pool="echo",status="OK"\} [1-9]' \
	'caisson_requests_total\{pool="hostile",status="CRASHED"\} [1-9]' \
	'caisson_requests_total\{pool="args",status="BAD_ARGS"\} 12$' \
	'caisson_requests_denied_total\{pool="echo"\} 1$' \
	'caisson_request_duration_seconds_bucket\{pool="echo",le="\+Inf"\} [1-9]' \
	'caisson_request_duration_seconds_count\{pool="hostile"\} [1-9]' \
	'caisson_workers\{pool="echo",state="idle"\} [0-9]' \
	'caisson_spawns_total\{pool="hostile"\} [1-9]' \
	'caisson_spawn_failures_total\{pool="echo"\} 0$' \
	'caisson_breaker_open\{pool="echo"\} 0$' \
	'caisson_queue_depth\{pool="hostile"\} 0$'; do
	grep -qE "^$re" "$tmp/metrics" || fail "/metrics lacks $re"
done

# SIGTERM with a request in flight: it completes (the plugin hangs until
# the 1 s wall time), the daemon exits 0, the socket goes, nothing remains.
C -D "$tmp/hh" -o /dev/null -w '%{http_code}' --data-binary hang http://x/v1/pools/hostile/run >"$tmp/inflight" &
cpid=$!
for _ in $(seq 200); do
	C http://x/metrics | grep -qE '^caisson_workers\{pool="hostile",state="busy"\} 1$' && break
	sleep 0.02
done
kill -TERM "$dpid"
wait $cpid
[ "$(cat "$tmp/inflight")" = 502 ] && grep -qi '^Caisson-Status: TIMEOUT' "$tmp/hh" ||
	fail "in-flight request across SIGTERM: HTTP $(cat "$tmp/inflight") $(cat "$tmp/hh")"
wait $rpid; rc=$?
dpid=""
[ $rc = 0 ] || fail "daemon (under reap_check) exited $rc: $(grep reap_check "$tmp/log")"
[ ! -e "$sock" ] || fail "socket left behind"
grep -q '"event":"exit","detail":"drained"' "$tmp/log" || fail "no drained exit in the log"

# Every log line is one JSON object (but reap_check's verdict, which
# shares stderr); request lines carry the fields; the drain did not need
# its timeout.
grep -q '^reap_check: ok: ' "$tmp/log" || fail "no verdict from reap_check"
grep -v '^reap_check: ' "$tmp/log" >"$tmp/jlog"
mv "$tmp/jlog" "$tmp/log"
jq -e -s 'all(.[]; type == "object")' "$tmp/log" >/dev/null || fail "a log line is not JSON"
! grep -q '"event":"drain_timeout"' "$tmp/log" || fail "the drain waited for its timeout"
jq -e -s '[.[] | select(.event == "request")] | length > 10 and
	all(.[]; has("request_id") and has("pool") and has("status") and has("detail") and
	has("latency_us") and has("worker_pid") and has("peer_uid"))' "$tmp/log" >/dev/null ||
	fail "request log lines lack fields"
jq -e -s 'any(.[]; .event == "request" and .status == "CRASHED" and (.worker_pid | type) == "number")' \
	"$tmp/log" >/dev/null || fail "no worker pid in the crash's log line"
echo "serve_test: ok ($(jq -s '[.[] | select(.event == "request")] | length' "$tmp/log") requests logged)"
