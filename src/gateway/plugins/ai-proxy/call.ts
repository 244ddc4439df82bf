/**
 * ai-proxy's upstream handler: one LLM call through the gateway's caller (`deps.llm`), answered in
 * the route's client format (response.ts). The client going away aborts the call; the service's
 * timeouts apply (Kong's defaults, 60 s each).
 */
import type { GatewayContext, UpstreamResult } from '../../context.js';
import type { PluginDeps } from '../../plugin.js';
import { DEFAULT_TIMEOUTS, type LlmTimeouts } from '../../llm/call/client.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { aiError } from '../../llm/formats/request.js';
import type { AiProxyConfig } from './config.js';
import type { ProxyPlan } from './request.js';
import { answer } from './response.js';

/** Kong's proxy timeouts come from the service (default 60 s each). */
export function timeoutsOf(ctx: GatewayContext): LlmTimeouts {
  const s = ctx.service?.entity;
  const n = (v: unknown, d: number): number => (typeof v === 'number' && v > 0 ? v : d);
  return { connect: n(s?.connect_timeout, DEFAULT_TIMEOUTS.connect), read: n(s?.read_timeout, DEFAULT_TIMEOUTS.read), write: n(s?.write_timeout, DEFAULT_TIMEOUTS.write) };
}

/**
 * The handler calling the provider for `plan`. `onAnswered` gets the client's whole answer (the
 * body, or a stream's final object when the format keeps one) before its last bytes are sent.
 */
export function handler(c: AiProxyConfig, plan: ProxyPlan, deps: PluginDeps, onAnswered?: (answer: unknown) => void) {
  return async (ctx: GatewayContext): Promise<UpstreamResult> => {
    try {
      const result = await deps.llm.call(plan.target, plan.request, {
        stream: plan.stream, requestId: ctx.requestId, timeouts: timeoutsOf(ctx), signal: ctx.clientSignal(),
        clientQuery: ctx.rawQuery ? ctx.queryParams() : undefined, headers: plan.headers,
      });
      return answer({ ctx, config: c, plan, pluginId: deps.pluginId, ...(onAnswered ? { onAnswered } : {}) }, result);
    } catch (err) {
      if (err instanceof TranslationError) throw aiError(err.status, err.message);
      throw err;
    }
  };
}
