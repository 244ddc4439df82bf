/**
 * A native call: the client's request in the provider's own API, passed through rather than
 * translated (Kong's RESTful route types; today `llm/v1/responses` on providers whose
 * `capabilities.routeTypes` list it). The provider still builds the URL (`endpoint` + the
 * operation's path suffix), the body (`toUpstream`: model, `stream`) and the credentials.
 *
 *   create (POST, body)      ─► 200 JSON: the body as is, plus its usage for analytics
 *                             ─► 200 SSE: the events as they come (re-framed `event:`/`data:`), usage
 *                                from the final `response.completed|incomplete|failed` event
 *   GET / DELETE / POST {id}… ─► the upstream's answer, as is
 *   non-200                   ─► CallFailure{error:'http'} with the raw body (passed through)
 */
import type { Dispatcher } from 'undici';
import { bodyFailure, cleanHeaders, decodeBuffer, decoded, failure, headerText, mergeHeaders, ms, networkFailure, readBody } from './client-io.js';
import { DEFAULT_TIMEOUTS, providerContext, providerOf } from './client.js';
import { LlmStreamError } from './client-stream.js';
import type { CallerEnv, CallFailure, CallOptions, LlmTarget, UpstreamHeaders } from './call-types.js';
import type { CallSignal } from '../wire/abort.js';
import { createDeframer } from '../wire/framing.js';
import { isObject, type JsonObject, type Usage } from '../wire/openai-types.js';
import { FINAL_EVENTS, responseSummary } from '../wire/responses.js';
import type { UpstreamRequest } from '../../providers/types.js';

export interface NativeRequest {
  method: 'POST' | 'GET' | 'DELETE';
  /** Path after the provider's endpoint for the route type ('' for create, `/{id}`, `/{id}/input_items`…). */
  suffix: string;
  /** The client's body (create), model and stream already decided. */
  body?: JsonObject;
}

export interface NativeBuffered {
  ok: true;
  kind: 'buffered';
  status: number;
  headers: UpstreamHeaders;
  body: Buffer;
  /** Usage the upstream reported (create only); null when none. */
  usage: Usage | null;
  model: string | undefined;
  latencyMs: number;
}

export interface NativeSummary { usage: Usage | null; model: string | undefined; latencyMs: number; firstTokenMs: number | null; error?: string }

export interface NativeStream {
  ok: true;
  kind: 'stream';
  status: number;
  headers: UpstreamHeaders;
  /** SSE text, one group of events per upstream read. Throws LlmStreamError when the stream breaks. */
  frames: AsyncIterable<string>;
  /** Settles (never rejects) when the stream ended, broke or the consumer stopped reading. */
  done: Promise<NativeSummary>;
}

export type NativeResult = NativeBuffered | NativeStream | CallFailure;

const FIRST_OUTPUT = /^response\.(output_text|function_call_arguments|custom_tool_call_input|reasoning_summary_text|reasoning_text|refusal)\.delta$/;

async function prepare(target: LlmTarget, req: NativeRequest, opts: CallOptions, env: CallerEnv): Promise<UpstreamRequest> {
  const provider = providerOf(target);
  const pctx = providerContext(target, req.body ?? {}, opts, env);
  const url = provider.endpoint(pctx);
  url.pathname = url.pathname.replace(/\/+$/, '') + req.suffix;
  if (req.body === undefined) return provider.authorize(pctx, { method: req.method, url, headers: {}, body: undefined });
  const { body, headers } = provider.toUpstream(pctx, req.body);
  return provider.authorize(pctx, { method: req.method, url, headers: { 'Content-Type': 'application/json', ...(headers ?? {}) }, body });
}

