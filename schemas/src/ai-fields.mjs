// Fields shared by the AI plugins Kong added after 3.10: the guardrails (ai-azure-content-safety,
// ai-aws-guardrails, ai-gcp-model-armor, ai-lakera-guard, ai-custom-guardrail) and the semantic
// plugins (vector database record, genai_category), as Kong 3.14 writes them. Each plugin's
// schema.mjs picks what it has, gated by the Kong version that added it.
import { bool, num, str, since } from './dsl.mjs';
import { vectordb } from './llm.mjs';

export const GUARDING_MODES = ['INPUT', 'OUTPUT', 'BOTH'];

export function guardingMode() {
  return str("What the guardrail inspects: the request ('INPUT'), the response ('OUTPUT') or both.", {
    required: true, default: 'INPUT', one_of: GUARDING_MODES,
  });
}

/** `text_source`: which part of the chat is sent to the guardrail; 'last_message' is Kong 3.14+. */
export function textSource(kong, dflt = 'concatenate_all_content') {
  const values = ['concatenate_all_content', 'concatenate_user_content'];
  if (since(kong, '3.14')) values.push('last_message');
  return str('Which content of the request is inspected: every message, the user messages, or the last message only.', {
    required: true, default: dflt, one_of: values,
  });
}

export function responseBufferSize() {
  return num('Tokens of a streamed response buffered before each inspection.', { required: true, default: 100 });
}

export function stopOnError() {
  return bool('Refuse the request when the guardrail service cannot be reached or fails.', { required: true, default: true });
}

export function timeoutMs(d = 'Timeout of each call to the guardrail service (ms).') {
  return num(d, { required: true, default: 10000 });
}

export function logBlockedContent() {
  return bool('Log the blocked prompt or response under the plugin\'s log namespace.', { required: true, default: false });
}

/**
 * The vectordb record of the semantic plugins. Since Kong 3.13 `threshold` is optional (the
 * plugin's own `search.threshold` is what counts), before it was required.
 */
export function semanticVectordb(kong) {
  const props = vectordb();
  if (since(kong, '3.13')) props.threshold = num('Default similarity threshold for accepting semantic search results.');
  return props;
}

export const GENAI_CATEGORIES = ['text/generation', 'text/embeddings', 'audio/speech', 'audio/transcription', 'image/generation', 'realtime/generation', 'video/generation'];

/** `genai_category` of the semantic guards (Kong 3.11; `video/generation` 3.13). */
export function genaiCategory(kong) {
  const values = GENAI_CATEGORIES.filter((v) => v !== 'video/generation' || since(kong, '3.13'));
  return str('Generative AI category of the request.', { required: true, default: 'text/generation', one_of: values });
}
