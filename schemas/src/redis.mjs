// Kong's two Redis records, shared by plugins and by the redis-ce / redis-ee partials:
//   redis-ce: kong/tools/redis/schema.lua (rate-limiting, basic-auth brute_force_protection, …)
//   redis-ee: kong/enterprise_edition/tools/redis/v2 (the AI EE plugins, rate-limiting-advanced…)
// Both follow the profile being built (dsl.mjs `has`): cloud_authentication (3.13), host/port/
// server_name referenceable (3.13), ssl_verify default true (3.14).
import { arr, bool, byVersion, elRec, has, host, int, onlySince, port, rec, str, timeout } from './dsl.mjs';

const CLOUD_AUTH = 'cloud-provider Redis authentication (AWS ElastiCache / Azure / GCP IAM) is not implemented by aigw serve';

/** Cloud IAM authentication to managed Redis (Kong 3.13): an optional record (null when absent, as Kong dumps it). */
export function cloudAuthentication() {
  const ref = (d, secret = false) => str(d, { referenceable: true, ...(secret ? { secret: true } : {}) });
  return rec('Cloud IAM authentication to a managed Redis (AWS, Azure or GCP).', {
    auth_provider: str('Cloud provider of the managed Redis.', { one_of: ['aws', 'azure', 'gcp'], referenceable: true }),
    aws_access_key_id: ref('AWS access key id.', true),
    aws_secret_access_key: ref('AWS secret access key.', true),
    aws_assume_role_arn: ref('AWS role to assume.', true),
    aws_role_session_name: ref('Session name of the assumed AWS role.', true),
    aws_cache_name: ref('AWS ElastiCache cache name.'),
    aws_region: ref('AWS region of the cache.'),
    aws_is_serverless: bool('The AWS cache is serverless.', { default: true }),
    azure_client_id: ref('Azure client id.', true),
    azure_client_secret: ref('Azure client secret.', true),
    azure_tenant_id: ref('Azure tenant id.', true),
    gcp_service_account_json: ref('GCP service account JSON.', true),
  }, { title: 'Redis cloud authentication', unsupported: CLOUD_AUTH });
}

/** host, port and server_name became referenceable in 3.13. */
const refSince313 = () => (has('3.13') ? { referenceable: true } : {});

/** Kong EE's Redis record (kong/enterprise_edition/tools/redis/v2). */
export function redisEE(description) {
  const node = (hostKey) => elRec({
    [hostKey]: host('A string representing a host name, such as example.com.', { required: true, default: '127.0.0.1' }),
    port: port('Port number between 0 and 65535.', { required: true, default: 6379 }),
  });
  return rec(description, {
    host: host('Redis host.', { default: '127.0.0.1', ...refSince313() }),
    port: port('Redis port.', { default: 6379, ...refSince313() }),
    connect_timeout: timeout('Connect timeout (ms).', { default: 2000 }),
    send_timeout: timeout('Send timeout (ms).', { default: 2000 }),
    read_timeout: timeout('Read timeout (ms).', { default: 2000 }),
    username: str('Redis ACL username (Redis 6+).', { referenceable: true }),
    password: str('Redis password; no AUTH is sent when unset.', { referenceable: true, secret: true }),
    sentinel_username: str('Redis Sentinel ACL username.', { referenceable: true }),
    sentinel_password: str('Redis Sentinel password.', { referenceable: true, secret: true }),
    database: int('Redis database number.', { default: 0 }),
    keepalive_pool_size: int('Connection pool size per worker.', { default: 256, min: 1, max: 2147483646 }),
    keepalive_backlog: int('Connection pool backlog.', { min: 0, max: 2147483646 }),
    sentinel_master: str('Redis Sentinel master name; implies Sentinel.'),
    sentinel_role: str('Redis Sentinel role.', { one_of: ['master', 'slave', 'any'] }),
    sentinel_nodes: arr('Redis Sentinel nodes; implies Sentinel.', node('host'), { minItems: 1 }),
    cluster_nodes: arr('Redis Cluster nodes; implies Redis Cluster.', node('ip'), { minItems: 1 }),
    ssl: bool('Connect to Redis over TLS.', { default: false }),
    ssl_verify: bool('Verify the Redis server certificate.', { default: byVersion('3.14', false, true) }),
    server_name: str('SNI server name for TLS.', refSince313()),
    cluster_max_redirections: int('Maximum retry attempts for Redis Cluster redirections.', { default: 5 }),
    connection_is_proxied: bool('Connection to Redis goes through a proxy (e.g. Envoy).', { default: false }),
    ...onlySince('3.13', { cloud_authentication: cloudAuthentication() }),
  }, { title: 'Enterprise redis', required: true });
}

/**
 * Kong's open-source Redis record (kong/tools/redis/schema.lua): port defaults to 6379 and host
 * has no default, so a record with only a port is valid (a dump writes `{host: null, port: 6379}`).
 */
export function redisCE(description, o = {}) {
  return rec(description, {
    host: host('Redis host.', refSince313()),
    port: port('Redis port.', { default: 6379, ...refSince313() }),
    timeout: timeout('Redis timeout (ms).', { default: 2000 }),
    username: str('Redis ACL username (Redis 6+).', { referenceable: true }),
    password: str('Redis password; no AUTH is sent when unset.', { referenceable: true, secret: true, len_min: 0 }),
    database: int('Redis database number.', { default: 0 }),
    ssl: bool('Connect to Redis over TLS.', { default: false }),
    ssl_verify: bool('Verify the Redis server certificate.', { default: byVersion('3.14', false, true) }),
    server_name: str('SNI server name for TLS.', refSince313()),
    ...onlySince('3.13', { cloud_authentication: cloudAuthentication() }),
  }, { title: 'Redis', required: true, ...o });
}

/** Kong's deprecated `redis_*` shorthands of a plugin's `config.redis` (the plugin's `shorthand_fields`). */
const REDIS_SHORTHANDS = {
  host: 'string', port: 'integer', password: 'string', username: 'string', ssl: 'boolean',
  ssl_verify: 'boolean', server_name: 'string', timeout: 'integer', database: 'integer',
};

/**
 * The legacy `redis_<x>` fields of rate-limiting, response-ratelimiting… (Kong `shorthand_fields`
 * with `deprecation.replaced_with = config.redis.<x>`): accepted on write and translated into
 * `config.redis` (src/config/shorthands.ts), mirrored back on read. `x-kong-shorthand` names the
 * field they stand for; they have no default, so a filled config never carries them.
 */
export function redisShorthands(plugin) {
  return Object.fromEntries(Object.entries(REDIS_SHORTHANDS).map(([f, type]) => [`redis_${f}`, {
    description: `Deprecated: use redis.${f}.`,
    type: [type, 'null'],
    ...(f === 'password' ? { 'x-secret': true } : {}),
    'x-kong-shorthand': `redis.${f}`,
    'x-deprecated': `${plugin}: config.redis_${f} is deprecated, please use config.redis.${f} instead`,
  }]));
}
