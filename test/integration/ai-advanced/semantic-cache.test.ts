/**
 * ai-semantic-cache end to end: aigw serve (ai-proxy + cache) against the mock LLM, whose
 * embeddings are a hashed bag of content words, so reworded questions land on the same vector.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY, logFor, parseSse, postJson, streamText } from '../ai-proxy/setup.js';

const ask = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ messages: [{ role: 'user', content }], ...extra });
const content = (text: string): string => (JSON.parse(text) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content;

function route(name: string, mock: string, cache: string, extraPlugins = ''): string {
  return `
  - name: ${name}
    paths: [/${name}]
    plugins:${extraPlugins}
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        logging: { log_statistics: true }
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock}/v1/chat/completions" } }
    - name: ai-semantic-cache
      config:
        embeddings:
          auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
          model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock}/${name === 'broken' || name === 'strict' ? 'nowhere' : 'v1/embeddings'}" } }
        vectordb: { strategy: memory, dimensions: 64, distance_metric: cosine, threshold: 0.2 }
${cache}`;
}

describe('ai-semantic-cache (memory)', () => {
  let mock: MockServer;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-cache-')), 'ai.log');
  const calls = (path: string): number => mock.requests().filter((r) => r.path === path).length;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    const m = mock.url;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
- username: bob
  keyauth_credentials: [{ key: bob-key }]
services:
- name: llm
  url: http://localhost:32000
  routes:${route('plain', m, '')}${route('exact', m, '        exact_caching: true')}${route('cc', m, '        cache_control: true')}${route('tenants', m, '', `
    - name: key-auth`)}${route('history', m, '        message_countback: 3\n        ignore_system_prompts: true')}${route('broken', m, '')}${route('strict', m, '        stop_on_failure: true')}
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('misses, then answers a reworded question from the cache with Hit and Age', async () => {
    const first = await postJson(`${gw.proxyUrl}/plain`, ask('What is the capital of France?'));
    expect(first.status, first.text).toBe(200);
    expect(first.headers['x-cache-status']).toBe('Miss');
    expect(first.headers['x-cache-key']).toMatch(/^[0-9a-f]{64}$/);
    const answer = content(first.text);
    expect(answer).toContain('capital of France');
    await new Promise((r) => setTimeout(r, 30));
    const second = await postJson(`${gw.proxyUrl}/plain`, ask("Could you tell me France's capital city?"));
    expect(second.status).toBe(200);
    expect(second.headers['x-cache-status']).toBe('Hit');
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(0);
    expect(content(second.text)).toBe(answer);
    expect(calls('/v1/chat/completions')).toBe(1);
    expect(calls('/v1/embeddings')).toBe(2);
    const rec = await logFor(logPath, String(second.headers['x-kong-request-id']));
    expect(rec.ai?.proxy?.cache).toMatchObject({ cache_status: 'Hit', vector_db: 'memory', embeddings_provider: 'openai', embeddings_model: 'text-embedding-3-small' });
  });

  it('misses on an unrelated question', async () => {
    const r = await postJson(`${gw.proxyUrl}/plain`, ask('Explain photosynthesis to a child'));
    expect(r.headers['x-cache-status']).toBe('Miss');
    expect(content(r.text)).toContain('photosynthesis');
  });

  it('serves a streaming client a cached answer as SSE ending in [DONE], and caches streamed answers', async () => {
    const q = 'Which river flows through Vienna?';
    const streamed = await postJson(`${gw.proxyUrl}/plain`, ask(q, { stream: true }));
    expect(streamed.headers['x-cache-status']).toBe('Miss');
    const text = streamText(parseSse(streamed.text));
    expect(text).toContain('river');
    await new Promise((r) => setTimeout(r, 30));
    const plain = await postJson(`${gw.proxyUrl}/plain`, ask('Which river flows through Vienna'));
    expect(plain.headers['x-cache-status']).toBe('Hit');
    expect(content(plain.text)).toBe(text);
    const again = await postJson(`${gw.proxyUrl}/plain`, ask(q, { stream: true }));
    expect(again.headers['x-cache-status']).toBe('Hit');
    expect(again.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(again.text);
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(streamText(events)).toBe(text);
    expect(calls('/v1/chat/completions')).toBe(1);
  });

  it('does not cache upstream errors', async () => {
    const bad = await postJson(`${gw.proxyUrl}/plain`, ask('How tall is Mount Everest?'), { 'x-mock-status': '500' });
    expect(bad.status).toBe(500);
    const good = await postJson(`${gw.proxyUrl}/plain`, ask('How tall is Mount Everest?'));
    expect(good.status).toBe(200);
    expect(good.headers['x-cache-status']).toBe('Miss');
  });

  it('exact_caching answers an identical prompt without computing an embedding', async () => {
    const q = ask('List three prime numbers');
    expect((await postJson(`${gw.proxyUrl}/exact`, q)).headers['x-cache-status']).toBe('Miss');
    await new Promise((r) => setTimeout(r, 30));
    const hit = await postJson(`${gw.proxyUrl}/exact`, q);
    expect(hit.headers['x-cache-status']).toBe('Hit');
    expect(calls('/v1/embeddings')).toBe(1);
  });

  it('cache_control: no-store bypasses, no-cache refreshes, max-age limits the age of a hit', async () => {
    const q = ask('Who wrote Hamlet?');
    const noStore = await postJson(`${gw.proxyUrl}/cc`, q, { 'cache-control': 'no-store' });
    expect(noStore.headers['x-cache-status']).toBe('Bypass');
    expect((await postJson(`${gw.proxyUrl}/cc`, q)).headers['x-cache-status']).toBe('Miss');
    await new Promise((r) => setTimeout(r, 30));
    expect((await postJson(`${gw.proxyUrl}/cc`, q)).headers['x-cache-status']).toBe('Hit');
    expect((await postJson(`${gw.proxyUrl}/cc`, q, { 'cache-control': 'max-age=0' })).headers['x-cache-status']).toBe('Miss');
    expect((await postJson(`${gw.proxyUrl}/cc`, q, { 'cache-control': 'max-age=60' })).headers['x-cache-status']).toBe('Hit');
    const refresh = await postJson(`${gw.proxyUrl}/cc`, q, { 'cache-control': 'no-cache' });
    expect(refresh.headers['x-cache-status']).toBe('Refresh');
    expect(calls('/v1/chat/completions')).toBe(4); // no-store, miss, max-age=0, refresh
  });

  it('ignores Cache-Control when cache_control is off', async () => {
    const q = ask('Name a famous painting by Vermeer');
    await postJson(`${gw.proxyUrl}/plain`, q);
    await new Promise((r) => setTimeout(r, 30));
    expect((await postJson(`${gw.proxyUrl}/plain`, q, { 'cache-control': 'no-cache' })).headers['x-cache-status']).toBe('Hit');
  });

  it('scopes entries per consumer: no cross-tenant answers', async () => {
    const q = ask('What is my account balance?');
    const a1 = await postJson(`${gw.proxyUrl}/tenants`, q, { apikey: 'alice-key' });
    expect(a1.headers['x-cache-status']).toBe('Miss');
    await new Promise((r) => setTimeout(r, 30));
    const b1 = await postJson(`${gw.proxyUrl}/tenants`, q, { apikey: 'bob-key' });
    expect(b1.headers['x-cache-status']).toBe('Miss');
    await new Promise((r) => setTimeout(r, 30));
    expect((await postJson(`${gw.proxyUrl}/tenants`, q, { apikey: 'alice-key' })).headers['x-cache-status']).toBe('Hit');
    expect((await postJson(`${gw.proxyUrl}/tenants`, q, { apikey: 'bob-key' })).headers['x-cache-status']).toBe('Hit');
  });

  it('message_countback and ignore_system_prompts choose what is compared', async () => {
    const conv = (system: string, last: string): Record<string, unknown> => ({ messages: [
      { role: 'system', content: system }, { role: 'user', content: 'I am planning a trip' }, { role: 'assistant', content: 'Great, where to?' }, { role: 'user', content: last },
    ] });
    expect((await postJson(`${gw.proxyUrl}/history`, conv('You are terse', 'Suggest museums in Madrid'))).headers['x-cache-status']).toBe('Miss');
    await new Promise((r) => setTimeout(r, 30));
    expect((await postJson(`${gw.proxyUrl}/history`, conv('You are verbose and friendly', 'Suggest museums in Madrid'))).headers['x-cache-status']).toBe('Hit');
    const otherHistory = { messages: [{ role: 'user', content: 'I love football' }, { role: 'assistant', content: 'Nice' }, { role: 'user', content: 'Suggest museums in Madrid' }] };
    expect((await postJson(`${gw.proxyUrl}/history`, otherHistory)).headers['x-cache-status']).toBe('Miss');
  });

  it('bypasses the cache when embeddings fail, or fails with stop_on_failure', async () => {
    const r = await postJson(`${gw.proxyUrl}/broken`, ask('Anything at all'));
    expect(r.status).toBe(200);
    expect(r.headers['x-cache-status']).toBe('Bypass');
    const strict = await postJson(`${gw.proxyUrl}/strict`, ask('Anything at all'));
    expect(strict.status).toBe(500);
    expect(JSON.parse(strict.text)).toEqual({ error: { message: expect.stringMatching(/^semantic cache failed: embeddings request failed with status 404/) } });
  });

  it('bypasses requests without a text prompt, and still proxies them', async () => {
    const r = await postJson(`${gw.proxyUrl}/plain`, { messages: [{ role: 'user', content: '   ' }] });
    expect(r.headers['x-cache-status']).toBe('Bypass');
  });
});

describe('ai-semantic-cache in front of ai-proxy-advanced', () => {
  let mock: MockServer;
  let failing: MockServer;
  let gw: TestGateway;
  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    failing = await startMock({ requireKey: KEY, failRate: 1 });
    const target = (url: string, name: string, weight: number): string =>
      `{ route_type: llm/v1/chat, weight: ${weight}, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, logging: { log_statistics: false, log_payloads: false }, model: { provider: openai, name: ${name}, options: { upstream_url: "${url}/v1/chat/completions" } } }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
routes:
- name: chat
  paths: [/chat]
  plugins:
  - name: ai-proxy-advanced
    config:
      balancer: { algorithm: priority, failover_criteria: [error, timeout, http_500, non_idempotent] }
      targets:
      - ${target(failing.url, 'primary', 100)}
      - ${target(mock.url, 'backup', 1)}
  - name: ai-semantic-cache
    config:
      embeddings:
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock.url}/v1/embeddings" } }
      vectordb: { dimensions: 64, distance_metric: cosine, threshold: 0.2 }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await Promise.all([mock.close(), failing.close()]);
  });

  it('caches the answer of the fallback target and serves rewordings from the cache', async () => {
    const miss = await postJson(`${gw.proxyUrl}/chat`, ask('What is the capital of Italy?'));
    expect(miss.status, miss.text).toBe(200);
    expect(miss.headers['x-cache-status']).toBe('Miss');
    expect(miss.headers['x-aigw-attempts']).toBe('2');
    expect(miss.headers['x-aigw-target']).toBe('openai/backup');
    await new Promise((r) => setTimeout(r, 30));
    const hit = await postJson(`${gw.proxyUrl}/chat`, ask("Tell me Italy's capital"));
    expect(hit.headers['x-cache-status']).toBe('Hit');
    expect(hit.headers['x-aigw-attempts']).toBeUndefined();
    expect(content(hit.text)).toBe(content(miss.text));
  });
});
