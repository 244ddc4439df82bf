/**
 * Entity identity, written once over the kind table: natural keys (how two entities without a
 * shared id are recognised as the same), display names (`rate-limiting for service svc1`), and the
 * comparable form of an entity (ignored fields dropped, absent and null treated alike).
 */
import { KIND_BY_NAME, type KindDef, type KindName } from '../config/kinds.js';
import { refId, type Entity } from '../config/state.js';

/** Looks up an entity of a kind by id (to name what a foreign key points at). */
export type Lookup = (kind: KindName, id: string) => Entity | undefined;

function present(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '';
}

/** Every unique key an entity occupies (each alternative natural-key field separately). */
export function uniqueKeys(kind: KindDef, e: Entity): string[] {
  const fks = kind.naturalKeyFks.map((fk) => `${fk}=${refId(e[fk]) ?? ''}`);
  if (kind.naturalKey.length === 0) return fks.length === 0 ? [] : [fks.join('|')];
  const out: string[] = [];
  for (const f of kind.naturalKey) {
    if (f === 'id' || !present(e[f])) continue;
    out.push([`${f}=${JSON.stringify(e[f])}`, ...fks].join('|'));
  }
  return out;
}

/**
 * Every key that identifies an entity on its own, most specific first: each alternative
 * natural-key field (with the natural-key foreign keys, translated by `mapId`), then the kind's
 * `matchFields`. Two entities of a kind sharing any of these keys are the same entity: a plan
 * updates it in place instead of deleting one and creating the other (which the target would
 * refuse with a unique-constraint error, leaving neither).
 */
export function matchKeys(kind: KindDef, e: Entity, mapId: (id: string) => string = (id) => id): string[] {
  const fks = kind.naturalKeyFks.map((fk) => {
    const id = refId(e[fk]);
    return `${fk}=${id === null ? '' : mapId(id)}`;
  });
  const out: string[] = [];
  if (kind.naturalKey.length === 0 && fks.length > 0) out.push(fks.join('|'));
  for (const f of kind.naturalKey) {
    if (f === 'id' || !present(e[f])) continue;
    out.push([`${f}=${JSON.stringify(e[f])}`, ...fks].join('|'));
  }
  for (const f of kind.matchFields ?? []) {
    const v = e[f];
    if (present(v)) out.push(`${f}=${JSON.stringify(typeof v === 'string' ? v.trim() : v)}`);
  }
  return out;
}

/** The field addressed by `/collection/{key}` besides the id (`name`, `username`, `key`…). */
export function endpointKey(kind: KindDef): string | undefined {
  if (kind.refField !== undefined) return kind.refField;
  if (kind.naturalKey.length === 1 && kind.naturalKeyFks.length === 0 && kind.naturalKey[0] !== 'id') return kind.naturalKey[0];
  return undefined;
}

/** Short label of an entity, masking a secret natural key. */
export function label(kind: KindDef, e: Entity, showSecrets = false): string {
  const field = kind.naturalKey.find((f) => present(e[f]));
  if (field === undefined) return e.id;
  if (kind.secrets.includes(field) && !showSecrets) return e.id;
  return String(e[field]);
}

/**
 * decK-style display name: `svc1`, `rate-limiting (global)`,
 * `key-auth for service svc1 and route r1`, `acl admins for consumer alice`.
 */
export function displayName(kindName: KindName, e: Entity, lookup: Lookup, showSecrets = false): string {
  const kind = KIND_BY_NAME[kindName];
  const parents: string[] = [];
  for (const fk of kind.foreignKeys) {
    const id = refId(e[fk.field]);
    if (id === null) continue;
    const parent = lookup(fk.kind, id);
    const parentKind = KIND_BY_NAME[fk.kind];
    parents.push(`${parentKind.singular} ${parent === undefined ? id : label(parentKind, parent, showSecrets)}`);
  }
  const own = kind.naturalKey.length === 0 ? '' : label(kind, e, showSecrets);
  const instance = typeof e.instance_name === 'string' && e.instance_name !== '' ? ` (${e.instance_name})` : '';
  // a kind scoped by several optional foreign keys (plugins) is "global" when none is set
  const scoped = kind.foreignKeys.length > 1 && kind.foreignKeys.every((f) => !f.required);
  if (parents.length === 0) return scoped ? `${own}${instance} (global)` : `${own}${instance}`;
  return `${own}${instance}${own === '' ? '' : ' '}for ${parents.join(' and ')}`.trim();
}

/** The comparable form of an entity: ignored fields and the id dropped, undefined → null, keys sorted. */
export function comparable(kind: KindDef, e: Entity): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(e).sort()) {
    if (key === 'id' || kind.ignore.includes(key)) continue;
    out[key] = canonical(e[key]);
  }
  return out;
}

function canonical(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Deep equality where a missing key equals null. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
    return true;
  }
  return false;
}

/** Whether two entities of a kind are equal for the purpose of a diff. */
export function sameEntity(kind: KindDef, a: Entity, b: Entity): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'id' || kind.ignore.includes(k)) continue;
    if (!sameValue(a[k], b[k])) return false;
  }
  return true;
}
