import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/gateway/balancing/circuit-breaker.js';
import { breakerCounts } from '../../../src/gateway/plugins/ai-proxy-advanced/failover.js';
import { parseAcls, permitted, type AclSubject } from '../../../src/gateway/plugins/ai-proxy-advanced/acls.js';
import { aliasExcluded, type AdvancedTarget } from '../../../src/gateway/plugins/ai-proxy-advanced/plan.js';
import { TargetBalancer, type Algorithm } from '../../../src/gateway/plugins/ai-proxy-advanced/balancer.js';
import { ReplyError } from '../../../src/gateway/plugin.js';

const breaker = (maxFails: number, clock: { t: number }, failTimeoutMs = 10_000): CircuitBreaker => new CircuitBreaker(2, { maxFails, failTimeoutMs }, () => clock.t);

describe('circuit breaker (max_fails, fail_timeout)', () => {
  it('takes a target out when its failures reach max_fails, and reconsiders it after fail_timeout', () => {
    const clock = { t: 0 };
    const b = breaker(3, clock);
    b.failure(0);
    b.failure(0);
    expect(b.available(0)).toBe(true);
    b.failure(0);
    expect(b.available(0)).toBe(false);
    expect(b.down()).toEqual([0]);
    expect(b.available(1)).toBe(true);
    clock.t = 9_999;
    expect(b.available(0)).toBe(false);
    clock.t = 10_000;
    expect(b.available(0)).toBe(true);
  });

  it('a reconsidered target that fails again is out for another fail_timeout; one that succeeds is healthy', () => {
    const clock = { t: 0 };
    const b = breaker(2, clock);
    b.failure(0);
    b.failure(0);
    clock.t = 10_000;
    b.failure(0);
    expect(b.available(0)).toBe(false);
    clock.t = 20_000;
    expect(b.available(0)).toBe(true);
    b.success(0);
    expect(b.state(0)).toEqual({ fails: 0, down: false });
    b.failure(0);
    expect(b.available(0)).toBe(true);
  });

  it('counts failures, not consecutive failures: a success inside the window keeps the count', () => {
    const clock = { t: 0 };
    const b = breaker(3, clock);
    b.failure(0);
    clock.t = 100;
    b.failure(0);
    clock.t = 200;
    b.success(0);
    expect(b.state(0).fails).toBe(2);
    b.failure(0);
    expect(b.available(0)).toBe(false);
  });

  it('a success fail_timeout after the last failure resets the count; an old count expires', () => {
    const clock = { t: 0 };
    const b = breaker(3, clock);
    b.failure(0);
    b.failure(0);
    clock.t = 10_000;
    b.success(0);
    expect(b.state(0).fails).toBe(0);
    b.failure(0);
    b.failure(0);
    clock.t = 30_000;
    b.failure(0);
    expect(b.state(0)).toEqual({ fails: 1, down: false });
  });

  it('max_fails 0 disables it', () => {
    const clock = { t: 0 };
    const b = breaker(0, clock);
    for (let i = 0; i < 10; i++) b.failure(0);
    expect(b.available(0)).toBe(true);
    expect(b.down()).toEqual([]);
  });

  it('counts error, timeout and invalid_header always, never 403/404, other statuses when failover_criteria lists them', () => {
    const criteria = new Set(['error', 'http_429']);
    expect(breakerCounts(criteria, { kind: 'connect', status: 502, sent: false })).toBe(true);
    expect(breakerCounts(criteria, { kind: 'timeout', status: 504, sent: true })).toBe(true);
    expect(breakerCounts(criteria, { kind: 'garbage', status: 502, sent: true })).toBe(true);
    expect(breakerCounts(criteria, { kind: 'http', status: 429, sent: true })).toBe(true);
    expect(breakerCounts(criteria, { kind: 'http', status: 500, sent: true })).toBe(false);
    expect(breakerCounts(new Set(['http_403', 'http_404']), { kind: 'http', status: 403, sent: true })).toBe(false);
    expect(breakerCounts(new Set(['http_403', 'http_404']), { kind: 'http', status: 404, sent: true })).toBe(false);
    expect(breakerCounts(criteria, { kind: 'http', status: 400, sent: true })).toBe(false);
  });

  it('every balancer algorithm skips a target that is out (the plugin excludes it like a tried one)', () => {
    const algorithms: Algorithm[] = ['round-robin', 'lowest-latency', 'lowest-usage', 'least-connections', 'consistent-hashing', 'priority', 'semantic'];
    for (const algorithm of algorithms) {
      const clock = { t: 0 };
      const b = breaker(1, clock);
      const lb = new TargetBalancer({ algorithm, weights: [100, 10], latencyStrategy: 'e2e', tokensCountStrategy: 'total-tokens', slots: 100 }, () => clock.t);
      b.failure(0);
      const picks = Array.from({ length: 6 }, () => lb.pick({ exclude: new Set(b.down()), hashKey: 'k', distances: [0, 1] }));
      expect(picks, algorithm).toEqual([1, 1, 1, 1, 1, 1]);
      clock.t = 10_000;
      expect(lb.pick({ exclude: new Set(b.down()), hashKey: 'k', distances: [0, 1] }) === null, algorithm).toBe(false);
    }
  });
});

