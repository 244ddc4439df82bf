/**
 * Field-level differences between two entity bodies, as printable lines:
 *   - objects by key path:                     `- config.minute: 10` / `+ config.minute: 20`
 *   - arrays of objects element by element:    a changed prompt in `prompts.prepend` is one
 *     changed element (`~ config.prompts.prepend[0].content: "… [-politely-]{+briefly+} …"`),
 *     never a replaced array
 *   - arrays of scalars as sequence edits:     `+ tags[1]: "prod"`
 *   - strings through text-diff.ts:            word diffs, line diffs
 *
 * The raw and the masked body of each side are walked together: structure and equality come
 * from the raw values, everything printed comes from the masked ones. A value that masking
 * touched is never word- or line-diffed, and when the new value holds a secret the old one is
 * not printed at all (`~ path: "[masked]" (secret changed)`): no diff reveals part of a secret,
 * old or new. Pure.
 */
import { diffArrays } from 'diff';
import { isMultiLine, lineDiff, same, wordSegments, type DiffLine, type Seg } from './text-diff.js';

/** One side of a comparison: the real value and the value as it may be printed (masked). */
export interface Side {
  raw: unknown;
  shown: unknown;
}

type Path = ReadonlyArray<string | number>;
type Obj = Record<string, unknown>;

const EMPTY: Side = { raw: undefined, shown: undefined };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;
const isScalar = (v: unknown): boolean => v === null || typeof v !== 'object';

/** Deep equality of JSON values; null and a missing key are the same (Kong's "unset"). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameValue(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** `config.prompts.prepend[0].content`; keys that are not plain words are quoted: `headers["x.y"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** Masking changed this value (a secret field, or an env value inside it). */
const touched = (s: Side): boolean => !absent(s.raw) && !sameValue(s.raw, s.shown);

function setLines(path: Path, before: Side, after: Side, depth: number): DiffLine[] {
  const out: DiffLine[] = [];
  if (!absent(before.raw)) out.push({ sign: '-', depth, segs: [same(`${formatPath(path)}: ${json(before.shown)}`)] });
  if (!absent(after.raw)) out.push({ sign: '+', depth, segs: [same(`${formatPath(path)}: ${json(after.shown)}`)] });
  return out;
}

/** A JSON string with some parts marked: the quotes and escapes of JSON, the marks kept. */
function quotedSegments(segs: readonly Seg[]): Seg[] {
  return [same('"'), ...segs.map((s) => ({ ...s, text: JSON.stringify(s.text).slice(1, -1) })), same('"')];
}

/** A multi-line string added or removed whole: `+ path: |` and then its lines, unquoted. */
function blockLines(path: Path, s: Side, sign: '-' | '+', depth: number): DiffLine[] | null {
  if (typeof s.raw !== 'string' || !s.raw.includes('\n') || touched(s)) return null;
  const lines = s.raw.split('\n');
  return [
    { sign, depth, segs: [same(`${formatPath(path)}: |`)] },
    ...lines.map((text): DiffLine => ({ sign, depth: depth + 1, segs: [same(text)] })),
  ];
}

function leafLines(path: Path, before: Side, after: Side, depth: number): DiffLine[] {
  const both = !absent(before.raw) && !absent(after.raw);
  if (!both) {
    const block = absent(before.raw) ? blockLines(path, after, '+', depth) : blockLines(path, before, '-', depth);
    if (block !== null) return block;
  }
  if (both && touched(after)) {
    return [{ sign: '~', depth, segs: [same(`${formatPath(path)}: ${json(after.shown)} (secret changed)`)] }];
  }
  if (both && !touched(before) && typeof before.raw === 'string' && typeof after.raw === 'string') {
    if (isMultiLine(before.raw, after.raw)) {
      return [{ sign: '~', depth, segs: [same(`${formatPath(path)}:`)] }, ...lineDiff(before.raw, after.raw, depth + 1)];
    }
    const words = wordSegments(before.raw, after.raw);
    if (words !== null) return [{ sign: '~', depth, segs: [same(`${formatPath(path)}: `), ...quotedSegments(words)] }];
  }
  return setLines(path, before, after, depth);
}

