import { describe, expect, it } from 'vitest';
import { MemoryVectorStore } from '../../../src/gateway/vectordb/memory-store.js';
import { cosineDistance, distance, euclideanDistance, fromFloat32Buffer, parseVector, toFloat32Buffer } from '../../../src/gateway/llm/wire/vector.js';
import { cachePrompt, cacheScope } from '../../../src/gateway/plugins/ai-semantic-cache/prompt.js';
import { parseRequestCacheControl, responseForbidsStore } from '../../../src/gateway/plugins/ai-semantic-cache/cache-control.js';
import { fromBuffered, replayJson, replaySse, StreamCollector } from '../../../src/gateway/plugins/ai-semantic-cache/replay.js';
import { nearestOne, type VectorEntry as CacheEntry } from '../../../src/gateway/vectordb/store.js';
import type { CanonicalRequest } from '../../../src/gateway/llm/wire/openai-types.js';
import { embedding } from '../../../src/mock/embedding.js';

const entry = (id: string, vector: number[], createdAt = 0, ttl = 1000, exactKey = `x-${id}`): CacheEntry => ({
  id, exactKey, vector, payload: `answer ${id}`, createdAt, expiresAt: createdAt + ttl,
});

describe('vector math', () => {
  it('computes cosine and euclidean distances', () => {
    expect(cosineDistance([1, 0], [1, 0])).toBeCloseTo(0);
    expect(cosineDistance([1, 0], [0, 1])).toBeCloseTo(1);
    expect(cosineDistance([1, 0], [-1, 0])).toBeCloseTo(2);
    expect(cosineDistance([0, 0], [1, 0])).toBe(1);
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(distance('euclidean', [1, 1], [1, 1])).toBe(0);
  });
  it('round-trips float32 buffers and validates vectors', () => {
    const v = [0.5, -0.25, 1];
    expect(fromFloat32Buffer(toFloat32Buffer(v))).toEqual(v);
    expect(parseVector([1, 2])).toEqual([1, 2]);
    expect(parseVector([])).toBeNull();
    expect(parseVector([1, 'x'])).toBeNull();
    expect(parseVector('nope')).toBeNull();
  });
});

describe('memory vector store', () => {
  it('finds the nearest entry within the threshold, and nothing beyond it', async () => {
    const s = new MemoryVectorStore();
    await s.put('a', entry('1', [1, 0]));
    await s.put('a', entry('2', [0.8, 0.6]));
    const hit = await nearestOne(s, 'a', [0.9, 0.1], 'cosine', 0.1, 10);
    expect(hit?.entry.id).toBe('1');
    expect(await nearestOne(s, 'a', [0, 1], 'cosine', 0.1, 10)).toBeNull();
    expect((await nearestOne(s, 'a', [0, 1], 'euclidean', 0.9, 10))?.entry.id).toBe('2');
    expect(await nearestOne(s, 'a', [0, 1], 'euclidean', 0.85, 10)).toBeNull();
  });
  it('never returns another scope’s entries', async () => {
    const s = new MemoryVectorStore();
    await s.put('consumer:a', entry('1', [1, 0]));
    expect(await nearestOne(s, 'consumer:b', [1, 0], 'cosine', 0.5, 0)).toBeNull();
    expect(await s.findExact('consumer:b', 'x-1', 0)).toBeNull();
    expect((await s.findExact('consumer:a', 'x-1', 0))?.id).toBe('1');
  });
  it('expires entries and drops them', async () => {
    const s = new MemoryVectorStore();
    await s.put('a', entry('1', [1, 0], 0, 100));
    expect(await nearestOne(s, 'a', [1, 0], 'cosine', 0.1, 99)).not.toBeNull();
    expect(await nearestOne(s, 'a', [1, 0], 'cosine', 0.1, 100)).toBeNull();
    expect(await s.findExact('a', 'x-1', 100)).toBeNull();
    expect(s.size()).toBe(0);
  });
  it('replaces an entry with the same exact key and evicts the oldest beyond its capacity', async () => {
    const s = new MemoryVectorStore(2);
    await s.put('a', entry('1', [1, 0], 0, 1000, 'k'));
    await s.put('a', entry('2', [1, 0], 1, 1000, 'k'));
    expect((await s.findExact('a', 'k', 5))?.id).toBe('2');
    expect(s.size()).toBe(1);
    await s.put('a', entry('3', [0, 1]));
    await s.put('a', entry('4', [0.7, 0.7]));
    expect(s.size()).toBe(2);
    expect(await s.findExact('a', 'k', 5)).toBeNull();
  });
  it('skips vectors of another dimension', async () => {
    const s = new MemoryVectorStore();
    await s.put('a', entry('1', [1, 0, 0]));
    expect(await nearestOne(s, 'a', [1, 0], 'cosine', 1, 0)).toBeNull();
  });
});

