/**
 * The configuration process's scheduling priority. Parsing and validating a 5,000-entity reload
 * takes about a second of CPU, and its garbage collection and compiles as much again on V8's helper
 * threads. On a gateway confined to one core (taskset, a container's CPU quota, a 2-core machine
 * shared with its load) every millisecond that work runs while a request waits is a millisecond of
 * that request's latency. The work runs in a process of its own (off-thread.ts), so that all of it —
 * its main thread and its V8 helper threads — can run at a priority below the gateway's: Linux's
 * SCHED_IDLE class (`chrt --idle 0`) where it can be had (the gateway preempts it the moment a
 * request arrives), else the lowest nice value on each of its threads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of every thread of the configuration process when SCHED_IDLE is not used. */
export const CONFIG_NICE = 19;
/**
 * The nice value of a configuration process started again because a load did not finish in
 * ESCALATE_MS at the lowest priority (a gateway whose core is busy all the time would otherwise
 * apply a change only after minutes): a share of the core, not all of it.
 */
export const ESCALATED_NICE = 5;
/**
 * How long a load may wait at the lowest priority before it is run again at ESCALATED_NICE — when
 * the process was starved over that time (STARVED_SHARE). One that got its share of an idle core
 * goes on where it is: started again it would lose its work and, at nice 5, take a quarter of a
 * core a busy proxy needs (bench/README.md, "The first reload: escalation only when starved, …").
 */
export const ESCALATE_MS = 10_000;
/**
 * Below this share of one core over an ESCALATE_MS window the configuration process counts as
 * starved (a core the gateway never leaves idle gives SCHED_IDLE ~0.3 %; a 5,000-entity reload
 * needs ~2 s of CPU, so at 5 % it would still take 40 s).
 */
export const STARVED_SHARE = 0.05;

/** Linux's USER_HZ: the unit of /proc/<pid>/stat's CPU times (100 on every architecture node runs on). */
const USER_HZ = 100;

/**
 * CPU time (user + system, all threads) a process has used, in ms, from /proc/<pid>/stat; null when
 * it cannot be read (not Linux, or the process is gone).
 */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name, which is in parentheses and may hold spaces: state is the 3rd field, utime the 14th
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / USER_HZ : null;
  } catch {
    return null;
  }
}

/** This process's thread ids (Linux, from /proc/self/task), or null. */
export function ownThreadIds(): number[] | null {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return null; // not Linux
  }
}

/**
 * Set each thread's nice value (raising one's own needs no privilege; threads started later
 * inherit it from the thread that starts them). Returns how many were set: a thread that ended,
 * or one it is not permitted to change, keeps its priority.
 */
export function setThreadsNice(tids: readonly number[], nice: number): number {
  let n = 0;
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      n++;
    } catch {
      // ended, or not permitted
    }
  }
  return n;
}

/**
 * Lower every thread of this process to `nice`. Returns how many threads were lowered (0: not
 * permitted — the process then runs at its priority as it was).
 */
export function lowerThisProcess(nice: number): number {
  const tids = ownThreadIds();
  if (tids !== null) return setThreadsNice(tids, nice);
  try {
    setPriority(nice); // not Linux: the process as a whole
    return 1;
  } catch {
    return 0;
  }
}

let idleBroken = false;
/**
 * The path of a `chrt` to start a program in SCHED_IDLE with, or null (not Linux, none installed,
 * or one that failed before: a seccomp profile or a kernel that refuses the policy). Only looked
 * up, never run here: a check that ran it would block the event loop of a busy gateway.
 */
export function idleLauncher(): string | null {
  if (idleBroken || process.platform !== 'linux') return null;
  // AIGW_CHRT: the chrt to use (one outside /usr/bin and /bin), or empty for none
  const given = process.env.AIGW_CHRT;
  if (given !== undefined) return given !== '' && existsSync(given) ? given : null;
  for (const chrt of ['/usr/bin/chrt', '/bin/chrt']) if (existsSync(chrt)) return chrt;
  return null;
}

/** A process started through idleLauncher() ended before it started: start the next ones without it. */
export function idleLauncherFailed(): void {
  idleBroken = true;
}
