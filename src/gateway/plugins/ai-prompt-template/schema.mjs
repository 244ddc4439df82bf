// ai-prompt-template: config schema source (built into schemas/plugins/ai-prompt-template.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, elRec, maxRequestBodySize, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'ai-prompt-template';
export const priority = 773;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Renders prompts from named templates with {{placeholders}}.', {
    templates: arr('Named templates requests can refer to as {template://name}.', elRec({
      name: str('Unique name of the template.', { required: true }),
      template: str('The template body: a full JSON request body with {{placeholders}}.', { required: true }),
    }), { required: true }),
    allow_untemplated_requests: bool('Allow requests that do not use a template.', { required: true, default: true }),
    log_original_request: bool('Log the original request under ai.payload.original_request.', { required: true, default: false }),
    max_request_body_size: maxRequestBodySize(),
  });
}
