/**
 * ai-proxy: turns a route into an LLM endpoint (kong.md §1.1–§3).
 *
 *   access: checks (request.ts) ─► ctx.upstreamHandler = call the provider (deps.llm, llm/call/)
 *           ─► answer the client (response.ts): OpenAI format, or Anthropic Messages with
 *              `llm_format: anthropic`; `…/v1/messages/count_tokens` is answered locally
 *   log:    AI_ANALYTICS ─► record.ai.proxy.{meta,usage,payload} (per `logging`)
 *
 * Errors are Kong's `{"error":{"message"}}`; the pipeline's error boundary (llm/formats/error-boundary.ts)
 * gives them the client format's shape (Anthropic's `{"type":"error",…}` for Anthropic clients).
 *
 * Anthropic clients in (Claude Code, `@anthropic-ai/sdk`): point the client's base URL at the route
 * (`ANTHROPIC_BASE_URL=http://gw:8000/claude`); it calls `…/v1/messages` and
 * `…/v1/messages/count_tokens`. Its key arrives as `x-api-key` or `Authorization: Bearer`; to check
 * it with key-auth, list both names (key-auth strips the `Bearer ` prefix) and hide it from the LLM:
 *
 *   routes:
 *   - name: claude
 *     paths: [/claude]
 *     plugins:
 *     - name: key-auth
 *       config: { key_names: [x-api-key, authorization], hide_credentials: true }
 *     - name: ai-proxy
 *       config:
 *         route_type: llm/v1/chat
 *         llm_format: anthropic
 *         auth: { header_name: Authorization, header_value: "Bearer {vault://env/OPENAI_KEY}" }
 *         model: { provider: openai, name: gpt-4o }
 *
 * The model the Anthropic client names is ignored when `model.name` is set (Anthropic SDKs always
 * send one); OpenAI-format clients get Kong's `cannot use own model` instead.
 */
import type { AiBodyLimit, GatewayContext, Reply } from '../../context.js';
import type { Plugin, PluginInstance } from '../../plugin.js';
import { formatOf, routeFormat } from '../../llm/formats/index.js';
import { AI_ANALYTICS, writeAnalytics } from '../../llm/call/analytics.js';
import { completionCap, parseAiProxyConfig, type AiProxyConfig } from './config.js';
import { handler, timeoutsOf } from './call.js';
import { PRESERVE_MAX_BODY, preserveCall } from './preserve.js';
import { planRequest } from './request.js';
import { responsesRoute } from './responses.js';
import { apiRefusal, planApi, runApi } from './api.js';
import { planRealtime } from './realtime.js';
import { isApiRouteType } from '../../llm/wire/api-routes.js';

/** A request the client format has the gateway answer itself (Anthropic's count_tokens). */
async function localReply(ctx: GatewayContext, c: AiProxyConfig, answer: (body: unknown) => unknown): Promise<Reply> {
  const plan = await planRequest(ctx, c, 'llm/v1/chat');
  let raw: unknown;
  try {
    raw = JSON.parse(plan.ai.raw.toString('utf8'));
  } catch {
    raw = {};
  }
  return { status: 200, json: answer(raw) };
}

/** How this route reads the body as an AI request (chat, completions, embeddings, responses, preserve); null for the API and realtime routes. */
function aiBodyOf(c: AiProxyConfig): AiBodyLimit | null {
  if (c.routeType === 'preserve') return { maxBodySize: PRESERVE_MAX_BODY, plugin: 'ai-proxy' };
  if (c.routeType === 'realtime/v1/realtime' || isApiRouteType(c.routeType)) return null;
  return { maxBodySize: c.maxRequestBodySize, plugin: 'ai-proxy' };
}

export const aiProxy: Plugin<AiProxyConfig> = {
  name: 'ai-proxy',
  parse: parseAiProxyConfig,
  create(c, deps) {
    if (isApiRouteType(c.routeType)) {
      const refusal = apiRefusal(c.provider, c.routeType);
      if (refusal !== null) throw new Error(refusal);
    }
    const responses = c.routeType === 'llm/v1/responses' ? responsesRoute(c, deps) : null;
    const aiBody = aiBodyOf(c);
    const instance: PluginInstance = {
      inputFormat: c.routeType === 'preserve' ? c.llmFormat : routeFormat(c.routeType, c.llmFormat)?.name ?? c.llmFormat,
      aiModels: [{ provider: c.provider, model: c.templated ? null : c.modelName, maxTokens: completionCap(c), pricing: c.options }],
      ...(aiBody ? { aiBody } : {}),
      ...(responses?.store ? { conversations: responses.store } : {}),
      async access(ctx) {
        if (c.routeType === 'realtime/v1/realtime') return await planRealtime(ctx, c, deps.llm);
        if (isApiRouteType(c.routeType)) {
          const plan = await planApi(ctx, c, c.routeType);
          ctx.upstreamHandler = (x) => runApi(x, c, plan, { pluginId: deps.pluginId, timeouts: timeoutsOf(x), llm: deps.llm });
          return;
        }
        if (c.routeType === 'preserve') {
          ctx.upstreamHandler = (x) => preserveCall(x, c, { pluginId: deps.pluginId, timeouts: timeoutsOf(x), llm: deps.llm });
          return;
        }
        if (responses) return responses.access(ctx);
        const local = formatOf(c.llmFormat).local;
        if (local?.matches(ctx.path)) return await localReply(ctx, c, local.answer);
        const plan = await planRequest(ctx, c, c.routeType);
        ctx.upstreamHandler = handler(c, plan, deps);
      },
    };
    // No log phase unless something is logged: a log phase makes the pipeline build a log record per request.
    if (c.logStatistics || c.logPayloads) {
      instance.log = (ctx, record) => {
        const a = ctx.get(AI_ANALYTICS);
        if (a && a.meta.plugin_id === deps.pluginId) writeAnalytics(record, a);
      };
    }
    return instance;
  },
};
