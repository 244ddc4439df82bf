/**
 * What the dashboard knows, in bounded memory:
 *
 *   finished request (server.ts onRequest) ─► summary ─► recent requests  (ring, RECENT_KEPT)
 *                                                    ├─► totals           (totals.ts: 60 minutes + 24 hours)
 *                                                    ├─► flow counts      (flow.ts: per route, per step)
 *                                   only while a dashboard is connected:
 *                                                    └─► detail (headers, payloads) (ring, DETAILS_KEPT)
 *                                                        and a push to every connected dashboard
 *   reload result (serve.ts) ─► ConfigLog (ring, RELOADS_KEPT; the last invalid change kept apart)
 *
 * The per-request work runs after the client has its answer (the pipeline's log step) and keeps no
 * reference to the request: with nobody watching it is a summary object and a few counter updates.
 */
import type { GatewayContext } from '../context.js';
import type { ReloadResult, RequestDetail, RequestSummary } from './api-types.js';
import { FlowCounter } from './flow.js';
import { detailOf, summarize } from './summary.js';
import { Totals } from './totals.js';

/** Summaries a page keeps (the newest first: a snapshot's, then every one pushed to it). */
export const REQUESTS_KEPT = 1000;
/**
 * Summaries the gateway keeps: what a snapshot sends a page that opens. No more: a summary held
 * longer than V8's young generation lives is promoted, and old-generation garbage costs full
 * collections. Under wrk at ~9k req/s, 1,000 kept promoted 545 bytes per request (4 mark-compacts in
 * 6 s), 200 kept 197 (2), the dashboard off 144 (1); the p99 with 1,000 was ~50 % above the p99 with
 * 200 (bench/README.md, "The dashboard's recent requests").
 */
export const RECENT_KEPT = 200;
export const DETAILS_KEPT = 200;
export const RELOADS_KEPT = 20;

/** A fixed-capacity ring: pushing past capacity drops the oldest. */
export class Ring<T> {
  private readonly items: T[] = [];
  private head = 0;
  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.items.length < this.capacity ? [...this.items] : [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }

  find(pred: (item: T) => boolean): T | undefined {
    return this.items.find(pred);
  }

  get size(): number {
    return this.items.length;
  }
}

type Listener<T> = (item: T) => void;

export class RequestFeed {
  private seq = 0;
  readonly requests = new Ring<RequestSummary>(RECENT_KEPT);
  readonly details = new Ring<RequestDetail>(DETAILS_KEPT);
  readonly totals = new Totals();
  readonly flow = new FlowCounter();
  private readonly listeners = new Set<Listener<RequestSummary>>();

  /** The gateway's `onRequest`: called once per finished request. */
  readonly record = (ctx: GatewayContext): void => {
    const watched = this.listeners.size > 0;
    const s = summarize(ctx, ++this.seq, watched);
    this.requests.push(s);
    this.totals.add(s);
    this.flow.add(s);
    if (!watched) return;
    this.details.push(detailOf(ctx, s));
    for (const l of this.listeners) l(s);
  };

  /** Receive every new summary; while anyone listens, details are captured too. Returns the unsubscribe. */
  subscribe(fn: Listener<RequestSummary>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get watchers(): number {
    return this.listeners.size;
  }

  detail(id: string): RequestDetail | undefined {
    return this.details.find((d) => d.summary.id === id);
  }
}

/** Reload results: the last RELOADS_KEPT, and the last invalid change apart from them. */
export class ConfigLog {
  readonly reloads = new Ring<ReloadResult>(RELOADS_KEPT);
  lastInvalid: ReloadResult | null = null;
  private readonly listeners = new Set<Listener<ReloadResult>>();

  publish(r: ReloadResult): void {
    this.reloads.push(r);
    if (!r.ok) this.lastInvalid = r;
    for (const l of this.listeners) l(r);
  }

  subscribe(fn: Listener<ReloadResult>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
