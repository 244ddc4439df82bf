/**
 * The client-format contract: how an AI route talks to its clients (`llm_format`). The canonical
 * format is OpenAI's (the identity adapter); others translate to and from it at the edge, so
 * everything between (plugins, the LLM call) sees canonical requests and responses only.
 */
import type { CanonicalChunk, CanonicalRequest, CanonicalResponse, JsonObject, Usage } from '../wire/openai-types.js';

/** The client's half of one streamed answer: canonical chunks in, the client's SSE text out. */
export interface ClientStream {
  chunk(chunk: CanonicalChunk): string;
  /** The end of a complete stream; `usage` is the final count. */
  end(usage: Usage): string;
  /** The frame reporting a stream that broke after it started. */
  error(message: string): string;
  /** After `end`: the whole answer in the client's format (what a buffered reply would have been), for formats that keep it. */
  final?(): unknown;
}

/**
 * The conversations a route's proxy plugin stored (the Responses API's `store`), as a client
 * format reads them while converting a request. Items are in the client's (Responses) shape.
 */
export interface ConversationStore {
  /** The items of a stored response's whole conversation, oldest first; `missing` names a link no longer stored. */
  conversation(responseId: string, owner: string | null): { items: JsonObject[] } | { missing: string } | undefined;
  /** One stored item (input or output) by id. */
  item(itemId: string, owner: string | null): JsonObject | undefined;
}

/** What a client format may use while converting one request. */
export interface FormatEnv {
  /** The gateway's request id (minted ids derive from it). */
  requestId: string;
  /** The consumer the request authenticated as; stored conversations are visible to their owner only. */
  owner: string | null;
  /** The route's stored conversations, when its proxy plugin keeps them. */
  conversations?: ConversationStore;
}

/** One text field of a streamed frame the client gets (for ai-sanitizer's restoring of placeholders). */
export interface StreamTextField {
  /** Identifies the field across frames (e.g. `choice:0`). */
  key: string;
  get(): string;
  set(v: string): void;
  /** Whether no more text follows for this key. */
  final: boolean;
  /** A frame carrying only `text` for this field. */
  synth(text: string): JsonObject;
}

export interface ClientFormat {
  /** The `llm_format` value (or, for a format chosen by `routeType`, its name). */
  name: string;
  /** The route type whose clients speak this format whatever the `llm_format` (responses: `llm/v1/responses`). */
  routeType?: string;
  /** True for the canonical format: the client's body is the canonical request, unchanged. */
  identity: boolean;
  /**
   * Whether routes in this format may use any provider. Kong's own native formats (gemini,
   * bedrock) require the provider of the same name; aigw's adapters translate for every provider.
   */
  anyProvider: boolean;
  /**
   * Whether the client's SDKs always send a model, so a configured `model.name` silently replaces
   * it (otherwise a different client model is Kong's 400 `cannot use own model`).
   */
  sdkSendsModel: boolean;
  /** Client request → canonical request; throws TranslationError(400) on malformed input. */
  toCanonical(body: JsonObject, env: FormatEnv): CanonicalRequest;
  /** Canonical response → the client's response body (`request` is the canonical request sent). */
  response(resp: CanonicalResponse, request: CanonicalRequest): unknown;
  /** A gateway-made error in the client's error shape. */
  errorBody(status: number, message: string): JsonObject;
  /**
   * Headers of the client's own protocol that describe its body (API versions, betas): never
   * forwarded to a provider, which gets a translated body (the provider adapter sets its own).
   */
  protocolHeaders?: readonly string[];
  /** Whether a reply body is already this format's error (the boundary then leaves it alone). */
  errorIsOwn?(body: unknown): boolean;
  /** An upstream LLM's non-200 reply as the client gets it: raw (identity) or in the client's shape. */
  upstreamError(status: number, body: Buffer): Buffer | null;
  /** `request` is the canonical request sent (a format may keep its client request there, see CLIENT_STATE). */
  stream(opts: { id: string; model: string; includeUsage: boolean; request?: CanonicalRequest }): ClientStream;
  /** The text fields of one parsed frame of this format's streams (none when the frame is not this format's). */
  streamTextFields(frame: JsonObject): StreamTextField[];
  /** Requests the gateway answers itself: path test and answer (e.g. Anthropic's count_tokens). */
  local?: { matches(path: string): boolean; answer(body: unknown): JsonObject };
}
