-- wrk script of scripts/bench: create_multiple on two distinct random locks per request.
--
--   wrk -s scripts/bench-create-multiple.lua URL -- IDS_FILE [METHOD] [SEED]
--   wrk -s scripts/bench-fill.lua URL -- IDS_FILE METHOD SEED LIMIT
--
-- IDS_FILE holds one device id a line; METHOD is PUT (default) or POST (Seam's fake answers
-- POST only). Every thread draws its own pairs from its own seed. bench-fill.lua adds a
-- `response` hook (which makes wrk parse every response, so measured runs go without it):
-- a thread stops after LIMIT responses (the harness fills the store this way). At the end it prints
-- `non2xx N` (responses with status >= 400 plus socket errors: wrk's own counters; a
-- create_multiple never answers 1xx or 3xx), the requests, p50/p99, the duration and the
-- latency histogram, one line each, for the harness to read.

local ids = {}
local method = "PUT"
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("thread_no", thread_no)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      ids[#ids + 1] = line
    end
  end
  method = args[2] or "PUT"
  limit = tonumber(args[4])
  math.randomseed((tonumber(args[3]) or 1) * 7919 + (thread_no or 0))
  wrk.headers["Authorization"] = "Bearer seam_apikey1_token"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local n = #ids
  local a = math.random(n)
  local b = math.random(n - 1)
  if b >= a then
    b = b + 1
  end
  local body = '{"device_ids":["' .. ids[a] .. '","' .. ids[b] .. '"]}'
  return wrk.format(method, "/access_codes/create_multiple", nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("non2xx %d\n", e.status + e.connect + e.read + e.write + e.timeout))
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("p99_us %d\n", latency:percentile(99)))
  io.write(string.format("p50_us %d\n", latency:percentile(50)))
  io.write(string.format("duration_us %d\n", summary.duration))
  -- The whole latency histogram (microseconds:count, wrk's own buckets), so the harness can
  -- take percentiles over several runs together.
  local parts = {}
  for i = 1, #latency do
    local v, c = latency(i)
    parts[#parts + 1] = string.format("%d:%d", v, c)
  end
  io.write("histogram " .. table.concat(parts, ",") .. "\n")
end
