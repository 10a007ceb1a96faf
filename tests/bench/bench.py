#!/usr/bin/env python3
"""rtprof's benchmark driver (run by tests/bench/run.sh, i.e. `./build.sh bench`).

Every workload runs as: glibc malloc, plain mimalloc, rtprof off, rtprof on at
depth 1 and at depth 16 (heaptrack's equal: it records whole stacks), heaptrack, and valgrind massif (on a smaller input,
with a plain-mimalloc run of that input as its baseline). The runs alternate:
round r runs every variant once, in an order rotated by r. Reported per
variant: the median wall time over the rounds (and its range), the ratio to
plain mimalloc's median in the same benchmark run, the median CPU time (user +
system, the child and the processes it waited for), the median peak RSS (the
largest in the child's process tree, from wait4), the size of the dump or
trace, and the time to report it (`rtprof report`, `heaptrack_print`,
`ms_print`, output to /dev/null). Then callgrind instruction counts for the
one-thread microbenchmark, the report-of-65,536-sites check
(tests/report/t_perf.sh), and DESIGN.md's targets checked against all that.

Standard library only. Writes OUT/results.md and OUT/results.json.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

VARIANTS = [  # (key, label)
    ("glibc", "glibc malloc"),
    ("mimalloc", "plain mimalloc"),
    ("off", "rtprof off"),
    ("on1", "rtprof on, depth 1"),
    ("on16", "rtprof on, depth 16"),
    ("heaptrack", "heaptrack"),
    ("massif", "valgrind massif"),
]
HEAVY = ("heaptrack", "massif", "mimalloc-small")  # fewer rounds
LABEL = dict(VARIANTS, **{"mimalloc-small": "plain mimalloc, massif's input"})


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    try:
        return float(open("/proc/loadavg").read().split()[0])
    except OSError:
        return float("nan")


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("RTPROF") or k.startswith("WITH_ALLOC") or k.startswith("MIMALLOC")
                   or k.startswith("PYTHON") or k in ("LD_PRELOAD", "VALGRIND_OPTS"))}
    env["LC_ALL"] = "C"
    env.update(extra or {})
    return env


def spawn(argv, env, stdout, stderr):
    """Runs argv to completion: (wall s, cpu s, peak rss KiB, exit status).
    spawn.last holds the last run's user and system time and minor faults."""
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
          (os.POSIX_SPAWN_OPEN, 2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    os.makedirs(os.path.dirname(stdout), exist_ok=True)  # in case a `./build.sh clean` ran meanwhile
    t0 = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=fa)
    except OSError as e:
        log(f"bench: cannot run {argv[0]}: {e}")
        return 0.0, 0.0, 0, 127
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    spawn.last = {"user": ru.ru_utime, "sys": ru.ru_stime, "minflt": ru.ru_minflt}
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def tool(name):
    return shutil.which(name)


# ---- workloads ---------------------------------------------------------------

class Workload:
    """plain(size) -> argv of the program using the process's malloc;
    mi(size), rt(size) -> (argv, env) for plain mimalloc and for rtprof
    (linked, or through the interposer). size is "full" or "small"."""

    def __init__(self, key, title, plain, mi, rt, shown, env=None, needs=(), signature=None, extra_rounds=0):
        self.key, self.title, self.plain, self.mi, self.rt = key, title, plain, mi, rt
        self.extra_rounds = extra_rounds  # more rounds of the fast variants for a noisy workload
        self.signature = signature  # stdout -> what every variant must print alike
        self.shown = shown      # {"full": text, "small": text}: the inputs, for the table
        self.env = env or {}
        self.needs = needs      # commands that must exist


