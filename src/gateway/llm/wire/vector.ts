/**
 * Vector math shared by the semantic cache and semantic routing. Distances follow the vector
 * databases Kong uses (Redis VSS): `cosine` distance is 1 − cosine similarity (0 = same direction,
 * 2 = opposite), `euclidean` is the L2 distance. `vectordb.threshold` is a maximum distance: a
 * candidate matches when its distance is ≤ threshold.
 */
export type DistanceMetric = 'cosine' | 'euclidean';

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** 1 − cos(a, b); 1 when either vector is zero (no direction, no similarity). */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  if (na === 0 || nb === 0) return 1;
  return 1 - dot(a, b) / (na * nb);
}

export function euclideanDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    s += d * d;
  }
  return Math.sqrt(s);
}

export function distance(metric: DistanceMetric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  return metric === 'cosine' ? cosineDistance(a, b) : euclideanDistance(a, b);
}

/** Little-endian float32 bytes (the compact form stored in Redis). */
export function toFloat32Buffer(v: readonly number[]): Buffer {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf;
}

export function fromFloat32Buffer(buf: Buffer): number[] {
  const out = new Array<number>(Math.floor(buf.length / 4));
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** Narrows an embedding from JSON: a non-empty array of finite numbers, else null. */
export function parseVector(v: unknown): number[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  return v as number[];
}
