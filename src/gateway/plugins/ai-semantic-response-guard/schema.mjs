// ai-semantic-response-guard: config schema source (built into schemas/plugins/ai-semantic-response-guard.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, el, int, llmFormat, num, pluginConfig, rec, since } from '../../../../schemas/src/dsl.mjs';
import { embeddings } from '../../../../schemas/src/llm.mjs';
import { genaiCategory, semanticVectordb } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-semantic-response-guard';
export const priority = 782;
/** The Kong version that added the plugin. */
export const kongSince = '3.12';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const responses = (d) => arr(d, el('string', { len_min: 1, len_max: 500 }), { maxItems: 100 });
  return pluginConfig(name, priority, 'Allows or denies LLM responses by their semantic similarity to rule responses.', {
    embeddings: embeddings({ required: true }),
    vectordb: rec('Vector database holding the rule responses.', semanticVectordb(kong), { required: true }),
    search: rec('Semantic search settings.', {
      threshold: num('Maximum distance (cosine: 1 - similarity) at which a response matches a rule.', { default: 0.5 }),
    }),
    rules: rec('Allow and deny rules.', {
      allow_responses: responses('Responses to allow: a response must be similar to one of them.'),
      deny_responses: responses('Responses to deny: a response similar to one of them is refused.'),
      max_response_body_size: int('Maximum response body size (bytes) introspected.', { default: 8192 }),
    }, { required: true }),
    genai_category: genaiCategory(kong),
    llm_format: llmFormat(),
  }, [
    {
      at_least_one_of: ['rules.allow_responses', 'rules.deny_responses'],
      message: "at least one of these fields must be non-empty: 'config.rules.allow_responses', 'config.rules.deny_responses'",
    },
  ]);
}
