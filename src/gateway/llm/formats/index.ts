/**
 * THE list of client formats an AI route can speak (`llm_format`): OpenAI's (canonical, the identity
 * adapter) and the ones aigw translates. Core code asks this registry for a format and never
 * compares against a format name; adding a format is one file plus one line here.
 *
 * Kong's other formats (`gemini`, `bedrock`, `cohere`, `huggingface`) are accepted by the schema but
 * not served: `aigw serve` refuses a plugin using one at startup (src/gateway/not-served.ts).
 */
import { anthropic } from './anthropic.js';
import { openai } from './openai.js';
import { responses } from './responses.js';
import type { ClientFormat } from './types.js';

export type { ClientFormat, ClientStream, ConversationStore, FormatEnv, StreamTextField } from './types.js';

export const CLIENT_FORMATS: readonly ClientFormat[] = [openai, anthropic, responses];

const BY_NAME: ReadonlyMap<string, ClientFormat> = new Map(CLIENT_FORMATS.map((f) => [f.name, f]));

/** The canonical format (the `llm_format` default). */
export const CANONICAL: ClientFormat = openai;
export const CANONICAL_FORMAT = CANONICAL.name;

/** The format of an `llm_format` value; undefined for formats aigw does not serve. */
export function clientFormat(name: string | null | undefined): ClientFormat | undefined {
  return BY_NAME.get(name ?? CANONICAL_FORMAT);
}

/**
 * The format of a proxy route: the one serving its route type (`llm/v1/responses` → responses),
 * else its `llm_format`'s. Undefined for an `llm_format` aigw does not serve.
 */
export function routeFormat(routeType: string, llmFormat: string | null | undefined): ClientFormat | undefined {
  return CLIENT_FORMATS.find((f) => f.routeType === routeType) ?? clientFormat(llmFormat);
}

/** The format a route's clients speak (the canonical one when no proxy plugin says otherwise). */
export function formatOf(name: string | null | undefined): ClientFormat {
  return clientFormat(name) ?? CANONICAL;
}
