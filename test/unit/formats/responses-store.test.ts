/** The Responses store of translated routes: owner-scoped, bounded by count, bytes and age, conversations by chain. */
import { describe, expect, it } from 'vitest';
import { ResponseStore, type StoredResponse } from '../../../src/gateway/llm/formats/responses-store.js';

const resp = (id: string, previous: string | null = null, owner: string | null = 'alice'): StoredResponse => ({
  id, owner, previous,
  input: [{ id: `in_${id}`, type: 'message', role: 'user', content: `q ${id}` }],
  response: { id, object: 'response', output: [{ id: `msg_${id}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `a ${id}` }] }] },
});

describe('ResponseStore', () => {
  it('answers its owner only, by response and by item id', () => {
    const s = new ResponseStore();
    s.put(resp('r1'));
    expect(s.get('r1', 'alice')?.id).toBe('r1');
    expect(s.get('r1', 'bob')).toBeUndefined();
    expect(s.get('r1', null)).toBeUndefined();
    expect(s.item('msg_r1', 'alice')).toMatchObject({ type: 'message', role: 'assistant' });
    expect(s.item('in_r1', 'bob')).toBeUndefined();
    expect(s.delete('r1', 'bob')).toBe(false);
    expect(s.delete('r1', 'alice')).toBe(true);
    expect(s.item('msg_r1', 'alice')).toBeUndefined();
  });

  it('a conversation is every input and output of the chain, oldest first; a broken link is named', () => {
    const s = new ResponseStore();
    s.put(resp('r1'));
    s.put(resp('r2', 'r1'));
    s.put(resp('r3', 'r2'));
    const c = s.conversation('r3', 'alice');
    expect(c !== undefined && 'items' in c ? c.items.map((i) => i.id) : c).toEqual(['in_r1', 'msg_r1', 'in_r2', 'msg_r2', 'in_r3', 'msg_r3']);
    s.delete('r2', 'alice');
    expect(s.conversation('r3', 'alice')).toEqual({ missing: 'r2' });
    expect(s.conversation('nope', 'alice')).toBeUndefined();
  });

  it('drops the least recently used beyond its count and byte limits, and what is older than its TTL', () => {
    let now = 0;
    const s = new ResponseStore({ maxResponses: 2, maxBytes: 1_000_000, ttlMs: 1000, maxChain: 10 }, () => now);
    s.put(resp('a'));
    s.put(resp('b'));
    s.get('a', 'alice'); // a is now the most recently used
    s.put(resp('c'));
    expect([s.get('a', 'alice')?.id, s.get('b', 'alice')?.id, s.get('c', 'alice')?.id]).toEqual(['a', undefined, 'c']);
    now = 1001;
    expect(s.get('a', 'alice')).toBeUndefined();
    const small = new ResponseStore({ maxResponses: 100, maxBytes: 500, ttlMs: 1000, maxChain: 10 });
    for (const id of ['x', 'y', 'z']) small.put(resp(id));
    expect(small.totalBytes).toBeLessThanOrEqual(500);
    expect(small.size).toBeLessThan(3);
    expect(small.get('z', 'alice')?.id).toBe('z');
  });
});
