#!/usr/bin/env bash
# `caisson fuzz` end to end on the clang-built harness samples, bounded by
# -runs and -seed (deterministic, no timing): the planted bugs behind
# multi-byte comparisons are found (a crash and a violation) with several
# seeds, the same seed makes the same inputs, artifacts reproduce with
# `caisson run`, a target crashing every 10th input keeps the fuzzer going
# with one folded crash, a forking target ends as violation-; batches name
# the exact input of a finding, -merge=1, -minimize_crash=1, -workers=N, and
# the shipped png and xml plugins as targets (bounded runs, nothing found).
# usage: cli_fuzz.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
B=$1; S=$2
C="$B/caisson"
tmp=$(mktemp -d /tmp/caisson-fuzz.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
echo "cli_fuzz: running as uid $(id -u)"
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { count=$((count + 1)); if ! eval "$1"; then fail "$2"; fi; }
# c CMD...: runs caisson with stderr in $tmp/e and the exit status in $rc
c() { "$C" "$@" >"$tmp/o" 2>"$tmp/e" </dev/null; rc=$?; }

DEF="$S/profiles/default.ini"
PLANTED="$B/samples/fuzz_planted.so"

# fuzz NAME EXPECTED_RC args...: runs in $tmp/NAME (corpus in NAME/corpus,
# artifacts under NAME/art/), stderr in NAME/err.
fuzz() {
  local name=$1 want=$2; shift 2
  local d="$tmp/$name"
  mkdir -p "$d/corpus" "$d/art"
  count=$((count + 1))
  "$C" fuzz "$@" -artifact_prefix="$d/art/" "$d/corpus" >"$d/out" 2>"$d/err" </dev/null
  local rc=$?
  if [ "$rc" -ne "$want" ]; then fail "fuzz $name: exit $rc, want $want; stderr: $(tail -c 800 "$d/err")"; fi
}
artifacts() { ls "$tmp/$1/art" | grep -v '\.txt$' | grep "^$2-" ; }

# --- usage and configuration: exit 2, one line
c fuzz "$PLANTED"; check '[ $rc -eq 2 ] && grep -q "PROFILE is required" "$tmp/e"' "no -p"
c fuzz -p "$DEF" "$PLANTED" -fork=4; check '[ $rc -eq 2 ] && grep -q "unsupported flag .-fork=4" "$tmp/e"' "unknown flag refused"
c fuzz -p "$DEF" "$PLANTED" -workers=0; check '[ $rc -eq 2 ] && grep -q -- "-workers wants a number from 1 to 64" "$tmp/e"' "-workers=0 refused"
c fuzz -p "$DEF" "$PLANTED" -timeout=60; check '[ $rc -eq 2 ] && grep -q "exceeds the profile" "$tmp/e"' "-timeout wider than the profile"
c fuzz -p "$DEF" "$PLANTED" -max_len=0; check '[ $rc -eq 2 ] && grep -q "max_len wants" "$tmp/e"' "-max_len=0"
printf 'kw="ok"\nbad=noquote\n' >"$tmp/bad.dict"
c fuzz -p "$DEF" "$PLANTED" -dict="$tmp/bad.dict"; check '[ $rc -eq 2 ] && grep -q "bad.dict:2: expected" "$tmp/e"' "bad dictionary names its line"
c fuzz --help; cp "$tmp/o" "$tmp/h"; check '[ $rc -eq 0 ]' "--help"
for f in -runs= -max_total_time= -max_len= -seed= -dict= -artifact_prefix= -timeout= -rss_limit_mb=; do
  check 'grep -q -- "$f" "$tmp/h"' "--help documents $f"
done
c fuzz -p "$DEF" "$B/samples/noexport.so" -runs=1
check '[ $rc -eq 2 ] && grep -q "LLVMFuzzerTestOneInput" "$tmp/e"' "a .so that is neither plugin nor harness"

# --- the planted bugs, found by bounded runs with CMP-guided mutation
for seed in 1 2 5; do
  fuzz "planted$seed" 77 -p "$DEF" "$PLANTED" -runs=40000 -seed=$seed
  check '[ "$(artifacts planted$seed crash | wc -l)" -eq 1 ]' "seed $seed: one crash- artifact"
  check '[ "$(artifacts planted$seed violation | wc -l)" -eq 1 ]' "seed $seed: one violation- artifact"
done
d="$tmp/planted1"
crash="$d/art/$(artifacts planted1 crash)"; viol="$d/art/$(artifacts planted1 violation)"
check 'head -c 8 "$crash" | grep -q "^FUZZING!"' "the crash input starts with the planted key"
check 'grep -q "^status: CRASHED" "$crash.txt" && grep -q "^detail: SIGSEGV" "$crash.txt"' "crash sidecar"
check 'grep -Eq "^stack hash: [0-9a-f]{16} " "$crash.txt" && grep -Eq "^    #0 0x[0-9a-f]+ in LLVMFuzzerTestOneInput .*samples/fuzz_planted.c:[0-9]+:[0-9]+ \(.*fuzz_planted.so\+0x[0-9a-f]+\)$" "$crash.txt"' "crash sidecar: stack hash, and the worker's fault stack symbolized outside"
check 'grep -Eq "^seen: [0-9]+ times in this run$" "$crash.txt"' "crash sidecar: duplicates counted"
check 'grep -q "^status: VIOLATION" "$viol.txt" && grep -q "openat(AT_FDCWD, \"/etc/passwd\"" "$viol.txt"' "violation sidecar names the call"
check '[ "$(basename "$crash")" = "crash-$(sha1sum <"$crash" | cut -c1-40)" ]' "artifact named by its sha1"
check 'grep -Eq "^#[0-9]+	NEW  cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+b exec/s: [0-9]+ rss: [0-9]+Mb$" "$d/err"' "stats line format"
check 'grep -q "^#40000	DONE" "$d/err"' "ran exactly -runs executions"
ok=1; for f in "$d"/corpus/*; do [ "$(basename "$f")" = "$(sha1sum <"$f" | cut -c1-40)" ] || ok=0; done
check '[ $ok -eq 1 ] && [ "$(ls "$d/corpus" | wc -l)" -ge 5 ]' "corpus inputs named by sha1, kept by coverage"
# A finding is reported only once it is on disk: its line comes after the file exists
check 'grep -q "artifact written to $crash" "$d/err"' "finding line names the artifact"
# The same seed generates the same inputs: same artifacts, same corpus
fuzz planted1b 77 -p "$DEF" "$PLANTED" -runs=40000 -seed=1
check '[ "$(ls "$tmp/planted1b/art")" = "$(ls "$d/art")" ] && [ "$(ls "$tmp/planted1b/corpus")" = "$(ls "$d/corpus")" ]' "deterministic with -seed"
# The artifacts reproduce under caisson run
c run -p "$DEF" "$PLANTED" "$crash"; check '[ $rc -eq 1 ] && grep -q "CRASHED SIGSEGV" "$tmp/e"' "caisson run reproduces the crash"
c run -p "$DEF" "$PLANTED" "$viol"; check '[ $rc -eq 1 ] && grep -q "VIOLATION openat" "$tmp/e"' "caisson run reproduces the violation"
c run -p "$DEF" "$PLANTED" "$d"/corpus/*; check '[ $rc -eq 0 ]' "corpus inputs run OK (a harness that returns is OK)"
# Resuming from the corpus: every input is run first, then fuzzing goes on
# (mutations of those near-misses may well find a bug again: 0 or 77)
mkdir -p "$tmp/resume/art"
"$C" fuzz -p "$DEF" "$PLANTED" -runs=100 -seed=3 -artifact_prefix="$tmp/resume/art/" "$d/corpus" \
  >"$tmp/resume/out" 2>"$tmp/resume/err" </dev/null
rc=$?
check '[ $rc -eq 0 ] || [ $rc -eq 77 ]' "resume: exit $rc"
check 'grep -q "INITED cov: [1-9]" "$tmp/resume/err" && grep -q "^#100	DONE" "$tmp/resume/err"' "corpus loaded with coverage, then fuzzed"
# A dictionary holding the keys finds both far sooner
printf '# planted keys\nkey1="FUZZING!"\n"OPEN\\x55P"\n' >"$tmp/keys.dict"
fuzz dict 77 -p "$DEF" "$PLANTED" -runs=3000 -seed=1 -dict="$tmp/keys.dict"
check '[ "$(artifacts dict crash | wc -l)" -eq 1 ] && [ "$(artifacts dict violation | wc -l)" -eq 1 ]' "dictionary words used"

# --- a timeout inside a batch: the corpus loads as one batch (1-a, 2-b,
# 3-hang); the worker ends it early at 1-a (new to a fresh worker), then
# runs 2-b and spins in 3-hang, the second of the next batch, which runs
# again alone and is the timeout; 1-a and 2-b are blamed for nothing
mkdir -p "$tmp/hang/corpus"
printf 'a' >"$tmp/hang/corpus/1-a"; printf 'b' >"$tmp/hang/corpus/2-b"; printf 'HANG' >"$tmp/hang/corpus/3-hang"
fuzz hang 70 -p "$DEF" "$B/samples/fuzz_hang.so" -runs=3 -seed=1 -timeout=1
check '[ "$(ls "$tmp/hang/art" | grep -c -v "\.txt$")" -eq 1 ] && [ "$(cat "$tmp/hang/art"/timeout-*[^t])" = HANG ]' "hang: one timeout artifact, the HANG input"
check 'grep -q "^#3	DONE" "$tmp/hang/err" && grep -q "TIMEOUT: seen 1 time$" "$tmp/hang/err"' "hang: three inputs, one timeout"
check 'grep -q "2 worker processes served batches" "$tmp/hang/err"' "hang: the batch's timeout ran again alone, in a fresh worker"

# --- on a terminal (script(1) gives it one), pulse lines are a progress
# line rewritten in place; into a file, no terminal control at all
mkdir -p "$tmp/tty/corpus"
script -qec "\"$C\" fuzz -p \"$DEF\" \"$PLANTED\" -runs=3000 -seed=1 -artifact_prefix=\"$tmp/tty/\" \"$tmp/tty/corpus\"" \
  /dev/null >"$tmp/tty/out" </dev/null
check 'grep -q $'"'"'pulse cov: [^\r]*Mb\r\x1b\[K#'"'"' "$tmp/tty/out" && grep -q "DONE" "$tmp/tty/out"' "terminal: the pulse line is rewritten by the next"
check '[ -s "$tmp/dict/err" ] && grep -q pulse "$tmp/dict/err" && ! grep -q $'"'"'\x1b'"'"' "$tmp/dict/err"' "not a terminal: plain lines"

# --- -merge=1: the other directories' inputs that add coverage join the first
# (b: a fuzzed corpus, plus a copy of a's one input: no new coverage)
mkdir -p "$tmp/merge/a" "$tmp/merge/b" "$tmp/merge/art"
printf 'x' >"$tmp/merge/a/seed"
cp "$tmp/dict/corpus"/* "$tmp/merge/b/"
printf 'x' >"$tmp/merge/b/11f6ad8ec52a2984abaafd7c3b516503785c2072"
merge() { c fuzz -p "$DEF" "$PLANTED" -merge=1 -artifact_prefix="$tmp/merge/art/" "$tmp/merge/a" "$tmp/merge/b"; }
merge
check '[ $rc -eq 0 ] && grep -q "MERGE-OUTER: [1-9][0-9]* new files added" "$tmp/e"' "merge adds the inputs with new coverage"
added=$(ls "$tmp/merge/a" | grep -v '^seed$')
check '[ -n "$added" ] && [ ! -e "$tmp/merge/a/11f6ad8ec52a2984abaafd7c3b516503785c2072" ]' "merge: the input without new coverage stays out"
check 'for x in $added; do cmp -s "$tmp/merge/a/$x" "$tmp/merge/b/$x" || exit 1; done' "merge: each added input is one of the other directory's, by its sha1"
merge
check '[ $rc -eq 0 ] && grep -q "MERGE-OUTER: 0 new files added" "$tmp/e"' "a second merge adds nothing"
c fuzz -p "$DEF" "$PLANTED" -merge=1 "$tmp/merge/a"; check '[ $rc -eq 2 ] && grep -q "two or more corpus directories" "$tmp/e"' "-merge=1 with one directory refused"

# --- -minimize_crash=1: deletions while the same finding reproduces
mkdir -p "$tmp/min"
printf 'FUZZING!%s' "$(printf 'junk%.0s' $(seq 10))" >"$tmp/min/crash"
printf 'OPENUP and the rest' >"$tmp/min/viol"
printf 'nothing here' >"$tmp/min/ok"
c fuzz -p "$DEF" "$PLANTED" -minimize_crash=1 -artifact_prefix="$tmp/min/" "$tmp/min/crash"
mc="$tmp/min/minimized-from-$(sha1sum <"$tmp/min/crash" | cut -c1-40)"
check '[ $rc -eq 0 ] && grep -q "CRASH_MIN: 8 bytes (from 48, .*still CRASHED SIGSEGV" "$tmp/e"' "minimize_crash: 48 bytes to 8"
check '[ "$(cat "$mc")" = "FUZZING!" ]' "minimize_crash: minimized-from-<sha1> holds the 8 bytes the bug needs"
c run -p "$DEF" "$PLANTED" "$mc"; check '[ $rc -eq 1 ] && grep -q "CRASHED SIGSEGV" "$tmp/e"' "the minimized input reproduces the crash"
c fuzz -p "$DEF" "$PLANTED" -minimize_crash=1 -artifact_prefix="$tmp/min/" "$tmp/min/viol"
check '[ $rc -eq 0 ] && [ "$(cat "$tmp/min/minimized-from-$(sha1sum <"$tmp/min/viol" | cut -c1-40)")" = OPENUP ]' "minimize_crash: a violation keeps its status"
c fuzz -p "$DEF" "$PLANTED" -minimize_crash=1 -runs=3 -artifact_prefix="$tmp/min/b" "$tmp/min/crash"
check '[ $rc -eq 0 ] && grep -q "CRASH_MIN: 24 bytes (from 48, 3 runs)" "$tmp/e"' "minimize_crash: -runs bounds the tries"
c fuzz -p "$DEF" "$PLANTED" -minimize_crash=1 "$tmp/min/ok"
check '[ $rc -eq 1 ] && grep -q "does not reproduce a finding" "$tmp/e"' "minimize_crash: an input that runs to its end is refused"
c fuzz -p "$DEF" "$PLANTED" -minimize_crash=1 "$tmp/min/crash" "$tmp/min/ok"
check '[ $rc -eq 2 ] && grep -q "wants one input file" "$tmp/e"' "minimize_crash: one input only"

# --- -workers=N / -jobs=N: N persistent workers fed by one engine, one corpus
# (the planted harness without its bugs: every input runs to its end)
SAFE="$B/tests/bench_fuzz_planted.so"
fuzz workers3 0 -p "$DEF" "$SAFE" -runs=20000 -seed=1 -workers=3
check 'grep -q "^#20000	DONE" "$tmp/workers3/err" && grep -q "3 worker processes served batches (3 at once)" "$tmp/workers3/err"' "-workers=3: 20000 inputs over 3 workers: $(tail -c 300 "$tmp/workers3/err")"
fuzz jobs2 0 -p "$DEF" "$SAFE" -runs=5000 -seed=1 -jobs=2
check 'grep -q "2 worker processes served batches (2 at once)" "$tmp/jobs2/err"' "-jobs=2 alone: 2 workers"
fuzz jobs4w1 0 -p "$DEF" "$SAFE" -runs=5000 -seed=1 -jobs=4 -workers=1
check 'grep -q "1 worker process served batches (1 at once)" "$tmp/jobs4w1/err"' "-workers wins over -jobs"
fuzz workers2 77 -p "$DEF" "$PLANTED" -runs=60000 -seed=1 -workers=2 -dict="$tmp/keys.dict"
check '[ "$(artifacts workers2 crash | wc -l)" -eq 1 ] && [ "$(artifacts workers2 violation | wc -l)" -eq 1 ]' "-workers=2: both planted bugs, one artifact each"
check '[ "$(ls "$tmp/workers2/corpus" | wc -l)" -ge 5 ] && grep -q "(2 at once)" "$tmp/workers2/err"' "-workers=2: one corpus grows"

# --- the shipped png plugin (samples/png.c, libpng) as a fuzz target: a
# bounded run from two sample PNGs finds nothing, and the corpus grows
mkdir -p "$tmp/png/corpus"
cp "$S/samples/data/gray-16.png" "$S/samples/data/logo-rgba.png" "$tmp/png/corpus/"
fuzz png 0 -p "$S/profiles/png.ini" "$B/samples/fuzz_png.so" -runs=5000 -seed=1
check 'grep -q "^#5000	DONE" "$tmp/png/err" && [ -z "$(ls "$tmp/png/art")" ]' "png: 5000 inputs, no finding"
check '[ "$(ls "$tmp/png/corpus" | wc -l)" -gt 2 ] && ! grep -q "no coverage counters" "$tmp/png/err"' "png: coverage from png.c, new inputs kept"
# the same for the xml plugin (samples/xml.c, libxml2; it makes indirect
# calls, so the worker's coverage runtime must take their callback too)
mkdir -p "$tmp/xml/corpus"
cp "$S/samples/data/note.xml" "$tmp/xml/corpus/"
fuzz xml 0 -p "$S/profiles/xml.ini" "$B/samples/fuzz_xml.so" -runs=5000 -seed=1
check 'grep -q "^#5000	DONE" "$tmp/xml/err" && [ -z "$(ls "$tmp/xml/art")" ]' "xml: 5000 inputs, no finding"
check '[ "$(ls "$tmp/xml/corpus" | wc -l)" -gt 1 ]' "xml: new inputs kept"

# --- a crash every 10th input: the fuzzer keeps going, one folded crash
fuzz every10 77 -p "$DEF" "$B/samples/fuzz_every10.so" -runs=200 -seed=1
check '[ "$(artifacts every10 crash | wc -l)" -eq 1 ]' "every10: one crash artifact"
check 'grep -q "CRASHED SIGABRT (raised by the plugin): seen 20 times" "$tmp/every10/err"' "every10: 20 crashes folded into one"
check 'grep -q "^#200	DONE" "$tmp/every10/err"' "every10: ran all 200 inputs"
check 'grep -q "fuzz_every10: input 10 of this worker, aborting" "$tmp/every10/art/"crash-*.txt' "every10: sidecar holds the worker's log tail"
# Batches of another size, or of one: each crash still names its input
# (the worker dies at the 10th of its life, whichever batch holds it)
fuzz every10b7 77 -p "$DEF" "$B/samples/fuzz_every10.so" -runs=200 -seed=1 -batch=7
check 'grep -q "seen 20 times" "$tmp/every10b7/err" && grep -q "^#200	DONE" "$tmp/every10b7/err"' "every10, -batch=7: 20 crashes in 200 inputs"
fuzz every10b1 77 -p "$DEF" "$B/samples/fuzz_every10.so" -runs=200 -seed=1 -batch=1
check 'grep -q "seen 20 times" "$tmp/every10b1/err"' "every10, -batch=1: 20 crashes in 200 inputs"
c fuzz -p "$DEF" "$PLANTED" -batch=0; check '[ $rc -eq 2 ] && grep -q -- "-batch wants a number from 1 to 4096" "$tmp/e"' "-batch=0 refused"

# --- crash dedup by stack hash: every input crashes at the same
# instruction with the same signal, by one of two callers: two artifacts
# (one per stack), each sidecar naming its path, the 60 crashes counted
fuzz twosites 77 -p "$DEF" "$B/samples/fuzz_twosites.so" -runs=60 -seed=1
check '[ "$(artifacts twosites crash | wc -l)" -eq 2 ]' "twosites: two crash artifacts, one per stack"
check '[ "$(grep -h "^stack hash:" "$tmp/twosites/art/"*.txt | sort -u | wc -l)" -eq 2 ]' "twosites: two stack hashes"
check 'grep -l "in twosites_even " "$tmp/twosites/art/"*.txt | grep -q . && grep -l "in twosites_odd " "$tmp/twosites/art/"*.txt | grep -q .' "twosites: the sidecars name each caller"
check '[ "$(grep -h "^seen:" "$tmp/twosites/art/"*.txt | awk "{s += \$2} END {print s}")" -eq 60 ] && [ "$(grep -c "CRASHED stack [0-9a-f]*, SIGSEGV: seen" "$tmp/twosites/err")" -eq 2 ]' "twosites: 60 crashes counted over the two"

# --- an ASan-built target (clang -fsanitize=address,fuzzer-no-link, the
# runtime not linked in): as root, its heap overflow behind "HEAP" is found
# and named from ASan's report, the stack symbolized outside, and caisson
# run reproduces it; ASan's start and report need nothing the filter
# forbids (no violation-). Unprivileged there is no memory cgroup here, and
# an ASan worker must not run without one (it has no RLIMIT_AS): refused.
HEAPA="$B/samples/fuzz_heap_asan.so"
if [ "$(id -u)" -eq 0 ]; then
  fuzz heapasan 77 -p "$DEF" "$HEAPA" -runs=5000 -seed=1
  ha="$tmp/heapasan/art/$(artifacts heapasan crash)"
  check '[ "$(artifacts heapasan crash | wc -l)" -eq 1 ] && [ -z "$(artifacts heapasan violation)" ]' "asan: one crash, no violation"
  check 'head -c 4 "$ha" | grep -q "^HEAP"' "asan: the crash input starts with HEAP"
  check 'grep -q "^sanitizer: AddressSanitizer: heap-buffer-overflow$" "$ha.txt" && grep -q "ERROR: AddressSanitizer: heap-buffer-overflow on address" "$ha.txt"' "asan: the sidecar names the heap overflow from ASan's report"
  check 'grep -Eq "^    #0 0x[0-9a-f]+ in heap_copy .*samples/fuzz_heap.c:[0-9]+" "$ha.txt" && grep -Eq "^    #1 0x[0-9a-f]+ in LLVMFuzzerTestOneInput " "$ha.txt"' "asan: ASan's stack symbolized by the supervisor"
  check 'grep -q "== CRASHED SIGABRT (raised by the plugin): AddressSanitizer: heap-buffer-overflow, stack [0-9a-f]*$" "$tmp/heapasan/err"' "asan: the finding line names it"
  c run -p "$DEF" "$HEAPA" "$ha"; check '[ $rc -eq 1 ] && grep -q "CRASHED SIGABRT" "$tmp/e"' "asan: caisson run reproduces it"
  c run -p "$DEF" -v "$HEAPA" "$ha"; check 'grep -q "ERROR: AddressSanitizer: heap-buffer-overflow" "$tmp/e"' "asan: caisson run -v shows ASan's report"
else
  c fuzz -p "$DEF" "$HEAPA" -runs=10 -seed=1
  check '[ $rc -eq 2 ] && grep -q "built with AddressSanitizer.*must be a cgroup, and there is none" "$tmp/e"' "asan unprivileged, no cgroup: refused"
fi

# --- a forking target: a violation finding, no child on the host
fuzz fork 77 -p "$DEF" "$B/samples/fuzz_fork.so" -runs=20 -seed=1
check '[ "$(artifacts fork violation | wc -l)" -eq 1 ] && [ -z "$(artifacts fork crash)" ]' "fork: violation- only"
check 'grep -q "^status: VIOLATION" "$tmp/fork/art/"violation-*.txt && grep -Eq "clone|fork" "$tmp/fork/art/"violation-*.txt' "fork: the clone is named"

# --- caisson plugins are targets too: a spinning one is a timeout, an
# allocating one an out-of-memory; limits fold by status
fuzz spin 70 -p "$DEF" "$B/samples/hostile_spin.so" -runs=2 -seed=1 -timeout=1
check '[ "$(artifacts spin timeout | wc -l)" -eq 1 ] && grep -q "^TIMEOUT: seen 2 times" <(sed "s/^==caisson fuzz== //" "$tmp/spin/err")' "spin: timeout- once, exit 70"
fuzz alloc 77 -p "$DEF" "$B/samples/hostile_alloc.so" -runs=3 -seed=1 -rss_limit_mb=64
check '[ "$(artifacts alloc oom | wc -l)" -eq 1 ] && grep -q "MEMORY_LIMIT: seen 3 times" "$tmp/alloc/err"' "alloc: oom- once"
check 'grep -q "^status: MEMORY_LIMIT" "$tmp/alloc/art/"oom-*.txt' "alloc: sidecar"

echo "cli_fuzz: $count checks, $fails failed"
[ "$fails" -eq 0 ]
