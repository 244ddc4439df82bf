// basic-auth: config schema source (built into schemas/plugins/basic-auth.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';
import { anonymous, hideCredentials } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'basic-auth';
export const priority = 1100;

/** The config schema for Kong version `_kong` (one schema serves every version today). */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Authenticates consumers by username and password (HTTP Basic).', {
    anonymous: anonymous(),
    hide_credentials: hideCredentials(),
    realm: str('Realm of the WWW-Authenticate header on 401 responses.', { required: true, default: 'service' }),
  });
}
