/**
 * Kong's basic log serializer (`kong/pdk/log.lua`), built once per request after the response
 * and shared by every `log` phase. Secrets (auth headers, credential query params) are redacted.
 */
import type { GatewayContext, HeaderMap } from './context.js';

export interface LogRecord {
  request: {
    id: string;
    uri: string;
    url: string;
    querystring: Record<string, string | string[]>;
    method: string;
    headers: Record<string, string | string[]>;
    size: number;
    tls?: undefined;
  };
  upstream_uri: string;
  upstream_status: string;
  response: { status: number; headers: Record<string, string | string[]>; size: number };
  latencies: { kong: number; proxy: number; request: number; receive: number };
  tries: Array<{ ip: string; port: number; balancer_latency: number }>;
  authenticated_entity?: { id: string; consumer_id: string };
  route?: Readonly<Record<string, unknown>>;
  service?: Readonly<Record<string, unknown>>;
  consumer?: Readonly<Record<string, unknown>>;
  client_ip: string;
  started_at: number;
  source: 'service' | 'exit' | 'error';
  workspace: string;
  workspace_name: string;
  ai?: Record<string, unknown>;
}

export const REDACTED = 'REDACTED';
const DEFAULT_WORKSPACE_ID = '00000000-0000-0000-0000-000000000000';

function cleanHeaders(src: HeaderMap, redact: ReadonlySet<string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in src) {
    const v = src[k];
    if (v === undefined) continue;
    out[k] = redact.has(k) ? REDACTED : v;
  }
  return out;
}

function cleanQuery(raw: string, redact: ReadonlySet<string>): { query: Record<string, string | string[]>; text: string } {
  if (raw === '') return { query: {}, text: '' };
  const params = new URLSearchParams(raw);
  const query: Record<string, string | string[]> = {};
  for (const [k, v0] of params) {
    const v = redact.has(k) ? REDACTED : v0;
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  if (redact.size === 0) return { query, text: raw };
  for (const k of redact) if (params.has(k)) params.set(k, REDACTED);
  return { query, text: params.toString() };
}

function redactUri(uri: string, redact: ReadonlySet<string>): string {
  const q = uri.indexOf('?');
  if (q < 0 || redact.size === 0) return uri;
  const { text } = cleanQuery(uri.slice(q + 1), redact);
  return text ? `${uri.slice(0, q)}?${text}` : uri.slice(0, q);
}

const ms = (a: bigint | null, b: bigint | null): number => (a === null || b === null ? 0 : Math.max(0, Math.round(Number(b - a) / 1e6)));

/** Kong's `latencies` (ms): request = total, proxy = upstream time to headers, kong = the rest. */
export function latencies(ctx: GatewayContext): LogRecord['latencies'] {
  const t = ctx.timings;
  const request = ms(t.start, t.end);
  const proxy = ctx.source === 'service' ? ms(t.upstreamStart, t.upstreamHeaders) : 0;
  return { kong: Math.max(0, request - proxy), proxy, request, receive: 0 };
}

/** Request body size as Kong counts it (Content-Length, or the buffered body). */
export function requestSize(ctx: GatewayContext): number {
  return Number(ctx.req.headers['content-length'] ?? 0) || ctx.bufferedBody()?.length || 0;
}

export function buildLogRecord(ctx: GatewayContext, workspaceName: string | null): LogRecord {
  const { query, text } = cleanQuery(ctx.rawQuery, ctx.redactQuery);
  const scheme = 'http';
  const reqSize = requestSize(ctx);
  const record: LogRecord = {
    request: {
      id: ctx.requestId,
      uri: ctx.path + (text ? `?${text}` : ''),
      url: `${scheme}://${ctx.host}${ctx.path}${text ? `?${text}` : ''}`,
      querystring: query,
      method: ctx.method,
      headers: cleanHeaders(ctx.req.headers, ctx.redactHeaders),
      size: reqSize,
    },
    upstream_uri: redactUri(ctx.upstreamUri ?? '', ctx.redactQuery),
    upstream_status: ctx.upstreamStatus === null ? '' : String(ctx.upstreamStatus),
    response: {
      status: ctx.res.statusCode,
      headers: cleanHeaders(ctx.res.getHeaders() as HeaderMap, new Set(['set-cookie'])),
      size: ctx.responseBytes,
    },
    latencies: latencies(ctx),
    tries: ctx.tries.map((x) => ({ ip: x.ip, port: x.port, balancer_latency: x.balancer_latency })),
    client_ip: ctx.clientIp,
    started_at: ctx.startedAt,
    source: ctx.source,
    workspace: DEFAULT_WORKSPACE_ID,
    workspace_name: workspaceName ?? 'default',
  };
  if (ctx.route) record.route = ctx.route.entity;
  if (ctx.service) record.service = ctx.service.entity;
  if (ctx.consumer) record.consumer = ctx.consumer.entity;
  if (ctx.credential) record.authenticated_entity = { id: ctx.credential.id, consumer_id: ctx.credential.consumerId };
  return record;
}
