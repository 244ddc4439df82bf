// The long tasks of a V8 CPU profile (`node --cpu-prof`): stretches of consecutive samples that are
// not "(idle)" (the event loop waiting) lasting more than --min ms, each with the functions that
// took its time (self time, top 6) and the outermost application frame of its longest stack. A
// stretch is one task or several back to back (a busy loop shows as one stretch: compare with
// loop-delay.cjs). "(garbage collector)" is V8's GC on this thread.
//   node bench/profile/long-tasks.mjs CPU.….cpuprofile [--min 5] [--from ms] [--to ms]
import { readFileSync } from 'node:fs';
import { arg } from '../harness.mjs';

const file = process.argv[2];
const min = Number(arg('min', 5));
const from = Number(arg('from', 0));
const to = Number(arg('to', Infinity));
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, '')}:${n.callFrame.lineNumber + 1}`;
const outer = (id) => {
  // the outermost frame below the event loop's own (processTicksAndRejections, processImmediate, …) from dist/
  let best = null;
  for (let x = id; x !== undefined; x = parent.get(x)) if (byId.get(x).callFrame.url.includes('/dist/')) best = x;
  return best === null ? null : name(byId.get(best));
};

let t = prof.startTime;
const tasks = [];
let cur = null;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i];
  const n = byId.get(prof.samples[i]);
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const idle = n.callFrame.functionName === '(idle)';
  if (idle) {
    if (cur !== null) tasks.push(cur);
    cur = null;
    continue;
  }
  cur ??= { at: (t - prof.startTime) / 1000, ms: 0, self: new Map(), outer: new Map() };
  cur.ms += dt;
  cur.self.set(name(n), (cur.self.get(name(n)) ?? 0) + dt);
  const o = outer(n.id);
  if (o !== null) cur.outer.set(o, (cur.outer.get(o) ?? 0) + dt);
}
if (cur !== null) tasks.push(cur);
const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f, ms]) => `${ms.toFixed(1).padStart(6)} ${f}`);
const long = tasks.filter((x) => x.ms >= min && x.at >= from && x.at <= to);
for (const x of long) {
  console.log(`at ${x.at.toFixed(0)} ms: ${x.ms.toFixed(1)} ms`);
  for (const l of top(x.self, 6)) console.log(`   self ${l}`);
  for (const l of top(x.outer, 3)) console.log(`   from ${l}`);
}
const hist = {};
for (const x of tasks.filter((y) => y.at >= from && y.at <= to)) {
  const b = x.ms >= 50 ? '50+' : x.ms >= 20 ? '20-50' : x.ms >= 10 ? '10-20' : x.ms >= 5 ? '5-10' : x.ms >= 2 ? '2-5' : null;
  if (b !== null) hist[b] = (hist[b] ?? 0) + 1;
}
console.log('stretches by length (ms):', JSON.stringify(hist));
