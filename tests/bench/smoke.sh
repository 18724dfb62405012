#!/usr/bin/env bash
# bench_smoke: runs caisson_bench with tiny iteration counts and checks only
# the shape of what it emits (the table's header, and JSON with a row per
# figure, each with the keys a comparison across commits relies on). It
# never asserts a time. usage: smoke.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1; src=$2
json=$(mktemp /tmp/caisson-bench-smoke.XXXXXX.json)
out=$(mktemp /tmp/caisson-bench-smoke.XXXXXX.txt)
trap 'rm -f "$json" "$out"' EXIT

"$build/caisson_bench" --quick --json "$json" "$build" "$src" | tee "$out"
grep -q '^#  *figure  *unit  *p50  *p99  *floor' "$out"
jq -e --argjson want "$(grep -c '^caisson_bench: figure' "$out")" '
  (.commit | type == "string") and (.kernel | type == "string") and (.date | type == "string") and
  (.figures | length >= $want) and
  all(.figures[]; (.id | type == "string") and (.name | type == "string") and (.unit | type == "string") and
      (.caisson | has("p50") and has("p99")) and (.floor | has("name") and has("p50")) and
      (.peers | type == "object") and all(.peers[]; has("p50") and has("cmd")) and
      (.met | type == "boolean") and (.iterations | type == "number") and (.target | type == "string"))
' "$json" >/dev/null
echo "bench_smoke: output well-formed"
