/**
 * The priority of V8's helper threads in `aigw serve`, opt-in (`AIGW_HELPER_THREADS=<nice>`). V8
 * compiles optimised code (TurboFan: the JavaScript of the request path as it gets hot, undici's
 * WebAssembly HTTP parser after the first upstream answers) and runs part of its garbage collection
 * on a pool of platform threads, at the process's priority. On a gateway confined to one core
 * (taskset, a container's CPU quota, a small VM) they take that core from the main thread exactly
 * when it is busiest: in the first seconds of traffic after a start they took about half of it and
 * requests queued behind them (first-2-s p99 ~400 ms at 1,800 req/s; 83 ms with them at nice 19).
 * Not the default, because the work does not go away when they wait: on a core the proxy keeps busy
 * the compiles wait too, and with 1,000 ai-proxy routes under saturating load the gateway served
 * 2,968–4,215 req/s instead of 6,200–7,000 and peaked 15–37 MiB higher in RSS (nice 19; nice 5
 * and 10 took away most of the latency gain and kept the RSS cost). bench/README.md, "Reloads in a
 * child process, V8's helper threads below the proxy".
 *
 * Which threads: those that exist when this module is evaluated, which the CLI's entry imports
 * first — node's platform threads (V8's workers and their delayed-task scheduler), started before
 * any JavaScript runs. libuv's pool (file system, DNS lookups, crypto) starts later, from the main
 * thread, and keeps the main thread's priority.
 */
import { ownThreadIds, setThreadsNice } from '../config/thread/priority.js';
import { AigwError } from '../errors.js';

/** The nice value a bare number in AIGW_HELPER_THREADS is checked against (the lowest priority). */
export const HELPER_THREAD_NICE = 19;

/**
 * The nice value for `AIGW_HELPER_THREADS`: unset, empty or `keep`, null (left at the process's
 * priority: the default); an integer 1–HELPER_THREAD_NICE, that value. Anything else is refused.
 */
export function helperThreadNice(setting: string | undefined): number | null {
  if (setting === undefined || setting === '' || setting === 'keep') return null;
  const n = Number(setting);
  if (Number.isInteger(n) && n >= 1 && n <= HELPER_THREAD_NICE) return n;
  throw new AigwError('AIGW_USAGE', `AIGW_HELPER_THREADS must be 'keep' or a nice value from 1 to ${HELPER_THREAD_NICE}, not '${setting}'`);
}

/** The platform threads: every thread but the main one when the CLI started (none when not Linux). */
const atStart: readonly number[] = (ownThreadIds() ?? []).filter((t) => t !== process.pid);

/** Lower the platform threads to `nice`; returns how many were lowered (0: not Linux, none left, or not permitted). */
export function lowerHelperThreads(nice: number): number {
  return setThreadsNice(atStart, nice);
}
