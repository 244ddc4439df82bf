// ai-prompt-guard: config schema source (built into schemas/plugins/ai-prompt-guard.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, llmFormat, maxRequestBodySize, pluginConfig } from '../../../../schemas/src/dsl.mjs';
import { genaiCategory } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-prompt-guard';
export const priority = 771;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const patterns = (d) => arr(d, el('string', { len_min: 1, len_max: 500 }), { maxItems: 10 });
  return pluginConfig(name, priority, 'Allows or denies prompts by regex patterns.', {
    allow_patterns: patterns('Regex patterns of valid prompts (from the user role in chat).'),
    deny_patterns: patterns('Regex patterns of invalid prompts (from the user role in chat).'),
    allow_all_conversation_history: bool('When true, only the latest prompt is checked, not the conversation history.', {
      required: true, default: false,
    }),
    match_all_roles: bool("When true, match all roles, not only 'user'.", { required: true, default: false }),
    max_request_body_size: maxRequestBodySize(),
    ...genaiCategory(true),
    llm_format: llmFormat(),
  }, [
    { at_least_one_of: ['allow_patterns', 'deny_patterns'] },
    {
      conditional: {
        if_field: 'match_all_roles', if_match: { eq: true },
        then_field: 'allow_all_conversation_history', then_match: { eq: false },
      },
    },
  ]);
}
