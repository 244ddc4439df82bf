/** The API route types' pieces: resource paths, the streamed multipart rewriter and the byte limit. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isCreate, resourcePath } from '../../../src/gateway/llm/wire/api-routes.js';
import { BodyLimitError, FieldLimitError, limitBytes, rewriteMultipart } from '../../../src/gateway/llm/wire/multipart.js';
import { parseMultipart } from '../../../src/mock/multipart.js';

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** `data` as a stream of `size`-byte chunks. */
function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

const BOUNDARY = 'XyZ';
function form(fields: Array<[string, string]>, file: Buffer): Buffer {
  const head = fields.map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`),
    file,
    Buffer.from(`\r\n${head}--${BOUNDARY}--\r\n`),
  ]);
}

describe('resourcePath', () => {
  it('single-endpoint types always call their endpoint', () => {
    expect(resourcePath('audio/v1/audio/speech', '/anything/at/all')).toBe('/audio/speech');
  });
  it('RESTful types keep the client path from the last resource segment on', () => {
    expect(resourcePath('llm/v1/files', '/gw/v1/files')).toBe('/files');
    expect(resourcePath('llm/v1/files', '/gw/v1/files/file-1/content')).toBe('/files/file-1/content');
    expect(resourcePath('llm/v1/files', '/files-api/v1/files/file-1/')).toBe('/files/file-1');
    expect(resourcePath('llm/v1/batches', '/x/batches/b1/cancel')).toBe('/batches/b1/cancel');
    expect(resourcePath('video/v1/videos/generations', '/v1/videos/video_1/content')).toBe('/videos/video_1/content');
    expect(resourcePath('llm/v1/files', '/somewhere/else')).toBe('/files');
  });
  it('only a POST on the collection creates', () => {
    expect(isCreate('video/v1/videos/generations', 'POST', '/videos')).toBe(true);
    expect(isCreate('video/v1/videos/generations', 'GET', '/videos')).toBe(false);
    expect(isCreate('llm/v1/batches', 'POST', '/batches/b1/cancel')).toBe(false);
  });
});

describe('rewriteMultipart', () => {
  const audio = Buffer.alloc(300_000);
  for (let i = 0; i < audio.length; i++) audio[i] = (i * 7919) & 0xff;

  for (const size of [1, 7, 65_536]) {
    it(`replaces the model field and streams the file byte for byte (${size}-byte chunks)`, async () => {
      const input = size === 1 ? form([['model', 'whisper-1'], ['language', 'de']], audio.subarray(0, 4000)) : form([['model', 'whisper-1'], ['language', 'de']], audio);
      const out = rewriteMultipart(chunked(input, size), `multipart/form-data; boundary=${BOUNDARY}`, {
        field: (name, value) => (name === 'model' ? 'gpt-4o-transcribe' : value),
        extra: () => ({}),
      });
      const parsed = parseMultipart(await collect(out.body), out.contentType);
      if (parsed instanceof Error) throw parsed;
      expect(parsed.fields).toEqual({ model: 'gpt-4o-transcribe', language: 'de' });
      expect(parsed.files).toHaveLength(1);
      expect(parsed.files[0]).toMatchObject({ name: 'file', filename: 'a.wav', mimeType: 'audio/wav' });
      expect(parsed.files[0].data.equals(size === 1 ? audio.subarray(0, 4000) : audio)).toBe(true);
    });
  }

  it('adds fields the client did not send', async () => {
    const out = rewriteMultipart(Readable.from([form([], Buffer.from('x'))]), `multipart/form-data; boundary=${BOUNDARY}`, { field: (_n, v) => v, extra: () => ({ model: 'm1' }) });
    const parsed = parseMultipart(await collect(out.body), out.contentType);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.fields).toEqual({ model: 'm1' });
  });

  it('fails the stream when a text field passes its limit, and when the body is not multipart', async () => {
    const big = rewriteMultipart(Readable.from([form([['prompt', 'p'.repeat(100)]], Buffer.from('x'))]), `multipart/form-data; boundary=${BOUNDARY}`, { field: (_n, v) => v, extra: () => ({}) }, 50);
    await expect(collect(big.body)).rejects.toBeInstanceOf(FieldLimitError);
    const bad = rewriteMultipart(Readable.from([Buffer.from('{}')]), 'application/json', { field: (_n, v) => v, extra: () => ({}) });
    await expect(collect(bad.body)).rejects.toThrow();
  });

  it('fails with what the field rewriter throws', async () => {
    const out = rewriteMultipart(Readable.from([form([['model', 'x']], Buffer.from('x'))]), `multipart/form-data; boundary=${BOUNDARY}`, {
      field: () => {
        throw new Error('no such model');
      },
      extra: () => ({}),
    });
    await expect(collect(out.body)).rejects.toThrow('no such model');
  });
});

describe('limitBytes', () => {
  it('passes a body up to the limit and fails one byte past it', async () => {
    expect((await collect(limitBytes(chunked(Buffer.alloc(100), 7), 100))).length).toBe(100);
    const over = limitBytes(chunked(Buffer.alloc(101), 7), 100);
    await expect(collect(over)).rejects.toBeInstanceOf(BodyLimitError);
    expect(over.errored).toBeInstanceOf(BodyLimitError);
  });
});
