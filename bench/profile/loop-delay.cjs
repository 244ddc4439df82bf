// Preloaded into aigw (`node --require`): samples the event-loop delay (perf_hooks
// monitorEventLoopDelay, 1 ms resolution). On SIGUSR2 prints one line
// "LOOP_DELAY {max, p99, p50, mean, gcMax, gcKind, stalls, top, gc}" (ms, since the previous report)
// on stderr and starts over.
//  - stalls: how many stalls of each length (a 1 ms timer chain: a stall is a timer that fired
//    more than 2 ms late; buckets "2-5", "5-10", "10-20", "20-50", "50+" in ms);
//  - top: the 8 longest stalls, ms;
//  - gc: GC pauses longer than 2 ms by kind (perf_hooks constants: 1 minor, 4 major, 8 incremental,
//    16 weak callbacks): count and longest.
//  - slices: the 8 longest slices of aigw's sliced work (gateway/time-slices.ts, diagnostics_channel
//    "aigw:slice"): "ms/steps@caller"; a slice far over its 5 ms budget is one long step.
// LOOP_DELAY_TASKS=1 also times every callback the event loop runs (async_hooks before/after; slows
// the process) and adds "tasks": the 12 longest with their resource type (MESSAGEPORT: a message
// from the configuration thread, Immediate: a slice of a sliced build, HTTPINCOMINGMESSAGE…).
const { monitorEventLoopDelay, PerformanceObserver, performance } = require('node:perf_hooks');

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const BUCKETS = [[2, '2-5'], [5, '5-10'], [10, '10-20'], [20, '20-50'], [50, '50+']];
let stalls = {};
let top = [];
let gcMax = 0; // longest GC pause (ms) since the previous report, and its kind
let gcKind = 0;
let gc = {};
const round = (x) => Math.round(x * 100) / 100;

const keepTop = (list, item, n) => {
  list.push(item);
  list.sort((a, b) => b.ms - a.ms);
  if (list.length > n) list.length = n;
};

let last = performance.now();
const tick = () => {
  const now = performance.now();
  const late = now - last - 1;
  last = now;
  if (late > 2) {
    const b = BUCKETS.filter(([lo]) => late >= lo).pop()[1];
    stalls[b] = (stalls[b] ?? 0) + 1;
    if (top.length < 8 || late > top[top.length - 1].ms) keepTop(top, { ms: round(late) }, 8);
  }
  setTimeout(tick, 1).unref();
};
setTimeout(tick, 1).unref();

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind ?? 0;
    if (e.duration > gcMax) [gcMax, gcKind] = [e.duration, kind];
    if (e.duration > 2) {
      const g = (gc[kind] ??= { n: 0, max: 0 });
      g.n++;
      g.max = Math.max(g.max, round(e.duration));
    }
  }
}).observe({ type: 'gc' });

let slices = [];
require('node:diagnostics_channel').subscribe('aigw:slice', (m) => {
  if (m.ms > 2 && (slices.length < 8 || m.ms > slices[slices.length - 1].ms)) keepTop(slices, { ms: round(m.ms), what: `${m.steps}@${m.caller.replace(/ \(.*\/(dist|src)\//, ' (')}` }, 8);
});

let tasks = null;
if (process.env.LOOP_DELAY_TASKS === '1') {
  const async = require('node:async_hooks');
  const types = new Map();
  const started = new Map();
  tasks = [];
  async.createHook({
    init(id, type) {
      if (type !== 'PROMISE') types.set(id, type);
    },
    before(id) {
      if (types.has(id)) started.set(id, performance.now());
    },
    after(id) {
      const t0 = started.get(id);
      if (t0 === undefined) return;
      started.delete(id);
      const ms = performance.now() - t0;
      if (ms > 2 && (tasks.length < 12 || ms > tasks[tasks.length - 1].ms)) keepTop(tasks, { ms: round(ms), type: types.get(id) }, 12);
    },
    destroy(id) {
      types.delete(id);
    },
  }).enable();
}

process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const report = { max: ms(h.max), p99: ms(h.percentile(99)), p50: ms(h.percentile(50)), mean: ms(h.mean), gcMax: round(gcMax), gcKind, stalls, top: top.map((t) => t.ms), gc, slices: slices.map((x) => `${x.ms}/${x.what}`) };
  slices = [];
  if (tasks !== null) {
    report.tasks = tasks.map((t) => `${t.ms}:${t.type}`);
    tasks.length = 0;
  }
  h.reset();
  gcMax = 0;
  stalls = {};
  top = [];
  gc = {};
  process.stderr.write(`LOOP_DELAY ${JSON.stringify(report)}\n`);
});
