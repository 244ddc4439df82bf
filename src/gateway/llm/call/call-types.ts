/** The types of one LLM call: its target, options and result (see client.ts). */
import type { Dispatcher } from 'undici';
import type { CanonicalChunk, CanonicalResponse, RouteType, Usage } from '../wire/openai-types.js';
import type { AuthConfig, ModelOptions } from '../../providers/types.js';
import type { CallSignal } from '../wire/abort.js';

/** Kong's shared LLM record (kong.md §1.1): ai-proxy's config, a failover target, a transformer's `llm`. */
export interface LlmTarget {
  route_type: RouteType;
  auth?: AuthConfig | null;
  model: { provider: string; name?: string | null; options?: ModelOptions | null };
  logging?: { log_statistics?: boolean; log_payloads?: boolean } | null;
}

/** Milliseconds. `write` is accepted for Kong parity; undici has no write timeout, so it is not enforced. */
export interface LlmTimeouts { connect: number; read: number; write: number }

/** Per-call options. What every call shares (env, clock, pools, credential sources) is the caller's. */
export interface CallOptions {
  stream: boolean;
  /** Used as the response/chunk `id` when the upstream gives none. */
  requestId: string;
  /** Default 60000 each (Kong's defaults). */
  timeouts?: LlmTimeouts;
  /** Aborts the upstream call (e.g. the client went away). An abort rejects with the signal's reason. */
  signal?: CallSignal;
  /** The client's query string (Azure reads `api-version` from it first). */
  clientQuery?: URLSearchParams;
  /** Extra headers forwarded upstream; the provider's own headers and credentials win over them. */
  headers?: Record<string, string>;
}

/** GCP service-account JSON → OAuth access token (Gemini on Vertex with `gcp_use_service_account`). */
export type GcpTokenSource = (serviceAccountJson: string) => Promise<string>;

/** What one caller owns and hands to every call: the process environment, the clock, credential sources and pools. */
export interface CallerEnv {
  /** Where providers read AWS_* / GCP_SERVICE_ACCOUNT / AWS_REGION when the config does not say. */
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  gcpAccessToken: GcpTokenSource;
  /** The keep-alive pool for a connect timeout. */
  dispatcher(connectTimeout: number): Dispatcher;
}

export type UpstreamHeaders = Record<string, string | string[]>;

export interface BufferedSuccess {
  ok: true;
  kind: 'buffered';
  status: number;
  headers: UpstreamHeaders;
  response: CanonicalResponse;
  usage: Usage;
  /** Request sent → whole body received. */
  latencyMs: number;
  /** Model actually used (config `model.name`, else the request's). */
  model: string;
  /**
   * The upstream's body (decoded, valid UTF-8) and its text, when `response` is that JSON unchanged
   * (same values, keys in the same order): ai-proxy then sends these bytes instead of serialising the
   * response again (whitespace and escapes stay the upstream's). Undefined otherwise.
   */
  bytes: Buffer | undefined;
  text: string | undefined;
}

export interface StreamSummary {
  usage: Usage;
  /** Request sent → end of the upstream body. */
  latencyMs: number;
  /** Request sent → first translated chunk; null when none came. */
  firstTokenMs: number | null;
  /** The composite answer (joined text, last finish_reason, usage), for logging and caching. */
  response: CanonicalResponse;
  /** Set when the stream broke (upstream closed early, bad framing, upstream error event, timeout). */
  error?: string;
}

export interface StreamSuccess {
  ok: true;
  kind: 'stream';
  status: number;
  headers: UpstreamHeaders;
  /** Iterate once. Throws LlmStreamError when the stream breaks midway (after `done` settles). */
  chunks: AsyncIterable<CanonicalChunk>;
  /**
   * The same chunks grouped by upstream read (never empty arrays), so a proxy can write each group
   * in one syscall. Iterate either `chunks` or `batches`, never both.
   */
  batches: AsyncIterable<CanonicalChunk[]>;
  /** Settles (never rejects) when the stream ended, broke, or the consumer stopped iterating. */
  done: Promise<StreamSummary>;
  model: string;
}

export type CallFailureKind = 'http' | 'timeout' | 'connect' | 'garbage';

/**
 * `http`: the upstream answered non-200; `status`, `headers` and `body` are its reply, to pass
 * through raw. Otherwise `status` is the gateway's (504 timeout, 502 connect/garbage) and `body`
 * is Kong's `{"error":{"message":…}}`.
 */
export interface CallFailure {
  ok: false;
  status: number;
  headers: UpstreamHeaders;
  body: Buffer;
  error: CallFailureKind;
  /** Human-readable cause (also inside `body` for gateway-made failures). */
  message: string;
  latencyMs: number;
}

export type ProviderCallResult = BufferedSuccess | StreamSuccess | CallFailure;
