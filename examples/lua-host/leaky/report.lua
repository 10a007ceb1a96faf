-- Builds a text report of N rows, three times, and keeps a history of rows.
-- Three memory bugs, each on a line marked BUG: `rtprof report` names them.
history = {}                                   -- global: lives as long as the host

local function format_row(i)
  return string.format("row %5d: %s", i, string.rep("x", 48))
end

local function build_report(n)
  local out = ""
  for i = 1, n do
    local row = format_row(i)
    out = out .. row .. "\n"                   -- BUG: quadratic, copies `out` every row
    history[#history + 1] = row .. "\n"        -- BUG: every row kept forever
    -- (the fixed version collects the rows here)
  end
  return out
end

local function audit(n)
  local id = session.open("auditor")
  local total = 0
  for round = 1, 3 do total = total + #build_report(n) end
  return total                                 -- BUG: the session is never closed
end

print("report bytes", audit(2000))
