/**
 * Server-sent events to connected dashboards. New request summaries are batched (one `requests`
 * event per BATCH_MS), flow counts follow at most once a second, reloads push the new config.
 * Bounded: at most MAX_CLIENTS; a client that does not read (more than MAX_BUFFERED bytes waiting)
 * gets nothing more until its socket drains, then one `resync` event (the page reloads its snapshot).
 */
import type { ServerResponse } from 'node:http';
import type { RequestSummary } from './api-types.js';

export const MAX_CLIENTS = 16;
export const BATCH_MS = 250;
export const MAX_BUFFERED = 256 * 1024;
const HEARTBEAT_MS = 15_000;

interface Client {
  res: ServerResponse;
  lagging: boolean;
}

export interface SseSources {
  /** Start receiving request summaries; returns the unsubscribe. */
  subscribe(push: (s: RequestSummary) => void): () => void;
  /** Flow counts, sent after a batch of requests (at most once a second). */
  counts(): unknown;
}

export class SseHub {
  private readonly clients = new Set<Client>();
  private pending: RequestSummary[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastCounts = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly sources: SseSources) {}

  get size(): number {
    return this.clients.size;
  }

  /** Take over `res` as an event stream, starting with `hello`. False when full. */
  open(res: ServerResponse, hello: unknown): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const c: Client = { res, lagging: false };
    this.clients.add(c);
    res.on('drain', () => {
      if (!c.lagging) return;
      c.lagging = false;
      this.write(c, 'resync', {});
    });
    res.once('close', () => this.drop(c));
    this.write(c, 'hello', hello);
    this.unsubscribe ??= this.sources.subscribe((s) => this.queue(s));
    this.heartbeat ??= setInterval(() => this.broadcastRaw(': ping\n\n'), HEARTBEAT_MS).unref();
    return true;
  }

  /** Send one event to every client (reloads). */
  broadcast(event: string, data: unknown): void {
    this.broadcastRaw(frame(event, data));
  }

  close(): void {
    for (const c of [...this.clients]) c.res.end();
    this.stop();
  }

  private queue(s: RequestSummary): void {
    this.pending.push(s);
    this.batchTimer ??= setTimeout(() => this.flush(), BATCH_MS).unref();
  }

  private flush(): void {
    this.batchTimer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.broadcastRaw(frame('requests', batch));
    const now = Date.now();
    if (now - this.lastCounts >= 1000) {
      this.lastCounts = now;
      this.broadcastRaw(frame('counts', this.sources.counts()));
    } else {
      this.batchTimer = setTimeout(() => this.flushCounts(), 1000 - (now - this.lastCounts)).unref();
    }
  }

  private flushCounts(): void {
    this.batchTimer = null;
    if (this.pending.length > 0) return this.flush();
    this.lastCounts = Date.now();
    this.broadcastRaw(frame('counts', this.sources.counts()));
  }

  private broadcastRaw(text: string): void {
    for (const c of this.clients) this.writeRaw(c, text);
  }

  private write(c: Client, event: string, data: unknown): void {
    this.writeRaw(c, frame(event, data));
  }

  private writeRaw(c: Client, text: string): void {
    if (c.lagging || c.res.destroyed) return;
    if (c.res.writableLength > MAX_BUFFERED) {
      c.lagging = true;
      return;
    }
    c.res.write(text);
  }

  private drop(c: Client): void {
    this.clients.delete(c);
    if (this.clients.size === 0) this.stop();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.pending = [];
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
