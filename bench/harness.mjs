// Shared pieces of the benchmarks: processes pinned to a CPU, their log lines with arrival times,
// and what /proc says about them (CPU time, RSS) and about the machine (busy time per core).
//
// CPU layout on this 2-core machine (BENCH_PIN=off to disable): the process under test (aigw,
// the bare proxy, or the upstream in a "direct" run) runs alone on SERVER_CPU; wrk, the probe and
// the auxiliary upstream share LOAD_CPU. Every load run records the CPU use of each process and of
// the cores, so a report can show that the process under test was the one at 100 %.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export const LOAD_CPU = '0';
export const SERVER_CPU = '1';
const PIN = process.env.BENCH_PIN !== 'off' && hasTaskset();
// Every process starts in a session of its own (setsid), so with the kernel's autogroup scheduling
// each gets the share of a session instead of all of them sharing one. BENCH_NICE=-10 also sets
// that nice level on each of those sessions (/proc/<pid>/autogroup; negative needs root), so other
// jobs on a shared machine take less of their CPU. Off by default.
const NICE = /^-?\d+$/.test(process.env.BENCH_NICE ?? '') ? process.env.BENCH_NICE : null;
const TICKS = 100; // USER_HZ (getconf CLK_TCK) on Linux
const running = new Set();

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const pinning = () =>
  `${PIN ? `taskset: process under test on CPU ${SERVER_CPU}, load generator and upstream on CPU ${LOAD_CPU}` : 'no CPU pinning'}${NICE !== null ? `, nice ${NICE}` : ''}`;
export const nowUs = () => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, as the wrk probe
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a process on `cpu` ('0', '1' or null for any). Lines of stdout and stderr are kept with
 * their arrival time (`lines`), and `waitFor(re)` resolves with the first matching line.
 */
