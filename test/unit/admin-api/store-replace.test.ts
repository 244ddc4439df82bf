// A reload replaces the Admin API store's content (memoryStore.replaceAllInSlices). A reload
// keeps the objects of the entities it did not change, so a small change is written in place,
// row by row, instead of indexing every entity afresh (issue 10: that re-index was most of what a
// reload allocated on the main heap and kept); either way the store ends as one filled at once.
import { describe, expect, it } from 'vitest';
import { MAX_WRITES_IN_PLACE, memoryStore, type Store } from '../../../src/gateway/admin-api/store.js';
import { sliceChannel, type SliceReport } from '../../../src/gateway/time-slices.js';
import { freezeState, type Entity, type State } from '../../../src/config/state.js';
import type { KindName } from '../../../src/config/kinds.js';
import { stateFrom } from '../../helpers/gateway.js';

const N = 120;
const yaml = `_format_version: "3.0"
consumers:
- username: alice
  keyauth_credentials:
  - key: k-alice
services:
${Array.from({ length: N }, (_, i) => `- name: s${i}
  url: http://127.0.0.1:9/${i}
  routes:
  - name: r${i}
    paths: [/r/${i}]
    plugins:
    - name: rate-limiting
      config: { minute: ${i + 1}, policy: local }
`).join('')}`;

/** `state` with some entities of one kind replaced, added or removed (every other entity the same object). */
function edited(state: State, kind: KindName, edit: (list: Entity[]) => Entity[]): State {
  const entities = { ...state.entities } as Record<KindName, Entity[]>;
  for (const k of Object.keys(entities) as KindName[]) entities[k] = [...state.entities[k]];
  entities[kind] = edit(entities[kind]);
  return freezeState({ workspace: state.workspace, selectTags: [...state.selectTags], entities });
}

/** Every entity the store holds, what its indexes answer, as a store filled at once holds them. */
function expectSame(store: Store, state: State): void {
  const atOnce = memoryStore(state);
  expect(store.snapshot()).toEqual(atOnce.snapshot());
  for (const k of Object.keys(state.entities) as KindName[]) {
    expect(store.count(k)).toBe(atOnce.count(k));
    for (const e of state.entities[k]) {
      expect(store.get(k, e.id)).toBe(e);
      // in the order they were written (a set): the same referrers, not always in the same order
      const sorted = (s: Store): string[] => s.referrers(e.id).map((r) => `${r.kind}:${r.id}`).sort();
      expect(sorted(store)).toEqual(sorted(atOnce));
    }
  }
}

/** The steps runInSlices ran while `work` ran. */
async function stepsDuring(work: () => Promise<void>): Promise<number> {
  let steps = 0;
  const count = (m: unknown): void => void (steps += (m as SliceReport).steps);
  sliceChannel.subscribe(count);
  try {
    await work();
  } finally {
    sliceChannel.unsubscribe(count);
  }
  return steps;
}

describe('memoryStore.replaceAllInSlices', () => {
  it('writes a small change in place: changed, added and removed rows, their unique keys and references, without indexing every entity again', async () => {
    const old = await stateFrom(yaml);
    const store = memoryStore(old);
    const [s0, s1] = old.entities.services;
    const renamed = { ...s0, name: 'renamed', tags: ['x'] };
    let next = edited(old, 'services', (list) => list.filter((s) => s !== s1).map((s) => (s === s0 ? renamed : s)));
    const r0 = old.entities.routes.find((r) => (r.service as { id: string }).id === s0.id)!;
    const newRoute = { ...r0, id: '00000000-0000-4000-8000-000000000001', name: 'new-route', paths: ['/new'] };
    next = edited(next, 'routes', (list) => [...list.filter((r) => (r.service as { id: string }).id !== s1.id), newRoute]);
    next = edited(next, 'plugins', (list) => list.filter((p) => !next.entities.routes.every((r) => r.id !== (p.route as { id: string } | undefined)?.id)));
    const all = Object.values(old.entities).reduce((n, l) => n + l.length, 0);
    const steps = await stepsDuring(() => store.replaceAllInSlices(next));
    expect(steps).toBeLessThan(all / 4); // indexing afresh is one step per entity
    expectSame(store, next);
    expect(store.idByUnique('services', `name="${String(s0.name)}"`)).toBeUndefined();
    expect(store.idByUnique('services', 'name="renamed"')).toBe(s0.id);
    expect(store.idByUnique('services', `name="${String(s1.name)}"`)).toBeUndefined();
    expect(store.get('services', s1.id)).toBeUndefined();
    expect(store.referrers(s1.id)).toEqual([]);
    expect(store.referrers(s0.id).map((r) => r.id).sort()).toEqual([r0.id, newRoute.id].sort());
  });

  it('indexes a large change afresh, with the same result', async () => {
    const old = await stateFrom(yaml);
    const next = await stateFrom(yaml.replaceAll('policy: local', 'policy: local, hour: 100000')); // every plugin a new object
    expect(next.entities.plugins.length).toBeGreaterThan(MAX_WRITES_IN_PLACE / 4);
    const store = memoryStore(old);
    await store.replaceAllInSlices(next);
    expectSame(store, next);
    const bigger = edited(next, 'consumers', (list) => [...list, ...Array.from({ length: MAX_WRITES_IN_PLACE + 1 }, (_, i) => ({ ...list[0], id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, username: `u${i}` }))]);
    const steps = await stepsDuring(() => store.replaceAllInSlices(bigger));
    expect(steps).toBeGreaterThan(Object.values(bigger.entities).reduce((n, l) => n + l.length, 0)); // indexed afresh
    expectSame(store, bigger);
  });

  it('shows the old content until the change is applied, and a write to the tables meanwhile makes it index afresh', async () => {
    const old = await stateFrom(yaml);
    const [s0] = old.entities.services;
    const next = edited(old, 'services', (list) => list.map((s) => (s === s0 ? { ...s0, tags: ['changed'] } : s)));
    const store = memoryStore(old);
    const meanwhile = { ...s0, id: '00000000-0000-4000-8000-0000000000aa', name: 'written-meanwhile' };
    // written as the first slice of the comparison ends (sliceChannel reports it before the change is applied)
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      expect(store.get('services', s0.id)).toBe(s0);
      store.write([{ kind: 'services', put: meanwhile }]);
    };
    sliceChannel.subscribe(write);
    try {
      await store.replaceAllInSlices(next);
    } finally {
      sliceChannel.unsubscribe(write);
    }
    expect(written).toBe(true);
    // the state replaces everything, as one indexed afresh does: what was written meanwhile is gone
    expectSame(store, next);
    expect(store.get('services', meanwhile.id)).toBeUndefined();
    expect(store.idByUnique('services', 'name="written-meanwhile"')).toBeUndefined();
  });
});
