/**
 * ai-rate-limiting-advanced `policies[]` (Kong 3.14): parsing, matching each condition type,
 * partitions, the fallback policy, and the access phase's windows, headers and 429.
 */
import { describe, expect, it } from 'vitest';
import { parseBudgetConfig } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/config.js';
import { aiRateLimitingAdvanced } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/index.js';
import { answeredBy, conditionValue, parsePolicies, selectPolicies, type RequestFacts } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/policies.js';
import { deps, drive } from './drive.js';
import type { RouteInfo } from '../../../src/gateway/context.js';

const T0 = 1_700_000_040_000;
const body = (words: number, extra: Record<string, unknown> = {}) => JSON.stringify({ messages: [{ role: 'user', content: Array.from({ length: words }, () => 'w').join(' ') }], ...extra });
const limits = [{ limit: 10, window_size: 60 }];

function facts(o: Partial<RequestFacts> = {}): RequestFacts {
  const headers: Record<string, string> = { 'x-team': 'red' };
  return {
    consumer: { id: 'c1', username: 'ann', custom_id: 'A-1' }, groupIds: ['g1', 'g2'], groupNames: ['gold', 'silver'],
    header: (n) => headers[n], ip: '10.1.2.3', path: '/v1/chat', models: ['gpt-4o'], providers: ['openai'], ...o,
  };
}

const one = (m: Record<string, unknown>) => parsePolicies([{ match: [m], limits }], 'sliding')[0].match[0];

describe('parsePolicies', () => {
  it('names policies policy-<n>, defaults the strategy, and lets either window_type say fixed', () => {
    const p = parsePolicies([{ limits }, { match: [{ type: 'ip' }], limits: [{ limit: 5, window_size: 3600, tokens_count_strategy: 'cost' }], window_type: 'fixed' }], 'sliding');
    expect(p.map((x) => [x.name, x.windowType])).toEqual([['policy-1', 'sliding'], ['policy-2', 'fixed']]);
    expect(p[0].limits).toEqual([{ limit: 10, size: 60, strategy: 'total_tokens' }]);
    expect(p[1].limits[0].strategy).toBe('cost');
    expect(parsePolicies([{ limits, window_type: 'sliding' }], 'fixed')[0].windowType).toBe('fixed');
    // the plugin's tokens_count_strategy applies to the limits left at the default
    const inherited = parsePolicies([{ limits: [{ limit: 1, window_size: 60 }, { limit: 1, window_size: 60, tokens_count_strategy: 'prompt_tokens' }] }], 'sliding', 'cost');
    expect(inherited[0].limits.map((l) => l.strategy)).toEqual(['cost', 'prompt_tokens']);
  });

  it('refuses at startup what cannot run, naming the policy', () => {
    expect(() => parsePolicies([{ id: '0a2b6d1e-0000-4000-8000-000000000001' }], 'sliding')).toThrow(/policies\[0\] \(policy-1\): 'id' references a reusable ai_rate_limiting_policies entity/);
    expect(() => parsePolicies([{ match: [{ type: 'ip' }] }], 'sliding')).toThrow(/'limits' must list at least one limit/);
    expect(() => parsePolicies([{ limits: [{ limit: 1, window_size: 0 }] }], 'sliding')).toThrow(/limits\[0\]: 'window_size' must be greater than 0/);
    expect(() => one({ type: 'header' })).toThrow(/'header' condition needs 'key'/);
    expect(() => one({ type: 'consumer', key: 'email' })).toThrow(/must be one of id, username, custom_id/);
    expect(() => one({ type: 'consumer_group', key: 'username' })).toThrow(/must be one of id, name/);
    expect(() => one({ type: 'model', key: 'x' })).toThrow(/a 'model' condition takes no 'key'/);
    expect(() => one({ type: 'ip', values: ['not-an-ip'] })).toThrow(/invalid ip or cidr range: 'not-an-ip'/);
    expect(() => one({ type: 'tenant' })).toThrow(/'type' must be one of/);
  });

  it('llm_providers and policies exclude each other; one of them is needed', () => {
    const providers = [{ name: 'openai', limit: [1], window_size: [60] }];
    expect(() => parseBudgetConfig({ llm_providers: providers, policies: [{ limits }] })).toThrow("only one or none of these fields must be set: 'llm_providers', 'policies'");
    expect(() => parseBudgetConfig({})).toThrow(/'policies' \(or the deprecated 'llm_providers'\) must list at least one limit/);
    expect(parseBudgetConfig({ policies: [{ limits }] })).toMatchObject({ providers: [], policies: [{ name: 'policy-1' }] });
  });
});

