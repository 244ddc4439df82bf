import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { at, call, parseSse } from './client.js';

let mock: MockServer;
const auth = { authorization: 'Bearer k' };
const chat = { model: 'm', messages: [{ role: 'user', content: 'What is 1 + 1?' }] };

beforeAll(async () => {
  mock = await startMock({ maxRecorded: 5 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

describe('fail-first counter', () => {
  it('fails the first N requests per test id and path, then answers; reset() re-arms it', async () => {
    const headers = { ...auth, 'x-mock-fail-first': '2:503', 'x-mock-test-id': 'failover-a' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(`${mock.url}/v1/chat/completions`, { headers, body: chat })).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    const other = await call(`${mock.url}/v1/chat/completions`, { headers: { ...headers, 'x-mock-test-id': 'failover-b' }, body: chat });
    expect(other.status).toBe(503);
    const first = await call(`${mock.url}/v1/chat/completions`, { headers: { ...auth, 'x-mock-fail-first': '1', 'x-mock-test-id': 'c' }, body: chat });
    expect(first.status).toBe(500);
    expect(at(first.json(), 'error', 'type')).toBe('server_error');
    mock.reset();
    expect((await call(`${mock.url}/v1/chat/completions`, { headers, body: chat })).status).toBe(503);
  });

  it('ignores malformed fault headers', async () => {
    const res = await call(`${mock.url}/v1/chat/completions`, {
      headers: { ...auth, 'x-mock-fail-first': 'lots', 'x-mock-status': '9999', 'x-mock-latency-ms': '-5', 'x-mock-hang': 'false', 'x-mock-garbage': '0' },
      body: chat,
    });
    expect(res.status).toBe(200);
  });
});

describe('streams', () => {
  it('spaces chunks by x-mock-chunk-delay-ms', async () => {
    const t0 = Date.now();
    const res = await call(`${mock.url}/v1/chat/completions`, { headers: { ...auth, 'x-mock-chunk-delay-ms': '20' }, body: { ...chat, stream: true } });
    const events = parseSse(res.text);
    expect(events).toHaveLength(11);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10 * 20 - 10);
  });

  it('breaks a stream after N chunks at the socket level', async () => {
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-mock-break-stream-after': '2' },
      body: JSON.stringify({ ...chat, stream: true }),
    });
    expect(res.statusCode).toBe(200);
    let received = '';
    await expect(
      (async () => {
        for await (const chunk of res.body) received += (chunk as Buffer).toString('utf8');
      })(),
    ).rejects.toThrow();
    expect(parseSse(received)).toHaveLength(2);
  });

  it('breaks a non-stream body half way', async () => {
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-mock-break-stream-after': '0' },
      body: JSON.stringify(chat),
    });
    await expect(res.body.text()).rejects.toThrow();
  });

  it('breaks before the first chunk with N = 0', async () => {
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-mock-break-stream-after': '0' },
      body: JSON.stringify({ ...chat, stream: true }),
    });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });
});

describe('global options', () => {
  it('applies global latency, fail rate (reproducibly) and require-key', async () => {
    const slow = await startMock({ latencyMs: 120 });
    const t0 = Date.now();
    await call(`${slow.url}/v1/models`, { headers: auth });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    await slow.close();

    const run = async () => {
      const flaky = await startMock({ failRate: 0.5, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call(`${flaky.url}/v1/chat/completions`, { headers: auth, body: chat })).status);
      await flaky.close();
      return out;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(3);

    const strict = await startMock({ requireKey: 'secret' });
    expect((await call(`${strict.url}/v1/chat/completions`, { headers: { authorization: 'Bearer nope' }, body: chat })).status).toBe(401);
    expect((await call(`${strict.url}/v1/chat/completions`, { headers: { authorization: 'Bearer secret' }, body: chat })).status).toBe(200);
    await strict.close();
  });

  it('rejects invalid options', async () => {
    await expect(startMock({ embeddingDims: 0 })).rejects.toThrow(/embeddingDims/);
    await expect(startMock({ failRate: 2 })).rejects.toThrow(/failRate/);
    await expect(startMock({ requireKey: '' })).rejects.toThrow(/requireKey/);
  });

  it('logs one line per request when given a logger', async () => {
    const lines: string[] = [];
    const logged = await startMock({ logger: (l) => lines.push(l) });
    await call(`${logged.url}/v1/models`, { headers: auth });
    await call(`${logged.url}/nope`);
    await logged.close();
    expect(lines).toEqual(['GET /v1/models → 200', 'GET /nope → 404']);
  });
});

describe('routing, recording, closing', () => {
  it('answers 404 on unknown paths and records them', async () => {
    const res = await call(`${mock.url}/v9/nothing`, { body: {} });
    expect(res.status).toBe(404);
    expect(at(res.json(), 'error', 'message')).toMatch(/no route for POST \/v9\/nothing/);
    const rec = mock.requests();
    expect(rec).toHaveLength(1);
    expect(rec[0].provider).toBeUndefined();
    expect(rec[0].status).toBe(404);
  });

  it('keeps only the last maxRecorded requests, with query and raw body', async () => {
    for (let i = 0; i < 7; i++) await call(`${mock.url}/v1/models?i=${i}`, { headers: auth });
    const rec = mock.requests();
    expect(rec).toHaveLength(5);
    expect(rec.map((r) => r.query.i)).toEqual(['2', '3', '4', '5', '6']);
    await call(`${mock.url}/v1/chat/completions`, { headers: auth, body: '{broken' });
    expect(mock.requests().at(-1)?.raw).toBe('{broken');
    expect(mock.requests().at(-1)?.body).toBeUndefined();
  });

  it('close() ends hanging connections', async () => {
    const m = await startMock();
    const pending = call(`${m.url}/v1/chat/completions`, { headers: { ...auth, 'x-mock-hang': '1' }, body: chat, timeoutMs: 30_000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await m.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeLessThan(10_000); // not the call's 30 s timeout; generous for a loaded machine
  });

  it('serves cached replies identical to fresh ones', async () => {
    const a = await call(`${mock.url}/v1/chat/completions`, { headers: auth, body: chat });
    const b = await call(`${mock.url}/v1/chat/completions`, { headers: { authorization: 'Bearer other' }, body: chat });
    expect(b.text).toBe(a.text);
    const noAuth = await call(`${mock.url}/v1/chat/completions`, { body: chat });
    expect(noAuth.status).toBe(401);
  });
});
