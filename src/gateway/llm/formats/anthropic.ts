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
  type CanonicalRequest, type ChatCompletion, type ChatMessage, type JsonObject, type ToolChoice,
} from '../wire/openai-types.js';
import { anthropicUsageOf, countTokens, openAIChunksToAnthropicEvents, toStopReason, type AnthropicEvent } from './anthropic-stream.js';
import { assistantMessage, blocksOf, systemText, tools, userMessages } from './anthropic-blocks.js';

const bad = (message: string): TranslationError => new TranslationError(message, 400);

function toolChoice(v: unknown): { choice?: ToolChoice; parallel?: boolean } {
  if (!isObject(v)) return {};
  const parallel = v.disable_parallel_tool_use === true ? false : undefined;
  const choice: ToolChoice | undefined = v.type === 'auto' ? 'auto' : v.type === 'any' ? 'required' : v.type === 'none' ? 'none'
    : v.type === 'tool' && typeof v.name === 'string' ? { type: 'function', function: { name: v.name } } : undefined;
  return { ...(choice !== undefined ? { choice } : {}), ...(parallel !== undefined ? { parallel } : {}) };
}

/**
 * Top-level fields no other provider can honour. Dropped on purpose: `thinking` (and
 * `context_management`, which edits thinking blocks), `output_config.effort`, `service_tier`,
 * top-level `cache_control` and `metadata` but `user_id` (→ `user`).
 */
const REFUSED: Record<string, string> = {
  mcp_servers: 'mcp_servers: remote MCP servers are connected by Anthropic itself and cannot be translated for this provider',
  container: "container: Anthropic's code-execution containers cannot be translated for this provider",
};

/** `output_config.format` (or the beta's `output_format`): a JSON schema → the canonical response_format. */
function outputFormat(body: JsonObject): JsonObject | undefined {
  const f = asObject(asObject(body.output_config).format ?? body.output_format);
  if (f.type !== 'json_schema' || !isObject(f.schema)) return undefined;
  return { type: 'json_schema', json_schema: { name: 'output', schema: f.schema, strict: true } };
}

/** Anthropic Messages request → canonical request. Throws TranslationError(400) on malformed input. */
export function anthropicRequestToOpenAI(body: unknown): CanonicalRequest {
  if (!isObject(body)) throw bad('request body must be a JSON object');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw bad('messages: at least one message is required');
  for (const [k, message] of Object.entries(REFUSED)) if (body[k] !== undefined && body[k] !== null && !(Array.isArray(body[k]) && body[k].length === 0)) throw bad(message);
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) messages.push({ role: 'system', content: systemText(body.system, 'system') });
  body.messages.forEach((m, i) => {
    const where = `messages.${i}`;
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system')) throw bad(`${where}: role must be "user", "assistant" or "system"`);
    // a system message (API 2026-10-21, Claude Code's environment block) stays where it is
    if (m.role === 'system') messages.push({ role: 'system', content: systemText(m.content, `${where}.content`) });
    else if (m.role === 'user') messages.push(...userMessages(blocksOf(m.content, `${where}.content`), `${where}.content`));
    else messages.push(assistantMessage(blocksOf(m.content, `${where}.content`), `${where}.content`));
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
  const format = outputFormat(body);
  if (format !== undefined) req.response_format = format;
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
    usage: anthropicUsageOf(resp.usage),
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
  // anthropic-beta turns on features of the Messages body (thinking, context management, tool search…),
  // which are translated or dropped field by field; an Anthropic upstream gets its configured version
  protocolHeaders: ['anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access'],
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
