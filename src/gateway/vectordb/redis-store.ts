/**
 * Redis vector store (`vectordb.strategy: redis`) on plain Redis, no modules: shared by every
 * gateway replica pointing at the same Redis.
 *
 *   <p>e:<scope>:<id>        hash {v: float32 LE vector, p: payload, c: created ms, x: expires ms,
 *                            k: exact key, m: metadata JSON}, PEXPIRE ttl (none for entries that never expire)
 *   <p>i:<scope>             sorted set id → expires ms (+inf: never; the scope's index; expired ids trimmed on every search)
 *   <p>x:<scope>:<exactKey>  string → id, PEXPIRE ttl (exact_caching)
 *
 * A search is one EVALSHA: the script trims expired ids, then scans the newest `maxCandidates`
 * vectors server-side and returns only the nearest `limit` matches, so vectors never cross the
 * network. The scan is linear (like the memory store); it suits thousands of entries per scope,
 * not millions. Metadata filters run in the gateway on the nearest candidates (at most 10 × limit,
 * 200 at least). Scopes are hashed into key names, so tenants never share keys. Single-node (or
 * proxied) Redis only: the scripts touch keys they derive, which Redis Cluster does not allow.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EnterpriseRedis } from '../../config/generated/plugin-configs.js';
import { enterpriseRedis, ioredis, redisClientOptions } from '../redis-options.js';
import { VectorStoreFull, type NearestOptions, type SearchHit, type VectorEntry, type VectorStore, type WhenFull } from './store.js';
import { toFloat32Buffer } from '../llm/wire/vector.js';
import { isObject, type JsonObject } from '../llm/wire/openai-types.js';

const NEAREST = `
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
local hits = {}
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
    if d <= threshold then hits[#hits + 1] = {id, d} end
  end
end
table.sort(hits, function(a, b) return a[2] < b[2] end)
local out = {}
for i = 1, math.min(#hits, tonumber(ARGV[7])) do
  local id = hits[i][1]
  local e = redis.call('HMGET', ARGV[5] .. id, 'p', 'c', 'x', 'k', 'm')
  if e[1] then
    out[#out + 1] = id
    out[#out + 1] = tostring(hits[i][2])
    out[#out + 1] = e[1]
    out[#out + 1] = e[2]
    out[#out + 1] = e[3]
    out[#out + 1] = e[4] or ''
    out[#out + 1] = e[5] or ''
  end
end
return out
`;

const PUT = `
local known = redis.call('ZSCORE', KEYS[2], ARGV[7])
if ARGV[9] == 'refuse' and not known and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[8]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2], 'c', ARGV[3], 'x', ARGV[4], 'k', ARGV[5], 'm', ARGV[11])
if ARGV[6] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
if ARGV[5] ~= '' then
  if ARGV[6] ~= '0' then redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[6]) else redis.call('SET', KEYS[3], ARGV[7]) end
end
redis.call('ZADD', KEYS[2], ARGV[10], ARGV[7])
if ARGV[6] == '0' then
  redis.call('PERSIST', KEYS[2])
else
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
end
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[8])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1) end
return 1
`;

const EXACT = `
local id = redis.call('GET', KEYS[1])
if not id then return false end
local e = redis.call('HMGET', ARGV[1] .. id, 'p', 'c', 'x', 'k', 'm')
if not e[1] then return false end
return {id, e[1], e[2], e[3], e[4] or '', e[5] or ''}
`;

interface Script { lua: string; sha: string }
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { nearest: script(NEAREST), put: script(PUT), exact: script(EXACT) };

export interface RedisStoreOptions {
  /** Key prefix, e.g. `aigw:semantic-cache:<plugin id>:`. */
  prefix: string;
  /** Newest entries scanned per search, and kept per scope. Default 2000. */
  maxCandidates?: number;
  /** What a put into a full scope does (default: evict the entries that expire first). */
  whenFull?: WhenFull;
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

function metadataOf(raw: string | null): JsonObject | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** One entry from the script's fields (id, payload, created, expires, exact key, metadata). */
function entryOf(f: Array<string | null>): VectorEntry | null {
  const [id, payload, created, expires, key, meta] = f;
  if (id === null || payload === null) return null;
  return { id, exactKey: key ?? '', vector: [], payload, metadata: metadataOf(meta), createdAt: Number(created), expiresAt: Number(expires) };
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

  async findExact(scope: string, exactKey: string, now: number): Promise<VectorEntry | null> {
    const k = this.keys(scope);
    const r = await this.run(SCRIPTS.exact, [k.exact + exactKey], [k.entry]);
    if (!Array.isArray(r)) return null;
    const e = entryOf(r.map(text));
    if (!e || e.expiresAt <= now) return null;
    return e.exactKey === '' ? { ...e, exactKey } : e;
  }

  async nearest(scope: string, vector: readonly number[], opts: NearestOptions, now: number): Promise<SearchHit[]> {
    const k = this.keys(scope);
    const fetch = opts.filter ? Math.max(opts.limit * 10, 200) : opts.limit;
    const args = [String(now), toFloat32Buffer([...vector]), opts.metric, String(opts.threshold), k.entry, String(this.maxCandidates), String(fetch)];
    const r = await this.run(SCRIPTS.nearest, [k.index], args);
    if (!Array.isArray(r)) return [];
    const f = r.map(text);
    const hits: SearchHit[] = [];
    for (let i = 0; i + 6 < f.length; i += 7) {
      const entry = entryOf([f[i], f[i + 2], f[i + 3], f[i + 4], f[i + 5], f[i + 6]]);
      if (!entry || (opts.filter && !opts.filter(entry.metadata ?? null))) continue;
      hits.push({ entry, distance: Number(f[i + 1]) });
      if (hits.length >= opts.limit) break;
    }
    return hits;
  }

  async put(scope: string, entry: VectorEntry): Promise<void> {
    const k = this.keys(scope);
    const forever = !Number.isFinite(entry.expiresAt);
    const ttl = forever ? 0 : Math.max(1, Math.round(entry.expiresAt - entry.createdAt));
    const args = [
      toFloat32Buffer([...entry.vector]), entry.payload, String(entry.createdAt), String(entry.expiresAt),
      entry.exactKey, String(ttl), entry.id, String(this.maxCandidates), this.opts.whenFull ?? 'evict',
      forever ? '+inf' : String(entry.expiresAt), entry.metadata ? JSON.stringify(entry.metadata) : '',
    ];
    const r = await this.run(SCRIPTS.put, [k.entry + entry.id, k.index, k.exact + entry.exactKey], args);
    if (r === 0) throw new VectorStoreFull(this.maxCandidates);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
