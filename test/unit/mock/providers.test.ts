import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { at, call, ndjson, parseSse } from './client.js';

let mock: MockServer;
const bearer = { authorization: 'Bearer k' };

beforeAll(async () => {
  mock = await startMock({ embeddingDims: 8 });
});
afterAll(async () => {
  await mock.close();
});

const user = (content: string) => [{ role: 'user', content }];

describe('azure', () => {
  const base = () => `${mock.url}/openai/deployments/my-gpt4/`;
  it('serves chat, completions and embeddings with api-key auth; the deployment names the model', async () => {
    const headers = { 'api-key': 'k' };
    const chat = await call(`${base()}chat/completions?api-version=2024-02-01`, { headers, body: { messages: user('What is 1 + 1?') } });
    expect(chat.status).toBe(200);
    expect(at(chat.json(), 'model')).toBe('my-gpt4');
    expect(at(chat.json(), 'choices', 0, 'message', 'content')).toBe('The answer to 1 + 1 is 2.');
    const comp = await call(`${base()}completions?api-version=2024-02-01`, { headers, body: { prompt: 'x' } });
    expect(at(comp.json(), 'object')).toBe('text_completion');
    const emb = await call(`${base()}embeddings?api-version=2024-02-01`, { headers, body: { input: 'x' } });
    expect((at(emb.json(), 'data', 0, 'embedding') as number[]).length).toBe(8);
  });

  it('rejects a missing key and a missing api-version the Azure way', async () => {
    const noKey = await call(`${base()}chat/completions?api-version=1`, { body: { messages: user('x') } });
    expect(noKey.status).toBe(401);
    expect(at(noKey.json(), 'error', 'code')).toBe('401');
    const noVersion = await call(`${base()}chat/completions`, { headers: { 'api-key': 'k' }, body: { messages: user('x') } });
    expect(noVersion.status).toBe(404);
    expect(at(noVersion.json(), 'error', 'message')).toBe('Resource not found');
  });
});

describe('mistral (OpenAI-compatible paths)', () => {
  it('is listed and answers on /v1/chat/completions', async () => {
    expect(mock.providers.map((p) => p.name)).toContain('mistral');
    const r = await call(`${mock.url}/v1/chat/completions`, { headers: bearer, body: { model: 'mistral-tiny', messages: user('hi') } });
    expect(at(r.json(), 'model')).toBe('mistral-tiny');
  });
});

