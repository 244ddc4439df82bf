// bench/issue10 — every performance and memory target of issue 10 in one run, with wrk, the
// baselines (the bare node:http proxy, the mock direct) measured in the same run, the process
// under test pinned alone on CPU 1 and the load side on CPU 0 (bench/harness.mjs). Prints a table
// target / measured / pass and writes bench/results/issue10-<time>.{json,md}.
//   npm run build && node bench/issue10/run.mjs [--rounds 3] [--duration 5] [--entities 5000] [--routes 1000] [--reloads 150]
//     [--only throughput,startup,reload,memory,start-rss] [--serve "<aigw serve flags>"] [--cli other/dist/bin/aigw.js] [--rate 300]
// --only runs those sections (start-rss: the memory section's RSS at start only; `--only reload` takes
// ~1.5 min for 3 rounds); --serve adds flags to every `aigw serve` under test; --cli runs another
// build; --rate: the open-loop probe's rate (req/s) instead of half the measured capacity, for
// before/after runs on a machine whose load changes.
// About 6–7 minutes on an idle 2-core machine.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLI, KEY, bareProxy, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, nowUs, rss, sleep, stopAll, summary } from '../harness.mjs';
import { environment, mib, n0, ok, us, writeResults, x2 } from '../report.mjs';
import { load, probe, window } from '../wrk.mjs';
import { chatBody, manyRoutes, oneRoute } from '../ai/config.mjs';
import { bigState } from '../profile/reload-delay.mjs';
import { HEAP_PROBE_ENV, HEAP_PROBE_NODE, describeTrend, reloadSeries, trend, warmUp } from '../memory/reload-growth.mjs';

const rounds = arg('rounds', 3);
const D = arg('duration', 5);
const entities = arg('entities', 5000);
const routes = arg('routes', 1000);
const reloads = arg('reloads', 150);
const cli = arg('cli', CLI);
const fixedRate = arg('rate', 0);
const C = 50;
const SECTIONS = ['throughput', 'startup', 'reload', 'memory', 'start-rss'];
const only = new Set(String(arg('only', 'throughput,startup,reload,memory')).split(',').filter(Boolean));
for (const x of only) if (!SECTIONS.includes(x)) throw new Error(`--only: unknown section '${x}' (${SECTIONS.join(', ')})`);
const serveFlags = String(arg('serve', '')).split(' ').filter(Boolean);
const serveUnderTest = (file, o = {}) => serve(file, { ...o, cli, extra: serveFlags });
const env = environment();
const began = Date.now();
const LOOP_DELAY = join(import.meta.dirname, '..', 'profile', 'loop-delay.cjs');
const log = (s) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);
const bareJson = { model: 'gpt-4o', maxTokens: 512, authorization: `Bearer ${KEY}` };

/** ai-proxy vs the bare proxy: req/s at 50 connections, p50 at 1 connection, rounds interleaved. */
async function throughput(mockUrl) {
  const gw = await serveUnderTest(configFile('one-route.yaml', oneRoute(mockUrl)), { cpu: SERVER_CPU });
  const bare = await bareProxy(`${mockUrl}/v1/chat/completions`, { cpu: SERVER_CPU, json: bareJson });
  const t = { aigw: { url: `${gw.url}/ai/chat`, body: chatBody, server: gw }, bare: { url: `${bare.url}/`, body: chatBody, server: bare } };
  for (const x of Object.values(t)) await load({ ...x, connections: C, seconds: 3 }); // warm-up
  const direct = await load({ url: `${mockUrl}/v1/chat/completions`, body: { ...chatBody, model: 'gpt-4o', max_tokens: 512 }, headers: { authorization: `Bearer ${KEY}` }, connections: C, seconds: D });
  const rows = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['bare', 'aigw'] : ['aigw', 'bare'];
    const r = {};
    for (const c of [C, 1]) for (const k of order) r[`${k}${c}`] = await load({ ...t[k], connections: c, seconds: D, watch: [t[k].server] });
    rows.push({ ratio: r[`aigw${C}`].rps / r[`bare${C}`].rps, addedP50: r.aigw1.p50 - r.bare1.p50, r });
    log(`throughput ${i + 1}/${rounds}: aigw ${n0(r[`aigw${C}`].rps)} vs bare ${n0(r[`bare${C}`].rps)} req/s (${x2(rows.at(-1).ratio)}); p50 at 1 conn ${us(r.aigw1.p50)} vs ${us(r.bare1.p50)}`);
  }
  await gw.stop();
  await bare.stop();
  return { direct: { rps: direct.rps, p50: direct.p50 }, rows, ratio: summary(rows.map((x) => x.ratio)), addedP50: summary(rows.map((x) => x.addedP50)) };
}

