// rate-limiting-advanced (Kong Enterprise): config schema source (built into schemas/plugins/rate-limiting-advanced.json
// by `npm run gen:schemas`). `priority` is declared here only: the runtime reads it from the built schema.
// Fields by Kong version, as Kong's dumps write them: compound_identifier and lock_dictionary_name (3.10 has them),
// throttling (3.12), redis.cloud_authentication (3.13, in the shared record), identifier `route` (3.14), counter_key (Konnect).
import {
  KONG_REFERENCE, arr, bool, el, elRec, enumOf, headerName, int, num, onlySince, path, pluginConfig, rec, str,
} from '../../../../schemas/src/dsl.mjs';
import { redisEE } from '../../../../schemas/src/redis.mjs';

export const name = 'rate-limiting-advanced';
export const priority = 910;

/** Why aigw serve refuses a set `counter_key` at startup (src/gateway/not-served.ts has the row). */
const COUNTER_KEY = 'aigw serve keys consumer counters by consumer id only (Konnect counter_key not implemented)';

const IDENTIFIERS = () => enumOf(['ip', 'credential', 'consumer', 'service', 'header', 'path', 'consumer-group'], { route: '3.14' });

/**
 * Kong EE's Redis record plus the deprecated shorthands rate-limiting-advanced keeps in it (Kong
 * dumps them as null): `timeout` (all three timeouts), `sentinel_addresses` and `cluster_addresses`
 * ("host:port" strings for sentinel_nodes / cluster_nodes); and `redis_proxy_type`.
 */
function redis() {
  const r = redisEE('Redis connection of the redis strategy.');
  const addresses = (what) => arr(`Deprecated: ${what} as "host:port" strings (use ${what === 'Sentinel nodes' ? 'sentinel_nodes' : 'cluster_nodes'}).`, el('string'), {
    minItems: 1, deprecated: `use ${what === 'Sentinel nodes' ? 'sentinel_nodes' : 'cluster_nodes'}`,
  });
  r.title = 'Enterprise redis with shorthands';
  r.properties = {
    ...r.properties,
    timeout: int('Deprecated: sets connect_timeout, send_timeout and read_timeout (ms).', { min: 0, max: 2147483646, deprecated: 'use connect_timeout, send_timeout and read_timeout' }),
    sentinel_addresses: addresses('Sentinel nodes'),
    cluster_addresses: addresses('Cluster nodes'),
    redis_proxy_type: str('Proxy type and version when connection_is_proxied (authentication between Kong and the proxy).', {
      one_of: ['envoy_v1.31'], unsupported: 'aigw serve connects to a proxied Redis as to Redis itself (no proxy authentication)',
    }),
  };
  return r;
}

function throttling() {
  return rec('Queue denied requests and retry them instead of refusing at once.', {
    enabled: bool('Whether throttling is enabled.', { required: true, default: false }),
    interval: num('Seconds between two retries of a queued request.', { required: true, default: 5, min: 1, max: 1000000 }),
    queue_limit: num('Most requests queued.', { required: true, default: 5, min: 1, max: 1000000 }),
    retry_times: num('Most retries of a queued request.', { required: true, default: 3, min: 1, max: 1000000 }),
  });
}

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Limits requests per identifier over one or more sliding or fixed windows (Kong Enterprise).', {
    identifier: str('What the rate-limit key is built from (no consumer/credential/header/path: the client IP).', {
      required: true, default: 'consumer', ...IDENTIFIERS(),
    }),
    compound_identifier: arr('Several identifiers combined into the key; takes precedence over identifier.', el('string', IDENTIFIERS())),
    window_size: arr('Window sizes in seconds, one per limit.', el('number'), { required: true }),
    window_type: str('sliding (the previous window counts, weighted) or fixed windows.', { required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }),
    limit: arr('Requests allowed per window, one per window size.', el('number'), { required: true }),
    sync_rate: num('Seconds between counter syncs to Redis: -1 or null keeps counters in this node\'s memory; 0 or more counts in Redis (aigw updates Redis on every request).'),
    namespace: str('Counter namespace: plugins naming the same namespace share their counters.'),
    strategy: str('Where counters are kept.', {
      required: true, default: 'local', one_of: ['cluster', 'redis', 'local'],
      unsupportedValues: { cluster: 'no Kong database cluster: use local or redis' },
    }),
    dictionary_name: str('nginx shared dictionary of the counters.', {
      required: true, default: 'kong_rate_limiting_counters', noEffect: 'aigw has no nginx shared dictionaries: the counters live in the process whatever the name',
    }),
    ...onlySince('3.10', {
      lock_dictionary_name: str('nginx shared dictionary of the sync locks.', {
        required: true, default: 'kong_locks', noEffect: 'aigw has no nginx shared dictionaries: the counters live in the process whatever the name',
      }),
    }),
    hide_client_headers: bool('Do not send the RateLimit-* / X-RateLimit-* headers.', { required: true, default: false }),
    retry_after_jitter_max: num('Upper bound (s) of a random delay added to Retry-After.', { required: true, default: 0 }),
    header_name: headerName('Header used when identifier is header.'),
    path: path('Path used when identifier is path.'),
    redis: redis(),
    enforce_consumer_groups: bool('Deprecated: let consumer groups override the limits (consumer_group overrides).', { default: false }),
    consumer_groups: arr('Deprecated: consumer groups allowed to override the limits (with enforce_consumer_groups).', el('string')),
    disable_penalty: bool('Do not count denied requests (sliding windows only).', { default: false }),
    error_code: num('Status code returned when the limit is exceeded.', { default: 429, gt: 0 }),
    error_message: str('Message returned when the limit is exceeded.', { default: 'API rate limit exceeded' }),
    ...onlySince('3.12', { throttling: throttling() }),
    ...onlySince('3.15', {
      counter_key: str('The consumer attribute that keys the counters when identifier is consumer (null: the consumer id).', {
        one_of: ['consumer.custom_id', 'consumer.id', 'consumer.username'], unsupported: COUNTER_KEY,
      }),
    }),
  }, [
    { custom: 'window-limit-lengths', message: 'You must provide the same number of windows and limits' },
    { conditional: { if_field: 'identifier', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } } },
    { conditional: { if_field: 'identifier', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    {
      conditional: {
        if_field: 'enforce_consumer_groups', if_match: { eq: true }, then_field: 'consumer_groups', then_match: { required: true },
      },
    },
  ]);
}
