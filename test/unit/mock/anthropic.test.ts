import Anthropic, { AuthenticationError, BadRequestError, InternalServerError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { at, call, parseSse } from './client.js';

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMock();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0, timeout: 5_000 });
});
afterAll(async () => {
  await mock.close();
});

const tools = [
  { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' }, days: { type: 'number' } }, required: ['city'] } },
];

describe('anthropic messages (official SDK)', () => {
  it('answers with a message and usage', async () => {
    const m = await client.messages.create({ model: 'claude-3-5-sonnet', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
    expect(m.type).toBe('message');
    expect(m.role).toBe('assistant');
    expect(m.content).toEqual([{ type: 'text', text: 'The answer to 1 + 1 is 2.' }]);
    expect(m.stop_reason).toBe('end_turn');
    expect(m.usage).toEqual({ input_tokens: 7, output_tokens: 8 });
    expect(m.id).toMatch(/^msg_/);
  });

  it('streams the exact event sequence and the SDK assembles the text', async () => {
    const stream = client.messages.stream({ model: 'claude-3-5-sonnet', max_tokens: 100, messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'The answer to 1 + 1 is 2.' }]);
    expect(final.usage.output_tokens).toBe(8);
    expect(final.usage.input_tokens).toBe(5);
    // the SDK swallows `ping`; the wire test below checks it
    expect(types).toEqual(['message_start', 'content_block_start', ...Array(8).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('sends event: lines matching the data type on the wire', async () => {
    const res = await call(`${mock.url}/v1/messages`, {
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: { model: 'c', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = parseSse(res.text);
    for (const e of events) expect(at(JSON.parse(e.data), 'type')).toBe(e.event);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(at(JSON.parse(events[0].data), 'message', 'usage', 'input_tokens')).toBe(1);
    expect(at(JSON.parse(events[8].data), 'usage', 'output_tokens')).toBe(4);
  });

  it('answers with tool_use and streams input_json_delta', async () => {
    const m = await client.messages.create({ model: 'c', max_tokens: 100, tools, messages: [{ role: 'user', content: 'weather in Rome?' }] });
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'San Francisco, CA' } });
    const stream = client.messages.stream({ model: 'c', max_tokens: 100, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'hello' }] });
    const deltas: string[] = [];
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') deltas.push(e.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'San Francisco, CA' } });
    expect(final.stop_reason).toBe('tool_use');
  });

  it('answers a tool_result with text including it', async () => {
    const m = await client.messages.create({
      model: 'c',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'weather in Rome?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny, 25C' }] },
      ],
    });
    expect(m.content).toEqual([{ type: 'text', text: 'The tool returned: sunny, 25C' }]);
  });

  it('stops at max_tokens', async () => {
    const m = await client.messages.create({ model: 'c', max_tokens: 2, messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
    expect(m.stop_reason).toBe('max_tokens');
    expect(m.content).toEqual([{ type: 'text', text: 'The answer' }]);
  });

  it('counts tokens', async () => {
    const r = await client.messages.countTokens({ model: 'c', messages: [{ role: 'user', content: 'one two three' }] });
    expect(r.input_tokens).toBe(3);
  });

  it('requires max_tokens', async () => {
    const res = await call(`${mock.url}/v1/messages`, { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body: { model: 'c', messages: [] } });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });
});

describe('anthropic legacy complete', () => {
  it('answers and streams completions', async () => {
    const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
    const prompt = '\n\nHuman: What is 1 + 1?\n\nAssistant:';
    const res = await call(`${mock.url}/v1/complete`, { headers, body: { model: 'claude-2.1', prompt, max_tokens_to_sample: 50 } });
    expect(res.json()).toMatchObject({ type: 'completion', completion: ' The answer to 1 + 1 is 2.', stop_reason: 'stop_sequence', model: 'claude-2.1' });
    const s = await call(`${mock.url}/v1/complete`, { headers, body: { model: 'claude-2.1', prompt, max_tokens_to_sample: 50, stream: true } });
    const events = parseSse(s.text);
    expect(events.every((e) => e.event === 'completion')).toBe(true);
    expect(events.map((e) => String(at(JSON.parse(e.data), 'completion'))).join('')).toBe(' The answer to 1 + 1 is 2.');
    expect(at(JSON.parse(events.at(-1)?.data ?? '{}'), 'stop_reason')).toBe('stop_sequence');
  });

  it('requires max_tokens_to_sample', async () => {
    const res = await call(`${mock.url}/v1/complete`, { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body: { model: 'c', prompt: 'x' } });
    expect(res.status).toBe(400);
  });
});

describe('anthropic auth and errors', () => {
  it('rejects a missing key with authentication_error', async () => {
    const res = await call(`${mock.url}/v1/messages`, { headers: { 'anthropic-version': '2023-06-01' }, body: { model: 'c', max_tokens: 5, messages: [] } });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
  });

  it('requires anthropic-version', async () => {
    const res = await call(`${mock.url}/v1/messages`, { headers: { 'x-api-key': 'k' }, body: { model: 'c', max_tokens: 5, messages: [] } });
    expect(res.status).toBe(400);
    expect(at(res.json(), 'error', 'message')).toBe('anthropic-version: header is required');
  });

  it('shapes injected errors as Anthropic errors (SDK classes)', async () => {
    const req = { model: 'c', max_tokens: 5, messages: [{ role: 'user' as const, content: 'x' }] };
    await expect(client.messages.create(req, { headers: { 'x-mock-status': '400' } })).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.messages.create(req, { headers: { 'x-mock-status': '500' } })).rejects.toBeInstanceOf(InternalServerError);
    const overloaded = await call(`${mock.url}/v1/messages`, { headers: { 'x-api-key': 'k', 'anthropic-version': 'v', 'x-mock-status': '529' }, body: req });
    expect(overloaded.status).toBe(529);
    expect(at(overloaded.json(), 'error', 'type')).toBe('overloaded_error');
    const limited = await call(`${mock.url}/v1/messages`, { headers: { 'x-api-key': 'k', 'anthropic-version': 'v', 'x-mock-rate-limit': '3' }, body: req });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(at(limited.json(), 'error', 'type')).toBe('rate_limit_error');
  });

  it('only accepts the required key when configured', async () => {
    const strict = await startMock({ requireKey: 'right' });
    try {
      const wrong = new Anthropic({ apiKey: 'wrong', baseURL: strict.url, maxRetries: 0 });
      await expect(wrong.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(AuthenticationError);
      const right = new Anthropic({ apiKey: 'right', baseURL: strict.url, maxRetries: 0 });
      const m = await right.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      expect(m.content[0]).toMatchObject({ type: 'text' });
    } finally {
      await strict.close();
    }
  });
});
