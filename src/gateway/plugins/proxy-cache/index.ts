/**
 * proxy-cache (Kong `kong/plugins/proxy-cache/handler.lua`, memory strategy):
 *   access   a cacheable request (method in `request_method`; with `cache_control`, no request
 *            no-store/no-cache) gets its key (cache-key.ts); a fresh entry answers it
 *            (X-Cache-Status: Hit, Age); otherwise it goes upstream marked Miss, or Refresh when
 *            the entry is stale (`cache_ttl`, or max-age/max-stale/min-fresh with `cache_control`);
 *            `only-if-cached` without an entry answers 504.
 *   header   the response is cacheable when its status is in `response_code`, its Content-Type
 *            matches `content_type` exactly and (with `cache_control`) it is not private/no-store/
 *            no-cache and has a positive TTL; otherwise X-Cache-Status becomes Bypass.
 *   response / chunk  keep the body (buffered answers, streamed ones chunk by chunk)
 *   log      a complete cacheable response is stored for `storage_ttl`, else its TTL.
 * X-Cache-Status, X-Cache-Key and Age are sent as `response_headers` says, all of them when the
 * request carries Kong-Debug. Plugins naming the same `memory.dictionary_name` share one cache;
 * the Admin API's `/proxy-cache` endpoints (admin-api.ts) look entries up and purge them.
 */
import type { ProxyCacheConfig } from '../../../config/generated/plugin-configs.js';
import type { GatewayContext, HeaderValue, Reply } from '../../context.js';
import { Slot } from '../../context.js';
import { HOP_BY_HOP } from '../../hop-by-hop.js';
import type { KongPlugin, PluginDeps, PluginInstance, ResponseHeaders } from '../../plugin.js';
import { queryArgs } from '../../request-args.js';
import { proxyCacheApi } from './admin-api.js';
import { cacheKey, type KeyConfig } from './cache-key.js';
import { contentTypeMatches, directives, mediaType, resourceTtl, seconds, type Directives } from './cacheability.js';
import { MemoryCache, type CachedResponse } from './memory-cache.js';

interface CacheConfig {
  methods: ReadonlySet<string>;
  codes: ReadonlySet<number>;
  contentTypes: NonNullable<ReturnType<typeof mediaType>>[];
  cacheTtl: number;
  storageTtl: number | null;
  cacheControl: boolean;
  dictionary: string;
  key: KeyConfig;
  send: { age: boolean; status: boolean; key: boolean };
}

/** One request on its way to the cache. */
interface Pending {
  owner: PluginInstance;
  key: string;
  reqBody: string | null;
  /** null until the response is seen; then whether it may be stored, and for how long. */
  cacheable: boolean | null;
  ttl: number;
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  chunks: Buffer[];
}

const PENDING = new Slot<Pending>('proxy-cache.pending');
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Never replayed from an entry (Kong's hop-by-hop list and rate-limit counters), nor per-request values. */
const NOT_REPLAYED = /^(content-length|x-kong-(request-id|upstream-latency|proxy-latency|response-latency)|.*ratelimit-remaining.*)$/i;

const wanted = (ctx: GatewayContext, on: boolean): boolean => on || ctx.header('kong-debug') !== undefined;

function cacheableRequest(c: CacheConfig, method: string, cc: Directives): boolean {
  if (!c.methods.has(method)) return false;
  return !(c.cacheControl && (cc.has('no-store') || cc.has('no-cache')));
}

/** Kong's freshness checks: the status to report when the entry cannot be served, null when it can. */
function staleness(c: CacheConfig, cc: Directives, e: CachedResponse, nowSec: number): 'Refresh' | null {
  const age = nowSec - e.timestamp;
  if (!c.cacheControl) return age > c.cacheTtl ? 'Refresh' : null;
  const maxAge = seconds(cc, 'max-age');
  const maxStale = seconds(cc, 'max-stale');
  const minFresh = seconds(cc, 'min-fresh');
  if (maxAge !== undefined && age > maxAge) return 'Refresh';
  if (maxStale !== undefined && age - e.ttl > maxStale) return 'Refresh';
  if (minFresh !== undefined && e.ttl - age < minFresh) return 'Refresh';
  return null;
}

function hit(ctx: GatewayContext, c: CacheConfig, e: CachedResponse, key: string, nowSec: number): Reply {
  const headers: Record<string, HeaderValue> = {};
  for (const [k, v] of Object.entries(e.headers)) {
    const lower = k.toLowerCase();
    if (HOP_BY_HOP.has(lower) || NOT_REPLAYED.test(lower) || lower === 'age' || lower === 'x-cache-status' || lower === 'x-cache-key') continue;
    headers[k] = v;
  }
  if (wanted(ctx, c.send.age)) headers.age = String(Math.floor(nowSec - e.timestamp));
  if (wanted(ctx, c.send.status)) headers['X-Cache-Status'] = 'Hit';
  if (wanted(ctx, c.send.key)) headers['X-Cache-Key'] = key;
  return { status: e.status, body: e.body, headers };
}

function one(v: HeaderValue | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Decide once, at the response head (Kong's header_filter). */
function decide(p: Pending, c: CacheConfig, h: ResponseHeaders, nowMs: number): void {
  const type = h.get('content-type');
  const cc = directives(h.get('cache-control'));
  let ok = c.codes.has(h.status) && typeof type === 'string' && type !== '' && contentTypeMatches(type, c.contentTypes);
  if (ok && c.cacheControl) ok = !(cc.has('private') || cc.has('no-store') || cc.has('no-cache')) && resourceTtl(cc, one(h.get('expires')), nowMs) > 0;
  p.cacheable = ok;
  p.status = h.status;
  p.ttl = c.cacheControl ? resourceTtl(cc, one(h.get('expires')), nowMs) : c.cacheTtl;
}

function snapshotHeaders(ctx: GatewayContext): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of ctx.res.getHeaderNames()) {
    const v = ctx.res.getHeader(name);
    if (v !== undefined) out[name] = Array.isArray(v) ? v : String(v);
  }
  // the names as they are sent (Kong keeps them raw: `X-Cache-Key`); Node has it, its types do not
  const res = ctx.res as typeof ctx.res & { getRawHeaderNames?: () => string[] };
  const raw = new Map((res.getRawHeaderNames?.() ?? []).map((n) => [n.toLowerCase(), n]));
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [raw.get(k) ?? k, v]));
}

