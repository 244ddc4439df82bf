/**
 * The vector store contract shared by the AI plugins (Kong's `vectordb` record): the semantic
 * cache (answers by prompt), the semantic guards (rule prompts and responses) and the RAG injector
 * (knowledge chunks). Entries live in a `scope` (a tenant, a rule list, a namespace) and are never
 * visible from another scope. Every method takes `now` (ms) so tests drive expiry with a fake clock.
 *
 * Distances follow llm/wire/vector.ts: `threshold` is a maximum distance.
 */
import type { DistanceMetric } from '../llm/wire/vector.js';
import type { JsonObject } from '../llm/wire/openai-types.js';

export interface VectorEntry {
  id: string;
  /** Exact-match key (the cache's hash of prompt and model); '' when the entry has none. */
  exactKey: string;
  vector: readonly number[];
  /** What the entry holds, serialised (the plugin decides the format). */
  payload: string;
  /** Metadata a search may filter on (RAG collections, tags…). */
  metadata?: JsonObject | null;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch; Infinity for entries that never expire. */
  expiresAt: number;
}

export interface SearchHit {
  entry: VectorEntry;
  distance: number;
}

export interface NearestOptions {
  metric: DistanceMetric;
  /** Maximum distance of a hit. */
  threshold: number;
  /** At most this many hits, nearest first. */
  limit: number;
  /** Keeps only the entries whose metadata passes (RAG filters and ACLs). */
  filter?: (metadata: JsonObject | null) => boolean;
}

export interface VectorStore {
  /** `memory` or `redis`: the `vector_db` label of logs and metrics. */
  readonly name: string;
  findExact(scope: string, exactKey: string, now: number): Promise<VectorEntry | null>;
  /** The live entries of `scope` nearest to `vector` within the threshold, nearest first. */
  nearest(scope: string, vector: readonly number[], opts: NearestOptions, now: number): Promise<SearchHit[]>;
  /** Adds (or replaces, by id) an entry. Throws VectorStoreFull when the scope holds too many. */
  put(scope: string, entry: VectorEntry): Promise<void>;
  close(): Promise<void>;
}

/** What a store does when a scope is full: drop its oldest entries (a cache), or refuse (a knowledge base). */
export type WhenFull = 'evict' | 'refuse';

export class VectorStoreFull extends Error {
  constructor(readonly limit: number) {
    super(`the vector store holds its maximum of ${limit} entries for this scope`);
    this.name = 'VectorStoreFull';
  }
}

/** The nearest live entry within the threshold, or null (the semantic cache's lookup). */
export async function nearestOne(store: VectorStore, scope: string, vector: readonly number[], metric: DistanceMetric, threshold: number, now: number): Promise<SearchHit | null> {
  const [hit] = await store.nearest(scope, vector, { metric, threshold, limit: 1 }, now);
  return hit ?? null;
}
