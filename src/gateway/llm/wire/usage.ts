/**
 * Normalised token usage and cost (kong.md §2.5). Upstream usage always wins; when absent, prompt
 * tokens are estimated as word count (× 1.8 when streaming) and completion tokens as
 * ceil(characters / 4). Usage is never a string: missing values are zeros plus estimates.
 */
import { asNumber, contentText, isObject, type CanonicalRequest, type Usage } from './openai-types.js';

export function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m === null ? 0 : m.length;
}

function requestText(req: CanonicalRequest): string {
  const parts: string[] = [];
  for (const m of req.messages ?? []) parts.push(contentText(m.content));
  for (const field of [req.prompt, req.input]) {
    if (typeof field === 'string') parts.push(field);
    else if (Array.isArray(field)) parts.push(...field);
  }
  return parts.join(' ');
}

/** Kong's prompt-token estimate: words × 1.0, or × 1.8 for streamed requests. */
export function estimatePromptTokens(req: CanonicalRequest, stream: boolean): number {
  const words = countWords(requestText(req));
  return stream ? Math.ceil(words * 1.8) : words;
}

export function estimateCompletionTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function makeUsage(prompt: number, completion: number, total?: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total ?? prompt + completion };
}

/**
 * The numeric members of a `*_tokens_details` object, in their order; undefined when there are none.
 * An object whose members are all finite numbers (what providers send) is returned as it is, not
 * copied: usage objects are never modified in place, and the answer pass-through (client.ts,
 * `sameJson`) then finds the upstream's own object without comparing its members.
 */
function numericDetails(v: unknown): Record<string, number> | undefined {
  if (!isObject(v)) return undefined;
  let numbers = 0;
  let others = 0;
  for (const k in v) {
    if (asNumber(v[k]) !== undefined) numbers++;
    else others++;
  }
  if (numbers === 0) return undefined;
  if (others === 0) return v as Record<string, number>;
  const out: Record<string, number> = {};
  for (const k in v) {
    const x = asNumber(v[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

/**
 * Reads an OpenAI-shaped usage object; null when it is absent or malformed. Keeps the service tier
 * (the body's `service_tier`) and the details as the upstream reported them, numbers only:
 * `prompt_tokens_details` (`cached_tokens`, priced as cache reads; `audio_tokens`) and
 * `completion_tokens_details` (`reasoning_tokens`, …), which clients such as the OpenAI SDKs and
 * Codex read.
 */
export function parseOpenAIUsage(v: unknown, serviceTier?: unknown): Usage | null {
  if (!isObject(v)) return null;
  const p = asNumber(v.prompt_tokens);
  const c = asNumber(v.completion_tokens);
  if (p === undefined && c === undefined) return null;
  const u = makeUsage(p ?? 0, c ?? 0, asNumber(v.total_tokens));
  const prompt = numericDetails(v.prompt_tokens_details);
  if (prompt !== undefined) u.prompt_tokens_details = prompt;
  const completion = numericDetails(v.completion_tokens_details);
  if (completion !== undefined) u.completion_tokens_details = completion;
  if (typeof serviceTier === 'string' && serviceTier !== '') u.service_tier = serviceTier;
  return u;
}

/**
 * Final usage for a request: upstream usage when it reported any, otherwise the estimates.
 * A partial report (e.g. completion only) is filled in with the estimate for the missing side.
 */
export function resolveUsage(upstream: Usage | null, promptEstimate: number, completionText: string): Usage {
  if (upstream !== null && (upstream.prompt_tokens > 0 || upstream.completion_tokens > 0)) {
    const prompt = upstream.prompt_tokens > 0 ? upstream.prompt_tokens : promptEstimate;
    // built member by member, not spread: the same key order, without V8's slow path for spreads
    const u = makeUsage(prompt, upstream.completion_tokens, prompt === upstream.prompt_tokens ? upstream.total_tokens : undefined);
    if (upstream.prompt_tokens_details) u.prompt_tokens_details = upstream.prompt_tokens_details;
    if (upstream.completion_tokens_details) u.completion_tokens_details = upstream.completion_tokens_details;
    if (upstream.service_tier !== undefined) u.service_tier = upstream.service_tier;
    return u;
  }
  return makeUsage(promptEstimate, estimateCompletionTokens(completionText));
}
