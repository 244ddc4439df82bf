/**
 * What the schemas say `aigw serve` does with a Kong field it has not implemented. Every such
 * field is marked, and the mark is the decision:
 *   - `x-aigw-unsupported` / `x-aigw-unsupported-values`: REFUSED. A config that sets the field
 *     (or the value) validates, as Kong accepts it, with a warning; `aigw serve` refuses it at
 *     startup, on reload, and in Admin API writes (runtime.ts: `serveRefusals`).
 *   - `x-aigw-no-effect`: the field changes nothing under `aigw serve` (e.g. an nginx shared
 *     dictionary name); accepted with a warning saying so.
 * A field aigw serve implements carries no mark and gets no warning. A field counts as set when
 * it differs from its default: a record counts when one of its fields does.
 */
import type { JsonSchema } from '../schemas.js';
import { isRecordSchema, resolveSchema } from '../defaults.js';

export type MarkKind = 'refused' | 'no-effect';

export interface MarkedField {
  kind: MarkKind;
  /** Path of the field from the walked value. */
  path: Array<string | number>;
  /** 'value': a marked value (`x-aigw-unsupported-values`), shown in `value`. */
  at: 'key' | 'value';
  value?: string;
  why: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const unset = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** Whether `v` differs from the default of `schema` (a record: whether one of its fields does). */
function differs(schema: JsonSchema, relPath: string, v: unknown): boolean {
  const { schema: s, relPath: rel } = resolveSchema(schema, relPath);
  const def = schema.default ?? s.default;
  // a record's default (`{}`, or some of its fields) is filled with its fields' own defaults: a
  // record left at its defaults is not set (compared as a whole it would always differ from `{}`)
  const recordDefault = isPlainObject(def) && isRecordSchema(s);
  if (def !== undefined && !recordDefault) return JSON.stringify(v) !== JSON.stringify(def);
  if (unset(v)) return false;
  if (typeof v === 'object' && !Array.isArray(v) && isRecordSchema(s)) {
    const props = s.properties ?? {};
    const given = recordDefault ? (def as Record<string, unknown>) : {};
    return Object.entries(v as Record<string, unknown>).some(([k, x]) => {
      if (Object.hasOwn(given, k)) return JSON.stringify(x) !== JSON.stringify(given[k]);
      return props[k] === undefined ? !unset(x) : differs(props[k], rel, x);
    });
  }
  if (typeof v === 'object' && !Array.isArray(v)) return Object.values(v as Record<string, unknown>).some((x) => !unset(x));
  return true;
}

const MARK_KEYS = ['x-aigw-unsupported', 'x-aigw-unsupported-values', 'x-aigw-no-effect'] as const;

const marked = (s: JsonSchema): boolean => MARK_KEYS.some((k) => s[k] !== undefined);

/**
 * Per schema (as the registry holds it, before resolution): the properties of its record that hold
 * a mark at any depth. A build checks every entity, so only those are walked.
 */
const markedKeysOf = new WeakMap<JsonSchema, readonly string[]>();

function markedKeys(schema: JsonSchema, rel: string, seen: Set<JsonSchema> = new Set()): readonly string[] {
  const known = markedKeysOf.get(schema);
  if (known !== undefined) return known;
  seen.add(schema);
  const { schema: s, relPath } = resolveSchema(schema, rel);
  const keys = Object.entries(s.properties ?? {}).filter(([, prop]) => holdsMark(prop, relPath, seen)).map(([k]) => k);
  markedKeysOf.set(schema, keys);
  return keys;
}

function holdsMark(prop: JsonSchema, relPath: string, seen: Set<JsonSchema>): boolean {
  const { schema: p, relPath: rel } = resolveSchema(prop, relPath);
  if (marked(prop) || marked(p)) return true;
  if (!seen.has(prop) && isRecordSchema(p) && markedKeys(prop, relPath, seen).length > 0) return true;
  const items = p.items as JsonSchema | undefined;
  if (items === undefined) return false;
  const it = resolveSchema(items, rel).schema;
  return marked(items) || marked(it) || (!seen.has(items) && isRecordSchema(it) && markedKeys(items, rel, seen).length > 0);
}

/** The marked fields and values `raw` sets (records and arrays of records are walked). */
export function servedMarks(schema: JsonSchema, rel: string, raw: unknown, base: Array<string | number> = []): MarkedField[] {
  const { schema: s, relPath } = resolveSchema(schema, rel);
  if (!isRecordSchema(s) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const out: MarkedField[] = [];
  for (const key of markedKeys(schema, rel)) {
    const prop = s.properties![key]!;
    const v = (raw as Record<string, unknown>)[key];
    if (unset(v)) continue;
    const p = resolveSchema(prop, relPath).schema;
    const path = [...base, key];
    const refused = prop['x-aigw-unsupported'] ?? p['x-aigw-unsupported'];
    const noEffect = (prop['x-aigw-no-effect'] ?? p['x-aigw-no-effect']) as string | undefined;
    if ((refused !== undefined || noEffect !== undefined) && differs(prop, relPath, v)) {
      out.push(refused !== undefined ? { kind: 'refused', path, at: 'key', why: refused } : { kind: 'no-effect', path, at: 'key', why: noEffect! });
    }
    out.push(...valueMarks(prop, p, v, path));
    if (Array.isArray(v) && p.items) {
      const items = p.items as JsonSchema;
      v.forEach((item, i) => {
        out.push(...valueMarks(items, resolveSchema(items, relPath).schema, item, [...path, i]));
        out.push(...servedMarks(items, relPath, item, [...path, i]));
      });
    } else if (typeof v === 'object') {
      out.push(...servedMarks(prop, relPath, v, path));
    }
  }
  return out;
}

function valueMarks(prop: JsonSchema, p: JsonSchema, v: unknown, path: Array<string | number>): MarkedField[] {
  const values = prop['x-aigw-unsupported-values'] ?? p['x-aigw-unsupported-values'];
  if (values === undefined || typeof v !== 'string' || values[v] === undefined) return [];
  return [{ kind: 'refused', path, at: 'value', value: v, why: values[v] }];
}

const dotted = (path: ReadonlyArray<string | number>): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

/**
 * Why `aigw serve` refuses `raw` (one sentence per refused field or value, naming it; a field's
 * value is never shown: it may be a secret). `prefix` is prepended to each path (`config.`).
 */
export function serveRefusals(schema: JsonSchema, rel: string, raw: unknown, prefix = ''): string[] {
  return servedMarks(schema, rel, raw)
    .filter((m) => m.kind === 'refused')
    .map((m) => (m.at === 'value'
      ? `${prefix}${dotted(m.path)} '${m.value}' is not served: ${m.why}`
      : `${prefix}${dotted(m.path)} is set, and aigw serve does not run it: ${m.why}`));
}
