// proxy-cache: config schema source (built into schemas/plugins/proxy-cache.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, int, pluginConfig, rec, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'proxy-cache';
export const priority = 100;

/**
 * The config schema for Kong version `_kong` (no change 3.10 → 3.15; kong/plugins/proxy-cache/schema.lua).
 * `memory` and `response_headers` are records without `required = false`, which Kong treats as
 * required: they are filled with their defaults.
 */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Caches upstream responses in memory and answers repeated requests from the cache.', {
    response_code: arr('Upstream response status codes considered cacheable.', el('integer', { min: 100, max: 900 }), {
      required: true, default: [200, 301, 404], minItems: 1,
    }),
    request_method: arr('Downstream request methods considered cacheable.', el('string', {
      one_of: ['HEAD', 'GET', 'POST', 'PATCH', 'PUT'],
    }), { required: true, default: ['GET', 'HEAD'] }),
    content_type: arr('Upstream response content types considered cacheable (exact match, parameters included).', el('string'), {
      required: true, default: ['text/plain', 'application/json'],
    }),
    cache_ttl: int('TTL, in seconds, of cache entities.', { default: 300, gt: 0 }),
    strategy: str('The backing data store in which to hold cache entities.', { required: true, one_of: ['memory'] }),
    cache_control: bool('Respect the Cache-Control behaviors defined in RFC7234.', { required: true, default: false }),
    ignore_uri_case: bool('Lower-case the URI in the cache key.', { default: false }),
    storage_ttl: int('Seconds to keep resources in the storage, independent of cache_ttl or Cache-Control.'),
    memory: rec('Settings of the memory strategy.', {
      dictionary_name: str('The memory cache holding the entities: plugins naming the same one share it.', {
        required: true, default: 'kong_db_cache',
      }),
    }, { required: true }),
    vary_query_params: arr('Query parameters considered for the cache key (all when unset).', el('string')),
    vary_headers: arr('Headers considered for the cache key (none when unset).', el('string')),
    response_headers: rec('Caching diagnostic headers to include in responses.', {
      age: bool('Send Age.', { default: true }),
      'X-Cache-Status': bool('Send X-Cache-Status.', { default: true }),
      'X-Cache-Key': bool('Send X-Cache-Key.', { default: true }),
    }, { required: true }),
  });
}
