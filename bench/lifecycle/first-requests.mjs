// bench/lifecycle/first-requests.mjs — what the first requests after `proxy listening` cost, in
// measures a busy machine cannot move much: the CPU time of the gateway's main thread (from
// /proc/<pid>/task/<pid>/stat) for the first N requests vs N warm requests (the same process after
// `--warm` more), spawn → listening (wall and CPU), and RSS 2 s after listening (before any traffic).
// A/B: `--variants "a=<serve flags>;b=<serve flags>"` (each a fresh process per round, interleaved),
// `--cli` another build for a variant written `name@path/to/aigw.js=<flags>`; a flag written
// `node:--flag` is given to node instead of `aigw serve` (V8 flags: `spark=node:--always-sparkplug`),
// `env:NAME=value` goes into the gateway's environment (bench/aigw.mjs parseVariants).
// `--warm-requests M`: the warm cost from M requests (scaled to N; less tick noise than N).
//   npm run build && node bench/lifecycle/first-requests.mjs [--rounds 5] [--requests 1000] [--warm 20000] [--warm-requests 1000] [--variants "off=--no-warm-up;warm-up="]
import { readFileSync } from 'node:fs';
import { configFile, mock as startMock, parseVariants, postMany, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, rss, sleep, stopAll } from '../harness.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const rounds = arg('rounds', 5);
const N = arg('requests', 1000);
const WARM = arg('warm', 20000);
/** Warm requests measured (after `--warm`); the ratio is per request. */
const NW = arg('warm-requests', N);
const CONC = 8;
const variants = parseVariants(arg('variants', 'off=--no-warm-up;warm-up='));
const body = JSON.stringify(chatBody);
const TICKS = 100;

/** CPU ms of the main thread (its tid is the pid) so far. */
function mainCpuMs(pid) {
  const s = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
}
function allCpuMs(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
}

const drive = (url, n) => postMany(url, n, body, CONC);

const mock = await startMock({ cpu: LOAD_CPU });
const file = configFile('one-route.yaml', oneRoute(mock.url));
const rows = Object.fromEntries(variants.map((v) => [v.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
      const gw = await serve(file, { cpu: SERVER_CPU, cli: v.cli, extra: v.flags, node: v.node, env: v.env });
      const readyMs = (gw.readyAt - gw.spawnedAt) / 1000;
      const warmedUp = /warmed up: (\d+)\/(\d+)/.exec(gw.lines.map((l) => l.line).find((l) => l.includes('warmed up')) ?? '')?.[2] ?? '–';
      const startCpu = mainCpuMs(gw.pid);
      const startAll = allCpuMs(gw.pid);
      await sleep(2000);
      const rss2s = rss(gw.pid).rss;
      const url = `${gw.url}/ai/chat`;
      const c0 = mainCpuMs(gw.pid);
      let failed = await drive(url, N);
      const first = mainCpuMs(gw.pid) - c0;
      failed += await drive(url, WARM);
      const c1 = mainCpuMs(gw.pid);
      failed += await drive(url, NW);
      const warm = ((mainCpuMs(gw.pid) - c1) * N) / NW;
      await gw.stop();
      rows[v.name].push({ warmedUp, readyMs, startCpu, startAll, rss2s, first, warm, ratio: first / warm, failed });
      process.stderr.write(`${v.name} ${r + 1}/${rounds}: listening after ${readyMs.toFixed(0)} ms (warm-up requests ${warmedUp}; main thread ${startCpu} ms CPU, all ${startAll}), RSS at 2 s ${rss2s.toFixed(1)} MiB; first ${N}: ${first} ms CPU, warm ${N}: ${warm.toFixed(0)} ms (${(first / warm).toFixed(2)}×)${failed ? `, ${failed} failed` : ''}\n`);
    }
  }
  console.log(`| variant | spawn → listening | main-thread CPU to listening | RSS 2 s after listening | main-thread CPU, first ${N} requests | … ${N} warm | ratio |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, xs] of Object.entries(rows)) {
    const m = (k) => median(xs.map((x) => x[k]));
    console.log(`| ${name} | ${m('readyMs').toFixed(0)} ms | ${m('startCpu').toFixed(0)} ms | ${m('rss2s').toFixed(1)} MiB | ${m('first').toFixed(0)} ms | ${m('warm').toFixed(0)} ms | ${m('ratio').toFixed(2)}× |`);
  }
} finally {
  await stopAll();
}
