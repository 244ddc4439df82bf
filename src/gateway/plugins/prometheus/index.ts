/**
 * prometheus: Kong's HTTP metrics, recorded in the log phase into the registry that
 * the status listener serves on `/metrics`. Metrics are created once per registry and shared by
 * every instance (and every Runtime), so counters survive reloads. Other plugins (AI metrics) add
 * their own metrics to the same registry through `deps.metrics`.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { latencies, requestSize } from '../../log-record.js';
import type { KongPlugin } from '../../plugin.js';

const workspaceName = 'default';
import { AI_ANALYTICS } from '../../llm/call/analytics.js';
import { aiMetrics, recordAiMetrics } from './ai-metrics.js';

export const LATENCY_BUCKETS = [1, 2, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 30000, 60000];

interface PrometheusConfig {
  perConsumer: boolean;
  statusCodeMetrics: boolean;
  latencyMetrics: boolean;
  bandwidthMetrics: boolean;
  aiMetrics: boolean;
}

/** Get a metric of `registry` by name, creating it the first time. */
export function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

function metrics(registry: Registry) {
  const registers = [registry];
  const hist = (name: string, help: string) =>
    metric(registry, name, () => new Histogram({ name, help, labelNames: ['service', 'route', 'workspace'], buckets: LATENCY_BUCKETS, registers }));
  return {
    requests: metric(registry, 'kong_http_requests_total', () => new Counter({
      name: 'kong_http_requests_total',
      help: 'HTTP status codes per consumer/service/route in Kong',
      labelNames: ['service', 'route', 'code', 'source', 'workspace', 'consumer'],
      registers,
    })),
    kong: hist('kong_kong_latency_ms', 'Latency added by Kong and enabled plugins for each service/route in Kong'),
    upstream: hist('kong_upstream_latency_ms', 'Latency added by upstream response for each service/route in Kong'),
    request: hist('kong_request_latency_ms', 'Total latency incurred during requests for each service/route in Kong'),
    bandwidth: metric(registry, 'kong_bandwidth_bytes', () => new Counter({
      name: 'kong_bandwidth_bytes',
      help: 'Total bandwidth (ingress/egress) throughput in bytes',
      labelNames: ['service', 'route', 'direction', 'workspace', 'consumer'],
      registers,
    })),
  };
}

export const prometheus: KongPlugin<'prometheus', PrometheusConfig> = {
  name: 'prometheus',
  parse: (c) => ({
    perConsumer: (c.per_consumer ?? false),
    statusCodeMetrics: (c.status_code_metrics ?? false),
    latencyMetrics: (c.latency_metrics ?? false),
    bandwidthMetrics: (c.bandwidth_metrics ?? false),
    aiMetrics: (c.ai_metrics ?? false),
  }),
  create(c, deps) {
    const m = metrics(deps.metrics);
    const ai = c.aiMetrics ? aiMetrics(deps.metrics) : null;
    return {
      log(ctx) {
        const service = ctx.service?.name ?? '';
        const route = ctx.route?.name ?? '';
        const workspace = workspaceName;
        const consumer = c.perConsumer && ctx.consumer ? ctx.consumer.username ?? ctx.consumer.custom_id ?? ctx.consumer.id : '';
        if (c.statusCodeMetrics) {
          m.requests.inc({ service, route, code: String(ctx.res.statusCode), source: ctx.source, workspace, consumer });
        }
        if (c.latencyMetrics) {
          const lat = latencies(ctx);
          const labels = { service, route, workspace };
          m.request.observe(labels, lat.request);
          m.kong.observe(labels, lat.kong);
          if (ctx.source === 'service') m.upstream.observe(labels, lat.proxy);
        }
        if (c.bandwidthMetrics) {
          m.bandwidth.inc({ service, route, direction: 'ingress', workspace, consumer }, requestSize(ctx));
          m.bandwidth.inc({ service, route, direction: 'egress', workspace, consumer }, ctx.responseBytes);
        }
        const analytics = ai ? ctx.get(AI_ANALYTICS) : undefined;
        if (ai && analytics) recordAiMetrics(ai, analytics, workspace);
      },
    };
  },
};
