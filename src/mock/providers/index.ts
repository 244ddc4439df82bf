import type { MockProvider } from '../provider.js';
import { anthropic } from './anthropic.js';
import { azure } from './azure.js';
import { bedrock } from './bedrock.js';
import { cohere } from './cohere.js';
import { gemini, vertex } from './gemini.js';
import { huggingface } from './huggingface.js';
import { llama2 } from './llama2.js';
import { ollama } from './ollama.js';
import { deepseek, mistral, openai } from './openai.js';

/**
 * THE list of provider APIs the mock speaks, in matching order (first matching route wins).
 * Mistral and DeepSeek share OpenAI's paths and have no routes of their own; they are listed for the banner.
 */
export const MOCK_PROVIDERS: readonly MockProvider[] = [openai, mistral, deepseek, azure, anthropic, cohere, ollama, llama2, gemini, vertex, bedrock, huggingface];
