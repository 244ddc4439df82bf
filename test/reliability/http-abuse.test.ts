/**
 * Reliability, issue 10: an HTTP abuse corpus against both listeners of a running gateway (proxy
 * and status/Admin API). Each hostile request gets a specific 4xx, or a clean close where Node's
 * parser decides; never a 500, never an "unexpected error" log line; after each one the gateway
 * still answers a good request. Raw sockets on 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startUpstream, type TestUpstream } from '../helpers/net.js';
import { startServeFiles, type RunningServe } from '../helpers/serve-db.js';

const yaml = (up: string) => `_format_version: "3.0"
services:
- name: echo
  url: ${up}
  routes:
  - name: echo
    paths: [/echo]
  - name: limited
    paths: [/limited]
    plugins:
    - name: request-size-limiting
      config: { allowed_payload_size: 1, size_unit: kilobytes }
  - name: ai
    paths: [/ai]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: Bearer not-a-secret }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${up}/v1/chat/completions" } }
`;

/**
 * Write raw bytes (in parts, with pauses), collect what comes back until the server closes or `waitMs`
 * passes. With `answers`, `waitMs` counts from the moment that many answers have come (up to 15 s
 * for them: a loaded machine may answer later than `waitMs` after connecting), so that answers
 * beyond them are still seen.
 */
function raw(port: number, parts: Array<string | Buffer>, opts: { pauseMs?: number; waitMs?: number; answers?: number } = {}): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const waitMs = opts.waitMs ?? 1500;
    const answers = opts.answers ?? 0;
    let timer = setTimeout(finish, answers > 0 ? 15_000 : waitMs);
    let answered = false;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (answered || answers === 0 || statuses(Buffer.concat(chunks).toString('latin1')).length < answers) return;
      answered = true;
      clearTimeout(timer);
      timer = setTimeout(finish, waitMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const p of parts) {
        if (socket.destroyed) break;
        socket.write(p);
        if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
      }
    });
  });
}

/** Status codes of every response in `text` (pipelining answers several). */
const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));

interface Case {
  name: string;
  parts: Array<string | Buffer>;
  /** Every status the gateway answers, in order; [] = closed without an answer. */
  expect: number[];
  pauseMs?: number;
  waitMs?: number;
}

const H = (host = '127.0.0.1') => `Host: ${host}\r\n`;

