import { describe, expect, it } from 'vitest';
import { parseBudgetConfig } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/config.js';
import { aiRateLimitingAdvanced } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/index.js';
import { identify } from '../../../src/gateway/plugins/ai-rate-limiting-advanced/identify.js';
import { AI_REQUEST } from '../../../src/gateway/llm/formats/request.js';
import type { Consumers } from '../../../src/gateway/consumers.js';
import type { Entity } from '../../../src/config/state.js';
import { deps, drive } from './drive.js';

const T0 = 1_700_000_040_000;
const base = { llm_providers: [{ name: 'openai', limit: [10], window_size: [60] }] };
const body = (words: number, extra: Record<string, unknown> = {}) => JSON.stringify({ messages: [{ role: 'user', content: Array.from({ length: words }, () => 'w').join(' ') }], ...extra });

describe('config', () => {
  it('has Kong defaults', () => {
    const c = parseBudgetConfig(base);
    expect(c).toMatchObject({ strategy: 'local', windowType: 'sliding', identifier: 'consumer', countStrategy: 'total_tokens', errorCode: 429, errorMessage: 'AI token rate limit exceeded for provider(s): ', hideProviders: false, disablePenalty: false, jitterMax: 0 });
    expect(c.providers).toEqual([{ name: 'openai', model: null, windows: [{ size: 60, limit: 10 }] }]);
  });
  it('refuses what cannot run', () => {
    expect(() => parseBudgetConfig({ llm_providers: [{ name: 'openai', limit: [1, 2], window_size: [60] }] })).toThrow('You must provide the same number of windows and limits');
    expect(() => parseBudgetConfig({ ...base, strategy: 'cluster' })).toThrow(/cluster/);
    expect(() => parseBudgetConfig({ ...base, identifier: 'header' })).toThrow(/header_name/);
    expect(() => parseBudgetConfig({ ...base, identifier: 'path' })).toThrow(/'path'/);
    expect(() => parseBudgetConfig({ llm_providers: [] })).toThrow(/must list at least one limit/);
    expect(() => parseBudgetConfig({ llm_providers: [{ name: 'openai', limit: [1], window_size: [0] }] })).toThrow(/greater than 0/);
  });
});

describe('identify', () => {
  it('keys by consumer, credential, group, service, header, path, falling back to the client ip', async () => {
    const { ctx } = await drive({}, '{}', { 'content-type': 'application/json', 'x-team': 'red' });
    const consumers = { consumerGroups: (id: string) => (id === 'c1' ? ['alpha', 'zeta'] : []) } as unknown as Consumers;
    const id = (o: Record<string, unknown>) => identify(ctx, parseBudgetConfig({ ...base, ...o }), consumers);
    expect(id({ identifier: 'consumer' })).toBe('ip:127.0.0.1');
    expect(id({ identifier: 'credential' })).toBe('ip:127.0.0.1');
    expect(id({ identifier: 'service' })).toBe('ip:127.0.0.1');
    expect(id({ identifier: 'consumer-group' })).toBe('ip:127.0.0.1');
    ctx.consumer = { id: 'c1', username: 'ann', custom_id: null, entity: {} as Entity };
    ctx.credential = { id: 'k1', consumerId: 'c1', identifier: 'k1' };
    ctx.service = { id: 's1', name: 'svc', entity: {} as Entity };
    expect(id({ identifier: 'consumer' })).toBe('consumer:c1');
    expect(id({ identifier: 'credential' })).toBe('credential:k1');
    expect(id({ identifier: 'consumer-group' })).toBe('group:alpha');
    expect(id({ identifier: 'service' })).toBe('service:s1');
    expect(id({ identifier: 'ip' })).toBe('ip:127.0.0.1');
    expect(id({ identifier: 'header', header_name: 'X-Team' })).toBe('header:red');
    expect(id({ identifier: 'header', header_name: 'X-Other' })).toBe('ip:127.0.0.1');
    expect(id({ identifier: 'path', path: '/' })).toBe('path:/');
    expect(id({ identifier: 'path', path: '/other' })).toBe('ip:127.0.0.1');
  });
});

