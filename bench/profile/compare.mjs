// Does a change pay for itself? Two `aigw serve` processes (one ai-proxy route): A as built, B with
// extra node flags and/or another build of the CLI (an experiment), loaded in turn (wrk, 50
// connections then 1) over interleaved rounds: req/s, p50, server CPU per request, highest RSS.
//   node bench/profile/compare.mjs [--flags "--max-semi-space-size=4"] [--cli path/to/aigw.js] [--rounds 3] [--duration 5] [--bare] [--dashboard]
// --dashboard: both gateways with the status listener on (the default of `aigw serve`: the dashboard records every request).
// --bare: the bare proxy (bench/bare-proxy.mjs) joins the rounds; each aigw's req/s and p50 are then
// also given per round as a ratio to it (issue 10's targets).
import { CLI, KEY, bareProxy, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, rss, sleep, stopAll } from '../harness.mjs';
import { n0, us } from '../report.mjs';
import { load } from '../wrk.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const flags = arg('flags', '').split(' ').filter(Boolean);
const cliB = arg('cli', CLI);
const rounds = arg('rounds', 3);
const seconds = arg('duration', 5);
const withBare = process.argv.includes('--bare');
const admin = process.argv.includes('--dashboard');

async function run(gw, connections) {
  let peak = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      peak = Math.max(peak, rss(gw.pid).rss);
      await sleep(200);
    }
  })();
  const r = await load({ url: `${gw.url}${gw.name === 'bare' ? '/' : '/ai/chat'}`, body: chatBody, connections, seconds, watch: [gw] });
  done = true;
  await sampling;
  return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors + r.non2xx, rss: peak, cpu: r.cpu.procs[gw.name], cpuUs: (r.cpu.procs[gw.name] / 100) * 1e6 / r.rps };
}

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const file = configFile('one.yaml', oneRoute(m.url));
  const gws = { default: await serve(file, { cpu: SERVER_CPU, name: 'aigw', admin }), flags: await serve(file, { cpu: SERVER_CPU, name: 'aigw', node: flags, cli: cliB, admin }) };
  if (withBare) gws.bare = await bareProxy(`${m.url}/v1/chat/completions`, { cpu: SERVER_CPU, json: { model: 'gpt-4o', maxTokens: 512, authorization: `Bearer ${KEY}` } });
  const kinds = Object.keys(gws);
  await sleep(2000);
  const start = Object.fromEntries(Object.entries(gws).map(([k, g]) => [k, rss(g.pid).rss]));
  for (const g of Object.values(gws)) await load({ url: `${g.url}${g.name === 'bare' ? '/' : '/ai/chat'}`, body: chatBody, connections: 50, seconds: 3 });
  const out = Object.fromEntries(kinds.map((k) => [k, { 50: [], 1: [] }]));
  for (let i = 0; i < rounds; i++) {
    for (const c of [50, 1]) for (const k of i % 2 ? [...kinds].reverse() : kinds) out[k][c].push(await run(gws[k], c));
  }
  console.log(`B: node flags ${flags.join(' ') || '(none)'}, CLI ${cliB}; ${rounds} rounds × ${seconds} s; medians`);
  for (const k of ['default', 'flags']) {
    const med = (c, f) => median(out[k][c].map((r) => r[f]));
    const errors = [...out[k][50], ...out[k][1]].reduce((a, r) => a + r.errors, 0);
    console.log(`${k === 'default' ? 'A' : 'B'}: ${errors} errors; RSS at start ${start[k].toFixed(1)} MiB; c=50: ${n0(med(50, 'rps'))} req/s, p99 ${us(med(50, 'p99'))}, CPU ${med(50, 'cpu')} % = ${Math.round(med(50, 'cpuUs'))} µs/request, RSS max ${med(50, 'rss').toFixed(1)} MiB; c=1: p50 ${us(med(1, 'p50'))}`);
  }
  if (withBare) {
    const b = out.bare;
    console.log(`bare: c=50: ${n0(median(b[50].map((r) => r.rps)))} req/s, ${Math.round(median(b[50].map((r) => r.cpuUs)))} µs/request; c=1: p50 ${us(median(b[1].map((r) => r.p50)))}`);
    for (const k of ['default', 'flags']) {
      console.log(`${k === 'default' ? 'A' : 'B'} ÷ bare per round: req/s ${out[k][50].map((r, i) => (r.rps / b[50][i].rps).toFixed(2)).join(' ')}; c=1 p50 ${out[k][1].map((r, i) => `+${(r.p50 - b[1][i].p50).toFixed(0)}`).join(' ')} µs`);
    }
  }
  console.log(`B ÷ A per round: req/s ${out.flags[50].map((r, i) => (r.rps / out.default[50][i].rps).toFixed(2)).join(' ')}; CPU per request ${out.flags[50].map((r, i) => (r.cpuUs / out.default[50][i].cpuUs).toFixed(2)).join(' ')}; c=1 p50 ${out.flags[1].map((r, i) => (r.p50 - out.default[1][i].p50).toFixed(0)).join(' ')} µs`);
} finally {
  await stopAll();
}
