/**
 * The per-request context shared by the pipeline and every plugin. Plugins exchange data only
 * through the typed fields below and through typed slots (`Slot<T>`); nothing is attached ad hoc.
 *
 * Body contract: `ctx.body()` reads the client body once, lazily, and every later call (from any
 * plugin) returns the same Buffer; `ctx.json()` parses it once. When no plugin calls either, the
 * body is never buffered and streams straight through to the upstream.
 */
import { hopByHopAnd } from './hop-by-hop.js';
import { LightAbort } from './llm/wire/abort.js';
import { continueBody } from './early-reply.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Entity } from '../config/state.js';
import type { ConversationStore } from './llm/formats/types.js';
import type { Pricing } from './llm/wire/pricing.js';
import { originForm } from './request-target.js';

/** A typed context slot. Create one per datum at module level: `export const USAGE = new Slot<Usage>('ai.usage')`. */
export class Slot<T> {
  declare readonly __type?: T;
  constructor(readonly name: string) {}
}

export interface ConsumerInfo {
  id: string;
  username: string | null;
  custom_id: string | null;
  entity: Entity;
}

export interface CredentialInfo {
  id: string;
  consumerId: string;
  /** Value of `X-Credential-Identifier` (credential id, basic-auth username, jwt key). */
  identifier: string;
}

export type HeaderValue = string | string[];
export type HeaderMap = Record<string, HeaderValue | undefined>;

/**
 * A short-circuit reply from a plugin. `message` produces Kong's error body
 * `{"message": …, "request_id": …}`; `json` any JSON body; `body` raw bytes.
 */
export interface Reply {
  status: number;
  message?: string;
  /** Why, for operators (the dashboard); never sent to the client (Kong's messages are often vague on purpose). */
  reason?: string;
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, HeaderValue>;
}

/** A complete upstream response, handed to `response` phases, which may edit it in place. */
export interface BufferedResponse {
  status: number;
  headers: HeaderMap;
  body: Buffer;
}

/** A streamed upstream response; every chunk goes through the `chunk` phases. */
export interface StreamedResponse {
  status: number;
  headers: HeaderMap;
  chunks: AsyncIterable<Buffer | string>;
}

export type UpstreamResult = ({ kind: 'buffered' } & BufferedResponse) | ({ kind: 'stream' } & StreamedResponse);

/**
 * Takes over the upstream call for a request (ai-proxy sets one in `access`). The pipeline calls it
 * instead of proxying to the service and runs the result through `response` or `chunk` phases.
 */
export type UpstreamHandler = (ctx: GatewayContext) => Promise<UpstreamResult>;

/** A provider/model pair an AI route may call. */
export interface AiModel {
  provider: string;
  /** null when the client chooses it. */
  model: string | null;
  /**
   * The completion length the route itself caps (ai-proxy's `model.options.max_tokens`, which
   * overrides the client's; 0 for embeddings); null or absent when the client's value applies.
   */
  maxTokens?: number | null;
  /** The target's prices (`model.options`), for cost budgets that reserve before the answer. */
  pricing?: Pricing | null;
}

/** The body limit an AI proxy plugin parses requests with, and the plugin named in its 413. */
export interface AiBodyLimit {
  maxBodySize: number;
  plugin: string;
}

export interface RouteInfo {
  entity: Entity;
  id: string;
  name: string | null;
  /** Client wire format of the route's AI proxy plugin (its `llm_format`), null when none. */
  inputFormat: string | null;
  /** Provider/model pairs the route's AI proxy plugin may call, null when the route has none. */
  aiModels: readonly AiModel[] | null;
  /** How the route's AI proxy plugin reads the body as an AI request; absent when it does not. */
  aiBody?: AiBodyLimit;
  /** Conversations the route's AI proxy plugin stored (Responses API `store`), read while parsing. */
  conversations?: ConversationStore;
}

export interface ServiceInfo {
  entity: Entity;
  id: string;
  name: string | null;
}

export interface Timings {
  /** process.hrtime.bigint() at request start. */
  start: bigint;
  upstreamStart: bigint | null;
  upstreamHeaders: bigint | null;
  end: bigint | null;
}

/** How long one plugin phase took (recorded only when `ctx.phases` is on; see PluginInstance.start). */
export interface PhaseTiming {
  phase: 'access' | 'response';
  plugin: string;
  /** process.hrtime.bigint() */
  start: bigint;
  end: bigint;
}

export interface Try {
  ip: string;
  port: number;
  balancer_latency: number;
  error?: string;
}

