/**
 * The spans of one finished request, built in the log phase from what the pipeline recorded:
 *
 *   kong                               SERVER  the request (Kong's attributes: http.*, net.peer.ip, kong.request.id)
 *   ├─ kong.access.plugin.<name>       INTERNAL each plugin phase, in the order it ran (ctx.phases)
 *   ├─ kong.response.plugin.<name>
 *   └─ chat gpt-4o                     CLIENT  the LLM call, with the GenAI semantic conventions'
 *      (or kong.balancer)                      gen_ai.* attributes (or the upstream call: net.peer.*)
 *
 * They are shaped as the OpenTelemetry SDK's ReadableSpan, so the official OTLP serializer encodes
 * them; no SDK span objects are created on the request path.
 */
import { SpanKind, SpanStatusCode, type Attributes, type HrTime, type SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { GatewayContext } from '../../context.js';
import { AI_ANALYTICS, type AiAnalytics } from '../../llm/call/analytics.js';
import { AI_BALANCER } from '../ai-proxy-advanced/outcome.js';
import { semconvProviderName } from '../../providers/index.js';
import { randomHex, type TraceContext } from './trace-context.js';

export interface SpanSource {
  resource: Resource;
  scope: { name: string; version: string };
}

const hr = (ns: bigint): HrTime => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];

/** Wall-clock ns of a process.hrtime.bigint() reading of this request. */
function clock(ctx: GatewayContext): (t: bigint) => bigint {
  const base = BigInt(ctx.startedAt) * 1_000_000n - ctx.timings.start;
  return (t) => base + t;
}

