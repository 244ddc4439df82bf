/**
 * The circuit breaker of ai-proxy-advanced (`balancer.max_fails`, `balancer.fail_timeout`, Kong 3.13),
 * with Kong's documented semantics (developer.konghq.com, ai-gateway/load-balancing "Health check
 * and circuit breaker"):
 *
 *   - a target whose unsuccessful attempts reach `max_fails` is out for `fail_timeout` ms;
 *   - the counter counts failures, not consecutive failures: a success inside the window keeps it;
 *     it resets only on a success at least `fail_timeout` after the last failure (and, as nginx's
 *     `max_fails`, a failure that comes `fail_timeout` after the previous one starts a new count);
 *   - once `fail_timeout` has passed the target is reconsidered: a failure takes it out again for
 *     another `fail_timeout`, a success makes it healthy;
 *   - `max_fails: 0` disables the breaker.
 *
 * Pure: time comes from `now` (ms). One instance per plugin config, shared by its requests.
 */
export interface BreakerOptions {
  maxFails: number;
  failTimeoutMs: number;
}

interface TargetHealth {
  fails: number;
  lastFailAt: number;
  /** Out until this time (ms); null when the target is in. */
  downUntil: number | null;
}

export class CircuitBreaker {
  private readonly health: TargetHealth[];

  constructor(targets: number, private readonly o: BreakerOptions, private readonly now: () => number) {
    this.health = Array.from({ length: targets }, () => ({ fails: 0, lastFailAt: Number.NEGATIVE_INFINITY, downUntil: null }));
  }

  get enabled(): boolean {
    return this.o.maxFails > 0;
  }

  /** Whether the target may be tried now (true for every target when the breaker is disabled). */
  available(target: number): boolean {
    const h = this.health[target];
    return !this.enabled || h.downUntil === null || this.now() >= h.downUntil;
  }

  /** The targets that are out now. */
  down(): number[] {
    return this.health.flatMap((_, i) => (this.available(i) ? [] : [i]));
  }

  failure(target: number): void {
    if (!this.enabled) return;
    const h = this.health[target];
    const now = this.now();
    // a tripped target (out, or being reconsidered) stays tripped; otherwise an old count expires
    const expired = h.downUntil === null && now - h.lastFailAt >= this.o.failTimeoutMs;
    h.fails = expired ? 1 : h.fails + 1;
    h.lastFailAt = now;
    if (h.fails >= this.o.maxFails) h.downUntil = now + this.o.failTimeoutMs;
  }

  success(target: number): void {
    if (!this.enabled) return;
    const h = this.health[target];
    if (this.now() - h.lastFailAt < this.o.failTimeoutMs) return;
    h.fails = 0;
    h.downUntil = null;
  }

  /** For the log and tests: failures counted and whether the target is out. */
  state(target: number): { fails: number; down: boolean } {
    return { fails: this.health[target].fails, down: !this.available(target) };
  }
}
