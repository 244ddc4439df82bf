/**
 * opentelemetry's config → what the plugin runs. What aigw cannot do is refused here, at startup,
 * with the reason: other header formats than W3C, OTLP logs and metrics, Lua.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { queueOptions, type QueueOptions } from '../http-log/queue.js';
import type { SamplingStrategy } from './trace-context.js';

type Raw = PluginConfigs['opentelemetry'];

export interface OtelConfig {
  endpoint: URL;
  headers: Record<string, string>;
  resourceAttributes: Record<string, string>;
  queue: QueueOptions;
  connectTimeout: number;
  sendTimeout: number;
  readTimeout: number;
  /** Response header carrying the trace id (http_response_header_for_traceid). */
  traceIdHeader: string | null;
  /** Read `traceparent`/`tracestate` from the request. */
  extract: boolean;
  /** Write `traceparent` (and `tracestate`) to the upstream. */
  inject: boolean;
  /** Upstream headers removed before injecting (propagation.clear). */
  clear: string[];
  samplingRate: number;
  samplingStrategy: SamplingStrategy;
}

const ONLY_W3C = 'aigw reads and writes W3C trace context only (traceparent, tracestate)';

function refuse(what: string, why: string): never {
  throw new Error(`opentelemetry: ${what} is not supported by aigw serve: ${why}`);
}

function checkFormats(field: string, values: readonly string[] | null | undefined, allowed: readonly string[]): string[] {
  const list = [...(values ?? [])];
  for (const v of list) if (!allowed.includes(v)) refuse(`${field} '${v}'`, ONLY_W3C);
  return list;
}

/** extract / inject / clear from `propagation` when any of them is set, else from the deprecated header_type (Kong's precedence). */
function propagation(c: Raw): { extract: boolean; inject: boolean; clear: string[] } {
  const p: Partial<NonNullable<Raw['propagation']>> = c.propagation ?? {};
  const extract = checkFormats('propagation.extract', p.extract, ['w3c']);
  const inject = checkFormats('propagation.inject', p.inject, ['w3c', 'preserve']);
  const clear = [...(p.clear ?? [])].map((h) => h.toLowerCase());
  if (p.default_format && p.default_format !== 'w3c') refuse(`propagation.default_format '${p.default_format}'`, ONLY_W3C);
  if (extract.length > 0 || inject.length > 0 || clear.length > 0) return { extract: extract.length > 0, inject: inject.length > 0, clear };
  const type = c.header_type ?? 'preserve';
  if (type !== 'preserve' && type !== 'ignore' && type !== 'w3c') refuse(`header_type '${type}'`, ONLY_W3C);
  return { extract: type !== 'ignore', inject: true, clear: [] };
}

function endpointOf(c: Raw): URL {
  const raw = c.traces_endpoint ?? c.endpoint;
  if (!raw) refuse('a configuration without traces_endpoint', 'aigw exports traces only (OTLP logs and metrics are not implemented)');
  return new URL(raw);
}

function refuseUnsupported(c: Raw): void {
  const NO_LOGS = 'aigw exports traces only (OTLP logs and metrics are not implemented); remove it, or send them from a Kong node';
  if (c.logs_endpoint) refuse('logs_endpoint', NO_LOGS);
  const extra = c as Raw & { access_logs_endpoint?: string | null; access_logs?: { endpoint?: string | null; custom_attributes_by_lua?: Record<string, string> | null } | null; metrics?: { endpoint?: string | null } | null };
  if (extra.access_logs_endpoint) refuse('access_logs_endpoint', NO_LOGS);
  if (extra.access_logs?.endpoint) refuse('access_logs.endpoint', NO_LOGS);
  if (extra.access_logs?.custom_attributes_by_lua && Object.keys(extra.access_logs.custom_attributes_by_lua).length > 0) refuse('access_logs.custom_attributes_by_lua', 'Lua code cannot run in aigw');
  if (extra.metrics?.endpoint) refuse('metrics.endpoint', NO_LOGS);
  if (c.queue?.max_bytes) refuse('queue.max_bytes', 'aigw bounds the queue by queue.max_entries');
}

export function parseOtelConfig(c: Raw): OtelConfig {
  refuseUnsupported(c);
  const endpoint = endpointOf(c);
  const queue = queueOptions(c.queue ?? {});
  // Kong's deprecated batching fields still apply when set
  if (typeof c.batch_span_count === 'number') queue.maxBatchSize = c.batch_span_count;
  if (typeof c.batch_flush_delay === 'number') queue.maxCoalescingDelay = c.batch_flush_delay;
  // concurrency_limit -1 is Kong's "no queue": send each span as it comes
  if (c.queue?.concurrency_limit === -1) Object.assign(queue, { maxBatchSize: 1, maxCoalescingDelay: 0 });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  const resourceAttributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.resource_attributes ?? {})) if (typeof v === 'string') resourceAttributes[k] = v;
  const strategy = (c as Raw & { sampling_strategy?: string | null }).sampling_strategy;
  return {
    endpoint,
    headers,
    resourceAttributes,
    queue,
    connectTimeout: c.connect_timeout ?? 1000,
    sendTimeout: c.send_timeout ?? 5000,
    readTimeout: c.read_timeout ?? 5000,
    traceIdHeader: c.http_response_header_for_traceid ? c.http_response_header_for_traceid.toLowerCase() : null,
    ...propagation(c),
    samplingRate: typeof c.sampling_rate === 'number' ? c.sampling_rate : 1,
    samplingStrategy: strategy === 'parent_probability_fallback' ? 'parent_probability_fallback' : 'parent_drop_probability_fallback',
  };
}
