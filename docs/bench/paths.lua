-- wrk script for docs/bench/discussions.sh: every request GETs a path
-- picked at random from a list, so the server sees many different pages.
--
--   wrk -t2 -c64 -d15s -s docs/bench/paths.lua http://127.0.0.1:18090 -- LIST [count]
--
-- LIST is a Lua file that returns a table of paths, e.g.
--   return {"/t/how-do-i-pair-the-hub/1", "/t/firmware-2-3/2", ...}
-- discussions.sh writes it from the database with each topic's canonical
-- address (/t/<slug>/<id>), so no request is answered with a redirect.
-- Headers given with -H (Cookie, Authorization) are sent with each request.
--
-- With "walk" as the second argument, the paths are asked in order rather
-- than at random (discussions.sh fills the visitors' page cache so).
--
-- With "count" as the second argument the script also counts the status
-- codes and the responses served from the page cache (X-Cache: hit) and
-- prints them at the end. Reading every response's headers in Lua costs
-- wrk CPU, so the measured runs leave it off.

local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end

local paths

function init(args)
  paths = dofile(args[1])
  math.randomseed(os.time() * 1000 + tid * 7919)
  walk = args[2] == "walk"
  if args[2] == "count" then
    hits, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0
    function response(status, headers, body)
      if status < 300 then s2xx = s2xx + 1
      elseif status < 400 then s3xx = s3xx + 1
      elseif status < 500 then s4xx = s4xx + 1
      else s5xx = s5xx + 1 end
      if headers["X-Cache"] == "hit" then hits = hits + 1 end
    end
  end
end

local walked = 0

function request()
  if walk then
    -- Each thread walks the list in order from its own starting point
    -- (thread 2 from the middle: run with -t2), to visit every page once.
    walked = walked + 1
    return wrk.format("GET", paths[((tid - 1) * math.floor(#paths / 2) + walked - 1) % #paths + 1])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local t = {hits = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0}
  local counted = false
  for _, thread in ipairs(threads) do
    if thread:get("s2xx") then
      counted = true
      for k in pairs(t) do t[k] = t[k] + thread:get(k) end
    end
  end
  if counted then
    local all = t.s2xx + t.s3xx + t.s4xx + t.s5xx
    io.write(string.format("statuses: 2xx %d, 3xx %d, 4xx %d, 5xx %d; X-Cache hits %d of %d (%.1f%%)\n",
      t.s2xx, t.s3xx, t.s4xx, t.s5xx, t.hits, all, all > 0 and 100 * t.hits / all or 0))
  end
end
