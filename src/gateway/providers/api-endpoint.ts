/**
 * Where an API route type's call goes. `upstream_url` wins: for a single-endpoint route type it is
 * the whole URL (as for chat); for a RESTful one (files, batches, assistants, videos) it is the API
 * root and the client's resource path is appended (`https://host/v1` + `/files/file-1/content`).
 */
import { API_ROUTES, type ApiRouteType } from '../llm/wire/api-routes.js';
import { TranslationError } from '../llm/wire/errors.js';
import type { ProviderApis, ProviderContext } from './types.js';

export function apiUrl(ctx: ProviderContext, routeType: ApiRouteType, resource: string, computed: string | null, provider: string): URL {
  const override = ctx.options.upstream_url;
  if (override !== undefined && override !== '') {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw new TranslationError(`invalid model.options.upstream_url: ${override}`, 500);
    }
    if (API_ROUTES[routeType].restful) url.pathname = url.pathname.replace(/\/+$/, '') + resource;
    return url;
  }
  if (computed === null) throw new TranslationError(`must set 'model.options.upstream_url' for ${provider} provider with route type ${routeType}`, 500);
  return new URL(computed);
}

/** Providers that host OpenAI's API under one root: `root + resource`, realtime at `wsRoot + /realtime`. */
export function openAIRootApis(provider: string, routeTypes: readonly ApiRouteType[], root: string, wsRoot?: string): ProviderApis {
  return {
    routeTypes,
    url(ctx, rt, resource) {
      const realtime = rt === 'realtime/v1/realtime';
      const url = apiUrl(ctx, rt, resource, realtime && wsRoot ? `${wsRoot}${resource}` : `${root}${resource}`, provider);
      // OpenAI's Realtime API names the model in the query
      if (realtime && ctx.model !== '') url.searchParams.set('model', ctx.model);
      return url;
    },
  };
}
