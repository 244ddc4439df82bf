/**
 * ai-proxy on an API route type (kong-3.14.md §1a: images, audio, files, batches, assistants,
 * videos): the client's OpenAI-shaped call goes to the provider's endpoint for it with the
 * configured credentials, and the provider's reply comes back as it is, streamed.
 *
 *   JSON body (images/generations, audio/speech, batches…): read within `max_request_body_size`;
 *     on a creating call the configured `model.name` is the body's `model` (Kong's precedence:
 *     another model from the client is `cannot use own model`).
 *   multipart body (images/edits, transcriptions, translations, file uploads): streamed, never
 *     buffered whole (llm/wire/multipart.ts); text fields are read within `max_request_body_size`,
 *     the configured model replaces the client's `model` field (it cannot be refused: uploads
 *     usually send the file before the model), the whole upload is bounded by UPLOAD_LIMIT.
 *   RESTful types (files, batches, assistants, videos): GET/POST/DELETE on the client's resource
 *     path from the type's collection on (`…/files/file-1/content` → `/files/file-1/content`).
 *
 * Analytics: provider, model and latency for every call; token usage where the reply reports it
 * (image generation's `usage`).
 */
import { Readable } from 'node:stream';
import { BodyTooLargeError, type GatewayContext, type HeaderValue, type UpstreamResult } from '../../context.js';
import type { PluginDeps } from '../../plugin.js';
import { getProvider, PROVIDERS } from '../../providers/index.js';
import type { LlmTarget } from '../../llm/call/client.js';
import type { ApiRequest, ApiResult } from '../../llm/call/api-call.js';
import { AI_ANALYTICS, buildAnalytics } from '../../llm/call/analytics.js';
import { API_ROUTES, isCreate, resourcePath, type ApiRouteType } from '../../llm/wire/api-routes.js';
import { BodyLimitError, FieldLimitError, limitBytes, rewriteMultipart } from '../../llm/wire/multipart.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { asNumber, isObject, zeroUsage, type JsonObject, type Usage } from '../../llm/wire/openai-types.js';
import { makeUsage, parseOpenAIUsage } from '../../llm/wire/usage.js';
import { aiError } from '../../llm/formats/request.js';
import { resolveModelFields, targetFor, type AiProxyConfig } from './config.js';
import { effectiveAuth, forwardedHeaders } from './request.js';
import type { LlmTimeouts } from '../../llm/call/client.js';

/** The largest streamed upload (OpenAI's Files API limit, 512 MB). */
export const UPLOAD_LIMIT = 512 * 1024 * 1024;
/** The largest JSON reply read whole to count its usage (images as base64 are a few MB). */
const USAGE_READ_LIMIT = 64 * 1024 * 1024;
const RESTFUL_METHODS = new Set(['GET', 'POST', 'DELETE']);

export interface ApiPlan {
  target: LlmTarget;
  request: ApiRequest;
  headers: Record<string, string>;
}

