import { openAICompatible } from './openai-compatible.js';

/** xAI (Kong 3.13): Grok chat on `api.x.ai`, OpenAI-compatible, Bearer auth (`auth.header_*`). */
export const xai = openAICompatible({
  name: 'xai',
  since: '3.13',
  routeTypes: ['llm/v1/chat'],
  url: () => 'https://api.x.ai:443/v1/chat/completions',
});
