import OpenAI, { APIConnectionError, InternalServerError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { at, call, parseSse } from './client.js';

let mock: MockServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0, timeout: 5_000 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer' } }, required: ['location', 'unit'] },
  },
};

describe('openai chat completions (official SDK)', () => {
  it('answers deterministically with usage', async () => {
    const ask = () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 1 + 1?' }] });
    const a = await ask();
    const b = await ask();
    expect(a.choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
    expect(a.choices[0].finish_reason).toBe('stop');
    expect(a.object).toBe('chat.completion');
    expect(a.model).toBe('gpt-4o');
    // as OpenAI answers: the breakdowns its SDKs read (cached_tokens for cost, reasoning_tokens)
    expect(a.usage).toEqual({ prompt_tokens: 7, completion_tokens: 8, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } });
    expect(b).toEqual(a);
    expect(a.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
  });

  it('echoes other prompts and truncates at max_tokens', async () => {
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'tell me   a story' }] });
    expect(r.choices[0].message.content).toBe('Mock answer to: tell me a story');
    const cut = await client.chat.completions.create({ model: 'm', max_tokens: 3, messages: [{ role: 'user', content: 'tell me a story' }] });
    expect(cut.choices[0].message.content).toBe('Mock answer to:');
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(cut.usage?.completion_tokens).toBe(3);
  });

  it('streams chunks, a usage chunk with include_usage, and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'What is 1 + 1?' }],
    });
    let text = '';
    const finishes: Array<string | null> = [];
    let usage: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.choices.length > 0) {
        text += chunk.choices[0].delta.content ?? '';
        finishes.push(chunk.choices[0].finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('The answer to 1 + 1 is 2.');
    expect(finishes.at(-1)).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 8, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } });
    expect(chunks).toBe(1 + 8 + 1 + 1);
  });

  it('ends the raw stream with data: [DONE] and sends no usage chunk unless asked', async () => {
    const res = await call(`${mock.url}/v1/chat/completions`, {
      headers: { authorization: 'Bearer k' },
      body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = parseSse(res.text);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.data) as unknown);
    expect(parsed.every((p) => at(p, 'usage') === undefined)).toBe(true);
    expect(at(parsed[0], 'choices', 0, 'delta', 'role')).toBe('assistant');
  });

  it('calls the tool when asked about the weather, with arguments from the schema', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o', tools: [weatherTool], messages: [{ role: 'user', content: 'What is the weather in Paris?' }] });
    const choice = r.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call0 = choice.message.tool_calls?.[0];
    expect(call0?.type).toBe('function');
    if (call0?.type !== 'function') throw new Error('no function call');
    expect(call0.function.name).toBe('get_weather');
    expect(JSON.parse(call0.function.arguments)).toEqual({ location: 'San Francisco, CA', unit: 'celsius' });
    expect(call0.id).toMatch(/^call_/);
  });

  it('honours tool_choice none, required and named', async () => {
    const other = { type: 'function' as const, function: { name: 'other', parameters: { type: 'object', properties: {} } } };
    const none = await client.chat.completions.create({ model: 'm', tools: [weatherTool], tool_choice: 'none', messages: [{ role: 'user', content: 'weather?' }] });
    expect(none.choices[0].message.tool_calls).toBeUndefined();
    const required = await client.chat.completions.create({ model: 'm', tools: [weatherTool, other], tool_choice: 'required', messages: [{ role: 'user', content: 'hello' }] });
    expect(at(required.choices[0].message.tool_calls, 0, 'function', 'name')).toBe('get_weather');
    const named = await client.chat.completions.create({
      model: 'm',
      tools: [weatherTool, other],
      tool_choice: { type: 'function', function: { name: 'other' } },
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(at(named.choices[0].message.tool_calls, 0, 'function', 'name')).toBe('other');
    expect(at(named.choices[0].message.tool_calls, 0, 'function', 'arguments')).toBe('{}');
  });

  it('answers a tool result with text that includes it', async () => {
    const r = await client.chat.completions.create({
      model: 'm',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' },
      ],
    });
    expect(r.choices[0].message.content).toBe('The tool returned: {"temp": 21}');
    expect(r.choices[0].finish_reason).toBe('stop');
  });

  it('streams tool calls the SDK can reassemble', async () => {
    const runner = client.chat.completions.stream({ model: 'm', tools: [weatherTool], messages: [{ role: 'user', content: 'weather in Paris?' }] });
    const final = await runner.finalChatCompletion();
    const tc = final.choices[0].message.tool_calls?.[0];
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    if (tc?.type !== 'function') throw new Error('no function call');
    expect(JSON.parse(tc.function.arguments)).toEqual({ location: 'San Francisco, CA', unit: 'celsius' });
  });

  it('rejects a request without messages with an OpenAI error', async () => {
    const res = await call(`${mock.url}/v1/chat/completions`, { headers: { authorization: 'Bearer k' }, body: { model: 'm' } });
    expect(res.status).toBe(400);
    expect(at(res.json(), 'error', 'type')).toBe('invalid_request_error');
    const bad = await call(`${mock.url}/v1/chat/completions`, { headers: { authorization: 'Bearer k' }, body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(at(bad.json(), 'error', 'message')).toMatch(/not valid JSON/);
  });
});

describe('openai completions, embeddings, models', () => {
  it('answers legacy completions, plain and streamed', async () => {
    const r = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'What is 1 + 1?' });
    expect(r.object).toBe('text_completion');
    expect(r.choices[0].text).toBe('The answer to 1 + 1 is 2.');
    const s = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'What is 1 + 1?', stream: true });
    let text = '';
    for await (const c of s) text += c.choices[0]?.text ?? '';
    expect(text).toBe('The answer to 1 + 1 is 2.');
  });

  it('returns deterministic unit vectors (SDK default base64 and float) with configurable dimensions', async () => {
    const a = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello world', 'bye'] });
    expect(a.data).toHaveLength(2);
    expect(a.data[0].embedding).toHaveLength(16);
    const norm = Math.sqrt(a.data[0].embedding.reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(a.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const f = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'float' });
    expect(f.data[0].embedding).toEqual(a.data[0].embedding);
    expect(a.data[1].embedding).not.toEqual(a.data[0].embedding);
    const d = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', dimensions: 40 });
    expect(d.data[0].embedding).toHaveLength(40);
  });

  it('rejects invalid embedding dimensions', async () => {
    const res = await call(`${mock.url}/v1/embeddings`, { headers: { authorization: 'Bearer k' }, body: { model: 'e', input: 'x', dimensions: 0 } });
    expect(res.status).toBe(400);
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('gpt-4o');
    const one = await client.models.retrieve('gpt-4o-mini');
    expect(one.id).toBe('gpt-4o-mini');
  });
});

