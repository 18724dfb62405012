#!/usr/bin/env bash
# caisson demo, run by `make demo` from the repo root as
# `samples/demo.sh BUILD_DIR`, unprivileged: runs the sample plugins over the
# sample data through `caisson run`, one row per case with the status caisson
# printed. Exits 1 only if caisson crashed, or refused to run (exit 2) where a
# run was expected; other unexpected statuses are listed after the table.
set -u

if [ $# -ne 1 ]; then
	echo "usage: samples/demo.sh BUILD_DIR" >&2
	exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "demo: no build directory '$1'" >&2; exit 2; }
CAISSON=$BUILD/caisson
PLUGINS=$BUILD/samples
DATA=$ROOT/samples/data
PROFILES=$ROOT/profiles
OUT=$BUILD/demo-out

if [ ! -x "$CAISSON" ]; then
	echo "demo: $CAISSON not found; build first" >&2
	exit 2
fi

# profile | plugin | input | expected statuses (alternatives separated by |);
# "exit 2" is caisson refusing to run at all, which it does for a plugin
# that does not export caisson_plugin_handle.
CASES="
png|png|gradient-64.png|OK
png|png|logo-rgba.png|OK
png|png|gray-16.png|OK
png|png|truncated.png|PLUGIN_ERROR
png|png|badcrc.png|PLUGIN_ERROR
png|png|huge-dims.png|PLUGIN_ERROR
png-thumb|png|gradient-64.png|OK
png-thumb|png|logo-rgba.png|OK
png-thumb|png|gray-16.png|OK
xml|xml|note.xml|OK
xml|xml|bad.xml|PLUGIN_ERROR
xml|xml|billion-laughs.xml|PLUGIN_ERROR
echo|echo|hello.txt|OK
hostile|hostile_open|hello.txt|VIOLATION
hostile|hostile_socket|hello.txt|VIOLATION
hostile|hostile_fork|hello.txt|VIOLATION
hostile|hostile_spin|hello.txt|TIMEOUT|CPU_LIMIT
hostile|hostile_alloc|hello.txt|MEMORY_LIMIT
hostile|hostile_flood|hello.txt|OUTPUT_LIMIT
hostile|hostile_garbage|hello.txt|PROTOCOL_ERROR
hostile|hostile_segv|hello.txt|CRASHED
hostile|hostile_ctor|hello.txt|SPAWN_FAILED|VIOLATION
hostile|hostile_init|hello.txt|SPAWN_FAILED
hostile|noexport|hello.txt|exit 2
"

fatal=0
unexpected=""
n=0
rm -rf "$OUT"
mkdir -p "$OUT"
row() {
	printf '%-20s %-16s %-10s %-15s %7s  %s\n' "$@"
}

row INPUT PLUGIN PROFILE STATUS TIME DETAIL
row ----- ------ ------- ------ ---- ------

# An OK answer is described, not shown: its size and what file(1) makes of it.
describe() {
	local bytes kind=""
	bytes=$(wc -c <"$1")
	if command -v file >/dev/null 2>&1; then
		kind=", $(file -b "$1" | cut -c1-60)"
	fi
	echo "$bytes bytes$kind"
}

while IFS='|' read -r profile plugin input expect; do
	[ -n "$profile" ] || continue
	n=$((n + 1))
	dir=$OUT/$n-$plugin
	mkdir -p "$dir"
	t0=$(date +%s%N)
	"$CAISSON" run -p "$PROFILES/$profile.ini" -o "$dir" "$PLUGINS/$plugin.so" \
		"$DATA/$input" 2>"$dir.stderr" </dev/null
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	# caisson's own one-line verdict for this input, "<input>: STATUS detail".
	line=""
	while IFS= read -r l; do
		case $l in
		"$DATA/$input: "*) line=${l#"$DATA/$input: "}; break ;;
		esac
	done <"$dir.stderr"
	case $rc in
	0)
		status=OK
		# The one answer in $dir: named after the input, with the
		# profile's [output] extension when it has one (png: .ppm).
		answer=$(find "$dir" -type f | head -n1)
		detail=$(describe "$answer")
		;;
	1)
		status=${line%% *}
		detail=${line#"$status"}
		detail=${detail# }
		if [ -z "$line" ]; then
			status="-"
			detail=$(tail -n1 "$dir.stderr")
		fi
		;;
	2)
		status="exit 2"
		detail=$(tail -n1 "$dir.stderr")
		;;
	*)
		status="exit $rc"
		[ "$rc" -gt 128 ] && status="SIG$(kill -l $((rc - 128)))"
		detail="caisson itself died: $(tail -n1 "$dir.stderr")"
		fatal=1
		;;
	esac
	row "$input" "$plugin" "$profile" "$status" "${ms}ms" "$detail"
	case "|$expect|" in
	*"|$status|"*) ;;
	*)
		unexpected="$unexpected  $plugin $input: $status, expected ${expect//|/ or }\n"
		[ "$status" = "exit 2" ] && fatal=1
		;;
	esac
done <<EOF
$CASES
EOF

