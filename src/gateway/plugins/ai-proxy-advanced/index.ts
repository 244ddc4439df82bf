/**
 * ai-proxy-advanced (kong.md §1.3): ai-proxy over several targets, with a balancer
 * and failover.
 *
 *   access:  parse the AI request once ─► ctx.upstreamHandler = attempts loop
 *   handler: pick a target (balancer, tried targets excluded) ─► ai-proxy's checks for it
 *            ─► deps.llm.call ─► ok? answer (ai-proxy/response.ts)
 *                           └─ failed and `failover_criteria` match? next target, up to
 *                              `retries` + 1 attempts and each target at most once
 *   log:     ai.proxy.{meta,usage,payload} (per the answering target's `logging`) and always
 *            ai.proxy.balancer{algorithm, attempts, target, tries[]}
 *
 * Every response carries `X-AIGW-Attempts: <n>` and `X-AIGW-Target: <provider>/<model>` (the
 * target that produced the response). Streams fail over too while nothing was sent: the client
 * call reads the first upstream bytes before answering, so a stream that dies before its first
 * byte is a failed attempt, not a broken 200.
 */
import type { AiProxyAdvancedConfig } from '../../../config/generated/plugin-configs.js';
import type { GatewayContext, UpstreamResult } from '../../context.js';
import type { KongPlugin, PluginDeps } from '../../plugin.js';
import { AI_ANALYTICS, writeAnalytics } from '../../llm/call/analytics.js';
import { TargetBalancer, type Balancer, type Observation, type TokensCountStrategy } from './balancer.js';
import { breakerCounts, inertCriteria, sentBeforeFailing, shouldFailover, type AttemptFailure } from './failover.js';
import { aliasExcluded, parseTargets, planFor, type AdvancedTarget } from './plan.js';
import { parseAcls, permitted, type ModelAcls } from './acls.js';
import { CircuitBreaker } from '../../balancing/circuit-breaker.js';
import { routingPrompt, SemanticRouter } from './semantic.js';
import { createEmbedder } from '../../llm/call/embeddings.js';
import { kongAiErrorBody, type LlmTimeouts, type ProviderCallResult } from '../../llm/call/client.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { costOf } from '../../llm/wire/pricing.js';
import type { ProxyPlan } from '../ai-proxy/request.js';
import { answer } from '../ai-proxy/response.js';
import { completionCap } from '../ai-proxy/config.js';
import { aiError, aiRequest, type AiRequest } from '../../llm/formats/request.js';
import type { CallSignal } from '../../llm/wire/abort.js';
import { AI_BALANCER, type AttemptRecord } from './outcome.js';

export const ATTEMPTS_HEADER = 'x-aigw-attempts';
export const TARGET_HEADER = 'x-aigw-target';

export { AI_BALANCER, type AttemptRecord, type BalancerOutcome } from './outcome.js';

interface Env {
  c: AiProxyAdvancedConfig;
  deps: PluginDeps;
  targets: AdvancedTarget[];
  balancer: Balancer;
  breaker: CircuitBreaker;
  acls: ModelAcls | null;
  router: SemanticRouter | null;
  criteria: ReadonlySet<string>;
  timeouts: LlmTimeouts;
}

function createRouter(c: AiProxyAdvancedConfig, targets: AdvancedTarget[], deps: PluginDeps): SemanticRouter | null {
  if (c.balancer.algorithm !== 'semantic') return null;
  if (!c.embeddings) throw new Error("ai-proxy-advanced: balancer.algorithm 'semantic' requires 'embeddings'");
  const embedder = createEmbedder(c.embeddings, c.vectordb?.dimensions ?? null, deps.llm);
  return new SemanticRouter(embedder, targets.map((t) => t.description), c.vectordb?.distance_metric ?? 'cosine');
}

