/**
 * THE error boundary of AI routes. Every gateway-made error on a route whose clients speak a
 * non-canonical format (`llm_format`, e.g. Anthropic SDKs) leaves in that format's error shape, so
 * the client's SDK reports it properly: Kong's `{"message"}` replies (auth, limits, 404…) and the
 * AI plugins' `{"error":{"message"}}` alike. The pipeline calls it for every reply it sends;
 * plugins only throw Kong-shaped errors. Streams that break midway use `ClientStream.error`.
 */
import type { Reply } from '../../context.js';
import type { JsonObject } from '../wire/openai-types.js';
import { formatOf } from './index.js';

/** The body of `reply` in the route's client format; undefined when it stays as it is. */
export function clientErrorBody(routeFormat: string | null | undefined, reply: Reply): JsonObject | undefined {
  const format = formatOf(routeFormat);
  if (format.identity || reply.status < 400) return undefined;
  if (reply.message !== undefined) return format.errorBody(reply.status, reply.message);
  const j = reply.json;
  if (j === null || typeof j !== 'object' || Object.keys(j).length !== 1) return undefined;
  const e = (j as { error?: unknown }).error;
  // an error already in OpenAI's full shape (`type`, `param`…: the Responses format's own) stays as it is
  if (format.errorIsOwn?.(j) === true) return undefined;
  const message = e !== null && typeof e === 'object' ? (e as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? format.errorBody(reply.status, message) : undefined;
}
