// Profiles of `aigw serve` (through the CLI, with node's own profiling flags):
//   node bench/profile/run.mjs hot      CPU profile of the ai-proxy hot path: 10 s of wrk (50 conns) after a 3 s warm-up
//   node bench/profile/run.mjs bare     the same for the bare proxy (the baseline's own costs)
//   node bench/profile/run.mjs proxy    the same on the plain route with key-auth + rate-limiting + prometheus
//   node bench/profile/run.mjs start    CPU profile of start-up (spawn → listening) and of the first 2 s under load
//   node bench/profile/run.mjs reload   CPU profile of a POST /config of 5,000 entities under load (3 s from the POST)
//   node bench/profile/run.mjs heap [N] sampling heap profile (--heap-prof) of a started, idle gateway with N ai-proxy routes (1): live bytes by module
// Profiles stay in a temporary directory (path printed); summaries go to stdout (summarize.mjs).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { bareProxy, configFile, mock as startMock, serve, upstream as startUpstream } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, nowUs, sleep, stopAll } from '../harness.mjs';
import { load } from '../wrk.mjs';
import { chatBody, manyRoutes, oneRoute } from '../ai/config.mjs';
import { generateState } from '../validate/generate.mjs';
import { cpuSummary, heapSummary, longTasks } from './summarize.mjs';

const mode = process.argv[2] ?? 'hot';
const dir = mkdtempSync(join(tmpdir(), 'aigw-prof-'));
const one = (ext) => join(dir, readdirSync(dir).find((f) => f.endsWith(ext)));
const pct = (c, s) => `${((100 * c) / Math.max(1, s.busy)).toFixed(1).padStart(5)} %`;

function printCpu(title, s, top = 25) {
  console.log(`\n## ${title}: ${s.total} samples, ${((100 * s.busy) / Math.max(1, s.total)).toFixed(0)} % busy; % of busy samples\n`);
  console.log('by area (self):');
  for (const [k, c] of s.areas.filter(([k]) => k !== '(idle)').slice(0, 15)) console.log(`  ${pct(c, s)}  ${k}`);
  console.log('by function (self):');
  for (const [k, c] of s.self.filter(([k]) => !k.startsWith('(idle)')).slice(0, top)) console.log(`  ${pct(c, s)}  ${k}`);
  console.log('by function (inclusive, aigw code):');
  for (const [k, c] of s.inclusive.filter(([k]) => k.includes(' aigw ')).slice(0, top)) console.log(`  ${pct(c, s)}  ${k}`);
}

function printLongTasks(runs) {
  console.log('\n## longest tasks (outermost aigw function, consecutive samples): the event loop was held this long');
  for (const r of runs.slice(0, 12)) {
    console.log(`  ${r.ms.toFixed(0).padStart(6)} ms  ${r.label}`);
    console.log(`           leaves: ${r.leaves.map(([k, c]) => `${k} ×${c}`).join(', ')}`);
  }
}

async function hot(kind) {
  const cpuProf = ['--cpu-prof', '--cpu-prof-dir', dir];
  let gw;
  let req;
  if (kind === 'ai') {
    const m = await startMock({ cpu: LOAD_CPU });
    gw = await serve(configFile('one.yaml', oneRoute(m.url)), { cpu: SERVER_CPU, node: cpuProf });
    req = { url: `${gw.url}/ai/chat`, body: chatBody };
  } else if (kind === 'bare') {
    const m = await startMock({ cpu: LOAD_CPU });
    gw = await bareProxy(`${m.url}/v1/chat/completions`, { cpu: SERVER_CPU, node: cpuProf, json: { model: 'gpt-4o', maxTokens: 512, authorization: 'Bearer bench-key' } });
    req = { url: `${gw.url}/`, body: chatBody };
  } else {
    const up = await startUpstream({ cpu: LOAD_CPU });
    const text = `_format_version: "3.0"\nservices:\n- name: b\n  url: ${up.url}\n  routes:\n  - name: b\n    paths: [/bench]\n    plugins:\n    - name: key-auth\n    - name: rate-limiting\n      config: { hour: 1000000000, limit_by: consumer }\n    - name: prometheus\n      config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true }\nconsumers:\n- username: bench\n  keyauth_credentials: [{ key: bench-key }]\n`;
    gw = await serve(configFile('proxy.yaml', text), { cpu: SERVER_CPU, node: cpuProf });
    req = { url: `${gw.url}/bench`, headers: { apikey: 'bench-key' } };
  }
  await load({ ...req, connections: 50, seconds: 3 });
  const a = nowUs();
  const r = await load({ ...req, connections: 50, seconds: 10, watch: [gw] });
  const b = nowUs();
  await gw.stop();
  const cpu = r.cpu.procs[gw.name];
  console.log(`${Math.round(r.rps)} req/s under the profiler, p50 ${r.p50} µs; ${gw.name} CPU ${cpu} %; CPU µs per request ≈ ${Math.round((cpu / 100) * 1e6 / r.rps)}`);
  printCpu(`${kind} hot path, 10 s of load`, cpuSummary(JSON.parse(readFileSync(one('.cpuprofile'), 'utf8')), a, b), 40);
}