/** p99 in the first 2 s after `proxy listening` vs warm (same process, after 3 s of load): closed loop (wrk) and open loop (probe at `rate`). */
async function startup(mockUrl, schedule) {
  const file = configFile('one-route.yaml', oneRoute(mockUrl));
  const rows = [];
  for (let i = 0; i < rounds; i++) {
    for (const how of ['load', 'probe']) {
      const gw = await serveUnderTest(file, { cpu: SERVER_CPU });
      const url = `${gw.url}/ai/chat`;
      const run = async () => {
        const t0 = nowUs();
        if (how === 'load') return load({ url, body: chatBody, connections: C, seconds: 2 });
        return window((await probe({ url, body: chatBody, ...schedule, seconds: 3 })).samples, t0, t0 + 2e6);
      };
      const first = await run();
      await load({ url, body: chatBody, connections: C, seconds: 3 });
      const warm = await run();
      await gw.stop();
      rows.push({ how, readyMs: (gw.readyAt - gw.spawnedAt) / 1000, first: first.p99, warm: warm.p99, ratio: first.p99 / warm.p99 });
      log(`start ${how} ${i + 1}/${rounds}: p99 first 2 s ${us(first.p99)}, warm ${us(warm.p99)}`);
    }
    // the baseline's own cold start, same closed loop: what node and undici cost before they are warm
    const bare = await bareProxy(`${mockUrl}/v1/chat/completions`, { cpu: SERVER_CPU, json: bareJson });
    const first = await load({ url: bare.url, body: chatBody, connections: C, seconds: 2 });
    await load({ url: bare.url, body: chatBody, connections: C, seconds: 3 });
    const warm = await load({ url: bare.url, body: chatBody, connections: C, seconds: 2 });
    await bare.stop();
    rows.push({ how: 'bare', readyMs: (bare.readyAt - bare.spawnedAt) / 1000, first: first.p99, warm: warm.p99, ratio: first.p99 / warm.p99 });
    log(`start bare proxy ${i + 1}/${rounds}: p99 first 2 s ${us(first.p99)}, warm ${us(warm.p99)}`);
  }
  const of = (how) => summary(rows.filter((r) => r.how === how).map((r) => r.ratio));
  const aigwRows = rows.filter((r) => r.how !== 'bare');
  return { rows, closed: of('load'), open: of('probe'), bareClosed: of('bare'), readyMs: summary(aigwRows.map((r) => r.readyMs)) };
}

/** Open-loop schedule at half the warm capacity (as bench/lifecycle): what rises is the gateway's doing. */
async function calibrate(url) {
  if (fixedRate > 0) return { connections: 32, intervalUs: Math.round((32 * 1e6) / fixedRate), rate: fixedRate };
  await load({ url, body: chatBody, connections: C, seconds: 3 });
  const r = await load({ url, body: chatBody, connections: C, seconds: 2 });
  return { connections: 32, intervalUs: Math.max(5000, Math.round((32 * 1e6) / (r.rps / 2))), rate: Math.round(r.rps / 2) };
}

async function loopDelay(gw) {
  const at = nowUs();
  gw.proc.kill('SIGUSR2');
  const line = (await gw.waitFor(/LOOP_DELAY/, 5000, at)).line;
  return JSON.parse(line.slice(line.indexOf('{')));
}

/**
 * A reload of `entities` entities while the probe runs: p99 of the requests due from the trigger
 * until the reload is done (at least 2 s) vs the same span without a reload; and the longest
 * event-loop stall (bench/profile/loop-delay.cjs preloaded).
 */
