// One `aigw diff` in a fresh process (cold: module loading and schema compilation included).
// Usage: node bench/sync/cold-diff.mjs <file> <kong-addr>; prints the wall time in ms.
const t0 = performance.now();
const { bufferIo } = await import('../../dist/src/cli/io.js');
const { command } = await import('../../dist/src/commands/diff.js');
const io = bufferIo({ cwd: process.cwd() });
const code = await command.run({ args: [process.argv[2]], opts: { kongAddr: process.argv[3], exitCode: true } }, io);
process.stdout.write(JSON.stringify({ code, ms: performance.now() - t0 }));
