/** PluginStores.retain: stores no plugin of the new Runtime uses are disposed, without one long task. */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { PluginStores } from '../../../src/gateway/stores.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('PluginStores.retain', () => {
  it('disposes exactly the stores not kept, async disposals included, and a failing one does not stop the rest', async () => {
    const stores = new PluginStores();
    const disposed: string[] = [];
    for (const k of ['a', 'b', 'c', 'd']) stores.store(k).get('v', () => k, async (v) => {
      await new Promise((r) => setTimeout(r, 1));
      if (v === 'c') throw new Error('boom');
      disposed.push(v);
    });
    await stores.retain(new Set(['b']));
    expect(disposed.sort()).toEqual(['a', 'd']);
    // a kept store keeps its values; a dropped one starts afresh
    expect(stores.store('b').get('v', () => 'new')).toBe('b');
    expect(stores.store('a').get('v', () => 'new')).toBe('new');
  });

  it('lets the event loop turn between disposals (a reload that dropped many plugins is not one long task)', async () => {
    const stores = new PluginStores();
    let done = 0;
    for (let i = 0; i < 30; i++) stores.store(`p${i}`).get('v', () => i, () => {
      spin(1);
      done++;
    });
    let seenAt = -1;
    setImmediate(() => {
      seenAt = done;
    });
    await stores.retain(new Set());
    expect(done).toBe(30);
    // the immediate ran while disposals were still due, after about one 4 ms slice of them
    expect(seenAt).toBeGreaterThan(0);
    expect(seenAt).toBeLessThan(30);
  });
});