describe('access phase', () => {
  const make = (config: Record<string, unknown>, now = () => T0) => {
    const d = deps({ now });
    return aiRateLimitingAdvanced.create(aiRateLimitingAdvanced.parse!({ identifier: 'ip', ...config }), d);
  };

  it('refuses a prompt larger than the whole budget, naming the provider', async () => {
    const inst = make(base);
    const { reply } = await drive(inst, body(11));
    expect(reply).toMatchObject({ status: 429, message: 'AI token rate limit exceeded for provider(s): openai' });
    expect(reply?.headers).toMatchObject({ 'X-AI-RateLimit-Limit-60-openai': '10', 'X-AI-RateLimit-Remaining-60-openai': '10', 'X-AI-RateLimit-Retry-After': '60' });
    expect(reply?.headers).toMatchObject({ 'X-AI-RateLimit-Reset-60-openai': '60', 'X-AI-RateLimit-Retry-After-60-openai': '60' });
  });

  it('adds up to retry_after_jitter_max seconds to Retry-After', async () => {
    const inst = make({ ...base, window_type: 'fixed', retry_after_jitter_max: 5 });
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const { reply } = await drive(inst, body(11));
      const v = Number((reply?.headers as Record<string, string>)['Retry-After']);
      expect(v).toBeGreaterThanOrEqual(60);
      expect(v).toBeLessThanOrEqual(65);
      seen.add(v);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('lists every exhausted provider, or none with error_hide_providers', async () => {
    const two = { llm_providers: [{ name: 'openai', limit: [3], window_size: [60] }, { name: 'azure', limit: [3], window_size: [60] }] };
    expect((await drive(make(two), body(4))).reply).toMatchObject({ message: 'AI token rate limit exceeded for provider(s): openai, azure' });
    expect((await drive(make({ ...two, error_hide_providers: true, error_message: 'nope' }), body(4))).reply).toMatchObject({ message: 'nope' });
  });

  it('reserves prompt + max_tokens and reports what is left', async () => {
    const inst = make({ llm_providers: [{ name: 'openai', limit: [100, 1000], window_size: [60, 3600] }] });
    const { reply, ctx } = await drive(inst, body(4, { max_tokens: 6 }));
    expect(reply).toBeNull();
    expect(ctx.responseHeaders).toMatchObject({
      'X-AI-RateLimit-Remaining-60-openai': '90', 'X-AI-RateLimit-Remaining-3600-openai': '990', 'X-AI-RateLimit-Reset': '60',
    });
    const second = await drive(inst, body(1, { max_tokens: 2 }));
    expect(second.ctx.responseHeaders['X-AI-RateLimit-Remaining-60-openai']).toBe('87');
    // no max_tokens: 1 prompt token + the default completion reservation (4096)
    const third = await drive(inst, body(1));
    expect(third.reply).toBeNull();
    expect(third.ctx.responseHeaders['X-AI-RateLimit-Remaining-60-openai']).toBe('0');
    expect((await drive(inst, body(1))).reply).toMatchObject({ status: 429 });
  });

  it('does not parse large bodies: they are estimated by size and only refused when exhausted', async () => {
    const inst = make(base);
    const big = body(5000);
    const { reply, ctx } = await drive(inst, big);
    expect(reply).toBeNull();
    expect(ctx.get(AI_REQUEST)).toBeUndefined();
    expect(ctx.responseHeaders['X-AI-RateLimit-Remaining-60-openai']).toBe('0');
    expect((await drive(inst, body(1))).reply).toMatchObject({ status: 429 });
  });

  it('lets non-JSON bodies through to the plugins that own their errors', async () => {
    const inst = make(base);
    const { reply } = await drive(inst, 'hello', { 'content-type': 'text/plain' });
    expect(reply).toBeNull();
  });
});
