# `make install` into a DESTDIR with a multiarch LIBDIR, as a packager runs
# it: the tree installed is exactly the expected one, the library has the
# SONAME librtprof.so.0, the man pages render without a warning, a program
# builds with pkg-config alone, runs, and the installed rtprof reports it;
# `rtprof run` takes the interposer from the installed tree. Also: a plain
# make has no -Werror, and CFLAGS/CPPFLAGS/LDFLAGS given replace the defaults.
set -euo pipefail
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP"
OUT=$TOP/build/tests/install/t_install
rm -rf "$OUT" && mkdir -p "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
R=$OUT/root
LIBDIR=/usr/lib/$MA
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)

# ---- what make would run: the defaults and the packager's flags -------------
env -u WERROR make -n -B BUILDDIR="$OUT/dry" > "$OUT/dry.log" # as a packager runs it
grep -q -- '-D_FORTIFY_SOURCE=2' "$OUT/dry.log" && grep -q -- '-fstack-protector-strong' "$OUT/dry.log" &&
  grep -q -- '-Wl,-z,relro,-z,now' "$OUT/dry.log" && grep -q -- ' -O2 -g ' "$OUT/dry.log" ||
  fail "a plain make lacks Debian's hardening flags or -O2 -g"
! grep -qE -- '-Werror( |$)' "$OUT/dry.log" || fail "a plain make compiles with -Werror"
make -n -B BUILDDIR="$OUT/dry" WERROR=-Werror > "$OUT/dry1.log"
grep -qE -- '-Werror( |$)' "$OUT/dry1.log" || fail "WERROR=-Werror is not passed"
env -u WERROR make -n -B BUILDDIR="$OUT/dry" CFLAGS="-O1 -DMARK_CFLAGS" CPPFLAGS=-DMARK_CPPFLAGS LDFLAGS=-Wl,-DMARK > "$OUT/dry2.log"
grep -q -- '-DMARK_CPPFLAGS .*-O1 -DMARK_CFLAGS' "$OUT/dry2.log" && grep -q -- '-shared -O1 -DMARK_CFLAGS -Wl,-DMARK' "$OUT/dry2.log" ||
  fail "CFLAGS/CPPFLAGS/LDFLAGS given are not the ones used"
! grep -q -- '-D_FORTIFY_SOURCE' "$OUT/dry2.log" || fail "CPPFLAGS given did not replace the default"
rm -rf "$OUT/dry"

# ---- install ------------------------------------------------------------------
make -s -j2 BUILDDIR="$OUT/build" PREFIX=/usr LIBDIR="$LIBDIR" DESTDIR="$R" install > "$OUT/make.log" 2>&1 ||
  { cat "$OUT/make.log"; fail "make install failed"; }
(cd "$R" && find . | sort) > "$OUT/tree.txt"
cat > "$OUT/tree.want" <<TREE
.
./usr
./usr/bin
./usr/bin/rtprof
./usr/include
./usr/include/rtprof-dump.h
./usr/include/rtprof.h
./usr/lib
./usr/lib/$MA
./usr/lib/$MA/librtprof.a
./usr/lib/$MA/librtprof.so
./usr/lib/$MA/librtprof.so.0
./usr/lib/$MA/librtprof.so.$VERSION
./usr/lib/$MA/pkgconfig
./usr/lib/$MA/pkgconfig/rtprof.pc
./usr/lib/$MA/rtprof
./usr/lib/$MA/rtprof/librtprof-preload.so
./usr/share
./usr/share/bash-completion
./usr/share/bash-completion/completions
./usr/share/bash-completion/completions/rtprof
./usr/share/man
./usr/share/man/man1
./usr/share/man/man1/rtprof.1
./usr/share/man/man3
./usr/share/man/man3/rtprof.3
TREE
diff -u "$OUT/tree.want" "$OUT/tree.txt" || fail "the installed tree differs from the expected one"
[ "$(readlink "$R$LIBDIR/librtprof.so")" = librtprof.so.0 ] && [ "$(readlink "$R$LIBDIR/librtprof.so.0")" = "librtprof.so.$VERSION" ] ||
  fail "symlinks: librtprof.so -> $(readlink "$R$LIBDIR/librtprof.so"), .so.0 -> $(readlink "$R$LIBDIR/librtprof.so.0")"
dyn=$(readelf -d "$R$LIBDIR/librtprof.so.$VERSION")
grep -q 'Library soname: \[librtprof.so.0\]' <<< "$dyn" || fail "SONAME: $(grep -i soname <<< "$dyn")"
for f in usr/bin/rtprof "usr/lib/$MA/librtprof.so.$VERSION" "usr/lib/$MA/rtprof/librtprof-preload.so"; do
  dyn=$(readelf -d "$R/$f") phdrs=$(readelf -lW "$R/$f")
  grep -q 'BIND_NOW' <<< "$dyn" && grep -q GNU_RELRO <<< "$phdrs" || fail "$f: not linked with -z relro -z now"
  ! grep -qE 'RPATH|RUNPATH' <<< "$dyn" || fail "$f has an rpath"
