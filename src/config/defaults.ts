import { schemas, type JsonSchema } from './schemas.js';
import { KINDS, KIND_BY_NAME, type KindName } from './kinds.js';
import { isObj } from './collect.js';
import { translateShorthands } from './shorthands.js';

/**
 * Kong-style default filling: every declared field ends up present. A missing field takes its
 * schema default; a missing record that Kong requires (its schema default is `{}`) is materialised
 * with its own fields' defaults, as Kong's Admin API returns it, and an optional one stays null;
 * anything else missing becomes null. Explicit nulls stay null. Unknown keys are
 * kept (validation reports them). Pure: returns new objects.
 */

type Obj = Record<string, unknown>;

export interface Resolved {
  schema: JsonSchema;
  relPath: string;
}


/** Follow `$ref`s and pick the object branch of `anyOf`/`oneOf` unions. */
export function resolveSchema(schema: JsonSchema, relPath: string): Resolved {
  const reg = schemas();
  let r: Resolved = schema.$ref !== undefined ? reg.resolve(schema, relPath) : { schema, relPath };
  const union = r.schema.anyOf ?? r.schema.oneOf;
  if (union && !r.schema.properties) {
    for (const branch of union) {
      const b = branch.$ref !== undefined ? reg.resolve(branch, r.relPath) : { schema: branch, relPath: r.relPath };
      if (b.schema.properties) {
        r = { schema: { ...b.schema, default: r.schema.default ?? b.schema.default }, relPath: b.relPath };
        break;
      }
    }
  }
  return r;
}

export function isRecordSchema(s: JsonSchema): boolean {
  return s.properties !== undefined && (s.type === undefined || s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')));
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** `nullableOnly`: fill only the defaults of fields that may be null (for `nullsOverDefaults`). */
export interface FillOptions { nullableOnly?: boolean }

const mayBeNull = (s: JsonSchema): boolean => s.type === undefined || s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null'));

export function fillValue(schema: JsonSchema, relPath: string, value: unknown, omit?: ReadonlySet<string>, opts?: FillOptions): unknown {
  const { schema: s, relPath: rel } = resolveSchema(schema, relPath);
  let v = value;
  if (v === undefined) {
    // a record Kong materialises carries `default: {}` (its fields' defaults fill it below)
    if (s.default !== undefined) v = clone(s.default);
    else return null;
  }
  if (v === null) return null;
  if (isRecordSchema(s) && isObj(v)) return fillRecord(s, rel, v, omit, opts);
  if (Array.isArray(v) && s.items !== undefined) {
    const items = resolveSchema(s.items, rel);
    if (isRecordSchema(items.schema)) return v.map((item) => fillValue(items.schema, items.relPath, item, undefined, opts));
  }
  return v;
}

/**
 * Collected in a Map and made an object at once: an object grown key by key (`out[key] = …`) past
 * 16 properties goes to V8's dictionary mode, ~1.6 KiB for ai-proxy's 26 model options against
 * ~0.2 KiB in fast mode, per plugin instance for the configuration's life (bench/README.md "Memory
 * with 1,000 routes: round 4"); Object.fromEntries keeps fast properties, on a map shared by every
 * record of the same keys.
 */
function fillRecord(s: JsonSchema, rel: string, v: Obj, omit?: ReadonlySet<string>, opts?: FillOptions): Obj {
  const out = new Map<string, unknown>();
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if (omit?.has(key)) continue;
    // a deprecated shorthand (x-kong-shorthand) has no default: only what is written stays
    if (prop['x-kong-shorthand'] !== undefined && v[key] === undefined) continue;
    if (opts?.nullableOnly === true && v[key] === undefined && !mayBeNull(resolveSchema(prop, rel).schema)) continue;
    out.set(key, fillValue(prop, rel, v[key], undefined, opts));
  }
  for (const [key, val] of Object.entries(v)) if (!out.has(key) && !omit?.has(key)) out.set(key, val);
  return Object.fromEntries(out);
}

/**
 * Fill a plugin config from `schemas/plugins/<name>.json`, its deprecated shorthands translated
 * first (shorthands.ts); unknown plugins are returned as given.
 */
export function fillPluginDefaults(name: string, config: unknown, opts?: FillOptions): unknown {
  const schema = schemas().plugin(name);
  if (!schema) return config ?? {};
  return fillValue(schema, `plugins/${name}.json`, translateShorthands(schema, config === null || config === undefined ? {} : config), undefined, opts);
}

/** Fill a partial's config from `schemas/partials/<type>.json`; unknown types are returned as given. */
export function fillPartialDefaults(type: string, config: unknown, opts?: FillOptions): unknown {
  const schema = schemas().partial(type);
  if (!schema) return config ?? {};
  return fillValue(schema, `partials/${type}.json`, config === null || config === undefined ? {} : config, undefined, opts);
}

/**
 * Fill an entity of `kind` in wire form (foreign keys as `{id}` are left as they are). Used by the
 * Admin API and by readers of remote state so that every source yields the same shape.
 */
export function fillEntityDefaults(kind: KindName, entity: Record<string, unknown>, opts?: FillOptions): Record<string, unknown> {
  const def = KIND_BY_NAME[kind];
  const omit = new Set<string>(['url', ...KINDS.flatMap((k) => Object.entries(k.nestedUnder).filter(([p]) => p === kind).map(([, key]) => key))]);
  for (const fk of def.foreignKeys) omit.add(fk.field);
  for (const f of def.ignore) if (entity[f] === undefined) omit.add(f);
  // one object made at once, as fillRecord's (keys added one by one would make a route's 21 a dictionary)
  const filled = new Map(Object.entries(fillValue(schemas().entity(kind), def.schema, entity, omit, opts) as Record<string, unknown>));
  for (const fk of def.foreignKeys) filled.set(fk.field, entity[fk.field] ?? null);
  const name = filled.get('name');
  const type = filled.get('type');
  if (kind === 'plugins' && typeof name === 'string') filled.set('config', fillPluginDefaults(name, entity.config, opts));
  if (kind === 'partials' && typeof type === 'string') filled.set('config', fillPartialDefaults(type, entity.config, opts));
  return Object.fromEntries(filled);
}
