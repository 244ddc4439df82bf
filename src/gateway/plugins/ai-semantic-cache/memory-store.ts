/**
 * In-process vector store (aigw's default `vectordb.strategy: memory`): a linear scan over the
 * live entries of one scope. Expired entries are dropped lazily; each scope keeps at most
 * `maxEntriesPerScope` entries (the oldest go first). Survives reloads through the plugin store.
 */
import type { CacheEntry, SearchHit, VectorStore } from './store.js';
import { distance, type DistanceMetric } from '../../llm/wire/vector.js';

interface Scope {
  /** Insertion order = age order. */
  entries: Map<string, CacheEntry>;
  exact: Map<string, string>;
}

export class MemoryVectorStore implements VectorStore {
  readonly name = 'memory';
  private readonly scopes = new Map<string, Scope>();

  constructor(private readonly maxEntriesPerScope = 10_000) {}

  async findExact(scope: string, exactKey: string, now: number): Promise<CacheEntry | null> {
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

  async search(scope: string, vector: readonly number[], metric: DistanceMetric, threshold: number, now: number): Promise<SearchHit | null> {
    const s = this.scopes.get(scope);
    if (!s) return null;
    let best: SearchHit | null = null;
    const expired: string[] = [];
    for (const e of s.entries.values()) {
      if (e.expiresAt <= now) {
        expired.push(e.id);
        continue;
      }
      if (e.vector.length !== vector.length) continue;
      const d = distance(metric, vector, e.vector);
      if (d <= threshold && (best === null || d < best.distance)) best = { entry: e, distance: d };
    }
    for (const id of expired) this.remove(s, id);
    return best;
  }

  async put(scope: string, entry: CacheEntry): Promise<void> {
    let s = this.scopes.get(scope);
    if (!s) {
      s = { entries: new Map(), exact: new Map() };
      this.scopes.set(scope, s);
    }
    const previous = s.exact.get(entry.exactKey);
    if (previous !== undefined) this.remove(s, previous);
    s.entries.set(entry.id, entry);
    s.exact.set(entry.exactKey, entry.id);
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
    if (e && s.exact.get(e.exactKey) === id) s.exact.delete(e.exactKey);
  }
}
