// Fields several core plugins share, and the plugins' `protocols` (Kong's typedefs).
import { bool, byVersion, el, map, onlySince, rec, since, str } from './dsl.mjs';

export const LUA = 'Lua code cannot run in aigw';
export const anonymous = () => str('Consumer id or username used when authentication fails; unset fails with 401.', { len_min: 0 });
/** `hide_credentials` of the auth plugins: default false until 3.13, true from 3.14. */
export const hideCredentials = () => bool('Remove the credential from the request before proxying.', {
  required: true, default: byVersion('3.14', false, true),
});
export const runOnPreflight = () => bool('Authenticate OPTIONS preflight requests too.', { required: true, default: true });
export const realm = () => str('Realm of the WWW-Authenticate header on 401 responses.');
export function customFieldsByLua() {
  return map('Lua code producing extra log fields, by field name.', el('string', { len_min: 1 }), { unsupported: LUA });
}

/** Kong Identity principals of the auth plugins (3.15, Konnect). */
export function principals() {
  return onlySince('3.15', {
    principals: rec('Authenticate against Kong Identity principals instead of local credentials (Konnect).', {
      enabled: bool('Authenticate against Kong Identity instead of local credentials.', { required: true, default: false }),
      directory: str('The Kong Identity directory to authenticate against.', { required: true, default: 'default' }),
      error_on_miss: bool('Answer 401 when no principal matches (false: continue unauthenticated).', { required: true, default: true }),
    }, { required: true }),
  });
}

/** Kong's `typedefs.protocols_http`: the default `protocols` of a plugin. */
export const HTTP_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'];
const WS = ['ws', 'wss'];
const STREAM = ['tcp', 'tls', 'tls_passthrough', 'udp'];
/** Every protocol a plugin may list (the log plugins, prometheus, request-transformer…). */
export const ALL_PROTOCOLS = [...HTTP_PROTOCOLS, ...STREAM, ...WS];

/**
 * A plugin's `protocols` (its schema.mjs exports `protocols(kong)`; without one a plugin has
 * Kong's default, HTTP_PROTOCOLS for both). Built into the plugin schema as `x-kong-protocols`.
 */
export const protocolsOf = (defaults, allowed = defaults) => ({ default: [...defaults], one_of: [...allowed] });
/** The auth plugins (key-auth, basic-auth, hmac-auth, oauth2): websocket routes too. */
export const authProtocols = () => protocolsOf([...HTTP_PROTOCOLS, ...WS]);
/** Plugins that run on every protocol (logging, metrics, transformers). */
export const anyProtocols = () => protocolsOf(HTTP_PROTOCOLS, ALL_PROTOCOLS);
/** `since(kong, v)` for schema.mjs files that need it next to these helpers. */
export { since };
