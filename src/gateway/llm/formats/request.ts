/**
 * The AI request shared by every AI plugin on a route (Kong's "request body in use"): parsed
 * once, converted once from the client's native format (e.g. Anthropic Messages) into the
 * canonical OpenAI shape, then read and edited in place by template → decorator → guard →
 * sanitizer → cache → proxy, in priority order. Nobody re-parses the body.
 *
 * Contract (owned by the ai-proxy engineer; other AI plugins only call `aiRequest` and edit
 * `body`):
 *   - `aiRequest(ctx, opts)` parses at most `maxBodySize` bytes (Kong's `max_request_body_size`),
 *     rejects bad JSON, oversize bodies and a Content-Type that is present but not JSON with Kong's
 *     400 message (`{"error":{"message"}}`) as a ReplyError, converts native
 *     formats, stores the result in the AI_REQUEST slot and returns it; later calls return the
 *     same object regardless of their options.
 *   - `body` is the canonical request and is mutable: plugins edit it in place (decorator adds
 *     messages, template replaces it, sanitizer rewrites contents). ai-proxy sends what is there.
 *   - `inputFormat` tells ai-proxy how to answer the client (OpenAI or the native format).
 */
import { Slot, type GatewayContext } from '../../context.js';
import type { CanonicalRequest } from '../wire/openai-types.js';
import { BodyTooLargeError } from '../../context.js';
import { ReplyError } from '../../plugin.js';
import { isObject } from '../wire/openai-types.js';
import { clientFormat } from './index.js';
import { TranslationError } from '../wire/errors.js';

/** An `llm_format` value: `openai` (canonical) or another client format of llm/formats/index.ts. */
export type InputFormat = string;

export interface AiRequest {
  /** Canonical (OpenAI-shaped) request; edit in place. */
  body: CanonicalRequest;
  /** The client's wire format; the response is translated back into it. */
  inputFormat: InputFormat;
  /** The raw bytes the client sent (for `log_payloads` and `log_original_request`). */
  raw: Buffer;
  /** Set when a plugin replaced the whole body (ai-prompt-template). */
  templated?: boolean;
}

export const AI_REQUEST = new Slot<AiRequest>('ai.request');

export interface AiRequestOptions {
  /** Bytes; larger bodies are refused with a 413 that names the limit and the field to raise. */
  maxBodySize: number;
  /** The plugin whose limit applies (named in the 413). */
  plugin?: string;
  /** The route's `llm_format` (from ai-proxy or the plugin's own field). */
  llmFormat: InputFormat;
}

export type AiRequestParser = (ctx: GatewayContext, opts: AiRequestOptions) => Promise<AiRequest>;


const BAD_BODY = 'content-type header does not match request body, or bad JSON formatting';

/** Kong's AI error body `{"error":{"message":…}}` as a ReplyError. */
export function aiError(status: number, message: string): ReplyError {
  return new ReplyError({ status, json: { error: { message } } });
}

/** The client's body → canonical; formats aigw does not serve (Kong's native gemini/bedrock) are refused. */
function toCanonical(ctx: GatewayContext, format: InputFormat, parsed: Record<string, unknown>): CanonicalRequest {
  const adapter = clientFormat(format);
  if (!adapter) throw aiError(400, `llm_format '${format}' is not supported by aigw serve; send OpenAI-format requests`);
  const conversations = ctx.route?.conversations;
  return adapter.toCanonical(parsed, { requestId: ctx.requestId, owner: ctx.consumer?.id ?? null, ...(conversations ? { conversations } : {}) });
}

/**
 * A body over the limit: Kong answers its generic 400 about bad JSON, which sends users looking in
 * the wrong place (a coding agent's first request is 50–130 KB); aigw says which limit to raise.
 */
function tooLarge(opts: AiRequestOptions): string {
  return `request body is larger than max_request_body_size (${opts.maxBodySize} bytes) of the ${opts.plugin ?? 'AI'} plugin on this route; raise config.max_request_body_size`;
}

/** A missing Content-Type is accepted; a present one must be JSON (`application/json`, `…+json`). */
function jsonContentType(type: string | undefined): boolean {
  if (type === undefined || type === '' || type === 'application/json') return true;
  const t = type.split(';')[0].trim().toLowerCase();
  return t === 'application/json' || t.endsWith('+json');
}

function routeFormat(ctx: GatewayContext): InputFormat | null {
  return ctx.route?.inputFormat ?? null;
}

/** Parse the AI request once per request (see the contract above). */
export const aiRequest: AiRequestParser = async (ctx, opts) => {
  const existing = ctx.get(AI_REQUEST);
  if (existing) return existing;
  if (!jsonContentType(ctx.header('content-type'))) throw aiError(400, BAD_BODY);
  let raw: Buffer;
  try {
    // 0 means no limit (Kong 3.11+)
    raw = await ctx.body(opts.maxBodySize > 0 ? opts.maxBodySize : undefined);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw aiError(413, tooLarge(opts));
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw aiError(400, BAD_BODY);
  }
  if (!isObject(parsed)) throw aiError(400, BAD_BODY);
  // the route's proxy plugin decides the client format, whichever AI plugin parses first
  const format = routeFormat(ctx) ?? opts.llmFormat;
  let body: CanonicalRequest;
  try {
    body = toCanonical(ctx, format, parsed);
  } catch (err) {
    if (err instanceof TranslationError) throw aiError(400, err.message);
    throw err;
  }
  const req: AiRequest = { body, inputFormat: format, raw };
  ctx.set(AI_REQUEST, req);
  return req;
};
