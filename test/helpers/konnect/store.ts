/**
 * One control plane's (or workspace's) core entities in memory: ids, URL keys, unique and foreign-key
 * constraints with Konnect's constraint errors, cascading deletes, consumer-group membership, and the
 * list filters Konnect offers (`tags` a,b = AND / a/b = OR, `filter[name][eq|contains]`, `custom_id`).
 */
import { KINDS, kindSpec, type KindSpec } from './entity-kinds.js';
import { constraintError, isObject, KonnectHttpError, notFound, type Json, type JsonObject } from './wire.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

/** A unique index entry: index name, the error's field, and the indexed value. */
interface UniqueKey {
  index: string;
  field: string;
  value: string;
}

const PLUGIN_INDEX = 'unique-plugin-per-entity';

function uniqueKeys(spec: KindSpec, v: JsonObject): UniqueKey[] {
  const keys: UniqueKey[] = [];
  for (const field of spec.unique) if (v[field] !== undefined && v[field] !== null) keys.push({ index: field, field, value: JSON.stringify(v[field]) });
  if (spec.kind === 'plugins')
    keys.push({
      index: PLUGIN_INDEX,
      field: '',
      value: [v.name, ...['service', 'route', 'consumer', 'consumer_group'].map((f) => refId(v[f]) ?? '')].join('.'),
    });
  if (spec.kind === 'targets') keys.push({ index: 'upstream_target', field: 'target', value: `${refId(v.upstream) ?? ''}|${String(v.target)}` });
  return keys;
}

export const refId = (v: Json | undefined): string | undefined => (isObject(v) && typeof v.id === 'string' ? v.id : undefined);

export interface ListFilter {
  tags?: string;
  nameEq?: string;
  nameContains?: string;
  customId?: string;
  /** Only children of this parent: the foreign-key field and the parent id. */
  parent?: { field: string; id: string };
}

export class EntityStore {
  /** kind → id → entity; a Map keeps creation order, and a replace keeps the position. */
  private readonly rows = new Map<string, Map<string, JsonObject>>(KINDS.map((k) => [k.kind, new Map()]));
  /** `parentKind parentId` → `childKind childId field` of every entity pointing at it. */
  private readonly children = new Map<string, Set<string>>();
  /** `kind index` → indexed value → id. */
  private readonly uniques = new Map<string, Map<string, string>>();
  /** consumer group id → member consumer ids (in join order). */
  readonly members = new Map<string, string[]>();

  constructor(private readonly onChange: () => void) {}

  private table(kind: string): Map<string, JsonObject> {
    const t = this.rows.get(kind);
    if (!t) throw new Error(`unknown kind ${kind}`);
    return t;
  }

  get(kind: string, id: string): JsonObject | undefined {
    return this.table(kind).get(id);
  }

  /** By id, or by the kind's URL key (name, username, target, prefix). */
  resolve(kind: string, key: string): JsonObject | undefined {
    if (isUuid(key)) return this.get(kind, key.toLowerCase());
    const spec = kindSpec(kind);
    const field = spec?.endpointKey;
    if (!spec || !field) return undefined;
    if (spec.unique.includes(field)) {
      const id = this.uniqueIndex(kind, field).get(JSON.stringify(key));
      return id === undefined ? undefined : this.get(kind, id);
    }
    for (const v of this.table(kind).values()) if (v[field] === key) return v;
    return undefined;
  }

  mustResolve(kind: string, key: string): JsonObject {
    const v = this.resolve(kind, key);
    if (!v) throw notFound();
    return v;
  }

  all(kind: string): JsonObject[] {
    return [...this.table(kind).values()];
  }

  count(): number {
    let n = 0;
    for (const t of this.rows.values()) n += t.size;
    return n;
  }

  list(kind: string, f: ListFilter = {}): JsonObject[] {
    const nameField = kind === 'consumers' ? 'username' : 'name';
    return this.all(kind).filter(
      (v) =>
        (!f.parent || refId(v[f.parent.field]) === f.parent.id) &&
        (f.nameEq === undefined || v[nameField] === f.nameEq) &&
        (f.nameContains === undefined || (typeof v[nameField] === 'string' && (v[nameField] as string).includes(f.nameContains))) &&
        (f.customId === undefined || v.custom_id === f.customId) &&
        (f.tags === undefined || tagsMatch(v.tags, f.tags)),
    );
  }

  private uniqueIndex(kind: string, index: string): Map<string, string> {
    const name = `${kind} ${index}`;
    let m = this.uniques.get(name);
    if (!m) this.uniques.set(name, (m = new Map()));
    return m;
  }

