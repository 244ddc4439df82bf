// correlation-id: config schema source (built into schemas/plugins/correlation-id.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'correlation-id';
export const priority = 100001;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Adds a unique id to each request in a header.', {
    header_name: str('Header carrying the correlation id.', { default: 'Kong-Request-ID' }),
    generator: str('How the id is generated.', { required: true, default: 'uuid#counter', one_of: ['uuid', 'uuid#counter', 'tracker'] }),
    echo_downstream: bool('Also send the header back to the client.', { required: true, default: false }),
  });
}
