-- bench-server-paths.lua: wrk script for rein-server's benchmark
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- GETs paths picked at random from the file named by $BENCH_PATHS, one path
-- a line (e.g. "/get?key=..."), so that requests spread over the database.

local paths = {}

init = function (args)
  for line in io.lines (os.getenv ("BENCH_PATHS")) do
    paths[#paths + 1] = line
  end
  math.randomseed (os.time () + tonumber (tostring ({}):sub (8), 16) % 100000)
end

request = function ()
  return wrk.format ("GET", paths[math.random (#paths)])
end
