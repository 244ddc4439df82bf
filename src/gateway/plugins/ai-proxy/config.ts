/**
 * ai-proxy's config (kong.md §1.1–§1.2), narrowed once per Runtime from the validated,
 * default-filled plugin config, plus Kong's `$(source.key)` templating of model fields, compiled
 * once: fields without a template cost nothing per request.
 */
import type { GatewayContext } from '../../context.js';
import type { AuthConfig, ModelOptions } from '../../providers/types.js';
import type { LlmTarget } from '../../llm/call/client.js';
import type { ApiRouteType } from '../../llm/wire/api-routes.js';
import { withoutNulls, type RouteType } from '../../llm/wire/openai-types.js';
import { aiError, type InputFormat } from '../../llm/formats/request.js';
import { CANONICAL_FORMAT } from '../../llm/formats/index.js';

export type ProxyRouteType = RouteType | ApiRouteType | 'preserve';

export interface AiProxyConfig {
  routeType: ProxyRouteType;
  auth: AuthConfig;
  provider: string;
  modelName: string | null;
  /** `model.model_alias` (3.14): a name clients may send instead of `model.name`. */
  modelAlias: string | null;
  options: ModelOptions;
  logStatistics: boolean;
  logPayloads: boolean;
  responseStreaming: 'allow' | 'deny' | 'always';
  maxRequestBodySize: number;
  modelNameHeader: boolean;
  llmFormat: InputFormat;
  /** Whether any string under `model` holds a `$(…)` template. */
  templated: boolean;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

const TEMPLATE = /\$\((.*?)\)/;

function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return TEMPLATE.test(v);
  if (v !== null && typeof v === 'object') return Object.values(v as Json).some(hasTemplate);
  return false;
}

/** Narrows ai-proxy's config (already validated by the schema). */
export function parseAiProxyConfig(c: Readonly<Json>): AiProxyConfig {
  const model = obj(c.model);
  const logging = obj(c.logging);
  const name = typeof model.name === 'string' && model.name !== '' ? model.name : null;
  const options = withoutNulls(obj(model.options)) as ModelOptions;
  return {
    routeType: (c.route_type as ProxyRouteType | undefined) ?? 'llm/v1/chat',
    auth: withoutNulls(obj(c.auth)) as AuthConfig,
    provider: String(model.provider),
    modelName: name,
    modelAlias: typeof model.model_alias === 'string' && model.model_alias !== '' ? model.model_alias : null,
    options,
    logStatistics: logging.log_statistics === true,
    logPayloads: logging.log_payloads === true,
    responseStreaming: (c.response_streaming as AiProxyConfig['responseStreaming'] | undefined) ?? 'allow',
    maxRequestBodySize: typeof c.max_request_body_size === 'number' ? c.max_request_body_size : 8192,
    modelNameHeader: c.model_name_header !== false,
    llmFormat: (c.llm_format as InputFormat | undefined) ?? CANONICAL_FORMAT,
    templated: hasTemplate(name) || hasTemplate(options),
  };
}

/**
 * The completion length this config caps, whatever the client asks: 0 for embeddings,
 * `model.options.max_tokens` (which overrides the client's value), else null (the client decides).
 */
export function completionCap(c: AiProxyConfig): number | null {
  if (c.routeType === 'llm/v1/embeddings') return 0;
  const max = c.options.max_tokens;
  return typeof max === 'number' && max > 0 ? max : null;
}

/** Kong's `conf_from_request`: one value of `headers`, `uri_captures` or `query_params`. */
function lookup(ctx: GatewayContext, source: string, key: string): string | undefined {
  if (source === 'headers') return ctx.header(key.toLowerCase());
  if (source === 'uri_captures') return ctx.captures[key];
  if (source === 'query_params') return ctx.queryParams().get(key) ?? undefined;
  return undefined;
}

const SOURCES = new Set(['headers', 'uri_captures', 'query_params']);

/**
 * Resolves one templated string as Kong does: the first `$(source.key)` makes the whole value the
 * request's value. Errors are Kong's 400s.
 */
export function resolveTemplate(ctx: GatewayContext, value: string): string {
  const m = TEMPLATE.exec(value);
  if (!m) return value;
  const parts = m[1].split('.');
  if (parts.length !== 2 || !SOURCES.has(parts[0])) throw aiError(400, `cannot parse expression for field '${value}'`);
  const found = lookup(ctx, parts[0], parts[1]);
  if (found === undefined || found === '') throw aiError(400, `${parts[0]} key ${parts[1]} was not provided`);
  return found;
}

function resolveDeep(ctx: GatewayContext, v: Json): Json {
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = resolveTemplate(ctx, x);
    else if (x !== null && typeof x === 'object' && !Array.isArray(x)) out[k] = resolveDeep(ctx, x as Json);
    else out[k] = x;
  }
  return out;
}

/** The model name and options for this request (templates resolved). */
export function resolveModelFields(ctx: GatewayContext, c: AiProxyConfig): { name: string | null; options: ModelOptions } {
  if (!c.templated) return { name: c.modelName, options: c.options };
  return {
    name: c.modelName === null ? null : resolveTemplate(ctx, c.modelName),
    options: resolveDeep(ctx, c.options as Json) as ModelOptions,
  };
}

/** The LLM target for one request. */
export function targetFor(c: AiProxyConfig, routeType: RouteType, name: string | null, options: ModelOptions, auth: AuthConfig): LlmTarget {
  return {
    route_type: routeType,
    auth,
    model: { provider: c.provider, name, options },
    logging: { log_statistics: c.logStatistics, log_payloads: c.logPayloads },
  };
}
