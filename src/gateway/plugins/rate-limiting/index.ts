/**
 * rate-limiting: second…year windows per identifier (`limit_by`), policies
 * `local` and `redis`, `fault_tolerant`, and Kong's RateLimit-* / X-RateLimit-* headers.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import type { GatewayContext, Reply } from '../../context.js';
import type { KongPlugin, LimitState } from '../../plugin.js';
import { LocalCounters, RedisCounters, type CounterBackend, type RedisSettings, type Window } from './store.js';

const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
type Period = (typeof PERIODS)[number];
const SECONDS: Record<Period, number> = { second: 1, minute: 60, hour: 3600, day: 86400, month: 2592000, year: 31536000 };
const TITLE: Record<Period, string> = { second: 'Second', minute: 'Minute', hour: 'Hour', day: 'Day', month: 'Month', year: 'Year' };
const EMPTY_UUID = '00000000-0000-0000-0000-000000000000';

interface RateLimitingConfig {
  limits: Array<{ period: Period; limit: number }>;
  limitBy: string;
  headerName: string | null;
  path: string | null;
  policy: string;
  faultTolerant: boolean;
  hideClientHeaders: boolean;
  errorCode: number;
  errorMessage: string;
  redis: RedisSettings;
}

/** Start of the period containing `now` (UTC; month and year on calendar boundaries), in ms. */
export function periodStart(period: Period, now: number): number {
  const d = new Date(now);
  if (period === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (period === 'year') return Date.UTC(d.getUTCFullYear(), 0, 1);
  const size = SECONDS[period] * 1000;
  return now - (now % size);
}

function identifier(ctx: GatewayContext, c: RateLimitingConfig): string {
  switch (c.limitBy) {
    case 'consumer': return ctx.consumer?.id ?? ctx.credential?.id ?? ctx.clientIp;
    case 'credential': return ctx.credential?.id ?? ctx.clientIp;
    case 'service': return ctx.service?.id ?? ctx.clientIp;
    case 'header': return (c.headerName ? ctx.header(c.headerName.toLowerCase()) : undefined) ?? ctx.clientIp;
    case 'path': return c.path !== null && ctx.path === c.path ? ctx.path : ctx.clientIp;
    default: return ctx.clientIp;
  }
}

function parse(c: PluginConfigs['rate-limiting']): RateLimitingConfig {
  const r = c.redis;
  const limits = PERIODS.filter((p) => typeof c[p] === 'number').map((p) => ({ period: p, limit: c[p] as number }));
  if (limits.length === 0) throw new Error('at least one of these fields must be non-empty: second, minute, hour, day, month, year');
  return {
    limits,
    limitBy: (c.limit_by ?? 'consumer'),
    headerName: (c.header_name ?? null),
    path: (c.path ?? null),
    policy: (c.policy ?? 'local'),
    faultTolerant: (c.fault_tolerant ?? true),
    hideClientHeaders: (c.hide_client_headers ?? false),
    errorCode: (c.error_code ?? 429),
    errorMessage: (c.error_message ?? 'API rate limit exceeded'),
    redis: {
      host: (r?.host ?? '127.0.0.1'),
      port: (r?.port ?? 6379),
      timeout: (r?.timeout ?? 2000),
      username: (r?.username ?? null),
      password: (r?.password ?? null),
      database: (r?.database ?? 0),
      ssl: (r?.ssl ?? false),
      sslVerify: (r?.ssl_verify ?? false),
      serverName: (r?.server_name ?? null),
    },
  };
}

function headersFor(c: RateLimitingConfig, usage: number[], stop: number, now: number, starts: number[]): Record<string, string> {
  const h: Record<string, string> = {};
  let best: { limit: number; remaining: number; window: number; reset: number } | null = null;
  c.limits.forEach(({ period, limit }, i) => {
    let remaining = limit - usage[i];
    if (stop < 0 || stop === i) remaining -= 1;
    remaining = Math.max(0, remaining);
    const window = SECONDS[period];
    const reset = Math.max(1, window - Math.floor((now - starts[i]) / 1000));
    if (!best || remaining < best.remaining || (remaining === best.remaining && window > best.window)) best = { limit, remaining, window, reset };
    h[`X-RateLimit-Limit-${TITLE[period]}`] = String(limit);
    h[`X-RateLimit-Remaining-${TITLE[period]}`] = String(remaining);
  });
  const b = best as { limit: number; remaining: number; reset: number } | null;
  if (b) {
    h['RateLimit-Limit'] = String(b.limit);
    h['RateLimit-Remaining'] = String(b.remaining);
    h['RateLimit-Reset'] = String(b.reset);
  }
  return h;
}

/** Most counters the dashboard reads per plugin. */
const SNAPSHOT_MAX = 500;

/** The current windows' counters (`ratelimit:<route>:<service>:<identifier>:<start>:<period>`). */
async function limitsOf(c: RateLimitingConfig, backend: CounterBackend, prefix: string, now: number): Promise<LimitState[]> {
  const out: LimitState[] = [];
  for (const [key, used] of await backend.snapshot(prefix, SNAPSHOT_MAX)) {
    const parts = key.slice(prefix.length).split(':');
    const period = parts.pop() as Period;
    const start = Number(parts.pop());
    const limit = c.limits.find((l) => l.period === period);
    if (!limit || start !== periodStart(period, now)) continue;
    const ends = period === 'month' || period === 'year' ? periodStart(period, start + SECONDS[period] * 1000 + 86_400_000) : start + SECONDS[period] * 1000;
    out.push({ subject: parts.join(':'), window: period, unit: 'requests', limit: limit.limit, used, resetSeconds: Math.max(0, Math.ceil((ends - now) / 1000)) });
  }
  return out;
}

export const rateLimiting: KongPlugin<'rate-limiting', RateLimitingConfig> = {
  name: 'rate-limiting',
  parse,
  create(c, deps) {
    const backend: CounterBackend = c.policy === 'redis'
      ? deps.store.get('redis', () => new RedisCounters(c.redis, deps.logger), (r) => r.close())
      : deps.store.get('local', () => new LocalCounters(deps.now));
    const routeId = deps.scope.route ?? EMPTY_UUID;
    const serviceId = deps.scope.service ?? EMPTY_UUID;
    return {
      async access(ctx): Promise<Reply | undefined> {
        const now = deps.now();
        const id = identifier(ctx, c);
        const starts = c.limits.map((l) => periodStart(l.period, now));
        const windows: Window[] = c.limits.map((l, i) => ({
          key: `ratelimit:${routeId}:${serviceId}:${id}:${starts[i]}:${l.period}`,
          limit: l.limit,
          ttl: SECONDS[l.period],
        }));
        let usage: number[];
        try {
          const r = backend.check(windows);
          usage = r instanceof Promise ? await r : r;
        } catch (err) {
          if (c.faultTolerant) {
            deps.logger.error('rate-limiting: failed to get usage; request let through (fault_tolerant)', { error: (err as Error).message });
            return undefined;
          }
          deps.logger.error('rate-limiting: failed to get usage', { error: (err as Error).message });
          return { status: 500, message: 'An unexpected error occurred' };
        }
        const stop = usage.findIndex((u, i) => u >= c.limits[i].limit);
        const headers = c.hideClientHeaders ? {} : headersFor(c, usage, stop, now, starts);
        if (stop >= 0) {
          const reset = Math.max(1, SECONDS[c.limits[stop].period] - Math.floor((now - starts[stop]) / 1000));
          const reason = `${c.limits[stop].limit} requests per ${c.limits[stop].period} reached for ${id}`;
          return { status: c.errorCode, message: c.errorMessage, reason, headers: { ...headers, 'Retry-After': String(reset) } };
        }
        Object.assign(ctx.responseHeaders, headers);
        return undefined;
      },
      limits: (now) => limitsOf(c, backend, `ratelimit:${routeId}:${serviceId}:`, now),
    };
  },
};
