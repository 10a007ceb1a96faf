#!/usr/bin/env bash
# The one entry point: installs missing Debian packages (when root), builds
# the library, the interposer and the rtprof command through the Makefile
# (warnings are errors in `test` only), and runs the demo, the tests, the
# benchmarks, a long fuzz run or the soak; installs (`make install`) or
# builds the Debian packages.
# Usage: ./build.sh [build|demo|test|bench|fuzz [SECONDS]|soak|install PREFIX|deb|clean]
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

# ---- Debian packages ------------------------------------------------------------
# deb: stages `make install` with Debian's flags and paths, splits it into the
# packages rtprof (command, interposer, man 1, completion), librtprof0 (the
# shared library) and librtprof-dev (headers, .a, .so link, rtprof.pc, man 3),
# writes their control files (control, md5sums, shlibs, symbols, triggers),
# copyright and changelog.Debian.gz, builds them with dpkg-deb into
# build/deb/ and runs lintian (the remaining tags: docs/packaging.md).
DEB_REVISION=1

# deb_control PACKAGE DEPENDS: a package's DEBIAN/control.
deb_control() {
  local pkg=$1 depends=$2 dir=$D/debian/$1
  local section=devel multi= desc
  case $pkg in
    rtprof) desc="allocation profiler for C programs: reports, diffs and budget checks
 rtprof reads the dumps that librtprof writes when a program runs with
 RTPROF=1 and prints exact allocation figures by call site and by phase,
 symbolized offline with addr2line: top sites, leaks, a phase tree, HTML,
 pprof and flame graph output, a diff of two runs, and budget checks that
 fail a CI job. 'rtprof run' profiles an unmodified program through the
 malloc interposer shipped in this package." ;;
    librtprof0) section=libs multi="Multi-Arch: same"
      desc="debug allocator with call-site accounting and phase brackets
 librtprof is a mimalloc-backed allocator that a program or a language
 runtime links in place of its own. With RTPROF=1 in the environment every
 block is tagged with its call site, per-site and per-phase counters are kept
 in bounded tables, and a dump is written at exit for rtprof(1) to read.
 .
 This package contains the shared library." ;;
    librtprof-dev) section=libdevel multi="Multi-Arch: same"
      desc="debug allocator with call-site accounting (development files)
 librtprof is a mimalloc-backed allocator that a program or a language
 runtime links in place of its own, with exact per-site and per-phase
 allocation accounting read back by rtprof(1).
 .
 This package contains the headers, the static library, the pkg-config
 file and the rtprof(3) manual page." ;;
  esac
  mkdir -p "$dir/DEBIAN"
  {
    echo "Package: $pkg"
    echo "Source: rtprof"
    echo "Version: $DEB_VERSION"
    echo "Architecture: $ARCH"
    echo "Maintainer: $MAINTAINER"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$dir" | cut -f1)"
    echo "Depends: $depends"
    echo "Section: $section"
    echo "Priority: optional"
    [ -z "$multi" ] || echo "$multi"
    echo "Description: $desc"
  } > "$dir/DEBIAN/control"
}

# deb_doc PACKAGE: copyright and changelog.Debian.gz in usr/share/doc/PACKAGE.
deb_doc() {
  local doc=$D/debian/$1/usr/share/doc/$1
  mkdir -p "$doc"
  cat > "$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rtprof
Comment: Built from the rtprof source tree by './build.sh deb'. The sources
 carry no license statement yet: until their authors add one, these packages
 are for local use, not for redistribution (see docs/packaging.md).

Files: *
Copyright: $(date -u -d "@$SOURCE_DATE_EPOCH" +%Y) the rtprof authors
License: unknown
 The rtprof sources state no license.
EOF
  printf 'rtprof (%s) unstable; urgency=medium\n\n  * Built by ./build.sh deb from the rtprof source tree.\n\n -- %s  %s\n' \
    "$DEB_VERSION" "$MAINTAINER" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")" | gzip -9n > "$doc/changelog.Debian.gz"
}

# deb_take PACKAGE PATH...: moves staged paths into a package's tree.
deb_take() {
  local pkg=$1 path; shift
  for path in "$@"; do
    mkdir -p "$D/debian/$pkg/$(dirname "$path")"
    mv "$S/$path" "$D/debian/$pkg/$path"
  done
}

