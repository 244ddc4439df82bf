// wrk, the C load generator, driven from Node: a closed-loop load (`load`, wrk/load.lua) and an
// open-loop latency probe (`probe`, wrk/probe.lua). Both run pinned to LOAD_CPU with one wrk
// thread per core given to them; results are parsed from the JSON line the Lua `done()` prints.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOAD_CPU, cpuMeter, percentile, sleep, start } from './harness.mjs';

const here = import.meta.dirname;
const tmp = mkdtempSync(join(tmpdir(), 'aigw-wrk-'));
const bodies = new Map();

function bodyFile(body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (!bodies.has(text)) {
    const f = join(tmp, `body-${bodies.size}.json`);
    writeFileSync(f, text);
    bodies.set(text, f);
  }
  return bodies.get(text);
}

function wrkEnv({ method, body, headers = {}, vary = false, paths = null, intervalUs = null }) {
  const env = { ...process.env, WRK_METHOD: method ?? (body === undefined ? 'GET' : 'POST') };
  if (body !== undefined) env.WRK_BODY_FILE = bodyFile(body);
  const h = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers };
  env.WRK_HEADERS = Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\n');
  if (vary) env.WRK_VARY = '1';
  if (paths) env.WRK_PATHS = String(paths);
  if (intervalUs) env.WRK_INTERVAL_US = String(intervalUs);
  return env;
}

function parse(p, marker) {
  const line = p.lines.find((l) => l.line.startsWith(marker));
  if (!line) throw new Error(`wrk printed no ${marker} line:\n${p.lines.map((l) => l.line).join('\n')}`);
  return JSON.parse(line.line.slice(marker.length + 1));
}

/**
 * Closed-loop load: `connections` keep-alive connections for `seconds`, each sending the next
 * request as soon as the previous answer is in. `watch`: processes whose CPU share is recorded
 * (measured from 0.3 s after the start to 0.2 s before the end, so connection set-up is left out).
 * Returns req/s, latency percentiles (µs), errors and the CPU record.
 */
export async function load({ url, connections, seconds, watch = [], threads = 1, ...req }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', join(here, 'wrk', 'load.lua'), url];
  const p = start('wrk', 'wrk', args, { cpu: LOAD_CPU, env: wrkEnv(req) });
  const meter = cpuMeter([p, ...watch]);
  const measured = (async () => {
    await sleep(300);
    meter.begin();
    await sleep(seconds * 1000 - 500);
    return meter.end();
  })();
  const [{ code }, cpu] = await Promise.all([p.exit, measured]);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${p.lines.map((l) => l.line).join('\n')}`);
  const r = parse(p, 'WRK_JSON');
  const e = r.errors;
  return {
    connections,
    seconds,
    requests: r.requests,
    rps: r.requests / (r.duration_us / 1e6),
    p50: r.latency.p['50'],
    p90: r.latency.p['90'],
    p99: r.latency.p['99'],
    p999: r.latency.p['99.9'],
    max: r.latency.max,
    mean: r.latency.mean,
    errors: e.connect + e.read + e.write + e.timeout,
    non2xx: e.status,
    cpu,
  };
}

/**
 * Open-loop probe: `connections` connections (one wrk thread each), each sending a request every
 * `intervalUs` on a fixed schedule, latency counted from the scheduled time (wrk/probe.lua).
 * Returns the raw samples {at, lat, status} (µs, CLOCK_MONOTONIC) for `window()`; status 0: no
 * answer before the run ended (lat is a lower bound), so let the run last a while after the window.
 */
export function probe({ url, connections = 4, intervalUs = 10_000, seconds, closed = false, ...req }) {
  const args = [`-t${connections}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', join(here, 'wrk', 'probe.lua'), url];
  const env = wrkEnv({ ...req, intervalUs });
  if (closed) env.WRK_CLOSED = '1';
  const p = start('probe', 'wrk', args, { cpu: LOAD_CPU, env });
  // `.stop()` ends the probe early: wrk stops on SIGINT and still prints its results
  return Object.assign(p.exit.then(({ code }) => {
    if (code !== 0) throw new Error(`wrk probe exited with ${code}: ${p.lines.map((l) => l.line).join('\n')}`);
    const r = parse(p, 'PROBE_JSON');
    return { errors: r.errors, samples: r.samples.map(([at, lat, status]) => ({ at, lat, status })) };
  }), { stop: () => p.proc.kill('SIGINT') });
}

/** Latency statistics (µs) of the probe samples scheduled in [fromUs, toUs). */
export function window(samples, fromUs = -Infinity, toUs = Infinity) {
  const s = samples.filter((x) => x.at >= fromUs && x.at < toUs);
  const lat = s.map((x) => x.lat);
  return {
    count: s.length,
    non2xx: s.filter((x) => x.status !== 0 && (x.status < 200 || x.status > 299)).length,
    // unanswered when the run ended (latency is a lower bound)
    censored: s.filter((x) => x.status === 0).length,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat.length ? Math.max(...lat) : NaN,
    // the share of the window during which requests waited more than 50 ms
    over50ms: s.length ? s.filter((x) => x.lat > 50_000).length / s.length : NaN,
  };
}
