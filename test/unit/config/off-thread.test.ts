// Configurations loaded in a worker thread (aigw serve's reloads) give the same State and issues
// as a load on the main thread. The thread runs the compiled script (dist/, built by `npm test`).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState, loadText } from '../../../src/config/index.js';
import { threadLoader } from '../../../src/config/thread/off-thread.js';

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

  it('without the thread script it loads in-process, with the same result', async () => {
    const fallback = threadLoader(join(tmpdir(), 'no-such-load-thread.js'));
    const r = await fallback.text(text, { env, name: '<config>' });
    expect(r.state).toEqual(loadText(text, { env, name: '<config>' }).state);
    await fallback.close();
  });
});
