/**
 * Official SDKs through aigw against the mock LLM: the `openai` client on OpenAI-format routes, and
 * `@anthropic-ai/sdk` on `llm_format: anthropic` routes served by OpenAI, Mistral and Ollama.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY } from './setup.js';

const CLIENT_KEY = 'client-key-1';
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
};
const ANTHROPIC_TOOL = { name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] } };

const BACKENDS = [
  { id: 'openai', model: (m: string) => `{ provider: openai, name: gpt-4o, options: { upstream_url: "${m}/v1/chat/completions" } }` },
  { id: 'mistral', model: (m: string) => `{ provider: mistral, name: mistral-large, options: { mistral_format: openai, upstream_url: "${m}/v1/chat/completions" } }` },
  { id: 'ollama', model: (m: string) => `{ provider: llama2, name: llama3, options: { llama2_format: ollama, upstream_url: "${m}/api/chat" } }` },
];

describe('SDK clients through ai-proxy', () => {
  let mock: MockServer;
  let gw: TestGateway;
  let openai: OpenAI;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    const anthropicRoutes = BACKENDS.map((b) => `
  - name: anthropic-${b.id}
    paths: [/anthropic/${b.id}]
    plugins:
    - name: key-auth
      config: { key_names: [x-api-key, authorization], hide_credentials: true }
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        llm_format: anthropic
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: ${b.model(mock.url)}`).join('');
    gw = await gatewayFrom(`
_format_version: "3.0"
consumers:
- username: app
  keyauth_credentials: [{ key: ${CLIENT_KEY} }]
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: sdk-chat
    paths: [/sdk/v1/chat/completions]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock.url}/v1/chat/completions" } }
  - name: sdk-embeddings
    paths: [/sdk/v1/embeddings]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/embeddings
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock.url}/v1/embeddings" } }${anthropicRoutes}
`);
    openai = new OpenAI({ apiKey: 'not-the-provider-key', baseURL: `${gw.proxyUrl}/sdk/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });

  describe('openai client', () => {
    it('chat: the configured model and key are used, the client key never reaches the provider', async () => {
      const r = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
      expect(r.choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
      expect(r.usage?.total_tokens).toBeGreaterThan(0);
      const seen = mock.requests().at(-1);
      expect(seen?.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(JSON.stringify(seen?.headers)).not.toContain('not-the-provider-key');
    });

    it('chat with another model is refused with Kong\'s message', async () => {
      const err = await openai.chat.completions.create({ model: 'gpt-3.5', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('cannot use own model - must be: gpt-4o');
    });

    it('stream: deltas, include_usage honoured, ends cleanly', async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'What is 1 + 1?' }],
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('The answer to 1 + 1 is 2.');
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });

    it('tools: a tool call comes back, plain and streamed', async () => {
      const messages = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];
      const r = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools: [WEATHER_TOOL] });
      const call = r.choices[0].message.tool_calls?.[0];
      expect(r.choices[0].finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' ? call.function.name : null).toBe('get_weather');
      expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({ location: 'San Francisco, CA' });
      const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools: [WEATHER_TOOL], stream: true });
      let name = '';
      let args = '';
      for await (const chunk of stream) {
        for (const t of chunk.choices[0]?.delta?.tool_calls ?? []) {
          name += t.function?.name ?? '';
          args += t.function?.arguments ?? '';
        }
      }
      expect(name).toBe('get_weather');
      expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA' });
    });

    it('embeddings', async () => {
      const r = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
      expect(r.data).toHaveLength(2);
      expect(r.data[0].embedding).toHaveLength(16);
      expect(r.data[0].embedding).not.toEqual(r.data[1].embedding);
      expect(r.usage.prompt_tokens).toBeGreaterThan(0);
    });
  });

  for (const b of BACKENDS) {
    describe(`anthropic client → ${b.id}`, () => {
      const client = (style: 'x-api-key' | 'bearer'): Anthropic => style === 'x-api-key'
        ? new Anthropic({ apiKey: CLIENT_KEY, baseURL: `${gw.proxyUrl}/anthropic/${b.id}`, maxRetries: 0 })
        : new Anthropic({ apiKey: null, authToken: CLIENT_KEY, baseURL: `${gw.proxyUrl}/anthropic/${b.id}`, maxRetries: 0 });

      it('messages with a system prompt, both auth header styles', async () => {
        for (const style of ['x-api-key', 'bearer'] as const) {
          const m = await client(style).messages.create({
            model: 'claude-sonnet-4-5', max_tokens: 100, system: 'You are terse.', messages: [{ role: 'user', content: 'What is 1 + 1?' }],
          });
          expect(m.type).toBe('message');
          expect(m.role).toBe('assistant');
          expect(m.content[0]).toMatchObject({ type: 'text', text: 'The answer to 1 + 1 is 2.' });
          expect(m.stop_reason).toBe('end_turn');
          expect(m.usage.output_tokens).toBeGreaterThan(0);
          const seen = mock.requests().at(-1);
          expect(JSON.stringify(seen?.body)).toContain('You are terse.');
          expect(JSON.stringify(seen?.headers)).not.toContain(CLIENT_KEY);
        }
      });

      it('a wrong client key is refused by key-auth', async () => {
        const bad = new Anthropic({ apiKey: 'nope', baseURL: `${gw.proxyUrl}/anthropic/${b.id}`, maxRetries: 0 });
        const err = await bad.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
      });

      it('stream: Anthropic events, text and usage', async () => {
        const stream = client('x-api-key').messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
        const types: string[] = [];
        stream.on('streamEvent', (e) => types.push(e.type));
        const final = await stream.finalMessage();
        expect(final.content[0]).toMatchObject({ type: 'text', text: 'The answer to 1 + 1 is 2.' });
        expect(final.usage.output_tokens).toBeGreaterThan(0);
        expect(types[0]).toBe('message_start');
        expect(types.at(-1)).toBe('message_stop');
        expect(types).toContain('content_block_delta');
        expect(types).toContain('message_delta');
      });

      it('tools: tool_use block, plain and streamed, and a tool_result round trip', async () => {
        const c = client('bearer');
        const m = await c.messages.create({ model: 'x', max_tokens: 100, tools: [ANTHROPIC_TOOL], messages: [{ role: 'user', content: 'weather in Paris?' }] });
        const use = m.content.find((x) => x.type === 'tool_use');
        expect(m.stop_reason).toBe('tool_use');
        expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'San Francisco, CA' } });
        const streamed = await c.messages.stream({ model: 'x', max_tokens: 100, tools: [ANTHROPIC_TOOL], messages: [{ role: 'user', content: 'weather in Paris?' }] }).finalMessage();
        expect(streamed.content.find((x) => x.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { location: 'San Francisco, CA' } });
        const id = use?.type === 'tool_use' ? use.id : '';
        const answer = await c.messages.create({
          model: 'x', max_tokens: 100, tools: [ANTHROPIC_TOOL],
          messages: [
            { role: 'user', content: 'weather in Paris?' },
            { role: 'assistant', content: m.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'sunny' }] },
          ],
        });
        expect(answer.content[0]).toMatchObject({ type: 'text' });
        expect(answer.content[0].type === 'text' ? answer.content[0].text : '').toContain('sunny');
      });

      it('count_tokens is answered by the gateway', async () => {
        const before = mock.requests().length;
        const r = await client('x-api-key').messages.countTokens({ model: 'x', messages: [{ role: 'user', content: 'What is the weather like in Paris today?' }] });
        expect(r.input_tokens).toBeGreaterThan(5);
        expect(mock.requests().length).toBe(before);
      });

      it('Anthropic-shaped errors for gateway and provider failures', async () => {
        const err = await client('x-api-key').messages.create({ model: 'x', max_tokens: 10, messages: [] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Anthropic.BadRequestError);
        expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
        const up = await client('x-api-key').messages.create({ model: 'x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-mock-status': '429' } }).catch((e: unknown) => e);
        expect(up).toBeInstanceOf(Anthropic.RateLimitError);
        expect((up as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      });
    });
  }
});
