/**
 * Totals over time: requests, errors, tokens, cost and semantic-cache lookups, overall and per
 * consumer, route, provider and model, in one bucket per minute (the last MINUTES) and one per hour
 * (the last HOURS). Memory is bounded: each bucket keeps at most KEYS_PER_DIMENSION names per
 * dimension and counts the rest under `(other)`.
 */
import type { RequestSummary, TotalsRow, TotalsView } from './api-types.js';

export const MINUTES = 60;
export const HOURS = 24;
export const KEYS_PER_DIMENSION = 200;
const OTHER = '(other)';

type Counts = Omit<TotalsRow, 'key'>;
const DIMENSIONS = ['consumer', 'route', 'provider', 'model'] as const;
type Dimension = (typeof DIMENSIONS)[number];

interface Bucket {
  start: number;
  all: Counts;
  dims: Record<Dimension, Map<string, Counts>>;
}

const zero = (): Counts => ({ requests: 0, clientErrors: 0, serverErrors: 0, promptTokens: 0, completionTokens: 0, cost: 0, cacheHits: 0, cacheLookups: 0 });

function addTo(c: Counts, s: RequestSummary): void {
  c.requests++;
  if (s.status >= 500) c.serverErrors++;
  else if (s.status >= 400) c.clientErrors++;
  if (s.ai) {
    c.promptTokens += s.ai.promptTokens;
    c.completionTokens += s.ai.completionTokens;
    c.cost += s.ai.cost;
    if (s.ai.cache === 'Hit' || s.ai.cache === 'Miss') c.cacheLookups++;
    if (s.ai.cache === 'Hit') c.cacheHits++;
  }
}

function merge(into: Counts, c: Counts): void {
  into.requests += c.requests;
  into.clientErrors += c.clientErrors;
  into.serverErrors += c.serverErrors;
  into.promptTokens += c.promptTokens;
  into.completionTokens += c.completionTokens;
  into.cost += c.cost;
  into.cacheHits += c.cacheHits;
  into.cacheLookups += c.cacheLookups;
}

function keysOf(s: RequestSummary): Record<Dimension, string | null> {
  return {
    consumer: s.consumer ?? '(anonymous)',
    route: s.route ?? '(no route)',
    provider: s.ai?.provider ?? null,
    model: s.ai?.provider && s.ai.model ? `${s.ai.provider}/${s.ai.model}` : null,
  };
}

/** Fixed-size ring of buckets of `size` ms each. */
class Buckets {
  private readonly ring: Array<Bucket | null>;
  constructor(private readonly size: number, count: number) {
    this.ring = new Array<Bucket | null>(count).fill(null);
  }

  at(now: number): Bucket {
    const start = now - (now % this.size);
    const i = Math.floor(start / this.size) % this.ring.length;
    let b = this.ring[i];
    if (!b || b.start !== start) {
      b = { start, all: zero(), dims: { consumer: new Map(), route: new Map(), provider: new Map(), model: new Map() } };
      this.ring[i] = b;
    }
    return b;
  }

  /** Buckets that start at or after `since`, oldest first. */
  since(since: number): Bucket[] {
    return this.ring.filter((b): b is Bucket => b !== null && b.start >= since).sort((a, b) => a.start - b.start);
  }

  get span(): number {
    return this.size;
  }

  get count(): number {
    return this.ring.length;
  }
}

export const WINDOWS: Readonly<Record<string, number>> = { '5m': 5, '15m': 15, '1h': 60, '6h': 360, '24h': 1440 };

export class Totals {
  private readonly minutes = new Buckets(60_000, MINUTES);
  private readonly hours = new Buckets(3_600_000, HOURS);

  add(s: RequestSummary, now: number = s.time): void {
    const keys = keysOf(s);
    for (const b of [this.minutes.at(now), this.hours.at(now)]) {
      addTo(b.all, s);
      for (const d of DIMENSIONS) {
        const k = keys[d];
        if (k === null) continue;
        const map = b.dims[d];
        let c = map.get(k);
        if (!c) {
          const key = map.size >= KEYS_PER_DIMENSION ? OTHER : k;
          c = map.get(key) ?? zero();
          map.set(key, c);
        }
        addTo(c, s);
      }
    }
  }

  /**
   * Totals of the last `window` ('5m', '15m', '1h' from minute buckets; '6h', '24h' from hour
   * buckets), the current partial bucket included, with one chart point per bucket.
   */
  view(window: string, now: number): TotalsView {
    const minutes = WINDOWS[window] ?? 15;
    const ring = minutes <= 60 ? this.minutes : this.hours;
    const points = Math.min(ring.count, Math.ceil((minutes * 60_000) / ring.span));
    const last = now - (now % ring.span);
    const since = last - (points - 1) * ring.span;
    const buckets = ring.since(since);
    const all = zero();
    const dims = { consumer: new Map<string, Counts>(), route: new Map<string, Counts>(), provider: new Map<string, Counts>(), model: new Map<string, Counts>() };
    for (const b of buckets) {
      merge(all, b.all);
      for (const d of DIMENSIONS) {
        for (const [k, c] of b.dims[d]) {
          const into = dims[d].get(k) ?? zero();
          merge(into, c);
          dims[d].set(k, into);
        }
      }
    }
    const rows = (d: Dimension): TotalsRow[] => [...dims[d]].map(([key, c]) => ({ key, ...c })).sort((a, b) => b.cost - a.cost || b.requests - a.requests);
    const byStart = new Map(buckets.map((b) => [b.start, b]));
    const series: TotalsView['series'] = [];
    for (let t = since; t <= last; t += ring.span) {
      const c = byStart.get(t)?.all ?? zero();
      series.push([t, c.requests, c.clientErrors, c.serverErrors, c.promptTokens + c.completionTokens, c.cost]);
    }
    return { window, since, all: { key: 'all', ...all }, byConsumer: rows('consumer'), byRoute: rows('route'), byProvider: rows('provider'), byModel: rows('model'), series };
  }
}
