/**
 * rate-limiting-advanced (Kong Enterprise): requests per identifier over one or more windows
 * (`window_size[]` / `limit[]`), sliding or fixed, counted in this process (`local`, or `redis`
 * with `sync_rate` -1/null, as Kong keeps such counters in node memory) or in Redis (`sync_rate`
 * ≥ 0: aigw updates Redis on every request, where Kong batches every `sync_rate` seconds). The
 * window arithmetic and counter stores are ai-rate-limiting-advanced's (windows.ts, budget-store.ts):
 * a request adds 1 to every window, atomically, and is refused when one window goes over its limit.
 * Plugins naming the same `namespace` share their counters.
 *
 * Headers (unless `hide_client_headers`), as Kong's handler sends them: `X-RateLimit-Limit-<window>`
 * and `X-RateLimit-Remaining-<window>` per window (`<window>`: second, minute, hour, day, month,
 * year, else the size in seconds), `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` of
 * the window with the least left, and on refusal `Retry-After` (+ up to `retry_after_jitter_max`
 * s). Refusal: `error_code` with `{"message": error_message}`. With `disable_penalty` on sliding
 * windows a refused request is not counted; otherwise it is, in every window (Kong stops counting
 * at the window that refused).
 *
 * Consumer groups: a plugin scoped to a consumer group runs for its members only (the runtime's
 * scoping); `identifier: consumer-group` then counts per that group. The deprecated policy
 * overrides (`enforce_consumer_groups`, Kong's handler): for an authenticated consumer, the first
 * group of `consumer_groups` (name or id, in order) it belongs to decides — its override's
 * `limit`/`window_size`/`window_type`/`retry_after_jitter_max` replace the plugin's own (same key
 * and namespace: counters are per window size, as Kong's), or, without an override, the plugin's
 * own apply (logged once). Error code and message, hide_client_headers and disable_penalty stay the plugin's.
 */
import type { GatewayContext, Reply } from '../../context.js';
import type { Plugin, PluginDeps } from '../../plugin.js';
import { FallbackBudget, LocalBudget, RedisBudget, type Admission, type BudgetStore, type BudgetWindow } from '../ai-rate-limiting-advanced/budget-store.js';
import { identify } from '../ai-rate-limiting-advanced/identify.js';
import { parseOverride, parseRlaConfig, type RlaConfig, type RlaLimits, type RlaWindow } from './config.js';

