import { describe, expect, it } from 'vitest';
import { effectiveUsage, position, retryAfter } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/windows.js';

describe('windows', () => {
  const t0 = 1_700_000_040_000; // a multiple of 60 s
  it('aligns buckets and weights the previous one for sliding windows', () => {
    const p = position(60, t0 + 15_000, 'sliding');
    expect(p.start).toBe(t0);
    expect(p.prevStart).toBe(t0 - 60_000);
    expect(p.prevWeight).toBeCloseTo(0.75);
    expect(p.reset).toBe(45);
    expect(position(60, t0 + 15_000, 'fixed').prevWeight).toBe(0);
    expect(position(60, t0 + 59_999, 'fixed').reset).toBe(1);
    expect(effectiveUsage(10, 100, 0.75)).toBe(85);
  });

  it('fixed windows retry at the end of the bucket', () => {
    expect(retryAfter(60, t0 + 10_000, 'fixed', 100, 100, 0)).toBe(50);
  });

  it('sliding windows retry when the previous bucket has decayed enough', () => {
    // usage = 20 + 100 × 0.75 = 95 ≥ limit 90 → need previous weight < 0.7 → elapsed > 18 s
    expect(retryAfter(60, t0 + 15_000, 'sliding', 90, 20, 100)).toBe(3);
    // the current bucket alone is over: next bucket + decay of 120 → 100: e2 > 60 × (1 − 100/120) = 10 s
    expect(retryAfter(60, t0 + 15_000, 'sliding', 100, 120, 0)).toBe(55);
    // room for the need
    expect(retryAfter(60, t0, 'sliding', 100, 0, 100, 50)).toBe(30);
    expect(retryAfter(60, t0, 'sliding', 100, 0, 0)).toBe(1);
  });
});
