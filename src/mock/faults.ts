import type { IncomingHttpHeaders } from 'node:http';
import { header } from './provider.js';

/**
 * Fault injection. Each fault can be asked for per request with a header (so one mock serves many
 * tests) or globally with an option; the header wins.
 *
 *   x-mock-latency-ms: N          wait N ms before answering (option latencyMs)
 *   x-mock-chunk-delay-ms: N      wait N ms between stream chunks (option chunkDelayMs)
 *   x-mock-status: S              answer status S (400..599) with the provider's error body
 *   x-mock-rate-limit: SECONDS    answer 429 with `retry-after: SECONDS` and the provider's body
 *   x-mock-break-stream-after: N  destroy the socket after N stream chunks (non-stream replies:
 *                                 after half the body)
 *   x-mock-garbage: 1             answer 200 with a body that is not JSON
 *   x-mock-hang: 1                never answer (the client must time out)
 *   x-mock-fail-first: N[:S]      fail the first N requests (status S, default 500) counted per
 *                                 x-mock-test-id (default "default") and path; reset() clears
 *   option failRate: 0..1         fail that share of requests with 500 (seeded PRNG: reproducible)
 */

export interface GlobalFaults {
  latencyMs: number;
  chunkDelayMs: number;
  failRate: number;
}

export interface Faults {
  latencyMs: number;
  chunkDelayMs: number;
  status?: number;
  rateLimit?: number;
  breakAfter?: number;
  garbage: boolean;
  hang: boolean;
  failFirst?: { count: number; status: number };
  testId: string;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

function flag(value: string | undefined): boolean {
  return value !== undefined && !/^\s*(0|false|no|off)?\s*$/i.test(value);
}

function status(value: number | undefined): number | undefined {
  return value !== undefined && value >= 400 && value <= 599 ? value : undefined;
}

function failFirst(value: string | undefined): Faults['failFirst'] {
  const m = value === undefined ? null : /^\s*(\d+)\s*(?::\s*(\d{3}))?\s*$/.exec(value);
  if (m === null) return undefined;
  return { count: Number.parseInt(m[1], 10), status: status(m[2] === undefined ? 500 : Number.parseInt(m[2], 10)) ?? 500 };
}

export function readFaults(headers: IncomingHttpHeaders, globals: GlobalFaults): Faults {
  const rate = header(headers, 'x-mock-rate-limit');
  return {
    latencyMs: int(header(headers, 'x-mock-latency-ms')) ?? globals.latencyMs,
    chunkDelayMs: int(header(headers, 'x-mock-chunk-delay-ms')) ?? globals.chunkDelayMs,
    status: status(int(header(headers, 'x-mock-status'))),
    rateLimit: flag(rate) ? (int(rate) ?? 1) : undefined,
    breakAfter: int(header(headers, 'x-mock-break-stream-after')),
    garbage: flag(header(headers, 'x-mock-garbage')),
    hang: flag(header(headers, 'x-mock-hang')),
    failFirst: failFirst(header(headers, 'x-mock-fail-first')),
    testId: header(headers, 'x-mock-test-id') ?? 'default',
  };
}

/** Counts requests per key, for "fail the first N". */
export class FailCounter {
  private readonly seen = new Map<string, number>();

  /** Counts this request; true while it is one of the first `count` with this key. */
  hit(key: string, count: number): boolean {
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n < count;
  }

  reset(): void {
    this.seen.clear();
  }
}

/** mulberry32: a small seeded PRNG, so `failRate` runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort);
  });
}