async function reload(mockUrl) {
  const states = [bigState(mockUrl, 'a', entities), bigState(mockUrl, 'b', entities)];
  const texts = states.map((s) => stringify(s, { lineWidth: 0 }));
  const file = configFile('big.yaml', texts[0]);
  const gw = await serveUnderTest(file, { cpu: SERVER_CPU, admin: true, watch: true, node: ['--require', LOOP_DELAY] });
  const url = `${gw.url}/ai/chat`;
  const schedule = await calibrate(url);
  let k = 1;
  const triggers = {
    file: async () => {
      const at = nowUs();
      writeFileSync(`${file}.tmp`, texts[k++ % 2]);
      renameSync(`${file}.tmp`, file);
      const done = await gw.waitFor(/configuration reloaded|rejected/, 120_000, at);
      if (/rejected/.test(done.line)) throw new Error(done.line);
      return done.at;
    },
    post: async () => {
      const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: texts[k++ % 2] });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`POST /config answered ${res.status}`);
      return nowUs();
    },
  };
  const rows = [];
  let span = 2e6;
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['file', 'post', 'none']) {
      await loopDelay(gw);
      let done = null;
      let at = 0;
      const seconds = kind === 'none' ? Math.ceil(0.5 + span / 1e6 + 1.5) : 120;
      const probing = probe({ url, body: chatBody, ...schedule, seconds });
      await sleep(500);
      at = nowUs();
      if (kind !== 'none') {
        done = await triggers[kind]();
        await sleep(1500);
        probing.stop(); // 1.5 s after the reload is done
      }
      const r = await probing;
      const end = Math.max(at + 2e6, (done ?? at) + 0.5e6);
      if (kind !== 'none') span = Math.max(span, end - at);
      const w = window(r.samples, at, kind === 'none' ? at + span : end);
      const stall = await loopDelay(gw);
      rows.push({ kind, reloadMs: done === null ? 0 : (done - at) / 1000, p99: w.p99, count: w.count, censored: w.censored, loopDelayMaxMs: stall.max, gcMaxMs: stall.gcMax, stalls: stall.stalls, gc: stall.gc, slices: stall.slices });
      log(`reload ${kind} ${i + 1}/${rounds}: ${done === null ? '' : `${((done - at) / 1000).toFixed(0)} ms, `}p99 ${us(w.p99)} over ${(((kind === 'none' ? at + span : end) - at) / 1e6).toFixed(1)} s, longest event-loop stall ${stall.max} ms`);
      await sleep(500);
    }
  }
  await gw.stop();
  const of = (kind, f) => summary(rows.filter((r) => r.kind === kind).map(f));
  const ratio = (kind) => summary(rows.filter((r) => r.kind === kind).map((r, i) => r.p99 / rows.filter((x) => x.kind === 'none')[i].p99));
  return { schedule, rows, file: ratio('file'), post: ratio('post'), warmP99: of('none', (r) => r.p99), fileMs: of('file', (r) => r.reloadMs), postMs: of('post', (r) => r.reloadMs), stallFile: of('file', (r) => r.loopDelayMaxMs), stallPost: of('post', (r) => r.loopDelayMaxMs), stallNone: of('none', (r) => r.loopDelayMaxMs) };
}

/** RSS: one route at start; `routes` routes under load; `reloads` POST /config of those routes. */
async function memory(mockUrl) {
  const startRss = [];
  for (let i = 0; i < rounds; i++) {
    const gw = await serveUnderTest(configFile('one-route.yaml', oneRoute(mockUrl)), { cpu: SERVER_CPU });
    await sleep(2000);
    startRss.push(rss(gw.pid).rss);
    await gw.stop();
  }
  log(`RSS at start, one route: ${startRss.map(mib).join(', ')}`);
  if (!only.has('memory')) return { startOne: summary(startRss) };
  const texts = [manyRoutes(mockUrl, routes, 'a'), manyRoutes(mockUrl, routes, 'b')];
  const gw = await serveUnderTest(configFile('many-routes.yaml', texts[0]), { cpu: SERVER_CPU, admin: true, node: HEAP_PROBE_NODE, env: { ...process.env, ...HEAP_PROBE_ENV } });
  await sleep(2000);
  const manyStart = rss(gw.pid).rss;
  const samples = [];
  let loading = true;
  const sampling = (async () => {
    while (loading) {
      samples.push(rss(gw.pid).rss);
      await sleep(250);
    }
  })();
  const r = await load({ url: `${gw.url}/r/`, body: chatBody, paths: routes, connections: C, seconds: 10 });
  loading = false;
  await sampling;
  const manyLoad = Math.max(...samples);
  log(`${routes} routes: start ${mib(manyStart)}, under load max ${mib(manyLoad)} at ${n0(r.rps)} req/s`);
  // growth = a line fitted to the samples after the warm-up (bench/memory/reload-growth.mjs); then
  // the leak check: as many reloads again, the live heap after a forced full GC after each
  const plain = await reloadSeries(gw, texts, { count: reloads, settleMs: 100, log });
  const heap = await reloadSeries(gw, texts, { count: reloads, settleMs: 100, heap: true, log: (l) => log(`heap series: ${l}`) });
  await gw.stop();
  const after = plain.rssMiB;
  const rssTrend = trend(after, warmUp(reloads));
  // the configuration process (config/thread/off-thread.ts) holds its own heap: counted with the gateway
  const treeTrend = trend(plain.treeMiB, warmUp(reloads));
  const heapTrend = trend(heap.heapMiB, warmUp(reloads));
  return { startOne: summary(startRss), manyStart, manyLoad, manyRps: r.rps, reloads: after, heapAfterGc: heap.heapMiB, growthMiB: rssTrend.over(reloads), growth: describeTrend(rssTrend, reloads), treeGrowthMiB: treeTrend.over(reloads), treeGrowth: describeTrend(treeTrend, reloads), treeMax: Math.max(...plain.treeMiB), heapGrowthMiB: heapTrend.over(reloads), heapGrowth: describeTrend(heapTrend, reloads, 2) };
}

