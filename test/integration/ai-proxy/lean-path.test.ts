/**
 * A route whose only plugin is ai-proxy, on a gateway where nothing reads a request's log data (no
 * `log` phase, no access log, no dashboard feed), skips building it (ctx.logged: no AI analytics,
 * no deferred log step). The same requests through the same config with a per-request subscriber
 * (the generic path) must get byte-identical answers, and the subscriber must see every analytics
 * record; the in-flight count must return to zero on both (the pipeline's one `close` listener).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AI_ANALYTICS, type AiAnalytics } from '../../../src/gateway/llm/call/analytics.js';
import type { GatewayContext } from '../../../src/gateway/context.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { postJson } from './setup.js';

const KEY = 'sk-lean';
const ANSWER = JSON.stringify({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-2024-08-06', service_tier: 'default',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Two. "quoted" \u00e9 \\ done', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } },
}, null, 1);
const chunk = (delta: unknown, finish: string | null, usage?: unknown) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o', choices: delta === null ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
const STREAM = [chunk({ role: 'assistant', content: 'Tw' }, null), chunk({ content: 'o.' }, 'stop'), chunk(null, null, { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }), 'data: [DONE]\n\n'];

/** A deterministic OpenAI upstream: the first message's content picks the answer. */
function upstream(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"bad key"}}');
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { stream?: boolean; messages: Array<{ content: string }> };
      const what = body.messages[0]?.content;
      if (what === 'limit') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7', 'x-upstream': 'yes' }).end('{"error":{"message":"slow down","type":"rate_limit"}}');
      } else if (what === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('not json');
      } else if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-upstream': 'yes' });
        for (const c of STREAM) res.write(c);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', 'openai-processing-ms': '5' }).end(ANSWER);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const yaml = (url: string) => `
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 64, upstream_url: "${url}/v1/chat/completions", input_cost: 10, output_cost: 20 } }
`;

/** What a client sees, without what differs per request or per second. */
function seen(r: { status: number; headers: http.IncomingHttpHeaders; text: string }): unknown {
  const headers = { ...r.headers };
  for (const h of ['date', 'x-kong-request-id', 'x-kong-upstream-latency', 'x-kong-proxy-latency', 'x-kong-response-latency']) {
    expect(h === 'date' || h === 'x-kong-request-id' || headers[h] === undefined || /^\d+$/.test(String(headers[h]))).toBe(true);
    delete headers[h];
  }
  return { status: r.status, headers, text: r.text.replace(/"request_id":"[0-9a-f]+"/g, '"request_id":"…"') };
}

const REQUESTS: Array<{ name: string; body: unknown; headers?: Record<string, string> }> = [
  { name: 'buffered chat', body: { messages: [{ role: 'user', content: 'What is 1 + 1?' }], temperature: 0.5 } },
  { name: 'kong-debug header', body: { messages: [{ role: 'user', content: 'hi' }] }, headers: { 'kong-debug': '1' } },
  { name: 'stream', body: { messages: [{ role: 'user', content: 'hi' }], stream: true } },
  { name: 'stream with usage', body: { messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } } },
  { name: 'upstream 429', body: { messages: [{ role: 'user', content: 'limit' }] } },
  { name: 'upstream garbage', body: { messages: [{ role: 'user', content: 'garbage' }] } },
  { name: 'bad JSON', body: '{"messages": [' },
  { name: 'own model', body: { model: 'gpt-3.5', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'query string', body: { messages: [{ role: 'user', content: 'hi' }] }, headers: { 'x-client': 'a' } },
];

describe('ai-proxy alone, nothing logging: the lean answer equals the generic one', () => {
  let up: http.Server;
  let lean: TestGateway;
  let generic: TestGateway;
  const seenBySubscriber: Array<{ id: string; logged: boolean; analytics: AiAnalytics | undefined }> = [];

  beforeAll(async () => {
    up = await upstream();
    const text = yaml(`http://127.0.0.1:${(up.address() as AddressInfo).port}`);
    lean = await gatewayFrom(text, { adminListen: null });
    generic = await gatewayFrom(text, {
      adminListen: null,
      onRequest: (ctx: GatewayContext) => seenBySubscriber.push({ id: ctx.requestId, logged: ctx.logged, analytics: ctx.get(AI_ANALYTICS) }),
    });
  });
  afterAll(async () => {
    await lean.close(100);
    await generic.close(100);
    await new Promise((r) => up.close(r));
  });

  for (const r of REQUESTS) {
    it(`${r.name}: same status, headers and body`, async () => {
      const path = r.name === 'query string' ? '/chat?a=1&b=2' : '/chat';
      const a = await postJson(`${lean.proxyUrl}${path}`, r.body, r.headers);
      const b = await postJson(`${generic.proxyUrl}${path}`, r.body, r.headers);
      expect(seen(a)).toEqual(seen(b));
      expect(a.status).toBeGreaterThanOrEqual(200);
    });
  }

  it('the subscriber saw every request, with analytics for each answered one', async () => {
    // the feed runs after the response's close event, which may come after the client has its answer
    const end = Date.now() + 15_000; // generous: a loaded machine
    while (seenBySubscriber.length < REQUESTS.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seenBySubscriber).toHaveLength(REQUESTS.length);
    expect(seenBySubscriber.every((s) => s.logged)).toBe(true);
    const withAnalytics = seenBySubscriber.filter((s) => s.analytics !== undefined);
    // buffered ×3 (chat, kong-debug, query string) + 2 streams
    expect(withAnalytics).toHaveLength(5);
    const first = withAnalytics[0].analytics;
    expect(first?.meta).toMatchObject({ provider_name: 'openai', request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06' });
    expect(first?.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } });
    expect(first?.requestParams).toEqual({ max_tokens: 64, temperature: 0.5 });
  });

  it('the in-flight count returns to zero on both, also after a client that leaves mid-request', async () => {
    for (const gw of [lean, generic]) {
      const before = gw.stats.totalRequests;
      await new Promise<void>((resolve) => {
        const req = http.request(`${gw.proxyUrl}/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100' }, agent: false });
        req.on('error', () => resolve());
        req.write('{"messages":');
        // leave once the gateway has the request (a fixed 30 ms may end it before it arrives on a loaded machine)
        const started = Date.now();
        const leave = setInterval(() => {
          if (gw.stats.totalRequests === before && Date.now() - started < 15_000) return;
          clearInterval(leave);
          req.destroy();
          resolve();
        }, 10);
      });
      const end = Date.now() + 15_000;
      while (gw.stats.inFlight !== 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(gw.stats.inFlight).toBe(0);
      expect(gw.stats.totalRequests).toBe(REQUESTS.length + 1);
    }
  });
});
