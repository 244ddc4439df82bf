// bench/proxy — gateway overhead of `aigw serve` on a plain HTTP route (key-auth + rate-limiting +
// prometheus, and the same route without plugins) against two baselines measured in the same run:
// the upstream directly, and a bare node:http proxy forwarding through an undici Pool. Load: wrk.
//   npm run build && node bench/proxy/run.mjs [--duration 5] [--rounds 3] [--warmup 3] [--connections 50]
import { bareProxy, configFile, serve, upstream as startUpstream } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, repin, sleep, stopAll, summary } from '../harness.mjs';
import { environment, n0, ok, us, writeResults, x2 } from '../report.mjs';
import { load } from '../wrk.mjs';
import { readFileSync } from 'node:fs';

const seconds = arg('duration', 5);
const rounds = arg('rounds', 3);
const warmup = arg('warmup', 3);
const C = arg('connections', 50);
const env = environment();

const state = (upstreamUrl) => `_format_version: "3.0"
services:
- name: bench
  url: ${upstreamUrl}
  routes:
  - name: bench
    paths: [/bench]
    plugins:
    - name: key-auth
    - name: rate-limiting
      config: { hour: 1000000000, limit_by: consumer }
    - name: prometheus
      config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true }
  - name: plain
    paths: [/plain]
consumers:
- username: bench
  keyauth_credentials: [{ key: bench-key }]
`;

async function main() {
  const up = await startUpstream({ cpu: LOAD_CPU });
  const gw = await serve(configFile('proxy.yaml', state(up.url)), { cpu: SERVER_CPU });
  const bare = await bareProxy(`${up.url}/bench`, { cpu: SERVER_CPU });
  const headers = { apikey: 'bench-key' };
  const t = {
    direct: { url: `${up.url}/bench`, headers, server: up, upCpu: SERVER_CPU },
    directShared: { url: `${up.url}/bench`, headers, server: up },
    bare: { url: `${bare.url}/bench`, headers, server: bare },
    aigw: { url: `${gw.url}/bench`, headers, server: gw },
    aigwPlain: { url: `${gw.url}/plain`, headers, server: gw },
  };
  const scenarios = {
    direct: [t.direct, C, 'direct to the upstream (alone on the server CPU)'],
    directShared: [t.directShared, C, 'direct, upstream on the load CPU with wrk (load-side capacity)'],
    bare: [t.bare, C, 'bare node:http + undici proxy'],
    aigw: [t.aigw, C, 'aigw, key-auth + rate-limiting + prometheus'],
    aigwPlain: [t.aigwPlain, C, 'aigw, route without plugins'],
    direct1: [t.direct, 1, 'direct, 1 connection'],
    bare1: [t.bare, 1, 'bare proxy, 1 connection'],
    aigw1: [t.aigw, 1, 'aigw with plugins, 1 connection'],
    aigwPlain1: [t.aigwPlain, 1, 'aigw without plugins, 1 connection'],
  };
  const run = async ([target, connections], secs) => {
    repin(up, target.upCpu ?? LOAD_CPU);
    const watch = target.server === up ? [up] : [target.server, up];
    const r = await load({ ...target, connections, seconds: secs, watch });
    await sleep(300);
    return r;
  };
  process.stderr.write(`warm-up: ${warmup} s per target at ${C} connections, 1 s at 1 connection\n`);
  for (const name of ['direct', 'bare', 'aigw', 'aigwPlain']) await run(scenarios[name], warmup);
  for (const name of ['direct1', 'bare1', 'aigw1', 'aigwPlain1']) await run(scenarios[name], 1);
  const names = Object.keys(scenarios);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    const order = names.map((_, k) => names[(k + i * 2) % names.length]);
    for (const name of order) {
      const r = await run(scenarios[name], seconds);
      runs[name].push(r);
      process.stderr.write(`round ${i + 1}/${rounds} ${name.padEnd(12)} ${n0(r.rps).padStart(7)} req/s p50 ${us(r.p50)} p99 ${us(r.p99)} cpu ${JSON.stringify(r.cpu.procs)} others ${JSON.stringify(r.cpu.others)}\n`);
    }
  }
  return { scenarios, runs };
}

/** CPU time the process under test spent per request (µs): robust to other jobs taking CPU. */
const cpuPerRequest = (r, server) => ((r.cpu.procs[server] ?? NaN) / 100) * 1e6 / r.rps;

