/**
 * One request through a Runtime.
 *
 *   request ─► router ──(no match)──► 404 ─────────────────────────────┐
 *                │                                                    │
 *                ▼                                                    │
 *              access phases (priority desc; consumer-scoped configs  │
 *                │  resolved after authentication) ──(Reply)──► reply ┤
 *                ▼                                                    │
 *      ctx.upstreamHandler? ── yes ─► handler (AI) ─┐                 │
 *                │ no                               │                 │
 *                ▼                                  ▼                 │
 *          proxy to service ──► buffered? response phases ─► send     │
 *                               streamed? chunk phases ───► write     │
 *                               neither: pipe straight through        │
 *                                                   │                 │
 *                                                   ▼                 ▼
 *                                     client has the response ─► log phases (setImmediate)
 */
import { HOP_BY_HOP } from './hop-by-hop.js';
import { clientGone, prepareEarlyReply } from './early-reply.js';
import { earlyRefusal } from './request-target.js';
import { clientErrorBody } from './llm/formats/error-boundary.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayContext, type BufferedResponse, type HeaderMap, type HeaderValue, type Reply, type StreamedResponse, type UpstreamResult } from './context.js';
import { buildLogRecord, type LogRecord } from './log-record.js';
import { SERVER_HEADER, VIA_HEADER, type Logger } from './log.js';
import { ReplyError, type PluginInstance, type ResponseHeaders } from './plugin.js';
import { joinUpstreamPath, normalizePath } from './paths.js';
import { instanceFor, type Chain, type ChainEntry, type Runtime } from './runtime.js';
import { MSG_BAD_RESPONSE, proxyRequest, UpstreamError, type Agents } from './upstream.js';
import { editableCopy } from './llm/wire/shallow-copy.js';

export interface PipelineEnv {
  agents: Agents;
  listenPort: number;
  logger: Logger;
  /** Called once per request after the response (access log); null when off. */
  onDone: ((ctx: GatewayContext) => void) | null;
  requestId(): string;
  /** Called once per request when its response closes (the server's in-flight count). */
  requestClosed?: () => void;
}


export function clientIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

const msSince = (a: bigint, b: bigint): string => String(Math.round(Number(b - a) / 1e6));

function applyExtraHeaders(res: ServerResponse, ctx: GatewayContext): void {
  const h = ctx.responseHeaders;
  for (const k in h) res.setHeader(k, h[k] as string | string[]);
}

/** The `header` phases of `entries` over the headers already set on the response. */
function runHeaders(ctx: GatewayContext, entries: readonly ChainEntry[]): void {
  const res = ctx.res;
  let view: ResponseHeaders | null = null;
  for (const entry of entries) {
    const inst = instanceFor(entry, ctx.consumer?.id ?? null);
    if (!inst?.header) continue;
    view ??= {
      status: res.statusCode,
      get: (name) => res.getHeader(name) as HeaderValue | undefined,
      set: (name, value) => void res.setHeader(name, value),
      add: (name, value) => {
        const prev = res.getHeader(name);
        res.setHeader(name, prev === undefined ? value : [...(Array.isArray(prev) ? prev : [String(prev)]), value]);
      },
      remove: (name) => res.removeHeader(name),
    };
    inst.header(ctx, view);
  }
}

/** Kong's body_filter on a gateway reply: the `replyBody` phases of the chain may rewrite it. */
function runReplyBody(ctx: GatewayContext, entries: readonly ChainEntry[], body: string | Buffer, type: string | null): string | Buffer {
  let res: BufferedResponse | null = null;
  for (const entry of entries) {
    const inst = instanceFor(entry, ctx.consumer?.id ?? null);
    if (!inst?.replyBody) continue;
    res ??= { status: ctx.res.statusCode, headers: type ? { 'content-type': type } : {}, body: Buffer.from(body) };
    inst.replyBody(ctx, res);
  }
  return res === null ? body : res.body;
}

/**
 * Send a gateway-generated reply (short-circuit or error). `entries`: the route's plugin chain;
 * as in Kong, every plugin of the request (also those after the one that replied) sees the reply
 * in its `header` and `replyBody` phases.
 */
