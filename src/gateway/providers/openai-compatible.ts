/**
 * Factory for providers that speak OpenAI's wire format (openai, azure, mistral/llama2 `openai`
 * format, huggingface chat). Requests pass through with `model` set, `stream` explicit, `top_k`
 * dropped and, when streaming, `stream_options.include_usage` requested.
 */
import { TranslationError, transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import {
  asArray, isObject, type CanonicalChunk, type CanonicalResponse, type ChatCompletion, type EmbeddingList,
  type JsonObject, type RouteType, type TextCompletion, type Usage,
} from '../llm/wire/openai-types.js';
import { parseOpenAIUsage } from '../llm/wire/usage.js';
import { wireUsage, zeroUsage } from '../llm/wire/openai-types.js';
import { resolveEndpoint } from './endpoint.js';
import { editableCopy } from '../llm/wire/shallow-copy.js';
import { applyStaticAuth } from './request-auth.js';
import type { Provider, ProviderContext, StreamTranslator } from './types.js';

export interface OpenAICompatibleSpec {
  name: string;
  /** See Provider.since. */
  since?: string;
  routeTypes: readonly RouteType[];
  /** Full default URL for a route type, or null when `upstream_url` is required. */
  url(ctx: ProviderContext): string | null;
  /**
   * Self-hosted servers (vllm): the path of each route type, appended to an `upstream_url` that
   * names only the server (`http://vllm:8000`).
   */
  paths?: Partial<Record<RouteType, string>>;
  /** Extra query parameters (Azure `api-version`). */
  query?(ctx: ProviderContext): Record<string, string>;
  /** Whether the model name is sent in the body (Azure names it in the URL, but accepts it). */
  sendModel?: boolean;
  /**
   * Whether to ask for `stream_options.include_usage` (default true). Off for upstreams that reject
   * unknown fields or report usage unasked.
   */
  streamUsage?: boolean | ((ctx: ProviderContext) => boolean);
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Extra `ai.proxy.meta` fields (see Provider.analyticsMeta). */
  analyticsMeta?: Provider['analyticsMeta'];
  /** See ProviderCapabilities.noStatistics. */
  noStatistics?: Provider['capabilities']['noStatistics'];
  /** The API route types it serves (images, audio, files…). */
  apis?: Provider['apis'];
  /** The `model` of a native Responses body (Azure: the deployment); default the resolved model. */
  responsesModel?(ctx: ProviderContext): string;
}

/** A native Responses body: the client's, with the model and `stream` decided (no chat-only fields). */
function responsesBody(spec: OpenAICompatibleSpec, ctx: ProviderContext, body: JsonObject): JsonObject {
  return { ...body, model: spec.responsesModel?.(ctx) ?? ctx.model, stream: ctx.stream };
}

export function openAIRequestBody(spec: OpenAICompatibleSpec, ctx: ProviderContext, body: JsonObject): JsonObject {
  if (ctx.routeType === 'llm/v1/responses') return responsesBody(spec, ctx, body);
  const out: JsonObject = editableCopy(body);
  delete out.top_k;
  if (spec.sendModel === false) delete out.model;
  else out.model = ctx.model;
  if (ctx.routeType === 'llm/v1/embeddings') {
    delete out.stream;
    return out;
  }
  out.stream = ctx.stream;
  const askUsage = typeof spec.streamUsage === 'function' ? spec.streamUsage(ctx) : spec.streamUsage !== false;
  if (ctx.stream && askUsage) {
    out.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
  }
  return out;
}

/** `encoding_format: base64` embeddings (little-endian float32) → numbers. */
function base64Floats(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
  return out;
}

/** Narrows an OpenAI-format 200 body, with Kong's "'choices' not in … response" failure. */
export function openAIResponse(provider: string, routeType: RouteType, body: unknown): CanonicalResponse {
  if (!isObject(body)) throw transformationFailed(provider, routeType, 'response is not a JSON object');
  const usage: Usage = parseOpenAIUsage(body.usage, body.service_tier) ?? zeroUsage();
  if (routeType === 'llm/v1/embeddings') {
    if (!Array.isArray(body.data)) throw transformationFailed(provider, routeType, `'data' not in ${routeType} response`);
    const prompt = isObject(body.usage) && typeof body.usage.prompt_tokens === 'number' ? body.usage.prompt_tokens : 0;
    const list: EmbeddingList = {
      object: 'list', model: typeof body.model === 'string' ? body.model : '',
      data: asArray(body.data).filter(isObject).map((d, i) => ({
        object: 'embedding', index: typeof d.index === 'number' ? d.index : i,
        embedding: typeof d.embedding === 'string' ? base64Floats(d.embedding) : asArray(d.embedding).filter((n): n is number => typeof n === 'number'),
      })),
      usage: { prompt_tokens: prompt, total_tokens: prompt },
    };
    return list;
  }
  if (!Array.isArray(body.choices)) throw transformationFailed(provider, routeType, `'choices' not in ${routeType} response`);
  const object = routeType === 'llm/v1/chat' ? 'chat.completion' : 'text_completion';
  // The choices are passed through as the upstream sent them (the openai family is not translated).
  const out = editableCopy(body);
  out.object = object;
  out.usage = wireUsage(usage);
  return out as ChatCompletion | TextCompletion;
}

function isChunk(v: unknown): v is CanonicalChunk {
  return isObject(v) && Array.isArray(v.choices);
}

/** Pass-through stream translator: OpenAI chunks stay as they are; usage is remembered. */
export function openAIStreamTranslator(): StreamTranslator {
  let usage: Usage | null = null;
  return {
    onEvent(ev) {
      const json = eventJson(ev);
      if (isObject(json) && isObject(json.error)) {
        throw new TranslationError(`upstream stream error: ${typeof json.error.message === 'string' ? json.error.message : JSON.stringify(json.error)}`, 502);
      }
      if (!isChunk(json)) return [];
      const u = parseOpenAIUsage(json.usage, isObject(json) ? json.service_tier : undefined);
      if (u !== null) usage = u;
      return [json];
    },
    onEnd: () => [],
    usage: () => usage,
  };
}

export function openAICompatible(spec: OpenAICompatibleSpec): Provider {
  return {
    name: spec.name,
    ...(spec.since ? { since: spec.since } : {}),
    capabilities: { routeTypes: spec.routeTypes, streaming: true, usageInStream: spec.streamUsage !== false, ...(spec.noStatistics ? { noStatistics: spec.noStatistics } : {}) },
    endpoint(ctx) {
      const url = resolveEndpoint(ctx, spec.url(ctx), spec.name, spec.paths?.[ctx.routeType]);
      for (const [k, v] of Object.entries(spec.query?.(ctx) ?? {})) url.searchParams.set(k, v);
      return url;
    },
    authorize: applyStaticAuth,
    toUpstream: (ctx, body) => ({ body: openAIRequestBody(spec, ctx, body), headers: spec.headers }),
    fromUpstream: (ctx, _status, body) => openAIResponse(spec.name, ctx.routeType, body),
    framing: () => 'sse',
    streamTranslator: () => openAIStreamTranslator(),
    ...(spec.analyticsMeta ? { analyticsMeta: spec.analyticsMeta } : {}),
    ...(spec.apis ? { apis: spec.apis } : {}),
  };
}
