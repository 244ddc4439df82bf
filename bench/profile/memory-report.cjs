// Preloaded into a profiled process (`node --require`): on SIGUSR2 prints one line
// "MEMORY_REPORT {usage, heap, code, spaces}" on stderr (V8's view of the process's memory).
const v8 = require('node:v8');

process.on('SIGUSR2', () => {
  const report = {
    usage: process.memoryUsage(),
    heap: v8.getHeapStatistics(),
    code: v8.getHeapCodeStatistics(),
    spaces: v8.getHeapSpaceStatistics(),
    commonjs: Object.keys(require.cache), // CommonJS modules (module hooks do not see require())
  };
  process.stderr.write(`MEMORY_REPORT ${JSON.stringify(report)}\n`);
});
