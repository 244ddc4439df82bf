// bench/lifecycle — latency while `aigw serve` starts and while it reloads a 5,000-entity
// configuration, against its own warm latency, under the same load (wrk, 50 connections on the
// ai-proxy route) plus an open-loop probe (wrk/probe.lua) that counts every request from its
// scheduled time, so a stall of the event loop shows in every request due during it.
//   npm run build && node bench/lifecycle/run.mjs [--rounds 5] [--connections 50] [--entities 5000]
import { renameSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { KEY, bareProxy, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, nowUs, sleep, stopAll, summary } from '../harness.mjs';
import { environment, n0, ok, us, writeResults, x2 } from '../report.mjs';
import { countEntities, generateState } from '../validate/generate.mjs';
import { load, probe, window } from '../wrk.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const rounds = arg('rounds', 5);
const C = arg('connections', 50);
const entities = arg('entities', 5000);
const WINDOW = 2; // seconds measured after start / after the reload is triggered
const LEAD = 0.5; // seconds of load before a reload is triggered
const TAIL = 1.5; // seconds of probe after a window, so its late answers still arrive
const RUN = Math.ceil(LEAD + WINDOW + TAIL); // wrk takes whole seconds
const env = environment();
/**
 * The probe's schedule. A probe connection can only send its next request once the previous one
 * is answered, so it falls behind (and over-counts) when answers take longer than its interval:
 * the interval is twice the warm p99 of the load (at least 50 ms), measured before the rounds, and
 * the number of connections gives about 300 requests/s (16 to 64 connections, one wrk thread each).
 */
function probeFor(warmP99Us) {
  const intervalUs = Math.max(50_000, Math.ceil((2 * warmP99Us) / 10_000) * 10_000);
  return { connections: Math.min(64, Math.max(16, Math.round((300 * intervalUs) / 1e6))), intervalUs };
}
const probes = {};

/**
 * Load for `seconds` and the probe for RUN seconds, started together; `during(t0)` runs meanwhile
 * (the event to measure).
 */
async function measure(url, seconds, schedule, during = async () => null) {
  const req = { url, body: chatBody };
  const t0 = nowUs();
  const [l, p, event] = await Promise.all([load({ ...req, connections: C, seconds }), probe({ ...req, ...schedule, seconds: RUN }), during(t0)]);
  return { t0, load: l, probe: p, event };
}

const brief = (l) => ({ rps: l.rps, p50: l.p50, p99: l.p99, max: l.max, errors: l.errors + l.non2xx });

/** Warm p99 of the load on a warmed-up gateway: sets the probe's schedule. */
async function calibrate(url) {
  await load({ url, body: chatBody, connections: C, seconds: 3 });
  const r = await load({ url, body: chatBody, connections: C, seconds: 2 });
  return probeFor(r.p99);
}

/**
 * Fresh processes, each measured in its first 2 s after it listens and again warm. `kind`: aigw
 * (`aigw serve`, one ai-proxy route) or the bare proxy, for comparison: any node process starts cold.
 */
async function startup(mockUrl, kind, schedule) {
  const file = configFile('one-route.yaml', oneRoute(mockUrl));
  const launch = async () => {
    if (kind === 'aigw') {
      const gw = await serve(file, { cpu: SERVER_CPU });
      return Object.assign(gw, { target: `${gw.url}/ai/chat` });
    }
    const b = await bareProxy(`${mockUrl}/v1/chat/completions`, { cpu: SERVER_CPU, json: { model: 'gpt-4o', maxTokens: 512, authorization: `Bearer ${KEY}` } });
    return Object.assign(b, { target: `${b.url}/` });
  };
  const out = [];
  for (let i = 0; i < rounds; i++) {
    const gw = await launch();
    const first = await measure(gw.target, WINDOW, schedule);
    await load({ url: gw.target, body: chatBody, connections: C, seconds: 3 }); // warm-up
    const warm = await measure(gw.target, WINDOW, schedule);
    await gw.stop();
    const r = {
      readyMs: (gw.readyAt - gw.spawnedAt) / 1000,
      first: { load: brief(first.load), probe: window(first.probe.samples, gw.readyAt, gw.readyAt + WINDOW * 1e6) },
      warm: { load: brief(warm.load), probe: window(warm.probe.samples, warm.t0, warm.t0 + WINDOW * 1e6) },
    };
    out.push(r);
    process.stderr.write(`startup ${kind} ${i + 1}/${rounds}: ready ${r.readyMs.toFixed(0)} ms; first 2 s p99 load ${us(r.first.load.p99)} probe ${us(r.first.probe.p99)} (max ${us(r.first.probe.max)}); warm p99 load ${us(r.warm.load.p99)} probe ${us(r.warm.probe.p99)}\n`);
    await sleep(500);
  }
  return out;
}

/** The probe schedule for the start measurements, from a warmed-up aigw. */
async function startSchedule(mockUrl) {
  const cal = await serve(configFile('one-route.yaml', oneRoute(mockUrl)), { cpu: SERVER_CPU });
  probes.start = await calibrate(`${cal.url}/ai/chat`);
  await cal.stop();
  return probes.start;
}

/** The generated state plus the ai route the load uses; `tag` makes two versions differ. */
function bigState(mockUrl, tag) {
  const s = generateState(entities);
  s.services[0].tags = ['bench', tag];
  s.services.unshift(...parse(oneRoute(mockUrl)).services);
  return stringify(s, { lineWidth: 0 });
}

async function reload(mockUrl) {
  const texts = [bigState(mockUrl, 'a'), bigState(mockUrl, 'b')];
  const file = configFile('big.yaml', texts[0]);
  const gw = await serve(file, { cpu: SERVER_CPU, admin: true, watch: true });
  const url = `${gw.url}/ai/chat`;
  const schedule = (probes.reload = await calibrate(url));
  const triggers = {
    // write a temporary file and rename it over the state file (as editors and config tools do)
    file: async (t0, k) => {
      await sleep(LEAD * 1000);
      const at = nowUs();
      writeFileSync(`${file}.tmp`, texts[k % 2]);
      renameSync(`${file}.tmp`, file);
      const done = await gw.waitFor(/configuration reloaded|rejected/, 30_000, at);
      return { at, ms: (done.at - at) / 1000, line: done.line };
    },
    post: async (t0, k) => {
      await sleep(LEAD * 1000);
      const at = nowUs();
      const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: texts[k % 2] });
      await res.arrayBuffer();
      return { at, ms: (nowUs() - at) / 1000, status: res.status };
    },
  };
  const out = { entities: countEntities(generateState(entities)) + 3, yamlBytes: texts[0].length, warm: [], file: [], post: [] };
  let k = 1;
  for (let i = 0; i < rounds; i++) {
    const w = await measure(url, Math.ceil(LEAD + WINDOW), schedule);
    out.warm.push({ load: brief(w.load), probe: window(w.probe.samples, w.t0 + LEAD * 1e6, w.t0 + (LEAD + WINDOW) * 1e6) });
    for (const kind of ['file', 'post']) {
      const m = await measure(url, Math.ceil(LEAD + WINDOW), schedule, (t0) => triggers[kind](t0, k++));
      out[kind].push({ load: brief(m.load), probe: window(m.probe.samples, m.event.at, m.event.at + WINDOW * 1e6), event: m.event });
      const r = out[kind].at(-1);
      process.stderr.write(`reload ${kind} ${i + 1}/${rounds}: ${r.event.ms.toFixed(0)} ms; p99 load ${us(r.load.p99)} probe ${us(r.probe.p99)} (max ${us(r.probe.max)}), warm probe p99 ${us(out.warm.at(-1).probe.p99)}\n`);
      await sleep(1000);
    }
  }
  await gw.stop();
  return out;
}

