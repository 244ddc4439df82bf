/**
 * One LLM call, reusable by every AI plugin (ai-proxy, ai-proxy-advanced failover, the AI
 * transformers, the semantic cache's embeddings):
 *
 *   CanonicalRequest ─► resolve model ─► mergeModelOptions ─► prepareUpstream (translate + auth)
 *        ─► undici request (keep-alive pool, connect/read timeouts, never fetch)
 *        ─► non-200: { ok:false, error:'http' } with the raw upstream body (Kong passes it through)
 *        ─► 200 buffered: translateResponse → CanonicalResponse + usage
 *        ─► 200 stream: deframe + translate lazily, chunk by chunk (constant memory) → CanonicalChunk
 *
 * Errors before the network call (no model, a body the provider cannot take, missing cloud
 * credentials) and 200 replies that cannot be converted are thrown as TranslationError carrying
 * Kong's status and message. Network failures are results, not exceptions, so callers can fail over.
 */
import type { Dispatcher } from 'undici';
import { isUtf8 } from 'node:buffer';
import { bodyFailure, cleanHeaders, decodeBuffer, decoded, failure, headerText, mergeHeaders, ms, networkFailure, readBody } from './client-io.js';
import { startStream } from './client-stream.js';
import { TranslationError } from '../wire/errors.js';
import { LightAbort, onAbort } from '../wire/abort.js';
import { sameJson } from '../wire/json-form.js';
import { withoutNulls, type CanonicalRequest, type Usage } from '../wire/openai-types.js';
import { getProvider } from '../../providers/index.js';
import type { CallerEnv, CallOptions, LlmTarget, LlmTimeouts, ProviderCallResult } from './call-types.js';
export type * from './call-types.js';
export { LlmStreamError } from './client-stream.js';
export { kongAiErrorBody } from './client-io.js';
import { mergeModelOptions, prepareUpstream, translateResponse } from './translate.js';
import type { AuthConfig, ModelOptions, Provider, ProviderContext } from '../../providers/types.js';

export const DEFAULT_TIMEOUTS: LlmTimeouts = { connect: 60_000, read: 60_000, write: 60_000 };
/** Read timeouts below this get a precise timer; longer ones use undici's (±0.5 s). */
const PRECISE_BELOW_MS = 5_000;

export function resolveModel(target: LlmTarget, request: CanonicalRequest): string {
  const configured = target.model.name;
  if (configured) return configured;
  if (typeof request.model === 'string' && request.model !== '') return request.model;
  throw new TranslationError('model parameter not found in request, nor in gateway configuration', 400);
}

export function providerOf(target: LlmTarget): Provider {
  const p = getProvider(target.model.provider);
  if (!p) throw new TranslationError(`unsupported LLM provider '${target.model.provider}'`, 500);
  return p;
}

/**
 * `withoutNulls` of a target's options or auth, computed once per object: a route's config objects
 * live as long as its Runtime (per-request ones, templated or overridden, are simply new keys).
 * Frozen: providers read them, never write them.
 */
const cleaned = new WeakMap<object, Readonly<Record<string, unknown>>>();
function withoutNullsOnce(v: object | null | undefined): Readonly<Record<string, unknown>> {
  if (v === null || v === undefined) return EMPTY;
  let out = cleaned.get(v);
  if (out === undefined) {
    out = Object.freeze(withoutNulls({ ...(v as Record<string, unknown>) }));
    cleaned.set(v, out);
  }
  return out;
}
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

export function providerContext(target: LlmTarget, request: CanonicalRequest, opts: Pick<CallOptions, 'stream' | 'requestId' | 'clientQuery'>, env: CallerEnv): ProviderContext {
  const ctx: ProviderContext = {
    routeType: target.route_type,
    model: resolveModel(target, request),
    options: withoutNullsOnce(target.model.options) as ModelOptions,
    auth: withoutNullsOnce(target.auth) as AuthConfig,
    stream: opts.stream,
    env: env.env as Record<string, string | undefined>,
    now: env.now,
    requestId: opts.requestId,
    gcpAccessToken: env.gcpAccessToken,
  };
  if (opts.clientQuery) ctx.clientQuery = opts.clientQuery;
  return ctx;
}


