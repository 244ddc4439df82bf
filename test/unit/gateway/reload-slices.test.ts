// A reload's main-thread work runs in slices between other tasks (issue 10: a reload of 5,000
// entities stopped every request for ~1 s): the runtime build, the store's re-index and the
// POST /config answer each let the event loop run while they work, and give what the
// all-at-once versions give.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildRuntime, buildRuntimeInSlices } from '../../../src/gateway/runtime.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';
import { performance } from 'node:perf_hooks';
import { runAtOnce, runInSlices, sliceChannel, type SliceReport, type Steps } from '../../../src/gateway/time-slices.js';
import { stateFrom } from '../../helpers/gateway.js';

const N = 120;
const yaml = `_format_version: "3.0"
consumers:
- username: alice
services:
${Array.from({ length: N }, (_, i) => `- name: s${i}
  url: http://127.0.0.1:9/${i}
  routes:
  - name: r${i}
    paths: [/r/${i}]
    plugins:
    - name: rate-limiting
      config: { minute: ${i + 1}, policy: local }
    - name: request-termination
      consumer: alice
      config: { status_code: 403 }
`).join('')}plugins:
- name: correlation-id
`;
const deps = () => ({ logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });

/** How many times a setImmediate chain ran while `work` was pending. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  done = true;
  return { value, turns };
}

describe('reload work in slices', () => {
  it('runInSlices yields to the event loop once a slice has used its time, runAtOnce never', async () => {
    function* steps(): Steps<number> {
      let n = 0;
      for (let i = 0; i < 40; i++) {
        const until = Date.now() + 1;
        while (Date.now() < until) n++;
        yield;
      }
      return n;
    }
    const sliced = await turnsDuring(() => runInSlices(steps(), 5));
    expect(sliced.turns).toBeGreaterThanOrEqual(4);
    expect(runAtOnce(steps())).toBeGreaterThan(0);
  });

  it('every slice is reported on sliceChannel while someone listens: its length, its steps and who ran it', async () => {
    function* steps(): Steps<string> {
      for (let i = 0; i < 30; i++) {
        const until = performance.now() + 1;
        while (performance.now() < until);
        yield;
      }
      return 'done';
    }
    const reports: SliceReport[] = [];
    const listen = (m: unknown): void => void reports.push(m as SliceReport);
    sliceChannel.subscribe(listen);
    try {
      expect(await runInSlices(steps(), 5)).toBe('done');
    } finally {
      sliceChannel.unsubscribe(listen);
    }
    expect(reports.length).toBeGreaterThanOrEqual(4);
    expect(reports.reduce((n, r) => n + r.steps, 0)).toBe(31); // 30 yields, then the step that returns
    for (const r of reports) {
      expect(r.ms).toBeGreaterThan(0);
      expect(r.caller).toMatch(/reload-slices\.test/);
    }
    await runInSlices(steps(), 5);
    expect(reports.reduce((n, r) => n + r.steps, 0)).toBe(31); // nobody listens: nothing reported
  });

  it('the runtime built in slices routes and chains as the one built at once', async () => {
    const state = await stateFrom(yaml);
    const once = buildRuntime(state, deps());
    const { value: sliced, turns } = await turnsDuring(() => buildRuntimeInSlices(state, deps(), 0));
    expect(turns).toBeGreaterThan(0);
    expect([...sliced.routes.keys()]).toEqual([...once.routes.keys()]);
    for (const [id, chain] of once.chains) {
      const other = sliced.chains.get(id)!;
      expect(other.entries.map((e) => [e.name, e.priority, e.base !== null, [...(e.byConsumer?.keys() ?? [])]])).toEqual(chain.entries.map((e) => [e.name, e.priority, e.base !== null, [...(e.byConsumer?.keys() ?? [])]]));
    }
    expect(sliced.globalChain.entries.map((e) => e.name)).toEqual(['correlation-id']);
    expect(sliced.warnings).toEqual(once.warnings);
  });

  it('a store replaced in slices shows the old content until the swap, then exactly the new one', async () => {
    const old = await stateFrom('_format_version: "3.0"\nservices:\n- name: old\n  url: http://127.0.0.1:9\n');
    const next = await stateFrom(yaml);
    const store = memoryStore(old);
    const seen: number[] = [];
    const p = store.replaceAllInSlices(next);
    seen.push(store.count('services'));
    await p;
    seen.push(store.count('services'));
    expect(seen).toEqual([1, N]);
    const atOnce = memoryStore(next);
    expect(store.snapshot()).toEqual(atOnce.snapshot());
    expect(store.idByUnique('services', 'name="s7"')).toBe(atOnce.idByUnique('services', 'name="s7"'));
    expect(store.idByUnique('services', 'name="s7"')).toBeDefined();
  });
});