function report(t, st, rl, m) {
  const rows = [
    ...(t ? [
    ['ai-proxy ÷ bare proxy, req/s at 50 connections', '≥ 0.85×', `${x2(t.ratio.median)} (${x2(t.ratio.min)} – ${x2(t.ratio.max)})`, t.ratio.median >= 0.85],
    ['ai-proxy p50 − bare p50, 1 connection', '≤ +50 µs', `${us(t.addedP50.median)} (${us(t.addedP50.min)} – ${us(t.addedP50.max)})`, t.addedP50.median <= 50],
    ] : []),
    ...(st ? [
    ['p99 first 2 s after start ÷ warm, closed loop (wrk, 50 conns)', '≤ 3×', `${x2(st.closed.median)} (${x2(st.closed.min)} – ${x2(st.closed.max)})`, st.closed.median <= 3],
    ['p99 first 2 s after start ÷ warm, open loop (probe)', '≤ 3×', `${x2(st.open.median)} (${x2(st.open.min)} – ${x2(st.open.max)})`, st.open.median <= 3],
    ] : []),
    ...(rl ? [
    [`p99 during a reload of ${n0(entities)} entities (file) ÷ warm, open loop`, '≤ 2×', `${x2(rl.file.median)} (${x2(rl.file.min)} – ${x2(rl.file.max)})`, rl.file.median <= 2],
    [`p99 during a reload of ${n0(entities)} entities (POST /config) ÷ warm, open loop`, '≤ 2×', `${x2(rl.post.median)} (${x2(rl.post.min)} – ${x2(rl.post.max)})`, rl.post.median <= 2],
    ] : []),
    ...(m ? [
    ['RSS at start, one ai-proxy route', '≤ 80 MiB', `${mib(m.startOne.median)} (${mib(m.startOne.min)} – ${mib(m.startOne.max)})`, m.startOne.median <= 80],
    ] : []),
    ...(m?.manyLoad !== undefined ? [
    [`RSS under load, ${n0(routes)} ai-proxy routes`, '≤ 120 MiB', `${mib(m.manyLoad)} (at ${n0(m.manyRps)} req/s; ${mib(m.manyStart)} at start)`, m.manyLoad <= 120],
    [`RSS growth over ${reloads} reloads (line fitted after the warm-up; live heap after forced GCs over as many more)`, '< 10 MiB', `${m.growth}; with the configuration process ${m.treeGrowth} (at most ${mib(m.treeMax)}); live heap ${m.heapGrowth}`, m.growthMiB < 10 && m.treeGrowthMiB < 10 && m.heapGrowthMiB < 2],
    ] : []),
  ];
  const lines = [
    '| target (issue 10) | goal | measured: median (min – max over rounds) | pass |',
    '|---|---|---|---|',
    ...rows.map(([name, goal, got, pass]) => `| ${name} | ${goal} | ${got} | ${ok(pass)} |`),
    '',
    'Context:',
    ...(only.size < 4 || serveFlags.length ? [`- sections: ${[...only].join(', ')}${serveFlags.length ? `; aigw serve ${serveFlags.join(' ')}` : ''}.`] : []),
    ...(t ? [`- direct to the mock (mock on the load CPU with wrk): ${n0(t.direct.rps)} req/s, p50 ${us(t.direct.p50)}; aigw ${n0(median(t.rows.map((x) => x.r[`aigw${C}`].rps)))} req/s, bare ${n0(median(t.rows.map((x) => x.r[`bare${C}`].rps)))} req/s at ${C} connections; p50 at 1 connection aigw ${us(median(t.rows.map((x) => x.r.aigw1.p50)))}, bare ${us(median(t.rows.map((x) => x.r.bare1.p50)))}.`] : []),
    ...(st ? [    `- start: spawn → proxy listening ${median(st.rows.map((r) => r.readyMs)).toFixed(0)} ms (serve's own warm-up ${serveFlags.includes('--no-warm-up') ? 'off: --no-warm-up' : serveFlags.includes('--warm-up') ? 'on: --warm-up' : "the build's default: on since branch warmdefault"}); p99 first 2 s closed loop ${us(median(st.rows.filter((r) => r.how === 'load').map((r) => r.first)))} vs warm ${us(median(st.rows.filter((r) => r.how === 'load').map((r) => r.warm)))}; the bare proxy's own cold start, same closed loop: ${x2(st.bareClosed.median)} (${x2(st.bareClosed.min)} – ${x2(st.bareClosed.max)}), p99 first 2 s ${us(median(st.rows.filter((r) => r.how === 'bare').map((r) => r.first)))} vs warm ${us(median(st.rows.filter((r) => r.how === 'bare').map((r) => r.warm)))}.`] : []),
    ...(rl ? [    `- reload: open-loop probe at ${n0(rl.schedule.rate)} req/s (half the warm capacity); p99 counted over the requests due from the trigger until the reload was done + 0.5 s (at least 2 s), warm = the same span without a reload (p99 ${us(rl.warmP99.median)}); reload took ${rl.fileMs.median.toFixed(0)} ms (file) and ${rl.postMs.median.toFixed(0)} ms (POST /config); longest event-loop stall (perf_hooks.monitorEventLoopDelay) ${rl.stallFile.median} ms (file), ${rl.stallPost.median} ms (POST), ${rl.stallNone.median} ms without a reload.`] : []),
    `- whole run: ${((Date.now() - began) / 1000).toFixed(0)} s.`,
  ];
  return { markdown: lines.join('\n'), pass: Object.fromEntries(rows.map(([name, , , pass]) => [name, pass])) };
}

