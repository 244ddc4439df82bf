/**
 * What a mock route answers, before faults are applied: a whole body, or a list of stream chunks
 * that the server writes one by one (so delays and broken streams apply per chunk). Replies are
 * built as Buffers once and may be cached and replayed.
 */

/** Fixed `created` timestamp of every provider's replies: replies are deterministic. */
export const CREATED = 1_700_000_000;

export interface BodyReply {
  kind: 'body';
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface StreamReply {
  kind: 'stream';
  status: number;
  headers: Record<string, string>;
  chunks: Buffer[];
}

export type Reply = BodyReply | StreamReply;

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): BodyReply {
  return { kind: 'body', status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(value), 'utf8') };
}

export function textReply(status: number, text: string, contentType: string): BodyReply {
  return { kind: 'body', status, headers: { 'content-type': contentType }, body: Buffer.from(text, 'utf8') };
}

export interface SseEvent {
  /** `event:` line; omitted when undefined (OpenAI sends data lines only). */
  event?: string;
  /** Serialised with JSON.stringify unless already a string. */
  data: unknown;
}

/** A text/event-stream reply. `done` appends OpenAI's `data: [DONE]`. */
export function sseReply(events: SseEvent[], options: { done?: boolean; eol?: string } = {}): StreamReply {
  const eol = options.eol ?? '\n';
  const chunks = events.map((e) => {
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    return Buffer.from(`${e.event === undefined ? '' : `event: ${e.event}${eol}`}data: ${data}${eol}${eol}`, 'utf8');
  });
  if (options.done === true) chunks.push(Buffer.from(`data: [DONE]${eol}${eol}`, 'utf8'));
  return { kind: 'stream', status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, chunks };
}

/** Newline-delimited JSON (Ollama, Cohere v1). */
export function ndjsonReply(values: unknown[], contentType = 'application/x-ndjson'): StreamReply {
  return { kind: 'stream', status: 200, headers: { 'content-type': contentType }, chunks: values.map((v) => Buffer.from(`${JSON.stringify(v)}\n`, 'utf8')) };
}

export function chunksReply(chunks: Buffer[], contentType: string): StreamReply {
  return { kind: 'stream', status: 200, headers: { 'content-type': contentType }, chunks };
}

/** Adds headers to a reply (a copy; cached replies stay untouched). */
export function withHeaders<R extends Reply>(reply: R, headers: Record<string, string>): R {
  return { ...reply, headers: { ...reply.headers, ...headers } };
}
