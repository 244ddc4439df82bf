import { openAIRootApis } from './api-endpoint.js';
import { openAICompatible } from './openai-compatible.js';

/**
 * xAI (Kong 3.13): Grok chat and image generation on `api.x.ai`, OpenAI-compatible, Bearer auth
 * (`auth.header_*`); its Responses API (`/v1/responses`) is passed through as Kong does.
 */
export const xai = openAICompatible({
  name: 'xai',
  since: '3.13',
  routeTypes: ['llm/v1/chat', 'llm/v1/responses'],
  url: (ctx) => `https://api.x.ai:443/v1/${ctx.routeType === 'llm/v1/responses' ? 'responses' : 'chat/completions'}`,
  apis: openAIRootApis('xai', ['image/v1/images/generations'], 'https://api.x.ai:443/v1'),
});
