#!/usr/bin/env python3
"""Mutation testing of rtprof's sources: does the suite notice a wrong
operator, constant or a missing statement?

Every `*.c` file under alloc/, bracket/ and symbolize/ (found recursively) is
scanned for places where one small edit still compiles: a relational operator
(< <= > >= == !=), an arithmetic one (+ - * / ++ -- += -=), a boolean one
(&& || !), a constant (0 -> 1, 1 -> 0, N -> N+1, true <-> false) or a whole
expression statement deleted. A seeded random sample of source lines is
mutated, one mutant at a time, in a scratch copy of the tree (never in the
tree itself); each mutant is built with build.sh and run against the fast
part of the suite (FAST below) until a test fails (killed) or all pass
(survived). A mutant that does not build is "stillborn" and replaced by the
next line of the sample, so N mutants are always built.

Usage: tests/mutate/mutate.py [-n N] [--seed S] [--tree DIR] [--report FILE]
  --tree DIR   take the tests (and everything else) from DIR instead of this
               checkout: the same sources give the same sample, so two trees
               with different tests are scored on identical mutants.
Exit 0 when the score reaches --target (default 90), else 1.
"""
import argparse
import difflib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

AREAS = ("alloc", "bracket", "symbolize")

# The fast subset, in the order it runs. Each entry: (name, area it mostly
# covers, command). "unit" entries run a unit test built once against the
# scratch build/lib; "sh" entries run a tests/*/t_*.sh script of the tree.
# Tests missing from a tree (an older checkout) are left out.
FAST = [
    ("unit test_alloc on", "lib", ("unit", "test_alloc", "on")),
    ("unit test_alloc off", "lib", ("unit", "test_alloc", "off")),
    ("unit test_accessors on", "lib", ("unit", "test_accessors", "on")),
    ("unit test_threads on", "lib", ("unit", "test_threads", "on")),
    ("unit test_accessors off", "lib", ("unit", "test_accessors", "off")),
    ("e2e/t_sites.sh", "lib", ("sh", "tests/e2e/t_sites.sh")),
    ("e2e/t_phases.sh", "lib", ("sh", "tests/e2e/t_phases.sh")),
    ("e2e/t_api.sh", "lib", ("sh", "tests/e2e/t_api.sh")),
    ("e2e/t_overflow.sh", "lib", ("sh", "tests/e2e/t_overflow.sh")),
    ("e2e/t_env.sh", "lib", ("sh", "tests/e2e/t_env.sh")),
    ("e2e/t_bad_env.sh", "lib", ("sh", "tests/e2e/t_bad_env.sh")),
    ("e2e/t_misuse.sh", "lib", ("sh", "tests/e2e/t_misuse.sh")),
    ("e2e/t_fork.sh", "lib", ("sh", "tests/e2e/t_fork.sh")),
    ("e2e/t_off.sh", "lib", ("sh", "tests/e2e/t_off.sh")),
    ("e2e/t_kill.sh", "lib", ("sh", "tests/e2e/t_kill.sh")),
    ("preload/t_misuse_preload.sh", "lib", ("sh", "tests/preload/t_misuse_preload.sh")),
    ("preload/t_run.sh", "lib", ("sh", "tests/preload/t_run.sh")),
    ("report/t_golden.sh", "cmd", ("sh", "tests/report/t_golden.sh")),
    ("report/t_options.sh", "cmd", ("sh", "tests/report/t_options.sh")),
    ("report/t_schema.sh", "cmd", ("sh", "tests/report/t_schema.sh")),
    ("report/t_symbols.sh", "cmd", ("sh", "tests/report/t_symbols.sh")),
    ("report/t_merge.sh", "cmd", ("sh", "tests/report/t_merge.sh")),
    ("report/t_bad_input.sh", "cmd", ("sh", "tests/report/t_bad_input.sh")),
    ("report/t_usage.sh", "cmd", ("sh", "tests/report/t_usage.sh")),
    ("diffcheck/t_diff.sh", "cmd", ("sh", "tests/diffcheck/t_diff.sh")),
    ("diffcheck/t_check.sh", "cmd", ("sh", "tests/diffcheck/t_check.sh")),
    ("diffcheck/t_timeline.sh", "cmd", ("sh", "tests/diffcheck/t_timeline.sh")),
    ("diffcheck/t_moved.sh", "cmd", ("sh", "tests/diffcheck/t_moved.sh")),
    ("e2e/t_rebuilt.sh", "cmd", ("sh", "tests/e2e/t_rebuilt.sh")),
    ("report/t_perf.sh", "cmd", ("sh", "tests/report/t_perf.sh")),
    ("html/t_pprof.sh", "cmd", ("sh", "tests/html/t_pprof.sh")),
    ("report/t_leaks.sh", "cmd", ("sh", "tests/report/t_leaks.sh")),
    ("html/t_html.sh", "cmd", ("sh", "tests/html/t_html.sh")),
]