function span(src: SpanSource, t: TraceContext, o: { name: string; kind: SpanKind; id: string; parent: string | null; start: bigint; end: bigint; attributes: Attributes; error?: string | null }): ReadableSpan {
  const flags = t.sampled ? 1 : 0;
  const context: SpanContext = { traceId: t.traceId, spanId: o.id, traceFlags: flags };
  const end = o.end < o.start ? o.start : o.end;
  return {
    name: o.name,
    kind: o.kind,
    spanContext: () => context,
    ...(o.parent !== null ? { parentSpanContext: { traceId: t.traceId, spanId: o.parent, traceFlags: flags, isRemote: o.id === t.rootId } } : {}),
    startTime: hr(o.start),
    endTime: hr(end),
    duration: hr(end - o.start),
    status: o.error ? { code: SpanStatusCode.ERROR, message: o.error } : { code: SpanStatusCode.UNSET },
    attributes: o.attributes,
    links: [],
    events: [],
    ended: true,
    resource: src.resource,
    instrumentationScope: src.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function rootAttributes(ctx: GatewayContext): Attributes {
  const q = ctx.rawQuery;
  const a: Attributes = {
    'http.method': ctx.method,
    'http.url': `http://${ctx.host}${ctx.path}${q === '' ? '' : ctx.redactQuery.size === 0 ? `?${q}` : '?REDACTED'}`,
    'http.host': ctx.host.replace(/:\d+$/, ''),
    'http.scheme': 'http',
    'http.flavor': ctx.req.httpVersion,
    'http.client_ip': ctx.clientIp,
    'net.peer.ip': ctx.req.socket.remoteAddress ?? ctx.clientIp,
    'kong.request.id': ctx.requestId,
    'http.status_code': ctx.res.statusCode,
  };
  const paths = ctx.route?.entity.paths;
  a['http.route'] = Array.isArray(paths) && typeof paths[0] === 'string' ? paths[0] : '';
  if (ctx.route) a['kong.route.name'] = ctx.route.name ?? ctx.route.id;
  if (ctx.service) a['kong.service.name'] = ctx.service.name ?? ctx.service.id;
  if (ctx.consumer) a['kong.consumer.username'] = ctx.consumer.username ?? ctx.consumer.custom_id ?? ctx.consumer.id;
  return a;
}

/** gen_ai.* of the LLM call (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/). */
export function genAiAttributes(a: AiAnalytics, ctx: GatewayContext): Attributes {
  const operation = a.operation ?? 'chat';
  const out: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': semconvProviderName(a.meta.provider_name),
    'gen_ai.request.model': a.meta.request_model,
    'gen_ai.response.model': a.meta.response_model,
    'gen_ai.usage.input_tokens': a.usage.prompt_tokens,
    'gen_ai.usage.output_tokens': a.usage.completion_tokens,
  };
  if (a.finishReasons && a.finishReasons.length > 0) out['gen_ai.response.finish_reasons'] = a.finishReasons;
  if (a.responseId) out['gen_ai.response.id'] = a.responseId;
  for (const [k, v] of Object.entries(a.requestParams ?? {})) out[`gen_ai.request.${k}`] = v;
  if (a.usage.cost > 0) out['kong.ai.cost'] = a.usage.cost;
  if (a.stream && a.firstTokenMs !== null && a.firstTokenMs !== undefined) out['kong.ai.time_to_first_token_ms'] = a.firstTokenMs;
  const up = ctx.upstreamUri ? safeUrl(ctx.upstreamUri) : null;
  if (up) {
    out['server.address'] = up.hostname;
    out['server.port'] = Number(up.port || (up.protocol === 'https:' ? 443 : 80));
  }
  const b = ctx.get(AI_BALANCER);
  if (b) out['kong.ai.attempts'] = b.attempts;
  return out;
}

function safeUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

function upstreamSpan(src: SpanSource, t: TraceContext, ctx: GatewayContext, at: (x: bigint) => bigint): ReadableSpan | null {
  const tm = ctx.timings;
  const end = tm.end ?? process.hrtime.bigint();
  const a = ctx.get(AI_ANALYTICS);
  if (a) {
    const start = tm.upstreamStart ?? end - BigInt(Math.round(a.meta.llm_latency * 1e6));
    const stop = start + BigInt(Math.round(a.meta.llm_latency * 1e6));
    const status = ctx.upstreamStatus;
    const error = status !== null && status >= 400 ? `upstream answered ${status}` : null;
    const attributes = genAiAttributes(a, ctx);
    if (error) attributes['error.type'] = String(status);
    return span(src, t, { name: `${String(attributes['gen_ai.operation.name'])} ${a.meta.request_model}`, kind: SpanKind.CLIENT, id: t.upstreamId, parent: t.rootId, start: at(start), end: at(stop), attributes, error });
  }
  if (tm.upstreamStart === null) return null;
  const attributes: Attributes = {};
  const up = ctx.upstreamUri ? safeUrl(ctx.upstreamUri) : null;
  if (up) {
    attributes['net.peer.name'] = up.hostname;
    attributes['net.peer.port'] = Number(up.port || (up.protocol === 'https:' ? 443 : 80));
  }
  if (ctx.upstreamStatus !== null) attributes['http.status_code'] = ctx.upstreamStatus;
  const error = ctx.upstreamStatus === null ? 'no answer from the upstream' : null;
  return span(src, t, { name: 'kong.balancer', kind: SpanKind.CLIENT, id: t.upstreamId, parent: t.rootId, start: at(tm.upstreamStart), end: at(tm.upstreamHeaders ?? end), attributes, error });
}

/** Every span of a finished, sampled request: the root first. */
export function requestSpans(src: SpanSource, t: TraceContext, ctx: GatewayContext): ReadableSpan[] {
  const at = clock(ctx);
  const end = ctx.timings.end ?? process.hrtime.bigint();
  const status = ctx.res.statusCode;
  const out = [span(src, t, { name: 'kong', kind: SpanKind.SERVER, id: t.rootId, parent: t.parentId, start: at(ctx.timings.start), end: at(end), attributes: rootAttributes(ctx), error: status >= 500 ? `HTTP ${status}` : null })];
  for (const p of ctx.phases ?? []) {
    const exited = ctx.exitPlugin === p.plugin && p.phase === 'access';
    const attributes: Attributes = exited && ctx.reply ? { 'kong.exit.status': ctx.reply.status, ...(ctx.reply.reason ? { 'kong.exit.reason': ctx.reply.reason } : {}) } : {};
    out.push(span(src, t, { name: `kong.${p.phase}.plugin.${p.plugin}`, kind: SpanKind.INTERNAL, id: randomHex(8), parent: t.rootId, start: at(p.start), end: at(p.end), attributes }));
  }
  const up = upstreamSpan(src, t, ctx, at);
  if (up) out.push(up);
  return out;
}
