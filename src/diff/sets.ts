/**
 * Set-typed values have no order (Kong `set`: `uniqueItems` in aigw's schemas): every entity's
 * `tags`, route and plugin `protocols`, route `methods`/`snis`/`sources`/`destinations`, and the
 * plugin config fields Kong types `set` (jwt `cookie_names`…). decK compares them sorted (GDR
 * pkg/state/types.go: EqualWithOpts, sortNestedArraysBasedOnSchema); an `array` keeps its order.
 *
 * `alignSets` gives the target, for every set whose members equal the current one's, the current
 * order: the comparison then sees no change, and a diff shows only what really changed (a set that
 * did change keeps the file's order).
 */
import { KIND_BY_NAME, type KindName } from '../config/kinds.js';
import { resolveSchema } from '../config/defaults.js';
import { schemas, type JsonSchema } from '../config/schemas.js';
import type { Entity } from '../config/state.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The same members, whatever the order (duplicates counted). */
function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  const key = (v: unknown) => JSON.stringify(canonical(v));
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.every((v, i) => v === y[i]);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

function alignValue(schema: JsonSchema, rel: string, target: unknown, current: unknown): unknown {
  if (!Array.isArray(target) || !Array.isArray(current)) {
    return isObj(target) && isObj(current) ? alignRecord(schema, rel, target, current) : target;
  }
  const { schema: s, relPath } = resolveSchema(schema, rel);
  if (s.uniqueItems === true) return sameMembers(target, current) ? current : target;
  if (s.items === undefined || target.length !== current.length) return target;
  const items = s.items;
  let changed = false;
  const out = target.map((t, i) => {
    const a = alignValue(items, relPath, t, current[i]);
    if (a !== t) changed = true;
    return a;
  });
  return changed ? out : target;
}

function alignRecord(schema: JsonSchema, rel: string, target: Obj, current: Obj): Obj {
  const { schema: s, relPath } = resolveSchema(schema, rel);
  let out: Obj | null = null;
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if (!(key in target) || !(key in current)) continue;
    const a = alignValue(prop, relPath, target[key], current[key]);
    if (a !== target[key]) (out ??= { ...target })[key] = a;
  }
  return out ?? target;
}

/** The target entity with the current order on every set that holds the same members. Pure over the schemas. */
export function alignSets(kind: KindName, target: Entity, current: Entity): Entity {
  const def = KIND_BY_NAME[kind];
  const rel = def.schema;
  let out = alignRecord(schemas().entity(kind), rel, target, current);
  if (kind === 'plugins' && typeof target.name === 'string' && isObj(target.config) && isObj(current.config)) {
    const plugin = schemas().plugin(target.name);
    if (plugin !== undefined) {
      const config = alignRecord(plugin, `plugins/${target.name}.json`, target.config, current.config);
      if (config !== target.config) out = { ...out, config };
    }
  }
  return out as Entity;
}
