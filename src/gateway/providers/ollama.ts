/**
 * The Ollama wire format (`/api/chat`, `/api/generate`, `/api/embed`), used by llama2 and mistral
 * with `*_format: ollama`. Self-hosted: `upstream_url` is required. Streams are NDJSON.
 */
import { chatChunk, chatCompletion, embeddingList, textChunk, textCompletion, unixSeconds, usageChunk, type ChunkMeta } from '../llm/wire/chunks.js';
import { transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import {
  asArray, parseToolArguments, asNumber, asObject, asString, isObject, stopList, zeroUsage,
  type CanonicalChunk, type CanonicalRequest, type ChatMessage, type JsonObject, type ToolCall, type Usage,
} from '../llm/wire/openai-types.js';
import { makeUsage } from '../llm/wire/usage.js';
import { resolveEndpoint } from './endpoint.js';
import { applyStaticAuth } from './request-auth.js';
import type { Provider, ProviderContext, StreamTranslator } from './types.js';

function ollamaMessage(m: ChatMessage): JsonObject {
  const out: JsonObject = { role: m.role === 'developer' ? 'system' : m.role, content: '' };
  if (typeof m.content === 'string') out.content = m.content;
  else if (m.content !== null) {
    out.content = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    const images = m.content.flatMap((p) => {
      const match = p.type === 'image_url' ? /^data:[^;,]+;base64,(.*)$/s.exec(p.image_url.url) : null;
      return match ? [match[1]] : [];
    });
    if (images.length > 0) out.images = images;
  }
  if (m.tool_calls !== undefined && m.tool_calls.length > 0) {
    out.tool_calls = m.tool_calls.map((t) => ({ function: { name: t.function.name, arguments: parseToolArguments(t.function.arguments) } }));
  }
  return out;
}

function toUpstream(ctx: ProviderContext, req: CanonicalRequest): { body: JsonObject } {
  if (ctx.routeType === 'llm/v1/embeddings') return { body: { model: ctx.model, input: req.input ?? [] } };
  const options: JsonObject = {};
  if (req.max_tokens !== undefined) options.num_predict = req.max_tokens;
  for (const k of ['temperature', 'top_p', 'top_k'] as const) if (req[k] !== undefined) options[k] = req[k];
  const stop = stopList(req.stop);
  if (stop !== undefined) options.stop = stop;
  const body: JsonObject = { model: ctx.model, stream: ctx.stream, options };
  if (ctx.routeType === 'llm/v1/completions') body.prompt = Array.isArray(req.prompt) ? req.prompt.join('\n') : req.prompt;
  else {
    body.messages = (req.messages ?? []).map(ollamaMessage);
    if (req.tools !== undefined && req.tools.length > 0) body.tools = req.tools;
  }
  return { body };
}

function ollamaUsage(body: JsonObject): Usage {
  const p = asNumber(body.prompt_eval_count);
  const c = asNumber(body.eval_count);
  return p === undefined && c === undefined ? zeroUsage() : makeUsage(p ?? 0, c ?? 0);
}

/** Kong: `length` when eval_count reached max_tokens; Ollama's own `done_reason` wins when present. */
function finish(ctx: ProviderContext, body: JsonObject, hasTools: boolean): string {
  if (hasTools) return 'tool_calls';
  if (body.done_reason === 'length') return 'length';
  if (ctx.options.max_tokens !== undefined && body.eval_count === ctx.options.max_tokens) return 'length';
  return 'stop';
}

function toolCalls(message: JsonObject): ToolCall[] {
  return asArray(message.tool_calls).filter(isObject).map((t, i) => {
    const fn = asObject(t.function);
    return { id: `call_${i}`, type: 'function', function: { name: asString(fn.name) ?? '', arguments: JSON.stringify(fn.arguments ?? {}) } };
  });
}

function fromUpstream(name: string) {
  return (ctx: ProviderContext, _status: number, body: unknown) => {
    const rt = ctx.routeType;
    if (!isObject(body)) throw transformationFailed(name, rt, 'response is not a JSON object');
    const meta: ChunkMeta = { id: ctx.requestId, model: asString(body.model) ?? ctx.model, created: unixSeconds(ctx.now()) };
    if (rt === 'llm/v1/embeddings') {
      if (!Array.isArray(body.embeddings)) throw transformationFailed(name, rt, `'embeddings' not in ${rt} response`);
      return embeddingList(meta.model, body.embeddings.map((v) => asArray(v).filter((n): n is number => typeof n === 'number')), asNumber(body.prompt_eval_count) ?? 0);
    }
    if (rt === 'llm/v1/completions') {
      if (typeof body.response !== 'string') throw transformationFailed(name, rt, `'response' not in ${rt} response`);
      return textCompletion(meta, [body.response], finish(ctx, body, false), ollamaUsage(body));
    }
    if (!isObject(body.message)) throw transformationFailed(name, rt, `'message' not in ${rt} response`);
    const tools = toolCalls(body.message);
    return chatCompletion(meta, asString(body.message.content) ?? null, finish(ctx, body, tools.length > 0), ollamaUsage(body), tools);
  };
}

export function ollamaStreamTranslator(ctx: ProviderContext): StreamTranslator {
  const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  const chat = ctx.routeType === 'llm/v1/chat';
  let usage: Usage | null = null;
  let started = false;
  let tools = 0;
  return {
    onEvent(ev): CanonicalChunk[] {
      const e = asObject(eventJson(ev));
      const out: CanonicalChunk[] = [];
      if (chat) {
        const msg = asObject(e.message);
        const calls = toolCalls(msg).map((t) => ({ index: tools++, id: `call_${tools - 1}`, type: 'function' as const, function: t.function }));
        const delta = { ...(started ? {} : { role: 'assistant' as const }), content: asString(msg.content) ?? '', ...(calls.length > 0 ? { tool_calls: calls } : {}) };
        started = true;
        out.push(chatChunk(meta, delta, e.done === true ? finish(ctx, e, tools > 0) : null));
      } else out.push(textChunk(meta, asString(e.response) ?? '', e.done === true ? finish(ctx, e, false) : null));
      if (e.done === true) {
        usage = ollamaUsage(e);
        out.push(usageChunk(meta, usage, chat));
      }
      return out;
    },
    onEnd: () => [],
    usage: () => usage,
  };
}

/** An Ollama-format provider variant for `name` (errors say `<name>://<route type>`). */
export function ollamaFormat(name: string): Provider {
  return {
    name,
    capabilities: { routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings'], streaming: true, usageInStream: true },
    endpoint: (ctx) => resolveEndpoint(ctx, null, name),
    authorize: applyStaticAuth,
    toUpstream,
    fromUpstream: fromUpstream(name),
    framing: () => 'ndjson',
    streamTranslator: ollamaStreamTranslator,
  };
}

const OLLAMA_PATHS: Partial<Record<string, string>> = { 'llm/v1/chat': '/api/chat', 'llm/v1/embeddings': '/api/embed' };

/**
 * Ollama as a provider of its own (Kong 3.14): native `/api/chat` and `/api/embed`, NDJSON streams.
 * `model.options.upstream_url` is required (the schema says so); one that names only the server
 * (`http://localhost:11434`) gets the route type's path.
 */
export const ollama: Provider = {
  ...ollamaFormat('ollama'),
  since: '3.14',
  capabilities: { routeTypes: ['llm/v1/chat', 'llm/v1/embeddings'], streaming: true, usageInStream: true },
  endpoint: (ctx) => resolveEndpoint(ctx, null, 'ollama', OLLAMA_PATHS[ctx.routeType]),
};