# ---- finding mutation points ----------------------------------------------

TYPE_WORDS = set("""return break continue goto case default else do if for while switch
    sizeof typedef static const volatile struct union enum unsigned signed int char short long
    float double void bool size_t ssize_t uint8_t uint16_t uint32_t uint64_t int64_t int32_t
    uintptr_t intptr_t off_t pid_t FILE""".split())

REL = re.compile(r"(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])")
REL_SWAP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
ARITH = re.compile(r"(?<=\w|\)|\]) (\+|-|\*|/) (?=[\w(])|(\+\+|--)|(?<= )(\+=|-=)(?= )")
ARITH_SWAP = {"+": "-", "-": "+", "*": "/", "/": "*", "++": "--", "--": "++", "+=": "-=", "-=": "+="}
BOOL = re.compile(r" (&&|\|\|) |!(?=[A-Za-z_(])")
BOOL_SWAP = {"&&": "||", "||": "&&", "!": ""}
CONST = re.compile(r"(?<![\w.])(\d+)(?=[uUlL]*\b)(?![.xX])|\b(true|false)\b")
STMT = re.compile(r"^\*?[A-Za-z_][\w.\[\]>-]*\s*(=[^=]|\+=|-=|\|=|&=|\^=|<<=|>>=|\+\+|--|\()")


def blank_code(lines):
    """Each line with comments and string/char literal contents blanked (same
    length), so operators are only looked for in code."""
    out, in_comment = [], False
    for line in lines:
        chars, i, n = list(line), 0, len(line)
        quote = None
        while i < n:
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    chars[i] = chars[i + 1] = " "
                    in_comment = False
                    i += 2
                    continue
                chars[i] = " "
            elif quote:
                if c == "\\":
                    chars[i] = " "
                    if i + 1 < n:
                        chars[i + 1] = " "
                    i += 2
                    continue
                if c == quote:
                    quote = None
                else:
                    chars[i] = " "
            elif line.startswith("/*", i):
                chars[i] = chars[i + 1] = " "
                in_comment = True
                i += 2
                continue
            elif line.startswith("//", i):
                for j in range(i, n):
                    if chars[j] != "\n":
                        chars[j] = " "
                break
            elif c in "\"'":
                quote = c
            i += 1
        out.append("".join(chars))
    return out


def line_mutations(code, orig):
    """The mutations of one source line: (kind, new_line) pairs."""
    s = code.strip()
    if not s or s.startswith("#") or "_Static_assert" in s or s.startswith("static const char"):
        return []
    muts = []

    def sub(kind, m, group_new):
        for g in range(1, (m.lastindex or 0) + 1):
            if m.group(g) is not None:
                a, b = m.span(g)
                muts.append((kind, orig[:a] + group_new(m.group(g)) + orig[b:]))
                return

    for m in REL.finditer(code):
        # leave #include <...> and generic-looking `<type>` alone
        sub("relational", m, lambda t: REL_SWAP[t])
    for m in ARITH.finditer(code):
        sub("arithmetic", m, lambda t: ARITH_SWAP[t])
    for m in BOOL.finditer(code):
        if m.group(0) == "!":
            a = m.start()
            muts.append(("boolean", orig[:a] + orig[a + 1:]))
        else:
            sub("boolean", m, lambda t: BOOL_SWAP[t])
    for m in CONST.finditer(code):
        if m.group(1) is not None:
            v = int(m.group(1))
            sub("constant", m, lambda t: "1" if v == 0 else "0" if v == 1 else str(v + 1))
        else:
            sub("constant", m, lambda t: "false" if t == "true" else "true")
    first = re.match(r"[A-Za-z_]\w*", s)
    if (s.endswith(";") and STMT.match(s) and s.count("(") == s.count(")")
            and not (first and first.group(0) in TYPE_WORDS)
            and not re.match(r"^[A-Za-z_]\w*\s+\**[A-Za-z_]", s)):
        indent = orig[:len(orig) - len(orig.lstrip())]
        muts.append(("deleted statement", indent + "{}\n"))
    return muts


