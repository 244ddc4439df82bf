/**
 * The ai-proxy request path keeps V8's hidden classes (maps) stable from one request to the next:
 * a copy made with `{ ...o }` and then given a property (or `{ ...o, k: v }`) gets a map of its own
 * on every call in Node 20, and every later `for…in` / JSON.stringify of it takes the slow path
 * (callgrind: ~13 k instructions per request in mergeModelOptions alone). Two same-shaped requests
 * must therefore produce objects with the same map. `%HaveSameMap` needs --allow-natives-syntax,
 * which only affects functions compiled after it is set (the one below).
 */
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { editableCopy } from '../../../src/gateway/llm/wire/shallow-copy.js';
import { mergeModelOptions } from '../../../src/gateway/llm/call/translate.js';
import { readBody } from '../../../src/gateway/llm/call/client-io.js';
import { openAIRequestBody, openAIResponse } from '../../../src/gateway/providers/openai-compatible.js';
import { applyStaticAuth } from '../../../src/gateway/providers/request-auth.js';
import type { ProviderContext } from '../../../src/gateway/providers/types.js';
import type { CanonicalRequest } from '../../../src/gateway/llm/wire/openai-types.js';
import { TranslationError } from '../../../src/gateway/llm/wire/errors.js';

v8.setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;

const REQUEST = '{"messages":[{"role":"user","content":"hi"}],"temperature":0.5}';
const ANSWER = '{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';
const parse = (s: string) => JSON.parse(s) as Record<string, unknown>;

const ctx: ProviderContext = {
  routeType: 'llm/v1/chat', model: 'gpt-4o', options: { max_tokens: 64 }, auth: { header_name: 'Authorization', header_value: 'Bearer k' },
  stream: false, env: {}, now: () => new Date(0), requestId: 'r1',
} as ProviderContext;

/** Runs `f` on fresh inputs until its feedback settles, then compares two results' maps. */
function stable(f: () => object): boolean {
  let a = f();
  let b = f();
  for (let i = 0; i < 50; i++) [a, b] = [b, f()];
  return sameMap(a, b);
}

describe('request-path objects keep one map per shape', () => {
  it('editableCopy then a new property: one map (a spread copy gets a new one each time)', () => {
    expect(stable(() => {
      const o = editableCopy(parse(REQUEST));
      o.model = 'm';
      return o;
    })).toBe(true);
    expect(stable(() => {
      const o = { ...parse(REQUEST) };
      o.model = 'm';
      return o;
    })).toBe(false);
  });

  it('editableCopy keeps an own __proto__ property as data, not as the prototype', () => {
    const o = editableCopy(parse('{"__proto__":{"x":1},"a":2}'));
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(JSON.stringify(o)).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('mergeModelOptions, openAIRequestBody, openAIResponse and applyStaticAuth', () => {
    expect(stable(() => mergeModelOptions(ctx, parse(REQUEST) as CanonicalRequest))).toBe(true);
    expect(stable(() => openAIRequestBody({ name: 'openai', routeTypes: ['llm/v1/chat'], url: () => null }, ctx, mergeModelOptions(ctx, parse(REQUEST) as CanonicalRequest)))).toBe(true);
    expect(stable(() => openAIResponse('openai', 'llm/v1/chat', parse(ANSWER)))).toBe(true);
    const up = () => applyStaticAuth(ctx, { method: 'POST', url: new URL('http://u/v1'), headers: { 'Content-Type': 'application/json' }, body: {} });
    expect(stable(up)).toBe(true);
    expect(stable(() => up().headers)).toBe(true);
  });

  it('the copies keep the key order and values of the spread they replace', () => {
    const merged = mergeModelOptions(ctx, parse(REQUEST) as CanonicalRequest);
    expect(JSON.stringify(merged)).toBe('{"messages":[{"role":"user","content":"hi"}],"temperature":0.5,"model":"gpt-4o","max_tokens":64,"stream":false}');
    expect(JSON.stringify(openAIResponse('openai', 'llm/v1/chat', parse(ANSWER)))).toBe(ANSWER);
  });
});

describe('readBody (event-based, no async iterator)', () => {
  const source = (chunks: Buffer[], opts: { fail?: Error; close?: boolean } = {}) => {
    const r = new Readable({ read() {} });
    // the old `for await` read would take this path
    Object.defineProperty(r, Symbol.asyncIterator, { value: () => { throw new Error('async iterator used'); } });
    setImmediate(() => {
      for (const c of chunks) r.push(c);
      if (opts.fail) r.destroy(opts.fail);
      else if (opts.close) r.destroy();
      else r.push(null);
    });
    return r;
  };

  it('resolves with the whole body, one chunk or many', async () => {
    expect((await readBody(source([Buffer.from('ab'), Buffer.from('cd')]))).toString()).toBe('abcd');
    expect((await readBody(source([Buffer.from('x')]))).toString()).toBe('x');
    expect((await readBody(source([]))).length).toBe(0);
  });

  it('rejects with the stream error, and with ERR_STREAM_PREMATURE_CLOSE when it closes before its end', async () => {
    const err = Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
    await expect(readBody(source([Buffer.from('a')], { fail: err }))).rejects.toBe(err);
    await expect(readBody(source([Buffer.from('a')], { close: true }))).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE', message: 'Premature close' });
  });

  it('a stream already finished or destroyed does not hang', async () => {
    const ended = Readable.from([]);
    ended.resume();
    await new Promise((r) => ended.once('end', r));
    expect((await readBody(ended)).length).toBe(0);
    const dead = new Readable({ read() {} });
    dead.destroy();
    await expect(readBody(dead)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    const broken = new Readable({ read() {} });
    broken.on('error', () => {}); // its error event is not the point here
    broken.destroy(new Error('boom'));
    await new Promise((r) => setImmediate(r));
    await expect(readBody(broken)).rejects.toThrow('boom');
  });

  it('over 64 MiB: a 502 TranslationError and the stream destroyed', async () => {
    const big = Buffer.alloc(33 * 1024 * 1024);
    const r = source([big, big]);
    await expect(readBody(r)).rejects.toBeInstanceOf(TranslationError);
    expect(r.destroyed).toBe(true);
  });
});
