import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/gateway/llm/wire/aws-eventstream.js';
import { StreamFramingError, TranslationError } from '../../../src/gateway/llm/wire/errors.js';
import type { CanonicalRequest } from '../../../src/gateway/llm/wire/openai-types.js';
import { SSE_DONE, sseFrames } from '../../../src/gateway/llm/wire/sse-writer.js';
import { mapStopReason } from '../../../src/gateway/providers/anthropic.js';
import { mapBedrockStop } from '../../../src/gateway/providers/bedrock.js';
import { mapCohereFinish } from '../../../src/gateway/providers/cohere.js';
import { mapGeminiFinish } from '../../../src/gateway/providers/gemini.js';
import { PROVIDERS, getProvider } from '../../../src/gateway/providers/index.js';
import { StreamSession, mergeModelOptions, prepareUpstream } from '../../../src/gateway/llm/call/translate.js';
import type { Provider, ProviderContext } from '../../../src/gateway/providers/types.js';

function ctx(over: Partial<ProviderContext> = {}): ProviderContext {
  return {
    routeType: 'llm/v1/chat', model: 'm', options: {}, auth: {}, stream: false, env: {},
    now: () => new Date('2024-01-01T00:00:00Z'), requestId: 'req-1', ...over,
  };
}
function provider(name: string): Provider {
  const p = getProvider(name);
  if (p === undefined) throw new Error(`no provider ${name}`);
  return p;
}
const REQ: CanonicalRequest = { messages: [{ role: 'user', content: 'hi' }] };

describe('registry', () => {
  it('registers Kong 3.10’s nine providers and the later ones aigw serves, once each', () => {
    expect(PROVIDERS.map((p) => p.name)).toEqual(['openai', 'azure', 'anthropic', 'cohere', 'mistral', 'llama2', 'gemini', 'bedrock', 'huggingface',
      'deepseek', 'xai', 'vllm', 'ollama', 'cerebras', 'dashscope', 'databricks']);
    expect(PROVIDERS.filter((p) => p.since !== undefined).map((p) => [p.name, p.since])).toEqual([
      ['deepseek', '3.14'], ['xai', '3.13'], ['vllm', '3.14'], ['ollama', '3.14'], ['cerebras', '3.13'], ['dashscope', '3.13'], ['databricks', '3.14'],
    ]);
    expect(getProvider('nope')).toBeUndefined();
  });
});

describe('finish reason tables', () => {
  it('map provider stop reasons to OpenAI values', () => {
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal'].map(mapStopReason)).toEqual(['stop', 'stop', 'length', 'tool_calls', 'content_filter']);
    expect(['COMPLETE', 'MAX_TOKENS', 'TOOL_CALL', 'ERROR'].map(mapCohereFinish)).toEqual(['stop', 'length', 'tool_calls', 'error']);
    expect([mapGeminiFinish('STOP', false), mapGeminiFinish('STOP', true), mapGeminiFinish('MAX_TOKENS', false), mapGeminiFinish('SAFETY', false), mapGeminiFinish('OTHER', false)])
      .toEqual(['stop', 'tool_calls', 'length', 'content_filter', 'other']);
    expect(['max_tokens', 'end_turn', 'tool_use', 'guardrail_intervened', 'weird'].map(mapBedrockStop)).toEqual(['length', 'stop', 'tool_calls', 'guardrail_intervened', 'stop']);
  });
});

describe('endpoints and options', () => {
  it('honours upstream_url and upstream_path, and rejects a bad upstream_url', async () => {
    const up = await prepareUpstream(provider('openai'), ctx({ options: { upstream_path: '/custom' } }), REQ);
    expect(up.url.toString()).toBe('https://api.openai.com/custom');
    expect(() => provider('openai').endpoint(ctx({ options: { upstream_url: 'not a url' } }))).toThrow(TranslationError);
  });

  it('merges plugin options over the client and fixes model and stream', () => {
    const merged = mergeModelOptions(ctx({ model: 'cfg', stream: true, options: { temperature: 0.1 } }), { ...REQ, model: 'client', temperature: 1 });
    expect(merged).toMatchObject({ model: 'cfg', temperature: 0.1, stream: true });
    expect(mergeModelOptions(ctx({ routeType: 'llm/v1/embeddings' }), { input: 'x', stream: true }).stream).toBeUndefined();
  });

  it('puts a body auth parameter into the body', async () => {
    const up = await prepareUpstream(provider('openai'), ctx({ auth: { param_name: 'key', param_value: 'v', param_location: 'body' } }), REQ);
    expect(up.body).toMatchObject({ key: 'v' });
    expect(up.url.search).toBe('');
  });

  it('fails bedrock without credentials and gemini vertex without a token fetcher', async () => {
    const bedrock = ctx({ options: { bedrock: { aws_region: 'us-east-1' } } });
    await expect(prepareUpstream(provider('bedrock'), bedrock, REQ)).rejects.toThrow('LLM request failed before proxying');
    await expect(prepareUpstream(provider('gemini'), ctx({ auth: { gcp_use_service_account: true }, env: { GCP_SERVICE_ACCOUNT: '{}' } }), REQ))
      .rejects.toThrow('LLM request failed before proxying');
  });
});

