/**
 * Kong Admin API client over undici (never fetch). Lists are async iterables that follow `next`
 * (pages of 1000). Idempotent calls are retried with exponential backoff on connection errors,
 * 429 (honouring Retry-After) and 5xx. Any other non-2xx becomes an AdminApiError carrying the
 * method, path, status and Kong's message.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { Pacer } from './pacer.js';

export interface TlsOptions {
  /** PEM text of a CA bundle to trust. */
  ca?: string;
  skipVerify?: boolean;
  /** Name to verify in the server's certificate (SNI). */
  serverName?: string;
  /** PEM text of a client certificate and key (mutual TLS). */
  cert?: string;
  key?: string;
}

export interface AdminClientOptions {
  baseUrl: string;
  headers?: Record<string, string>;
  /** Sent as `Kong-Admin-Token`. */
  token?: string;
  /** Sent as `Authorization: Bearer …` (Konnect personal or system-account tokens). Never logged. */
  bearerToken?: string;
  userAgent?: string;
  /** Shared client-side pacing (token bucket, pause after 429). */
  pacer?: Pacer;
  /** Retries of a 429 answer, for any method (the request was not processed); default `retries`. */
  rateLimitRetries?: number;
  /** Longest wait between retries (ms); default 5 s. */
  maxBackoffMs?: number;
  workspace?: string | null;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Retries after the first attempt, for idempotent calls. */
  retries?: number;
  /** First backoff delay (ms); doubles per retry, capped at 5 s. */
  retryBaseMs?: number;
  dispatcher?: Dispatcher;
  tls?: TlsOptions;
  /** Observer of every HTTP attempt (request counting, --verbose). */
  onRequest?: (method: string, path: string) => void;
  /** Observer of every answer: status 0 for a network failure. Headers are never passed. */
  onResponse?: (method: string, path: string, status: number, ms: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export class AdminApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly kongMessage: string,
    readonly body: unknown,
  ) {
    super(status === 0 ? `${method} ${path}: ${kongMessage}` : `${method} ${path}: HTTP ${status}: ${kongMessage}`);
    this.name = 'AdminApiError';
  }
}

export interface Response {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export type Json = Record<string, unknown>;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function messageOf(body: unknown, fallback: string): string {
  if (body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 500);
  return fallback;
}

/** Delay demanded by a 429/503 `Retry-After` header (seconds or HTTP date), in ms. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class AdminClient {
  private readonly base: URL;
  private readonly dispatcher: Dispatcher;
  private readonly ownDispatcher: boolean;
  private readonly headers: Record<string, string>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: AdminClientOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.ownDispatcher = opts.dispatcher === undefined;
    this.dispatcher =
      opts.dispatcher ??
      new Agent({
        connections: 64,
        connect: { ca: opts.tls?.ca, cert: opts.tls?.cert, key: opts.tls?.key, servername: opts.tls?.serverName, rejectUnauthorized: !(opts.tls?.skipVerify ?? false) },
      });
    this.headers = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (opts.token !== undefined && opts.token !== '') this.headers['kong-admin-token'] = opts.token;
    if (opts.bearerToken !== undefined && opts.bearerToken !== '') this.headers.authorization = `Bearer ${opts.bearerToken}`;
    if (opts.userAgent !== undefined) this.headers['user-agent'] = opts.userAgent;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The same client (headers, token, pacer, retries) for another address; close it separately. */
  withBase(baseUrl: string): AdminClient {
    return new AdminClient({ ...this.opts, baseUrl, dispatcher: undefined });
  }

