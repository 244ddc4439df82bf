/**
 * Top-level routing of the Konnect test server: org, control planes (and the legacy runtime-groups list),
 * propagation endpoints, and everything under `core-entities`. Unknown paths are grpc-gateway 404s; a
 * known path with another method is a 405.
 */
import type { ControlPlanes } from './control-planes.js';
import { handleCore, type CoreOptions } from './core-entities.js';
import { KonnectHttpError, legacyError, methodNotAllowed, noRoute, type Json, type Reply } from './wire.js';

function raise(e: KonnectHttpError): never {
  throw e;
}

/** Run a handler; a thrown Konnect error becomes its reply. */
export function guarded(fn: () => Reply): Reply {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KonnectHttpError) return e.reply;
    throw e;
  }
}

const only = (method: string, allowed: string, fn: () => Reply): Reply => (method === allowed ? fn() : raise(methodNotAllowed([allowed])));

export interface PlatformRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: Json | undefined;
}

export function routeKonnect(cps: ControlPlanes, core: CoreOptions, req: PlatformRequest): Reply {
  const { method, segments, query, body } = req;
  const [v2, a, id, b] = segments;
  if (segments.join('/') === 'konnect-api/api/runtime_groups') return only(method, 'GET', () => cps.runtimeGroups(query));
  if (v2 !== 'v2') throw noRoute();
  if (a === 'organizations' && id === 'me' && segments.length === 3) return only(method, 'GET', () => cps.organization());
  if (a !== 'control-planes') throw noRoute();
  if (id === undefined) return method === 'POST' ? cps.create(body) : only(method, 'GET', () => cps.list(query));
  if (b === undefined) return only(method, 'GET', () => cps.get(id));
  const cp = cps.byId(id);
  if (!cp) throw legacyError(404, 'Not Found');
  const rest = segments.slice(4);
  if (b === 'core-entities') return handleCore({ method, rest, query, body, cp, base: `/v2/control-planes/${cp.id}/core-entities` }, core);
  if (b === 'expected-config-hash' && rest.length === 0) return only(method, 'GET', () => ({ status: 200, body: cp.propagation.expected() }));
  if (b === 'nodes' && rest.length === 0) {
    const size = Math.min(100, Math.max(1, Number(query.get('page[size]') ?? 10) || 10));
    return only(method, 'GET', () => ({ status: 200, body: cp.propagation.list(size, query.get('page[after]') || undefined) }));
  }
  if (b === 'nodes' && rest.length === 1)
    return only(method, 'GET', () => ({ status: 200, body: cp.propagation.get(rest[0] as string) ?? raise(legacyError(404, 'Not Found')) }));
  throw noRoute();
}

/** Platform APIs answer 401 as problem+json; core entities and the rest as `{message, status}`. */
export const isPlatformPath = (path: string): boolean => /^\/v2\/(control-planes\/?$|control-planes\/[^/]+\/?$|organizations\/)/.test(path);
