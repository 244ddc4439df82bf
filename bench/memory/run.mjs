// bench/memory — resident memory of `aigw serve`: at start with one ai-proxy route, under load
// with one route and with 1,000 routes, and across 150 reloads (`POST /config`) of the 1,000-route
// configuration under light load: RSS after each, then (diagnostic) the live heap after a forced
// full GC after each of `--heap-reloads` more (reload-growth.mjs: growth = a line fitted to all
// samples after the warm-up). RSS from /proc/<pid>/status (VmRSS, peak VmHWM).
//   npm run build && node bench/memory/run.mjs [--rounds 3] [--routes 1000] [--reloads 150] [--heap-reloads 150] [--duration 10] [--flags "<node flags>"]
// --flags: node flags for every `aigw serve` (A/B of V8 settings; AIGW_CLI=… another build).
import { configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, rss, sleep, start, stopAll, summary } from '../harness.mjs';
import { HEAP_PROBE_ENV, HEAP_PROBE_NODE, describeTrend, reloadSeries, trend, warmUp } from './reload-growth.mjs';
import { environment, mib, n0, ok, writeResults } from '../report.mjs';
import { load } from '../wrk.mjs';
import { join } from 'node:path';
import { chatBody, manyRoutes, oneRoute } from '../ai/config.mjs';

const rounds = arg('rounds', 3);
const routes = arg('routes', 1000);
const reloads = arg('reloads', 150);
const heapReloads = arg('heap-reloads', reloads);
const seconds = arg('duration', 10);
const flags = String(arg('flags', '')).split(' ').filter(Boolean);
const C = 50;
const env = environment();

/** Load for `seconds` while sampling RSS every 250 ms; returns the load result and the RSS seen. */
async function loadWithRss(gw, req) {
  const samples = [];
  let done = false;
  const sampling = (async () => {
    while (!done) {
      samples.push(rss(gw.pid).rss);
      await sleep(250);
    }
  })();
  const r = await load({ ...req, connections: C, seconds, watch: [gw] });
  done = true;
  await sampling;
  return { rps: r.rps, errors: r.errors + r.non2xx, maxRss: Math.max(...samples), endRss: samples.at(-1), peak: rss(gw.pid).peak };
}

async function oneRouteRuns(mockUrl) {
  const file = configFile('one-route.yaml', oneRoute(mockUrl));
  const out = [];
  for (let i = 0; i < rounds; i++) {
    const gw = await serve(file, { cpu: SERVER_CPU, node: flags });
    await sleep(2000);
    const atStart = rss(gw.pid);
    const underLoad = await loadWithRss(gw, { url: `${gw.url}/ai/chat`, body: chatBody });
    out.push({ start: atStart.rss, startPeak: atStart.peak, load: underLoad });
    process.stderr.write(`one route ${i + 1}/${rounds}: start ${mib(atStart.rss)} (peak ${mib(atStart.peak)}), under load max ${mib(underLoad.maxRss)} at ${n0(underLoad.rps)} req/s\n`);
    await gw.stop();
  }
  return out;
}

async function manyRouteRuns(mockUrl) {
  const texts = [manyRoutes(mockUrl, routes, 'a'), manyRoutes(mockUrl, routes, 'b')];
  const file = configFile('many-routes.yaml', texts[0]);
  const out = [];
  for (let i = 0; i < rounds; i++) {
    // the heap probe (a SIGUSR2 handler; a GC only when asked) in every round, so the rounds are alike
    const gw = await serve(file, { cpu: SERVER_CPU, admin: true, node: [...flags, ...HEAP_PROBE_NODE], env: { ...process.env, ...HEAP_PROBE_ENV } });
    await sleep(2000);
    const atStart = rss(gw.pid);
    // every request goes to the next of the routes: /r/0, /r/1, … (wrk/load.lua WRK_PATHS)
    const underLoad = await loadWithRss(gw, { url: `${gw.url}/r/`, body: chatBody, paths: routes });
    out.push({ start: atStart.rss, startPeak: atStart.peak, load: underLoad });
    process.stderr.write(`${routes} routes ${i + 1}/${rounds}: start ${mib(atStart.rss)}, under load max ${mib(underLoad.maxRss)} at ${n0(underLoad.rps)} req/s\n`);
    if (i === rounds - 1) out.reloads = await reloadRuns(gw, texts);
    await gw.stop();
  }
  return out;
}

/**
 * Under a light load (10 connections): `reloads` × POST /config (two versions alternating), RSS
 * 300 ms after each answer; then `heapReloads` more with the live heap after a forced GC after each.
 */
