import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalescer } from '../../../src/gateway/admin-api/api.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';
import { ID } from '../diff/build.js';

describe('coalescer', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('publishes once after a quiet period', () => {
    const publish = vi.fn();
    const c = coalescer(publish, 50, 1000);
    for (let i = 0; i < 100; i++) c.changed();
    vi.advanceTimersByTime(49);
    expect(publish).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('never delays longer than maxDelay under a continuous stream of writes', () => {
    const publish = vi.fn();
    const c = coalescer(publish, 50, 200);
    for (let t = 0; t < 1000; t += 10) {
      c.changed();
      vi.advanceTimersByTime(10);
    }
    expect(publish.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(publish.mock.calls.length).toBeLessThanOrEqual(6);
  });

  it('flush publishes pending changes at once, and only when pending', () => {
    const publish = vi.fn();
    const c = coalescer(publish, 50, 200);
    c.flush();
    expect(publish).not.toHaveBeenCalled();
    c.changed();
    c.flush();
    expect(publish).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100);
    expect(publish).toHaveBeenCalledTimes(1);
  });
});

describe('memory store indexes', () => {
  it('keeps unique keys and referrers in step with writes', () => {
    const s = memoryStore();
    s.write([{ kind: 'consumers', put: { id: ID(1), username: 'a' } }]);
    s.write([{ kind: 'acls', put: { id: ID(2), group: 'g', consumer: { id: ID(1) } } }]);
    expect(s.idByUnique('consumers', 'username="a"')).toBe(ID(1));
    expect(s.referrers(ID(1))).toEqual([{ kind: 'acls', id: ID(2) }]);
    s.write([{ kind: 'consumers', put: { id: ID(1), username: 'b' } }]);
    expect(s.idByUnique('consumers', 'username="a"')).toBeUndefined();
    expect(s.idByUnique('consumers', 'username="b"')).toBe(ID(1));
    const snap = s.snapshot();
    expect(s.snapshot()).toBe(snap);
    s.write([{ kind: 'acls', remove: ID(2) }]);
    expect(s.referrers(ID(1))).toEqual([]);
    expect(s.snapshot()).not.toBe(snap);
    expect(Object.isFrozen(s.snapshot().entities.consumers[0])).toBe(true);
  });
});
