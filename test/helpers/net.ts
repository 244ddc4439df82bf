/** Loopback test servers and a small HTTP client (node:http, no fetch). */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** A free loopback TCP port (bind to 0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestUpstream {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/**
 * An upstream on 127.0.0.1:0. Default handler echoes the request as JSON
 * `{method,url,headers,body}`; pass `handler` for anything else.
 */
export async function startUpstream(handler?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<TestUpstream> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      if (handler) return handler(req, res, body);
      const text = JSON.stringify(s);
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

const agent = new http.Agent({ keepAlive: false });

/** One HTTP request; never throws for non-2xx. */
export function request(url: string, opts: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * Wait until something answers HTTP at `url` (any status). Polls every 50 ms for up to `timeoutMs`
 * (30 s: a CLI's cold start on a loaded 2-core machine takes several seconds).
 */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await request(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

/**
 * The listeners a spawned `aigw serve … --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0` bound, read
 * from its startup summary ("proxy listening on URL", "status/admin listening on URL", text or JSON
 * logs). Port 0 lets the kernel pick free ports at bind time: a port found free beforehand
 * (`freePort`) can be taken by any other process between the check and the gateway's bind.
 * Rejects when the process exits first (with its output) or after `timeoutMs`.
 */
export function servedUrls(
  child: { stdout?: NodeJS.ReadableStream | null; stderr?: NodeJS.ReadableStream | null; once(event: 'exit', cb: (code: number | null) => void): unknown; removeListener(event: 'exit', cb: (code: number | null) => void): unknown },
  timeoutMs = 30_000,
): Promise<{ proxy: string; admin: string | null }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let proxy: string | null = null;
    const timer = setTimeout(() => fail(new Error(`aigw serve did not report its listeners in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer | string) => {
      out += chunk.toString();
      proxy ??= /proxy listening on (http:\/\/[^\s"]+)/.exec(out)?.[1] ?? null;
      const admin = /status\/admin listening on (http:\/\/[^\s"]+)/.exec(out)?.[1] ?? null;
      if (proxy && (admin || out.includes('status/admin listener disabled'))) done({ proxy, admin });
    };
    const onExit = (code: number | null) => fail(new Error(`aigw serve exited (${code}) before listening:\n${out}`));
    function off() {
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
    }
    function done(urls: { proxy: string; admin: string | null }) {
      off();
      resolve(urls);
    }
    function fail(e: Error) {
      off();
      reject(e);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
