import { openAICompatible } from './openai-compatible.js';

const PATHS = { 'llm/v1/chat': '/v1/chat/completions', 'llm/v1/completions': '/v1/completions', 'llm/v1/embeddings': '/v1/embeddings', 'llm/v1/responses': '/v1/responses' };

export const openai = openAICompatible({
  name: 'openai',
  // llm/v1/responses: the Responses API natively (passed through, Kong 3.11)
  routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings', 'llm/v1/responses'],
  url: (ctx) => `https://api.openai.com:443${PATHS[ctx.routeType]}`,
  headers: { 'Accept-Encoding': 'gzip, identity' },
});
