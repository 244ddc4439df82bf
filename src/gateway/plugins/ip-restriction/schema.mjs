// ip-restriction: config schema source (built into schemas/plugins/ip-restriction.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, el, num, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';
import { ALL_PROTOCOLS, HTTP_PROTOCOLS, protocolsOf } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'ip-restriction';
/** Stream routes too: default also tcp and tls. */
export const protocols = () => protocolsOf([...HTTP_PROTOCOLS, 'tcp', 'tls'], ALL_PROTOCOLS);

export const priority = 990;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const list = (d) => arr(d, el('string', { len_min: 1 }));
  return pluginConfig(name, priority, 'Allows or denies clients by IP address or CIDR range.', {
    allow: list('IPs or CIDR ranges allowed.'),
    deny: list('IPs or CIDR ranges denied.'),
    status: num('Status code of the rejection (default 403).'),
    message: str("Message of the rejection (default 'IP address not allowed')."),
  }, [
    { at_least_one_of: ['allow', 'deny'] },
    { custom: 'ip-or-cidr', message: "'allow' and 'deny' entries must be valid IPs or CIDR ranges" },
  ]);
}
