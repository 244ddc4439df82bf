// What the first requests after `proxy listening` cost against warm ones, in callgrind instructions
// (a count the other jobs on a shared machine cannot move; CPU time from /proc moved ±30 % between
// rounds of one build): instructions of the first N requests, then of N requests after W more, in
// one process per variant, all threads counted (V8's compiler threads too), with the optimizing
// compiler's share shown apart (RSS under valgrind means nothing: bench/lifecycle/first-requests.mjs).
//   node bench/profile/first-instructions.mjs [--requests 300] [--warm 3000] [--variants "off=--no-warm-up;warm="]
// A variant is `name=<tokens>`: `node:--flag` goes to node, `env:NAME=value` to the gateway's
// environment, anything else to `aigw serve`; `name@path/to/aigw.js=…` runs another build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFile, mock as startMock, parseVariants, postMany } from '../aigw.mjs';
import { LOAD_CPU, arg, start, stopAll } from '../harness.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const N = arg('requests', 300);
const W = arg('warm', 3000);
const CONC = 8;
const out = mkdtempSync(join(tmpdir(), 'aigw-first-ir-'));
const body = JSON.stringify(chatBody);
const variants = parseVariants(arg('variants', 'off=--no-warm-up;warm-up='));

async function drive(url, n) {
  const failed = await postMany(url, n, body, CONC);
  if (failed) process.stderr.write(`${failed} of ${n} requests failed
`);
}

/** Total Ir and the optimizing compiler's share of one callgrind dump. */
function counts(file) {
  const total = Number(/^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? NaN);
  const text = spawnSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 << 20 }).stdout ?? '';
  let jit = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+) \(.*(compiler::|turboshaft|maglev)/i.exec(line);
    if (m) jit += Number(m[1].replaceAll(',', ''));
  }
  return { total, jit };
}

const ctl = (...a) => spawnSync('callgrind_control', a);

try {
  const m = await startMock({ cpu: LOAD_CPU });
  const file = configFile('one.yaml', oneRoute(m.url));
  const rows = [];
  for (const [k, v] of variants.entries()) {
    const name = `v${k}`;
    const args = ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, `${name}.%p.out`)}`, process.execPath,
      ...v.node, v.cli, 'serve', file, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--log-format', 'json', '--no-access-log', '--no-watch', ...v.flags];
    const p = start(name, 'valgrind', args, { cpu: null, env: v.env });
    const line = (await p.waitFor(/proxy listening on/, 600_000)).line;
    const url = `${/(http:\/\/127\.0\.0\.1:\d+)/.exec(line)[1]}/ai/chat`;
    ctl('-i', 'on', String(p.pid));
    await drive(url, N);
    ctl('-d', String(p.pid)); // dumps and zeroes: .out.1 = the first N
    ctl('-i', 'off', String(p.pid));
    await drive(url, W);
    ctl('-i', 'on', String(p.pid));
    await drive(url, N);
    ctl('-d', String(p.pid)); // .out.2 = N warm ones
    ctl('-i', 'off', String(p.pid));
    process.kill(-p.pid, 'SIGTERM');
    await p.exit;
    const dumps = readdirSync(out).filter((x) => x.startsWith(`${name}.`)).sort();
    const first = counts(join(out, dumps.find((x) => x.endsWith('.out.1'))));
    const warm = counts(join(out, dumps.find((x) => x.endsWith('.out.2'))));
    rows.push({ name: v.name, first, warm });
    process.stderr.write(`${v.name}: first ${N} ${(first.total / N / 1e6).toFixed(2)} MIr/request (compiler ${(first.jit / N / 1e6).toFixed(2)}), warm ${(warm.total / N / 1e6).toFixed(2)} (compiler ${(warm.jit / N / 1e6).toFixed(2)}): ${(first.total / warm.total).toFixed(2)}×\n`);
  }
  console.log(`| variant | first ${N} requests, Ir/request | of it the optimizing compiler | ${N} after ${W} more, Ir/request | first ÷ warm | without the compiler |`);
  console.log('|---|---|---|---|---|---|');
  const fmt = (x) => Math.round(x / N).toLocaleString('en');
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.first.total)} | ${fmt(r.first.jit)} | ${fmt(r.warm.total)} | ${(r.first.total / r.warm.total).toFixed(2)}× | ${((r.first.total - r.first.jit) / (r.warm.total - r.warm.jit)).toFixed(2)}× |`);
} finally {
  await stopAll();
}
