/**
 * The plugin contract. A Plugin is registered once in `plugins/index.ts`; `create` runs once per
 * plugin entity per Runtime and returns an instance with any of the phases below, which the
 * pipeline runs in descending `priority` (Kong's order).
 *
 *   start    once the route is known, before any access phase, on the route's unscoped instance
 *            (the consumer is not known yet): observers that must see the whole request (tracing
 *            propagates its headers here, and may set `ctx.phases = []` to have every phase timed)
 *   access   may short-circuit by returning a Reply, or set `ctx.upstreamHandler`
 *   response the whole upstream response, buffered (only when some plugin on the route has it)
 *   chunk    each streamed chunk; return a replacement, or null to drop it
 *   header   the response headers just before they are sent (Kong's header_filter): upstream
 *            responses, streamed or not, and gateway replies (exits, errors) of the route
 *   replyBody a gateway reply's body (Kong's body_filter on exits), after the header phases
 *   log      after the client got the response; never delays it; errors are logged, not sent.
 *            Every log phase of a request gets the same LogRecord object (higher priority first),
 *            so a plugin may add fields (e.g. `ai`) that later log plugins serialise.
 */
import type { Registry } from 'prom-client';
import type { PluginConfigs, PluginName } from '../config/generated/plugin-configs.js';
import type { AiBodyLimit, AiModel, BufferedResponse, GatewayContext, HeaderMap, HeaderValue, Reply } from './context.js';
import type { Logger } from './log.js';
import type { LogRecord } from './log-record.js';
import type { Consumers } from './consumers.js';
import type { LlmCaller } from './llm/call/caller.js';
import type { ConversationStore } from './llm/formats/types.js';

export type Awaitable<T> = T | Promise<T>;

