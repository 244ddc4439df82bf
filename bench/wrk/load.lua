-- Closed-loop load for wrk (bench/wrk.mjs). Environment:
--   WRK_METHOD       GET (default) or POST
--   WRK_BODY_FILE    request body, read once
--   WRK_HEADERS      "Name: value" lines separated by newlines
--   WRK_VARY         "1": every "{n}" in the body becomes a per-request counter (unique prompts)
--   WRK_PATHS        N: request path is the URL's path followed by (counter % N) (many routes)
-- done() prints one line "WRK_JSON {...}" (latencies in microseconds).
local method = os.getenv("WRK_METHOD") or "GET"
local body_file = os.getenv("WRK_BODY_FILE")
local vary = os.getenv("WRK_VARY") == "1"
local paths = tonumber(os.getenv("WRK_PATHS") or "")

wrk.method = method
if body_file then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
end
for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

if vary or paths then
  local counter = 0
  local template = wrk.body
  local base = wrk.path
  local seed = tostring(os.time()) -- a new run never repeats an earlier run's prompts
  function request()
    counter = counter + 1
    local b = template
    if vary then b = template:gsub("{n}", seed .. "-" .. counter) end
    local p = base
    if paths then p = base .. (counter % paths) end
    return wrk.format(nil, p, nil, b)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({ 50, 75, 90, 99, 99.9 }) do p[#p + 1] = string.format('"%s":%d', tostring(q), latency:percentile(q)) end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency":{"min":%d,"max":%d,"mean":%.1f,"stdev":%.1f,"p":{%s}}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(p, ",")))
end
