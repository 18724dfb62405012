#!/usr/bin/env bash
# The caisson program, built with CAISSON_STATIC_DEPS (the default), needs
# none of libevent, libseccomp, inih and libcap as a shared library: they
# are linked in as archives (CMakeLists.txt, caisson_dep_*). One of them
# linked through its PkgConfig:: target instead shows up here. Allowed:
# glibc's own objects, the sanitizer runtimes of make asan/tsan, and
# jansson (caisson serve; kept shared, see CMakeLists.txt).
# usage: static_deps.sh CAISSON
set -uo pipefail
needed=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || { echo "static_deps: no NEEDED entry read from $1" >&2; exit 1; }
bad=$(printf '%s\n' $needed | grep -Ev '^(libc|libm|libdl|librt|libpthread|libgcc_s|libstdc\+\+|libasan|libubsan|libtsan|libjansson)\.so(\.|$)|^ld-linux')
if [ -n "$bad" ]; then
  echo "static_deps: $1 needs shared third-party libraries: $(echo $bad); link them through caisson_dep_*" >&2
  exit 1
fi
echo "static_deps: $1 needs only $(echo $needed)"
