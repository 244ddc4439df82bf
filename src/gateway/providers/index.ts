/**
 * THE provider registry (kong.md §1.1 `model.provider`). Nothing else enumerates providers; core
 * code looks a provider up by the configured name and never compares against one.
 */
import { anthropic } from './anthropic.js';
import { azure } from './azure.js';
import { bedrock } from './bedrock.js';
import { cerebras } from './cerebras.js';
import { cohere } from './cohere.js';
import { dashscope } from './dashscope.js';
import { databricks } from './databricks.js';
import { deepseek } from './deepseek.js';
import { gemini } from './gemini.js';
import { huggingface } from './huggingface.js';
import { llama2 } from './llama2.js';
import { mistral } from './mistral.js';
import { ollama } from './ollama.js';
import { openai } from './openai.js';
import type { Provider } from './types.js';
import { vllm } from './vllm.js';
import { xai } from './xai.js';

export const PROVIDERS: readonly Provider[] = [openai, azure, anthropic, cohere, mistral, llama2, gemini, bedrock, huggingface,
  deepseek, xai, vllm, ollama, cerebras, dashscope, databricks];

const BY_NAME: ReadonlyMap<string, Provider> = new Map(PROVIDERS.map((p) => [p.name, p]));

export function getProvider(name: string): Provider | undefined {
  return BY_NAME.get(name);
}

/** `gen_ai.provider.name` (OpenTelemetry GenAI conventions) where it differs from Kong's provider name. */
const SEMCONV_NAMES: Readonly<Record<string, string>> = { azure: 'azure.ai.openai', bedrock: 'aws.bedrock', gemini: 'gcp.gemini', mistral: 'mistral_ai' };

export function semconvProviderName(name: string): string {
  return SEMCONV_NAMES[name] ?? name;
}

export type { Provider, ProviderContext, ModelOptions, AuthConfig, UpstreamRequest, StreamTranslator } from './types.js';
