/**
 * ai-rate-limiting-advanced end to end through aigw serve, ai-proxy and the mock LLM. The mock
 * counts whitespace words: "hello there friend" costs 3 prompt tokens and its answer
 * "Mock answer to: hello there friend" 6 completion tokens (9 in total).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { fakeClock } from '../../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { freePort, type Res } from '../../helpers/net.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { aiProxy, chat, KEY, postJson, sleep } from './setup.js';

const HELLO = 'hello there friend';
const header = (res: Res, name: string): string | undefined => res.headers[name.toLowerCase()] as string | undefined;

/** Waits until the log phase has settled the previous request. */
const settle = (): Promise<void> => sleep(60);

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

function yaml(m: string, redisPort: number, deadPort: number): string {
  const route = (name: string, config: string, extra = '', proxy = aiProxy(m)) => `
  - name: ${name}
    paths: [/${name}]
    plugins:${proxy}${extra}
    - name: ai-rate-limiting-advanced
      config: ${config}`;
  return `
_format_version: "3.0"
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
- username: bob
  keyauth_credentials: [{ key: bob-key }]
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${route('budget', '{ llm_providers: [{ name: openai, limit: [20, 1000], window_size: [3600, 86400] }] }', `
    - name: key-auth`)}${route('upfront', '{ identifier: ip, llm_providers: [{ name: openai, limit: [10], window_size: [3600] }] }')}${route('hidden', '{ identifier: header, header_name: x-team, hide_client_headers: true, error_hide_providers: true, error_code: 403, error_message: "team budget spent", llm_providers: [{ name: openai, limit: [5], window_size: [3600] }] }')}${route('prompt', '{ identifier: header, header_name: x-team, tokens_count_strategy: prompt_tokens, llm_providers: [{ name: openai, limit: [7], window_size: [3600] }] }')}${route('completion', '{ identifier: header, header_name: x-team, tokens_count_strategy: completion_tokens, window_type: fixed, llm_providers: [{ name: openai, limit: [10], window_size: [3600] }] }')}${route('cost', '{ identifier: header, header_name: x-team, tokens_count_strategy: cost, llm_providers: [{ name: openai, limit: [10], window_size: [3600] }] }', '', aiProxy(m, { costs: true }))}${route('request-prompt', '{ identifier: header, header_name: x-team, llm_providers: [{ name: requestPrompt, limit: [7], window_size: [3600] }] }')}${route('no-penalty', '{ identifier: header, header_name: x-team, disable_penalty: true, llm_providers: [{ name: requestPrompt, limit: [7], window_size: [3600] }] }')}${route('multi', '{ identifier: header, header_name: x-team, llm_providers: [{ name: openai, limit: [100], window_size: [3600] }, { name: anthropic, limit: [50], window_size: [60] }, { name: cohere, limit: [5], window_size: [60] }] }', '', advanced(m))}${route('per-model', '{ identifier: header, header_name: x-team, llm_providers: [{ name: openai, model: gpt-4o, limit: [12], window_size: [3600] }, { name: openai, model: gpt-4o-mini, limit: [1000], window_size: [3600] }] }', '', aiProxy(m, { model: 'gpt-4o' }))}${route('client-model', '{ identifier: header, header_name: x-team, llm_providers: [{ name: openai, model: gpt-4o, limit: [12], window_size: [3600] }] }', '', aiProxy(m, { model: null }))}${route('stream', '{ identifier: header, header_name: x-team, llm_providers: [{ name: openai, limit: [12], window_size: [3600] }] }')}${route('concurrent', '{ identifier: header, header_name: x-team, llm_providers: [{ name: openai, limit: [1000], window_size: [3600] }] }')}${route('shared', `{ identifier: header, header_name: x-team, strategy: redis, redis: { host: 127.0.0.1, port: ${redisPort} }, llm_providers: [{ name: openai, limit: [1000], window_size: [3600] }] }`)}${route('ns-a', `{ identifier: header, header_name: x-team, namespace: team-budget, strategy: redis, redis: { host: 127.0.0.1, port: ${redisPort} }, tokens_count_strategy: prompt_tokens, llm_providers: [{ name: openai, limit: [7], window_size: [3600] }] }`)}${route('ns-b', `{ identifier: header, header_name: x-team, namespace: team-budget, strategy: redis, redis: { host: 127.0.0.1, port: ${redisPort} }, tokens_count_strategy: prompt_tokens, llm_providers: [{ name: openai, limit: [7], window_size: [3600] }] }`)}${route('dead', `{ identifier: header, header_name: x-team, strategy: redis, redis: { host: 127.0.0.1, port: ${deadPort}, connect_timeout: 200, read_timeout: 200, send_timeout: 200 }, llm_providers: [{ name: openai, limit: [10], window_size: [3600] }] }`)}
`;
}

