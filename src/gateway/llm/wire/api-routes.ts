/**
 * The route types Kong 3.11–3.13 added beside chat/completions/embeddings (kong-3.14.md §1a):
 * OpenAI's media, file and job APIs, served as (nearly) pass-through calls rather than through the
 * canonical chat format. THE table of what each needs: which resource paths it owns,
 * whether the configured model applies, whether Kong counts tokens, its genai category.
 */

export type ApiRouteType =
  | 'image/v1/images/generations'
  | 'image/v1/images/edits'
  | 'audio/v1/audio/speech'
  | 'audio/v1/audio/transcriptions'
  | 'audio/v1/audio/translations'
  | 'llm/v1/files'
  | 'llm/v1/batches'
  | 'llm/v1/assistants'
  | 'realtime/v1/realtime'
  | 'video/v1/videos/generations';

export type GenaiCategory =
  | 'text/generation' | 'text/embeddings' | 'image/generation' | 'audio/speech' | 'audio/transcription'
  | 'video/generation' | 'realtime/generation';

export interface ApiRouteSpec {
  /**
   * OpenAI resource paths the route type owns (`/files`). A single-endpoint type always calls its
   * first; a RESTful one calls the part of the client's path that starts at the last of these
   * (`…/files/file-1/content` → `/files/file-1/content`).
   */
  resources: readonly string[];
  /** RESTful: GET/POST/DELETE on sub-resources; `upstream_url` is then the API root (`https://host/v1`). */
  restful: boolean;
  /** The configured `model.name` is the body's `model` (Kong's model precedence) on creating requests. */
  modelField: boolean;
  /** Whether a 200 reply carries token usage that Kong counts (images: `usage.input_tokens`…). */
  usage: boolean;
  category: GenaiCategory;
  /** A WebSocket upgrade, not a request/response. */
  websocket?: true;
  /** Why `aigw serve` refuses the route type at startup, when it does. */
  refused?: string;
}

export const API_ROUTES: Readonly<Record<ApiRouteType, ApiRouteSpec>> = {
  'image/v1/images/generations': { resources: ['/images/generations'], restful: false, modelField: true, usage: true, category: 'image/generation' },
  'image/v1/images/edits': { resources: ['/images/edits'], restful: false, modelField: true, usage: true, category: 'image/generation' },
  'audio/v1/audio/speech': { resources: ['/audio/speech'], restful: false, modelField: true, usage: false, category: 'audio/speech' },
  'audio/v1/audio/transcriptions': { resources: ['/audio/transcriptions'], restful: false, modelField: true, usage: false, category: 'audio/transcription' },
  'audio/v1/audio/translations': { resources: ['/audio/translations'], restful: false, modelField: true, usage: false, category: 'audio/transcription' },
  'llm/v1/files': { resources: ['/files'], restful: true, modelField: false, usage: false, category: 'text/generation' },
  'llm/v1/batches': { resources: ['/batches'], restful: true, modelField: false, usage: false, category: 'text/generation' },
  'llm/v1/assistants': {
    resources: ['/assistants', '/threads', '/vector_stores'], restful: true, modelField: false, usage: false, category: 'text/generation',
    refused: 'the Assistants API (which OpenAI shut down on 2026-08-26 in favour of the Responses API) is not implemented; use llm/v1/responses',
  },
  'realtime/v1/realtime': {
    resources: ['/realtime'], restful: false, modelField: false, usage: false, category: 'realtime/generation', websocket: true,
  },
  'video/v1/videos/generations': { resources: ['/videos'], restful: true, modelField: true, usage: false, category: 'video/generation' },
};

export function isApiRouteType(v: string): v is ApiRouteType {
  return Object.hasOwn(API_ROUTES, v);
}

/**
 * The upstream resource path of a client path: fixed for single-endpoint types; for RESTful ones the
 * client's path from the last segment that names one of the type's resources (its collection when
 * none does).
 */
export function resourcePath(routeType: ApiRouteType, clientPath: string): string {
  const spec = API_ROUTES[routeType];
  if (!spec.restful) return spec.resources[0];
  let best = -1;
  for (const r of spec.resources) {
    let at = clientPath.lastIndexOf(r);
    while (at >= 0) {
      const end = at + r.length;
      if (end === clientPath.length || clientPath[end] === '/') break;
      at = at === 0 ? -1 : clientPath.lastIndexOf(r, at - 1);
    }
    if (at > best) best = at;
  }
  return best < 0 ? spec.resources[0] : clientPath.slice(best).replace(/\/+$/, '');
}

/** Whether a request creates something the configured model applies to (POST on the type's endpoint or collection). */
export function isCreate(routeType: ApiRouteType, method: string, resource: string): boolean {
  return method === 'POST' && API_ROUTES[routeType].resources.includes(resource);
}
