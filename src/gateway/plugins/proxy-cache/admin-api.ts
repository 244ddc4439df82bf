/**
 * proxy-cache's Admin API endpoints (Kong `kong/plugins/proxy-cache/api.lua`):
 *   DELETE /proxy-cache                               purge every proxy-cache plugin's cache → 204
 *   GET|DELETE /proxy-cache/{cache_key}               the entry in any proxy-cache plugin's cache
 *   GET|DELETE /proxy-cache/{plugin_id}/caches/{key}  the entry in that plugin's cache
 * GET answers the entry as Kong stores it; a missing entry or plugin is a 404.
 */
import type { PluginAdminApi, PluginApiEnv } from '../../plugin.js';
import { entryJson, MemoryCache } from './memory-cache.js';

type Answer = { status: number; body?: unknown };

const NOT_FOUND: Answer = { status: 404, body: { message: 'Not found' } };
const NOT_ALLOWED: Answer = { status: 405, body: { message: 'Method not allowed' } };

function cacheOf(env: PluginApiEnv, config: Readonly<Record<string, unknown>>): MemoryCache {
  const memory = config.memory as { dictionary_name?: unknown } | null | undefined;
  const dict = typeof memory?.dictionary_name === 'string' ? memory.dictionary_name : 'kong_db_cache';
  return env.shared(dict).get('cache', () => new MemoryCache());
}

function entry(method: string, cache: MemoryCache, key: string, now: number): Answer | null {
  const e = cache.get(key, now);
  if (e === undefined) return null;
  if (method === 'GET') return { status: 200, body: entryJson(e) };
  cache.delete(key);
  return { status: 204 };
}

function handle(method: string, segments: readonly string[], env: PluginApiEnv): Answer {
  if (segments.length === 0) {
    if (method !== 'DELETE') return NOT_ALLOWED;
    for (const p of env.plugins) cacheOf(env, p.config).flush();
    return { status: 204 };
  }
  if (method !== 'GET' && method !== 'DELETE') return NOT_ALLOWED;
  if (segments.length === 1) {
    for (const p of env.plugins) {
      const found = entry(method, cacheOf(env, p.config), segments[0], env.now());
      if (found) return found;
    }
    return NOT_FOUND;
  }
  if (segments.length === 3 && segments[1] === 'caches') {
    const plugin = env.plugins.find((p) => p.id === segments[0]);
    if (!plugin) return NOT_FOUND;
    return entry(method, cacheOf(env, plugin.config), segments[2], env.now()) ?? NOT_FOUND;
  }
  return NOT_FOUND;
}

export const proxyCacheApi: PluginAdminApi = { path: 'proxy-cache', handle };