/** `--only reload`: the reload section alone, its table rows and the stalls of each window. */
function reloadReport(rl) {
  const x = (s) => `${x2(s.median)} (${x2(s.min)} – ${x2(s.max)})`;
  return [
    '| target (issue 10) | goal | measured: median (min – max over rounds) | pass |',
    '|---|---|---|---|',
    `| p99 during a reload of ${n0(entities)} entities (file) ÷ warm, open loop | ≤ 2× | ${x(rl.file)} | ${ok(rl.file.median <= 2)} |`,
    `| p99 during a reload of ${n0(entities)} entities (POST /config) ÷ warm, open loop | ≤ 2× | ${x(rl.post)} | ${ok(rl.post.median <= 2)} |`,
    '',
    `- probe at ${n0(rl.schedule.rate)} req/s; warm p99 ${us(rl.warmP99.median)}; reload ${rl.fileMs.median.toFixed(0)} ms (file), ${rl.postMs.median.toFixed(0)} ms (POST); longest stall ${rl.stallFile.median} / ${rl.stallPost.median} / ${rl.stallNone.median} ms (file / POST / none).`,
    ...rl.rows.map((r) => `- ${r.kind}: p99 ${us(r.p99)}, stall ${r.loopDelayMaxMs} ms, stalls ${JSON.stringify(r.stalls)}, gc ${JSON.stringify(r.gc)}, slices ${r.slices.slice(0, 3).join(' ')}`),
    `- whole run: ${((Date.now() - began) / 1000).toFixed(0)} s, cli ${cli}.`,
  ].join('\n');
}

try {
  const mock = await startMock({ cpu: LOAD_CPU });
  const section = (name, what, f) => (only.has(name) ? (log(what), f()) : null);
  const t = await section('throughput', 'throughput and latency (ai-proxy vs bare proxy)', () => throughput(mock.url));
  let st = null;
  if (only.has('startup')) {
    log('start-up');
    const gw = await serveUnderTest(configFile('one-route.yaml', oneRoute(mock.url)), { cpu: SERVER_CPU });
    const schedule = await calibrate(`${gw.url}/ai/chat`);
    await gw.stop();
    st = await startup(mock.url, schedule);
  }
  const rl = await section('reload', `reload of ${entities} entities`, () => reload(mock.url));
  const m = await section(only.has('memory') ? 'memory' : 'start-rss', 'memory', () => memory(mock.url));
  const reloadOnly = only.size === 1 && only.has('reload');
  const { markdown: full, pass } = report(t, st, rl, m);
  // `--only reload` adds the stalls, GC pauses and slices of each window (before/after runs)
  const markdown = reloadOnly ? reloadReport(rl) : full;
  writeResults(reloadOnly ? 'issue10-reload' : 'issue10', env, { only: [...only], serve: serveFlags, cli, rounds, duration: D, entities, routes, reloads, pass, throughput: t, startup: st, reload: rl, memory: m }, markdown);
} finally {
  await stopAll();
}
