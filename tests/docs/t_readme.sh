# README.md as a new user reads it: `prog.c` from its ```c prog.c block, then
# every ```sh test block run line by line in a scratch directory (build/
# reached through a link, ./build.sh the real one), each line exiting 0 with
# no "rtprof: error" and printing what the README says it does; the
# ```text demo excerpt matches `./build.sh demo`'s report line for line
# ('...' skips lines, a line ending in '…' is a prefix).
set -euo pipefail
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP"
OUT=$TOP/build/tests/docs/t_readme
rm -rf "$OUT" && mkdir -p "$OUT/w"
for tool in sqlite3 pkg-config python3 cc; do
  command -v $tool > /dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x build/bin/rtprof ] || { echo "FAIL: build/bin/rtprof is not built"; exit 1; }
# the demo first: its report is the excerpt's reference and its dumps are used below
bash examples/comptime-clone/run.sh > "$OUT/demo.txt" 2>&1 || { tail -n 20 "$OUT/demo.txt"; echo "FAIL: the demo failed"; exit 1; }
ln -s "$TOP/build" "$OUT/w/build"
printf '#!/bin/sh\nexec "%s/build.sh" "$@"\n' "$TOP" > "$OUT/w/build.sh" && chmod +x "$OUT/w/build.sh"
python3 - "$TOP" "$OUT" <<'PY'
import gzip, json, os, re, subprocess, sys

top, out = sys.argv[1], sys.argv[2]
work = os.path.join(out, "w")
failures = []


def fail(msg):
    print("FAIL", msg)
    failures.append(msg)


blocks, info, body = [], None, []
for line in open(os.path.join(top, "README.md")):
    if info is None and line.startswith("```"):
        info, body = line[3:].strip(), []
    elif info is not None and line.startswith("```"):
        blocks.append((info, body))
        info = None
    elif info is not None:
        body.append(line.rstrip("\n"))

ran = {}  # command line -> (rc, stdout, stderr)
for info, body in blocks:
    if info == "c prog.c":
        open(os.path.join(work, "prog.c"), "w").write("\n".join(body) + "\n")
    elif info == "sh test":
        # one shell per block (variables carry over), each line's output apart
        script = []
        for i, cmd in enumerate(body):
            if not cmd.strip() or cmd.lstrip().startswith("#"):
                continue
            script.append("{ %s\n} > out.%d 2> err.%d; echo $? > rc.%d" % (cmd, i, i, i))
        subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, check=False)
        for i, cmd in enumerate(body):
            if os.path.exists(os.path.join(work, "rc.%d" % i)):
                rd = lambda n: open(os.path.join(work, "%s.%d" % (n, i)), errors="replace").read()
                ran[cmd] = (int(rd("rc")), rd("out"), rd("err"))
                for n in ("rc", "out", "err"):
                    os.unlink(os.path.join(work, "%s.%d" % (n, i)))

for cmd, (rc, so, se) in ran.items():
    if rc != 0:
        fail("exit %d: %s\n%s" % (rc, cmd, se[-600:]))
    elif "rtprof: error" in se:
        fail("error message: %s\n%s" % (cmd, se[-600:]))
print("ran %d README commands" % len(ran))


def output_of(prefix, stream=1):
    """stream 1: standard output, 2: standard error"""
    for cmd, r in ran.items():
        if cmd.startswith(prefix):
            return r[stream]
    fail("the README has no command starting with: " + prefix)
    return ""


def expect(cond, what):
    print("ok  " if cond else "FAIL", what)
    if not cond:
        failures.append(what)


text = output_of("build/bin/rtprof report rtprof.*.dump")
expect(re.search(r"^  1 +\d+ +48B +3 +48B +3  clone_source prog\.c:5$", text, re.M) is not None,
       "report: clone_source prog.c:5 allocated 3 x 16 bytes, all live")
expect("  check " in text and "Leaks (live at exit)" in text, "report: the check phase and the leak")
doc = json.loads(output_of("build/bin/rtprof report --json rtprof.*.dump"))
site = [s for s in doc["sites"] if s["frames"][0]["line"] == 5 and s["frames"][0]["file"].endswith("prog.c")]
expect(len(site) == 1 and site[0]["allocs"] == 3 and site[0]["live_bytes"] == 48, "report --json: the same site")
for prefix in ("build/bin/rtprof run -- sqlite3", "build/bin/rtprof run --depth 4"):
    # the report goes to standard error: the program's own output stays its own
    expect("Top sites by" in output_of(prefix, 2), prefix + ": prints the report on stderr")
    expect("Top sites by" not in output_of(prefix, 1), prefix + ": not on stdout")
expect(output_of("build/bin/rtprof run -- sqlite3").startswith("3\n"), "rtprof run: sqlite3's output passes through")
expect("clone_source prog.c:5" in output_of("build/bin/rtprof report --skip"), "report --skip of the dumps")
d = output_of("build/bin/rtprof diff $D/bug.dump")
expect(re.search(r"disappeared .* clone_source comptime\.c:\d+$", d, re.M) is not None, "diff: the clone site disappeared")
c = output_of("build/bin/rtprof check --max-live 0")
expect("ok   max-live 0" in c and "ok   max-peak-committed 2G" in c, "check: the fixed run holds both budgets")
expect("ok   max-growth 5%" in output_of("build/bin/rtprof check --baseline"), "check --baseline: within 5%")
expect(open(os.path.join(work, "mem.svg")).read().lstrip().startswith(("<?xml", "<svg")), "--svg wrote an SVG")
expect("<html" in open(os.path.join(work, "report.html")).read(2000).lower(), "--html wrote a page")
expect(len(gzip.open(os.path.join(work, "run.pb.gz")).read()) > 0, "--format pprof wrote a gzipped profile")

# the demo excerpt against the demo's report
demo = open(os.path.join(out, "demo.txt")).read().splitlines()
report = demo[next(i for i, l in enumerate(demo) if l.startswith("== rtprof report")) + 1:]
excerpt = next(b for i, b in blocks if i == "text demo")
pos = 0
for want in excerpt:
    if want == "...":
        continue
    want = want.replace("/home/me/rtprof", top)
    prefix = want.endswith("…")
    w = want[:-1] if prefix else want
    at = next((k for k in range(pos, len(report)) if (report[k].startswith(w) if prefix else report[k] == w)), None)
    if at is None:
        fail("README demo excerpt line not in the demo's report (in order): " + want)
    else:
        pos = at + 1
print("demo excerpt: %d lines checked" % sum(1 for l in excerpt if l != "..."))
sys.exit(1 if failures else 0)
PY
