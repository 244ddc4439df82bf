// bench/lifecycle — latency while `aigw serve` starts and while it reloads a 5,000-entity
// configuration, against its own warm latency, measured two ways, each in its own run:
//  - closed loop: wrk, 50 connections on the ai-proxy route (what `wrk --latency` reports);
//  - open loop: wrk/probe.lua sends requests on a fixed schedule at half the warm capacity and
//    counts each from its scheduled time, so a stall shows in every request due during it.
//   npm run build && node bench/lifecycle/run.mjs [--rounds 5] [--connections 50] [--entities 5000]
//   A/B of start-up only: --only start --serve "<aigw serve flags>" --serve-b "<flags of a second aigw>"
//   (rounds of the two interleaved, bare proxy and reloads left out)
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
const LEAD = 0.5; // seconds of traffic before a reload is triggered
const TAIL = 1.5; // seconds of probe after a window, so its late answers still arrive
const env = environment();
const schedules = {};
const only = arg('only', null); // 'start': the start-up part only, without the bare proxy
const serveFlags = (name) => (arg(name, null) ?? '').split(' ').filter(Boolean);
const variantB = arg('serve-b', null) === null ? null : serveFlags('serve-b');

/**
 * The probe's schedule: half the warm capacity measured at 50 connections, on 32 connections
 * (one wrk thread each, 5 ms apart at least). At half capacity an answer takes about a service
 * time, well under a connection's interval, so a connection only falls behind when the server does.
 */
async function calibrate(url) {
  await load({ url, body: chatBody, connections: C, seconds: 3 });
  const r = await load({ url, body: chatBody, connections: C, seconds: 2 });
  const connections = 32;
  return { connections, intervalUs: Math.max(5000, Math.round((connections * 1e6) / (r.rps / 2))), rate: Math.round(r.rps / 2) };
}

/** One measured run: closed-loop `load` for `seconds`, or the `probe` for that long plus TAIL. */
async function measure(how, url, seconds, schedule, during = async () => null) {
  const req = { url, body: chatBody };
  const t0 = nowUs();
  const run = how === 'load' ? load({ ...req, connections: C, seconds }) : probe({ ...req, ...schedule, seconds: Math.ceil(seconds + TAIL) });
  const [r, event] = await Promise.all([run, during(t0)]);
  return { t0, r, event };
}

const brief = (l) => ({ rps: l.rps, p50: l.p50, p99: l.p99, max: l.max, errors: l.errors + l.non2xx });

/** First 2 s after the process listens, then warm (after 3 s of load), for `how` (load or probe). */
async function coldAndWarm(launch, how, schedule) {
  const p = await launch();
  const first = await measure(how, p.target, WINDOW, schedule);
  await load({ url: p.target, body: chatBody, connections: C, seconds: 3 });
  const warm = await measure(how, p.target, WINDOW, schedule);
  await p.stop();
  const pick = (m, from) => (how === 'load' ? brief(m.r) : window(m.r.samples, from, from + WINDOW * 1e6));
  return { readyMs: (p.readyAt - p.spawnedAt) / 1000, first: pick(first, p.readyAt), warm: pick(warm, warm.t0) };
}

/**
 * Fresh processes of each kind, rounds interleaved: aigw (one ai-proxy route; `flags` its extra
 * serve flags) or the bare proxy (any node process starts cold). Returns {kind: {load, probe}}.
 */
async function startup(mockUrl, kinds, schedule) {
  const file = configFile('one-route.yaml', oneRoute(mockUrl));
  const launch = (kind) => async () => {
    if (kind.name !== 'bare proxy') {
      const gw = await serve(file, { cpu: SERVER_CPU, extra: kind.flags });
      return Object.assign(gw, { target: `${gw.url}/ai/chat` });
    }
    const b = await bareProxy(`${mockUrl}/v1/chat/completions`, { cpu: SERVER_CPU, json: { model: 'gpt-4o', maxTokens: 512, authorization: `Bearer ${KEY}` } });
    return Object.assign(b, { target: `${b.url}/` });
  };
  const out = Object.fromEntries(kinds.map((k) => [k.name, { load: [], probe: [] }]));
  for (let i = 0; i < rounds; i++) {
    for (const kind of i % 2 === 0 ? kinds : [...kinds].reverse()) {
      for (const how of ['probe', 'load']) {
        const r = await coldAndWarm(launch(kind), how, schedule);
        out[kind.name][how].push(r);
        process.stderr.write(`start ${kind.name} ${how} ${i + 1}/${rounds}: listening after ${r.readyMs.toFixed(0)} ms; p99 first 2 s ${us(r.first.p99)} (max ${us(r.first.max)}), warm ${us(r.warm.p99)}\n`);
        await sleep(500);
      }
    }
  }
  return out;
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
  const schedule = (schedules.reload = await calibrate(url));
  let k = 1;
  const triggers = {
    none: async () => {
      await sleep(LEAD * 1000);
      return { at: nowUs(), ms: 0 };
    },
    // write a temporary file and rename it over the state file (as editors and config tools do)
    file: async () => {
      await sleep(LEAD * 1000);
      const at = nowUs();
      writeFileSync(`${file}.tmp`, texts[k++ % 2]);
      renameSync(`${file}.tmp`, file);
      const done = await gw.waitFor(/configuration reloaded|rejected/, 30_000, at);
      return { at, ms: (done.at - at) / 1000, line: done.line };
    },
    post: async () => {
      await sleep(LEAD * 1000);
      const at = nowUs();
      const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: texts[k++ % 2] });
      await res.arrayBuffer();
      return { at, ms: (nowUs() - at) / 1000, status: res.status };
    },
  };
  const out = { entities: countEntities(generateState(entities)) + 3, yamlBytes: texts[0].length };
  for (let i = 0; i < rounds; i++) {
    for (const how of ['probe', 'load']) {
      for (const kind of ['none', 'file', 'post']) {
        const m = await measure(how, url, Math.ceil(LEAD + WINDOW), schedule, triggers[kind]);
        const r = how === 'load' ? brief(m.r) : window(m.r.samples, m.event.at, m.event.at + WINDOW * 1e6);
        ((out[how] ??= {})[kind] ??= []).push({ ...r, event: m.event });
        process.stderr.write(`reload ${how} ${kind} ${i + 1}/${rounds}: ${m.event.ms.toFixed(0)} ms; p99 ${us(r.p99)} (max ${us(r.max)})\n`);
        await sleep(1000);
      }
    }
  }
  await gw.stop();
  return out;
}

