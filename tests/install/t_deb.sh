# `./build.sh deb`: the three packages hold exactly the expected files, with
# the expected relations; lintian reports only the tags docs/packaging.md
# explains; unpacked with dpkg -x into a scratch root (nothing installed
# system-wide), they build a program with pkg-config alone, run it, and the
# unpacked rtprof reports it and runs a program under the unpacked interposer.
set -euo pipefail
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP"
OUT=$TOP/build/tests/install/t_deb
rm -rf "$OUT" && mkdir -p "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps lintian; do
  command -v $tool > /dev/null || { echo "SKIP: $tool is not installed (Debian: dpkg-dev, lintian)"; exit 77; }
done
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
V=$VERSION-1
./build.sh deb > "$OUT/deb.log" 2>&1 || { tail -n 30 "$OUT/deb.log"; fail "./build.sh deb failed"; }
D=build/deb

# ---- contents and relations ------------------------------------------------------
contents() { dpkg-deb -c "$D/${1}_${V}_$ARCH.deb" | awk '{ p = $6; if ($7 == "->") p = p " -> " $8; print p }' | sort; }
contents rtprof > "$OUT/rtprof.txt"
cat > "$OUT/rtprof.want" <<LIST
./
./usr/
./usr/bin/
./usr/bin/rtprof
./usr/lib/
./usr/lib/$MA/
./usr/lib/$MA/rtprof/
./usr/lib/$MA/rtprof/librtprof-preload.so
./usr/share/
./usr/share/bash-completion/
./usr/share/bash-completion/completions/
./usr/share/bash-completion/completions/rtprof
./usr/share/doc/
./usr/share/doc/rtprof/
./usr/share/doc/rtprof/changelog.Debian.gz
./usr/share/doc/rtprof/copyright
./usr/share/man/
./usr/share/man/man1/
./usr/share/man/man1/rtprof.1.gz
LIST
diff -u "$OUT/rtprof.want" "$OUT/rtprof.txt" || fail "rtprof's files"
contents librtprof0 > "$OUT/lib.txt"
cat > "$OUT/lib.want" <<LIST
./
./usr/
./usr/lib/
./usr/lib/$MA/
./usr/lib/$MA/librtprof.so.0 -> librtprof.so.$VERSION
./usr/lib/$MA/librtprof.so.$VERSION
./usr/share/
./usr/share/doc/
./usr/share/doc/librtprof0/
./usr/share/doc/librtprof0/changelog.Debian.gz
./usr/share/doc/librtprof0/copyright
LIST
diff -u "$OUT/lib.want" "$OUT/lib.txt" || fail "librtprof0's files"
contents librtprof-dev > "$OUT/dev.txt"
cat > "$OUT/dev.want" <<LIST
./
./usr/
./usr/include/
./usr/include/rtprof-dump.h
./usr/include/rtprof.h
./usr/lib/
./usr/lib/$MA/
./usr/lib/$MA/librtprof.a
./usr/lib/$MA/librtprof.so -> librtprof.so.0
./usr/lib/$MA/pkgconfig/
./usr/lib/$MA/pkgconfig/rtprof.pc
./usr/share/
./usr/share/doc/
./usr/share/doc/librtprof-dev/
./usr/share/doc/librtprof-dev/changelog.Debian.gz
./usr/share/doc/librtprof-dev/copyright
./usr/share/man/
./usr/share/man/man3/
./usr/share/man/man3/rtprof.3.gz
LIST
diff -u "$OUT/dev.want" "$OUT/dev.txt" || fail "librtprof-dev's files"
field() { dpkg-deb -f "$D/${1}_${V}_$ARCH.deb" "$2"; }
[ "$(field librtprof-dev Depends)" = "librtprof0 (= $V), libmimalloc-dev, libunwind-dev" ] ||
  fail "librtprof-dev Depends: $(field librtprof-dev Depends)"
for p in rtprof librtprof0; do
  dep=$(field $p Depends)
  for want in 'libc6 (>= ' 'libmimalloc2.0' 'libunwind8'; do
    [[ $dep == *"$want"* ]] || fail "$p Depends lacks $want: $dep"
  done
done
[[ $(field rtprof Depends) == *binutils* ]] || fail "rtprof does not depend on binutils (addr2line)"
[ "$(dpkg-deb --ctrl-tarfile "$D/librtprof0_${V}_$ARCH.deb" | tar -xO ./shlibs)" = "librtprof 0 librtprof0 (>= $VERSION)" ] ||
  fail "librtprof0's shlibs"
