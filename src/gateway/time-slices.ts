/**
 * Run a generator-shaped computation to its end, either at once or in slices: after `sliceMs` of
 * work the rest waits for the next turn of the event loop (setImmediate), so requests that arrived
 * meanwhile are served between slices. The runtime build of a reload runs this way.
 */
import { performance } from 'node:perf_hooks';

export type Steps<T> = Generator<void, T, void>;

/** Every step now, without yielding to the event loop. */
export function runAtOnce<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/** The steps in slices of about `sliceMs` of work each. */
export async function runInSlices<T>(steps: Steps<T>, sliceMs = 5): Promise<T> {
  let until = performance.now() + sliceMs;
  let r = steps.next();
  while (!r.done) {
    if (performance.now() >= until) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      until = performance.now() + sliceMs;
    }
    r = steps.next();
  }
  return r.value;
}
