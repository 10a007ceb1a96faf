# RTPROF_SKIP's matcher (alloc/ere.c, which never allocates, so it can run
# inside malloc) agrees with glibc's regcomp/regexec (REG_EXTENDED): on fixed
# patterns and names, and on 40,000 random patterns; also under ASan/UBSan.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/ere_check.c
$CC $CFLAGS -I"$TOP/alloc" "$src" "$TOP/alloc/ere.c" -o "$OUT/ere"
"$OUT/ere" > "$OUT/ere.out" || { tail -20 "$OUT/ere.out"; fail "alloc/ere.c and glibc disagree"; }
$CC $CFLAGS -I"$TOP/alloc" -fsanitize=address,undefined -fno-sanitize-recover=all "$src" "$TOP/alloc/ere.c" -o "$OUT/ere.asan"
"$OUT/ere.asan" > "$OUT/ere.asan.out" || { tail -20 "$OUT/ere.asan.out"; fail "alloc/ere.c under ASan/UBSan"; }
tail -n 1 "$OUT/ere.out"
