/**
 * Upstream calls for non-AI routes: node:http with keep-alive agents (never fetch), Kong's retries
 * and connect/read timeouts, balancer peers with passive health reporting, and Kong's error
 * statuses (502 bad response, 503 no peer, 504 timeout). The client body is piped only after the
 * socket connected, so connection failures can be retried without losing it.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Entity } from '../config/state.js';
import { parseTarget, type Balancer, type HashInput, type Peer } from './balancing/upstream-balancer.js';
import type { GatewayContext, HeaderValue } from './context.js';
import { continueBody } from './early-reply.js';
import { sansIdentityCheck, tlsSansOf, type TlsSans } from './upstream-sans.js';

export interface ServiceTarget {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  path: string | null;
  retries: number;
  connectTimeout: number;
  writeTimeout: number;
  readTimeout: number;
  tlsVerify: boolean;
  /** Further names accepted on the upstream certificate (`tls_sans`), or null. */
  tlsSans: TlsSans | null;
  /** Set when `host` names an upstream entity. */
  balancer: Balancer | null;
}

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export function createAgents(): Agents {
  const opts = { keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' as const };
  return { http: new http.Agent(opts), https: new https.Agent(opts) };
}

export function destroyAgents(a: Agents): void {
  a.http.destroy();
  a.https.destroy();
}

/** An upstream failure mapped to Kong's status and message. */
export class UpstreamError extends Error {
  constructor(readonly status: number, message: string, readonly retryable: boolean, readonly outcome: 'tcp_failure' | 'timeout' | 'none') {
    super(message);
    this.name = 'UpstreamError';
  }
}

export const MSG_BAD_RESPONSE = 'An invalid response was received from the upstream server';
export const MSG_TIMEOUT = 'The upstream server is timing out';
export const MSG_NO_PEER = 'failure to get a peer from the ring-balancer';
export const MSG_DNS = 'name resolution failed';

const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);

export function compileServiceTarget(service: Entity, balancers: ReadonlyMap<string, Balancer>): ServiceTarget {
  // a ws service is reached over http (the upgrade), a wss one over https
  const protocol = service.protocol === 'https' || service.protocol === 'wss' ? 'https' : 'http';
  const host = String(service.host ?? 'localhost');
  return {
    protocol,
    host,
    port: num(service.port, protocol === 'https' ? 443 : 80),
    path: typeof service.path === 'string' ? service.path : null,
    retries: num(service.retries, 5),
    connectTimeout: num(service.connect_timeout, 60000),
    writeTimeout: num(service.write_timeout, 60000),
    readTimeout: num(service.read_timeout, 60000),
    tlsVerify: service.tls_verify === true,
    tlsSans: tlsSansOf(service),
    balancer: balancers.get(host) ?? null,
  };
}

export function hashInput(ctx: GatewayContext): HashInput {
  return {
    consumerId: ctx.consumer?.id ?? null,
    ip: ctx.clientIp,
    header: (n) => ctx.header(n),
    cookie: (n) => {
      const raw = ctx.header('cookie') ?? '';
      for (const part of raw.split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === n) return v.join('=');
      }
      return undefined;
    },
    path: ctx.path,
    query: (n) => ctx.queryParams().get(n) ?? undefined,
    capture: (n) => ctx.captures[n],
  };
}

function hostHeader(host: string, port: number, protocol: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return (protocol === 'http' && port === 80) || (protocol === 'https' && port === 443) ? h : `${h}:${port}`;
}

function classify(err: Error & { code?: string }, connected: boolean): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new UpstreamError(503, MSG_DNS, true, 'tcp_failure');
  return new UpstreamError(502, MSG_BAD_RESPONSE, !connected, connected ? 'none' : 'tcp_failure');
}

function hasBody(ctx: GatewayContext): boolean {
  const h = ctx.req.headers;
  return (h['content-length'] !== undefined && h['content-length'] !== '0') || h['transfer-encoding'] !== undefined;
}

function attempt(ctx: GatewayContext, t: ServiceTarget, peer: { host: string; port: number }, headers: Record<string, HeaderValue>, agents: Agents): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = t.protocol === 'https' ? https : http;
    const req = mod.request({
      host: peer.host,
      port: peer.port,
      method: ctx.upstreamMethod,
      path: ctx.upstreamUri ?? '/',
      headers,
      // a connection checked against a service's own SANs is never pooled for another service
      agent: t.protocol === 'https' ? (t.tlsSans !== null && t.tlsVerify ? false : agents.https) : agents.http,
      rejectUnauthorized: t.tlsVerify,
      ...(t.tlsSans !== null && t.tlsVerify ? { checkServerIdentity: sansIdentityCheck(t.tlsSans) } : {}),
      servername: t.protocol === 'https' ? String(headers.host ?? peer.host).split(':')[0] : undefined,
    });
    let connected = false;
    const onClientClose = (): void => {
      if (!ctx.res.writableFinished) req.destroy();
    };
    ctx.onClientClose(onClientClose);
    const connectTimer = setTimeout(() => req.destroy(new UpstreamError(504, MSG_TIMEOUT, true, 'timeout')), t.connectTimeout);
    const onConnected = (): void => {
      connected = true;
      clearTimeout(connectTimer);
      const onTimeout = (): void => void req.destroy(new UpstreamError(504, MSG_TIMEOUT, false, 'timeout'));
      req.setTimeout(t.writeTimeout, onTimeout);
      req.once('finish', () => req.setTimeout(t.readTimeout, onTimeout));
      const buffered = ctx.bufferedBody();
      if (buffered) req.end(buffered);
      else if (hasBody(ctx)) {
        continueBody(ctx.req, ctx.res);
        ctx.req.pipe(req);
      }
      else req.end();
    };
    req.once('socket', (s) => {
      if (s.connecting) s.once(t.protocol === 'https' ? 'secureConnect' : 'connect', onConnected);
      else onConnected();
    });
    req.once('response', (res) => {
      clearTimeout(connectTimer);
      ctx.res.off('close', onClientClose);
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(connectTimer);
      ctx.res.off('close', onClientClose);
      reject(classify(err, connected));
    });
  });
}

