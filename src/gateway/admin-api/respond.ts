/**
 * Kong-shaped Admin API replies: JSON bodies, the error catalogue (`{code, name, message, fields}`)
 * and request-body parsing (JSON or form-urlencoded), with a size limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_DEPTH, tooDeep } from '../../config/structure.js';

export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

/** Kong's error codes (kong/db/errors.lua). */
export const ERR = {
  schema: { code: 2, name: 'schema violation', status: 400 },
  primaryKey: { code: 3, name: 'primary key violation', status: 400 },
  foreignKey: { code: 4, name: 'foreign key violation', status: 400 },
  unique: { code: 5, name: 'unique constraint violation', status: 409 },
  notFound: { code: 6, name: 'not found', status: 404 },
  offset: { code: 7, name: 'invalid offset', status: 400 },
  size: { code: 9, name: 'invalid size', status: 400 },
  options: { code: 11, name: 'invalid options', status: 400 },
  unsupported: { code: 12, name: 'operation unsupported', status: 405 },
  declarative: { code: 14, name: 'invalid declarative configuration', status: 400 },
} as const;

export function kongError(kind: keyof typeof ERR, message: string, fields?: Record<string, unknown>): AdminHttpError {
  const e = ERR[kind];
  return new AdminHttpError(e.status, { code: e.code, name: e.name, message, ...(fields === undefined ? {} : { fields }) });
}

export function notFound(): AdminHttpError {
  return new AdminHttpError(404, { message: 'Not found' });
}

/**
 * A JSON body serialised beforehand (a big answer built in slices between other tasks), in
 * UTF-8 chunks of a few dozen KiB with their total length: it is written chunk by chunk, never
 * joined into one big string on the main thread (2 MB of joining, flattening and measuring at once).
 */
export class JsonText {
  /** `chunks`: UTF-8 text, `bytes` long in all. */
  constructor(readonly chunks: readonly Uint8Array[], readonly bytes: number) {}
}

export function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined || status === 204) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  if (body instanceof JsonText) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.bytes });
    for (const c of body.chunks) res.write(c);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const MAX_BODY = 64 * 1024 * 1024;

/**
 * The request body as text. Over MAX_BODY it is a 413, and the request stream is left open (a
 * `for await` that throws would destroy it, and the socket with it, before the 413 is sent): the
 * answer then closes the connection gently (early-reply.ts).
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return readBodyBytes(req).then((b) => b.toString('utf8'));
}

/** The body's bytes (`POST /config` hands them to the configuration thread undecoded). */
export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        req.off('end', onEnd);
        reject(new AdminHttpError(413, { message: 'request body too large' }));
        return;
      }
      chunks.push(b);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

function setDotted(out: Record<string, unknown>, key: string, value: string): void {
  const parts = key.replace(/\[\]$/, '').split('.');
  let cur = out;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  const prev = cur[last];
  if (key.endsWith('[]') || prev !== undefined) cur[last] = Array.isArray(prev) ? [...prev, value] : prev === undefined ? [value] : [prev, value];
  else cur[last] = value;
}

/** Parse a request body as a JSON object (or form fields, as Kong also accepts). */
export function parseObject(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text.trim() === '') return {};
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) setDotted(out, k, v);
    return shallowEnough(out);
  }
  const value = parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AdminHttpError(400, { message: 'Cannot parse JSON body' });
  return value as Record<string, unknown>;
}

/** Refuse a body nested deeper than a state file may be (the recursive code after it would overflow). */
function shallowEnough<T>(value: T): T {
  if (tooDeep(value)) throw new AdminHttpError(400, { message: `Cannot parse JSON body: nested more than ${MAX_DEPTH} levels deep` });
  return value;
}

/** JSON.parse with Kong's 400 for bad JSON, and over-deep bodies refused. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AdminHttpError(400, { message: 'Cannot parse JSON body' });
  }
  return shallowEnough(value);
}
