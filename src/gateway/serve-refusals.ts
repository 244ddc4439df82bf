/**
 * The Kong fields `aigw serve` has not implemented and refuses (`x-aigw-unsupported*` in the
 * schemas; validate/serve-marks.ts): never accepted and then ignored. A declarative build fails
 * with the entity, the field and why (startup fails; a reload keeps the last good configuration);
 * a database-mode build leaves the entity out, fail closed, and reports it (broken-entities.ts),
 * and an Admin API write of it is refused (build-check.ts).
 */
import { AigwError } from '../errors.js';
import { refId, type Entity, type State } from '../config/state.js';
import { httpToStreamWhy, isStreamOnlyPlugin, isStreamRoute, isStreamService, streamPluginWhy, streamRouteWhy, streamServiceWhy } from '../config/stream.js';
import { KIND_BY_NAME, type KindName } from '../config/kinds.js';
import { schemas } from '../config/schemas.js';
import { serveRefusals } from '../config/validate/serve-marks.js';
import { brokenEntity, type BrokenEntity } from './broken-entities.js';
import { hasOrdering } from './plugin-chains.js';
import type { Steps } from './time-slices.js';

/** The kinds whose own fields carry marks (plugin configs: `pluginRefusals`). */
export const REFUSING_KINDS = ['routes', 'services', 'upstreams', 'plugins'] as const satisfies readonly KindName[];

/** Why aigw serve refuses the entity's own fields (a plugin's `config` aside). */
export function entityRefusals(kind: KindName, e: Entity): string[] {
  // a stream route is left out of routing whole (config/stream.ts): its stream matchers are not refused
  if (kind === 'routes' && isStreamRoute(e)) return [];
  // a plugin's `config` carries no mark in the entity schema: its own schema is walked apart
  return serveRefusals(schemas().entity(kind), KIND_BY_NAME[kind].schema, e);
}

/** Dynamic plugin ordering on a consumer- or group-scoped instance (plugin-chains.ts orders the access phase). */
const CONSUMER_ORDERING = 'ordering is set on a consumer- or consumer-group-scoped plugin, and aigw serve orders the access phase before the consumer is known: set the rule on the route, service or global instance';

/** Why aigw serve refuses a plugin: its own fields, then its (partial-linked) config. */
export function pluginRefusals(name: string, e: Entity, linked: unknown): string[] {
  const schema = schemas().plugin(name);
  const config = schema === undefined ? [] : serveRefusals(schema, `plugins/${name}.json`, linked, 'config.');
  // the access order is set before authentication finds the consumer
  const scoped = (refId(e.consumer) !== null || refId(e.consumer_group) !== null) && hasOrdering(e) ? [CONSUMER_ORDERING] : [];
  return [...entityRefusals('plugins', e), ...scoped, ...config];
}

const what = (kind: KindName, e: Entity): string => `${kind.replace(/s$/, '')} '${typeof e.name === 'string' ? e.name : e.id}' (${e.id})`;

/**
 * The routes, services and upstreams aigw serve refuses (an HTTP route sent to a stream service
 * too: only stream routes reach one in Kong). Strict (`broken` null): the first one
 * fails the build. Tolerant: each joins `broken`, and the ids returned are left out, fail closed:
 * a refused route is not routed, a refused service (or one sending to a refused upstream) is
 * served as disabled (its routes answer 404).
 */
export function* refusedEntities(state: State, broken: BrokenEntity[] | null): Steps<Set<string>> {
  const out = new Set<string>();
  const upstreams = new Set<string>();
  let done = 0;
  const streamServices = new Map(state.entities.services.filter(isStreamService).map((s) => [s.id, s]));
  for (const kind of ['routes', 'services', 'upstreams'] as const) {
    for (const e of state.entities[kind]) {
      if (++done % 512 === 0) yield;
      const why = entityRefusals(kind, e);
      const stream = kind === 'routes' && !isStreamRoute(e) ? streamServices.get(refId(e.service) ?? '') : undefined;
      if (stream !== undefined) why.push(httpToStreamWhy(stream, `'${typeof stream.name === 'string' ? stream.name : stream.id}' (${stream.id})`));
      if (why.length === 0) continue;
      if (broken === null) throw new AigwError('AIGW_SERVE', `${what(kind, e)}: ${why.join('; ')}`);
      broken.push(brokenEntity(kind, e, why.join('; ')));
      out.add(e.id);
      if (kind === 'upstreams') upstreams.add(String(e.name));
    }
  }
  for (const s of state.entities.services) if (upstreams.has(String(s.host))) out.add(s.id);
  return out;
}

/** What aigw serve leaves out because Kong serves it on its stream listener (config/stream.ts). */
export interface StreamLeftOut {
  routes: ReadonlySet<string>;
  services: ReadonlySet<string>;
  /** Plugins not built: scoped to a stream route or service, or running on stream protocols only. */
  plugins: ReadonlySet<string>;
  /** One startup warning per route, service and stream-only plugin, naming it and why. */
  warnings: string[];
}

/** The stream routes and services of `state`, and the plugins that therefore never run. */
export function streamLeftOut(state: State): StreamLeftOut {
  const routes = new Set(state.entities.routes.filter(isStreamRoute).map((r) => r.id));
  const services = new Set(state.entities.services.filter(isStreamService).map((s) => s.id));
  const plugins = new Set<string>();
  const byScope = new Map<string, string[]>();
  const warnings: string[] = [];
  if (routes.size === 0 && services.size === 0 && !state.entities.plugins.some(isStreamOnlyPlugin)) return { routes, services, plugins, warnings };
  for (const p of state.entities.plugins) {
    const scope = [refId(p.route), refId(p.service)].find((id): id is string => id !== null && (routes.has(id) || services.has(id)));
    if (scope !== undefined) {
      plugins.add(p.id);
      byScope.set(scope, [...(byScope.get(scope) ?? []), `${String(p.name)} (${p.id})`]);
    } else if (isStreamOnlyPlugin(p)) {
      plugins.add(p.id);
      if (p.enabled !== false) warnings.push(`${what('plugins', p)}: ${streamPluginWhy(p)}`);
    }
  }
  const scoped = (id: string): string => (byScope.has(id) ? `; not run: ${byScope.get(id)!.join(', ')}` : '');
  for (const r of state.entities.routes) if (routes.has(r.id)) warnings.push(`${what('routes', r)} is ${streamRouteWhy(r)}${scoped(r.id)}`);
  for (const s of state.entities.services) if (services.has(s.id)) warnings.push(`${what('services', s)}: ${streamServiceWhy(s)}${scoped(s.id)}`);
  return { routes, services, plugins, warnings };
}
