/** The test clocks of test/helpers/clock.ts (their own correctness decides whether window tests can flake). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeClock, roomInWindow, WINDOW_START } from '../../helpers/clock.js';

describe('fakeClock', () => {
  it('stands one second into every window, and moves only when advanced', () => {
    for (const size of [60_000, 3_600_000, 86_400_000]) expect(WINDOW_START % size).toBe(1000);
    const c = fakeClock();
    expect(c.now()).toBe(WINDOW_START);
    expect(c.now()).toBe(WINDOW_START);
    c.advance(59_000);
    expect(c.now()).toBe(WINDOW_START + 59_000);
  });
});

describe('roomInWindow', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const settled = async (p: Promise<void>): Promise<boolean> => {
    let done = false;
    void p.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    return done;
  };

  it('returns at once when the window has room left', async () => {
    vi.useFakeTimers();
    expect(await settled(roomInWindow(60_000, 20_000, () => 1_000_000 * 60_000 + 30_000))).toBe(true);
  });

  it('waits until the next window has begun when too little is left', async () => {
    vi.useFakeTimers();
    const p = roomInWindow(60_000, 20_000, () => 1_000_000 * 60_000 + 59_000); // 1 s left
    expect(await settled(p)).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000); // the boundary itself
    expect(await settled(p)).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect(await settled(p)).toBe(true);
  });

  it('refuses a need no window can meet', async () => {
    await expect(roomInWindow(60_000, 60_000)).rejects.toThrow('never fit');
  });
});