function report({ scenarios, runs, rounds, seconds, connections: C }) {
  const med = (name, k) => median(runs[name].map((r) => r[k]));
  const perRound = (f) => summary(runs.aigw.map((_, i) => f(i)));
  const ratio = (a, b) => perRound((i) => runs[a][i].rps / runs[b][i].rps);
  const added = (a, b) => perRound((i) => runs[a][i].p50 - runs[b][i].p50);
  const spanFmt = (s, f) => `${f(s.median)} (${f(s.min)} – ${f(s.max)})`;
  const lines = [
    `${rounds} rounds × ${seconds} s per scenario (interleaved, order rotated each round), after a warm-up; medians, with the min–max of req/s across rounds.`,
    '',
    '| scenario | conns | req/s median (min–max) | p50 | p99 | server CPU µs per request | CPU % server / wrk / upstream | other jobs % CPU0 / CPU1 | errors |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, { connections: conns, label, server }] of Object.entries(scenarios)) {
    const s = summary(runs[name].map((r) => r.rps));
    const cpu = (k) => median(runs[name].map((r) => r.cpu.procs[k]));
    const others = (c) => median(runs[name].map((r) => r.cpu.others[c]));
    const errs = runs[name].reduce((a, r) => a + r.errors + r.non2xx, 0);
    lines.push(`| ${label} | ${conns} | ${n0(s.median)} (${n0(s.min)}–${n0(s.max)}) | ${us(med(name, 'p50'))} | ${us(med(name, 'p99'))} | ${Math.round(median(runs[name].map((r) => cpuPerRequest(r, server))))} | ${cpu(server)} / ${cpu('wrk')} / ${server === 'upstream' ? '–' : cpu('upstream')} | ${others('0')} / ${others('1')} | ${errs} |`);
  }
  const targets = { aigwVsBare: ratio('aigw', 'bare'), aigwVsDirect: ratio('aigw', 'direct'), addedP50VsBare: added('aigw1', 'bare1'), addedP50VsDirect: added('aigw1', 'direct1') };
  lines.push(
    '',
    'Ratios per round, then the median (min – max) over rounds.',
    '',
    '| measure | result | target |',
    '|---|---|---|',
    `| aigw (3 plugins) req/s ÷ bare proxy, ${C} connections | ${spanFmt(targets.aigwVsBare, x2)} | |`,
    `| bare proxy CPU per request ÷ aigw's (3 plugins) | ${spanFmt(perRound((i) => cpuPerRequest(runs.bare[i], 'bare') / cpuPerRequest(runs.aigw[i], 'aigw')), x2)} | |`,
    `| bare proxy CPU per request ÷ aigw's (no plugins) | ${spanFmt(perRound((i) => cpuPerRequest(runs.bare[i], 'bare') / cpuPerRequest(runs.aigwPlain[i], 'aigw')), x2)} | |`,
    `| aigw (3 plugins) req/s ÷ direct, ${C} connections | ${spanFmt(targets.aigwVsDirect, x2)} | ≥ 0.25× ${ok(targets.aigwVsDirect.median >= 0.25)} |`,
    `| aigw without plugins req/s ÷ bare proxy | ${spanFmt(ratio('aigwPlain', 'bare'), x2)} | |`,
    `| aigw (3 plugins) p50 − bare proxy p50, 1 connection | ${spanFmt(targets.addedP50VsBare, us)} | |`,
    `| aigw (3 plugins) p50 − direct p50, 1 connection | ${spanFmt(targets.addedP50VsDirect, us)} | < 200 µs ${ok(targets.addedP50VsDirect.median < 200)} |`,
    `| aigw without plugins p50 − bare proxy p50, 1 connection | ${spanFmt(added('aigwPlain1', 'bare1'), us)} | |`,
    `| load side (wrk + upstream on one CPU) ÷ aigw req/s | ${spanFmt(ratio('directShared', 'aigw'), x2)} | ≫ 1: the load side is not the bottleneck |`,
  );
  return { markdown: lines.join('\n'), targets };
}

// `--report <results.json>`: print the tables of an earlier run again (e.g. after this script changed)
const again = arg('report', null);
if (again) {
  const saved = JSON.parse(readFileSync(again, 'utf8'));
  for (const [k, x] of Object.entries(saved.scenarios)) x.server ??= k.startsWith('direct') ? 'upstream' : k.startsWith('bare') ? 'bare' : 'aigw';
  process.stdout.write(`${report(saved).markdown}\n`);
} else {
  try {
    const { scenarios, runs } = await main();
    const described = Object.fromEntries(Object.entries(scenarios).map(([k, [x, c, label]]) => [k, { url: x.url, connections: c, label, server: x.server.name }]));
    const data = { seconds, rounds, warmup, connections: C, scenarios: described, runs };
    const { markdown, targets } = report(data);
    writeResults('proxy', env, { ...data, targets }, markdown);
  } finally {
    await stopAll();
  }
}
