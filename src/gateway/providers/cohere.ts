/**
 * Cohere: chat on the v2 Chat API (`/v2/chat`, OpenAI-like messages, tools, images), completions on
 * `/v1/generate` (NDJSON stream), embeddings on `/v1/embed`. v1 chat replies (`text`) are still
 * understood when `upstream_url` points at `/v1/chat`.
 */
import { chatChunk, chatCompletion, embeddingList, textChunk, textCompletion, unixSeconds, usageChunk, type ChunkMeta } from '../llm/wire/chunks.js';
import { transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import {
  asArray, asNumber, asObject, asString, contentText, isObject, stopList, zeroUsage,
  type CanonicalChunk, type CanonicalRequest, type ChatMessage, type JsonObject, type ToolCall, type Usage,
} from '../llm/wire/openai-types.js';
import { makeUsage } from '../llm/wire/usage.js';
import { resolveEndpoint } from './endpoint.js';
import { applyStaticAuth } from './request-auth.js';
import type { Provider, ProviderContext, RouteType, StreamTranslator } from './types.js';

const NAME = 'cohere';
const PATHS: Partial<Record<RouteType, string>> = { 'llm/v1/chat': '/v2/chat', 'llm/v1/completions': '/v1/generate', 'llm/v1/embeddings': '/v1/embed' };

export function mapCohereFinish(reason: unknown): string | null {
  switch (reason) {
    case 'COMPLETE': case 'STOP_SEQUENCE': case 'END_TURN': return 'stop';
    case 'MAX_TOKENS': return 'length';
    case 'TOOL_CALL': return 'tool_calls';
    case 'ERROR_TOXIC': return 'content_filter';
    case undefined: case null: return null;
    default: return typeof reason === 'string' ? reason.toLowerCase() : null;
  }
}

function cohereMessage(m: ChatMessage): JsonObject {
  const role = m.role === 'developer' ? 'system' : m.role;
  const out: JsonObject = { role };
  if (m.content !== null) out.content = m.content;
  if (m.tool_calls !== undefined && m.tool_calls.length > 0) out.tool_calls = m.tool_calls;
  if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
  return out;
}

/** `upstream_url` pointing at the legacy v1 Chat API (`/v1/chat`). */
function isV1Chat(ctx: ProviderContext): boolean {
  return ctx.options.upstream_url !== undefined && /\/v1\/chat\/?$/.test(new URL(ctx.options.upstream_url).pathname);
}

/** v1 Chat: system → `preamble`, earlier turns → `chat_history` (USER/CHATBOT), last turn → `message`. */
function v1ChatFields(messages: ChatMessage[]): JsonObject {
  const preamble = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => contentText(m.content)).join('\n');
  const turns = messages.filter((m) => m.role === 'user' || m.role === 'assistant');
  const last = turns.pop();
  const out: JsonObject = {
    message: last === undefined ? '' : contentText(last.content),
    chat_history: turns.map((m) => ({ role: m.role === 'user' ? 'USER' : 'CHATBOT', message: contentText(m.content) })),
  };
  if (preamble !== '') out.preamble = preamble;
  return out;
}

function sampling(req: CanonicalRequest, out: JsonObject): void {
  if (req.max_tokens !== undefined) out.max_tokens = req.max_tokens;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.p = req.top_p;
  if (req.top_k !== undefined) out.k = req.top_k;
  const stop = stopList(req.stop);
  if (stop !== undefined) out.stop_sequences = stop;
}

function toUpstream(ctx: ProviderContext, req: CanonicalRequest): { body: JsonObject } {
  if (ctx.routeType === 'llm/v1/embeddings') {
    const texts = typeof req.input === 'string' ? [req.input] : req.input ?? [];
    return { body: { model: ctx.model, texts, input_type: asString(req.input_type) ?? ctx.options.cohere?.embedding_input_type ?? 'search_document', embedding_types: ['float'] } };
  }
  const body: JsonObject = { model: ctx.model, stream: ctx.stream };
  if (ctx.routeType === 'llm/v1/completions') body.prompt = Array.isArray(req.prompt) ? req.prompt.join('\n') : req.prompt;
  else if (isV1Chat(ctx)) Object.assign(body, v1ChatFields(req.messages ?? []));
  else body.messages = (req.messages ?? []).map(cohereMessage);
  sampling(req, body);
  if (ctx.routeType === 'llm/v1/chat' && req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools;
    if (req.tool_choice === 'required') body.tool_choice = 'REQUIRED';
    else if (req.tool_choice === 'none') body.tool_choice = 'NONE';
  }
  return { body };
}

function billed(meta: unknown): Usage {
  const units = asObject(asObject(meta).billed_units);
  const input = asNumber(units.input_tokens);
  const output = asNumber(units.output_tokens);
  return input === undefined && output === undefined ? zeroUsage() : makeUsage(input ?? 0, output ?? 0);
}

function v2Message(body: JsonObject): { text: string | null; tools: ToolCall[] } {
  const msg = asObject(body.message);
  const texts = asArray(msg.content).filter(isObject).map((c) => asString(c.text) ?? '');
  const tools: ToolCall[] = asArray(msg.tool_calls).filter(isObject).map((t) => {
    const fn = asObject(t.function);
    const args = fn.arguments;
    return { id: asString(t.id) ?? '', type: 'function', function: { name: asString(fn.name) ?? '', arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) } };
  });
  const text = texts.length > 0 ? texts.join('') : asString(msg.tool_plan) ?? null;
  return { text, tools };
}

