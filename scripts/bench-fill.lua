-- wrk script of scripts/bench that fills the store: bench-create-multiple.lua's requests, and
-- each thread stops after LIMIT responses (4th argument) and then creates the file named by
-- the 5th, for the harness to end wrk with SIGINT (wrk itself waits out its -d duration).
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "bench-create-multiple.lua")

local seen = 0

local marker

local base_init = init
function init(args)
  base_init(args)
  marker = args[5]
end

function response(status, headers, body)
  seen = seen + 1
  if seen == limit then
    wrk.thread:stop()
    if marker then
      io.open(marker, "w"):close()
    end
  end
end