dpkg-deb --ctrl-tarfile "$D/librtprof0_${V}_$ARCH.deb" | tar -xO ./symbols > "$OUT/symbols"
grep -qx " rt_alloc@Base $VERSION" "$OUT/symbols" && grep -qx " rtprof_phase_begin@Base $VERSION" "$OUT/symbols" ||
  fail "librtprof0's symbols file lacks the API: $(head -5 "$OUT/symbols")"
! grep -q ' mi_\| rt_opt\| rt_phases_init' "$OUT/symbols" || fail "symbols file lists internal symbols"

# ---- lintian: only the tags docs/packaging.md explains ------------------------------
sed -n '/^== lintian/,$p' "$OUT/deb.log" | grep -E '^[EWIXP]: ' | sed -E 's/^[EWIXP]: [^:]+: ([a-z0-9-]+).*/\1/' | sort -u > "$OUT/tags"
while read -r tag; do
  grep -q "^### \`$tag\`" docs/packaging.md || fail "lintian tag $tag is not explained in docs/packaging.md"
done < "$OUT/tags"
echo "lintian tags, all explained: $(tr '\n' ' ' < "$OUT/tags")"

# ---- unpacked into a scratch root, used from there only ----------------------------------
R=$OUT/root
for p in rtprof librtprof0 librtprof-dev; do dpkg -x "$D/${p}_${V}_$ARCH.deb" "$R"; done
! grep -rqF "$TOP" "$R/usr" || fail "a package refers to the build tree: $(grep -rlF "$TOP" "$R/usr")"
for m in man1/rtprof.1.gz man3/rtprof.3.gz; do
  warn=$(zcat "$R/usr/share/man/$m" | groff -ww -man -Tutf8 -z 2>&1) && [ -z "$warn" ] || fail "groff -ww $m: $warn"
done
[ "$("$R/usr/bin/rtprof" --version)" = "rtprof $VERSION" ] || fail "--version: $("$R/usr/bin/rtprof" --version)"
export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$R/usr/lib/$MA/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
flags=$(pkg-config --cflags --libs rtprof)
cat > "$OUT/prog.c" <<'C'
#include <rtprof.h>
#include <stdlib.h>
int main(void) {
  PROFILE_PHASE("deb/test");
  for (int i = 0; i < 7; i++) rt_free(rt_alloc(1000)); /* SITE:loop */
  return rt_alloc(4321) ? 0 : 1;                       /* SITE:kept */
}
C
# shellcheck disable=SC2086 # the flags are words
gcc -std=gnu11 -g -O0 "$OUT/prog.c" -o "$OUT/prog" $flags
deps=$(LD_LIBRARY_PATH=$R/usr/lib/$MA ldd "$OUT/prog")
grep -q "librtprof.so.0 => $R/usr/lib/$MA/librtprof.so.0 " <<< "$deps" || fail "prog does not load the unpacked library: $deps"
LD_LIBRARY_PATH=$R/usr/lib/$MA RTPROF=1 RTPROF_OUT="$OUT/prog.dump" "$OUT/prog"
"$R/usr/bin/rtprof" report --json "$OUT/prog.dump" > "$OUT/prog.json"
python3 - "$OUT/prog.json" <<'PY' || fail "the unpacked rtprof's report of prog is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
by_line = {s["frames"][0]["line"]: s for s in d["sites"] if s["frames"][0].get("file", "").endswith("prog.c")}
assert by_line[5]["allocs"] == 7 and by_line[5]["alloc_bytes"] == 7000 and by_line[5]["live_bytes"] == 0, by_line
assert by_line[6]["allocs"] == 1 and by_line[6]["live_bytes"] == 4321, by_line
assert d["totals"]["live_bytes"] == 4321, d["totals"]
PY
(cd "$OUT" && "$R/usr/bin/rtprof" run -o run.dump -- sort "$OUT/prog.c" > run.out 2> run.err)
grep -q "^module .* path=$R/usr/lib/$MA/rtprof/librtprof-preload.so\$" "$OUT/run.dump" ||
  fail "rtprof run did not preload the unpacked interposer: $(grep preload "$OUT/run.dump")"
grep -q "^Top sites by" "$OUT/run.err" || fail "rtprof run printed no report on stderr"
sort "$OUT/prog.c" | cmp -s - "$OUT/run.out" || fail "rtprof run changed the program's standard output"
echo "deb: ok"
