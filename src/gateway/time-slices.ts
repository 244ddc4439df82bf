/**
 * Run a generator-shaped computation to its end, either at once or in slices: after `sliceMs` of
 * work the rest waits for the next turn of the event loop (setImmediate), so requests that arrived
 * meanwhile are served between slices. The runtime build of a reload runs this way.
 */
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

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

/** The steps in slices of about `sliceMs` of work each. */
export async function runInSlices<T>(steps: Steps<T>, sliceMs = 5): Promise<T> {
  const caller = sliceChannel.hasSubscribers ? callerOf() : '';
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
