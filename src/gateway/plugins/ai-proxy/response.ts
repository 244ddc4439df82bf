/**
 * ai-proxy's answer to the client, from one ProviderCallResult:
 *
 *   200 buffered ─► canonical JSON (or an Anthropic `message`) + X-Kong-LLM-Model; analytics set;
 *                   an answer the gateway does not change goes out as the upstream's bytes
 *   200 stream   ─► `data: <chunk>\n\n`… `data: [DONE]\n\n` (or Anthropic events), one frame per
 *                   chunk as it arrives; analytics set at the end, before the response ends
 *   non-200      ─► the upstream reply, raw (Anthropic-shaped for Anthropic clients)
 *   dead / slow / garbage upstream ─► 502 / 504 with a clear `{"error":{"message"}}`
 */
import type { GatewayContext, HeaderValue, UpstreamResult } from '../../context.js';
import { ReplyError } from '../../plugin.js';
import { getProvider } from '../../providers/index.js';
import { formatOf } from '../../llm/formats/index.js';
import { AI_ANALYTICS, buildAnalytics } from '../../llm/call/analytics.js';
import { LlmStreamError, type BufferedSuccess, type CallFailure, type ProviderCallResult, type StreamSuccess } from '../../llm/call/client.js';
import type { CanonicalResponse, Usage } from '../../llm/wire/openai-types.js';
import type { AiProxyConfig } from './config.js';
import type { ProxyPlan } from './request.js';
import { editableCopy } from '../../llm/wire/shallow-copy.js';

export interface AnswerEnv {
  ctx: GatewayContext;
  config: AiProxyConfig;
  plan: ProxyPlan;
  pluginId: string;
  /** Gets the client's whole answer before its last bytes are sent (the Responses store). */
  onAnswered?: (answer: unknown) => void;
}

const JSON_TYPE = 'application/json';

export function modelHeader(env: AnswerEnv, headers: Record<string, HeaderValue>): void {
  if (env.config.modelNameHeader || env.ctx.header('kong-debug') !== undefined) {
    headers['x-kong-llm-model'] = `${env.config.provider}/${env.plan.model}`;
  }
}

function extraMeta(env: AnswerEnv): Record<string, string> | undefined {
  return getProvider(env.config.provider)?.analyticsMeta?.(env.plan.target.model.options ?? {}, env.ctx.queryParams());
}

/** `gen_ai.operation.name` of each route type. */
const OPERATION: Record<string, string> = { 'llm/v1/chat': 'chat', 'llm/v1/completions': 'text_completion', 'llm/v1/embeddings': 'embeddings' };

/** What tracing reads from the answer: finish reasons and id. */
function answerFacts(r: CanonicalResponse): { finishReasons: string[]; responseId?: string } {
  const choices = 'choices' in r ? (r.choices as Array<{ finish_reason: string | null }>) : [];
  const id = 'id' in r && typeof r.id === 'string' && r.id !== '' ? r.id : undefined;
  return { finishReasons: choices.map((c) => c.finish_reason).filter((f): f is string => typeof f === 'string'), ...(id ? { responseId: id } : {}) };
}

const PARAMS = ['max_tokens', 'temperature', 'top_p', 'top_k', 'frequency_penalty', 'presence_penalty'] as const;

