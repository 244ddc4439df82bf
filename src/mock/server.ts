import type { IncomingMessage, ServerResponse } from 'node:http';
import { delay, type FailCounter, readFaults, type Faults, type GlobalFaults } from './faults.js';
import { parseBody } from './json.js';
import { parseMultipart, type MockForm } from './multipart.js';
import type { MockState } from './state.js';
import { header, statusText, type AuthConfig, type MockCall, type MockProvider, type MockRoute, type MockSettings } from './provider.js';
import type { Recorder } from './recorder.js';
import { jsonReply, textReply, withHeaders, type Reply } from './reply.js';

/**
 * The request pipeline of the mock:
 *
 *   read body ─► match route ─► record ─► latency ─► hang? ─► auth ─► injected failures
 *     (fail-first, status, rate limit, fail rate) ─► garbage? ─► parse JSON ─► route (cached)
 *     ─► write (chunk delay, broken stream)
 */

export interface PipelineDeps {
  routes: ReadonlyArray<{ provider: MockProvider; route: MockRoute }>;
  settings: MockSettings;
  state: MockState;
  globals: GlobalFaults;
  auth: AuthConfig;
  recorder: Recorder;
  counter: FailCounter;
  random: () => number;
  signal: AbortSignal;
  logger?: (line: string) => void;
}

const CACHE_MAX = 512;
const CACHE_BODY_MAX = 64 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function match(deps: PipelineDeps, method: string, path: string): { provider: MockProvider; route: MockRoute; params: string[] } | undefined {
  for (const { provider, route } of deps.routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m !== null) return { provider, route, params: m.slice(1).map((p) => safeDecode(p)) };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** An injected failure (fail-first, status, rate limit, fail rate), or undefined. */
function injected(provider: MockProvider, faults: Faults, deps: PipelineDeps, path: string): Reply | undefined {
  const ff = faults.failFirst;
  if (ff !== undefined && deps.counter.hit(`${faults.testId}\u0000${path}`, ff.count)) return provider.error(ff.status, `${statusText(ff.status)} (aigw mock: fail-first)`);
  if (faults.status !== undefined) return provider.error(faults.status, `${statusText(faults.status)} (aigw mock)`);
  if (faults.rateLimit !== undefined) return withHeaders(provider.error(429, 'Rate limit reached (aigw mock)'), { 'retry-after': String(faults.rateLimit) });
  if (deps.globals.failRate > 0 && deps.random() < deps.globals.failRate) return provider.error(500, 'Internal server error (aigw mock: fail rate)');
  return undefined;
}

/** Runs one request through the pipeline. Never rejects. */
export async function handleRequest(deps: PipelineDeps, cache: Map<string, Reply>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.on('error', () => undefined);
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const queryString = q < 0 ? '' : url.slice(q + 1);
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch {
    return;
  }
  const found = match(deps, method, path);
  const entry = deps.recorder.add(method, path, queryString, req.headers, raw, found?.provider.name);
  const faults = readFaults(req.headers, deps.globals);
  if (faults.latencyMs > 0 && !(await delay(faults.latencyMs, deps.signal))) return;
  if (faults.hang) return;
  const reply = decide(deps, cache, found, { method, path, url, queryString, raw, faults, req });
  entry.status = reply.status;
  deps.logger?.(`${method} ${path} → ${reply.status}`);
  await send(res, reply, faults, deps.signal);
}

interface Incoming {
  method: string;
  path: string;
  url: string;
  queryString: string;
  raw: Buffer;
  faults: Faults;
  req: IncomingMessage;
}

function decide(deps: PipelineDeps, cache: Map<string, Reply>, found: ReturnType<typeof match>, inc: Incoming): Reply {
  if (found === undefined) return jsonReply(404, { error: { message: `aigw mock: no route for ${inc.method} ${inc.path}`, type: 'not_found' } });
  const { provider, route, params } = found;
  const query = new URLSearchParams(inc.queryString);
  const denied = provider.authenticate({ method: inc.method, path: inc.path, queryString: inc.queryString, query, headers: inc.req.headers, raw: inc.raw }, deps.auth);
  if (denied !== undefined) return denied;
  const failure = injected(provider, inc.faults, deps, inc.path);
  if (failure !== undefined) return failure;
  if (inc.faults.garbage) return textReply(200, '<html><body>aigw mock: this is not JSON {', 'application/json');
  const cacheable = inc.raw.length <= CACHE_BODY_MAX && route.stateful !== true;
  const key = cacheable ? `${inc.method} ${inc.url}\n${inc.raw.toString('latin1')}` : '';
  const hit = cacheable ? cache.get(key) : undefined;
  if (hit !== undefined) return hit;
  const type = header(inc.req.headers, 'content-type') ?? '';
  let body: unknown;
  let form: MockForm | undefined;
  if (/^multipart\/form-data/i.test(type)) {
    const parsed = parseMultipart(inc.raw, type);
    if (parsed instanceof Error) return provider.error(400, `aigw mock: the multipart body is not valid (${parsed.message})`);
    form = parsed;
  } else {
    body = parseBody(inc.raw);
    if (body instanceof Error) return provider.error(400, `aigw mock: the request body is not valid JSON (${body.message})`);
  }
  const call: MockCall = { method: inc.method, path: inc.path, query, params, body, ...(form ? { form } : {}), settings: deps.settings, state: deps.state };
  let reply: Reply;
  try {
    reply = route.handle(call);
  } catch (err) {
    return provider.error(500, `aigw mock: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (cacheable) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, reply);
  }
  return reply;
}

function writeAndWait(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => res.write(chunk, () => resolve()));
}

/** Ends the connection after what was written so far is flushed: the client sees a cut body. */
function cut(res: ServerResponse): void {
  res.flushHeaders();
  const socket = res.socket;
  if (socket === null) res.destroy();
  else socket.end();
}

async function send(res: ServerResponse, reply: Reply, faults: Faults, signal: AbortSignal): Promise<void> {
  if (res.destroyed) return;
  if (reply.kind === 'body') {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
    if (faults.breakAfter === undefined) {
      res.end(reply.body);
      return;
    }
    res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)));
    cut(res);
    return;
  }
  res.writeHead(reply.status, reply.headers);
  const slow = faults.chunkDelayMs > 0;
  for (let i = 0; i < reply.chunks.length; i++) {
    if (faults.breakAfter !== undefined && i >= faults.breakAfter) {
      cut(res);
      return;
    }
    if (slow && i > 0 && !(await delay(faults.chunkDelayMs, signal))) return;
    if (res.destroyed) return;
    if (slow) await writeAndWait(res, reply.chunks[i]);
    else res.write(reply.chunks[i]);
  }
  res.end();
}
