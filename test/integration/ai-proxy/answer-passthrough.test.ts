/**
 * An OpenAI-format answer that the gateway would not change (same JSON value: `object`, usage as
 * aigw writes them) goes out as the upstream's own bytes, as Kong sends it, whitespace and escapes
 * included (no second JSON.stringify); every other answer is serialised as before. For each
 * upstream body below: the bytes the client gets (on a route that logs and on one that does not),
 * the log record (usage, response model, payload), and whether the LLM call handed the upstream's
 * bytes on. The expected bodies are written out by hand: an upstream body that must be rewritten
 * differs from them, so taking the fast path wrongly fails here.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import type { LlmTarget } from '../../../src/gateway/llm/call/client.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY, logFor } from './setup.js';

const CANONICAL = '{"id":"c1","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \\"there\\"\\n\\\\ é 😀 </b> / ok","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12},"service_tier":"default","system_fingerprint":"fp_1"}';
const CHOICES = '"choices":[{"index":0,"message":{"role":"assistant","content":"one two three"},"finish_reason":"stop"}]';

interface Case {
  /** The upstream's 200 body. */
  upstream: string | Buffer;
  /** What the client gets. */
  body: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** The LLM call hands the upstream's bytes on. */
  passed: boolean;
}

const CASES: Record<string, Case> = {
  canonical: { upstream: CANONICAL, body: CANONICAL, usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }, passed: true },
  'cached tokens': {
    upstream: `{"id":"c2","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":4}}}`,
    body: `{"id":"c2","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":4}}}`,
    usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 }, passed: true,
  },
  'no object': {
    upstream: `{"id":"c3","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    body: `{"id":"c3","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5},"object":"chat.completion"}`,
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }, passed: false,
  },
  'no usage': {
    upstream: `{"id":"c4","object":"chat.completion","created":1,"model":"m",${CHOICES}}`,
    body: `{"id":"c4","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":4,"total_tokens":6}}`,
    usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 }, passed: false,
  },
  'no total': {
    upstream: `{"id":"c5","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3}}`,
    body: `{"id":"c5","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }, passed: false,
  },
  'usage details': {
    upstream: `{"id":"c6","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`,
    // what OpenAI sends today: kept whole, so the answer is the upstream's bytes
    body: `{"id":"c6","object":"chat.completion","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`,
    usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 }, passed: true,
  },
  'duplicate key': {
    upstream: `{"id":"c7","object":"chat.completion","id":"c8","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    body: `{"id":"c7","object":"chat.completion","id":"c8","created":1,"model":"m",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }, passed: true,
  },
  'pretty printed': {
    upstream: '{\n  "id": "c9",\n  "object": "chat.completion",\n  "created": 1,\n  "model": "m",\n  "choices": [\n    {\n      "index": 0,\n      "message": {\n        "role": "assistant",\n        "content": "one two three"\n      },\n      "finish_reason": "stop"\n    }\n  ],\n  "usage": {\n    "prompt_tokens": 2,\n    "completion_tokens": 3,\n    "total_tokens": 5\n  }\n}\n',
    body: '{\n  "id": "c9",\n  "object": "chat.completion",\n  "created": 1,\n  "model": "m",\n  "choices": [\n    {\n      "index": 0,\n      "message": {\n        "role": "assistant",\n        "content": "one two three"\n      },\n      "finish_reason": "stop"\n    }\n  ],\n  "usage": {\n    "prompt_tokens": 2,\n    "completion_tokens": 3,\n    "total_tokens": 5\n  }\n}\n',
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }, passed: true,
  },
  escapes: {
    upstream: `{"id":"c10","object":"chat.completion","created":1.0,"model":"m\\u00e9\\/x",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    body: `{"id":"c10","object":"chat.completion","created":1.0,"model":"m\\u00e9\\/x",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }, passed: true,
  },
  'not UTF-8': {
    upstream: Buffer.concat([Buffer.from(`{"id":"c11","object":"chat.completion","created":1,"model":"m`), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from(`",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`)]),
    body: `{"id":"c11","object":"chat.completion","created":1,"model":"m\ufffd",${CHOICES},"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`,
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }, passed: false,
  },
};

