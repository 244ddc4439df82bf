import { createHash } from 'node:crypto';

/**
 * A deterministic unit vector for `text`: bytes of sha256(`<block>:<text>`) mapped to [-1, 1],
 * normalised, and rounded to float32 so JSON floats and base64 float32 encodings agree exactly.
 */
export function embedding(text: string, dims: number): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dims; block++) {
    const h = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < h.length && raw.length < dims; i += 2) raw.push(h.readUInt16BE(i) / 32767.5 - 1);
  }
  const norm = Math.sqrt(raw.reduce((s, v) => s + v * v, 0)) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes, base64-encoded. */
export function embeddingBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}