/** Element `i` of a side that holds an array (raw and shown have the same length). */
function item(s: Side, i: number): Side {
  return { raw: (s.raw as unknown[])[i], shown: Array.isArray(s.shown) ? s.shown[i] : s.shown };
}

/** Two elements worth comparing field by field (or word by word) rather than as a swap. */
function pairable(a: unknown, b: unknown, sameLength: boolean): boolean {
  if (isObj(a) && isObj(b)) return true;
  return sameLength && typeof a === 'string' && typeof b === 'string';
}

function arrayLines(path: Path, before: Side, after: Side, depth: number): DiffLine[] {
  const b = Array.isArray(before.raw) ? before.raw : [];
  const a = Array.isArray(after.raw) ? after.raw : [];
  const parts = diffArrays<unknown>(b, a, { comparator: sameValue });
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    if (!p.added && !p.removed) {
      i += p.count;
      j += p.count;
      continue;
    }
    const removed = p.removed ? p.count : 0;
    const next = parts[k + 1];
    const added = p.added ? p.count : p.removed && next?.added === true ? next.count : 0;
    if (p.removed && next?.added === true) k++;
    let n = 0;
    while (n < Math.min(removed, added) && pairable(b[i + n], a[j + n], removed === added)) {
      out.push(...walk([...path, j + n], item(before, i + n), item(after, j + n), depth));
      n++;
    }
    for (let r = n; r < removed; r++) out.push(...walk([...path, i + r], item(before, i + r), EMPTY, depth));
    for (let d = n; d < added; d++) out.push(...walk([...path, j + d], EMPTY, item(after, j + d), depth));
    i += removed;
    j += added;
  }
  return out;
}

/** Whether masking replaced this whole object or array by a string (an opaque secret). */
const opaque = (s: Side): boolean => !absent(s.raw) && typeof s.raw === 'object' && (s.shown === null || typeof s.shown !== 'object');

/** An array printed on one line when it is added or removed whole: scalars only. */
const flatArray = (v: unknown): boolean => Array.isArray(v) && v.every(isScalar);

function walk(path: Path, before: Side, after: Side, depth: number): DiffLine[] {
  if (sameValue(before.raw, after.raw)) return [];
  if (opaque(before) || opaque(after)) return leafLines(path, before, after, depth);
  const objects = (isObj(before.raw) || absent(before.raw)) && (isObj(after.raw) || absent(after.raw));
  if (objects && (path.length === 0 || isObj(before.raw) || isObj(after.raw))) return objectLines(path, before, after, depth);
  const arrays = (Array.isArray(before.raw) || absent(before.raw)) && (Array.isArray(after.raw) || absent(after.raw));
  if (arrays && !(absent(before.raw) && flatArray(after.raw)) && !(absent(after.raw) && flatArray(before.raw))) {
    return arrayLines(path, before, after, depth);
  }
  return leafLines(path, before, after, depth);
}

function objectLines(path: Path, before: Side, after: Side, depth: number): DiffLine[] {
  const b = isObj(before.raw) ? before.raw : {};
  const a = isObj(after.raw) ? after.raw : {};
  const bs = isObj(before.shown) ? before.shown : {};
  const as = isObj(after.shown) ? after.shown : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.flatMap((k) => walk([...path, k], { raw: b[k], shown: bs[k] }, { raw: a[k], shown: as[k] }, depth));
}

/**
 * The lines that tell `before` from `after` (two entity bodies, or any JSON values), one level
 * deep; pass an empty side ({raw: undefined, shown: undefined}) to list a created or deleted body.
 */
export function valueDiff(before: Side, after: Side, depth = 1): DiffLine[] {
  return walk([], before, after, depth);
}

export const NOTHING: Side = EMPTY;