function report({ starts, rel }) {
  const s = (xs) => summary(xs);
  const fmt = (x, f) => `${f(x.median)} (${f(x.min)} – ${f(x.max)})`;
  const ms = (x) => `${Math.round(x)} ms`;
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const sr = schedules.start;
  const rr = schedules.reload;
  const lines = [
    `Closed loop: wrk, ${C} connections on /ai/chat (ai-proxy → aigw mock). Open loop: ${sr.rate} req/s at start${rr ? ` and ${rr.rate} req/s for reloads` : ''} (half the warm capacity at ${C} connections), latency from each request's scheduled time. ${rounds} rounds, each a fresh run; median (min – max) over rounds.`,
    '',
    '### Start (one ai-proxy route): the first 2 s after the process listens vs warm (same process, after 3 s of load)',
    '',
    '| process | measure | first 2 s | warm | ratio (per round) | target |',
    '|---|---|---|---|---|---|',
  ];
  const targets = {};
  for (const [name, runs] of Object.entries(starts)) {
    for (const [how, label] of [['probe', 'p99, open loop'], ['load', `p99, closed loop (${C} conns)`]]) {
      const ratio = s(runs[how].map((r) => r.first.p99 / r.warm.p99));
      if (name === 'aigw') targets[`start_${how}`] = ratio;
      lines.push(`| ${name} | ${label} | ${fmt(s(runs[how].map((r) => r.first.p99)), us)} | ${fmt(s(runs[how].map((r) => r.warm.p99)), us)} | ${fmt(ratio, x2)} | ${name === 'aigw' ? `≤ 3× ${ok(ratio.median <= 3)}` : ''} |`);
    }
    lines.push(`| ${name} | req/s, closed loop | ${fmt(s(runs.load.map((r) => r.first.rps)), n0)} | ${fmt(s(runs.load.map((r) => r.warm.rps)), n0)} | | |`);
    lines.push(`| ${name} | spawn → listening | ${fmt(s([...runs.load, ...runs.probe].map((r) => r.readyMs)), ms)} | | | |`);
  }
  if (rel === null) return { markdown: lines.join('\n'), targets };
  lines.push(
    '',
    `### Reload of ${n0(rel.entities)} entities (${(rel.yamlBytes / 1024).toFixed(0)} KiB of YAML) while serving: the 2 s after the trigger vs 2 s without one`,
    '',
    '| trigger | measure | reload time | p99 | max | share of open-loop requests > 50 ms | p99 ÷ warm (median) | target |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const how of ['probe', 'load']) {
    const warmP99 = median(rel[how].none.map((r) => r.p99));
    for (const [kind, label] of [['none', 'none (warm)'], ['file', 'state file replaced (rename) → watch'], ['post', '`POST /config` (time: the request)']]) {
      const xs = rel[how][kind];
      const ratio = s(xs.map((r) => r.p99 / warmP99));
      if (kind !== 'none') targets[`reload_${kind}_${how}`] = ratio;
      const share = how === 'probe' ? fmt(s(xs.map((r) => r.over50ms)), pct) : '';
      lines.push(`| ${label} | ${how === 'probe' ? 'open loop' : `closed loop, ${C} conns`} | ${kind === 'none' ? '–' : fmt(s(xs.map((r) => r.event.ms)), ms)} | ${fmt(s(xs.map((r) => r.p99)), us)} | ${fmt(s(xs.map((r) => r.max)), us)} | ${share} | ${kind === 'none' ? '' : fmt(ratio, x2)} | ${kind === 'none' ? '' : `≤ 2× ${ok(ratio.median <= 2)}`} |`);
    }
  }
  lines.push('', `Closed-loop p99 hides stalls: during a stall only the ${C} requests in flight wait, a small share of a window's requests when throughput is high; the open-loop requests keep falling due and all wait.`);
  return { markdown: lines.join('\n'), targets };
}

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const cal = await serve(configFile('one-route.yaml', oneRoute(m.url)), { cpu: SERVER_CPU });
  schedules.start = await calibrate(`${cal.url}/ai/chat`);
  await cal.stop();
  const aigw = { name: 'aigw', flags: serveFlags('serve') };
  const kinds = [aigw, ...(variantB === null ? [] : [{ name: `aigw ${variantB.join(' ')}`, flags: variantB }]), ...(only === 'start' ? [] : [{ name: 'bare proxy' }])];
  const starts = await startup(m.url, kinds, schedules.start);
  const rel = only === 'start' ? null : await reload(m.url);
  const { markdown, targets } = report({ starts, rel });
  writeResults('lifecycle', env, { rounds, connections: C, schedules, targets, starts, reload: rel }, markdown);
} finally {
  await stopAll();
}
