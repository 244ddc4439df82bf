/**
 * Entity fields the schemas accept (Kong has them) and `aigw serve` does not run: a state holding
 * one is refused at startup, naming the entity and what is missing (nothing is ignored silently).
 * Plugin config values have their own list (not-served.ts).
 */
import type { Entity, State } from '../config/state.js';

const label = (kind: string, e: Entity): string => `${kind} '${typeof e.name === 'string' ? e.name : e.id}'`;
const isSet = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/** One line per refused entity; empty when the state can be served. */
export function unservedEntities(state: State): string[] {
  const out: string[] = [];
  for (const r of state.entities.routes) {
    if (isSet(r.expression)) out.push(`${label('route', r)} has an expression: aigw serve does not implement Kong's expressions router (write methods, hosts, headers or paths instead)`);
  }
  for (const p of state.entities.plugins) {
    if (p.enabled !== false && isSet(p.condition)) out.push(`plugin '${String(p.name)}' (${p.id}) has a condition: aigw serve does not evaluate plugin conditions`);
  }
  return out;
}
