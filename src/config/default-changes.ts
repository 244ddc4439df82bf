/**
 * THE list of defaults that changed between Kong Gateway 3.10 LTS and 3.14 LTS ("Secure by Default"
 * and the larger AI body limit). One row per changed value: `aigw file convert --from 3.10 --to 3.14`
 * pins the old value where a file relies on the default, and versioned schema profiles can read the
 * same rows to know what a file means on each version.
 *
 * A row is pinned only where every record on the way to its field is in the file (a nested
 * `redis.ssl_verify` only when `redis` is configured), as decK's setters do.
 *
 * Sources: Kong/deck convert/route_updates_314.go, service_updates_314.go, plugin_updates_314.go
 * (the rows marked `deck: true` are exactly what `deck file convert --from 3.10 --to 3.14` pins);
 * developer.konghq.com breaking-changes 3.14.0.0, app/_includes/upgrade/tls-verify-314.md and the
 * plugin schema diffs 3.10 → 3.14 (rows marked `deck: false` are flips decK's convert leaves alone).
 */

export interface DefaultChange {
  /** `routes`, `services`, or `plugins` (then `plugins` names the plugins). */
  kind: 'routes' | 'services' | 'plugins';
  plugins?: readonly string[];
  /** Dotted path of the field in the entity (`protocols`, `config.redis.ssl_verify`). */
  path: string;
  /** The value the file meant on 3.10 when it left the field out. */
  before: unknown;
  /** The 3.14 default. */
  after: unknown;
  /** Services: only for these protocols (tls_verify). */
  protocols?: readonly string[];
  /** Pinned by decK's own convert. */
  deck: boolean;
  /** What to tell the user about the pinned value, if anything. */
  caveat?: string;
}

const TLS_CAVEAT = 'a stock 3.14 (tls_certificate_verify = on) refuses an explicit false here: verify the upstream certificate instead, or set tls_certificate_verify = off';

const HIDE_CREDENTIALS = ['key-auth', 'key-auth-enc', 'basic-auth', 'hmac-auth', 'ldap-auth', 'oauth2', 'oauth2-introspection', 'vault-auth', 'ldap-auth-advanced'];

const sslVerify = (plugins: readonly string[], path: string): DefaultChange => ({
  kind: 'plugins', plugins, path: `config.${path}`, before: false, after: true, deck: true, caveat: TLS_CAVEAT,
});

const VECTORDB = ['ai-proxy-advanced', 'ai-rag-injector', 'ai-semantic-cache', 'ai-semantic-prompt-guard', 'ai-semantic-response-guard'];
const REDIS = [
  'ai-rate-limiting-advanced', 'graphql-proxy-cache-advanced', 'graphql-rate-limiting-advanced', 'openid-connect', 'proxy-cache-advanced',
  'rate-limiting', 'rate-limiting-advanced', 'response-ratelimiting', 'saml', 'service-protection',
];
const KAFKA = ['confluent', 'confluent-consume', 'kafka-consume', 'kafka-log', 'kafka-upstream'];

/** The AI plugins whose request body limit grew (Kong 3.13, so on the 3.10 → 3.14 path). */
const BODY_LIMIT = ['ai-proxy', 'ai-proxy-advanced', 'ai-prompt-decorator', 'ai-prompt-guard', 'ai-prompt-template', 'ai-request-transformer', 'ai-response-transformer'];

export const DEFAULT_CHANGES_310_314: readonly DefaultChange[] = [
  { kind: 'routes', path: 'protocols', before: ['http', 'https'], after: ['https'], deck: true },
  { kind: 'services', path: 'tls_verify', before: false, after: true, protocols: ['https', 'tls', 'grpcs', 'wss'], deck: true, caveat: TLS_CAVEAT },
  { kind: 'plugins', plugins: HIDE_CREDENTIALS, path: 'config.hide_credentials', before: false, after: true, deck: true },
  sslVerify(['ai-aws-guardrails', 'ai-azure-content-safety', 'aws-lambda', 'header-cert-auth', 'http-log', 'mtls-auth', 'tcp-log'], 'ssl_verify'),
  sslVerify(['azure-functions', 'forward-proxy'], 'https_verify'),
  sslVerify(['ace'], 'rate_limiting.redis.ssl_verify'),
  sslVerify(['acme'], 'storage_config.redis.ssl_verify'),
  sslVerify(VECTORDB, 'vectordb.pgvector.ssl_verify'),
  sslVerify(VECTORDB, 'vectordb.redis.ssl_verify'),
  sslVerify(REDIS, 'redis.ssl_verify'),
  sslVerify(['basic-auth'], 'brute_force_protection.redis.ssl_verify'),
  sslVerify(KAFKA, 'security.ssl_verify'),
  sslVerify(KAFKA, 'schema_registry.confluent.authentication.oauth2_client.ssl_verify'),
  sslVerify(['kafka-consume'], 'topics.schema_registry.confluent.authentication.oauth2_client.ssl_verify'),
  sslVerify(['datakit'], 'resources.cache.redis.ssl_verify'),
  sslVerify(['jwt-signer'], 'access_token_endpoints_ssl_verify'),
  sslVerify(['jwt-signer'], 'channel_token_endpoints_ssl_verify'),
  sslVerify(['ldap-auth', 'ldap-auth-advanced'], 'verify_ldap_host'),
  sslVerify(['openid-connect'], 'ssl_verify'),
  sslVerify(['openid-connect'], 'cluster_cache_redis.ssl_verify'),
  sslVerify(['openid-connect'], 'session_memcached_ssl_verify'),
  sslVerify(['redis-partials'], 'ssl_verify'),
  sslVerify(['request-callout'], 'cache.redis.ssl_verify'),
  sslVerify(['request-callout'], 'callouts.request.http_opts.ssl_verify'),
  sslVerify(['solace-consume', 'solace-log', 'solace-upstream'], 'session.ssl_validate_certificate'),
  sslVerify(['upstream-oauth'], 'client.ssl_verify'),
  sslVerify(['upstream-oauth'], 'cache.redis.ssl_verify'),
  { kind: 'plugins', plugins: BODY_LIMIT, path: 'config.max_request_body_size', before: 8192, after: 1048576, deck: false },
  {
    kind: 'plugins', plugins: ['hmac-auth'], path: 'config.algorithms',
    before: ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'], after: ['hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'], deck: false,
  },
];