export function sendReply(ctx: GatewayContext, reply: Reply, entries: readonly ChainEntry[] = []): void {
  const res = ctx.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (ctx.source === 'service') ctx.source = 'error';
  ctx.reply = reply;
  let body: string | Buffer = '';
  let type: string | null = null;
  const native = clientErrorBody(ctx.route?.inputFormat, reply);
  if (native !== undefined) {
    body = JSON.stringify(native);
    type = 'application/json; charset=utf-8';
  } else if (reply.message !== undefined) {
    body = JSON.stringify({ message: reply.message, request_id: ctx.requestId });
    type = 'application/json; charset=utf-8';
  } else if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    type = 'application/json; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = reply.body;
  }
  res.statusCode = reply.status;
  prepareEarlyReply(ctx.req, res);
  if (type) res.setHeader('content-type', type);
  applyExtraHeaders(res, ctx);
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  runHeaders(ctx, entries);
  const ct = res.getHeader('content-type');
  body = runReplyBody(ctx, entries, body, typeof ct === 'string' ? ct : null);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('x-kong-response-latency', msSince(ctx.timings.start, process.hrtime.bigint()));
  res.setHeader('server', SERVER_HEADER);
  res.setHeader('x-kong-request-id', ctx.requestId);
  ctx.responseBytes = Buffer.byteLength(body);
  res.end(ctx.method === 'HEAD' ? undefined : body);
}

export function errorToReply(ctx: GatewayContext, err: unknown, logger: Logger): Reply {
  if (err instanceof ReplyError) return err.reply;
  if (err instanceof UpstreamError) {
    ctx.source = 'error';
    return { status: err.status, message: err.message };
  }
  ctx.source = 'error';
  logger.error('unexpected error while handling a request', { request_id: ctx.requestId, error: (err as Error)?.message ?? String(err) });
  return { status: 500, message: 'An unexpected error occurred' };
}

/** `contentLength`: the body's length, sent in place of the headers' own `content-length` (else after them). */
function upstreamHead(ctx: GatewayContext, chain: Chain, status: number, headers: HeaderMap, contentLength: string | null = null): void {
  const res = ctx.res;
  const now = process.hrtime.bigint();
  res.statusCode = status;
  let length = contentLength;
  for (const k in headers) {
    let v = headers[k];
    if (k === 'content-length' && length !== null) {
      v = length;
      length = null;
    }
    if (v !== undefined && !HOP_BY_HOP.has(k)) res.setHeader(k, v);
  }
  if (length !== null) res.setHeader('content-length', length);
  applyExtraHeaders(res, ctx);
  res.setHeader('via', VIA_HEADER);
  const t = ctx.timings;
  if (t.upstreamStart !== null) {
    res.setHeader('x-kong-upstream-latency', msSince(t.upstreamStart, t.upstreamHeaders ?? now));
    res.setHeader('x-kong-proxy-latency', msSince(t.start, t.upstreamStart));
  }
  res.setHeader('x-kong-request-id', ctx.requestId);
  if (chain.hasHeader) runHeaders(ctx, chain.entries);
}

