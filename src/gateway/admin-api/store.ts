/**
 * The Admin API's entity store. One interface, two backings: memory (`aigw serve` with neither a
 * file nor `--db`, and declarative mode) and SQLite (`--db PATH`, see sqlite-store.ts). Both keep
 * the same in-memory tables with indexes on id, unique keys and references; SQLite adds
 * write-through persistence. Writes are batches, applied atomically.
 */
import { KINDS, KIND_BY_NAME, type KindName } from '../../config/kinds.js';
import { emptyEntities, freezeState, refId, type Entity, type State } from '../../config/state.js';
import { uniqueKeys } from '../../diff/identity.js';
import { runInSlices, type Steps } from '../time-slices.js';

export type Write = { kind: KindName; put: Entity } | { kind: KindName; remove: string };

export interface Store {
  readonly backing: 'memory' | 'sqlite';
  get(kind: KindName, id: string): Entity | undefined;
  /** Entities of a kind, sorted by id. */
  list(kind: KindName): readonly Entity[];
  /** The id holding a unique key (see `uniqueKeys`), if any. */
  idByUnique(kind: KindName, key: string): string | undefined;
  /** Entities (kind, id) whose foreign keys point at `id`. */
  referrers(id: string): Array<{ kind: KindName; id: string }>;
  count(kind: KindName): number;
  /** Apply writes atomically (all or nothing). */
  write(batch: readonly Write[]): void;
  /** Replace everything (declarative `POST /config`). */
  replaceAll(state: State): void;
  /** The same, indexing the new content a few milliseconds at a time between other tasks; readers see the old content until the swap. */
  replaceAllInSlices(state: State): Promise<void>;
  /** The whole content as an immutable State. */
  snapshot(): State;
  close(): void;
}

/** In-memory tables with indexes; the shared core of both stores. */
export class Tables {
  private readonly rows = new Map<KindName, Map<string, Entity>>(KINDS.map((k) => [k.name, new Map()]));
  private readonly unique = new Map<KindName, Map<string, string>>(KINDS.map((k) => [k.name, new Map()]));
  private readonly refs = new Map<string, Set<string>>();
  private readonly sorted = new Map<KindName, readonly Entity[]>();
  private snap: State | null = null;
  /** Counts writes (`apply`, `clear`): a change computed over several tasks is applied only if none came in between. */
  version = 0;

  get(kind: KindName, id: string): Entity | undefined {
    return this.rows.get(kind)?.get(id);
  }

