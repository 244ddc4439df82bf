/**
 * Where the content-inspection plugins find text: in the canonical request (chat messages, string
 * or text parts; `prompt`; `input`) and in a buffered AI response in any client format (OpenAI's
 * `choices[].message.content` / `choices[].text`, Anthropic's `content[].text`). Each text is a
 * slot the plugin may read and replace in place.
 *
 * `text_source` (Kong's guardrails) picks the request texts: every message, the user messages, or
 * the last message only.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { BufferedResponse } from '../context.js';
import { isObject, type CanonicalRequest, type JsonObject } from '../llm/wire/openai-types.js';

export interface TextSlot {
  /** The chat role of the text (null for `prompt` / `input` and response texts). */
  role: string | null;
  get(): string;
  set(v: string): void;
}

function field(o: JsonObject, key: string, role: string | null): TextSlot {
  return { role, get: () => String(o[key]), set: (v) => { o[key] = v; } };
}

function contentSlots(holder: JsonObject, role: string | null): TextSlot[] {
  const c = holder.content;
  if (typeof c === 'string') return [field(holder, 'content', role)];
  if (!Array.isArray(c)) return [];
  return c.filter((p): p is JsonObject => isObject(p) && p.type === 'text' && typeof p.text === 'string').map((p) => field(p, 'text', role));
}

/** The texts of a request's messages (in order), then `prompt` and `input` strings. */
export function requestTexts(body: CanonicalRequest): TextSlot[] {
  const out: TextSlot[] = [];
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (isObject(m)) out.push(...contentSlots(m, typeof m.role === 'string' ? m.role : null));
  }
  const b = body as unknown as JsonObject;
  for (const k of ['prompt', 'input']) {
    const v = b[k];
    if (typeof v === 'string') out.push(field(b, k, 'user'));
    else if (Array.isArray(v)) v.forEach((s, i) => { if (typeof s === 'string') out.push(field(v as unknown as JsonObject, String(i), 'user')); });
  }
  return out;
}

export type TextSource = 'concatenate_all_content' | 'concatenate_user_content' | 'last_message';

/** Kong's `text_source`: which request texts a guardrail inspects. */
export function selectTexts(slots: TextSlot[], source: TextSource): TextSlot[] {
  if (source === 'concatenate_user_content') return slots.filter((s) => s.role === 'user');
  if (source === 'last_message') return slots.slice(-1);
  return slots;
}

/** The texts of a buffered AI response (chat, completions, Anthropic messages). */
export function responseTexts(body: unknown): TextSlot[] {
  if (!isObject(body)) return [];
  const out: TextSlot[] = [];
  for (const ch of Array.isArray(body.choices) ? body.choices : []) {
    if (!isObject(ch)) continue;
    if (isObject(ch.message)) out.push(...contentSlots(ch.message, null));
    if (typeof ch.text === 'string') out.push(field(ch, 'text', null));
  }
  if (body.type === 'message') out.push(...contentSlots(body, null));
  return out;
}

/** A buffered response body as text, decompressed when the upstream compressed it; drops the encoding headers. */
export function decodedBody(res: BufferedResponse): string {
  const v = res.headers['content-encoding'];
  const enc = String(Array.isArray(v) ? v[0] : v ?? '').trim().toLowerCase();
  let buf = res.body;
  if (enc === 'gzip' || enc === 'x-gzip') buf = gunzipSync(buf);
  else if (enc === 'deflate') buf = inflateSync(buf);
  else if (enc === 'br') buf = brotliDecompressSync(buf);
  if (enc !== '') delete res.headers['content-encoding'];
  return buf.toString('utf8');
}