function createEnv(c: AiProxyAdvancedConfig, deps: PluginDeps): Env {
  const targets = parseTargets(c as unknown as Record<string, unknown>);
  if (targets.length === 0) throw new Error('ai-proxy-advanced: no targets');
  const b = c.balancer;
  const balancer = deps.store.get<Balancer>('balancer', () => new TargetBalancer({
    algorithm: b.algorithm, weights: targets.map((t) => t.weight), latencyStrategy: b.latency_strategy,
    // llm-accuracy (scores from ai-llm-as-judge) is refused at startup: gateway/not-served.ts
    tokensCountStrategy: b.tokens_count_strategy as TokensCountStrategy, slots: b.slots,
  }, deps.now));
  const breaker = deps.store.get('breaker', () => new CircuitBreaker(targets.length, { maxFails: b.max_fails, failTimeoutMs: b.fail_timeout }, deps.now));
  const router = deps.store.get('router', () => createRouter(c, targets, deps));
  const inert = inertCriteria(b.failover_criteria);
  if (inert.length > 0) {
    deps.logger.warn('ai-proxy-advanced: failover_criteria without non_idempotent never fire for LLM calls (POST), as in nginx', { criteria: inert.join(', ') });
  }
  return {
    c, deps, targets, balancer, breaker, acls: parseAcls(c.acls), router, criteria: new Set(b.failover_criteria),
    timeouts: { connect: b.connect_timeout, read: b.read_timeout, write: b.write_timeout },
  };
}

