#!/usr/bin/env bash
# Install anywhere: `cmake --install` to a temporary prefix, once with
# --prefix at install time and once with DESTDIR under the configured
# prefix; then, from the installed tree only, a program built with
# `pkg-config --cflags --libs caisson` alone runs the echo sample, the
# installed caisson runs it too, and with a helper missing both name every
# place they looked.
# usage: install_test.sh BUILD_DIR SOURCE_DIR CC CONFIGURED_PREFIX CONFIGURED_LIBEXECDIR [CFLAGS...]
# (CFLAGS: the sanitizer flags of an instrumented build, which the
# program linking libcaisson needs too)
set -uo pipefail
B=$1; S=$2; CC=$3; CONF_PREFIX=$4; CONF_LIBEXEC=$5; shift 5
EXTRA=("$@")
tmp=$(mktemp -d /tmp/caisson-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0; count=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
DEF="$S/profiles/default.ini"
ECHO="$B/samples/echo.so"

# check_tree NAME ROOT: everything below runs from the tree installed at ROOT.
check_tree() {
  local name=$1 root=$2 pcdir pc_prefix libdir out rc
  count=$((count + 1))
  pcdir=$(dirname "$(find "$root" -name caisson.pc)")
  [ -f "$pcdir/caisson.pc" ] || { fail "$name: no caisson.pc under $root"; return; }
  pc_prefix=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=prefix caisson)
  [ "$(cd "$pc_prefix" && pwd -P)" = "$(cd "$root" && pwd -P)" ] ||
    fail "$name: caisson.pc prefix $pc_prefix is not $root"
  libdir=$(cd "$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=libdir caisson)" && pwd -P)
  PKG_CONFIG_PATH=$pcdir pkg-config --print-requires caisson | grep -qx libevent ||
    fail "$name: libevent is not in Requires"

  # A program built from pkg-config alone (no -I or -L of ours) runs a plugin.
  # shellcheck disable=SC2046
  if ! "$CC" "${EXTRA[@]}" -o "$tmp/embed-$name" "$S/tests/install/embed.c" \
       $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs caisson) 2>"$tmp/cc.err"; then
    fail "$name: embed.c did not build with pkg-config caisson: $(head -c 600 "$tmp/cc.err")"
    return
  fi
  out=$(LD_LIBRARY_PATH=$libdir "$tmp/embed-$name" "$DEF" "$ECHO" "hello from $name" 2>"$tmp/err")
  [ "$out" = "OK hello from $name" ] || fail "$name: embed answered '$out' ($(cat "$tmp/err"))"
  # And the installed caisson, with its helpers found relative to itself.
  printf 'run %s' "$name" >"$tmp/in.txt"
  out=$("$root/bin/caisson" run -p "$DEF" "$ECHO" "$tmp/in.txt" 2>"$tmp/err")
  [ "$out" = "run $name" ] || fail "$name: installed caisson run gave '$out' ($(cat "$tmp/err"))"

  # The zygote missing: one line naming every place, from both.
  mv "$root/libexec/caisson/caisson-zygote" "$tmp/caisson-zygote"
  local want="caisson-zygote not found in $root/bin/../libexec/caisson, $root/bin, \$CAISSON_LIBEXECDIR (not set) or $CONF_LIBEXEC"
  "$root/bin/caisson" run -p "$DEF" "$ECHO" "$tmp/in.txt" >/dev/null 2>"$tmp/err" </dev/null
  rc=$?
  [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "caisson: $want" ] ||
    fail "$name: missing zygote: exit $rc, '$(cat "$tmp/err")', want 'caisson: $want'"
  want="caisson-zygote not found in $libdir/../libexec/caisson, $libdir, \$CAISSON_LIBEXECDIR=$tmp/nowhere or $CONF_LIBEXEC"
  CAISSON_LIBEXECDIR=$tmp/nowhere LD_LIBRARY_PATH=$libdir "$tmp/embed-$name" "$DEF" "$ECHO" x >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] && [ "$(cat "$tmp/err")" = "embed: $want" ] ||
    fail "$name: missing zygote (library): got '$(cat "$tmp/err")', want 'embed: $want'"
  # The environment override is read by the library and by caisson.
  out=$(CAISSON_LIBEXECDIR=$tmp LD_LIBRARY_PATH=$libdir "$tmp/embed-$name" "$DEF" "$ECHO" env 2>&1)
  [ "$out" = "OK env" ] || fail "$name: library ignored CAISSON_LIBEXECDIR: '$out'"
  out=$(CAISSON_LIBEXECDIR=$tmp "$root/bin/caisson" run -p "$DEF" "$ECHO" "$tmp/in.txt" 2>&1)
  [ "$out" = "run $name" ] || fail "$name: caisson ignored CAISSON_LIBEXECDIR: '$out'"
  mv "$tmp/caisson-zygote" "$root/libexec/caisson/caisson-zygote"

  # caisson verify's probes, the same way.
  mv "$root/libexec/caisson/caisson-probes.so" "$tmp/"
  "$root/bin/caisson" verify -p "$DEF" >/dev/null 2>"$tmp/err"
  rc=$?
  want="caisson verify: caisson-probes.so not found in $root/bin/../libexec/caisson, $root/bin, \$CAISSON_LIBEXECDIR (not set) or $CONF_LIBEXEC"
  [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "$want" ] || fail "$name: missing probes: exit $rc, '$(cat "$tmp/err")'"
  mv "$tmp/caisson-probes.so" "$root/libexec/caisson/"
}

# 1. The prefix chosen at install time.
count=$((count + 1))
if cmake --install "$B" --prefix "$tmp/P" >"$tmp/install.log" 2>&1; then
  check_tree prefix "$tmp/P"
else
  fail "cmake --install --prefix: $(tail -5 "$tmp/install.log")"
fi
# 2. DESTDIR: staged under the configured prefix, used from the stage.
count=$((count + 1))
if DESTDIR=$tmp/stage cmake --install "$B" >"$tmp/install.log" 2>&1; then
  check_tree destdir "$tmp/stage$CONF_PREFIX"
else
  fail "DESTDIR cmake --install: $(tail -5 "$tmp/install.log")"
fi

echo "install_test: $count cases, $fails failure(s)"
[ "$fails" -eq 0 ]
