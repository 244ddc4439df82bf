/**
 * Token-budget counters of ai-rate-limiting-advanced: `local` (in-process) and `redis` (one atomic
 * Lua script per admission, shared by every gateway on the same Redis). Counters are buckets
 * `<key>:<bucket start ms>` holding float amounts (tokens or cost); reservations and settlements
 * are plain additions, so a reservation is released by adding its negative.
 *
 * `admit` checks every window and, only when none is exhausted, adds each window's `add` (a
 * window with `penalty` is charged even when the request is refused). It returns a `settle`
 * function that later adds corrections to the SAME buckets, on the SAME backend.
 */
import { ioredis, redisClientOptions, type RedisConnection } from '../../redis-options.js';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { scanCounters } from '../rate-limiting/store.js';
import { effectiveUsage, position, type WindowType } from './windows.js';

export interface BudgetWindow {
  /** Counter key without the bucket suffix. */
  key: string;
  /** Window size (s). */
  size: number;
  limit: number;
  /** Amount that must still fit under the limit (0: only an exhausted window blocks). */
  need: number;
  /** Amount added when the request is admitted. */
  add: number;
  /** Charge `add` even when the request is refused. */
  penalty: boolean;
  /** This window's type when it differs from the admission's (a policy's own `window_type`). */
  type?: WindowType;
}

export interface Admission {
  admitted: boolean;
  /** Effective usage of each window before this request. */
  usage: number[];
  blocked: boolean[];
  /** Add `deltas[i]` to window i's bucket of this admission. */
  settle(deltas: readonly number[]): Promise<void>;
}

export interface BudgetStore {
  admit(windows: readonly BudgetWindow[], now: number, type: WindowType): Promise<Admission>;
  /** Live buckets (`<window key>:<bucket start>` → amount) whose key starts with `prefix`, at most `max` (the dashboard). */
  snapshot(prefix: string, max: number): Promise<Array<[string, number]>>;
  close(): void;
}

const bucket = (w: BudgetWindow, start: number): string => `${w.key}:${start}`;
const ttlOf = (w: BudgetWindow): number => Math.ceil(w.size * 2) + 1;
const isBlocked = (u: number, w: BudgetWindow): boolean => u >= w.limit || u + w.need > w.limit;

export class LocalBudget implements BudgetStore {
  private readonly counts = new Map<string, { n: number; expires: number }>();
  private inserts = 0;
  constructor(private readonly clock: () => number = Date.now) {}

  private get(k: string, now: number): number {
    const e = this.counts.get(k);
    return e && e.expires > now ? e.n : 0;
  }

  private add(k: string, amount: number, ttl: number, now: number): void {
    const e = this.counts.get(k);
    if (e && e.expires > now) e.n += amount;
    else {
      this.counts.set(k, { n: amount, expires: now + ttl * 1000 });
      if (++this.inserts % 10000 === 0) for (const [key, v] of this.counts) if (v.expires <= now) this.counts.delete(key);
    }
  }

  async admit(windows: readonly BudgetWindow[], now: number, type: WindowType): Promise<Admission> {
    const buckets: string[] = [];
    const usage = windows.map((w) => {
      const pos = position(w.size, now, w.type ?? type);
      buckets.push(bucket(w, pos.start));
      return effectiveUsage(this.get(bucket(w, pos.start), now), this.get(bucket(w, pos.prevStart), now), pos.prevWeight);
    });
    const blocked = windows.map((w, i) => isBlocked(usage[i], w));
    const admitted = !blocked.some(Boolean);
    windows.forEach((w, i) => {
      if (w.add !== 0 && (admitted || w.penalty)) this.add(buckets[i], w.add, ttlOf(w), now);
    });
    return {
      admitted, usage, blocked,
      settle: async (deltas) => {
        const at = this.clock();
        deltas.forEach((d, i) => { if (d !== 0 && i < windows.length) this.add(buckets[i], d, ttlOf(windows[i]), at); });
      },
    };
  }

  async snapshot(prefix: string, max: number): Promise<Array<[string, number]>> {
    const now = this.clock();
    const out: Array<[string, number]> = [];
    for (const [k, e] of this.counts) {
      if (out.length >= max) break;
      if (e.expires > now && k.startsWith(prefix)) out.push([k, e.n]);
    }
    return out;
  }

  close(): void {}
}

const ADMIT = `
local n = tonumber(ARGV[1])
local usage, blocked, any = {}, {}, false
for i = 1, n do
  local b = 1 + (i - 1) * 6
  local limit, weight, need = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local cur = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local u = cur + prev * weight
  usage[i] = tostring(u)
  if u >= limit or u + need > limit then blocked[i] = 1; any = true else blocked[i] = 0 end
end
for i = 1, n do
  local b = 1 + (i - 1) * 6
  local add = tonumber(ARGV[b + 4])
  if add ~= 0 and ((not any) or ARGV[b + 5] == '1') then
    redis.call('INCRBYFLOAT', KEYS[2 * i - 1], ARGV[b + 4])
    redis.call('EXPIRE', KEYS[2 * i - 1], ARGV[b + 6])
  end
end
return { any and 1 or 0, usage, blocked }
`;