async function startup() {
  const m = await startMock({ cpu: LOAD_CPU });
  const gw = await serve(configFile('one.yaml', oneRoute(m.url)), { cpu: SERVER_CPU, node: ['--cpu-prof', '--cpu-prof-dir', dir] });
  await load({ url: `${gw.url}/ai/chat`, body: chatBody, connections: 50, seconds: 2 });
  await gw.stop();
  const p = JSON.parse(readFileSync(one('.cpuprofile'), 'utf8'));
  console.log(`spawn → listening ${((gw.readyAt - gw.spawnedAt) / 1000).toFixed(0)} ms (profile starts ${((p.startTime - gw.spawnedAt) / 1000).toFixed(0)} ms after spawn)`);
  printCpu('start-up: profile start → proxy listening', cpuSummary(p, -Infinity, gw.readyAt));
  printCpu('first 2 s under load', cpuSummary(p, gw.readyAt, gw.readyAt + 2e6));
  printLongTasks(longTasks(p, gw.readyAt, gw.readyAt + 2e6));
}

async function reload() {
  const m = await startMock({ cpu: LOAD_CPU });
  const text = (tag) => {
    const s = generateState(5000);
    s.services[0].tags = ['bench', tag];
    s.services.unshift(...parse(oneRoute(m.url)).services);
    return stringify(s, { lineWidth: 0 });
  };
  const gw = await serve(configFile('big.yaml', text('a')), { cpu: SERVER_CPU, admin: true, node: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const req = { url: `${gw.url}/ai/chat`, body: chatBody, connections: 50 };
  await load({ ...req, seconds: 3 });
  const during = load({ ...req, seconds: 5 });
  await sleep(500);
  const at = nowUs();
  const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: text('b') });
  await res.arrayBuffer();
  const posted = nowUs();
  const r = await during;
  await gw.stop();
  console.log(`POST /config ${res.status} in ${((posted - at) / 1000).toFixed(0)} ms; load during it: p99 ${r.p99} µs, max ${r.max} µs`);
  const p = JSON.parse(readFileSync(one('.cpuprofile'), 'utf8'));
  printCpu('POST /config: request → answer', cpuSummary(p, at, posted));
  printCpu('after the answer (3 s)', cpuSummary(p, posted, posted + 3e6));
  printLongTasks(longTasks(p, at, posted + 3e6));
}

async function heap() {
  const m = await startMock({ cpu: LOAD_CPU });
  const routes = Number(process.argv[3] ?? 1);
  const text = routes > 1 ? manyRoutes(m.url, routes) : oneRoute(m.url);
  const gw = await serve(configFile('heap.yaml', text), { cpu: SERVER_CPU, node: ['--heap-prof', '--heap-prof-dir', dir, '--heap-prof-interval', '4096'] });
  await sleep(2000);
  await gw.stop();
  const s = heapSummary(JSON.parse(readFileSync(one('.heapprofile'), 'utf8')));
  console.log(`\n## live sampled heap at exit of an idle gateway (${routes} ai-proxy route${routes > 1 ? 's' : ''}): ${(s.total / 1048576).toFixed(1)} MiB\n`);
  for (const [k, b] of s.areas.slice(0, 25)) console.log(`  ${(b / 1048576).toFixed(2).padStart(6)} MiB  ${k}`);
  console.log('top allocation sites:');
  for (const [k, b] of s.sites.slice(0, 25)) console.log(`  ${(b / 1048576).toFixed(2).padStart(6)} MiB  ${k}`);
}

try {
  const modes = { hot: () => hot('ai'), bare: () => hot('bare'), proxy: () => hot('proxy'), start: startup, reload, heap };
  if (!modes[mode]) throw new Error(`unknown mode ${mode}: ${Object.keys(modes).join(', ')}`);
  await modes[mode]();
  console.log(`\nprofiles in ${dir}`);
} finally {
  await stopAll();
}
