/**
 * Per-target statistics with time decay, used by `lowest-latency` and `lowest-usage`. A score
 * fades (half-life `halfLifeMs`) when no new observation arrives, so a target that was slow or
 * busy is probed again after a while instead of being starved forever.
 */
export class DecayingEwma {
  private value = 0;
  private last = 0;
  private seen = false;

  constructor(private readonly alpha = 0.3, private readonly halfLifeMs = 30_000) {}

  observe(sample: number, now: number): void {
    const current = this.read(now);
    this.value = this.seen ? current + this.alpha * (sample - current) : sample;
    this.seen = true;
    this.last = now;
  }

  /** A failure: the score jumps to at least twice its current value (or the sample), at once. */
  penalise(sample: number, now: number): void {
    this.value = Math.max(sample, this.read(now)) * 2 + 1;
    this.seen = true;
    this.last = now;
  }

  /** 0 until the first observation (untried targets go first). */
  read(now: number): number {
    if (!this.seen) return 0;
    const age = Math.max(0, now - this.last);
    return this.value * Math.pow(0.5, age / this.halfLifeMs);
  }
}

/** A sum of observations that halves every `halfLifeMs` (a smooth sliding window). */
export class DecayingSum {
  private value = 0;
  private last = 0;

  constructor(private readonly halfLifeMs = 60_000) {}

  add(amount: number, now: number): void {
    this.value = this.read(now) + amount;
    this.last = now;
  }

  read(now: number): number {
    const age = Math.max(0, now - this.last);
    return this.value * Math.pow(0.5, age / this.halfLifeMs);
  }
}
