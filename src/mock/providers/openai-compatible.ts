import type { MockCall, MockProvider } from '../provider.js';
import { chatCompletion, embeddings, openai, openaiError } from './openai.js';

/**
 * Providers whose APIs are OpenAI-compatible. Those on OpenAI's own paths (`/v1/chat/completions`…)
 * are served by the OpenAI routes and listed for the banner only; DashScope's compatible mode and
 * Databricks' serving endpoints have paths of their own.
 */
const samePaths = (name: string): MockProvider => ({ ...openai, name, base: '/v1 (OpenAI-compatible, same routes)', routes: [] });

export const mistral = samePaths('mistral');
export const deepseek = samePaths('deepseek');
export const xai = samePaths('xai');
export const cerebras = samePaths('cerebras');
export const vllm = samePaths('vllm');

/** DashScope's OpenAI-compatible mode: `/compatible-mode/v1/chat/completions` and `/embeddings`. */
export const dashscope: MockProvider = {
  ...openai,
  name: 'dashscope',
  base: '/compatible-mode/v1',
  routes: [
    { method: 'POST', pattern: /^\/compatible-mode\/v1\/chat\/completions$/, handle: (c: MockCall) => chatCompletion(c.body, undefined, openaiError) },
    { method: 'POST', pattern: /^\/compatible-mode\/v1\/embeddings$/, handle: (c: MockCall) => embeddings(c.body, undefined, c.settings, openaiError) },
  ],
};

/** Databricks Model Serving: `/serving-endpoints/v1/chat/completions` (Kong's path) and `/serving-endpoints/chat/completions`. */
export const databricks: MockProvider = {
  ...openai,
  name: 'databricks',
  base: '/serving-endpoints',
  routes: [
    { method: 'POST', pattern: /^\/serving-endpoints(?:\/v1)?\/chat\/completions$/, handle: (c: MockCall) => chatCompletion(c.body, undefined, openaiError) },
  ],
};
