import { ollamaFormat } from './ollama.js';
import { openAICompatible } from './openai-compatible.js';
import { selectVariant } from './select.js';
import type { RouteType } from './types.js';

const PATHS: Partial<Record<RouteType, string>> = { 'llm/v1/chat': '/v1/chat/completions', 'llm/v1/embeddings': '/v1/embeddings' };

const openaiFormat = openAICompatible({
  name: 'mistral',
  routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings'],
  // Completions have no default endpoint: `upstream_url` is required (kong.md §2.1).
  // La Plateforme rejects unknown fields and sends usage in the last chunk unasked.
  streamUsage: false,
  url: (ctx) => (PATHS[ctx.routeType] === undefined ? null : `https://api.mistral.ai:443${PATHS[ctx.routeType]}`),
});
const ollama = ollamaFormat('mistral');

/** Mistral: La Plateforme (OpenAI format) or self-hosted Ollama (`mistral_format: ollama`). */
export const mistral = selectVariant('mistral', openaiFormat.capabilities,
  (ctx) => (ctx.options.mistral_format === 'ollama' ? ollama : openaiFormat));
