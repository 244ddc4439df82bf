// basic-auth: config schema source (built into schemas/plugins/basic-auth.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, onlySince, pluginConfig, rec, str } from '../../../../schemas/src/dsl.mjs';
import { anonymous, authProtocols, hideCredentials, principals } from '../../../../schemas/src/plugin-fields.mjs';
import { redisCE } from '../../../../schemas/src/redis.mjs';

export const name = 'basic-auth';
export const priority = 1100;
export const protocols = () => authProtocols();

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Authenticates consumers by username and password (HTTP Basic).', {
    anonymous: anonymous(),
    hide_credentials: hideCredentials(),
    realm: str('Realm of the WWW-Authenticate header on 401 responses.', { required: true, default: 'service' }),
    ...onlySince('3.13', {
      brute_force_protection: rec('Lock out clients after repeated failed logins.', {
        strategy: str('Where failed attempts are counted; off disables the protection.', {
          required: true, default: 'off', one_of: ['off', 'memory', 'cluster', 'redis'],
        }),
        redis: redisCE('Redis connection of the redis strategy.'),
      }, { required: true }),
    }),
    ...principals(),
  });
}