async function reloadRuns(gw, texts) {
  const bg = start('wrk-bg', 'wrk', ['-t1', '-c10', '-d3600s', '-s', join(import.meta.dirname, '..', 'wrk', 'load.lua'), `${gw.url}/r/`], {
    cpu: LOAD_CPU,
    env: { ...process.env, WRK_METHOD: 'POST', WRK_BODY_FILE: configFile('chat.json', JSON.stringify(chatBody)), WRK_HEADERS: 'content-type: application/json', WRK_PATHS: String(routes) },
  });
  const log = (line) => process.stderr.write(`${line}\n`);
  const before = rss(gw.pid).rss;
  const plain = await reloadSeries(gw, texts, { count: reloads, settleMs: 300, log });
  const heap = heapReloads > 0 ? await reloadSeries(gw, texts, { count: heapReloads, settleMs: 300, heap: true, log: (l) => log(`heap series: ${l}`) }) : null;
  await bg.stop('SIGINT');
  return { before, samples: plain.rssMiB, postMs: plain.postMs, heap };
}

function report(one, many) {
  const s = (xs) => summary(xs);
  const fmt = (x) => `${mib(x.median)} (${mib(x.min)} – ${mib(x.max)})`;
  const startOne = s(one.map((r) => r.start));
  const loadOne = s(one.map((r) => r.load.maxRss));
  const startMany = s(many.map((r) => r.start));
  const loadMany = s(many.map((r) => r.load.maxRss));
  const rl = many.reloads;
  const at = (i) => (i === 0 ? rl.before : rl.samples[Math.min(i, rl.samples.length) - 1]);
  const rssTrend = trend(rl.samples, warmUp(reloads));
  const rssGrowth = rssTrend.over(reloads);
  const heapTrend = rl.heap ? trend(rl.heap.heapMiB, warmUp(heapReloads)) : null;
  const heapGrowth = heapTrend ? heapTrend.over(heapReloads) : null;
  const cols = [0, 1, 10, 50, 100, reloads].filter((i, k, a) => i <= reloads && a.indexOf(i) === k);
  const lines = [
    `${rounds} fresh processes per configuration; RSS at start = 2 s after the proxy listens; under load = the highest of samples every 250 ms during ${seconds} s of wrk at ${C} connections (ai-proxy → aigw mock). Median (min – max).`,
    '',
    '| measure | RSS | target |',
    '|---|---|---|',
    `| at start, one ai-proxy route | ${fmt(startOne)} | ≤ 80 MiB ${ok(startOne.median <= 80)} |`,
    `| under load, one route | ${fmt(loadOne)} (at ${n0(median(one.map((r) => r.load.rps)))} req/s) | |`,
    `| at start, ${n0(routes)} ai-proxy routes | ${fmt(startMany)} | |`,
    `| under load, ${n0(routes)} routes (requests spread over all of them) | ${fmt(loadMany)} (at ${n0(median(many.map((r) => r.load.rps)))} req/s) | ≤ 120 MiB ${ok(loadMany.median <= 120)} |`,
    '',
    `${reloads} reloads of the ${n0(routes)}-route configuration by \`POST /config\` (two versions alternating), 10 connections of load meanwhile; RSS 300 ms after each answer. Growth = the least-squares line through the samples after the first ${warmUp(reloads)} (the warm-up), times ${reloads}; ± two standard errors:`,
    '',
    `| after reload | ${cols.join(' | ')} | highest | growth (fitted) | target |`,
    `|---|${cols.map(() => '---|').join('')}---|---|---|`,
    `| RSS | ${cols.map((i) => mib(at(i))).join(' | ')} | ${mib(Math.max(...rl.samples))} | ${describeTrend(rssTrend, reloads)} | no growth (< 10 MiB) ${ok(rssGrowth < 10)} |`,
    '',
    heapTrend
      ? `Leak check (diagnostic, ${heapReloads} more reloads in the same process, a full GC forced after each): live JS heap ${describeTrend(heapTrend, heapReloads, 2)} ${ok(heapGrowth < 2)} (< 2 MiB); RSS after those GCs ${describeTrend(trend(rl.heap.rssMiB, warmUp(heapReloads)), heapReloads)}.`
      : 'Leak check (live heap after forced GCs) not run (--heap-reloads 0).',
    '',
    `\`POST /config\` of ${n0(routes)} routes: ${rl.postMs.median.toFixed(0)} ms median (${rl.postMs.min.toFixed(0)} – ${rl.postMs.max.toFixed(0)} ms).`,
  ];
  return { markdown: lines.join('\n'), targets: { startOneRoute: startOne, loadManyRoutes: loadMany, reloadGrowthMiB: rssGrowth, reloadGrowthSeMiB: 2 * rssTrend.se * reloads, reloadHeapGrowthMiB: heapGrowth } };
}

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const one = await oneRouteRuns(m.url);
  const many = await manyRouteRuns(m.url);
  const { markdown, targets } = report(one, many);
  writeResults('memory', env, { rounds, routes, reloads, heapReloads, seconds, flags, targets, oneRoute: one, manyRoutes: { runs: [...many], reloads: many.reloads } }, markdown);
} finally {
  await stopAll();
}
