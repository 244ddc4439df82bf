// opentelemetry: config schema source (built into schemas/plugins/opentelemetry.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
// Kong's schema by version: 3.10 (traces/logs endpoints, propagation, sampling_rate), 3.11
// (sampling_strategy), 3.13 (metrics, access_logs_endpoint), 3.14 (access_logs record; the flat
// access_logs_endpoint deprecated; metrics.enable_ai_metrics).
import { HEADER_NAME_PATTERN, KONG_REFERENCE, bool, el, int, map, num, pluginConfig, rec, set, since, str, timeout, url } from '../../../../schemas/src/dsl.mjs';
import { LUA } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'opentelemetry';
export const priority = 14;

const FORMATS = ['w3c', 'b3', 'b3-single', 'jaeger', 'ot', 'aws', 'gcp', 'datadog', 'instana'];
const ONLY_W3C = 'aigw reads and writes W3C trace context only (traceparent, tracestate)';
const otherFormats = () => Object.fromEntries(FORMATS.filter((f) => f !== 'w3c').map((f) => [f, ONLY_W3C]));
const NO_LOGS = 'aigw exports traces only (OTLP logs and metrics are not implemented)';

function queue() {
  return rec('Batching queue of the spans.', {
    max_batch_size: int('Maximum number of spans sent in one export.', { default: 200, min: 1, max: 1000000 }),
    max_coalescing_delay: num('Maximum seconds after the first span before the queue flushes.', { default: 1, min: 0, max: 3600 }),
    max_entries: int('Maximum number of spans waiting on the queue (more are dropped and counted).', { default: 10000, min: 1, max: 1000000 }),
    max_bytes: int('Maximum number of bytes waiting on the queue.', { unsupported: 'aigw bounds the queue by max_entries' }),
    max_retry_time: num('Seconds before the queue gives up on a failing batch.', { default: 60 }),
    initial_retry_delay: num('Seconds before the first retry of a failing batch.', { default: 0.01, min: 0.001, max: 1000000 }),
    max_retry_delay: num('Maximum seconds between retries.', { default: 60, min: 0.001, max: 1000000 }),
    concurrency_limit: int('Number of concurrent queue handlers: 1, or -1 for no queue.', { default: 1, one_of: [-1, 1] }),
  });
}

function propagation() {
  return rec('How tracing headers are read from the request and written to the upstream.', {
    // Kong reads b3-single headers as `b3`: `b3-single` is a format to inject only
    extract: arrOfFormats('Header formats read from the request, in order (the first found wins).', [], ['b3-single']),
    clear: set('Headers removed from the upstream request.', el('string')),
    inject: arrOfFormats('Header formats written to the upstream request; `preserve` writes the format that was read.', ['preserve']),
    default_format: str('Format injected when `preserve` found none.', { required: true, default: 'w3c', one_of: FORMATS, unsupportedValues: otherFormats() }),
  });
}

function arrOfFormats(description, extra = [], without = []) {
  const formats = FORMATS.filter((f) => !without.includes(f));
  const unsupported = Object.fromEntries(Object.entries(otherFormats()).filter(([f]) => formats.includes(f)));
  return set(description, el('string', { one_of: [...extra, ...formats], unsupportedValues: unsupported }));
}

function metrics(kong) {
  const flag = (d) => bool(d, { default: false });
  // the flags choose what is exported to metrics.endpoint (refused by aigw serve): without an endpoint
  // Kong exports no metrics either, so a flag alone changes nothing, in Kong and in aigw
  const later = since(kong, '3.14') ? { enable_ai_metrics: flag('Export the AI metrics (gen_ai.*, mcp.*, kong.gen_ai.*, kong.mcp.*).') } : {};
  return rec('OTLP metrics export (Kong 3.13).', {
    endpoint: url('OTLP/HTTP endpoint the metrics are sent to.', { referenceable: true, unsupported: NO_LOGS }),
    push_interval: num('Seconds between two metric exports.', { default: 60, min: 0 }),
    enable_request_metrics: flag('Export the request count and latency metrics.'),
    enable_latency_metrics: flag('Export the latency metrics.'),
    enable_bandwidth_metrics: flag('Export the bandwidth metrics.'),
    enable_upstream_health_metrics: flag('Export the upstream health metrics.'),
    enable_consumer_attribute: flag('Add the consumer attribute to the metrics.'),
    ...later,
  });
}

