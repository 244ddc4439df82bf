// rate-limiting: config schema source (built into schemas/plugins/rate-limiting.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, headerName, num, path, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';
import { redisCE, redisShorthands } from '../../../../schemas/src/redis.mjs';

export const name = 'rate-limiting';
export const priority = 910;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const limit = (unit) => num(`Requests allowed per ${unit}.`, { gt: 0 });
  const redisNeeds = (f) => ({
    conditional: { if_field: 'policy', if_match: { eq: 'redis' }, then_field: f, then_match: { required: true } },
  });
  return pluginConfig(name, priority, 'Limits requests per second, minute, hour, day, month or year.', {
    second: limit('second'),
    minute: limit('minute'),
    hour: limit('hour'),
    day: limit('day'),
    month: limit('month'),
    year: limit('year'),
    limit_by: str('Entity whose requests are counted.', {
      required: true, default: 'consumer', one_of: ['consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'],
    }),
    header_name: headerName('Header used when limit_by is header.'),
    path: path('Path used when limit_by is path.'),
    policy: str('Where counters are kept.', {
      required: true, default: 'local', len_min: 0, one_of: ['local', 'cluster', 'redis'],
      unsupportedValues: { cluster: 'no Kong database cluster: use local or redis' },
    }),
    fault_tolerant: bool('Proxy requests when the counter store fails.', { required: true, default: true }),
    redis: redisCE('Redis connection of the redis policy.'),
    hide_client_headers: bool('Do not send the RateLimit-* / X-RateLimit-* headers.', { required: true, default: false }),
    error_code: num('Status code returned when the limit is exceeded.', { required: true, default: 429, gt: 0 }),
    error_message: str('Message returned when the limit is exceeded.', { required: true, default: 'API rate limit exceeded' }),
    sync_rate: num('Seconds between counter syncs to redis; -1 updates synchronously.', {
      required: true, default: -1, noEffect: 'aigw serve updates redis counters on every request (as -1), at least as strict as any sync_rate',
    }),
    ...redisShorthands(name),
  }, [
    { at_least_one_of: ['second', 'minute', 'hour', 'day', 'month', 'year'] },
    redisNeeds('redis.host'),
    redisNeeds('redis.port'),
    {
      conditional: { if_field: 'limit_by', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } },
    },
    { conditional: { if_field: 'limit_by', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    {
      custom: 'rate-limiting-periods-order',
      message: 'The limit for <upper>(<n>) cannot be lower than the limit for <lower>(<n>)',
    },
  ]);
}
