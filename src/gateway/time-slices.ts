/**
 * Run a generator-shaped computation to its end, either at once or in slices: after `sliceMs` of
 * work the rest waits for the next turn of the event loop (setImmediate), so requests that arrived
 * meanwhile are served between slices. The runtime build of a reload runs this way.
 */
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

export type Steps<T> = Generator<void, T, void>;

/** A slice as `sliceChannel` reports it: its length, how many steps it ran, and who ran the steps (the caller's stack frame). */
export interface SliceReport {
  ms: number;
  steps: number;
  caller: string;
}

/**
 * Every slice of every `runInSlices`, while someone subscribes (bench/profile/loop-delay.cjs): a
 * step longer than the slice budget is a stall of the proxy, and this names it.
 */
export const sliceChannel = channel('aigw:slice');

/** Every step now, without yielding to the event loop. */
export function runAtOnce<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

const callerOf = (): string => (new Error().stack ?? '').split('\n')[3]?.trim().replace(/^at /, '') ?? '?';

let pausing = 0;

/**
 * V8's optimizing compiler takes no new functions while sliced work runs (counted: the last to end
 * lets it go on). The sliced work of a reload (assembling the loaded entities, building the runtime,
 * the Admin API's answer) runs once per reload, thousands of steps at a time: hot enough for V8 to
 * compile it with TurboFan at every reload. Those compiles ran on V8's helper threads at the proxy's
 * own priority, and on a gateway with one core they took it from the proxy: at the apply of a
 * 5,000-entity reload, ~10 compiles, 80-90 ms of helper CPU in 250 ms, and stalls of 35 ms
 * (bench/README.md, "Reload: V8's optimizing compiler paused while a reload's slices run"). Optimized code
 * already there keeps running; a function that becomes hot meanwhile is compiled when it is hot again.
 */
function pauseOptimizer(): void {
  if (pausing++ === 0) setFlagsFromString('--no-turbofan');
}

function resumeOptimizer(): void {
  if (--pausing === 0) setFlagsFromString('--turbofan');
}

let lease: NodeJS.Timeout | null = null;

/**
 * The optimizer paused for `ms` from now (or from the last call, while calls keep coming): for the
 * main-thread work of a reload that is not sliced, such as taking in the configuration process's
 * answer part by part. A timer lets it go, whatever becomes of the reload.
 */
export function pauseOptimizerFor(ms: number): void {
  if (lease === null) pauseOptimizer();
  else clearTimeout(lease);
  lease = setTimeout(() => {
    lease = null;
    resumeOptimizer();
  }, ms);
  lease.unref();
}

/** How many pauses of the optimizer are under way (sliced computations and a lease): it is paused while this is above 0. */
export const optimizerPauses = (): number => pausing;

/** The steps in slices of about `sliceMs` of work each. */
export async function runInSlices<T>(steps: Steps<T>, sliceMs = 5): Promise<T> {
  const caller = sliceChannel.hasSubscribers ? callerOf() : '';
  pauseOptimizer();
  try {
    return await slices(steps, sliceMs, caller);
  } finally {
    resumeOptimizer();
  }
}

async function slices<T>(steps: Steps<T>, sliceMs: number, caller: string): Promise<T> {
  let start = performance.now();
  let until = start + sliceMs;
  let n = 1;
  let r = steps.next();
  while (!r.done) {
    const now = performance.now();
    if (now >= until) {
      if (sliceChannel.hasSubscribers) sliceChannel.publish({ ms: now - start, steps: n, caller } satisfies SliceReport);
      await new Promise<void>((resolve) => setImmediate(resolve));
      start = performance.now();
      until = start + sliceMs;
      n = 0;
    }
    n++;
    r = steps.next();
  }
  if (sliceChannel.hasSubscribers) sliceChannel.publish({ ms: performance.now() - start, steps: n, caller } satisfies SliceReport);
  return r.value;
}
