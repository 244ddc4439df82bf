// Preloaded into a profiled process (`node --require`): on SIGUSR2 prints one line
// "MEMORY_REPORT {usage, heap, code, spaces, commonjs, gc[, snapshot]}" on stderr (V8's view of the
// process's memory).
const v8 = require('node:v8');

// AIGW_REPORT_GC=1: a full GC before each report, so `usage.heapUsed` is the live heap
// (bench/memory/reload-growth.mjs; the GC changes what the process's RSS does afterwards)
let fullGc = null;
if (process.env.AIGW_REPORT_GC === '1') {
  v8.setFlagsFromString('--expose-gc');
  fullGc = require('node:vm').runInNewContext('gc');
}

process.on('SIGUSR2', () => {
  if (fullGc) fullGc();
  const report = {
    usage: process.memoryUsage(),
    heap: v8.getHeapStatistics(),
    code: v8.getHeapCodeStatistics(),
    spaces: v8.getHeapSpaceStatistics(),
    commonjs: Object.keys(require.cache), // CommonJS modules (module hooks do not see require())
    gc: fullGc !== null,
  };
  // AIGW_HEAP_SNAPSHOT=<dir>: also write a heap snapshot there (bench/profile/heap-diff.mjs reads it)
  if (process.env.AIGW_HEAP_SNAPSHOT) report.snapshot = v8.writeHeapSnapshot(`${process.env.AIGW_HEAP_SNAPSHOT}/aigw-${process.pid}-${Date.now()}.heapsnapshot`);
  process.stderr.write(`MEMORY_REPORT ${JSON.stringify(report)}\n`);
});
