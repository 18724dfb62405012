#!/usr/bin/env bash
# thumbd, the embedding example: a good PNG answers 200 with a PNG
# thumbnail, a truncated one 422 PLUGIN_ERROR, /stats JSON counts both, and
# the service keeps running between them. Usage: thumbd_test.sh BUILD SRC
set -u
B=$1 S=$2
tmp=$(mktemp -d)
trap 'kill $tpid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$B/thumbd" -p "$S/profiles/png-thumb.ini" "$B/samples/png.so" >"$tmp/log" 2>&1 &
tpid=$!
port=""
for _ in $(seq 100); do
	port=$(sed -n 's/^thumbd: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/log")
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || fail "thumbd did not start: $(cat "$tmp/log")"
code=$(curl -s -o "$tmp/out.png" -w '%{http_code}' --data-binary @"$S/samples/data/logo-rgba.png" \
	"http://127.0.0.1:$port/thumb")
[ "$code" = 200 ] || fail "good PNG: HTTP $code"
[ "$(head -c 8 "$tmp/out.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "answer is not a PNG"
code=$(curl -s -o "$tmp/bad" -w '%{http_code}' --data-binary @"$S/samples/data/truncated.png" \
	"http://127.0.0.1:$port/thumb")
[ "$code" = 422 ] || fail "truncated PNG: HTTP $code"
grep -q '^PLUGIN_ERROR libpng' "$tmp/bad" || fail "truncated PNG body: $(cat "$tmp/bad")"
code=$(curl -s -o "$tmp/again.png" -w '%{http_code}' --data-binary @"$S/samples/data/gray-16.png" \
	"http://127.0.0.1:$port/thumb")
[ "$code" = 200 ] || fail "PNG after a bad one: HTTP $code"
stats=$(curl -s "http://127.0.0.1:$port/stats")
echo "$stats" | grep -q '"completed":3' || fail "stats: $stats"
# Supervisor death, even by SIGKILL, leaves no worker alive: the zygote
# dies with its parent and takes each worker's pid namespace with it.
zyg=$(pgrep -P "$tpid")
[ -n "$zyg" ] || fail "no zygote under thumbd"
workers=$(for z in $zyg; do pgrep -P "$z"; done)
[ -n "$workers" ] || fail "no live worker under the zygote"
kill -KILL "$tpid"
for _ in $(seq 100); do
	alive=$(for p in $zyg $workers; do [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && echo "$p"; done)
	[ -z "$alive" ] && break
	sleep 0.02
done
[ -z "$alive" ] || fail "still alive after the supervisor was killed: $alive"
echo "thumbd_test: ok ($stats; SIGKILL took $(echo $zyg $workers | wc -w) zygote+worker processes with it)"
