/**
 * "Anthropic clients in" (`llm_format: anthropic`): the Anthropic Messages API spoken to clients,
 * translated to and from the canonical OpenAI format so any configured provider can serve it.
 *
 *   POST /v1/messages ─► anthropicRequestToOpenAI ─► (any provider) ─► openAIResponseToAnthropic
 *   stream:  canonical chunks ─► openAIChunksToAnthropicEvents ─► message_start … message_stop
 *   POST /v1/messages/count_tokens ─► countTokens (estimate)
 */
import { TranslationError } from '../wire/errors.js';
import { upstreamErrorMessage } from '../wire/upstream-error.js';
import { sseNamedFrame } from '../wire/sse-writer.js';
import type { ClientFormat, StreamTextField } from './types.js';
import {
  asArray, asNumber, asObject, asString, isObject, parseToolArguments,
  type CanonicalRequest, type ChatCompletion, type ChatMessage, type ContentPart, type JsonObject,
  type ToolCall, type ToolChoice, type ToolDefinition,
} from '../wire/openai-types.js';
import { countTokens, openAIChunksToAnthropicEvents, toStopReason, type AnthropicEvent } from './anthropic-stream.js';

const bad = (message: string): TranslationError => new TranslationError(message, 400);

function blocksOf(content: unknown, where: string): JsonObject[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw bad(`${where}: content must be a string or an array of content blocks`);
  return content.map((b) => {
    if (!isObject(b) || typeof b.type !== 'string') throw bad(`${where}: every content block needs a type`);
    return b;
  });
}

function imagePart(block: JsonObject): ContentPart {
  const src = asObject(block.source);
  if (src.type === 'base64') return { type: 'image_url', image_url: { url: `data:${asString(src.media_type) ?? 'image/png'};base64,${asString(src.data) ?? ''}` } };
  if (src.type === 'url' && typeof src.url === 'string') return { type: 'image_url', image_url: { url: src.url } };
  throw bad('image blocks need a base64 or url source');
}

function toolResultText(content: unknown): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return asArray(content).filter(isObject).map((b) => asString(b.text) ?? '').join('');
}

function simplify(parts: ContentPart[]): string | ContentPart[] {
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p.type === 'text' ? p.text : '')).join('') : parts;
}

function userMessages(blocks: JsonObject[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const b of blocks) {
    if (b.type === 'text') parts.push({ type: 'text', text: asString(b.text) ?? '' });
    else if (b.type === 'image') parts.push(imagePart(b));
    else if (b.type === 'tool_result') {
      const text = toolResultText(b.content);
      out.push({ role: 'tool', tool_call_id: asString(b.tool_use_id) ?? '', content: b.is_error === true ? `Error: ${text}` : text });
    }
  }
  if (parts.length > 0) out.push({ role: 'user', content: simplify(parts) });
  return out;
}

