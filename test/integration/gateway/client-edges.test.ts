/**
 * Issue 10, defect 9: what clients do at the edges of HTTP is not a gateway error.
 * - A client that goes away (before its answer, or in the middle of its upload) is logged at
 *   debug level as a 499, never as an "unexpected error".
 * - A request target with a malformed percent-escape is a 400 (as nginx answers it, before any
 *   authentication), never a 500.
 * - An answer given before the body was read (a 413 over a limit, a 401 in front of an upload)
 *   reaches the client: the connection is not reset under it.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../../src/gateway/admin-api/api.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

const TOKEN = 'admin-secret';

/** Sends a request and aborts it after `ms`; resolves when the socket is closed. */
function abortAfter(url: string, ms: number, opts: { headers?: Record<string, string>; body?: string; partialBody?: number } = {}): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: opts.body !== undefined || opts.partialBody ? 'POST' : 'GET', headers: opts.headers, agent: false });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    if (opts.partialBody) {
      req.setHeader('content-length', String(opts.partialBody * 10));
      req.write('x'.repeat(opts.partialBody));
    } else if (opts.body !== undefined) {
      req.end(opts.body);
    } else {
      req.end();
    }
    setTimeout(() => req.destroy(), ms);
  });
}

interface RawAnswer { text: string; error: string | null }

/**
 * Writes the request head, then `total` bytes of body as fast as the socket takes them (never
 * waiting for the answer), and returns everything the server sent before the connection ended,
 * with the error (ECONNRESET…) that ended it, if any.
 */
function rawUpload(url: string, head: string, total: number): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const piece = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < total && !socket.destroyed) {
        const n = Math.min(piece.length, total - sent);
        sent += n;
        if (!socket.write(n === piece.length ? piece : piece.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // the whole answer is in: what happens to the connection afterwards does not matter
      if (parseAnswer(Buffer.concat(chunks).toString('latin1'))) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('latin1'), error }));
    setTimeout(() => socket.destroy(), 15_000);
  });
}

/** A whole HTTP/1.1 answer: status line, headers, and a body of exactly its Content-Length. */
function parseAnswer(text: string): { status: number; body: string } | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = text.slice(0, end);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? -1);
  const body = text.slice(end + 4);
  if (length < 0 || body.length < length) return null;
  return { status, body: body.slice(0, length) };
}

describe('client edges', () => {
  let slow: TestUpstream;
  let mock: MockServer;
  let gw: TestGateway;

  beforeAll(async () => {
    slow = await startUpstream((_req, res) => {
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('late');
      }, 1500);
    });
    mock = await startMock({ latencyMs: 1500 });
    const admin = createAdminApi({ store: memoryStore(), mode: 'db', token: TOKEN, version: 'test', onChange: () => undefined });
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: slow
  url: ${slow.url}
  routes:
  - name: slow
    paths: [/slow]
  - name: limited
    paths: [/limited]
    plugins:
    - name: request-size-limiting
      config: { allowed_payload_size: 1, size_unit: kilobytes }
- name: llm
  url: http://localhost:32000
  routes:
  - name: ai
    paths: [/ai]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock.url}/v1/chat/completions" } } }
`, { adminHandler: admin });
  });
  afterAll(async () => {
    await gw.close(0);
    await slow.close();
    await mock.close();
  });

  const errors = () => gw.logger.lines.filter((l) => l.level === 'error' || l.level === 'warn');

  it('logs 50 client aborts, on a plain route, an AI route and mid-upload, as no error', async () => {
    const chat = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
    const aborts: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) aborts.push(abortAfter(`${gw.proxyUrl}/slow`, 100));
    for (let i = 0; i < 20; i++) aborts.push(abortAfter(`${gw.proxyUrl}/ai`, 100, { headers: { 'content-type': 'application/json' }, body: chat }));
    for (let i = 0; i < 10; i++) aborts.push(abortAfter(`${gw.proxyUrl}/slow`, 100, { partialBody: 1000 }));
    await Promise.all(aborts);
    // the gateway notices the aborts when its upstreams answer (after 1.5 s)
    await new Promise((r) => setTimeout(r, 2500));
    // a loaded machine may take longer to get through the 50: wait until none is in flight
    for (let i = 0; i < 300 && gw.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(errors()).toEqual([]);
    expect(gw.stats.inFlight).toBe(0);
    expect((await request(`${gw.proxyUrl}/slow`)).status).toBe(200);
  });

  it('answers a malformed percent-escape with 400 on the admin listener, token or not, and on the proxy', async () => {
    for (const headers of [{}, { 'kong-admin-token': TOKEN }, { 'kong-admin-token': 'wrong' }] as Array<Record<string, string>>) {
      const res = await request(`${gw.adminUrl}/%E0%A4%A`, { headers });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({ message: 'Bad request' });
    }
    const proxied = await request(`${gw.proxyUrl}/slow/%E0%A4%A`);
    expect(proxied.status).toBe(400);
    expect(errors()).toEqual([]);
  });

  it('lets the client read a 413 for a body over the limit, with and without Content-Length', async () => {
    const size = 8 * 1024 * 1024;
    const byLength = await rawUpload(gw.proxyUrl, `POST /limited HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`, size);
    expect(parseAnswer(byLength.text)?.status, `got ${byLength.text.slice(0, 200)} (${byLength.error})`).toBe(413);
    expect(parseAnswer(byLength.text)?.body).toContain('Request size limit exceeded');

    // chunked: the gateway reads up to the limit, then answers while the client still sends
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const framed = `${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`;
    const byChunks = await rawUpload(gw.proxyUrl, `POST /limited HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n${framed.repeat(4)}`, size);
    expect(parseAnswer(byChunks.text)?.status, `got ${byChunks.text.slice(0, 200)} (${byChunks.error})`).toBe(413);
  });

  it('lets the client read the Admin API\'s 413 for a body over its 64 MiB limit', async () => {
    const size = 66 * 1024 * 1024;
    const answer = await rawUpload(gw.adminUrl!, `POST /services HTTP/1.1\r\nhost: x\r\nkong-admin-token: ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`, size);
    expect(parseAnswer(answer.text)?.status, `got ${answer.text.slice(0, 200)} (${answer.error})`).toBe(413);
  });

  it('lets the client read a 401 from the Admin API in front of a large upload', async () => {
    const size = 8 * 1024 * 1024;
    const answer = await rawUpload(gw.adminUrl!, `POST /services HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`, size);
    expect(parseAnswer(answer.text)?.status, `got ${answer.text.slice(0, 200)} (${answer.error})`).toBe(401);
  });

  it('keeps serving keep-alive clients after an early answer on another connection', async () => {
    const res = await request(`${gw.proxyUrl}/limited`, { method: 'POST', body: 'small' });
    expect(res.status).toBe(200);
    expect(errors()).toEqual([]);
  });
});
