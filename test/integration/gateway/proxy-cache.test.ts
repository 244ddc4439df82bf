/**
 * proxy-cache in serve: one gateway with the Admin API (for the /proxy-cache endpoints), one
 * loopback upstream that counts what reaches it.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../../src/gateway/admin-api/api.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { startGateway, type Gateway } from '../../../src/gateway/server.js';
import { fakeClock } from '../../helpers/clock.js';
import { stateFrom } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

let up: TestUpstream;
let mock: MockServer;
let gw: Gateway;
let n = 0;
// Age and cache_ttl count whole seconds: on the wall clock a second may turn between a store and a
// hit (Age 1), and a loaded machine may take more than cache_ttl between two requests. The fake
// clock stands still at the real time (the Admin API's lookups read the wall clock) until advanced.
const clock = fakeClock(Date.now());

const YAML = (url: string, llm: string) => `
_format_version: "3.0"
services:
- name: up
  url: ${url}
  routes:
  - name: cached
    id: 6f1f6d3e-8a51-4f55-9a43-1e2f6b0a7c01
    paths: [/c]
    strip_path: false
    plugins:
    - { name: proxy-cache, id: 0b0c6a55-61f4-4c55-8d43-3d1f2a7b9e01, config: { strategy: memory } }
  - name: chat
    paths: [/chat]
    strip_path: false
    plugins:
    - { name: proxy-cache, config: { strategy: memory, request_method: [POST], content_type: [application/json], cache_ttl: 1, storage_ttl: 60 } }
  - name: ttl
    paths: [/cc]
    strip_path: false
    plugins:
    - { name: proxy-cache, config: { strategy: memory, cache_control: true, vary_headers: [x-tenant], vary_query_params: [v] } }
  - name: ai
    paths: [/ai]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: Bearer k }, model: { provider: openai, name: gpt-4o, options: { upstream_url: "${llm}/v1/chat/completions" } } }
    - { name: proxy-cache, config: { strategy: memory, request_method: [POST], content_type: [application/json] } }
`;

beforeAll(async () => {
  up = await startUpstream((req, res, body) => {
    n++;
    const url = req.url ?? '/';
    if (url.startsWith('/c/charset')) res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    else if (url.startsWith('/c/missing')) res.writeHead(500, { 'content-type': 'application/json' });
    else if (url.startsWith('/cc/private')) res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'private, max-age=60' });
    else if (url.startsWith('/cc')) res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    else res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', 'x-ratelimit-remaining-minute': '9' });
    res.end(JSON.stringify({ n, url, body }));
  });
  const late: { gw?: Gateway } = {};
  mock = await startMock();
  const state = await stateFrom(YAML(up.url, mock.url));
  const admin = createAdminApi({ store: memoryStore(state), mode: 'declarative', version: '3.14.0', onChange: () => undefined, pluginApi: async (m, s) => late.gw?.pluginApi(m, s) });
  gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger: memoryLogger(), accessLog: 'off', adminHandler: admin, now: clock.now });
  late.gw = gw;
});

afterAll(async () => {
  await gw.close(100);
  await up.close();
  await mock.close();
});

const get = (path: string, headers: Record<string, string> = {}) => request(`${gw.proxyUrl}${path}`, { headers });
const admin = (method: string, path: string) => request(`${gw.adminUrl}${path}`, { method });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('proxy-cache', () => {
  it("caches a GET: Miss then Hit with Kong's key, Age and the upstream's headers; rate-limit counters are not replayed", async () => {
    const a = await get('/c/a?x=1');
    expect([a.status, a.headers['x-cache-status']]).toEqual([200, 'Miss']);
    // Kong's key: sha256(route id | method | $request up to '?' | sorted query | vary headers)
    expect(a.headers['x-cache-key']).toBe(sha('6f1f6d3e-8a51-4f55-9a43-1e2f6b0a7c01|GET|GET /c/a|x=1|'));
    const b = await get('/c/a?x=1');
    expect([b.headers['x-cache-status'], b.text, b.headers['x-upstream'], b.headers.age]).toEqual(['Hit', a.text, 'yes', '0']);
    expect(b.headers['x-ratelimit-remaining-minute']).toBeUndefined();
    expect(b.headers['x-cache-key']).toBe(a.headers['x-cache-key']);
    const noQuery = await get('/c/a');
    expect(noQuery.headers['x-cache-key']).toBe(sha('6f1f6d3e-8a51-4f55-9a43-1e2f6b0a7c01|GET|GET /c/a HTTP/1.1||'));
  });

  it('bypasses what it may not cache: other methods, other content types (parameters included), other statuses', async () => {
    const post = await request(`${gw.proxyUrl}/c/a`, { method: 'POST', body: 'x' });
    expect(post.headers['x-cache-status']).toBe('Bypass');
    expect(post.headers['x-cache-key']).toBeUndefined();
    for (const path of ['/c/charset', '/c/missing']) {
      expect((await get(path)).headers['x-cache-status']).toBe('Bypass');
      expect((await get(path)).headers['x-cache-status']).toBe('Bypass');
    }
  });

  it('keys POST bodies (a prompt is its own entry) and refreshes after cache_ttl while storage_ttl keeps it', async () => {
    const ask = (q: string) => request(`${gw.proxyUrl}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: q }] }) });
    const first = await ask('hi');
    expect(first.headers['x-cache-status']).toBe('Miss');
    expect((await ask('bye')).headers['x-cache-status']).toBe('Miss');
    const again = await ask('hi');
    expect([again.headers['x-cache-status'], again.text]).toEqual(['Hit', first.text]);
    clock.advance(1000);
    expect((await ask('hi')).headers['x-cache-status']).toBe('Hit'); // 1 s old: not older than cache_ttl
    clock.advance(1000);
    expect((await ask('hi')).headers['x-cache-status']).toBe('Refresh');
  });

  it("caches an AI route's answers by prompt; streamed answers (text/event-stream) are not cached", async () => {
    const chat = (q: string, stream = false) => request(`${gw.proxyUrl}/ai`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: q }], stream }),
    });
    const before = mock.requests().length;
    const a = await chat('What is Kong?');
    expect([a.status, a.headers['x-cache-status']]).toEqual([200, 'Miss']);
    const b = await chat('What is Kong?');
    expect([b.headers['x-cache-status'], b.text]).toEqual(['Hit', a.text]);
    expect((await chat('What is decK?')).headers['x-cache-status']).toBe('Miss');
    expect(mock.requests().length - before).toBe(2);
    await chat('Stream it', true);
    const s = await chat('Stream it', true);
    expect([s.headers['x-cache-status'], s.headers['content-type']]).toEqual(['Bypass', 'text/event-stream']);
  });

  it('with cache_control: honours Cache-Control both ways and varies by the configured headers and query', async () => {
    expect((await get('/cc/p?v=1&w=1', { 'x-tenant': 'a' })).headers['x-cache-status']).toBe('Miss');
    expect((await get('/cc/p?v=1&w=2', { 'x-tenant': 'a' })).headers['x-cache-status']).toBe('Hit');
    expect((await get('/cc/p?v=1', { 'x-tenant': 'b' })).headers['x-cache-status']).toBe('Miss');
    expect((await get('/cc/p?v=1', { 'x-tenant': 'a', 'cache-control': 'no-cache' })).headers['x-cache-status']).toBe('Bypass');
    expect((await get('/cc/p?v=1&w=1', { 'x-tenant': 'a', 'cache-control': 'min-fresh=120' })).headers['x-cache-status']).toBe('Refresh');
    const only = await get('/cc/other', { 'cache-control': 'only-if-cached' });
    expect([only.status, only.text]).toEqual([504, '']);
    await get('/cc/private');
    expect((await get('/cc/private')).headers['x-cache-status']).toBe('Bypass');
  });

  it('looks entries up and purges them through the Admin API', async () => {
    const a = await get('/c/admin');
    const key = a.headers['x-cache-key'] as string;
    const entry = await admin('GET', `/proxy-cache/${key}`);
    expect(entry.status).toBe(200);
    expect(entry.json()).toMatchObject({ status: 200, body: a.text, body_len: a.text.length, version: 1, headers: { 'X-Cache-Key': key, 'X-Cache-Status': 'Miss' } });
    expect((await admin('GET', `/proxy-cache/0b0c6a55-61f4-4c55-8d43-3d1f2a7b9e01/caches/${key}`)).status).toBe(200);
    expect((await admin('DELETE', `/proxy-cache/0b0c6a55-61f4-4c55-8d43-3d1f2a7b9e01/caches/${key}`)).status).toBe(204);
    expect((await admin('DELETE', `/proxy-cache/0b0c6a55-61f4-4c55-8d43-3d1f2a7b9e01/caches/${key}`)).status).toBe(404);
    expect((await get('/c/admin')).headers['x-cache-status']).toBe('Miss');
    expect((await admin('DELETE', `/proxy-cache/${key}`)).status).toBe(204);
    expect((await admin('GET', `/proxy-cache/${key}`)).json()).toEqual({ message: 'Not found' });
    await get('/c/admin');
    expect((await admin('DELETE', '/proxy-cache')).status).toBe(204);
    expect((await get('/c/admin')).headers['x-cache-status']).toBe('Miss');
    expect((await admin('GET', '/proxy-cache')).status).toBe(405);
    expect((await admin('GET', `/proxy-cache/6f1f6d3e-8a51-4f55-9a43-1e2f6b0a7c01/caches/${key}`)).status).toBe(404);
    // entries expire on the gateway's clock, for the Admin API's lookups too (cache_ttl 300 s)
    const b = await get('/c/admin-ttl');
    const stored = `/proxy-cache/${String(b.headers['x-cache-key'])}`;
    expect((await admin('GET', stored)).status).toBe(200);
    clock.advance(301_000);
    expect((await admin('GET', stored)).status).toBe(404);
  });
});
