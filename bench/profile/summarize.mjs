// Summaries of V8 profiles written by `node --cpu-prof` / `--heap-prof`:
//   node bench/profile/summarize.mjs <file.cpuprofile> [fromUs toUs]   top functions by self time
//   node bench/profile/summarize.mjs <file.heapprofile>               live sampled heap by module
// A time window (CLOCK_MONOTONIC µs, as V8's profile timestamps on Linux) restricts a CPU profile
// to the samples taken in it.
import { readFileSync } from 'node:fs';

/** Where a function lives: node internals, a package, a file of aigw's dist, or V8 itself. */
export function area(url) {
  if (!url) return '(v8 / native)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const dist = /\/dist\/(.*)$/.exec(url);
  if (dist) return `aigw ${dist[1]}`;
  return url.replace(/^file:\/\//, '');
}

/** Self and total sample counts per function (and per area) of a CPU profile, in a time window. */
export function cpuSummary(profile, from = -Infinity, to = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t >= to) continue;
    total++;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + 1);
  }
  const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${area(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const fnSelf = new Map();
  const fnTotal = new Map();
  const areaSelf = new Map();
  for (const [id, count] of self) {
    const n = byId.get(id);
    fnSelf.set(key(n), (fnSelf.get(key(n)) ?? 0) + count);
    const a = ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName) ? n.callFrame.functionName : area(n.callFrame.url);
    areaSelf.set(a, (areaSelf.get(a) ?? 0) + count);
    // inclusive: once per distinct function on the stack
    const seen = new Set();
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const k = key(byId.get(p));
      if (seen.has(k)) continue;
      seen.add(k);
      fnTotal.set(k, (fnTotal.get(k) ?? 0) + count);
    }
  }
  const idle = fnSelf.get(`(idle) ${area('')}`) ?? 0;
  const busy = total - idle;
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, idle, busy, interval: total ? ((Math.min(to, t) - Math.max(from, profile.startTime)) / total) : 0, self: sorted(fnSelf), inclusive: sorted(fnTotal), areas: sorted(areaSelf) };
}

/**
 * Long tasks: runs of consecutive samples whose outermost aigw function is the same (GC and
 * "(program)" samples count for the task they interrupt), with no idle sample between them. Under load, requests are short; a run that lasts long is code that held
 * the event loop that long (an upper bound: two tasks of the same function back to back merge).
 */
export function longTasks(profile, from = -Infinity, to = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = new Map();
  const labelOf = (id) => {
    if (label.has(id)) return label.get(id);
    let out = null;
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p).callFrame;
      if (f.url.includes('/dist/')) out = `${f.functionName || '(anonymous)'} ${area(f.url)}:${f.lineNumber + 1}`;
    }
    const fn = byId.get(id).callFrame.functionName;
    if (fn === '(idle)') out = '(idle)';
    label.set(id, out ?? '(no aigw frame)');
    return label.get(id);
  };
  const runs = [];
  let cur = null;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i];
    t += dt;
    if (t < from || t >= to) continue;
    let l = labelOf(profile.samples[i]);
    // GC and V8's own work inside a task belong to that task
    const fn = byId.get(profile.samples[i]).callFrame.functionName;
    if (cur && (fn === '(garbage collector)' || fn === '(program)')) l = cur.label;
    if (cur && cur.label === l) {
      cur.end = t;
      cur.samples++;
      const leaf = byId.get(profile.samples[i]).callFrame;
      const k = `${leaf.functionName || '(anonymous)'} ${area(leaf.url)}`;
      cur.leaves.set(k, (cur.leaves.get(k) ?? 0) + 1);
    } else {
      cur = { label: l, start: t, end: t, samples: 1, leaves: new Map() };
      runs.push(cur);
    }
  }
  return runs
    .filter((r) => r.label !== '(idle)')
    .map((r) => ({ ...r, ms: (r.end - r.start) / 1000, leaves: [...r.leaves].sort((a, b) => b[1] - a[1]).slice(0, 6) }))
    .sort((a, b) => b.ms - a.ms);
}

/** Live sampled bytes of a heap profile by module area, and the top allocation sites. */
export function heapSummary(profile) {
  const areas = new Map();
  const sites = new Map();
  let total = 0;
  const walk = (n, stack) => {
    const fr = n.callFrame;
    const here = [...stack, fr];
    if (n.selfSize) {
      total += n.selfSize;
      // charge the allocation to the innermost frame that is not node's module loader
      const owner = [...here].reverse().find((f) => f.url && !f.url.startsWith('node:')) ?? fr;
      const a = area(owner.url);
      areas.set(a, (areas.get(a) ?? 0) + n.selfSize);
      const k = `${owner.functionName || '(anonymous)'} ${area(owner.url)}:${owner.lineNumber + 1}`;
      sites.set(k, (sites.get(k) ?? 0) + n.selfSize);
    }
    for (const c of n.children ?? []) walk(c, here);
  };
  walk(profile.head, []);
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, areas: sorted(areas), sites: sorted(sites) };
}

function printCpu(s, top = 30) {
  const pct = (c) => `${((100 * c) / Math.max(1, s.busy)).toFixed(1).padStart(5)} %`;
  console.log(`${s.total} samples (~${s.interval.toFixed(0)} µs each), busy ${s.busy} (${((100 * s.busy) / Math.max(1, s.total)).toFixed(0)} %); percentages of busy samples`);
  console.log('\nself time by area:');
  for (const [k, c] of s.areas.slice(0, 20)) console.log(`  ${pct(c)}  ${k}`);
  console.log('\nself time by function:');
  for (const [k, c] of s.self.filter(([k]) => !k.startsWith('(idle)')).slice(0, top)) console.log(`  ${pct(c)}  ${k}`);
  console.log('\ninclusive time (aigw and package functions):');
  for (const [k, c] of s.inclusive.filter(([k]) => / aigw | node_modules|^[^ ]+ (undici|prom-client|yaml|ajv)/.test(` ${k}`)).slice(0, top)) console.log(`  ${pct(c)}  ${k}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, from, to] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  if (file.endsWith('.heapprofile')) {
    const s = heapSummary(profile);
    console.log(`${(s.total / 1048576).toFixed(1)} MiB live in sampled allocations`);
    for (const [k, b] of s.areas.slice(0, 25)) console.log(`  ${(b / 1048576).toFixed(2).padStart(6)} MiB  ${k}`);
    console.log('\ntop allocation sites:');
    for (const [k, b] of s.sites.slice(0, 25)) console.log(`  ${(b / 1048576).toFixed(2).padStart(6)} MiB  ${k}`);
  } else {
    printCpu(cpuSummary(profile, from ? Number(from) : -Infinity, to ? Number(to) : Infinity));
  }
}
