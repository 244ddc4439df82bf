import { openAICompatible } from './openai-compatible.js';

/**
 * vLLM (Kong 3.14): a self-hosted OpenAI-compatible server. `model.options.upstream_url` is
 * required (the schema says so); one that names only the server gets `/v1/chat/completions`.
 */
export const vllm = openAICompatible({
  name: 'vllm',
  since: '3.14',
  routeTypes: ['llm/v1/chat'],
  url: () => null,
  paths: { 'llm/v1/chat': '/v1/chat/completions' },
});
