/**
 * Builders for canonical responses and stream chunks, so provider translators only supply the
 * parts that differ.
 */
import type {
  ChatChunk, ChatCompletion, ChunkDelta, EmbeddingList, TextChunk, TextCompletion, ToolCall, Usage,
} from './openai-types.js';
import { wireUsage } from './openai-types.js';

export interface ChunkMeta { id: string; model: string; created: number }

export function chatChunk(meta: ChunkMeta, delta: ChunkDelta, finish: string | null = null, usage?: Usage): ChatChunk {
  const chunk: ChatChunk = {
    id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  if (usage !== undefined) chunk.usage = usage;
  return chunk;
}

export function textChunk(meta: ChunkMeta, text: string, finish: string | null = null, usage?: Usage): TextChunk {
  const chunk: TextChunk = {
    id: meta.id, object: 'text_completion', created: meta.created, model: meta.model,
    choices: [{ index: 0, text, finish_reason: finish }],
  };
  if (usage !== undefined) chunk.usage = usage;
  return chunk;
}

/** A usage-only chunk, as OpenAI sends with `stream_options.include_usage` (empty `choices`). */
export function usageChunk(meta: ChunkMeta, usage: Usage, chat: boolean): ChatChunk | TextChunk {
  const wire = wireUsage(usage);
  if (chat) return { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage: wire };
  return { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, choices: [], usage: wire };
}

export function chatCompletion(
  meta: ChunkMeta, content: string | null, finish: string | null, usage: Usage, toolCalls?: ToolCall[],
): ChatCompletion {
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content };
  if (toolCalls !== undefined && toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: meta.id, object: 'chat.completion', created: meta.created, model: meta.model,
    choices: [{ index: 0, message, finish_reason: finish }], usage: wireUsage(usage),
    ...(usage.service_tier !== undefined ? { service_tier: usage.service_tier } : {}),
  };
}

export function textCompletion(meta: ChunkMeta, texts: string[], finish: string | null, usage: Usage): TextCompletion {
  return {
    id: meta.id, object: 'text_completion', created: meta.created, model: meta.model,
    choices: texts.map((text, index) => ({ index, text, finish_reason: finish })), usage,
  };
}

export function embeddingList(model: string, vectors: number[][], promptTokens: number): EmbeddingList {
  return {
    object: 'list', model,
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** Unix seconds for `created`. */
export function unixSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}
