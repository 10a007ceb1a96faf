#!/usr/bin/env bash
# The one entry point: installs missing Debian packages (when root), builds
# the library, the interposer and the rtprof command, and runs the demo, the
# tests, the benchmarks, a long fuzz run or the soak.
# Usage: ./build.sh [build|demo|test|bench|fuzz [SECONDS]|soak|mutate [N] [SEED]|install PREFIX|clean]
set -euo pipefail
cd "$(dirname "$0")"
TOP=$PWD
B=$TOP/build
CC=${CC:-gcc}
CFLAGS_COMMON="-std=gnu11 -Wall -Wextra -Werror -g -fno-omit-frame-pointer -fno-plt"
OPT=${OPT:--O2}
VERSION=0.1.0

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

# compile OUT.o SRC FLAGS... (skips when the object is newer than its inputs)
compile() {
  local out=$1 src=$2; shift 2
  local deps=("$src" include/*.h alloc/*.h bracket/*.h symbolize/*.h "$0")
  if [ -f "$out" ]; then
    local d newer=0
    for d in "${deps[@]}"; do [ -e "$d" ] && [ "$d" -nt "$out" ] && newer=1 && break; done
    [ $newer -eq 0 ] && return 0
  fi
  mkdir -p "$(dirname "$out")"
  $CC $CFLAGS_COMMON $OPT -Iinclude "$@" -c "$src" -o "$out"
}

LIB_SRCS="alloc/*.c bracket/*.c"

build() {
  ensure_packages
  mkdir -p "$B/bin" "$B/lib" "$B/obj"
  local objs=() pobjs=() s o
  for s in $LIB_SRCS; do
    [ "$(basename "$s")" = preload.c ] && continue
    o=$B/obj/lib/${s%.c}.o
    compile "$o" "$s" -fPIC -fvisibility=hidden
    objs+=("$o")
  done
  $CC -shared -o "$B/lib/librtprof.so.tmp" "${objs[@]}" -lmimalloc -lunwind -lpthread -Wl,-soname,librtprof.so \
    && mv "$B/lib/librtprof.so.tmp" "$B/lib/librtprof.so"
  rm -f "$B/lib/librtprof.a" && ar rcs "$B/lib/librtprof.a" "${objs[@]}"
  if [ -f alloc/preload.c ]; then
    for s in $LIB_SRCS; do
      o=$B/obj/preload/${s%.c}.o
      compile "$o" "$s" -fPIC -fvisibility=hidden -DRTPROF_PRELOAD
      pobjs+=("$o")
    done
    $CC -shared -o "$B/lib/librtprof-preload.so" "${pobjs[@]}" -lmimalloc -lunwind -lpthread -ldl
  fi
  local sobjs=()
  for s in symbolize/*.c; do
    [ -e "$s" ] || continue
    o=$B/obj/${s%.c}.o
    compile "$o" "$s"
    sobjs+=("$o")
  done
  [ ${#sobjs[@]} -gt 0 ] && $CC -o "$B/bin/rtprof" "${sobjs[@]}"
  write_pc "$B/lib/rtprof.pc" "$TOP/include" "$B/lib"
}

write_pc() {
  cat > "$1" <<EOF
# pkg-config file for librtprof
Name: rtprof
Description: mimalloc-backed debug allocator with call-site accounting and phase brackets
Version: $VERSION
Cflags: -I$2
Libs: -L$3 -Wl,-rpath,$3 -lrtprof
Libs.private: -lmimalloc -lunwind -lpthread
EOF
}

cmd=${1:-build}
case "$cmd" in
  build) build ;;
  demo) build; exec bash examples/comptime-clone/run.sh ;;
  test) build; exec bash tests/run.sh "${@:2}" ;;
  bench) build; exec bash tests/bench/run.sh "${@:2}" ;;
  fuzz) build; exec bash tests/fuzz/run.sh "${2:-600}" ;;
  soak) build; exec bash tests/stress/soak.sh "${@:2}" ;;
  mutate) exec bash tests/mutate/run.sh "${@:2}" ;;
  install)
    build
    prefix=${2:?usage: ./build.sh install PREFIX}
    mkdir -p "$prefix/bin" "$prefix/lib/pkgconfig" "$prefix/include"
    cp "$B/bin/rtprof" "$prefix/bin/"
    cp "$B"/lib/*.so "$B"/lib/*.a "$prefix/lib/"
    cp include/*.h "$prefix/include/"
    write_pc "$prefix/lib/pkgconfig/rtprof.pc" "$prefix/include" "$prefix/lib"
    echo "installed in $prefix" ;;
  clean) rm -rf "$B" ;;
  *) echo "usage: ./build.sh [build|demo|test|bench|fuzz [SECONDS]|soak|mutate [N] [SEED]|install PREFIX|clean]" >&2; exit 2 ;;
esac
