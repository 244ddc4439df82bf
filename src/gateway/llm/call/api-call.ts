/**
 * One call of an API route type (images, audio, files, batches, assistants, videos): the client's
 * method, resource path, query and body go to the provider's URL for that resource with the
 * configured credentials; the reply comes back as a stream, whatever its status (a provider's error
 * is passed through, as Kong does). Only network failures become results of their own (502/504).
 *
 * Bodies are never buffered here: a JSON body arrives parsed (the plugin edited its `model`), any
 * other body as a stream the plugin has already bounded (llm/wire/multipart.ts).
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ApiRouteType } from '../wire/api-routes.js';
import { TranslationError } from '../wire/errors.js';
import { isObject, type JsonObject } from '../wire/openai-types.js';
import type { Provider, ProviderContext, UpstreamRequest } from '../../providers/types.js';
import type { CallerEnv, CallFailure, CallOptions, LlmTarget, UpstreamHeaders } from './call-types.js';
import { cleanHeaders, decoded, headerText, mergeHeaders, networkFailure } from './client-io.js';
import { DEFAULT_TIMEOUTS, providerContext, providerOf } from './client.js';

export interface ApiRequest {
  routeType: ApiRouteType;
  method: string;
  /** The OpenAI resource path (`/files/file-1/content`), see llm/wire/api-routes.ts. */
  resource: string;
  /** The model the call is for, when one is known (analytics, the provider context). */
  model: string | null;
  /** The client's query string, forwarded (the provider's own parameters win). */
  query: URLSearchParams;
  /** Headers forwarded from the client; the provider's credentials win over them. */
  headers: Record<string, string>;
  /** A parsed JSON body, a stream (with `contentType`), or none. */
  body: JsonObject | Readable | undefined;
  contentType?: string;
}

export interface ApiSuccess {
  ok: true;
  status: number;
  headers: UpstreamHeaders;
  body: Readable;
  /** process.hrtime.bigint() when the request was sent. */
  start: bigint;
}

export type ApiResult = ApiSuccess | CallFailure;

function jsonOf(body: ApiRequest['body']): JsonObject | undefined {
  return body instanceof Readable || !isObject(body) ? undefined : body;
}

/** The provider of `target` and its context, for an API route type it must serve. */
export function apiContext(target: LlmTarget, routeType: ApiRouteType, model: string | null, opts: Pick<CallOptions, 'requestId' | 'clientQuery'>, env: CallerEnv): { provider: Provider; ctx: ProviderContext } {
  const provider = providerOf(target);
  if (!provider.apis?.routeTypes.includes(routeType)) {
    throw new TranslationError(`${provider.name} does not support the ${routeType} route type`, 400);
  }
  // providerContext resolves a model name; API calls may have none (files, batches): '' then.
  const ctx = providerContext(target, { model: model ?? '-' }, { stream: false, ...opts }, env);
  return { provider, ctx: { ...ctx, model: model ?? '' } };
}

/** The authorised upstream request (URL with the client's query, credentials) for an API call. */
export async function prepareApi(provider: Provider, ctx: ProviderContext, req: ApiRequest): Promise<UpstreamRequest> {
  const apis = provider.apis;
  if (!apis) throw new TranslationError(`${provider.name} does not support the ${req.routeType} route type`, 400);
  const url = apis.url(ctx, req.routeType, req.resource);
  for (const [k, v] of req.query) if (!url.searchParams.has(k)) url.searchParams.append(k, v);
  const headers: Record<string, string> = {};
  const json = jsonOf(req.body);
  if (json) headers['Content-Type'] = 'application/json';
  else if (req.contentType) headers['Content-Type'] = req.contentType;
  return provider.authorize(ctx, { method: 'POST', url, headers, body: json });
}

/** Sends one API call; see the file comment for what comes back. */
export async function callApi(target: LlmTarget, req: ApiRequest, opts: CallOptions, env: CallerEnv): Promise<ApiResult> {
  const { provider, ctx } = apiContext(target, req.routeType, req.model, opts, env);
  const up = await prepareApi(provider, ctx, req);
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const start = process.hrtime.bigint();
  const json = jsonOf(req.body);
  const body = json ? JSON.stringify(isObject(up.body) ? up.body : json) : req.body instanceof Readable ? req.body : undefined;
  let res: Dispatcher.ResponseData;
  try {
    res = await env.dispatcher(timeouts.connect).request({
      origin: up.url.origin,
      path: up.url.pathname + up.url.search,
      method: req.method as Dispatcher.HttpMethod,
      headers: mergeHeaders(opts.headers, up.headers),
      body,
      headersTimeout: timeouts.read,
      bodyTimeout: timeouts.read,
      signal: opts.signal,
    });
  } catch (err) {
    return networkFailure(err, start, opts.signal);
  }
  const headers = cleanHeaders(res.headers);
  const type = headerText(res.headers, 'content-type');
  if (type) headers['content-type'] = type;
  return { ok: true, status: res.statusCode, headers, body: decoded(res.body, headerText(res.headers, 'content-encoding')), start };
}
