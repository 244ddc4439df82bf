import type { ApiRouteType } from '../llm/wire/api-routes.js';
import { openAIRootApis } from './api-endpoint.js';
import { openAICompatible } from './openai-compatible.js';

const PATHS = { 'llm/v1/chat': '/v1/chat/completions', 'llm/v1/completions': '/v1/completions', 'llm/v1/embeddings': '/v1/embeddings', 'llm/v1/responses': '/v1/responses' };

/** Every API route type of Kong 3.11–3.13 (kong-3.14.md §1a). */
export const OPENAI_APIS: readonly ApiRouteType[] = [
  'image/v1/images/generations', 'image/v1/images/edits', 'audio/v1/audio/speech', 'audio/v1/audio/transcriptions',
  'audio/v1/audio/translations', 'llm/v1/files', 'llm/v1/batches', 'llm/v1/assistants', 'realtime/v1/realtime', 'video/v1/videos/generations',
];
/** Kong logs no statistics for assistants, batches and audio (ai-proxy.yaml `limitations`). */
export const OPENAI_NO_STATISTICS: readonly ApiRouteType[] = [
  'llm/v1/assistants', 'llm/v1/batches', 'audio/v1/audio/speech', 'audio/v1/audio/transcriptions', 'audio/v1/audio/translations',
];

export const openai = openAICompatible({
  name: 'openai',
  // llm/v1/responses: the Responses API natively (passed through, Kong 3.11)
  routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings', 'llm/v1/responses'],
  url: (ctx) => `https://api.openai.com:443${PATHS[ctx.routeType]}`,
  headers: { 'Accept-Encoding': 'gzip, identity' },
  noStatistics: OPENAI_NO_STATISTICS,
  apis: openAIRootApis('openai', OPENAI_APIS, 'https://api.openai.com:443/v1', 'wss://api.openai.com/v1'),
});
