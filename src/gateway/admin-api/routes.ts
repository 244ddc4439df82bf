/**
 * Collection and entity endpoints: `/{kind}`, `/{kind}/{key}`, `/{parent}/{p}/{child}` and
 * `/{parent}/{p}/{child}/{key}`, plus memberships (`/consumer_groups/{g}/consumers[/{c}]`).
 */
import { KIND_BY_NAME, type KindDef, type KindName } from '../../config/kinds.js';
import { refId, type Entity } from '../../config/state.js';
import { build, commit, deletion, isUuid, merge, mustResolve, nestedKind, resolve, topKind, type CrudContext } from './entities.js';
import { endpointKey } from '../../diff/identity.js';
import { paginate } from './query.js';
import { AdminHttpError, kongError, notFound } from './respond.js';
import { mirrorShorthands } from '../../config/shorthands.js';
import { consumerGroupRoute } from './policy-overrides.js';
import type { JsonSchema } from '../../config/schemas.js';

export interface Reply {
  status: number;
  body?: unknown;
}

export interface EntityRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: () => Promise<Record<string, unknown>>;
  /** Entity writes allowed (false in declarative mode). */
  writable: boolean;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'create or update', PATCH: 'update', DELETE: 'delete' };

function refuseWrite(req: EntityRequest, kind: KindDef): void {
  if (req.writable || req.method === 'GET') return;
  throw kongError('unsupported', `cannot ${VERBS[req.method] ?? 'change'} '${kind.name}' entities when not using a database`);
}

function methodNotAllowed(): AdminHttpError {
  return new AdminHttpError(405, { message: 'Method not allowed' });
}

/** Where a request points: a collection or one entity, possibly under a parent. */
interface Target {
  kind: KindDef;
  parent?: { field: string; entity: Entity; kind: KindDef };
  key?: string;
}

function locate(ctx: CrudContext, segments: string[]): Target | undefined {
  const top = topKind(segments[0]);
  if (top === undefined) return undefined;
  if (segments.length <= 2) return { kind: top, key: segments[1] };
  const child = nestedKind(top, segments[2]);
  if (child === undefined || segments.length > 4) return undefined;
  const parent = mustResolve(ctx, top, segments[1]);
  return { kind: child.kind, parent: { field: child.field, entity: parent, kind: top }, key: segments[3] };
}

/** Handle an entity endpoint; undefined when the path is not one. */
export async function entityRoute(ctx: CrudContext, req: EntityRequest, path: string, changed: () => void): Promise<Reply | undefined> {
  const group = await consumerGroupRoute(ctx, req, changed);
  if (group !== undefined) return group;
  const t = locate(ctx, req.segments);
  if (t === undefined) return undefined;
  refuseWrite(req, t.kind);
  if (t.kind.membership !== undefined && t.parent !== undefined) return membership(ctx, req, t, path, changed);
  return t.key === undefined ? collection(ctx, req, t, path, changed) : single(ctx, req, t, t.key, changed);
}

function belongs(t: Target, e: Entity): boolean {
  return t.parent === undefined || refId(e[t.parent.field]) === t.parent.entity.id;
}