describe('cohere', () => {
  it('answers v1 chat with generation_id and billed units', async () => {
    const r = await call(`${mock.url}/v1/chat`, { headers: bearer, body: { message: 'What is 1 + 1?', chat_history: [{ role: 'USER', message: 'hello there' }] } });
    const j = r.json();
    expect(at(j, 'text')).toBe('The answer to 1 + 1 is 2.');
    expect(at(j, 'generation_id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(at(j, 'meta', 'billed_units')).toEqual({ input_tokens: 7, output_tokens: 8 });
    expect(at(j, 'finish_reason')).toBe('COMPLETE');
  });

  it('streams v1 chat as NDJSON stream-start, text-generation…, stream-end', async () => {
    const r = await call(`${mock.url}/v1/chat`, { headers: bearer, body: { message: 'What is 1 + 1?', stream: true } });
    const events = ndjson(r.text);
    expect(events.map((e) => at(e, 'event_type'))).toEqual(['stream-start', ...Array(8).fill('text-generation'), 'stream-end']);
    expect(events.filter((e) => at(e, 'event_type') === 'text-generation').map((e) => at(e, 'text')).join('')).toBe('The answer to 1 + 1 is 2.');
    expect(at(events.at(-1), 'response', 'meta', 'billed_units', 'output_tokens')).toBe(8);
    expect(at(events.at(-1), 'is_finished')).toBe(true);
  });

  it('calls v1 tools from parameter_definitions', async () => {
    const tools = [{ name: 'weather', parameter_definitions: { city: { type: 'str', required: true }, days: { type: 'int', required: false } } }];
    const r = await call(`${mock.url}/v1/chat`, { headers: bearer, body: { message: 'weather in Oslo', tools } });
    expect(at(r.json(), 'tool_calls')).toEqual([{ name: 'weather', parameters: { city: 'San Francisco, CA' } }]);
  });

  it('answers v2 chat plain, with tools, and streamed', async () => {
    const plain = await call(`${mock.url}/v2/chat`, { headers: bearer, body: { model: 'command-r', messages: user('What is 1 + 1?') } });
    expect(at(plain.json(), 'message', 'content', 0, 'text')).toBe('The answer to 1 + 1 is 2.');
    expect(at(plain.json(), 'usage', 'billed_units', 'input_tokens')).toBe(5);
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const tool = await call(`${mock.url}/v2/chat`, { headers: bearer, body: { model: 'command-r', messages: user('hi'), tools, tool_choice: 'REQUIRED' } });
    expect(at(tool.json(), 'finish_reason')).toBe('TOOL_CALL');
    expect(at(tool.json(), 'message', 'tool_calls', 0, 'function')).toEqual({ name: 'lookup', arguments: '{"q":"mock"}' });
    const s = await call(`${mock.url}/v2/chat`, { headers: bearer, body: { model: 'command-r', messages: user('What is 1 + 1?'), stream: true } });
    const events = parseSse(s.text);
    expect(events[0].event).toBe('message-start');
    expect(events.at(-1)?.event).toBe('message-end');
    const text = events.filter((e) => e.event === 'content-delta').map((e) => at(JSON.parse(e.data), 'delta', 'message', 'content', 'text')).join('');
    expect(text).toBe('The answer to 1 + 1 is 2.');
  });

  it('serves generate (plain and NDJSON stream) and embed', async () => {
    const g = await call(`${mock.url}/v1/generate`, { headers: bearer, body: { prompt: 'What is 1 + 1?', max_tokens: 3 } });
    expect(at(g.json(), 'generations', 0)).toMatchObject({ text: 'The answer to', finish_reason: 'MAX_TOKENS' });
    const gs = await call(`${mock.url}/v1/generate`, { headers: bearer, body: { prompt: 'What is 1 + 1?', stream: true } });
    const ev = ndjson(gs.text);
    expect(at(ev.at(-1), 'is_finished')).toBe(true);
    expect(ev.slice(0, -1).map((e) => at(e, 'text')).join('')).toBe('The answer to 1 + 1 is 2.');
    const e = await call(`${mock.url}/v1/embed`, { headers: bearer, body: { texts: ['a', 'b c'], model: 'embed-english-v3.0', input_type: 'search_document' } });
    expect((at(e.json(), 'embeddings') as number[][]).map((v) => v.length)).toEqual([8, 8]);
    expect(at(e.json(), 'meta', 'billed_units', 'input_tokens')).toBe(3);
  });

  it('rejects a missing token with its real body', async () => {
    const r = await call(`${mock.url}/v1/chat`, { body: { message: 'x' } });
    expect(r.status).toBe(401);
    expect(r.json()).toEqual({ message: 'no api key supplied' });
  });
});

describe('ollama and llama2 raw', () => {
  it('streams /api/chat as NDJSON by default, with counts on the done line', async () => {
    const r = await call(`${mock.url}/api/chat`, { body: { model: 'llama2', messages: user('What is 1 + 1?') } });
    expect(r.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(r.text);
    expect(lines.slice(0, -1).map((l) => at(l, 'message', 'content')).join('')).toBe('The answer to 1 + 1 is 2.');
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 8, prompt_eval_count: 5 });
  });

  it('answers /api/chat without streaming, with length and tools', async () => {
    const r = await call(`${mock.url}/api/chat`, { body: { model: 'llama2', stream: false, options: { num_predict: 2 }, messages: user('What is 1 + 1?') } });
    expect(r.json()).toMatchObject({ message: { role: 'assistant', content: 'The answer' }, done: true, done_reason: 'length', eval_count: 2 });
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    const t = await call(`${mock.url}/api/chat`, { body: { model: 'llama3.1', stream: false, tools, messages: user('weather in Oslo?') } });
    expect(at(t.json(), 'message', 'tool_calls')).toEqual([{ function: { name: 'get_weather', arguments: { city: 'San Francisco, CA' } } }]);
  });

  it('serves /api/generate and /api/embed', async () => {
    const g = await call(`${mock.url}/api/generate`, { body: { model: 'llama2', prompt: 'What is 1 + 1?', stream: false } });
    expect(g.json()).toMatchObject({ response: 'The answer to 1 + 1 is 2.', done: true, prompt_eval_count: 5 });
    const gs = await call(`${mock.url}/api/generate`, { body: { model: 'llama2', prompt: 'What is 1 + 1?' } });
    expect(ndjson(gs.text).map((l) => at(l, 'response')).join('')).toBe('The answer to 1 + 1 is 2.');
    const e = await call(`${mock.url}/api/embed`, { body: { model: 'nomic', input: ['a', 'b'] } });
    expect((at(e.json(), 'embeddings') as unknown[]).length).toBe(2);
    const bad = await call(`${mock.url}/api/chat`, { body: { messages: [] } });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: 'model is required' });
  });

  it('answers llama2 raw in the shape Kong parses', async () => {
    const inputs = '<s>[INST] <<SYS>> You are a mathematician. <</SYS>> What is 1 + 1? [/INST]';
    const r = await call(`${mock.url}/raw/generate`, { headers: bearer, body: { inputs, parameters: { max_new_tokens: 50 } } });
    const text = String(at(r.json(), 'data', 0, 'generated_text'));
    expect(text.split('[/INST]').at(-1)?.trim()).toBe('The answer to 1 + 1 is 2.');
    expect((await call(`${mock.url}/raw/generate`, { body: { inputs } })).status).toBe(401);
  });
});

