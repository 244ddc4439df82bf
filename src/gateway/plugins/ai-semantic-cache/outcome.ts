/** What ai-semantic-cache did for a request (the log phase and the dashboard read it): its own module, so readers do not load the plugin. */
import { Slot } from '../../context.js';

export type CacheStatus = 'Hit' | 'Miss' | 'Bypass' | 'Refresh';

/** What this request did with the cache (for the log phase). */
export interface CacheOutcome {
  cache_status: CacheStatus;
  vector_db: string;
  embeddings_provider: string;
  embeddings_model: string;
  /** ms spent in the vector store. */
  fetch_latency?: number;
  /** ms spent computing the prompt's embedding. */
  embeddings_latency?: number;
}

export const AI_CACHE = new Slot<CacheOutcome>('ai.semantic-cache');