async function distancesFor(env: Env, ctx: GatewayContext, ai: AiRequest): Promise<number[] | undefined> {
  const prompt = env.router ? routingPrompt(ai.body) : null;
  if (!env.router || prompt === null) return undefined;
  try {
    return await env.router.distances(prompt, { requestId: ctx.requestId });
  } catch (err) {
    env.deps.logger.warn('ai-proxy-advanced: semantic routing unavailable, using round-robin', { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

function observe(env: Env, i: number, plan: ProxyPlan, r: ProviderCallResult): void {
  const o = plan.target.model.options ?? {};
  const done = (latencyMs: number, u: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): Observation => ({
    ok: true, latencyMs, promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, cost: costOf(u, o),
  });
  if (!r.ok) {
    env.balancer.finished(i, { ok: false, latencyMs: r.latencyMs, promptTokens: 0, completionTokens: 0, cost: 0 });
    const f = failureOf(r);
    if (f !== null && breakerCounts(env.criteria, f)) env.breaker.failure(i);
  } else if (r.kind === 'buffered') {
    env.balancer.finished(i, done(r.latencyMs, r.usage));
    env.breaker.success(i);
  } else {
    void r.done.then((s) => {
      env.balancer.finished(i, s.error ? { ...done(s.latencyMs, s.usage), ok: false } : done(s.latencyMs, s.usage));
      // a stream that broke after its first bytes is an `error`: it always counts
      if (s.error) env.breaker.failure(i);
      else env.breaker.success(i);
    });
  }
}

/** A 200 the gateway cannot convert counts as an invalid answer (`invalid_header`). */
async function call(plan: ProxyPlan, env: Env, ctx: GatewayContext, signal: CallSignal): Promise<ProviderCallResult> {
  const start = performance.now();
  try {
    return await env.deps.llm.call(plan.target, plan.request, {
      stream: plan.stream, requestId: ctx.requestId, timeouts: env.timeouts, signal,
      clientQuery: ctx.rawQuery ? ctx.queryParams() : undefined, headers: plan.headers,
    });
  } catch (err) {
    if (!(err instanceof TranslationError) || err.status < 500) throw err;
    return { ok: false, status: 502, headers: {}, body: kongAiErrorBody(err.message), error: 'garbage', message: err.message, latencyMs: performance.now() - start };
  }
}

function failureOf(r: ProviderCallResult): AttemptFailure | null {
  if (r.ok) return null;
  return { kind: r.error, status: r.status, sent: sentBeforeFailing(r.error, r.message) };
}

interface Final { target: AdvancedTarget; plan: ProxyPlan; result: ProviderCallResult }

/**
 * The targets this request may not use: `model_alias` selection (400 when none is left), the model
 * ACLs (403 when none is left) and, last, the circuit breaker (500 when every remaining target is out).
 */
function blocked(env: Env, ctx: GatewayContext, ai: AiRequest): Set<number> {
  const requested = typeof ai.body.model === 'string' && ai.body.model !== '' ? ai.body.model : null;
  const out = aliasExcluded(env.targets, requested);
  if (env.acls !== null) {
    const acls = env.acls;
    const consumer = ctx.consumer;
    const groups = consumer ? { ids: env.deps.consumers.consumerGroupIds(consumer.id), names: env.deps.consumers.consumerGroups(consumer.id) } : { ids: [], names: [] };
    env.targets.forEach((t, i) => {
      if (out.has(i)) return;
      const models = [t.config.modelName, requested].filter((m): m is string => m !== null);
      const subject = { consumer, groups, header: (n: string) => ctx.header(n), ip: ctx.clientIp, path: ctx.path, models, provider: t.config.provider };
      if (!permitted(acls, subject)) out.add(i);
    });
    if (out.size === env.targets.length) throw aiError(403, 'access to the requested model is not allowed');
  }
  const down = env.breaker.down().filter((i) => !out.has(i));
  if (down.length > 0 && down.length + out.size === env.targets.length) throw aiError(500, 'all LLM targets are unavailable (circuit breaker open)');
  for (const i of down) out.add(i);
  return out;
}

async function attempts(env: Env, ctx: GatewayContext, ai: AiRequest, signal: CallSignal): Promise<{ final: Final | null; tries: AttemptRecord[] }> {
  const tries: AttemptRecord[] = [];
  const exclude = blocked(env, ctx, ai);
  const max = Math.min(env.c.balancer.retries + 1, env.targets.length - exclude.size);
  const distances = await distancesFor(env, ctx, ai);
  const hashKey = ctx.header(env.c.balancer.hash_on_header.toLowerCase()) ?? ctx.requestId;
  let final: Final | null = null;
  while (tries.length < max) {
    const i = env.balancer.pick({ exclude, hashKey, distances });
    if (i === null) break;
    exclude.add(i);
    const target = env.targets[i];
    const plan = planFor(ctx, target, ai);
    env.balancer.started(i);
    let result: ProviderCallResult;
    try {
      result = await call(plan, env, ctx, signal);
    } catch (err) {
      env.balancer.finished(i, { ok: false, latencyMs: 0, promptTokens: 0, completionTokens: 0, cost: 0 });
      throw err;
    }
    observe(env, i, plan, result);
    tries.push({ target: `${target.config.provider}/${plan.model}`, index: i, status: result.status, latency: Math.round(!result.ok || result.kind === 'buffered' ? result.latencyMs : 0), ...(result.ok ? {} : { error: result.error }) });
    final = { target, plan, result };
    const failure = failureOf(result);
    if (failure === null || !shouldFailover(env.criteria, failure)) break;
  }
  return { final, tries };
}

async function handle(env: Env, ctx: GatewayContext, ai: AiRequest): Promise<UpstreamResult> {
  const { final, tries } = await attempts(env, ctx, ai, ctx.clientSignal());
  if (final === null) throw aiError(503, 'no LLM target available');
  const label = tries[tries.length - 1].target;
  ctx.responseHeaders[ATTEMPTS_HEADER] = String(tries.length);
  ctx.responseHeaders[TARGET_HEADER] = label;
  const { alias, metadata } = final.target;
  ctx.set(AI_BALANCER, {
    algorithm: env.c.balancer.algorithm, attempts: tries.length, target: label, tries,
    ...(alias !== null ? { model_alias: alias } : {}), ...(metadata !== null ? { metadata } : {}),
  });
  return answer({ ctx, config: final.target.config, plan: final.plan, pluginId: env.deps.pluginId }, final.result);
}

export const aiProxyAdvanced: KongPlugin<'ai-proxy-advanced'> = {
  name: 'ai-proxy-advanced',
  // checked in parse so that validate refuses what serve cannot build (Kong's len_min wording)
  parse(c) {
    if (parseTargets(c as unknown as Record<string, unknown>).length === 0) throw new Error('targets: length must be at least 1');
    return c;
  },
  create(c, deps) {
    const env = createEnv(c, deps);
    return {
      inputFormat: c.llm_format,
      aiModels: env.targets.map((t) => ({ provider: t.config.provider, model: t.config.templated ? null : t.config.modelName, maxTokens: completionCap(t.config), pricing: t.config.options })),
      aiBody: { maxBodySize: c.max_request_body_size, plugin: 'ai-proxy-advanced' },
      async access(ctx) {
        const ai = await aiRequest(ctx, { maxBodySize: c.max_request_body_size, llmFormat: c.llm_format, plugin: 'ai-proxy-advanced' });
        ctx.upstreamHandler = (x) => handle(env, x, ai);
      },
      log(ctx, record) {
        const a = ctx.get(AI_ANALYTICS);
        if (a && a.meta.plugin_id === deps.pluginId) writeAnalytics(record, a);
        const b = ctx.get(AI_BALANCER);
        if (!b) return;
        const ai = record.ai ?? (record.ai = {});
        const prev = ai.proxy;
        ai.proxy = { ...(prev !== null && typeof prev === 'object' ? prev : {}), balancer: { ...b, tries: b.tries.map((t) => ({ ...t })), ...(b.metadata ? { metadata: structuredClone(b.metadata) } : {}) } };
      },
    };
  },
};