def source_files(tree):
    files = []
    for area in AREAS:
        for root, dirs, names in os.walk(os.path.join(tree, area)):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(".c"):
                    files.append(os.path.relpath(os.path.join(root, name), tree))
    return files


def candidates(tree):
    """{(file, line index): [(kind, new_line)]} over every mutable line."""
    found = {}
    for rel in source_files(tree):
        with open(os.path.join(tree, rel)) as f:
            lines = f.readlines()
        for i, (code, orig) in enumerate(zip(blank_code(lines), lines)):
            muts = line_mutations(code, orig)
            if muts:
                found[(rel, i)] = muts
    return found


# ---- running ----------------------------------------------------------------

def sh(cmd, cwd, env, timeout, log):
    # Its own session, so a timeout kills the whole group: a mutant that
    # loops forever inside a test's child must not outlive the run.
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return "timeout"


def prepare(src, scratch, env, log):
    def ignore(d, names):  # the top level's .git, build/ and stray dumps only
        if os.path.abspath(d) != os.path.abspath(src):
            return []
        return [n for n in names if n in (".git", "build") or n.endswith(".dump")]
    shutil.copytree(src, scratch, symlinks=True, ignore=ignore)
    if sh(["./build.sh", "build"], scratch, env, 900, log) != 0:
        sys.exit(f"mutate: the unmutated scratch copy does not build (see {log})")
    units = os.path.join(scratch, "build", "mutate-unit")
    os.makedirs(units, exist_ok=True)
    lib = os.path.join(scratch, "build", "lib")
    for src_c in sorted(os.listdir(os.path.join(scratch, "tests", "unit"))):
        if src_c.startswith("test_") and src_c.endswith(".c"):
            out = os.path.join(units, src_c[:-2])
            rc = sh(["gcc", "-std=gnu11", "-O1", "-g", "-Iinclude", "tests/unit/" + src_c, "-o", out,
                     "-L" + lib, "-Wl,-rpath," + lib, "-lrtprof", "-lpthread"], scratch, env, 300, log)
            if rc != 0:
                sys.exit(f"mutate: cannot build {src_c} (see {log})")


def fast_tests(scratch):
    tests = []
    for name, area, how in FAST:
        if how[0] == "unit":
            if os.path.exists(os.path.join(scratch, "build", "mutate-unit", how[1])):
                tests.append((name, area, how))
        elif os.path.exists(os.path.join(scratch, how[1])):
            tests.append((name, area, how))
    return tests


