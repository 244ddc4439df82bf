/**
 * The memory strategy's store (Kong's `lua_shared_dict`): entries with a storage TTL, evicted least
 * recently used first when the bodies held pass `maxBytes` (Kong's `kong_db_cache` is 128 MiB).
 */

/** A cached response, in the shape Kong stores it and its Admin API returns it. */
export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Seconds since the epoch when it was stored. */
  timestamp: number;
  /** Freshness lifetime (s): `cache_ttl`, or from Cache-Control/Expires with `cache_control`. */
  ttl: number;
  reqBody: string | null;
}

interface Held {
  value: CachedResponse;
  /** ms since the epoch; Infinity when the storage TTL is 0. */
  expiresAt: number;
}

export const DEFAULT_MAX_BYTES = 128 * 1024 * 1024;

export class MemoryCache {
  private readonly entries = new Map<string, Held>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  get(key: string, nowMs: number): CachedResponse | undefined {
    const held = this.entries.get(key);
    if (held === undefined) return undefined;
    if (held.expiresAt <= nowMs) {
      this.delete(key);
      return undefined;
    }
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, held);
    return held.value;
  }

  /** Store for `ttlSeconds` (0: until evicted or purged). False when the body alone exceeds the cache. */
  set(key: string, value: CachedResponse, ttlSeconds: number, nowMs: number): boolean {
    if (value.body.length > this.maxBytes) return false;
    this.delete(key);
    this.entries.set(key, { value, expiresAt: ttlSeconds > 0 ? nowMs + ttlSeconds * 1000 : Infinity });
    this.bytes += value.body.length;
    for (const [k] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
    return true;
  }

  delete(key: string): boolean {
    const held = this.entries.get(key);
    if (held === undefined) return false;
    this.entries.delete(key);
    this.bytes -= held.value.body.length;
    return true;
  }

  flush(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The JSON Kong's `/proxy-cache` endpoints answer for an entry. */
export function entryJson(e: CachedResponse): Record<string, unknown> {
  const body = e.body.toString('utf8');
  return { status: e.status, headers: e.headers, body, body_len: e.body.length, timestamp: e.timestamp, ttl: e.ttl, version: 1, req_body: e.reqBody };
}
