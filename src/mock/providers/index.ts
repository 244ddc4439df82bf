import type { MockProvider } from '../provider.js';
import { anthropic } from './anthropic.js';
import { azure } from './azure.js';
import { bedrock } from './bedrock.js';
import { cohere } from './cohere.js';
import { gemini, vertex } from './gemini.js';
import { huggingface } from './huggingface.js';
import { llama2 } from './llama2.js';
import { ollama } from './ollama.js';
import { openai } from './openai.js';
import { openaiApis } from './openai-apis.js';
import { cerebras, dashscope, databricks, deepseek, mistral, vllm, xai } from './openai-compatible.js';

/**
 * THE list of provider APIs the mock speaks, in matching order (first matching route wins).
 * Providers on OpenAI's paths (Mistral, DeepSeek, xAI, Cerebras, vLLM) have no routes of their own;
 * they are listed for the banner.
 */
export const MOCK_PROVIDERS: readonly MockProvider[] = [
  openai, openaiApis, mistral, deepseek, xai, cerebras, vllm, dashscope, databricks, azure, anthropic, cohere, ollama, llama2, gemini, vertex, bedrock, huggingface,
];
