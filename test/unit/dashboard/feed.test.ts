import { describe, expect, it } from 'vitest';
import type { RequestSummary } from '../../../src/gateway/dashboard/api-types.js';
import type { GatewayContext } from '../../../src/gateway/context.js';
import { ConfigLog, RECENT_KEPT, REQUESTS_KEPT, RequestFeed, Ring } from '../../../src/gateway/dashboard/feed.js';
import { FlowCounter, NO_ROUTE } from '../../../src/gateway/dashboard/flow.js';
import { maskHeaders } from '../../../src/gateway/dashboard/summary.js';
import { Totals } from '../../../src/gateway/dashboard/totals.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function req(over: Partial<RequestSummary> = {}, ai: Partial<NonNullable<RequestSummary['ai']>> | null = null): RequestSummary {
  return {
    seq: 1, id: 'r', time: T0, method: 'POST', path: '/ai', status: 200, upstreamStatus: 200, routeId: 'route-1', route: 'chat', service: 'llm',
    consumer: 'alice', latencyMs: 5, upstreamMs: 4, exit: null, error: null, hasDetail: false,
    ai: ai === null ? null : { provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o', promptTokens: 10, completionTokens: 20, cost: 0.5, ttftMs: null, llmLatencyMs: 3, stream: false, cache: null, attempts: null, tries: null, ...ai },
    ...over,
  };
}

describe('Ring', () => {
  it('keeps the last `capacity` items, oldest first', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 2; i++) r.push(i);
    expect(r.toArray()).toEqual([1, 2]);
    for (let i = 3; i <= 7; i++) r.push(i);
    expect(r.toArray()).toEqual([5, 6, 7]);
    expect(r.size).toBe(3);
    expect(r.find((x) => x === 4)).toBeUndefined();
    expect(r.find((x) => x === 6)).toBe(6);
  });
});

/** A finished request as the pipeline's log step hands it over (only what summarize reads). */
function finished(i: number): GatewayContext {
  return {
    timings: { start: 0n, end: 1_000_000n, upstreamStart: null, upstreamHeaders: null }, reply: null, consumer: null,
    requestId: `r${i}`, startedAt: T0 + i, method: 'POST', path: '/ai', res: { statusCode: 200 }, upstreamStatus: 200,
    route: null, service: null, exitPlugin: null, get: () => undefined,
  } as unknown as GatewayContext;
}

describe('RequestFeed', () => {
  it('keeps the last RECENT_KEPT summaries (what a snapshot sends; the page keeps up to REQUESTS_KEPT), and counts every request', () => {
    const feed = new RequestFeed();
    for (let i = 1; i <= RECENT_KEPT + 50; i++) feed.record(finished(i));
    const kept = feed.requests.toArray();
    expect(kept).toHaveLength(RECENT_KEPT);
    expect(kept[0].id).toBe('r51');
    expect(kept.at(-1)?.id).toBe(`r${RECENT_KEPT + 50}`);
    expect(RECENT_KEPT).toBeLessThanOrEqual(REQUESTS_KEPT);
    expect(feed.totals.view('5m', T0 + 60_000).all.requests).toBe(RECENT_KEPT + 50);
  });
});

