#!/usr/bin/env bash
# caisson exec's per-request cost on a real converter (issue 15): pdftotext
# over N copies of a 20-page PDF made by Ghostscript, bare (a loop of
# pdftotext), through a pooled `caisson exec -j 1` (one worker at a time,
# the next sandbox pre-spawned) and under bwrap (a loop, each run with the
# binds it needs); then one input, one-shot, caisson exec against bwrap.
# Prints the median of ROUNDS runs of each and the ratios. Not a test: the
# figure is docs/benchmarks.md's. usage: exec_pdftotext.sh BUILD_DIR SOURCE_DIR [N] [ROUNDS]
set -euo pipefail
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd); N=${3:-50}; R=${4:-5}
P="$S/tests/profiles/exec_pdftotext.ini"
tmp=$(mktemp -d /tmp/caisson-exec-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/doc.ps" <<'PS'
/Times-Roman findfont 12 scalefont setfont
1 1 20 { /p exch def
  72 720 moveto (Page ) show p 10 string cvs show
  0 1 40 { /l exch def 72 700 l 15 mul sub moveto
    (The quick brown fox jumps over the lazy dog, line ) show l 10 string cvs show } for
  showpage } for
PS
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$tmp/doc.pdf" "$tmp/doc.ps"
mkdir "$tmp/in"
for i in $(seq 1 "$N"); do cp "$tmp/doc.pdf" "$tmp/in/d$i.pdf"; done
BW=(bwrap --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin
    --unshare-all --die-with-parent --new-session --clearenv)

now() { date +%s%N; }
bare() { for pdf in "$tmp"/in/*.pdf; do pdftotext - - <"$pdf" >/dev/null; done; }
pooled() { "$B/caisson" exec -j 1 -o "$tmp/out" -p "$P" -- /usr/bin/pdftotext - - -- "$tmp"/in/*.pdf 2>/dev/null; }
bwrapped() { for pdf in "$tmp"/in/*.pdf; do "${BW[@]}" /usr/bin/pdftotext - - <"$pdf" >/dev/null; done; }
oneshot() { for i in $(seq 1 20); do "$B/caisson" exec -p "$P" -- /usr/bin/pdftotext - - <"$tmp/doc.pdf" >/dev/null; done; }
oneshot_bwrap() { for i in $(seq 1 20); do "${BW[@]}" /usr/bin/pdftotext - - <"$tmp/doc.pdf" >/dev/null; done; }

# median_us FUNCTION COUNT: the median over R rounds of one call's share, in microseconds.
median_us() {
  local f=$1 count=$2 t
  for r in $(seq 1 "$R"); do
    t=$(now); "$f"; echo $((($(now) - t) / 1000 / count))
  done | sort -n | sed -n "$(((R + 1) / 2))p"
}

pdftotext "$tmp/doc.pdf" - | cmp -s - <("$B/caisson" exec -p "$P" -- /usr/bin/pdftotext - - <"$tmp/doc.pdf") ||
  { echo "exec_pdftotext: caisson exec's answer differs from the bare tool's" >&2; exit 1; }
b=$(median_us bare "$N"); p=$(median_us pooled "$N"); w=$(median_us bwrapped "$N")
o=$(median_us oneshot 20); ow=$(median_us oneshot_bwrap 20)
echo "pdftotext, 20-page PDF, $N inputs, median of $R rounds (us per input):"
echo "  bare $b  caisson exec pooled $p  bwrap $w"
awk -v b="$b" -v p="$p" -v w="$w" 'BEGIN { printf "  pooled/bare %.2fx  pooled/bwrap %.2fx\n", p / b, p / w }'
echo "one-shot, one input per process (us): caisson exec $o  bwrap $ow"
awk -v o="$o" -v w="$ow" 'BEGIN { printf "  one-shot caisson exec/bwrap %.2fx\n", o / w }'
