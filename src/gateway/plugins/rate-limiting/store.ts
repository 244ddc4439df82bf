/**
 * Counter backends of rate-limiting: `local` (in-process, survives reloads through the plugin
 * store) and `redis` (ioredis; one atomic script per request: read usage, and increment when no
 * window is exhausted).
 */
import { ioredis, redisClientOptions, type RedisConnection } from '../../redis-options.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';

export interface Window {
  key: string;
  limit: number;
  ttl: number;
}

export interface CounterBackend {
  /** Usage of each window before this request; increments all of them unless one is exhausted. */
  check(windows: readonly Window[]): Promise<number[]> | number[];
  /** Live counters whose key starts with `prefix` (at most `max`), for the dashboard. */
  snapshot(prefix: string, max: number): Promise<Array<[string, number]>>;
}

/** At most `max` keys matching `prefix*` and their values, by SCAN (never KEYS) then MGET. */
export async function scanCounters(client: Redis, prefix: string, max: number): Promise<Array<[string, number]>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < max);
  const some = keys.slice(0, max);
  if (some.length === 0) return [];
  const values = await client.mget(...some);
  return some.map((k, i): [string, number] => [k, Number(values[i] ?? 0)]).filter(([, v]) => v !== 0);
}

export class LocalCounters implements CounterBackend {
  private readonly counts = new Map<string, { n: number; expires: number }>();
  private inserts = 0;
  constructor(private readonly now: () => number) {}

  check(windows: readonly Window[]): number[] {
    const now = this.now();
    const usage = windows.map((w) => {
      const e = this.counts.get(w.key);
      return e && e.expires > now ? e.n : 0;
    });
    if (usage.some((u, i) => u >= windows[i].limit)) return usage;
    windows.forEach((w, i) => {
      const e = this.counts.get(w.key);
      if (e && e.expires > now) e.n = usage[i] + 1;
      else {
        this.counts.set(w.key, { n: 1, expires: now + w.ttl * 1000 });
        if (++this.inserts % 10000 === 0) this.sweep(now);
      }
    });
    return usage;
  }

  async snapshot(prefix: string, max: number): Promise<Array<[string, number]>> {
    const now = this.now();
    const out: Array<[string, number]> = [];
    for (const [k, e] of this.counts) {
      if (out.length >= max) break;
      if (e.expires > now && k.startsWith(prefix)) out.push([k, e.n]);
    }
    return out;
  }

  private sweep(now: number): void {
    for (const [k, e] of this.counts) if (e.expires <= now) this.counts.delete(k);
  }
}

const SCRIPT = `
local n = #KEYS
local usage = {}
local stop = false
for i = 1, n do
  local v = tonumber(redis.call('GET', KEYS[i]) or '0')
  usage[i] = v
  if v >= tonumber(ARGV[i]) then stop = true end
end
if not stop then
  for i = 1, n do
    local v = redis.call('INCRBY', KEYS[i], 1)
    if v == 1 then redis.call('EXPIRE', KEYS[i], ARGV[n + i]) end
  end
end
return usage
`;

/** Kong's OSS `redis` record: one `timeout` for connect and commands. */
export interface RedisSettings extends Omit<RedisConnection, 'connectTimeout' | 'commandTimeout'> {
  host: string;
  port: number;
  timeout: number;
}

export class RedisCounters implements CounterBackend {
  readonly client: Redis;
  private lastError = 0;

  constructor(s: RedisSettings, logger: Logger) {
    this.client = new (ioredis().Redis)(redisClientOptions({ ...s, connectTimeout: s.timeout, commandTimeout: s.timeout }));
    this.client.on('error', (err: Error) => {
      const now = Date.now();
      if (now - this.lastError > 5000) logger.warn('rate-limiting: redis connection error', { error: err.message, host: s.host, port: s.port });
      this.lastError = now;
    });
  }

  async check(windows: readonly Window[]): Promise<number[]> {
    const args = [...windows.map((w) => String(w.limit)), ...windows.map((w) => String(w.ttl))];
    const res = (await this.client.eval(SCRIPT, windows.length, ...windows.map((w) => w.key), ...args)) as unknown;
    if (!Array.isArray(res)) throw new Error('unexpected redis reply');
    return res.map((v) => Number(v));
  }

  snapshot(prefix: string, max: number): Promise<Array<[string, number]>> {
    return scanCounters(this.client, prefix, max);
  }

  close(): void {
    this.client.disconnect();
  }
}
