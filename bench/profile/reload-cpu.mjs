// CPU time of `aigw serve` reloads of a generated N-entity configuration (default 5,000), per
// thread (from /proc/<pid>/task/*/stat): the main thread, the configuration thread, and the rest
// (V8's GC helpers, libuv); with the longest event-loop stall of each reload (loop-delay.cjs).
// No load: CPU time is what a reload costs whatever else the machine does.
//   npm run build && node bench/profile/reload-cpu.mjs [--entities 5000] [--rounds 4] [--cli other/dist/bin/aigw.js]
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLI, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, threadsOf, median, nowUs, sleep, stopAll } from '../harness.mjs';
import { bigState, stallDuring } from './reload-delay.mjs';

const n = arg('entities', 5000);
const rounds = arg('rounds', 4);
const cli = arg('cli', CLI);

/**
 * CPU ms spent since `before`, split into the main thread, the configuration thread (every thread
 * that did not exist once the gateway was listening: node names all its threads "node") and the
 * threads of the start (V8's GC helpers, libuv's pool).
 */
function spent(pid, started, before, after) {
  const r = { main: 0, worker: 0, other: 0 };
  for (const [tid, t] of after) {
    const d = t.ms - (before.get(tid)?.ms ?? 0);
    if (tid === pid) r.main += d;
    else if (!started.has(tid)) r.worker += d;
    else r.other += d;
  }
  return r;
}

const mock = await startMock({ cpu: LOAD_CPU });
try {
  const states = [bigState(mock.url, 'a', n), bigState(mock.url, 'b', n)];
  const yaml = states.map((s) => stringify(s, { lineWidth: 0 }));
  const file = configFile(`cpu-${n}.yaml`, yaml[0]);
  const gw = await serve(file, { cpu: SERVER_CPU, admin: true, watch: true, cli, node: ['--require', join(import.meta.dirname, 'loop-delay.cjs')] });
  const pid = gw.proc.pid;
  await sleep(500);
  const started = threadsOf(pid);
  let k = 1;
  const rows = { file: [], post: [], same: [] };
  const measure = async (kind, trigger) => {
    await sleep(300);
    const before = threadsOf(pid);
    const r = await stallDuring(gw, trigger);
    await sleep(300);
    const cpu = spent(pid, started, before, threadsOf(pid));
    rows[kind].push({ ms: Math.round(r.ms), stall: r.delay.max, ...cpu });
  };
  const post = async (body) => {
    const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`POST /config: ${res.status}`);
    return {};
  };
  try {
    for (let i = 0; i < rounds; i++) {
      await measure('file', async () => {
        const at = nowUs();
        writeFileSync(`${file}.tmp`, yaml[k++ % 2]);
        renameSync(`${file}.tmp`, file);
        const done = await gw.waitFor(/configuration reloaded|configuration unchanged|rejected/, 60_000, at);
        if (/rejected/.test(done.line)) throw new Error(done.line);
        return {};
      });
      await measure('post', () => post(yaml[k++ % 2]));
      await measure('same', () => post(yaml[(k + 1) % 2]));
    }
  } finally {
    await gw.stop();
  }
  console.log(`${cli}: ${n} entities, CPU ms per reload (main / configuration thread / other threads), longest stall ms, time ms`);
  for (const [kind, xs] of Object.entries(rows)) {
    const m = (f) => median(xs.map(f));
    console.log(`${kind.padEnd(5)} main ${m((x) => x.main)} thread ${m((x) => x.worker)} other ${m((x) => x.other)} | stall ${m((x) => x.stall)} | ${m((x) => x.ms)} ms   rounds: ${xs.map((x) => `${x.main}/${x.worker}/${x.other}`).join(' ')}`);
  }
} finally {
  await stopAll();
}
