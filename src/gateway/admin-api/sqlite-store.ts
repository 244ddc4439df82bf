/**
 * The SQLite-backed store (`aigw serve --db PATH`): better-sqlite3 in WAL mode, one row per entity
 * (kind, id, JSON body). Every write batch is one transaction, committed before the Admin API
 * answers, so an accepted change survives a restart and `kill -9`. Reads are served from the
 * in-memory tables loaded at open.
 */
import Database from 'better-sqlite3';
import { KIND_BY_NAME, type KindName } from '../../config/kinds.js';
import type { Entity, State } from '../../config/state.js';
import { KINDS } from '../../config/kinds.js';
import { Tables, type Store, type Write } from './store.js';

function parseRow(kind: string, body: string): { kind: KindName; entity: Entity } | null {
  if (!(kind in KIND_BY_NAME)) return null;
  const value: unknown = JSON.parse(body);
  if (value === null || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return null;
  return { kind: kind as KindName, entity: value as Entity };
}

export function sqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS entities (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID');
  const t = new Tables();
  for (const row of db.prepare('SELECT kind, id, body FROM entities').iterate() as IterableIterator<{ kind: string; body: string }>) {
    const parsed = parseRow(row.kind, row.body);
    if (parsed !== null) t.apply({ kind: parsed.kind, put: parsed.entity });
  }
  const upsert = db.prepare('INSERT INTO entities (kind, id, body) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body');
  const remove = db.prepare('DELETE FROM entities WHERE kind = ? AND id = ?');
  const wipe = db.prepare('DELETE FROM entities');
  const persist = db.transaction((batch: readonly Write[], clear: boolean) => {
    if (clear) wipe.run();
    for (const w of batch) {
      if ('put' in w) upsert.run(w.kind, w.put.id, JSON.stringify(w.put));
      else remove.run(w.kind, w.remove);
    }
  });
  const replaceAll = (state: State): void => {
    const batch: Write[] = KINDS.flatMap((k) => state.entities[k.name].map((e) => ({ kind: k.name, put: e })));
    persist(batch, true);
    t.clear();
    for (const w of batch) t.apply(w);
  };
  return {
    backing: 'sqlite',
    get: (k, id) => t.get(k, id),
    list: (k) => t.list(k),
    idByUnique: (k, key) => t.idByUnique(k, key),
    referrers: (id) => t.referrers(id),
    count: (k) => t.count(k),
    write: (batch) => {
      persist(batch, false);
      for (const w of batch) t.apply(w);
    },
    replaceAll: (state) => replaceAll(state),
    // one SQLite transaction: not sliced
    replaceAllInSlices: async (state) => replaceAll(state),
    snapshot: () => t.snapshot(),
    close: () => db.close(),
  };
}
