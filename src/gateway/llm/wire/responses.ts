/**
 * OpenAI's Responses API on the wire (`POST /v1/responses`): what the gateway reads of it whether it
 * passes a native Responses exchange through (openai, azure) or translates one to chat for another
 * provider. Request/response shapes: https://platform.openai.com/docs/api-reference/responses.
 */
import { asNumber, isObject, type JsonObject, type Usage } from './openai-types.js';
import { makeUsage } from './usage.js';

/** Responses `usage` (`input_tokens`, `output_tokens`) → canonical usage; null when absent. */
export function parseResponsesUsage(v: unknown): Usage | null {
  if (!isObject(v)) return null;
  const input = asNumber(v.input_tokens);
  const output = asNumber(v.output_tokens);
  if (input === undefined && output === undefined) return null;
  const u = makeUsage(input ?? 0, output ?? 0, asNumber(v.total_tokens));
  const cached = isObject(v.input_tokens_details) ? asNumber(v.input_tokens_details.cached_tokens) : undefined;
  if (cached !== undefined) u.prompt_tokens_details = { cached_tokens: cached };
  const reasoning = isObject(v.output_tokens_details) ? asNumber(v.output_tokens_details.reasoning_tokens) : undefined;
  if (reasoning !== undefined) u.completion_tokens_details = { reasoning_tokens: reasoning };
  return u;
}

/** Canonical usage → Responses `usage`. */
export function responsesUsage(u: Usage): JsonObject {
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens,
  };
}

/** The stream events that end a response and carry it whole (with its usage). */
export const FINAL_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Usage and model of a Responses body or of a final stream event's `response`. */
export function responseSummary(v: unknown): { usage: Usage | null; model: string | undefined } {
  const r = isObject(v) && isObject(v.response) ? v.response : v;
  if (!isObject(r)) return { usage: null, model: undefined };
  return { usage: parseResponsesUsage(r.usage), model: typeof r.model === 'string' && r.model !== '' ? r.model : undefined };
}

const ERROR_TYPES: Record<number, [string, string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_denied', null],
  404: ['invalid_request_error', null],
  413: ['invalid_request_error', 'request_too_large'],
  429: ['rate_limit_exceeded', 'rate_limit_exceeded'],
};

/** OpenAI's error body `{error:{message, type, param, code}}`, as the Responses clients parse it. */
export function openAIErrorBody(status: number, message: string, param: string | null = null): JsonObject {
  const [type, code] = ERROR_TYPES[status] ?? (status >= 500 ? ['server_error', null] : ['invalid_request_error', null]);
  return { error: { message, type, param, code } };
}

/** The operations of a Responses route, from the path after the route's `/responses` segment. */
export type ResponsesOperation =
  | { op: 'create' }
  | { op: 'retrieve' | 'delete' | 'input_items' | 'cancel'; id: string }
  | { op: 'other'; suffix: string };

/**
 * Which operation a request is: `POST …/responses` create, `GET|DELETE …/responses/{id}`,
 * `GET …/responses/{id}/input_items`, `POST …/responses/{id}/cancel`; anything else under
 * `…/responses/` (e.g. `input_tokens`, `compact`) is `other` with its suffix. A path without a
 * `/responses` segment is a create (the route's path is the endpoint, as for chat).
 */
export function responsesOperation(method: string, path: string): ResponsesOperation {
  const at = path.lastIndexOf('/responses');
  const rest = at < 0 ? '' : path.slice(at + '/responses'.length).replace(/\/+$/, '');
  if (rest === '' || !rest.startsWith('/')) return { op: 'create' };
  const parts = rest.slice(1).split('/').map((p) => decodeURIComponent(p));
  const [id, sub] = parts;
  if (parts.length === 1 && (method === 'GET' || method === 'DELETE')) return { op: method === 'GET' ? 'retrieve' : 'delete', id };
  if (parts.length === 2 && sub === 'input_items' && method === 'GET') return { op: 'input_items', id };
  if (parts.length === 2 && sub === 'cancel' && method === 'POST') return { op: 'cancel', id };
  return { op: 'other', suffix: rest };
}
