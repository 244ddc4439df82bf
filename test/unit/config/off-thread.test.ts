// Configurations loaded in a worker thread (aigw serve's reloads) give the same State and issues
// as a load on the main thread. The thread runs the compiled script (dist/, built by `npm test`).
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState, loadText } from '../../../src/config/index.js';
import { Worker } from 'node:worker_threads';
import { ConfigBodyError, assembled, threadLoader } from '../../../src/config/thread/off-thread.js';
import { reuseKey, type LoadAnswer, type LoadRequest } from '../../../src/config/thread/protocol.js';
import { kongProfile } from '../../../src/config/schemas.js';
import { MAX_DEPTH } from '../../../src/config/structure.js';
import { CONFIG_THREAD_NICE, threadId } from '../../../src/config/thread/priority.js';

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

  it('a text given as bytes is UTF-8, moved to the thread without a copy unless it shares a pool', async () => {
    const here = loadText(text, { env, name: '<config>' }).state;
    const pooled = Buffer.from(text); // small: a slice of Node's shared pool, copied before the transfer
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    expect((await loader.text(pooled, { env, name: '<config>' })).state).toEqual(here);
    expect(pooled.length).toBe(Buffer.byteLength(text));
    const own = new Uint8Array(Buffer.from(JSON.stringify({ config: text })));
    expect((await loader.text(own, { env, name: '<config>', json: true })).state).toEqual(here);
    expect(own.byteLength).toBe(0); // transferred (detached here)
  });

  it('an entity the request lists with the same digest crosses as its id, without a digest', async () => {
    const w = new Worker(script);
    try {
      const answers: LoadAnswer[] = [];
      const ask = (req: LoadRequest): Promise<LoadAnswer[]> => new Promise((resolve) => {
        answers.length = 0;
        const on = (a: LoadAnswer): void => {
          answers.push(a);
          if (!('part' in a)) {
            w.off('message', on);
            resolve([...answers]);
          }
        };
        w.on('message', on);
        w.postMessage(req);
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
      await w.terminate();
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

/** A thread's nice value (field 19 of /proc/<pid>/task/<tid>/stat). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
const threads = (): number[] => readdirSync(`/proc/${process.pid}/task`).map(Number);
const linux = existsSync(`/proc/${process.pid}/task`);

describe('the configuration thread runs at a lower priority, the thread that serves keeps its own', () => {
  // under `nice` (a shared machine) the test process may already be at or above the thread's value
  it.runIf(linux && getPriority() < CONFIG_THREAD_NICE)('the new thread has nice CONFIG_THREAD_NICE (per thread, from /proc); this thread and the main thread keep theirs', async () => {
    const own = threadId();
    expect(own).not.toBeNull();
    const ownNice = niceOf(own!);
    const mainNice = niceOf(process.pid);
    expect(ownNice).toBeLessThan(CONFIG_THREAD_NICE);
    const before = new Set(threads());
    const loader = threadLoader(script);
    try {
      await loader.text(text, { env, name: '<config>' });
      const started = threads().filter((t) => !before.has(t));
      expect(started.filter((t) => niceOf(t) === CONFIG_THREAD_NICE)).toHaveLength(1);
      expect(niceOf(own!)).toBe(ownNice);
      expect(niceOf(process.pid)).toBe(mainNice);
    } finally {
      await loader.close();
    }
  });
});