async function runChunks(ctx: GatewayContext, chain: Chain, chunk: Buffer): Promise<Buffer | null> {
  let cur: Buffer | null = chunk;
  for (const entry of chain.entries) {
    const inst = instanceFor(entry, ctx.consumer?.id ?? null);
    if (!inst?.chunk || cur === null) continue;
    cur = await inst.chunk(ctx, cur);
  }
  return cur;
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> | void {
  if (res.write(chunk)) return;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

async function deliverStream(ctx: GatewayContext, chain: Chain, r: StreamedResponse): Promise<void> {
  const headers = editableCopy(r.headers);
  if (chain.hasChunk) delete headers['content-length'];
  upstreamHead(ctx, chain, r.status, headers);
  for await (const raw of r.chunks) {
    if (ctx.res.destroyed) break;
    const buf = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const out = chain.hasChunk ? await runChunks(ctx, chain, buf) : buf;
    if (out && out.length) {
      ctx.responseBytes += out.length;
      await write(ctx.res, out);
    }
  }
  ctx.res.end();
}

/** The instances whose `response` phase wants this upstream response buffered (their `buffers` says yes, or they have none). */
function responseTakers(ctx: GatewayContext, chain: Chain, status: number, headers: HeaderMap): PluginInstance[] {
  const out: PluginInstance[] = [];
  for (const entry of chain.entries) {
    const inst = instanceFor(entry, ctx.consumer?.id ?? null);
    if (inst?.response && (!inst.buffers || inst.buffers(ctx, status, headers))) out.push(inst);
  }
  return out;
}

async function deliverBuffered(ctx: GatewayContext, chain: Chain, r: BufferedResponse): Promise<void> {
  // buffered already: every response phase sees it (`buffers` only decides whether to buffer)
  for (const entry of chain.entries) {
    const inst = instanceFor(entry, ctx.consumer?.id ?? null);
    if (!inst?.response) continue;
    const t0 = ctx.phases ? process.hrtime.bigint() : 0n;
    await inst.response(ctx, r);
    ctx.phases?.push({ phase: 'response', plugin: entry.name, start: t0, end: process.hrtime.bigint() });
  }
  upstreamHead(ctx, chain, r.status, r.headers, String(r.body.length));
  ctx.responseBytes = r.body.length;
  ctx.res.end(ctx.method === 'HEAD' ? undefined : r.body);
}

export function deliver(ctx: GatewayContext, chain: Chain, r: UpstreamResult): Promise<void> {
  ctx.source = 'service';
  ctx.upstreamStatus ??= r.status;
  if (r.kind === 'buffered') return deliverBuffered(ctx, chain, r);
  return deliverStream(ctx, chain, r);
}

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', reject);
  });
}

/**
 * The upstream's body broke (reset, bad chunked framing…). Before the first byte went to the client
 * the answer is still Kong's 502; after it, the client's connection is cut (it sees a truncated body).
 */
function brokenBody(ctx: GatewayContext): void {
  const res = ctx.res;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  ctx.source = 'error';
  sendReply(ctx, { status: 502, message: MSG_BAD_RESPONSE });
}

async function proxy(ctx: GatewayContext, rt: Runtime, chain: Chain, env: PipelineEnv, prefix: string | null): Promise<void> {
  const service = ctx.service ? rt.services.get(ctx.service.id) : undefined;
  if (!service) {
    sendReply(ctx, { status: 503, message: 'no Service found with those values' });
    return;
  }
  const up = await proxyRequest(ctx, service.target, { agents: env.agents, listenPort: env.listenPort, prefix });
  ctx.timings.upstreamHeaders = process.hrtime.bigint();
  ctx.upstreamStatus = up.statusCode ?? 502;
  ctx.onClientClose(() => {
    if (!up.complete) up.destroy();
  });
  const status = up.statusCode ?? 502;
  if (chain.hasResponse && responseTakers(ctx, chain, status, up.headers).length > 0) {
    return deliver(ctx, chain, { kind: 'buffered', status, headers: up.headers, body: await readAll(up) });
  }
  if (chain.hasChunk) return deliver(ctx, chain, { kind: 'stream', status, headers: up.headers, chunks: up });
  ctx.source = 'service';
  upstreamHead(ctx, chain, status, up.headers);
  up.on('data', (c: Buffer) => {
    ctx.responseBytes += c.length;
  });
  up.once('error', () => brokenBody(ctx));
  up.once('aborted', () => brokenBody(ctx));
  up.pipe(ctx.res);
}

export async function access(ctx: GatewayContext, chain: Chain): Promise<Reply | null> {
  for (const entry of chain.access) {
    const inst = instanceFor(entry, ctx.consumer?.id ?? null);
    if (!inst?.access) continue;
    const t0 = ctx.phases ? process.hrtime.bigint() : 0n;
    let reply: Reply | undefined | void;
    try {
      const r = inst.access(ctx);
      reply = r instanceof Promise ? await r : r;
    } catch (err) {
      ctx.exitPlugin = entry.name;
      throw err;
    } finally {
      ctx.phases?.push({ phase: 'access', plugin: entry.name, start: t0, end: process.hrtime.bigint() });
    }
    if (reply) {
      ctx.exitPlugin = entry.name;
      return reply;
    }
  }
  return null;
}

/** `start` phases (plugin.ts), on the route's unscoped instances. */
function start(ctx: GatewayContext, chain: Chain): void {
  for (const entry of chain.entries) entry.base?.start?.(ctx);
}

