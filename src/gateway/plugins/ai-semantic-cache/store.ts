/**
 * The vector store contract of the semantic cache. Entries live in a `scope` (the tenant: one
 * consumer, or everyone when unauthenticated) and are never visible from another scope. Every
 * method takes `now` (ms) so tests drive expiry with a fake clock.
 */
import type { DistanceMetric } from '../../llm/wire/vector.js';

export interface CacheEntry {
  id: string;
  /** Exact-match key (hash of the prompt text and model), for `exact_caching`. */
  exactKey: string;
  vector: readonly number[];
  /** The cached answer, serialised (the plugin decides the format). */
  payload: string;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch. */
  expiresAt: number;
}

export interface SearchHit {
  entry: CacheEntry;
  distance: number;
}

export interface VectorStore {
  /** `memory` or `redis`: the `vector_db` label of logs and metrics. */
  readonly name: string;
  findExact(scope: string, exactKey: string, now: number): Promise<CacheEntry | null>;
  /** The nearest live entry of `scope` whose distance is ≤ `threshold`, or null. */
  search(scope: string, vector: readonly number[], metric: DistanceMetric, threshold: number, now: number): Promise<SearchHit | null>;
  put(scope: string, entry: CacheEntry): Promise<void>;
  close(): Promise<void>;
}