def workloads(cfg):
    B, top, mi_so = cfg.bench_dir, cfg.top, cfg.mimalloc_so
    preload = os.path.join(B, "lib/librtprof-preload.so")  # run.sh's copy
    mb, mb_libc = os.path.join(B, "microbench"), os.path.join(B, "microbench-libc")
    q = cfg.quick
    out = []

    def microbench(key, title, threads, iters, live):
        small = max(iters // 10, 1)
        sizes = {"full": iters, "small": small}
        args = lambda s: [str(threads), str(sizes[s]), str(live)]
        out.append(Workload(
            key, title,
            plain=lambda s: [mb_libc, "libc"] + args(s),
            mi=lambda s: ([mb, "mi"] + args(s), {}),
            rt=lambda s: ([mb, "rt"] + args(s), {}),
            shown={s: f"`microbench API {' '.join(args(s))}`" for s in sizes}))

    it_pairs, it_live = (2_000_000, 1_000_000) if q else (20_000_000, 10_000_000)
    microbench("mb-pairs-1t", "microbench: alloc+free pairs, 1 thread", 1, it_pairs, 0)
    microbench("mb-pairs-2t", "microbench: alloc+free pairs, 2 threads", 2, it_pairs, 0)
    microbench("mb-live-1t", "microbench: 100k live blocks, 1 thread", 1, it_live, 100_000)
    microbench("mb-live-2t", "microbench: 100k live blocks, 2 threads", 2, it_live, 100_000)

    ct, ct_plain = os.path.join(B, "comptime"), os.path.join(B, "comptime-plain")
    ct_sizes = ({"full": ["--size", "8", "--evals", "8"], "small": ["--size", "2", "--evals", "8"]} if q else
                {"full": ["--size", "64", "--evals", "16"], "small": ["--size", "8", "--evals", "16"]})
    out.append(Workload(
        "comptime", "comptime-clone (the flagship compiler-like example)",
        plain=lambda s: [ct_plain, "--quiet"] + ct_sizes[s],
        mi=lambda s: ([ct_plain, "--quiet"] + ct_sizes[s], {"LD_PRELOAD": mi_so}),
        rt=lambda s: ([ct, "--quiet"] + ct_sizes[s], {}),
        shown={s: f"`comptime {' '.join(v)}`" for s, v in ct_sizes.items()},
        signature=lambda text: re.findall(r"checksum=\S+", text),
        # 1.7 GiB of fresh memory per run: its page faults cost 0.8-3 s of system
        # time on a VM, varying from run to run of the same binary.
        extra_rounds=0 if q else 2))

    sql = os.path.join(top, "tests/bench/workload.sql")
    sq_sizes = ({"full": (50_000, 100_000), "small": (10_000, 20_000)} if q else
                {"full": (200_000, 400_000), "small": (20_000, 40_000)})
    sq_args = lambda s: [":memory:", f".parameter set @items {sq_sizes[s][0]}",
                         f".parameter set @sales {sq_sizes[s][1]}", f".read {sql}"]
    sqlite = tool("sqlite3") or "sqlite3"
    out.append(Workload(
        "sqlite3", "sqlite3 (Debian) running tests/bench/workload.sql",
        plain=lambda s: [sqlite] + sq_args(s),
        mi=lambda s: ([sqlite] + sq_args(s), {"LD_PRELOAD": mi_so}),
        rt=lambda s: ([sqlite] + sq_args(s), {"LD_PRELOAD": preload}),
        shown={s: f"`sqlite3 :memory:` items={v[0]} sales={v[1]}" for s, v in sq_sizes.items()},
        needs=("sqlite3",), signature=lambda text: text))

    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else (tool("python3") or "python3")
    script = os.path.join(top, "tests/bench/workload.py")
    py_sizes = {"full": 10_000, "small": 2_000} if q else {"full": 40_000, "small": 4_000}
    # -s: no user site-packages (not -I or -E: those ignore PYTHONMALLOC)
    py_args = lambda s: [py, "-s", script, str(py_sizes[s])]
    out.append(Workload(
        "python3", "python3 (Debian) running tests/bench/workload.py, PYTHONMALLOC=malloc",
        plain=lambda s: py_args(s),
        mi=lambda s: (py_args(s), {"LD_PRELOAD": mi_so}),
        rt=lambda s: (py_args(s), {"LD_PRELOAD": preload}),
        shown={s: f"`python3 -s workload.py {v}`" for s, v in py_sizes.items()},
        env={"PYTHONMALLOC": "malloc"}, needs=(py,), signature=lambda text: text))

    lua = "/usr/bin/lua5.4" if os.path.exists("/usr/bin/lua5.4") else (tool("lua5.4") or "lua5.4")
    lscript = os.path.join(top, "tests/bench/workload.lua")
    lua_sizes = {"full": 100_000, "small": 20_000} if q else {"full": 400_000, "small": 40_000}
    lua_args = lambda s: [lua, lscript, str(lua_sizes[s])]
    out.append(Workload(
        "lua", "lua5.4 (Debian) running tests/bench/workload.lua, under the interposer",
        plain=lambda s: lua_args(s),
        mi=lambda s: (lua_args(s), {"LD_PRELOAD": mi_so}),
        rt=lambda s: (lua_args(s), {"LD_PRELOAD": preload}),
        shown={s: f"`lua5.4 workload.lua {v}`" for s, v in lua_sizes.items()},
        needs=(lua,), signature=lambda text: text))
    return out


def command(cfg, w, variant, tmp):
    """(argv, env, artifact) for one run; artifact: ("dump", path) etc. or None."""
    base = os.path.join(tmp, f"{w.key}.{variant}")
    env = dict(w.env)
    if variant == "glibc":
        return w.plain("full"), env, None
    if variant in ("mimalloc", "mimalloc-small"):
        argv, e = w.mi("small" if variant == "mimalloc-small" else "full")
        env.update(e)
        return argv, env, None
    if variant in ("off", "on1", "on16"):
        argv, e = w.rt("full")
        env.update(e)
        if variant == "off":
            return argv, env, None
        dump = base + ".dump"
        env.update({"RTPROF": "1", "RTPROF_OUT": dump, "RTPROF_DEPTH": "1" if variant == "on1" else "16"})
        return argv, env, ("dump", dump)
    if variant == "heaptrack":
        trace = base + ".trace"  # heaptrack adds .zst (or .gz)
        return ["heaptrack", "-o", trace] + w.plain("full"), env, ("heaptrack", trace)
    if variant == "massif":
        out = base + ".massif"
        return (["valgrind", "--tool=massif", f"--massif-out-file={out}"] + w.plain("small"),
                env, ("massif", out))
    raise ValueError(variant)


def remove_artifact(art):
    if art is None:
        return
    paths = glob.glob(art[1] + ".*") if art[0] == "heaptrack" else [art[1]]
    for p in paths:
        try:
            os.unlink(p)
        except OSError:
            pass


def measure_artifact(cfg, art, tmp):
    """(size in bytes, report wall s) of a run's dump or trace; the file is removed."""
    kind, path = art
    if kind == "heaptrack":
        files = sorted(glob.glob(path + ".*"))
        if not files:
            return None, None
        path = files[0]
        rep = ["heaptrack_print", path]
    elif kind == "massif":
        rep = ["ms_print", path]
    else:
        rep = [cfg.rtprof, "report", path]
    if not os.path.exists(path):
        return None, None
    size = os.path.getsize(path)
    if kind == "dump":  # the allocation count, for the table's heading
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("totals "):
                    m = re.search(r"\ballocs=(\d+)", line)
                    cfg.allocs.setdefault(os.path.basename(path).split(".")[0], int(m.group(1)) if m else None)
                    break
    wall, _, _, st = spawn(rep, clean_env(), "/dev/null", os.path.join(tmp, "report.err"))
    if kind == "dump" and cfg.keep_dumps:
        shutil.copy(path, path + ".kept")
    os.unlink(path)
    return size, (wall if st == 0 else None)


def available(cfg, w, variant):
    """None, or why this variant cannot run here."""
    for n in w.needs:
        if not (os.path.exists(n) or tool(n)):
            return f"{n} not installed"
    if variant in ("mimalloc", "mimalloc-small") and not cfg.mimalloc_so:
        return "libmimalloc.so.2 not found"
    if variant == "heaptrack" and not (tool("heaptrack") and tool("heaptrack_print")):
        return "heaptrack not installed"
    if variant == "massif" and not (tool("valgrind") and tool("ms_print")):
        return "valgrind not installed"
    return None


def run_workload(cfg, w, tmp, index, total):
    res = {v: [] for v, _ in VARIANTS}
    res["mimalloc-small"] = []
    skipped = {}
    keys = [v for v, _ in VARIANTS] + ["mimalloc-small"]
    for v in keys:
        why = available(cfg, w, v)
        if why:
            skipped[v] = why
    expected, mismatch = None, []
    rounds = cfg.reps + w.extra_rounds
    for r in range(rounds):
        order = [v for v in keys if v not in skipped and (v not in HEAVY or r < cfg.heavy_reps)]
        k = r % len(order)
        order = order[k:] + order[:k]
        for v in order:
            argv, env, art = command(cfg, w, v, tmp)
            remove_artifact(art)
            base = os.path.join(tmp, f"{w.key}.{v}")
            wall, cpu, rss, st = spawn(argv, clean_env(env), base + ".out", base + ".err")
            rec = {"wall": wall, "cpu": cpu, "rss_kib": rss, "status": st, "load": loadavg()}
            rec.update(getattr(spawn, "last", {}) if st != 127 else {})
            if st != 0:
                try:
                    err = open(base + ".err", errors="replace").read()[-600:]
                except OSError:
                    err = ""
                log(f"  {w.key} {v}: exit status {st}; {base}.err ends:\n{err}")
            if w.signature and v not in ("heaptrack", "massif", "mimalloc-small") and st == 0:
                try:
                    sig = w.signature(open(base + ".out", errors="replace").read())
                except OSError:
                    sig = None
                if not sig:
                    mismatch.append(f"{v} printed nothing to compare")
                elif expected is None:
                    expected = sig
                elif sig != expected:
                    mismatch.append(f"{v} printed something else than the first run (see {base}.out)")
            if art is not None:
                rec["size"], rec["report_s"] = measure_artifact(cfg, art, tmp)
                remove_artifact(art)
            res[v].append(rec)
            log(f"[{index}/{total}] {w.key} round {r + 1}/{rounds} {v:15} {wall:7.3f} s"
                f"  cpu {cpu:7.3f} s  rss {rss / 1024:7.1f} MiB  load {rec['load']:.2f}")
    for m in sorted(set(mismatch)):
        log(f"  {w.key}: WARNING: {m}")
    return res, skipped, sorted(set(mismatch))


# ---- callgrind -------------------------------------------------------------------

def callgrind_ir(argv, env, out, tmp, collect=None):
    """The run's total Ir; with `collect`, only inside functions matching it."""
    opts = [f"--toggle-collect={collect}"] if collect else []
    st = spawn(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + opts + argv,
               clean_env(env), os.path.join(tmp, "callgrind.out"), os.path.join(tmp, "callgrind.err"))[3]
    if st != 0 or not os.path.exists(out):
        return None
    ir = None
    for line in open(out):
        if line.startswith(("summary:", "totals:")):
            ir = int(line.split()[1])
    os.unlink(out)
    return ir


def run_callgrind(cfg, tmp):
    """Instructions per alloc+free, one thread: (Ir(ITERS) - Ir(0)) / ITERS,
    counted inside the worker function only, so start-up, the live set's fill
    and drain, and the dump at exit cancel, and the sampler thread (whose
    work grows with the run's wall time) is left out."""
    if not tool("valgrind"):
        return None
    B = cfg.bench_dir
    mb, mb_libc = os.path.join(B, "microbench"), os.path.join(B, "microbench-libc")
    dump = os.path.join(tmp, "callgrind.dump")
    variants = [("glibc", [mb_libc, "libc"], {}), ("mimalloc", [mb, "mi"], {}), ("off", [mb, "rt"], {}),
                ("on1", [mb, "rt"], {"RTPROF": "1", "RTPROF_OUT": dump}),
                ("on16", [mb, "rt"], {"RTPROF": "1", "RTPROF_DEPTH": "16", "RTPROF_OUT": dump})]
    iters = cfg.callgrind_iters
    rows = {}
    for live in (0, 100_000):
        for key, argv, env in variants:
            t0 = time.perf_counter()
            full = callgrind_ir(argv + ["1", str(iters), str(live)], env, os.path.join(tmp, "cg.full"), tmp,
                                "worker_*")
            zero = callgrind_ir(argv + ["1", "0", str(live)], env, os.path.join(tmp, "cg.zero"), tmp, "worker_*")
            per = (full - zero) / iters if full is not None and zero is not None else None
            rows[(live, key)] = {"ir_full": full, "ir_zero": zero, "per_pair": per}
            log(f"callgrind live={live} {key:9} {per if per is None else round(per, 1)} Ir per pair"
                f" ({time.perf_counter() - t0:.1f} s)")
    whole = {}
    for w in cfg.workloads:
        if w.key.startswith("mb-") or available(cfg, w, "mimalloc-small"):
            continue
        irs = {}
        for v in ("mimalloc", "off", "on1", "on16"):
            argv, env = w.mi("small") if v == "mimalloc" else w.rt("small")
            env = dict(w.env, **env)
            if v in ("on1", "on16"):
                # No periodic dumps: the sampler writes them by the wall clock, which valgrind
                # stretches ~50 times, so their count (and the figure) would follow the machine.
                env.update({"RTPROF": "1", "RTPROF_OUT": dump, "RTPROF_DEPTH": "16" if v == "on16" else "1",
                            "RTPROF_FLUSH": "0"})
            t0 = time.perf_counter()
            irs[v] = callgrind_ir(argv, env, os.path.join(tmp, "cg.whole"), tmp)
            log(f"callgrind {w.key} {v:9} {irs[v]} Ir ({time.perf_counter() - t0:.1f} s)")
        whole[w.key] = (w.key, w.title.split(" (")[0], irs)
    return {"iters": iters, "rows": rows, "whole": whole}


def run_t_perf(cfg):
    script = os.path.join(cfg.top, "tests/report/t_perf.sh")
    if not os.path.exists(script):
        return None
    p = subprocess.run(["bash", script], cwd=cfg.top, capture_output=True, text=True, env=clean_env())
    lines = [l for l in p.stdout.splitlines() if l.startswith(("ok", "FAIL", "SKIP"))]
    secs = [float(m.group(1)) for l in lines for m in [re.search(r" in ([0-9.]+) s", l)] if m]
    log("t_perf: " + "; ".join(lines))
    return {"status": p.returncode, "lines": lines, "seconds": secs}


# ---- the table -----------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def human(n):
    if n is None:
        return "–"
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} B"


