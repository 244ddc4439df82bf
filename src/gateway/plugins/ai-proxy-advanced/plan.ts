/**
 * One attempt's request plan for ai-proxy-advanced: ai-proxy's checks (ai-proxy/request.ts) applied
 * to one target. The difference from ai-proxy: the balancer chooses the model, so a target with a
 * configured `model.name` overrides the client's `model` instead of refusing it (the client cannot
 * know which target will answer).
 */
import { formatOf } from '../../llm/formats/index.js';
import type { GatewayContext } from '../../context.js';
import { getProvider } from '../../providers/index.js';
import { isApiRouteType } from '../../llm/wire/api-routes.js';
import { isObject, type CanonicalRequest, type RouteType } from '../../llm/wire/openai-types.js';
import { parseAiProxyConfig, resolveModelFields, targetFor, type AiProxyConfig } from '../ai-proxy/config.js';
import { canonical, effectiveAuth, forwardedHeaders, type ProxyPlan } from '../ai-proxy/request.js';
import { aiError, type AiRequest } from '../../llm/formats/request.js';

export interface AdvancedTarget {
  config: AiProxyConfig;
  routeType: RouteType;
  weight: number;
  description: string | null;
  /** `<provider>/<model name>` (or `<provider>/*` when the model comes from the client). */
  label: string;
  /** `model.model_alias` (3.14): the request model name that selects this target. */
  alias: string | null;
  /** `metadata` (3.13): free-form, carried into the log record (`ai.proxy.balancer.metadata`). */
  metadata: Record<string, unknown> | null;
}

type Json = Record<string, unknown>;

/** Narrows each `targets[]` entry, inheriting the plugin-level fields ai-proxy has at top level. */
export function parseTargets(c: Readonly<Json>): AdvancedTarget[] {
  const list = Array.isArray(c.targets) ? (c.targets as Json[]) : [];
  return list.map((t) => {
    const config = parseAiProxyConfig({
      ...t,
      response_streaming: c.response_streaming,
      max_request_body_size: c.max_request_body_size,
      model_name_header: c.model_name_header,
      llm_format: c.llm_format,
    });
    const routeType = config.routeType;
    if (routeType === 'preserve') throw new Error("ai-proxy-advanced: route_type 'preserve' is not supported by aigw serve");
    if (isApiRouteType(routeType)) {
      throw new Error(`ai-proxy-advanced: route_type '${routeType}' is served by ai-proxy only in aigw serve (one target); use ai-proxy for this route`);
    }
    const model = (t.model ?? {}) as Json;
    return {
      config,
      routeType,
      alias: typeof model.model_alias === 'string' && model.model_alias !== '' ? model.model_alias : null,
      metadata: t.metadata !== null && typeof t.metadata === 'object' && !Array.isArray(t.metadata) ? (t.metadata as Record<string, unknown>) : null,
      weight: typeof t.weight === 'number' ? t.weight : 100,
      description: typeof t.description === 'string' && t.description !== '' ? t.description : null,
      label: `${config.provider}/${config.modelName ?? '*'}`,
    };
  });
}

/**
 * The targets a request may not use because of `model_alias` (3.14): when the client's model is a
 * target's alias, only the targets with that alias; otherwise only the targets without an alias.
 * A request that selects no target is refused with 400, naming the model.
 */
export function aliasExcluded(targets: readonly AdvancedTarget[], requested: string | null): Set<number> {
  if (targets.every((t) => t.alias === null)) return new Set();
  const byAlias = requested !== null && targets.some((t) => t.alias === requested);
  const out = new Set(targets.flatMap((t, i) => ((byAlias ? t.alias === requested : t.alias === null) ? [] : [i])));
  if (out.size === targets.length) {
    const aliases = [...new Set(targets.flatMap((t) => (t.alias === null ? [] : [t.alias])))].join(', ');
    throw aiError(400, `model '${requested ?? ''}' is not one of this route's model aliases (${aliases})`);
  }
  return out;
}

function chooseStream(c: AiProxyConfig, routeType: RouteType, req: CanonicalRequest): boolean {
  if (routeType === 'llm/v1/embeddings') return false;
  if (req.stream === true && c.responseStreaming === 'deny') throw aiError(400, 'response streaming is not enabled for this LLM');
  return c.responseStreaming === 'always' || req.stream === true;
}

/** ai-proxy's access checks for one target; every refusal is Kong's 400/500 as a ReplyError. */
export function planFor(ctx: GatewayContext, t: AdvancedTarget, ai: AiRequest): ProxyPlan {
  const c = t.config;
  const { name, options } = resolveModelFields(ctx, c);
  const request = canonical(t.routeType, ai.body);
  const own = typeof request.model === 'string' && request.model !== '' ? request.model : null;
  const model = name ?? own;
  if (model === null) throw aiError(400, 'model parameter not found in request, nor in gateway configuration');
  const stream = chooseStream(c, t.routeType, request);
  const provider = getProvider(c.provider);
  if (!provider) throw aiError(500, `unsupported LLM provider '${c.provider}'`);
  if (!provider.capabilities.routeTypes.includes(t.routeType)) throw aiError(400, `${c.provider} does not support the ${t.routeType} route type`);
  if (stream && !provider.capabilities.streaming) throw aiError(400, 'response streaming is not enabled for this LLM');
  const auth = effectiveAuth(ctx, c.auth, request);
  if (c.auth.param_location === 'body' && c.auth.param_name && !c.auth.allow_override) delete request[c.auth.param_name];
  const so = request.stream_options;
  return {
    target: targetFor(c, t.routeType, model, options, auth),
    request, model, stream,
    clientWantsUsage: isObject(so) && so.include_usage === true,
    headers: forwardedHeaders(ctx, auth, formatOf(ai.inputFormat).protocolHeaders),
    inputFormat: ai.inputFormat,
    ai,
  };
}
