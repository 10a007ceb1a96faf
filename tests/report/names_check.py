#!/usr/bin/env python3
"""Checks a JSON report against the ELF symbol tables of its modules, read
with readelf -sW: every frame named by a function (the outermost of each
inline chain; inlined ones are DWARF's) lies inside the extent of a FUNC or
IFUNC symbol of that name, (C++ names
demangled with c++filt) in the table rtprof uses (the separate debug
file's, from /usr/lib/debug/.build-id or .gnu_debuglink beside the module,
when there is one; .symtab, else .dynsym).
Usage: names_check.py REPORT.json MIN_NAMED MIN_UNNAMED
Prints "checked N named frames, M without a name"; exit 1 on a wrong name."""
import json, os, re, subprocess, sys

def readelf(args):
    return subprocess.run(["readelf"] + args, capture_output=True).stdout.decode("utf-8", "replace")

def debug_file(path):
    m = re.search(r"Build ID: ([0-9a-f]+)", readelf(["-n", path]))
    if m:
        bid = m.group(1)
        cand = "/usr/lib/debug/.build-id/%s/%s.debug" % (bid[:2], bid[2:])
        if os.path.isfile(cand) and bid in readelf(["-n", cand]):
            return cand
    out = readelf(["--string-dump=.gnu_debuglink", path])
    m = re.search(r"\]\s+(\S+)", out)
    if m:
        d = os.path.dirname(path)
        for cand in (os.path.join(d, m.group(1)), os.path.join(d, ".debug", m.group(1))):
            if os.path.isfile(cand) and cand != path:
                return cand
    return None

def func_symbols(path):
    """{'.symtab': [(lo, hi, name)], '.dynsym': [...]}"""
    tables, cur = {}, None
    for line in readelf(["-sW", path]).splitlines():
        m = re.match(r"Symbol table '(\.\w+)'", line)
        if m:
            cur = tables.setdefault(m.group(1), [])
            continue
        f = line.split()
        if cur is None or len(f) < 8 or not f[0].endswith(":"):
            continue
        if f[3] not in ("FUNC", "IFUNC") or f[6] == "UND":
            continue
        size = int(f[2], 16) if f[2].startswith("0x") else int(f[2])
        if size:
            lo = int(f[1], 16)
            cur.append((lo, lo + size, f[7].split("@")[0]))
    return tables

def demangle(names):
    if not names:
        return []
    out = subprocess.run(["c++filt"], input="\n".join(names) + "\n", capture_output=True, text=True).stdout
    return out.splitlines()

cache = {}
def symbols_of(module):
    if module not in cache:
        syms = []
        for p in (debug_file(module), module):
            if not p:
                continue
            t = func_symbols(p)
            syms = t.get(".symtab") or t.get(".dynsym") or []
            if syms:
                break
        cache[module] = syms
    return cache[module]

doc = json.load(open(sys.argv[1]))
min_named, min_unnamed = int(sys.argv[2]), int(sys.argv[3])
named = unnamed = 0
bad = []
for s in doc["sites"]:
    for f in s["frames"]:
        if f["inlined"] or not f["module"]:
            continue
        if f["function"] is None:
            unnamed += 1
            continue
        named += 1
        off, fn = f["offset"], f["function"]
        holders = [n for lo, hi, n in symbols_of(f["module"]) if lo <= off < hi]
        ok = any(fn == n or fn == n.split(".")[0] for n in holders)
        if not ok:  # C++: addr2line demangles, the table holds mangled names
            ok = any(fn == d or fn == d.split(" [clone")[0] for d in demangle([n for n in holders if n.startswith("_Z")]))
        if not ok:
            bad.append("%s at %s+0x%x: symbols holding it: %s" % (fn, f["module"], off, holders or "none"))
print("checked %d named frames, %d without a name" % (named, unnamed))
for b in sorted(set(bad))[:20]:
    print("  wrong name:", b)
if bad or named < min_named or unnamed < min_unnamed:
    sys.exit(1)