function mediaType(ctx: GatewayContext): string {
  return (ctx.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

function isJson(type: string): boolean {
  return type === '' || type === 'application/json' || type.endsWith('+json');
}

/** Kong's model precedence on a JSON body: the configured model (which its `model_alias` names too), else the client's. */
function jsonModel(configured: string | null, body: JsonObject, alias: string | null): string | null {
  const own = typeof body.model === 'string' && body.model !== '' ? body.model : null;
  if (configured !== null && own !== null && own !== configured && own !== alias) throw aiError(400, `cannot use own model - must be: ${configured}`);
  const model = configured ?? own;
  if (model === null) throw aiError(400, 'model parameter not found in request, nor in gateway configuration');
  body.model = model;
  return model;
}

async function jsonBody(ctx: GatewayContext, c: AiProxyConfig): Promise<JsonObject> {
  const limit = c.maxRequestBodySize > 0 ? c.maxRequestBodySize : Number.POSITIVE_INFINITY;
  let raw: Buffer;
  try {
    raw = await ctx.body(limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw aiError(413, `request body is larger than max_request_body_size (${c.maxRequestBodySize} bytes): raise config.max_request_body_size`);
    }
    throw err;
  }
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) throw aiError(400, 'content-type header does not match request body, or bad JSON formatting');
  return parsed;
}

/** The client's body as a stream: the request itself, or the buffer another plugin already read. */
async function bodyStream(ctx: GatewayContext): Promise<Readable> {
  return ctx.bodyBuffered ? Readable.from([await ctx.body()]) : ctx.req;
}

function checkMethod(routeType: ApiRouteType, method: string): void {
  const restful = API_ROUTES[routeType].restful;
  if (restful ? RESTFUL_METHODS.has(method) : method === 'POST') return;
  throw aiError(405, `method ${method} is not allowed on route type ${routeType} (${restful ? 'GET, POST and DELETE' : 'POST'} only)`);
}

/**
 * Why `aigw serve` cannot serve `routeType` with `provider` (a startup refusal), or null when it can:
 * the route type is not implemented, or the provider has no such API here.
 */
export function apiRefusal(provider: string, routeType: ApiRouteType): string | null {
  const refused = API_ROUTES[routeType].refused;
  if (refused !== undefined) return `route_type '${routeType}' is not served by aigw serve: ${refused}`;
  if (getProvider(provider)?.apis?.routeTypes.includes(routeType)) return null;
  const serving = PROVIDERS.filter((p) => p.apis?.routeTypes.includes(routeType)).map((p) => p.name);
  return `route_type '${routeType}' is not served by aigw serve for provider '${provider}' (it is for ${serving.join(', ')})`;
}

/** Every access-phase check of an API call; returns the call to make. */
export async function planApi(ctx: GatewayContext, c: AiProxyConfig, routeType: ApiRouteType): Promise<ApiPlan> {
  const provider = getProvider(c.provider);
  if (!provider) throw aiError(500, `unsupported LLM provider '${c.provider}'`);
  if (!provider.apis?.routeTypes.includes(routeType)) throw aiError(400, `${c.provider} does not support the ${routeType} route type`);
  checkMethod(routeType, ctx.method);
  const resource = resourcePath(routeType, ctx.path);
  const { name, options } = resolveModelFields(ctx, c);
  const creates = API_ROUTES[routeType].modelField && isCreate(routeType, ctx.method, resource);
  const type = mediaType(ctx);
  let body: ApiRequest['body'];
  let contentType: string | undefined;
  let model = name;
  let parsed: JsonObject = {};
  if (ctx.method === 'GET' || ctx.method === 'DELETE') {
    body = undefined;
  } else if (type === 'multipart/form-data') {
    const source = limitBytes(await bodyStream(ctx), UPLOAD_LIMIT);
    const fieldLimit = c.maxRequestBodySize > 0 ? c.maxRequestBodySize : UPLOAD_LIMIT;
    if (creates && name !== null) {
      let sent = false;
      const out = rewriteMultipart(source, ctx.header('content-type') ?? '', {
        field: (field, value) => (field === 'model' ? ((sent = true), name) : value),
        extra: (): Record<string, string> => (sent ? {} : { model: name }),
      }, fieldLimit);
      body = out.body;
      contentType = out.contentType;
    } else {
      body = source;
      contentType = ctx.header('content-type');
    }
  } else if (isJson(type)) {
    parsed = await jsonBody(ctx, c);
    if (creates) model = jsonModel(name, parsed, c.modelAlias);
    body = parsed;
  } else {
    body = limitBytes(await bodyStream(ctx), UPLOAD_LIMIT);
    contentType = ctx.header('content-type');
  }
  const auth = effectiveAuth(ctx, c.auth, parsed);
  if (c.auth.param_location === 'body' && c.auth.param_name && !c.auth.allow_override && type !== 'multipart/form-data') delete parsed[c.auth.param_name];
  // The target's route_type is the LLM record's; the API route type travels in the request.
  const target = targetFor(c, 'llm/v1/chat', model, options, auth);
  const request: ApiRequest = {
    routeType, method: ctx.method, resource, model, query: ctx.queryParams(), headers: {}, body,
    ...(contentType ? { contentType } : {}),
  };
  return { target, request, headers: forwardedHeaders(ctx, auth) };
}

/** Image generation's `usage` ({input_tokens, output_tokens}) or OpenAI's chat shape. */
function usageOf(v: unknown): Usage | null {
  if (!isObject(v)) return null;
  const u = v.usage;
  if (!isObject(u)) return null;
  const input = asNumber(u.input_tokens);
  const output = asNumber(u.output_tokens);
  if (input !== undefined || output !== undefined) return makeUsage(input ?? 0, output ?? 0, asNumber(u.total_tokens));
  return parseOpenAIUsage(u);
}

/** Reads `body` whole when it is at most `limit` bytes; otherwise what was read and the rest, still streaming. */
async function readUpTo(body: Readable, limit: number): Promise<{ whole: Buffer } | { head: Buffer[]; rest: AsyncIterator<unknown> }> {
  const it = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size <= limit) {
    const n = await it.next();
    if (n.done === true) return { whole: Buffer.concat(head) };
    const b = n.value as Buffer;
    head.push(b);
    size += b.length;
  }
  return { head, rest: it };
}

