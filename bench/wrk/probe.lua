-- Open-loop latency probe for wrk (bench/wrk.mjs): run with as many threads as connections
-- (-tN -cN), so each thread owns one connection and request()/response() strictly alternate.
-- Each connection sends one request every WRK_INTERVAL_US microseconds on a fixed schedule and
-- a request's latency is counted from its *scheduled* time, not from when it could be sent: a
-- stall of the server shows up in every request that should have been sent during it (no
-- coordinated omission, as wrk2 does it). Same WRK_METHOD / WRK_BODY_FILE / WRK_HEADERS as load.lua.
-- done() prints "PROBE_JSON {"samples":[[sched_us,latency_us,status],...]}" (CLOCK_MONOTONIC µs).
-- WRK_CLOSED=1: closed loop instead (bench/profile/first-wave.mjs): each connection sends its next
-- request as soon as its answer came, as wrk does, and a latency counts from the send.
-- A request still unanswered when the run ends, and every request that was due but never sent
-- because its connection was still waiting, is a sample with status 0 and latency = end − due
-- (a lower bound): the requests a stall delays the most are not dropped.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } probe_timespec;
int clock_gettime(int clk, probe_timespec *tp);
]]
local ts = ffi.new("probe_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC, the clock of Node's process.hrtime
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local closed = os.getenv("WRK_CLOSED") == "1"
local interval = closed and 0 or tonumber(os.getenv("WRK_INTERVAL_US") or "10000")
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

-- globals, so done() can read them from each thread
samples = {}
next_at = nil
pending = nil -- scheduled time of the request in flight
local req = nil
local behind = false -- the previous answer came after this request's scheduled time

function init(args)
  req = wrk.format()
  math.randomseed(math.floor(now_us()))
  next_at = now_us() + math.random(0, interval) -- spread the connections over the interval
end

function delay()
  if closed then return 0 end
  local wait = (next_at - now_us()) / 1000
  if wait <= 0 then return 0 end
  return math.ceil(wait)
end

function request()
  -- Sent on the timer: count from now (the timer fires up to ~1 ms late; that is the probe's own
  -- lag, not the server's). Sent at once because the previous answer came after this request's
  -- scheduled time: count from the schedule, so the wait for the server is included.
  pending = (behind and not closed) and next_at or now_us()
  next_at = next_at + interval
  return req
end

function response(status, headers, body)
  local t = now_us()
  behind = t > next_at
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
    local due = th:get("next_at")
    while due and not closed and due < t_end do
      all[#all + 1] = string.format("[%d,%d,0]", due, t_end - due)
      due = due + interval
    end
  end
  local e = summary.errors
  io.write(string.format('PROBE_JSON {"errors":%d,"samples":[%s]}\n', e.connect + e.read + e.write + e.timeout, table.concat(all, ",")))
end