describe('conditions', () => {
  it('consumer by id, username, custom_id, or any of them', () => {
    expect(conditionValue(one({ type: 'consumer', key: 'id', values: ['c1'] }), facts())).toBe('c1');
    expect(conditionValue(one({ type: 'consumer', key: 'id', values: ['ann'] }), facts())).toBeNull();
    expect(conditionValue(one({ type: 'consumer', key: 'username', values: ['ann'] }), facts())).toBe('ann');
    expect(conditionValue(one({ type: 'consumer', key: 'custom_id', values: ['A-1'] }), facts())).toBe('A-1');
    expect(conditionValue(one({ type: 'consumer', values: ['ann'] }), facts())).toBe('ann');
    expect(conditionValue(one({ type: 'consumer' }), facts())).toBe('c1');
    expect(conditionValue(one({ type: 'consumer' }), facts({ consumer: null }))).toBeNull();
  });

  it('consumer_group by id or name, any of the consumer\'s groups', () => {
    expect(conditionValue(one({ type: 'consumer_group', key: 'name', values: ['silver'] }), facts())).toBe('silver');
    expect(conditionValue(one({ type: 'consumer_group', key: 'id', values: ['silver'] }), facts())).toBeNull();
    expect(conditionValue(one({ type: 'consumer_group', key: 'id', values: ['g2'] }), facts())).toBe('g2');
    expect(conditionValue(one({ type: 'consumer_group', key: 'name' }), facts({ groupIds: [], groupNames: [] }))).toBeNull();
  });

  it('header (name case-insensitive), ip (address or CIDR), path, model, provider', () => {
    expect(conditionValue(one({ type: 'header', key: 'X-Team', values: ['red'] }), facts())).toBe('red');
    expect(conditionValue(one({ type: 'header', key: 'X-Team', values: ['blue'] }), facts())).toBeNull();
    expect(conditionValue(one({ type: 'header', key: 'X-Other' }), facts())).toBeNull();
    expect(conditionValue(one({ type: 'ip', values: ['10.1.0.0/16'] }), facts())).toBe('10.1.2.3');
    expect(conditionValue(one({ type: 'ip', values: ['10.2.0.0/16', '10.1.2.4'] }), facts())).toBeNull();
    expect(conditionValue(one({ type: 'path', values: ['/v1/chat'] }), facts())).toBe('/v1/chat');
    expect(conditionValue(one({ type: 'path', values: ['/v1'] }), facts())).toBeNull();
    expect(conditionValue(one({ type: 'model', values: ['gpt-4o-mini', 'gpt-4o'] }), facts())).toBe('gpt-4o');
    expect(conditionValue(one({ type: 'model' }), facts({ models: [] }))).toBeNull();
    expect(conditionValue(one({ type: 'provider', values: ['anthropic'] }), facts({ providers: ['openai', 'anthropic'] }))).toBe('anthropic');
    expect(conditionValue(one({ type: 'provider' }), facts({ providers: [] }))).toBeNull();
  });
});

describe('selectPolicies', () => {
  const ps = parsePolicies([
    { match: [{ type: 'consumer_group', key: 'name', values: ['gold'] }, { type: 'consumer', partition_by: true }], limits },
    { match: [{ type: 'model', partition_by: true }], limits },
    { match: [{ type: 'header', key: 'x-team', values: ['blue'] }], limits },
    { limits },
  ], 'sliding');

  it('applies every policy whose conditions all hold (AND), each partitioned by its partition_by values', () => {
    expect(selectPolicies(ps, facts()).map((m) => [m.policy.name, m.partition])).toEqual([['policy-1', 'consumer=c1'], ['policy-2', 'model=gpt-4o']]);
    expect(selectPolicies(ps, facts({ consumer: { id: 'c2', username: null, custom_id: null } })).map((m) => m.partition)).toEqual(['consumer=c2', 'model=gpt-4o']);
    expect(selectPolicies(ps, facts({ groupNames: ['silver'] })).map((m) => m.policy.name)).toEqual(['policy-2']);
  });

  it('on a route with several targets, a provider/model partition applies once per matching target', () => {
    const route = facts({ providers: ['openai', 'anthropic', 'mistral'], models: ['gpt-4o', 'claude'] });
    const byProvider = parsePolicies([{ match: [{ type: 'provider', values: ['openai', 'anthropic'], partition_by: true }], limits }], 'sliding');
    expect(selectPolicies(byProvider, route).map((m) => [m.partition, m.provider])).toEqual([['provider=openai', ['openai']], ['provider=anthropic', ['anthropic']]]);
    const shared = parsePolicies([{ match: [{ type: 'provider', values: ['openai', 'anthropic'] }, { type: 'model', partition_by: true }], limits }], 'sliding');
    expect(selectPolicies(shared, route).map((m) => [m.partition, m.provider, m.model])).toEqual([
      ['model=gpt-4o', ['openai', 'anthropic'], ['gpt-4o']], ['model=claude', ['openai', 'anthropic'], ['claude']],
    ]);
  });

  it('settlement charges a match only when the answer is one it stands for', () => {
    expect(answeredBy({}, 'openai', ['gpt-4o'])).toBe(true);
    expect(answeredBy({ provider: ['openai'] }, 'openai', [null])).toBe(true);
    expect(answeredBy({ provider: ['anthropic'] }, 'openai', ['gpt-4o'])).toBe(false);
    expect(answeredBy({ model: ['gpt-4o'] }, 'openai', ['gpt-4o-mini', 'gpt-4o'])).toBe(true);
    expect(answeredBy({ model: ['gpt-4o'] }, 'openai', ['gpt-4o-mini', null])).toBe(false);
  });

  it('a policy without conditions is the fallback of requests no other policy matched', () => {
    expect(selectPolicies(ps, facts({ groupNames: [], models: [] })).map((m) => [m.policy.name, m.partition])).toEqual([['policy-4', '']]);
    expect(selectPolicies(parsePolicies([{ match: [{ type: 'ip', values: ['192.0.2.1'] }], limits }], 'sliding'), facts())).toEqual([]);
  });
});

