/**
 * Konnect test server: JSON types, request reading, and every error body shape Konnect answers with.
 *
 * Shapes and strings, with their sources (see konnect-server.ts for the full source list):
 * - core-entities validation / constraint errors `{code:3, message, details:[{@type, type, field, messages}]}`:
 *   Kong/go-kong#398, Kong/deck#932, kong-operator `controller/konnect/ops` (ParseSDKErrorBody examples:
 *   "data constraint error", "name (type: unique) constraint failed", "service.id (type: foreign) constraint
 *   failed", 403 `code 7` "usage constraint error" / "operation not permitted on KIC cluster");
 *   Kong/koko `internal/server/util/helpers.go` HandleErr (NotFound → gRPC code 5, ErrConstraint → code 3
 *   "data constraint error" + ERROR_TYPE_REFERENCE, validation.Error → code 3 "validation error").
 * - 401 on core entities `{"message":"Unauthorized","status":401}`: control-planes-config/v2 openapi
 *   `HTTP401Error` / `GatewayUnauthorizedError`.
 * - 401/400/404/409 on /v2/control-planes: control-planes/v2 openapi problem+json examples
 *   (`401UnauthenticatedExample`, `400UnknownPropertyExample`, `404NotFoundExample`, `409ConflictExample`).
 * - Legacy `{"message":…}` bodies (json schema, plugin schema 404): openapi `KonnectCPLegacy*`,
 *   "no plugin-schema for '<name>'" (Kong/deck#1035, koko schemas_service.go).
 * - 429 `{"message":"API rate limit exceeded"}` + `Retry-After` seconds: Kong/deck#1364, GDR retry policy.
 * Inferred (no source found; marked so that nobody mistakes them for facts): the `message` text of the
 * gRPC-gateway 404/405 bodies, and the 5xx bodies.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
export const clone = <T extends Json>(v: T): T => structuredClone(v);

export type DetailType = 'ERROR_TYPE_FIELD' | 'ERROR_TYPE_ENTITY' | 'ERROR_TYPE_REFERENCE';
export interface ErrorDetail {
  '@type': string;
  type: DetailType;
  field?: string;
  messages: string[];
}

const DETAIL_TYPE = 'type.googleapis.com/kong.admin.model.v1.ErrorDetail';

/** An HTTP answer: status, JSON (or empty) body, extra headers. */
export interface Reply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
  contentType?: string;
}

/** Thrown anywhere in a handler; the server turns it into the reply. */
export class KonnectHttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export const fieldDetail = (field: string, ...messages: string[]): ErrorDetail => ({ '@type': DETAIL_TYPE, type: 'ERROR_TYPE_FIELD', field, messages });
export const entityDetail = (...messages: string[]): ErrorDetail => ({ '@type': DETAIL_TYPE, type: 'ERROR_TYPE_ENTITY', messages });

/** Sorted by field like koko's SortErrorDetails, one detail per field, messages merged. */
export function mergeDetails(details: ErrorDetail[]): ErrorDetail[] {
  const byKey = new Map<string, ErrorDetail>();
  for (const d of details) {
    const key = `${d.type}\u0000${d.field ?? ''}`;
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, { ...d, messages: [...d.messages] });
    else for (const m of d.messages) if (!prev.messages.includes(m)) prev.messages.push(m);
  }
  return [...byKey.values()].sort((a, b) => (a.field ?? '').localeCompare(b.field ?? ''));
}

export const validationError = (details: ErrorDetail[]): KonnectHttpError =>
  new KonnectHttpError({ status: 400, body: { code: 3, message: 'validation error', details: mergeDetails(details) as unknown as Json } });

/** Unique or foreign-key violation (kong-operator ParseSDKErrorBody examples). */
export function constraintError(field: string, kind: 'unique' | 'foreign', index = field): KonnectHttpError {
  const detail: JsonObject = { '@type': DETAIL_TYPE, type: 'ERROR_TYPE_REFERENCE', messages: [`${index} (type: ${kind}) constraint failed`] };
  if (field) detail.field = field;
  return new KonnectHttpError({ status: 400, body: { code: 3, message: 'data constraint error', details: [detail] } });
}

/** gRPC InvalidArgument without details (koko util.ErrClient), e.g. bad paging parameters. */
export const clientError = (message: string): KonnectHttpError => new KonnectHttpError({ status: 400, body: { code: 3, message, details: [] } });

/** Entity (or parent entity) not found: gRPC NotFound through grpc-gateway. Message text inferred. */
export const notFound = (): KonnectHttpError => new KonnectHttpError({ status: 404, body: { code: 5, message: 'not found', details: [] } });
/** No route matched (grpc-gateway routing error). */
export const noRoute = (): KonnectHttpError => new KonnectHttpError({ status: 404, body: { code: 5, message: 'Not Found', details: [] } });
/** Path exists but not for this method (no PATCH anywhere in core-entities). Status per the brief; body inferred. */
export const methodNotAllowed = (allow: string[]): KonnectHttpError =>
  new KonnectHttpError({ status: 405, body: { code: 12, message: 'Method Not Allowed', details: [] }, headers: { allow: allow.join(', ') } });
/** Writes to a control plane that Konnect manages through something else (KIC, CP group). */
export const usageConstraint = (message: string): KonnectHttpError =>
  new KonnectHttpError({ status: 403, body: { code: 7, message: 'usage constraint error', details: [{ '@type': DETAIL_TYPE, messages: [message] }] } });

export const legacyError = (status: number, message: string): KonnectHttpError => new KonnectHttpError({ status, body: { message } });

export const gatewayUnauthorized = (): Reply => ({ status: 401, body: { message: 'Unauthorized', status: 401 } });

const trace = (): string => `konnect:trace:${BigInt(`0x${randomBytes(8).toString('hex')}`).toString()}`;

/** Platform APIs (control planes, organizations) answer problem+json. */
export function problem(status: number, title: string, detail: string, invalid?: Array<{ field: string; reason: string; rule?: string }>): Reply {
  const body: JsonObject = { status, title, instance: trace(), detail };
  if (invalid) body.invalid_parameters = invalid as unknown as Json;
  return { status, body, contentType: 'application/problem+json' };
}
export const problemError = (...args: Parameters<typeof problem>): KonnectHttpError => new KonnectHttpError(problem(...args));

export const rateLimited = (retryAfterSeconds: number): Reply => ({
  status: 429,
  body: { message: 'API rate limit exceeded' },
  headers: { 'retry-after': String(retryAfterSeconds) },
});

const STATUS_TEXT: Record<number, string> = { 500: 'An unexpected error occurred', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
export const serverError = (status: number): Reply => ({ status, body: { message: STATUS_TEXT[status] ?? 'An unexpected error occurred' } });

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parse a JSON request body; protojson-style message on syntax errors (wording inferred). */
export function parseJsonBody(text: string): Json | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw clientError(`proto: syntax error (line 1:1): ${(e as Error).message}`);
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = reply.contentType ?? 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(text);
}
