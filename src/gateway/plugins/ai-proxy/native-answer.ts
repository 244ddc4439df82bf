/**
 * ai-proxy's answer to a native call (native.ts: the Responses API on a provider that serves it):
 * the upstream's body or events go to the client as they are, the usage they report goes to
 * analytics and metrics (estimated from the prompt when the upstream reports none).
 *
 *   200 JSON  ─► the body + X-Kong-LLM-Model; analytics for a create
 *   200 SSE   ─► the events as they come; analytics once the stream ends
 *   non-200   ─► the upstream's reply, raw (it is already in the client's API)
 *   dead / slow / garbage upstream ─► 502 / 504 in the client format's error shape
 */
import type { GatewayContext, HeaderValue, UpstreamResult } from '../../context.js';
import { ReplyError } from '../../plugin.js';
import { LlmStreamError } from '../../llm/call/client.js';
import type { NativeResult, NativeStream } from '../../llm/call/native.js';
import type { JsonObject, Usage } from '../../llm/wire/openai-types.js';
import { openAIErrorBody } from '../../llm/wire/responses.js';
import { sseNamedFrame } from '../../llm/wire/sse-writer.js';
import { estimatePromptTokens, resolveUsage } from '../../llm/wire/usage.js';
import type { AiProxyConfig } from './config.js';
import type { ProxyPlan } from './request.js';
import { modelHeader, setAnalytics } from './response.js';

/** A native create: the plan of any call plus the body sent as is. */
export interface NativePlan extends ProxyPlan {
  body: JsonObject;
}

export interface NativeEnv {
  ctx: GatewayContext;
  config: AiProxyConfig;
  pluginId: string;
}

function usageOf(plan: NativePlan, reported: Usage | null): Usage {
  return resolveUsage(reported, estimatePromptTokens(plan.request, plan.stream), '');
}

function streamed(env: NativeEnv, plan: NativePlan | null, r: NativeStream): UpstreamResult {
  const headers: Record<string, HeaderValue> = { ...r.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
  if (plan) modelHeader({ ...env, plan }, headers);
  async function* chunks(): AsyncGenerator<string> {
    let broken: string | null = null;
    try {
      for await (const text of r.frames) yield text;
    } catch (err) {
      if (!(err instanceof LlmStreamError)) throw err;
      broken = err.message;
    } finally {
      const sum = await r.done;
      if (plan) setAnalytics({ ...env, plan }, { usage: usageOf(plan, sum.usage), latencyMs: sum.latencyMs, responseModel: sum.model, stream: true, firstTokenMs: sum.firstTokenMs });
    }
    if (broken !== null) yield sseNamedFrame('error', { type: 'error', ...(openAIErrorBody(502, broken).error as JsonObject) });
  }
  return { kind: 'stream', status: r.status, headers, chunks: chunks() };
}

/** Turns a native call result into what the pipeline sends (see the diagram above). */
export function answerNative(env: NativeEnv, plan: NativePlan | null, r: NativeResult): UpstreamResult {
  if (!r.ok) {
    if (r.error === 'http') {
      env.ctx.upstreamStatus = r.status;
      return { kind: 'buffered', status: r.status, headers: r.headers, body: r.body };
    }
    env.ctx.source = 'error';
    throw new ReplyError({ status: r.status, json: { error: { message: r.message } } });
  }
  env.ctx.upstreamStatus = r.status;
  if (r.kind === 'stream') return streamed(env, plan, r);
  const headers: Record<string, HeaderValue> = { ...r.headers };
  if (plan) {
    modelHeader({ ...env, plan }, headers);
    setAnalytics({ ...env, plan }, { usage: usageOf(plan, r.usage), latencyMs: r.latencyMs, responseModel: r.model, stream: false, response: r.body.toString('utf8') });
  }
  return { kind: 'buffered', status: 200, headers, body: r.body };
}
