-- wrk script for bench_heartbeats.py: player heartbeats, or plain GETs, with a JSON summary.
--
--   wrk ... -s wrk_heartbeats.lua URL -- SESSIONS_FILE FIRST_SEQUENCE THREADS
--     Each thread owns the sessions on lines index+1, index+1+THREADS, ... of SESSIONS_FILE
--     ("<session id> <access token>" per line) and sends them PUT .../progress in turn, each
--     session's sequence increasing from FIRST_SEQUENCE. A thread's connections take its
--     sessions in turn, so as long as a thread owns more sessions than it has connections,
--     one session never has two heartbeats in flight (their order is the sequences' order).
--   wrk ... -s wrk_heartbeats.lua URL
--     GET of the URL's path.
--
-- done() prints one line "wrk-json {...}": requests, seconds, socket errors, non-2xx
-- answers, answers other than 200 with "applied": true (heartbeats), p50 and p99 in ms.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local sessions = {}
local turn = 0
local plain
bad = 0

function init(args)
  if args[1] == nil then
    plain = wrk.format("GET")
    return
  end
  local first, stride = tonumber(args[2]), tonumber(args[3])
  local lines = {}
  for line in io.lines(args[1]) do
    lines[#lines + 1] = line
  end
  for i = index + 1, #lines, stride do
    local id, token = lines[i]:match("^(%S+)%s+(%S+)$")
    sessions[#sessions + 1] = {
      path = "/api/media/sessions/" .. id .. "/progress",
      headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
      sequence = first,
    }
  end
end

function request()
  if plain then
    return plain
  end
  turn = turn % #sessions + 1
  local session = sessions[turn]
  session.sequence = session.sequence + 1
  -- Positions stay below the completion point (90 % of an hour): no view is counted.
  local body = string.format(
    '{"position": %d, "state": "playing", "sequence": %d}', session.sequence % 300 * 10, session.sequence
  )
  return wrk.format("PUT", session.path, session.headers, body)
end

function response(status, headers, body)
  if status ~= 200 or (#sessions > 0 and not body:find('"applied": true', 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local rejected = 0
  for _, thread in ipairs(threads) do
    rejected = rejected + tonumber(thread:get("bad"))
  end
  local e = summary.errors
  io.write(string.format(
    'wrk-json {"requests": %d, "seconds": %.3f, "socket_errors": %d, "non_2xx": %d, '
      .. '"not_200_applied": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, rejected, latency:percentile(50) / 1000, latency:percentile(99) / 1000
  ))
end