describe('openai auth and faults', () => {
  it('rejects a missing key with the real 401 body', async () => {
    const res = await call(`${mock.url}/v1/chat/completions`, { body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
  });

  it('maps x-mock-status 500 and x-mock-rate-limit to SDK errors', async () => {
    await expect(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-status': '500' } }),
    ).rejects.toBeInstanceOf(InternalServerError);
    const err = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-rate-limit': '7' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).headers.get('retry-after')).toBe('7');
    expect(at((err as RateLimitError).error, 'code')).toBe('rate_limit_exceeded');
  });

  it('surfaces a broken stream as an error in the SDK after the first chunks', async () => {
    const stream = await client.chat.completions.create(
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'What is 1 + 1?' }] },
      { headers: { 'x-mock-break-stream-after': '3' } },
    );
    let seen = 0;
    await expect(
      (async () => {
        for await (const _ of stream) seen++;
      })(),
    ).rejects.toThrow();
    expect(seen).toBe(3);
  });

  it('hangs until the client times out', async () => {
    const t0 = Date.now();
    const err = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-hang': '1' }, timeout: 300 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(mock.requests().at(-1)?.status).toBe(0);
  });

  it('answers garbage with a 200 non-JSON body', async () => {
    const res = await call(`${mock.url}/v1/chat/completions`, {
      headers: { authorization: 'Bearer k', 'x-mock-garbage': '1' },
      body: { model: 'm', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(res.status).toBe(200);
    expect(() => res.json()).toThrow();
  });

  it('delays the answer by x-mock-latency-ms', async () => {
    const t0 = Date.now();
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-latency-ms': '150' } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('records what reached it', async () => {
    await client.chat.completions.create({ model: 'rewritten', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-extra': 'yes' } });
    const [r] = mock.requests();
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/v1/chat/completions');
    expect(r.provider).toBe('openai');
    expect(r.headers.authorization).toBe('Bearer sk-test');
    expect(r.headers['x-extra']).toBe('yes');
    expect(at(r.body, 'model')).toBe('rewritten');
    expect(r.status).toBe(200);
  });
});
