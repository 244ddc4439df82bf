/**
 * The EE `embeddings.model.options` record (ai-semantic-cache, ai-proxy-advanced semantic routing)
 * nests provider options by provider (`azure.instance`, `bedrock.aws_region`…); the LLM call takes
 * Kong's flat `model.options`. This is the one place that maps one to the other.
 */
import type { Embeddings } from '../../config/generated/plugin-configs.js';
import { withoutNulls } from '../llm/wire/openai-types.js';
import type { ModelOptions } from './types.js';

export function embeddingsModelOptions(o: Embeddings['model']['options']): ModelOptions {
  const out: ModelOptions = {};
  if (!o) return out;
  if (o.upstream_url) out.upstream_url = o.upstream_url;
  if (o.azure?.instance) out.azure_instance = o.azure.instance;
  if (o.azure?.api_version) out.azure_api_version = o.azure.api_version;
  if (o.azure?.deployment_id) out.azure_deployment_id = o.azure.deployment_id;
  if (o.bedrock?.aws_region) out.bedrock = { aws_region: o.bedrock.aws_region };
  if (o.gemini) out.gemini = withoutNulls({ ...o.gemini }) as ModelOptions['gemini'];
  if (o.huggingface) out.huggingface = withoutNulls({ ...o.huggingface }) as ModelOptions['huggingface'];
  return out;
}
