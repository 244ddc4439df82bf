// acl: config schema source (built into schemas/plugins/acl.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, pluginConfig, since } from '../../../../schemas/src/dsl.mjs';
import { HTTP_PROTOCOLS, protocolsOf } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'acl';
export const priority = 950;

/** websocket routes may use acl from 3.14. */
export const protocols = (kong = KONG_REFERENCE) => protocolsOf(HTTP_PROTOCOLS, [...HTTP_PROTOCOLS, ...(since(kong, '3.14') ? ['ws', 'wss'] : [])]);

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const groups = (d) => arr(d, el('string'));
  return pluginConfig(name, priority, 'Allows or denies consumers by ACL group.', {
    allow: groups('Groups allowed to use the service or route.'),
    deny: groups('Groups denied from the service or route.'),
    hide_groups_header: bool('Do not send the X-Consumer-Groups header upstream.', { required: true, default: false }),
    include_consumer_groups: bool("Also match the consumer's consumer groups.", { required: true, default: false }),
    always_use_authenticated_groups: bool('Use the authenticated groups even when a consumer is identified.', {
      required: true, default: false,
    }),
  }, [{ only_one_of: ['allow', 'deny'] }, { at_least_one_of: ['allow', 'deny'] }]);
}
