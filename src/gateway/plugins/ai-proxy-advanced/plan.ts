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
    return {
      config,
      routeType,
      weight: typeof t.weight === 'number' ? t.weight : 100,
      description: typeof t.description === 'string' && t.description !== '' ? t.description : null,
      label: `${config.provider}/${config.modelName ?? '*'}`,
    };
  });
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
