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
 *
 * The response side (header and body phases, Kong's headers, buffered or streamed delivery, replies)
 * is respond.ts.
 */
import { clientGone } from './early-reply.js';
import { earlyRefusal } from './request-target.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayContext, type Reply } from './context.js';
import { buildLogRecord, type LogRecord } from './log-record.js';
import type { Logger } from './log.js';
import { joinUpstreamPath, normalizePath } from './paths.js';
import { instanceFor, type Chain, type Runtime } from './runtime.js';
import { proxyRequest, type Agents } from './upstream.js';
import { brokenBody, deliver, errorToReply, readAll, responseTakers, sendReply, upstreamHead } from './respond.js';

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
