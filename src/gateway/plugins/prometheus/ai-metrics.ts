/**
 * Kong's prometheus AI metrics (kong.md §3), recorded by the prometheus plugin from AI_ANALYTICS
 * when its `ai_metrics` is on. Created once per registry (so counters survive reloads).
 *
 *   kong_ai_llm_requests_total{L}                 counter
 *   kong_ai_llm_cost_total{L}                     counter, only when cost > 0
 *   kong_ai_llm_tokens_total{L, token_type}       counter, only values > 0
 *   kong_ai_llm_provider_latency_ms{L}            histogram, Kong's buckets
 *
 * L = ai_provider, ai_model, cache_status, vector_db, embeddings_provider, embeddings_model, workspace.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AiAnalytics } from '../../llm/call/analytics.js';

export const AI_LATENCY_BUCKETS = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 10000, 30000, 60000];
const LABELS = ['ai_provider', 'ai_model', 'cache_status', 'vector_db', 'embeddings_provider', 'embeddings_model', 'workspace'] as const;
const TOKEN_TYPES = ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const;

export interface AiMetrics {
  requests: Counter<string>;
  cost: Counter<string>;
  tokens: Counter<string>;
  latency: Histogram<string>;
}

function get<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The AI metrics of `registry`, created the first time. */
export function aiMetrics(registry: Registry): AiMetrics {
  const registers = [registry];
  const labelNames = [...LABELS];
  return {
    requests: get(registry, 'kong_ai_llm_requests_total', () => new Counter({
      name: 'kong_ai_llm_requests_total', help: 'AI requests total per ai_provider in Kong', labelNames, registers,
    })),
    cost: get(registry, 'kong_ai_llm_cost_total', () => new Counter({
      name: 'kong_ai_llm_cost_total', help: 'AI requests cost per ai_provider/cache in Kong', labelNames, registers,
    })),
    tokens: get(registry, 'kong_ai_llm_tokens_total', () => new Counter({
      name: 'kong_ai_llm_tokens_total', help: 'AI tokens total per ai_provider/cache in Kong', labelNames: [...labelNames, 'token_type'], registers,
    })),
    latency: get(registry, 'kong_ai_llm_provider_latency_ms', () => new Histogram({
      name: 'kong_ai_llm_provider_latency_ms', help: 'LLM response Latency for each AI plugins per ai_provider in Kong',
      labelNames, buckets: AI_LATENCY_BUCKETS, registers,
    })),
  };
}

/** Records one request's analytics. */
export function recordAiMetrics(m: AiMetrics, a: AiAnalytics, workspace: string): void {
  const labels: Record<string, string> = {
    ai_provider: a.meta.provider_name,
    ai_model: a.meta.request_model,
    cache_status: a.cache?.cache_status ?? '',
    vector_db: a.cache?.vector_db ?? '',
    embeddings_provider: a.cache?.embeddings_provider ?? '',
    embeddings_model: a.cache?.embeddings_model ?? '',
    workspace,
  };
  m.requests.inc(labels);
  if (a.usage.cost > 0) m.cost.inc(labels, a.usage.cost);
  for (const t of TOKEN_TYPES) {
    const v = a.usage[t];
    if (v > 0) m.tokens.inc({ ...labels, token_type: t }, v);
  }
  m.latency.observe(labels, a.meta.llm_latency);
}
