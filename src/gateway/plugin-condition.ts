/**
 * Plugin `condition` (Kong 3.14, beta; developer.konghq.com /gateway/plugins/expressions-314/):
 * an ATC expression evaluated per request right before the plugin's access phase; false skips the
 * plugin's access phase and every later one (response, chunk, header, reply body, log) for that
 * request. `start` (aigw's hook before access, Kong's rewrite) always runs. Fields: the router's
 * HTTP fields over the request as earlier plugins left it (headers and query as edited), and
 * `consumer.*`, `route.*`, `service.*` as known at that point; `kong.ctx.shared.*` is never set
 * in aigw serve (no plugin writes it), so a predicate on it is false, as on a Kong where no
 * plugin sets the key.
 */
import { checkExpression, CONDITION_FIELDS } from '../expressions/check.js';
import { evaluate, type FieldReader, type FieldValue } from '../expressions/evaluate.js';
import { requestFields } from '../expressions/request-fields.js';
import type { Expression } from '../expressions/ast.js';
import type { GatewayContext } from './context.js';
import type { PluginInstance } from './plugin.js';
import { normalizePath } from './paths.js';

/** The condition's expression; throws with the validation message when it does not check. */
export function compileCondition(src: string): Expression {
  const r = checkExpression(src, CONDITION_FIELDS);
  if ('error' in r) throw new Error(`condition failed validation: ${r.error}`);
  return r.expression;
}

const one = (v: string | null | undefined): readonly FieldValue[] | undefined => (v === null || v === undefined ? undefined : [v]);

/**
 * The request headers as plugins before this one left them (the upstream headers), each value
 * apart as sent when a plugin did not change it, and the Host header.
 */
function currentHeaders(ctx: GatewayContext): Record<string, readonly string[]> {
  const sent = ctx.req.headersDistinct;
  const out: Record<string, readonly string[]> = {};
  for (const [k, v] of Object.entries(ctx.upstreamHeaders)) {
    const distinct = sent[k];
    out[k] = v === ctx.req.headers[k] && distinct !== undefined ? distinct : Array.isArray(v) ? v : [String(v)];
  }
  const host = sent.host;
  if (host !== undefined) out.host = host;
  return out;
}

function contextFields(ctx: GatewayContext): FieldReader {
  const entity: FieldReader = (field) => {
    switch (field) {
      case 'consumer.id': return one(ctx.consumer?.id);
      case 'consumer.username': return one(ctx.consumer?.username);
      case 'consumer.custom_id': return one(ctx.consumer?.custom_id);
      case 'route.id': return one(ctx.route?.id);
      case 'route.name': return one(ctx.route?.name);
      case 'service.id': return one(ctx.service?.id);
      case 'service.name': return one(ctx.service?.name);
      default: return undefined;
    }
  };
  const socket = ctx.req.socket as { encrypted?: boolean; remoteAddress?: string; remotePort?: number; localAddress?: string; localPort?: number; servername?: unknown };
  return requestFields({
    method: ctx.method,
    host: ctx.host,
    path: normalizePath(ctx.path),
    query: ctx.upstreamQuery,
    headers: () => currentHeaders(ctx),
    protocol: socket.encrypted ? 'https' : 'http',
    srcIp: ctx.clientIp,
    srcPort: socket.remotePort ?? 0,
    dstIp: socket.localAddress ?? '',
    dstPort: socket.localPort ?? 0,
    sni: socket.encrypted && typeof socket.servername === 'string' ? socket.servername : null,
  }, entity);
}

/** `inner`, run only for the requests where `condition` holds (evaluated once per request). */
export function conditioned(inner: PluginInstance, condition: Expression): PluginInstance {
  const decided = new WeakMap<GatewayContext, boolean>();
  const skip = (ctx: GatewayContext): boolean => {
    let s = decided.get(ctx);
    if (s === undefined) {
      s = !evaluate(condition, contextFields(ctx));
      decided.set(ctx, s);
    }
    return s;
  };
  const { start, access, response, buffers, chunk, header, replyBody, log } = inner;
  const out: PluginInstance = {
    ...(inner.inputFormat !== undefined ? { inputFormat: inner.inputFormat } : {}),
    ...(inner.aiModels !== undefined ? { aiModels: inner.aiModels } : {}),
    ...(inner.aiBody !== undefined ? { aiBody: inner.aiBody } : {}),
    ...(inner.conversations !== undefined ? { conversations: inner.conversations } : {}),
    // evaluated before the access phase, in priority order, even when the plugin has none
    access: (ctx) => (skip(ctx) || !access ? undefined : access.call(inner, ctx)),
  };
  if (start) out.start = (ctx) => start.call(inner, ctx);
  if (response) out.response = async (ctx, res) => (skip(ctx) ? undefined : response.call(inner, ctx, res));
  if (buffers) out.buffers = (ctx, status, headers) => !skip(ctx) && buffers.call(inner, ctx, status, headers);
  if (response && !buffers) out.buffers = (ctx) => !skip(ctx);
  if (chunk) out.chunk = async (ctx, c) => (skip(ctx) ? c : chunk.call(inner, ctx, c));
  if (header) out.header = (ctx, h) => (skip(ctx) ? undefined : header.call(inner, ctx, h));
  if (replyBody) out.replyBody = (ctx, res) => (skip(ctx) ? undefined : replyBody.call(inner, ctx, res));
  if (log) out.log = (ctx, record) => (skip(ctx) ? undefined : log.call(inner, ctx, record));
  if (inner.limits) out.limits = (now) => inner.limits!(now);
  if (inner.admin) out.admin = (action, body) => inner.admin!(action, body);
  return out;
}