/**
 * The abort reason when the client connection closes. One shared instance: 'close' also follows every
 * answered request, and an Error per request (its stack trace) cost ~3 % of the CPU.
 */
const CLIENT_CLOSED = new Error('client closed the connection');

/**
 * Request headers not copied upstream: hop-by-hop ones, `host` (set from the service) and `expect`
 * (the gateway answers `100 Continue` itself when it reads the body).
 */
const NOT_PROXIED = hopByHopAnd('host', 'expect');

export class GatewayContext {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly startedAt: number;
  readonly timings: Timings;
  readonly method: string;
  /** Request path without the query string, as received. */
  readonly path: string;
  /** Raw query string without `?` ('' when none). */
  readonly rawQuery: string;
  readonly host: string;
  readonly clientIp: string;
  route: RouteInfo | null = null;
  service: ServiceInfo | null = null;
  /** Regex path captures: numbered and named (`uri_captures`). */
  captures: Record<string, string> = {};
  /** Upstream request pieces; plugins edit these in `access`. */
  upstreamMethod: string;
  upstreamPath = '/';
  upstreamQuery: string;
  readonly upstreamHeaders: Record<string, HeaderValue>;
  /** Host header for the upstream request when a plugin sets it (request-transformer). */
  upstreamHost: string | null = null;
  /** Extra headers for the downstream response (rate-limit, cors, correlation id…). */
  readonly responseHeaders: Record<string, HeaderValue> = {};
  consumer: ConsumerInfo | null = null;
  credential: CredentialInfo | null = null;
  anonymous = false;
  /** Groups of the authenticated consumer, set by acl. */
  groups: readonly string[] | null = null;
  upstreamHandler: UpstreamHandler | null = null;
  /**
   * Whether anything reads what this request leaves for its log (a `log` phase on its chain, the
   * gateway's per-request callback: access log, dashboard). The pipeline clears it when nothing
   * does; producers of log-only data (AI analytics) then skip building it.
   */
  logged = true;
  upstreamStatus: number | null = null;
  upstreamUri: string | null = null;
  readonly tries: Try[] = [];
  /** Kong's `kong.response.get_source()`: `service` (upstream answered), `exit` (gateway reply), `error`. */
  source: 'service' | 'exit' | 'error' = 'exit';
  responseBytes = 0;
  /** The plugin whose access phase answered the request itself (a refusal, a cache hit), else null. */
  exitPlugin: string | null = null;
  /** The reply the gateway made itself (refusals, errors, 404s), else null (the upstream answered). */
  reply: Reply | null = null;
  /** Phase timings: null unless a plugin on the route turned them on in its `start` phase (opentelemetry). */
  phases: PhaseTiming[] | null = null;
  private bodyPromise: Promise<Buffer> | null = null;
  private bodyValue: Buffer | null = null;
  private jsonValue: { v: unknown } | null = null;
  private query: URLSearchParams | null = null;
  private redactHeaderSet: Set<string> | null = null;
  private redactQuerySet: Set<string> | null = null;
  private readonly slots = new Map<Slot<unknown>, unknown>();
  private abortSource: LightAbort | null = null;
  private closeHooks: Array<() => void> | null = null;
  private closed = false;

  constructor(init: { requestId: string; req: IncomingMessage; res: ServerResponse; start: bigint; clientIp: string }) {
    this.requestId = init.requestId;
    this.req = init.req;
    this.res = init.res;
    this.startedAt = Date.now();
    this.timings = { start: init.start, upstreamStart: null, upstreamHeaders: null, end: null };
    this.clientIp = init.clientIp;
    this.method = init.req.method ?? 'GET';
    this.upstreamMethod = this.method;
    const target = init.req.url ?? '/';
    // the usual origin form (`/path?query`) needs no parsing; absolute form is `http://…`
    const form = target.charCodeAt(0) === 47 ? null : originForm(target);
    const url = form === null ? target : form.target;
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.rawQuery = q < 0 ? '' : url.slice(q + 1);
    this.upstreamQuery = this.rawQuery;
    this.host = form?.host ?? init.req.headers.host ?? '';
    const headers: Record<string, HeaderValue> = {};
    const src = init.req.headers;
    for (const k in src) {
      const v = src[k];
      if (v !== undefined && !NOT_PROXIED.has(k)) headers[k] = v;
    }
    this.upstreamHeaders = headers;
  }

  /** Header names whose values must never be logged (created on first use: most requests never read it). */
  get redactHeaders(): Set<string> {
    return (this.redactHeaderSet ??= new Set<string>(['authorization', 'proxy-authorization', 'cookie']));
  }

