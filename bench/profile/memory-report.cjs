// Preloaded into a profiled process (`node --require`): on SIGUSR2 prints one line
// "MEMORY_REPORT {usage, heap, code, spaces, commonjs[, snapshot]}" on stderr (V8's view of the
// process's memory).
const v8 = require('node:v8');

process.on('SIGUSR2', () => {
  const report = {
    usage: process.memoryUsage(),
    heap: v8.getHeapStatistics(),
    code: v8.getHeapCodeStatistics(),
    spaces: v8.getHeapSpaceStatistics(),
    commonjs: Object.keys(require.cache), // CommonJS modules (module hooks do not see require())
  };
  // AIGW_HEAP_SNAPSHOT=<dir>: also write a heap snapshot there (bench/profile/heap-diff.mjs reads it)
  if (process.env.AIGW_HEAP_SNAPSHOT) report.snapshot = v8.writeHeapSnapshot(`${process.env.AIGW_HEAP_SNAPSHOT}/aigw-${process.pid}-${Date.now()}.heapsnapshot`);
  process.stderr.write(`MEMORY_REPORT ${JSON.stringify(report)}\n`);
});
