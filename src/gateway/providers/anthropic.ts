/**
 * Anthropic Messages API (`/v1/messages`) and legacy Text Completions (`/v1/complete`).
 * Deliberate differences from Kong are listed in DIFFERENCES.md (finish_reason mapped, id kept,
 * top_p/top_k sent, every system message kept).
 */
import { chatChunk, chatCompletion, textChunk, textCompletion, unixSeconds, usageChunk, type ChunkMeta } from '../llm/wire/chunks.js';
import { TranslationError, transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import {
  parseToolArguments, asNumber, asObject, asString, isObject, stopList, zeroUsage,
  type CanonicalChunk, type CanonicalRequest, type ChatMessage, type ContentPart, type JsonObject, type ToolCall, type Usage,
} from '../llm/wire/openai-types.js';
import { makeUsage } from '../llm/wire/usage.js';
import { resolveEndpoint } from './endpoint.js';
import { applyStaticAuth } from './request-auth.js';
import type { Provider, ProviderContext, StreamTranslator } from './types.js';

const NAME = 'anthropic';
const DEFAULT_VERSION = '2023-06-01';
const DEFAULT_MAX_TOKENS = 4096;

/** Anthropic `stop_reason` → OpenAI `finish_reason`. */
export function mapStopReason(reason: unknown): string | null {
  switch (reason) {
    case 'end_turn': case 'stop_sequence': case 'pause_turn': return 'stop';
    case 'max_tokens': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    case null: case undefined: return null;
    default: return typeof reason === 'string' ? reason : null;
  }
}

/** An OpenAI image part → Anthropic image block (base64 data URL or plain URL source). */
export function imageBlock(url: string): JsonObject {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

function contentBlocks(content: string | ContentPart[] | null): JsonObject[] {
  if (content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : imageBlock(p.image_url.url)));
}

function assistantBlocks(m: ChatMessage): JsonObject[] {
  const blocks = contentBlocks(m.content);
  for (const t of m.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: t.id, name: t.function.name, input: parseToolArguments(t.function.arguments) });
  }
  return blocks;
}

function toolResult(m: ChatMessage): JsonObject {
  const content = typeof m.content === 'string' ? m.content : contentBlocks(m.content);
  return { type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content };
}

/** OpenAI messages → Anthropic `system` + alternating `messages` (consecutive same-role turns merged). */
export function toAnthropicMessages(messages: ChatMessage[]): { system?: string; messages: JsonObject[] } {
  const system: string[] = [];
  const out: { role: string; content: JsonObject[] }[] = [];
  for (const m of messages) {
    let role: string;
    let blocks: JsonObject[];
    if (m.role === 'user') [role, blocks] = ['user', contentBlocks(m.content)];
    else if (m.role === 'assistant') [role, blocks] = ['assistant', assistantBlocks(m)];
    else if (m.role === 'tool') [role, blocks] = ['user', [toolResult(m)]];
    else {
      const text = typeof m.content === 'string' ? m.content : contentBlocks(m.content).map((b) => asString(b.text) ?? '').join('');
      system.push(text);
      continue;
    }
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  const result: { system?: string; messages: JsonObject[] } = { messages: out };
  if (system.length > 0) result.system = system.join('\n');
  return result;
}

export function toAnthropicToolChoice(choice: CanonicalRequest['tool_choice']): JsonObject | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'required') return { type: 'any' };
  if (choice === 'auto' || choice === 'none') return { type: choice };
  return { type: 'tool', name: choice.function.name };
}

function sampling(req: CanonicalRequest, out: JsonObject): void {
  for (const k of ['temperature', 'top_p', 'top_k'] as const) if (req[k] !== undefined) out[k] = req[k];
  const stop = stopList(req.stop);
  if (stop !== undefined) out.stop_sequences = stop;
}

function chatBody(ctx: ProviderContext, req: CanonicalRequest): JsonObject {
  const { system, messages } = toAnthropicMessages(req.messages ?? []);
  const out: JsonObject = { model: ctx.model, messages, max_tokens: req.max_tokens ?? DEFAULT_MAX_TOKENS, stream: ctx.stream };
  if (system !== undefined) out.system = system;
  sampling(req, out);
  if (req.tools !== undefined && req.tools.length > 0) {
    out.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description !== undefined ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
  }
  const choice = toAnthropicToolChoice(req.tool_choice);
  if (choice !== undefined) out.tool_choice = choice;
  return out;
}

function completionBody(ctx: ProviderContext, req: CanonicalRequest): JsonObject {
  const prompt = Array.isArray(req.prompt) ? req.prompt.join('\n') : req.prompt ?? '';
  const out: JsonObject = {
    model: ctx.model, prompt: `\n\nHuman: ${prompt}\n\nAssistant:`,
    max_tokens_to_sample: req.max_tokens ?? DEFAULT_MAX_TOKENS, stream: ctx.stream,
  };
  sampling(req, out);
  return out;
}