done
syms=$(nm -D "$R/usr/bin/rtprof")
grep -q '__.*_chk' <<< "$syms" || fail "rtprof: no fortified calls (_FORTIFY_SOURCE)"
grep -q '__stack_chk_fail' <<< "$syms" || fail "rtprof: no stack protector"
[ "$("$R/usr/bin/rtprof" --version)" = "rtprof $VERSION" ] || fail "--version: $("$R/usr/bin/rtprof" --version)"

# ---- man pages: version filled in, no groff warning ------------------------------
for p in "$R/usr/share/man/man1/rtprof.1" "$R/usr/share/man/man3/rtprof.3"; do
  ! grep -q '@VERSION@' "$p" || fail "$p: @VERSION@ not substituted"
  grep -q "\"rtprof $VERSION\"" "$p" || fail "$p: no version in .TH"
  warn=$(groff -ww -man -Tutf8 -z "$p" 2>&1) && [ -z "$warn" ] || fail "groff -ww $p: $warn"
  if command -v man > /dev/null; then
    warn=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 > "$OUT/$(basename "$p").txt") && [ -z "$warn" ] || fail "man -l $p: $warn"
    grep -q "^RTPROF(" "$OUT/$(basename "$p").txt" || fail "man -l $p rendered nothing"
  fi
done

# ---- a program built with pkg-config only, profiled by the installed copy --------
export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$R$LIBDIR/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
[ "$(pkg-config --modversion rtprof)" = "$VERSION" ] || fail "pkg-config --modversion: $(pkg-config --modversion rtprof)"
flags=$(pkg-config --cflags --libs rtprof | sed "s/ *$//")
[ "$flags" = "-I$R/usr/include -L$R$LIBDIR -lrtprof" ] || fail "pkg-config --cflags --libs: '$flags'"
[ "$(pkg-config --variable=libdir rtprof)" = "$R$LIBDIR" ] || fail "libdir variable: $(pkg-config --variable=libdir rtprof)"
cat > "$OUT/prog.c" <<'C'
#include <rtprof.h>
#include <string.h>
static char *keep;
int main(void) {
  PROFILE_PHASE("install");
  keep = rt_alloc(12345); /* SITE:kept */
  memset(keep, 1, 12345);
  return 0;
}
C
# shellcheck disable=SC2086 # the flags are words
gcc -std=gnu11 -g -O1 -Wall -Wextra "$OUT/prog.c" -o "$OUT/prog" $flags
export LD_LIBRARY_PATH=$R$LIBDIR # the program finds the installed library the way ld.so is told to
deps=$(ldd "$OUT/prog")
grep -q "librtprof.so.0 => $R$LIBDIR/librtprof.so.0 " <<< "$deps" || fail "prog does not load the installed library: $deps"
RTPROF=1 RTPROF_OUT="$OUT/prog.dump" "$OUT/prog"
"$R/usr/bin/rtprof" report --json "$OUT/prog.dump" > "$OUT/prog.json"
python3 - "$OUT/prog.json" <<'PY' || fail "the installed rtprof's report of prog is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
top = max(d["sites"], key=lambda s: s["live_bytes"])
f = top["frames"][0]
assert top["live_bytes"] == 12345 and top["allocs"] == 1, top
assert f["function"] == "main" and f["file"].endswith("prog.c") and f["line"] == 6, f
assert any(p["path"] == "install" for p in d["phases"]), d["phases"]
PY
unset LD_LIBRARY_PATH

# ---- rtprof run takes the interposer from the installed tree -----------------------
(cd "$OUT" && "$R/usr/bin/rtprof" run --no-report -o run.dump -- sort "$OUT/prog.c" > /dev/null)
grep -q "^module .* path=$R$LIBDIR/rtprof/librtprof-preload.so\$" "$OUT/run.dump" ||
  fail "rtprof run did not preload $R$LIBDIR/rtprof/librtprof-preload.so: $(grep preload "$OUT/run.dump")"
rc=0; RTPROF_PRELOAD=$OUT/none.so "$R/usr/bin/rtprof" run -- true 2> "$OUT/err.txt" || rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot find librtprof-preload.so (looked at RTPROF_PRELOAD=$OUT/none.so" "$OUT/err.txt" ||
  fail "a missing RTPROF_PRELOAD: exit $rc, $(cat "$OUT/err.txt")"
echo "install: ok"
