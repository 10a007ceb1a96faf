#!/usr/bin/env python3
"""The JSON report's contract (DESIGN.md, "JSON report"), checked for the
tests: names, types, and the relations the contract states (sites sorted by
alloc_bytes or by the --sort key, live = allocs - frees, phase sites that
name real sites, peak sites summing to the peak). Every test that reads
`rtprof report --json` runs it; ../shared/tools/check-report-json may run
as well when it is next to the checkout, but nothing depends on it.

Usage: schema.py [--sort bytes|live|count] [FILE]   (stdin without FILE)
Exit 0 and a one-line summary when it conforms; 1 with one line per problem.
"""
import json
import sys

# Every report has `suppressed`. `peak` comes only from dumps that recorded
# one (dumps written before the peak record existed have none), and
# `frames[].named` is written only on named frames (DESIGN.md: "true for a
# named site"): both are checked when present.
REQUIRE_SUPPRESSED = True
REQUIRE_PEAK_NAMED = False

TOTALS = ("allocs frees alloc_bytes freed_bytes live_blocks live_bytes peak_live_bytes "
          "committed_bytes peak_committed_bytes rss_bytes peak_rss_bytes overhead_bytes").split()
SITE = "id allocs alloc_bytes frees freed_bytes live_blocks live_bytes peak_live_bytes".split()
PHASE_COUNTS = ("calls allocs alloc_bytes frees freed_bytes live_blocks live_bytes cum_allocs "
                "cum_alloc_bytes cum_live_bytes wall_ns").split()