  /** Query parameter names whose values must never be logged. */
  get redactQuery(): Set<string> {
    return (this.redactQuerySet ??= new Set<string>());
  }

  get<T>(slot: Slot<T>): T | undefined {
    return this.slots.get(slot) as T | undefined;
  }

  set<T>(slot: Slot<T>, value: T): void {
    this.slots.set(slot, value);
  }

  /** Parsed query of the client request (read-only view). */
  queryParams(): URLSearchParams {
    this.query ??= new URLSearchParams(this.rawQuery);
    return this.query;
  }

  /** First value of a client request header (lower-case name). */
  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  /** Whether the body has been (or is being) buffered; the proxy then sends the buffer. */
  get bodyBuffered(): boolean {
    return this.bodyPromise !== null;
  }

  /** The request body, read once. `limit` (bytes) rejects larger bodies with BodyTooLargeError. */
  body(limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
    if (this.bodyValue) return Promise.resolve(this.bodyValue);
    if (this.bodyPromise === null) continueBody(this.req, this.res);
    this.bodyPromise ??= readAll(this.req, limit, (b) => {
      this.bodyValue = b;
    });
    return this.bodyPromise;
  }

  /** The request body parsed as JSON once (undefined when empty or not JSON). */
  async json(): Promise<unknown> {
    if (this.jsonValue) return this.jsonValue.v;
    const buf = await this.body();
    let v: unknown;
    try {
      v = buf.length === 0 ? undefined : JSON.parse(buf.toString('utf8'));
    } catch {
      v = undefined;
    }
    this.jsonValue = { v };
    return v;
  }

  /** Replace the body sent upstream (a Buffer, or a value serialised as JSON). */
  setBody(body: Buffer | unknown): void {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    this.bodyValue = buf;
    this.bodyPromise = Promise.resolve(buf);
    this.jsonValue = Buffer.isBuffer(body) ? null : { v: body };
  }

  /** The buffered body, when it was read; null when the body streams. */
  bufferedBody(): Buffer | null {
    return this.bodyValue;
  }

  /** Record the authenticated consumer and set Kong's upstream consumer headers. */
  authenticate(consumer: ConsumerInfo | null, credential: CredentialInfo | null, anonymous = false): void {
    this.consumer = consumer;
    this.credential = credential;
    this.anonymous = anonymous;
    const h = this.upstreamHeaders;
    delete h['x-consumer-id'];
    delete h['x-consumer-custom-id'];
    delete h['x-consumer-username'];
    delete h['x-credential-identifier'];
    delete h['x-anonymous-consumer'];
    if (consumer) {
      h['x-consumer-id'] = consumer.id;
      if (consumer.custom_id !== null) h['x-consumer-custom-id'] = consumer.custom_id;
      if (consumer.username !== null) h['x-consumer-username'] = consumer.username;
    }
    if (credential) h['x-credential-identifier'] = credential.identifier;
    if (anonymous) h['x-anonymous-consumer'] = 'true';
  }

  /**
   * Aborts when the client connection closes (after the answer too, harmlessly): hand it to
   * upstream calls. One per request, created on first use; the pipeline's single `close` listener
   * fires it (no listener or AbortController of its own).
   */
  clientSignal(): LightAbort {
    if (!this.abortSource) {
      this.abortSource = new LightAbort();
      if (this.closed) this.abortSource.abort(CLIENT_CLOSED);
    }
    return this.abortSource;
  }

  /** Run `fn` when the client connection closes (at once if it has). */
  onClientClose(fn: () => void): void {
    if (this.closed) fn();
    else (this.closeHooks ??= []).push(fn);
  }

  /** The pipeline calls this from the response's `close` event. */
  clientClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.abortSource?.abort(CLIENT_CLOSED);
    const hooks = this.closeHooks;
    this.closeHooks = null;
    if (hooks) for (const fn of hooks) fn();
  }

  /** Milliseconds since the request started. */
  elapsedMs(at: bigint = process.hrtime.bigint()): number {
    return Number(at - this.timings.start) / 1e6;
  }
}

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
    this.name = 'BodyTooLargeError';
  }
}

/** The whole body (at most `limit` bytes); `got` sees it before the Promise resolves. */
function readAll(stream: IncomingMessage, limit: number, got: (b: Buffer) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        stream.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(c);
    });
    stream.once('end', () => {
      if (size > limit) return; // refused above
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      got(body);
      resolve(body);
    });
    stream.once('error', reject);
  });
}
