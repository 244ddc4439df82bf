// What `aigw serve` does second by second around a reload of a generated N-entity configuration
// (default 5,000) under the open-loop probe: per window of `--step` ms the CPU time of each thread
// (main, configuration thread, the rest: V8's GC helpers and libuv, from /proc/<pid>/task/*/stat),
// the longest event-loop stall, the stalls over 10 ms, and the GC pauses by kind (loop-delay.cjs).
// Names what the stalls in the windows without a reload are (GC of the main heap, the
// configuration thread or V8's helpers taking the CPU, or neither: the machine).
//   npm run build && node bench/profile/reload-timeline.mjs [--entities 5000] [--rate 300] [--seconds 24] [--at 3] [--step 1000] [--kind post|file] [--cli other/dist/bin/aigw.js] [--threads]
// --node "<flags>": node/V8 flags for the gateway process (A/B of GC settings).
// --cold: the measured reload is the gateway's first (its configuration process starts for it); --preload N: N s of wrk at 50
// connections first (both as in bench/issue10's first reload, which follows its calibration).
// --count-lines <regex>: per window, the gateway's output lines that match (e.g. with --node "--trace-opt --trace-deopt").
// --renice-others N (experiment): every thread but main and the configuration thread (V8's helpers, libuv) at nice N.
// --slices: the longest slices of sliced work and the longest stalls of each window that had slices (stderr)
// The configuration work runs in a child process since branch-less commit "configuration process" (config/thread/off-thread.ts):
// its CPU (every thread of every descendant process) is the "config" column.
// --threads: also each thread's CPU ms (tid:ms, nice ≠ 0 marked n; with --renice-others, run without `nice`) in every window
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { stringify } from 'yaml';
import { CLI, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, descendants, threadsOf, nowUs, sleep, stopAll } from '../harness.mjs';
import { load, probe, window } from '../wrk.mjs';
import { chatBody } from '../ai/config.mjs';
import { bigState } from './reload-delay.mjs';

const n = arg('entities', 5000);
const rate = arg('rate', 300);
const seconds = arg('seconds', 24);
const reloadAt = arg('at', 3);
const step = arg('step', 1000);
const kind = arg('kind', 'post');
const cli = arg('cli', CLI);
const perThread = process.argv.includes('--threads');
const showSlices = process.argv.includes('--slices');
const nodeFlags = String(arg('node', '')).split(' ').filter(Boolean); // --node "--flag …": V8/node flags for the gateway
const countLines = arg('count-lines', null); // a regex: how many of the gateway's output lines match it, per window (with --node "--trace-opt --trace-deopt")
const counting = countLines === null ? null : new RegExp(countLines);
const cold = process.argv.includes('--cold'); // --cold: the measured reload is the gateway's first (the configuration process starts for it), as bench/issue10's first
const preload = arg('preload', 0); // --preload N: N s of closed-loop load (wrk, 50 connections) before the probe, as bench/issue10's calibration
const reniceOthers = arg('renice-others', null); // experiment: every thread but the main thread and the configuration thread at this nice value


