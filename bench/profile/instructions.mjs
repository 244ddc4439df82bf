// Instructions per request, under valgrind's callgrind: a count that the other jobs on this shared
// machine cannot disturb (wall-clock and CPU-time ratios moved ±30 % between rounds). For A/B of
// builds and of the bare proxy:
//   node bench/profile/instructions.mjs [--cli path/to/other/aigw.js] [--requests 1500] [--warmup 1500] [--stream] [--serve-warm-up] [--dashboard]
// --dashboard: aigw with its status listener on (the default of `aigw serve`: the dashboard's request feed records every request).
// aigw runs with --no-warm-up unless --serve-warm-up: under valgrind, serve's own warm-up left
// process.nextTick's `{[async_id_symbol]: …}` literal calling V8's runtime for good (~45 calls,
// ~57 k Ir per request, +19-24 %), which real runs do not show (perf under wrk: no such calls);
// bench/README.md, "Instruction counts and serve's warm-up".
// Each target runs alone under `valgrind --tool=callgrind --instr-atstart=no`; after `warmup`
// requests (JIT-compiled paths), counting is switched on for `requests` requests (4 at a time,
// keep-alive, from this process), then dumped. Prints Ir per request and the ratios, also without
// the optimizing compiler's instructions (tier-up still under way; 1,500 requests of warm-up leave
// ~40 % of the count there, 6,000 leave ~5 %: use --warmup 6000 to compare with wrk's steady state).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, KEY, configFile, mock as startMock } from '../aigw.mjs';
import { LOAD_CPU, arg, start, stopAll } from '../harness.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const here = import.meta.dirname;
const cliB = arg('cli', null);
const requests = arg('requests', 1500);
const warmup = arg('warmup', 1500);
const stream = process.argv.includes('--stream');
const serveWarmUp = process.argv.includes('--serve-warm-up');
const dashboard = process.argv.includes('--dashboard');
const out = mkdtempSync(join(tmpdir(), 'aigw-callgrind-'));
const body = JSON.stringify(stream ? { ...chatBody, stream: true } : chatBody);

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function post(url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}
async function drive(url, n) {
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next++ < n) await post(url);
  }));
}

const vg = (name) => ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, `${name}.%p.out`)}`, process.execPath];

async function measure(name, args, ready, path) {
  const p = start(name, 'valgrind', [...vg(name), ...args], { cpu: null });
  const line = (await p.waitFor(ready, 300_000)).line;
  const url = `${/(http:\/\/127\.0\.0\.1:\d+)/.exec(line)[1]}${path}`;
  await drive(url, warmup);
  spawnSync('callgrind_control', ['-i', 'on', String(p.pid)]);
  await drive(url, requests);
  spawnSync('callgrind_control', ['-d', String(p.pid)]);
  spawnSync('callgrind_control', ['-i', 'off', String(p.pid)]);
  process.kill(-p.pid, 'SIGTERM');
  await p.exit;
  // The `-d` dump is `<name>.<pid>.out.1`; the file written at exit counts nothing useful.
  const dump = readdirSync(out).find((x) => x.startsWith(`${name}.`) && x.endsWith('.out.1'));
  const m = dump ? /^totals:\s+(\d+)/m.exec(readFileSync(join(out, dump), 'utf8')) : null;
  if (!m) throw new Error(`${name}: no callgrind dump in ${out}`);
  return { all: Number(m[1]) / requests, jit: compilerIr(join(out, dump)) / requests };
}

/** Instructions spent in V8's optimizing compiler (warm-up left over, not per-request work). */
function compilerIr(file) {
  const text = spawnSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 << 20 }).stdout ?? '';
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+) \(.*(compiler::|turboshaft|maglev)/i.exec(line);
    if (m) sum += Number(m[1].replaceAll(',', ''));
  }
  return sum;
}

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const file = configFile('one.yaml', oneRoute(m.url));
  const serveArgs = (cli) => [cli, 'serve', file, '--listen', '127.0.0.1:0', '--admin-listen', dashboard ? '127.0.0.1:0' : 'off', '--log-format', 'json', '--no-access-log', '--no-watch', ...(serveWarmUp ? [] : ['--no-warm-up'])];
  const rows = [];
  rows.push(['bare node:http proxy', await measure('bare', [join(here, '..', 'bare-proxy.mjs'), `${m.url}/v1/chat/completions`, '--json', 'gpt-4o', '512', `Bearer ${KEY}`], /listening on/, '/')]);
  rows.push([`aigw (${CLI})`, await measure('a', serveArgs(CLI), /proxy listening on/, '/ai/chat')]);
  if (cliB) rows.push([`aigw (${cliB})`, await measure('b', serveArgs(cliB), /proxy listening on/, '/ai/chat')]);
  console.log(`instructions per request (callgrind Ir), ${stream ? 'stream' : 'plain'} chat, ${requests} requests after ${warmup} of warm-up${serveWarmUp ? ' (aigw with its own warm-up)' : ''}${dashboard ? ', aigw with its dashboard on' : ''}`);
  const run = (v) => v.all - v.jit;
  for (const [k, v] of rows) {
    console.log(`${k}: ${Math.round(v.all).toLocaleString('en')} Ir/request = ${(v.all / rows[0][1].all).toFixed(2)}× bare; without the JIT compiler's share (${Math.round(v.jit).toLocaleString('en')}): ${Math.round(run(v)).toLocaleString('en')} = ${(run(v) / run(rows[0][1])).toFixed(2)}× bare`);
  }
  if (cliB) console.log(`A ÷ B: ${(rows[1][1].all / rows[2][1].all).toFixed(3)}; without the compiler ${(run(rows[1][1]) / run(rows[2][1])).toFixed(3)}`);
} finally {
  await stopAll();
}
