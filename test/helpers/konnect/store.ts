/**
 * One control plane's (or workspace's) core entities in memory: ids, URL keys, unique and foreign-key
 * constraints with Konnect's constraint errors, cascading deletes, consumer-group membership, and the
 * list filters Konnect offers (`tags` a,b = AND / a/b = OR, `filter[name][eq|contains]`, `custom_id`).
 */
import { KINDS, kindSpec, type KindSpec } from './entity-kinds.js';
import { constraintError, isObject, KonnectHttpError, notFound, type Json, type JsonObject } from './wire.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

interface Row {
  seq: number;
  value: JsonObject;
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
  private readonly rows = new Map<string, Map<string, Row>>(KINDS.map((k) => [k.kind, new Map()]));
  /** consumer group id → member consumer ids (in join order). */
  readonly members = new Map<string, string[]>();
  private seq = 0;

  constructor(private readonly onChange: () => void) {}

  private table(kind: string): Map<string, Row> {
    const t = this.rows.get(kind);
    if (!t) throw new Error(`unknown kind ${kind}`);
    return t;
  }

  get(kind: string, id: string): JsonObject | undefined {
    return this.table(kind).get(id)?.value;
  }

  /** By id, or by the kind's URL key (name, username, target, prefix). */
  resolve(kind: string, key: string): JsonObject | undefined {
    if (isUuid(key)) return this.get(kind, key.toLowerCase());
    const field = kindSpec(kind)?.endpointKey;
    if (!field) return undefined;
    for (const r of this.table(kind).values()) if (r.value[field] === key) return r.value;
    return undefined;
  }

  mustResolve(kind: string, key: string): JsonObject {
    const v = this.resolve(kind, key);
    if (!v) throw notFound();
    return v;
  }

  all(kind: string): JsonObject[] {
    return [...this.table(kind).values()].sort((a, b) => a.seq - b.seq).map((r) => r.value);
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

  /** Insert or replace after checking constraints; keeps created_at of a replaced row. */
  save(spec: KindSpec, value: JsonObject): JsonObject {
    const id = value.id as string;
    this.checkUnique(spec, value);
    this.checkForeign(spec, value);
    const t = this.table(spec.kind);
    const prev = t.get(id);
    const now = Math.floor(Date.now() / 1000);
    value.created_at = prev?.value.created_at ?? now;
    value.updated_at = now;
    t.set(id, { seq: prev?.seq ?? ++this.seq, value });
    this.onChange();
    return value;
  }

  private checkUnique(spec: KindSpec, v: JsonObject): void {
    const others = this.all(spec.kind).filter((o) => o.id !== v.id);
    for (const field of spec.unique) {
      if (v[field] === undefined || v[field] === null) continue;
      if (others.some((o) => o[field] === v[field])) throw constraintError(field, 'unique');
    }
    if (spec.kind === 'plugins') {
      const key = (p: JsonObject): string => [p.name, ...['service', 'route', 'consumer', 'consumer_group'].map((f) => refId(p[f]) ?? '')].join('.');
      if (others.some((o) => key(o) === key(v))) throw constraintError('', 'unique', 'unique-plugin-per-entity');
    }
    if (spec.kind === 'targets' && others.some((o) => o.target === v.target && refId(o.upstream) === refId(v.upstream)))
      throw constraintError('target', 'unique');
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
    if (!t.has(id)) return false;
    this.checkRestrict(kind, id);
    t.delete(id);
    for (const child of KINDS)
      for (const fk of child.foreign)
        if (fk.kind === kind && fk.onDelete === 'cascade')
          for (const c of this.all(child.kind)) if (refId(c[fk.field]) === id) this.delete(child.kind, c.id as string);
    if (kind === 'consumer_groups') this.members.delete(id);
    if (kind === 'consumers')
      for (const [g, ids] of this.members)
        this.members.set(
          g,
          ids.filter((c) => c !== id),
        );
    this.onChange();
    return true;
  }

  private checkRestrict(kind: string, id: string): void {
    for (const child of KINDS)
      for (const fk of child.foreign)
        if (fk.kind === kind && fk.onDelete === 'restrict' && this.all(child.kind).some((c) => refId(c[fk.field]) === id))
          throw new KonnectHttpError({
            status: 400,
            body: {
              code: 3,
              message: 'data constraint error',
              details: [
                {
                  '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail',
                  type: 'ERROR_TYPE_REFERENCE',
                  messages: [`an existing '${child.kind}' entity references this '${kind}' entity`],
                },
              ],
            },
          });
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

/** `a,b` = all of them; `a/b` = any of them (control-planes-config openapi PaginationTagsFilter). */
export function tagsMatch(tags: Json | undefined, filter: string): boolean {
  const have = Array.isArray(tags) ? tags : [];
  if (filter.includes('/')) return filter.split('/').some((t) => have.includes(t));
  return filter.split(',').every((t) => have.includes(t));
}
