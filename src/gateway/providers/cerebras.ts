import { openAICompatible } from './openai-compatible.js';

/** Cerebras (Kong 3.13): OpenAI-compatible chat on `api.cerebras.ai`, Bearer auth (`auth.header_*`). */
export const cerebras = openAICompatible({
  name: 'cerebras',
  since: '3.13',
  routeTypes: ['llm/v1/chat'],
  url: () => 'https://api.cerebras.ai/v1/chat/completions',
});
