/**
 * The provider contract: pure translators between the canonical OpenAI format and one LLM
 * provider's wire format. Providers never perform I/O themselves; the pipeline owns the network
 * call, deframing, usage accounting and error shaping (see ../ai/ and ./translate.ts).
 */
import type { AwsCredentials } from '../llm/wire/aws-sigv4.js';
import type { Pricing } from '../llm/wire/pricing.js';
import type { ApiRouteType } from '../llm/wire/api-routes.js';
import type { FramedEvent, Framing } from '../llm/wire/framing.js';
import type {
  CanonicalChunk, CanonicalRequest, CanonicalResponse, JsonObject, RouteType, Usage,
} from '../llm/wire/openai-types.js';

export type { RouteType };

/** Kong `model.options` (kong.md §1.1), snake_case as in the state file. */
/** `input_cost`, `output_cost` and Kong 3.14's pricing options come from Pricing (llm/wire/pricing.ts). */
export interface ModelOptions extends Pricing {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  anthropic_version?: string;
  azure_instance?: string;
  azure_api_version?: string;
  azure_deployment_id?: string;
  llama2_format?: 'raw' | 'openai' | 'ollama';
  mistral_format?: 'openai' | 'ollama';
  upstream_url?: string;
  /** Deprecated in Kong; replaces the path of the computed URL. */
  upstream_path?: string;
  gemini?: { api_endpoint?: string; project_id?: string; location_id?: string };
  bedrock?: { aws_region?: string };
  huggingface?: { use_cache?: boolean; wait_for_model?: boolean };
  /** Kong 3.13: DashScope's international endpoint (default true) or mainland China's. */
  dashscope?: { international?: boolean };
  /** Kong 3.14: the Databricks workspace (`{id}.cloud.databricks.com`). */
  databricks?: { workspace_instance_id?: string };
  /** Kong 3.11: vector size asked of embeddings models when the request does not say. */
  embeddings_dimensions?: number;
  /** Kong 3.11: Cohere embeddings `input_type` when the request does not say. */
  cohere?: { embedding_input_type?: string };
}

/** Kong `auth` record (kong.md §1.1). */
export interface AuthConfig {
  header_name?: string;
  header_value?: string;
  param_name?: string;
  param_value?: string;
  param_location?: 'query' | 'body';
  gcp_use_service_account?: boolean;
  gcp_service_account_json?: string;
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  allow_override?: boolean;
}

/** Everything a translator may depend on for one request. Effects (clock, env, token fetch) are injected. */
export interface ProviderContext {
  routeType: RouteType;
  /** Resolved model name (config `model.name`, else the body's `model`). */
  model: string;
  options: ModelOptions;
  auth: AuthConfig;
  stream: boolean;
  env: Record<string, string | undefined>;
  now: () => Date;
  /** Used as the `id` of responses and chunks when the upstream gives none. */
  requestId: string;
  /** The client's query string (Azure takes `api-version` from it first). */
  clientQuery?: URLSearchParams;
  /** Fetches a GCP OAuth access token for a service-account JSON (Gemini on Vertex). */
  gcpAccessToken?: (serviceAccountJson: string) => Promise<string>;
}

/** The upstream call the pipeline will make. `body` is a JSON value, or a string sent verbatim. */
export interface UpstreamRequest {
  /** GET and DELETE only for native calls (a stored response, its input items). */
  method: 'POST' | 'GET' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export interface ProviderCapabilities {
  routeTypes: readonly RouteType[];
  /** Whether chat/completions can stream. */
  streaming: boolean;
  /** Whether the upstream stream reports token usage (otherwise it is estimated). */
  usageInStream: boolean;
  /** Route types for which Kong refuses `logging.log_statistics` with this provider (a config check). */
  noStatistics?: readonly (RouteType | ApiRouteType)[];
}

/**
 * The API route types (images, audio, files, batches, assistants, realtime, videos) a provider serves
 * as pass-through calls in OpenAI's shapes: only where the upstream goes, the body is the client's.
 */
export interface ProviderApis {
  routeTypes: readonly ApiRouteType[];
  /**
   * The upstream URL of an OpenAI resource path (`/images/generations`, `/files/file-1/content`),
   * honouring `upstream_url` (see api-endpoint.ts). Throws TranslationError when configuration is missing.
   */
  url(ctx: ProviderContext, routeType: ApiRouteType, resource: string): URL;
}

/** Per-request streaming state, created by `Provider.streamTranslator`. */
export interface StreamTranslator {
  /** One deframed upstream event → zero or more canonical chunks. */
  onEvent(ev: FramedEvent): CanonicalChunk[];
  /** End of the upstream body → any final chunks. */
  onEnd(): CanonicalChunk[];
  /** Usage reported by the upstream so far; null when it reported none. */
  usage(): Usage | null;
}

export interface Provider {
  /** Kong provider name, as in `model.provider`. */
  name: string;
  /** The Kong version that added the provider, when later than 3.10 (the schemas mark it an extension for 3.10). */
  since?: string;
  capabilities: ProviderCapabilities;
  /** The API route types it serves, when any. */
  apis?: ProviderApis;
  /** Upstream URL (kong.md §2.1), honouring `upstream_url`/`upstream_path`. Throws TranslationError. */
  endpoint(ctx: ProviderContext): URL;
  /** Adds credentials: header / query / body param, SigV4, GCP bearer. */
  authorize(ctx: ProviderContext, req: UpstreamRequest): Promise<UpstreamRequest> | UpstreamRequest;
  /**
   * Canonical request → provider body (and extra headers). Throws TranslationError (400) on bad
   * input. Never modifies `body` (the caller keeps using it: usage estimates, the stream session).
   */
  toUpstream(ctx: ProviderContext, body: CanonicalRequest): { body: JsonObject; headers?: Record<string, string> };
  /**
   * A 200 provider body → canonical response. Usage may be zeros; the caller fills estimates. Never
   * modifies `body` (it may share parts of it): the caller compares the response with it, and a
   * response that serialises as the body did is sent as the upstream's bytes (llm/call/client.ts).
   */
  fromUpstream(ctx: ProviderContext, status: number, body: unknown): CanonicalResponse;
  /** How the upstream stream is framed. */
  framing(ctx: ProviderContext): Framing;
  streamTranslator(ctx: ProviderContext): StreamTranslator;
  /** Extra `ai.proxy.meta` fields of this provider's calls (Azure: instance, deployment, api-version). */
  analyticsMeta?(options: ModelOptions, clientQuery: URLSearchParams): Record<string, string> | undefined;
}

export type { AwsCredentials };
