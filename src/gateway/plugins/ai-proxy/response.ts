/**
 * ai-proxy's answer to the client, from one ProviderCallResult:
 *
 *   200 buffered ─► canonical JSON (or an Anthropic `message`) + X-Kong-LLM-Model; analytics set
 *   200 stream   ─► `data: <chunk>\n\n`… `data: [DONE]\n\n` (or Anthropic events), one frame per
 *                   chunk as it arrives; analytics set at the end, before the response ends
 *   non-200      ─► the upstream reply, raw (Anthropic-shaped for Anthropic clients)
 *   dead / slow / garbage upstream ─► 502 / 504 with a clear `{"error":{"message"}}`
 */
import type { GatewayContext, HeaderValue, UpstreamResult } from '../../context.js';
import { ReplyError } from '../../plugin.js';
import { getProvider } from '../../providers/index.js';
import { clientFormat } from '../../llm/formats/index.js';
import { AI_ANALYTICS, buildAnalytics } from '../../llm/call/analytics.js';
import { LlmStreamError, type BufferedSuccess, type CallFailure, type ProviderCallResult, type StreamSuccess } from '../../llm/call/client.js';
import { isObject, type CanonicalResponse, type EmbeddingList, type Usage } from '../../llm/wire/openai-types.js';
import type { AiProxyConfig } from './config.js';
import type { ProxyPlan } from './request.js';
import { SSE_DONE, sseFrame, sseNamedFrame } from '../../llm/wire/sse-writer.js';

export interface AnswerEnv {
  ctx: GatewayContext;
  config: AiProxyConfig;
  plan: ProxyPlan;
  pluginId: string;
}

const JSON_TYPE = 'application/json';

function modelHeader(env: AnswerEnv, headers: Record<string, HeaderValue>): void {
  if (env.config.modelNameHeader || env.ctx.header('kong-debug') !== undefined) {
    headers['x-kong-llm-model'] = `${env.config.provider}/${env.plan.model}`;
  }
}

function extraMeta(env: AnswerEnv): Record<string, string> | undefined {
  return getProvider(env.config.provider)?.analyticsMeta?.(env.plan.target.model.options ?? {}, env.ctx.queryParams());
}

function setAnalytics(env: AnswerEnv, a: { usage: Usage; latencyMs: number; responseModel: string | undefined; stream: boolean; firstTokenMs?: number | null; response?: string }): void {
  const c = env.config;
  const analytics = buildAnalytics({
    pluginId: env.pluginId,
    provider: c.provider,
    requestModel: env.plan.model,
    responseModel: a.responseModel,
    latencyMs: a.latencyMs,
    usage: a.usage,
    inputCost: env.plan.target.model.options?.input_cost,
    outputCost: env.plan.target.model.options?.output_cost,
    stream: a.stream,
    firstTokenMs: a.firstTokenMs,
    logStatistics: c.logStatistics,
    logPayloads: c.logPayloads,
    extraMeta: extraMeta(env),
  });
  if (c.logPayloads) analytics.payload = { request: env.plan.ai.raw.toString('utf8'), ...(a.response !== undefined ? { response: a.response } : {}) };
  env.ctx.set(AI_ANALYTICS, analytics);
}

function responseModel(r: CanonicalResponse): string | undefined {
  return typeof r.model === 'string' && r.model !== '' ? r.model : undefined;
}

function usageOf(r: CanonicalResponse): Usage {
  const u = r.usage;
  return 'completion_tokens' in u ? u : { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens };
}

/** Embeddings as little-endian float32 base64, for clients that asked `encoding_format: base64` (the OpenAI SDK does). */
function base64Embeddings(list: EmbeddingList): unknown {
  return { ...list, data: list.data.map((d) => {
    const buf = Buffer.alloc(d.embedding.length * 4);
    d.embedding.forEach((v, i) => buf.writeFloatLE(v, i * 4));
    return { ...d, embedding: buf.toString('base64') };
  }) };
}

function clientBody(env: AnswerEnv, r: CanonicalResponse): unknown {
  const native = clientFormat(env.plan.inputFormat);
  if (native && r.object === 'chat.completion') return native.response(r);
  if (r.object === 'list' && env.plan.request.encoding_format === 'base64') return base64Embeddings(r);
  return r;
}

