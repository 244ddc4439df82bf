/**
 * WebSocket upgrades through `aigw serve`, joined by http-proxy-3. The route is matched and its
 * access phases run as for any request, so authentication, ACLs and limits answer with an HTTP
 * reply before anything is upgraded. The upgrade then goes where a plugin pointed it (ai-proxy's
 * `realtime/v1/realtime`: the provider's URL with its credentials, UPGRADE_TARGET) or, on a plain
 * route, to the route's service (`ws`/`wss`, or `http`/`https` as Kong proxies upgrades there too),
 * with the service's path handling. Log phases run when the connection closes (status 101, or the
 * reply that refused it).
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyServer } from 'http-proxy-3';
import { GatewayContext, type HeaderValue } from './context.js';
import { access, clientIp, runLog, type PipelineEnv } from './pipeline.js';
import { errorToReply, sendReply } from './respond.js';
import { joinUpstreamPath, normalizePath } from './paths.js';
import type { Runtime } from './runtime.js';
import { hashInput } from './upstream.js';

import { UPGRADE_TARGET, type UpgradeTarget } from './upgrade-target.js';

const BAD_GATEWAY = 'An invalid response was received from the upstream server';

/** The service's WebSocket URL for this request (a balanced upstream picks its peer). */
function serviceTarget(ctx: GatewayContext, rt: Runtime, serviceId: string | null): UpgradeTarget | null {
  const service = serviceId ? rt.services.get(serviceId) : undefined;
  if (!service) return null;
  const t = service.target;
  const peer = t.balancer ? t.balancer.pick(hashInput(ctx)) : { host: t.host, port: t.port };
  if (!peer) return null;
  const url = new URL(`${t.protocol === 'https' ? 'wss' : 'ws'}://${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`);
  url.pathname = ctx.upstreamPath;
  url.search = ctx.upstreamQuery;
  return { url, headers: {}, drop: [] };
}

/** The headers sent upstream: the client's after the plugins' edits, the upgrade itself, the target's own. */
function upstreamHeaders(ctx: GatewayContext, req: IncomingMessage, target: UpgradeTarget): Record<string, HeaderValue> {
  const h: Record<string, HeaderValue> = { ...ctx.upstreamHeaders, connection: 'Upgrade', upgrade: String(req.headers.upgrade ?? 'websocket') };
  for (const k of target.drop) delete h[k];
  for (const [k, v] of Object.entries(target.headers)) h[k.toLowerCase()] = v;
  return h;
}

export interface Upgrader {
  handle(rt: Runtime, env: PipelineEnv, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void>;
  close(): void;
}

/** http-proxy-3, imported at the first upgrade that reaches an upstream (most gateways never see one). */
function lazyProxy(): { get(): Promise<ProxyServer>; close(): void } {
  let proxy: Promise<ProxyServer> | null = null;
  let made: ProxyServer | null = null;
  return {
    get: () =>
      (proxy ??= import('http-proxy-3').then(({ createProxyServer }) => {
        made = createProxyServer({ ws: true, ignorePath: true, changeOrigin: true });
        made.on('error', () => undefined);
        return made;
      })),
    close: () => made?.close(),
  };
}

export function createUpgrader(): Upgrader {
  const proxies = lazyProxy();
  const open = new Set<Socket>();
  return {
    async handle(rt, env, req, socket, head) {
      socket.on('error', () => undefined);
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      const res = new ServerResponse(req);
      res.assignSocket(socket);
      res.shouldKeepAlive = false;
      const ctx = new GatewayContext({ requestId: env.requestId(), req, res, start: process.hrtime.bigint(), clientIp: clientIp(req) });
      const match = rt.router.match({ method: ctx.method, host: ctx.host, path: normalizePath(ctx.path), headers: req.headers });
      const chain = match ? rt.chains.get(match.route.id) ?? rt.globalChain : rt.globalChain;
      socket.once('close', () => {
        ctx.timings.end = process.hrtime.bigint();
        setImmediate(runLog, ctx, chain, rt, env);
      });
      if (!match) return sendReply(ctx, { status: 404, message: 'no Route matched with those values' });
      const route = match.route;
      ctx.route = rt.routes.get(route.id) ?? null;
      const service = route.serviceId ? rt.services.get(route.serviceId) : undefined;
      if (service) ctx.service = service.info;
      ctx.captures = match.captures;
      if (!route.protocols.has('http') && !route.protocols.has('ws')) {
        return sendReply(ctx, { status: 426, message: 'Please use HTTPS protocol', headers: { connection: 'Upgrade', upgrade: 'TLS/1.2, HTTP/1.1' } });
      }
      ctx.upstreamPath = joinUpstreamPath(service?.target.path ?? null, match.strippedPath, route.pathHandling);
      try {
        const reply = await access(ctx, chain);
        if (reply) return sendReply(ctx, reply);
      } catch (err) {
        return sendReply(ctx, errorToReply(ctx, err, env.logger));
      }
      const target = ctx.get(UPGRADE_TARGET) ?? (ctx.upstreamHandler ? null : serviceTarget(ctx, rt, route.serviceId));
      if (target === null) {
        return sendReply(ctx, { status: 400, json: { error: { message: 'this route does not accept WebSocket upgrades' } } });
      }
      const proxy = await proxies.get();
      ctx.upstreamUri = target.url.pathname + target.url.search;
      ctx.timings.upstreamStart = process.hrtime.bigint();
      req.headers = upstreamHeaders(ctx, req, target) as IncomingMessage['headers'];
      res.detachSocket(socket);
      res.statusCode = 101;
      ctx.source = 'service';
      proxy.ws(req, socket, head, { target: target.url, secure: service?.target.tlsVerify ?? true }, () => {
        // the upstream could not be reached or refused the upgrade before any byte went back
        res.statusCode = 502;
        ctx.source = 'error';
        const body = JSON.stringify({ message: BAD_GATEWAY, request_id: ctx.requestId });
        if (socket.writable) socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      });
    },
    close() {
      for (const s of open) s.destroy();
      proxies.close();
    },
  };
}
