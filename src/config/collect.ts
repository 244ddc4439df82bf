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
  | { by: 'name'; value: string; path: JsonPath; field?: string }
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
      if (typeof value[key] === 'string') return { by: 'name', value: value[key] as string, path: [...path, key], field: key };
    }
  }
  return null;
}

export interface CollectResult {
  raws: RawEntity[];
  /** Entities whose nesting contradicts an explicit foreign key. */
  nestingConflicts: Array<{ raw: RawEntity; field: string }>;
}

/** An item of `consumer_groups[].consumers`: a consumer and its membership of the group. */
interface GroupMember {
  group: RawEntity;
  item: Obj;
  path: JsonPath;
}

interface Collecting extends CollectResult {
  members: GroupMember[];
  /** decK's `_info.consumer_group_policy_overrides`: `consumer_groups[].plugins` are policy overrides. */
  policyOverrides: boolean;
}

function collectOne(kind: KindDef, value: unknown, file: SourceFile, path: JsonPath, parent: RawEntity | null, out: Collecting): void {
  if (!isObj(value)) return; // the schema check reports non-objects
  const data: Obj = {};
  const nested = childrenOf(kind.name, out.policyOverrides);
  const nestedKeys = new Set(nested.map((n) => n.key));
  const fkFields = new Set(kind.foreignKeys.map((f) => f.field));
  const raw: RawEntity = { kind, data, refs: {}, file, path };
  for (const [key, v] of Object.entries(value)) {
    if (nestedKeys.has(key)) continue;
    if (kind.name === 'consumer_groups' && key === 'consumers') {
      if (Array.isArray(v)) v.forEach((item, i) => isObj(item) && out.members.push({ group: raw, item, path: [...path, key, i] }));
      continue;
    }
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
export function collectEntities(files: ReadonlyArray<{ file: SourceFile; content: Obj }>, gatewayConsumers?: readonly Obj[], policyOverrides = false): CollectResult {
  const out: Collecting = { raws: [], nestingConflicts: [], members: [], policyOverrides };
  for (const { file, content } of files) {
    for (const kind of KINDS) {
      if (!kind.topLevel) continue;
      const list = content[kind.name];
      if (Array.isArray(list)) list.forEach((item, i) => collectOne(kind, item, file, [kind.name, i], null, out));
    }
  }
  attachGroupMembers(out, gatewayConsumers ?? []);
  return { raws: out.raws, nestingConflicts: out.nestingConflicts };
}

const CONSUMER_FIELDS = ['id', 'username', 'custom_id', 'tags', 'created_at', 'updated_at'];

/** The consumer a group member names: by username, else custom_id, else id (decK's consumerAlreadyAdded). */
function memberConsumer(consumers: readonly RawEntity[], item: Obj): RawEntity | undefined {
  for (const f of ['username', 'custom_id', 'id']) {
    const v = item[f];
    if (typeof v !== 'string') continue;
    const hit = consumers.find((c) => c.data[f] === v);
    if (hit) return hit;
  }
  return undefined;
}

/** The id of the gateway consumer (default_lookup_tags) a group member names: by username, else custom_id, else id. */
function gatewayMember(gatewayConsumers: readonly Obj[], item: Obj): string | undefined {
  for (const f of ['username', 'custom_id', 'id']) {
    const v = item[f];
    if (typeof v !== 'string') continue;
    const hit = gatewayConsumers.find((c) => c[f] === v);
    if (hit && typeof hit.id === 'string') return hit.id;
  }
  return undefined;
}

/** Whether a membership's group reference names `group`. */
function namesGroup(ref: RawRef | undefined, group: RawEntity): boolean {
  if (ref === undefined) return false;
  if (ref.by === 'parent') return ref.parent === group;
  return ref.value === (ref.by === 'id' ? group.data.id : group.data.name);
}

/**
 * `consumer_groups[].consumers`: each item defines a consumer (unless one with the same username,
 * custom_id or id is written elsewhere: the same consumer) and its membership of the group, once
 * however many times it is written (GDR builder.go ingestConsumerGroupConsumer).
 */
function attachGroupMembers(out: Collecting, gatewayConsumers: readonly Obj[]): void {
  const consumers = out.raws.filter((r) => r.kind.name === 'consumers');
  for (const m of out.members) {
    let consumer = memberConsumer(consumers, m.item);
    const onGateway = consumer === undefined ? gatewayMember(gatewayConsumers, m.item) : undefined;
    if (onGateway !== undefined) {
      // a consumer of another file, found through default_lookup_tags: only the membership is this file's
      const consumerRef: RawRef = { by: 'id', value: onGateway, path: m.path };
      if (!out.raws.some((r) => r.kind.name === 'consumer_group_consumers' && namesGroup(r.refs.consumer_group, m.group) && r.refs.consumer?.by === 'id' && r.refs.consumer.value === onGateway)) {
        out.raws.push({ kind: KIND_BY_NAME.consumer_group_consumers, data: {}, file: m.group.file, path: m.path, refs: { consumer_group: { by: 'parent', parent: m.group }, consumer: consumerRef } });
      }
      continue;
    }
    if (consumer === undefined) {
      const data = Object.fromEntries(Object.entries(m.item).filter(([k]) => CONSUMER_FIELDS.includes(k)));
      consumer = { kind: KIND_BY_NAME.consumers, data, refs: {}, file: m.group.file, path: m.path };
      out.raws.push(consumer);
      consumers.push(consumer);
    }
    const member = consumer;
    const known = out.raws.some((r) => r.kind.name === 'consumer_group_consumers' && namesGroup(r.refs.consumer_group, m.group)
      && r.refs.consumer?.by === 'parent' && r.refs.consumer.parent === member);
    if (known) continue;
    out.raws.push({
      kind: KIND_BY_NAME.consumer_group_consumers, data: {}, file: m.group.file, path: m.path,
      refs: { consumer_group: { by: 'parent', parent: m.group }, consumer: { by: 'parent', parent: member } },
    });
  }
}

export function byKind(raws: readonly RawEntity[]): Map<KindName, RawEntity[]> {
  const m = new Map<KindName, RawEntity[]>();
  for (const k of KINDS) m.set(k.name, []);
  for (const r of raws) m.get(r.kind.name)?.push(r);
  return m;
}