/** The corpus, for a path that exists on the listener (`/echo` on the proxy, `/status` on the admin listener). */
function corpus(path: string, listener: 'proxy' | 'admin'): Case[] {
  const cases: Case[] = [
    { name: 'garbage request line', parts: ['HELLO\r\n\r\n'], expect: [400] },
    // Node's parser reads a request line without a version as HTTP/0.9 (as nginx does)
    { name: 'request line without version', parts: [`GET ${path}\r\n\r\n`], expect: [200] },
    { name: 'unknown HTTP version', parts: [`GET ${path} HTTP/9.9\r\n${H()}\r\n`], expect: [400] },
    { name: 'space in the target', parts: [`GET /a b HTTP/1.1\r\n${H()}\r\n`], expect: [400] },
    { name: 'control byte in the target', parts: [`GET /a\x01 HTTP/1.1\r\n${H()}\r\n`], expect: [400] },
    { name: 'truncated percent-encoding', parts: [`GET ${path}/%E0%A4%A HTTP/1.1\r\n${H()}Connection: close\r\n\r\n`], expect: [400] },
    // the proxy passes escapes through undecoded, as nginx does; the Admin API decodes its path segments
    { name: 'percent-encoding that is not UTF-8', parts: [`GET ${path}/%C0%AF HTTP/1.1\r\n${H()}Connection: close\r\n\r\n`], expect: [listener === 'proxy' ? 200 : 400] },
    { name: 'bad percent digits', parts: [`GET ${path}/%zz HTTP/1.1\r\n${H()}Connection: close\r\n\r\n`], expect: [400] },
    { name: 'header without colon', parts: [`GET ${path} HTTP/1.1\r\n${H()}NoColon\r\n\r\n`], expect: [400] },
    { name: 'header name with a space', parts: [`GET ${path} HTTP/1.1\r\n${H()}Bad Name: x\r\n\r\n`], expect: [400] },
    { name: 'oversized header (20 KiB)', parts: [`GET ${path} HTTP/1.1\r\n${H()}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`], expect: [431] },
    // under the byte limit, but more lines than Node keeps (it would drop the rest silently)
    { name: 'header flood (1,500 headers)', parts: [`GET ${path} HTTP/1.1\r\n${H()}${Array.from({ length: 1500 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`], expect: [431] },
    { name: 'duplicate Content-Length that differ', parts: [`POST ${path} HTTP/1.1\r\n${H()}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`], expect: [400] },
    { name: 'Content-Length not a number', parts: [`POST ${path} HTTP/1.1\r\n${H()}Content-Length: 1x\r\n\r\na`], expect: [400] },
    { name: 'negative Content-Length', parts: [`POST ${path} HTTP/1.1\r\n${H()}Content-Length: -1\r\n\r\n`], expect: [400] },
    { name: 'CL + TE (smuggling)', parts: [`POST ${path} HTTP/1.1\r\n${H()}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H()}\r\n`], expect: [400] },
    { name: 'TE chunked twice', parts: [`POST ${path} HTTP/1.1\r\n${H()}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`], expect: [400] },
    { name: 'TE obfuscated', parts: [`POST ${path} HTTP/1.1\r\n${H()}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`], expect: [400] },
    { name: 'TE not ending in chunked', parts: [`POST ${path} HTTP/1.1\r\n${H()}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`], expect: [400] },
    { name: 'invalid chunk size', parts: [`POST ${path} HTTP/1.1\r\n${H()}Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n`], expect: [400] },
    { name: 'chunk size overflow', parts: [`POST ${path} HTTP/1.1\r\n${H()}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nab\r\n`], expect: [400] },
    { name: 'CONNECT', parts: [`CONNECT 127.0.0.1:1 HTTP/1.1\r\n${H()}\r\n`], expect: [] },
    { name: 'slowloris headers (bounded by headersTimeout)', parts: [`GET ${path} HTTP/1.1\r\n`, `${H()}`, 'X-A: 1\r\n'], pauseMs: 200, waitMs: 1200, expect: [] },
    // the proxy waits for the rest of the body (until the client leaves); POST /status is refused before its body is read
    { name: 'truncated body', parts: [`POST ${path} HTTP/1.1\r\n${H()}Content-Length: 100\r\nConnection: close\r\n\r\nshort`], waitMs: 600, expect: listener === 'proxy' ? [] : [405] },
  ];
  if (listener === 'proxy') {
    cases.push(
      { name: 'pipelined requests', parts: [`GET ${path} HTTP/1.1\r\n${H()}\r\nGET ${path} HTTP/1.1\r\n${H()}\r\nGET ${path} HTTP/1.1\r\n${H()}Connection: close\r\n\r\n`], expect: [200, 200, 200] },
      { name: 'HTTP/1.0 without Host', parts: [`GET ${path} HTTP/1.0\r\n\r\n`], expect: [200] },
      { name: 'absolute-form target', parts: [`GET http://127.0.0.1${path} HTTP/1.1\r\n${H()}Connection: close\r\n\r\n`], expect: [200] },
      { name: 'body over the limit (Content-Length)', parts: [`POST /limited HTTP/1.1\r\n${H()}Content-Length: 4096\r\n\r\n${'a'.repeat(4096)}`], expect: [413] },
      { name: 'body over the limit (chunked)', parts: [`POST /limited HTTP/1.1\r\n${H()}Transfer-Encoding: chunked\r\n\r\n1000\r\n${'a'.repeat(4096)}\r\n0\r\n\r\n`], expect: [413] },
      { name: 'non-JSON body on an AI route', parts: [`POST /ai HTTP/1.1\r\n${H()}Content-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!`], expect: [400] },
      { name: 'invalid UTF-8 body on an AI route', parts: [Buffer.concat([Buffer.from(`POST /ai HTTP/1.1\r\n${H()}Content-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n`), Buffer.from([0x7b, 0x22, 0x6d, 0xff, 0xfe, 0x22, 0x3a, 0x5b, 0x5d, 0x7d, 0xc0, 0xaf, 0x20, 0x20, 0x20, 0x20])])], expect: [400] },
      { name: 'JSON that is not an object on an AI route', parts: [`POST /ai HTTP/1.1\r\n${H()}Content-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n[1,2,3]`], expect: [400] },
      { name: 'AI request without messages', parts: [`POST /ai HTTP/1.1\r\n${H()}Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`], expect: [400] },
    );
  } else {
    cases.push(
      { name: 'pipelined requests', parts: [`GET ${path} HTTP/1.1\r\n${H()}\r\nGET ${path} HTTP/1.1\r\n${H()}Connection: close\r\n\r\n`], expect: [200, 200] },
      { name: 'HTTP/1.0 without Host', parts: [`GET ${path} HTTP/1.0\r\n\r\n`], expect: [200] },
      { name: 'non-JSON body on POST /config', parts: [`POST /config HTTP/1.1\r\n${H()}Content-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!`], expect: [400] },
      { name: 'invalid UTF-8 on POST /config', parts: [Buffer.concat([Buffer.from(`POST /config HTTP/1.1\r\n${H()}Content-Type: text/yaml\r\nContent-Length: 4\r\nConnection: close\r\n\r\n`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf])])], expect: [400] },
    );
  }
  return cases;
}

describe('HTTP abuse corpus', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-abuse-'));
  let gw: RunningServe;
  let proxyPort = 0;
  let adminPort = 0;
  let sent = 0;

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(join(dir, 'kong.yaml'), yaml(up.url));
    gw = await startServeFiles([join(dir, 'kong.yaml')], { opts: { watch: false } });
    proxyPort = Number(new URL(gw.proxy).port);
    adminPort = Number(new URL(gw.admin).port);
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [listener, path] of [['proxy', '/echo'], ['admin', '/status']] as const) {
    it(`${listener} listener: each hostile request gets its answer, and the next good one works`, async () => {
      const port = () => (listener === 'proxy' ? proxyPort : adminPort);
      const got: string[] = [];
      const want: string[] = [];
      for (const c of corpus(path, listener)) {
        const r = await raw(port(), c.parts, { ...c, answers: c.expect.length });
        sent++;
        got.push(`${c.name}: ${JSON.stringify(statuses(r.text))}`);
        want.push(`${c.name}: ${JSON.stringify(c.expect)}`);
        const good = await request(`http://127.0.0.1:${port()}${path}`);
        got.push(`${c.name} → then good: ${good.status}`);
        want.push(`${c.name} → then good: 200`);
      }
      expect(got).toEqual(want);
    }, 60_000);
  }

  it('logged no unexpected error and never answered 500', () => {
    expect(sent).toBeGreaterThan(40);
    expect(gw.stderr()).not.toMatch(/unexpected error/i);
    expect(gw.stderr()).not.toContain('AIGW_INTERNAL');
  });
});