function upstream(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const what = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { messages: Array<{ content: string }> }).messages[0].content;
      res.writeHead(200, { 'content-type': 'application/json' }).end(CASES[what].upstream);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const model = (url: string) => `{ provider: openai, name: gpt-4o, options: { upstream_url: "${url}/v1/chat/completions" } }`;
const auth = `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`;

function post(url: string, content: string): Promise<{ status: number; id: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, id: String(res.headers['x-kong-request-id']), body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ messages: [{ role: 'user', content }] }));
  });
}

describe("ai-proxy sends an unchanged OpenAI answer as the upstream's bytes", () => {
  let up: http.Server;
  let url: string;
  let logged: TestGateway;
  let lean: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-pass-')), 'ai.log');
  const llm = createLlmCaller({ env: {} });

  beforeAll(async () => {
    up = await upstream();
    url = `http://127.0.0.1:${(up.address() as AddressInfo).port}`;
    logged = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, logging: { log_statistics: true, log_payloads: true }, auth: ${auth}, model: ${model(url)} }
  - name: transformed
    paths: [/transformed]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: ${auth}, model: ${model(url)} }
    - name: response-transformer
      config: { remove: { json: [system_fingerprint] }, add: { json: ["x_gateway:aigw"] } }
  - name: claude
    paths: [/claude]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, llm_format: anthropic, auth: ${auth}, model: ${model(url)} }
`, { adminListen: null });
    lean = await gatewayFrom(`
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: ${auth}, model: ${model(url)} }
`, { adminListen: null });
  });
  afterAll(async () => {
    await logged.close(100);
    await lean.close(100);
    await llm.close();
    await new Promise((r) => up.close(r));
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: ${c.passed ? "the upstream's bytes" : 'serialised again'}, the same log record`, async () => {
      for (const gw of [lean, logged]) {
        const r = await post(`${gw.proxyUrl}/chat`, name);
        expect(r.status).toBe(200);
        expect(r.body.toString('utf8')).toBe(c.body);
        expect(r.body.equals(Buffer.from(c.body))).toBe(true);
      }
      const r = await post(`${logged.proxyUrl}/chat`, name);
      const ai = (await logFor(logPath, r.id)).ai?.proxy;
      expect(ai?.usage).toMatchObject(c.usage);
      expect(ai?.meta).toMatchObject({ request_model: 'gpt-4o', response_model: (JSON.parse(c.body) as { model: string }).model });
      expect((ai?.payload as { response: string }).response).toBe(c.body);

      const target: LlmTarget = { route_type: 'llm/v1/chat', auth: { header_name: 'Authorization', header_value: `Bearer ${KEY}` }, model: { provider: 'openai', name: 'gpt-4o', options: { upstream_url: `${url}/v1/chat/completions` } } };
      const call = await llm.call(target, { messages: [{ role: 'user', content: name }] }, { stream: false, requestId: 'r1' });
      if (!call.ok || call.kind !== 'buffered') throw new Error(`unexpected ${JSON.stringify(call)}`);
      expect(call.bytes !== undefined).toBe(c.passed);
      if (c.passed) {
        expect(call.bytes?.equals(Buffer.from(c.upstream))).toBe(true);
        expect(JSON.parse(call.text ?? '')).toEqual(JSON.parse(JSON.stringify(call.response)));
      }
    });
  }

  it('a response phase still rewrites the passed-through answer', async () => {
    const r = await post(`${logged.proxyUrl}/transformed`, 'canonical');
    const expected = CANONICAL.replace(',"system_fingerprint":"fp_1"}', ',"x_gateway":"aigw"}');
    expect(JSON.parse(r.body.toString('utf8'))).toEqual(JSON.parse(expected));
    expect(r.body.toString('utf8')).not.toContain('fp_1');
  });

  it('a client format that translates the answer gets its own shape', async () => {
    const r = await post(`${logged.proxyUrl}/claude`, 'canonical');
    expect(JSON.parse(r.body.toString('utf8'))).toMatchObject({ type: 'message', model: 'gpt-4o-2024-08-06', usage: { input_tokens: 5, output_tokens: 7 } });
  });
});
