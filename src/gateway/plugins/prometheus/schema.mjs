// prometheus: config schema source (built into schemas/plugins/prometheus.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, byVersion, pluginConfig } from '../../../../schemas/src/dsl.mjs';
import { anyProtocols } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'prometheus';
export const priority = 13;
export const protocols = () => anyProtocols();

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const flag = (d) => bool(d, { default: false });
  return pluginConfig(name, priority, 'Exposes metrics in the Prometheus exposition format.', {
    per_consumer: flag('Add the consumer label to the metrics.'),
    status_code_metrics: flag('Export the HTTP status code metrics.'),
    ai_metrics: flag('Export the AI metrics (tokens, cost, latency).'),
    latency_metrics: flag('Export the latency metrics.'),
    bandwidth_metrics: flag('Export the bandwidth metrics.'),
    upstream_health_metrics: flag('Export the upstream health metrics.'),
    // aigw runs no WebAssembly filters, so there are none to export
    wasm_metrics: bool('Export the metrics of WebAssembly filters.', byVersion('3.12', { required: true, default: false }, {})),
  });
}