describe('gemini and vertex', () => {
  const url = (op: string, q = 'key=k') => `${mock.url}/v1beta/models/gemini-1.5-flash:${op}?${q}`;
  const contents = [{ role: 'user', parts: [{ text: 'What is 1 + 1?' }] }];

  it('answers generateContent with usageMetadata', async () => {
    const r = await call(url('generateContent'), { body: { contents, systemInstruction: { parts: [{ text: 'Be brief.' }] } } });
    expect(at(r.json(), 'candidates', 0, 'content', 'parts', 0, 'text')).toBe('The answer to 1 + 1 is 2.');
    expect(at(r.json(), 'candidates', 0, 'finishReason')).toBe('STOP');
    expect(at(r.json(), 'usageMetadata')).toEqual({ promptTokenCount: 7, candidatesTokenCount: 8, totalTokenCount: 15 });
  });

  it('streams a JSON array by default and SSE with alt=sse', async () => {
    const arr = await call(url('streamGenerateContent'), { body: { contents } });
    const items = JSON.parse(arr.text) as unknown[];
    expect(items.map((i) => at(i, 'candidates', 0, 'content', 'parts', 0, 'text')).join('')).toBe('The answer to 1 + 1 is 2.');
    expect(at(items.at(-1), 'candidates', 0, 'finishReason')).toBe('STOP');
    const sse = await call(url('streamGenerateContent', 'alt=sse&key=k'), { body: { contents } });
    expect(sse.headers['content-type']).toBe('text/event-stream');
    const events = parseSse(sse.text).map((e) => JSON.parse(e.data) as unknown);
    expect(events).toEqual(items);
  });

  it('calls functions and embeds', async () => {
    const tools = [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }] }];
    const r = await call(url('generateContent'), { body: { contents: [{ role: 'user', parts: [{ text: 'weather in Oslo?' }] }], tools } });
    expect(at(r.json(), 'candidates', 0, 'content', 'parts', 0, 'functionCall')).toEqual({ name: 'get_weather', args: { location: 'San Francisco, CA' } });
    const back = await call(url('generateContent'), {
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'weather in Oslo?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 3 } } }] },
        ],
        tools,
      },
    });
    expect(at(back.json(), 'candidates', 0, 'content', 'parts', 0, 'text')).toBe('The tool returned: {"temp":3}');
    const e = await call(url('embedContent'), { body: { content: { parts: [{ text: 'x' }] }, outputDimensionality: 4 } });
    expect((at(e.json(), 'embedding', 'values') as number[]).length).toBe(4);
    const b = await call(url('batchEmbedContents'), { body: { requests: [{ content: { parts: [{ text: 'x' }] } }, { content: { parts: [{ text: 'y' }] } }] } });
    expect((at(b.json(), 'embeddings') as unknown[]).length).toBe(2);
  });

  it('accepts x-goog-api-key; rejects a missing key with 403 and bad requests with 400', async () => {
    const h = await call(url('generateContent', ''), { headers: { 'x-goog-api-key': 'k' }, body: { contents } });
    expect(h.status).toBe(200);
    const none = await call(url('generateContent', ''), { body: { contents } });
    expect(none.status).toBe(403);
    expect(at(none.json(), 'error', 'status')).toBe('PERMISSION_DENIED');
    const empty = await call(url('generateContent'), { body: {} });
    expect(empty.status).toBe(400);
    expect(at(empty.json(), 'error', 'status')).toBe('INVALID_ARGUMENT');
  });

  it('serves the Vertex path with Bearer auth', async () => {
    const v = `${mock.url}/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-1.5-pro:generateContent`;
    const ok = await call(v, { headers: bearer, body: { contents } });
    expect(at(ok.json(), 'modelVersion')).toBe('gemini-1.5-pro');
    const no = await call(v, { body: { contents } });
    expect(no.status).toBe(401);
    expect(at(no.json(), 'error', 'status')).toBe('UNAUTHENTICATED');
  });
});

