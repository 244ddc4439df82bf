/** The reusable LLM call (the LLM caller) against the mock: every result kind other AI plugins fail over on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { LlmStreamError, type LlmTarget, type ProviderCallResult } from '../../../src/gateway/llm/call/client.js';
import { TranslationError } from '../../../src/gateway/llm/wire/errors.js';
import { LightAbort } from '../../../src/gateway/llm/wire/abort.js';
import type { CanonicalChunk } from '../../../src/gateway/llm/wire/openai-types.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { freePort } from '../../helpers/net.js';
import { KEY } from './setup.js';

const REQ = { messages: [{ role: 'user', content: 'What is 1 + 1?' }] };

describe('the LLM caller', () => {
  let mock: MockServer;
  let target: LlmTarget;
  const opts = { requestId: 'req-1' };
  const llm = createLlmCaller({ env: {} });

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    target = {
      route_type: 'llm/v1/chat',
      auth: { header_name: 'Authorization', header_value: `Bearer ${KEY}` },
      model: { provider: 'anthropic', name: 'claude-3-5-haiku', options: { anthropic_version: '2023-06-01', upstream_url: `${mock.url}/v1/messages`, max_tokens: 64 } },
    };
  });
  afterAll(async () => {
    await mock.close();
    await llm.close();
  });

  const expectKind = <K extends ProviderCallResult>(r: ProviderCallResult, check: (r: ProviderCallResult) => r is K): K => {
    if (!check(r)) throw new Error(`unexpected result ${JSON.stringify(r)}`);
    return r;
  };

  it('buffered: canonical response, usage, latency, the model used', async () => {
    const r = await llm.call(target, REQ, { ...opts, stream: false });
    const ok = expectKind(r, (x): x is Extract<ProviderCallResult, { kind: 'buffered' }> => x.ok && x.kind === 'buffered');
    expect(ok.response.object).toBe('chat.completion');
    expect(ok.usage.completion_tokens).toBeGreaterThan(0);
    expect(ok.latencyMs).toBeGreaterThan(0);
    expect(ok.model).toBe('claude-3-5-haiku');
    expect((mock.requests().at(-1)?.body as { max_tokens: number }).max_tokens).toBe(64);
  });

  it('stream: canonical chunks, then a summary with usage and time to first token', async () => {
    const r = await llm.call(target, REQ, { ...opts, stream: true });
    const s = expectKind(r, (x): x is Extract<ProviderCallResult, { kind: 'stream' }> => x.ok && x.kind === 'stream');
    const chunks: CanonicalChunk[] = [];
    for await (const c of s.chunks) chunks.push(c);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const sum = await s.done;
    expect(sum.error).toBeUndefined();
    expect(sum.usage.completion_tokens).toBeGreaterThan(0);
    expect(sum.firstTokenMs).not.toBeNull();
    expect(sum.latencyMs).toBeGreaterThanOrEqual(sum.firstTokenMs ?? 0);
    expect(sum.response.object === 'chat.completion' ? sum.response.choices[0].message.content : '').toBe('The answer to 1 + 1 is 2.');
  });

  it('a broken stream throws LlmStreamError and still settles done with the error', async () => {
    const r = await llm.call(target, { messages: [{ role: 'user', content: 'a long story about many things at once' }] }, { ...opts, stream: true, headers: { 'x-mock-break-stream-after': '3' } });
    const s = expectKind(r, (x): x is Extract<ProviderCallResult, { kind: 'stream' }> => x.ok && x.kind === 'stream');
    await expect((async () => {
      for await (const _ of s.chunks) { /* drain */ }
    })()).rejects.toBeInstanceOf(LlmStreamError);
    expect((await s.done).error).toMatch(/stream broke/);
  });

  it('http: a non-200 reply is returned raw for passthrough', async () => {
    const r = await llm.call({ ...target, auth: { header_name: 'x-api-key', header_value: 'wrong' } }, REQ, { ...opts, stream: false });
    expect(r).toMatchObject({ ok: false, error: 'http', status: 401 });
    if (!r.ok) expect(JSON.parse(r.body.toString())).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('connect, timeout and garbage failures carry the gateway status and a clear body', async () => {
    const port = await freePort();
    const dead = await llm.call({ ...target, model: { ...target.model, options: { ...target.model.options, upstream_url: `http://127.0.0.1:${port}/v1/messages` } } }, REQ, { ...opts, stream: false });
    expect(dead).toMatchObject({ ok: false, error: 'connect', status: 502 });
    const slow = await llm.call(target, REQ, { ...opts, stream: false, timeouts: { connect: 1000, read: 150, write: 1000 }, headers: { 'x-mock-hang': '1' } });
    expect(slow).toMatchObject({ ok: false, error: 'timeout', status: 504 });
    const garbage = await llm.call(target, REQ, { ...opts, stream: false, headers: { 'x-mock-garbage': '1' } });
    expect(garbage).toMatchObject({ ok: false, error: 'garbage', status: 502 });
    if (!garbage.ok) expect(JSON.parse(garbage.body.toString())).toEqual({ error: { message: garbage.message } });
  });

  it('an aborted call rejects with the signal reason', async () => {
    const ac = new AbortController();
    const p = llm.call(target, REQ, { ...opts, stream: false, signal: ac.signal, headers: { 'x-mock-hang': '1' } });
    setTimeout(() => ac.abort(new Error('client gone')), 50);
    await expect(p).rejects.toThrow('client gone');
  });

  it('the gateway\'s light abort signal stops a call too, with or without the precise read timer', async () => {
    for (const read of [60_000, 4_000]) {
      const abort = new LightAbort();
      const t0 = Date.now();
      const p = llm.call(target, REQ, { ...opts, stream: false, signal: abort, timeouts: { connect: 1000, read, write: 1000 }, headers: { 'x-mock-hang': '1' } });
      setTimeout(() => abort.abort(new Error('client gone')), 50);
      await expect(p).rejects.toThrow('client gone');
      expect(Date.now() - t0).toBeLessThan(3000); // before the read timer (generous for a loaded machine)
    }
    const late = new LightAbort();
    late.abort(new Error('already gone'));
    await expect(llm.call(target, REQ, { ...opts, stream: false, signal: late })).rejects.toThrow('already gone');
  });

  it('requests it cannot build throw TranslationError with Kong\'s status', async () => {
    const noModel = { ...target, model: { ...target.model, name: null } };
    await expect(llm.call(noModel, REQ, { ...opts, stream: false })).rejects.toMatchObject({ status: 400, message: 'model parameter not found in request, nor in gateway configuration' });
    await expect(llm.call({ ...target, model: { provider: 'nope' } }, REQ, { ...opts, stream: false })).rejects.toBeInstanceOf(TranslationError);
  });
});
