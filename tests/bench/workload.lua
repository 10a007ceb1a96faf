-- The Lua workload of tests/bench/run.sh, run by Debian's lua5.4 under the
-- interposer: tables, closures, string building and sorting, the
-- allocations an interpreter makes for a script. Deterministic (no
-- randomness, no I/O but one line of output). Usage: lua5.4 workload.lua [N]
local n = tonumber(arg[1]) or 100000

local function make_tree(depth)
  if depth == 0 then return { leaf = true } end
  return { left = make_tree(depth - 1), right = make_tree(depth - 1), depth = depth }
end

local function count(t)
  if t.leaf then return 1 end
  return 1 + count(t.left) + count(t.right)
end

local sum, parts = 0, {}
for i = 1, n do
  local rec = { id = i, name = "item" .. i, tags = { i % 7, i % 11, i % 13 } }
  local f = function(x) return x * rec.id end
  sum = (sum + f(3) + #rec.name + rec.tags[2]) % 1000000007
  if i % 10 == 0 then parts[#parts + 1] = string.format("%d:%s", i, rec.name) end
  if i % 1000 == 0 then
    sum = (sum + count(make_tree(10))) % 1000000007
    table.sort(parts, function(a, b) return a > b end)
    sum = (sum + #table.concat(parts, ",")) % 1000000007
    parts = {}
  end
end
print(string.format("lua workload n=%d checksum=%d", n, sum))
