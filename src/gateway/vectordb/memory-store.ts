/**
 * In-process vector store (aigw's `vectordb.strategy: memory`): a linear scan over the live
 * entries of one scope. Expired entries are dropped lazily; each scope keeps at most
 * `maxEntriesPerScope` entries: the oldest go first (`evict`, a cache) or the put is refused
 * (`refuse`, a knowledge base). Survives reloads through the plugin store.
 */
import { VectorStoreFull, type NearestOptions, type SearchHit, type VectorEntry, type VectorStore, type WhenFull } from './store.js';
import { distance } from '../llm/wire/vector.js';

interface Scope {
  /** Insertion order = age order. */
  entries: Map<string, VectorEntry>;
  exact: Map<string, string>;
}

export class MemoryVectorStore implements VectorStore {
  readonly name = 'memory';
  private readonly scopes = new Map<string, Scope>();

  constructor(private readonly maxEntriesPerScope = 10_000, private readonly whenFull: WhenFull = 'evict') {}

  async findExact(scope: string, exactKey: string, now: number): Promise<VectorEntry | null> {
    const s = this.scopes.get(scope);
    const id = s?.exact.get(exactKey);
    if (!s || id === undefined) return null;
    const e = s.entries.get(id);
    if (!e || e.expiresAt <= now) {
      this.remove(s, id);
      return null;
    }
    return e;
  }

  async nearest(scope: string, vector: readonly number[], opts: NearestOptions, now: number): Promise<SearchHit[]> {
    const s = this.scopes.get(scope);
    if (!s) return [];
    const hits: SearchHit[] = [];
    const expired: string[] = [];
    for (const e of s.entries.values()) {
      if (e.expiresAt <= now) {
        expired.push(e.id);
        continue;
      }
      if (e.vector.length !== vector.length) continue;
      const d = distance(opts.metric, vector, e.vector);
      if (d <= opts.threshold && (!opts.filter || opts.filter(e.metadata ?? null))) hits.push({ entry: e, distance: d });
    }
    for (const id of expired) this.remove(s, id);
    return hits.sort((a, b) => a.distance - b.distance).slice(0, opts.limit);
  }

  async put(scope: string, entry: VectorEntry): Promise<void> {
    let s = this.scopes.get(scope);
    if (!s) {
      s = { entries: new Map(), exact: new Map() };
      this.scopes.set(scope, s);
    }
    s.entries.delete(entry.id);
    if (entry.exactKey !== '') {
      const previous = s.exact.get(entry.exactKey);
      if (previous !== undefined) this.remove(s, previous);
    }
    if (this.whenFull === 'refuse' && s.entries.size >= this.maxEntriesPerScope) throw new VectorStoreFull(this.maxEntriesPerScope);
    s.entries.set(entry.id, entry);
    if (entry.exactKey !== '') s.exact.set(entry.exactKey, entry.id);
    while (s.entries.size > this.maxEntriesPerScope) {
      const oldest = s.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(s, oldest);
    }
  }

  /** Number of entries held (live or not yet swept), for tests. */
  size(): number {
    let n = 0;
    for (const s of this.scopes.values()) n += s.entries.size;
    return n;
  }

  async close(): Promise<void> {
    this.scopes.clear();
  }

  private remove(s: Scope, id: string): void {
    const e = s.entries.get(id);
    s.entries.delete(id);
    if (e && e.exactKey !== '' && s.exact.get(e.exactKey) === id) s.exact.delete(e.exactKey);
  }
}
