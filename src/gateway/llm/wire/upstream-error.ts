import { isObject } from './openai-types.js';

/** The message inside a provider's error body (OpenAI, Anthropic, Cohere, Gemini, HF shapes). */
export function upstreamErrorMessage(body: Buffer): string {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8').slice(0, 500);
  }
  if (!isObject(v)) return String(v);
  const e = v.error;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  if (typeof e === 'string') return e;
  if (typeof v.message === 'string') return v.message;
  return JSON.stringify(v).slice(0, 500);
}