function fromUpstream(ctx: ProviderContext, _status: number, body: unknown) {
  const rt = ctx.routeType;
  if (!isObject(body)) throw transformationFailed(NAME, rt, 'response is not a JSON object');
  const meta: ChunkMeta = { id: asString(body.id) ?? asString(body.generation_id) ?? ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  if (rt === 'llm/v1/embeddings') {
    const raw = Array.isArray(body.embeddings) ? body.embeddings : asObject(body.embeddings).float;
    if (!Array.isArray(raw)) throw transformationFailed(NAME, rt, `'embeddings' not in ${rt} response`);
    const vectors = raw.map((v) => asArray(v).filter((n): n is number => typeof n === 'number'));
    return embeddingList(ctx.model, vectors, billed(body.meta).prompt_tokens);
  }
  if (rt === 'llm/v1/completions') {
    if (!Array.isArray(body.generations)) throw transformationFailed(NAME, rt, `'generations' not in ${rt} response`);
    const gens = body.generations.filter(isObject);
    return textCompletion(meta, gens.map((g) => asString(g.text) ?? ''), mapCohereFinish(gens[0]?.finish_reason ?? 'COMPLETE'), billed(body.meta));
  }
  if (isObject(body.message)) {
    const { text, tools } = v2Message(body);
    return chatCompletion(meta, text, mapCohereFinish(body.finish_reason), billed(body.usage), tools);
  }
  if (typeof body.text === 'string') return chatCompletion(meta, body.text, 'stop', billed(body.meta));
  throw transformationFailed(NAME, rt, `'message' not in ${rt} response`);
}

/** Legacy v1 chat stream lines (`event_type`), for an `upstream_url` on `/v1/chat`. */
function v1ChatEvent(meta: ChunkMeta, e: JsonObject): { chunks: CanonicalChunk[]; usage?: Usage } {
  switch (e.event_type) {
    case 'stream-start':
      meta.id = asString(e.generation_id) ?? meta.id;
      return { chunks: [chatChunk(meta, { role: 'assistant', content: '' })] };
    case 'text-generation':
      return { chunks: [chatChunk(meta, { content: asString(e.text) ?? '' })] };
    case 'stream-end': {
      const usage = billed(asObject(e.response).meta);
      return { chunks: [chatChunk(meta, {}, mapCohereFinish(e.finish_reason)), usageChunk(meta, usage, true)], usage };
    }
    default:
      return { chunks: [] };
  }
}

/** v2 chat SSE events, v1 chat lines and v1 generate NDJSON lines → canonical chunks. */
export function cohereStreamTranslator(ctx: ProviderContext): StreamTranslator {
  const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  let usage: Usage | null = null;
  const chatEvent = (e: JsonObject): CanonicalChunk[] => {
    const msg = asObject(asObject(e.delta).message);
    switch (e.type) {
      case 'message-start':
        meta.id = asString(e.id) ?? meta.id;
        return [chatChunk(meta, { role: 'assistant', content: '' })];
      case 'content-delta': case 'content-start': case 'tool-plan-delta': {
        const text = e.type === 'tool-plan-delta' ? asString(msg.tool_plan) : asString(asObject(msg.content).text);
        return text ? [chatChunk(meta, { content: text })] : [];
      }
      case 'tool-call-start': case 'tool-call-delta': {
        const call = asObject(msg.tool_calls);
        const fn = asObject(call.function);
        const index = asNumber(e.index) ?? 0;
        const delta = e.type === 'tool-call-start'
          ? { index, id: asString(call.id) ?? '', type: 'function' as const, function: { name: asString(fn.name) ?? '', arguments: asString(fn.arguments) ?? '' } }
          : { index, function: { arguments: asString(fn.arguments) ?? '' } };
        return [chatChunk(meta, { tool_calls: [delta] })];
      }
      case 'message-end': {
        const d = asObject(e.delta);
        usage = billed(d.usage);
        return [chatChunk(meta, {}, mapCohereFinish(d.finish_reason)), usageChunk(meta, usage, true)];
      }
      default:
        return [];
    }
  };
  const generateEvent = (e: JsonObject): CanonicalChunk[] => {
    if (e.is_finished === true) {
      const resp = asObject(e.response);
      meta.id = asString(resp.id) ?? meta.id;
      usage = billed(resp.meta);
      return [textChunk(meta, '', mapCohereFinish(e.finish_reason)), usageChunk(meta, usage, false)];
    }
    return typeof e.text === 'string' ? [textChunk(meta, e.text)] : [];
  };
  return {
    onEvent: (ev) => {
      const e = asObject(eventJson(ev));
      if (ctx.routeType !== 'llm/v1/chat') return generateEvent(e);
      if (typeof e.event_type !== 'string') return chatEvent(e);
      const v1 = v1ChatEvent(meta, e);
      if (v1.usage !== undefined) usage = v1.usage;
      return v1.chunks;
    },
    onEnd: () => [],
    usage: () => usage,
  };
}

export const cohere: Provider = {
  name: NAME,
  capabilities: { routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings'], streaming: true, usageInStream: true },
  endpoint: (ctx) => resolveEndpoint(ctx, PATHS[ctx.routeType] === undefined ? null : `https://api.cohere.com:443${PATHS[ctx.routeType]}`, NAME),
  authorize: applyStaticAuth,
  toUpstream,
  fromUpstream,
  framing: (ctx) => (ctx.routeType === 'llm/v1/chat' && !isV1Chat(ctx) ? 'sse' : 'ndjson'),
  streamTranslator: cohereStreamTranslator,
};
