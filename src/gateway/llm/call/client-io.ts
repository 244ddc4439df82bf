/**
 * The I/O edges of `callProvider`: header hygiene, response decoding (gzip/deflate/br), bounded body
 * reads, and the mapping of network errors to CallFailure (502 connect / 504 timeout / 502 garbage).
 */
import type { Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { CallFailure, CallFailureKind, UpstreamHeaders } from './call-types.js';
import { TranslationError } from '../wire/errors.js';
import { hopByHopAnd } from '../../hop-by-hop.js';
import type { CallSignal } from '../wire/abort.js';
import { upstreamFailure } from '../../upstream-failure.js';

/** Largest non-200 / non-stream body read into memory. */
const MAX_BUFFERED = 64 * 1024 * 1024;
/** LLM reply headers not passed on: hop-by-hop ones, the body's framing (re-encoded), cookies. */
const DROP_HEADERS = hopByHopAnd('content-length', 'content-encoding', 'set-cookie');
/** Kong's AI error body. */
export function kongAiErrorBody(message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { message } }));
}

export function mergeHeaders(extra: Record<string, string> | undefined, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in extra) out[k.toLowerCase()] = extra[k];
  for (const k in own) out[k.toLowerCase()] = own[k];
  return out;
}

export function cleanHeaders(h: Dispatcher.ResponseData['headers']): UpstreamHeaders {
  const out: UpstreamHeaders = {};
  for (const k in h) {
    const v = h[k];
    if (v === undefined || DROP_HEADERS.has(k)) continue;
    out[k] = v;
  }
  return out;
}

export function headerText(h: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export function failure(error: CallFailureKind, status: number, message: string, start: bigint, headers: UpstreamHeaders = {}, body?: Buffer): CallFailure {
  return { ok: false, status, headers, body: body ?? kongAiErrorBody(message), error, message, latencyMs: ms(start) };
}

/** Maps an undici/network error to a failure (upstream-failure.ts); rethrows aborts and programming errors. */
export function networkFailure(err: unknown, start: bigint, signal: CallSignal | undefined): CallFailure {
  if (signal?.aborted) throw signal.reason ?? err;
  const f = upstreamFailure(err);
  if (f === null) throw err;
  if (f.kind === 'timeout') return failure('timeout', 504, 'The upstream LLM is timing out', start);
  if (f.kind === 'protocol') return failure('garbage', 502, `The upstream LLM returned an invalid response (${f.code})`, start);
  return failure('connect', 502, `The upstream LLM could not be reached (${f.code})`, start);
}

export function decoded(body: Readable, encoding: string | undefined): Readable {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip': case 'x-gzip': return body.pipe(createGunzip());
    case 'deflate': return body.pipe(createInflate());
    case 'br': return body.pipe(createBrotliDecompress());
    default: return body;
  }
}

export function decodeBuffer(buf: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip': case 'x-gzip': return gunzipSync(buf);
    case 'deflate': return inflateSync(buf);
    case 'br': return brotliDecompressSync(buf);
    default: return buf;
  }
}

/** The error a body that closed before its end fails with (as `for await` over it would). */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * The whole body (at most MAX_BUFFERED bytes, else a 502 TranslationError and the body destroyed).
 * Read with `data`/`end` listeners rather than `for await`: the stream's async iterator (an async
 * generator, `finished`, a Promise per chunk) cost ~10 k instructions per LLM answer.
 */
export function readBody(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (body.errored) return reject(body.errored);
    if (body.readableEnded) return resolve(Buffer.alloc(0));
    if (body.destroyed) return reject(prematureClose());
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      body.removeListener('data', onData);
      reject(err);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > MAX_BUFFERED) {
        fail(new TranslationError('upstream response too large', 502));
        body.destroy();
        return;
      }
      parts.push(c);
    };
    body.on('data', onData);
    body.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    });
    body.once('error', fail);
    // 'close' also follows every 'end' and 'error': only then is an Error (and its stack) made
    body.once('close', () => {
      if (!settled) fail(body.errored ?? prematureClose());
    });
  });
}

export function bodyFailure(err: unknown, start: bigint, signal: CallSignal | undefined): CallFailure {
  if (err instanceof TranslationError) return failure('garbage', 502, err.message, start);
  if (typeof err === 'object' && err !== null && 'code' in err && String((err as { code: unknown }).code).startsWith('Z_')) {
    return failure('garbage', 502, 'The upstream LLM returned an invalid response (bad encoding)', start);
  }
  return networkFailure(err, start, signal);
}

