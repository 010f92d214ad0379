-- wrk script for benchmarks/load.py: a mix of API endpoints, including cold what-ifs.
--
-- Every request is chosen in turn from MIX (each wrk thread starts at a different place).
-- "whatif_cold" POSTs a body that no earlier request used (the added capacity carries the
-- thread id and a counter), so the server computes it: it is never in the what-if cache.
-- Node ids and commodities come from the environment (set by load.py from the running
-- server): MG_NODE_IDS and MG_COMMODITIES, comma-separated.
-- done() prints one line "MG_RESULT {json}" with the counts, status codes and latency.

local function split(s)
  local out = {}
  for item in string.gmatch(s or "", "[^,]+") do
    out[#out + 1] = item
  end
  return out
end

local ids = split(os.getenv("MG_NODE_IDS"))
local coms = split(os.getenv("MG_COMMODITIES"))
if #ids == 0 then ids = { "country:CHN" } end
if #coms == 0 then coms = { "rare_earths" } end

local MIX = {
  "health", "nodes", "node", "chokepoints", "whatif_cold", "preset", "nodes_bbox", "nir",
  "node", "commodities", "whatif_cold", "bands", "prc_exposure", "export_controls", "node",
  "whatif_cold_country", "countries", "nodes",
}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  statuses = {}
  cold = 0
end

local function pick(list, i)
  return list[(i % #list) + 1]
end

function request()
  n = n + 1
  local i = n + tid * 7
  local kind = MIX[(i % #MIX) + 1]
  local c = pick(coms, i)
  local p = "/api/v1/"
  if kind == "health" then
    return wrk.format("GET", p .. "health")
  elseif kind == "commodities" then
    return wrk.format("GET", p .. "commodities")
  elseif kind == "countries" then
    return wrk.format("GET", p .. "countries")
  elseif kind == "nodes" then
    return wrk.format("GET", p .. "nodes?kind=Facility&limit=50&offset=" .. (i % 500))
  elseif kind == "nodes_bbox" then
    return wrk.format("GET", p .. "nodes?min_lon=70&min_lat=15&max_lon=135&max_lat=55&limit=100")
  elseif kind == "node" then
    return wrk.format("GET", p .. "nodes/" .. pick(ids, i))
  elseif kind == "chokepoints" then
    return wrk.format("GET", p .. "chokepoints?commodity=" .. c .. "&limit=10")
  elseif kind == "nir" then
    return wrk.format("GET", p .. "dependence/nir?commodity=" .. c)
  elseif kind == "bands" then
    return wrk.format("GET", p .. "dependence/bands?year=" .. (2023 + i % 3))
  elseif kind == "prc_exposure" then
    return wrk.format("GET", p .. "dependence/prc-exposure?commodity=" .. c)
  elseif kind == "export_controls" then
    return wrk.format("GET", p .. "export-controls?country=CHN")
  elseif kind == "preset" then
    return wrk.format("GET", p .. "whatif/presets/prc-refining-cutoff?commodity=" .. c)
  elseif kind == "whatif_cold" or kind == "whatif_cold_country" then
    cold = cold + 1
    local capacity = tid * 1000000 + cold -- unique per request: a cache miss every time
    local remove
    if kind == "whatif_cold" then
      remove = '{"control":["CHN"],"stages":["refining"]}'
    else
      remove = '{"countries":["CHN"],"stages":["mining"],"commodities":["' .. c .. '"]}'
    end
    local body = '{"remove":[' .. remove .. '],"add":[{"commodity":"' .. c .. '","iso3":"USA","capacity_t":'
      .. capacity .. ',"stage":"refining"}],"commodities":["' .. c .. '"]}'
    return wrk.format("POST", p .. "whatif", { ["content-type"] = "application/json" }, body)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local codes = {}
  local cold_total = 0
  for _, t in ipairs(threads) do
    cold_total = cold_total + (t:get("cold") or 0)
    local s = t:get("statuses") or {}
    for code, count in pairs(s) do
      codes[tostring(code)] = (codes[tostring(code)] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(codes) do
    parts[#parts + 1] = string.format('"%s":%d', code, count)
  end
  local e = summary.errors
  io.write(string.format(
    'MG_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,'
      .. '"status":%d,"timeout":%d},"statuses":{%s},"cold_whatifs_sent":%d,'
      .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ","), cold_total,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
  ))
end
