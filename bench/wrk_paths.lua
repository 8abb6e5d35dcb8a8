-- wrk script for bench_search.py: GETs of the paths listed in a file, in turn, with a JSON
-- summary.
--
--   wrk ... -s wrk_paths.lua URL -- PATHS_FILE
--     Each thread starts at its own place in PATHS_FILE (one path with its query string per
--     line) and goes through it in turn, over and over.
--
-- done() prints one line "wrk-json {...}": requests, seconds, socket errors, non-2xx
-- answers, answers other than 200, p50, p95 and p99 in ms.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local paths = {}
local turn = 0
bad = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  turn = (index * 7919) % #paths
end

function request()
  turn = turn % #paths + 1
  return wrk.format("GET", paths[turn])
end

function response(status, headers, body)
  if status ~= 200 then
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
      .. '"not_200": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, rejected, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000
  ))
end
