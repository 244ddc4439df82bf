// ai-a2a-proxy: config schema source (built into schemas/plugins/ai-a2a-proxy.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, int, pluginConfig, rec, since } from '../../../../schemas/src/dsl.mjs';

export const name = 'ai-a2a-proxy';
export const priority = 819;
/** The Kong version that added the plugin. */
export const kongSince = '3.14';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  return pluginConfig(name, priority, 'Observes Agent-to-Agent (A2A) traffic (JSON-RPC and REST bindings) and passes it through.', {
    logging: rec('What the plugin logs under ai.a2a.', {
      log_statistics: bool('Log A2A operations, task ids and states, latencies.', { required: true, default: false }),
      log_payloads: bool('Also log request and response bodies (needs log_statistics).', { required: true, default: false }),
      max_payload_size: int('Logged payloads are cut to this many bytes.', { required: true, default: 1048576, gt: 0 }),
    }),
    max_request_body_size: int('Maximum request body size (bytes) parsed for A2A metadata; 0: no limit.', { required: true, default: 1048576, min: 0 }),
  });
}