describe('cache prompt and scope', () => {
  const body = (messages: Array<[string, string]>, model = 'm'): CanonicalRequest => ({ model, messages: messages.map(([role, content]) => ({ role, content })) });
  const opts = { messageCountback: 1, ignoreSystem: false, ignoreAssistant: false, ignoreTool: false };
  it('takes the last message_countback messages after ignoring roles', () => {
    const b = body([['system', 'be brief'], ['user', 'hi'], ['assistant', 'hello'], ['user', 'capital of France?']]);
    expect(cachePrompt(b, opts)?.text).toBe('capital of France?');
    expect(cachePrompt(b, { ...opts, messageCountback: 3 })?.text).toBe('hi\nhello\ncapital of France?');
    expect(cachePrompt(b, { ...opts, messageCountback: 3, ignoreAssistant: true })?.text).toBe('be brief\nhi\ncapital of France?');
    expect(cachePrompt(b, { ...opts, messageCountback: 10, ignoreSystem: true, ignoreAssistant: true })?.text).toBe('hi\ncapital of France?');
    const tool = body([['user', 'q'], ['tool', '{"t":1}']]);
    expect(cachePrompt(tool, { ...opts, ignoreTool: true })?.text).toBe('q');
  });
  it('keys exactly on model, roles and contents', () => {
    const a = cachePrompt(body([['user', 'x']]), opts);
    expect(cachePrompt(body([['user', 'x']]), opts)?.exactKey).toBe(a?.exactKey);
    expect(cachePrompt(body([['user', 'x']], 'other'), opts)?.exactKey).not.toBe(a?.exactKey);
    expect(cachePrompt(body([['system', 'x']]), opts)?.exactKey).not.toBe(a?.exactKey);
  });
  it('handles completions prompts and refuses empty ones', () => {
    expect(cachePrompt({ prompt: 'complete me' }, opts)?.text).toBe('complete me');
    expect(cachePrompt({ prompt: ['a', 'b'] }, opts)?.text).toBe('a\nb');
    expect(cachePrompt({ messages: [{ role: 'user', content: '  ' }] }, opts)).toBeNull();
    expect(cachePrompt({ input: 'embed me' }, opts)).toBeNull();
  });
  it('scopes per consumer and model', () => {
    expect(cacheScope('c1', 'm')).not.toBe(cacheScope('c2', 'm'));
    expect(cacheScope(null, 'm')).not.toBe(cacheScope('c1', 'm'));
    expect(cacheScope('c1', 'm')).not.toBe(cacheScope('c1', 'n'));
  });
});

