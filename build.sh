#!/usr/bin/env bash
# The one entry point: installs missing Debian packages (when root), builds
# the library, the interposer and the rtprof command, and runs the demo, the
# tests, the benchmarks, a long fuzz run or the soak.
# Usage: ./build.sh [build|demo|test|bench|fuzz [SECONDS]|soak|install PREFIX|clean]
set -euo pipefail
cd "$(dirname "$0")"
TOP=$PWD
B=$TOP/build
CC=${CC:-gcc}

# Debian packages the build, the demo and the tests need.
PACKAGES="gcc clang libclang-rt-14-dev make binutils libmimalloc-dev libunwind-dev pkg-config python3 g++ gdb"

ensure_packages() {
  local missing=() p
  for p in $PACKAGES "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "build.sh: installing ${missing[*]}"
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
      apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
    fi
  else
    echo "build.sh: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 2
  fi
}

# build [MAKE ARGS...]: the library, the interposer and the command into
# build/ through the Makefile (the packagers' build). CFLAGS, CPPFLAGS,
# LDFLAGS, PREFIX, LIBDIR and DESTDIR from the environment reach it.
build() {
  ensure_packages
  make -s -j"$(nproc)" CC="$CC" "$@"
}

cmd=${1:-build}
case "$cmd" in
  build) build ;;
  demo) build; exec bash examples/comptime-clone/run.sh ;;
  test) build WERROR=-Werror; exec bash tests/run.sh "${@:2}" ;;
  bench) build; exec bash tests/bench/run.sh "${@:2}" ;;
  fuzz) build; exec bash tests/fuzz/run.sh "${2:-600}" ;;
  soak) build; exec bash tests/stress/soak.sh "${@:2}" ;;
  install)
    prefix=${2:?usage: ./build.sh install PREFIX   (DESTDIR, LIBDIR, CFLAGS... from the environment)}
    build PREFIX="$prefix" install
    echo "installed in ${DESTDIR:-}$prefix" ;;
  clean) make -s clean ;;
  *) echo "usage: ./build.sh [build|demo|test|bench|fuzz [SECONDS]|soak|install PREFIX|clean]" >&2; exit 2 ;;
esac
