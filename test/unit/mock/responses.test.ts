/** The mock's OpenAI Responses API, read by the official openai SDK (plain, streamed with its snapshot helper, tools). */
import OpenAI, { NotFoundError, BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';

let mock: MockServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0, timeout: 5_000 });
});
afterAll(async () => {
  await mock.close();
});

const weather = {
  type: 'function' as const, name: 'get_weather', strict: false,
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const readFile = {
  type: 'function' as const, name: 'read_file', strict: false,
  parameters: { type: 'object', properties: { path: { type: 'string' }, limit: { type: 'number' } }, required: ['path'] },
};

describe('mock: OpenAI Responses API', () => {
  it('answers a plain request deterministically, with usage', async () => {
    const a = await client.responses.create({ model: 'gpt-4o', instructions: 'Be brief.', input: 'What is 1 + 1?' });
    const b = await client.responses.create({ model: 'gpt-4o', instructions: 'Be brief.', input: 'What is 1 + 1?' });
    expect(a.output_text).toBe('The answer to 1 + 1 is 2.');
    expect(a.status).toBe('completed');
    expect(a.id).toMatch(/^resp_[0-9a-f]{24}$/);
    expect(a.usage).toMatchObject({ input_tokens: 7, output_tokens: 8, total_tokens: 15 });
    expect(b).toEqual(a);
  });

  it('streams the events the SDK helper needs, in order', async () => {
    const s = client.responses.stream({ model: 'gpt-4o', input: 'What is 1 + 1?' });
    const types: string[] = [];
    let text = '';
    for await (const e of s) {
      types.push(e.type);
      if (e.type === 'response.output_text.delta') text += e.delta;
    }
    const final = await s.finalResponse();
    expect(text).toBe('The answer to 1 + 1 is 2.');
    expect(final.output_text).toBe(text);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  });

  it('calls a tool, then answers from its output; max_output_tokens cuts the answer', async () => {
    const r = await client.responses.create({ model: 'gpt-4o', input: 'What is the weather in Paris?', tools: [weather] });
    const call = r.output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"location":"San Francisco, CA"}', status: 'completed' });
    const callId = call.type === 'function_call' ? call.call_id : '';
    const next = await client.responses.create({
      model: 'gpt-4o', tools: [weather],
      input: [{ role: 'user', content: 'What is the weather in Paris?' }, { type: 'function_call_output', call_id: callId, output: 'sunny' }],
    });
    expect(next.output_text).toBe('The tool returned: sunny');
    const cut = await client.responses.create({ model: 'gpt-4o', input: 'Tell me a long story', max_output_tokens: 2 });
    expect(cut.status).toBe('incomplete');
    expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('a flat JSON object in the prompt picks the tool whose parameters it fills, with those arguments', async () => {
    const r = await client.responses.create({ model: 'gpt-4o', input: 'Please open {"path": "notes.txt"}', tools: [weather, readFile] });
    expect(r.output[0]).toMatchObject({ type: 'function_call', name: 'read_file', arguments: '{"path":"notes.txt"}' });
    const none = await client.responses.create({ model: 'gpt-4o', input: 'Please open {"nope": 1}', tools: [weather, readFile] });
    expect(none.output[0].type).toBe('message');
  });

  it('keeps no state: retrieve, delete and previous_response_id get OpenAI\'s errors', async () => {
    await expect(client.responses.retrieve('resp_x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.responses.delete('resp_x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.responses.create({ model: 'gpt-4o', input: 'hi', previous_response_id: 'resp_x' })).rejects.toBeInstanceOf(BadRequestError);
  });

  it('Azure serves it at /openai/responses', async () => {
    const res = await fetch(`${mock.url}/openai/responses?api-version=2025-03-01-preview`, {
      method: 'POST', headers: { 'api-key': 'k', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'dep', input: 'What is 1 + 1?' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { output: Array<{ content: Array<{ text: string }> }> }).output[0].content[0].text).toBe('The answer to 1 + 1 is 2.');
  });
});
