-- Closed-loop per-request latencies for wrk (bench/profile/first-wave.mjs): run with as many threads as
-- connections (-tN -cN), so each thread owns one connection and request()/response() strictly
-- alternate. Each connection sends its next request as soon as the answer came, as wrk does; a
-- request's latency is counted from request() (CLOCK_MONOTONIC µs). Same WRK_METHOD / WRK_BODY_FILE /
-- WRK_HEADERS as load.lua. done() prints "PROBE_JSON {"samples":[[sent_us,latency_us,status],...]}";
-- a request still unanswered at the end is a sample with status 0 and latency = end − sent.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } probe_timespec;
int clock_gettime(int clk, probe_timespec *tp);
]]
local ts = ffi.new("probe_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end
local body_file = os.getenv("WRK_BODY_FILE")
wrk.method = os.getenv("WRK_METHOD") or "GET"
if body_file then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
end
for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
samples = {}
pending = nil
local req = nil
function init(args) req = wrk.format() end
function request() pending = now_us() return req end
function response(status, headers, body)
  local t = now_us()
  samples[#samples + 1] = string.format("[%d,%d,%d]", pending, t - pending, status)
  pending = nil
end
function done(summary, latency, requests)
  local all = {}
  local t_end = now_us()
  for _, th in ipairs(threads) do
    local s = th:get("samples")
    for i = 1, #s do all[#all + 1] = s[i] end
    local p = th:get("pending")
    if p then all[#all + 1] = string.format("[%d,%d,0]", p, t_end - p) end
  end
  io.write(string.format('PROBE_JSON {"errors":0,"samples":[%s]}\n', table.concat(all, ",")))
end