const subject = (over: Partial<AclSubject> = {}): AclSubject => ({
  consumer: { id: 'c-1', username: 'alice' },
  groups: { ids: ['g-1'], names: ['gold'] },
  header: (n) => (n === 'x-team' ? 'red' : undefined),
  ip: '10.1.2.3',
  path: '/chat',
  models: ['gpt-4o'],
  provider: 'openai',
  ...over,
});

describe('model ACLs', () => {
  it('no rules: everything is permitted (null)', () => {
    expect(parseAcls(null)).toBeNull();
    expect(parseAcls({ allow: null, deny: null })).toBeNull();
  });

  it('deny wins over allow; with allow rules one must match; conditions of a rule are ANDed', () => {
    const acls = parseAcls({
      allow: [{ match: [{ type: 'consumer_group', values: ['gold'] }, { type: 'model', values: ['gpt-4o'] }] }, { match: [{ type: 'model', values: ['gpt-4o-mini'] }] }],
      deny: [{ match: [{ type: 'consumer', key: 'username', values: ['mallory'] }] }],
    });
    expect(acls).not.toBeNull();
    if (acls === null) return;
    expect(permitted(acls, subject())).toBe(true);
    expect(permitted(acls, subject({ groups: { ids: [], names: [] } }))).toBe(false);
    expect(permitted(acls, subject({ groups: { ids: [], names: [] }, models: ['gpt-4o-mini'] }))).toBe(true);
    expect(permitted(acls, subject({ consumer: { id: 'c-9', username: 'mallory' } }))).toBe(false);
    expect(permitted(acls, subject({ consumer: null }))).toBe(true);
  });

  it('matches each condition type, with its key', () => {
    const one = (c: Record<string, unknown>, s = subject()): boolean => {
      const acls = parseAcls({ allow: [{ match: [c] }] });
      return acls !== null && permitted(acls, s);
    };
    expect(one({ type: 'consumer', key: 'id', values: ['c-1'] })).toBe(true);
    expect(one({ type: 'consumer', key: 'id', values: ['alice'] })).toBe(false);
    expect(one({ type: 'consumer', values: ['alice'] })).toBe(true);
    expect(one({ type: 'consumer', values: ['alice'] }, subject({ consumer: null }))).toBe(false);
    expect(one({ type: 'consumer_group', key: 'id', values: ['g-1'] })).toBe(true);
    expect(one({ type: 'consumer_group', key: 'name', values: ['g-1'] })).toBe(false);
    expect(one({ type: 'header', key: 'X-Team', values: ['red'] })).toBe(true);
    expect(one({ type: 'header', key: 'X-Team', values: ['blue'] })).toBe(false);
    expect(one({ type: 'ip', values: ['10.0.0.0/8'] })).toBe(true);
    expect(one({ type: 'ip', values: ['192.168.0.1', '::1'] })).toBe(false);
    expect(one({ type: 'path', values: ['/chat'] })).toBe(true);
    expect(one({ type: 'path', values: ['/ch'] })).toBe(false);
    expect(one({ type: 'provider', values: ['openai'] })).toBe(true);
    expect(one({ type: 'provider', values: ['anthropic'] })).toBe(false);
    expect(one({ type: 'model', values: ['fast'] }, subject({ models: ['gpt-4o', 'fast'] }))).toBe(true);
  });

  it('refuses a header condition without a key and a bad ip at startup', () => {
    expect(() => parseAcls({ deny: [{ match: [{ type: 'header', values: ['x'] }] }] })).toThrow(/needs 'key'/);
    expect(() => parseAcls({ deny: [{ match: [{ type: 'ip', values: ['not-an-ip'] }] }] })).toThrow(/invalid ip/);
  });
});

const target = (alias: string | null): AdvancedTarget => ({ alias } as unknown as AdvancedTarget);

describe('model_alias selection', () => {
  it('no aliases: every target', () => {
    expect([...aliasExcluded([target(null), target(null)], 'anything')]).toEqual([]);
  });
  it('the client names an alias: only its targets (several may share it)', () => {
    const ts = [target('fast'), target('smart'), target('fast'), target(null)];
    expect([...aliasExcluded(ts, 'fast')]).toEqual([1, 3]);
    expect([...aliasExcluded(ts, 'smart')]).toEqual([0, 2, 3]);
  });
  it('a model that is no alias: the targets without one, else 400 naming the aliases', () => {
    expect([...aliasExcluded([target('fast'), target(null)], 'gpt-4o')]).toEqual([0]);
    let err: unknown;
    try {
      aliasExcluded([target('fast'), target('smart')], 'gpt-4o');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).reply.status).toBe(400);
    expect(JSON.stringify((err as ReplyError).reply.json)).toContain("model 'gpt-4o' is not one of this route's model aliases (fast, smart)");
  });
});
