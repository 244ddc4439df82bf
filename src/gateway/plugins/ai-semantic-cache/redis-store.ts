/**
 * Redis vector store (`vectordb.strategy: redis`) on plain Redis, no modules: shared by every
 * gateway replica pointing at the same Redis.
 *
 *   <p>e:<scope>:<id>        hash {v: float32 LE vector, p: payload, c: created ms, x: expires ms, k: exact key}, PEXPIRE ttl
 *   <p>i:<scope>             sorted set id → expires ms (the scope's index; expired ids trimmed on every search)
 *   <p>x:<scope>:<exactKey>  string → id, PEXPIRE ttl (exact_caching)
 *
 * A search is one EVALSHA: the script trims expired ids, then scans the newest `maxCandidates`
 * vectors server-side and returns only the best match, so vectors never cross the network. The
 * scan is linear (like the memory store); it suits caches of thousands of entries per scope, not
 * millions. Scopes are hashed into key names, so tenants never share keys. Single-node (or
 * proxied) Redis only: the scripts touch keys they derive, which Redis Cluster does not allow.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EnterpriseRedis } from '../../../config/generated/plugin-configs.js';
import { enterpriseRedis, ioredis, redisClientOptions } from '../../redis-options.js';
import type { CacheEntry, SearchHit, VectorStore } from './store.js';
import { toFloat32Buffer, type DistanceMetric } from '../../llm/wire/vector.js';

const SEARCH = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[6]) - 1)
local q = ARGV[2]
local n = #q / 4
local qv, qn = {}, 0
for i = 1, n do
  local x = struct.unpack('<f', q, (i - 1) * 4 + 1)
  qv[i] = x
  qn = qn + x * x
end
qn = math.sqrt(qn)
local threshold = tonumber(ARGV[4])
local best, bestd = nil, nil
for _, id in ipairs(ids) do
  local v = redis.call('HGET', ARGV[5] .. id, 'v')
  if v and #v == #q then
    local d
    if ARGV[3] == 'cosine' then
      local dp, vn = 0, 0
      for i = 1, n do
        local x = struct.unpack('<f', v, (i - 1) * 4 + 1)
        dp = dp + x * qv[i]
        vn = vn + x * x
      end
      if vn == 0 or qn == 0 then d = 1 else d = 1 - dp / (math.sqrt(vn) * qn) end
    else
      local s = 0
      for i = 1, n do
        local x = struct.unpack('<f', v, (i - 1) * 4 + 1) - qv[i]
        s = s + x * x
      end
      d = math.sqrt(s)
    end
    if d <= threshold and (bestd == nil or d < bestd) then
      best = id
      bestd = d
    end
  end
end
if best == nil then return false end
local e = redis.call('HMGET', ARGV[5] .. best, 'p', 'c', 'x', 'k')
if not e[1] then return false end
return {best, tostring(bestd), e[1], e[2], e[3], e[4]}
`;

const PUT = `
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2], 'c', ARGV[3], 'x', ARGV[4], 'k', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[7])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[8])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1) end
return 1
`;

const EXACT = `
local id = redis.call('GET', KEYS[1])
if not id then return false end
local e = redis.call('HMGET', ARGV[1] .. id, 'p', 'c', 'x', 'k')
if not e[1] then return false end
return {id, e[1], e[2], e[3], e[4]}
`;

interface Script { lua: string; sha: string }
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { search: script(SEARCH), put: script(PUT), exact: script(EXACT) };

export interface RedisStoreOptions {
  /** Key prefix, e.g. `aigw:semantic-cache:<plugin id>:`. */
  prefix: string;
  /** Newest entries scanned per search, and kept per scope. Default 2000. */
  maxCandidates?: number;
  onError?: (err: Error) => void;
}

function scopeKey(scope: string): string {
  return createHash('sha1').update(scope).digest('hex').slice(0, 20);
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return null;
}

export class RedisVectorStore implements VectorStore {
  readonly name = 'redis';
  private readonly maxCandidates: number;

  constructor(readonly client: Redis, private readonly opts: RedisStoreOptions) {
    this.maxCandidates = opts.maxCandidates ?? 2000;
    // Without a listener ioredis prints every connection error; the plugin logs them rate-limited.
    client.on('error', opts.onError ?? (() => undefined));
  }

  static connect(config: EnterpriseRedis | null | undefined, opts: RedisStoreOptions): RedisVectorStore {
    return new RedisVectorStore(new (ioredis().Redis)(redisClientOptions(enterpriseRedis(config))), opts);
  }

  private keys(scope: string): { entry: string; index: string; exact: string } {
    const s = scopeKey(scope);
    const p = this.opts.prefix;
    return { entry: `${p}e:${s}:`, index: `${p}i:${s}`, exact: `${p}x:${s}:` };
  }

  private async run(s: Script, keys: string[], args: Array<string | Buffer>): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.client.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  async findExact(scope: string, exactKey: string, now: number): Promise<CacheEntry | null> {
    const k = this.keys(scope);
    const r = await this.run(SCRIPTS.exact, [k.exact + exactKey], [k.entry]);
    if (!Array.isArray(r)) return null;
    const [id, payload, created, expires, key] = r.map(text);
    if (id === null || payload === null) return null;
    const expiresAt = Number(expires);
    if (expiresAt <= now) return null;
    return { id, exactKey: key ?? exactKey, vector: [], payload, createdAt: Number(created), expiresAt };
  }

  async search(scope: string, vector: readonly number[], metric: DistanceMetric, threshold: number, now: number): Promise<SearchHit | null> {
    const k = this.keys(scope);
    const args = [String(now), toFloat32Buffer([...vector]), metric, String(threshold), k.entry, String(this.maxCandidates)];
    const r = await this.run(SCRIPTS.search, [k.index], args);
    if (!Array.isArray(r)) return null;
    const [id, dist, payload, created, expires, key] = r.map(text);
    if (id === null || payload === null) return null;
    const entry: CacheEntry = { id, exactKey: key ?? '', vector: [], payload, createdAt: Number(created), expiresAt: Number(expires) };
    return { entry, distance: Number(dist) };
  }

  async put(scope: string, entry: CacheEntry): Promise<void> {
    const k = this.keys(scope);
    const ttl = Math.max(1, Math.round(entry.expiresAt - entry.createdAt));
    const args = [
      toFloat32Buffer([...entry.vector]), entry.payload, String(entry.createdAt), String(entry.expiresAt),
      entry.exactKey, String(ttl), entry.id, String(this.maxCandidates),
    ];
    await this.run(SCRIPTS.put, [k.entry + entry.id, k.index, k.exact + entry.exactKey], args);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
