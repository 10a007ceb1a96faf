# A setuid-root program linked with librtprof (.a and .so), run by `nobody`
# with RTPROF=1 RTPROF_OUT=<a root-only file>: profiling stays off
# (AT_SECURE) and the file is untouched; nothing lands in the root-only
# folder. Skips (77) where a setuid-root program cannot be run as nobody.
. "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root to make a setuid-root program"; exit 77; }
id nobody > /dev/null 2>&1 || { echo "skip: no user 'nobody'"; exit 77; }
as_nobody() {
  if command -v setpriv > /dev/null; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    su -s /bin/sh nobody -c "$(printf '%q ' "$@")"
  fi
}
# The programs live where nobody can run them: a fresh 0755 folder.
BIN=$(mktemp -d /tmp/rtprof-setuid.XXXXXX)
SECRET=$(mktemp -d /tmp/rtprof-secret.XXXXXX)
trap 'rm -rf "$BIN" "$SECRET"' EXIT
chmod 755 "$BIN"; chmod 700 "$SECRET" # nobody cannot even traverse SECRET
echo "root only" > "$SECRET/target"; chmod 600 "$SECRET/target"
cp -P "$LIB"/librtprof.so* "$BIN/"
$CC $CFLAGS "$TOP/tests/e2e/setuid_prog.c" -o "$BIN/static_prog" "$LIB/librtprof.a" -lmimalloc -lunwind -lpthread
$CC $CFLAGS "$TOP/tests/e2e/setuid_prog.c" -o "$BIN/shared_prog" -L"$BIN" -Wl,-rpath,"$BIN" -lrtprof
chmod 4755 "$BIN/static_prog" "$BIN/shared_prog"; chmod 755 "$BIN"/librtprof.so.*
# Can a setuid-root program run as nobody here at all (nosuid mounts, no_new_privs)?
probe=$(as_nobody env -u RTPROF "$BIN/static_prog" 2>&1) || { echo "skip: cannot run as nobody: $probe"; exit 77; }
case $probe in *euid=0*) ;; *) echo "skip: the setuid bit is not honoured here ($probe)"; exit 77 ;; esac
before=$(md5sum < "$SECRET/target")
for prog in static_prog shared_prog; do
  out=$(as_nobody env RTPROF=1 RTPROF_OUT="$SECRET/target" RTPROF_FLUSH=1 "$BIN/$prog" 2>&1) \
    || fail "$prog failed: $out"
  case $out in *"euid=0 uid=$(id -u nobody) profiling=0"*) ;; *) fail "$prog: want euid=0 and profiling off, got: $out" ;; esac
  [ "$(md5sum < "$SECRET/target")" = "$before" ] || fail "$prog replaced the root-only file: $(head -c 200 "$SECRET/target")"
  [ "$(ls -A "$SECRET")" = target ] || fail "$prog left files in the root-only folder: $(ls -A "$SECRET")"
  # The same switches from a plain (not setuid) copy do profile: the test can fail.
  cp "$BIN/$prog" "$OUT/$prog.plain"
  RTPROF=1 RTPROF_OUT="$OUT/$prog.dump" "$OUT/$prog.plain" | grep -q "profiling=1" || fail "$prog: RTPROF=1 ignored when not setuid"
done
echo "setuid: switches ignored, target untouched"