/** One counter of a limit and how much of it is used (a rate-limiting window, a token budget). */
export interface LimitState {
  /** Who is counted, as the plugin identifies requests: a consumer id, `consumer:<id>`, `ip:<addr>`, an IP… */
  subject: string;
  /** The window and what it counts: `minute`, `60 s openai`, `3600 s openai/gpt-4o`. */
  window: string;
  unit: 'requests' | 'tokens' | 'cost';
  limit: number;
  used: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

/** The downstream response headers, case-insensitive, as the `header` phase edits them. */
export interface ResponseHeaders {
  readonly status: number;
  get(name: string): HeaderValue | undefined;
  /** Replace every value of `name`. */
  set(name: string, value: HeaderValue): void;
  /** Add a value to `name` (Kong's `kong.response.add_header`). */
  add(name: string, value: string): void;
  remove(name: string): void;
}

export interface PluginInstance {
  /**
   * For plugins that own the upstream call of an AI route (ai-proxy, ai-proxy-advanced): the
   * client wire format they accept (`llm_format`). Every AI plugin on the route parses the body in
   * this format, whatever its own priority (see llm/formats/request.ts).
   */
  readonly inputFormat?: string;
  /**
   * For the same plugins: the provider/model pairs a request on the route may go to (`model` null
   * when the client chooses it). Budgets and other AI plugins use it to apply only the limits that
   * concern the route.
   */
  readonly aiModels?: readonly AiModel[];
  /**
   * For the same plugins, when they parse the body as an AI request: the limit they read it with
   * (`max_request_body_size`). A plugin that must see the parsed body before them (token budgets)
   * parses it with the same limit, so the answer to an oversize or bad body does not change.
   */
  readonly aiBody?: AiBodyLimit;
  /** For the same plugins: the conversations they stored, which the route's client format may read (Responses API). */
  readonly conversations?: ConversationStore;
  start?(ctx: GatewayContext): void;
  access?(ctx: GatewayContext): Awaitable<Reply | undefined | void>;
  response?(ctx: GatewayContext, res: BufferedResponse): Awaitable<void>;
  /**
   * Whether `response` wants this proxied response buffered (decided on its status and headers);
   * when no plugin of the chain wants it, it streams through (`chunk` phases). Absent: every
   * response. A response that arrives buffered (AI routes) goes through every `response` phase.
   */
  buffers?(ctx: GatewayContext, status: number, headers: HeaderMap): boolean;
  chunk?(ctx: GatewayContext, chunk: Buffer): Awaitable<Buffer | null>;
  header?(ctx: GatewayContext, headers: ResponseHeaders): void;
  replyBody?(ctx: GatewayContext, res: BufferedResponse): void;
  log?(ctx: GatewayContext, record: LogRecord): Awaitable<void>;
  /**
   * What is used of this plugin's limits now (the dashboard's Totals); never called on the request
   * path. Rejects with the reason when the counters cannot be read.
   */
  limits?(now: number): Promise<LimitState[]>;
  /**
   * A plugin's own Admin API endpoints, as Kong's plugins have them (`POST /<plugin>/<id>/<action>`,
   * e.g. ai-rag-injector's `ingest_chunk`): the reply, or undefined for an unknown action (404).
   */
  admin?(action: string, body: Record<string, unknown>): Promise<PluginAdminReply | undefined>;
}

export interface PluginAdminReply {
  status: number;
  body: unknown;
}

/**
 * State that outlives one Runtime: one store per plugin id + config hash. A reload that leaves a
 * plugin's config unchanged hands the new instance the same store (rate-limit counters survive).
 */
export interface PluginStore {
  /** Get or create a value kept in this store; `dispose` runs when the store is dropped. */
  get<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T;
}

export interface PluginDeps {
  logger: Logger;
  store: PluginStore;
  /**
   * A store shared by every entity of this plugin that asks for the same `key` (Kong's shared
   * dicts), kept while one of them uses it; the plugin's Admin API endpoints see it too.
   */
  shared(key: string): PluginStore;
  /** The prometheus registry served on `/metrics`. */
  metrics: Registry;
  /** Consumers and credentials of the Runtime being built. */
  consumers: Consumers;
  env: Readonly<Record<string, string | undefined>>;
  /** The LLM caller (pools, credential sources, clock, env): every LLM call goes through it. */
  llm: LlmCaller;
  /** The plugin entity's id and scope (foreign key ids, null when unscoped). */
  pluginId: string;
  scope: { route: string | null; service: string | null; consumer: string | null; consumerGroup?: string | null };
  /** Wall clock in ms (injectable for tests). */
  now(): number;
}

/** What a plugin's Admin API endpoints see: its enabled entities and its shared stores. */
export interface PluginApiEnv {
  plugins: ReadonlyArray<{ id: string; config: Readonly<Record<string, unknown>> }>;
  shared(key: string): PluginStore;
  /** The clock the plugins' request phases see (ms; GatewayOptions.now, Date.now by default). */
  now(): number;
}

/** A plugin's own Admin API endpoints (Kong's `api.lua`), under `/<path>/...`. */
export interface PluginAdminApi {
  path: string;
  /** `segments`: the path after `/<path>`, decoded. */
  handle(method: string, segments: readonly string[], env: PluginApiEnv): Awaitable<{ status: number; body?: unknown }>;
}

export interface Plugin<C = Record<string, unknown>, Raw = Readonly<Record<string, unknown>>> {
  name: string;
  admin?: PluginAdminApi;
  /**
   * Kong's priority. Leave it out: a registered plugin's priority is declared once, in its schema
   * source (`plugins/<name>/schema.mjs` → `x-kong-priority`), and the runtime reads it from there.
   * Only plugins without a schema (tests) set it.
   */
  priority?: number;
  /** Compile the (already validated, defaults-filled) config into what `create` needs. */
  parse?(config: Raw): C;
  create(config: C, deps: PluginDeps): PluginInstance;
}

/**
 * A plugin of the registry, typed by its Kong name: `parse` (or `create`, without `parse`) gets the
 * config as the type generated from its schema (src/config/generated/plugin-configs.ts), so no
 * plugin narrows its config by hand. The schema validated and default-filled it before.
 */
export type KongPlugin<N extends PluginName, C = PluginConfigs[N]> = Plugin<C, PluginConfigs[N]> & { name: N };

/** Kong's `kong.response.error` reply. */
export function errorReply(status: number, message: string, headers?: Record<string, string>): Reply {
  return headers ? { status, message, headers } : { status, message };
}

/** Read a field of a config object with a fallback. */
export function field<T>(config: Readonly<Record<string, unknown>>, name: string, fallback: T): T {
  const v = config[name];
  return v === null || v === undefined ? fallback : (v as T);
}

/** A string array field (null → []). */
export function strings(config: Readonly<Record<string, unknown>>, name: string): string[] {
  const v = config[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A nested object field (null → {}). */
export function record(config: Readonly<Record<string, unknown>>, name: string): Readonly<Record<string, unknown>> {
  const v = config[name];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Thrown from `access`, `response` or an UpstreamHandler to answer with a specific reply
 * (e.g. an OpenAI-shaped error body) instead of Kong's generic 500.
 */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(reply.message ?? `reply ${reply.status}`);
    this.name = 'ReplyError';
  }
}

/**
 * Why a plugin that Kong runs cannot run in aigw serve, for a plugin whose configurations database mode
 * stores anyway (`refusedPlugin(…, { stored: true })`): the Admin API accepts a schema-valid config, as Kong
 * would, and the gateway answers every request in its scope fail closed (broken-entities.ts).
 */
export class NotRunHere extends Error {
  override name = 'NotRunHere';
}

/**
 * A plugin aigw validates but cannot run (yet): every instance is refused when the gateway
 * starts, naming the plugin and what is missing, so that a security plugin is never skipped.
 * With `stored`, database mode still stores its configurations (Kong Enterprise plugins a
 * database shared with Kong may hold) and serves their scope fail closed.
 */
export function refusedPlugin<N extends PluginName>(name: N, missing: string, opts: { stored?: boolean } = {}): KongPlugin<N> {
  return {
    name,
    create() {
      const message = `${name} cannot run in aigw serve: ${missing}`;
      throw opts.stored === true ? new NotRunHere(message) : new Error(message);
    },
  };
}
