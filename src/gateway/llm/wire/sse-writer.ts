/**
 * Serialises canonical chunks for the client: each becomes `data: <json>\n\n`, and the stream ends
 * with `data: [DONE]\n\n`. A source event that produced no chunk is reported with Kong's
 * placeholder `{"error": true, "message": "empty or unsupported transformer response"}` only when the
 * caller asks for it (`emptyEvent()`).
 */
import type { CanonicalChunk } from './openai-types.js';

export const SSE_DONE = 'data: [DONE]\n\n';

export function sseFrame(chunk: CanonicalChunk | Record<string, unknown>): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export function sseFrames(chunks: readonly CanonicalChunk[]): string {
  let out = '';
  for (const c of chunks) out += sseFrame(c);
  return out;
}

/** A named SSE event (`event: <name>\ndata: <json>\n\n`), as Anthropic clients expect. */
export function sseNamedFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function emptyEvent(): string {
  return sseFrame({ error: true, message: 'empty or unsupported transformer response' });
}