async function* chunksOf(head: Buffer[], rest: AsyncIterator<unknown>, done: () => void): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (;;) {
      const n = await rest.next();
      if (n.done === true) return;
      yield n.value as Buffer;
    }
  } finally {
    await rest.return?.();
    done();
  }
}

/** The error a streamed request body failed with, if it did. */
function streamError(body: ApiRequest['body']): unknown {
  return body instanceof Readable ? body.errored ?? undefined : undefined;
}

/** A body stream failure of our own making (upload limits) → the client's 413; anything else rethrown. */
function uploadError(err: unknown): never {
  if (err instanceof BodyLimitError) throw aiError(413, `request body is larger than ${err.limit} bytes`);
  if (err instanceof TranslationError) throw aiError(err.status, err.message);
  if (err instanceof FieldLimitError) throw aiError(413, `multipart field '${err.field}' is larger than max_request_body_size (${err.limit} bytes): raise config.max_request_body_size`);
  throw err;
}

export interface ApiCallDeps {
  pluginId: string;
  timeouts: LlmTimeouts;
  llm: PluginDeps['llm'];
}

/** Sends the call and hands the provider's reply to the pipeline; records analytics when it ends. */
export async function runApi(ctx: GatewayContext, c: AiProxyConfig, plan: ApiPlan, deps: ApiCallDeps): Promise<UpstreamResult> {
  const abort = new AbortController();
  ctx.res.once('close', () => abort.abort(new Error('client closed the connection')));
  const req = plan.request;
  let result: ApiResult;
  try {
    result = await deps.llm.callApi(plan.target, req, {
      stream: false, requestId: ctx.requestId, timeouts: deps.timeouts, signal: abort.signal,
      clientQuery: ctx.queryParams(), headers: plan.headers,
    });
  } catch (err) {
    uploadError(streamError(req.body) ?? err);
  }
  const failedUpload = streamError(req.body);
  if (failedUpload instanceof BodyLimitError || failedUpload instanceof FieldLimitError) uploadError(failedUpload);
  const type = (result.headers['content-type'] ?? '').toString();
  const record = (usage: Usage, responseModel?: string): void => ctx.set(AI_ANALYTICS, buildAnalytics({
    pluginId: deps.pluginId, provider: c.provider, requestModel: req.model ?? '', responseModel,
    latencyMs: result.ok ? Number(process.hrtime.bigint() - result.start) / 1e6 : result.latencyMs, usage,
    pricing: c.options,
    stream: type.includes('event-stream'), logStatistics: c.logStatistics, logPayloads: false,
  }));
  const headers: Record<string, HeaderValue> = { ...result.headers };
  if (!result.ok) {
    record(zeroUsage());
    return { kind: 'buffered', status: result.status, headers: { 'content-type': 'application/json', ...headers }, body: result.body };
  }
  let head: Buffer[] = [];
  let rest: AsyncIterator<unknown> | null = null;
  if (API_ROUTES[req.routeType].usage && result.status === 200 && type.includes('json')) {
    const read = await readUpTo(result.body, USAGE_READ_LIMIT);
    if ('whole' in read) {
      let v: unknown;
      try {
        v = JSON.parse(read.whole.toString('utf8'));
      } catch { /* not JSON: no usage */ }
      record(usageOf(v) ?? zeroUsage(), isObject(v) && typeof v.model === 'string' ? v.model : undefined);
      return { kind: 'buffered', status: result.status, headers, body: read.whole };
    }
    ({ head, rest } = read);
  }
  rest ??= result.body[Symbol.asyncIterator]();
  return { kind: 'stream', status: result.status, headers, chunks: chunksOf(head, rest, () => record(zeroUsage())) };
}
