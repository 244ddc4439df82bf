/**
 * A finished request as the dashboard shows it, read from the request context once its log phases
 * ran: the summary (kept for every request) and the detail (headers with secrets masked, payloads
 * only where the AI plugin's `log_payloads` allows; built only while a dashboard is connected).
 * Pure reads of `ctx`: nothing here keeps a reference to it.
 */
import type { GatewayContext, HeaderMap, Reply } from '../context.js';
import { AI_ANALYTICS } from '../llm/call/analytics.js';
import { AI_BALANCER } from '../plugins/ai-proxy-advanced/outcome.js';
import { AI_CACHE } from '../plugins/ai-semantic-cache/outcome.js';
import type { AiSummary, RequestDetail, RequestSummary } from './api-types.js';

/** Longest prompt or answer kept per request (characters). */
export const PAYLOAD_LIMIT = 16_384;
const MASK = '[masked]';
const RESPONSE_SECRETS: ReadonlySet<string> = new Set(['set-cookie']);
/** Header names that carry secrets whatever the plugins say. */
const SECRET_NAME = /(auth|key|token|secret|cookie|password|signature|credential|session)/i;

const ms = (a: bigint | null, b: bigint | null): number | null => (a === null || b === null ? null : Math.max(0, Math.round(Number(b - a) / 1e5) / 10));

function replyText(r: Reply | null): string | null {
  if (!r) return null;
  if (r.message !== undefined) return r.message;
  const j = r.json as { error?: { message?: unknown }; message?: unknown } | undefined;
  const m = j?.error?.message ?? j?.message;
  if (typeof m === 'string') return m;
  if (typeof r.body === 'string' && r.body.length < 200) return r.body;
  return null;
}

function aiSummary(ctx: GatewayContext): AiSummary | null {
  const a = ctx.get(AI_ANALYTICS);
  const cache = ctx.get(AI_CACHE);
  const b = ctx.get(AI_BALANCER);
  if (!a && !cache && !b) return null;
  return {
    provider: a?.meta.provider_name ?? null,
    model: a?.meta.request_model ?? null,
    responseModel: a?.meta.response_model ?? null,
    promptTokens: a?.usage.prompt_tokens ?? 0,
    completionTokens: a?.usage.completion_tokens ?? 0,
    cost: a?.usage.cost ?? 0,
    ttftMs: a?.firstTokenMs ?? null,
    llmLatencyMs: a ? a.meta.llm_latency : null,
    stream: a?.stream ?? false,
    cache: cache?.cache_status ?? null,
    attempts: b?.attempts ?? null,
    tries: b ? b.tries.map((t) => ({ target: t.target, status: t.status, error: t.error ?? null, latencyMs: t.latency })) : null,
  };
}

/** The summary of a finished request (`seq` numbers requests in arrival order of their end). */
export function summarize(ctx: GatewayContext, seq: number, withDetail: boolean): RequestSummary {
  const t = ctx.timings;
  const reply = ctx.reply;
  const c = ctx.consumer;
  return {
    seq,
    id: ctx.requestId,
    time: ctx.startedAt,
    method: ctx.method,
    path: ctx.path,
    status: ctx.res.statusCode,
    upstreamStatus: ctx.upstreamStatus,
    routeId: ctx.route?.id ?? null,
    route: ctx.route ? ctx.route.name ?? ctx.route.id : null,
    service: ctx.service ? ctx.service.name ?? ctx.service.id : null,
    consumer: c ? c.username ?? c.custom_id ?? c.id : null,
    latencyMs: ms(t.start, t.end) ?? 0,
    upstreamMs: ms(t.upstreamStart, t.upstreamHeaders),
    ai: aiSummary(ctx),
    exit: ctx.exitPlugin !== null ? { plugin: ctx.exitPlugin, status: reply?.status ?? ctx.res.statusCode, message: replyText(reply), reason: reply?.reason ?? null } : null,
    error: ctx.exitPlugin === null && reply !== null ? replyText(reply) : null,
    hasDetail: withDetail,
  };
}

/**
 * Headers with secrets masked: those plugins redact (authorization, cookies, key-auth's key names…)
 * and, with `guess`, any name that looks like it carries one (`x-api-key`, `x-session-token`…).
 */
export function maskHeaders(src: HeaderMap, redact: ReadonlySet<string>, guess: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in src) {
    const v = src[k];
    if (v === undefined) continue;
    out[k] = redact.has(k) || (guess && SECRET_NAME.test(k)) ? MASK : v;
  }
  return out;
}

function clip(s: string | undefined): { text: string | null; cut: boolean } {
  if (s === undefined) return { text: null, cut: false };
  return s.length > PAYLOAD_LIMIT ? { text: s.slice(0, PAYLOAD_LIMIT), cut: true } : { text: s, cut: false };
}

/** What a request opens to in Live traffic. */
export function detailOf(ctx: GatewayContext, summary: RequestSummary): RequestDetail {
  const a = ctx.get(AI_ANALYTICS);
  let payload: RequestDetail['payload'] = null;
  if (a?.logPayloads && a.payload) {
    const req = clip(a.payload.request);
    const res = clip(a.payload.response);
    payload = { request: req.text, response: res.text, truncated: req.cut || res.cut };
  }
  const q = ctx.rawQuery;
  return {
    summary,
    request: { url: `http://${ctx.host}${ctx.path}${q === '' ? '' : ctx.redactQuery.size === 0 ? `?${q}` : `?${MASK}`}`, headers: maskHeaders(ctx.req.headers, ctx.redactHeaders, true) },
    response: { headers: maskHeaders(ctx.res.getHeaders() as HeaderMap, RESPONSE_SECRETS, false) },
    upstreamUri: ctx.upstreamUri,
    payload,
    phases: ctx.phases ? ctx.phases.map((p) => ({ phase: p.phase, plugin: p.plugin, ms: Math.round(Number(p.end - p.start) / 1e4) / 100 })) : null,
  };
}
