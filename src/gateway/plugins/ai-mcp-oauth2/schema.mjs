// ai-mcp-oauth2: config schema source (built into schemas/plugins/ai-mcp-oauth2.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, elRec, int, map, num, pluginConfig, rec, since, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'ai-mcp-oauth2';
export const priority = 1015;
/** The Kong version that added the plugin. */
export const kongSince = '3.12';

const CLIENT_ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
const CLIENT_AUTHS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth', 'none'];
const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function tokenExchange() {
  return rec('RFC 8693 token exchange before the request goes upstream (needs passthrough_credentials).', {
    enabled: bool('Exchange the client\'s token.', { required: true, default: false }),
    token_endpoint: str('Token endpoint of the exchange.', { required: true }),
    client_auth: str('How the gateway authenticates to the token endpoint.', {
      required: true, default: 'client_secret_basic', one_of: ['client_secret_basic', 'client_secret_post', 'none', 'inherit'],
    }),
    client_id: str('Client id at the token endpoint.', { referenceable: true }),
    client_secret: str('Client secret at the token endpoint.', { referenceable: true, secret: true }),
    request: rec('The exchange request.', {
      subject_token_type: str('subject_token_type of the exchange.', { required: true, default: TOKEN_TYPE }),
      requested_token_type: str('requested_token_type of the exchange.', { required: true, default: TOKEN_TYPE }),
      audience: arr('audience of the exchange.', el('string'), { minItems: 1 }),
      resource: str('resource of the exchange.'),
      scopes: arr('scope of the exchange.', el('string'), { minItems: 1 }),
      actor_token_source: str('Where the actor token comes from.', { required: true, default: 'none', one_of: ['none', 'header', 'config'] }),
      actor_token_header: str('Header holding the actor token (actor_token_source: header).'),
      actor_token: str('Static actor token (actor_token_source: config).'),
      actor_token_type: str('actor_token_type of the exchange.', { required: true, default: TOKEN_TYPE }),
    }),
    cache: rec('Cache of exchanged tokens.', {
      enabled: bool('Cache exchanged tokens.', { required: true, default: true }),
      ttl: int('Lifetime (s) of a cached token without expires_in.', { required: true, default: 3600 }),
    }),
  });
}

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const v314 = since(kong, '3.14');
  const props = {
    resource: str('The protected resource identifier (the MCP server\'s URL); tokens must be issued for it.', { required: true }),
    authorization_servers: arr('Authorization servers announced in the protected-resource metadata.', el('string'), { required: true, minItems: 1 }),
    metadata_endpoint: str('Path of the protected-resource metadata (RFC 9728); default: the resource URL\'s path + /.well-known/oauth-protected-resource.'),
    scopes_supported: arr('Scopes announced in the protected-resource metadata.', el('string'), { minItems: 1 }),
    introspection_endpoint: str('RFC 7662 token introspection endpoint.', { required: !v314 }),
    introspection_format: str('Format of the introspection response.', { one_of: ['string', 'base64', 'base64url'] }),
    mtls_introspection_endpoint: str('Introspection endpoint used with TLS client authentication.'),
    client_id: str('Client id of the gateway at the authorization server.', { referenceable: true, required: !v314 }),
    client_secret: str('Client secret of the gateway at the authorization server.', { referenceable: true, secret: true }),
    client_auth: str('How the gateway authenticates to the introspection endpoint.', { one_of: CLIENT_AUTHS }),
    client_alg: str('Signing algorithm of client_secret_jwt / private_key_jwt assertions.', { one_of: CLIENT_ALGS }),
    client_jwk: str('JWK of private_key_jwt client authentication.', { referenceable: true, secret: true }),
    args: map('Extra arguments of the introspection request.', el('string')),
    headers: map('Extra headers of the introspection request.', el('string')),
    claim_to_header: arr('Top-level token claims sent upstream as headers.', elRec({
      claim: str('Claim name.', { required: true }),
      header: str('Header name.', { required: true }),
    }), { minItems: 1 }),
    cache_introspection: bool('Cache introspection results until the token expires.', { required: true, default: true }),
    insecure_relaxed_audience_validation: bool('Accept tokens whose audience does not name the resource.', { required: true, default: false }),
    timeout: num('Timeout of calls to the authorization server (ms).', { required: true, default: 10000 }),
    keepalive: bool('Keep connections to the authorization server alive.', { required: true, default: true }),
    http_version: num('HTTP version of calls to the authorization server.', { required: true, default: 1.1 }),
    http_proxy: str('Forward proxy of http calls to the authorization server.'),
    http_proxy_authorization: str('Proxy-Authorization of http_proxy.'),
    https_proxy: str('Forward proxy of https calls to the authorization server.'),
    https_proxy_authorization: str('Proxy-Authorization of https_proxy.'),
    no_proxy: str('Hosts reached without the forward proxy.'),
    ssl_verify: bool('Verify the authorization server\'s TLS certificate.', { required: true, default: true }),
    tls_client_auth_cert: str('Client certificate of tls_client_auth.'),
    tls_client_auth_key: str('Client key of tls_client_auth.'),
    tls_client_auth_ssl_verify: bool('Verify the server certificate in tls_client_auth.', { required: true, default: true }),
    max_request_body_size: int('Maximum request body size (bytes) read.', { required: true, default: since(kong, '3.13') ? 1048576 : 8192 }),
  };
  if (v314) {
    Object.assign(props, {
      jwks_endpoint: str('JWKS endpoint to verify JWT access tokens locally (without introspection).'),
      jwks_cache_ttl: int('Lifetime (s) of the cached JWKS.', { required: true, default: 3600 }),
      jwt_claims_leeway: int('Clock leeway (s) when checking exp / nbf / iat.', { required: true, default: 0 }),
      metadata_discovery_endpoint: str('Authorization server metadata (RFC 8414) used to discover the JWKS.'),
      metadata_discovery_retry: int('Attempts to fetch the authorization server metadata.', { required: true, default: 3 }),
      metadata_cache_ttl: int('Lifetime (s) of the cached authorization server metadata.', { required: true, default: 3600 }),
      upstream_headers: arr('Claims (by path, nested) sent upstream as headers.', elRec({
        header: str('Header name.', { required: true }),
        path: arr('Path of the claim in the token payload.', el('string'), { required: true, minItems: 1 }),
      })),
      consumer_claim: arr('Path of the claim identifying the consumer.', el('string'), { minItems: 1 }),
      consumer_by: arr('Consumer fields the claim is matched against.', el('string', { one_of: ['id', 'username', 'custom_id'] }), {
        required: true, default: ['custom_id', 'username'], minItems: 1,
      }),
      consumer_optional: bool('Continue when no consumer matches.', { required: true, default: false }),
      consumer_groups_claim: arr('Path of the claim holding consumer group names.', el('string'), { minItems: 1 }),
      consumer_groups_optional: bool('Continue when no consumer group matches.', { required: true, default: false }),
      credential_claim: arr('Path of the claim identifying the (virtual) credential.', el('string'), { required: true, default: ['sub'] }),
      passthrough_credentials: bool('Keep the client\'s access token in the upstream request.', { required: true, default: false }),
      token_exchange: tokenExchange(),
    });
  }
  return pluginConfig(name, priority, 'OAuth 2.0 resource server for MCP traffic: validates access tokens (introspection or JWT).', props, [
    { mutually_exclusive: ['claim_to_header', 'upstream_headers'], message: "only one or none of these fields must be set: 'config.claim_to_header', 'config.upstream_headers'" },
  ]);
}
