/**
 * ai-rate-limiting-advanced `policies[]` (Kong 3.14) end to end through aigw serve, ai-proxy and
 * the mock LLM: one policy per consumer group partitioned by consumer, one per model partitioned
 * by model. The mock counts whitespace words: "hello there friend" costs 3 prompt tokens and its
 * answer 6 completion tokens (9 in total).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { fakeClock } from '../../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import type { Res } from '../../helpers/net.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { aiProxy, chat, KEY, postJson, sleep } from './setup.js';

const HELLO = 'hello there friend';
const header = (res: Res, name: string): string | undefined => res.headers[name.toLowerCase()] as string | undefined;
const settle = (): Promise<void> => sleep(60);

function policies(store: string): string {
  return `{ identifier: ip, ${store}policies: [
        { match: [{ type: consumer_group, key: name, values: [gold] }, { type: consumer, key: username, partition_by: true }], limits: [{ limit: 30, window_size: 3600 }, { limit: 20, window_size: 60, tokens_count_strategy: prompt_tokens }] },
        { match: [{ type: model, partition_by: true }], limits: [{ limit: 1000, window_size: 3600 }], window_type: fixed } ] }`;
}

/** ai-proxy-advanced over two providers of the mock: openai first, anthropic as the fallback. */
function advanced(m: string): string {
  return `
    - name: ai-proxy-advanced
      config:
        balancer: { algorithm: priority }
        targets:
        - { weight: 100, route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: gpt-4o, options: { upstream_url: "${m}/v1/chat/completions" } } }
        - { weight: 10, route_type: llm/v1/chat, auth: { header_name: x-api-key, header_value: "${KEY}" }, model: { provider: anthropic, name: claude-3-5-sonnet, options: { anthropic_version: "2023-06-01", upstream_url: "${m}/v1/messages" } } }`;
}

const PER_PROVIDER = `{ identifier: ip, policies: [
        { match: [{ type: provider, values: [openai] }], limits: [{ limit: 100, window_size: 3600 }] },
        { match: [{ type: provider, values: [anthropic] }], limits: [{ limit: 100, window_size: 3600 }] },
        { match: [{ type: provider, values: [cohere] }], limits: [{ limit: 5, window_size: 3600 }] } ] }`;

function yaml(m: string, redisPort: number): string {
  const route = (name: string, config: string, proxy = aiProxy(m, { model: null })) => `
  - name: ${name}
    paths: [/${name}]
    plugins:${proxy}
    - name: key-auth
    - name: ai-rate-limiting-advanced
      config: ${config}`;
  return `
_format_version: "3.0"
consumer_groups:
- name: gold
consumers:
- username: alice
  groups: [{ name: gold }]
  keyauth_credentials: [{ key: alice-key }]
- username: bob
  groups: [{ name: gold }]
  keyauth_credentials: [{ key: bob-key }]
- username: carol
  keyauth_credentials: [{ key: carol-key }]
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${route('pol', policies(''))}${route('pol-redis', policies(`strategy: redis, redis: { host: 127.0.0.1, port: ${redisPort} }, `))}${route('pol-multi', PER_PROVIDER, advanced(m))}
`;
}

/** Tokens the mock spent on the admitted requests, per model asked for. */
function spent(all: readonly Res[], models: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  all.forEach((r, i) => {
    if (r.status !== 200) return;
    const m = models[i % models.length];
    out[m] = (out[m] ?? 0) + (r.json() as { usage: { total_tokens: number } }).usage.total_tokens;
  });
  return out;
}

