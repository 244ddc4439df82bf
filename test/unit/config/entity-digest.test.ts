import { describe, expect, it } from 'vitest';
import { entityDigest } from '../../../src/config/thread/protocol.js';
import type { Entity } from '../../../src/config/state.js';

const d = (e: Record<string, unknown>): string => entityDigest(e as Entity);
const route = { id: 'r1', name: 'chat', paths: ['/ai/chat'], strip_path: true, tags: ['a'], service: { id: 's1' } };

describe('entityDigest: equal digests only for equal entities (a reload keeps the objects of entities whose digest it listed)', () => {
  it('is the same for equal entities built apart, and different for any change of a value, a key, nesting or key order', () => {
    expect(d(route)).toBe(d(JSON.parse(JSON.stringify(route)) as Record<string, unknown>));
    expect(d(route)).toMatch(/^[A-Za-z0-9+/]{27}=$/); // SHA-1, base64
    const variants = [
      { ...route, name: 'chat2' },
      { ...route, paths: ['/ai/chat', '/x'] },
      { ...route, strip_path: 'true' },
      { ...route, tags: [] },
      { ...route, service: { id: 's2' } },
      { ...route, service: { id: 's1', extra: null } },
      { name: route.name, id: route.id, paths: route.paths, strip_path: true, tags: ['a'], service: { id: 's1' } }, // key order
    ];
    const seen = new Set([d(route), ...variants.map(d)]);
    expect(seen.size).toBe(variants.length + 1);
  });

  it('keeps apart the values JSON would lose: undefined against a missing key or null, NaN and ±Infinity against null, −0 against 0, a bigint', () => {
    const base = { id: 'p1', config: { a: 1 } };
    const variants = [
      base,
      { id: 'p1', config: { a: 1, b: undefined } },
      { id: 'p1', config: { a: 1, b: null } },
      { id: 'p1', config: { a: [undefined] } },
      { id: 'p1', config: { a: [null] } },
      { id: 'p1', config: { a: Number.NaN } },
      { id: 'p1', config: { a: Number.POSITIVE_INFINITY } },
      { id: 'p1', config: { a: Number.NEGATIVE_INFINITY } },
      { id: 'p1', config: { a: -0 } },
      { id: 'p1', config: { a: 0 } },
      { id: 'p1', config: { a: 1n } },
      { id: 'p1', config: { a: '1' } },
    ];
    expect(new Set(variants.map(d)).size).toBe(variants.length);
  });
});