describe('huggingface', () => {
  it('generates text, extracts features and serves the chat route', async () => {
    const g = await call(`${mock.url}/models/mistralai/Mistral-7B-Instruct-v0.2`, { headers: bearer, body: { inputs: 'What is 1 + 1?' } });
    expect(g.json()).toEqual([{ generated_text: 'The answer to 1 + 1 is 2.' }]);
    const f = await call(`${mock.url}/models/sentence-transformers/all-MiniLM-L6-v2`, { headers: bearer, body: { inputs: ['a', 'b'] } });
    expect((f.json() as number[][]).map((v) => v.length)).toEqual([8, 8]);
    const c = await call(`${mock.url}/models/mistralai/Mistral-7B-Instruct-v0.2/v1/chat/completions`, { headers: bearer, body: { messages: user('What is 1 + 1?') } });
    expect(at(c.json(), 'model')).toBe('mistralai/Mistral-7B-Instruct-v0.2');
    expect(at(c.json(), 'choices', 0, 'message', 'content')).toBe('The answer to 1 + 1 is 2.');
  });

  it('rejects a missing token and shapes 503 like a loading model', async () => {
    const no = await call(`${mock.url}/models/gpt2`, { body: { inputs: 'x' } });
    expect(no.status).toBe(401);
    expect(at(no.json(), 'error')).toBeTypeOf('string');
    const loading = await call(`${mock.url}/models/gpt2`, { headers: { ...bearer, 'x-mock-status': '503' }, body: { inputs: 'x' } });
    expect(loading.status).toBe(503);
    expect(at(loading.json(), 'estimated_time')).toBeTypeOf('number');
  });
});

describe('injected errors take each provider shape', () => {
  const cases: Array<[string, string, Record<string, string>, unknown, (body: unknown) => unknown]> = [
    ['openai', '/v1/chat/completions', bearer, { model: 'm', messages: user('x') }, (b) => at(b, 'error', 'type')],
    ['azure', '/openai/deployments/d/chat/completions?api-version=1', { 'api-key': 'k' }, { messages: user('x') }, (b) => at(b, 'error', 'code')],
    ['anthropic', '/v1/messages', { 'x-api-key': 'k', 'anthropic-version': '1' }, {}, (b) => at(b, 'error', 'type')],
    ['cohere', '/v1/chat', bearer, { message: 'x' }, (b) => typeof at(b, 'message')],
    ['ollama', '/api/chat', {}, { model: 'x' }, (b) => typeof at(b, 'error')],
    ['gemini', '/v1beta/models/g:generateContent?key=k', {}, {}, (b) => at(b, 'error', 'status')],
    ['huggingface', '/models/gpt2', bearer, { inputs: 'x' }, (b) => typeof at(b, 'error')],
  ];
  const expected: Record<string, unknown> = {
    openai: 'requests',
    azure: '429',
    anthropic: 'rate_limit_error',
    cohere: 'string',
    ollama: 'string',
    gemini: 'RESOURCE_EXHAUSTED',
    huggingface: 'string',
  };
  for (const [name, path, headers, body, pick] of cases) {
    it(`${name}: 429 with retry-after`, async () => {
      const r = await call(`${mock.url}${path}`, { headers: { ...headers, 'x-mock-rate-limit': '2' }, body });
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe('2');
      expect(pick(r.json())).toBe(expected[name]);
    });
  }
});
