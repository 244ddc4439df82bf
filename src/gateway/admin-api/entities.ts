/**
 * Entity CRUD of the Admin API, generic over the kind table: create (POST), upsert (PUT by id or
 * endpoint key), partial update (PATCH, records merged), delete (cascading or refused per foreign
 * key), with Kong's checks and error bodies: schema violation (400/2), foreign key (400/4),
 * unique (409/5), not found (404).
 */
import { randomUUID } from 'node:crypto';
import { KIND_BY_NAME, KINDS, type KindDef, type KindName } from '../../config/kinds.js';
import { refId, type Entity } from '../../config/state.js';
import { endpointKey, uniqueKeys } from '../../diff/identity.js';
import { kongError, notFound } from './respond.js';
import type { EntityRules } from './rules.js';
import type { Store, Write } from './store.js';
import { applyPartials } from '../../config/partials.js';
import { ROUTE_PROTOCOLS_MESSAGE, SERVICE_PROTOCOLS_MESSAGE, shareProtocol } from '../../config/validate/entity-rules.js';

export interface CrudContext {
  store: Store;
  rules: EntityRules;
  now(): number;
  /** Refuse (400, schema violation) a batch whose entities would not build into the running gateway. */
  checkBuild?(batch: readonly Write[]): void;
}

/** Store a batch once it is known to build. */
export function commit(ctx: CrudContext, batch: readonly Write[]): void {
  ctx.checkBuild?.(batch);
  ctx.store.write(batch);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** Find an entity by id or by the kind's endpoint key (`name`, `username`, `key`…). */
export function resolve(ctx: CrudContext, kind: KindDef, key: string): Entity | undefined {
  const byId = ctx.store.get(kind.name, key);
  if (byId !== undefined) return byId;
  const field = endpointKey(kind);
  if (field === undefined) return undefined;
  const id = ctx.store.idByUnique(kind.name, `${field}=${JSON.stringify(key)}`);
  return id === undefined ? undefined : ctx.store.get(kind.name, id);
}

function fkMessage(kind: KindDef, value: unknown): string {
  return `the foreign key '${JSON.stringify(value)}' does not reference an existing '${kind.name}' entity.`;
}

/** Accept `{id}`, `{name: …}` (endpoint key), or a bare id/name; answer `{id}` or null. */
function resolveForeign(ctx: CrudContext, kind: KindDef, field: string, value: unknown): { id: string } | null {
  if (value === null || value === undefined) return null;
  const target = KIND_BY_NAME[kind.foreignKeys.find((f) => f.field === field)!.kind];
  let key: string | undefined;
  if (typeof value === 'string') key = value;
  else if (typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const ek = endpointKey(target);
    key = typeof obj.id === 'string' ? obj.id : ek !== undefined && typeof obj[ek] === 'string' ? (obj[ek] as string) : undefined;
  }
  const found = key === undefined ? undefined : resolve(ctx, target, key);
  if (found === undefined) throw kongError('foreignKey', fkMessage(target, value), { [field]: fkMessage(target, value) });
  return { id: found.id };
}

function setPath(fields: Record<string, unknown>, path: Array<string | number>, message: string): void {
  let cur = fields;
  const keys = path.length === 0 ? ['@entity'] : path.map(String);
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last === '@entity') cur[last] = [...((cur[last] as string[] | undefined) ?? []), message];
  else cur[last] = message;
}

/** A plugin as Kong validates it: with the configs of its linked partials in place. */
function withLinkedPartials(ctx: CrudContext, kind: KindDef, e: Record<string, unknown>): Record<string, unknown> {
  if (kind.name !== 'plugins' || !Array.isArray(e.partials) || e.partials.length === 0) return e;
  const partials = ctx.store.list('partials');
  return { ...e, config: applyPartials(e.config, e.partials, (id) => partials.find((p) => p.id === id)?.config).config };
}

function checkSchema(ctx: CrudContext, kind: KindDef, e: Record<string, unknown>): void {
  const issues = ctx.rules.validate(kind.name, withLinkedPartials(ctx, kind, e));
  if (issues.length === 0) return;
  const fields: Record<string, unknown> = {};
  for (const i of issues) setPath(fields, i.path ?? [], i.message);
  const parts = issues.map((i) => ((i.path ?? []).length === 0 ? i.message : `${(i.path ?? []).join('.')}: ${i.message}`));
  const message = issues.length === 1 ? `schema violation (${parts[0]})` : `${issues.length} schema violations (${parts.join('; ')})`;
  throw kongError('schema', message, fields);
}

function checkUnique(ctx: CrudContext, kind: KindDef, e: Entity): void {
  for (const key of uniqueKeys(kind, e)) {
    const holder = ctx.store.idByUnique(kind.name, key);
    if (holder === undefined || holder === e.id) continue;
    const fields: Record<string, unknown> = {};
    for (const part of key.split('|')) {
      const i = part.indexOf('=');
      const raw = part.slice(i + 1);
      fields[part.slice(0, i)] = raw.startsWith('"') ? JSON.parse(raw) : raw === '' ? null : { id: raw };
    }
    const shown = Object.entries(fields).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
    throw kongError('unique', `UNIQUE violation detected on '{${shown}}'`, fields);
  }
  // Kong's unique foreign keys (one filter chain per service and per route): its cache_key, as Penlight prints it
  for (const field of kind.uniqueFks ?? []) {
    const target = refId(e[field]);
    if (target === null || !ctx.store.referrers(target).some((r) => r.kind === kind.name && r.id !== e.id && refId(ctx.store.get(r.kind, r.id)?.[field]) === target)) continue;
    const fields = Object.fromEntries((kind.uniqueFks ?? []).map((f) => [f, refId(e[f]) === null ? null : { id: refId(e[f]) }]));
    const shown = Object.entries(fields).map(([k, v]) => `${k}=${v === null ? 'null' : `{id="${v.id}"}`}`).join(',');
    throw kongError('unique', `UNIQUE violation detected on '{${shown}}'`, fields);
  }
}

