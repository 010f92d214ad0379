-- wrk script for benchmarks/api_wrk.py: prints one line "MG_RESULT {json}" with the counts,
-- socket errors and latency percentiles (p50, p90, p95, p99, max) when the run ends.
--
-- With MG_COLD_WHATIF set (a comma-separated list of commodities), every request is a POST
-- /api/v1/whatif for one commodity with a body no earlier request used (the added capacity
-- carries the thread id and a counter), so the server computes it: never a cache hit.
-- Without it, wrk sends its plain GET of the URL given on the command line.

local coms = {}
for item in string.gmatch(os.getenv("MG_COLD_WHATIF") or "", "[^,]+") do
  coms[#coms + 1] = item
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

if #coms > 0 then
  function init(args)
    n = 0
  end

  function request()
    n = n + 1
    local c = coms[(n % #coms) + 1]
    local capacity = tid * 1000000 + n -- unique per request: a cache miss every time
    local body = '{"remove":[{"control":["CHN"],"stages":["refining"]}],"add":[{"commodity":"' .. c
      .. '","iso3":"USA","capacity_t":' .. capacity .. ',"stage":"refining"}],"commodities":["' .. c .. '"]}'
    return wrk.format("POST", "/api/v1/whatif", { ["content-type"] = "application/json" }, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'MG_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,'
      .. '"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean
  ))
end
