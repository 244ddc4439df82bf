import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { BatchQueue, queueOptions } from '../../../src/gateway/plugins/http-log/queue.js';

const opts = (o: Record<string, number>) => queueOptions({ max_coalescing_delay: 0.02, initial_retry_delay: 0.005, max_retry_delay: 0.02, ...o });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('plugin queue', () => {
  it('sends full batches at once and partial ones after max_coalescing_delay', async () => {
    const sent: number[][] = [];
    const q = new BatchQueue<number>('t', opts({ max_batch_size: 3 }), async (b) => void sent.push(b), memoryLogger());
    [1, 2, 3, 4].forEach((n) => q.add(n));
    await sleep(5);
    expect(sent).toEqual([[1, 2, 3]]);
    await sleep(40);
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });

  it('retries failed sends, then drops after max_retry_time with an error', async () => {
    let calls = 0;
    const logger = memoryLogger();
    // retries every 5 to 20 ms for 1 s: a loaded machine that stalls this process for a while still
    // leaves room for several attempts (with 50 ms, one stall left one retry)
    const q = new BatchQueue<number>('t', opts({ max_batch_size: 1, max_retry_time: 1 }), async () => {
      calls++;
      throw new Error('down');
    }, logger);
    q.add(1);
    const dropped = () => logger.lines.some((l) => l.level === 'error' && l.msg.includes('dropped'));
    for (let i = 0; i < 500 && !dropped(); i++) await sleep(20);
    expect(dropped()).toBe(true);
    expect(calls).toBeGreaterThan(2);
  });

  it('drops the oldest entries beyond max_entries', async () => {
    const sent: number[][] = [];
    const logger = memoryLogger();
    const q = new BatchQueue<number>('t', opts({ max_batch_size: 10, max_entries: 2 }), async (b) => void sent.push(b), logger);
    [1, 2, 3].forEach((n) => q.add(n));
    await q.close(100);
    expect(sent.flat()).toEqual([2, 3]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg.includes('queue full'))).toBe(true);
  });
});
