// prometheus: config schema source (built into schemas/plugins/prometheus.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, pluginConfig } from '../../../../schemas/src/dsl.mjs';

export const name = 'prometheus';
export const priority = 13;

/** The config schema for Kong version `_kong` (one schema serves every version today). */
export function schema(_kong = KONG_REFERENCE) {
  const flag = (d) => bool(d, { default: false });
  return pluginConfig(name, priority, 'Exposes metrics in the Prometheus exposition format.', {
    per_consumer: flag('Add the consumer label to the metrics.'),
    status_code_metrics: flag('Export the HTTP status code metrics.'),
    ai_metrics: flag('Export the AI metrics (tokens, cost, latency).'),
    latency_metrics: flag('Export the latency metrics.'),
    bandwidth_metrics: flag('Export the bandwidth metrics.'),
    upstream_health_metrics: flag('Export the upstream health metrics.'),
  });
}
