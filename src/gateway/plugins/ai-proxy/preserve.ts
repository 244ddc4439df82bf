/**
 * `route_type: preserve` (kong.md §1.2): no validation and no body transform. The request goes to
 * the provider's host (or `upstream_url`'s) with the client's method, path (unless `upstream_path`
 * is set) and query, plus the configured credentials; the reply comes back untouched.
 */
import type { Dispatcher } from 'undici';
import type { LlmCaller } from '../../llm/call/caller.js';
import type { GatewayContext, HeaderValue, UpstreamResult } from '../../context.js';
import { HOP_BY_HOP } from '../../hop-by-hop.js';
import { upstreamFailure } from '../../upstream-failure.js';
import { ReplyError } from '../../plugin.js';
import { getProvider } from '../../providers/index.js';
import type { UpstreamRequest } from '../../providers/types.js';
import { AI_ANALYTICS, buildAnalytics } from '../../llm/call/analytics.js';
import { DEFAULT_TIMEOUTS, type LlmTimeouts } from '../../llm/call/client.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { isObject, zeroUsage } from '../../llm/wire/openai-types.js';
import { targetFor, type AiProxyConfig } from './config.js';
import { effectiveAuth, forwardedHeaders } from './request.js';
import { aiError } from '../../llm/formats/request.js';
import { parseOpenAIUsage } from '../../llm/wire/usage.js';

/** The largest body a `preserve` route reads (it has no max_request_body_size). */
export const PRESERVE_MAX_BODY = 64 * 1024 * 1024;

async function preparePreserve(ctx: GatewayContext, c: AiProxyConfig, raw: Buffer, llm: LlmCaller): Promise<{ req: UpstreamRequest; model: string }> {
  const provider = getProvider(c.provider);
  if (!provider) throw aiError(500, `unsupported LLM provider '${c.provider}'`);
  let clientModel: unknown;
  try {
    const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    clientModel = isObject(parsed) ? parsed.model : undefined;
  } catch {
    clientModel = undefined;
  }
  const model = c.modelName ?? (typeof clientModel === 'string' ? clientModel : '');
  const auth = effectiveAuth(ctx, c.auth, {});
  const target = targetFor(c, 'llm/v1/chat', model || 'preserve', c.options, auth);
  const pctx = llm.providerContext(target, { stream: false, requestId: ctx.requestId, clientQuery: ctx.queryParams() });
  const base = provider.endpoint(pctx);
  const url = new URL(base.origin);
  url.pathname = c.options.upstream_path ?? ctx.upstreamPath;
  url.search = ctx.upstreamQuery;
  const req = await provider.authorize(pctx, { method: 'POST', url, headers: forwardedHeaders(ctx, auth), body: raw.toString('utf8') });
  const type = ctx.header('content-type');
  if (type) req.headers['content-type'] = type;
  return { req, model };
}

export interface PreserveOptions {
  pluginId: string;
  timeouts?: LlmTimeouts;
  llm: LlmCaller;
}

/** Proxies one `preserve` request. */
/** A transport failure as Kong's AI error (502, or 504 for a timeout); anything else is rethrown. */
function transportError(err: unknown): unknown {
  const f = upstreamFailure(err);
  if (f === null) return err;
  const message = f.kind === 'timeout' ? 'The upstream LLM is timing out'
    : f.kind === 'protocol' ? `The upstream LLM returned an invalid response (${f.code})`
      : `The upstream LLM could not be reached (${f.code})`;
  return new ReplyError({ status: f.status, json: { error: { message } } });
}

export async function preserveCall(ctx: GatewayContext, c: AiProxyConfig, opts: PreserveOptions): Promise<UpstreamResult> {
  const raw = await ctx.body(PRESERVE_MAX_BODY);
  let prepared: { req: UpstreamRequest; model: string };
  try {
    prepared = await preparePreserve(ctx, c, raw, opts.llm);
  } catch (err) {
    if (err instanceof TranslationError) throw aiError(err.status, err.message);
    throw err;
  }
  const { req, model } = prepared;
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const start = process.hrtime.bigint();
  let res: Dispatcher.ResponseData;
  try {
    res = await opts.llm.dispatcher(timeouts.connect).request({
      origin: req.url.origin, path: req.url.pathname + req.url.search, method: ctx.method as Dispatcher.HttpMethod,
      headers: req.headers, body: ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : String(req.body),
      headersTimeout: timeouts.read, bodyTimeout: timeouts.read,
    });
  } catch (err) {
    throw transportError(err);
  }
  const headers: Record<string, HeaderValue> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  const type = String(res.headers['content-type'] ?? '');
  const record = (usage = zeroUsage()): void => ctx.set(AI_ANALYTICS, buildAnalytics({
    pluginId: opts.pluginId, provider: c.provider, requestModel: model, responseModel: undefined,
    latencyMs: Number(process.hrtime.bigint() - start) / 1e6, usage, pricing: c.options,
    stream: type.includes('event-stream'), logStatistics: c.logStatistics, logPayloads: false,
  }));
  if (type.includes('event-stream')) {
    const body = res.body;
    async function* pass(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of body) yield chunk as Buffer;
      } finally {
        record();
      }
    }
    return { kind: 'stream', status: res.statusCode, headers, chunks: pass() };
  }
  let buf: Buffer;
  try {
    buf = Buffer.from(await res.body.arrayBuffer());
  } catch (err) {
    throw transportError(err);
  }
  let usage = zeroUsage();
  if (type.includes('json') && res.statusCode === 200 && !headers['content-encoding']) {
    try {
      const v: unknown = JSON.parse(buf.toString('utf8'));
      usage = (isObject(v) ? parseOpenAIUsage(v.usage) : null) ?? usage;
    } catch { /* not JSON: no usage */ }
  }
  record(usage);
  return { kind: 'buffered', status: res.statusCode, headers, body: buf };
}
