// Where the resident memory of a started `aigw serve` (one ai-proxy route, idle) goes:
//   node bench/profile/memory.mjs [--routes 1000] [--duration 5]
// --routes N: N ai-proxy routes (bench/ai/config.mjs manyRoutes, the load spread over them);
// --duration: seconds of load before the "under load" snapshot (V8's spaces grow with volume).
// 1. RSS of reference processes: an idle node, a node:http server, the bare proxy (node:http + undici).
// 2. aigw's mappings (/proc/<pid>/smaps): node binary, shared libraries, malloc heap, anonymous
//    memory (V8's heap, code, wasm), and V8's own numbers (process.memoryUsage and heap spaces,
//    printed by a preloaded script on SIGUSR2: bench/profile/memory-report.cjs).
// 3. Every module the CLI loads (a module hook logs them: bench/profile/module-log.mjs), by package.
// 4. The cost of importing each package alone into a fresh node (RSS and V8 heap after a GC).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bareProxy, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, nowUs, rss, sleep, start, stopAll } from '../harness.mjs';
import { load } from '../wrk.mjs';
import { chatBody, manyRoutes, oneRoute } from '../ai/config.mjs';
import { area } from './summarize.mjs';

const here = import.meta.dirname;
const root = join(here, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'aigw-mem-'));
const routes = arg('routes', 1);
const seconds = arg('duration', 5);
const mb = (x) => `${(x / 1048576).toFixed(1).padStart(6)} MiB`;

/** Resident KiB per kind of mapping, from /proc/<pid>/smaps. */
function smaps(pid) {
  const out = {};
  let kind = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      kind = !name ? 'anonymous (V8 heap pages, code, wasm, thread stacks)' : name === '[heap]' ? 'malloc heap ([heap])' : name.endsWith('/node') || name.endsWith('/nodejs') ? 'node binary' : name.includes('.node') ? `native addon ${name.split('/').pop()}` : name.startsWith('[') ? name : `shared library ${name.split('/').pop()}`;
      continue;
    }
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (m && kind) out[kind] = (out[kind] ?? 0) + Number(m[1]) * 1024;
  }
  return Object.entries(out).sort((a, b) => b[1] - a[1]);
}

