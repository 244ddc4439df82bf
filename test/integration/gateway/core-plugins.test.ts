/**
 * The serve side of Kong's core plugins aigw adds for decK files and Kong's AI guides:
 * request-termination, response-transformer (one gateway, real loopback upstream).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

let up: TestUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/json')) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-powered-by': 'up', 'x-old': 'o', 'x-keep': 'k' });
      res.end(JSON.stringify({ id: 1, internal: 'secret', old: 'v', flag: false, tags: 'a', price: 3 }));
    } else if (req.url?.startsWith('/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-powered-by': 'up' });
      res.write('data: {"a":1}\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 20);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body || 'plain');
    }
  });
  gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: up
  url: ${up.url}
  routes:
  - name: maintenance
    paths: [/maintenance]
    plugins:
    - { name: request-termination, config: { status_code: 503, message: down for maintenance } }
  - name: default-message
    paths: [/gone]
    plugins:
    - { name: request-termination, config: { status_code: 404 } }
  - name: no-message
    paths: [/teapot]
    plugins:
    - { name: request-termination, config: { status_code: 418 } }
  - name: raw
    paths: [/raw]
    plugins:
    - { name: request-termination, config: { status_code: 200, body: "<h1>hi</h1>", content_type: text/html } }
  - name: echo
    paths: ["~/echo/(?<item>\\\\w+)$"]
    plugins:
    - { name: request-termination, config: { status_code: 200, echo: true, trigger: x-debug } }
  - name: canary-off
    paths: [/canary]
    plugins:
    - { name: request-termination, config: { status_code: 410, trigger: X-Canary } }
  - name: transform
    paths: [/json, /plain, /sse]
    strip_path: false
    plugins:
    - name: response-transformer
      config:
        remove: { headers: [x-powered-by], json: [internal] }
        rename: { headers: ["x-old:x-new"], json: ["old:new"] }
        replace: { headers: ["x-keep:replaced", "x-absent:no"], json: ["price:4", "flag:true"], json_types: [number, boolean] }
        add: { headers: ["x-added:yes", "x-keep:never"], json: ["gateway:aigw", "flag:true", "count:2"], json_types: [string, boolean, number] }
        append: { headers: ["x-multi:one", "x-multi:two"], json: ["tags:b"] }
  - name: transform-headers-only
    paths: [/hdr]
    plugins:
    - { name: response-transformer, config: { add: { headers: ["x-added:yes"] } } }
    - { name: request-termination, config: { status_code: 403, message: closed } }
  - name: transform-exits
    paths: [/locked]
    plugins:
    - { name: key-auth, config: {} }
    - { name: response-transformer, config: { add: { headers: ["x-added:yes"], json: ["hint:use a key"] } } }
`);
});

afterAll(async () => {
  await gw.close(100);
  await up.close();
});

describe('request-termination', () => {
  it("answers with the message, Kong's default message, or nothing", async () => {
    const m = await request(`${gw.proxyUrl}/maintenance`);
    expect(m.status).toBe(503);
    expect(m.json()).toEqual({ message: 'down for maintenance' });
    expect(m.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await request(`${gw.proxyUrl}/gone`)).json()).toEqual({ message: 'Not found' });
    const t = await request(`${gw.proxyUrl}/teapot`);
    expect([t.status, t.text]).toEqual([418, '']);
    expect(up.seen.length).toBe(0);
  });

  it('answers with a raw body and its content type', async () => {
    const r = await request(`${gw.proxyUrl}/raw`);
    expect([r.status, r.text, r.headers['content-type']]).toEqual([200, '<h1>hi</h1>', 'text/html']);
  });

  it('echoes the request when triggered, and proxies it otherwise', async () => {
    const r = await request(`${gw.proxyUrl}/echo/abc?x=1&x=2&flag`, {
      method: 'POST', headers: { 'x-debug': '1', 'content-type': 'application/json' }, body: '{"q":"hi"}',
    });
    expect(r.status).toBe(200);
    const e = r.json<Record<string, any>>();
    expect('message' in e).toBe(false);
    expect(e.kong).toMatchObject({ worker_pid: process.pid });
    expect(e.request).toMatchObject({
      scheme: 'http', host: '127.0.0.1', method: 'POST', path: '/echo/abc', body: { q: 'hi' }, raw_body: '{"q":"hi"}',
      query: { x: ['1', '2'], flag: true }, uri_captures: { named: { item: 'abc' }, unnamed: ['abc'] },
    });
    expect(e.request.headers['x-debug']).toBe('1');
    expect(e.request.port).toBe(Number(new URL(gw.proxyUrl).port));
    expect(e.matched_route.name).toBe('echo');
    expect(e.matched_service.name).toBe('up');
    const q = await request(`${gw.proxyUrl}/echo/abc?x-debug`);
    expect(q.json<Record<string, any>>().request).toMatchObject({ query: { 'x-debug': true }, raw_body: '' });
    expect('body' in q.json<Record<string, any>>().request).toBe(false);
    const passed = await request(`${gw.proxyUrl}/echo/abc`);
    expect(passed.text).toBe('plain');
  });

  it('terminates only the requests that carry the trigger header or query argument', async () => {
    expect((await request(`${gw.proxyUrl}/canary`)).status).toBe(200);
    const h = await request(`${gw.proxyUrl}/canary`, { headers: { 'x-canary': 'yes' } });
    expect([h.status, h.text]).toEqual([410, '']);
    expect((await request(`${gw.proxyUrl}/canary?X-Canary=`)).status).toBe(410);
    expect((await request(`${gw.proxyUrl}/canary?x-canary=1`)).status).toBe(200);
  });
});

describe('response-transformer', () => {
  it('transforms headers and the top-level JSON body in Kong order', async () => {
    const r = await request(`${gw.proxyUrl}/json`);
    expect(r.status).toBe(200);
    expect(r.headers['x-powered-by']).toBeUndefined();
    expect(r.headers['x-old']).toBeUndefined();
    expect(r.headers['x-new']).toBe('o');
    expect(r.headers['x-keep']).toBe('replaced');
    expect(r.headers['x-absent']).toBeUndefined();
    expect(r.headers['x-added']).toBe('yes');
    expect(r.headers['x-multi']).toBe('one, two');
    expect(r.json()).toEqual({ id: 1, new: 'v', flag: true, tags: ['a', 'b'], price: 4, gateway: 'aigw', count: 2 });
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.text));
  });

  it('leaves non-JSON bodies alone, and edits the headers of streams without buffering them', async () => {
    const p = await request(`${gw.proxyUrl}/plain`);
    expect([p.text, p.headers['x-added']]).toEqual(['plain', 'yes']);
    const s = await request(`${gw.proxyUrl}/sse`);
    expect(s.text).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(s.headers['x-powered-by']).toBeUndefined();
    expect(s.headers['x-added']).toBe('yes');
  });

  it("edits the replies of the route's plugins, before or after it in Kong's order (header_filter and body_filter on exits)", async () => {
    const r = await request(`${gw.proxyUrl}/hdr`);
    expect(r.status).toBe(403);
    expect(r.headers['x-added']).toBe('yes');
    const k = await request(`${gw.proxyUrl}/locked`);
    expect(k.status).toBe(401);
    expect(k.headers['x-added']).toBe('yes');
    expect(k.json()).toMatchObject({ message: 'No API key found in request', hint: 'use a key' });
    expect(Number(k.headers['content-length'])).toBe(Buffer.byteLength(k.text));
  });
});
