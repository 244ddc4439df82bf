import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TranslationError } from '../../../src/gateway/llm/wire/errors.js';
import type { CanonicalChunk, CanonicalRequest, ChatCompletion } from '../../../src/gateway/llm/wire/openai-types.js';
import { sseNamedFrame } from '../../../src/gateway/llm/wire/sse-writer.js';
import {
  anthropicErrorBody, anthropicRequestToOpenAI, countTokens, openAIChunksToAnthropicEvents, openAIResponseToAnthropic,
} from '../../../src/gateway/llm/formats/anthropic.js';

const COMPLETION: ChatCompletion = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Checking.', tool_calls: [
    { id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
  ] }, finish_reason: 'tool_calls' }],
  usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 },
};

const meta = { id: 'chatcmpl-2', object: 'chat.completion.chunk' as const, created: 1, model: 'gpt-4o' };
const CHUNKS: CanonicalChunk[] = [
  { ...meta, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  { ...meta, choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] },
  { ...meta, choices: [{ index: 0, delta: { content: ' there.' }, finish_reason: null }] },
  { ...meta, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
  { ...meta, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }] },
  { ...meta, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: null }] },
  { ...meta, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  { ...meta, choices: [], usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 } },
];

describe('anthropicRequestToOpenAI', () => {
  it('maps system blocks, images, tool_use/tool_result, tools, tool_choice and sampling', () => {
    const req = anthropicRequestToOpenAI({
      model: 'claude-x', max_tokens: 100, temperature: 0.2, top_p: 0.9, top_k: 5, stop_sequences: ['END'], stream: true,
      metadata: { user_id: 'u1' },
      system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Be kind.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAA=' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '42' }] }, { type: 'text', text: 'And?' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'boom', is_error: true }] },
      ],
      tools: [{ name: 'f', description: 'does f', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(req).toEqual({
      model: 'claude-x', max_tokens: 100, temperature: 0.2, top_p: 0.9, top_k: 5, stop: ['END'], stream: true, user: 'u1',
      messages: [
        { role: 'system', content: 'Be brief.\nBe kind.' },
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA=' } }] },
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '42' },
        { role: 'user', content: 'And?' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: boom' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' } } }],
      tool_choice: 'required', parallel_tool_calls: false,
    } satisfies CanonicalRequest);
  });

  it('maps the other tool_choice kinds', () => {
    const base = { max_tokens: 1, messages: [{ role: 'user', content: 'x' }] };
    expect(anthropicRequestToOpenAI({ ...base, tool_choice: { type: 'auto' } }).tool_choice).toBe('auto');
    expect(anthropicRequestToOpenAI({ ...base, tool_choice: { type: 'none' } }).tool_choice).toBe('none');
    expect(anthropicRequestToOpenAI({ ...base, tool_choice: { type: 'tool', name: 'f' } }).tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
  });

  it('rejects malformed requests with 400s', () => {
    const bad = (body: unknown): TranslationError => {
      try { anthropicRequestToOpenAI(body); } catch (e) { if (e instanceof TranslationError) return e; }
      throw new Error('no TranslationError');
    };
    expect(bad('x').status).toBe(400);
    expect(bad({ messages: [] }).message).toMatch(/at least one message/);
    expect(bad({ messages: [{ role: 'tool', content: 'x' }] }).message).toBe('messages.0: role must be "user", "assistant" or "system"');
    expect(bad({ messages: [{ role: 'user', content: 42 }] }).message).toMatch(/content must be/);
    expect(bad({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file' } }] }] }).message).toMatch(/^messages\.0\.content\.0: image blocks/);
  });

  it('keeps system messages where they are (API 2026-10-21, Claude Code), and every current block type on purpose', () => {
    const req = anthropicRequestToOpenAI({
      max_tokens: 10, system: 'Top.', thinking: { type: 'adaptive', display: 'omitted' }, context_management: { edits: [] }, output_config: { effort: 'medium' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] },
        { role: 'system', content: [{ type: 'text', text: '<env>cwd</env>', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'redacted_thinking', data: 'x' }, { type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a' } }] },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'line 1' }, { type: 'image', source: { type: 'url', url: 'https://x/i.png' } }] },
          { type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'n1' } },
          { type: 'search_result', title: 'R', source: 'https://r', content: [{ type: 'text', text: 'r1' }] },
        ] },
      ],
    });
    expect(req.messages).toEqual([
      { role: 'system', content: 'Top.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: '<env>cwd</env>' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'Read', arguments: '{"file_path":"a"}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'line 1' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/i.png' } }] },
      { role: 'user', content: 'Notes\n\nn1R\nhttps://r\nr1' },
    ]);
    expect(Object.keys(req)).toEqual(['messages', 'max_tokens']);
  });

  it('refuses what only Anthropic can run, naming the field', () => {
    const refuse = (body: Record<string, unknown>): string => {
      try { anthropicRequestToOpenAI({ max_tokens: 1, messages: [{ role: 'user', content: 'x' }], ...body }); } catch (e) { if (e instanceof TranslationError && e.status === 400) return e.message; }
      throw new Error('not refused');
    };
    expect(refuse({ tools: [{ name: 'f', input_schema: {} }, { type: 'web_search_20250305', name: 'web_search' }] })).toMatch(/^tools\.1: 'web_search_20250305' is a tool Anthropic defines/);
    expect(refuse({ mcp_servers: [{ type: 'url', url: 'https://m', name: 'm' }] })).toMatch(/^mcp_servers: /);
    expect(refuse({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] })).toMatch(/^messages\.0\.content\.0: 'server_tool_use' blocks come from Anthropic's server tools/);
    expect(refuse({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'x' } }] }] })).toMatch(/^messages\.0\.content\.0: a document with a base64 source/);
    expect(refuse({ messages: [{ role: 'user', content: [{ type: 'container_upload', file_id: 'f' }] }] })).toMatch(/'container_upload' blocks cannot be translated/);
  });

  it('structured output (output_config.format) becomes response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(anthropicRequestToOpenAI({ max_tokens: 1, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema } } }).response_format)
      .toEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: true } });
  });
});

