/**
 * Secret masking for every printed output (diff text, JSON report, dump): values substituted from
 * the environment, the kind's secret fields, and plugin config fields marked `"x-secret": true` in
 * the plugin's JSON Schema. Old values are masked exactly like new ones.
 */
import { KIND_BY_NAME, type KindName } from '../config/kinds.js';
import type { Entity } from '../config/state.js';
import { MASK, secretPathsFromSchema } from '../config/secret-paths.js';

export { MASK };

export interface MaskOptions {
  /** Values substituted from env templates; every occurrence inside a string is masked. */
  envValues?: readonly string[];
  /** Secret paths inside a plugin's `config`, by plugin name. */
  pluginSecrets?: (plugin: string) => readonly string[][];
  /** `--show-secrets`: mask nothing. */
  show?: boolean;
  /** What a secret becomes (default `[masked]`); `dump --sanitize` gives a salted hash instead. */
  replace?: (value: unknown) => unknown;
}

export { secretPathsFromSchema };

function maskAt(value: unknown, path: readonly string[], replace: (v: unknown) => unknown = () => MASK): unknown {
  if (path.length === 0) return value === null || value === undefined ? value : replace(value);
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return head === '*' ? value.map((v) => maskAt(v, rest, replace)) : value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...obj };
  for (const key of head === '*' ? Object.keys(obj) : [head]) if (key in obj) out[key] = maskAt(obj[key], rest, replace);
  return out;
}

/** Build a string masker for env values: longest first, every occurrence. */
export function envMasker(values: readonly string[]): (text: string) => string {
  const list = [...new Set(values.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const v of list) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  };
}

function maskStrings(value: unknown, mask: (t: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, mask));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskStrings(v, mask);
    return out;
  }
  return value;
}

/** Secret paths of one entity: the kind's fields plus its plugin's `x-secret` config fields. */
export function secretPaths(kind: KindName, e: Readonly<Record<string, unknown>>, options: MaskOptions): string[][] {
  const paths = KIND_BY_NAME[kind].secrets.map((p) => p.split('.'));
  if (typeof e.name === 'string' && options.pluginSecrets && 'config' in e) {
    for (const p of options.pluginSecrets(e.name)) paths.push(['config', ...p]);
  }
  return paths;
}

/** A copy of an entity with every secret replaced by `[masked]` (unless `show`). */
export function maskEntity(kind: KindName, e: Entity | Readonly<Record<string, unknown>>, options: MaskOptions): Record<string, unknown> {
  if (options.show) return { ...e };
  let out: unknown = e;
  for (const path of secretPaths(kind, e, options)) out = maskAt(out, path, options.replace);
  const mask = envMasker(options.envValues ?? []);
  return maskStrings(out, mask) as Record<string, unknown>;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The old body as it may be printed next to a new one: masked like any body and, in addition,
 * wherever the new body holds a secret at the same place. (An env value that changed: the old
 * value there is presumably the previous secret, which the env masker does not know.) In an
 * array where any new element holds a secret, every old string element that the new array does
 * not keep as it is gets masked too, wherever it sits.
 */
export function maskOldLikeNew(oldShown: unknown, newRaw: unknown, newShown: unknown): unknown {
  if (oldShown === null || oldShown === undefined || sameJson(newRaw, newShown)) return oldShown;
  if (newRaw === null || typeof newRaw !== 'object' || newShown === null || typeof newShown !== 'object') return MASK;
  if (Array.isArray(oldShown) && Array.isArray(newRaw) && Array.isArray(newShown)) {
    const kept = new Set(newShown.map((v) => JSON.stringify(v)));
    return oldShown.map((o, i) => {
      if (o !== null && typeof o === 'object') return i < newRaw.length ? maskOldLikeNew(o, newRaw[i], newShown[i]) : o;
      return typeof o === 'string' && !kept.has(JSON.stringify(o)) ? MASK : o;
    });
  }
  if (Array.isArray(oldShown) || Array.isArray(newRaw) || typeof oldShown !== 'object') return oldShown;
  const out: Record<string, unknown> = { ...(oldShown as Record<string, unknown>) };
  const raw = newRaw as Record<string, unknown>;
  const shown = newShown as Record<string, unknown>;
  for (const key of Object.keys(out)) if (key in raw) out[key] = maskOldLikeNew(out[key], raw[key], shown[key]);
  return out;
}