deb() {
  ensure_packages dpkg-dev lintian
  local MA ARCH DEB_VERSION MAINTAINER VERSION S D=$B/deb p left dep_tool dep_lib
  MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
  ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
  VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
  DEB_VERSION=$VERSION-$DEB_REVISION
  MAINTAINER="${DEBFULLNAME:-rtprof maintainers} <${DEBEMAIL:-rtprof@localhost}>"
  export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
  rm -rf "$D" && mkdir -p "$D"
  S=$D/stage
  # Debian's flags (hardening=+all: -z now too), its paths, a build tree of its own
  eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
  make -s -j"$(nproc)" CC="$CC" WERROR= BUILDDIR="$D/build" PREFIX=/usr LIBDIR="/usr/lib/$MA" DESTDIR="$S" install
  # dh_strip's and dh_compress's work: no debug info in the packages, gzipped manuals
  strip --remove-section=.comment --remove-section=.note --strip-unneeded \
    "$S/usr/bin/rtprof" "$S/usr/lib/$MA/librtprof.so.$VERSION" "$S/usr/lib/$MA/rtprof/librtprof-preload.so"
  strip --remove-section=.comment --remove-section=.note --strip-debug --enable-deterministic-archives \
    "$S/usr/lib/$MA/librtprof.a"
  gzip -9n "$S"/usr/share/man/man*/*

  # the split: each staged path goes to exactly one package
  deb_take rtprof usr/bin/rtprof "usr/lib/$MA/rtprof" usr/share/man/man1 usr/share/bash-completion
  deb_take librtprof0 "usr/lib/$MA/librtprof.so.0" "usr/lib/$MA/librtprof.so.$VERSION"
  deb_take librtprof-dev usr/include "usr/lib/$MA/librtprof.a" "usr/lib/$MA/librtprof.so" "usr/lib/$MA/pkgconfig" \
    usr/share/man/man3
  left=$(cd "$S" && find . -type f -o -type l)
  [ -z "$left" ] || { echo "build.sh deb: files in no package: $left" >&2; exit 1; }

  # dpkg-shlibdeps reads debian/control and the packages' trees under debian/
  printf 'Source: rtprof\n\nPackage: rtprof\nArchitecture: any\n\nPackage: librtprof0\nArchitecture: any\n' \
    > "$D/debian/control"
  dep_tool=$(cd "$D" && dpkg-shlibdeps -O debian/rtprof/usr/bin/rtprof "debian/rtprof/usr/lib/$MA/rtprof/librtprof-preload.so")
  dep_lib=$(cd "$D" && dpkg-shlibdeps -O "debian/librtprof0/usr/lib/$MA/librtprof.so.$VERSION")

  # the library's shlibs, symbols (every exported symbol, since this version), ldconfig trigger
  mkdir -p "$D/debian/librtprof0/DEBIAN"
  echo "librtprof 0 librtprof0 (>= $VERSION)" > "$D/debian/librtprof0/DEBIAN/shlibs"
  {
    echo "librtprof.so.0 librtprof0 #MINVER#"
    echo "* Build-Depends-Package: librtprof-dev"
    nm -D --defined-only "$D/debian/librtprof0/usr/lib/$MA/librtprof.so.$VERSION" |
      awk '$2 ~ /^[TDBVWRi]$/ { print " " $3 "@Base '"$VERSION"'" }' | LC_ALL=C sort
  } > "$D/debian/librtprof0/DEBIAN/symbols"
  echo "activate-noawait ldconfig" > "$D/debian/librtprof0/DEBIAN/triggers"

  deb_control rtprof "${dep_tool#shlibs:Depends=}, binutils"
  deb_control librtprof0 "${dep_lib#shlibs:Depends=}"
  deb_control librtprof-dev "librtprof0 (= $DEB_VERSION), libmimalloc-dev, libunwind-dev"
  for p in rtprof librtprof0 librtprof-dev; do
    deb_doc "$p"
    (cd "$D/debian/$p" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
      xargs -0 md5sum > DEBIAN/md5sums)
    find "$D/debian/$p" -type d -exec chmod 0755 {} +
    dpkg-deb --root-owner-group -Zxz --build "$D/debian/$p" "$D/${p}_${DEB_VERSION}_$ARCH.deb" > /dev/null
  done
  ls "$D"/*.deb
  echo "== lintian (each remaining tag is explained in docs/packaging.md)"
  lintian "$D"/*.deb || true
}

cmd=${1:-build}
case "$cmd" in
  build) build ;;
  demo) build; exec bash examples/comptime-clone/run.sh ;;
  test) export WERROR=-Werror; build; exec bash tests/run.sh "${@:2}" ;; # exported: a ./build.sh the tests run keeps it
  bench) build; exec bash tests/bench/run.sh "${@:2}" ;;
  fuzz) build; exec bash tests/fuzz/run.sh "${2:-600}" ;;
  soak) build; exec bash tests/stress/soak.sh "${@:2}" ;;
  install)
    prefix=${2:?usage: ./build.sh install PREFIX   (DESTDIR, LIBDIR, CFLAGS... from the environment)}
    build PREFIX="$prefix" install
    echo "installed in ${DESTDIR:-}$prefix" ;;
  deb) deb ;;
  clean) make -s clean ;;
  *) echo "usage: ./build.sh [build|demo|test|bench|fuzz [SECONDS]|soak|install PREFIX|deb|clean]" >&2; exit 2 ;;
esac
