/**
 * What the governance plugins (guard, decorator, template, sanitizer, token limits) share on top
 * of the one parsed AI request (`aiRequest`): Kong's content-type check, the text of a message,
 * the AI error reply, and the `ai.*` namespace of the log record.
 */
import type { GatewayContext } from '../../context.js';
import type { LogRecord } from '../../log-record.js';
import { AI_REQUEST, aiError, aiRequest, type AiRequest, type InputFormat } from './request.js';
import { isObject, type ChatMessage } from '../wire/openai-types.js';
import { CANONICAL_FORMAT, formatOf } from './index.js';

export const JSON_ONLY = 'this LLM route only supports application/json requests';

/** True when the client declared a content type that is not JSON (no header counts as JSON). */
export function declaresNonJson(ctx: GatewayContext): boolean {
  const type = ctx.header('content-type');
  if (type === undefined || type.trim() === '') return false;
  return !/json/i.test(type);
}

/**
 * The shared AI request of this request, parsed at most once for every AI plugin. A body declared
 * as something else than JSON is refused with Kong's 400 `this LLM route only supports
 * application/json requests`; bad JSON and oversize bodies get the shared parser's 400.
 */
export async function promptRequest(ctx: GatewayContext, maxBodySize: number, llmFormat: InputFormat = CANONICAL_FORMAT, plugin?: string): Promise<AiRequest> {
  const existing = ctx.get(AI_REQUEST);
  if (existing) return existing;
  if (declaresNonJson(ctx)) throw aiError(400, JSON_ONLY);
  return aiRequest(ctx, { maxBodySize, llmFormat, ...(plugin !== undefined ? { plugin } : {}) });
}

/**
 * The text of a message as Kong's guard sees it: a string content as is; content parts joined
 * (text parts only); null when the content is neither.
 */
export function messageText(m: ChatMessage | unknown): string | null {
  if (!isObject(m)) return null;
  const c = m.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    return c.filter((p) => isObject(p) && p.type === 'text' && typeof p.text === 'string').map((p) => (p as { text: string }).text).join(' ');
  }
  return null;
}

/** Record's `ai` object, created on first use, so several plugins can add their namespaces. */
export function aiLog(record: LogRecord): Record<string, unknown> {
  record.ai ??= {};
  return record.ai;
}

/**
 * After a plugin edited the canonical body: keep the proxied body in step on routes without an AI
 * proxy plugin. Where ai-proxy owns the upstream call it sends the canonical body itself, so
 * re-serialising it here after every edit would be wasted work.
 */
export function syncBody(ctx: GatewayContext, req: AiRequest): void {
  if (formatOf(req.inputFormat).identity && !ctx.route?.inputFormat) ctx.setBody(req.body);
}
