/**
 * ai-proxy-advanced end to end against mock LLMs: a healthy one, one that always fails with 500,
 * a slow one, and a port nobody listens on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { freePort } from '../../helpers/net.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY, logFor, parseSse, postJson, streamText } from '../ai-proxy/setup.js';

const AUTH = `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`;
const openai = (url: string, name = 'gpt-4o', extra = ''): string =>
  `{ route_type: llm/v1/chat, auth: ${AUTH}, logging: { log_statistics: true }, model: { provider: openai, name: ${name}, options: { upstream_url: "${url}/v1/chat/completions" } }${extra} }`;
const anthropic = (url: string, extra = ''): string =>
  `{ route_type: llm/v1/chat, auth: { header_name: x-api-key, header_value: "${KEY}" }, logging: { log_statistics: true }, model: { provider: anthropic, name: claude-3-5-sonnet, options: { anthropic_version: "2023-06-01", max_tokens: 256, upstream_url: "${url}/v1/messages" } }${extra} }`;

function route(name: string, targets: string[], balancer: string): string {
  return `
  - name: ${name}
    paths: [/${name}]
    plugins:
    - name: ai-proxy-advanced
      config:
        balancer: ${balancer}
        targets:
${targets.map((t) => `        - ${t}`).join('\n')}`;
}

const ask = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ messages: [{ role: 'user', content }], ...extra });
const FAILOVER = '[error, timeout, http_500, http_502, http_503, http_429, non_idempotent]';

describe('ai-proxy-advanced', () => {
  let healthy: MockServer;
  let failing: MockServer;
  let slow: MockServer;
  let gw: TestGateway;
  let dead: string;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-adv-')), 'ai.log');

  beforeAll(async () => {
    healthy = await startMock({ requireKey: KEY, embeddingDims: 64 });
    failing = await startMock({ requireKey: KEY, failRate: 1 });
    slow = await startMock({ requireKey: KEY, latencyMs: 20_000 });
    dead = `http://127.0.0.1:${await freePort()}`;
    const h = healthy.url;
    const f = failing.url;
    const embeddings = `{ auth: ${AUTH}, model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${h}/v1/embeddings" } } }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://localhost:32000
  routes:${route('fallback', [openai(f, 'gpt-4o', ', weight: 100'), anthropic(h, ', weight: 10')], `{ algorithm: priority, failover_criteria: ${FAILOVER} }`)}${
  route('strict', [openai(f, 'gpt-4o', ', weight: 100'), anthropic(h, ', weight: 10')], '{ algorithm: priority, failover_criteria: [error, timeout, http_500] }')}${
  route('down', [openai(dead, 'gpt-4o', ', weight: 100'), openai(h, 'gpt-4o-mini', ', weight: 10')], '{ algorithm: priority }')}${
  route('slow', [openai(slow.url, 'gpt-4o', ', weight: 100'), openai(h, 'gpt-4o-mini', ', weight: 10')], '{ algorithm: priority, read_timeout: 300, failover_criteria: [timeout, non_idempotent] }')}${
  route('noretry', [openai(f, 'gpt-4o', ', weight: 100'), anthropic(h, ', weight: 10')], `{ algorithm: priority, retries: 0, failover_criteria: ${FAILOVER} }`)}${
  route('alldown', [openai(f, 'a'), openai(f, 'b')], `{ failover_criteria: ${FAILOVER} }`)}${
  route('rr', [openai(h, 'gpt-4o', ', weight: 2'), openai(h, 'gpt-4o-mini', ', weight: 1')], '{ algorithm: round-robin }')}${
  route('hash', [openai(h, 'a'), openai(h, 'b'), openai(h, 'c')], '{ algorithm: consistent-hashing, hash_on_header: X-User }')}${
  route('semantic', [openai(h, 'math-model', ', description: "arithmetic algebra numbers equations"'), openai(h, 'chef-model', ', description: "cooking recipes food kitchen"')], '{ algorithm: semantic }')}
        embeddings: ${embeddings}
        vectordb: { strategy: memory, dimensions: 64, distance_metric: cosine, threshold: 0.5 }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await Promise.all([healthy.close(), failing.close(), slow.close()]);
  });

  it('falls back from a failing provider to a second one, and says so in headers and the log', async () => {
    const r = await postJson(`${gw.proxyUrl}/fallback`, ask('What is 1 + 1?'));
    expect(r.status, r.text).toBe(200);
    expect(r.headers['x-aigw-attempts']).toBe('2');
    expect(r.headers['x-aigw-target']).toBe('anthropic/claude-3-5-sonnet');
    expect(r.headers['x-kong-llm-model']).toBe('anthropic/claude-3-5-sonnet');
    const body = JSON.parse(r.text) as { object: string; choices: Array<{ message: { content: string } }> };
    expect(body.choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    expect(rec.ai?.proxy?.balancer).toMatchObject({
      algorithm: 'priority', attempts: 2, target: 'anthropic/claude-3-5-sonnet',
      tries: [{ target: 'openai/gpt-4o', status: 500, error: 'http' }, { target: 'anthropic/claude-3-5-sonnet', status: 200 }],
    });
    expect(rec.ai?.proxy?.meta).toMatchObject({ provider_name: 'anthropic', request_model: 'claude-3-5-sonnet' });
  });

  it('fails over a stream that fails before its first byte; the client sees one clean stream', async () => {
    const r = await postJson(`${gw.proxyUrl}/fallback`, ask('What is 1 + 1?', { stream: true }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/event-stream');
    expect(r.headers['x-aigw-attempts']).toBe('2');
    const events = parseSse(r.text);
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(streamText(events)).toBe('The answer to 1 + 1 is 2.');
  });

  it('does not retry a POST that reached the upstream without non_idempotent (nginx semantics): the 500 passes through', async () => {
    const r = await postJson(`${gw.proxyUrl}/strict`, ask('hello'));
    expect(r.status).toBe(500);
    expect(r.headers['x-aigw-attempts']).toBe('1');
    expect(r.headers['x-aigw-target']).toBe('openai/gpt-4o');
  });

  it('fails over a refused connection with the default criteria [error, timeout]', async () => {
    const r = await postJson(`${gw.proxyUrl}/down`, ask('hello'));
    expect(r.status, r.text).toBe(200);
    expect(r.headers['x-aigw-attempts']).toBe('2');
    expect(r.headers['x-aigw-target']).toBe('openai/gpt-4o-mini');
  });

  it('fails over a read timeout (read_timeout) to the next target', async () => {
    const t0 = Date.now();
    const r = await postJson(`${gw.proxyUrl}/slow`, ask('hello'));
    expect(r.status, r.text).toBe(200);
    expect(r.headers['x-aigw-target']).toBe('openai/gpt-4o-mini');
    // at read_timeout (300 ms), long before the slow target answers (20 s); generous for a loaded machine
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('retries: 0 makes a single attempt', async () => {
    const r = await postJson(`${gw.proxyUrl}/noretry`, ask('hello'));
    expect(r.status).toBe(500);
    expect(r.headers['x-aigw-attempts']).toBe('1');
  });

  it('returns the last failure when every target fails, after trying each once', async () => {
    const before = failing.requests().length;
    const r = await postJson(`${gw.proxyUrl}/alldown`, ask('hello'));
    expect(r.status).toBe(500);
    expect(r.headers['x-aigw-attempts']).toBe('2');
    expect(failing.requests().length - before).toBe(2);
  });

  it('round-robin spreads requests by weight', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(String((await postJson(`${gw.proxyUrl}/rr`, ask('hi'))).headers['x-aigw-target']));
    expect(seen.filter((s) => s === 'openai/gpt-4o')).toHaveLength(4);
    expect(seen.filter((s) => s === 'openai/gpt-4o-mini')).toHaveLength(2);
  });

  it('consistent-hashing keeps a user on one target', async () => {
    const targetOf = async (user: string): Promise<string> => String((await postJson(`${gw.proxyUrl}/hash`, ask('hi'), { 'x-user': user })).headers['x-aigw-target']);
    const alice = await targetOf('alice');
    for (let i = 0; i < 3; i++) expect(await targetOf('alice')).toBe(alice);
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => targetOf(`user-${i}`)));
    expect(new Set(users).size).toBeGreaterThan(1);
  });

  it('semantic routing sends a prompt to the target whose description is nearest', async () => {
    const math = await postJson(`${gw.proxyUrl}/semantic`, ask('Solve these algebra equations with numbers'));
    expect(math.status, math.text).toBe(200);
    expect(math.headers['x-aigw-target']).toBe('openai/math-model');
    const food = await postJson(`${gw.proxyUrl}/semantic`, ask('Share a kitchen recipe for pancakes'));
    expect(food.headers['x-aigw-target']).toBe('openai/chef-model');
  });

  it('the configured target model overrides the client model; bad bodies get Kong’s 400', async () => {
    const r = await postJson(`${gw.proxyUrl}/down`, ask('hello', { model: 'something-else' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ model: 'gpt-4o-mini' });
    const bad = await postJson(`${gw.proxyUrl}/rr`, '{not json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ error: { message: 'content-type header does not match request body, or bad JSON formatting' } });
    const empty = await postJson(`${gw.proxyUrl}/rr`, { messages: [] });
    expect(empty.status).toBe(400);
  });
});
