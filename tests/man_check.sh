#!/usr/bin/env bash
# man_check: the man pages in docs/man render without a warning and document
# what the code has: every subcommand and option of caisson(1) (from each
# command's --help and its long-option table), every profile key with its
# range, every unit and syscall group of caisson.profile(5) (from the tables
# the parser uses), and every function of caisson.h and caisson_plugin.h in
# libcaisson(3); they document nothing that is gone; and `cmake --install`
# puts them where man(1) finds them. Run by ctest as
# `man_check.sh BUILD_DIR SOURCE_DIR` as the invoking user; writes only
# under a temporary directory it removes.
# Layout it relies on (groff -man -Tascii): a subsection heading is indented
# 3 spaces, an item's tag 7 (its text 14), a section heading 0.
set -u

if [ $# -ne 2 ]; then
	echo "usage: man_check.sh BUILD_DIR SOURCE_DIR" >&2
	exit 2
fi
BUILD=$1
SRC=$2
MAN=$SRC/docs/man
CAISSON=$BUILD/caisson
WORK=$(mktemp -d "${TMPDIR:-/tmp}/caisson-man.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
fail=0

bad() {
	echo "$*" >&2
	fail=1
}

# --- (a) every page renders without a warning ---------------------------
pages=("$MAN"/*.[1-8])
[ -e "${pages[0]}" ] || { echo "man_check: no man page in $MAN" >&2; exit 1; }
for page in "${pages[@]}"; do
	if ! groff -man -ww -z -Tutf8 "$page" 2>"$WORK/warn" || [ -s "$WORK/warn" ]; then
		bad "${page#"$SRC"/}: groff -man -ww reports:"
		sed 's/^/    /' "$WORK/warn" >&2
	fi
	groff -man -Tascii -P-cbou "$page" >"$WORK/${page##*/}.txt" 2>/dev/null
done

# Lines of the (sub)section titled $2 in rendered page $1, up to the next
# heading of either level.
section() {
	awk -v h="$2" '
		/^[^ ]/ || /^   [^ ]/ { on = ($0 ~ /^ */ && substr($0, match($0, /[^ ]/)) == h); next }
		on' "$WORK/$1.txt"
}

# Titles of the subsections of page $1 (one per line).
subsections() {
	sed -n 's/^   \([^ ].*\)$/\1/p' "$WORK/$1.txt"
}

# The items (.TP) of the section text on stdin, one per line: "TAG<tab>TEXT".
# A tag is a line indented 7 whose text follows on lines indented 14, or a
# short tag sharing its line with the text, which then starts at column 15.
items() {
	awk '
		function flush() { if (tag != "") { gsub(/  +/, " ", text); print tag "\t" text }; tag = "" }
		{ line[NR] = $0 }
		END {
			for (i = 1; i <= NR; i++) {
				l = line[i]
				if (l ~ /^       [^ ]/ && line[i + 1] ~ /^              [^ ]/) {
					flush(); tag = substr(l, 8); text = tag
				} else if (l ~ /^       [^ ]/ && substr(l, 13, 2) == "  " && substr(l, 15, 1) != " ") {
					flush(); tag = substr(l, 8); sub(/  .*/, "", tag); text = substr(l, 8)
				} else if (tag != "" && l ~ /^        /) {
					text = text " " l
				} else
					flush()
			}
			flush()
		}'
}

# The text of the item on stdin (items) whose tag lists option $1, as in
# "-o, --output DIR" or "-max_len=N".
item_for_option() {
	awk -F '\t' -v opt="$1" '
		function tagged(t,   rest) {
			rest = t
			while (1) {
				if (index(rest, opt) == 1 && (length(rest) == length(opt) ||
				    substr(rest, length(opt) + 1, 1) ~ /[ ,=[]/))
					return 1
				if (!match(rest, /^-[^ ,]*( [^ ,-][^ ,]*)?, /))
					return 0
				rest = substr(rest, RLENGTH + 1)
			}
		}
		tagged($1) { print $2; exit }'
}

# The text of the item whose tag is word $1 (a key "name = ..." or "@group").
item_for_word() {
	awk -F '\t' -v w="$1" '$1 == w || index($1, w " ") == 1 { print $2; exit }'
}

# --- (b) caisson(1): subcommands and options -----------------------------
OPTRE='--?[A-Za-z][A-Za-z0-9_-]*'
# A placeholder such as -FLAG in a usage line is not an option.
not_placeholder() { grep -v -E '^--?[A-Z][A-Z0-9_]+$'; }
"$CAISSON" --help >"$WORK/help.top" 2>&1 || bad "caisson --help exited non-zero"
commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' "$WORK/help.top")
[ -n "$commands" ] || bad "caisson --help lists no commands (man_check cannot read it)"
subsections caisson.1 >"$WORK/sections.1"
for cmd in $commands; do
	if ! "$CAISSON" "$cmd" --help >"$WORK/help.$cmd" 2>&1; then
		bad "caisson $cmd --help exited non-zero"
		continue
	fi
	if ! grep -q -x -e "caisson $cmd" -e "caisson $cmd .*" "$WORK/sections.1"; then
		bad "caisson(1) docs/man/caisson.1: command '$cmd' has no subsection: add .SS \"caisson $cmd\""
		continue
	fi
	# The usage lines: subcommands, and options that belong to one.
	: >"$WORK/need.$cmd"
	while read -r _ _ sub rest; do
		where="caisson $cmd"
		if [[ $sub =~ ^[a-z][a-z-]*$ ]]; then
			where="caisson $cmd $sub"
			grep -q -x "$where" "$WORK/sections.1" ||
				bad "caisson(1) docs/man/caisson.1: subcommand '$cmd $sub' has no subsection: add .SS \"$where\""
		else
			rest="$sub $rest"
		fi
		for o in $(grep -oE "(^|[ [|(])$OPTRE" <<<"$rest" | sed 's/^[ [|(]//' | not_placeholder); do
			echo "$o|$where"
		done
	done < <(sed -n 's/^\(usage: \)\{0,1\} *\(caisson '"$cmd"'\b.*\)$/\2/p' "$WORK/help.$cmd") >>"$WORK/need.$cmd"
	# The option lines ("  -o DIR, --output DIR   text"): any section of the command.
	sed -n 's/^ \{1,\}\(-[^ ].*\)$/\1/p' "$WORK/help.$cmd" | sed 's/   .*//' |
		grep -oE "(^|[ ,])$OPTRE" | sed 's/^[ ,]//; s/$/|caisson '"$cmd"'/' >>"$WORK/need.$cmd"
	# Options the code accepts, even if --help omits them: getopt's long
	# options, and the libFuzzer-style flags cmd_fuzz.c matches with IS("name").
	if [ -f "$SRC/supervisor/cli/cmd_$cmd.c" ]; then
		grep -oE '\{ *"[a-z][a-z0-9-]*", *(no|required|optional)_argument' "$SRC/supervisor/cli/cmd_$cmd.c" |
			sed 's/^{ *"\([^"]*\)".*/--\1|caisson '"$cmd"'/' >>"$WORK/need.$cmd"
		grep -oE '\<IS\("[a-z][a-z0-9_]*"\)' "$SRC/supervisor/cli/cmd_$cmd.c" |
			sed 's/^IS("\([^"]*\)")$/-\1|caisson '"$cmd"'/' >>"$WORK/need.$cmd"
	fi
	while IFS='|' read -r opt where; do
		found=0
		while IFS= read -r title; do
			[ "$title" = "$where" ] || [[ $title == "$where "* ]] || continue
			[ -n "$(section caisson.1 "$title" | items | item_for_option "$opt")" ] && { found=1; break; }
		done <"$WORK/sections.1"
		((found)) || bad "caisson(1) docs/man/caisson.1: option $opt of '$where' is not documented:" \
			"add it as an item (.TP) under .SS \"$where\""
	done < <(sort -u "$WORK/need.$cmd")
	# And the reverse: an option documented for this command that it no longer has.
	{
		cut -d'|' -f1 "$WORK/need.$cmd"
		grep -ohE 'getopt[a-z_]*\([^"]*"[^"]*"' "$SRC/supervisor/cli/cmd_$cmd.c" 2>/dev/null |
			sed 's/.*"\([^"]*\)"$/\1/; s/[+:]//g' | grep -o . | sed 's/^/-/'
		# and options matched as strings (strcmp(s, "-h")).
		grep -ohE '"--?[a-z][a-z0-9_-]*"' "$SRC/supervisor/cli/cmd_$cmd.c" 2>/dev/null | tr -d '"'
	} | sort -u >"$WORK/known.$cmd"
	while IFS= read -r title; do
		[ "$title" = "caisson $cmd" ] || [[ $title == "caisson $cmd "* ]] || continue
		while read -r opt; do
			grep -q -x -e "$opt" "$WORK/known.$cmd" ||
				bad "caisson(1) docs/man/caisson.1: '$title' documents $opt, which 'caisson $cmd' does not accept"
		done < <(section caisson.1 "$title" | items | cut -f1 | grep '^-' |
			grep -oE "(^|, )$OPTRE" | sed 's/^, //')
	done <"$WORK/sections.1"
done

# --- (c) caisson.profile(5): keys, ranges, groups, units -----------------
"$BUILD/tests/man_tables" >"$WORK/tables" || bad "man_tables failed"
P5="caisson.profile(5) docs/man/caisson.profile.5"
while read -r kind a b c; do
	[ "$kind" = key ] || continue
	item=$(section caisson.profile.5 "[$a]" | items | item_for_word "$b")
	if [ -z "$item" ]; then
		bad "$P5: key [$a] $b is not documented: add it as an item (.TP) under .SS [$a]"
	elif [ "$c" != - ] && [[ " $item " != *[\ ,\(]"$c"[\ ,.\;\)]* ]]; then
		bad "$P5: key [$a] $b: its range $c (supervisor/policy/profile_keys.c) is not in its item: $item"
	fi
done <"$WORK/tables"
# Keys documented that the parser does not know.
while read -r title; do
	sec=${title#[}
	sec=${sec%]}
	while read -r key; do
		grep -q -x "key $sec $key .*" "$WORK/tables" ||
			bad "$P5: documents key [$sec] $key, which the profile parser does not accept"
	done < <(section caisson.profile.5 "$title" | items | cut -f1 | sed -n 's/^\([a-z_][a-z0-9_]*\) = .*/\1/p')
done < <(subsections caisson.profile.5 | grep -x '\[.*\]')
while read -r kind name members; do
	[ "$kind" = group ] || continue
	item=$(section caisson.profile.5 "SYSCALL GROUPS" | items | item_for_word "$name")
	if [ -z "$item" ]; then
		bad "$P5: syscall group $name is not documented: add it as an item under .SH \"SYSCALL GROUPS\""
		continue
	fi
	words=" $(tr ',:;().' ' ' <<<"$item" | tr -s ' ') "
	for m in $members; do
		[[ $words == *" $m "* ]] ||
			bad "$P5: syscall group $name: member $m (supervisor/policy/sysgroups.c) is not in its item"
	done
done <"$WORK/tables"
units=$(awk '/units_(durations|sizes)\[\] = \{/ { on = 1; next } on && /^\};/ { on = 0 }
	on && match($0, /\{ "[^"]+"/) { print substr($0, RSTART + 3, RLENGTH - 4) }' "$SRC/supervisor/policy/units.c")
[ -n "$units" ] || bad "man_check: no unit found in supervisor/policy/units.c"
unitsec=" $(section caisson.profile.5 UNITS | tr -s ' \n' '  ') "
for u in $units; do
	[[ $unitsec == *[\ ,:]"$u ("* ]] ||
		bad "$P5: unit '$u' (supervisor/policy/units.c) is not documented: add '$u (meaning)' under .SH UNITS"
done

# --- (d) libcaisson(3): every function of the two public headers ---------
L3="libcaisson(3) docs/man/libcaisson.3"
{
	sed -n 's/^[a-z].*[ *]\(caisson_[a-z_]*\)(.*/\1/p' "$SRC/supervisor/broker/caisson.h" "$SRC/worker/caisson_plugin.h"
	nm -D --defined-only "$BUILD/libcaisson.so" | awk '$3 ~ /^caisson_/ { sub(/@.*/, "", $3); print $3 }'
} | sort -u >"$WORK/functions"
[ -s "$WORK/functions" ] || bad "man_check: no function found in caisson.h or libcaisson.so"
synopsis=$(section libcaisson.3 SYNOPSIS)
sed 's/^   [^ ].*//' "$WORK/libcaisson.3.txt" | awk '/^SYNOPSIS/ { s = 1; next } /^[A-Z]/ { s = 0 } !s' |
	items | cut -f1 >"$WORK/body.3"
while read -r fn; do
	grep -q "[ *]$fn(" <<<"$synopsis" ||
		bad "$L3: $fn is not in the SYNOPSIS: add its prototype"
	grep -q -x "$fn" "$WORK/body.3" ||
		bad "$L3: $fn is not described: add it as an item (.TP) in DESCRIPTION"
done <"$WORK/functions"

# --- (e) cmake --install puts each page where man finds it ----------------
if cmake --install "$BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1; then
	for page in "${pages[@]}"; do
		name=${page##*/}
		man -w -M "$WORK/prefix/share/man" "${name##*.}" "${name%.*}" >/dev/null 2>&1 ||
			bad "${page#"$SRC"/}: not installed where man finds it (cmake --install to $WORK/prefix)"
	done
else
	bad "cmake --install failed:"
	sed 's/^/    /' "$WORK/install.log" >&2
fi

if ((fail)); then
	echo "man_check: FAILED" >&2
	exit 1
fi
echo "man_check: ${#pages[@]} pages render; $(echo $commands | wc -w) commands, $(grep -c '^key ' "$WORK/tables") profile keys," \
	"$(grep -c '^group ' "$WORK/tables") groups, $(echo $units | wc -w) units and $(wc -l <"$WORK/functions") functions documented"