def secs(s):
    if s is None:
        return "–"
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def summarize(res):
    """Per variant: medians over the successful runs."""
    out = {}
    for v, runs in res.items():
        ok = [r for r in runs if r["status"] == 0]
        if not runs:
            continue
        out[v] = {
            "n": len(ok), "failed": len(runs) - len(ok),
            "wall": med([r["wall"] for r in ok]),
            "wall_min": min((r["wall"] for r in ok), default=None),
            "wall_max": max((r["wall"] for r in ok), default=None),
            "cpu": med([r["cpu"] for r in ok]),
            "rss_kib": med([r["rss_kib"] for r in ok]),
            "size": med([r.get("size") for r in ok]),
            "report_s": med([r.get("report_s") for r in ok]),
        }
    return out


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def workload_table(w, s, skipped, cfg):
    def base(v, f):
        return s.get("mimalloc-small" if v in ("massif", "mimalloc-small") else "mimalloc", {}).get(f)

    lines = [f"### {w.title}", "",
             f"Input {w.shown['full']}"
             + (f" ({cfg.allocs[w.key]:,} allocations, counted by rtprof)" if cfg.allocs.get(w.key) else "")
             + f"; massif (and its plain-mimalloc baseline): {w.shown['small']}.", "",
             "| variant | runs | wall, median (range) | × plain mimalloc | CPU, median | × plain mimalloc "
             "| peak RSS | dump / trace | report |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for v in [v for v, _ in VARIANTS] + ["mimalloc-small"]:
        if v in skipped:
            lines.append(f"| {LABEL[v]} | – | skipped: {skipped[v]} | | | | | | |")
            continue
        x = s.get(v)
        if not x:
            continue
        if x["n"] == 0:
            lines.append(f"| {LABEL[v]} | 0 | failed ({x['failed']} runs) | | | | | | |")
            continue
        rng = f"{secs(x['wall'])} ({x['wall_min']:.3f}–{x['wall_max']:.3f})" if x["n"] > 1 else secs(x["wall"])
        label = LABEL[v] + (" †" if v == "massif" else "")
        fail = f" ({x['failed']} failed)" if x["failed"] else ""
        lines.append(f"| {label} | {x['n']}{fail} | {rng} | {fmt_ratio(ratio(x['wall'], base(v, 'wall')))} | "
                     f"{secs(x['cpu'])} | {fmt_ratio(ratio(x['cpu'], base(v, 'cpu')))} | "
                     f"{human(x['rss_kib'] * 1024)} | {human(x['size'])} | {secs(x['report_s'])} |")
    lines += ["", "† on the smaller input; its ratios are to plain mimalloc on that same input."]
    if w.signature:
        bad = cfg.mismatches.get(w.key)
        lines.append("**Output differs between variants**: " + "; ".join(bad) + "." if bad else
                     "Every variant printed the same result (massif and heaptrack not compared).")
    lines.append("")
    return lines


def meets(value, limit, at_least):
    return value >= limit if at_least else value <= limit


def by_how_much(value, limit, at_least):
    x = 1 - value / limit if at_least else value / limit - 1
    pct = f"{x:.1%}" if x < 0.1 else f"{x:.0%}"
    return f"{pct} short" if at_least else f"by {pct}"


def verdict(cpu, wall, limit, at_least=False):
    """A target judged on both the CPU-time ratio and the wall-time ratio."""
    if cpu is None and wall is None:
        return "not measured"
    if cpu is None or wall is None:
        v = cpu if wall is None else wall
        return "holds" if meets(v, limit, at_least) else f"**missed** {by_how_much(v, limit, at_least)}"
    c, w = meets(cpu, limit, at_least), meets(wall, limit, at_least)
    if c and w:
        return "holds"
    if not c and not w:
        return (f"**missed** {by_how_much(cpu, limit, at_least)} (CPU), "
                f"{by_how_much(wall, limit, at_least)} (wall)")
    if c:
        return f"holds by CPU time; not by wall time ({by_how_much(wall, limit, at_least)})"
    return f"**missed** by CPU time ({by_how_much(cpu, limit, at_least)}); holds by wall time"


def round_ratios(raw, key, v, field, base="mimalloc"):
    """min and max over the rounds of (variant / plain mimalloc in the same
    round): how far the noise moves the ratio."""
    a, b = raw.get(key, {}).get(v, []), raw.get(key, {}).get(base, [])
    rs = [x[field] / y[field] for x, y in zip(a, b) if x["status"] == 0 and y["status"] == 0 and y[field]]
    return (min(rs), max(rs)) if len(rs) > 1 else None


def targets_table(ws, summ, tperf, raw):
    rows = ["| target | workload | CPU ratio (per round) | wall ratio (per round) | verdict |",
            "|---|---|---:|---:|---|"]

    def get(k, v, f="wall"):
        return summ.get(k, {}).get(v, {}).get(f)

    def cell(k, v, f):
        r = ratio(get(k, v, f), get(k, "mimalloc", f))
        rr = round_ratios(raw, k, v, f)
        return r, fmt_ratio(r) + (f" ({rr[0]:.2f}–{rr[1]:.2f})" if rr else "")

    names = {w.key: w.title.split(" (")[0].replace("microbench: ", "microbench ") for w in ws}
    real = lambda k: not k.startswith("mb-") and k != "comptime"
    for target, variant, limit_of in (
            ("off ≤ {}× plain mimalloc", "off", lambda k: 1.02),
            ("on, depth 1, ≤ {}× plain mimalloc", "on1",
             lambda k: 1.25 if "pairs" in k else 2.0 if "live" in k else 1.10),
            ("on, depth 16, ≤ {}× plain mimalloc", "on16", lambda k: 1.5 if real(k) else None)):
        for w in ws:
            limit = limit_of(w.key)
            if limit is None:
                continue
            c, ctext = cell(w.key, variant, "cpu")
            wl, wtext = cell(w.key, variant, "wall")
            rows.append(f"| {target.format(f'{limit:g}')} | {names[w.key]} | {ctext} | {wtext} | "
                        f"{verdict(c, wl, limit)} |")
    # DESIGN.md: the time heaptrack adds is at least 5× the time rtprof adds
    # at depth 16, and 20× at depth 1 (heaptrack over glibc malloc, rtprof
    # over plain mimalloc).
    for variant, limit in (("on16", 5), ("on1", 20)):
        for w in ws:
            q = {}
            for f in ("wall", "cpu"):
                vals = [get(w.key, v, f) for v in ("heaptrack", "glibc", variant, "mimalloc")]
                if None in vals or vals[2] - vals[3] <= 0:
                    q[f] = None
                else:
                    q[f] = (vals[0] - vals[1]) / (vals[2] - vals[3])
            rows.append(f"| heaptrack adds ≥ {limit}× what depth {variant[2:]} adds | {names[w.key]} | "
                        f"{fmt_ratio(q['cpu'])} | {fmt_ratio(q['wall'])} | "
                        f"{verdict(q['cpu'], q['wall'], limit, at_least=True)} |")
    rows += ["", "The time each tool adds to the run of the allocator it sits on (heaptrack over glibc malloc, "
             "rtprof at depth 1 over plain mimalloc), medians (a negative or zero addition shows as –):", "",
             "| workload | heaptrack adds, wall / CPU | rtprof adds, wall / CPU | heaptrack ÷ rtprof, wall / CPU |",
             "|---|---:|---:|---:|"]
    for w in ws:
        added = {}
        for f in ("wall", "cpu"):
            vals = [get(w.key, v, f) for v in ("heaptrack", "glibc", "on1", "mimalloc")]
            added[f] = None if None in vals else (vals[0] - vals[1], vals[2] - vals[3])
        if None in added.values():
            continue
        (hw, rw), (hc, rc) = added["wall"], added["cpu"]
        q = lambda h, r: "–" if r <= 0 else f"{h / r:.1f}×"
        rows.append(f"| {names[w.key]} | {secs(hw)} / {secs(hc)} | {secs(rw)} / {secs(rc)} | "
                    f"{q(hw, rw)} / {q(hc, rc)} |")
    rows += ["", "| target | workload | rtprof, depth 1 / depth 16 | heaptrack | verdict |", "|---|---|---:|---:|---|"]
    for w in ws:
        d1, d8, ht = get(w.key, "on1", "size"), get(w.key, "on16", "size"), get(w.key, "heaptrack", "size")
        ok = d1 is not None and d8 is not None and max(d1, d8) <= 8 << 20
        rows.append(f"| dump: kilobytes to a few MB | {names[w.key]} | {human(d1)} / {human(d8)} | {human(ht)} | "
                    f"{'holds' if ok else 'not measured' if d1 is None else '**missed**'} |")
    if tperf and tperf["seconds"]:
        worst = max(tperf["seconds"])
        rows.append(f"| report of 65,536 sites < 2 s | tests/report/t_perf.sh | {worst:.2f} s (slowest format) | | "
                    f"{'holds' if worst < 2 else '**missed**'} |")
    return rows


def callgrind_table(cg):
    lines = [f"Instructions (callgrind `Ir`) per alloc+free, one thread: "
             f"(Ir at {cg['iters']:,} iterations − Ir at 0) / {cg['iters']:,}, inside the worker "
             f"function (`--toggle-collect=worker_*`).", "",
             "| variant | pairs: Ir per pair | added to plain mimalloc | 100k live: Ir per pair | added |",
             "|---|---:|---:|---:|---:|"]
    rows = cg["rows"]
    for key in ("glibc", "mimalloc", "off", "on1", "on16"):
        cells = []
        for live in (0, 100_000):
            x = rows.get((live, key), {}).get("per_pair")
            b = rows.get((live, "mimalloc"), {}).get("per_pair")
            cells += ["–" if x is None else f"{x:.1f}",
                      "–" if x is None or b is None or key == "mimalloc" else f"{x - b:+.1f}"]
        lines.append(f"| {LABEL[key]} | " + " | ".join(cells) + " |")
    lines += ["", "| target (DESIGN.md) | added per pair | verdict |", "|---|---:|---|"]
    for key, limit in (("off", 5), ("on1", 80)):
        x, b = rows.get((0, key), {}).get("per_pair"), rows.get((0, "mimalloc"), {}).get("per_pair")
        if x is None or b is None:
            lines.append(f"| {LABEL[key]}: ≤ {limit} instructions per pair | – | not measured |")
            continue
        d = x - b
        lines.append(f"| {LABEL[key]}: ≤ {limit} instructions per pair | {d:+.1f} | "
                     + ("holds" if d <= limit else f"**missed** by {d - limit:.0f}") + " |")
    whole = cg.get("whole") or {}
    if whole:
        lines += ["", "Whole runs of the other workloads on massif's smaller input: instructions, and the "
                  "ratio to plain mimalloc (callgrind counts instructions, not cache misses or page faults). "
                  "rtprof runs with `RTPROF_FLUSH=0`: the periodic dumps follow the wall clock, which "
                  "valgrind stretches about 50 times; the dump at exit is counted.", "",
                  "| workload | plain mimalloc | rtprof off | rtprof on, depth 1 | rtprof on, depth 16 |",
                  "|---|---:|---:|---:|---:|"]
        for key, title, irs in whole.values():
            b = irs.get("mimalloc")
            cells = [f"{b / 1e6:,.0f} M" if b else "–"]
            for v in ("off", "on1", "on16"):
                x = irs.get(v)
                cells.append("–" if x is None or not b else f"{x / 1e6:,.0f} M ({x / b:.3f}×)")
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return lines


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    pkg = lambda p: sh(f"dpkg-query -W -f='${{Version}}' {p} 2>/dev/null") or "not installed"
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
        "debian": sh("cat /etc/debian_version"),
        "mem": sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2 / 1048576}' /proc/meminfo"),
        "gcc": sh("gcc -dumpfullversion"), "glibc": pkg("libc6"),
        "mimalloc": pkg("libmimalloc2.0"), "heaptrack": pkg("heaptrack"), "valgrind": pkg("valgrind"),
        "sqlite3": pkg("sqlite3"), "python3": pkg("python3"), "binutils": pkg("binutils"),
        "commit": sh("git rev-parse --short HEAD") + (" (with uncommitted changes)" if sh("git status --porcelain") else ""),
    }