const WINDOW_NAMES: Readonly<Record<number, string>> = { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day', 2592000: 'month', 31536000: 'year' };

/** Kong's header suffix of a window: its human name, else its size. */
export const windowName = (size: number): string => WINDOW_NAMES[size] ?? String(size);

function keyOf(ctx: GatewayContext, c: RlaConfig, deps: PluginDeps): string {
  const cfg = { ...c, consumerGroup: deps.scope.consumerGroup ?? null };
  if (c.compound === null) return identify(ctx, cfg, deps.consumers);
  return c.compound.map((i) => identify(ctx, cfg, deps.consumers, i)).join('|');
}

/**
 * Kong's reset (s) of a window: the end of the current bucket; a sliding window over its limit
 * adds the share of a window the excess stands for.
 */
export function resetOf(w: RlaWindow, rate: number, nowMs: number, sliding: boolean): number {
  const now = Math.floor(nowMs / 1000);
  const start = Math.floor(now / w.size) * w.size;
  const reset = Math.max(1, w.size - (now - start));
  return sliding ? Math.ceil(reset + Math.max(0, ((rate - w.limit) / w.limit) * w.size)) : reset;
}

interface Shown { headers: Record<string, string>; reset: number | null }

/** The per-window headers and the RateLimit-* of the window with the least left (ties: the larger window). */
export function rateHeaders(c: RlaConfig, a: Admission, windows: readonly BudgetWindow[], nowMs: number): Shown {
  const h: Record<string, string> = {};
  let best: { w: RlaWindow; remaining: number; rate: number } | null = null;
  c.windows.forEach((w, i) => {
    const counted = a.admitted || windows[i].penalty ? 1 : 0;
    const rate = a.usage[i] + counted;
    const remaining = Math.floor(Math.max(w.limit - rate, 0));
    h[`X-RateLimit-Limit-${windowName(w.size)}`] = String(w.limit);
    h[`X-RateLimit-Remaining-${windowName(w.size)}`] = String(remaining);
    if (best === null || remaining < best.remaining || (remaining === best.remaining && w.size > best.w.size)) best = { w, remaining, rate };
  });
  if (best === null) return { headers: h, reset: null };
  const b: { w: RlaWindow; remaining: number; rate: number } = best;
  const reset = resetOf(b.w, b.rate, nowMs, c.windowType === 'sliding');
  h['RateLimit-Limit'] = String(b.w.limit);
  h['RateLimit-Remaining'] = String(b.remaining);
  h['RateLimit-Reset'] = String(reset);
  return { headers: h, reset };
}

function refusal(c: RlaConfig, a: Admission, shown: Shown, random: () => number): Reply {
  const headers = c.hideClientHeaders ? {} : { ...shown.headers };
  if (!c.hideClientHeaders && shown.reset !== null) {
    const jitter = c.jitterMax >= 1 ? Math.floor(random() * Math.floor(c.jitterMax)) + 1 : 0;
    headers['Retry-After'] = String(shown.reset + jitter);
  }
  const over = c.windows.filter((_, i) => a.blocked[i]).map((w) => `${w.limit} per ${w.size} s`);
  return { status: c.errorCode, json: { message: c.errorMessage }, reason: `over ${over.join(', ')}`, headers };
}

function openStore(c: RlaConfig, deps: PluginDeps): BudgetStore {
  if (c.store === 'local') return deps.shared('local').get('counters', () => new LocalBudget(deps.now), (s) => s.close());
  const key = `redis:${JSON.stringify(c.redis)}`;
  const label = 'rate-limiting-advanced';
  return deps.shared(key).get('counters', () => new FallbackBudget(new RedisBudget(c.redis, deps.logger, label), new LocalBudget(deps.now), deps.logger, label, 'requests'), (s) => s.close());
}

/** The config a request runs with: the plugin's, or its limits replaced by a consumer group's policy override. */
function overridden(c: RlaConfig, deps: PluginDeps): (ctx: GatewayContext) => RlaConfig {
  if (!c.enforceConsumerGroups || c.consumerGroups.length === 0) return () => c;
  const parsed = new WeakMap<object, RlaConfig>();
  const warned = new Set<string>();
  return (ctx) => {
    const hit = ctx.consumer === null ? null : deps.consumers.policyOverride(ctx.consumer.id, c.consumerGroups, 'rate-limiting-advanced');
    if (hit === null) return c;
    if (hit.config === null) {
      if (!warned.has(hit.group)) deps.logger.warn(`rate-limiting-advanced (${deps.pluginId}): consumer group ${hit.group} enforced but no consumer group configurations provided; the plugin's own limits apply`);
      warned.add(hit.group);
      return c;
    }
    let eff = parsed.get(hit.config);
    if (eff === undefined) {
      const limits: RlaLimits = parseOverride(hit.config);
      eff = { ...c, ...limits };
      parsed.set(hit.config, eff);
    }
    return eff;
  };
}

export const rateLimitingAdvanced: Plugin<RlaConfig> = {
  name: 'rate-limiting-advanced',
  parse: parseRlaConfig,
  create(c, deps) {
    const store = openStore(c, deps);
    const ns = c.namespace ?? deps.pluginId;
    const configOf = overridden(c, deps);
    return {
      async access(ctx): Promise<Reply | undefined> {
        const id = keyOf(ctx, c, deps);
        const e = configOf(ctx);
        const penalty = !(e.disablePenalty && e.windowType === 'sliding');
        const windows: BudgetWindow[] = e.windows.map((w) => ({ key: `aigw:rla:{${ns}:${id}}:${w.size}`, size: w.size, limit: w.limit, need: 1, add: 1, penalty }));
        const now = deps.now();
        const admission = await store.admit(windows, now, e.windowType);
        const shown = rateHeaders(e, admission, windows, now);
        if (!admission.admitted) return refusal(e, admission, shown, Math.random);
        if (!c.hideClientHeaders) Object.assign(ctx.responseHeaders, shown.headers);
        return undefined;
      },
    };
  },
};