PHASE_DELTAS = "committed_delta committed_delta_max live_delta".split()    # signed
PHASE_SITE = "id allocs alloc_bytes live_blocks live_bytes".split()
OVERFLOW = "sites_dropped allocs alloc_bytes live_bytes".split()
PEAK_SITE = "id live_bytes".split()
SUPPRESSED = "sites live_blocks live_bytes".split()
SORT_KEY = {"bytes": "alloc_bytes", "live": "live_bytes", "count": "allocs"}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Checker:
    def __init__(self):
        self.problems = []

    def bad(self, msg):
        self.problems.append(msg)

    def obj(self, v, where):
        if not isinstance(v, dict):
            self.bad(f"{where}: expected an object, got {type(v).__name__}")
            return False
        return True

    def ints(self, o, keys, where, signed=False):
        """o[k] for each k: present, an integer, and >= 0 unless signed."""
        for k in keys:
            if k not in o:
                self.bad(f"{where}.{k}: missing")
            elif not is_int(o[k]):
                self.bad(f"{where}.{k}: expected an integer, got {o[k]!r}")
            elif not signed and o[k] < 0:
                self.bad(f"{where}.{k}: negative ({o[k]})")

    def balanced(self, o, where):
        """live = allocated - freed, for blocks and for bytes."""
        if all(is_int(o.get(k)) for k in ("allocs", "frees", "live_blocks")) \
                and o["live_blocks"] != o["allocs"] - o["frees"]:
            self.bad(f"{where}: live_blocks {o['live_blocks']} != allocs {o['allocs']} - frees {o['frees']}")
        if all(is_int(o.get(k)) for k in ("alloc_bytes", "freed_bytes", "live_bytes")) \
                and o["live_bytes"] != o["alloc_bytes"] - o["freed_bytes"]:
            self.bad(f"{where}: live_bytes {o['live_bytes']} != alloc_bytes {o['alloc_bytes']} "
                     f"- freed_bytes {o['freed_bytes']}")

    def frame(self, f, where):
        if not self.obj(f, where):
            return
        for k in ("function", "file", "line", "module", "offset", "inlined"):
            if k not in f:
                self.bad(f"{where}.{k}: missing")
        for k in ("function", "file"):
            if f.get(k) is not None and not isinstance(f.get(k), str):
                self.bad(f"{where}.{k}: expected a string or null, got {f.get(k)!r}")
        if f.get("line") is not None and not (is_int(f["line"]) and f["line"] > 0):
            self.bad(f"{where}.line: expected a positive integer or null, got {f.get('line')!r}")
        if f.get("file") is None and f.get("line") is not None:
            self.bad(f"{where}: a line ({f['line']}) without a file")
        if "module" in f and f["module"] is not None and not isinstance(f["module"], str):
            self.bad(f"{where}.module: expected a string, got {f['module']!r}")
        if "offset" in f and f["offset"] is not None and not (is_int(f["offset"]) and f["offset"] >= 0):
            self.bad(f"{where}.offset: expected an integer >= 0, got {f['offset']!r}")
        if "inlined" in f and not isinstance(f["inlined"], bool):
            self.bad(f"{where}.inlined: expected a boolean, got {f['inlined']!r}")
        if "named" in f:
            if not isinstance(f["named"], bool):
                self.bad(f"{where}.named: expected a boolean, got {f['named']!r}")
        elif REQUIRE_PEAK_NAMED:
            self.bad(f"{where}.named: missing")

    def check(self, doc, sort):
        if not self.obj(doc, "document"):
            return 0, 0
        if doc.get("format") != "rtprof-report":
            self.bad(f"format: expected 'rtprof-report', got {doc.get('format')!r}")
        if doc.get("version") != 1:
            self.bad(f"version: expected 1, got {doc.get('version')!r}")
        if not isinstance(doc.get("program"), str):
            self.bad(f"program: expected a string, got {doc.get('program', '(missing)')!r}")
        if "pid" not in doc or not is_int(doc["pid"]):
            self.bad(f"pid: expected an integer, got {doc.get('pid', '(missing)')!r}")
        for k in ("totals", "sites", "phases", "overflow"):
            if k not in doc:
                self.bad(f"{k}: missing")

        t = doc.get("totals")
        if t is not None and self.obj(t, "totals"):
            self.ints(t, TOTALS, "totals")
            self.balanced(t, "totals")
            # one process's invariant (rt_alloc_stats_t); what a peak of several
            # merged dumps means is not written down
            if len(doc.get("dumps") or []) <= 1 and is_int(t.get("peak_live_bytes")) \
                    and is_int(t.get("live_bytes")) and t["peak_live_bytes"] < t["live_bytes"]:
                self.bad(f"totals: peak_live_bytes {t['peak_live_bytes']} < live_bytes {t['live_bytes']}")
        o = doc.get("overflow")
        if o is not None and self.obj(o, "overflow"):
            self.ints(o, OVERFLOW, "overflow")

        sites = doc.get("sites", [])
        if not isinstance(sites, list):
            self.bad("sites: expected an array")
            sites = []
        ids = set()
        key = SORT_KEY[sort]
        prev = None
        for i, s in enumerate(sites):
            w = f"sites[{i}]"
            if not self.obj(s, w):
                continue
            self.ints(s, SITE, w)
            self.balanced(s, w)
            if s.get("id") in ids:
                self.bad(f"{w}.id {s.get('id')}: appears twice")
            ids.add(s.get("id"))
            if is_int(s.get(key)):
                if prev is not None and s[key] > prev:
                    self.bad(f"{w}: out of order: {key} {s[key]} after {prev} (sorted by {key}, largest first)")
                prev = s[key]
            frames = s.get("frames")
            if not isinstance(frames, list) or not frames:
                self.bad(f"{w}.frames: expected a non-empty array")
                continue
            for j, f in enumerate(frames):
                self.frame(f, f"{w}.frames[{j}]")

        phases = doc.get("phases", [])
        if not isinstance(phases, list):
            self.bad("phases: expected an array")
            phases = []
        paths = {}
        for i, ph in enumerate(phases):
            w = f"phases[{i}]"
            if not self.obj(ph, w):
                continue
            if not isinstance(ph.get("path"), str) or not ph.get("path"):
                self.bad(f"{w}.path: expected a non-empty string, got {ph.get('path')!r}")
            elif ph["path"] in paths:
                self.bad(f"{w}.path {ph['path']!r}: appears twice")
            else:
                paths[ph["path"]] = ph
            self.ints(ph, PHASE_COUNTS, w)
            self.ints(ph, PHASE_DELTAS, w, signed=True)
            self.balanced(ph, w)
            for flat, cum in (("allocs", "cum_allocs"), ("alloc_bytes", "cum_alloc_bytes"),
                              ("live_bytes", "cum_live_bytes")):
                if is_int(ph.get(flat)) and is_int(ph.get(cum)) and ph[cum] < ph[flat]:
                    self.bad(f"{w}: {cum} {ph[cum]} < {flat} {ph[flat]} (cum includes the phase itself)")
            psites = ph.get("sites")
            if not isinstance(psites, list):
                self.bad(f"{w}.sites: expected an array")
                continue
            for j, ps in enumerate(psites):
                pw = f"{w}.sites[{j}]"
                if not self.obj(ps, pw):
                    continue
                self.ints(ps, PHASE_SITE, pw)
                if ps.get("id") not in ids:
                    self.bad(f"{pw}.id {ps.get('id')} is not in sites[]")
        # cum_ = flat + the children's cum_, when the tree can be rebuilt from
        # the paths (every parent listed; a name holding '/' makes it ambiguous)
        tree_known = all(p.rsplit("/", 1)[0] in paths for p in paths if "/" in p)
        for path, ph in paths.items() if tree_known else ():
            kids = [c for p, c in paths.items() if p.rsplit("/", 1)[0] == path and "/" in p]
            for flat, cum in (("allocs", "cum_allocs"), ("alloc_bytes", "cum_alloc_bytes")):
                if all(is_int(x.get(cum)) for x in kids) and is_int(ph.get(flat)) and is_int(ph.get(cum)):
                    want = ph[flat] + sum(x[cum] for x in kids)
                    if ph[cum] != want:
                        self.bad(f"phase {path!r}: {cum} {ph[cum]} != {flat} {ph[flat]} + nested {want - ph[flat]}")

        self.peak(doc.get("peak"), ids, t if isinstance(t, dict) else {})
        sup = doc.get("suppressed")
        if sup is not None:
            if self.obj(sup, "suppressed"):
                self.ints(sup, SUPPRESSED, "suppressed")
        elif REQUIRE_SUPPRESSED:
            self.bad("suppressed: missing")
        return len(sites), len(phases)

    def peak(self, pk, ids, totals):
        if pk is None:
            if REQUIRE_PEAK_NAMED:
                self.bad("peak: missing")
            return
        if not self.obj(pk, "peak"):
            return
        self.ints(pk, ("live_bytes", "time_ns"), "peak")
        for part, keys in (("sites", PEAK_SITE), ("phases", ("live_bytes",))):
            rows = pk.get(part)
            if not isinstance(rows, list):
                self.bad(f"peak.{part}: expected an array")
                continue
            for j, r in enumerate(rows):
                if self.obj(r, f"peak.{part}[{j}]"):
                    self.ints(r, keys, f"peak.{part}[{j}]")
                    if part == "phases" and not isinstance(r.get("path"), str):
                        self.bad(f"peak.phases[{j}].path: expected a string")
                    if part == "sites" and r.get("id") not in ids:
                        self.bad(f"peak.sites[{j}].id {r.get('id')} is not in sites[]")
        if isinstance(pk.get("sites"), list) and is_int(pk.get("live_bytes")) \
                and all(isinstance(r, dict) and is_int(r.get("live_bytes")) for r in pk["sites"]):
            total = sum(r["live_bytes"] for r in pk["sites"])
            if total != pk["live_bytes"]:
                self.bad(f"peak: sites sum to {total}, not live_bytes {pk['live_bytes']}")
        want = totals.get("peak_live_bytes")
        if is_int(want) and is_int(pk.get("live_bytes")) \
                and abs(want - pk["live_bytes"]) > max(want // 50, 1 << 20):
            self.bad(f"peak.live_bytes {pk['live_bytes']} is not within max(2%, 1 MiB) of "
                     f"totals.peak_live_bytes {want}")


def main(argv):
    sort, path = "bytes", None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--sort" and args:
            sort = args.pop(0)
        elif a.startswith("--sort="):
            sort = a.split("=", 1)[1]
        elif path is None and not a.startswith("--"):
            path = a
        else:
            print(f"usage: schema.py [--sort bytes|live|count] [FILE] (bad argument {a!r})")
            return 2
    if sort not in SORT_KEY:
        print(f"schema.py: --sort {sort!r}: expected bytes, live or count")
        return 2
    try:
        text = open(path, encoding="utf-8").read() if path else sys.stdin.read()
        doc = json.loads(text)
    except (ValueError, OSError) as e:
        print(f"not JSON: {e}")
        return 1
    c = Checker()
    nsites, nphases = c.check(doc, sort)
    if c.problems:
        print("\n".join(c.problems))
        return 1
    print(f"conforms: {nsites} sites, {nphases} phases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