function buffered(env: AnswerEnv, r: BufferedSuccess): UpstreamResult {
  const out = clientBody(env, r.response);
  const text = JSON.stringify(out);
  setAnalytics(env, { usage: usageOf(r.response), latencyMs: r.latencyMs, responseModel: responseModel(r.response), stream: false, response: text });
  const headers: Record<string, HeaderValue> = { ...r.headers, 'content-type': JSON_TYPE };
  modelHeader(env, headers);
  return { kind: 'buffered', status: 200, headers, body: Buffer.from(text) };
}

/** The message inside a provider's error body (OpenAI, Anthropic, Cohere, Gemini, HF shapes). */
export function upstreamErrorMessage(body: Buffer): string {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8').slice(0, 500);
  }
  if (!isObject(v)) return String(v);
  const e = v.error;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  if (typeof e === 'string') return e;
  if (typeof v.message === 'string') return v.message;
  return JSON.stringify(v).slice(0, 500);
}

function failed(env: AnswerEnv, r: CallFailure): UpstreamResult {
  const native = clientFormat(env.plan.inputFormat);
  if (r.error === 'http') {
    env.ctx.upstreamStatus = r.status;
    if (!native) return { kind: 'buffered', status: r.status, headers: r.headers, body: r.body };
    const body = Buffer.from(JSON.stringify(native.errorBody(r.status, upstreamErrorMessage(r.body))));
    return { kind: 'buffered', status: r.status, headers: { ...r.headers, 'content-type': JSON_TYPE }, body };
  }
  env.ctx.source = 'error';
  throw new ReplyError({ status: r.status, json: native ? native.errorBody(r.status, r.message) : { error: { message: r.message } } });
}

function errorFrame(env: AnswerEnv, message: string): string {
  const native = clientFormat(env.plan.inputFormat);
  if (native) return sseNamedFrame('error', native.errorBody(502, message));
  return sseFrame({ error: { message, type: 'upstream_stream_error' } });
}

async function* frames(env: AnswerEnv, s: StreamSuccess): AsyncGenerator<string> {
  const nativeStream = clientFormat(env.plan.inputFormat)?.stream({ id: env.ctx.requestId, model: env.plan.model }) ?? null;
  let broken: string | null = null;
  let recorded = false;
  const record = async (): Promise<Usage> => {
    const sum = await s.done;
    if (!recorded) {
      recorded = true;
      setAnalytics(env, { usage: sum.usage, latencyMs: sum.latencyMs, responseModel: responseModel(sum.response), stream: true, firstTokenMs: sum.firstTokenMs, response: JSON.stringify(sum.response) });
    }
    return sum.usage;
  };
  try {
    try {
      for await (const batch of s.batches) {
        let out = '';
        for (const chunk of batch) {
          if (nativeStream) {
            for (const e of nativeStream.onChunk(chunk)) out += sseNamedFrame(e.event, e.data);
          } else if (chunk.choices.length > 0 || env.plan.clientWantsUsage) {
            out += sseFrame(chunk);
          }
        }
        if (out !== '') yield out;
      }
    } catch (err) {
      if (!(err instanceof LlmStreamError)) throw err;
      broken = err.message;
    }
    const usage = await record();
    if (broken !== null) {
      yield errorFrame(env, broken);
      return;
    }
    if (nativeStream) {
      for (const e of nativeStream.end(usage)) yield sseNamedFrame(e.event, e.data);
    } else {
      yield SSE_DONE;
    }
  } finally {
    if (!recorded) await record();
  }
}

function streamed(env: AnswerEnv, s: StreamSuccess): UpstreamResult {
  const headers: Record<string, HeaderValue> = { ...s.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
  modelHeader(env, headers);
  return { kind: 'stream', status: 200, headers, chunks: frames(env, s) };
}

/** Turns a provider call result into what the pipeline sends (see the diagram above). */
export function answer(env: AnswerEnv, r: ProviderCallResult): UpstreamResult {
  if (!r.ok) return failed(env, r);
  env.ctx.upstreamStatus = r.status;
  return r.kind === 'buffered' ? buffered(env, r) : streamed(env, r);
}