  /** Insert or replace after checking constraints; keeps created_at of a replaced row. */
  save(spec: KindSpec, value: JsonObject): JsonObject {
    const id = value.id as string;
    const keys = uniqueKeys(spec, value);
    for (const k of keys) {
      const holder = this.uniqueIndex(spec.kind, k.index).get(k.value);
      if (holder !== undefined && holder !== id) throw constraintError(k.field, 'unique', k.index);
    }
    this.checkForeign(spec, value);
    const t = this.table(spec.kind);
    const prev = t.get(id);
    if (prev) {
      this.unindex(spec, prev);
      this.link(spec, prev, false);
    }
    for (const k of keys) this.uniqueIndex(spec.kind, k.index).set(k.value, id);
    this.link(spec, value, true);
    const now = Math.floor(Date.now() / 1000);
    value.created_at = prev?.created_at ?? now;
    value.updated_at = now;
    t.set(id, value);
    this.onChange();
    return value;
  }

  private unindex(spec: KindSpec, v: JsonObject): void {
    for (const k of uniqueKeys(spec, v)) this.uniqueIndex(spec.kind, k.index).delete(k.value);
  }

  private checkForeign(spec: KindSpec, v: JsonObject): void {
    for (const fk of spec.foreign) {
      const id = refId(v[fk.field]);
      if (id !== undefined && !this.get(fk.kind, id)) throw constraintError(`${fk.field}.id`, 'foreign');
    }
  }

  /** Delete with Konnect's cascades; false when there was nothing to delete. */
  delete(kind: string, id: string): boolean {
    const t = this.table(kind);
    const v = t.get(id);
    if (!v) return false;
    const children = [...(this.children.get(`${kind} ${id}`) ?? [])].map((c) => c.split(' ') as [string, string, string]);
    for (const [childKind, , field] of children) {
      if (kindSpec(childKind)?.foreign.find((f) => f.field === field)?.onDelete === 'restrict') throw referencedError(childKind, kind);
    }
    const spec = kindSpec(kind) as KindSpec;
    t.delete(id);
    this.unindex(spec, v);
    this.link(spec, v, false);
    this.children.delete(`${kind} ${id}`);
    for (const [childKind, childId] of children) this.delete(childKind, childId);
    if (kind === 'consumer_groups') this.members.delete(id);
    if (kind === 'consumers')
      for (const [g, ids] of this.members)
        if (ids.includes(id))
          this.members.set(
            g,
            ids.filter((c) => c !== id),
          );
    this.onChange();
    return true;
  }

  /** Record (or forget) `v`'s foreign keys in the parent → children index. */
  private link(spec: KindSpec, v: JsonObject, add: boolean): void {
    for (const fk of spec.foreign) {
      const parent = refId(v[fk.field]);
      if (parent === undefined) continue;
      const key = `${fk.kind} ${parent}`;
      const entry = `${spec.kind} ${String(v.id)} ${fk.field}`;
      let set = this.children.get(key);
      if (add) {
        if (!set) this.children.set(key, (set = new Set()));
        set.add(entry);
      } else set?.delete(entry);
    }
  }

  addMember(groupId: string, consumerId: string): void {
    const ids = this.members.get(groupId) ?? [];
    if (ids.includes(consumerId)) throw constraintError('consumer', 'unique');
    this.members.set(groupId, [...ids, consumerId]);
    this.onChange();
  }

  removeMember(groupId: string, consumerId?: string): void {
    const ids = this.members.get(groupId) ?? [];
    const next = consumerId === undefined ? [] : ids.filter((c) => c !== consumerId);
    if (next.length === ids.length) return;
    this.members.set(groupId, next);
    this.onChange();
  }

  groupsOf(consumerId: string): JsonObject[] {
    return this.all('consumer_groups').filter((g) => (this.members.get(g.id as string) ?? []).includes(consumerId));
  }

  membersOf(groupId: string): JsonObject[] {
    return (this.members.get(groupId) ?? []).map((c) => this.get('consumers', c)).filter((c): c is JsonObject => c !== undefined);
  }
}

/** Deleting something a restrict foreign key points at (Kong's message; Konnect's wording inferred). */
function referencedError(childKind: string, kind: string): KonnectHttpError {
  return new KonnectHttpError({
    status: 400,
    body: {
      code: 3,
      message: 'data constraint error',
      details: [
        {
          '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail',
          type: 'ERROR_TYPE_REFERENCE',
          messages: [`an existing '${childKind}' entity references this '${kind}' entity`],
        },
      ],
    },
  });
}

/** `a,b` = all of them; `a/b` = any of them (control-planes-config openapi PaginationTagsFilter). */
export function tagsMatch(tags: Json | undefined, filter: string): boolean {
  const have = Array.isArray(tags) ? tags : [];
  if (filter.includes('/')) return filter.split('/').some((t) => have.includes(t));
  return filter.split(',').every((t) => have.includes(t));
}
