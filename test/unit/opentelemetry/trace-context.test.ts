import { describe, expect, it } from 'vitest';
import { decide, randomHex, readTraceparent, startTrace, traceparentOf } from '../../../src/gateway/plugins/opentelemetry/trace-context.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

describe('W3C trace context', () => {
  it('reads valid traceparent headers and rejects invalid ones', () => {
    expect(readTraceparent(`00-${T}-${S}-01`)).toEqual({ traceId: T, spanId: S, sampled: true });
    expect(readTraceparent(`00-${T}-${S}-00`)).toEqual({ traceId: T, spanId: S, sampled: false });
    // a later version may carry more fields; its first four parts still count
    expect(readTraceparent(`cc-${T}-${S}-09-extra`)).toEqual({ traceId: T, spanId: S, sampled: true });
    for (const bad of [undefined, '', 'garbage', `00-${'0'.repeat(32)}-${S}-01`, `00-${T}-${'0'.repeat(16)}-01`, `ff-${T}-${S}-01`, `00-${T.toUpperCase()}-${S}-01`, `00-${T}-${S}-01-extra`, `00-${T.slice(1)}-${S}-01`]) {
      expect(readTraceparent(bad)).toBeNull();
    }
    expect(readTraceparent([`00-${T}-${S}-01`, `00-${T}-${S}-01`])).toBeNull();
  });

  it('decides sampling like Kong: parent first (by strategy), then the rate', () => {
    const kept = { traceId: T, spanId: S, sampled: true };
    const dropped = { ...kept, sampled: false };
    expect(decide(dropped, 'parent_drop_probability_fallback', 1)).toBe(false);
    expect(decide(kept, 'parent_drop_probability_fallback', 0)).toBe(false);
    expect(decide(kept, 'parent_probability_fallback', 0)).toBe(true);
    expect(decide(dropped, 'parent_probability_fallback', 1)).toBe(false);
    expect(decide(null, 'parent_probability_fallback', 0.5, () => 0.49)).toBe(true);
    expect(decide(null, 'parent_probability_fallback', 0.5, () => 0.5)).toBe(false);
    expect(decide(null, 'parent_drop_probability_fallback', 1, () => 0.999)).toBe(true);
    expect(decide(null, 'parent_drop_probability_fallback', 0, () => 0)).toBe(false);
  });

  it('continues or starts a trace and writes the upstream traceparent', () => {
    const t = startTrace({ traceId: T, spanId: S, sampled: true }, 'k=v', true);
    expect(t).toMatchObject({ traceId: T, parentId: S, tracestate: 'k=v', sampled: true });
    expect(traceparentOf(t)).toBe(`00-${T}-${t.upstreamId}-01`);
    const fresh = startTrace(null, 'ignored', false);
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).toMatchObject({ parentId: null, tracestate: null });
    expect(traceparentOf(fresh)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(readTraceparent(traceparentOf(fresh))).not.toBeNull();
    const ids = new Set(Array.from({ length: 2000 }, () => randomHex(8)));
    expect(ids.size).toBe(2000);
  });
});
