// ai-semantic-prompt-guard: config schema source (built into schemas/plugins/ai-semantic-prompt-guard.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, int, llmFormat, num, pluginConfig, rec, since } from '../../../../schemas/src/dsl.mjs';
import { embeddings } from '../../../../schemas/src/llm.mjs';
import { genaiCategory, semanticVectordb } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-semantic-prompt-guard';
export const priority = 775;
/** The Kong version that added the plugin (Kong EE 3.8). */
export const kongSince = '3.8';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const prompts = (d) => arr(d, el('string', { len_min: 1, len_max: 500 }), { maxItems: since(kong, '3.13') ? 100 : 10 });
  const bodyLimit = since(kong, '3.13')
    ? int('Former place of the body size limit; use max_request_body_size.', { deprecated: 'moved to config.max_request_body_size in Kong 3.13' })
    : int('Maximum request body size (bytes) introspected.', { required: true, default: 8192, gt: 0 });
  const props = {
    embeddings: embeddings({ required: true }),
    vectordb: rec('Vector database holding the rule prompts.', semanticVectordb(kong), { required: true }),
    search: rec('Semantic search settings.', {
      threshold: num('Maximum distance (cosine: 1 - similarity) at which a prompt matches a rule.', { default: 0.5 }),
    }),
    rules: rec('Allow and deny rules.', {
      match_all_conversation_history: bool('When false, only the last prompt of the conversation is checked.', { default: false }),
      allow_prompts: prompts('Prompts to allow: a prompt must be similar to one of them.'),
      deny_prompts: prompts('Prompts to deny: a prompt similar to one of them is refused.'),
      max_request_body_size: bodyLimit,
      match_all_roles: bool("When true, check every role of the conversation, not only 'user'.", { required: true, default: false }),
    }, { required: true }),
    llm_format: llmFormat(),
  };
  if (since(kong, '3.11')) props.genai_category = genaiCategory(kong);
  if (since(kong, '3.13')) props.max_request_body_size = int('Maximum request body size (bytes) introspected.', { required: true, default: 1048576 });
  return pluginConfig(name, priority, 'Allows or denies prompts by their semantic similarity to rule prompts.', props, [
    {
      at_least_one_of: ['rules.allow_prompts', 'rules.deny_prompts'],
      message: "at least one of these fields must be non-empty: 'config.rules.allow_prompts', 'config.rules.deny_prompts'",
    },
  ]);
}