/** The sampling parameters the upstream got: `model.options` win over the client's (mergeModelOptions). */
function requestParams(env: AnswerEnv): Record<string, number> {
  const out: Record<string, number> = {};
  const options = env.plan.target.model.options as Record<string, unknown> | undefined;
  for (const k of PARAMS) {
    const v = options?.[k] ?? env.plan.request[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** Sets AI_ANALYTICS, read only by `log` phases and the per-request callback: skipped when the request has neither (ctx.logged). */
export function setAnalytics(env: AnswerEnv, a: { usage: Usage; latencyMs: number; responseModel: string | undefined; stream: boolean; firstTokenMs?: number | null; response?: string; answer?: CanonicalResponse }): void {
  if (!env.ctx.logged) return;
  const c = env.config;
  const analytics = buildAnalytics({
    pluginId: env.pluginId,
    provider: c.provider,
    requestModel: env.plan.model,
    responseModel: a.responseModel,
    latencyMs: a.latencyMs,
    usage: a.usage,
    pricing: env.plan.target.model.options,
    stream: a.stream,
    firstTokenMs: a.firstTokenMs,
    logStatistics: c.logStatistics,
    logPayloads: c.logPayloads,
    extraMeta: extraMeta(env),
  });
  Object.assign(analytics, { operation: OPERATION[env.plan.target.route_type] ?? 'chat', requestParams: requestParams(env), ...(a.answer ? answerFacts(a.answer) : {}) });
  if (c.logPayloads) analytics.payload = { request: env.plan.ai.raw.toString('utf8'), ...(a.response !== undefined ? { response: a.response } : {}) };
  env.ctx.set(AI_ANALYTICS, analytics);
}

function responseModel(r: CanonicalResponse): string | undefined {
  return typeof r.model === 'string' && r.model !== '' ? r.model : undefined;
}

/** The answer's usage, with the service tier the answer reports at its top level (priced by service_tier_factor). */
function usageOf(r: CanonicalResponse): Usage {
  const u = r.usage;
  const usage = 'completion_tokens' in u ? u : { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens };
  const tier = (r as { service_tier?: unknown }).service_tier;
  return typeof tier === 'string' && tier !== '' && usage.service_tier === undefined ? { ...usage, service_tier: tier } : usage;
}

function buffered(env: AnswerEnv, r: BufferedSuccess): UpstreamResult {
  const body = formatOf(env.plan.inputFormat).response(r.response, env.plan.request);
  env.onAnswered?.(body);
  // the client's format keeps the response as it is, and the upstream's bytes are its JSON text
  // (client.ts): they are sent as they came instead of being serialised again
  const passed = body === r.response && r.bytes !== undefined && r.text !== undefined;
  const text = passed ? r.text as string : JSON.stringify(body);
  if (env.ctx.logged) setAnalytics(env, { usage: usageOf(r.response), latencyMs: r.latencyMs, responseModel: responseModel(r.response), stream: false, response: text, answer: r.response });
  // the call's headers are this answer's own (cleanHeaders made them): edited in place
  const headers: Record<string, HeaderValue> = r.headers;
  headers['content-type'] = JSON_TYPE;
  modelHeader(env, headers);
  return { kind: 'buffered', status: 200, headers, body: passed ? r.bytes as Buffer : Buffer.from(text) };
}

/** Upstream non-200s pass through (in the client's shape); gateway-made failures go to the error boundary. */
function failed(env: AnswerEnv, r: CallFailure): UpstreamResult {
  if (r.error === 'http') {
    env.ctx.upstreamStatus = r.status;
    const shaped = formatOf(env.plan.inputFormat).upstreamError(r.status, r.body);
    if (shaped === null) return { kind: 'buffered', status: r.status, headers: r.headers, body: r.body };
    const headers = editableCopy(r.headers);
    headers['content-type'] = JSON_TYPE;
    return { kind: 'buffered', status: r.status, headers, body: shaped };
  }
  env.ctx.source = 'error';
  throw new ReplyError({ status: r.status, json: { error: { message: r.message } } });
}

async function* frames(env: AnswerEnv, s: StreamSuccess): AsyncGenerator<string> {
  const client = formatOf(env.plan.inputFormat).stream({ id: env.ctx.requestId, model: env.plan.model, includeUsage: env.plan.clientWantsUsage, request: env.plan.request });
  let broken: string | null = null;
  let recorded = false;
  const record = async (): Promise<Usage> => {
    const sum = await s.done;
    if (!recorded) {
      recorded = true;
      if (env.ctx.logged) setAnalytics(env, { usage: sum.usage, latencyMs: sum.latencyMs, responseModel: responseModel(sum.response), stream: true, firstTokenMs: sum.firstTokenMs, response: JSON.stringify(sum.response), answer: sum.response });
    }
    return sum.usage;
  };
  try {
    try {
      for await (const batch of s.batches) {
        let out = '';
        for (const chunk of batch) out += client.chunk(chunk);
        if (out !== '') yield out;
      }
    } catch (err) {
      if (!(err instanceof LlmStreamError)) throw err;
      broken = err.message;
    }
    const usage = await record();
    if (broken !== null) {
      yield client.error(broken);
      return;
    }
    const tail = client.end(usage);
    env.onAnswered?.(client.final?.());
    yield tail;
  } finally {
    if (!recorded) await record();
  }
}

function streamed(env: AnswerEnv, s: StreamSuccess): UpstreamResult {
  const headers: Record<string, HeaderValue> = editableCopy(s.headers);
  headers['content-type'] = 'text/event-stream';
  headers['cache-control'] = 'no-cache';
  modelHeader(env, headers);
  return { kind: 'stream', status: 200, headers, chunks: frames(env, s) };
}

/** Turns a provider call result into what the pipeline sends (see the diagram above). */
export function answer(env: AnswerEnv, r: ProviderCallResult): UpstreamResult {
  if (!r.ok) return failed(env, r);
  env.ctx.upstreamStatus = r.status;
  return r.kind === 'buffered' ? buffered(env, r) : streamed(env, r);
}