export function start(name, cmd, args, { cpu = null, env = process.env, cwd } = {}) {
  const [file, argv] = PIN && cpu !== null ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
  const proc = spawn(file, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (NICE !== null) {
    try {
      writeFileSync(`/proc/${proc.pid}/autogroup`, NICE);
    } catch {
      // not permitted or no autogroup: run at the default share
    }
  }
  const p = { name, proc, pid: proc.pid, cpu, lines: [], waiters: [], exited: false, out: '' };
  const onData = (chunk) => {
    p.out += chunk;
    let i;
    while ((i = p.out.indexOf('\n')) >= 0) {
      const line = p.out.slice(0, i);
      p.out = p.out.slice(i + 1);
      const entry = { at: nowUs(), line };
      p.lines.push(entry);
      p.waiters = p.waiters.filter((w) => !(w.re.test(line) && (w.resolve(entry), true)));
    }
  };
  proc.stdout.setEncoding('utf8').on('data', onData);
  proc.stderr.setEncoding('utf8').on('data', onData);
  p.exit = new Promise((resolve) => proc.once('exit', (code, signal) => {
    p.exited = true;
    running.delete(p);
    for (const w of p.waiters) w.reject(new Error(`${name} exited (${code ?? signal}) before printing ${w.re}:\n${p.lines.slice(-20).map((l) => l.line).join('\n')}`));
    resolve({ code, signal });
  }));
  p.waitFor = (re, timeoutMs = 60_000, after = 0) => {
    const seen = p.lines.find((l) => l.at >= after && re.test(l.line));
    if (seen) return Promise.resolve(seen);
    if (p.exited) return Promise.reject(new Error(`${name} has exited`));
    return new Promise((resolve, reject) => {
      const w = { re, resolve, reject };
      const t = setTimeout(() => {
        p.waiters = p.waiters.filter((x) => x !== w);
        reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms`));
      }, timeoutMs);
      w.resolve = (e) => (clearTimeout(t), resolve(e));
      w.reject = (e) => (clearTimeout(t), reject(e));
      p.waiters.push(w);
    });
  };
  p.stop = async (signal = 'SIGTERM') => {
    if (!p.exited) proc.kill(signal);
    const t = setTimeout(() => p.exited || proc.kill('SIGKILL'), 15_000);
    await p.exit;
    clearTimeout(t);
  };
  running.add(p);
  return p;
}

/** Move a running process (all its threads) to another CPU. */
export function repin(p, cpu) {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', cpu, String(p.pid)], { stdio: 'ignore' });
  p.cpu = cpu;
}

/** Stop every process this run started (also on errors and on Ctrl-C). */
export async function stopAll() {
  await Promise.all([...running].map((p) => p.stop()));
}
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) process.once(sig, () => void stopAll().then(() => process.exit(code)));
// the children are detached (own process groups, so wrk's and the gateway's signals stay theirs):
// whatever way this process ends, take them down with it
process.once('exit', () => {
  for (const p of running) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** CPU seconds (user + system) a process has used so far, or null once it is gone. */
export function cpuSeconds(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return null;
  }
}

/** Resident set size now and its peak (VmHWM), in MiB. */
/**
 * Each thread of `pid` by thread id: CPU ms (user + system, USER_HZ 100), nice value, and ms spent
 * runnable but waiting for a CPU (/proc/…/schedstat: the scheduler's delay).
 */
export function threadsOf(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const waitNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      out.set(Number(tid), { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (Number(f[11]) + Number(f[12])) * (1000 / TICKS), nice: Number(f[16]), waitMs: waitNs / 1e6 });
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** The process ids below `pid` (its children, theirs, …), from /proc/<pid>/task/<tid>/children. */
export function descendants(pid) {
  const out = [];
  const walk = (p) => {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let kids = '';
      try {
        kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const k of kids.split(' ').filter(Boolean).map(Number)) {
        out.push(k);
        walk(k);
      }
    }
  };
  walk(pid);
  return out;
}

/** RSS of a process and everything it started (aigw serve's configuration process: config/thread/off-thread.ts), MiB. */
export function treeRss(pid) {
  let total = rss(pid).rss;
  for (const k of descendants(pid)) {
    try {
      total += rss(k).rss;
    } catch {
      // ended
    }
  }
  return total;
}

export function rss(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Busy and total seconds of each core so far (from /proc/stat). */
export function coreTimes() {
  const out = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[m[1]] = { busy: (total - v[3] - v[4]) / TICKS, total: total / TICKS };
  }
  return out;
}

/**
 * A CPU meter over an interval: `begin()` then `end()` gives each watched process's CPU share
 * (% of one core), each core's busy share, and per core what the processes of other people used
 * (busy minus ours pinned there): the noise of the run.
 */
export function cpuMeter(procs) {
  const take = () => ({ t: nowUs(), cores: coreTimes(), procs: procs.map((p) => cpuSeconds(p.pid)) });
  let a = null;
  return {
    begin() {
      a = take();
    },
    end() {
      const b = take();
      const secs = (b.t - a.t) / 1e6;
      const pct = (x) => Math.round((1000 * x) / secs) / 10;
      const procsPct = {};
      procs.forEach((p, i) => {
        if (a.procs[i] !== null && b.procs[i] !== null) procsPct[p.name] = pct(b.procs[i] - a.procs[i]);
      });
      const cores = {};
      const others = {};
      for (const c of Object.keys(b.cores)) {
        const busy = b.cores[c].busy - a.cores[c].busy;
        const total = b.cores[c].total - a.cores[c].total;
        cores[c] = total > 0 ? Math.round((1000 * busy) / total) / 10 : 0;
        const ours = procs.reduce((s, p, i) => (p.cpu === c && a.procs[i] !== null && b.procs[i] !== null ? s + b.procs[i] - a.procs[i] : s), 0);
        others[c] = PIN ? Math.max(0, Math.round(cores[c] - pct(ours))) : null;
      }
      return { procs: procsPct, cores, others };
    },
  };
}

export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median, min and max of a list of numbers, and the spread (max − min) relative to the median. */
export function summary(xs) {
  const s = xs.filter((x) => Number.isFinite(x));
  const med = median(s);
  const min = Math.min(...s);
  const max = Math.max(...s);
  return { median: med, min, max, spread: med ? (max - min) / med : NaN, n: s.length };
}

/** Percentile of a list (nearest rank). */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** `--name value` from the command line, or the default. */
export function arg(name, d) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return d;
  const v = process.argv[i + 1];
  return typeof d === 'number' ? Number(v) : v;
}
