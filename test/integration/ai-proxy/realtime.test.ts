/**
 * WebSocket upgrades through `aigw serve` (http-proxy-3): ai-proxy's `realtime/v1/realtime` to the
 * mock's Realtime API (OpenAI and Azure: configured key and model, frames both ways), access phases
 * before the upgrade (key-auth refuses with HTTP 401), provider refusals passed back, and a plain
 * route whose `ws` service is a WebSocket echo server.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY } from './setup.js';

type Event = Record<string, unknown> & { type: string };

/** Opens a socket; resolves with it and the events it receives, or rejects with the refusal's status. */
function open(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; events: Event[]; next: (type: string) => Promise<Event> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const events: Event[] = [];
    const waiters: Array<{ type: string; done: (e: Event) => void }> = [];
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as Event;
      events.push(e);
      for (const w of waiters.filter((x) => x.type === e.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done(e);
      }
    });
    const next = (type: string): Promise<Event> => {
      const seen = events.find((e) => e.type === type);
      return seen ? Promise.resolve(seen) : new Promise((done) => waiters.push({ type, done }));
    };
    ws.once('open', () => resolve({ ws, events, next }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

describe('WebSocket upgrades: ai-proxy realtime and ws services', () => {
  let mock: MockServer;
  let gw: TestGateway;
  let echo: WebSocketServer;
  let echoPort: number;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => echo.once('listening', r));
    echoPort = (echo.address() as AddressInfo).port;
    echo.on('connection', (ws, req) => {
      ws.send(JSON.stringify({ type: 'hello', path: req.url, consumer: req.headers['x-consumer-username'] ?? null }));
      ws.on('message', (d) => ws.send(JSON.stringify({ type: 'echo', data: String(d) })));
    });
    const m = mock.url;
    gw = await gatewayFrom(`
_format_version: "3.0"
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: rt
    paths: [/rt/v1/realtime]
    plugins:
    - name: ai-proxy
      config:
        route_type: realtime/v1/realtime
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-realtime, options: { upstream_url: "${m.replace('http', 'ws')}/v1/realtime" } }
  - name: rt-azure
    paths: [/az/openai/realtime]
    plugins:
    - name: ai-proxy
      config:
        route_type: realtime/v1/realtime
        auth: { header_name: api-key, header_value: "${KEY}" }
        model: { provider: azure, name: gpt-realtime, options: { azure_instance: inst, azure_deployment_id: rt-dep, azure_api_version: "2025-04-01-preview", upstream_url: "${m.replace('http', 'ws')}/openai/realtime" } }
  - name: rt-locked
    paths: [/locked/v1/realtime]
    plugins:
    - name: key-auth
      config: { key_names: [x-gw-key] }
    - name: ai-proxy
      config:
        route_type: realtime/v1/realtime
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-realtime, options: { upstream_url: "${m.replace('http', 'ws')}/v1/realtime" } }
- name: echo
  url: ws://127.0.0.1:${echoPort}/base
  routes:
  - name: echo
    paths: [/echo]
    protocols: [ws, http]
    plugins:
    - name: key-auth
      config: { key_names: [x-gw-key] }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
    for (const c of echo.clients) c.terminate();
    await new Promise((r) => echo.close(r));
  });

  it('realtime (OpenAI): the configured key and model reach the provider, frames flow both ways', async () => {
    const { ws, next } = await open(`${gw.proxyUrl.replace('http', 'ws')}/rt/v1/realtime`, { authorization: 'Bearer client-key' });
    const created = await next('session.created');
    expect((created.session as { model: string }).model).toBe('gpt-realtime');
    ws.send(JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is 1 + 1?' }] } }));
    ws.send(JSON.stringify({ type: 'response.create' }));
    const done = await next('response.done');
    expect((done.response as { output: Array<{ content: Array<{ text: string }> }> }).output[0].content[0].text).toBe('The answer to 1 + 1 is 2.');
    ws.close();
    const seen = mock.requests().find((r) => r.path === '/v1/realtime');
    expect(seen?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen?.query.model).toBe('gpt-realtime');
  });

  it('realtime (Azure): api-key, api-version and deployment; the client\'s Authorization is not forwarded', async () => {
    const { ws, next } = await open(`${gw.proxyUrl.replace('http', 'ws')}/az/openai/realtime`, { authorization: 'Bearer client-key' });
    expect(((await next('session.created')).session as { model: string }).model).toBe('rt-dep');
    ws.close();
    const seen = mock.requests().filter((r) => r.path === '/openai/realtime').at(-1);
    expect(seen?.headers['api-key']).toBe(KEY);
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.query).toMatchObject({ 'api-version': '2025-04-01-preview', deployment: 'rt-dep' });
  });

  it('refusals before the upgrade: another model, key-auth, a plain HTTP request; provider refusals pass back', async () => {
    await expect(open(`${gw.proxyUrl.replace('http', 'ws')}/rt/v1/realtime?model=gpt-4o-realtime`)).rejects.toMatchObject({ status: 400, body: expect.stringContaining('cannot use own model - must be: gpt-realtime') });
    await expect(open(`${gw.proxyUrl.replace('http', 'ws')}/locked/v1/realtime`)).rejects.toMatchObject({ status: 401 });
    const plain = await fetch(`${gw.proxyUrl}/rt/v1/realtime`);
    expect(plain.status).toBe(400);
    expect(await plain.json()).toEqual({ error: { message: 'route type realtime/v1/realtime accepts WebSocket upgrades only' } });
    await expect(open(`${gw.proxyUrl.replace('http', 'ws')}/rt/v1/realtime`, { 'x-mock-status': '429' })).rejects.toMatchObject({ status: 429 });
  });

  it('a plain route to a ws service: access phases run, the path follows strip_path, frames echo', async () => {
    await expect(open(`${gw.proxyUrl.replace('http', 'ws')}/echo/room`)).rejects.toMatchObject({ status: 401 });
    const { ws, next } = await open(`${gw.proxyUrl.replace('http', 'ws')}/echo/room?x=1`, { 'x-gw-key': 'alice-key' });
    expect(await next('hello')).toEqual({ type: 'hello', path: '/base/room?x=1', consumer: 'alice' });
    ws.send('ping');
    expect(await next('echo')).toEqual({ type: 'echo', data: 'ping' });
    ws.close();
  });
});
