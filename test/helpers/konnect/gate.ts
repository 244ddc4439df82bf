/**
 * What stands in front of every Konnect API call: token check, rate limit (token bucket), and
 * injected faults (429 storms, 5xx, any canned answer).
 *
 * Tokens: `Authorization: Bearer kpat_…` (personal access token) or `spat_…` (system account token),
 * control-planes/v2 openapi `securitySchemes` personalAccessToken / systemAccountAccessToken.
 * Konnect publishes no rate-limit numbers (konnect.md §4.5); the bucket's rate and burst are test knobs.
 */
import { gatewayUnauthorized, problem, rateLimited, serverError, type Json, type Reply } from './wire.js';

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size (requests allowed at once after a quiet period). */
  burst: number;
}

export interface FaultMatch {
  method?: string;
  /** Exact pathname, or a pattern tested against it. */
  path?: string | RegExp;
}

export interface Fault extends FaultMatch {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
  /** How many matching requests get this answer (default 1). */
  times?: number;
}

export interface StormOptions {
  /** The next N requests answer 429 (whatever the bucket says). */
  requests?: number;
  /** Or: every request for this long answers 429. */
  durationMs?: number;
  /** Retry-After sent during the storm (default 1). */
  retryAfterSeconds?: number;
}

const TOKEN = /^Bearer ((?:kpat|spat)_[A-Za-z0-9_-]+)$/;

export class Gate {
  private tokens: number;
  private last: number;
  private faults: Array<Fault & { left: number }> = [];
  private storm: { left: number; until: number; retryAfter: number } | undefined;

  constructor(
    private readonly accepted: readonly string[] | undefined,
    private limit: RateLimitOptions | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limit?.burst ?? 0;
    this.last = now();
  }

  /** The token a request carries, if it is well formed. */
  static tokenOf(authorization: string | undefined): string | undefined {
    return authorization ? TOKEN.exec(authorization)?.[1] : undefined;
  }

  /** 401 unless the request carries an accepted kpat_/spat_ token. Body shape depends on the API family. */
  authenticate(authorization: string | undefined, platform: boolean): Reply | undefined {
    const token = Gate.tokenOf(authorization);
    const ok = token !== undefined && (this.accepted === undefined || this.accepted.includes(token));
    if (ok) return undefined;
    return platform ? problem(401, 'Unauthenticated', 'A valid token is required') : gatewayUnauthorized();
  }

  setRateLimit(limit: RateLimitOptions | undefined): void {
    this.limit = limit;
    this.tokens = limit?.burst ?? 0;
    this.last = this.now();
  }

  /** A storm first, then the token bucket. */
  throttle(): Reply | undefined {
    const t = this.now();
    if (this.storm) {
      const active = this.storm.left > 0 || t < this.storm.until;
      if (active) {
        if (this.storm.left > 0) this.storm.left--;
        return rateLimited(this.storm.retryAfter);
      }
      this.storm = undefined;
    }
    if (!this.limit) return undefined;
    const { perSecond, burst } = this.limit;
    this.tokens = Math.min(burst, this.tokens + ((t - this.last) / 1000) * perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return rateLimited(Math.max(1, Math.ceil((1 - this.tokens) / perSecond)));
  }

  injectStorm(opts: StormOptions): void {
    this.storm = {
      left: opts.requests ?? 0,
      until: opts.durationMs !== undefined ? this.now() + opts.durationMs : 0,
      retryAfter: opts.retryAfterSeconds ?? 1,
    };
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
    this.storm = undefined;
  }

  /** The first injected fault matching this request, consumed once. */
  fault(method: string, path: string): Reply | undefined {
    const f = this.faults.find((x) => x.left > 0 && matches(x, method, path));
    if (!f) return undefined;
    f.left--;
    this.faults = this.faults.filter((x) => x.left > 0);
    const base = f.body === undefined && f.status >= 500 ? serverError(f.status) : { status: f.status, body: f.body };
    return { ...base, headers: f.headers };
  }
}

function matches(m: FaultMatch, method: string, path: string): boolean {
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? m.path === path : m.path.test(path);
}
