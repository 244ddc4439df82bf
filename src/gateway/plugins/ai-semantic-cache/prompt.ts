/**
 * What the semantic cache vectorises and keys on (kong.md §1.9): the last `message_countback`
 * chat messages after dropping the ignored roles (system / assistant / tool), or the completion
 * prompt. The exact key hashes the same messages with their roles plus the model, so two requests
 * share an exact entry only when they are the same conversation tail for the same model.
 */
import { createHash } from 'node:crypto';
import { contentText, type CanonicalRequest, type ChatMessage } from '../../llm/wire/openai-types.js';

export interface PromptOptions {
  messageCountback: number;
  ignoreSystem: boolean;
  ignoreAssistant: boolean;
  ignoreTool: boolean;
}

export interface CachePrompt {
  /** Text sent to the embeddings model. */
  text: string;
  /** sha256 of model + roles + contents. */
  exactKey: string;
}

function kept(m: ChatMessage, o: PromptOptions): boolean {
  if (m.role === 'system' || m.role === 'developer') return !o.ignoreSystem;
  if (m.role === 'assistant') return !o.ignoreAssistant;
  if (m.role === 'tool' || m.role === 'function') return !o.ignoreTool;
  return true;
}

/** The prompt of a request, or null when there is nothing textual to cache on. */
export function cachePrompt(body: CanonicalRequest, o: PromptOptions): CachePrompt | null {
  let parts: Array<{ role: string; text: string }>;
  if (Array.isArray(body.messages) && body.messages.length > 0) {
    const messages = body.messages.filter((m) => kept(m, o)).slice(-o.messageCountback);
    parts = messages.map((m) => ({ role: m.role, text: contentText(m.content) }));
  } else if (typeof body.prompt === 'string') {
    parts = [{ role: 'prompt', text: body.prompt }];
  } else if (Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string')) {
    parts = body.prompt.map((p) => ({ role: 'prompt', text: p }));
  } else return null;
  const text = parts.map((p) => p.text).join('\n').trim();
  if (text === '') return null;
  const exactKey = createHash('sha256').update(JSON.stringify([body.model ?? '', parts])).digest('hex');
  return { text, exactKey };
}

/**
 * The tenant an entry belongs to: the authenticated consumer, else everyone. Entries never cross
 * scopes, so one consumer never receives an answer cached for another.
 */
export function cacheScope(consumerId: string | null, model: string | undefined): string {
  return `${consumerId === null ? 'public' : `consumer:${consumerId}`}|${model ?? ''}`;
}
