import { childrenOf, KINDS, KIND_BY_NAME, type KindDef, type KindName } from './kinds.js';
import type { JsonPath, SourceFile } from './source.js';

/**
 * Flatten the nested file form into raw entities, one per occurrence, each remembering where it
 * came from (file + JSON path) so that every later issue points at the source.
 */

export type Obj = Record<string, unknown>;

/** A foreign reference as written in the file: by id, by name, or implied by nesting. */
export type RawRef =
  | { by: 'id'; value: string; path: JsonPath }
  | { by: 'name'; value: string; path: JsonPath }
  | { by: 'parent'; parent: RawEntity };

export interface RawEntity {
  kind: KindDef;
  /** Own fields as written, without nested children and foreign keys. */
  data: Obj;
  refs: Partial<Record<string, RawRef>>;
  file: SourceFile;
  path: JsonPath;
  /** Filled in by normalisation. */
  id?: string;
}

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read a foreign-key value in any of decK's forms: "name-or-id", {id}, {name}, {username}. */
function readRef(value: unknown, path: JsonPath, target: KindDef): RawRef | null {
  if (typeof value === 'string') return UUID.test(value) ? { by: 'id', value, path } : { by: 'name', value, path };
  if (isObj(value)) {
    if (typeof value.id === 'string') return { by: 'id', value: value.id, path: [...path, 'id'] };
    const field = target.refField ?? 'name';
    for (const key of [field, 'name', 'username', 'custom_id']) {
      if (typeof value[key] === 'string') return { by: 'name', value: value[key] as string, path: [...path, key] };
    }
  }
  return null;
}

export interface CollectResult {
  raws: RawEntity[];
  /** Entities whose nesting contradicts an explicit foreign key. */
  nestingConflicts: Array<{ raw: RawEntity; field: string }>;
}

function collectOne(kind: KindDef, value: unknown, file: SourceFile, path: JsonPath, parent: RawEntity | null, out: CollectResult): void {
  if (!isObj(value)) return; // the schema check reports non-objects
  const data: Obj = {};
  const nested = childrenOf(kind.name);
  const nestedKeys = new Set(nested.map((n) => n.key));
  const fkFields = new Set(kind.foreignKeys.map((f) => f.field));
  const raw: RawEntity = { kind, data, refs: {}, file, path };
  for (const [key, v] of Object.entries(value)) {
    if (nestedKeys.has(key)) continue;
    if (fkFields.has(key)) {
      const fk = kind.foreignKeys.find((f) => f.field === key);
      if (fk && v !== null && v !== undefined) {
        const ref = readRef(v, [...path, key], KIND_BY_NAME[fk.kind]);
        if (ref) raw.refs[key] = ref;
      }
      continue;
    }
    data[key] = v;
  }
  if (kind.name === 'consumer_group_consumers') {
    // `consumers[].groups[]` items name the group itself: {name} or {id}
    const ref = readRef(value, path, KIND_BY_NAME.consumer_groups);
    if (ref) raw.refs.consumer_group = ref;
    for (const k of Object.keys(data)) delete data[k];
  }
  if (parent) {
    const fk = kind.foreignKeys.find((f) => f.kind === parent.kind.name);
    if (fk) {
      if (raw.refs[fk.field] !== undefined) out.nestingConflicts.push({ raw, field: fk.field });
      raw.refs[fk.field] = { by: 'parent', parent };
    }
  }
  out.raws.push(raw);
  for (const { kind: child, key } of nested) {
    const list = value[key];
    if (Array.isArray(list)) list.forEach((item, i) => collectOne(child, item, file, [...path, key, i], raw, out));
  }
}

/** Collect every entity of every file, in file order. */
export function collectEntities(files: ReadonlyArray<{ file: SourceFile; content: Obj }>): CollectResult {
  const out: CollectResult = { raws: [], nestingConflicts: [] };
  for (const { file, content } of files) {
    for (const kind of KINDS) {
      if (!kind.topLevel) continue;
      const list = content[kind.name];
      if (Array.isArray(list)) list.forEach((item, i) => collectOne(kind, item, file, [kind.name, i], null, out));
    }
  }
  return out;
}

export function byKind(raws: readonly RawEntity[]): Map<KindName, RawEntity[]> {
  const m = new Map<KindName, RawEntity[]>();
  for (const k of KINDS) m.set(k.name, []);
  for (const r of raws) m.get(r.kind.name)?.push(r);
  return m;
}