def write_results(cfg, ws, raw, summ, skipped, cg, tperf, meta):
    m = meta["machine"]
    L = ["# rtprof benchmark results", "",
         f"Command: `{meta['command']}`, {meta['date']}, {meta['elapsed_s'] / 60:.1f} min.", "",
         f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem']}, Linux {m['kernel']}, Debian {m['debian']}; "
         f"load average (1 min) {meta['load_start']:.2f} at start, {meta['load_min']:.2f}–{meta['load_max']:.2f} "
         f"during the runs, {meta['load_end']:.2f} at the end.", "",
         f"Versions: gcc {m['gcc']}, glibc {m['glibc']}, mimalloc {m['mimalloc']}, heaptrack {m['heaptrack']}, "
         f"valgrind {m['valgrind']}, sqlite3 {m['sqlite3']}, python3 {m['python3']}, binutils {m['binutils']}; "
         f"rtprof {m['commit']}.", "",
         f"Rounds: {cfg.reps} of each variant"
         + "".join(f" ({cfg.reps + w.extra_rounds} for {w.key})" for w in ws if w.extra_rounds)
         + f", {cfg.heavy_reps} of heaptrack and massif, round-robin in a "
         f"rotated order; medians. “× plain mimalloc” is a variant's median over plain mimalloc's median "
         f"in this same run, for wall time and for CPU time (user + system of the run's whole process "
         f"tree, heaptrack's interpreter included). Peak RSS is the largest single process of that tree. "
         f"Each target is judged on both ratios: CPU time is what the wall time would be on an idle "
         f"machine for these CPU-bound runs, and other jobs disturb it much less. The per-round range is "
         f"the ratio taken within each round.", "",
         "## Targets (DESIGN.md)", ""]
    L += targets_table(ws, summ, tperf, raw) + [""]
    L += ["## Wall time, memory, dump size", ""]
    for w in ws:
        L += workload_table(w, summ[w.key], skipped[w.key], cfg)
    if cg:
        L += ["## Instruction counts (callgrind)", ""] + callgrind_table(cg) + [""]
    if tperf:
        L += ["## Report of 65,536 sites (tests/report/t_perf.sh)", ""] + [f"    {l}" for l in tperf["lines"]] + [""]
    text = "\n".join(L)
    with open(os.path.join(cfg.out, "results.md"), "w") as f:
        f.write(text)
    return text


