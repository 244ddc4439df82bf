import { openAIRootApis } from './api-endpoint.js';
import { openAICompatible } from './openai-compatible.js';

/** xAI (Kong 3.13): Grok chat and image generation on `api.x.ai`, OpenAI-compatible, Bearer auth (`auth.header_*`). */
export const xai = openAICompatible({
  name: 'xai',
  since: '3.13',
  routeTypes: ['llm/v1/chat'],
  url: () => 'https://api.x.ai:443/v1/chat/completions',
  apis: openAIRootApis('xai', ['image/v1/images/generations'], 'https://api.x.ai:443/v1'),
});
