/**
 * ai-request-transformer (kong.md §1.7): an LLM rewrites the request body before it
 * is proxied. The LLM gets `[system: prompt, user: <raw body>]` with `stream: false`; its answer
 * (optionally the first match of `transformation_extract_pattern`, matched case-insensitively and
 * multi-line as Kong's `ijom` flags do) becomes the body sent upstream, and the body every later
 * AI plugin reads. Errors are Kong's 400s: `failed to introspect request with AI service: …` and
 * `AI response did not match specified regular expression`.
 *
 * `introspect()` is shared with ai-response-transformer. Not supported: `http(s)_proxy_*` (the
 * call is direct) and `https_verify: false` (certificates are always verified).
 */
import type { LlmAuth } from '../../../config/generated/plugin-configs.js';
import { BodyTooLargeError, Slot, type GatewayContext } from '../../context.js';
import type { KongPlugin, PluginDeps } from '../../plugin.js';
import type { LogRecord } from '../../log-record.js';
import { buildAnalytics, writeAnalytics, type AiAnalytics } from '../../llm/call/analytics.js';
import type { LlmTarget } from '../../llm/call/client.js';
import { TranslationError } from '../../llm/wire/errors.js';
import type { Pricing } from '../../llm/wire/pricing.js';
import { isObject, type CanonicalRequest, type Usage } from '../../llm/wire/openai-types.js';
import { withoutNulls } from '../../llm/wire/openai-types.js';
import { aiError, AI_REQUEST } from '../../llm/formats/request.js';
import type { AuthConfig, ModelOptions } from '../../providers/types.js';
import { translatePcre } from '../../../config/regex.js';

/** The `llm` record and fields both transformers share. */
export interface TransformerSettings {
  llm: { route_type: string; auth: LlmAuth | null; model: { provider: string; name?: string | null; options: unknown }; logging: { log_statistics: boolean; log_payloads: boolean } };
  prompt: string;
  transformation_extract_pattern?: string | null;
  http_timeout: number;
}

export interface Introspector {
  /** The LLM's rewrite of `body`. Throws ReplyError (Kong's 400) when the LLM fails or the pattern does not match. */
  run(ctx: GatewayContext, body: string): Promise<string>;
}

/** Analytics of the transformer's own LLM call, logged under `ai.<plugin name>`. */
const TRANSFORMER_ANALYTICS = new Slot<AiAnalytics[]>('ai.transformer-analytics');

function target(c: TransformerSettings): LlmTarget {
  return {
    route_type: 'llm/v1/chat',
    auth: withoutNulls({ ...(c.llm.auth ?? {}) }) as AuthConfig,
    model: { provider: c.llm.model.provider, name: c.llm.model.name ?? null, options: withoutNulls({ ...(isObject(c.llm.model.options) ? c.llm.model.options : {}) }) as ModelOptions },
    logging: c.llm.logging,
  };
}

function compilePattern(pattern: string | null | undefined): RegExp | null {
  if (!pattern) return null;
  const { source, flags } = translatePcre(pattern);
  const all = new Set([...flags, 'i', 'm']);
  return new RegExp(source, [...all].join(''));
}

const failed = (detail: string): Error => aiError(400, `failed to introspect request with AI service: ${detail}`);

function record(ctx: GatewayContext, name: string, deps: PluginDeps, c: TransformerSettings, r: { usage: Usage; latencyMs: number; model: string; responseModel: string }): void {
  const o = isObject(c.llm.model.options) ? c.llm.model.options : {};
  const a = buildAnalytics({
    namespace: name, pluginId: deps.pluginId, provider: c.llm.model.provider, requestModel: r.model, responseModel: r.responseModel,
    latencyMs: r.latencyMs, usage: r.usage, stream: false, logStatistics: c.llm.logging.log_statistics, logPayloads: false,
    pricing: o as Pricing,
  });
  const list = ctx.get(TRANSFORMER_ANALYTICS) ?? [];
  list.push(a);
  ctx.set(TRANSFORMER_ANALYTICS, list);
}

/** Writes the transformers' analytics of this request into the log record. */
export function logTransformer(ctx: GatewayContext, rec: LogRecord, namespace: string): void {
  for (const a of ctx.get(TRANSFORMER_ANALYTICS) ?? []) if (a.namespace === namespace) writeAnalytics(rec, a);
}

export function createIntrospector(name: string, c: TransformerSettings, deps: PluginDeps): Introspector {
  const llm = target(c);
  const pattern = compilePattern(c.transformation_extract_pattern);
  const timeouts = { connect: c.http_timeout, read: c.http_timeout, write: c.http_timeout };
  return {
    async run(ctx, body) {
      const request: CanonicalRequest = { messages: [{ role: 'system', content: c.prompt }, { role: 'user', content: body }], stream: false };
      let r;
      try {
        r = await deps.llm.call(llm, request, { stream: false, requestId: ctx.requestId, timeouts });
      } catch (err) {
        if (err instanceof TranslationError) throw failed(err.message);
        throw err;
      }
      if (!r.ok) throw failed(r.error === 'http' ? `status code ${r.status}` : r.message);
      if (r.kind !== 'buffered' || r.response.object !== 'chat.completion') throw aiError(400, "no 'choices' in upstream AI service response");
      record(ctx, name, deps, c, { usage: r.usage, latencyMs: r.latencyMs, model: r.model, responseModel: r.response.model });
      const content = r.response.choices[0]?.message.content;
      if (typeof content !== 'string') throw aiError(400, "no 'choices' in upstream AI service response");
      if (!pattern) return content;
      const m = pattern.exec(content);
      if (!m) throw aiError(400, 'AI response did not match specified regular expression');
      return m[0];
    },
  };
}

/** Later AI plugins read the transformed body: refresh a request another plugin already parsed. */
function refreshAiRequest(ctx: GatewayContext, body: string): void {
  const ai = ctx.get(AI_REQUEST);
  if (!ai) return;
  ai.raw = Buffer.from(body);
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed)) ai.body = parsed as CanonicalRequest;
  } catch {
    // not JSON: ai-proxy will refuse it when it parses the body sent upstream
  }
}

async function rawBody(ctx: GatewayContext, limit: number): Promise<string> {
  try {
    // 0 means no limit (Kong 3.11+)
    return (await ctx.body(limit > 0 ? limit : undefined)).toString('utf8');
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw aiError(400, 'request body too large');
    throw err;
  }
}

export const aiRequestTransformer: KongPlugin<'ai-request-transformer'> = {
  name: 'ai-request-transformer',
  create(c, deps) {
    const introspector = createIntrospector('ai-request-transformer', c, deps);
    return {
      async access(ctx) {
        const body = await introspector.run(ctx, await rawBody(ctx, c.max_request_body_size));
        ctx.setBody(Buffer.from(body));
        refreshAiRequest(ctx, body);
      },
      log(ctx, rec) {
        logTransformer(ctx, rec, 'ai-request-transformer');
      },
    };
  },
};
