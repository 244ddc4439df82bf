/**
 * Client-side pacing shared by every request of one client: a token bucket whose rate adapts
 * (AIMD) to the answers, and a shared pause after a 429, so that N workers meet a rate limit as
 * one storm, not N.
 *
 *   acquire() ── waits while paused (Retry-After), then for a token at `rate` per second
 *   success() ── every `rate` successes (about one second of traffic) the rate grows: ×1.5 until
 *                the first 429 (slow start), then by `step`
 *   limited(ms) ─ everyone pauses `ms` (Retry-After, else the backoff) and the rate halves
 *
 * Konnect publishes no limit; the defaults were chosen against the rate-limited test server
 * (bench/sync, see bench/README.md).
 */
export interface PacerOptions {
  /** Starting rate, requests per second. */
  rate: number;
  min?: number;
  max?: number;
  /** Requests allowed at once after a quiet period. */
  burst?: number;
  /** Added to the rate after about a second's worth of successes. */
  step?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PacerStats {
  rate: number;
  /** 429s reported. */
  limited: number;
  /** Total time requests spent waiting in the pacer (ms). */
  waitedMs: number;
}

export class Pacer {
  private rate: number;
  private readonly min: number;
  private readonly max: number;
  private readonly burst: number;
  private readonly step: number;
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private successes = 0;
  private slowStart = true;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly stats: PacerStats;

  constructor(opts: PacerOptions) {
    this.rate = opts.rate;
    this.min = opts.min ?? 1;
    this.max = opts.max ?? Math.max(opts.rate * 10, 1);
    this.burst = opts.burst ?? Math.max(1, Math.ceil(opts.rate / 4));
    this.step = opts.step ?? Math.max(1, opts.rate / 10);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.tokens = this.burst;
    this.last = this.now();
    this.stats = { rate: this.rate, limited: 0, waitedMs: 0 };
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  /** Wait for permission to send one request. */
  async acquire(): Promise<void> {
    const start = this.now();
    for (;;) {
      const pause = this.pausedUntil - this.now();
      if (pause > 0) {
        await this.sleep(pause);
        continue;
      }
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        this.stats.waitedMs += this.now() - start;
        return;
      }
      await this.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
    }
  }

  success(): void {
    if (++this.successes < this.rate) return;
    this.successes = 0;
    this.rate = Math.min(this.max, this.slowStart ? this.rate * 1.5 : this.rate + this.step);
    this.stats.rate = this.rate;
  }

  /** A 429: everybody waits `pauseMs`, and the pace halves. */
  limited(pauseMs: number): void {
    this.stats.limited++;
    this.slowStart = false;
    const until = this.now() + pauseMs;
    if (until > this.pausedUntil) {
      // one halving per storm, not per worker that ran into it
      if (this.pausedUntil <= this.now()) this.rate = Math.max(this.min, this.rate / 2);
      this.pausedUntil = until;
    }
    this.tokens = 0;
    this.successes = 0;
    this.stats.rate = this.rate;
  }
}
