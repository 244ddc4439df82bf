import { createHash } from 'node:crypto';

/**
 * Words that carry no topic: dropped before hashing so that reworded questions ("What is the
 * capital of France?" / "Tell me the capital of France") land on the same vector.
 */
const STOP_WORDS = new Set([
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'am', 'do', 'does', 'did', 'of', 'to', 'in', 'on', 'at',
  'for', 'by', 'with', 'about', 'from', 'and', 'or', 'but', 'what', 'whats', 'which', 'who', 'whom', 'how', 'when',
  'where', 'why', 'i', 'me', 'my', 'you', 'your', 'we', 'us', 'our', 'it', 'its', 'this', 'that', 'these', 'those',
  'please', 'tell', 'can', 'could', 'would', 'will', 'shall', 'should', 'may', 'might', 'let', 'know', 'explain',
  'give', 'say', 'some', 'any', 'there', 'here', 'so', 'just', 'really', 'kindly', 'hey', 'hi', 'hello',
]);

function tokens(text: string): string[] {
  return text.toLowerCase().replace(/['’]s\b/g, '').replace(/['’]/g, '').split(/[^\p{L}\p{N}]+/u).filter((t) => t !== '');
}

/** A very small stemmer: plural and possessive endings only. */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Dense pseudo-random unit-ish vector from sha256(`<block>:<text>`), values in [-1, 1]. */
function hashVector(text: string, dims: number): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dims; block++) {
    const h = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < h.length && raw.length < dims; i += 2) raw.push(h.readUInt16BE(i) / 32767.5 - 1);
  }
  return raw;
}

/** Signed feature hashing of the content words: each word adds ±1 to one dimension. */
function bagOfWords(words: readonly string[], dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of words) {
    const h = createHash('sha256').update(w).digest();
    v[h.readUInt32BE(0) % dims] += (h[4] & 1) === 0 ? 1 : -1;
  }
  return v;
}

function normalise(raw: number[]): number[] {
  const norm = Math.sqrt(raw.reduce((s, v) => s + v * v, 0));
  if (norm === 0) return raw.map(() => 0);
  return raw.map((v) => Math.fround(v / norm));
}

/**
 * A deterministic unit vector for `text`, semantic enough for tests: a hashed bag of its content
 * words (lower-cased, stop words dropped, plurals stemmed), so rewordings that keep the same
 * content words are identical or close (cosine = shared words / √(|a|·|b|)) and unrelated texts
 * are nearly orthogonal (up to hash collisions, fewer with more dimensions). Text without words
 * falls back to a dense sha256-based vector. Rounded to float32 so JSON floats and base64 float32
 * encodings agree exactly.
 */
export function embedding(text: string, dims: number): number[] {
  const all = tokens(text);
  const content = all.filter((t) => !STOP_WORDS.has(t)).map(stem);
  const words = content.length > 0 ? content : all.map(stem);
  if (words.length === 0) return normalise(hashVector(text, dims));
  const v = bagOfWords(words, dims);
  // Words that cancel out (same bucket, opposite signs) must not yield a zero vector.
  return v.every((x) => x === 0) ? normalise(hashVector(words.join(' '), dims)) : normalise(v);
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes, base64-encoded. */
export function embeddingBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}
