/**
 * `aigw serve` caps the young generation under traffic at 2 × MAX_SEMI_SPACE_MIB (V8's own cap is
 * 2 × 16 MiB and cannot be changed once the heap exists). Checked on V8 itself, in this process
 * (vitest forks a process per file): an allocation pattern whose survivors make V8 double the new
 * space, first watched with a cap at its current size, then with V8's default growth.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compactHeap, MAX_SEMI_SPACE_MIB, newSpaceBytes, releaseYoungGeneration } from '../../../src/gateway/startup-heap.js';

const MiB = 1024 * 1024;

/** The largest new space while batches are allocated and each is kept for the next 20,000 (many survive a scavenge). */
async function churn(): Promise<number> {
  let max = newSpaceBytes();
  const ring: unknown[] = new Array(20_000).fill(null);
  for (let r = 0; r < 400_000; r++) {
    ring[r % ring.length] = { r, s: `x${r}`, a: [r, r + 1] };
    if (r % 20_000 === 0) {
      max = Math.max(max, newSpaceBytes());
      await new Promise((resolve) => setImmediate(resolve)); // the GC observer's turn
    }
  }
  return Math.max(max, newSpaceBytes());
}

describe('releaseYoungGeneration', () => {
  it('caps the new space at 2 × the given semi-space size; without the cap the same churn grows it further', async () => {
    // the cap is the new space this process has now (vitest's worker: 8 MiB); V8's own is 32 MiB
    const start = newSpaceBytes();
    expect(start).toBeLessThan(32 * MiB);
    const stop = releaseYoungGeneration(start / 2 / MiB);
    const capped = await churn();
    stop();
    setFlagsFromString('--semi-space-growth-factor=2');
    const free = await churn();
    expect(capped).toBe(start);
    expect(free).toBeGreaterThan(start);
  }, 30_000);

  it('holds the growth once one more doubling would pass the cap; 8 MiB semi-spaces by default', () => {
    const set: string[] = [];
    releaseYoungGeneration(64, (f) => set.push(f))(); // far above this process's new space
    releaseYoungGeneration(newSpaceBytes() / 2 / MiB - 0.5, (f) => set.push(f))(); // below it
    expect(set).toEqual(['--semi-space-growth-factor=2', '--semi-space-growth-factor=1']);
    expect(MAX_SEMI_SPACE_MIB).toBe(8);
  });
});

describe('compactHeap', () => {
  it('gives back the old-space pages that half-dead objects keep through an ordinary full GC', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const oldSpace = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_size;
    let all: Array<{ i: number; s: string }> | null = [];
    for (let i = 0; i < 400_000; i++) all.push({ i, s: `p${i}` });
    gc(); // promoted to the old space
    const kept = all.filter((_, i) => i % 2 === 0); // every other object: no page empties
    all = null;
    gc();
    gc(); // ordinary full GCs: they free the dead half but keep nearly every page
    const ordinary = oldSpace();
    compactHeap();
    const compacted = oldSpace();
    expect(kept).toHaveLength(200_000);
    // measured: 32.7 MiB → 20.5 MiB (the objects kept: ~16 MiB)
    expect(compacted).toBeLessThan(ordinary * 0.8);
  });
});