const mock = await startMock({ cpu: LOAD_CPU });
try {
  const yaml = [bigState(mock.url, 'a', n), bigState(mock.url, 'b', n)].map((s) => stringify(s, { lineWidth: 0 }));
  const file = configFile(`timeline-${n}.yaml`, yaml[0]);
  const gw = await serve(file, { cpu: SERVER_CPU, admin: true, watch: true, cli, node: [...nodeFlags, '--require', join(import.meta.dirname, 'loop-delay.cjs')] });
  const pid = gw.proc.pid;
  const url = `${gw.url}/ai/chat`;
  const delay = async () => {
    const at = nowUs();
    gw.proc.kill('SIGUSR2');
    const line = (await gw.waitFor(/LOOP_DELAY/, 5000, at)).line;
    return JSON.parse(line.slice(line.indexOf('{')));
  };
  // one reload first, so the configuration thread exists and holds the entities (as in bench/issue10)
  const reload = async (i) => {
    if (kind === 'file') {
      const at = nowUs();
      writeFileSync(`${file}.tmp`, yaml[i % 2]);
      renameSync(`${file}.tmp`, file);
      await gw.waitFor(/configuration reloaded|rejected/, 120_000, at);
    } else {
      const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: yaml[i % 2] });
      await res.arrayBuffer();
    }
  };
  if (!cold) {
    await reload(1);
    await sleep(3000);
  }
  if (preload > 0) await load({ url: `${gw.url}/ai/chat`, body: chatBody, connections: 50, seconds: preload });
  const started = threadsOf(pid);
  // the configuration thread: lowers its own priority (nice 5 before branch reloadp99, 19 since)
  const configThread = new Set([...started].filter(([, x]) => x.nice > started.get(pid).nice).map(([tid]) => tid));
  if (reniceOthers !== null) for (const tid of started.keys()) if (tid !== pid && !configThread.has(tid)) setPriority(tid, Number(reniceOthers));
  const intervalUs = Math.round((32 * 1e6) / rate);
  const probing = probe({ url, body: chatBody, connections: 32, intervalUs, seconds });
  await sleep(500);
  await delay();
  const t0 = nowUs();
  // the gateway's threads and those of its configuration process (a child since the configuration process change)
  const tree = () => {
    const m = threadsOf(pid);
    for (const k of descendants(pid)) {
      try {
        for (const [tid, x] of threadsOf(k)) m.set(tid, { ...x, child: true });
      } catch {
        // ended
      }
    }
    return m;
  };
  let prev = tree();
  const rows = [];
  let reloaded = null;
  let done = null;
  for (let t = step; t <= (seconds - 1) * 1000; t += step) {
    if (reloaded === null && t > reloadAt * 1000) reloaded = reload(cold ? 1 : 2).then(() => (done = nowUs()));
    await sleep(t - (nowUs() - t0) / 1000);
    const now = tree();
    const d = await delay();
    const cpu = { main: 0, thread: 0, other: 0, mainWait: Math.round(now.get(pid).waitMs - prev.get(pid).waitMs) };
    const each = [];
    for (const [tid, x] of now) {
      const used = x.ms - (prev.get(tid)?.ms ?? 0);
      if (used > 0) each.push(`${tid}${x.child ? 'c' : ''}${x.nice !== 0 ? 'n' : ''}:${used}`);
      if (tid === pid) cpu.main += used;
      else if (x.child || !started.has(tid) || configThread.has(tid)) cpu.thread += used;
      else cpu.other += used;
    }
    prev = now;
    rows.push({ t: t / 1000, ...cpu, max: d.max, over10: (d.stalls['10-20'] ?? 0) + (d.stalls['20-50'] ?? 0) + (d.stalls['50+'] ?? 0), gc: d.gc, slices: d.slices.length, each });
    if (showSlices && d.slices.length) console.error(`${(t / 1000).toFixed(1)} s: longest slices ${d.slices.join(' ')}; longest stalls ${d.top.join(' ')} ms`);
  }
  const r = await probing;
  if (counting !== null) for (const l of gw.lines) if (l.at > t0 && counting.test(l.line)) console.error(`${((l.at - t0) / 1e6).toFixed(2)} ${l.line.slice(0, 220)}`);
  await reloaded;
  console.log(`${cli}: ${n} entities, probe ${rate} req/s, ${kind} reload at ${reloadAt} s, done at ${((done - t0) / 1e6).toFixed(1)} s`);
  console.log('t s | CPU ms main / config thread / other | main thread runnable but waiting ms | longest stall ms | stalls > 10 ms | p99 of requests due | GC pauses > 2 ms (kind: n/max ms; 1 minor, 4 major, 8 incremental) | slices');
  for (const x of rows) {
    const w = window(r.samples, t0 + (x.t * 1000 - step) * 1000, t0 + x.t * 1e6);
    const counted = counting === null ? '' : ` | ${gw.lines.filter((l) => l.at > t0 + (x.t * 1000 - step) * 1000 && l.at <= t0 + x.t * 1e6 && counting.test(l.line)).length} lines`;
    console.log(`${x.t.toFixed(1).padStart(4)} | ${x.main} / ${x.thread} / ${x.other} | ${x.mainWait} | ${x.max} | ${x.over10} | ${(w.p99 / 1000).toFixed(1)} | ${Object.entries(x.gc).map(([k, g]) => `${k}: ${g.n}/${g.max}`).join(', ')} | ${x.slices}${perThread ? ` | ${x.each.join(' ')}` : ''}${counted}`);
  }
  // the reload's span (trigger .. done + 1 s) against the last 8 s (no reload)
  const span = rows.filter((x) => x.t > reloadAt && x.t <= Math.ceil((done - t0) / 1e6) + 1);
  const quiet = rows.slice(-8);
  const sum = (xs) => ({ p99: window(r.samples, t0 + (xs[0].t * 1000 - step) * 1000, t0 + xs.at(-1).t * 1e6).p99 / 1000, over10: xs.reduce((a, x) => a + x.over10, 0), max: Math.max(...xs.map((x) => x.max)), other: xs.reduce((a, x) => a + x.other, 0) / xs.length, wait: xs.reduce((a, x) => a + x.mainWait, 0) / xs.length });
  const a = sum(span);
  const b = sum(quiet);
  console.log(`SUMMARY reload span ${span[0].t - 1}–${span.at(-1).t} s: p99 ${a.p99.toFixed(1)} ms, stalls > 10 ms ${a.over10}, longest ${a.max} ms, other threads ${a.other.toFixed(0)} ms/s, main waiting ${a.wait.toFixed(0)} ms/s | last 8 s: p99 ${b.p99.toFixed(1)} ms, stalls > 10 ms ${b.over10}, longest ${b.max} ms, other ${b.other.toFixed(0)} ms/s, main waiting ${b.wait.toFixed(0)} ms/s`);
  await gw.stop();
} finally {
  await stopAll();
}
