// Configurations loaded in the configuration process (aigw serve's reloads) give the same State and
// issues as a load on the main thread. The process runs the compiled script (dist/, built by `npm test`).
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState, loadText } from '../../../src/config/index.js';
import { ConfigBodyError, assembled, threadLoader } from '../../../src/config/thread/off-thread.js';
import { reuseKey, type LoadAnswer, type LoadRequest } from '../../../src/config/thread/protocol.js';
import { kongProfile } from '../../../src/config/schemas.js';
import { MAX_DEPTH } from '../../../src/config/structure.js';
import { CONFIG_NICE, ESCALATED_NICE, idleLauncher } from '../../../src/config/thread/priority.js';

const script = join(import.meta.dirname, '../../../dist/src/config/thread/load-thread.js');
const text = `_format_version: "3.0"
services:
- name: s1
  url: http://127.0.0.1:9
  routes:
  - name: r1
    paths: [/a]
    plugins:
    - name: rate-limiting
      config: { minute: 10, policy: local }
consumers:
- username: u1
  tags: ["\${{ env "DECK_TAG" }}"]
`;
const env = { DECK_TAG: 'from-env' };

describe('configurations loaded off the main thread', () => {
  const loader = threadLoader(script);
  afterAll(() => loader.close());

  it('the compiled thread script exists (run npm run build)', () => {
    expect(existsSync(script)).toBe(true);
  });

  it('a text gives the State the main thread gives, frozen', async () => {
    const here = loadText(text, { env, name: '<config>' });
    const there = await loader.text(text, { env, name: '<config>' });
    expect(there.state).toEqual(here.state);
    expect(Object.isFrozen(there.state?.entities.services[0])).toBe(true);
    expect(there.state?.entities.consumers[0]?.tags).toEqual(['from-env']);
  });

  it('files give the same State and issues; errors come back as issues with positions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-thread-'));
    writeFileSync(join(dir, 'good.yaml'), text);
    writeFileSync(join(dir, 'bad.yaml'), text.replace('minute: 10', 'minute: "ten"'));
    for (const f of ['good.yaml', 'bad.yaml']) {
      const here = await loadState([f], { env, cwd: dir });
      const there = await loader.files([f], { env, cwd: dir });
      expect(there.state).toEqual(here.state);
      expect(there.issues).toEqual(here.issues);
    }
    const bad = await loader.files(['bad.yaml'], { env, cwd: dir });
    expect(bad.state).toBeNull();
    expect(bad.issues.some((i) => i.severity === 'error' && i.file === 'bad.yaml' && typeof i.line === 'number')).toBe(true);
  });

  it('loads that overlap each get their own answer', async () => {
    const texts = ['a', 'b', 'c'].map((t) => text.replace('name: r1', `name: r-${t}`));
    const answers = await Promise.all(texts.map((t) => loader.text(t, { env, name: '<config>' })));
    expect(answers.map((a) => a.state?.entities.routes[0]?.name)).toEqual(['r-a', 'r-b', 'r-c']);
  });

  it('a reload keeps the objects of the entities it did not change, and gives the State a fresh load gives', async () => {
    const changed = text.replace('minute: 10', 'minute: 11');
    const first = await loader.text(text, { env, name: '<config>' });
    const second = await loader.text(changed, { env, name: '<config>' });
    expect(second.state).toEqual(loadText(changed, { env, name: '<config>' }).state);
    const a = first.state!.entities;
    const b = second.state!.entities;
    expect(b.services[0]).toBe(a.services[0]);
    expect(b.routes[0]).toBe(a.routes[0]);
    expect(b.consumers[0]).toBe(a.consumers[0]);
    expect(b.plugins[0]).not.toBe(a.plugins[0]);
    expect((b.plugins[0].config as { minute: number }).minute).toBe(11);
    // a failed load changes nothing that is remembered; an entity that goes and comes back is new
    expect((await loader.text('services: [{name: s1}]', { env, name: '<config>' })).state).toBeNull();
    const third = await loader.text(changed.replace(/consumers:[^]*$/, ''), { env, name: '<config>' });
    expect(third.state!.entities.plugins[0]).toBe(b.plugins[0]);
    expect(third.state!.entities.consumers).toEqual([]);
    const fourth = await loader.text(changed, { env, name: '<config>' });
    expect(fourth.state).toEqual(second.state);
    expect(fourth.state!.entities.consumers[0]).not.toBe(b.consumers[0]);
    expect(Object.isFrozen(fourth.state!.entities.consumers[0])).toBe(true);
    // a new thread (the last one ended after a quiet minute) is told what this thread holds
    await loader.close();
    const fifth = await loader.text(changed, { env, name: '<config>' });
    expect(fifth.state!.entities.routes[0]).toBe(fourth.state!.entities.routes[0]);
    expect(fifth.state!.entities.consumers[0]).toBe(fourth.state!.entities.consumers[0]);
  });

  it('a State loaded in-process and adopted is held as if the thread had answered it: the first reload keeps its unchanged objects', async () => {
    const fresh = threadLoader(script);
    try {
      const here = loadText(text, { env, name: '<config>' }).state!;
      fresh.adopt(here);
      const changed = await fresh.text(text.replace('minute: 10', 'minute: 12'), { env, name: '<config>' });
      const b = changed.state!.entities;
      expect(b.services[0]).toBe(here.entities.services[0]);
      expect(b.routes[0]).toBe(here.entities.routes[0]);
      expect(b.consumers[0]).toBe(here.entities.consumers[0]);
      expect(b.plugins[0]).not.toBe(here.entities.plugins[0]);
      expect(changed.state).toEqual(loadText(text.replace('minute: 10', 'minute: 12'), { env, name: '<config>' }).state);
      // a later adopt replaces what was held
      const other = loadText(text.replace('name: s1', 'name: s2'), { env, name: '<config>' }).state!;
      fresh.adopt(other);
      const again = await fresh.text(text.replace('name: s1', 'name: s2'), { env, name: '<config>' });
      expect(again.state!.entities.services[0]).toBe(other.entities.services[0]);
    } finally {
      await fresh.close();
    }
  });

  it('a POST /config JSON body is read in the thread: its config member as text or as an object, or the whole body', async () => {
    const here = loadText(text, { env, name: '<config>' }).state;
    const asText = await loader.text(JSON.stringify({ config: text }), { env, name: '<config>', json: true });
    expect(asText.state).toEqual(here);
    const plain = { _format_version: '3.0', services: [{ name: 's1', url: 'http://127.0.0.1:9' }] };
    const asObject = await loader.text(JSON.stringify({ config: plain }), { env, name: '<config>', json: true });
    expect(asObject.state).toEqual(loadText(JSON.stringify(plain), { env, name: '<config>' }).state);
    const whole = await loader.text(JSON.stringify(plain), { env, name: '<config>', json: true });
    expect(whole.state).toEqual(asObject.state);
    await expect(loader.text('{"config": ', { env, name: '<config>', json: true })).rejects.toThrow(ConfigBodyError);
    await expect(loader.text('{"config": ', { env, name: '<config>', json: true })).rejects.toThrow(/^Cannot parse JSON body$/);
    const deep = `{"config": ${'['.repeat(MAX_DEPTH + 2)}${']'.repeat(MAX_DEPTH + 2)}}`;
    await expect(loader.text(deep, { env, name: '<config>', json: true })).rejects.toThrow(/nested more than/);
  });

  it('a text given as bytes is UTF-8, whether it is a slice of a shared pool or owns its memory; the caller keeps its bytes', async () => {
    const here = loadText(text, { env, name: '<config>' }).state;
    const pooled = Buffer.from(text); // small: a slice of Node's shared pool
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    expect((await loader.text(pooled, { env, name: '<config>' })).state).toEqual(here);
    expect(pooled.toString()).toBe(text);
    const own = new Uint8Array(Buffer.from(JSON.stringify({ config: text })));
    expect((await loader.text(own, { env, name: '<config>', json: true })).state).toEqual(here);
    expect(own.byteLength).toBe(Buffer.byteLength(JSON.stringify({ config: text })));
    const accented = text.replace('name: s1', 'name: sérvice-ü');
    expect((await loader.text(Buffer.from(accented), { env, name: '<config>' })).state?.entities.services[0]?.name).toBe('sérvice-ü');
  });

  it('an entity the request lists with the same digest crosses as its id, without a digest', async () => {
    const w = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const answers: LoadAnswer[] = [];
      const ask = (req: LoadRequest): Promise<LoadAnswer[]> => new Promise((resolve) => {
        answers.length = 0;
        const on = (a: LoadAnswer): void => {
          if ('ready' in a) return; // the process's first message
          answers.push(a);
          if (!('part' in a)) {
            w.off('message', on);
            resolve([...answers]);
          }
        };
        w.on('message', on);
        w.send(req);
      });
      const base = { profile: kongProfile(), env, known: [] as Array<[string, string]>, kind: 'text' as const, text, name: '<config>' };
      const first = await ask({ ...base, id: 1 });
      const parts = first.flatMap((a) => ('part' in a ? [a.part] : []));
      const all = parts.flatMap((p) => p.entities.map((e, i) => [reuseKey(p.kind, (e as { id: string }).id), p.digests[i]] as [string, string]));
      expect(parts.every((p) => p.digests.length === p.entities.length)).toBe(true);
      const again = (await ask({ ...base, id: 2, known: all })).flatMap((a) => ('part' in a ? [a.part] : []));
      expect(again.flatMap((p) => p.entities).every((e) => typeof e === 'string')).toBe(true);
      expect(again.flatMap((p) => p.digests)).toEqual([]);
    } finally {
      w.kill();
    }
  });

  it('an answer is assembled a step per entity, and the entities it holds are those of the parts (no copies)', () => {
    const held = ['a', 'b', 'c'].map((id) => ({ entity: { id, name: id }, digest: `d-${id}`, key: reuseKey('services', id) }));
    const steps = assembled({ id: 1, state: { workspace: null, selectTags: [], entities: {} }, issues: [] }, [{ kind: 'services', held }]);
    let yields = 0;
    let r = steps.next();
    while (!r.done) {
      yields++;
      r = steps.next();
    }
    expect(yields).toBe(3);
    expect(r.value.loaded.state?.entities.services.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect([...r.value.known!.values()]).toEqual(held);
    expect(r.value.known!.get(reuseKey('services', 'b'))).toBe(held[1]);
  });

  it('without the thread script it loads in-process, with the same result', async () => {
    const fallback = threadLoader(join(tmpdir(), 'no-such-load-thread.js'));
    const r = await fallback.text(text, { env, name: '<config>' });
    expect(r.state).toEqual(loadText(text, { env, name: '<config>' }).state);
    expect((await fallback.text(JSON.stringify({ config: text }), { env, name: '<config>', json: true })).state).toEqual(r.state);
    await expect(fallback.text('not json', { env, name: '<config>', json: true })).rejects.toThrow(ConfigBodyError);
    expect((await fallback.text(Buffer.from(text), { env, name: '<config>' })).state).toEqual(r.state);
    await fallback.close();
  });
});

