#!/usr/bin/env bash
# `./build.sh bench [--quick] [bench.py options]`: builds the benchmark
# programs into build/bench/ and runs tests/bench/bench.py, which times every
# workload under glibc malloc, plain mimalloc, rtprof off, rtprof on (depth 1
# and 8), heaptrack and valgrind massif, round-robin, and writes the table to
# build/bench/results.md (and the raw figures to build/bench/results.json).
# --quick is a smoke run (smaller inputs, one round; about 4 minutes on 2 CPUs);
# `bash tests/bench/run.sh --help` lists the other options.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
B=$TOP/build/bench
CC=${CC:-gcc}
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -O2 -g"

for f in build/lib/librtprof.so build/lib/librtprof-preload.so build/bin/rtprof; do
  [ -e "$f" ] || { echo "bench: $f is missing: run ./build.sh first" >&2; exit 2; }
done

# What the benchmark runs besides the build's own packages. Installed when
# root (as build.sh does for the build); otherwise the variants or workloads
# that need a missing one are skipped and say so in the table.
BENCH_PACKAGES="heaptrack valgrind sqlite3 python3 libmimalloc2.0"
missing=()
for p in $BENCH_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench: installing ${missing[*]}"
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } ||
      echo "bench: could not install ${missing[*]}; those variants are skipped" >&2
  else
    echo "bench: not installed: ${missing[*]} (run as root to install); those variants are skipped" >&2
  fi
fi

# A private copy of what is measured, so a rebuild in this tree during the
# run (another `./build.sh`) cannot change the library under test half-way.
rm -rf "$B/lib" "$B/bin"
mkdir -p "$B/lib" "$B/bin"
cp -P build/lib/librtprof.so build/lib/librtprof.so.* build/lib/librtprof-preload.so "$B/lib/" # .so.0 is the SONAME
cp build/bin/rtprof "$B/bin/"
# The microbenchmark twice: with every API (links librtprof and mimalloc,
# which then also serves malloc), and with plain malloc only (glibc's, or
# whatever heaptrack, valgrind or LD_PRELOAD put there).
$CC $CFLAGS -Iinclude tests/bench/microbench.c -o "$B/microbench" \
  -L"$B/lib" -Wl,-rpath,"$B/lib" -lrtprof -lmimalloc -lpthread
$CC $CFLAGS -DMICROBENCH_LIBC_ONLY tests/bench/microbench.c -o "$B/microbench-libc" -lpthread
# The flagship example twice: linked with librtprof (rtprof off/on), and
# with the rt_* calls going to the process's malloc through a shim library
# (glibc; plain mimalloc by preloading Debian's libmimalloc.so.2; heaptrack;
# massif), phase brackets compiled out.
$CC $CFLAGS -Iinclude examples/comptime-clone/comptime.c -o "$B/comptime" \
  -L"$B/lib" -Wl,-rpath,"$B/lib" -lrtprof
$CC $CFLAGS -fPIC -shared -Iinclude tests/bench/rt_shim.c -o "$B/librtshim.so"
$CC $CFLAGS -DRTPROF_DISABLE -Iinclude examples/comptime-clone/comptime.c -o "$B/comptime-plain" \
  -L"$B" -Wl,-rpath,"$B" -lrtshim

# Debian's mimalloc as a malloc replacement for the "plain mimalloc" runs.
MIMALLOC_SO=$(ldconfig -p 2>/dev/null | awk '/libmimalloc\.so\.2 .*x86-64/ { print $NF; exit }')
[ -n "$MIMALLOC_SO" ] || MIMALLOC_SO=$(dpkg -L libmimalloc2.0 2>/dev/null | grep -m1 'libmimalloc\.so\.2$' || true)
export MIMALLOC_SO

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
exec "$PY" tests/bench/bench.py --top "$TOP" "$@"