/**
 * Kong's check on every plugin write (kong/db/dao/plugins.lua, check_protocols_match): a plugin's
 * protocols share one with its route's, else with one of its service's routes (a service without
 * routes passes). `aigw validate` checks files the same way (config/validate/entity-rules.ts).
 */
function checkProtocols(ctx: CrudContext, kind: KindDef, e: Entity): void {
  if (kind.name !== 'plugins' || !Array.isArray(e.protocols)) return;
  const routeId = refId(e.route);
  if (routeId !== null) {
    const route = ctx.store.get('routes', routeId);
    if (route !== undefined && !shareProtocol(e.protocols, route.protocols)) {
      throw kongError('schema', `schema violation (protocols: ${ROUTE_PROTOCOLS_MESSAGE})`, { protocols: ROUTE_PROTOCOLS_MESSAGE });
    }
    return;
  }
  const serviceId = refId(e.service);
  if (serviceId === null) return;
  const routes = ctx.store.referrers(serviceId).filter((r) => r.kind === 'routes').map((r) => ctx.store.get('routes', r.id));
  if (routes.length > 0 && !routes.some((r) => shareProtocol(e.protocols, r?.protocols))) {
    throw kongError('schema', `schema violation (protocols: ${SERVICE_PROTOCOLS_MESSAGE})`, { protocols: SERVICE_PROTOCOLS_MESSAGE });
  }
}

/**
 * Build the stored form of an entity from a request body: foreign keys resolved, defaults filled,
 * timestamps set, then validated and checked for uniqueness.
 */
export function build(ctx: CrudContext, kind: KindDef, body: Record<string, unknown>, existing?: Entity): Entity {
  const raw: Record<string, unknown> = { ...body };
  if (raw.id !== undefined && (typeof raw.id !== 'string' || !isUuid(raw.id))) {
    throw kongError('schema', 'schema violation (id: expected a valid UUID)', { id: 'expected a valid UUID' });
  }
  raw.id = existing?.id ?? (typeof raw.id === 'string' ? raw.id : randomUUID());
  for (const fk of kind.foreignKeys) if (fk.field in raw) raw[fk.field] = resolveForeign(ctx, kind, fk.field, raw[fk.field]);
  const now = ctx.now();
  if (kind.ignore.includes('created_at')) raw.created_at = existing?.created_at ?? now;
  if (kind.ignore.includes('updated_at')) raw.updated_at = now;
  const filled = ctx.rules.fill(kind.name, raw);
  checkSchema(ctx, kind, filled);
  for (const fk of kind.foreignKeys) {
    if (fk.required && refId(filled[fk.field]) === null) {
      throw kongError('schema', `schema violation (${fk.field}: required field missing)`, { [fk.field]: 'required field missing' });
    }
  }
  const entity = filled as Entity;
  checkUnique(ctx, kind, entity);
  checkProtocols(ctx, kind, entity);
  return entity;
}

/** Deep-merge for PATCH: records merge, everything else (arrays included) is replaced. */
export function merge(base: Readonly<Record<string, unknown>>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = base[k];
    const isRec = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
    out[k] = isRec(v) && isRec(b) && !('id' in v && Object.keys(v).length === 1) ? merge(b, v) : v;
  }
  return out;
}

/** Every write a delete implies: referrers cascade, or the delete is refused (400/4). */
export function deletion(ctx: CrudContext, kind: KindName, id: string, seen = new Set<string>()): Write[] {
  if (seen.has(id)) return [];
  seen.add(id);
  const out: Write[] = [];
  for (const ref of ctx.store.referrers(id)) {
    const child = ctx.store.get(ref.kind, ref.id);
    if (child === undefined) continue;
    const def = KIND_BY_NAME[ref.kind];
    const fk = def.foreignKeys.find((f) => refId(child[f.field]) === id);
    if (fk?.onDelete === 'restrict') {
      throw kongError('foreignKey', `an existing '${ref.kind}' entity references this '${kind}' entity`, { '@referenced_by': ref.kind });
    }
    out.push(...deletion(ctx, ref.kind, ref.id, seen));
  }
  out.push({ kind, remove: id });
  return out;
}

/** The child kinds reachable at `/{parent}/{p}/{segment}`. */
export function nestedKind(parent: KindDef, segment: string): { kind: KindDef; field: string } | undefined {
  for (const k of KINDS) {
    if (k.nestedEndpoint !== segment) continue;
    const fk = k.foreignKeys.find((f) => f.kind === parent.name && (k.membership === undefined || f.field === k.membership.parent));
    if (fk !== undefined) return { kind: k, field: fk.field };
  }
  return undefined;
}

/** The kind served at a top-level collection path (`/services`, `/key-auths`…). */
export function topKind(segment: string): KindDef | undefined {
  return KINDS.find((k) => k.endpoint === `/${segment}` && k.membership === undefined);
}

export function mustResolve(ctx: CrudContext, kind: KindDef, key: string): Entity {
  const e = resolve(ctx, kind, key);
  if (e === undefined) throw notFound();
  return e;
}
