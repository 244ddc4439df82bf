/**
 * The usage details today's providers report reach the clients that read them: OpenAI's
 * `completion_tokens_details` (reasoning tokens) and `prompt_tokens_details` (cached and audio
 * tokens) through the `openai` SDK's chat completions, JSON and streamed; and cache reads reported by
 * Anthropic through the Responses API (Codex reads `input_tokens_details.cached_tokens`), which aigw
 * used to answer with 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';

const USAGE = {
  prompt_tokens: 50, completion_tokens: 40, total_tokens: 90,
  prompt_tokens_details: { cached_tokens: 16, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 32, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
const CHAT = { id: 'chatcmpl-u', object: 'chat.completion', created: 1, model: 'o4-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop' }], usage: USAGE, service_tier: 'default', system_fingerprint: 'fp_1' };
const chunk = (extra: Record<string, unknown>): string => `data: ${JSON.stringify({ id: 'chatcmpl-u', object: 'chat.completion.chunk', created: 1, model: 'o4-mini', ...extra })}\n\n`;
const STREAM = [
  chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }], usage: null }),
  chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }),
  chunk({ choices: [], usage: USAGE }),
  'data: [DONE]\n\n',
].join('');
const MESSAGE = {
  id: 'msg_u', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 100, output_tokens: 5, cache_read_input_tokens: 600, cache_creation_input_tokens: 0 },
};

// Gemini 2.5's wire format: the thinking is counted apart from the candidates (totalTokenCount has both)
const GEMINI_USAGE = { promptTokenCount: 120, candidatesTokenCount: 2, totalTokenCount: 422, cachedContentTokenCount: 100, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 120 }], thoughtsTokenCount: 300 };
const GEMINI = (usageMetadata: unknown) => ({ candidates: [{ content: { parts: [{ text: 'ok' }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: 'gemini-2.5-flash', responseId: 'g1' });

/** A chat route to Gemini 2.5 Flash's `method` on the test upstream (its key in the query, as AI Studio takes it). */
const geminiRoute = (prefix: string, method: string): string => `  - name: gemini-${method}
    paths: [${prefix}/v1/chat/completions]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { param_name: key, param_value: gk-up, param_location: query }
        model: { provider: gemini, name: gemini-2.5-flash, options: { upstream_url: "${url}/v1beta/models/gemini-2.5-flash:${method}" } }
`;

let upstream: Server;
let gw: TestGateway;
let url: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString()) as { stream?: boolean };
      if (req.url?.includes('/v1/messages')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MESSAGE));
      if (req.url?.includes(':generateContent')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(GEMINI(GEMINI_USAGE)));
      if (req.url?.includes(':streamGenerateContent')) {
        const first = GEMINI({ promptTokenCount: 120, totalTokenCount: 420, thoughtsTokenCount: 300 });
        return res.writeHead(200, { 'content-type': 'application/json' }).end(`[${JSON.stringify(first)},\r\n${JSON.stringify(GEMINI(GEMINI_USAGE))}]`);
      }
      if (body.stream === true) return res.writeHead(200, { 'content-type': 'text/event-stream' }).end(STREAM);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CHAT));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/oa/v1/chat/completions]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer sk-up" }
        model: { provider: openai, name: o4-mini, options: { upstream_url: "${url}/v1/chat/completions" } }
${geminiRoute('/ge', 'generateContent')}${geminiRoute('/gs', 'streamGenerateContent')}  - name: responses
    paths: [/an/v1/responses]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/responses
        auth: { header_name: x-api-key, header_value: sk-up }
        model: { provider: anthropic, name: claude-sonnet-4-5, options: { upstream_url: "${url}/v1/messages", anthropic_version: "2023-06-01", max_tokens: 256 } }
`);
});
afterAll(async () => {
  await gw?.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('usage details through aigw to the SDKs', () => {
  it('chat completions: completion_tokens_details and prompt_tokens_details as OpenAI reported them', async () => {
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gw.proxyUrl}/oa/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'o4-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.usage).toEqual(USAGE);
    expect(r.usage?.completion_tokens_details?.reasoning_tokens).toBe(32);
  });

  it('streamed with include_usage: the final chunk carries the details (an OpenAI stream is passed on as it comes: a guard)', async () => {
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gw.proxyUrl}/oa/v1`, maxRetries: 0 });
    const s = await client.chat.completions.create({ model: 'o4-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of s) if (c.usage) usage = c.usage;
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(32);
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(16);
  });

  it("Gemini 2.5's thinking reaches the client as reasoning tokens, part of completion_tokens; cached content as cached_tokens (was: candidates only)", async () => {
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gw.proxyUrl}/ge/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('ok');
    expect(r.usage).toEqual({ prompt_tokens: 120, completion_tokens: 302, total_tokens: 422, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 300 } });
    const streamed = new OpenAI({ apiKey: 'sk-client', baseURL: `${gw.proxyUrl}/gs/v1`, maxRetries: 0 });
    const s = await streamed.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of s) if (c.usage) usage = c.usage;
    expect(usage).toMatchObject({ completion_tokens: 302, total_tokens: 422, completion_tokens_details: { reasoning_tokens: 300 } });
  });

  it("Responses API over Anthropic: the cache reads in input_tokens_details (was always 0)", async () => {
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gw.proxyUrl}/an/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: 'claude-sonnet-4-5', input: 'hi', store: false });
    expect(r.output_text).toBe('ok');
    expect(r.usage?.input_tokens_details.cached_tokens).toBe(600);
    expect(r.usage?.output_tokens_details.reasoning_tokens).toBe(0);
  });
});
