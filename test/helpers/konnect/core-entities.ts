/**
 * `/v2/control-planes/{id}/core-entities[/{workspace}]/…`: Kong-Admin-API-shaped entity CRUD as Konnect
 * serves it (konnect.md §4.4; control-planes-config/v2 openapi paths). Differences from Kong that this
 * server enforces: no `GET /`, `/status` or `/config` (404), no PATCH (405), `PUT /{entity}/{id}` creates
 * or fully replaces, DELETE of a missing entity is 204, one top-level `GET /targets`, consumer groups
 * answered as `{consumer_group, consumers}`, JSON-Schema defaults at `/v1/schemas/json/{name}`, Lua plugin
 * schemas at `/schemas/plugins/{name}`, validation at `/schemas/{entity}/validate`. Writes to KIC and
 * control-plane-group control planes are refused with Konnect's 403 usage constraint error.
 */
import { randomUUID } from 'node:crypto';
import type { ControlPlane } from './control-planes.js';
import { kindForValidate, kindSpec, nestedSpec, type KindSpec, type Nested } from './entity-kinds.js';
import { pluginSchemaFor, prepare, render, writeEntity, type WriteContext } from './entity-writes.js';
import { SERVED_JSON_SCHEMAS, servedSchema } from './json-schemas.js';
import { membershipRoutes } from './memberships.js';
import { listFilter, page } from './paging.js';
import { isUuid, refId } from './store.js';
import {
  constraintError,
  isObject,
  legacyError,
  methodNotAllowed,
  noRoute,
  notFound,
  usageConstraint,
  type Json,
  type JsonObject,
  type Reply,
} from './wire.js';

export interface CoreRequest {
  method: string;
  /** Path segments after `core-entities`. */
  rest: string[];
  query: URLSearchParams;
  body: Json | undefined;
  cp: ControlPlane;
  /** `/v2/control-planes/{id}/core-entities`. */
  base: string;
}

export interface CoreOptions extends Omit<WriteContext, 'store'> {
  omitZeroDefaults: boolean;
}

export type Routes = Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', () => Reply>>;

export interface Scope {
  req: CoreRequest;
  ctx: WriteContext;
  opts: CoreOptions;
  /** Path prefix for `next` links, workspace included. */
  base: string;
  /** Path segments after the workspace. */
  rest: string[];
}

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

export function handleCore(req: CoreRequest, opts: CoreOptions): Reply {
  let rest = req.rest;
  let ws = '';
  if (rest[0] !== undefined && req.cp.workspaces.includes(rest[0])) {
    ws = rest[0];
    rest = rest.slice(1);
  }
  const store = req.cp.stores.get(ws);
  if (!store) throw noRoute();
  const scope: Scope = { req, ctx: { ...opts, store }, opts, base: ws ? `${req.base}/${ws}` : req.base, rest };
  const routes = routeFor(scope, rest);
  if (!routes) throw noRoute();
  const handler = routes[req.method as keyof Routes];
  if (!handler) throw methodNotAllowed(Object.keys(routes));
  if (WRITES.has(req.method) && rest.at(-1) !== 'validate') guardWritable(req.cp);
  return handler();
}

function guardWritable(cp: ControlPlane): void {
  if (cp.clusterType === 'CLUSTER_TYPE_K8S_INGRESS_CONTROLLER') throw usageConstraint('operation not permitted on KIC cluster');
  if (cp.clusterType === 'CLUSTER_TYPE_CONTROL_PLANE_GROUP') throw usageConstraint('operation not permitted on control plane group');
}

function routeFor(s: Scope, rest: string[]): Routes | undefined {
  const [a, b, c, d, e] = rest;
  const n = rest.length;
  if (a === 'v1' && b === 'schemas' && c === 'json' && d !== undefined) {
    if (n === 4) return { GET: () => jsonSchema(s, d) };
    if (n === 5 && e === 'validate') return { POST: () => validate(s, d) };
    return undefined;
  }
  if (a === 'schemas' && n === 3 && b !== undefined && c === 'validate') return { POST: () => validate(s, b) };
  if (a === 'schemas' && n === 3 && b === 'plugins' && c !== undefined) return { GET: () => pluginSchema(s, c) };
  if (a === 'workspaces' && n === 2 && b !== undefined) return { GET: () => workspace(s, b) };
  const members = membershipRoutes(s, rest);
  if (members) return members;
  const spec = a === undefined ? undefined : kindSpec(a);
  if (!spec || b === undefined) return spec ? collection(s, spec) : undefined;
  if (n === 2) return item(s, spec, b);
  const nest = c === undefined ? undefined : nestedSpec(spec.kind, c);
  const child = nest ? kindSpec(nest.child) : undefined;
  if (!nest || !child) return undefined;
  const parent = { nest, key: b };
  if (n === 3) return collection(s, child, parent);
  if (n === 4 && d !== undefined) return item(s, child, d, parent);
  return undefined;
}

