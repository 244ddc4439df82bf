/**
 * The configuration thread's scheduling priority. Parsing and validating a 5,000-entity reload
 * takes seconds of CPU, and on a gateway confined to one core (taskset, a container's CPU quota,
 * a 2-core machine shared with its load) every millisecond the thread runs while a request waits
 * is a millisecond of that request's latency. Linux gives each thread its own nice value: the
 * thread sets its own (id from /proc/thread-self) to the lowest priority, so the main thread
 * (nice unchanged) preempts it whenever it has a request to serve, and it runs at full speed when
 * the main thread is idle. A reload under load takes longer; requests no longer queue behind it.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of the configuration thread (19: the lowest priority; raising one's own nice value needs no privilege). */
export const CONFIG_THREAD_NICE = 19;

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
