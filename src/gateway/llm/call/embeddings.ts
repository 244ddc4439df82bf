/**
 * Embeddings from the configured provider (Kong's `embeddings{auth, model}` record), for the
 * semantic cache and semantic routing. One `llm/v1/embeddings` call through the LLM caller (caller.ts); the
 * vector size is requested as `dimensions` (`vectordb.dimensions`) where the API accepts it, and
 * checked on the way back.
 */
import type { Embeddings } from '../../../config/generated/plugin-configs.js';
import { embeddingsModelOptions } from '../../providers/embeddings-options.js';
import type { AuthConfig } from '../../providers/types.js';
import type { LlmCaller } from './caller.js';
import type { LlmTarget, LlmTimeouts } from './client.js';
import { TranslationError } from '../wire/errors.js';
import { withoutNulls } from '../wire/openai-types.js';
import { parseVector } from '../wire/vector.js';
import type { CallSignal } from '../wire/abort.js';

export class EmbeddingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingsError';
  }
}

export interface EmbedOptions {
  requestId: string;
  timeouts?: LlmTimeouts;
  signal?: CallSignal;
}

export interface Embedder {
  readonly provider: string;
  readonly model: string;
  /** One text → one vector of `dimensions` numbers. Throws EmbeddingsError. */
  embed(text: string, opts: EmbedOptions): Promise<number[]>;
}

export function embeddingsTarget(e: Embeddings): LlmTarget {
  return {
    route_type: 'llm/v1/embeddings',
    auth: withoutNulls({ ...(e.auth ?? {}) }) as AuthConfig,
    model: { provider: e.model.provider, name: e.model.name, options: embeddingsModelOptions(e.model.options) },
  };
}

/** An embedder calling through `llm` (the plugin's `deps.llm`). */
export function createEmbedder(e: Embeddings, dimensions: number | null, llm: LlmCaller): Embedder {
  const target = embeddingsTarget(e);
  return {
    provider: e.model.provider,
    model: e.model.name,
    async embed(text, opts) {
      const body: Record<string, unknown> = { model: e.model.name, input: text };
      if (dimensions !== null) body.dimensions = dimensions;
      let r;
      try {
        r = await llm.call(target, body, { stream: false, ...opts });
      } catch (err) {
        if (err instanceof TranslationError) throw new EmbeddingsError(err.message);
        throw err;
      }
      if (!r.ok) throw new EmbeddingsError(r.error === 'http' ? `embeddings request failed with status ${r.status}` : r.message);
      const resp = r.kind === 'buffered' ? r.response : null;
      const vector = resp && resp.object === 'list' ? parseVector(resp.data[0]?.embedding) : null;
      if (!vector) throw new EmbeddingsError('embeddings response holds no vector');
      if (dimensions !== null && vector.length !== dimensions) {
        throw new EmbeddingsError(`embedding has ${vector.length} dimensions, vectordb.dimensions is ${dimensions}`);
      }
      return vector;
    },
  };
}
