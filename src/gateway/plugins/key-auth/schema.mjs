// key-auth: config schema source (built into schemas/plugins/key-auth.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, byVersion, el, elRec, pluginConfig, str, uuid } from '../../../../schemas/src/dsl.mjs';
import { anonymous, authProtocols, hideCredentials, principals, realm, runOnPreflight } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'key-auth';
export const priority = 1250;
export const protocols = () => authProtocols();

const REALMS = 'Konnect identity realms are not implemented by aigw serve: consumers come from the state file';

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Authenticates consumers by API key.', {
    key_names: arr('Header, query or body parameter names that may carry the key.', el('string', {
      pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
    }), { required: true, default: ['apikey'] }),
    hide_credentials: hideCredentials(),
    anonymous: anonymous(),
    key_in_header: bool('Look for the key in headers.', { required: true, default: true }),
    key_in_query: bool('Look for the key in the query string.', { required: true, default: true }),
    key_in_body: bool('Look for the key in the request body (form, multipart or JSON).', { required: true, default: false }),
    run_on_preflight: runOnPreflight(),
    realm: realm(),
    identity_realms: arr('Konnect identity realms to source consumers from.', elRec({
      id: uuid('Id of the identity realm.'),
      region: str('Konnect region of the identity realm.'),
      scope: str('Where consumers come from: the control plane or the realm.', {
        ...byVersion('3.12', {}, { required: true, default: 'cp' }), one_of: ['cp', 'realm'], unsupportedValues: { realm: REALMS },
      }),
    }), byVersion('3.12', {}, { default: [{ scope: 'cp' }] })),
    ...principals(),
  });
}
