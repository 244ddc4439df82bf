// Where the JS heap of a started `aigw serve` goes, and what each route adds: heap snapshots of
// an idle gateway with one ai-proxy route and with N (default 1,000), self sizes summed by kind of
// object (constructor / V8 type), and the difference divided by the extra routes.
//   node bench/profile/heap-diff.mjs [N]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, rss, sleep, stopAll } from '../harness.mjs';
import { manyRoutes, oneRoute } from '../ai/config.mjs';

const n = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'aigw-heap-'));

/** Self bytes per "type:name" of a .heapsnapshot (strings, closures, arrays, objects by constructor…). */
function bySelfSize(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [it, iname, isize] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
  const out = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + it]];
    const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + iname]] : '';
    const k = `${type}${name ? `:${name.slice(0, 60)}` : ''}`;
    const size = snap.nodes[i + isize];
    total += size;
    const e = out.get(k) ?? { bytes: 0, count: 0 };
    e.bytes += size;
    e.count++;
    out.set(k, e);
  }
  return { total, kinds: out };
}

async function snapshot(text) {
  const gw = await serve(configFile('heap.yaml', text), { cpu: SERVER_CPU, node: ['--require', join(import.meta.dirname, 'memory-report.cjs')], env: { ...process.env, AIGW_HEAP_SNAPSHOT: dir } });
  await sleep(2000);
  const r = rss(gw.pid);
  process.kill(gw.pid, 'SIGUSR2');
  const report = JSON.parse((await gw.waitFor(/^MEMORY_REPORT /, 120_000)).line.slice('MEMORY_REPORT '.length));
  await gw.stop();
  return { rss: r.rss, heapUsed: report.usage.heapUsed, ...bySelfSize(report.snapshot) };
}

const mb = (x) => `${(x / 1048576).toFixed(2).padStart(7)} MiB`;
try {
  const m = await startMock({ cpu: LOAD_CPU });
  const one = await snapshot(oneRoute(m.url));
  const many = await snapshot(manyRoutes(m.url, n));
  console.log(`1 route: RSS ${one.rss.toFixed(1)} MiB, heap in snapshot ${mb(one.total)}; ${n} routes: RSS ${many.rss.toFixed(1)} MiB, heap ${mb(many.total)}`);
  console.log(`per extra route: RSS ${(((many.rss - one.rss) * 1024) / (n - 1)).toFixed(1)} KiB, heap ${((many.total - one.total) / 1024 / (n - 1)).toFixed(1)} KiB`);
  console.log('\nlargest kinds with one route (self size):');
  for (const [k, e] of [...one.kinds].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 20)) console.log(`  ${mb(e.bytes)}  ${String(e.count).padStart(8)}×  ${k}`);
  console.log(`\nwhat ${n - 1} more routes add (self size, count):`);
  const diff = [...many.kinds].map(([k, e]) => [k, e.bytes - (one.kinds.get(k)?.bytes ?? 0), e.count - (one.kinds.get(k)?.count ?? 0)]);
  for (const [k, b, c] of diff.sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${mb(b)}  ${String(c).padStart(8)}×  ${(b / 1024 / (n - 1)).toFixed(2).padStart(6)} KiB/route  ${k}`);
} finally {
  await stopAll();
}
