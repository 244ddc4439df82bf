/**
 * ai-proxy routes to the same origin share one keep-alive pool (the LLM caller's undici Agent per
 * connect timeout): 1,000 routes to one LLM keep one set of sockets, not one per route (bench/README
 * "Memory with 1,000 routes"). Routes of a service with another connect timeout get a pool of their
 * own (Kong's per-service timeouts), on a connection of their own.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request } from '../../helpers/net.js';

const ANSWER = JSON.stringify({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

const route = (name: string, up: string) => `  - name: ${name}
    paths: [/${name}]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer k" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${up}/v1/chat/completions" } }`;

describe('ai-proxy upstream connections', () => {
  let upstream: http.Server;
  const sockets: Socket[] = [];
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
    });
    upstream.on('connection', (s: Socket) => sockets.push(s));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gw = await gatewayFrom(`_format_version: "3.0"
services:
- name: one
  url: http://localhost:32000
  routes:
${route('a', up)}
${route('b', up)}
- name: two
  url: http://localhost:32000
  routes:
${route('c', up)}
- name: slow-connect
  url: http://localhost:32000
  connect_timeout: 5000
  routes:
${route('d', up)}
`);
  });
  afterAll(async () => {
    await gw?.close(0);
    for (const s of sockets) s.destroy();
    await new Promise((r) => upstream?.close(r));
  });

  const chat = async (path: string): Promise<void> => {
    const res = await request(`${gw.proxyUrl}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
    expect(res.status, res.text).toBe(200);
  };

  it('routes of any service with the same connect timeout reuse one connection', async () => {
    for (const p of ['a', 'b', 'c', 'a', 'c', 'b']) await chat(p);
    expect(sockets).toHaveLength(1);
  });

  it('a service with another connect timeout has a pool of its own', async () => {
    const before = sockets.length;
    await chat('d');
    await chat('d');
    expect(sockets.length).toBe(before + 1);
    await chat('a');
    expect(sockets.length).toBe(before + 1);
  });
});
