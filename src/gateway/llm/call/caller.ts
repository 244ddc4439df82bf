/**
 * The LLM caller: one object per gateway process, handed to every Runtime and, through
 * `PluginDeps.llm`, to every plugin that calls an LLM (ai-proxy, ai-proxy-advanced, the AI
 * transformers, semantic-cache and semantic-routing embeddings). It owns what every call shares,
 * so no plugin can forget a piece of it:
 *
 *   env        the process environment (AWS_*, GCP_SERVICE_ACCOUNT, AWS_REGION fallbacks)
 *   clock      `created` timestamps and SigV4 signing
 *   gcp tokens one GCP service-account token source with its cache (Gemini on Vertex)
 *   pools      one keep-alive undici Agent per connect timeout; closed with the gateway
 *
 * Pools outlive a reload (the next Runtime gets the same caller), so keep-alive connections to
 * the LLMs survive configuration changes.
 */
import type { Dispatcher } from 'undici';
import { Agent } from './undici-core.js';
import type { CanonicalRequest } from '../wire/openai-types.js';
import type { ProviderContext, UpstreamRequest } from '../../providers/types.js';
import { apiContext, callApi, prepareApi, type ApiRequest, type ApiResult } from './api-call.js';
import type { CallerEnv, CallOptions, GcpTokenSource, LlmTarget, ProviderCallResult } from './call-types.js';
import { callProvider, providerContext } from './client.js';
import { callNative, type NativeRequest, type NativeResult } from './native.js';
import { gcpTokenSource } from './gcp-token.js';

export interface LlmCallerOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Clock (tests); default the wall clock. */
  now?: () => Date;
  /** GCP token source (tests); default one with its own cache, fetching from each account's `token_uri`. */
  gcpAccessToken?: GcpTokenSource;
  /** Every call through this dispatcher instead of the keep-alive pools (the warm-up's stub upstream, warm-up.ts). */
  dispatcher?: Dispatcher;
}

export interface LlmCaller {
  /** One LLM call (see client.ts for the result kinds and what throws). */
  call(target: LlmTarget, request: CanonicalRequest, opts: CallOptions): Promise<ProviderCallResult>;
  /** One call in the provider's own API, passed through (native.ts: the Responses API on openai/azure). */
  native(target: LlmTarget, request: NativeRequest, opts: CallOptions): Promise<NativeResult>;
  /** The provider context of a call that is not a canonical request (ai-proxy's `preserve`). */
  providerContext(target: LlmTarget, opts: Pick<CallOptions, 'stream' | 'requestId' | 'clientQuery'>): ProviderContext;
  /** One call of an API route type (images, audio, files…): see api-call.ts. */
  callApi(target: LlmTarget, request: ApiRequest, opts: CallOptions): Promise<ApiResult>;
  /** The authorised upstream request of an API call without sending it (realtime's WebSocket upgrade). */
  prepareApi(target: LlmTarget, request: ApiRequest, opts: Pick<CallOptions, 'requestId' | 'clientQuery'>): Promise<UpstreamRequest>;
  /** The keep-alive pool for a connect timeout (ai-proxy's `preserve` sends through it too). */
  dispatcher(connectTimeout: number): Dispatcher;
  close(): Promise<void>;
}

export function createLlmCaller(opts: LlmCallerOptions): LlmCaller {
  const pools = new Map<number, Agent>();
  const env: CallerEnv = {
    env: opts.env,
    now: opts.now ?? (() => new Date()),
    gcpAccessToken: opts.gcpAccessToken ?? gcpTokenSource(),
    dispatcher(connectTimeout) {
      if (opts.dispatcher) return opts.dispatcher;
      let a = pools.get(connectTimeout);
      if (!a) {
        a = new Agent({ connect: { timeout: connectTimeout }, keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
        pools.set(connectTimeout, a);
      }
      return a;
    },
  };
  return {
    call: (target, request, callOpts) => callProvider(target, request, callOpts, env),
    native: (target, request, callOpts) => callNative(target, request, callOpts, env),
    providerContext: (target, callOpts) => providerContext(target, {}, callOpts, env),
    callApi: (target, request, callOpts) => callApi(target, request, callOpts, env),
    prepareApi(target, request, callOpts) {
      const { provider, ctx } = apiContext(target, request.routeType, request.model, callOpts, env);
      return prepareApi(provider, ctx, request);
    },
    dispatcher: (connectTimeout) => env.dispatcher(connectTimeout),
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((a) => a.close()));
    },
  };
}