export function runLog(ctx: GatewayContext, chain: Chain, rt: Runtime, env: PipelineEnv): void {
  ctx.timings.end ??= process.hrtime.bigint();
  if (chain.hasLog) {
    const record: LogRecord = buildLogRecord(ctx, rt.state.workspace);
    for (const entry of chain.entries) {
      const inst = instanceFor(entry, ctx.consumer?.id ?? null);
      if (!inst?.log) continue;
      try {
        const p = inst.log(ctx, record);
        if (p instanceof Promise) p.catch((err: unknown) => env.logger.error(`plugin '${entry.name}' log phase failed`, { error: String(err) }));
      } catch (err) {
        env.logger.error(`plugin '${entry.name}' log phase failed`, { error: String(err) });
      }
    }
  }
  env.onDone?.(ctx);
}

/** Handle one proxied request on `rt` (the Runtime current when it arrived). */
export async function handleRequest(rt: Runtime, env: PipelineEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ctx = new GatewayContext({ requestId: env.requestId(), req, res, start: process.hrtime.bigint(), clientIp: clientIp(req) });
  let chain = rt.globalChain;
  let logged = false;
  // One listener per request: 'close' follows 'finish' on every response (and comes alone when the
  // client leaves early); it also fires the context's client-close hooks (upstream aborts).
  const done = (): void => {
    if (logged) return;
    logged = true;
    ctx.timings.end = process.hrtime.bigint();
    env.requestClosed?.();
    ctx.clientClosed();
    if (ctx.logged) setImmediate(runLog, ctx, chain, rt, env);
  };
  res.on('close', done);
  const refused = earlyRefusal(req);
  if (refused !== null) {
    sendReply(ctx, refused);
    return;
  }
  const match = rt.router.match({ method: ctx.method, host: ctx.host, path: normalizePath(ctx.path), headers: req.headers, query: ctx.rawQuery, req });
  if (!match) {
    if (chain.hasStart) start(ctx, chain);
    sendReply(ctx, { status: 404, message: 'no Route matched with those values' });
    return;
  }
  const route = match.route;
  ctx.route = rt.routes.get(route.id) ?? null;
  chain = rt.chains.get(route.id) ?? rt.globalChain;
  ctx.logged = chain.hasLog || env.onDone !== null;
  const service = route.serviceId ? rt.services.get(route.serviceId) : undefined;
  if (service) ctx.service = service.info;
  ctx.captures = match.captures;
  if (chain.hasStart) start(ctx, chain);
  if (!route.protocols.has('http')) {
    sendReply(ctx, httpsRedirect(ctx, route.httpsRedirectStatus));
    return;
  }
  ctx.upstreamPath = joinUpstreamPath(service?.target.path ?? null, match.strippedPath, route.pathHandling);
  try {
    const reply = await access(ctx, chain);
    if (reply) {
      sendReply(ctx, reply, chain.entries);
      return;
    }
    ctx.upstreamUri = ctx.upstreamQuery ? `${ctx.upstreamPath}?${ctx.upstreamQuery}` : ctx.upstreamPath;
    if (ctx.upstreamHandler) {
      ctx.timings.upstreamStart = process.hrtime.bigint();
      const result = await ctx.upstreamHandler(ctx);
      ctx.timings.upstreamHeaders ??= process.hrtime.bigint();
      await deliver(ctx, chain, result);
      return;
    }
    await proxy(ctx, rt, chain, env, match.matchedPrefix);
  } catch (err) {
    if (clientGone(ctx.req, ctx.res)) {
      if (!ctx.res.headersSent) ctx.res.statusCode = 499;
      env.logger.debug('client closed the connection before its answer was complete', { request_id: ctx.requestId, error: (err as Error)?.message ?? String(err) });
      return;
    }
    sendReply(ctx, errorToReply(ctx, err, env.logger), chain.entries);
  }
}

function httpsRedirect(ctx: GatewayContext, status: number): Reply {
  if (status === 426) {
    return { status: 426, message: 'Please use HTTPS protocol', headers: { connection: 'Upgrade', upgrade: 'TLS/1.2, HTTP/1.1' } };
  }
  const host = ctx.host.replace(/:\d+$/, '');
  return { status, body: '', headers: { location: `https://${host}${ctx.req.url ?? '/'}` } };
}
