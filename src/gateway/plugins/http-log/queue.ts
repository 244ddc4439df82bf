/**
 * Kong's plugin queue (`config.queue`): entries are batched (max_batch_size, max_coalescing_delay),
 * bounded (max_entries: oldest dropped), sent one batch at a time with exponential retry
 * (initial_retry_delay … max_retry_delay) until max_retry_time, then dropped with an error.
 * Adding never blocks the caller.
 */
import type { HttpLogConfig } from '../../../config/generated/plugin-configs.js';
import type { Logger } from '../../log.js';

export interface QueueOptions {
  maxBatchSize: number;
  maxCoalescingDelay: number;
  maxEntries: number;
  maxRetryTime: number;
  initialRetryDelay: number;
  maxRetryDelay: number;
}

export function queueOptions(q: Partial<NonNullable<HttpLogConfig['queue']>>): QueueOptions {
  return {
    maxBatchSize: q.max_batch_size ?? 1,
    maxCoalescingDelay: q.max_coalescing_delay ?? 1,
    maxEntries: q.max_entries ?? 10000,
    maxRetryTime: q.max_retry_time ?? 60,
    initialRetryDelay: q.initial_retry_delay ?? 0.01,
    maxRetryDelay: q.max_retry_delay ?? 60,
  };
}

/**
 * `config.queue` with the deprecated fields mapped as Kong maps them (Queue.get_plugin_params):
 * queue_size other than 1 sets max_batch_size, flush_timeout other than 2 sets
 * max_coalescing_delay; retry_count does nothing in Kong either.
 */
type QueueConfig = Partial<NonNullable<HttpLogConfig['queue']>>;

export function legacyQueue(c: { queue?: QueueConfig | null; queue_size?: number | null; flush_timeout?: number | null }): QueueConfig {
  const q: QueueConfig = { ...(c.queue ?? {}) };
  if (typeof c.queue_size === 'number' && c.queue_size !== 1) q.max_batch_size = c.queue_size;
  if (typeof c.flush_timeout === 'number' && c.flush_timeout !== 2) q.max_coalescing_delay = c.flush_timeout;
  return q;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class BatchQueue<T> {
  private readonly entries: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly opts: QueueOptions,
    private readonly send: (batch: T[]) => Promise<void>,
    private readonly logger: Logger,
    /** Called instead of the per-drop log lines (opentelemetry counts drops and reports them in bulk). */
    private readonly onDrop?: (reason: 'queue full' | 'send failed', count: number, error?: string) => void,
  ) {}

  add(entry: T): void {
    if (this.entries.length >= this.opts.maxEntries) {
      this.entries.shift();
      if (this.onDrop) this.onDrop('queue full', 1);
      else this.logger.warn(`${this.name}: queue full (max_entries=${this.opts.maxEntries}); dropping the oldest entry`);
    }
    this.entries.push(entry);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.entries.length === 0) return;
    if (this.entries.length >= this.opts.maxBatchSize) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, this.opts.maxCoalescingDelay * 1000);
      this.timer.unref();
    }
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = null;
      this.schedule();
    });
  }

  private async drain(): Promise<void> {
    while (this.entries.length) {
      const batch = this.entries.splice(0, this.opts.maxBatchSize);
      await this.sendWithRetry(batch);
      if (this.entries.length < this.opts.maxBatchSize && !this.closed) break;
    }
  }

  private async sendWithRetry(batch: T[]): Promise<void> {
    const deadline = Date.now() + this.opts.maxRetryTime * 1000;
    let delay = this.opts.initialRetryDelay * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(batch);
        return;
      } catch (err) {
        if (Date.now() + delay > deadline || this.closed) {
          if (this.onDrop) return this.onDrop('send failed', batch.length, (err as Error).message);
          this.logger.error(`${this.name}: could not send ${batch.length} entries after ${attempt} attempts; dropped`, { error: (err as Error).message });
          return;
        }
        if (!this.onDrop) this.logger.warn(`${this.name}: send failed; retrying`, { attempt, error: (err as Error).message });
        await sleep(delay);
        delay = Math.min(delay * 2, this.opts.maxRetryDelay * 1000);
      }
    }
  }

  /** Send what is queued (one attempt each), within `ms`. */
  async close(ms = 2000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const flush = (async () => {
      await this.running;
      this.closed = true;
      if (this.entries.length) await this.drain();
    })();
    await Promise.race([flush, sleep(ms)]);
  }
}
