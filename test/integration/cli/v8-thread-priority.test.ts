// With AIGW_HELPER_THREADS=<nice>, aigw serve lowers V8's helper threads (node's platform threads,
// started before any JavaScript) to that nice value once the proxy listens, so compiles and GC
// helpers take only the CPU the proxy leaves idle; its main thread and the threads started later
// (libuv's pool) keep the process's priority. Not the default (v8-thread-priority.ts says why).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { request, servedUrls } from '../../helpers/net.js';
import { HELPER_THREAD_NICE } from '../../../src/gateway/v8-thread-priority.js';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const linux = existsSync('/proc/self/task');
/** The priority the gateway starts with (this process's: a test run under `nice` passes it on). */
const base = getPriority();

const niceOf = (pid: number, tid: number): number => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
const threads = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);

async function served(env: Record<string, string>): Promise<{ nice: Map<number, number>; pid: number }> {
  const server = execa(process.execPath, [bin, 'serve', 'examples/quickstart.yaml', '--mock', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], { cwd: root, reject: false, env: { NO_COLOR: '1', ...env }, extendEnv: false });
  try {
    const { proxy } = await servedUrls(server);
    // a proxied request (and the libuv pool it may start) after listening
    const ok = await request(`${proxy}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
    expect(ok.status).toBe(200);
    const pid = server.pid!;
    return { pid, nice: new Map(threads(pid).map((t) => [t, niceOf(pid, t)])) };
  } finally {
    server.kill('SIGTERM');
    await server;
  }
}

describe.runIf(linux && getPriority() < HELPER_THREAD_NICE)('V8 helper threads below the proxy', () => {
  it('AIGW_HELPER_THREADS=19: after listening, node\'s platform threads are at nice 19; the main thread keeps its priority', async () => {
    const { pid, nice } = await served({ AIGW_HELPER_THREADS: String(HELPER_THREAD_NICE) });
    expect(nice.get(pid)).toBe(base);
    const lowered = [...nice].filter(([, n]) => n === HELPER_THREAD_NICE).map(([t]) => t);
    // V8's workers (4 by default) and the platform's delayed-task thread
    expect(lowered.length).toBeGreaterThanOrEqual(4);
    expect(lowered).not.toContain(pid);
    // the rest (libuv's pool, started from the main thread) keep the process's priority
    expect([...nice.values()].every((n) => n === base || n === HELPER_THREAD_NICE)).toBe(true);
  });

  it('by default (and with AIGW_HELPER_THREADS=keep) every thread stays at the process\'s priority', async () => {
    for (const env of [{}, { AIGW_HELPER_THREADS: 'keep' }] as Array<Record<string, string>>) {
      const { nice } = await served(env);
      expect([...nice.values()].every((n) => n === base)).toBe(true);
    }
  });

  it('a value that is not a nice value is refused before anything is served', async () => {
    const r = await execa(process.execPath, [bin, 'serve', 'examples/quickstart.yaml', '--mock', '--listen', '127.0.0.1:0', '--admin-listen', 'off'], { cwd: root, reject: false, env: { NO_COLOR: '1', AIGW_HELPER_THREADS: 'lowest' }, extendEnv: false, timeout: 20_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("AIGW_HELPER_THREADS must be 'keep' or a nice value from 1 to 19, not 'lowest'");
    expect(r.stderr).not.toContain('listening');
  });
});