function streamOf(res: Dispatcher.ResponseData, headers: UpstreamHeaders, start: bigint, signal: CallSignal | undefined): NativeStream {
  const body = decoded(res.body, headerText(res.headers, 'content-encoding'));
  const deframer = createDeframer('sse');
  const summary: NativeSummary = { usage: null, model: undefined, latencyMs: 0, firstTokenMs: null };
  let resolveDone!: (s: NativeSummary) => void;
  const done = new Promise<NativeSummary>((r) => (resolveDone = r));
  const frame = (ev: { event?: string; data: string }): string => {
    let type = ev.event;
    if (type === undefined || FINAL_EVENTS.has(type)) {
      try {
        const j: unknown = JSON.parse(ev.data);
        if (isObject(j) && typeof j.type === 'string') type ??= j.type;
        if (type !== undefined && FINAL_EVENTS.has(type)) Object.assign(summary, responseSummary(j));
      } catch { /* not JSON: passed on as is */ }
    }
    if (summary.firstTokenMs === null && type !== undefined && FIRST_OUTPUT.test(type)) summary.firstTokenMs = ms(start);
    return `${type === undefined ? '' : `event: ${type}\n`}data: ${ev.data}\n\n`;
  };
  const render = (evs: ReturnType<typeof deframer.feed>): string => evs.map((e) => (e.kind === 'sse' ? frame(e) : '')).join('');
  async function* frames(): AsyncGenerator<string> {
    let finished = false;
    try {
      for await (const chunk of body) {
        const text = render(deframer.feed(chunk as Buffer));
        if (text !== '') yield text;
      }
      const tail = render(deframer.end());
      if (tail !== '') yield tail;
      finished = true;
    } catch (err) {
      if (signal?.aborted) throw err;
      summary.error = `the upstream LLM stream broke: ${(err as Error)?.message ?? String(err)}`;
      throw new LlmStreamError(summary.error);
    } finally {
      if (!finished) body.destroy();
      if (!finished && summary.error === undefined) summary.error = 'the client stopped reading the stream';
      summary.latencyMs = ms(start);
      resolveDone(summary);
    }
  }
  return { ok: true, kind: 'stream', status: res.statusCode, headers: { ...headers, 'content-type': 'text/event-stream' }, frames: frames(), done };
}

/** @internal the caller (caller.ts) is the way in. */
export async function callNative(target: LlmTarget, req: NativeRequest, opts: CallOptions, env: CallerEnv): Promise<NativeResult> {
  const up = await prepare(target, req, opts, env);
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const start = process.hrtime.bigint();
  let res: Dispatcher.ResponseData;
  try {
    res = await env.dispatcher(timeouts.connect).request({
      origin: up.url.origin, path: up.url.pathname + up.url.search, method: up.method,
      headers: mergeHeaders(opts.headers, up.headers),
      body: up.body === undefined ? undefined : typeof up.body === 'string' ? up.body : JSON.stringify(up.body),
      headersTimeout: timeouts.read, bodyTimeout: timeouts.read, signal: opts.signal,
    });
  } catch (err) {
    return networkFailure(err, start, opts.signal);
  }
  const headers = cleanHeaders(res.headers);
  const type = headerText(res.headers, 'content-type') ?? '';
  if (res.statusCode === 200 && type.includes('text/event-stream')) return streamOf(res, headers, start, opts.signal);
  let raw: Buffer;
  try {
    raw = decodeBuffer(await readBody(res.body), headerText(res.headers, 'content-encoding'));
  } catch (err) {
    return bodyFailure(err, start, opts.signal);
  }
  if (type !== '') headers['content-type'] = type;
  if (res.statusCode !== 200) return { ok: false, status: res.statusCode, headers, body: raw, error: 'http', message: `upstream answered ${res.statusCode}`, latencyMs: ms(start) };
  let summary: ReturnType<typeof responseSummary> = { usage: null, model: undefined };
  try {
    summary = responseSummary(JSON.parse(raw.toString('utf8')));
  } catch {
    if (req.body !== undefined) return failure('garbage', 502, 'The upstream LLM returned an invalid response (not JSON)', start);
  }
  return { ok: true, kind: 'buffered', status: 200, headers, body: raw, usage: summary.usage, model: summary.model, latencyMs: ms(start) };
}