def render(cfg):
    """results.md again from a results.json, with this file's table code."""
    d = json.load(open(cfg.render))
    meta = d["meta"]
    cfg.quick = meta.get("quick", False)
    cfg.reps, cfg.heavy_reps = meta.get("reps", 5), meta.get("heavy_reps", 3)
    cfg.allocs, cfg.mismatches = d.get("allocs", {}), meta.get("output_mismatches", {})
    ws = cfg.workloads = [w for w in workloads(cfg) if w.key in d["runs"]]
    cg = d.get("callgrind")
    if cg:
        titles = {w.key: w.title.split(" (")[0] for w in ws}
        cg = {"iters": cg["iters"],
              "rows": {(int(k.split("/")[0]), k.split("/")[1]): v for k, v in cg["rows"].items()},
              "whole": {k: (k, titles.get(k, k), irs) for k, irs in cg.get("whole", {}).items()}}
    os.makedirs(cfg.out, exist_ok=True)
    print(write_results(cfg, ws, d["runs"], d["summary"], d["skipped"], cg, d.get("t_perf"), meta))
    return 0


def user_args():
    """The options as given to ./build.sh bench (run.sh adds --top)."""
    args = sys.argv[1:]
    if args[:1] == ["--top"]:
        args = args[2:]
    return args


