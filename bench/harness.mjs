// Shared pieces of the benchmarks: child processes that print one line when ready, and load runs
// that wait for the load generator to exit (so one run's teardown never taxes the next).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Start `node <dir>/<script> ...args` with stdout piped. */
export function child(dir, script, args = [], env = process.env) {
  return spawn(process.execPath, [join(dir, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
}

/** The first line the process prints (its port, or its JSON result). */
export async function firstLine(p) {
  let out = '';
  for await (const chunk of p.stdout) {
    out += chunk;
    if (out.includes('\n')) return out.split('\n')[0];
  }
  throw new Error('child exited without output');
}

/** Run a load generator to completion, then let the machine settle; returns its JSON result. */
export async function runLoad(p) {
  const exited = new Promise((r) => p.once('exit', r));
  const result = JSON.parse(await firstLine(p));
  await exited;
  await new Promise((r) => setTimeout(r, 300));
  return result;
}