describe('ai-rate-limiting-advanced', () => {
  let mock: MockServer;
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    redis = await startRedis();
    const config = yaml(mock.url, redis.port, await freePort());
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

  it('sends Kong headers and blocks once the budget is used, per consumer', async () => {
    const url = `${a.proxyUrl}/budget`;
    const r1 = await postJson(url, chat(HELLO), { apikey: 'alice-key' });
    expect(r1.status).toBe(200);
    expect(header(r1, 'X-AI-RateLimit-Limit-3600-openai')).toBe('20');
    expect(header(r1, 'X-AI-RateLimit-Limit-86400-openai')).toBe('1000');
    // no max_tokens: 3 prompt tokens + the default completion reservation (4096) are reserved
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('0');
    expect(Number(header(r1, 'X-AI-RateLimit-Reset'))).toBeGreaterThan(0);
    await settle();
    const r2 = await postJson(url, chat(HELLO, { max_tokens: 6 }), { apikey: 'alice-key' });
    expect(r2.status).toBe(200);
    // 9 used (the reservation was settled): admitted, and 3 + 6 (its max_tokens) reserved
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('2');
    await settle();
    const r3 = await postJson(url, chat(HELLO), { apikey: 'alice-key' });
    expect(r3.status).toBe(429);
    expect(r3.json()).toMatchObject({ message: 'AI token rate limit exceeded for provider(s): openai' });
    expect(header(r3, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('2');
    expect(Number(header(r3, 'X-AI-RateLimit-Retry-After'))).toBeGreaterThan(0);
    expect(header(r3, 'Retry-After')).toBe(header(r3, 'X-AI-RateLimit-Retry-After'));
    const bob = await postJson(url, chat(HELLO), { apikey: 'bob-key' });
    expect(bob.status).toBe(200);
  });

  it('refuses up front a prompt that alone exceeds what is left, without calling the LLM', async () => {
    mock.reset();
    const res = await postJson(`${a.proxyUrl}/upfront`, chat('one two three four five six seven eight nine ten eleven'));
    expect(res.status).toBe(429);
    expect(mock.requests()).toHaveLength(0);
    const small = await postJson(`${a.proxyUrl}/upfront`, chat('one two'));
    expect(small.status).toBe(200);
  });

  it('hides headers and providers, with the configured status and message', async () => {
    const h = { 'x-team': 'hidden-1' };
    const r1 = await postJson(`${a.proxyUrl}/hidden`, chat(HELLO), h);
    expect(r1.status).toBe(200);
    expect(Object.keys(r1.headers).some((k) => k.startsWith('x-ai-ratelimit'))).toBe(false);
    await settle();
    const r2 = await postJson(`${a.proxyUrl}/hidden`, chat(HELLO), h);
    expect(r2.status).toBe(403);
    expect(r2.json()).toMatchObject({ message: 'team budget spent' });
    expect(Object.keys(r2.headers).some((k) => k.startsWith('x-ai-ratelimit') || k === 'retry-after')).toBe(false);
  });

  it('tokens_count_strategy prompt_tokens counts only prompts', async () => {
    const h = { 'x-team': 'prompt-1' };
    expect((await postJson(`${a.proxyUrl}/prompt`, chat(HELLO), h)).status).toBe(200);
    await settle();
    const r2 = await postJson(`${a.proxyUrl}/prompt`, chat(HELLO), h);
    expect(r2.status).toBe(200);
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('1');
    await settle();
    expect((await postJson(`${a.proxyUrl}/prompt`, chat('x'), h)).status).toBe(200);
    await settle();
    expect((await postJson(`${a.proxyUrl}/prompt`, chat('x'), h)).status).toBe(429);
  });

  it('namespace (Kong 3.11): two plugin instances naming the same namespace share their Redis counters', async () => {
    const h = { 'x-team': 'ns-1' };
    const first = await postJson(`${a.proxyUrl}/ns-a`, chat(HELLO), h);
    expect(first.status).toBe(200);
    await settle();
    const second = await postJson(`${a.proxyUrl}/ns-b`, chat(HELLO), h);
    expect(second.status).toBe(200);
    expect(header(second, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('1');
  });

  it('tokens_count_strategy completion_tokens counts only answers', async () => {
    const h = { 'x-team': 'completion-1' };
    expect((await postJson(`${a.proxyUrl}/completion`, chat(HELLO), h)).status).toBe(200);
    await settle();
    const r2 = await postJson(`${a.proxyUrl}/completion`, chat(HELLO, { max_tokens: 2 }), h);
    expect(r2.status).toBe(200);
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('2'); // 6 used + 2 reserved
    await settle();
    // 8 used: not exhausted yet (the prompt does not count here), so Kong's rule admits it
    expect((await postJson(`${a.proxyUrl}/completion`, chat(HELLO), h)).status).toBe(200);
    await settle();
    expect((await postJson(`${a.proxyUrl}/completion`, chat(HELLO), h)).status).toBe(429);
  });

  it('tokens_count_strategy cost counts the cost reported by ai-proxy', async () => {
    const h = { 'x-team': 'cost-1' };
    // the most the call can cost is reserved up front: 3 prompt + 6 completion tokens at 1 per token
    const r1 = await postJson(`${a.proxyUrl}/cost`, chat(HELLO, { max_tokens: 6 }), h);
    expect(r1.status).toBe(200);
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('1');
    await settle();
    // settled at its real cost, 9; still below the limit, so the next call is admitted, its 3 + 4,096 reserved
    const r2 = await postJson(`${a.proxyUrl}/cost`, chat(HELLO), h);
    expect(r2.status).toBe(200);
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('0');
    await settle();
    expect((await postJson(`${a.proxyUrl}/cost`, chat(HELLO), h)).status).toBe(429);
  });

  it('requestPrompt counts request prompts in access and charges refused requests unless disable_penalty', async () => {
    const h = { 'x-team': 'rp-1' };
    expect((await postJson(`${a.proxyUrl}/request-prompt`, chat(HELLO), h)).status).toBe(200); // 3
    expect((await postJson(`${a.proxyUrl}/request-prompt`, chat(HELLO), h)).status).toBe(200); // 6
    const refused = await postJson(`${a.proxyUrl}/request-prompt`, chat(HELLO), h);
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ message: 'AI token rate limit exceeded for provider(s): requestPrompt' });
    expect(header(refused, 'X-AI-RateLimit-Remaining-3600-requestPrompt')).toBe('0'); // charged: 9
    expect((await postJson(`${a.proxyUrl}/request-prompt`, chat('x'), h)).status).toBe(429);

    const n = { 'x-team': 'rp-2' };
    await postJson(`${a.proxyUrl}/no-penalty`, chat(HELLO), n);
    await postJson(`${a.proxyUrl}/no-penalty`, chat(HELLO), n);
    expect((await postJson(`${a.proxyUrl}/no-penalty`, chat(HELLO), n)).status).toBe(429);
    expect((await postJson(`${a.proxyUrl}/no-penalty`, chat('x'), n)).status).toBe(200); // 6 + 1 = 7
  });

  it('reserves on every provider the route may call, releases the ones that did not answer, ignores the others', async () => {
    const h = { 'x-team': 'multi-1' };
    const r1 = await postJson(`${a.proxyUrl}/multi`, chat(HELLO, { max_tokens: 10 }), h);
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('87'); // 3 + 10 reserved
    expect(header(r1, 'X-AI-RateLimit-Remaining-60-anthropic')).toBe('37');
    expect(header(r1, 'X-AI-RateLimit-Remaining-60-cohere')).toBeUndefined(); // no target of the route is cohere
    await settle();
    const r2 = await postJson(`${a.proxyUrl}/multi`, chat(HELLO, { max_tokens: 10 }), h);
    expect(header(r2, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('78'); // 9 used + 13 reserved
    expect(header(r2, 'X-AI-RateLimit-Remaining-60-anthropic')).toBe('37'); // the first reservation was released
  });

  it('counts streamed answers', async () => {
    const h = { 'x-team': 'stream-1' };
    const r1 = await postJson(`${a.proxyUrl}/stream`, chat(HELLO, { stream: true }), h);
    expect(r1.status).toBe(200);
    expect(r1.text).toContain('data: [DONE]');
    await settle();
    const r2 = await postJson(`${a.proxyUrl}/stream`, chat('x'), h);
    expect(r2.status).toBe(200);
    const left = Number(header(r2, 'X-AI-RateLimit-Remaining-3600-openai'));
    expect(left).toBeLessThanOrEqual(12 - 9 - 1);
  });

  it('releases the reservation of a request the LLM refused', async () => {
    const r2 = await postJson(`${a.proxyUrl}/multi`, chat('x', { max_tokens: 5 }), { 'x-team': 'fail-2', 'x-mock-status': '500' });
    expect(r2.status).toBe(500);
    await settle();
    const r3 = await postJson(`${a.proxyUrl}/multi`, chat('x', { max_tokens: 5 }), { 'x-team': 'fail-2' });
    // only r3's own reservation (1 prompt + 5 max_tokens): r2's were released
    expect(header(r3, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('94');
    expect(header(r3, 'X-AI-RateLimit-Remaining-60-anthropic')).toBe('44');
  });

  it('counts per model: a limit on one model neither sees nor blocks the others (aigw extension)', async () => {
    const h = { 'x-team': 'per-model-1' };
    const r1 = await postJson(`${a.proxyUrl}/per-model`, chat(HELLO), h);
    expect(r1.status).toBe(200);
    expect(header(r1, 'X-AI-RateLimit-Limit-3600-openai-gpt-4o')).toBe('12');
    expect(header(r1, 'X-AI-RateLimit-Limit-3600-openai-gpt-4o-mini')).toBeUndefined(); // the route only calls gpt-4o
    await settle();
    const r2 = await postJson(`${a.proxyUrl}/per-model`, chat('one two three four five'), h);
    expect(r2.status).toBe(429); // 9 of 12 used: a 5-token prompt alone does not fit
    expect(r2.json()).toMatchObject({ message: 'AI token rate limit exceeded for provider(s): openai/gpt-4o' });
  });

  it('with a client-chosen model, only requests for the limited model count', async () => {
    const h = { 'x-team': 'client-model-1' };
    for (let i = 0; i < 3; i++) {
      const other = await postJson(`${a.proxyUrl}/client-model`, chat(HELLO, { model: 'gpt-4o-mini' }), h);
      expect(other.status).toBe(200);
      expect(header(other, 'X-AI-RateLimit-Limit-3600-openai-gpt-4o')).toBeUndefined();
      await settle();
    }
    const first = await postJson(`${a.proxyUrl}/client-model`, chat(HELLO, { model: 'gpt-4o', max_tokens: 6 }), h);
    expect(first.status).toBe(200);
    expect(header(first, 'X-AI-RateLimit-Remaining-3600-openai-gpt-4o')).toBe('3'); // 3 prompt + 6 max_tokens reserved
    await settle();
    const second = await postJson(`${a.proxyUrl}/client-model`, chat('one two three four five', { model: 'gpt-4o' }), h);
    expect(second.status).toBe(429); // 9 used by the one gpt-4o request; the mini ones did not count
  });

  it('200 simultaneous requests admit no more tokens than the budget plus one request', async () => {
    // 5 prompt + 8 completion tokens each, and max_tokens tells the gateway so: 13 reserved per request
    const body = chat('a b c d e', { max_tokens: 8 });
    const all = await Promise.all(Array.from({ length: 200 }, () => postJson(`${a.proxyUrl}/concurrent`, body, { 'x-team': 'crowd' })));
    const ok = all.filter((r) => r.status === 200);
    const used = ok.reduce((s, r) => s + (r.json() as { usage: { total_tokens: number } }).usage.total_tokens, 0);
    expect(all.filter((r) => r.status !== 200).every((r) => r.status === 429)).toBe(true);
    expect(used).toBeLessThanOrEqual(1000 + 13);
    expect(used).toBeGreaterThanOrEqual(1000 - 13);
  });

  it('two gateways on one Redis share one budget, also under concurrency', async () => {
    const body = chat('a b c d e', { max_tokens: 8 });
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => postJson(`${(i % 2 ? a : b).proxyUrl}/shared`, body, { 'x-team': 'shared' })));
    const ok = all.filter((r) => r.status === 200);
    const used = ok.reduce((s, r) => s + (r.json() as { usage: { total_tokens: number } }).usage.total_tokens, 0);
    expect(used).toBeLessThanOrEqual(1000 + 13);
    expect(used).toBeGreaterThanOrEqual(1000 - 13);
    await settle();
    const fromA = await postJson(`${a.proxyUrl}/shared`, chat('x'), { 'x-team': 'shared' });
    const fromB = await postJson(`${b.proxyUrl}/shared`, chat('x'), { 'x-team': 'shared' });
    expect([fromA.status, fromB.status]).toEqual([429, 429]);
  });

  it('a dead Redis does not fail requests: counting falls back to local memory', async () => {
    const h = { 'x-team': 'dead-1' };
    const r1 = await postJson(`${a.proxyUrl}/dead`, chat(HELLO, { max_tokens: 6 }), h);
    expect(r1.status).toBe(200);
    expect(header(r1, 'X-AI-RateLimit-Remaining-3600-openai')).toBe('1');
    await settle();
    expect((await postJson(`${a.proxyUrl}/dead`, chat(HELLO), h)).status).toBe(429);
    expect(a.logger.lines.some((l) => l.level === 'warn' && l.msg.includes('counting tokens locally'))).toBe(true);
  });
});
