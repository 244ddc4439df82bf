import { describe, expect, it } from 'vitest';
import { parseRlaConfig } from '../../../src/gateway/plugins/rate-limiting-advanced/config.js';
import { rateHeaders, resetOf, windowName } from '../../../src/gateway/plugins/rate-limiting-advanced/index.js';
import { LocalBudget, type BudgetWindow } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/budget-store.js';
import { validatePluginConfig } from '../../../src/config/validate/plugin-config.js';
import { identify } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/identify.js';
import type { Consumers } from '../../../src/gateway/consumers.js';
import type { GatewayContext } from '../../../src/gateway/context.js';
import type { Entity } from '../../../src/config/state.js';
import { drive } from '../governance/drive.js';

const base = { limit: [3], window_size: [60] };
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0); // a minute boundary

function windows(c: ReturnType<typeof parseRlaConfig>): BudgetWindow[] {
  return c.windows.map((w) => ({ key: `k:${w.size}`, size: w.size, limit: w.limit, need: 1, add: 1, penalty: !(c.disablePenalty && c.windowType === 'sliding') }));
}

describe('rate-limiting-advanced config', () => {
  it('keeps counters in memory unless strategy redis has a sync_rate of 0 or more (Kong: -1/null never sync)', () => {
    expect(parseRlaConfig({ ...base }).store).toBe('local');
    expect(parseRlaConfig({ ...base, strategy: 'redis', sync_rate: -1 }).store).toBe('local');
    expect(parseRlaConfig({ ...base, strategy: 'redis', sync_rate: null }).store).toBe('local');
    expect(parseRlaConfig({ ...base, strategy: 'redis', sync_rate: 0 }).store).toBe('redis');
    expect(parseRlaConfig({ ...base, strategy: 'redis', sync_rate: 10 }).store).toBe('redis');
  });

  it('refuses what aigw serve cannot run, and mismatched windows', () => {
    expect(() => parseRlaConfig({ ...base, strategy: 'cluster' })).toThrow(/cluster' cannot run in aigw serve/);
    expect(() => parseRlaConfig({ ...base, throttling: { enabled: true } })).toThrow(/throttling cannot run in aigw serve/);
    // the deprecated policy overrides run (the consumer groups' override configs, through the runtime's consumers)
    expect(parseRlaConfig({ ...base, enforce_consumer_groups: true, consumer_groups: ['gold', 'silver'] })).toMatchObject({ enforceConsumerGroups: true, consumerGroups: ['gold', 'silver'] });
    expect(() => parseRlaConfig({ ...base, enforce_consumer_groups: false, consumer_groups: ['gold'] })).not.toThrow();
    expect(() => parseRlaConfig({ ...base, throttling: { enabled: false } })).not.toThrow();
    expect(() => parseRlaConfig({ limit: [1, 2], window_size: [60] })).toThrow('You must provide the same number of windows and limits');
    expect(() => parseRlaConfig({ ...base, compound_identifier: ['ip', 'header'] })).toThrow(/header_name/);
  });

  it("translates the redis record's deprecated shorthands; the new fields win", () => {
    const r = parseRlaConfig({ ...base, redis: { timeout: 700, sentinel_addresses: ['s1:26379', 's2:26380'], cluster_addresses: ['10.0.0.1:7000'], sentinel_master: 'm' } }).redis;
    expect([r.connectTimeout, r.commandTimeout]).toEqual([700, 700]);
    expect(r.sentinelNodes).toEqual([{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }]);
    expect(r.clusterNodes).toEqual([{ host: '10.0.0.1', port: 7000 }]);
    expect(parseRlaConfig({ ...base, redis: { cluster_addresses: ['a:1'], cluster_nodes: [{ ip: 'b', port: 2 }] } }).redis.clusterNodes).toEqual([{ host: 'b', port: 2 }]);
    expect(() => parseRlaConfig({ ...base, redis: { cluster_addresses: ['nohost'] } })).toThrow("redis: invalid address 'nohost'");
  });

  it("validates with Kong's rules and messages", () => {
    const errors = (c: unknown) => (validatePluginConfig('rate-limiting-advanced', c) ?? []).filter((p) => p.severity === 'error').map((p) => p.message);
    expect(errors({ ...base })).toEqual([]);
    expect(errors({ limit: [1, 2], window_size: [60] })).toContain('You must provide the same number of windows and limits');
    expect(errors({ ...base, identifier: 'header' }).join()).toMatch(/header_name/);
    expect(errors({ ...base, enforce_consumer_groups: true }).join()).toMatch(/consumer_groups/);
    expect(errors({ window_size: [60] }).join()).toMatch(/limit/);
    const warnings = (validatePluginConfig('rate-limiting-advanced', { ...base, strategy: 'cluster' }) ?? []).filter((p) => p.severity === 'warning');
    expect(warnings.map((w) => w.code)).toContain('AIGW_UNSUPPORTED');
  });
});

describe('rate-limiting-advanced windows and headers', () => {
  it('names windows as Kong does', () => {
    expect([1, 60, 3600, 86400, 2592000, 31536000, 30].map(windowName)).toEqual(['second', 'minute', 'hour', 'day', 'month', 'year', '30']);
  });

  it('counts a fixed window, refuses over the limit, and reports the window with the least left', async () => {
    const c = parseRlaConfig({ limit: [2, 10], window_size: [60, 3600], window_type: 'fixed' });
    const store = new LocalBudget(() => T0);
    const w = windows(c);
    const now = T0 + 15_000;
    const shown = [];
    for (let i = 0; i < 3; i++) {
      const a = await store.admit(w, now, c.windowType);
      shown.push({ admitted: a.admitted, ...rateHeaders(c, a, w, now).headers });
    }
    expect(shown.map((s) => s.admitted)).toEqual([true, true, false]);
    expect(shown[0]).toMatchObject({ 'X-RateLimit-Limit-minute': '2', 'X-RateLimit-Remaining-minute': '1', 'X-RateLimit-Remaining-hour': '9', 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1', 'RateLimit-Reset': '45' });
    expect(shown[2]).toMatchObject({ 'X-RateLimit-Remaining-minute': '0', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '45' });
  });

  it('sliding windows weigh the previous window; disable_penalty does not count refusals', async () => {
    for (const disable of [false, true]) {
      const c = parseRlaConfig({ limit: [2], window_size: [60], disable_penalty: disable });
      const store = new LocalBudget(() => T0);
      const w = windows(c);
      for (let i = 0; i < 3; i++) await store.admit(w, T0 + 1000, 'sliding'); // 2 admitted, 1 refused
      // 30 s into the next minute the previous one weighs half: 1 (or 1.5 with the penalty)
      const a = await store.admit(w, T0 + 90_000, 'sliding');
      expect(a.usage[0]).toBe(disable ? 1 : 1.5);
      expect(a.admitted).toBe(disable); // 1.5 + 1 > 2: the penalty keeps the client out
    }
  });

  it("adds the excess of a sliding window to its reset, as Kong's handler does", () => {
    expect(resetOf({ size: 60, limit: 10 }, 5, T0 + 20_000, true)).toBe(40);
    expect(resetOf({ size: 60, limit: 10 }, 15, T0 + 20_000, true)).toBe(70);
    expect(resetOf({ size: 60, limit: 10 }, 15, T0 + 20_000, false)).toBe(40);
  });
});

describe('rate-limiting-advanced identifiers', () => {
  it('consumer-group counts per the scoped group for its members, else per client IP (Kong)', async () => {
    const { ctx } = await drive({}, '{}');
    ctx.consumer = { id: 'c1', username: 'ann', custom_id: null, entity: {} as Entity };
    const consumers = { consumerGroups: () => ['gold'], consumerGroupIds: () => ['g1'] } as unknown as Consumers;
    const c = { identifier: 'consumer-group' as const, headerName: null, path: null };
    expect(identify(ctx, { ...c, consumerGroup: 'g1' }, consumers)).toBe('group:g1');
    expect(identify(ctx, { ...c, consumerGroup: 'g2' }, consumers)).toBe('ip:127.0.0.1');
    expect(identify(ctx, { ...c, consumerGroup: null }, consumers)).toBe('ip:127.0.0.1');
    expect(identify(ctx, c, consumers)).toBe('group:gold'); // ai-rate-limiting-advanced: the first group
    expect(identify(ctx, { ...c, identifier: 'route' }, consumers)).toBe('ip:127.0.0.1');
    ctx.route = { id: 'r1' } as GatewayContext['route'];
    expect(identify(ctx, { ...c, identifier: 'route' }, consumers)).toBe('route:r1');
  });
});