def run_one(test, scratch, env, timeout, log):
    name, _, how = test
    if how[0] == "unit":
        e = dict(env, RTPROF_OUT=os.path.join(scratch, "build", "mutate-unit", "unit.dump"),
                 TEST_THREADS_ITERS="20000")
        e.pop("RTPROF", None)
        e.pop("WITH_ALLOC_PROFILE", None)
        e["RTPROF_TEST_EXPECT"] = how[2]
        if how[2] == "on":
            e["RTPROF"] = "1"
        return sh([os.path.join(scratch, "build", "mutate-unit", how[1])], scratch, e, timeout, log)
    return sh(["bash", how[1]], scratch, env, timeout, log)


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=50, help="mutants to build and run (default 50)")
    ap.add_argument("--seed", type=int, default=16, help="sample seed (default 16)")
    ap.add_argument("--tree", default=top, help="tree to copy (default: this checkout)")
    ap.add_argument("--report", default=os.path.join(top, "build", "mutate", "report.md"))
    ap.add_argument("--timeout", type=int, default=120, help="seconds per test run (a hang is a kill)")
    ap.add_argument("--target", type=float, default=90.0, help="score (%%) to reach for exit 0")
    ap.add_argument("--list", action="store_true", help="print the sample's mutants, run nothing")
    args = ap.parse_args()
    tree = os.path.abspath(args.tree)

    found = candidates(tree)
    lines = sorted(found)
    rng = random.Random(args.seed)
    rng.shuffle(lines)
    sample = [(f, i, rng.choice(found[(f, i)])) for f, i in lines]
    print(f"mutate: {len(lines)} mutable lines in {len(source_files(tree))} files; "
          f"seed {args.seed}, {args.n} mutants", flush=True)
    if args.list:
        for f, i, (kind, new) in sample[:args.n]:
            print(f"{f}:{i + 1}: {kind}: {new.strip()}")
        return 0

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("RTPROF") and k not in ("WITH_ALLOC_PROFILE", "CI")}
    scratch_root = tempfile.mkdtemp(prefix="rtprof-mutate.")
    scratch = os.path.join(scratch_root, "tree")
    logdir = os.path.join(scratch_root, "logs")
    os.makedirs(logdir)
    env["RTPROF_TOP"] = scratch
    env["RTPROF_BIN"] = os.path.join(scratch, "build", "bin", "rtprof")
    print(f"mutate: scratch copy in {scratch}", flush=True)
    prepare(tree, scratch, env, os.path.join(logdir, "prepare.log"))
    # A test that fails on the unmutated tree (a known open bug) would "kill"
    # every mutant: it is left out, and the report says so.
    tests, broken = [], []
    for t in fast_tests(scratch):
        rc = run_one(t, scratch, env, args.timeout, os.path.join(logdir, "baseline.log"))
        (tests if rc == 0 else broken).append(t)
        if rc != 0:
            print(f"mutate: {t[0]} fails on the unmutated tree (exit {rc}): left out", flush=True)
    print(f"mutate: fast subset: {len(tests)} tests", flush=True)

    results, stillborn, k = [], 0, 0
    started = time.time()
    for f, i, (kind, new) in sample:
        if len(results) >= args.n:
            break
        path = os.path.join(scratch, f)
        with open(path) as fh:
            orig_lines = fh.readlines()
        mutated = orig_lines[:i] + [new] + orig_lines[i + 1:]
        with open(path, "w") as fh:
            fh.writelines(mutated)
        os.utime(path, (time.time() + 2, time.time() + 2))
        k += 1
        log = os.path.join(logdir, f"m{k:03d}.log")
        try:
            if sh(["./build.sh", "build"], scratch, env, 600, log) != 0:
                stillborn += 1
                continue
            lib_first = not f.startswith("symbolize")
            order = sorted(tests, key=lambda t: (t[1] == "cmd") == lib_first)
            verdict, by = "survived", None
            for t in order:
                rc = run_one(t, scratch, env, args.timeout, log)
                if rc != 0:
                    verdict, by = "killed", f"{t[0]} ({'timeout' if rc == 'timeout' else 'exit %s' % rc})"
                    break
            diff = "".join(difflib.unified_diff(orig_lines, mutated, f"a/{f}", f"b/{f}", n=1))
            results.append((f, i + 1, kind, verdict, by, diff))
            print(f"[{len(results):3d}/{args.n}] {verdict:8s} {f}:{i + 1} {kind}"
                  + (f" by {by}" if by else ""), flush=True)
        finally:
            with open(path, "w") as fh:
                fh.writelines(orig_lines)
            os.utime(path, (time.time() + 2, time.time() + 2))

    killed = sum(1 for r in results if r[3] == "killed")
    score = 100.0 * killed / len(results) if results else 0.0
    minutes = (time.time() - started) / 60
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, "w") as out:
        out.write(f"# Mutation run: seed {args.seed}, {len(results)} mutants\n\n")
        out.write(f"Tree: {tree}\n\nScore: {killed}/{len(results)} killed ({score:.1f}%), "
                  f"{stillborn} stillborn (did not build, replaced), {minutes:.0f} min.\n\n")
        out.write("Fast subset: " + ", ".join(t[0] for t in tests) + "\n\n")
        if broken:
            out.write("Left out (failing on the unmutated tree): " + ", ".join(t[0] for t in broken) + "\n\n")
        out.write("## Killed\n\n")
        for f, ln, kind, verdict, by, diff in results:
            if verdict == "killed":
                out.write(f"- {f}:{ln} {kind}: by {by}\n")
        out.write("\n## Survived\n\n")
        for f, ln, kind, verdict, by, diff in results:
            if verdict == "survived":
                out.write(f"### {f}:{ln} {kind}\n\n```diff\n{diff}```\n\n")
    print(f"mutate: {killed}/{len(results)} killed ({score:.1f}%), {stillborn} stillborn; "
          f"report in {args.report}")
    shutil.rmtree(scratch_root, ignore_errors=True)
    return 0 if score >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
