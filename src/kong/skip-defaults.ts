/**
 * `dump --skip-defaults`: leave out every value equal to the target's own default, so a dump says
 * what was configured, not what the target fills in. Loading the dump and completing it with the
 * same defaults gives the same entities back.
 */
import { KINDS } from '../config/kinds.js';
import { emptyEntities, freezeState, type Entity, type State } from '../config/state.js';
import type { Defaults } from './read-state.js';
import { fillFromKong } from './schema-format.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `value` without what equals `defaults` (records recursed; a record left empty goes too). */
export function withoutDefaults(value: Obj, defaults: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const d = defaults[k];
    if (d === undefined) {
      out[k] = v;
      continue;
    }
    if (isObj(v) && isObj(d)) {
      const inner = withoutDefaults(v, d);
      if (Object.keys(inner).length > 0) out[k] = inner;
      continue;
    }
    if (!same(v, d)) out[k] = v;
  }
  return out;
}

function pluginDefaults(fields: unknown): Obj {
  if (!Array.isArray(fields)) return {};
  const top: unknown[] = [];
  let config: unknown;
  for (const f of fields) {
    if (isObj(f) && 'config' in f) config = isObj(f.config) ? f.config.fields : undefined;
    else top.push(f);
  }
  return { ...fillFromKong(top, {}), enabled: true, config: fillFromKong(config, {}, { records: 'kong' }) };
}

export function skipDefaults(state: State, defaults: Defaults): State {
  const entities = emptyEntities();
  for (const k of KINDS) {
    entities[k.name] = state.entities[k.name].map((e) => {
      if (k.membership !== undefined || k.policyOverride === true) return e;
      const d = k.name === 'plugins' && typeof e.name === 'string' ? pluginDefaults(defaults.plugin(e.name)) : fillFromKong(defaults.entity(k.name), {});
      return withoutDefaults(e, d) as Entity;
    });
  }
  return freezeState({ workspace: state.workspace, selectTags: [...state.selectTags], entities });
}
