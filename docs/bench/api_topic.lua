-- wrk script for docs/bench/discussions.sh: GET /api/v1/topics/<id> of a
-- topic picked at random in 1..N for every request.
--
--   wrk -t2 -c64 -d15s -s docs/bench/api_topic.lua -H 'Authorization: Bearer TOKEN' \
--     http://127.0.0.1:18090 -- N

local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

local topics

function init(args)
  topics = tonumber(args[1]) or 10000
  math.randomseed(os.time() * 1000 + tid * 7919)
end

function request()
  return wrk.format("GET", "/api/v1/topics/" .. math.random(topics))
end
