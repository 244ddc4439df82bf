// Does a node flag pay for itself? Two `aigw serve` processes (one ai-proxy route), one started
// with extra node flags, loaded in turn (wrk, 50 connections then 1) over interleaved rounds:
// req/s, p50, and the highest RSS seen during each run.
//   node bench/profile/flags.mjs "--max-semi-space-size=4" [--rounds 3] [--duration 5]
import { configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, rss, sleep, stopAll } from '../harness.mjs';
import { n0, us } from '../report.mjs';
import { load } from '../wrk.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const flags = (process.argv[2] ?? '').split(' ').filter(Boolean);
const rounds = arg('rounds', 3);
const seconds = arg('duration', 5);

async function run(gw, connections) {
  let peak = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      peak = Math.max(peak, rss(gw.pid).rss);
      await sleep(200);
    }
  })();
  const r = await load({ url: `${gw.url}/ai/chat`, body: chatBody, connections, seconds, watch: [gw] });
  done = true;
  await sampling;
  return { rps: r.rps, p50: r.p50, p99: r.p99, rss: peak, cpu: r.cpu.procs.aigw };
}

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const file = configFile('one.yaml', oneRoute(m.url));
  const gws = { default: await serve(file, { cpu: SERVER_CPU, name: 'aigw' }), flags: await serve(file, { cpu: SERVER_CPU, name: 'aigw', node: flags }) };
  await sleep(2000);
  const start = Object.fromEntries(Object.entries(gws).map(([k, g]) => [k, rss(g.pid).rss]));
  for (const g of Object.values(gws)) await load({ url: `${g.url}/ai/chat`, body: chatBody, connections: 50, seconds: 3 });
  const out = { default: { 50: [], 1: [] }, flags: { 50: [], 1: [] } };
  for (let i = 0; i < rounds; i++) {
    for (const c of [50, 1]) for (const k of i % 2 ? ['flags', 'default'] : ['default', 'flags']) out[k][c].push(await run(gws[k], c));
  }
  console.log(`node flags: ${flags.join(' ') || '(none)'}; ${rounds} rounds × ${seconds} s; medians`);
  for (const k of ['default', 'flags']) {
    const med = (c, f) => median(out[k][c].map((r) => r[f]));
    console.log(`${k.padEnd(8)} RSS at start ${start[k].toFixed(1)} MiB; c=50: ${n0(med(50, 'rps'))} req/s, p99 ${us(med(50, 'p99'))}, RSS max ${med(50, 'rss').toFixed(1)} MiB, CPU ${med(50, 'cpu')} %; c=1: p50 ${us(med(1, 'p50'))}`);
  }
  console.log(`req/s with the flags ÷ without, per round: ${out.flags[50].map((r, i) => (r.rps / out.default[50][i].rps).toFixed(2)).join(' ')}`);
} finally {
  await stopAll();
}