function report({ start, startBare, rel }) {
  const s = (xs) => summary(xs);
  const fmt = (x, f) => `${f(x.median)} (${f(x.min)} – ${f(x.max)})`;
  const perRound = (list, f) => s(list.map(f));
  const lines = [
    `Load: wrk, ${C} connections on /ai/chat (ai-proxy → aigw mock). Probe: latency from the scheduled send time; ${probes.start.connections} connections × 1 request every ${probes.start.intervalUs / 1000} ms at start, ${probes.reload.connections} × ${probes.reload.intervalUs / 1000} ms for reloads (2 × the warm p99 of the load, at least 50 ms). ${rounds} rounds; median (min – max) over rounds.`,
    '',
    '### Start (one ai-proxy route): the first 2 s after the proxy listens vs warm (same process, after 3 s of load)',
    '',
    '| measure | first 2 s | warm | ratio | target |',
    '|---|---|---|---|---|',
  ];
  const pStart = perRound(start, (r) => r.first.probe.p99 / r.warm.probe.p99);
  const lStart = perRound(start, (r) => r.first.load.p99 / r.warm.load.p99);
  lines.push(
    `| probe p99 (open loop) | ${fmt(s(start.map((r) => r.first.probe.p99)), us)} | ${fmt(s(start.map((r) => r.warm.probe.p99)), us)} | ${fmt(pStart, x2)} | ≤ 3× ${ok(pStart.median <= 3)} |`,
    `| probe max | ${fmt(s(start.map((r) => r.first.probe.max)), us)} | ${fmt(s(start.map((r) => r.warm.probe.max)), us)} | | |`,
    `| load p99 (wrk, closed loop) | ${fmt(s(start.map((r) => r.first.load.p99)), us)} | ${fmt(s(start.map((r) => r.warm.load.p99)), us)} | ${fmt(lStart, x2)} | ≤ 3× ${ok(lStart.median <= 3)} |`,
    `| load req/s | ${fmt(s(start.map((r) => r.first.load.rps)), n0)} | ${fmt(s(start.map((r) => r.warm.load.rps)), n0)} | | |`,
    `| spawn → proxy listening | ${fmt(s(start.map((r) => r.readyMs)), (x) => `${Math.round(x)} ms`)} | | | |`,
    `| bare proxy, probe p99 (baseline: a node process that starts cold) | ${fmt(s(startBare.map((r) => r.first.probe.p99)), us)} | ${fmt(s(startBare.map((r) => r.warm.probe.p99)), us)} | ${fmt(perRound(startBare, (r) => r.first.probe.p99 / r.warm.probe.p99), x2)} | |`,
    `| bare proxy, load p99 | ${fmt(s(startBare.map((r) => r.first.load.p99)), us)} | ${fmt(s(startBare.map((r) => r.warm.load.p99)), us)} | ${fmt(perRound(startBare, (r) => r.first.load.p99 / r.warm.load.p99), x2)} | |`,
    `| bare proxy, load req/s | ${fmt(s(startBare.map((r) => r.first.load.rps)), n0)} | ${fmt(s(startBare.map((r) => r.warm.load.rps)), n0)} | | |`,
    '',
    `### Reload of ${n0(rel.entities)} entities (${(rel.yamlBytes / 1024).toFixed(0)} KiB of YAML) under load: the 2 s after the trigger vs a warm 2 s`,
    '',
    '| trigger | reload time | probe p99 | probe max | share of probe requests > 50 ms | probe p99 ÷ warm | load p99 ÷ warm | target |',
    '|---|---|---|---|---|---|---|---|',
  );
  const warmP99 = median(rel.warm.map((r) => r.probe.p99));
  const warmLoad = median(rel.warm.map((r) => r.load.p99));
  lines.push(`| none (warm) | – | ${fmt(s(rel.warm.map((r) => r.probe.p99)), us)} | ${fmt(s(rel.warm.map((r) => r.probe.max)), us)} | ${fmt(s(rel.warm.map((r) => r.probe.over50ms * 100)), (x) => `${x.toFixed(1)} %`)} | | | |`);
  const targets = { startProbeP99Ratio: pStart, startLoadP99Ratio: lStart };
  for (const [kind, label] of [['file', 'state file rewritten (rename), watch → reload'], ['post', '`POST /config` (time = the POST)']]) {
    const pr = s(rel[kind].map((r) => r.probe.p99 / warmP99));
    const lr = s(rel[kind].map((r) => r.load.p99 / warmLoad));
    targets[`${kind}ProbeP99Ratio`] = pr;
    lines.push(`| ${label} | ${fmt(s(rel[kind].map((r) => r.event.ms)), (x) => `${Math.round(x)} ms`)} | ${fmt(s(rel[kind].map((r) => r.probe.p99)), us)} | ${fmt(s(rel[kind].map((r) => r.probe.max)), us)} | ${fmt(s(rel[kind].map((r) => r.probe.over50ms * 100)), (x) => `${x.toFixed(1)} %`)} | ${fmt(pr, x2)} | ${fmt(lr, x2)} | ≤ 2× ${ok(pr.median <= 2)} |`);
  }
  lines.push('', 'Ratios against the median warm value of the run. The load’s own p99 (closed loop) hides stalls: during a stall only the 50 requests in flight wait, so they are a small share of a window’s requests; the probe’s requests keep coming due and all wait.');
  return { markdown: lines.join('\n'), targets };
}

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const schedule = await startSchedule(m.url);
  const start = await startup(m.url, 'aigw', schedule);
  const startBare = await startup(m.url, 'bare', schedule);
  const rel = await reload(m.url);
  const { markdown, targets } = report({ start, startBare, rel });
  writeResults('lifecycle', env, { rounds, connections: C, probes, targets, start, startBare, reload: rel }, markdown);
} finally {
  await stopAll();
}
