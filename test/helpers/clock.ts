/**
 * Clocks for tests whose assertions depend on time windows (rate limits per second/minute/hour,
 * cache TTLs): real time may cross a window boundary between two requests of one test.
 */

export interface FakeClock {
  /** The current fake time in ms; pass as `now` (GatewayOptions, RuntimeDeps, stores). */
  readonly now: () => number;
  /** Move time forward by `ms`. */
  advance(ms: number): void;
}

/** 2026-01-01T00:00:01Z: one second into a minute, an hour, a day, a month and a year. */
export const WINDOW_START = Date.UTC(2026, 0, 1, 0, 0, 1);

/** A clock that stands still unless advanced, starting one second after every window boundary. */
export function fakeClock(start = WINDOW_START): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * For a process whose clock cannot be faked (`aigw serve` spawned by a test): if less than `needMs`
 * is left in the current real-time window of `windowMs`, wait until the next window has begun, so
 * that what follows (taking up to `needMs`) runs inside one window. Costs at most `needMs`.
 */
export async function roomInWindow(windowMs: number, needMs: number, now: () => number = Date.now): Promise<void> {
  if (needMs >= windowMs) throw new Error(`roomInWindow: ${needMs} ms never fit a window of ${windowMs} ms`);
  const left = windowMs - (now() % windowMs);
  if (left < needMs) await sleep(left + 50);
}