function listOf(ctx: CrudContext, t: Target): readonly Entity[] {
  if (t.parent === undefined) return ctx.store.list(t.kind.name);
  return ctx.store
    .referrers(t.parent.entity.id)
    .filter((r) => r.kind === t.kind.name)
    .map((r) => ctx.store.get(r.kind, r.id))
    .filter((e): e is Entity => e !== undefined && belongs(t, e))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const RESERVED = new Set(['size', 'offset', 'tags']);

function fieldFilter(query: URLSearchParams): (e: Entity) => boolean {
  const pairs = [...query].filter(([k]) => !RESERVED.has(k));
  return (e) => pairs.every(([k, v]) => String(e[k]) === v);
}

async function collection(ctx: CrudContext, req: EntityRequest, t: Target, path: string, changed: () => void): Promise<Reply> {
  if (req.method === 'GET') {
    const page = paginate(listOf(ctx, t), req.query, path, fieldFilter(req.query));
    const data = page.data.map((e) => shown(ctx, t.kind.name, e));
    return { status: 200, body: { data, next: page.next, ...(page.offset === undefined ? {} : { offset: page.offset }) } };
  }
  if (req.method !== 'POST') throw methodNotAllowed();
  const body = await req.body();
  if (t.parent !== undefined) body[t.parent.field] = { id: t.parent.entity.id };
  const entity = build(ctx, t.kind, body);
  if (ctx.store.get(t.kind.name, entity.id) !== undefined) {
    throw kongError('primaryKey', `primary key violation on key '{id="${entity.id}"}'`, { id: entity.id });
  }
  commit(ctx, [{ kind: t.kind.name, put: entity }]);
  changed();
  return { status: 201, body: shown(ctx, t.kind.name, entity) };
}

async function single(ctx: CrudContext, req: EntityRequest, t: Target, key: string, changed: () => void): Promise<Reply> {
  const found = resolve(ctx, t.kind, key);
  const existing = found !== undefined && belongs(t, found) ? found : undefined;
  switch (req.method) {
    case 'GET':
      if (existing === undefined) throw notFound();
      return { status: 200, body: shown(ctx, t.kind.name, existing) };
    case 'DELETE':
      if (existing !== undefined) {
        ctx.store.write(deletion(ctx, t.kind.name, existing.id));
        changed();
      }
      return { status: 204 };
    case 'PATCH': {
      if (existing === undefined) throw notFound();
      const body = await req.body();
      const entity = build(ctx, t.kind, strip(merge(existing, body)), existing);
      return write(ctx, t.kind.name, entity, changed);
    }
    case 'PUT': {
      const body = await req.body();
      if (t.parent !== undefined) body[t.parent.field] = { id: t.parent.entity.id };
      if (existing === undefined && isUuid(key)) body.id = key;
      else if (existing === undefined || existing.id !== key) {
        // the path names the entity by its endpoint key: PUT sets it, as Kong does
        const ek = endpointKey(t.kind);
        if (ek !== undefined) body[ek] = key;
      }
      return write(ctx, t.kind.name, build(ctx, t.kind, body, existing), changed);
    }
    default:
      throw methodNotAllowed();
  }
}

/** Drop server-managed fields before re-building a merged entity. */
function strip(e: Record<string, unknown>): Record<string, unknown> {
  const { updated_at: _u, ...rest } = e;
  return rest;
}

function write(ctx: CrudContext, kind: KindName, entity: Entity, changed: () => void): Reply {
  commit(ctx, [{ kind, put: entity }]);
  changed();
  return { status: 200, body: shown(ctx, kind, entity) };
}

/** An entity as Kong's Admin API shows it: a plugin's deprecated shorthands mirrored (shorthands.ts). */
function shown(ctx: CrudContext, kind: KindName, e: Entity): Entity {
  if (kind !== 'plugins' || typeof e.name !== 'string') return e;
  const config = mirrorShorthands(ctx.rules.pluginSchema(e.name) as JsonSchema | undefined, e.config);
  return config === e.config ? e : ({ ...e, config } as Entity);
}

async function membership(ctx: CrudContext, req: EntityRequest, t: Target, path: string, changed: () => void): Promise<Reply> {
  const m = t.kind.membership!;
  const memberFk = t.kind.foreignKeys.find((f) => f.field === m.member)!;
  const memberKind = KIND_BY_NAME[memberFk.kind];
  const rows = listOf(ctx, t);
  const memberOf = (row: Entity) => ctx.store.get(memberKind.name, refId(row[m.member]) ?? '');
  if (t.key !== undefined) {
    const member = resolve(ctx, memberKind, t.key);
    const row = member === undefined ? undefined : rows.find((r) => refId(r[m.member]) === member.id);
    if (req.method === 'GET') {
      if (row === undefined) throw notFound();
      return { status: 200, body: { [m.parent]: t.parent!.entity, [m.member]: member } };
    }
    if (req.method !== 'DELETE') throw methodNotAllowed();
    if (row !== undefined) {
      ctx.store.write([{ kind: t.kind.name, remove: row.id }]);
      changed();
    }
    return { status: 204 };
  }
  if (req.method === 'GET') {
    const members = rows.map(memberOf).filter((e): e is Entity => e !== undefined).sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = paginate(members, req.query, path, () => true);
    return { status: 200, body: { data: page.data, next: page.next } };
  }
  if (req.method !== 'POST') throw methodNotAllowed();
  const body = await req.body();
  const wanted = Array.isArray(body[m.member]) ? (body[m.member] as unknown[]) : [body[m.member]];
  const ownId = typeof body.id === 'string' && wanted.length === 1 ? { id: body.id } : {};
  const puts = wanted.map((value) => build(ctx, t.kind, { [m.parent]: { id: t.parent!.entity.id }, [m.member]: value, ...ownId }));
  commit(ctx, puts.map((put) => ({ kind: t.kind.name, put })));
  changed();
  const members = puts.map(memberOf).filter((e): e is Entity => e !== undefined);
  return { status: 201, body: { [m.parent]: t.parent!.entity, [`${m.member}s`]: members } };
}
