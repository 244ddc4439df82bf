// Preloaded into aigw (`node --require`): samples the event-loop delay (perf_hooks
// monitorEventLoopDelay, 1 ms resolution). On SIGUSR2 prints one line
// "LOOP_DELAY {max, p99, p50, mean, gcMax}" (ms, since the previous report) on stderr and starts over.
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
let gcMax = 0; // longest GC pause (ms) since the previous report, and its kind (perf_hooks constants: 1 minor, 4 major, 8 incremental, 16 weak callbacks)
let gcKind = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.duration > gcMax) [gcMax, gcKind] = [e.duration, e.detail?.kind ?? 0];
}).observe({ type: 'gc' });
process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const report = { max: ms(h.max), p99: ms(h.percentile(99)), p50: ms(h.percentile(50)), mean: ms(h.mean), gcMax: Math.round(gcMax * 100) / 100, gcKind };
  h.reset();
  gcMax = 0;
  process.stderr.write(`LOOP_DELAY ${JSON.stringify(report)}\n`);
});
