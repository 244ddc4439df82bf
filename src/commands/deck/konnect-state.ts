/**
 * Both sides of a Konnect comparison brought to the form Konnect stores, so an unchanged file shows
 * no drift:
 * - the file's entities are completed with Konnect's own defaults (its JSON Schemas and plugin
 *   schemas) for every field the file does not set — never with aigw's built-in 3.10 defaults, which
 *   differ (route `protocols` is `[https]` on Konnect); built-in values only fill what Konnect's
 *   schemas leave open;
 * - a target without a port gets `:8000` (Kong's rule, kept by Konnect);
 * - Konnect drops null fields and empty lists (protobuf), so neither side keeps them at the top level;
 * - a certificate read from Konnect lists its SNI names, which are their own entities here.
 */
import { KINDS, type KindDef } from '../../config/kinds.js';
import { emptyEntities, freezeState, type Entity, type State } from '../../config/state.js';
import type { EntitySources } from '../../config/index.js';
import type { Defaults } from '../../kong/read-state.js';
import { fillFromKong } from '../../kong/schema-format.js';
import { schemas } from '../../config/schemas.js';
import { translateShorthands } from '../../config/shorthands.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Top-level fields Konnect does not store: nulls and empty lists. */
export function compact(e: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(e)) if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

function withPort(target: unknown): unknown {
  if (typeof target !== 'string') return target;
  if (/^\[[^\]]+\]$/.test(target) || !/:\d+$/.test(target)) return `${target}:8000`;
  return target;
}

/** `{fields:[…]}` of a plugin: its config fields, and the top-level defaults (protocols…). */
function pluginParts(fields: unknown): { config: unknown; top: unknown[] } {
  if (!Array.isArray(fields)) return { config: undefined, top: [] };
  let config: unknown;
  const top: unknown[] = [];
  for (const f of fields) {
    if (isObj(f) && 'config' in f) config = isObj(f.config) ? f.config.fields : undefined;
    else top.push(f);
  }
  return { config, top };
}

function complete(kind: KindDef, e: Entity, written: Obj | undefined, defaults: Defaults): Obj {
  // what the file says, plus CLI select tags that were added to the loaded entity
  let out: Obj = written === undefined ? { ...e } : { ...written, ...(e.tags !== undefined ? { tags: e.tags } : {}) };
  // a written plugin config speaks the deprecated shorthands (redis_host…) as the file does: in the
  // fields they stand for, as Konnect stores them (and as the current side is read)
  if (kind.name === 'plugins' && written !== undefined && typeof out.name === 'string' && isObj(out.config)) {
    out.config = translateShorthands(schemas().plugin(out.name), out.config);
  }
  const fields = defaults.entity(kind.name);
  if (fields !== undefined) out = fillFromKong(fields, out);
  if (kind.name === 'plugins' && typeof out.name === 'string') {
    const parts = pluginParts(defaults.plugin(out.name));
    out = fillFromKong(parts.top, out);
    if (parts.config !== undefined) out.config = fillFromKong(parts.config, isObj(out.config) ? out.config : {}, { records: 'kong' });
  }
  // what Konnect's schemas leave open keeps aigw's built-in value
  for (const [k, v] of Object.entries(e)) if (out[k] === undefined) out[k] = v;
  if (kind.name === 'targets') out.target = withPort(out.target);
  return compact(out);
}

/** The desired state as Konnect would store it. */
export function konnectTarget(state: State, sources: EntitySources, defaults: Defaults): State {
  const entities = emptyEntities();
  for (const k of KINDS) {
    entities[k.name] = state.entities[k.name].map((e) => (k.membership !== undefined ? e : (complete(k, e, sources.written(k.name, e.id), defaults) as Entity)));
  }
  return freezeState({ workspace: state.workspace, selectTags: [...state.selectTags], entities });
}

/** The current state as compared: certificates without their SNI list, no nulls or empty lists. */
export function konnectCurrent(state: State): State {
  const entities = emptyEntities();
  for (const k of KINDS) {
    entities[k.name] = state.entities[k.name].map((e) => {
      if (k.membership !== undefined) return e;
      const c = compact(e);
      if (k.name === 'certificates') delete c.snis;
      return c as Entity;
    });
  }
  return freezeState({ workspace: state.workspace, selectTags: [...state.selectTags], entities });
}
