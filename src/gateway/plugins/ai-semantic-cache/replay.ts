/**
 * Cached answers in and out: `fromBuffered` reads a client-bound OpenAI JSON answer,
 * `StreamCollector` rebuilds one from the client-bound OpenAI SSE bytes of a streamed answer, and
 * `replayJson` / `replaySse` serve a cached answer to a buffered or a streaming client (the
 * stream ends with `data: [DONE]`).
 */
import { chatChunk, chatCompletion, textChunk, textCompletion, usageChunk, type ChunkMeta } from '../../llm/wire/chunks.js';
import { asArray, asObject, asString, isObject, type Usage } from '../../llm/wire/openai-types.js';
import { SseDeframer } from '../../llm/wire/sse.js';
import { SSE_DONE, sseFrame } from '../../llm/wire/sse-writer.js';
import { parseOpenAIUsage } from '../../llm/wire/usage.js';

/** What the cache stores: enough to answer as JSON or as a stream. */
export interface CachedAnswer {
  kind: 'chat' | 'text';
  id: string;
  model: string;
  created: number;
  content: string;
  finish: string | null;
  usage: Usage | null;
}

/** A buffered OpenAI chat/text completion body → CachedAnswer; null when it is not one (tool calls are not cached). */
export function fromBuffered(body: Buffer): CachedAnswer | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(json)) return null;
  const choice = asObject(asArray(json.choices)[0]);
  const meta = { id: asString(json.id) ?? '', model: asString(json.model) ?? '', created: typeof json.created === 'number' ? json.created : 0 };
  const usage = parseOpenAIUsage(json.usage);
  const finish = asString(choice.finish_reason) ?? null;
  if (json.object === 'chat.completion') {
    const msg = asObject(choice.message);
    if (Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0) return null;
    const content = asString(msg.content);
    return content === undefined ? null : { kind: 'chat', ...meta, content, finish, usage };
  }
  if (json.object === 'text_completion') {
    const content = asString(choice.text);
    return content === undefined ? null : { kind: 'text', ...meta, content, finish, usage };
  }
  return null;
}

/** Accumulates the client-bound OpenAI SSE stream of one answer. */
export class StreamCollector {
  private readonly deframer = new SseDeframer();
  private answer: CachedAnswer = { kind: 'chat', id: '', model: '', created: 0, content: '', finish: null, usage: null };
  private done = false;
  private broken = false;

  feed(bytes: Uint8Array | string): void {
    if (this.broken) return;
    for (const ev of this.deframer.feed(bytes)) this.onData(ev.data);
  }

  private onData(data: string): void {
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.broken = true;
      return;
    }
    if (!isObject(json)) return;
    const a = this.answer;
    if (typeof json.id === 'string' && json.id) a.id = json.id;
    if (typeof json.model === 'string' && json.model) a.model = json.model;
    if (typeof json.created === 'number') a.created = json.created;
    if (json.object === 'text_completion') a.kind = 'text';
    const usage = parseOpenAIUsage(json.usage);
    if (usage) a.usage = usage;
    for (const c of asArray(json.choices)) this.onChoice(asObject(c));
  }

  private onChoice(choice: Record<string, unknown>): void {
    const a = this.answer;
    const finish = asString(choice.finish_reason);
    if (finish) a.finish = finish;
    if (typeof choice.text === 'string') a.content += choice.text;
    const delta = asObject(choice.delta);
    if (typeof delta.content === 'string') a.content += delta.content;
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) this.broken = true;
  }

  /** The whole answer, or null when the stream did not finish cleanly with `[DONE]`. */
  result(): CachedAnswer | null {
    return this.done && !this.broken ? this.answer : null;
  }
}

function meta(a: CachedAnswer, id: string): ChunkMeta {
  return { id: a.id || id, model: a.model, created: a.created };
}

export function replayJson(a: CachedAnswer, requestId: string): Buffer {
  const m = meta(a, requestId);
  const usage = a.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const body = a.kind === 'chat' ? chatCompletion(m, a.content, a.finish, usage) : textCompletion(m, [a.content], a.finish, usage);
  return Buffer.from(JSON.stringify(body));
}

/** The answer as an OpenAI SSE stream: content, finish, usage (when known), `[DONE]`. */
export function replaySse(a: CachedAnswer, requestId: string): string {
  const m = meta(a, requestId);
  let out = '';
  if (a.kind === 'chat') {
    out += sseFrame(chatChunk(m, { role: 'assistant', content: a.content }));
    out += sseFrame(chatChunk(m, {}, a.finish ?? 'stop'));
  } else {
    out += sseFrame(textChunk(m, a.content));
    out += sseFrame(textChunk(m, '', a.finish ?? 'stop'));
  }
  if (a.usage) out += sseFrame(usageChunk(m, a.usage, a.kind === 'chat'));
  return out + SSE_DONE;
}
