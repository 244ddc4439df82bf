// Memory growth across reloads, measured so that a leak shows and the noise of a busy process
// does not decide: every reload is sampled at the same point (the `POST /config` answer — the new
// configuration is serving — plus a fixed settle time), and the growth is the least-squares line
// through all samples after a warm-up (not two medians of 10 samples: RSS moves in a band of
// ±25 MiB with the garbage a reload leaves and the two configurations alternating, and a line
// through 120 samples is ~10× steadier than the difference of two medians of 10).
// The heap series (diagnostic): the same reloads, each followed by a forced full GC in the gateway
// (bench/profile/memory-report.cjs preloaded, AIGW_REPORT_GC=1): the live JS heap, which grows
// only if something keeps what a reload replaced — the leak a target "no growth" is about.
import { join } from 'node:path';
import { nowUs, rss, sleep, summary, treeRss } from '../harness.mjs';

/** Preload for `serve(…, { node: HEAP_PROBE_NODE, env: HEAP_PROBE_ENV })`: heapAfterGc() can then ask the gateway. */
export const HEAP_PROBE_NODE = ['--require', join(import.meta.dirname, '..', 'profile', 'memory-report.cjs')];
export const HEAP_PROBE_ENV = { AIGW_REPORT_GC: '1' };

/**
 * Least-squares line through (i, ys[i]) for i ≥ from. `perStep` is the slope with its standard
 * error `se`; `sd` the residuals' standard deviation (the band); `over(k)` the fitted growth over
 * k steps (the target's "growth over 150 reloads").
 */
export function trend(ys, from = 0) {
  const pts = ys.slice(from);
  const n = pts.length;
  if (n < 3) throw new Error(`a trend needs at least 3 samples, got ${n}`);
  const mx = (n - 1) / 2;
  const my = pts.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - mx) ** 2;
    sxy += (i - mx) * (pts[i] - my);
  }
  const perStep = sxy / sxx;
  let rss2 = 0;
  for (let i = 0; i < n; i++) rss2 += (pts[i] - (my + perStep * (i - mx))) ** 2;
  const sd = Math.sqrt(rss2 / (n - 2));
  return { n, from, perStep, se: sd / Math.sqrt(sxx), sd, min: Math.min(...pts), max: Math.max(...pts), over: (k) => perStep * k };
}

/** The gateway's live JS heap in MiB after a full GC (needs HEAP_PROBE_NODE and HEAP_PROBE_ENV). */
export async function heapAfterGc(gw) {
  const at = nowUs();
  process.kill(gw.pid, 'SIGUSR2');
  const line = (await gw.waitFor(/^MEMORY_REPORT /, 60_000, at)).line;
  const report = JSON.parse(line.slice('MEMORY_REPORT '.length));
  if (report.gc !== true) throw new Error('the gateway did not run a full GC before its memory report: start it with HEAP_PROBE_ENV');
  return report.usage.heapUsed / 1048576;
}

/**
 * `count` × `POST /config` (texts alternating, starting with texts[1]); after each answer
 * `settleMs`, then RSS (MiB) of the gateway and of the gateway with its configuration process
 * (`treeMiB`), and, with `heap`, the heap after a forced full GC (MiB).
 */
export async function reloadSeries(gw, texts, { count, settleMs = 300, heap = false, log = () => {} }) {
  const rssMiB = [];
  const treeMiB = [];
  const heapMiB = [];
  const postMs = [];
  for (let i = 1; i <= count; i++) {
    const t0 = performance.now();
    const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: texts[i % texts.length] });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`POST /config answered ${res.status}`);
    postMs.push(performance.now() - t0);
    await sleep(settleMs);
    rssMiB.push(rss(gw.pid).rss);
    treeMiB.push(treeRss(gw.pid));
    if (heap) heapMiB.push(await heapAfterGc(gw));
    if (i % 25 === 0) log(`reload ${i}/${count}: RSS ${rssMiB.at(-1).toFixed(1)} MiB (${treeMiB.at(-1).toFixed(1)} MiB with the configuration process)${heap ? `, heap after GC ${heapMiB.at(-1).toFixed(2)} MiB` : ''}`);
  }
  return { rssMiB, treeMiB, heapMiB, postMs: summary(postMs) };
}

/** Samples before this are the warm-up (caches, code and the pools reaching their working size). */
export const warmUp = (count) => Math.min(30, Math.floor(count / 5));

const sign = (x, d = 1) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;

/** "+1.2 MiB (± 2.3) over 150 reloads; band 290.1 – 345.0 MiB, residual SD 12.0 MiB" */
export function describeTrend(t, count, d = 1) {
  return `${sign(t.over(count), d)} MiB (± ${(2 * t.se * count).toFixed(d)}) over ${count} reloads, fitted to reloads ${t.from + 1}–${t.from + t.n}; samples ${t.min.toFixed(d)} – ${t.max.toFixed(d)} MiB, residual SD ${t.sd.toFixed(d)} MiB`;
}
