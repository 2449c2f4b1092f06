-- bench-server-put.lua: wrk script for rein-server's benchmark
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- POSTs /put bodies taken in turn from the file named by $BENCH_BODIES (one
-- JSON body a line, each signed with its owner's current nonce). Each wrk
-- thread starts at its own place in the list.

local bodies = {}
local index = 0

init = function (args)
  for line in io.lines (os.getenv ("BENCH_BODIES")) do
    bodies[#bodies + 1] = line
  end
  math.randomseed (os.time () + tonumber (tostring ({}):sub (8), 16) % 100000)
  index = math.random (#bodies)
end

request = function ()
  index = index % #bodies + 1
  return wrk.format ("POST", "/put", { ["Content-Type"] = "application/json" }, bodies[index])
end
