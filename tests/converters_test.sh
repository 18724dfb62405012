#!/usr/bin/env bash
# The three shipped converter profiles under caisson exec (issue 15), as
# root: pdftotext, Ghostscript and ImageMagick each convert a bundled sample,
# caisson verify passes on each profile, and each hostile input ends
# VIOLATION or contained, never with host data in the answer:
#   - PostScript that tries %pipe% and the file operator on /etc/passwd
#     (samples/converters/hostile-pipe.ps), under -dSAFER and -dNOSAFER;
#   - an SVG and an MSL script that read /etc/passwd through ImageMagick's
#     text: coder, under the shipped profile (no such coder is served) and
#     under tests/profiles/imagemagick_text.ini (served: the file is not in
#     the worker's root).
# The converters are dependencies (make deps): a missing one fails here.
# Usage: converters_test.sh BUILD SRC
set -u
B=$(cd "$1" && pwd) S=$(cd "$2" && pwd)
C=$B/caisson P=$S/profiles D=$S/samples/converters
tmp=$(mktemp -d /tmp/caisson-conv.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0 cases=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { cases=$((cases + 1)); }

for tool in /usr/bin/pdftotext /usr/bin/gs /usr/bin/convert-im6.q16; do
	[ -x "$tool" ] || { echo "FAIL: $tool is missing: install poppler-utils, ghostscript and imagemagick (make deps)"; exit 1; }
done
GS=(/usr/bin/gs -q -dBATCH -dNOPAUSE -sDEVICE=png16m '-r{dpi}' '-dFirstPage={page}' '-dLastPage={page}'
	'-sOutputFile={out}' '{in}')
IM=/usr/bin/convert-im6.q16
no_host_data() { ! grep -aq 'root:x:0:0' "$1"; }

# pdftotext: the whole text, every page.
ok
"$C" exec -p "$P/pdftotext.ini" -- /usr/bin/pdftotext -enc UTF-8 - - -- "$D/report.pdf" >"$tmp/pt.txt" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q 'caisson sample document, page 6' "$tmp/pt.txt" || fail "pdftotext: rc $rc: $(cat "$tmp/err")"

# Ghostscript: page 2 at 60 dpi, a PNG of that page's size (A4-ish: 496x702).
ok
"$C" exec -p "$P/ghostscript.ini" -A page=2 -A dpi=60 -- "${GS[0]}" -dSAFER "${GS[@]:1}" -- "$D/report.pdf" \
	>"$tmp/p2.png" 2>"$tmp/err"
rc=$?
head=$(head -c 24 "$tmp/p2.png" | od -An -tx1 | tr -d ' \n')
[ $rc = 0 ] && [ "${head:0:16}" = 89504e470d0a1a0a ] && [ "${head:32:16}" = 000001f0000002be ] ||
	fail "gs page 2: rc $rc, header $head: $(cat "$tmp/err")"
ok
out=$("$C" exec -p "$P/ghostscript.ini" -A page=0 -A dpi=60 -- "${GS[@]}" -- "$D/report.pdf" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "argument 'page': '0' is out of range" || fail "gs page=0: $out"

# Ghostscript, hostile PostScript: -dSAFER refuses it itself (an answer
# without host data); -dNOSAFER meets the sandbox: the pipe is a VIOLATION.
ok
"$C" exec -p "$P/ghostscript.ini" -A page=1 -A dpi=50 -- "${GS[0]}" -dSAFER "${GS[@]:1}" -- "$D/hostile-pipe.ps" \
	>"$tmp/h1" 2>"$tmp/err"
rc=$?
{ [ $rc = 0 ] || [ $rc = 1 ]; } && no_host_data "$tmp/h1" && no_host_data "$tmp/err" ||
	fail "gs -dSAFER hostile: rc $rc: $(cat "$tmp/err")"
ok
"$C" exec -v -p "$P/ghostscript.ini" -A page=1 -A dpi=50 -- "${GS[0]}" -dNOSAFER "${GS[@]:1}" -- "$D/hostile-pipe.ps" \
	>"$tmp/h2" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q 'hostile-pipe.ps: VIOLATION pipe2(' "$tmp/err" && no_host_data "$tmp/h2" && no_host_data "$tmp/err" ||
	fail "gs -dNOSAFER hostile: rc $rc: $(cat "$tmp/err")"

# ImageMagick: PNG to JPEG at quality 80.
ok
"$C" exec -p "$P/imagemagick.ini" -A quality=80 -- $IM 'png:{in}' -quality '{quality}' 'jpeg:{out}' \
	-- "$S/samples/data/stripes-256.png" >"$tmp/s.jpg" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && [ "$(head -c 3 "$tmp/s.jpg" | od -An -tx1 | tr -d ' ')" = ffd8ff ] ||
	fail "convert png->jpeg: rc $rc: $(cat "$tmp/err")"

# ImageMagick, hostile SVG and MSL under the shipped profile: only the PNG
# and JPEG coders exist in the sandbox; loading any other is a VIOLATION
# (an executable mapping of a file the supervisor did not serve).
for h in hostile-read.svg hostile-read.msl; do
	ok
	fmt=; [ "$h" = hostile-read.msl ] && fmt=msl:
	"$C" exec -p "$P/imagemagick.ini" -A quality=80 -- $IM "${fmt}{in}" 'jpeg:{out}' -- "$D/$h" >"$tmp/h3" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -q "$h: VIOLATION" "$tmp/err" && [ ! -s "$tmp/h3" ] && no_host_data "$tmp/err" ||
		fail "convert $h: rc $rc: $(cat "$tmp/err")"
done
# With the text: and MSL coders served, the read meets the empty root.
ok
"$C" exec -v -p "$S/tests/profiles/imagemagick_text.ini" -- $IM 'text:/etc/passwd' 'jpeg:{out}' -- "$D/hostile-read.msl" \
	>"$tmp/h4" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "unable to open image \`/etc/passwd': No such file or directory" "$tmp/err" &&
	[ ! -s "$tmp/h4" ] || fail "convert text:/etc/passwd: rc $rc: $(cat "$tmp/err")"
ok
"$C" exec -p "$S/tests/profiles/imagemagick_text.ini" -- $IM 'msl:{in}' 'jpeg:{out}' -- "$D/hostile-read.msl" \
	>"$tmp/h5" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && [ ! -s "$tmp/h5" ] && no_host_data "$tmp/err" && [ ! -e /etc/caisson-msl-wrote-here.png ] ||
	fail "convert msl: rc $rc: $(cat "$tmp/err")"

# caisson verify on each shipped converter profile.
for p in pdftotext ghostscript imagemagick; do
	ok
	out=$("$C" verify -p "$P/$p.ini" 2>&1)
	rc=$?
	[ $rc = 0 ] && echo "$out" | grep -q '^verdict: PASS' || fail "verify $p: rc $rc: $(echo "$out" | grep -E 'FAIL|verdict' | head -5)"
done

echo "converters: $cases cases, $failures failure(s)"
[ $failures = 0 ]