function assistantMessage(blocks: JsonObject[]): ChatMessage {
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const b of blocks) {
    if (b.type === 'text') texts.push(asString(b.text) ?? '');
    else if (b.type === 'tool_use') {
      calls.push({ id: asString(b.id) ?? '', type: 'function', function: { name: asString(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  const msg: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('') : null };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

function toolChoice(v: unknown): { choice?: ToolChoice; parallel?: boolean } {
  if (!isObject(v)) return {};
  const parallel = v.disable_parallel_tool_use === true ? false : undefined;
  const choice: ToolChoice | undefined = v.type === 'auto' ? 'auto' : v.type === 'any' ? 'required' : v.type === 'none' ? 'none'
    : v.type === 'tool' && typeof v.name === 'string' ? { type: 'function', function: { name: v.name } } : undefined;
  return { ...(choice !== undefined ? { choice } : {}), ...(parallel !== undefined ? { parallel } : {}) };
}

function tools(v: unknown): ToolDefinition[] {
  return asArray(v).filter(isObject).filter((t) => typeof t.name === 'string' && (t.type === undefined || t.type === 'custom')).map((t) => ({
    type: 'function',
    function: {
      name: asString(t.name) ?? '',
      ...(typeof t.description === 'string' ? { description: t.description } : {}),
      parameters: asObject(t.input_schema),
    },
  }));
}

/** Anthropic Messages request → canonical request. Throws TranslationError(400) on malformed input. */
export function anthropicRequestToOpenAI(body: unknown): CanonicalRequest {
  if (!isObject(body)) throw bad('request body must be a JSON object');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw bad('messages: at least one message is required');
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    const text = blocksOf(body.system, 'system').map((b) => asString(b.text) ?? '').join('\n');
    messages.push({ role: 'system', content: text });
  }
  body.messages.forEach((m, i) => {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) throw bad(`messages.${i}: role must be "user" or "assistant"`);
    const blocks = blocksOf(m.content, `messages.${i}`);
    if (m.role === 'user') messages.push(...userMessages(blocks));
    else messages.push(assistantMessage(blocks));
  });
  const req: CanonicalRequest = { messages };
  if (typeof body.model === 'string') req.model = body.model;
  const maxTokens = asNumber(body.max_tokens);
  if (maxTokens !== undefined) req.max_tokens = maxTokens;
  for (const k of ['temperature', 'top_p', 'top_k'] as const) {
    const v = asNumber(body[k]);
    if (v !== undefined) req[k] = v;
  }
  const stops = asArray(body.stop_sequences).filter((s): s is string => typeof s === 'string');
  if (stops.length > 0) req.stop = stops;
  if (body.stream === true) req.stream = true;
  const defs = tools(body.tools);
  if (defs.length > 0) req.tools = defs;
  const { choice, parallel } = toolChoice(body.tool_choice);
  if (choice !== undefined) req.tool_choice = choice;
  if (parallel !== undefined) req.parallel_tool_calls = parallel;
  const user = asString(asObject(body.metadata).user_id);
  if (user !== undefined) req.user = user;
  return req;
}

function messageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/** Canonical chat completion → Anthropic `message`. */
export function openAIResponseToAnthropic(resp: ChatCompletion): JsonObject {
  const choice = resp.choices[0];
  const content: JsonObject[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const t of choice?.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: t.id, name: t.function.name, input: parseToolArguments(t.function.arguments) });
  }
  return {
    id: messageId(resp.id), type: 'message', role: 'assistant', model: resp.model, content,
    stop_reason: toStopReason(choice?.finish_reason ?? null), stop_sequence: null,
    usage: { input_tokens: resp.usage.prompt_tokens, output_tokens: resp.usage.completion_tokens },
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error',
};

/** An Anthropic-shaped error body (`{type:"error", error:{type, message}}`) for gateway-made errors. */
export function anthropicErrorBody(status: number, message: string): JsonObject {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
}

export { openAIChunksToAnthropicEvents, countTokens, toStopReason, type AnthropicEvent } from './anthropic-stream.js';

/** `content_block_delta` text of an Anthropic stream event. */
function streamTextFields(obj: JsonObject): StreamTextField[] {
  const delta = obj.delta;
  if (obj.type !== 'content_block_delta' || !isObject(delta) || typeof delta.text !== 'string') return [];
  return [{
    key: `block:${String(obj.index)}`, final: false,
    get: () => (typeof delta.text === 'string' ? delta.text : ''),
    set: (v) => { delta.text = v; },
    synth: (text) => ({ type: 'content_block_delta', index: obj.index, delta: { type: 'text_delta', text } }),
  }];
}

const frames = (events: readonly AnthropicEvent[]): string => events.map((e) => sseNamedFrame(e.event, e.data)).join('');

/** Anthropic Messages clients (Claude Code, `@anthropic-ai/sdk`) on any provider: an aigw extension. */
export const anthropic: ClientFormat = {
  name: 'anthropic',
  identity: false,
  anyProvider: true,
  sdkSendsModel: true,
  toCanonical: anthropicRequestToOpenAI,
  response: (r) => (r.object === 'chat.completion' ? openAIResponseToAnthropic(r) : r),
  errorBody: anthropicErrorBody,
  upstreamError: (status, body) => Buffer.from(JSON.stringify(anthropicErrorBody(status, upstreamErrorMessage(body)))),
  stream(opts) {
    const events = openAIChunksToAnthropicEvents(opts);
    return {
      chunk: (c) => frames(events.onChunk(c)),
      end: (usage) => frames(events.end(usage)),
      error: (message) => sseNamedFrame('error', anthropicErrorBody(502, message)),
    };
  },
  streamTextFields,
  local: { matches: (path) => /\/messages\/count_tokens\/?$/.test(path), answer: countTokens },
};