/** Anthropic content blocks → joined text (Kong joins with `\n`) and tool calls. */
export function fromAnthropicContent(content: unknown[]): { text: string | null; tools: ToolCall[] } {
  const texts: string[] = [];
  const tools: ToolCall[] = [];
  for (const b of content.filter(isObject)) {
    if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text);
    else if (b.type === 'tool_use') {
      tools.push({ id: asString(b.id) ?? '', type: 'function', function: { name: asString(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  return { text: texts.length > 0 ? texts.join('\n') : null, tools };
}

/**
 * Anthropic `usage` → canonical. Prompt tokens include the cache reads and writes (as Kong counts
 * them since 3.14.0.13); the cache tokens, the 1-hour part of the writes and the service tier are kept
 * for pricing (llm/wire/pricing.ts).
 */
function anthropicUsage(u: unknown): Usage {
  const o = asObject(u);
  const input = asNumber(o.input_tokens);
  const output = asNumber(o.output_tokens);
  if (input === undefined && output === undefined) return zeroUsage();
  const read = asNumber(o.cache_read_input_tokens);
  const write = asNumber(o.cache_creation_input_tokens);
  const write1h = asNumber(asObject(o.cache_creation).ephemeral_1h_input_tokens);
  const usage = makeUsage((input ?? 0) + (read ?? 0) + (write ?? 0), output ?? 0);
  if (read !== undefined || write !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: read ?? 0, cache_write_tokens: write ?? 0, ...(write1h ? { cache_write_1h_tokens: write1h } : {}) };
  }
  if (typeof o.service_tier === 'string' && o.service_tier !== '') usage.service_tier = o.service_tier;
  return usage;
}

function fromUpstream(ctx: ProviderContext, _status: number, body: unknown) {
  const rt = ctx.routeType;
  if (!isObject(body)) throw transformationFailed(NAME, rt, 'response is not a JSON object');
  const meta: ChunkMeta = { id: asString(body.id) ?? ctx.requestId, model: asString(body.model) ?? ctx.model, created: unixSeconds(ctx.now()) };
  if (rt === 'llm/v1/completions') {
    if (typeof body.completion !== 'string') throw transformationFailed(NAME, rt, `'completion' not in ${rt} response`);
    return textCompletion(meta, [body.completion], mapStopReason(body.stop_reason), zeroUsage());
  }
  if (!Array.isArray(body.content)) throw transformationFailed(NAME, rt, `'content' not in ${rt} response`);
  const { text, tools } = fromAnthropicContent(body.content);
  return chatCompletion(meta, text, mapStopReason(body.stop_reason), anthropicUsage(body.usage), tools);
}

/** Messages stream events → chat.completion.chunk; completions stream → text_completion chunks. */
export function anthropicStreamTranslator(ctx: ProviderContext): StreamTranslator {
  const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  let usage: Usage | null = null;
  const toolIndex = new Map<number, number>();
  const chat = ctx.routeType === 'llm/v1/chat';
  const onEvent = (ev: Parameters<StreamTranslator['onEvent']>[0]): CanonicalChunk[] => {
    const e = asObject(eventJson(ev));
    switch (e.type) {
      case 'message_start': {
        const msg = asObject(e.message);
        meta.id = asString(msg.id) ?? meta.id;
        meta.model = asString(msg.model) ?? meta.model;
        usage = anthropicUsage(msg.usage);
        return [chatChunk(meta, { role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        const block = asObject(e.content_block);
        if (block.type === 'tool_use') {
          const index = toolIndex.size;
          toolIndex.set(asNumber(e.index) ?? 0, index);
          return [chatChunk(meta, { tool_calls: [{ index, id: asString(block.id) ?? '', type: 'function', function: { name: asString(block.name) ?? '', arguments: '' } }] })];
        }
        const text = asString(block.text);
        return text ? [chatChunk(meta, { content: text })] : [];
      }
      case 'content_block_delta': {
        const d = asObject(e.delta);
        if (d.type === 'text_delta') return [chatChunk(meta, { content: asString(d.text) ?? '' })];
        if (d.type === 'input_json_delta') {
          const index = toolIndex.get(asNumber(e.index) ?? 0) ?? 0;
          return [chatChunk(meta, { tool_calls: [{ index, function: { arguments: asString(d.partial_json) ?? '' } }] })];
        }
        return [];
      }
      case 'message_delta': {
        const out = anthropicUsage(e.usage);
        usage = { ...(usage ?? zeroUsage()), ...makeUsage(usage?.prompt_tokens ?? 0, out.completion_tokens) };
        return [chatChunk(meta, {}, mapStopReason(asObject(e.delta).stop_reason))];
      }
      case 'message_stop':
        return usage === null ? [] : [usageChunk(meta, usage, true)];
      case 'error': {
        const err = asObject(e.error);
        throw new TranslationError(`${NAME} stream error: ${asString(err.type) ?? 'error'}: ${asString(err.message) ?? ''}`, 502);
      }
      case 'completion':
        return [textChunk(meta, asString(e.completion) ?? '', mapStopReason(e.stop_reason))];
      default:
        return [];
    }
  };
  return { onEvent: (ev) => (chat || asObject(eventJson(ev)).type === 'completion' ? onEvent(ev) : []), onEnd: () => [], usage: () => usage };
}

export const anthropic: Provider = {
  name: NAME,
  capabilities: { routeTypes: ['llm/v1/chat', 'llm/v1/completions'], streaming: true, usageInStream: true, noStatistics: ['llm/v1/completions'] },
  endpoint: (ctx) => resolveEndpoint(ctx, `https://api.anthropic.com:443${ctx.routeType === 'llm/v1/chat' ? '/v1/messages' : '/v1/complete'}`, NAME),
  authorize: applyStaticAuth,
  toUpstream: (ctx, req) => ({
    body: ctx.routeType === 'llm/v1/chat' ? chatBody(ctx, req) : completionBody(ctx, req),
    headers: { 'anthropic-version': ctx.options.anthropic_version ?? DEFAULT_VERSION },
  }),
  fromUpstream,
  framing: () => 'sse',
  streamTranslator: anthropicStreamTranslator,
};
