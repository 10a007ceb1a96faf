# The dump is written safely whatever sits at its names: a symlink planted
# at the old temporary name (PATH.tmp.PID) or at the final name (to a file,
# to a FIFO) is never followed; the dump is a 0600 regular file. A FIFO as
# RTPROF_OUT never hangs the program (no reader: a warning; a reader: one
# dump, at exit; a reader that leaves: a warning, no SIGPIPE); /dev/stdout gets one dump at exit that `rtprof report -`
# reads, not periodic dumps run together.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/target_prog.c" -o "$OUT/prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
cd "$OUT"
T=20 # seconds: anything near this is a hang
run() { RTPROF=1 timeout $T "$@"; }
victim_ok() { [ "$(cat victim)" = "precious" ] || fail "$1: the symlink's target was written: $(head -c 100 victim)"; }
is_dump() { # NAME PATH: a regular 0600 file that reads as a dump
  [ -f "$2" ] && [ ! -L "$2" ] || fail "$1: $2 is not a regular file"
  [ "$(stat -c %a "$2")" = 600 ] || fail "$1: $2 has mode $(stat -c %a "$2"), want 600"
  "$RTPROF" report "$2" > /dev/null || fail "$1: $2 does not read"
}

# 1. A symlink at the old predictable temporary name (the pid is known in advance through exec).
echo precious > victim
RTPROF_OUT="$OUT/a.dump" RTPROF_FLUSH=50 run sh -c 'ln -s victim a.dump.tmp.$$; exec ./prog sleep 300' \
  || fail "planted temporary: the program failed"
victim_ok "planted temporary"
is_dump "planted temporary" a.dump
[ -L "$(ls a.dump.tmp.* | head -1)" ] || fail "the planted link was removed or replaced"
[ "$(ls a.dump.tmp.* | wc -l)" -eq 1 ] || fail "temporaries left behind: $(ls a.dump.tmp.*)"

# 2. A symlink at the final name, to a file.
echo precious > victim; ln -s victim b.dump
RTPROF_OUT="$OUT/b.dump" run ./prog dump sleep 100 || fail "final link to a file: the program failed"
victim_ok "final link to a file"
is_dump "final link to a file" b.dump

# 3. A symlink at the final name, to a FIFO nobody reads.
mkfifo fifo1; ln -s fifo1 c.dump
rc=0; RTPROF_OUT="$OUT/c.dump" RTPROF_FLUSH=50 run ./prog dump fork sleep 200 || rc=$?
[ "$rc" -eq 0 ] || fail "final link to a FIFO: exit $rc (124: it hung)"
[ -p fifo1 ] || fail "the FIFO was replaced"
is_dump "final link to a FIFO" c.dump

# 4. RTPROF_OUT is a FIFO nobody reads: no hang at exit, fork or rtprof_dump; a warning.
mkfifo fifo2
rc=0; RTPROF_OUT="$OUT/fifo2" RTPROF_FLUSH=10 run ./prog fork dump sleep 200 fork 2> fifo2.err || rc=$?
[ "$rc" -eq 0 ] || fail "FIFO target without a reader: exit $rc (124: it hung)"
grep -q "no process is reading the FIFO" fifo2.err || fail "FIFO target without a reader: no warning: $(cat fifo2.err)"

# 5. RTPROF_OUT is a FIFO with a reader: one dump, at exit, even with frequent flushes.
mkfifo fifo3
timeout $T cat fifo3 > fifo3.out & reader=$!
rc=0; RTPROF_OUT="$OUT/fifo3" RTPROF_FLUSH=10 run ./prog sleep 300 fork || rc=$?
wait $reader || true
[ "$rc" -eq 0 ] || fail "FIFO target with a reader: exit $rc"
[ "$(grep -c '^rtprof-dump ' fifo3.out)" -eq 1 ] || fail "FIFO target: want one dump, got $(grep -c '^rtprof-dump ' fifo3.out)"
grep -q "^process .* reason=exit" fifo3.out || fail "FIFO target: the dump is not the exit one"
"$RTPROF" report - < fifo3.out > /dev/null || fail "FIFO target: the dump does not read"

# 5b. A reader that goes away after 10 bytes: EPIPE and a warning, not a SIGPIPE death.
# 2,000 labelled snapshots make the dump larger than the pipe's 64 KiB, so
# the write cannot complete into the pipe before the reader is gone.
mkfifo fifo5
(timeout $T head -c 10 fifo5 > /dev/null &)
rc=0; RTPROF_OUT="$OUT/fifo5" run ./prog snaps 2000 sleep 800 2> fifo5.err || rc=$?
[ "$rc" -eq 0 ] || fail "FIFO whose reader left: exit $rc (141: killed by SIGPIPE)"
grep -q "cannot write the dump.*fifo5: Broken pipe" fifo5.err || fail "FIFO whose reader left: no warning: $(cat fifo5.err)"

# 6. A reader that never reads, on a dump larger than the pipe: the program still ends.
mkfifo fifo4
exec 3<> fifo4 # holds the FIFO open for reading, reads nothing
# A point every ms for a second: ~1000 snapshot lines, more than the pipe's 64 KiB.
rc=0; RTPROF_OUT="$OUT/fifo4" RTPROF_INTERVAL=1 run ./prog sleep 1000 2> fifo4.err || rc=$?
exec 3<&-
[ "$rc" -eq 0 ] || fail "FIFO whose reader never reads: exit $rc (124: it hung)"
grep -q "cannot write the dump.*fifo4" fifo4.err || fail "FIFO whose reader never reads: no warning: $(cat fifo4.err)"

# 7. /dev/stdout: one dump at exit, read by `rtprof report -`.
rc=0; RTPROF_OUT=/dev/stdout RTPROF_FLUSH=10 run ./prog sleep 300 fork dump > stdout.out || rc=$?
[ "$rc" -eq 0 ] || fail "/dev/stdout: exit $rc"
# rtprof_dump() asked for one, exit writes the other: two, each whole, never a periodic one.
[ "$(grep -c '^rtprof-dump ' stdout.out)" -eq 2 ] || fail "/dev/stdout: want 2 dumps (api, exit), got $(grep -c '^rtprof-dump ' stdout.out)"
! grep -q "reason=flush" stdout.out || fail "/dev/stdout: a periodic dump was written there"
RTPROF_OUT=/dev/stdout RTPROF_FLUSH=10 run ./prog sleep 300 fork | "$RTPROF" report - > report.txt \
  || fail "/dev/stdout: 'rtprof report -' rejects what the program wrote"
grep -q "Top sites" report.txt || fail "/dev/stdout: no report"
echo "dump targets: ok"
