#!/usr/bin/env bash
# Runs a test as an unprivileged user. As root: copies the built binaries,
# plugins and profiles to a world-readable temp dir and runs the test there
# as nobody (uid 65534), so the unprivileged user-namespace path is what
# runs. Not root: the caller is already unprivileged; runs the test as is.
# usage: as_user.sh BUILD_DIR SOURCE_DIR TEST [ARGS...]
# TEST: test_isolation, a test binary in BUILD_DIR (run as TEST BUILD SRC
# ARGS...), or a script under SOURCE_DIR.
set -euo pipefail
build=$(cd "$1" && pwd); src=$(cd "$2" && pwd); test=$3; shift 3

if [ "$(id -u)" -ne 0 ]; then
  echo "as_user: already unprivileged (uid $(id -u)); running $test directly"
  if [ "$test" = test_isolation ]; then
    exec env CAISSON_ECHO="$build/samples/echo.so" CAISSON_PROFILE="$src/profiles/default.ini" "$build/test_isolation"
  fi
  if [ -x "$build/$test" ]; then exec "$build/$test" "$build" "$src" "$@"; fi
  exec "$src/$test" "$build" "$src" "$@"
fi

tmp=$(mktemp -d /tmp/caisson-unpriv.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build/samples" "$tmp/build/tests" "$tmp/src"
cp "$build/caisson" "$build/caisson-zygote" "$build/caisson-probes.so" "$build/test_isolation" "$build/test_pool" \
   "$build/reap_check" "$build/exec_tool" "$build/exec_static" "$build/test_exec_lib" \
   "$build/test_notify" "$build/test_limits" "$build/test_fsdata_mount" \
   "$build"/libcaisson.so* "$tmp/build/"
cp "$build"/samples/*.so "$tmp/build/samples/"
cp "$build"/tests/*.so "$tmp/build/tests/"
cp -r "$src/profiles" "$src/samples" "$src/tests" "$tmp/src/"
chmod -R a+rX "$tmp"
echo "as_user: running $test as nobody (uid 65534) from $tmp"
run=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
# Not exec: the trap must remove the temp dir afterwards.
if [ "$test" = test_isolation ]; then
  env CAISSON_ECHO="$tmp/build/samples/echo.so" CAISSON_PROFILE="$tmp/src/profiles/default.ini" \
    "${run[@]}" "$tmp/build/test_isolation"
elif [ -x "$tmp/build/$test" ]; then
  env LD_LIBRARY_PATH="$tmp/build" "${run[@]}" "$tmp/build/$test" "$tmp/build" "$tmp/src" "$@"
else
  "${run[@]}" "$tmp/src/$test" "$tmp/build" "$tmp/src" "$@"
fi