# The same converter inside a service: thumbd (samples/thumbd.c) embeds
# libcaisson and serves thumbnails over loopback HTTP from a warm pool.
echo
echo "thumbd: an HTTP thumbnail service on libcaisson (POST a PNG to /thumb)"
"$BUILD/thumbd" -p "$PROFILES/png-thumb.ini" "$PLUGINS/png.so" -n 3 >"$OUT/thumbd.log" 2>&1 &
tpid=$!
port=""
for _ in $(seq 50); do
	port=$(sed -n 's/^thumbd: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$OUT/thumbd.log")
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "  thumbd did not start: $(cat "$OUT/thumbd.log")"
	fatal=1
else
	for f in logo-rgba.png gradient-64.png truncated.png; do
		t0=$(date +%s%N)
		code=$(curl -s -o "$OUT/thumbd-$f" -w '%{http_code}' -D "$OUT/thumbd-$f.headers" \
			--data-binary @"$DATA/$f" "http://127.0.0.1:$port/thumb")
		t1=$(date +%s%N)
		st=$(sed -n 's/^X-Caisson-Status: \([A-Z_]*\).*/\1/p' "$OUT/thumbd-$f.headers")
		printf '  POST %-18s HTTP %s %-14s %5sms  %s\n' "$f" "$code" "$st" $(((t1 - t0) / 1000000)) \
			"$(describe "$OUT/thumbd-$f")"
		case "$f:$code" in
		truncated.png:422 | logo-rgba.png:200 | gradient-64.png:200) ;;
		*) unexpected="$unexpected  thumbd $f: HTTP $code\n" ;;
		esac
	done
fi
wait "$tpid" 2>/dev/null

# Existing converter programs under caisson exec (profiles/pdftotext.ini,
# ghostscript.ini, imagemagick.ini): each binary and its libraries served as
# descriptors, run-time data read-only, a private scratch for {in}/{out};
# then two hostile inputs that try to read /etc/passwd through the tool.
echo
echo "caisson exec: converter programs, each in its own sandbox"
CONV=$ROOT/samples/converters
convert_case() { # NAME EXPECT PROFILE [exec args...] -- TOOL ARGS -- FILE
	local name=$1 expect=$2 profile=$3 st detail rc t0 t1
	shift 3
	t0=$(date +%s%N)
	"$CAISSON" exec -p "$PROFILES/$profile.ini" "$@" >"$OUT/exec-$name" 2>"$OUT/exec-$name.stderr" </dev/null
	rc=$?
	t1=$(date +%s%N)
	if [ $rc = 0 ]; then
		st=OK
		detail=$(describe "$OUT/exec-$name")
	else
		st=$(sed -n 's/^[^ ]*: \([A-Z_]*\) .*/\1/p' "$OUT/exec-$name.stderr" | head -n1)
		detail=$(sed -n 's/^[^ ]*: [A-Z_]* //p' "$OUT/exec-$name.stderr" | head -n1 | cut -c1-70)
		[ $rc = 1 ] || { st="exit $rc"; detail=$(tail -n1 "$OUT/exec-$name.stderr"); fatal=1; }
	fi
	grep -aq 'root:x:0:0' "$OUT/exec-$name" && { st="$st+HOSTDATA"; fatal=1; }
	row "$name" "-" "$profile" "$st" "$(((t1 - t0) / 1000000))ms" "$detail"
	case "|$expect|" in
	*"|$st|"*) ;;
	*) unexpected="$unexpected  exec $name: $st, expected ${expect//|/ or }\n" ;;
	esac
}
convert_case pdftotext OK pdftotext -- /usr/bin/pdftotext -enc UTF-8 - - -- "$CONV/report.pdf"
convert_case gs-page2 OK ghostscript -A page=2 -A dpi=72 -- /usr/bin/gs -q -dSAFER -dBATCH -dNOPAUSE \
	-sDEVICE=png16m '-r{dpi}' '-dFirstPage={page}' '-dLastPage={page}' '-sOutputFile={out}' '{in}' -- "$CONV/report.pdf"
convert_case png2jpeg OK imagemagick -A quality=85 -- /usr/bin/convert-im6.q16 'png:{in}' -quality '{quality}' \
	'jpeg:{out}' -- "$DATA/logo-rgba.png"
convert_case gs-hostile VIOLATION ghostscript -A page=1 -A dpi=50 -- /usr/bin/gs -q -dNOSAFER -dBATCH -dNOPAUSE \
	-sDEVICE=png16m '-r{dpi}' '-dFirstPage={page}' '-dLastPage={page}' '-sOutputFile={out}' '{in}' \
	-- "$CONV/hostile-pipe.ps"
convert_case im-hostile-svg VIOLATION imagemagick -A quality=85 -- /usr/bin/convert-im6.q16 '{in}' 'jpeg:{out}' \
	-- "$CONV/hostile-read.svg"

# The evidence: caisson verify attests a live worker of the strict baseline
# from outside and runs the containment probes (full report in $OUT).
echo
echo "caisson verify -p profiles/default.ini (SC-39 evidence; OSCAL with --format oscal):"
if "$CAISSON" verify -p "$PROFILES/default.ini" -o "$OUT/verify-default.txt"; then
	grep '^verdict:' "$OUT/verify-default.txt" | sed 's/^/  /'
else
	grep '^verdict:' "$OUT/verify-default.txt" | sed 's/^/  /'
	unexpected="$unexpected  caisson verify on profiles/default.ini did not pass\n"
fi

echo
echo "Answers and caisson's stderr for each case are in $OUT/."
if [ -n "$unexpected" ]; then
	echo "Cases that ended with another status than expected:"
	printf "%b" "$unexpected"
else
	echo "Every case ended with its expected status."
fi
exit $fatal
