-- wrk script for docs/bench/discussions.sh: every request posts a reply,
-- POST /api/v1/topics/<id>/posts, to a topic picked at random in 1..N.
-- Each body is different (thread and request number) and has no link, no
-- image and no mention.
--
--   wrk -t2 -c64 -d15s -s docs/bench/api_post.lua -H 'Authorization: Bearer TOKEN' \
--     http://127.0.0.1:18090 -- N
--
-- The token's member must not be a new member (trust level 0), whose posts
-- a day are limited: discussions.sh sets its trust level to 2.

local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

local topics
local count = 0

function init(args)
  topics = tonumber(args[1]) or 10000
  math.randomseed(os.time() * 1000 + tid * 7919)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  count = count + 1
  local body = string.format(
    '{"body":"Benchmark reply %d from wrk thread %d: the hub paired at once after the firmware update, thanks for the tip."}',
    count, tid)
  return wrk.format("POST", "/api/v1/topics/" .. math.random(topics) .. "/posts", nil, body)
end