describe('ai-rate-limiting-advanced policies', () => {
  let mock: MockServer;
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    redis = await startRedis();
    const config = yaml(mock.url, redis.port);
    // one fake clock for both: on the wall clock a window may turn between two requests of a test
    const { now } = fakeClock();
    a = await gatewayFrom(config, { now });
    b = await gatewayFrom(config, { now });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await mock.close();
    await redis.stop();
  });

  it('applies every matching policy, counts a group member under its own partition, and refuses with Kong headers and body', async () => {
    const url = `${a.proxyUrl}/pol`;
    const alice = { apikey: 'alice-key' };
    const r1 = await postJson(url, chat(HELLO, { model: 'gpt-4o', max_tokens: 6 }), alice);
    expect(r1.status).toBe(200);
    expect(header(r1, 'X-AI-RateLimit-Limit-3600-policy-1')).toBe('30');
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-policy-1')).toBe('21'); // 3 prompt + 6 max_tokens reserved
    expect(header(r1, 'X-AI-RateLimit-Remaining-60-policy-1')).toBe('17'); // prompt_tokens: 3
    expect(header(r1, 'X-AI-RateLimit-Limit-3600-policy-2')).toBe('1000');
    await settle();
    const r2 = await postJson(url, chat(HELLO, { model: 'gpt-4o', max_tokens: 6 }), alice);
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-policy-1')).toBe('12'); // 9 used + 9 reserved
    await settle();
    const r3 = await postJson(url, chat(HELLO, { model: 'gpt-4o', max_tokens: 6 }), alice);
    expect(r3.status).toBe(200);
    await settle();
    const r4 = await postJson(url, chat('one two three four', { model: 'gpt-4o' }), alice);
    expect(r4.status).toBe(429); // 27 of 30 used: a 4-token prompt no longer fits
    expect(r4.json()).toMatchObject({ message: 'AI token rate limit exceeded for provider(s): policy-1' });
    expect(header(r4, 'X-AI-RateLimit-Remaining-3600-policy-1')).toBe('3');
    expect(Number(header(r4, 'X-AI-RateLimit-Retry-After'))).toBeGreaterThan(0);
    expect(header(r4, 'Retry-After')).toBe(header(r4, 'X-AI-RateLimit-Retry-After'));
    // bob is in the same group but the policy partitions by consumer: his counters are his own
    const bob = await postJson(url, chat(HELLO, { model: 'gpt-4o' }), { apikey: 'bob-key' });
    expect(bob.status).toBe(200);
    expect(header(bob, 'X-AI-RateLimit-Remaining-60-policy-1')).toBe('17');
    // carol is in no group: only the model policy applies, and it shares gpt-4o's counter with alice and bob
    const carol = await postJson(url, chat(HELLO, { model: 'gpt-4o', max_tokens: 6 }), { apikey: 'carol-key' });
    expect(carol.status).toBe(200);
    expect(header(carol, 'X-AI-RateLimit-Limit-3600-policy-1')).toBeUndefined();
    expect(Number(header(carol, 'X-AI-RateLimit-Remaining-3600-policy-2'))).toBeLessThan(1000 - 27 - 9);
  });

  it('provider policies on a two-target route: both reserve, the one that did not answer is released, the others do not apply', async () => {
    const url = `${a.proxyUrl}/pol-multi`;
    const r1 = await postJson(url, chat(HELLO, { max_tokens: 10 }), { apikey: 'carol-key' });
    expect(r1.status).toBe(200);
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-policy-1')).toBe('87'); // 3 + 10 reserved
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-policy-2')).toBe('87');
    expect(header(r1, 'X-AI-RateLimit-Limit-3600-policy-3')).toBeUndefined(); // no target of the route is cohere
    await settle();
    const r2 = await postJson(url, chat(HELLO, { max_tokens: 10 }), { apikey: 'carol-key' });
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-policy-1')).toBe('78'); // openai answered: 9 used + 13 reserved
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-policy-2')).toBe('87'); // anthropic's first reservation was released
  });

  it('200 simultaneous requests over two models: each model partition admits its budget plus at most one request', async () => {
    const models = ['mini-a', 'mini-b'];
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => postJson(`${a.proxyUrl}/pol`, chat('a b c d e', { model: models[i % 2], max_tokens: 8 }), { apikey: 'carol-key' })));
    expect(all.filter((r) => r.status !== 200).every((r) => r.status === 429)).toBe(true);
    const used = spent(all, models);
    for (const m of models) {
      expect(used[m]).toBeLessThanOrEqual(1000 + 13);
      expect(used[m]).toBeGreaterThanOrEqual(1000 - 13);
    }
    const refused = all.find((r) => r.status === 429);
    expect(refused?.json()).toMatchObject({ message: 'AI token rate limit exceeded for provider(s): policy-2' });
  });

  it('two gateways on one Redis share each partition under concurrency', async () => {
    const models = ['shared-a', 'shared-b'];
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => postJson(`${(i % 4 < 2 ? a : b).proxyUrl}/pol-redis`, chat('a b c d e', { model: models[i % 2], max_tokens: 8 }), { apikey: 'carol-key' })));
    const used = spent(all, models);
    for (const m of models) {
      expect(used[m]).toBeLessThanOrEqual(1000 + 13);
      expect(used[m]).toBeGreaterThanOrEqual(1000 - 13);
    }
    await settle();
    for (const g of [a, b]) expect((await postJson(`${g.proxyUrl}/pol-redis`, chat('x', { model: 'shared-a' }), { apikey: 'carol-key' })).status).toBe(429);
    expect((await postJson(`${b.proxyUrl}/pol-redis`, chat('x', { model: 'shared-c' }), { apikey: 'carol-key' })).status).toBe(200);
  });
});