export interface RedisBudgetSettings extends RedisConnection {
  host: string;
  port: number;
  sentinelMaster: string | null;
  sentinelRole: 'master' | 'slave' | null;
  sentinelNodes: Array<{ host: string; port: number }>;
  sentinelUsername: string | null;
  sentinelPassword: string | null;
  clusterNodes: Array<{ host: string; port: number }>;
}

function connect(s: RedisBudgetSettings): Redis | Cluster {
  const opts = redisClientOptions(s);
  if (s.clusterNodes.length > 0) return new (ioredis().Cluster)(s.clusterNodes, { redisOptions: opts });
  if (s.sentinelMaster !== null && s.sentinelNodes.length > 0) {
    return new (ioredis().Redis)({
      ...opts, sentinels: s.sentinelNodes, name: s.sentinelMaster, role: s.sentinelRole === 'slave' ? 'slave' : 'master',
      sentinelUsername: s.sentinelUsername ?? undefined, sentinelPassword: s.sentinelPassword ?? undefined,
    });
  }
  return new (ioredis().Redis)({ ...opts, host: s.host, port: s.port });
}

function parseAdmit(res: unknown, n: number): { any: boolean; usage: number[]; blocked: boolean[] } {
  if (!Array.isArray(res) || res.length !== 3 || !Array.isArray(res[1]) || !Array.isArray(res[2]) || res[1].length !== n) {
    throw new Error('unexpected redis reply');
  }
  return { any: Number(res[0]) === 1, usage: res[1].map((v: unknown) => Number(v)), blocked: res[2].map((v: unknown) => Number(v) === 1) };
}

export class RedisBudget implements BudgetStore {
  readonly client: Redis | Cluster;
  private lastError = 0;

  /** `label`: the plugin named in the logs. */
  constructor(s: RedisBudgetSettings, logger: Logger, label = 'ai-rate-limiting-advanced') {
    this.client = connect(s);
    this.client.on('error', (err: Error) => {
      const now = Date.now();
      if (now - this.lastError > 5000) logger.warn(`${label}: redis connection error`, { error: err.message, host: s.host, port: s.port });
      this.lastError = now;
    });
  }

  async admit(windows: readonly BudgetWindow[], now: number, type: WindowType): Promise<Admission> {
    const keys: string[] = [];
    const args: string[] = [String(windows.length)];
    const buckets: string[] = [];
    for (const w of windows) {
      const pos = position(w.size, now, w.type ?? type);
      buckets.push(bucket(w, pos.start));
      keys.push(bucket(w, pos.start), bucket(w, pos.prevStart));
      args.push(String(w.limit), String(pos.prevWeight), String(w.need), String(w.add), w.penalty ? '1' : '0', String(ttlOf(w)));
    }
    const r = parseAdmit(await this.client.eval(ADMIT, keys.length, ...keys, ...args), windows.length);
    return {
      admitted: !r.any, usage: r.usage, blocked: r.blocked,
      settle: async (deltas) => {
        const tx = this.client.multi();
        let ops = 0;
        deltas.forEach((d, i) => {
          if (d === 0 || i >= windows.length) return;
          tx.incrbyfloat(buckets[i], d).expire(buckets[i], ttlOf(windows[i]));
          ops++;
        });
        if (ops > 0) await tx.exec();
      },
    };
  }

  async snapshot(prefix: string, max: number): Promise<Array<[string, number]>> {
    if (this.client instanceof ioredis().Cluster) throw new Error('counters are spread over a Redis cluster; the dashboard does not read them');
    return scanCounters(this.client, prefix, max);
  }

  close(): void {
    this.client.disconnect();
  }
}

/**
 * Redis with a local fallback: when Redis cannot answer, the request is counted in-process
 * (per gateway) instead of failing, and the outage is logged (at most every 5 s). A settlement
 * goes to the backend that admitted the request; a failed settlement is logged and dropped.
 */
export class FallbackBudget implements BudgetStore {
  private lastWarn = 0;
  constructor(private readonly primary: BudgetStore, private readonly fallback: BudgetStore, private readonly logger: Logger, private readonly label = 'ai-rate-limiting-advanced', private readonly counted = 'tokens') {}

  async admit(windows: readonly BudgetWindow[], now: number, type: WindowType): Promise<Admission> {
    let a: Admission;
    try {
      a = await this.primary.admit(windows, now, type);
    } catch (err) {
      this.warn(`redis unavailable; counting ${this.counted} locally on this node`, err);
      return this.fallback.admit(windows, now, type);
    }
    return {
      ...a,
      settle: async (deltas) => {
        try {
          await a.settle(deltas);
        } catch (err) {
          this.warn(`failed to settle ${this.counted} in redis`, err);
        }
      },
    };
  }

  async snapshot(prefix: string, max: number): Promise<Array<[string, number]>> {
    return this.primary.snapshot(prefix, max);
  }

  private warn(msg: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarn < 5000) return;
    this.lastWarn = now;
    this.logger.warn(`${this.label}: ${msg}`, { error: (err as Error)?.message ?? String(err) });
  }

  close(): void {
    this.primary.close();
    this.fallback.close();
  }
}
