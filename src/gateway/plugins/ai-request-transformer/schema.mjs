// ai-request-transformer: config schema source (built into schemas/plugins/ai-request-transformer.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE } from '../../../../schemas/src/dsl.mjs';
import { transformer } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-request-transformer';
export const priority = 777;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return transformer(name, priority, 'Transforms the request body with an LLM before proxying.', {});
}
