#!/usr/bin/env bash
# readme_commands: runs every command shown in README.md and checks what it
# prints, so the front page cannot drift from the code. Run by ctest as
# `readme_commands.sh BUILD_DIR SOURCE_DIR [SANITIZER_FLAGS]`, as the invoking
# user; writes only under a temporary directory it removes.
#
# The README's conventions, checked here:
#   ```sh          a transcript: each "$ " line is a command (continued on the
#                  next line while it ends with "\"), the lines after it are
#                  what it prints (stdout and stderr); "..." alone stands
#                  for any number of lines, and a line ending in "..." for
#                  any line that begins with what precedes it (a hash, a
#                  rate). A command must exit 0, unless the next one is
#                  `echo $?`, which shows its status.
#   ```sh norun    shown, never run (make demo installs packages; make test
#                  would run this test).
#   <!-- file: NAME -->  on the line before a block: the block is written to
#                  NAME in the scratch directory, for the commands after it.
# Any other shell fence (bash, shell, console) is refused: say sh.
# Commands run in document order from a scratch directory holding a symlink
# to each top-level entry of the source tree and `build` -> BUILD_DIR, the one
# path a reader chooses. With SANITIZER_FLAGS (an ASan build), `cc` adds them
# when linking a program (a program linked with a sanitized libcaisson needs
# them); a plugin (-shared) is built as written: workers never run ASan.
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: readme_commands.sh BUILD_DIR SOURCE_DIR [SANITIZER_FLAGS]" >&2
	exit 2
fi
BUILD=$(cd "$1" && pwd) || exit 2
SRC=$(cd "$2" && pwd) || exit 2
SANFLAGS=${3:-}
README=$SRC/README.md

WORK=$(mktemp -d "${TMPDIR:-/tmp}/caisson-readme.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
SCRATCH=$WORK/scratch
TOOLS=$WORK/tools
mkdir -p "$SCRATCH" "$TOOLS" "$WORK/run"
for e in "$SRC"/* "$SRC"/.[!.]*; do
	[ -e "$e" ] || continue
	name=${e##*/}
	case $name in build | build-* | .git) continue ;; esac
	ln -s "$e" "$SCRATCH/$name"
done
ln -s "$BUILD" "$SCRATCH/build"

if [ -n "$SANFLAGS" ]; then
	realcc=$(command -v cc) || { echo "readme: no cc on PATH" >&2; exit 1; }
	cat >"$TOOLS/cc" <<EOF
#!/bin/sh
case " \$* " in *" -shared "*) exec "$realcc" "\$@" ;; esac
exec "$realcc" $SANFLAGS "\$@"
EOF
	chmod +x "$TOOLS/cc"
fi

fail=0
ncmds=0
nblocks=0
norun=""

bad() {
	echo "README.md:$1: $2" >&2
	fail=1
}

# Does line $2 (actual) match line $1 (expected)? "text..." is a prefix.
line_matches() {
	if [[ $1 == ?*... ]]; then
		[[ $2 == "${1%...}"* ]]
	else
		[[ $1 == "$2" ]]
	fi
}

