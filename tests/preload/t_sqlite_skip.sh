# The README's sqlite3 example on Debian's own binaries: `rtprof run --skip
# '^sqlite3(Malloc|Realloc)$'` walks past libsqlite3's exported wrappers and
# past the stripped static allocator under them (no symbol), at capture time.
# Checked on the raw dumps against readelf's symbol extents: without the
# pattern, the innermost frame of most bytes is an unnamed address whose
# caller lies in sqlite3Malloc or sqlite3Realloc; with it, no site starts at
# such an address or inside those two functions, and every byte is still
# counted (same allocations, same bytes).
. "$(dirname "$0")/common.sh"
command -v sqlite3 > /dev/null || { echo "SKIP: sqlite3 is not installed"; exit 77; }
sql=(:memory: ".parameter set @items 2000" ".parameter set @sales 4000" ".read $TOP/tests/bench/workload.sql")
env RTPROF_SKIP= "$RTPROF" run -o "$OUT/plain.dump" --depth 2 --no-report -- sqlite3 "${sql[@]}" > /dev/null
"$RTPROF" run -o "$OUT/skip.dump" --skip '^sqlite3(Malloc|Realloc)$' --no-report -- sqlite3 "${sql[@]}" > /dev/null
python3 - "$OUT/plain.dump" "$OUT/skip.dump" <<'PY'
import re, subprocess, sys
def load(path):
    mods, sites, totals = [], [], None
    for l in open(path):
        if l.startswith("module "):
            m = re.search(r"base=(0x\w+) lo=(0x\w+) hi=(0x\w+) buildid=\S+ path=(.*)", l)
            mods.append((int(m[1], 16), int(m[2], 16), int(m[3], 16), m[4]))
        elif l.startswith("site "):
            f = [int(x, 16) for x in re.search(r"frames=(\S+)", l)[1].split(",")]
            sites.append((int(re.search(r" allocs=(\d+)", l)[1]), int(re.search(r" alloc_bytes=(\d+)", l)[1]), f))
        elif l.startswith("totals "):
            totals = tuple(int(re.search(rf" {k}=(\d+)", l)[1]) for k in ("allocs", "alloc_bytes"))
    return mods, sites, totals
pm, ps, pt = load(sys.argv[1])
sm, ss, st = load(sys.argv[2])
lib = [m for m in pm if "libsqlite3" in m[3]][0]
out = subprocess.run(["readelf", "-Ws", "--dyn-syms", lib[3]], capture_output=True, text=True).stdout
syms = [(int(p[1], 16), int(p[2]), p[7].split("@")[0]) for p in (l.split() for l in out.splitlines())
        if len(p) >= 8 and p[3] == "FUNC" and p[6] != "UND"]
def fn(mods, ra):  # the function holding ra - 1 in libsqlite3, "" when none, None outside it
    m = [x for x in mods if "libsqlite3" in x[3] and x[1] <= ra - 1 < x[2]]
    if not m: return None
    off = ra - 1 - m[0][0]
    return next((n for s, z, n in syms if s <= off < s + z), "")
wrappers = {"sqlite3Malloc", "sqlite3Realloc"}
inner = {f[0] - lib[0] for a, b, f in ps if len(f) > 1 and fn(pm, f[0]) == "" and fn(pm, f[1]) in wrappers}
inner_bytes = sum(b for a, b, f in ps if f[0] - lib[0] in inner)
errors = []
if not inner or inner_bytes * 2 < pt[1]:
    errors.append(f"without --skip, expected most bytes under unnamed frames called by the wrappers: {len(inner)} addresses, {inner_bytes} of {pt[1]} bytes")
slib = [m for m in sm if "libsqlite3" in m[3]][0]
for a, b, f in ss:
    name = fn(sm, f[0])
    if name in wrappers or (name == "" and f[0] - slib[0] in inner):
        errors.append(f"with --skip, a site still starts in a wrapper: {name or hex(f[0] - slib[0])} ({b} bytes)")
if st != pt: errors.append(f"totals differ: {pt} without, {st} with --skip")
if sum(a for a, b, f in ss) > st[0] or sum(b for a, b, f in ss) > st[1]: errors.append("sites add up to more than the totals")
print("\n".join(errors[:10]) or f"sqlite3: {len(inner)} unnamed allocator addresses walked past; {len(ss)} sites instead of {len({f[0] for a, b, f in ps})}")
sys.exit(1 if errors else 0)
PY
