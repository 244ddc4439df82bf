/**
 * W3C trace context (https://www.w3.org/TR/trace-context/): reading `traceparent`/`tracestate` from
 * the request, the sampling decision (Kong's `sampling_rate` and `sampling_strategy`), fresh ids,
 * and the `traceparent` written to the upstream.
 */
import { randomFillSync } from 'node:crypto';
import { parseTraceParent } from '@opentelemetry/core';

export type SamplingStrategy = 'parent_drop_probability_fallback' | 'parent_probability_fallback';

/** The trace a request belongs to, decided in the plugin's `start` phase. */
export interface TraceContext {
  traceId: string;
  /** The request's span (Kong's `kong` span). */
  rootId: string;
  /** The upstream / LLM call's span: the parent the upstream sees in `traceparent`. */
  upstreamId: string;
  /** The client's span, when the request carried a valid `traceparent`. */
  parentId: string | null;
  tracestate: string | null;
  sampled: boolean;
}

export interface Incoming {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** A valid `traceparent` header, else null (unknown versions read as version 00, as the spec says). */
export function readTraceparent(value: string | string[] | undefined): Incoming | null {
  if (typeof value !== 'string') return null;
  const sc = parseTraceParent(value.trim());
  if (!sc) return null;
  return { traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & 1) === 1 };
}

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

/** `bytes` random bytes as lowercase hex, from a pooled buffer (one getrandom call per 4 KiB). */
export function randomHex(bytes: 8 | 16): string {
  if (offset + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  // all-zero ids are invalid: astronomically unlikely, but cheap to rule out
  return /^0+$/.test(hex) ? randomHex(bytes) : hex;
}

/**
 * Kong's sampler: `parent_drop_probability_fallback` drops what a parent dropped and samples the
 * rest by `rate`; `parent_probability_fallback` follows the parent's flag either way. Without a
 * parent, `rate` decides.
 */
export function decide(parent: Incoming | null, strategy: SamplingStrategy, rate: number, random: () => number = Math.random): boolean {
  if (parent && !parent.sampled) return false;
  if (parent && strategy === 'parent_probability_fallback') return true;
  return rate >= 1 || (rate > 0 && random() < rate);
}

/** The trace of a request: continued from `parent`, or new. */
export function startTrace(parent: Incoming | null, tracestate: string | null, sampled: boolean): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(16),
    rootId: randomHex(8),
    upstreamId: randomHex(8),
    parentId: parent?.spanId ?? null,
    tracestate: parent ? tracestate : null,
    sampled,
  };
}

/** `traceparent` for the upstream request: this trace, the upstream span as parent. */
export function traceparentOf(t: TraceContext): string {
  return `00-${t.traceId}-${t.upstreamId}-${t.sampled ? '01' : '00'}`;
}