interface Parent {
  nest: Nested;
  key: string;
}

function parentId(s: Scope, p: Parent): string {
  return s.ctx.store.mustResolve(p.nest.parent, p.key).id as string;
}

function withParent(body: Json | undefined, s: Scope, p: Parent | undefined): Json | undefined {
  if (!p || !isObject(body)) return body;
  return { ...body, [p.nest.field]: { id: parentId(s, p) } };
}

function collection(s: Scope, spec: KindSpec, p?: Parent): Routes {
  const path = `${s.base}/${s.rest.join('/')}`;
  const list = (): Reply => {
    const filter = listFilter(s.req.query);
    if (p) filter.parent = { field: p.nest.field, id: parentId(s, p) };
    return page(
      s.ctx.store.list(spec.kind, filter).map((v) => render(spec, v, s.ctx.store)),
      s.req.query,
      path,
    );
  };
  const create = (): Reply => {
    const body = withParent(s.req.body, s, p);
    const given = isObject(body) && typeof body.id === 'string' ? body.id : undefined;
    if (given !== undefined && isUuid(given) && s.ctx.store.get(spec.kind, given.toLowerCase())) throw constraintError('id', 'unique');
    const id = given !== undefined && isUuid(given) ? given.toLowerCase() : randomUUID();
    return { status: 201, body: writeEntity(spec, body, s.ctx, id, writeOpts(s)) };
  };
  if (p || spec.topLevel === 'rw') return { GET: list, POST: create };
  return { GET: list };
}

const writeOpts = (s: Scope): { skipHash: boolean } => ({ skipHash: s.req.query.get('skip_hash') === 'true' });

function find(s: Scope, spec: KindSpec, key: string, p?: Parent): JsonObject | undefined {
  const v = s.ctx.store.resolve(spec.kind, key);
  if (v && p && refId(v[p.nest.field]) !== parentId(s, p)) return undefined;
  return v;
}

function item(s: Scope, spec: KindSpec, key: string, p?: Parent): Routes | undefined {
  if (!p && spec.topLevel === 'list') return undefined;
  const get = (): Reply => {
    if (p) parentId(s, p);
    const v = find(s, spec, key, p);
    if (!v) throw notFound();
    if (spec.kind === 'consumer_groups') return { status: 200, body: groupObject(s, v) };
    return { status: 200, body: render(spec, v, s.ctx.store) };
  };
  if (!p && spec.topLevel === 'ro') return { GET: get };
  const put = (): Reply => {
    const existing = find(s, spec, key, p);
    const id = isUuid(key) ? key.toLowerCase() : ((existing?.id as string | undefined) ?? randomUUID());
    let body = withParent(s.req.body, s, p);
    if (!isUuid(key) && spec.endpointKey && isObject(body)) body = { [spec.endpointKey]: key, ...body };
    return { status: 200, body: writeEntity(spec, body, s.ctx, id, writeOpts(s)) };
  };
  const del = (): Reply => {
    if (p) parentId(s, p);
    const v = find(s, spec, key, p);
    if (v) s.ctx.store.delete(spec.kind, v.id as string);
    return { status: 204 };
  };
  return { GET: get, PUT: put, DELETE: del };
}

/** `GET /consumer_groups/{g}`: `{consumer_group, consumers}`; `?list_consumers=false` leaves members out. */
export function groupObject(s: Scope, group: JsonObject): JsonObject {
  if (s.req.query.get('list_consumers') === 'false') return { consumer_group: group };
  return { consumer_group: group, consumers: s.ctx.store.membersOf(group.id as string) };
}

function jsonSchema(s: Scope, name: string): Reply {
  const schema = s.opts.schemas[name];
  if (!schema || !(SERVED_JSON_SCHEMAS as readonly string[]).includes(name)) throw legacyError(404, 'Not Found');
  return { status: 200, body: servedSchema(schema, s.opts.omitZeroDefaults) };
}

function pluginSchema(s: Scope, name: string): Reply {
  const schema = pluginSchemaFor(s.opts.plugins, name);
  if (!schema) throw legacyError(404, `no plugin-schema for '${name}'`);
  return { status: 200, body: schema as unknown as Json };
}

function validate(s: Scope, name: string): Reply {
  const spec = kindForValidate(name);
  if (!spec) throw noRoute();
  prepare(spec, s.req.body, s.ctx, writeOpts(s));
  return { status: 200, body: { message: 'schema validation successful' } };
}

function workspace(s: Scope, name: string): Reply {
  if (!s.req.cp.workspaces.includes(name)) throw notFound();
  return { status: 200, body: { id: s.req.cp.id, name } };
}