describe('stream error paths', () => {
  it('surfaces corrupt AWS frames as StreamFramingError', () => {
    const c = ctx({ stream: true, options: { bedrock: { aws_region: 'us-east-1' } } });
    const session = new StreamSession(provider('bedrock'), c, REQ);
    const frame = encodeFrame({ ':event-type': 'messageStart' }, Buffer.from('{"role":"assistant"}'));
    frame[frame.length - 1] ^= 0xff;
    expect(() => session.feed(frame)).toThrow(StreamFramingError);
  });

  it('turns a bedrock exception frame into a TranslationError', () => {
    const session = new StreamSession(provider('bedrock'), ctx({ stream: true }), REQ);
    const frame = encodeFrame({ ':message-type': 'exception', ':exception-type': 'throttlingException' }, Buffer.from('{"message":"slow down"}'));
    expect(() => session.feed(frame)).toThrow(/throttlingException/);
  });

  it('turns mid-stream error events into TranslationErrors instead of dropping them', () => {
    const anthropic = new StreamSession(provider('anthropic'), ctx({ stream: true }), REQ);
    expect(() => anthropic.feed(Buffer.from('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')))
      .toThrow('anthropic stream error: overloaded_error: Overloaded');
    const openai = new StreamSession(provider('openai'), ctx({ stream: true }), REQ);
    expect(() => openai.feed(Buffer.from('data: {"error":{"message":"boom","type":"server_error"}}\n\n'))).toThrow('upstream stream error: boom');
  });

  it('streams a cohere tool plan as content', () => {
    const cohere = new StreamSession(provider('cohere'), ctx({ stream: true }), REQ);
    const chunks = cohere.feed(Buffer.from('event: tool-plan-delta\ndata: {"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will"}}}\n\n'));
    expect(chunks).toMatchObject([{ choices: [{ delta: { content: 'I will' } }] }]);
  });

  it('estimates usage when a stream carries none', () => {
    const session = new StreamSession(provider('openai'), ctx({ stream: true }), { messages: [{ role: 'user', content: 'one two three' }] });
    session.feed(Buffer.from('data: {"id":"a","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"abcdefgh"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'));
    session.end();
    expect(session.usage()).toEqual({ prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 }); // ceil(3 × 1.8), ceil(8/4)
  });
});

describe('the official OpenAI SDK accepts translated streams', () => {
  let server: Server;
  let client: OpenAI;
  const anthropicStream = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":5,"output_tokens":1}}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi "}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"there"}}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join('');

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const session = new StreamSession(provider('anthropic'), ctx({ stream: true, model: 'claude' }), REQ);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(anthropicStream);
      for (let i = 0; i < bytes.length; i += 13) res.write(sseFrames(session.feed(bytes.subarray(i, i + 13))));
      res.end(sseFrames(session.end()) + SSE_DONE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads content, finish_reason and usage', async () => {
    const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    let finish: string | null = null;
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) total = chunk.usage.total_tokens;
    }
    expect(text).toBe('Hi there');
    expect(finish).toBe('stop');
    expect(total).toBe(7);
  });
});

describe('gemini usage', () => {
  const answer = (usageMetadata: unknown) => ({ candidates: [{ content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata });

  it('counts the thinking (thoughtsTokenCount) as completion tokens and as reasoning_tokens, cached content as cached_tokens', () => {
    // a Gemini 2.5 answer: total = prompt + candidates + thoughts
    const r = provider('gemini').fromUpstream(ctx(), 200, answer({ promptTokenCount: 120, candidatesTokenCount: 5, thoughtsTokenCount: 300, cachedContentTokenCount: 100, totalTokenCount: 425 }));
    expect(r.usage).toEqual({ prompt_tokens: 120, completion_tokens: 305, total_tokens: 425, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 300 } });
    expect((r as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('ok');
  });

  it('keeps the plain mapping for answers without thinking or cache', () => {
    const r = provider('gemini').fromUpstream(ctx(), 200, answer({ promptTokenCount: 7, candidatesTokenCount: 8, totalTokenCount: 15 }));
    expect(r.usage).toEqual({ prompt_tokens: 7, completion_tokens: 8, total_tokens: 15 });
  });

  it('takes the thinking from the last stream chunk that reports usage', () => {
    const session = new StreamSession(provider('gemini'), ctx({ stream: true }), REQ);
    // streamGenerateContent without alt=sse: one JSON array, an element per chunk
    session.feed(Buffer.from(`[${JSON.stringify(answer({ promptTokenCount: 10, thoughtsTokenCount: 40, totalTokenCount: 50 }))}`));
    session.feed(Buffer.from(`,\r\n${JSON.stringify(answer({ promptTokenCount: 10, candidatesTokenCount: 3, thoughtsTokenCount: 40, totalTokenCount: 53 }))}]`));
    session.end();
    expect(session.usage()).toEqual({ prompt_tokens: 10, completion_tokens: 43, total_tokens: 53, completion_tokens_details: { reasoning_tokens: 40 } });
  });
});