/** A thread's nice value and scheduling policy (fields 19 and 41 of /proc/<pid>/task/<tid>/stat; policy 5 is SCHED_IDLE). */
function schedOf(pid: number, tid: number): { nice: number; policy: number } {
  const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { nice: Number(f[16]), policy: Number(f[38]) };
}
const threadsOf = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);
const linux = existsSync(`/proc/${process.pid}/task`);
/** The configuration processes this process started (its children running the script). */
function children(): number[] {
  const out: number[] = [];
  for (const tid of threadsOf(process.pid)) {
    let kids = '';
    try {
      kids = readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of kids.split(' ').filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('load-thread.js')) out.push(pid);
      } catch {
        // gone
      }
    }
  }
  return out;
}

/** The configuration process a load just started (waits up to 0.5 s for it to appear). */
async function startedChild(): Promise<number> {
  let [pid] = children();
  for (let i = 0; pid === undefined && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 10));
    [pid] = children();
  }
  expect(pid).toBeDefined();
  return pid;
}

describe('the configuration process runs below the gateway: SCHED_IDLE (or nice CONFIG_NICE) on every thread; the gateway keeps its priority', () => {
  it.runIf(linux)('every thread of the configuration process, V8\'s helper threads included, is SCHED_IDLE or at CONFIG_NICE; every thread here keeps its own', async () => {
    const before = new Map(threadsOf(process.pid).map((t) => [t, schedOf(process.pid, t)]));
    const loader = threadLoader(script);
    try {
      await loader.text(text, { env, name: '<config>' });
      const [pid] = children();
      expect(pid).toBeDefined();
      // a small young generation, and gc() after each answer (its RSS: bench/README.md)
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--max-semi-space-size=1', '--expose-gc']));
      const tids = threadsOf(pid);
      expect(tids.length).toBeGreaterThan(3); // the main thread, V8's platform threads, libuv's
      const idle = idleLauncher() !== null;
      for (const tid of tids) {
        const s = schedOf(pid, tid);
        if (idle) expect(s.policy).toBe(5);
        else expect(s.nice).toBe(CONFIG_NICE);
      }
      for (const [tid, s] of before) if (existsSync(`/proc/${process.pid}/task/${tid}`)) expect(schedOf(process.pid, tid)).toEqual(s);
    } finally {
      await loader.close();
    }
    expect(children()).toEqual([]);
  });

  it.runIf(linux)('a chrt that fails (a seccomp profile refusing SCHED_IDLE) is not used again: the load runs in a process at CONFIG_NICE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-chrt-'));
    const fake = join(dir, 'chrt');
    writeFileSync(fake, '#!/bin/sh\necho "chrt: failed to set pid 0\'s policy: Operation not permitted" >&2\nexit 1\n', { mode: 0o755 });
    const before = process.env.AIGW_CHRT;
    process.env.AIGW_CHRT = fake;
    const loader = threadLoader(script);
    try {
      expect(idleLauncher()).toBe(fake);
      const r = await loader.text(text, { env, name: '<config>' });
      expect(r.state).toEqual(loadText(text, { env, name: '<config>' }).state);
      expect(idleLauncher()).toBeNull();
      const [pid] = children();
      expect(schedOf(pid, pid)).toEqual({ nice: CONFIG_NICE, policy: 0 });
    } finally {
      await loader.close();
      if (before === undefined) delete process.env.AIGW_CHRT;
      else process.env.AIGW_CHRT = before;
    }
  });

  it.runIf(linux)('closing the loader fails the loads still under way, with the reason', async () => {
    const loader = threadLoader(script);
    const pending = expect(loader.text(text, { env, name: '<config>' })).rejects.toThrow(/^the configuration process was closed$/);
    await loader.close();
    await pending;
  });

  it.runIf(linux)('a load that waits too long at the lowest priority runs again in a process at ESCALATED_NICE, with the same answer', async () => {
    // a stopped process stands for one at the lowest priority on a core the gateway never leaves idle
    const loader = threadLoader(script, { escalateMs: 300 });
    try {
      // first load: a process at the lowest priority starts; stop it so the load cannot finish there
      const first = loader.text(text, { env, name: '<config>' });
      const pid = await startedChild();
      process.kill(pid, 'SIGSTOP');
      const r = await first;
      expect(r.state).toEqual(loadText(text, { env, name: '<config>' }).state);
      const [now] = children();
      expect(now).not.toBe(pid);
      expect(schedOf(now, now)).toEqual({ nice: ESCALATED_NICE, policy: 0 });
      expect(existsSync(`/proc/${pid}/stat`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))).toBe(false);
    } finally {
      await loader.close();
    }
  });

  it.runIf(linux)('a load at the lowest priority that gets a share of the core is not started again: it finishes in the same process, however long it takes', async () => {
    // a process that runs 1 ms of every 4 stands for one at SCHED_IDLE beside a proxy that keeps the core 75 % busy
    const loader = threadLoader(script, { escalateMs: 300 });
    let pid: number | undefined;
    let over = false;
    try {
      const first = loader.text(text, { env, name: '<config>' }).finally(() => {
        over = true;
      });
      pid = await startedChild();
      const started = Date.now();
      while (!over) {
        process.kill(pid as number, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, 30));
        process.kill(pid as number, 'SIGCONT');
        await new Promise((r) => setTimeout(r, 10));
      }
      const r = await first;
      expect(r.state).toEqual(loadText(text, { env, name: '<config>' }).state);
      // longer than an escalation window, and still the process it started in, at the lowest priority
      expect(Date.now() - started).toBeGreaterThan(300);
      expect(children()).toEqual([pid]);
      const s = schedOf(pid as number, pid as number);
      if (idleLauncher() !== null) expect(s.policy).toBe(5);
      else expect(s.nice).toBe(CONFIG_NICE);
    } finally {
      if (pid !== undefined && !over) process.kill(pid, 'SIGCONT');
      await loader.close();
    }
  });

  it.runIf(linux)('escalation looks at the CPU the process got in each window: while it progresses it waits, once it is starved it starts again at ESCALATED_NICE', async () => {
    const seen: number[] = [];
    let cpu = 0;
    // the first three windows show progress (100 ms of CPU in 300 ms), then none
    const loader = threadLoader(script, { escalateMs: 300, cpuMs: () => (seen.push(Date.now()), seen.length <= 4 ? (cpu += 100) : cpu) });
    try {
      const first = loader.text(text, { env, name: '<config>' });
      const pid = await startedChild();
      process.kill(pid, 'SIGSTOP');
      const started = Date.now();
      const r = await first;
      expect(r.state).toEqual(loadText(text, { env, name: '<config>' }).state);
      const [now] = children();
      expect(now).not.toBe(pid);
      expect(schedOf(now, now)).toEqual({ nice: ESCALATED_NICE, policy: 0 });
      // looked at the arming and at the end of each window: three windows of progress, a fourth without
      expect(seen.length).toBe(5);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 300 - 100);
    } finally {
      await loader.close();
    }
  });

  it.runIf(linux)('a configuration process that dies mid-load fails that load with the reason; the next load starts a new one', async () => {
    const loader = threadLoader(script);
    try {
      await loader.text(text, { env, name: '<config>' });
      const [pid] = children();
      const big = text + Array.from({ length: 3000 }, (_, i) => `- username: u-${i}\n`).join('');
      const dying = loader.text(big, { env, name: '<config>' });
      process.kill(pid, 'SIGKILL');
      await expect(dying).rejects.toThrow(/^the configuration process stopped \(SIGKILL\)$/);
      const again = await loader.text(text, { env, name: '<config>' });
      expect(again.state).toEqual(loadText(text, { env, name: '<config>' }).state);
      expect(children()).toHaveLength(1);
      expect(children()[0]).not.toBe(pid);
    } finally {
      await loader.close();
    }
  });

  it.runIf(linux)('the configuration process ends with the gateway, even one killed with SIGKILL', async () => {
    const offThread = join(import.meta.dirname, '../../../dist/src/config/thread/off-thread.js');
    const code = `import(${JSON.stringify(offThread)}).then(async (m) => { await m.configThread.text('services: []', { env: {}, name: 'x' }); console.log('loaded'); setInterval(() => {}, 1000); });`;
    const gw = fork('-e', [code], { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    try {
      await new Promise<void>((resolve, reject) => {
        gw.stdout!.on('data', (d: Buffer) => (String(d).includes('loaded') ? resolve() : undefined));
        gw.on('exit', () => reject(new Error('exited')));
      });
      const kids = readFileSync(`/proc/${gw.pid}/task/${gw.pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      expect(kids).toHaveLength(1);
      gw.kill('SIGKILL');
      // exited: gone, or a zombie until the process that inherits it (init) collects it
      const exited = (pid: number): boolean => {
        try {
          return /\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return true;
        }
      };
      const gone = async (pid: number): Promise<boolean> => {
        for (let i = 0; i < 100; i++) {
          if (exited(pid)) return true;
          await new Promise((r) => setTimeout(r, 20));
        }
        return false;
      };
      expect(await gone(kids[0])).toBe(true);
    } finally {
      gw.kill('SIGKILL');
    }
  });
});