  /** The address the client talks to (for messages; never carries credentials). */
  get baseUrl(): string {
    return this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  /** Path with the workspace prefix (`/ws/services`), for entity endpoints. */
  scoped(path: string): string {
    const ws = this.opts.workspace;
    return ws === undefined || ws === null || ws === '' || ws === 'default' ? path : `/${encodeURIComponent(ws)}${path}`;
  }

  private async once(method: string, path: string, body: unknown): Promise<Response> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    await this.opts.pacer?.acquire();
    this.opts.onRequest?.(method, path);
    const timeout = this.opts.timeoutMs ?? 10_000;
    const headers: Record<string, string> = { ...this.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const started = Date.now();
    try {
      const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body: payload, dispatcher: this.dispatcher, headersTimeout: timeout, bodyTimeout: timeout });
      const text = await res.body.text();
      let parsed: unknown = null;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      this.opts.onResponse?.(method, path, res.statusCode, Date.now() - started);
      return { status: res.statusCode, body: parsed, headers: res.headers };
    } catch (err) {
      this.opts.onResponse?.(method, path, 0, Date.now() - started);
      throw err;
    }
  }

  /** One call with retries. Non-2xx (after retries) → AdminApiError; network failure → AdminApiError status 0. */
  async call(method: string, path: string, body?: unknown, options: { idempotent?: boolean; accept?: number[] } = {}): Promise<Response> {
    const retryable = options.idempotent ?? IDEMPOTENT.has(method);
    const retries = retryable ? (this.opts.retries ?? 4) : 0;
    const limitRetries = this.opts.rateLimitRetries ?? this.opts.retries ?? 4;
    const base = this.opts.retryBaseMs ?? 200;
    const cap = this.opts.maxBackoffMs ?? 5000;
    let limited = 0;
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      let failure: Error | undefined;
      try {
        res = await this.once(method, path, body);
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
      }
      const backoff = Math.min(cap, base * 2 ** (attempt - limited));
      if (res !== undefined) {
        const ok = (res.status >= 200 && res.status < 300) || (options.accept ?? []).includes(res.status);
        if (ok) {
          this.opts.pacer?.success();
          return res;
        }
        if (res.status === 429) {
          const wait = retryAfterMs(res.headers['retry-after']) ?? Math.min(cap, base * 2 ** limited);
          this.opts.pacer?.limited(wait);
          if (limited++ >= limitRetries) throw new AdminApiError(method, path, 429, messageOf(res.body, 'HTTP 429'), res.body);
          // with a pacer, its shared pause is the wait
          if (this.opts.pacer === undefined) await this.sleep(wait);
          continue;
        }
        if (res.status < 500 || attempt - limited >= retries) throw new AdminApiError(method, path, res.status, messageOf(res.body, `HTTP ${res.status}`), res.body);
        await this.sleep(res.status === 503 ? (retryAfterMs(res.headers['retry-after']) ?? backoff) : backoff);
        continue;
      }
      const code = (failure as { code?: unknown }).code;
      if (attempt - limited >= retries) throw new AdminApiError(method, path, 0, `${failure!.message}${typeof code === 'string' ? ` (${code})` : ''}`, null);
      await this.sleep(backoff);
    }
  }

  async get(path: string): Promise<unknown> {
    return (await this.call('GET', path)).body;
  }

  /** Every item of a paged collection, following `next`. */
  async *list(path: string, query: Record<string, string> = {}): AsyncGenerator<Json> {
    const params = new URLSearchParams({ size: '1000', ...query });
    let next: string | null = `${path}?${params.toString()}`;
    while (next !== null) {
      const body = await this.get(next);
      if (!isObj(body) || !Array.isArray(body.data)) throw new AdminApiError('GET', next, 200, 'unexpected list body (no data array)', body);
      for (const item of body.data) if (isObj(item)) yield item;
      next = typeof body.next === 'string' && body.next !== '' ? this.nextPath(body.next) : null;
    }
  }

  /** `next` may be absolute, root-relative, or missing the workspace prefix; keep it on our host. */
  private nextPath(next: string): string {
    const u = new URL(next, this.base);
    let p = `${u.pathname}${u.search}`;
    const prefix = this.base.pathname.replace(/\/$/, '');
    if (prefix !== '' && p.startsWith(`${prefix}/`)) p = p.slice(prefix.length);
    const ws = this.scoped('');
    if (ws !== '' && !p.startsWith(`${ws}/`)) p = `${ws}${p}`;
    return p;
  }

  async listAll(path: string, query: Record<string, string> = {}): Promise<Json[]> {
    const out: Json[] = [];
    for await (const item of this.list(path, query)) out.push(item);
    return out;
  }

  async close(): Promise<void> {
    if (this.ownDispatcher) await this.dispatcher.close();
  }
}
