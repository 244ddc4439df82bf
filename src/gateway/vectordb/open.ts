/**
 * Opens the vector store a plugin's `vectordb` record names: `memory` (in process) or `redis`.
 * pgvector is refused with a message naming the plugin (the schema marks it unsupported).
 */
import type { EnterpriseRedis } from '../../config/generated/plugin-configs.js';
import type { Logger } from '../log.js';
import { MemoryVectorStore } from './memory-store.js';
import { RedisVectorStore } from './redis-store.js';
import type { VectorStore, WhenFull } from './store.js';

export interface VectordbConfig {
  strategy: string;
  redis?: EnterpriseRedis | null;
}

export interface OpenOptions {
  /** Plugin name, for messages and key prefixes. */
  plugin: string;
  /** Redis key prefix below `aigw:<plugin>:` (e.g. the plugin id). */
  namespace: string;
  logger: Logger;
  now: () => number;
  /** Entries kept per scope (default: the store's). */
  maxEntries?: number;
  whenFull?: WhenFull;
}

export function openVectorStore(db: VectordbConfig, o: OpenOptions): VectorStore {
  if (db.strategy === 'memory') return new MemoryVectorStore(o.maxEntries, o.whenFull);
  if (db.strategy === 'redis') {
    let last = 0;
    return RedisVectorStore.connect(db.redis, {
      prefix: `aigw:${o.plugin}:${o.namespace}:`,
      ...(o.maxEntries !== undefined ? { maxCandidates: o.maxEntries } : {}),
      ...(o.whenFull ? { whenFull: o.whenFull } : {}),
      onError: (err) => {
        if (o.now() - last > 5000) o.logger.warn(`${o.plugin}: redis connection error`, { error: err.message });
        last = o.now();
      },
    });
  }
  throw new Error(`${o.plugin}: vectordb.strategy '${db.strategy}' is not supported by aigw serve (use memory or redis)`);
}