describe('cache-control', () => {
  it('parses request directives', () => {
    expect(parseRequestCacheControl('no-store')).toEqual({ noStore: true, noCache: false, maxAge: null });
    expect(parseRequestCacheControl('No-Cache, max-age=30')).toEqual({ noStore: false, noCache: true, maxAge: 30 });
    expect(parseRequestCacheControl('max-age="5"').maxAge).toBe(5);
    expect(parseRequestCacheControl('max-age=abc').maxAge).toBeNull();
    expect(parseRequestCacheControl(undefined, 'no-cache').noCache).toBe(true);
    expect(parseRequestCacheControl(undefined)).toEqual({ noStore: false, noCache: false, maxAge: null });
  });
  it('detects responses that must not be stored', () => {
    expect(responseForbidsStore('private, max-age=0')).toBe(true);
    expect(responseForbidsStore('no-store')).toBe(true);
    expect(responseForbidsStore('max-age=60')).toBe(false);
    expect(responseForbidsStore(undefined)).toBe(false);
  });
});

describe('cached answers', () => {
  const completion = { id: 'c1', object: 'chat.completion', created: 5, model: 'gpt', choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } };
  it('reads a buffered completion and replays it as JSON and as SSE', () => {
    const a = fromBuffered(Buffer.from(JSON.stringify(completion)));
    expect(a).toMatchObject({ kind: 'chat', content: 'Paris.', finish: 'stop', usage: { total_tokens: 4 } });
    const json = JSON.parse(replayJson(a!, 'r').toString()) as typeof completion;
    expect(json.choices[0].message.content).toBe('Paris.');
    const sse = replaySse(a!, 'r');
    expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sse).toContain('"content":"Paris."');
    expect(sse).toContain('"finish_reason":"stop"');
    expect(sse).toContain('"total_tokens":4');
  });
  it('refuses tool calls, errors and non-JSON', () => {
    const tools = { ...completion, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 't' }] }, finish_reason: 'tool_calls' }] };
    expect(fromBuffered(Buffer.from(JSON.stringify(tools)))).toBeNull();
    expect(fromBuffered(Buffer.from('{"error":{"message":"x"}}'))).toBeNull();
    expect(fromBuffered(Buffer.from('nope'))).toBeNull();
  });
  it('rebuilds a streamed answer, split anywhere, only when it ends with [DONE]', () => {
    const text = 'data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"g","choices":[{"index":0,"delta":{"role":"assistant","content":"Par"},"finish_reason":null}]}\n\n'
      + 'data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"g","choices":[{"index":0,"delta":{"content":"is."},"finish_reason":"stop"}]}\n\n'
      + 'data: [DONE]\n\n';
    const c = new StreamCollector();
    for (let i = 0; i < text.length; i += 7) c.feed(Buffer.from(text.slice(i, i + 7)));
    expect(c.result()).toMatchObject({ id: 's', content: 'Paris.', finish: 'stop' });
    const cut = new StreamCollector();
    cut.feed(text.slice(0, text.indexOf('data: [DONE]')));
    expect(cut.result()).toBeNull();
    const bad = new StreamCollector();
    bad.feed(`data: {oops\n\n${text}`);
    expect(bad.result()).toBeNull();
  });
  it('replays text completions', () => {
    const a = fromBuffered(Buffer.from(JSON.stringify({ id: 't', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: 'done', finish_reason: 'length' }] })));
    expect(a?.kind).toBe('text');
    expect(replaySse(a!, 'r')).toContain('"text":"done"');
  });
});

describe('mock embeddings are semantic enough for the cache', () => {
  const d = (a: string, b: string, dims = 64): number => cosineDistance(embedding(a, dims), embedding(b, dims));
  it('puts rewordings close and unrelated questions far', () => {
    expect(d('What is the capital of France?', 'Tell me the capital of France')).toBeLessThan(0.01);
    expect(d('What is the capital of France?', "Could you tell me France's capital city?")).toBeLessThan(0.2);
    expect(d('What is the capital of France?', 'Explain quantum computing in simple terms')).toBeGreaterThan(0.9);
    expect(d('What is the capital of France?', 'What is the capital of Germany?')).toBeGreaterThan(0.4);
  });
  it('stays deterministic, unit length, and defined for text without words', () => {
    const v = embedding('?!', 8);
    expect(v).toEqual(embedding('?!', 8));
    expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
    expect(embedding('the', 8).some((x) => x !== 0)).toBe(true);
  });
});
