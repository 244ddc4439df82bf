/**
 * The configuration thread's scheduling priority. Parsing and validating a 5,000-entity reload
 * takes seconds of CPU, and on a gateway confined to one core (taskset, a container's CPU quota,
 * a 2-core machine shared with its load) every millisecond the thread runs while a request waits
 * is a millisecond of that request's latency. Linux gives each thread its own nice value: the
 * thread sets its own (id from /proc/thread-self) to a lower priority, so the main thread (nice
 * unchanged) gets most of a shared core when it has requests to serve, and the thread runs at full
 * speed when the main thread is idle.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The nice value of the configuration thread (raising one's own nice value needs no privilege).
 * 19 (the lowest priority) was tried: on the quiet machine it did not lower the p99 during a
 * 5,000-entity reload (5.9× / 5.6× warm against 4.2× / 5.5× at 5) and a file reload under the
 * probe took 8.9 s instead of 2.9 s (up to 22.5 s): a gateway under load applied a change late.
 * 5 leaves the main thread ahead without starving the thread (bench/README.md, "Reload p99").
 */
export const CONFIG_THREAD_NICE = 5;

/** This thread's id (Linux), or null. */
export function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null; // not Linux
  }
}

/** Lower the calling thread's priority to `nice`: true if done (false: not Linux, or not permitted — the thread runs at the process's priority). */
export function lowerThisThread(nice = CONFIG_THREAD_NICE): boolean {
  const tid = threadId();
  if (tid === null) return false;
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
