// ai-prompt-decorator: config schema source (built into schemas/plugins/ai-prompt-decorator.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, byVersion, elRec, llmFormat, maxRequestBodySize, pluginConfig, rec, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'ai-prompt-decorator';
export const priority = 772;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const messages = (d) => arr(d, elRec({
    role: str('Message role.', { required: true, default: 'system', one_of: ['system', 'assistant', 'user'] }),
    content: str('Message content.', { required: true, len_min: 1, len_max: byVersion('3.11', 500, 100000) }),
  }), { maxItems: 15 });
  return pluginConfig(name, priority, 'Prepends and appends messages to chat prompts.', {
    prompts: rec('Messages to add to the conversation.', {
      prepend: messages('Messages inserted before the conversation, in order.'),
      append: messages('Messages appended after the conversation, in order.'),
    }),
    max_request_body_size: maxRequestBodySize(),
    llm_format: llmFormat(),
  }, [{ at_least_one_of: ['prompts.prepend', 'prompts.append'] }]);
}
