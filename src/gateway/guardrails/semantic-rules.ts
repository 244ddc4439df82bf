/**
 * The allow / deny lists of the semantic guards (ai-semantic-prompt-guard,
 * ai-semantic-response-guard), as Kong keeps them: each rule text is embedded once and stored in
 * the plugin's vector database (`vectordb`: memory or redis), in an `allow` and a `deny` scope.
 * A text is then judged by its embedding: a deny rule within the threshold blocks; otherwise, when
 * allow rules exist, one of them must be within the threshold.
 *
 * Rules are loaded on first use (and again after a failed load), under a namespace derived from
 * the rules and the embeddings model, so a changed list never meets stale vectors in Redis.
 */
import { createHash } from 'node:crypto';
import type { Embeddings } from '../../config/generated/plugin-configs.js';
import { createEmbedder, type Embedder } from '../llm/call/embeddings.js';
import type { DistanceMetric } from '../llm/wire/vector.js';
import type { PluginDeps } from '../plugin.js';
import { openVectorStore, type VectordbConfig } from '../vectordb/open.js';
import type { VectorStore } from '../vectordb/store.js';

export interface RuleLists {
  allow: readonly string[];
  deny: readonly string[];
}

export interface SemanticRulesConfig {
  plugin: string;
  embeddings: Embeddings;
  vectordb: VectordbConfig & { dimensions: number; distance_metric: string };
  rules: RuleLists;
  threshold: number;
}

export type Judgement = { action: 'allow' | 'pass' } | { action: 'deny' | 'no-allow-match'; rule?: string };

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

export class SemanticRules {
  readonly embedder: Embedder;
  private readonly store: VectorStore;
  private loading: Promise<void> | null = null;

  constructor(private readonly c: SemanticRulesConfig, deps: PluginDeps) {
    this.embedder = createEmbedder(c.embeddings, c.vectordb.dimensions, deps.llm);
    const namespace = `${deps.pluginId}:${hash(JSON.stringify([c.rules, c.embeddings.model, c.vectordb.dimensions]))}`;
    this.store = deps.store.get('rules', () => openVectorStore(c.vectordb, {
      plugin: c.plugin, namespace, logger: deps.logger, now: deps.now, maxEntries: 1000, whenFull: 'refuse',
    }), (s) => s.close());
  }

  private async load(requestId: string): Promise<void> {
    for (const [scope, list] of [['allow', this.c.rules.allow], ['deny', this.c.rules.deny]] as const) {
      for (const text of list) {
        const vector = await this.embedder.embed(text, { requestId });
        await this.store.put(scope, { id: hash(text), exactKey: '', vector, payload: text, createdAt: 0, expiresAt: Number.POSITIVE_INFINITY });
      }
    }
  }

  /** Loads the rules once; a failed load is retried by the next call. */
  ready(requestId: string): Promise<void> {
    this.loading ??= this.load(requestId).catch((err: unknown) => {
      this.loading = null;
      throw err;
    });
    return this.loading;
  }

  /** Judges an embedding against the lists (deny first). */
  async judge(vector: readonly number[], now: number): Promise<Judgement> {
    const opts = { metric: this.c.vectordb.distance_metric as DistanceMetric, threshold: this.c.threshold, limit: 1 };
    if (this.c.rules.deny.length) {
      const [hit] = await this.store.nearest('deny', vector, opts, now);
      if (hit) return { action: 'deny', rule: hit.entry.payload };
    }
    if (this.c.rules.allow.length === 0) return { action: 'pass' };
    const [hit] = await this.store.nearest('allow', vector, opts, now);
    return hit ? { action: 'allow' } : { action: 'no-allow-match' };
  }
}
