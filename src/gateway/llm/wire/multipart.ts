/**
 * Streaming request bodies: a byte limit that fails the stream instead of buffering it, and a
 * multipart/form-data rewriter (text fields edited, files streamed through untouched) so that a
 * gateway can set `model` in an audio or image upload without holding the upload in memory.
 */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';

/** The stream passed its byte limit. */
export class BodyLimitError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = 'BodyLimitError';
  }
}

/** `source` as it streams, failing with BodyLimitError once more than `limit` bytes went through. */
export function limitBytes(source: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new BodyLimitError(limit));
      else done(null, chunk);
    },
  });
  source.once('error', (err) => counter.destroy(err));
  // the reader may not listen yet when the limit strikes; it finds the error in `errored`
  counter.on('error', () => undefined);
  return source.pipe(counter);
}

/** A text field of a multipart body passed its byte limit. */
export class FieldLimitError extends Error {
  constructor(readonly field: string, readonly limit: number) {
    super(`multipart field '${field}' is larger than ${limit} bytes`);
    this.name = 'FieldLimitError';
  }
}

export interface FieldRewrite {
  /** A text field as sent → the value to forward. Throw to refuse the request (the stream fails with that error). */
  field(name: string, value: string): string;
  /** Fields to add after the client's (e.g. a model the client did not name). */
  extra(): Record<string, string>;
}

const CRLF = '\r\n';

function quote(s: string): string {
  return s.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
}

function partHead(boundary: string, name: string, file?: { filename: string; mimeType: string }): string {
  const disposition = `Content-Disposition: form-data; name="${quote(name)}"${file ? `; filename="${quote(file.filename)}"` : ''}`;
  return `--${boundary}${CRLF}${disposition}${CRLF}${file ? `Content-Type: ${file.mimeType}${CRLF}` : ''}${CRLF}`;
}

async function write(out: PassThrough, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Re-encodes a multipart/form-data stream with a boundary of its own, passing each text field
 * through `rw.field` and each file through unchanged, in order and with backpressure (the upload is
 * never buffered whole; a text field over `fieldLimit` bytes fails it with FieldLimitError). The
 * result fails with the source's error, or with what `rw.field` threw.
 */
export function rewriteMultipart(source: Readable, contentType: string, rw: FieldRewrite, fieldLimit = 1024 * 1024): { contentType: string; body: Readable } {
  const boundary = `aigw-${randomBytes(12).toString('hex')}`;
  const out = new PassThrough();
  // the reader may not listen yet when a field fails; it finds the error in `errored`
  out.on('error', () => undefined);
  let failed = false;
  const fail = (err: unknown): void => {
    if (failed) return;
    failed = true;
    source.unpipe();
    source.resume();
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  let chain: Promise<void> = Promise.resolve();
  const then = (step: () => Promise<void>): void => {
    chain = chain.then(() => (failed ? undefined : step())).catch(fail);
  };
  let bb: BusboyInstance;
  try {
    bb = Busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: fieldLimit } });
  } catch (err) {
    fail(err);
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: out };
  }
  bb.on('field', (name: string, value: string, _nameCut: boolean, valueCut: boolean) => then(async () => {
    if (valueCut) throw new FieldLimitError(name, fieldLimit);
    await write(out, `${partHead(boundary, name)}${rw.field(name, value)}${CRLF}`);
  }));
  bb.on('file', (name: string, stream: Readable, filename: string, _enc: string, mimeType: string) => then(async () => {
    await write(out, partHead(boundary, name, { filename, mimeType }));
    for await (const chunk of stream) await write(out, chunk as Buffer);
    await write(out, CRLF);
  }));
  bb.on('finish', () => then(async () => {
    for (const [name, value] of Object.entries(rw.extra())) await write(out, `${partHead(boundary, name)}${value}${CRLF}`);
    out.end(`--${boundary}--${CRLF}`);
  }));
  bb.on('error', fail);
  source.once('error', fail);
  source.pipe(bb);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: out };
}
