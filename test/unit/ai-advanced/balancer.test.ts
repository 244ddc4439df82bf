import { describe, expect, it } from 'vitest';
import { TargetBalancer, type BalancerOptions, type Observation } from '../../../src/gateway/plugins/ai-proxy-advanced/balancer.js';
import { HashRing } from '../../../src/gateway/balancing/hash-ring.js';
import { SmoothWeighted } from '../../../src/gateway/balancing/weighted.js';
import { DecayingEwma, DecayingSum } from '../../../src/gateway/plugins/ai-proxy-advanced/scores.js';
import { inertCriteria, sentBeforeFailing, shouldFailover } from '../../../src/gateway/plugins/ai-proxy-advanced/failover.js';

const none = new Set<number>();
const ok = (latencyMs: number, completionTokens = 10, promptTokens = 10, cost = 0): Observation => ({ ok: true, latencyMs, completionTokens, promptTokens, cost });

function balancer(o: Partial<BalancerOptions> & { weights: number[] }, clock = { t: 0 }): TargetBalancer {
  return new TargetBalancer({ algorithm: 'round-robin', latencyStrategy: 'tpot', tokensCountStrategy: 'total-tokens', slots: 1000, ...o }, () => clock.t);
}

describe('smooth weighted round-robin', () => {
  it('spreads 5:1:1 without bursts, deterministically', () => {
    const rr = new SmoothWeighted([5, 1, 1]);
    const seq = Array.from({ length: 7 }, () => rr.pick([0, 1, 2]));
    expect(seq).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });
  it('only picks among candidates and returns null for none', () => {
    const rr = new SmoothWeighted([1, 1, 1]);
    expect(Array.from({ length: 4 }, () => rr.pick([0, 2]))).toEqual([0, 2, 0, 2]);
    expect(rr.pick([])).toBeNull();
  });
});

describe('hash ring', () => {
  it('maps a key to the same target every time and skips excluded targets', () => {
    const ring = new HashRing(['0', '1', '2'], [1, 1, 1], 300);
    const a = ring.lookup('user-42', none);
    expect(a).not.toBeNull();
    expect(ring.lookup('user-42', none)).toBe(a);
    const b = ring.lookup('user-42', new Set([a as number]));
    expect(b).not.toBe(a);
    expect(ring.lookup('user-42', new Set([0, 1, 2]))).toBeNull();
  });
  it('distributes keys roughly by weight', () => {
    const ring = new HashRing(['0', '1'], [3, 1], 1000);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[ring.lookup(`k${i}`, none) as number]++;
    expect(counts[0] / 4000).toBeGreaterThan(0.65);
    expect(counts[0] / 4000).toBeLessThan(0.85);
  });
  it('places targets by id, not position: removing one leaves most other keys where they were', () => {
    const ids3 = ['a:1', 'b:1', 'c:1'];
    const ids2 = ['a:1', 'c:1'];
    const three = new HashRing(ids3, [1, 1, 1], 300);
    const two = new HashRing(ids2, [1, 1], 300);
    let kept = 0;
    let others = 0;
    for (let i = 0; i < 3000; i++) {
      const before = ids3[three.lookup(`k${i}`, none) as number];
      if (before === 'b:1') continue;
      others++;
      if (ids2[two.lookup(`k${i}`, none) as number] === before) kept++;
    }
    // the survivors get b's share of the slots, so a few of their own keys move between them too
    expect(kept / others).toBeGreaterThan(0.8);
  });
});

describe('decaying scores', () => {
  it('ewma starts at the first sample, moves by alpha and fades with time', () => {
    const e = new DecayingEwma(0.5, 1000);
    expect(e.read(0)).toBe(0);
    e.observe(100, 0);
    expect(e.read(0)).toBe(100);
    e.observe(200, 0);
    expect(e.read(0)).toBe(150);
    expect(e.read(1000)).toBeCloseTo(75);
  });
  it('sum halves every half-life', () => {
    const s = new DecayingSum(1000);
    s.add(10, 0);
    s.add(10, 0);
    expect(s.read(1000)).toBeCloseTo(10);
  });
});

