// V8's optimizing compiler is paused while a reload's sliced work runs (time-slices.ts): that work is
// hot once per reload, and its TurboFan compiles took the proxy's core (issue 10, reload p99). The
// pause must always end — a pause that leaked would leave the proxy on unoptimized code for good —
// and must really stop V8 from optimizing, then let it optimize again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { optimizerPauses, pauseOptimizerFor, runInSlices, type Steps } from '../../../src/gateway/time-slices.js';

function* counting(n: number, fail = false): Steps<number> {
  for (let i = 0; i < n; i++) yield;
  if (fail) throw new Error('step failed');
  return n;
}

describe('the optimizer pause of sliced work', () => {
  afterEach(() => vi.useRealTimers());

  it('lasts while sliced computations run, counted, and ends with the last', async () => {
    expect(optimizerPauses()).toBe(0);
    const a = runInSlices(counting(50_000), 1);
    const b = runInSlices(counting(10), 1);
    expect(optimizerPauses()).toBe(2);
    expect(await b).toBe(10);
    expect(optimizerPauses()).toBe(1);
    expect(await a).toBe(50_000);
    expect(optimizerPauses()).toBe(0);
  });

  it('ends when a step throws', async () => {
    await expect(runInSlices(counting(1_000, true), 1)).rejects.toThrow('step failed');
    expect(optimizerPauses()).toBe(0);
  });

  it('a lease ends by itself, and a new call extends it rather than stacking', () => {
    vi.useFakeTimers();
    pauseOptimizerFor(500);
    pauseOptimizerFor(500);
    expect(optimizerPauses()).toBe(1);
    vi.advanceTimersByTime(400);
    pauseOptimizerFor(500);
    vi.advanceTimersByTime(400);
    expect(optimizerPauses()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(optimizerPauses()).toBe(0);
  });

  // the built module (npm test builds before it runs the tests)
  const built = join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'gateway', 'time-slices.js');
  it('V8 does not optimize a function made hot inside the slices, and optimizes it once they end', () => {
    expect(existsSync(built), `${built} (run npm run build)`).toBe(true);
    // the built module in a node of its own, with V8's optimization trace
    const script = `
      const { runInSlices } = await import(${JSON.stringify(built)});
      function work(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * 3; return s; }
      const arr = Array.from({ length: 100 }, (_, i) => i);
      function* steps() { for (let i = 0; i < 100000; i++) { work(arr); if (i % 1000 === 0) yield; } }
      await runInSlices(steps());
      console.log('SLICES-DONE');
      for (let i = 0; i < 1000000; i++) work(arr);
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 100000; i++) work(arr);
      console.log('AFTER-DONE');`;
    const out = execFileSync(process.execPath, ['--trace-opt', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const lines = out.split('\n');
    const during = lines.slice(0, lines.indexOf('SLICES-DONE'));
    const after = lines.slice(lines.indexOf('SLICES-DONE'));
    expect(during.filter((l) => /JSFunction work .*for optimization/.test(l))).toEqual([]);
    expect(after.some((l) => /completed optimizing .*JSFunction work /.test(l)), after.join('\n')).toBe(true);
  });
});
