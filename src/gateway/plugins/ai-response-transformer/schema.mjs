// ai-response-transformer: config schema source (built into schemas/plugins/ai-response-transformer.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool } from '../../../../schemas/src/dsl.mjs';
import { transformer } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-response-transformer';
export const priority = 768;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return transformer(name, priority, 'Transforms the upstream response body with an LLM.', {
    parse_llm_response_json_instructions: bool('Read the LLM answer as {status, headers, body} instructions.', {
      required: true, default: false,
    }),
  });
}
