import { openAICompatible } from './openai-compatible.js';

/** DeepSeek (Kong 3.14): OpenAI-compatible chat, Bearer auth (`auth.header_*`). */
export const deepseek = openAICompatible({
  name: 'deepseek',
  since: '3.14',
  routeTypes: ['llm/v1/chat'],
  url: () => 'https://api.deepseek.com/v1/chat/completions',
});
