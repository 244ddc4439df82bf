import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/config/state.js';
import { Balancer, parseTarget, type HashInput } from '../../../src/gateway/balancing/upstream-balancer.js';

const upstream = (fields: Record<string, unknown> = {}): Entity => ({ id: 'u', name: 'pool', algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', healthchecks: null, ...fields });
const target = (t: string, weight = 100): Entity => ({ id: t, target: t, weight, upstream: { id: 'u' } });
const input = (over: Partial<HashInput> = {}): HashInput => ({
  consumerId: null, ip: '10.0.0.1', header: () => undefined, cookie: () => undefined, path: '/', query: () => undefined, capture: () => undefined, ...over,
});

describe('balancer', () => {
  it('parses targets with default port 8000 and IPv6', () => {
    expect(parseTarget('a.test')).toEqual({ host: 'a.test', port: 8000 });
    expect(parseTarget('a.test:81')).toEqual({ host: 'a.test', port: 81 });
    expect(parseTarget('[::1]:82')).toEqual({ host: '::1', port: 82 });
  });

  it('round-robins by weight and skips weight 0', () => {
    const b = new Balancer(upstream(), [target('a:1', 300), target('b:1', 100), target('c:1', 0)]);
    const picks = Array.from({ length: 8 }, () => b.pick(input())?.name);
    expect(picks.filter((p) => p === 'a:1')).toHaveLength(6);
    expect(picks.filter((p) => p === 'b:1')).toHaveLength(2);
    expect(picks).not.toContain('c:1');
  });

  it('hashes consistently on a header, falling back to round-robin without a key', () => {
    const b = new Balancer(upstream({ algorithm: 'consistent-hashing', hash_on: 'header', hash_on_header: 'X-User' }), [target('a:1'), target('b:1'), target('c:1')]);
    const forUser = (u: string) => b.pick(input({ header: (n) => (n === 'x-user' ? u : undefined) }))?.name;
    for (const u of ['alice', 'bob', 'carol']) expect(new Set(Array.from({ length: 5 }, () => forUser(u))).size).toBe(1);
    const spread = new Set(Array.from({ length: 40 }, (_, i) => forUser(`user-${i}`)));
    expect(spread.size).toBe(3);
  });

  it('picks the least-loaded peer with least-connections', () => {
    const b = new Balancer(upstream({ algorithm: 'least-connections' }), [target('a:1'), target('b:1')]);
    const first = b.pick(input());
    if (!first) throw new Error('no peer');
    b.acquire(first);
    expect(b.pick(input())?.name).not.toBe(first.name);
  });

  it('marks a target unhealthy after passive failures and returns null when none is left', () => {
    const hc = { passive: { healthy: { http_statuses: [200], successes: 1 }, unhealthy: { http_statuses: [500], tcp_failures: 2, timeouts: 1, http_failures: 2 } } };
    const b = new Balancer(upstream({ healthchecks: hc }), [target('a:1'), target('b:1')]);
    const a = { host: 'a', port: 1, weight: 100, name: 'a:1', failover: false };
    const bb = { host: 'b', port: 1, weight: 100, name: 'b:1', failover: false };
    b.report(a, { kind: 'tcp_failure' });
    expect(b.health().find((h) => h.target === 'a:1')?.health).toBe('HEALTHY');
    b.report(a, { kind: 'status', status: 200 });
    b.report(a, { kind: 'tcp_failure' });
    expect(b.health().find((h) => h.target === 'a:1')?.health).toBe('HEALTHY');
    b.report(a, { kind: 'tcp_failure' });
    expect(b.health().find((h) => h.target === 'a:1')?.health).toBe('UNHEALTHY');
    expect(Array.from({ length: 4 }, () => b.pick(input())?.name)).toEqual(['b:1', 'b:1', 'b:1', 'b:1']);
    b.report(bb, { kind: 'timeout' });
    expect(b.pick(input())).toBeNull();
  });

  it('sends to a failover target only while no other target is healthy (Kong 3.12 targets[].failover)', () => {
    const hc = { passive: { healthy: { http_statuses: [200], successes: 1 }, unhealthy: { http_statuses: [500], tcp_failures: 1 } } };
    const b = new Balancer(upstream({ healthchecks: hc }), [target('a:1'), { ...target('backup:1'), failover: true }, target('b:1')]);
    const names = (n: number) => Array.from({ length: n }, () => b.pick(input())?.name);
    expect(new Set(names(10))).toEqual(new Set(['a:1', 'b:1']));
    // a tried primary is avoided for another primary before the backup is used
    expect(b.pick(input(), new Set(['a:1']))?.name).toBe('b:1');
    const [a, bb] = [b.pick(input()), b.pick(input())];
    if (!a || !bb) throw new Error('no peer');
    b.report(a, { kind: 'tcp_failure' });
    b.report(bb, { kind: 'tcp_failure' });
    expect(new Set(names(4))).toEqual(new Set(['backup:1']));
    const backup = b.pick(input());
    if (!backup) throw new Error('no peer');
    b.report(backup, { kind: 'tcp_failure' });
    expect(b.pick(input())).toBeNull();
  });

  it('does not mark unhealthy when passive thresholds are 0 (Kong default)', () => {
    const b = new Balancer(upstream(), [target('a:1')]);
    const a = { host: 'a', port: 1, weight: 100, name: 'a:1', failover: false };
    for (let i = 0; i < 10; i++) b.report(a, { kind: 'tcp_failure' });
    expect(b.pick(input())?.name).toBe('a:1');
  });
});
