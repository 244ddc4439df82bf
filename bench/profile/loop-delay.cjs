// Preloaded into aigw (`node --require`): samples the event-loop delay (perf_hooks
// monitorEventLoopDelay, 1 ms resolution). On SIGUSR2 prints one line
// "LOOP_DELAY {max, p99, p50, mean}" (ms, since the previous report) on stderr and starts over.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const report = { max: ms(h.max), p99: ms(h.percentile(99)), p50: ms(h.percentile(50)), mean: ms(h.mean) };
  h.reset();
  process.stderr.write(`LOOP_DELAY ${JSON.stringify(report)}\n`);
});