describe('Totals', () => {
  it('sums tokens, cost, errors and cache hits per consumer, route, provider and model', () => {
    const t = new Totals();
    t.add(req({}, {}));
    t.add(req({ consumer: 'bob', time: T0 + 61_000 }, { model: 'gpt-4o-mini', cost: 0.25, cache: 'Hit' }));
    t.add(req({ consumer: null, status: 401, routeId: 'route-1', time: T0 + 62_000 }));
    t.add(req({ status: 502, time: T0 + 63_000 }, { cache: 'Miss', promptTokens: 1, completionTokens: 0, cost: 0 }));
    const v = t.view('5m', T0 + 64_000);
    expect(v.all).toMatchObject({ requests: 4, clientErrors: 1, serverErrors: 1, promptTokens: 21, completionTokens: 40, cost: 0.75, cacheHits: 1, cacheLookups: 2 });
    expect(v.byConsumer.map((r) => [r.key, r.requests, r.cost])).toEqual([['alice', 2, 0.5], ['bob', 1, 0.25], ['(anonymous)', 1, 0]]);
    expect(v.byModel.map((r) => [r.key, r.requests])).toEqual([['openai/gpt-4o', 2], ['openai/gpt-4o-mini', 1]]);
    expect(v.byProvider).toHaveLength(1);
    expect(v.byRoute[0]).toMatchObject({ key: 'chat', requests: 4 });
    // one point per minute of the window, the current (partial) minute last
    expect(v.series).toHaveLength(5);
    expect(v.series.at(-1)).toEqual([T0 + 60_000, 3, 1, 1, 31, 0.25]);
    expect(v.series.at(-2)).toEqual([T0, 1, 0, 0, 30, 0.5]);
  });

  it('forgets minutes outside the window and answers longer windows from hour buckets', () => {
    const t = new Totals();
    t.add(req({}, {}));
    t.add(req({ time: T0 + 20 * 60_000 }, {}));
    expect(t.view('5m', T0 + 20 * 60_000).all.requests).toBe(1);
    expect(t.view('1h', T0 + 20 * 60_000).all.requests).toBe(2);
    const day = t.view('24h', T0 + 3 * 3_600_000);
    expect(day.all.requests).toBe(2);
    expect(day.series).toHaveLength(24);
    // an unknown window falls back to 15 minutes
    expect(t.view('forever', T0 + 20 * 60_000).window).toBe('forever');
    expect(t.view('forever', T0 + 20 * 60_000).series).toHaveLength(15);
  });

  it('keeps bounded keys per dimension (the rest under one row)', () => {
    const t = new Totals();
    for (let i = 0; i < 2000; i++) t.add(req({ consumer: `c${i}` }));
    const rows = t.view('5m', T0).byConsumer;
    expect(rows.length).toBeLessThan(2000);
    expect(rows.reduce((a, r) => a + r.requests, 0)).toBe(2000);
  });
});

describe('FlowCounter', () => {
  it('counts per route which plugin refused or answered and which target answered', () => {
    const f = new FlowCounter();
    f.add(req({}, {}));
    f.add(req({ status: 401, upstreamStatus: null, exit: { plugin: 'key-auth', status: 401, message: 'Unauthorized', reason: null } }));
    f.add(req({ status: 200, upstreamStatus: null, exit: { plugin: 'ai-semantic-cache', status: 200, message: null, reason: null } }));
    f.add(req({ routeId: null, route: null, status: 404, upstreamStatus: null }));
    f.add(req({ routeId: 'gone' }));
    const v = f.view(['route-1']);
    expect(v['route-1']).toEqual({ total: 3, refused: { 'key-auth': 1 }, answered: { 'ai-semantic-cache': 1 }, targets: { 'openai/gpt-4o': 1 }, status: { '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 0 } });
    expect(v[NO_ROUTE].total).toBe(1);
    expect(v.gone).toBeUndefined();
  });
});

describe('maskHeaders', () => {
  it('masks what plugins redact, and names that look secret when asked', () => {
    const h = { authorization: 'Bearer x', apikey: 'k', 'x-session-token': 't', accept: 'a', 'x-custom': ['1', '2'], gone: undefined };
    expect(maskHeaders(h, new Set(['apikey']), true)).toEqual({ authorization: '[masked]', apikey: '[masked]', 'x-session-token': '[masked]', accept: 'a', 'x-custom': ['1', '2'] });
    expect(maskHeaders(h, new Set(['apikey']), false)).toMatchObject({ authorization: 'Bearer x', apikey: '[masked]' });
  });
});

describe('ConfigLog', () => {
  it('keeps the last reloads and the last invalid one apart', () => {
    const log = new ConfigLog();
    const seen: boolean[] = [];
    log.subscribe((r) => seen.push(r.ok));
    log.publish({ at: 1, source: 'file', ok: false, issues: ['kong.yaml:3:5  error  AIGW_X  bad'], error: null });
    for (let i = 0; i < 30; i++) log.publish({ at: 2 + i, source: 'file', ok: true, issues: [], error: null });
    expect(log.reloads.size).toBe(20);
    expect(log.lastInvalid?.issues[0]).toContain('kong.yaml:3:5');
    expect(seen).toHaveLength(31);
  });
});
