/**
 * The priority of V8's helper threads in `aigw serve`. V8 compiles optimised code (TurboFan: the
 * JavaScript of the request path as it gets hot, undici's WebAssembly HTTP parser after the first
 * upstream answers) and runs part of its garbage collection on a pool of platform threads, at the
 * process's priority. On a gateway confined to one core (taskset, a container's CPU quota, a small
 * VM) they take that core from the main thread exactly when it is busiest: in the first second of
 * traffic after a start they took about half of it, and requests queued behind them (p99 345-450 ms
 * at 1,800 req/s, bench/README.md "Helper threads below the proxy"). Lowered to nice 19 once the
 * proxy listens, they run in the time the main thread leaves idle; on a machine with idle cores
 * they run as before. The work does not go away when they wait: V8's main thread finishes a
 * collection itself, and code stays at its current tier until its compile is done.
 *
 * Which threads: those that exist when this module is evaluated, which the CLI's entry imports
 * first — node's platform threads (V8's workers and their delayed-task scheduler), started before
 * any JavaScript runs. libuv's pool (file system, DNS lookups, crypto) starts later, from the main
 * thread, and keeps the main thread's priority.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** nice value of V8's helper threads once `aigw serve` listens. */
export const HELPER_THREAD_NICE = 19;

function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((t) => t !== process.pid);
  } catch {
    return []; // not Linux: nothing is lowered
  }
}

/** The platform threads: every thread but the main one when the CLI started. */
const atStart: readonly number[] = threadIds();

/** Lower the platform threads to `nice`; returns how many were lowered (0: not Linux, none left, or not permitted). */
export function lowerHelperThreads(nice: number = HELPER_THREAD_NICE, tids: readonly number[] = atStart): number {
  let n = 0;
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      n++;
    } catch {
      // ended, or not permitted: it keeps its priority
    }
  }
  return n;
}

/** The threads `lowerHelperThreads` lowers by default (tests). */
export function helperThreads(): readonly number[] {
  return atStart;
}
