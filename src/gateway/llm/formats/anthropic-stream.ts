/**
 * Canonical chat chunks → the exact Anthropic Messages SSE event sequence:
 *
 *   message_start → (content_block_start → content_block_delta* → content_block_stop)* →
 *   message_delta{stop_reason, usage} → message_stop
 *
 * Text and each tool call get their own content block; `message_delta` waits for the end of the
 * stream so a usage chunk arriving after the finish_reason is still reported.
 */
import { asArray, asObject, isObject, type CanonicalChunk, type JsonObject, type Usage } from '../wire/openai-types.js';

export interface AnthropicEvent { event: string; data: JsonObject }

/** OpenAI `finish_reason` → Anthropic `stop_reason`. */
export function toStopReason(finish: string | null): string | null {
  switch (finish) {
    case null: return null;
    case 'length': return 'max_tokens';
    case 'tool_calls': case 'function_call': return 'tool_use';
    case 'content_filter': return 'refusal';
    default: return 'end_turn';
  }
}


export interface AnthropicStreamOptions { id: string; model: string; inputTokens?: number }

export interface AnthropicStreamTranslator {
  onChunk(chunk: CanonicalChunk): AnthropicEvent[];
  /** Ends the message; `usage` overrides any usage seen in the chunks. */
  end(usage?: Usage): AnthropicEvent[];
}

type OpenBlock = 'text' | `tool:${number}` | null;

function event(name: string, data: JsonObject): AnthropicEvent {
  return { event: name, data: { type: name, ...data } };
}

/** Per-stream state: which content block is open, the last finish_reason and usage seen. */
class AnthropicEventWriter implements AnthropicStreamTranslator {
  private started = false;
  private index = -1;
  private open: OpenBlock = null;
  private finish: string | null = null;
  private usage: Usage | null = null;

  constructor(private readonly opts: AnthropicStreamOptions) {}

  onChunk(chunk: CanonicalChunk): AnthropicEvent[] {
    const out = this.start(chunk);
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices) {
      if ('delta' in choice) out.push(...this.delta(asObject(choice.delta)));
      else if (choice.text !== '') out.push(...this.delta({ content: choice.text }));
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    return out;
  }

  end(final?: Usage): AnthropicEvent[] {
    const out = [...this.start(), ...this.close()];
    const u = final ?? this.usage;
    const usage: JsonObject = u ? anthropicUsageOf(u) : { output_tokens: 0 };
    out.push(event('message_delta', { delta: { stop_reason: toStopReason(this.finish ?? 'stop'), stop_sequence: null }, usage }));
    out.push(event('message_stop', {}));
    return out;
  }

  private start(chunk?: CanonicalChunk): AnthropicEvent[] {
    if (this.started) return [];
    this.started = true;
    const id = chunk?.id || this.opts.id;
    return [event('message_start', { message: {
      id: id.startsWith('msg_') ? id : `msg_${id}`, type: 'message', role: 'assistant', model: chunk?.model || this.opts.model,
      content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: this.opts.inputTokens ?? 0, output_tokens: 0 },
    } })];
  }

  private close(): AnthropicEvent[] {
    if (this.open === null) return [];
    this.open = null;
    return [event('content_block_stop', { index: this.index })];
  }

  private openBlock(kind: OpenBlock, block: JsonObject): AnthropicEvent[] {
    const out = this.close();
    this.index++;
    this.open = kind;
    out.push(event('content_block_start', { index: this.index, content_block: block }));
    return out;
  }

  private delta(delta: JsonObject): AnthropicEvent[] {
    const out: AnthropicEvent[] = [];
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (this.open !== 'text') out.push(...this.openBlock('text', { type: 'text', text: '' }));
      out.push(event('content_block_delta', { index: this.index, delta: { type: 'text_delta', text: delta.content } }));
    }
    for (const t of asArray(delta.tool_calls).filter(isObject)) {
      const fn = asObject(t.function);
      const key = `tool:${typeof t.index === 'number' ? t.index : 0}` as const;
      if (this.open !== key) {
        out.push(...this.openBlock(key, { type: 'tool_use', id: typeof t.id === 'string' ? t.id : '', name: typeof fn.name === 'string' ? fn.name : '', input: {} }));
      }
      if (typeof fn.arguments === 'string' && fn.arguments !== '') {
        out.push(event('content_block_delta', { index: this.index, delta: { type: 'input_json_delta', partial_json: fn.arguments } }));
      }
    }
    return out;
  }
}

export function openAIChunksToAnthropicEvents(opts: AnthropicStreamOptions): AnthropicStreamTranslator {
  return new AnthropicEventWriter(opts);
}

function charsOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + charsOf(x), 0);
  if (!isObject(v)) return 0;
  if (v.type === 'image') return 4 * 1600; // a typical image costs ~1.6k tokens
  if (v.type === 'text') return charsOf(v.text);
  if (v.type === 'tool_use') return charsOf(v.name) + JSON.stringify(v.input ?? {}).length;
  if (v.type === 'tool_result') return charsOf(v.content);
  return JSON.stringify(v).length;
}

/** `/v1/messages/count_tokens` estimate: ceil(characters / 4) over system, messages and tools. */
export function countTokens(body: unknown): { input_tokens: number } {
  const b = asObject(body);
  let chars = charsOf(b.system) + charsOf(b.tools === undefined ? '' : JSON.stringify(b.tools));
  for (const m of asArray(b.messages)) chars += charsOf(asObject(m).content) + 4 * 3;
  return { input_tokens: Math.ceil(chars / 4) };
}

/**
 * Canonical usage → Anthropic's `usage`: `input_tokens` without the cache tokens, which go to
 * `cache_read_input_tokens` / `cache_creation_input_tokens` when the upstream reported them.
 */
export function anthropicUsageOf(u: Usage): JsonObject {
  const d = u.prompt_tokens_details;
  const read = d?.cached_tokens ?? 0;
  const write = d?.cache_write_tokens ?? 0;
  const out: JsonObject = { input_tokens: Math.max(0, u.prompt_tokens - read - write), output_tokens: u.completion_tokens };
  if (d?.cached_tokens !== undefined || d?.cache_write_tokens !== undefined) {
    out.cache_read_input_tokens = read;
    out.cache_creation_input_tokens = write;
  }
  return out;
}
