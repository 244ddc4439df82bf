/**
 * Window arithmetic of ai-rate-limiting-advanced, pure. Windows are aligned on multiples of their
 * size since the epoch. A fixed window counts its own bucket; a sliding window also counts the
 * previous bucket weighted by the share of it still inside the sliding span:
 *
 *   usage = current + previous × (size − elapsed) / size
 */

export type WindowType = 'fixed' | 'sliding';

export interface WindowPosition {
  /** Start of the current bucket (ms). */
  start: number;
  /** Start of the previous bucket (ms). */
  prevStart: number;
  /** Weight of the previous bucket (0 for fixed windows). */
  prevWeight: number;
  /** Seconds until the current bucket ends (≥ 1). */
  reset: number;
}

export function position(sizeSeconds: number, now: number, type: WindowType): WindowPosition {
  const size = sizeSeconds * 1000;
  const start = Math.floor(now / size) * size;
  const elapsed = now - start;
  return {
    start,
    prevStart: start - size,
    prevWeight: type === 'sliding' ? (size - elapsed) / size : 0,
    reset: Math.max(1, Math.ceil((size - elapsed) / 1000)),
  };
}

export function effectiveUsage(current: number, previous: number, prevWeight: number): number {
  return current + previous * prevWeight;
}

/**
 * Seconds until the window would accept more than `need` again, assuming nothing else is
 * counted meanwhile (≥ 1). Fixed: the end of the bucket. Sliding: when the decaying weight of the
 * previous bucket (or, if the current bucket alone is over, of the current one after it turns
 * previous) has dropped far enough.
 */
export function retryAfter(sizeSeconds: number, now: number, type: WindowType, limit: number, current: number, previous: number, need = 0): number {
  const pos = position(sizeSeconds, now, type);
  // fixed windows reopen at the end of the bucket; a need above the limit never fits: say so once
  if (type === 'fixed' || need >= limit) return pos.reset;
  const size = sizeSeconds * 1000;
  const elapsed = now - pos.start;
  const room = limit - need;
  let waitMs: number;
  if (current < room) {
    // previous × (size − e) / size < room − current  ⇒  e > size × (1 − (room − current) / previous)
    const e = previous > 0 ? size * (1 - (room - current) / previous) : elapsed;
    waitMs = Math.max(0, e - elapsed);
  } else {
    // wait for the next bucket; then current × (size − e2) / size < room  ⇒  e2 > size × (1 − room / current)
    const e2 = current > 0 && room > 0 ? size * (1 - room / current) : size;
    waitMs = size - elapsed + e2;
  }
  return Math.max(1, Math.ceil(waitMs / 1000 - 1e-9));
}
