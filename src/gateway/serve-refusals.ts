/**
 * The Kong fields `aigw serve` has not implemented and refuses (`x-aigw-unsupported*` in the
 * schemas; validate/serve-marks.ts): never accepted and then ignored. A declarative build fails
 * with the entity, the field and why (startup fails; a reload keeps the last good configuration);
 * a database-mode build leaves the entity out, fail closed, and reports it (broken-entities.ts),
 * and an Admin API write of it is refused (build-check.ts).
 */
import { AigwError } from '../errors.js';
import type { Entity, State } from '../config/state.js';
import { KIND_BY_NAME, type KindName } from '../config/kinds.js';
import { schemas } from '../config/schemas.js';
import { serveRefusals } from '../config/validate/serve-marks.js';
import { brokenEntity, type BrokenEntity } from './broken-entities.js';
import type { Steps } from './time-slices.js';

/** The kinds whose own fields carry marks (plugin configs: `pluginRefusals`). */
export const REFUSING_KINDS = ['routes', 'services', 'upstreams', 'plugins'] as const satisfies readonly KindName[];

/** Why aigw serve refuses the entity's own fields (a plugin's `config` aside). */
export function entityRefusals(kind: KindName, e: Entity): string[] {
  // a plugin's `config` carries no mark in the entity schema: its own schema is walked apart
  return serveRefusals(schemas().entity(kind), KIND_BY_NAME[kind].schema, e);
}

/** Why aigw serve refuses a plugin: its own fields, then its (partial-linked) config. */
export function pluginRefusals(name: string, e: Entity, linked: unknown): string[] {
  const schema = schemas().plugin(name);
  const config = schema === undefined ? [] : serveRefusals(schema, `plugins/${name}.json`, linked, 'config.');
  return [...entityRefusals('plugins', e), ...config];
}

const what = (kind: KindName, e: Entity): string => `${kind.replace(/s$/, '')} '${typeof e.name === 'string' ? e.name : e.id}' (${e.id})`;

/**
 * The routes, services and upstreams aigw serve refuses. Strict (`broken` null): the first one
 * fails the build. Tolerant: each joins `broken`, and the ids returned are left out, fail closed:
 * a refused route is not routed, a refused service (or one sending to a refused upstream) is
 * served as disabled (its routes answer 404).
 */
export function* refusedEntities(state: State, broken: BrokenEntity[] | null): Steps<Set<string>> {
  const out = new Set<string>();
  const upstreams = new Set<string>();
  let done = 0;
  for (const kind of ['routes', 'services', 'upstreams'] as const) {
    for (const e of state.entities[kind]) {
      if (++done % 512 === 0) yield;
      const why = entityRefusals(kind, e);
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