/** Headers for the upstream request (Host, X-Forwarded-*, X-Real-IP, body length). */
function upstreamHeaders(ctx: GatewayContext, host: string, prefix: string | null, listenPort: number): Record<string, HeaderValue> {
  const h = ctx.upstreamHeaders;
  h.host = host;
  const xff = ctx.req.headers['x-forwarded-for'];
  h['x-forwarded-for'] = xff ? `${Array.isArray(xff) ? xff.join(', ') : xff}, ${ctx.clientIp}` : ctx.clientIp;
  h['x-forwarded-proto'] = 'http';
  h['x-forwarded-host'] = ctx.host.replace(/:\d+$/, '');
  h['x-forwarded-port'] = String(listenPort);
  h['x-forwarded-path'] = ctx.path;
  if (prefix) h['x-forwarded-prefix'] = prefix;
  else delete h['x-forwarded-prefix'];
  h['x-real-ip'] = ctx.clientIp;
  h['x-kong-request-id'] = ctx.requestId;
  const buffered = ctx.bufferedBody();
  if (buffered) {
    h['content-length'] = String(buffered.length);
  } else if (ctx.req.headers['content-length'] === undefined && hasBody(ctx)) {
    delete h['content-length'];
  }
  return h;
}

export interface ProxyOptions {
  agents: Agents;
  listenPort: number;
  /** X-Forwarded-Prefix (the stripped part of the path). */
  prefix: string | null;
}

/**
 * Send the request upstream with Kong's retry policy and return the response head (the body is
 * still streaming). Throws UpstreamError with Kong's status/message.
 */
export async function proxyRequest(ctx: GatewayContext, t: ServiceTarget, opts: ProxyOptions): Promise<IncomingMessage> {
  const tried = new Set<string>();
  const streaming = ctx.bufferedBody() === null && hasBody(ctx);
  const input = t.balancer ? hashInput(ctx) : null;
  let last: UpstreamError | null = null;
  ctx.timings.upstreamStart = process.hrtime.bigint();
  for (let i = 0; i <= t.retries; i++) {
    let peer: Peer;
    if (t.balancer && input) {
      const p = t.balancer.pick(input, tried);
      if (!p) throw new UpstreamError(503, MSG_NO_PEER, false, 'none');
      peer = p;
    } else {
      peer = { host: t.host, port: t.port, weight: 100, name: `${t.host}:${t.port}`, failover: false };
    }
    tried.add(peer.name);
    const host = ctx.upstreamHost ?? (ctx.route?.entity.preserve_host === true && ctx.host ? ctx.host : t.balancer?.hostHeader ?? hostHeader(peer.host, peer.port, t.protocol));
    const headers = upstreamHeaders(ctx, host, opts.prefix, opts.listenPort);
    ctx.tries.push({ ip: peer.host, port: peer.port, balancer_latency: 0 });
    t.balancer?.acquire(peer);
    try {
      const res = await attempt(ctx, t, peer, headers, opts.agents);
      t.balancer?.report(peer, { kind: 'status', status: res.statusCode ?? 502 });
      if (t.balancer) res.once('close', () => t.balancer?.release(peer));
      return res;
    } catch (e) {
      t.balancer?.release(peer);
      last = e instanceof UpstreamError ? e : new UpstreamError(502, MSG_BAD_RESPONSE, false, 'none');
      if (last.outcome !== 'none') t.balancer?.report(peer, { kind: last.outcome });
      ctx.tries[ctx.tries.length - 1].error = last.message;
      if (!last.retryable || (streaming && ctx.req.readableDidRead)) break;
    }
  }
  throw last ?? new UpstreamError(502, MSG_BAD_RESPONSE, false, 'none');
}

/** The direct (non-balancer) peer of a service, for display. */
export function describeTarget(t: ServiceTarget): string {
  return t.balancer ? `upstream ${t.balancer.name}` : `${t.protocol}://${hostHeader(t.host, t.port, t.protocol)}${t.path ?? ''}`;
}

export { parseTarget };