async function references() {
  const idle = start('idle-node', process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("ready")'], { cpu: SERVER_CPU });
  await idle.waitFor(/ready/);
  const httpServer = start('http-node', process.execPath, ['-e', 'require("http").createServer((q, s) => s.end("ok")).listen(0, () => console.log("ready"))'], { cpu: SERVER_CPU });
  await httpServer.waitFor(/ready/);
  const m = await startMock({ cpu: LOAD_CPU });
  const bare = await bareProxy(`${m.url}/v1/chat/completions`, { cpu: SERVER_CPU, json: { model: 'gpt-4o', maxTokens: 512, authorization: 'Bearer bench-key' } });
  await sleep(1500);
  const r = {};
  for (const [k, p] of [['idle node', idle], ['node:http server', httpServer], ['bare proxy (node:http + undici Pool)', bare], ['aigw mock', m]]) {
    const maps = Object.fromEntries(smaps(p.pid));
    r[k] = { rss: rss(p.pid).rss, binary: (maps['node binary'] ?? 0) / 1048576, anonymous: (maps[Object.keys(maps).find((x) => x.startsWith('anonymous'))] ?? 0) / 1048576 };
  }
  await Promise.all([idle.stop(), httpServer.stop(), bare.stop()]);
  return { mock: m, rss: r };
}

/**
 * Two runs of `aigw serve` (one ai-proxy route): one with only the SIGUSR2 memory report preloaded
 * (RSS, mappings and V8's numbers 2 s after start, then again during 5 s of load), one with the
 * module log (a module hook runs a thread of its own, which would inflate the first run's RSS).
 */
async function aigw(mockUrl) {
  const file = routes > 1 ? configFile('many.yaml', manyRoutes(mockUrl, routes)) : configFile('one.yaml', oneRoute(mockUrl));
  const gw = await serve(file, { cpu: SERVER_CPU, node: ['--require', join(here, 'memory-report.cjs')] });
  const snapshot = async (after) => {
    const r = rss(gw.pid);
    const maps = smaps(gw.pid);
    process.kill(gw.pid, 'SIGUSR2');
    const v8 = JSON.parse((await gw.waitFor(/^MEMORY_REPORT /, 10_000, after)).line.slice('MEMORY_REPORT '.length));
    return { rss: r, maps, v8 };
  };
  await sleep(2000);
  const atStart = await snapshot(0);
  const target = routes > 1 ? { url: `${gw.url}/r/`, paths: routes } : { url: `${gw.url}/ai/chat` };
  const during = load({ ...target, body: chatBody, connections: 50, seconds });
  await sleep((seconds - 1) * 1000);
  const underLoad = await snapshot(nowUs());
  const r = await during;
  await gw.stop();
  const log = join(dir, 'modules.log');
  const traced = await serve(file, { cpu: SERVER_CPU, node: ['--require', join(here, 'memory-report.cjs'), '--import', join(here, 'module-log.mjs')], env: { ...process.env, AIGW_MODULE_LOG: log } });
  await sleep(1000);
  process.kill(traced.pid, 'SIGUSR2');
  const { commonjs } = JSON.parse((await traced.waitFor(/^MEMORY_REPORT /)).line.slice('MEMORY_REPORT '.length));
  await traced.stop();
  const esm = readFileSync(log, 'utf8').trim().split('\n').filter((u) => u.startsWith('file:'));
  const cjs = commonjs.filter((f) => f.startsWith('/')).map((f) => pathToFileURL(f).href);
  return { atStart, underLoad, rps: r.rps, modules: [...new Set([...esm, ...cjs])] };
}

function printSnapshot(title, x) {
  console.log(`\n## ${title}: RSS ${x.rss.rss.toFixed(1)} MiB (peak ${x.rss.peak.toFixed(1)} MiB)`);
  console.log('mappings (resident):');
  for (const [k, v] of x.maps.slice(0, 6)) console.log(`  ${mb(v)}  ${k}`);
  const u = x.v8.usage;
  console.log(`V8: heapTotal ${mb(u.heapTotal)}, heapUsed ${mb(u.heapUsed)}, external ${mb(u.external)} (arrayBuffers ${mb(u.arrayBuffers)})`);
  for (const s of x.v8.spaces.filter((s) => s.space_size > 0)) console.log(`  ${s.space_name.padEnd(24)} size ${mb(s.space_size)}  used ${mb(s.space_used_size)}`);
  console.log(`  code+metadata ${mb(x.v8.code.code_and_metadata_size)}, bytecode+metadata ${mb(x.v8.code.bytecode_and_metadata_size)}, V8 malloced ${mb(x.v8.heap.malloced_memory)}`);
}

function byPackage(modules) {
  const out = new Map();
  for (const u of modules) {
    const a = area(u);
    const k = a.startsWith('aigw ') ? `aigw ${dirname(a.slice(5))}` : a;
    const f = fileURLToPath(u);
    const e = out.get(k) ?? { files: 0, bytes: 0 };
    e.files++;
    e.bytes += existsSync(f) ? statSync(f).size : 0;
    out.set(k, e);
  }
  return [...out].sort((a, b) => b[1].bytes - a[1].bytes);
}

/**
 * Import the packages one after the other into one fresh node, measuring after each (after a
 * full GC): what each adds to RSS, the V8 heap and external memory. RSS deltas of separate
 * processes would not add up (the first import of anything grows V8's spaces); these do.
 */
function importCosts(specs) {
  const code = `const m = () => { gc(); gc(); const u = process.memoryUsage(); return [u.rss, u.heapUsed, u.external + u.arrayBuffers]; };
const out = []; let a = m();
for (const s of ${JSON.stringify(specs)}) {
  try { await import(s); } catch (e) { out.push({ spec: s, error: String(e.message).split('\\n')[0] }); continue; }
  await new Promise((r) => setTimeout(r, 100)); const b = m();
  out.push({ spec: s, rss: b[0] - a[0], heap: b[1] - a[1], external: b[2] - a[2] }); a = b;
}
out.push({ spec: 'total RSS', rss: a[0], heap: a[1], external: a[2] });
console.log(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim());
}

try {
  const ref = await references();
  const a = await aigw(ref.mock.url);
  console.log('## RSS of reference processes, 1.5 s after start');
  for (const [k, v] of Object.entries(ref.rss)) console.log(`  ${v.rss.toFixed(1).padStart(6)} MiB  ${k} (node binary ${v.binary.toFixed(1)} MiB, anonymous ${v.anonymous.toFixed(1)} MiB)`);
  printSnapshot(`aigw serve, ${routes} ai-proxy route(s), 2 s after start`, a.atStart);
  printSnapshot(`the same process after ${seconds - 1} s of wrk at 50 connections (${Math.round(a.rps)} req/s)`, a.underLoad);
  const pk = byPackage(a.modules);
  console.log(`\n## modules loaded by \`aigw serve\`: ${a.modules.length} files`);
  for (const [k, e] of pk.slice(0, 30)) console.log(`  ${String(e.files).padStart(4)} files ${(e.bytes / 1024).toFixed(0).padStart(6)} KiB  ${k}`);
  console.log('\n## importing the packages one after the other into one fresh node (added RSS / V8 heap / external, after a full GC)');
  const pkgs = pk.map(([k]) => k).filter((k) => !k.startsWith('aigw') && !k.startsWith('node') && !k.startsWith('(') && !k.startsWith('/'));
  const validators = readdirSync(join(root, 'dist')).find((f) => /validators.*\.cjs$/.test(f));
  const specs = [...pkgs.filter((p) => !['@ioredis/commands', 'fast-uri', 'json-schema-traverse', 'debug', 'denque', 'cluster-key-slot', 'standard-as-callback', 'redis-errors', 'redis-parser', 'lodash.defaults', 'lodash.isarguments', 'fast-deep-equal', 'require-from-string', 'bindings', 'file-uri-to-path', 'tdigest', 'bintrees'].includes(p)), ...(validators ? [join(root, 'dist', validators)] : [])];
  for (const c of importCosts(specs)) {
    const name = c.spec.startsWith('/') ? `dist/${validators}` : c.spec;
    console.log(c.error ? `  (cannot import ${name}: ${c.error})` : `  ${mb(c.rss)} RSS ${mb(c.heap)} heap ${mb(c.external)} external  ${name}`);
  }
} finally {
  await stopAll();
}
