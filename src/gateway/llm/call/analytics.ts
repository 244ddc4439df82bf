/**
 * AI analytics of one request (kong.md §3): Kong's `ai.proxy.meta` and `ai.proxy.usage`, plus the
 * payloads when `log_payloads` is on. ai-proxy sets the AI_ANALYTICS slot once the answer is
 * complete: right after a buffered reply (before `response` phases), and at the end of a stream
 * (before the client's response ends, so before any `log` phase). Token-budget, cache and
 * prometheus read it in their `log` phase; ai-proxy's own `log` phase copies it into the log record
 * under `ai.<namespace>` (gated by `log_statistics` / `log_payloads`, as Kong does).
 */
import { Slot } from '../../context.js';
import type { LogRecord } from '../../log-record.js';
import type { Usage } from '../wire/openai-types.js';
import { costOf, type Pricing } from '../wire/pricing.js';

/** `ai.proxy.meta`. Azure targets add `azure_instance_id`, `azure_deployment_id`, `azure_api_version`. */
export interface AiMeta {
  plugin_id: string;
  provider_name: string;
  request_model: string;
  /** Model reported by the upstream; falls back to request_model. */
  response_model: string;
  /** End-to-end LLM latency in ms (request sent → last byte). */
  llm_latency: number;
  [extra: string]: string | number;
}

/** `ai.proxy.usage`. */
export interface AiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** llm_latency / completion_tokens (0 when no completion tokens). */
  time_per_token: number;
  /** llm/wire/pricing.ts: input/output costs and the 3.14 pricing options; 0 unless both costs are set. */
  cost: number;
  /** Kong 3.11: the cache reads among the prompt tokens, when the upstream reported them. */
  prompt_tokens_details?: { cached_tokens: number };
}

/** Labels the semantic cache fills for the prometheus AI metrics (empty strings when unset). */
export interface AiCacheLabels {
  cache_status: string;
  vector_db: string;
  embeddings_provider: string;
  embeddings_model: string;
}

export interface AiAnalytics {
  /** Log namespace: `proxy` for ai-proxy (→ `ai.proxy.*`). */
  namespace: string;
  meta: AiMeta;
  usage: AiUsage;
  /** Time to first token in ms (streams only). */
  firstTokenMs?: number | null;
  /** Whether the answer was streamed. */
  stream: boolean;
  /** Request and response bodies as sent/received by the client, only when `log_payloads`. */
  payload?: { request?: string; response?: string };
  /** From the plugin's `logging` config: what goes into the log record. */
  logStatistics: boolean;
  logPayloads: boolean;
  cache?: AiCacheLabels;
  /** For tracing (OpenTelemetry GenAI conventions): `chat`, `text_completion` or `embeddings`. */
  operation?: string;
  /** The answer's finish reasons (one per choice) and id, when it had them. */
  finishReasons?: string[];
  responseId?: string;
  /** Sampling parameters sent upstream (the client's, overridden by `model.options`): max_tokens, temperature… */
  requestParams?: Record<string, number>;
}

export const AI_ANALYTICS = new Slot<AiAnalytics>('ai.analytics');

export interface AnalyticsInput {
  namespace?: string;
  pluginId: string;
  provider: string;
  requestModel: string;
  responseModel: string | undefined;
  latencyMs: number;
  usage: Usage;
  /** The target's `model.options`: input_cost, output_cost and the 3.14 pricing options. */
  pricing?: Pricing | null;
  stream: boolean;
  firstTokenMs?: number | null;
  logStatistics: boolean;
  logPayloads: boolean;
  extraMeta?: Record<string, string>;
}

/** Builds the analytics record with Kong's derived values (time_per_token, cost). */
export function buildAnalytics(i: AnalyticsInput): AiAnalytics {
  const latency = Math.round(i.latencyMs);
  const u = i.usage;
  const meta: AiMeta = {
    plugin_id: i.pluginId,
    provider_name: i.provider,
    request_model: i.requestModel,
    response_model: i.responseModel || i.requestModel,
    llm_latency: latency,
    ...(i.extraMeta ?? {}),
  };
  return {
    namespace: i.namespace ?? 'proxy',
    meta,
    usage: {
      prompt_tokens: u.prompt_tokens,
      completion_tokens: u.completion_tokens,
      total_tokens: u.total_tokens,
      time_per_token: u.completion_tokens > 0 ? latency / u.completion_tokens : 0,
      cost: costOf(u, i.pricing),
      ...(u.prompt_tokens_details ? { prompt_tokens_details: { cached_tokens: u.prompt_tokens_details.cached_tokens ?? 0 } } : {}),
    },
    stream: i.stream,
    ...(i.firstTokenMs !== undefined ? { firstTokenMs: i.firstTokenMs } : {}),
    logStatistics: i.logStatistics,
    logPayloads: i.logPayloads,
  };
}

/**
 * Copies analytics into `record.ai.<namespace>` (Kong's serializer): meta and usage when
 * `log_statistics`, payload when `log_payloads`; other namespaces already present are kept.
 */
export function writeAnalytics(record: LogRecord, a: AiAnalytics): void {
  const entry: Record<string, unknown> = {};
  if (a.logStatistics) {
    entry.meta = { ...a.meta };
    entry.usage = { ...a.usage, ...(a.usage.prompt_tokens_details ? { prompt_tokens_details: { ...a.usage.prompt_tokens_details } } : {}) };
  }
  if (a.logPayloads && a.payload) entry.payload = { ...a.payload };
  if (Object.keys(entry).length === 0) return;
  const ai = record.ai ?? (record.ai = {});
  const prev = ai[a.namespace];
  ai[a.namespace] = prev !== null && typeof prev === 'object' ? { ...(prev as Record<string, unknown>), ...entry } : entry;
}