describe('openAIResponseToAnthropic', () => {
  it('builds a message with id, text and tool_use blocks, mapped stop_reason and usage', () => {
    expect(openAIResponseToAnthropic(COMPLETION)).toEqual({
      id: 'msg_chatcmpl-1', type: 'message', role: 'assistant', model: 'gpt-4o',
      content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Rome' } }],
      stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 20, output_tokens: 7 },
    });
    const length = { ...COMPLETION, choices: [{ index: 0, message: { role: 'assistant' as const, content: 'x' }, finish_reason: 'length' }] };
    expect(openAIResponseToAnthropic(length).stop_reason).toBe('max_tokens');
  });
});

describe('openAIChunksToAnthropicEvents', () => {
  it('produces the exact Anthropic event sequence', () => {
    const t = openAIChunksToAnthropicEvents({ id: 'req-1', model: 'gpt-4o', inputTokens: 9 });
    const events = [...CHUNKS.flatMap((c) => t.onChunk(c)), ...t.end()];
    expect(events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    expect(events[0].data).toMatchObject({ type: 'message_start', message: { id: 'msg_chatcmpl-2', usage: { input_tokens: 9, output_tokens: 0 } } });
    expect(events[5].data).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } });
    expect(events[6].data).toEqual({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } });
    expect(events[9].data).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 5, input_tokens: 11 } });
  });

  it('still opens and closes a message for an empty stream', () => {
    const t = openAIChunksToAnthropicEvents({ id: 'r', model: 'm' });
    expect(t.end().map((e) => e.event)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });
});

describe('anthropicErrorBody', () => {
  it('uses Anthropic error types by status', () => {
    expect(anthropicErrorBody(401, 'no key')).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'no key' } });
    expect(anthropicErrorBody(429, 'slow').error).toEqual({ type: 'rate_limit_error', message: 'slow' });
    expect(anthropicErrorBody(502, 'bad gateway').error).toEqual({ type: 'api_error', message: 'bad gateway' });
    expect(anthropicErrorBody(422, 'x').error).toEqual({ type: 'invalid_request_error', message: 'x' });
  });
});

describe('countTokens', () => {
  it('estimates ceil(chars/4) with per-message overhead and grows with content', () => {
    const small = countTokens({ messages: [{ role: 'user', content: 'abcd' }] }).input_tokens;
    expect(small).toBe(4); // (4 + 12) / 4
    expect(countTokens({ system: 'x'.repeat(400), messages: [{ role: 'user', content: 'abcd' }] }).input_tokens).toBe(104);
  });
});

describe('the official Anthropic SDK accepts our output', () => {
  let server: Server;
  let client: Anthropic;
  const seen: CanonicalRequest[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => { raw += c.toString(); });
      req.on('end', () => {
        const canonical = anthropicRequestToOpenAI(JSON.parse(raw));
        seen.push(canonical);
        if (canonical.stream !== true) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(openAIResponseToAnthropic(COMPLETION)));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const t = openAIChunksToAnthropicEvents({ id: 'x', model: 'gpt-4o', inputTokens: countTokens(JSON.parse(raw)).input_tokens });
        for (const c of CHUNKS) for (const e of t.onChunk(c)) res.write(sseNamedFrame(e.event, e.data));
        for (const e of t.end()) res.write(sseNamedFrame(e.event, e.data));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new Anthropic({ apiKey: 'test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0 });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('parses a non-streamed message', async () => {
    const msg = await client.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[1]).toEqual({ type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Rome' } });
    expect(seen.at(-1)?.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('assembles a streamed message with text and a tool call', async () => {
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (t) => { text += t; });
    const msg = await stream.finalMessage();
    expect(text).toBe('Hello there.');
    expect(msg.content).toEqual([
      { type: 'text', text: 'Hello there.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.usage.output_tokens).toBe(5);
  });
});