/** The config schema for Kong version `kong`. */
export function schema(kong = KONG_REFERENCE) {
  const props = {
    traces_endpoint: url('OTLP/HTTP endpoint the spans are sent to (e.g. http://localhost:4318/v1/traces).', { referenceable: true }),
    endpoint: url('Deprecated: use traces_endpoint (Kong\'s shorthand).', { referenceable: true, deprecated: 'use traces_endpoint' }),
    logs_endpoint: url('OTLP/HTTP endpoint the logs are sent to.', { referenceable: true, unsupported: NO_LOGS }),
    headers: map('Headers added to the export requests (an APM token…).', el('string', { referenceable: true }), { keys: { pattern: HEADER_NAME_PATTERN } }),
    resource_attributes: map('Attributes of the OpenTelemetry resource (`service.name` defaults to `kong`).', el('string', { required: true, len_min: 1 })),
    queue: queue(),
    batch_span_count: int('Deprecated: use queue.max_batch_size.', { deprecated: 'use queue.max_batch_size' }),
    batch_flush_delay: int('Deprecated: use queue.max_coalescing_delay.', { deprecated: 'use queue.max_coalescing_delay' }),
    connect_timeout: timeout('Timeout of the connection to the OTLP endpoint (ms).', { default: 1000 }),
    send_timeout: timeout('Timeout of sending an export request (ms).', { default: 5000 }),
    read_timeout: timeout('Timeout of reading the export response (ms).', { default: 5000 }),
    http_response_header_for_traceid: str('Response header that carries the trace id to the client.'),
    header_type: str('Deprecated: the tracing header format expected on requests (use propagation).', {
      deprecated: 'use propagation', default: 'preserve',
      one_of: ['preserve', 'ignore', ...FORMATS], unsupportedValues: otherFormats(),
    }),
    sampling_rate: num('Probability (0–1) that a request is traced; aigw traces every request when unset.', { min: 0, max: 1 }),
    propagation: propagation(),
  };
  if (since(kong, '3.11')) {
    props.sampling_strategy = str('How a parent\'s sampled flag is used: `parent_drop_probability_fallback` drops what the parent dropped, `parent_probability_fallback` also keeps what it kept; otherwise sampling_rate decides.', {
      default: 'parent_drop_probability_fallback', one_of: ['parent_drop_probability_fallback', 'parent_probability_fallback'],
    });
  }
  if (since(kong, '3.13')) {
    props.metrics = metrics(kong);
    props.access_logs_endpoint = url('OTLP/HTTP endpoint the access logs are sent to.', {
      referenceable: true, unsupported: NO_LOGS, ...(since(kong, '3.14') ? { deprecated: 'use access_logs.endpoint' } : {}),
    });
  }
  if (since(kong, '3.14')) {
    props.access_logs = rec('OTLP access logs (Kong 3.14).', {
      endpoint: url('OTLP/HTTP endpoint the access logs are sent to.', { referenceable: true, unsupported: NO_LOGS }),
      custom_attributes_by_lua: map('Lua code computing extra access-log attributes, by name.', el('string', { len_min: 1 }), { unsupported: LUA }),
    });
  }
  const endpoints = ['traces_endpoint', 'endpoint', 'logs_endpoint', ...(since(kong, '3.13') ? ['access_logs_endpoint', 'metrics.endpoint'] : []), ...(since(kong, '3.14') ? ['access_logs.endpoint'] : [])];
  return pluginConfig(name, priority, 'Propagates W3C trace context and exports a span per request (plugin phases, the upstream or LLM call with GenAI attributes) over OTLP/HTTP.', props, [
    { at_least_one_of: endpoints },
  ]);
}
