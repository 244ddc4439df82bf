import type { ApiRouteType } from '../llm/wire/api-routes.js';
import { TranslationError } from '../llm/wire/errors.js';
import { apiUrl } from './api-endpoint.js';
import { OPENAI_APIS, OPENAI_NO_STATISTICS } from './openai.js';
import { openAICompatible } from './openai-compatible.js';
import type { ModelOptions, ProviderApis, ProviderContext } from './types.js';

const PATHS = { 'llm/v1/chat': '/chat/completions', 'llm/v1/completions': '/completions', 'llm/v1/embeddings': '/embeddings' };
const DEFAULT_API_VERSION = '2023-05-15';
/** The first api-version with the Responses API; older ones (the schema's default 2023-05-15) are raised to it on llm/v1/responses. */
const RESPONSES_SINCE = '2025-03-01-preview';
/** First GA api-version that accepts `stream_options`. */
const STREAM_OPTIONS_SINCE = '2024-06-01';

function apiVersion(ctx: ProviderContext): string {
  const v = ctx.clientQuery?.get('api-version') ?? ctx.options.azure_api_version ?? DEFAULT_API_VERSION;
  return ctx.routeType === 'llm/v1/responses' && v.slice(0, 10) < RESPONSES_SINCE.slice(0, 10) ? RESPONSES_SINCE : v;
}

/** Kong's `ai.proxy.meta.azure_*` fields. */
function analyticsMeta(o: ModelOptions, query: URLSearchParams): Record<string, string> | undefined {
  if (!o.azure_instance) return undefined;
  const api = query.get('api-version') ?? o.azure_api_version ?? '';
  return { azure_instance_id: o.azure_instance, azure_deployment_id: o.azure_deployment_id ?? '', azure_api_version: api };
}

function required(ctx: ProviderContext, key: 'azure_instance' | 'azure_deployment_id'): string {
  const v = ctx.options[key];
  if (v === undefined || v === '') throw new TranslationError(`must set 'model.options.${key}' for azure provider`, 500);
  return v;
}

/** Account-level APIs live at `/openai/<resource>`; the others under the deployment. */
const ACCOUNT_LEVEL: ReadonlySet<ApiRouteType> = new Set(['llm/v1/files', 'llm/v1/batches', 'llm/v1/assistants']);

/**
 * Azure OpenAI's API route types (ai-proxy.yaml): images and audio under the deployment, files,
 * batches and assistants on the account, realtime over `wss://…/openai/realtime?deployment=`; all
 * with `api-version`. Videos are not served: Azure's video jobs API has shapes of its own.
 */
const apis: ProviderApis = {
  routeTypes: OPENAI_APIS.filter((rt) => rt !== 'video/v1/videos/generations'),
  url(ctx, rt, resource) {
    let computed: string | null = null;
    if (!ctx.options.upstream_url) {
      const instance = required(ctx, 'azure_instance');
      if (rt === 'realtime/v1/realtime') computed = `wss://${instance}.openai.azure.com/openai/realtime`;
      else if (ACCOUNT_LEVEL.has(rt)) computed = `https://${instance}.openai.azure.com:443/openai${resource}`;
      else computed = `https://${instance}.openai.azure.com:443/openai/deployments/${encodeURIComponent(required(ctx, 'azure_deployment_id'))}${resource}`;
    }
    const url = apiUrl(ctx, rt, resource, computed, 'azure');
    url.searchParams.set('api-version', apiVersion(ctx));
    if (rt === 'realtime/v1/realtime' && ctx.options.azure_deployment_id) url.searchParams.set('deployment', ctx.options.azure_deployment_id);
    return url;
  },
};

export const azure = openAICompatible({
  name: 'azure',
  // llm/v1/responses: Azure's Responses API (`/openai/responses`, the deployment named as `model`)
  routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings', 'llm/v1/responses'],
  url: (ctx) => {
    if (ctx.options.upstream_url) return null;
    const instance = required(ctx, 'azure_instance');
    const deployment = required(ctx, 'azure_deployment_id');
    if (ctx.routeType === 'llm/v1/responses') return `https://${instance}.openai.azure.com:443/openai/responses`;
    return `https://${instance}.openai.azure.com:443/openai/deployments/${encodeURIComponent(deployment)}${PATHS[ctx.routeType]}`;
  },
  responsesModel: (ctx) => ctx.options.azure_deployment_id ?? ctx.model,
  // The client's api-version wins, then the configured one (kong.md §2.1).
  query: (ctx) => ({ 'api-version': apiVersion(ctx) }),
  streamUsage: (ctx) => apiVersion(ctx).slice(0, 10) >= STREAM_OPTIONS_SINCE,
  headers: { 'Accept-Encoding': 'gzip, identity' },
  analyticsMeta,
  noStatistics: OPENAI_NO_STATISTICS,
  apis,
});