describe('balancer algorithms', () => {
  it('round-robin honours weights and exclusions', () => {
    const b = balancer({ weights: [2, 1] });
    expect([b.pick({ exclude: none }), b.pick({ exclude: none }), b.pick({ exclude: none })]).toEqual([0, 1, 0]);
    expect(b.pick({ exclude: new Set([0]) })).toBe(1);
    expect(b.pick({ exclude: new Set([0, 1]) })).toBeNull();
  });

  it('lowest-latency (tpot) prefers the faster target per output token, and probes untried ones first', () => {
    const clock = { t: 0 };
    const b = balancer({ algorithm: 'lowest-latency', weights: [1, 1] }, clock);
    const first = b.pick({ exclude: none }) as number;
    b.started(first);
    b.finished(first, ok(1000, 10)); // 100 ms/token
    const second = b.pick({ exclude: none }) as number;
    expect(second).toBe(1 - first);
    b.started(second);
    b.finished(second, ok(1000, 100)); // 10 ms/token
    for (let i = 0; i < 5; i++) expect(b.pick({ exclude: none })).toBe(second);
  });

  it('lowest-latency (e2e) ignores token counts; a failure is penalised; scores fade so the slow target is probed again', () => {
    const clock = { t: 0 };
    const b = balancer({ algorithm: 'lowest-latency', latencyStrategy: 'e2e', weights: [1, 1] }, clock);
    b.finished(0, ok(100, 1));
    b.finished(1, ok(200, 1000));
    expect(b.pick({ exclude: none })).toBe(0);
    b.finished(0, { ok: false, latencyMs: 50, completionTokens: 0, promptTokens: 0, cost: 0 });
    expect(b.pick({ exclude: none })).toBe(1);
    b.finished(1, ok(2000, 1));
    b.finished(1, ok(2000, 1));
    expect(b.pick({ exclude: none })).toBe(0);
  });

  it('lowest-usage counts tokens by strategy, divided by weight', () => {
    const b = balancer({ algorithm: 'lowest-usage', tokensCountStrategy: 'completion-tokens', weights: [1, 1] });
    b.finished(0, ok(1, 5, 1000));
    b.finished(1, ok(1, 50, 1));
    expect(b.pick({ exclude: none })).toBe(0);
    const p = balancer({ algorithm: 'lowest-usage', tokensCountStrategy: 'prompt-tokens', weights: [1, 1] });
    p.finished(0, ok(1, 5, 1000));
    p.finished(1, ok(1, 50, 1));
    expect(p.pick({ exclude: none })).toBe(1);
    const c = balancer({ algorithm: 'lowest-usage', tokensCountStrategy: 'cost', weights: [1, 1] });
    c.finished(0, ok(1, 1, 1, 0.5));
    c.finished(1, ok(1, 1, 1, 0.1));
    expect(c.pick({ exclude: none })).toBe(1);
    const w = balancer({ algorithm: 'lowest-usage', weights: [10, 1] });
    w.finished(0, ok(1, 50, 50));
    w.finished(1, ok(1, 10, 10));
    expect(w.pick({ exclude: none })).toBe(0);
  });

  it('least-connections picks the target with the fewest in-flight requests', () => {
    const b = balancer({ algorithm: 'least-connections', weights: [1, 1, 1] });
    b.started(0);
    b.started(1);
    expect(b.pick({ exclude: none })).toBe(2);
    b.started(2);
    b.started(2);
    b.finished(0, ok(1));
    expect(b.pick({ exclude: none })).toBe(0);
    expect(b.pick({ exclude: new Set([0]) })).toBe(1);
  });

  it('consistent-hashing keeps a key on one target and fails over along the ring', () => {
    const b = balancer({ algorithm: 'consistent-hashing', weights: [1, 1, 1] });
    const t = b.pick({ exclude: none, hashKey: 'alice' });
    expect(b.pick({ exclude: none, hashKey: 'alice' })).toBe(t);
    expect(b.pick({ exclude: new Set([t as number]), hashKey: 'alice' })).not.toBe(t);
    const seen = new Set(Array.from({ length: 50 }, (_, i) => b.pick({ exclude: none, hashKey: `u${i}` })));
    expect(seen.size).toBe(3);
  });

  it('priority uses the highest weight group first (round-robin inside) and falls back to lower groups', () => {
    const b = balancer({ algorithm: 'priority', weights: [10, 10, 1] });
    expect([b.pick({ exclude: none }), b.pick({ exclude: none }), b.pick({ exclude: none })]).toEqual([0, 1, 0]);
    expect(b.pick({ exclude: new Set([0]) })).toBe(1);
    expect(b.pick({ exclude: new Set([0, 1]) })).toBe(2);
    expect(b.pick({ exclude: new Set([0, 1, 2]) })).toBeNull();
  });

  it('semantic picks the nearest target, then the next nearest', () => {
    const b = balancer({ algorithm: 'semantic', weights: [1, 1, 1] });
    expect(b.pick({ exclude: none, distances: [0.6, 0.1, 0.3] })).toBe(1);
    expect(b.pick({ exclude: new Set([1]), distances: [0.6, 0.1, 0.3] })).toBe(2);
    expect([0, 1, 2]).toContain(b.pick({ exclude: none }));
  });
});

