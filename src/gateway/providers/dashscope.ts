import { openAICompatible } from './openai-compatible.js';
import type { ProviderContext, RouteType } from './types.js';

const PATHS: Partial<Record<RouteType, string>> = { 'llm/v1/chat': '/compatible-mode/v1/chat/completions', 'llm/v1/embeddings': '/compatible-mode/v1/embeddings' };

/** `options.dashscope.international` (default true): Singapore's endpoint, else mainland China's. */
function host(ctx: ProviderContext): string {
  return ctx.options.dashscope?.international === false ? 'dashscope.aliyuncs.com' : 'dashscope-intl.aliyuncs.com';
}

/** Alibaba DashScope (Kong 3.13): its OpenAI-compatible mode for chat and embeddings, Bearer auth. */
export const dashscope = openAICompatible({
  name: 'dashscope',
  since: '3.13',
  routeTypes: ['llm/v1/chat', 'llm/v1/embeddings'],
  url: (ctx) => {
    const path = PATHS[ctx.routeType];
    return path === undefined ? null : `https://${host(ctx)}:443${path}`;
  },
});
