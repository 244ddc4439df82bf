/**
 * The response a client gets, whoever made it (a plugin's reply, the service, an AI handler): the
 * header phases and Kong's own headers (`via`, `x-kong-*`), then the body, buffered through the
 * response/body phases or streamed through the chunk phases. The request side is pipeline.ts.
 */
import { HOP_BY_HOP } from './hop-by-hop.js';
import { prepareEarlyReply } from './early-reply.js';
import { clientErrorBody } from './llm/formats/error-boundary.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BufferedResponse, GatewayContext, HeaderMap, HeaderValue, Reply, StreamedResponse, UpstreamResult } from './context.js';
import { SERVER_HEADER, VIA_HEADER, type Logger } from './log.js';
import { ReplyError, type PluginInstance, type ResponseHeaders } from './plugin.js';
import { instanceFor, type Chain, type ChainEntry } from './runtime.js';
import { MSG_BAD_RESPONSE, UpstreamError } from './upstream.js';
import { editableCopy } from './llm/wire/shallow-copy.js';

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
export function upstreamHead(ctx: GatewayContext, chain: Chain, status: number, headers: HeaderMap, contentLength: string | null = null): void {
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
export function responseTakers(ctx: GatewayContext, chain: Chain, status: number, headers: HeaderMap): PluginInstance[] {
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

export function readAll(res: IncomingMessage): Promise<Buffer> {
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
export function brokenBody(ctx: GatewayContext): void {
  const res = ctx.res;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  ctx.source = 'error';
  sendReply(ctx, { status: 502, message: MSG_BAD_RESPONSE });
}
