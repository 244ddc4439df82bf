/**
 * OTLP/HTTP export of spans: the official serializer (@opentelemetry/otlp-transformer, protobuf, as
 * Kong sends) behind Kong's plugin queue (http-log's BatchQueue: batches of queue.max_batch_size,
 * at most queue.max_entries waiting, retries until queue.max_retry_time). Nothing waits on it: the
 * request path only appends. Spans that are dropped (queue full, or the endpoint kept failing) are
 * counted and reported in one warning per DROP_REPORT_MS.
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Agent, request } from 'undici';
import type { Logger } from '../../log.js';
import { BatchQueue, type QueueOptions } from '../http-log/queue.js';

export const DROP_REPORT_MS = 10_000;

export interface ExporterOptions {
  endpoint: URL;
  headers: Record<string, string>;
  connectTimeout: number;
  sendTimeout: number;
  readTimeout: number;
  queue: QueueOptions;
}

export interface ExportStats {
  /** Spans the endpoint accepted. */
  exported: number;
  /** Spans dropped because the queue was full (queue.max_entries). */
  droppedQueueFull: number;
  /** Spans dropped because every export attempt failed (until queue.max_retry_time). */
  droppedFailed: number;
  /** Export requests that failed (each retry counts). */
  failedRequests: number;
}

export class SpanExporter {
  readonly stats: ExportStats = { exported: 0, droppedQueueFull: 0, droppedFailed: 0, failedRequests: 0 };
  private readonly agent: Agent;
  private readonly queue: BatchQueue<ReadableSpan>;
  private reported = { full: 0, failed: 0 };
  private reportTimer: NodeJS.Timeout | null = null;
  private lastError = '';

  constructor(private readonly opts: ExporterOptions, private readonly logger: Logger) {
    this.agent = new Agent({ connect: { timeout: opts.connectTimeout }, keepAliveTimeout: 60_000 });
    this.queue = new BatchQueue('opentelemetry', opts.queue, (batch) => this.send(batch), logger, (reason, n, error) => this.dropped(reason, n, error));
  }

  add(spans: readonly ReadableSpan[]): void {
    for (const s of spans) this.queue.add(s);
  }

  private async send(batch: ReadableSpan[]): Promise<void> {
    const body = ProtobufTraceSerializer.serializeRequest(batch);
    if (!body) throw new Error('the OTLP serializer produced nothing');
    try {
      const res = await request(this.opts.endpoint, {
        method: 'POST',
        headers: { ...this.opts.headers, 'content-type': 'application/x-protobuf' },
        body,
        dispatcher: this.agent,
        headersTimeout: this.opts.sendTimeout + this.opts.readTimeout,
        bodyTimeout: this.opts.readTimeout,
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`${this.opts.endpoint.origin} answered ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
    } catch (err) {
      this.stats.failedRequests++;
      this.lastError = (err as Error).message;
      throw err;
    }
    this.stats.exported += batch.length;
  }

  private dropped(reason: 'queue full' | 'send failed', n: number, error?: string): void {
    if (reason === 'queue full') this.stats.droppedQueueFull += n;
    else this.stats.droppedFailed += n;
    if (error) this.lastError = error;
    this.reportTimer ??= setTimeout(() => this.report(), DROP_REPORT_MS).unref();
  }

  private report(): void {
    this.reportTimer = null;
    const full = this.stats.droppedQueueFull - this.reported.full;
    const failed = this.stats.droppedFailed - this.reported.failed;
    this.reported = { full: this.stats.droppedQueueFull, failed: this.stats.droppedFailed };
    if (full + failed === 0) return;
    this.logger.warn(`opentelemetry: dropped ${full + failed} spans in the last ${DROP_REPORT_MS / 1000} s (${full} queue full, ${failed} export failed)`, {
      endpoint: this.opts.endpoint.origin + this.opts.endpoint.pathname, last_error: this.lastError, dropped_total: this.stats.droppedQueueFull + this.stats.droppedFailed, exported_total: this.stats.exported,
    });
  }

  /** Send what is queued (one attempt), within `ms`; then report drops and close the connections. */
  async close(ms = 2000): Promise<void> {
    await this.queue.close(ms);
    if (this.reportTimer) clearTimeout(this.reportTimer);
    this.report();
    await this.agent.close();
  }
}
