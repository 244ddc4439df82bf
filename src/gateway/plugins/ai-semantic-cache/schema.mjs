// ai-semantic-cache: config schema source (built into schemas/plugins/ai-semantic-cache.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, int, llmFormat, num, pluginConfig, rec } from '../../../../schemas/src/dsl.mjs';
import { embeddings, vectordb } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-semantic-cache';
export const priority = 765;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Caches LLM responses by semantic similarity of prompts.', {
    embeddings: embeddings({ required: true }),
    vectordb: rec('Vector database of the cache.', vectordb('memory'), { required: true }),
    cache_ttl: int('TTL (s) of cache entries.', { required: true, default: 300, gt: 0 }),
    cache_control: bool('Respect the Cache-Control behaviours of RFC 7234.', { required: true, default: false }),
    exact_caching: bool('First look up an exact match of the query.', { required: true, default: false }),
    message_countback: num('Number of chat-history messages to vectorize/cache.', { required: true, default: 1, min: 1, max: 1000 }),
    ignore_system_prompts: bool('Ignore system prompts when vectorizing.', { required: true, default: false }),
    ignore_assistant_prompts: bool('Ignore assistant prompts when vectorizing.', { required: true, default: false }),
    ignore_tool_prompts: bool('Ignore tool prompts when vectorizing.', { required: true, default: false }),
    stop_on_failure: bool('Fail the request when the cache fails.', { required: true, default: false }),
    llm_format: llmFormat(),
  });
}
