// jwt: config schema source (built into schemas/plugins/jwt.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, el, num, pluginConfig, set, str } from '../../../../schemas/src/dsl.mjs';
import { anonymous, realm, runOnPreflight } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'jwt';
export const priority = 1450;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Authenticates consumers by HS/RS/ES-signed JSON Web Tokens.', {
    uri_param_names: set('Query parameters inspected for a JWT.', el('string'), { required: true, default: ['jwt'] }),
    cookie_names: set('Cookies inspected for a JWT.', el('string'), { required: true, default: [] }),
    header_names: set('HTTP headers inspected for a JWT.', el('string', {
      pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
    }), { required: true, default: ['authorization'] }),
    key_claim_name: str('Claim holding the key that identifies the secret (jwt_secrets.key).', { required: true, default: 'iss' }),
    secret_is_base64: bool('The HS secret is base64-encoded.', { required: true, default: false }),
    claims_to_verify: set('Registered claims to verify.', el('string', { one_of: ['exp', 'nbf'] })),
    anonymous: anonymous(),
    run_on_preflight: runOnPreflight(),
    maximum_expiration: num("Maximum allowed lifetime of a token (s), 0 = unlimited; requires 'exp' in claims_to_verify.", {
      required: true, default: 0, min: 0, max: 31536000,
    }),
    realm: realm(),
  }, [{
    conditional: {
      if_field: 'maximum_expiration', if_match: { gt: 0 }, then_field: 'claims_to_verify', then_match: { contains: 'exp' },
    },
  }]);
}