function parse(c: ProxyCacheConfig): CacheConfig {
  return {
    methods: new Set(c.request_method),
    codes: new Set(c.response_code),
    contentTypes: c.content_type.map(mediaType).filter((t): t is NonNullable<typeof t> => t !== null),
    cacheTtl: c.cache_ttl ?? 300,
    storageTtl: c.storage_ttl ?? null,
    cacheControl: c.cache_control,
    dictionary: c.memory.dictionary_name,
    key: { varyQueryParams: c.vary_query_params ?? null, varyHeaders: c.vary_headers ?? null, ignoreUriCase: c.ignore_uri_case === true },
    send: { age: c.response_headers.age === true, status: c.response_headers['X-Cache-Status'] === true, key: c.response_headers['X-Cache-Key'] === true },
  };
}

function create(c: CacheConfig, deps: PluginDeps): PluginInstance {
  const cache = deps.shared(c.dictionary).get('cache', () => new MemoryCache());
  const mine = (ctx: GatewayContext): Pending | undefined => {
    const p = ctx.get(PENDING);
    return p?.owner === instance ? p : undefined;
  };
  const instance: PluginInstance = {
    async access(ctx) {
      const cc = directives(ctx.req.headers['cache-control']);
      if (!cacheableRequest(c, ctx.method, cc)) {
        if (wanted(ctx, c.send.status)) ctx.responseHeaders['X-Cache-Status'] = 'Bypass';
        return undefined;
      }
      const body = BODY_METHODS.has(ctx.method) ? await ctx.body() : null;
      const key = cacheKey({
        consumerId: ctx.consumer?.id ?? null, routeId: ctx.route?.id ?? null, method: ctx.method, target: ctx.req.url ?? '/',
        httpVersion: ctx.req.httpVersion, query: queryArgs(ctx.rawQuery), headers: ctx.req.headers as Record<string, string | string[]>, body,
      }, c.key);
      if (wanted(ctx, c.send.key)) ctx.responseHeaders['X-Cache-Key'] = key;
      const now = deps.now();
      const entry = cache.get(key, now);
      if (entry === undefined && c.cacheControl && cc.has('only-if-cached')) return { status: 504, body: '' };
      const stale = entry === undefined ? 'Miss' : staleness(c, cc, entry, Math.floor(now / 1000));
      if (entry !== undefined && stale === null) return hit(ctx, c, entry, key, Math.floor(now / 1000));
      ctx.set(PENDING, { owner: instance, key, reqBody: body?.toString('utf8') ?? null, cacheable: null, ttl: 0, status: 0, headers: {}, body: null, chunks: [] });
      if (wanted(ctx, c.send.status)) ctx.responseHeaders['X-Cache-Status'] = stale ?? 'Miss';
      return undefined;
    },
    header(ctx, h) {
      const p = mine(ctx);
      if (!p) return;
      decide(p, c, h, deps.now());
      if (!p.cacheable) {
        if (wanted(ctx, c.send.status)) h.set('X-Cache-Status', 'Bypass');
        return;
      }
      p.headers = snapshotHeaders(ctx);
    },
    // buffered answers (AI routes) hand their body here; plain proxying streams through `chunk`
    buffers: () => false,
    response(ctx, r) {
      const p = mine(ctx);
      if (p) p.body = r.body;
    },
    chunk(ctx, chunk) {
      const p = mine(ctx);
      if (p && p.cacheable !== false) p.chunks.push(chunk);
      return chunk;
    },
    log(ctx) {
      const p = mine(ctx);
      if (!p || p.cacheable !== true || !ctx.res.writableFinished) return;
      const now = deps.now();
      const body = p.body ?? Buffer.concat(p.chunks);
      const entry: CachedResponse = { status: p.status, headers: p.headers, body, timestamp: Math.floor(now / 1000), ttl: p.ttl, reqBody: p.reqBody };
      cache.set(p.key, entry, c.storageTtl ?? p.ttl, now);
    },
  };
  return instance;
}

export const proxyCache: KongPlugin<'proxy-cache', CacheConfig> = {
  name: 'proxy-cache',
  admin: proxyCacheApi,
  parse,
  create,
};
