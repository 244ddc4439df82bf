/**
 * The official `openai` SDK's Responses API through `aigw serve` against the mock, over an OpenAI
 * upstream (passed through, Kong's semantics) and an Anthropic one (translated, stored by aigw).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFor } from '../ai-proxy/setup.js';
import { request } from '../../helpers/net.js';
import { BACKENDS, startClientsEnv, type ClientsEnv } from './setup.js';

let env: ClientsEnv;
const clients = {} as Record<(typeof BACKENDS)[number], OpenAI>;

beforeAll(async () => {
  env = await startClientsEnv();
  for (const b of BACKENDS) clients[b] = new OpenAI({ apiKey: 'sk-client', baseURL: env.base(b), maxRetries: 0, timeout: 10_000 });
});
afterAll(async () => env.close());

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function', name: 'get_weather', strict: false, description: 'Weather of a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const Q = 'What is 1 + 1?';
const ANSWER = 'The answer to 1 + 1 is 2.';

for (const b of BACKENDS) {
  describe(`openai SDK responses over ${b === 'oa' ? 'OpenAI' : 'Anthropic'}`, () => {
    it('plain: text, usage, and the usage in the log record', async () => {
      const raw = await clients[b].responses.create({ model: 'gpt-4o', instructions: 'Be brief.', input: Q }).withResponse();
      const r = raw.data;
      expect(r.output_text).toBe(ANSWER);
      expect(r.status).toBe('completed');
      expect(r.usage?.output_tokens).toBe(8);
      const rec = await logFor(env.logPath, String(raw.response.headers.get('x-kong-request-id')));
      expect(rec.ai?.proxy?.usage).toMatchObject({ completion_tokens: 8, prompt_tokens: 7, total_tokens: 15 });
      expect(Number(rec.ai?.proxy?.usage.cost)).toBeGreaterThan(0);
      expect(rec.ai?.proxy?.meta).toMatchObject({ provider_name: b === 'oa' ? 'openai' : 'anthropic', request_model: b === 'oa' ? 'gpt-4o' : 'claude-sonnet-4-5' });
    });

    it('stream: the SDK helper gets every event it needs; usage is logged once the stream ends', async () => {
      const s = clients[b].responses.stream({ model: 'gpt-4o', input: Q });
      let text = '';
      const types: string[] = [];
      for await (const e of s) {
        types.push(e.type);
        if (e.type === 'response.output_text.delta') text += e.delta;
      }
      const final = await s.finalResponse();
      expect(text).toBe(ANSWER);
      expect(final.output_text).toBe(ANSWER);
      expect(final.usage?.output_tokens).toBe(8);
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
      expect(types).toContain('response.output_item.done');
    });

    it('tools: a function call, then the answer from its output (replayed in full)', async () => {
      const first = await clients[b].responses.create({ model: 'gpt-4o', input: 'What is the weather in Paris?', tools: [weather], store: false });
      const call = first.output.find((o) => o.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' });
      if (call?.type !== 'function_call') return;
      const second = await clients[b].responses.create({
        model: 'gpt-4o', tools: [weather], store: false,
        input: [{ role: 'user', content: 'What is the weather in Paris?' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21 °C' }],
      });
      expect(second.output_text).toBe('The tool returned: sunny, 21 °C');
    });

    it('tools, streamed: the call arrives as output_item.done; the stream\'s usage is logged', async () => {
      const { data: s, response } = await clients[b].responses.create({ model: 'gpt-4o', input: 'What is the weather in Paris?', tools: [weather], stream: true }).withResponse();
      const done: OpenAI.Responses.ResponseOutputItem[] = [];
      for await (const e of s) if (e.type === 'response.output_item.done') done.push(e.item);
      expect(done).toHaveLength(1);
      expect(done[0]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' });
      const rec = await logFor(env.logPath, String(response.headers.get('x-kong-request-id')));
      expect(rec.ai?.proxy?.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 8, total_tokens: 14 });
    });
  });
}

describe('Responses translated for Anthropic: aigw stores the responses', () => {
  const c = () => clients.an;

  it('previous_response_id continues a stored conversation; retrieve, input_items and delete work', async () => {
    const first = await c().responses.create({ model: 'gpt-4o', input: 'What is the weather in Paris?', tools: [weather] });
    const call = first.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no call');
    const second = await c().responses.create({
      model: 'gpt-4o', tools: [weather], previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'rainy' }],
    });
    expect(second.output_text).toBe('The tool returned: rainy');
    expect(second.previous_response_id).toBe(first.id);
    const sent = env.mock.requests().at(-1)?.body as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(await c().responses.retrieve(first.id)).toEqual(first);
    const items = await c().responses.inputItems.list(second.id);
    expect(items.data.map((i) => i.type)).toEqual(['function_call_output']);
    expect(await c().responses.delete(first.id)).toEqual({ id: first.id, object: 'response.deleted', deleted: true });
    await expect(c().responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const broken = await c().responses.create({ model: 'gpt-4o', input: 'again', previous_response_id: second.id }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(OpenAI.BadRequestError);
    expect((broken as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('previous_response_id');
  });

  it('item_reference resolves an item aigw stored, and is a 400 naming the field otherwise', async () => {
    const first = await c().responses.create({ model: 'gpt-4o', input: Q });
    const msg = first.output[0];
    const ok = await c().responses.create({ model: 'gpt-4o', input: [{ type: 'item_reference', id: msg.id ?? '' }, { role: 'user', content: 'And 2 + 2?' }] });
    expect(ok.output_text).toBe('Mock answer to: And 2 + 2?');
    const sent = env.mock.requests().at(-1)?.body as { messages: Array<{ role: string; content: Array<{ text: string }> }> };
    expect(sent.messages[0]).toMatchObject({ role: 'assistant', content: [{ text: ANSWER }] });
    const err = await c().responses.create({ model: 'gpt-4o', input: [{ type: 'item_reference', id: 'msg_unknown' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.param).toBe('input[0]');
    expect(e.message).toContain('store = false');
  });

  it('what cannot be translated is a 400 naming the field, and never reaches the provider', async () => {
    const before = env.mock.requests().length;
    const err = await c().responses.create({ model: 'gpt-4o', input: 'news?', tools: [{ type: 'web_search' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tools[0]');
    expect((err as Error).message).toContain("hosted tool 'web_search'");
    expect(env.mock.requests().length).toBe(before);
  });

  it('a WebSocket upgrade gets a quick 4xx (Codex then falls back to HTTP)', async () => {
    const r = await request(`${env.base('an')}/responses`, { method: 'GET', headers: { upgrade: 'websocket', connection: 'Upgrade', authorization: 'Bearer sk-client' } });
    expect(r.status).toBe(405);
  });
});

describe('a body over max_request_body_size: 413 in the client format\'s error shape, naming the limit and the field', () => {
  const big = 'x'.repeat(1_100_000);
  const limit = 'request body is larger than max_request_body_size (1048576 bytes) of the ai-proxy plugin on this route; raise config.max_request_body_size';

  it('Responses clients get OpenAI\'s shape', async () => {
    const err = await clients.an.responses.create({ model: 'gpt-4o', input: big }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toEqual({ message: limit, type: 'invalid_request_error', param: null, code: 'request_too_large' });
  });

  it('Anthropic clients get Anthropic\'s shape', async () => {
    const r = await request(`${env.base('oa')}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-client' },
      body: JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: big }] }),
    });
    expect(r.status).toBe(413);
    expect(r.json()).toEqual({ type: 'error', error: { type: 'request_too_large', message: limit } });
  });
});

describe('Responses passed through to OpenAI (Kong semantics)', () => {
  it('retrieve and delete go to the upstream, its answer comes back as is', async () => {
    await expect(clients.oa.responses.retrieve('resp_abc')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const seen = env.mock.requests().at(-1);
    expect(seen?.method).toBe('GET');
    expect(seen?.path).toBe('/v1/responses/resp_abc');
    expect(seen?.headers.authorization).toBe('Bearer sk-upstream');
    await expect(clients.oa.responses.delete('resp_abc')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(env.mock.requests().at(-1)?.method).toBe('DELETE');
  });

  it('the client body goes upstream as sent (nothing lost in translation), with the configured model', async () => {
    await clients.oa.responses.create({ model: 'gpt-4o', input: Q, reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'], store: false, prompt_cache_key: 'k1' });
    const sent = env.mock.requests().at(-1)?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'gpt-4o', input: Q, reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'], store: false, prompt_cache_key: 'k1' });
  });
});