def main():
    ap = argparse.ArgumentParser(description="rtprof benchmarks (./build.sh bench)")
    ap.add_argument("--top", default=os.getcwd(), help="the source tree (run.sh passes it)")
    ap.add_argument("--quick", action="store_true", help="a smoke run (about 4 minutes on 2 CPUs): small inputs, 1 round")
    ap.add_argument("--reps", type=int, help="rounds of the fast variants (default 5; --quick 1)")
    ap.add_argument("--heavy-reps", type=int, help="rounds of heaptrack and massif (default 3; --quick 1)")
    ap.add_argument("--only", help="comma-separated workload keys (mb-pairs-1t, mb-pairs-2t, mb-live-1t, "
                                   "mb-live-2t, comptime, sqlite3, python3)")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--no-t-perf", action="store_true", help="skip tests/report/t_perf.sh")
    ap.add_argument("--keep-dumps", action="store_true", help="keep rtprof dumps (as *.dump.kept)")
    ap.add_argument("--out", help="output folder (default TOP/build/bench)")
    ap.add_argument("--render", metavar="RESULTS_JSON",
                    help="measure nothing: write results.md again from a results.json")
    cfg = ap.parse_args()
    cfg.top = os.path.abspath(cfg.top)
    cfg.reps = cfg.reps or (1 if cfg.quick else 5)
    cfg.heavy_reps = min(cfg.heavy_reps or (1 if cfg.quick else 3), cfg.reps)
    cfg.callgrind_iters = 200_000 if cfg.quick else 1_000_000
    cfg.bench_dir = os.path.join(cfg.top, "build/bench")
    cfg.out = os.path.abspath(cfg.out or cfg.bench_dir)
    cfg.rtprof = os.path.join(cfg.bench_dir, "bin/rtprof")  # run.sh's copy
    cfg.mimalloc_so = os.environ.get("MIMALLOC_SO") or next(
        (p for p in ("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2",) if os.path.exists(p)), "")
    cfg.allocs = {}
    os.chdir(cfg.top)
    tmp = os.path.join(cfg.out, "tmp")
    os.makedirs(tmp, exist_ok=True)

    if cfg.render:
        return render(cfg)
    ws = cfg.workloads = workloads(cfg)
    if cfg.only:
        keep = set(cfg.only.split(","))
        unknown = keep - {w.key for w in ws}
        if unknown:
            ap.error(f"unknown workload(s): {', '.join(sorted(unknown))}")
        ws = cfg.workloads = [w for w in ws if w.key in keep]

    t0 = time.time()
    load_start = loadavg()
    log(f"bench: {len(ws)} workloads, {cfg.reps} rounds ({cfg.heavy_reps} for heaptrack/massif); "
        f"load average {load_start:.2f}")
    raw, summ, skipped, mismatches = {}, {}, {}, {}
    for i, w in enumerate(ws, 1):
        res, sk, mism = run_workload(cfg, w, tmp, i, len(ws))
        raw[w.key], summ[w.key], skipped[w.key] = res, summarize(res), sk
        if mism:
            mismatches[w.key] = mism
    cg = None if cfg.no_callgrind else run_callgrind(cfg, tmp)
    tperf = None if cfg.no_t_perf else run_t_perf(cfg)
    loads = [r["load"] for res in raw.values() for runs in res.values() for r in runs]
    meta = {
        "command": " ".join(["./build.sh bench"] + user_args()),
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "elapsed_s": time.time() - t0, "machine": machine(),
        "load_start": load_start, "load_end": loadavg(),
        "load_min": min(loads, default=load_start), "load_max": max(loads, default=load_start),
        "quick": cfg.quick, "reps": cfg.reps, "heavy_reps": cfg.heavy_reps,
    }
    meta["output_mismatches"] = cfg.mismatches = mismatches
    text = write_results(cfg, ws, raw, summ, skipped, cg, tperf, meta)
    with open(os.path.join(cfg.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "allocs": cfg.allocs, "runs": raw, "summary": summ, "skipped": skipped,
                   "callgrind": None if cg is None else
                   {"iters": cg["iters"], "rows": {f"{k[0]}/{k[1]}": v for k, v in cg["rows"].items()},
                    "whole": {k: v[2] for k, v in cg["whole"].items()}},
                   "t_perf": tperf}, f, indent=1)
    print(text)
    log(f"bench: wrote {os.path.join(cfg.out, 'results.md')} and results.json "
        f"({meta['elapsed_s'] / 60:.1f} min)")
    failed = sum(x["failed"] for s in summ.values() for x in s.values())
    return 1 if failed or mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
