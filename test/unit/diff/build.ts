import { KINDS, type KindName } from '../../../src/config/kinds.js';
import { emptyEntities, freezeState, type Entity, type State } from '../../../src/config/state.js';

/** A State from per-kind entity lists (ids required). */
export function stateOf(parts: Partial<Record<KindName, Array<Record<string, unknown>>>>, selectTags: string[] = []): State {
  const entities = emptyEntities();
  for (const k of KINDS) entities[k.name] = (parts[k.name] ?? []).map((e) => ({ ...e }) as Entity);
  return freezeState({ workspace: null, selectTags, entities });
}

export const ID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