describe('access phase with policies', () => {
  const make = (config: Record<string, unknown>, now = () => T0) => aiRateLimitingAdvanced.create(aiRateLimitingAdvanced.parse!({ identifier: 'ip', ...config }), deps({ now }));

  it('counts each limit with its own strategy and window, with policy-<n> headers', async () => {
    const inst = make({ policies: [{ limits: [{ limit: 100, window_size: 60 }, { limit: 20, window_size: 3600, tokens_count_strategy: 'prompt_tokens' }, { limit: 1, window_size: 86400, tokens_count_strategy: 'cost' }] }] });
    const { reply, ctx } = await drive(inst, body(4, { max_tokens: 6 }));
    expect(reply).toBeNull();
    // total: 4 prompt + 6 reserved; prompt: 4; cost: the route has no priced model, so its calls cost 0
    expect(ctx.responseHeaders).toMatchObject({
      'X-AI-RateLimit-Limit-60-policy-1': '100', 'X-AI-RateLimit-Remaining-60-policy-1': '90',
      'X-AI-RateLimit-Limit-86400-policy-1': '1', 'X-AI-RateLimit-Remaining-86400-policy-1': '1',
      'X-AI-RateLimit-Limit-3600-policy-1': '20', 'X-AI-RateLimit-Remaining-3600-policy-1': '16',
    });
  });

  it('a cost limit reserves the most the call can cost at the route\'s prices, so concurrent calls cannot overspend it', async () => {
    const priced = (pricing: Record<string, unknown>): RouteInfo => ({
      entity: { id: 'r' }, id: 'r', name: 'r', inputFormat: 'openai',
      aiModels: [{ provider: 'openai', model: 'gpt-4o', maxTokens: null, pricing }],
    });
    const route = priced({ input_cost: 10, output_cost: 30 });
    const inst = make({ policies: [{ limits: [{ limit: 0.001, window_size: 60, tokens_count_strategy: 'cost' }] }] });
    // (4 prompt × $10 + 6 completion × $30) per 1M tokens = $0.00022 reserved
    const first = await drive(inst, body(4, { max_tokens: 6 }), undefined, route);
    expect(first.reply).toBeNull();
    expect(first.ctx.responseHeaders['X-AI-RateLimit-Remaining-60-policy-1']).toBe('0.00078');
    const rest = await Promise.all(Array.from({ length: 8 }, () => drive(inst, body(4, { max_tokens: 6 }), undefined, route)));
    // admitted while used + reserved < limit: 0.00022 × 4 more, the others refused before any answer
    expect(rest.filter((r) => r.reply === null)).toHaveLength(4);
    expect(rest.filter((r) => r.reply?.status === 429)).toHaveLength(4);
    // the bound takes the dearest input rate, the context-window factor and the largest tier factor
    const dear = make({ policies: [{ limits: [{ limit: 1, window_size: 60, tokens_count_strategy: 'cost' }] }] });
    const bound = await drive(dear, body(4, { max_tokens: 6 }), undefined, priced({ input_cost: 10, output_cost: 30, cache_write_cost: 20, context_window_factor: [{ above: '2', input_factor: 2, output_factor: 1 }], service_tier_factor: [{ tier: 'priority', factor: 1.5 }] }));
    // 1.5 × (2 × 4 × 20 + 6 × 30) / 1e6 = 0.000510
    expect(bound.ctx.responseHeaders['X-AI-RateLimit-Remaining-60-policy-1']).toBe('0.99949');
    // llm_providers with tokens_count_strategy: cost reserve the same way, per provider
    const legacy = make({ llm_providers: [{ name: 'openai', limit: [0.001], window_size: [60] }], tokens_count_strategy: 'cost' });
    expect((await drive(legacy, body(4, { max_tokens: 6 }), undefined, route)).ctx.responseHeaders['X-AI-RateLimit-Remaining-60-openai']).toBe('0.00078');
    // an unpriced model costs 0 and reserves 0
    const free = await drive(dear, body(4, { max_tokens: 6 }), undefined, priced({}));
    expect(free.ctx.responseHeaders['X-AI-RateLimit-Remaining-60-policy-1']).toBe('0.99949');
  });

  it('refuses with Kong\'s message naming the exhausted policies, and every window in the headers', async () => {
    const inst = make({ policies: [{ limits: [{ limit: 5, window_size: 60 }] }, { match: [{ type: 'ip' }], limits: [{ limit: 100, window_size: 60 }] }] });
    const { reply } = await drive(inst, body(6));
    // the ip policy matched, so the unconditional policy-1 (the fallback) does not apply
    expect(reply).toBeNull();
    const tight = make({ policies: [{ match: [{ type: 'ip' }], limits: [{ limit: 5, window_size: 60 }] }, { match: [{ type: 'path' }], limits: [{ limit: 100, window_size: 60 }] }] });
    const r = await drive(tight, body(6));
    expect(r.reply).toMatchObject({ status: 429, message: 'AI token rate limit exceeded for provider(s): policy-1' });
    expect(r.reply?.headers).toMatchObject({ 'X-AI-RateLimit-Limit-60-policy-1': '5', 'X-AI-RateLimit-Limit-60-policy-2': '100', 'X-AI-RateLimit-Retry-After': '60' });
    // Kong's per-policy headers: how long until each window's quota is restored
    expect(r.reply?.headers).toMatchObject({ 'X-AI-RateLimit-Reset-60-policy-1': '60', 'X-AI-RateLimit-Reset-60-policy-2': '60', 'X-AI-RateLimit-Retry-After-60-policy-1': '60' });
    expect(r.reply?.headers).not.toHaveProperty('X-AI-RateLimit-Retry-After-60-policy-2');
  });

  it('fixed windows reopen at the bucket end; sliding ones weigh the previous bucket', async () => {
    let now = T0;
    const policy = (window_type: string) => make({ policies: [{ limits: [{ limit: 10, window_size: 60, tokens_count_strategy: 'prompt_tokens' }], window_type }] }, () => now);
    const fixed = policy('fixed');
    const sliding = policy('sliding');
    now = T0 - (T0 % 60_000) + 30_000;
    for (const inst of [fixed, sliding]) expect((await drive(inst, body(9))).reply).toBeNull();
    now += 45_000; // 15 s into the next bucket: the previous one still weighs 9 × 45/60 ≈ 6.75
    expect((await drive(fixed, body(9))).reply).toBeNull();
    expect((await drive(sliding, body(9))).reply).toMatchObject({ status: 429 });
  });

  it('the dashboard reads what is used of each policy window, per identifier and partition', async () => {
    const inst = make({ policies: [{ match: [{ type: 'header', key: 'x-team', partition_by: true }], limits: [{ limit: 50, window_size: 60, tokens_count_strategy: 'prompt_tokens' }] }] });
    await drive(inst, body(5), { 'content-type': 'application/json', 'x-team': 'red' });
    await drive(inst, body(7), { 'content-type': 'application/json', 'x-team': 'blue' });
    const rows = await inst.limits!(T0);
    expect(rows.map((r) => [r.subject, r.window, r.unit, r.limit, r.used]).sort()).toEqual([
      ['ip:127.0.0.1|header=blue', '60 s policy-1', 'tokens', 50, 7],
      ['ip:127.0.0.1|header=red', '60 s policy-1', 'tokens', 50, 5],
    ]);
  });

  it('partition_by gives each value its own counters', async () => {
    const inst = make({ policies: [{ match: [{ type: 'header', key: 'x-team', partition_by: true }], limits: [{ limit: 5, window_size: 60, tokens_count_strategy: 'prompt_tokens' }] }] });
    const red = { 'content-type': 'application/json', 'x-team': 'red' };
    const blue = { 'content-type': 'application/json', 'x-team': 'blue' };
    expect((await drive(inst, body(5), red)).reply).toBeNull();
    expect((await drive(inst, body(1), red)).reply).toMatchObject({ status: 429 });
    expect((await drive(inst, body(5), blue)).reply).toBeNull();
    // without the header the condition does not hold: no policy applies, nothing is counted
    const none = await drive(inst, body(50));
    expect(none.reply).toBeNull();
    expect(Object.keys(none.ctx.responseHeaders).some((k) => k.startsWith('X-AI-RateLimit'))).toBe(false);
  });
});