  list(kind: KindName): readonly Entity[] {
    let list = this.sorted.get(kind);
    if (list === undefined) {
      list = [...(this.rows.get(kind)?.values() ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.sorted.set(kind, list);
    }
    return list;
  }

  count(kind: KindName): number {
    return this.rows.get(kind)?.size ?? 0;
  }

  /** The ids of a kind, in no particular order. */
  ids(kind: KindName): IterableIterator<string> {
    return this.rows.get(kind)!.keys();
  }

  idByUnique(kind: KindName, key: string): string | undefined {
    return this.unique.get(kind)?.get(key);
  }

  referrers(id: string): Array<{ kind: KindName; id: string }> {
    return [...(this.refs.get(id) ?? [])].map((s) => {
      const i = s.indexOf(':');
      return { kind: s.slice(0, i) as KindName, id: s.slice(i + 1) };
    });
  }

  private index(kind: KindName, e: Entity, add: boolean): void {
    const def = KIND_BY_NAME[kind];
    const u = this.unique.get(kind)!;
    for (const key of uniqueKeys(def, e)) {
      if (add) u.set(key, e.id);
      else if (u.get(key) === e.id) u.delete(key);
    }
    for (const fk of def.foreignKeys) {
      const target = refId(e[fk.field]);
      if (target === null) continue;
      let set = this.refs.get(target);
      if (add) {
        if (set === undefined) this.refs.set(target, (set = new Set()));
        set.add(`${kind}:${e.id}`);
      } else set?.delete(`${kind}:${e.id}`);
    }
  }

  apply(w: Write): void {
    const table = this.rows.get(w.kind)!;
    const id = 'put' in w ? w.put.id : w.remove;
    const old = table.get(id);
    if (old !== undefined) this.index(w.kind, old, false);
    if ('put' in w) {
      const e = Object.freeze(w.put);
      table.set(id, e);
      this.index(w.kind, e, true);
    } else table.delete(id);
    this.sorted.delete(w.kind);
    this.snap = null;
    this.version++;
  }

  clear(): void {
    for (const m of this.rows.values()) m.clear();
    for (const m of this.unique.values()) m.clear();
    this.refs.clear();
    this.sorted.clear();
    this.snap = null;
    this.version++;
  }

  snapshot(): State {
    if (this.snap === null) {
      const entities = emptyEntities();
      for (const k of KINDS) entities[k.name] = [...this.list(k.name)];
      this.snap = freezeState({ workspace: null, selectTags: [], entities });
    }
    return this.snap;
  }
}

/** `state` with a batch of writes applied (the candidate a write is checked against before it is stored). */
export function withWrites(state: State, batch: readonly Write[]): State {
  const entities = { ...state.entities };
  for (const kind of new Set(batch.map((w) => w.kind))) {
    const rows = new Map(state.entities[kind].map((e) => [e.id, e]));
    for (const w of batch) {
      if (w.kind !== kind) continue;
      if ('put' in w) rows.set(w.put.id, w.put);
      else rows.delete(w.remove);
    }
    entities[kind] = [...rows.values()];
  }
  return { ...state, entities };
}

function* fill(t: Tables, state: State): Steps<Tables> {
  for (const k of KINDS) {
    for (const e of state.entities[k.name]) {
      t.apply({ kind: k.name, put: e });
      yield;
    }
  }
  return t;
}

/**
 * At most this many writes bring the tables to a new state in place, at once (a few microseconds
 * each); a larger change is indexed afresh in slices (`fill`).
 */
export const MAX_WRITES_IN_PLACE = 256;
/** Entities compared per step. */
const COMPARED_PER_STEP = 256;

/**
 * The writes that turn `t` into `state`, or null when they are more than MAX_WRITES_IN_PLACE.
 * A reload keeps the objects of the entities it did not change (config/thread/off-thread.ts), so
 * an entity is unchanged when the table holds that very object: a reload that changes one service
 * writes one row, where indexing all 5,000 entities afresh allocated ~5 MiB on the main heap, a
 * third of it surviving into the old generation (every row, unique key and reference string
 * again: bench/README.md "Reload GC").
 */
function* changes(t: Tables, state: State): Steps<Write[] | null> {
  const writes: Write[] = [];
  for (const k of KINDS) {
    const list = state.entities[k.name];
    let held = 0;
    for (let i = 0; i < list.length; i++) {
      if (i % COMPARED_PER_STEP === COMPARED_PER_STEP - 1) yield;
      const e = list[i];
      const old = t.get(k.name, e.id);
      if (old !== undefined) held++;
      if (old === e) continue;
      if (writes.length === MAX_WRITES_IN_PLACE) return null;
      writes.push({ kind: k.name, put: e });
    }
    if (held === t.count(k.name)) continue; // every row is still there (ids are unique in a State)
    const ids = new Set(list.map((e) => e.id));
    for (const id of t.ids(k.name)) {
      if (ids.has(id)) continue;
      if (writes.length === MAX_WRITES_IN_PLACE) return null;
      writes.push({ kind: k.name, remove: id });
    }
    yield;
  }
  return writes;
}

export function memoryStore(initial?: State): Store {
  let t = new Tables();
  let replacing: Promise<void> = Promise.resolve();
  const store: Store = {
    backing: 'memory',
    get: (k, id) => t.get(k, id),
    list: (k) => t.list(k),
    idByUnique: (k, key) => t.idByUnique(k, key),
    referrers: (id) => t.referrers(id),
    count: (k) => t.count(k),
    write: (batch) => batch.forEach((w) => t.apply(w)),
    replaceAll: (state) => {
      t.clear();
      for (const k of KINDS) for (const e of state.entities[k.name]) t.apply({ kind: k.name, put: e });
    },
    replaceAllInSlices: (state) => {
      const run = replacing.then(async () => {
        // a small change is written in place in one step (readers see the old content until then);
        // a large one, or one over tables written to meanwhile, is indexed afresh and swapped in
        const current = t;
        const version = current.version;
        const writes = await runInSlices(changes(current, state));
        if (writes !== null && t === current && current.version === version) {
          for (const w of writes) current.apply(w);
          return;
        }
        t = await runInSlices(fill(new Tables(), state));
      });
      replacing = run.catch(() => undefined);
      return run;
    },
    snapshot: () => t.snapshot(),
    close: () => undefined,
  };
  if (initial !== undefined) store.replaceAll(initial);
  return store;
}
