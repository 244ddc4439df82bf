/**
 * The canonical format as a client format: the identity adapter. Requests and responses pass
 * through unchanged (embeddings are re-encoded as base64 when the client asked for it); Kong's
 * errors keep their shapes; streams are `data: <chunk>` frames ending with `data: [DONE]`.
 */
import type { CanonicalRequest, EmbeddingList, JsonObject } from '../wire/openai-types.js';
import { isObject } from '../wire/openai-types.js';
import { SSE_DONE, sseFrame } from '../wire/sse-writer.js';
import type { ClientFormat, StreamTextField } from './types.js';

/** Embeddings as little-endian float32 base64, for clients that asked `encoding_format: base64` (the OpenAI SDK does). */
function base64Embeddings(list: EmbeddingList): unknown {
  return { ...list, data: list.data.map((d) => {
    const buf = Buffer.alloc(d.embedding.length * 4);
    d.embedding.forEach((v, i) => buf.writeFloatLE(v, i * 4));
    return { ...d, embedding: buf.toString('base64') };
  }) };
}

/** `choices[].delta.content` / `choices[].text` of a chunk. */
function streamTextFields(obj: JsonObject): StreamTextField[] {
  const out: StreamTextField[] = [];
  const choices = Array.isArray(obj.choices) ? obj.choices : [];
  choices.forEach((c: unknown, i) => {
    if (!isObject(c)) return;
    const index = typeof c.index === 'number' ? c.index : i;
    const final = c.finish_reason !== null && c.finish_reason !== undefined;
    const base = { id: obj.id, object: obj.object, created: obj.created, model: obj.model };
    const delta = c.delta;
    if (isObject(delta)) {
      out.push({
        key: `choice:${index}`, final,
        get: () => (typeof delta.content === 'string' ? delta.content : ''),
        set: (v) => { if (v !== '' || typeof delta.content === 'string') delta.content = v; },
        synth: (text) => ({ ...base, choices: [{ index, delta: { content: text }, finish_reason: null }] }),
      });
    } else if (typeof c.text === 'string') {
      out.push({
        key: `choice:${index}`, final,
        get: () => (typeof c.text === 'string' ? c.text : ''),
        set: (v) => { c.text = v; },
        synth: (text) => ({ ...base, choices: [{ index, text, finish_reason: null }] }),
      });
    }
  });
  return out;
}

export const openai: ClientFormat = {
  name: 'openai',
  identity: true,
  anyProvider: true,
  sdkSendsModel: false,
  toCanonical: (body) => body as CanonicalRequest,
  response: (r, request) => (r.object === 'list' && request.encoding_format === 'base64' ? base64Embeddings(r) : r),
  errorBody: (_status, message) => ({ error: { message } }),
  upstreamError: () => null,
  stream: ({ includeUsage }) => ({
    // usage-only chunks (empty `choices`) only for clients that asked for them
    chunk: (c) => (c.choices.length > 0 || includeUsage ? sseFrame(c) : ''),
    end: () => SSE_DONE,
    error: (message) => sseFrame({ error: { message, type: 'upstream_stream_error' } }),
  }),
  streamTextFields,
};
