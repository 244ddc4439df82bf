/**
 * `aigw serve` holds the old generation's growth: after a full GC the old space may grow to the
 * live size + 20 % (V8's default picks up to 4×), so garbage that requests promote does not pile
 * up to several times the configuration's size before the next full GC. Checked on V8 itself: the
 * same churn (a live set, and objects that live long enough to be promoted, then die) once with
 * V8's default and once after holdOldGenerationGrowth(), in this process (vitest forks a process
 * per file).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { holdOldGenerationGrowth, OLD_GENERATION_GROWTH_PERCENT } from '../../../src/gateway/old-generation.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const oldSpaceUsed = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

const live: object[] = [];
for (let i = 0; i < 100_000; i++) live.push({ i, s: `live-${i}`, a: [i, i + 1] });

/** The highest old-space use while 120,000 batches are allocated, each kept for the next 5,000. */
function churn(): number {
  gc();
  let max = 0;
  const ring: unknown[] = new Array(5000).fill(null);
  for (let r = 0; r < 120_000; r++) {
    const batch = [];
    for (let i = 0; i < 20; i++) batch.push({ r, i, s: `x${r}-${i}` });
    ring[r % ring.length] = batch;
    if (r % 500 === 0) max = Math.max(max, oldSpaceUsed());
  }
  return max;
}

describe('holdOldGenerationGrowth', () => {
  afterAll(() => setFlagsFromString('--heap-growing-percent=0')); // V8's own factor again

  it('sets V8\'s heap growing percent', () => {
    const set: string[] = [];
    holdOldGenerationGrowth((f) => set.push(f));
    expect(set).toEqual([`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`]);
  });

  it('keeps the promoted garbage well below what V8\'s default lets accumulate (set at run time)', () => {
    const byDefault = churn();
    holdOldGenerationGrowth();
    const held = churn();
    expect(live.length).toBe(100_000);
    // measured: ~84 MiB by default, ~53 MiB held (live set + ring ≈ 25 MiB)
    expect(held).toBeLessThan(byDefault * 0.8);
  }, 30_000);
});
