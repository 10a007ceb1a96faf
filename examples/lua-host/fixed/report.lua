-- Builds a text report of N rows, three times, and keeps a history of rows.
-- The fixed version: every line as in ../leaky/report.lua but the bugs.
history = {}                                   -- global: lives as long as the host

local function format_row(i)
  return string.format("row %5d: %s", i, string.rep("x", 48))
end

local function build_report(n)
  local out = {}
  for i = 1, n do
    local row = format_row(i)
    -- fixed: no concatenation per row (was: out = out .. row .. "\n")
    -- fixed: no history of every row (was: history[#history + 1] = row .. "\n")
    out[i] = row
  end
  return table.concat(out, "\n") .. "\n"
end

local function audit(n)
  local id = session.open("auditor")
  local total = 0
  for round = 1, 3 do total = total + #build_report(n) end
  session.close(id) return total               -- fixed: the session is closed
end

print("report bytes", audit(2000))
