import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FallbackBudget, LocalBudget, RedisBudget, type BudgetStore, type BudgetWindow, type RedisBudgetSettings } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/budget-store.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { freePort } from '../../helpers/net.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

const T0 = 1_700_000_040_000;
let seq = 0;
const win = (o: Partial<BudgetWindow> = {}): BudgetWindow => ({ key: `t:${seq}`, size: 60, limit: 100, need: 0, add: 0, penalty: false, ...o });

function settings(port: number, timeout = 2000): RedisBudgetSettings {
  return {
    host: '127.0.0.1', port, connectTimeout: timeout, commandTimeout: timeout, username: null, password: null, database: 0,
    ssl: false, sslVerify: false, serverName: null, sentinelMaster: null, sentinelRole: null, sentinelNodes: [],
    sentinelUsername: null, sentinelPassword: null, clusterNodes: [],
  };
}

function behaves(name: string, make: () => BudgetStore) {
  describe(name, () => {
    let store: BudgetStore;
    beforeAll(() => {
      store = make();
    });
    afterAll(() => store.close());

    it('admits and reserves until the limit is reached', async () => {
      seq++;
      const w = win({ add: 40, need: 10 });
      const a = await store.admit([w], T0, 'fixed');
      expect(a).toMatchObject({ admitted: true, usage: [0], blocked: [false] });
      expect((await store.admit([w], T0 + 1, 'fixed')).usage).toEqual([40]);
      // 80 used, need 10 fits, add 40 → 120 (one request's worth over)
      const c = await store.admit([w], T0 + 2, 'fixed');
      expect(c).toMatchObject({ admitted: true, usage: [80] });
      const d = await store.admit([w], T0 + 3, 'fixed');
      expect(d).toMatchObject({ admitted: false, usage: [120], blocked: [true] });
      expect((await store.admit([w], T0 + 4, 'fixed')).usage).toEqual([120]);
    });

    it('refuses when the need alone does not fit, and charges nothing', async () => {
      seq++;
      const w = win({ add: 30, need: 30 });
      await store.admit([w], T0, 'fixed');
      await store.admit([w], T0, 'fixed');
      await store.admit([w], T0, 'fixed'); // 90
      const r = await store.admit([w], T0, 'fixed');
      expect(r).toMatchObject({ admitted: false, usage: [90], blocked: [true] });
      expect((await store.admit([win({ key: w.key, need: 10 })], T0, 'fixed')).usage).toEqual([90]);
    });

    it('settles corrections into the admission bucket (also negative ones)', async () => {
      seq++;
      const w = win({ add: 50 });
      const a = await store.admit([w, win({ key: `${w.key}:b`, add: 50 })], T0, 'fixed');
      await a.settle([-35, -50]);
      const b = await store.admit([w, win({ key: `${w.key}:b` })], T0 + 61_000, 'sliding');
      // previous bucket holds 15 and 0; weight (60 − 1)/60
      expect(b.usage[0]).toBeCloseTo(15 * (59 / 60));
      expect(b.usage[1]).toBeCloseTo(0);
    });

    it('fixed windows start over; sliding windows remember the previous bucket', async () => {
      seq++;
      const w = win({ add: 100 });
      await store.admit([w], T0 + 30_000, 'fixed');
      expect(await store.admit([w], T0 + 60_000, 'fixed')).toMatchObject({ admitted: true, usage: [0] });
      seq++;
      const s = win({ add: 100 });
      await store.admit([s], T0 + 30_000, 'sliding');
      const r = await store.admit([s], T0 + 75_000, 'sliding');
      expect(r.admitted).toBe(true);
      expect(r.usage[0]).toBeCloseTo(75);
      // 100 in the current bucket + 75 of the previous one
      const again = await store.admit([s], T0 + 75_000, 'sliding');
      expect(again.admitted).toBe(false);
      expect(again.usage[0]).toBeCloseTo(175);
    });

    it('one exhausted window blocks every window; penalty windows are charged anyway', async () => {
      seq++;
      const full = win({ limit: 1, add: 1 });
      await store.admit([full], T0, 'fixed');
      const other = win({ key: `${full.key}:o`, add: 5 });
      const pen = win({ key: `${full.key}:p`, add: 7, penalty: true });
      const r = await store.admit([full, other, pen], T0, 'fixed');
      expect(r).toMatchObject({ admitted: false, blocked: [true, false, false] });
      const after = await store.admit([win({ key: other.key }), win({ key: pen.key })], T0, 'fixed');
      expect(after.usage).toEqual([0, 7]);
    });

    it('handles fractional amounts (cost)', async () => {
      seq++;
      const w = win({ limit: 0.001 });
      const a = await store.admit([w], T0, 'fixed');
      await a.settle([0.00037]);
      await (await store.admit([w], T0, 'fixed')).settle([0.00037]);
      const r = await store.admit([w], T0, 'fixed');
      expect(r.usage[0]).toBeCloseTo(0.00074, 8);
      expect(r.admitted).toBe(true);
    });

    it('200 concurrent admissions never over-reserve', async () => {
      seq++;
      const w = win({ limit: 1000, add: 7, need: 7 });
      const all = await Promise.all(Array.from({ length: 200 }, () => store.admit([w], T0, 'fixed')));
      const admitted = all.filter((a) => a.admitted).length;
      expect(admitted).toBe(142); // 142 × 7 = 994; 994 + 7 > 1000
    });
  });
}

describe('budget stores', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  behaves('local', () => new LocalBudget(() => T0));
  behaves('redis', () => new RedisBudget(settings(redis.port), memoryLogger()));

  it('redis: two stores (two gateways) share one budget', async () => {
    const a = new RedisBudget(settings(redis.port), memoryLogger());
    const b = new RedisBudget(settings(redis.port), memoryLogger());
    seq++;
    const w = win({ limit: 10, add: 4 });
    expect((await a.admit([w], T0, 'fixed')).admitted).toBe(true);
    expect((await b.admit([w], T0, 'fixed')).usage).toEqual([4]);
    expect((await a.admit([w], T0, 'fixed')).admitted).toBe(true);
    expect((await b.admit([w], T0, 'fixed')).admitted).toBe(false);
    a.close();
    b.close();
  });

  it('a dead redis falls back to local counting and logs the outage once', async () => {
    const logger = memoryLogger();
    const dead = new FallbackBudget(new RedisBudget(settings(await freePort(), 200), logger), new LocalBudget(() => T0), logger);
    seq++;
    const w = win({ limit: 10, add: 6 });
    const a = await dead.admit([w], T0, 'fixed');
    expect(a.admitted).toBe(true);
    await a.settle([1]);
    expect((await dead.admit([w], T0, 'fixed')).usage).toEqual([7]);
    expect((await dead.admit([w], T0, 'fixed')).admitted).toBe(false);
    const warnings = logger.lines.filter((l) => l.msg.includes('counting tokens locally'));
    expect(warnings).toHaveLength(1);
    dead.close();
  });

  it('a settlement that fails after a redis admission is logged, not thrown', async () => {
    const temp = await startRedis();
    const logger = memoryLogger();
    const store = new FallbackBudget(new RedisBudget(settings(temp.port, 300), logger), new LocalBudget(() => T0), logger);
    seq++;
    const a = await store.admit([win({ add: 5 })], T0, 'fixed');
    await temp.stop();
    await expect(a.settle([3])).resolves.toBeUndefined();
    expect(logger.lines.some((l) => l.msg.includes('failed to settle'))).toBe(true);
    store.close();
  });
});