describe('failover criteria (nginx proxy_next_upstream semantics)', () => {
  const crit = (...c: string[]): Set<string> => new Set(c);
  it('fails over on connection errors before sending with error alone', () => {
    expect(shouldFailover(crit('error', 'timeout'), { kind: 'connect', status: 502, sent: false })).toBe(true);
    expect(shouldFailover(crit('timeout'), { kind: 'connect', status: 502, sent: false })).toBe(false);
  });
  it('needs non_idempotent once the POST may have reached the upstream', () => {
    expect(shouldFailover(crit('error', 'timeout', 'http_500'), { kind: 'http', status: 500, sent: true })).toBe(false);
    expect(shouldFailover(crit('http_500', 'non_idempotent'), { kind: 'http', status: 500, sent: true })).toBe(true);
    expect(shouldFailover(crit('timeout', 'non_idempotent'), { kind: 'timeout', status: 504, sent: true })).toBe(true);
    expect(shouldFailover(crit('timeout'), { kind: 'timeout', status: 504, sent: true })).toBe(false);
  });
  it('maps statuses and garbage to their criteria only', () => {
    const all = crit('http_429', 'invalid_header', 'non_idempotent');
    expect(shouldFailover(all, { kind: 'http', status: 429, sent: true })).toBe(true);
    expect(shouldFailover(all, { kind: 'http', status: 503, sent: true })).toBe(false);
    expect(shouldFailover(all, { kind: 'http', status: 400, sent: true })).toBe(false);
    expect(shouldFailover(all, { kind: 'garbage', status: 502, sent: true })).toBe(true);
  });
  it('classifies network errors as sent or not from their code', () => {
    expect(sentBeforeFailing('connect', 'could not be reached (ECONNREFUSED)')).toBe(false);
    expect(sentBeforeFailing('connect', 'could not be reached (UND_ERR_SOCKET)')).toBe(true);
    expect(sentBeforeFailing('http', '')).toBe(true);
  });
  it('reports criteria that cannot fire without non_idempotent', () => {
    expect(inertCriteria(['error', 'http_500', 'invalid_header'])).toEqual(['http_500', 'invalid_header']);
    expect(inertCriteria(['http_500', 'non_idempotent'])).toEqual([]);
  });
});
