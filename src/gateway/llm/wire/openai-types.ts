/**
 * The canonical wire format of the AI gateway: OpenAI's chat/completions/embeddings shapes.
 * Every provider translates from and to these types. Inputs arrive as `unknown` JSON and are
 * narrowed here with small hand-written guards; nothing downstream sees `any`.
 */
import { TranslationError } from './errors.js';

/**
 * `llm/v1/responses` (OpenAI's Responses API, Kong 3.11) is a provider route type only for providers
 * that serve it natively (`capabilities.routeTypes`); on the others ai-proxy translates it to chat.
 */
export type RouteType = 'llm/v1/chat' | 'llm/v1/completions' | 'llm/v1/embeddings' | 'llm/v1/responses';
export const ROUTE_TYPES: readonly RouteType[] = ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings', 'llm/v1/responses'];

export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** Drops null/undefined fields recursively (config records hold `null` for unset fields; providers expect them absent). */
export function withoutNulls(v: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined) continue;
    out[k] = isObject(x) ? withoutNulls(x) : x;
  }
  return out;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

export interface TextPart { type: 'text'; text: string }
export interface ImagePart { type: 'image_url'; image_url: { url: string; detail?: string } }
export type ContentPart = TextPart | ImagePart;

export interface ToolCall { id: string; type: 'function'; function: { name: string; arguments: string } }

export interface ChatMessage {
  role: string;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonObject };
}
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/**
 * Where a client format keeps what it needs to answer in its own shape (e.g. the Responses request
 * it converted). A symbol key: spreads copy it, JSON never serialises it, so it cannot reach a provider.
 */
export const CLIENT_STATE: unique symbol = Symbol('aigw.clientState');

/** One canonical request for every route type; which fields are set depends on the route type. */
export interface CanonicalRequest {
  [CLIENT_STATE]?: unknown;
  model?: string;
  messages?: ChatMessage[];
  prompt?: string | string[];
  input?: string | string[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string | string[];
  stream?: boolean;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  /** Fields the gateway does not interpret; OpenAI-compatible upstreams receive them unchanged. */
  [extra: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /**
   * Prompt-cache tokens, part of `prompt_tokens`, when the upstream reported them: OpenAI's
   * `cached_tokens` (cache reads; Anthropic's `cache_read_input_tokens`), and aigw's
   * `cache_write_tokens` (Anthropic's `cache_creation_input_tokens`) with its 1-hour-TTL part.
   */
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; cache_write_1h_tokens?: number; audio_tokens?: number };
  /**
   * What the upstream reported of the completion tokens, as OpenAI reports it (`reasoning_tokens`,
   * `audio_tokens`, `accepted_prediction_tokens`, `rejected_prediction_tokens`): passed on to
   * clients as they came; part of `completion_tokens`, not priced apart.
   */
  completion_tokens_details?: Record<string, number>;
  /** The service tier the upstream reported (OpenAI's `service_tier`, Anthropic's `usage.service_tier`); priced by `service_tier_factor`. */
  service_tier?: string;
}

export interface ChatChoice {
  index: number;
  message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] };
  finish_reason: string | null;
}
export interface ChatCompletion {
  id: string; object: 'chat.completion'; created: number; model: string; choices: ChatChoice[]; usage: Usage;
  [extra: string]: unknown;
}
export interface TextChoice { index: number; text: string; finish_reason: string | null }
export interface TextCompletion {
  id: string; object: 'text_completion'; created: number; model: string; choices: TextChoice[]; usage: Usage;
  [extra: string]: unknown;
}
export interface Embedding { object: 'embedding'; index: number; embedding: number[] }
export interface EmbeddingList {
  object: 'list'; data: Embedding[]; model: string; usage: { prompt_tokens: number; total_tokens: number };
}
export type CanonicalResponse = ChatCompletion | TextCompletion | EmbeddingList;

export interface ToolCallDelta {
  index: number; id?: string; type?: 'function'; function: { name?: string; arguments?: string };
}
export interface ChunkDelta { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[] }
export interface ChatChunk {
  id: string; object: 'chat.completion.chunk'; created: number; model: string;
  choices: { index: number; delta: ChunkDelta; finish_reason: string | null }[];
  usage?: Usage | null;
}
export interface TextChunk {
  id: string; object: 'text_completion'; created: number; model: string;
  choices: { index: number; text: string; finish_reason: string | null }[];
  usage?: Usage | null;
}
export type CanonicalChunk = ChatChunk | TextChunk;

export function zeroUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
}

export const INVALID_PROMPTS = "request body doesn't contain valid prompts";

function parseContentPart(v: unknown): ContentPart | null {
  if (!isObject(v)) return null;
  if (v.type === 'text' && typeof v.text === 'string') return { type: 'text', text: v.text };
  if (v.type === 'image_url') {
    const img = v.image_url;
    const url = typeof img === 'string' ? img : asString(asObject(img).url);
    if (url === undefined) return null;
    const detail = asString(asObject(img).detail);
    return { type: 'image_url', image_url: detail === undefined ? { url } : { url, detail } };
  }
  return null;
}

