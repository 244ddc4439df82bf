// bench/ai/dashboard.mjs — what the live dashboard costs on the proxy path. Three `aigw serve`
// processes with the same ai-proxy route (openai → `aigw mock`) and the status listener on:
//   off       --no-dashboard
//   idle      the dashboard served, nobody watching (the default)
//   watched   one dashboard connected: this script reads its event stream (every request is pushed,
//             headers captured) and polls totals and limits every 5 s, as the page does
// Load from wrk (50 connections, and 1), interleaved rounds; reports req/s, p50/p99 and the server's
// CPU time per request, and the ratios idle ÷ off and watched ÷ off per round.
//   npm run build && node bench/ai/dashboard.mjs [--duration 5] [--rounds 3] [--warmup 3] [--connections 50]
import http from 'node:http';
import { KEY, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, sleep, stopAll, summary } from '../harness.mjs';
import { environment, n0, us, writeResults, x2 } from '../report.mjs';
import { load } from '../wrk.mjs';
import { chatBody, oneRoute } from './config.mjs';

const seconds = arg('duration', 5);
const rounds = arg('rounds', 3);
const warmup = arg('warmup', 3);
const C = arg('connections', 50);
const env = environment();

/** A dashboard as the page uses it: the event stream, and totals + limits every 5 s. */
function watch(adminUrl) {
  const stats = { events: 0, bytes: 0 };
  const req = http.get(`${adminUrl}/dashboard/api/events`, (res) => {
    if (res.statusCode !== 200) throw new Error(`events: HTTP ${res.statusCode}`);
    res.on('data', (c) => {
      stats.bytes += c.length;
      stats.events += c.toString().split('\n\n').length - 1;
    });
  });
  const poll = setInterval(() => {
    for (const p of ['totals?window=15m', 'limits']) http.get(`${adminUrl}/dashboard/api/${p}`, (r) => r.resume());
  }, 5000);
  return { stats, stop: () => (clearInterval(poll), req.destroy()) };
}

const cpuPerRequest = (r, name) => ((r.cpu.procs[name] ?? NaN) / 100) * 1e6 / r.rps;

async function main() {
  const mock = await startMock({ cpu: LOAD_CPU });
  const file = configFile('dashboard.yaml', oneRoute(mock.url));
  const gws = {
    off: await serve(file, { cpu: SERVER_CPU, admin: true, name: 'off', extra: ['--no-dashboard'] }),
    idle: await serve(file, { cpu: SERVER_CPU, admin: true, name: 'idle' }),
    watched: await serve(file, { cpu: SERVER_CPU, admin: true, name: 'watched' }),
  };
  const watcher = watch(gws.watched.adminUrl);
  const run = async (name, connections, secs) => {
    const r = await load({ url: `${gws[name].url}/ai/chat`, body: chatBody, connections, seconds: secs, watch: [gws[name], mock] });
    await sleep(300);
    return r;
  };
  process.stderr.write(`warm-up: ${warmup} s each\n`);
  for (const name of Object.keys(gws)) await run(name, C, warmup);
  const runs = { off: [], idle: [], watched: [], off1: [], idle1: [], watched1: [] };
  for (let i = 0; i < rounds; i++) {
    const order = ['off', 'idle', 'watched'].map((_, k, a) => a[(k + i) % a.length]);
    for (const name of order) {
      runs[name].push(await run(name, C, seconds));
      runs[`${name}1`].push(await run(name, 1, Math.max(2, Math.round(seconds / 2))));
      const r = runs[name].at(-1);
      process.stderr.write(`round ${i + 1}/${rounds} ${name.padEnd(8)} ${n0(r.rps).padStart(7)} req/s p50 ${us(r.p50)} p99 ${us(r.p99)} cpu/req ${Math.round(cpuPerRequest(r, name))} µs\n`);
    }
  }
  watcher.stop();
  return { runs, watcher: watcher.stats };
}

function report({ runs, watcher }) {
  const lines = [
    `${rounds} rounds × ${seconds} s at ${C} connections (and ${Math.max(2, Math.round(seconds / 2))} s at 1), interleaved, after a warm-up; medians (min–max of req/s).`,
    '',
    '| aigw serve | conns | req/s median (min–max) | p50 | p99 | server CPU µs per request | errors |',
    '|---|---|---|---|---|---|---|',
  ];
  const label = { off: '--no-dashboard', idle: 'dashboard, nobody watching', watched: 'dashboard, one watching (events + polls)' };
  for (const name of ['off', 'idle', 'watched', 'off1', 'idle1', 'watched1']) {
    const base = name.replace('1', '');
    const rs = runs[name];
    const s = summary(rs.map((r) => r.rps));
    lines.push(`| ${label[base]} | ${name.endsWith('1') ? 1 : C} | ${n0(s.median)} (${n0(s.min)}–${n0(s.max)}) | ${us(median(rs.map((r) => r.p50)))} | ${us(median(rs.map((r) => r.p99)))} | ${Math.round(median(rs.map((r) => cpuPerRequest(r, base))))} | ${rs.reduce((a, r) => a + r.errors + r.non2xx, 0)} |`);
  }
  const ratio = (a, b, f) => summary(runs[a].map((r, i) => f(r, runs[b][i], a.replace('1', ''), b.replace('1', ''))));
  const rps = (x, y) => x.rps / y.rps;
  const cpu = (x, y, a, b) => cpuPerRequest(x, a) / cpuPerRequest(y, b);
  const span = (s) => `${x2(s.median)} (${x2(s.min)} – ${x2(s.max)})`;
  const p50 = (a, b) => summary(runs[a].map((r, i) => r.p50 - runs[b][i].p50));
  lines.push(
    '',
    '| measure (per round, then median (min – max)) | result |',
    '|---|---|',
    `| req/s, idle ÷ off, ${C} connections | ${span(ratio('idle', 'off', rps))} |`,
    `| CPU per request, idle ÷ off | ${span(ratio('idle', 'off', cpu))} |`,
    `| p50, idle − off, 1 connection | ${us(p50('idle1', 'off1').median)} (${us(p50('idle1', 'off1').min)} – ${us(p50('idle1', 'off1').max)}) |`,
    `| req/s, watched ÷ off, ${C} connections | ${span(ratio('watched', 'off', rps))} |`,
    `| CPU per request, watched ÷ off | ${span(ratio('watched', 'off', cpu))} |`,
    `| p50, watched − off, 1 connection | ${us(p50('watched1', 'off1').median)} |`,
    `| events received by the watcher | ${n0(watcher.events)} (${n0(watcher.bytes / 1024)} KiB) |`,
  );
  return lines.join('\n');
}

try {
  const data = await main();
  writeResults('ai-dashboard', env, { seconds, rounds, warmup, connections: C, ...data }, report(data));
} finally {
  await stopAll();
}