# Does actual output (array A) match expected (array E) from E[i], A[j] on?
# "..." in E matches any run of lines, including none.
matches() {
	local i=$1 j=$2 k
	while ((i < ${#E[@]})); do
		if [[ ${E[i]} == "..." ]]; then
			((i + 1 == ${#E[@]})) && return 0
			for ((k = j; k <= ${#A[@]}; k++)); do
				matches $((i + 1)) "$k" && return 0
			done
			return 1
		fi
		((j < ${#A[@]})) && line_matches "${E[i]}" "${A[j]}" || return 1
		((i++, j++))
	done
	((j == ${#A[@]}))
}

# Runs one transcript block (lines in BLOCK, first at README line START).
run_block() {
	local start=$1 n=0 i line cont=0 script=$WORK/run/block.sh
	local -a cmd cmdline expect

	for ((i = 0; i < ${#BLOCK[@]}; i++)); do
		line=${BLOCK[i]}
		if ((cont)); then
			cmd[n - 1]+=$'\n'$line
		elif [[ $line == '$ '* ]]; then
			cmd[n]=${line#'$ '}
			cmdline[n]=$((start + i))
			expect[n]=""
			n=$((n + 1))
		elif ((n == 0)); then
			bad $((start + i)) "output before any \"\$ \" command in a sh block"
			return
		else
			expect[n - 1]+=$line$'\n'
		fi
		[[ $line == *\\ ]] && cont=1 || cont=0
	done
	{
		echo "cd \"\$1\" || exit 99"
		echo "__st=0"
		for ((i = 0; i < n; i++)); do
			printf '(exit $__st); { %s\n} >"$2/out.%d" 2>&1 </dev/null; __st=$?; echo $__st >"$2/rc.%d"\n' \
				"${cmd[i]}" "$i" "$i"
		done
	} >"$script"
	rm -f "$WORK"/run/out.* "$WORK"/run/rc.*
	PATH=$TOOLS:$PATH LC_ALL=C timeout 300 bash "$script" "$SCRATCH" "$WORK/run"
	for ((i = 0; i < n; i++)); do
		ncmds=$((ncmds + 1))
		if [ ! -f "$WORK/run/rc.$i" ]; then
			bad "${cmdline[i]}" "\`${cmd[i]}\` did not finish (the block stopped or timed out)"
			return
		fi
		local rc
		rc=$(cat "$WORK/run/rc.$i")
		if [ "$rc" != 0 ] && [ "${cmd[i + 1]:-}" != 'echo $?' ]; then
			bad "${cmdline[i]}" "\`${cmd[i]}\` exited $rc (show it with \`echo \$?\` if that is intended); it printed:"
			sed 's/^/    /' "$WORK/run/out.$i" >&2
		fi
		mapfile -t E < <(printf '%s' "${expect[i]}")
		mapfile -t A <"$WORK/run/out.$i"
		if ! matches 0 0; then
			bad "${cmdline[i]}" "\`${cmd[i]}\` printed other output than the README shows (- README, + real):"
			diff <(printf '%s' "${expect[i]}") "$WORK/run/out.$i" | sed -n 's/^[<>] /&/p' |
				sed 's/^< /    - /; s/^> /    + /' >&2
		fi
	done
}

in_block=0
file=""
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	if ((in_block)); then
		if [[ $line == '```' ]]; then
			in_block=0
			if [ -n "$file" ]; then
				printf '%s\n' "${BLOCK[@]}" >"$SCRATCH/$file"
			elif [ "$info" = sh ]; then
				nblocks=$((nblocks + 1))
				run_block "$bstart"
			elif [ "$info" = "sh norun" ]; then
				norun="$norun ${bstart}"
			fi
			file=""
		else
			BLOCK+=("$line")
		fi
		continue
	fi
	if [[ $line =~ ^'<!-- file: '([A-Za-z0-9_.-]+)' -->'$ ]]; then
		file=${BASH_REMATCH[1]}
		continue
	fi
	if [[ $line == '```'* ]]; then
		info=${line#'```'}
		case $info in
		sh | "sh norun" | c | ini | "") ;;
		sh* | bash* | shell* | console*) bad "$lineno" "unknown shell fence '$line': use \`\`\`sh or \`\`\`sh norun" ;;
		esac
		in_block=1
		bstart=$((lineno + 1))
		BLOCK=()
		continue
	fi
	[ -n "$line" ] && file=""
done <"$README"
((in_block)) && bad "$lineno" "code block not closed"

if ((ncmds == 0)); then
	bad 1 "no command found in any \`\`\`sh block: the extractor or the README is broken"
fi
echo "README.md: $ncmds commands in $nblocks blocks run; blocks not run (sh norun) at lines:${norun:- none}"
if ((fail)); then
	echo "readme_commands: FAILED" >&2
	exit 1
fi
echo "readme_commands: ok"
