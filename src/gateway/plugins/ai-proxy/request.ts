/**
 * ai-proxy's access-phase checks, in Kong's order (kong.md §1.2): templating of model fields →
 * body (size, JSON) → request format vs route type → model precedence → streaming policy →
 * credentials (`allow_override`) → headers forwarded to the LLM. Produces the plan the upstream
 * handler executes; every refusal is a ReplyError with Kong's `{"error":{"message"}}` body.
 */
import { formatOf } from '../../llm/formats/index.js';
import type { GatewayContext, HeaderValue } from '../../context.js';
import { hopByHopAnd } from '../../hop-by-hop.js';
import { getProvider } from '../../providers/index.js';
import type { AuthConfig } from '../../providers/types.js';
import type { LlmTarget } from '../../llm/call/client.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { isObject, parseCanonicalRequest, type CanonicalRequest, type RouteType } from '../../llm/wire/openai-types.js';
import { resolveModelFields, targetFor, type AiProxyConfig } from './config.js';
import { aiError, aiRequest, type AiRequest, type InputFormat } from '../../llm/formats/request.js';

export interface ProxyPlan {
  target: LlmTarget;
  request: CanonicalRequest;
  /** The model sent upstream (config, else the client's). */
  model: string;
  stream: boolean;
  /** The client asked for `stream_options.include_usage` (usage-only chunks are kept). */
  clientWantsUsage: boolean;
  headers: Record<string, string>;
  inputFormat: InputFormat;
  ai: AiRequest;
}

/** Headers never forwarded to an LLM (the call sets its own framing, encoding and host). */
const NOT_FORWARDED = hopByHopAnd('host', 'content-length', 'content-type', 'accept-encoding', 'accept', 'expect');
/** Client credentials, dropped when the plugin supplies its own (unless `allow_override` lets the client's win). */
const CREDENTIALS = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie'];

/** The client headers dropped because the plugin sends its own credential (see forwardedHeaders). */
export function droppedCredentials(auth: AuthConfig): string[] {
  if (!hasOwnCredential(auth)) return [];
  return auth.header_name ? [...CREDENTIALS, auth.header_name.toLowerCase()] : [...CREDENTIALS];
}

function hasOwnCredential(auth: AuthConfig): boolean {
  return Boolean(auth.header_name || auth.param_name || auth.aws_access_key_id || auth.gcp_use_service_account);
}

function first(v: HeaderValue | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The headers forwarded to the LLM: what the client sent (after other plugins' edits), minus framing,
 * credentials and the client format's protocol headers (`protocol`: they describe a body the provider
 * gets translated).
 */
export function forwardedHeaders(ctx: GatewayContext, auth: AuthConfig, protocol: readonly string[] = []): Record<string, string> {
  // no per-request Set: the client sends a handful of headers, each checked against fixed lists
  const own = hasOwnCredential(auth);
  const authHeader = auth.header_name ? auth.header_name.toLowerCase() : null;
  const src = ctx.upstreamHeaders;
  const out: Record<string, string> = {};
  for (const k in src) {
    const value = first(src[k]);
    if (value === undefined || NOT_FORWARDED.has(k) || k === authHeader || (own && CREDENTIALS.includes(k)) || protocol.includes(k)) continue;
    out[k] = value;
  }
  return out;
}

/** `allow_override`: a credential the client sent (header, query or body param) wins over the configured one. */
export function effectiveAuth(ctx: GatewayContext, auth: AuthConfig, body: CanonicalRequest): AuthConfig {
  if (!auth.allow_override) return auth;
  const out = { ...auth };
  if (auth.header_name) {
    const v = ctx.header(auth.header_name.toLowerCase());
    if (v) out.header_value = v;
  }
  if (auth.param_name) {
    const v = auth.param_location === 'body' ? body[auth.param_name] : ctx.queryParams().get(auth.param_name);
    if (typeof v === 'string' && v !== '') out.param_value = v;
  }
  return out;
}

/** The request checked for the route type; a bad one is Kong's 400. */
export function canonical(routeType: RouteType, body: CanonicalRequest): CanonicalRequest {
  try {
    return parseCanonicalRequest(routeType, body);
  } catch (err) {
    if (err instanceof TranslationError) throw aiError(err.status, err.message);
    throw err;
  }
}

/** The model sent upstream; a client may name the configured model or its `model_alias` (3.14). */
export function chooseModel(configured: string | null, req: CanonicalRequest, format: InputFormat, alias: string | null = null): string {
  const own = typeof req.model === 'string' && req.model !== '' ? req.model : null;
  if (configured !== null) {
    // Clients whose SDKs always send a model (Anthropic's): the configured one wins.
    if (own !== null && own !== configured && own !== alias && !formatOf(format).sdkSendsModel) throw aiError(400, `cannot use own model - must be: ${configured}`);
    return configured;
  }
  if (own === null) throw aiError(400, 'model parameter not found in request, nor in gateway configuration');
  return own;
}

export function chooseStream(c: AiProxyConfig, routeType: RouteType, req: CanonicalRequest): boolean {
  if (routeType === 'llm/v1/embeddings') return false;
  if (req.stream === true && c.responseStreaming === 'deny') throw aiError(400, 'response streaming is not enabled for this LLM');
  return c.responseStreaming === 'always' || req.stream === true;
}

/** Runs every access-phase check and returns the call to make. */
export async function planRequest(ctx: GatewayContext, c: AiProxyConfig, routeType: RouteType): Promise<ProxyPlan> {
  const { name, options } = resolveModelFields(ctx, c);
  const ai = await aiRequest(ctx, { maxBodySize: c.maxRequestBodySize, llmFormat: c.llmFormat, plugin: 'ai-proxy' });
  const request = canonical(routeType, ai.body);
  const model = chooseModel(name, request, ai.inputFormat, c.modelAlias);
  const stream = chooseStream(c, routeType, request);
  const provider = getProvider(c.provider);
  if (!provider) throw aiError(500, `unsupported LLM provider '${c.provider}'`);
  if (!provider.capabilities.routeTypes.includes(routeType)) {
    throw aiError(400, `${c.provider} does not support the ${routeType} route type`);
  }
  if (stream && !provider.capabilities.streaming) throw aiError(400, 'response streaming is not enabled for this LLM');
  const auth = effectiveAuth(ctx, c.auth, request);
  if (c.auth.param_location === 'body' && c.auth.param_name && !c.auth.allow_override) delete request[c.auth.param_name];
  const target = targetFor(c, routeType, name ?? model, options, auth);
  const so = request.stream_options;
  return {
    target, request, model, stream,
    clientWantsUsage: isObject(so) && so.include_usage === true,
    headers: forwardedHeaders(ctx, auth, formatOf(ai.inputFormat).protocolHeaders),
    inputFormat: ai.inputFormat,
    ai,
  };
}
