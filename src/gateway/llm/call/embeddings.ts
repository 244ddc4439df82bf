/**
 * Embeddings from the configured provider (Kong's `embeddings{auth, model}` record), for the
 * semantic cache and semantic routing. One `llm/v1/embeddings` call through ai/client.ts; the
 * vector size is requested as `dimensions` (`vectordb.dimensions`) where the API accepts it, and
 * checked on the way back.
 */
import type { Dispatcher } from 'undici';
import type { Embeddings } from '../../../config/generated/plugin-configs.js';
import type { AuthConfig, ModelOptions } from '../../providers/types.js';
import { callProvider, type LlmTarget, type LlmTimeouts } from './client.js';
import { TranslationError } from '../wire/errors.js';
import { withoutNulls } from '../wire/openai-types.js';
import { parseVector } from '../wire/vector.js';

export class EmbeddingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingsError';
  }
}

export interface EmbedOptions {
  env: Readonly<Record<string, string | undefined>>;
  requestId: string;
  timeouts?: LlmTimeouts;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface Embedder {
  readonly provider: string;
  readonly model: string;
  /** One text → one vector of `dimensions` numbers. Throws EmbeddingsError. */
  embed(text: string, opts: EmbedOptions): Promise<number[]>;
}

function modelOptions(e: Embeddings): ModelOptions {
  const o = e.model.options;
  const out: ModelOptions = {};
  if (!o) return out;
  if (o.upstream_url) out.upstream_url = o.upstream_url;
  if (o.azure?.instance) out.azure_instance = o.azure.instance;
  if (o.azure?.api_version) out.azure_api_version = o.azure.api_version;
  if (o.azure?.deployment_id) out.azure_deployment_id = o.azure.deployment_id;
  if (o.bedrock?.aws_region) out.bedrock = { aws_region: o.bedrock.aws_region };
  if (o.gemini) out.gemini = withoutNulls({ ...o.gemini }) as ModelOptions['gemini'];
  if (o.huggingface) out.huggingface = withoutNulls({ ...o.huggingface }) as ModelOptions['huggingface'];
  return out;
}

export function embeddingsTarget(e: Embeddings): LlmTarget {
  return {
    route_type: 'llm/v1/embeddings',
    auth: withoutNulls({ ...(e.auth ?? {}) }) as AuthConfig,
    model: { provider: e.model.provider, name: e.model.name, options: modelOptions(e) },
  };
}

export function createEmbedder(e: Embeddings, dimensions: number | null): Embedder {
  const target = embeddingsTarget(e);
  return {
    provider: e.model.provider,
    model: e.model.name,
    async embed(text, opts) {
      const body: Record<string, unknown> = { model: e.model.name, input: text };
      if (dimensions !== null) body.dimensions = dimensions;
      let r;
      try {
        r = await callProvider(target, body, { stream: false, ...opts });
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
