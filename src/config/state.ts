import { KINDS, type KindName } from './kinds.js';

/**
 * One entity in Kong wire format: snake_case fields, every schema field present (defaults filled,
 * absent optional fields as null), foreign keys as `{ id }` or null, `id` always set.
 */
export type Entity = Readonly<Record<string, unknown>> & { readonly id: string };

/** A foreign-key value in wire format. */
export type Ref = { readonly id: string } | null;

/**
 * The immutable, normalised configuration. Both the state file and the Admin API normalise into
 * it, so diff is a pure comparison of two States and the gateway compiles it into a Runtime.
 * Entities of each kind are sorted by id for determinism.
 */
export interface State {
  readonly workspace: string | null;
  /** decK select tags (`_info.select_tags`), already added to every entity's `tags`. */
  readonly selectTags: readonly string[];
  readonly entities: Readonly<Record<KindName, readonly Entity[]>>;
}

export function emptyEntities(): Record<KindName, Entity[]> {
  return Object.fromEntries(KINDS.map((k) => [k.name, []])) as unknown as Record<KindName, Entity[]>;
}

export function emptyState(): State {
  return freezeState({ workspace: null, selectTags: [], entities: emptyEntities() });
}

/** Freeze a value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Sort every kind by id and freeze the whole tree. */
export function freezeState(state: { workspace: string | null; selectTags: string[]; entities: Record<KindName, Entity[]> }): State {
  for (const list of Object.values(state.entities)) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return deepFreeze(state);
}

/** Index of a State by id, per kind. */
export function indexById(state: State): Record<KindName, Map<string, Entity>> {
  const out = {} as Record<KindName, Map<string, Entity>>;
  for (const k of KINDS) out[k.name] = new Map(state.entities[k.name].map((e) => [e.id, e]));
  return out;
}

/** The id of a wire-format foreign key, or null. */
export function refId(value: unknown): string | null {
  if (value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return null;
}
