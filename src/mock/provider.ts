import type { IncomingHttpHeaders } from 'node:http';
import type { MockForm } from './multipart.js';
import type { Reply } from './reply.js';
import type { MockState } from './state.js';

/** Server-wide settings a route may read. */
export interface MockSettings {
  /** Default embedding dimensions (requests may ask for others where the API allows). */
  embeddingDims: number;
}

/**
 * One parsed request, as routes see it. Routes are pure: same call, same reply (replies are cached),
 * except `stateful` ones (files, batches, videos), which read and write `state` and are never cached.
 */
export interface MockCall {
  method: string;
  /** Raw URL path, without the query. */
  path: string;
  query: URLSearchParams;
  /** The route pattern's capture groups, URL-decoded. */
  params: string[];
  /** The JSON body; undefined when empty or multipart. Invalid JSON never reaches a route. */
  body: unknown;
  /** A multipart/form-data body, parsed. */
  form?: MockForm;
  settings: MockSettings;
  /** The server's remembered objects (files, batches, videos). */
  state: MockState;
}

export interface MockRoute {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handle(call: MockCall): Reply;
  /** Reads or writes `call.state`: never cached. */
  stateful?: true;
}

/** Everything the authentication check may look at. */
export interface AuthInput {
  method: string;
  /** Raw URL path, as received (still percent-encoded). */
  path: string;
  /** Raw query string, without '?'. */
  queryString: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body (request signatures cover it). */
  raw: Buffer;
}

/** The server's credential settings. */
export interface AuthConfig {
  /** When set, only this credential is accepted (SigV4: this access key id). */
  requireKey?: string;
  /** When set, SigV4 signatures are verified with this secret access key. */
  awsSecretKey?: string;
}

/** One provider API the mock speaks. Provider knowledge (paths, auth, error shapes) stays in its file. */
export interface MockProvider {
  name: string;
  /** Where its API lives on the mock, for the startup banner and docs. */
  base: string;
  routes: MockRoute[];
  /**
   * Undefined when the request carries an acceptable credential (any non-empty one, or exactly
   * `requireKey` when set); otherwise the provider's own rejection (usually 401).
   */
  authenticate(req: AuthInput, auth: AuthConfig): Reply | undefined;
  /** The provider's error body for a status (400, 401, 404, 429, 500, 503, 529…). */
  error(status: number, message: string): Reply;
}

/** The first value of a header. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The token of `Authorization: Bearer <token>`; '' when absent or empty. */
export function bearer(headers: IncomingHttpHeaders): string {
  const v = header(headers, 'authorization') ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(v.trim());
  return m === null ? '' : m[1].trim();
}

/**
 * The usual credential rule: a missing credential is rejected as `missing`, a wrong one (only
 * possible with `requireKey`) as `invalid`.
 */
export function checkKey(found: string, requireKey: string | undefined, reject: (reason: 'missing' | 'invalid') => Reply): Reply | undefined {
  if (found === '') return reject('missing');
  if (requireKey !== undefined && found !== requireKey) return reject('invalid');
  return undefined;
}

/** A standard reason phrase for error messages. */
export function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not found',
    408: 'Request timeout',
    413: 'Request too large',
    422: 'Unprocessable entity',
    429: 'Rate limit exceeded',
    500: 'Internal server error',
    502: 'Bad gateway',
    503: 'Service unavailable',
    504: 'Gateway timeout',
    529: 'Overloaded',
  };
  return texts[status] ?? `Mock error ${status}`;
}