/**
 * Calls the provider named by `target.model.provider` with a canonical (OpenAI-shaped) request.
 * Plugin `model.options` sampling values override the request's; `model` is the configured name,
 * else the request's. Never uses fetch; connections are pooled and kept alive. Plugins call this
 * through their LlmCaller (`deps.llm`, caller.ts), which supplies `env`.
 *
 * @throws TranslationError (status 400/500, Kong's message) when the request cannot be built or a
 *   200 reply cannot be converted; the signal's reason when aborted.
 */
/** @internal the caller (caller.ts) is the way in. */
export async function callProvider(target: LlmTarget, request: CanonicalRequest, opts: CallOptions, env: CallerEnv): Promise<ProviderCallResult> {
  const provider = providerOf(target);
  const pctx = providerContext(target, request, opts, env);
  const merged = mergeModelOptions(pctx, request);
  const prepared = prepareUpstream(provider, pctx, merged);
  const up = prepared instanceof Promise ? await prepared : prepared;
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const dispatcher = env.dispatcher(timeouts.connect);
  const start = process.hrtime.bigint();
  // undici's own timers tick every ~500 ms: short read timeouts get a precise timer of their own.
  let signal = opts.signal;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  if (timeouts.read < PRECISE_BELOW_MS) {
    const abort = new LightAbort();
    const outer = opts.signal;
    // Stays subscribed after the headers: a client that leaves mid-stream still stops the body.
    if (outer) onAbort(outer, () => abort.abort(outer.reason));
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new Error('headers timeout'));
    }, timeouts.read);
    signal = abort;
  }
  let res: Dispatcher.ResponseData;
  try {
    res = await dispatcher.request({
      origin: up.url.origin,
      path: up.url.pathname + up.url.search,
      method: up.method,
      headers: mergeHeaders(opts.headers, up.headers),
      body: typeof up.body === 'string' ? up.body : JSON.stringify(up.body),
      headersTimeout: timeouts.read,
      bodyTimeout: timeouts.read,
      // undici takes an EventTarget or an emitter with `aborted`/`reason` (wire/abort.ts).
      signal: signal as Dispatcher.RequestOptions['signal'],
    });
  } catch (err) {
    if (timedOut) return failure('timeout', 504, 'The upstream LLM is timing out', start);
    return networkFailure(err, start, opts.signal);
  } finally {
    if (timer) clearTimeout(timer);
  }
  const encoding = headerText(res.headers, 'content-encoding');
  const headers = cleanHeaders(res.headers);
  const contentType = headerText(res.headers, 'content-type');
  if (res.statusCode !== 200) {
    let raw: Buffer;
    try {
      raw = decodeBuffer(await readBody(res.body), encoding);
    } catch (err) {
      return bodyFailure(err, start, opts.signal);
    }
    if (contentType) headers['content-type'] = contentType;
    return { ok: false, status: res.statusCode, headers, body: raw, error: 'http', message: `upstream answered ${res.statusCode}`, latencyMs: ms(start) };
  }
  if (opts.stream && target.route_type !== 'llm/v1/embeddings') {
    return startStream(provider, pctx, merged, { body: decoded(res.body, encoding), headers, contentType, start, signal: opts.signal });
  }
  let raw: Buffer;
  try {
    raw = decodeBuffer(await readBody(res.body), encoding);
  } catch (err) {
    return bodyFailure(err, start, opts.signal);
  }
  const text = raw.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure('garbage', 502, 'The upstream LLM returned an invalid response (not JSON)', start);
  }
  const response = translateResponse(provider, pctx, merged, 200, json);
  const usage: Usage = 'completion_tokens' in response.usage
    ? response.usage
    : { prompt_tokens: response.usage.prompt_tokens, completion_tokens: 0, total_tokens: response.usage.total_tokens };
  // An answer that is the upstream's JSON unchanged (OpenAI's wire format, `object` and usage as the
  // gateway would write them) is sent as the upstream's bytes, as Kong sends them: the same JSON value,
  // written as the upstream wrote it. `fromUpstream` never modifies `json`; a body that is not valid
  // UTF-8 is serialised again (its text has U+FFFD in place of the bad bytes).
  const same = response !== json && sameJson(response, json) && isUtf8(raw);
  return { ok: true, kind: 'buffered', status: 200, headers, response, usage, latencyMs: ms(start), model: pctx.model, bytes: same ? raw : undefined, text: same ? text : undefined };
}
