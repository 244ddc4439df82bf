/**
 * The young generation of `aigw serve`. V8 doubles the new space (up to 2 × 16 MiB) whenever most
 * of what a scavenge finds is still alive, and nearly everything a start allocates stays (modules,
 * schemas, the configuration, the Runtime): the new space grows to its maximum for objects that
 * move to the old space anyway, and an idle gateway keeps those pages resident (~12 MiB of its RSS
 * at start). Growth is held during the start. Once the gateway listens, traffic sizes the new
 * space again, up to 2 × MAX_SEMI_SPACE_MIB instead of V8's 2 × 16 MiB: with 1,000 ai-proxy routes
 * under load the larger semi-spaces were 16 MiB more RSS (bench/README.md "Memory with 1,000
 * routes: round 4"). `--max-semi-space-size` is read only when the heap is set up (setting it at
 * run time does nothing), so the cap is kept by the growth factor, which V8 reads at every growth:
 * after each GC, growth is allowed only while one more doubling stays within the cap.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const V8_DEFAULT_GROWTH = 2; // --semi-space-growth-factor's default (node --v8-options)
/** The largest semi-space under traffic (V8's default: 16 MiB on 64-bit). */
export const MAX_SEMI_SPACE_MIB = 8;

/** Before the gateway's modules load: keep the new space at its initial size. */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** The new space's size (both semi-spaces). */
export function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Once listening: V8 sizes the new space again, within 2 × `maxSemiSpaceMiB`. Returns a function
 * that stops the watch (the growth factor stays as last set).
 */
export function releaseYoungGeneration(maxSemiSpaceMiB: number = MAX_SEMI_SPACE_MIB, set: (flags: string) => void = setFlagsFromString): () => void {
  const cap = 2 * maxSemiSpaceMiB * 1024 * 1024;
  let factor = 0;
  const check = (): void => {
    const want = newSpaceBytes() * V8_DEFAULT_GROWTH > cap ? 1 : V8_DEFAULT_GROWTH;
    if (want === factor) return;
    factor = want;
    set(`--semi-space-growth-factor=${want}`);
  };
  check();
  // a GC entry after every collection (scavenges included); V8 grows the new space only after one
  const watch = new PerformanceObserver(check);
  watch.observe({ entryTypes: ['gc'] });
  return () => watch.disconnect();
}

/**
 * Before listening: one full GC that compacts the old space. The start's garbage (the parsed
 * files, their positions, the checks' and the build's temporaries) is promoted while the new space
 * is held small and ends up interleaved with the configuration that stays, so an ordinary full GC
 * frees it but keeps nearly every page: with 1,000 ai-proxy routes the old space stayed at 35 MiB
 * for 19 MiB live, and this GC gives ~15 MiB of RSS back. The flags are V8's own, set for this one
 * collection (`gc` from a fresh context, as `--expose-gc` gives it; the flag is cleared again).
 */
export function compactHeap(): void {
  const exposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  if (!exposed) setFlagsFromString('--no-expose-gc');
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}
