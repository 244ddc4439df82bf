/**
 * Semantic routing (`balancer.algorithm: semantic`): each target's `description` is embedded once
 * (lazily, kept across requests; retried after a failure), each request's prompt (its last user
 * message, or the completion prompt) per request; the balancer then prefers the nearest target.
 */
import type { CanonicalRequest } from '../../llm/wire/openai-types.js';
import { contentText } from '../../llm/wire/openai-types.js';
import type { EmbedOptions, Embedder } from '../../llm/call/embeddings.js';
import { distance, type DistanceMetric } from '../../llm/wire/vector.js';

export function routingPrompt(body: CanonicalRequest): string | null {
  const messages = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      const text = contentText(messages[i].content).trim();
      if (text !== '') return text;
    }
  }
  if (typeof body.prompt === 'string' && body.prompt.trim() !== '') return body.prompt;
  return null;
}

export class SemanticRouter {
  private vectors: Promise<Array<number[] | null>> | null = null;

  constructor(
    private readonly embedder: Embedder,
    private readonly descriptions: ReadonlyArray<string | null>,
    private readonly metric: DistanceMetric,
  ) {}

  private targetVectors(opts: EmbedOptions): Promise<Array<number[] | null>> {
    if (!this.vectors) {
      const p = Promise.all(this.descriptions.map((d) => (d === null ? null : this.embedder.embed(d, opts))));
      this.vectors = p;
      p.catch(() => {
        if (this.vectors === p) this.vectors = null;
      });
    }
    return this.vectors;
  }

  /** Distance of the prompt to each target (Infinity for targets without a description). Throws EmbeddingsError. */
  async distances(prompt: string, opts: EmbedOptions): Promise<number[]> {
    const [targets, query] = await Promise.all([this.targetVectors(opts), this.embedder.embed(prompt, opts)]);
    return targets.map((v) => (v === null ? Number.POSITIVE_INFINITY : distance(this.metric, query, v)));
  }
}
