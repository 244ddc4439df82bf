/**
 * THE list of client wire formats other than OpenAI's that an AI route can accept (`llm_format`).
 * Core code (request parsing, the proxy's answers and errors) asks this registry for an adapter and
 * never compares against a format name; adding a format is one file plus one line here.
 */
import type { CanonicalChunk, CanonicalRequest, ChatCompletion, JsonObject, Usage } from '../wire/openai-types.js';
import { anthropicErrorBody, anthropicRequestToOpenAI, countTokens, openAIChunksToAnthropicEvents, openAIResponseToAnthropic } from './anthropic.js';

/** One server-sent event of a native stream (`event:` name and JSON `data:`). */
export interface NativeEvent {
  event: string;
  data: JsonObject;
}

export interface NativeStream {
  onChunk(chunk: CanonicalChunk): NativeEvent[];
  /** Ends the stream; `usage` is the final count. */
  end(usage?: Usage): NativeEvent[];
}

export interface ClientFormat {
  name: string;
  /** Client request → canonical request; throws TranslationError(400) on malformed input. */
  toCanonical(body: JsonObject): CanonicalRequest;
  /** Canonical chat completion → the client's response body. */
  response(resp: ChatCompletion): JsonObject;
  /** A gateway-made error in the client's error shape. */
  errorBody(status: number, message: string): JsonObject;
  /** Canonical chunks → the client's stream events. */
  stream(opts: { id: string; model: string }): NativeStream;
  /** Requests the gateway answers itself: path test and answer (e.g. Anthropic's count_tokens). */
  local?: { matches(path: string): boolean; answer(body: unknown): JsonObject };
}

const anthropic: ClientFormat = {
  name: 'anthropic',
  toCanonical: anthropicRequestToOpenAI,
  response: openAIResponseToAnthropic,
  errorBody: anthropicErrorBody,
  stream: (opts) => openAIChunksToAnthropicEvents(opts),
  local: { matches: (path) => /\/messages\/count_tokens\/?$/.test(path), answer: countTokens },
};

const FORMATS: ReadonlyMap<string, ClientFormat> = new Map([[anthropic.name, anthropic]]);

/** The adapter for an `llm_format`; null for OpenAI (the canonical format itself) and unknown names. */
export function clientFormat(name: string | null | undefined): ClientFormat | null {
  return name === null || name === undefined ? null : (FORMATS.get(name) ?? null);
}

/** Whether aigw can serve clients in this `llm_format` (OpenAI or a registered adapter). */
export function isServedFormat(name: string): boolean {
  return name === CANONICAL_FORMAT || FORMATS.has(name);
}

/** The canonical format's `llm_format` name. */
export const CANONICAL_FORMAT = 'openai';
