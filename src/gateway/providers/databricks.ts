import { TranslationError } from '../llm/wire/errors.js';
import { openAICompatible } from './openai-compatible.js';

/**
 * Databricks (Kong 3.14): Model Serving's OpenAI-compatible chat at
 * `https://{workspace_instance_id}.cloud.databricks.com/serving-endpoints/v1/chat/completions`
 * (the schema requires `options.databricks.workspace_instance_id` or an `upstream_url`), Bearer auth
 * with a Databricks token (`auth.header_*`).
 */
export const databricks = openAICompatible({
  name: 'databricks',
  since: '3.14',
  routeTypes: ['llm/v1/chat'],
  url: (ctx) => {
    const workspace = ctx.options.databricks?.workspace_instance_id;
    if (workspace) return `https://${encodeURIComponent(workspace)}.cloud.databricks.com:443/serving-endpoints/v1/chat/completions`;
    if (ctx.options.upstream_url) return null;
    throw new TranslationError("must set 'model.options.databricks.workspace_instance_id' (or 'model.options.upstream_url') for databricks provider", 500);
  },
});
