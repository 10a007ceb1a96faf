#!/usr/bin/env python3
"""The JSON report's contract (DESIGN.md, "JSON report"), checked for the
tests when the project-wide checker (../shared/tools/check-report-json) is
not next to the checkout, as in CI. Usage: schema.py FILE. Exit 0 and a
one-line summary when it conforms; 1 with one line per problem."""
import json
import sys

TOTALS = ("allocs frees alloc_bytes freed_bytes live_blocks live_bytes peak_live_bytes "
          "committed_bytes peak_committed_bytes rss_bytes peak_rss_bytes overhead_bytes").split()
SITE = "id allocs alloc_bytes frees freed_bytes live_blocks live_bytes peak_live_bytes".split()
FRAME = "function file line module offset inlined".split()
PHASE = ("calls committed_delta committed_delta_max live_delta allocs alloc_bytes frees "
         "freed_bytes live_blocks live_bytes cum_allocs cum_alloc_bytes cum_live_bytes wall_ns").split()
PHASE_SITE = "id allocs alloc_bytes live_blocks live_bytes".split()
OVERFLOW = "sites_dropped allocs alloc_bytes live_bytes".split()


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def ints(obj, keys, where, problems):
    if not isinstance(obj, dict):
        problems.append(f"{where}: expected an object")
        return
    for k in keys:
        if k not in obj:
            problems.append(f"{where}.{k}: missing")
        elif not is_int(obj[k]):
            problems.append(f"{where}.{k}: expected an integer, got {obj[k]!r}")


def check(doc):
    p = []
    if doc.get("format") != "rtprof-report":
        p.append(f"format: expected 'rtprof-report', got {doc.get('format')!r}")
    if not is_int(doc.get("version")):
        p.append("version: expected an integer")
    for k in ("program", "pid"):
        if k not in doc:
            p.append(f"{k}: missing")
    ints(doc.get("totals"), TOTALS, "totals", p)
    ints(doc.get("overflow"), OVERFLOW, "overflow", p)
    sites = doc.get("sites")
    if not isinstance(sites, list):
        p.append("sites: expected an array")
        sites = []
    ids, last = set(), None
    for i, s in enumerate(sites):
        ints(s, SITE, f"sites[{i}]", p)
        ids.add(s.get("id"))
        frames = s.get("frames")
        if not isinstance(frames, list) or not frames:
            p.append(f"sites[{i}].frames: expected a non-empty array")
            continue
        for j, f in enumerate(frames):
            for k in FRAME:
                if k not in f:
                    p.append(f"sites[{i}].frames[{j}].{k}: missing")
            if f.get("line") is not None and not is_int(f.get("line")):
                p.append(f"sites[{i}].frames[{j}].line: expected an integer or null")
            if not isinstance(f.get("inlined"), bool):
                p.append(f"sites[{i}].frames[{j}].inlined: expected a boolean")
    phases = doc.get("phases") or []
    for i, ph in enumerate(phases):
        if not isinstance(ph.get("path"), str):
            p.append(f"phases[{i}].path: expected a string")
        ints(ph, PHASE, f"phases[{i}]", p)
        for j, ps in enumerate(ph.get("sites") or []):
            ints(ps, PHASE_SITE, f"phases[{i}].sites[{j}]", p)
            if ps.get("id") not in ids:
                p.append(f"phases[{i}].sites[{j}].id {ps.get('id')} is not in sites[]")
    return p, len(sites), len(phases)


def main():
    try:
        doc = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
    except ValueError as e:
        print(f"not JSON: {e}")
        return 1
    problems, nsites, nphases = check(doc)
    if problems:
        print("\n".join(problems))
        return 1
    print(f"conforms: {nsites} sites, {nphases} phases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