function parseToolCall(v: unknown): ToolCall | null {
  if (!isObject(v) || !isObject(v.function)) return null;
  const name = asString(v.function.name);
  if (name === undefined) return null;
  const args = v.function.arguments;
  return {
    id: asString(v.id) ?? '',
    type: 'function',
    function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
  };
}

/** Narrows one chat message; returns null when it is not a message at all. */
export function parseMessage(v: unknown): ChatMessage | null {
  if (!isObject(v) || typeof v.role !== 'string') return null;
  let content: ChatMessage['content'] = null;
  if (typeof v.content === 'string') content = v.content;
  else if (Array.isArray(v.content)) {
    content = v.content.map(parseContentPart).filter((p): p is ContentPart => p !== null);
  } else if (v.content !== null && v.content !== undefined) return null;
  const msg: ChatMessage = { role: v.role, content };
  if (typeof v.name === 'string') msg.name = v.name;
  if (typeof v.tool_call_id === 'string') msg.tool_call_id = v.tool_call_id;
  if (Array.isArray(v.tool_calls)) {
    msg.tool_calls = v.tool_calls.map(parseToolCall).filter((t): t is ToolCall => t !== null);
  }
  return msg;
}

function parseTool(v: unknown): ToolDefinition | null {
  if (!isObject(v) || !isObject(v.function) || typeof v.function.name !== 'string') return null;
  const fn: ToolDefinition['function'] = { name: v.function.name };
  if (typeof v.function.description === 'string') fn.description = v.function.description;
  if (isObject(v.function.parameters)) fn.parameters = v.function.parameters;
  return { type: 'function', function: fn };
}

function parseToolChoice(v: unknown): ToolChoice | undefined {
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  if (isObject(v) && isObject(v.function) && typeof v.function.name === 'string') {
    return { type: 'function', function: { name: v.function.name } };
  }
  return undefined;
}

function isStringOrStrings(v: unknown): v is string | string[] {
  return typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
}

/** Which route type a body looks like, following Kong's request format detection. */
export function detectFormat(body: JsonObject): RouteType | 'ambiguous' | 'unknown' {
  const chat = Array.isArray(body.messages) && body.messages.length > 0;
  const completions = typeof body.prompt === 'string' || (Array.isArray(body.prompt) && body.prompt.length > 0);
  if (chat && completions) return 'ambiguous';
  if (chat) return 'llm/v1/chat';
  if (completions) return 'llm/v1/completions';
  if (isStringOrStrings(body.input)) return 'llm/v1/embeddings';
  return 'unknown';
}

const SAMPLING_KEYS = ['max_tokens', 'temperature', 'top_p', 'top_k'] as const;

/**
 * Narrows a client body into a CanonicalRequest for `routeType`, with Kong's 400 messages
 * (kong.md §1.2) for bodies that hold no prompt or the wrong format.
 */
export function parseCanonicalRequest(routeType: RouteType, body: unknown): CanonicalRequest {
  if (!isObject(body)) throw new TranslationError(INVALID_PROMPTS, 400);
  const format = detectFormat(body);
  if (format === 'ambiguous') throw new TranslationError('request matches multiple LLM request formats', 400);
  if (format === 'unknown') throw new TranslationError(INVALID_PROMPTS, 400);
  if (format !== routeType) {
    throw new TranslationError(`[${format}] message format is not compatible with [${routeType}] route type`, 400);
  }
  const req: CanonicalRequest = { ...body };
  if (format === 'llm/v1/chat') {
    const messages = asArray(body.messages).map(parseMessage);
    if (messages.some((m) => m === null)) throw new TranslationError(INVALID_PROMPTS, 400);
    req.messages = messages.filter((m): m is ChatMessage => m !== null);
  }
  if (body.tools !== undefined) req.tools = asArray(body.tools).map(parseTool).filter((t): t is ToolDefinition => t !== null);
  if (body.tool_choice !== undefined) {
    const choice = parseToolChoice(body.tool_choice);
    if (choice === undefined) delete req.tool_choice;
    else req.tool_choice = choice;
  }
  for (const key of SAMPLING_KEYS) {
    if (body[key] !== undefined && asNumber(body[key]) === undefined) delete req[key];
  }
  if (body.stream !== undefined) req.stream = body.stream === true;
  if (body.model !== undefined && typeof body.model !== 'string') delete req.model;
  return req;
}

/** Text of a message's content; image parts are skipped. */
export function contentText(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.filter((p): p is TextPart => p.type === 'text').map((p) => p.text).join('');
}

/** `stop` as a list, whatever the client sent. */
export function stopList(stop: CanonicalRequest['stop']): string[] | undefined {
  if (stop === undefined) return undefined;
  return typeof stop === 'string' ? [stop] : stop;
}

/** Parses tool-call `arguments` JSON; malformed or empty arguments become `{}`. */
export function parseToolArguments(args: string): unknown {
  try {
    return JSON.parse(args === '' ? '{}' : args);
  } catch {
    return {};
  }
}

/** The usage as clients see it: OpenAI puts the service tier at the top level of an answer, not in `usage`. */
export function wireUsage(u: Usage): Usage {
  if (u.service_tier === undefined) return u;
  const out = { ...u };
  delete out.service_tier;
  return out;
}
