/**
 * The pure comparison of two States. Target entities are matched to current ones by id, then by
 * any of their unique keys (username or custom_id, name, key, natural key with its parents… as
 * decK does); a matched target adopts the current id, and every foreign key that
 * points at a re-identified entity is rewritten, so the plan speaks the target's language of ids.
 * Timestamps and other `ignore` fields never produce an update.
 */
import { KINDS, KIND_BY_NAME, type KindDef, type KindName } from '../config/kinds.js';
import { freezeState, emptyEntities, refId, type Entity, type State } from '../config/state.js';
import { matchKeys, sameEntity } from './identity.js';

export type Op =
  | { readonly action: 'create'; readonly kind: KindName; readonly after: Entity }
  | { readonly action: 'update'; readonly kind: KindName; readonly before: Entity; readonly after: Entity }
  | { readonly action: 'delete'; readonly kind: KindName; readonly before: Entity };

export interface Plan {
  readonly ops: readonly Op[];
  readonly current: State;
  /** The target with ids adopted from the current state (what sync makes true). */
  readonly target: State;
}

export interface PlanOptions {
  /** Kinds left out of the comparison entirely (e.g. `--skip-consumers`). */
  skip?: ReadonlySet<KindName>;
  /** The target entity as the gateway would store it (hashed passwords), for the comparison only. */
  comparable?: (kind: KindName, target: Entity, current: Entity) => Entity;
  /**
   * The target entity adjusted to its match where the difference has no meaning (sets in another
   * order: sets.ts alignSets): used for the comparison, the display and the write.
   */
  align?: (kind: KindName, target: Entity, current: Entity) => Entity;
}

/** Kinds in dependency order: parents before children (stable within a level). */
export const KINDS_BY_LEVEL: readonly KindDef[] = [...KINDS].sort((a, b) => a.level - b.level);

function remapRefs(kind: KindDef, e: Entity, idMap: ReadonlyMap<string, string>, newId: string): Entity {
  let out: Record<string, unknown> | null = null;
  if (newId !== e.id) out = { ...e, id: newId };
  for (const fk of kind.foreignKeys) {
    const id = refId(e[fk.field]);
    const mapped = id === null ? undefined : idMap.get(id);
    if (mapped !== undefined && mapped !== id) {
      out ??= { ...e };
      out[fk.field] = { id: mapped };
    }
  }
  // a plugin's partial links hold the partial's id (`partials: [{id, name, path}]`): a partial matched
  // by name under another id (a dump without ids) is the same link
  if (kind.name === 'plugins' && Array.isArray(e.partials)) {
    const links = e.partials as unknown[];
    const moved = (l: unknown): string | undefined => {
      const id = l !== null && typeof l === 'object' ? (l as { id?: unknown }).id : undefined;
      const mapped = typeof id === 'string' ? idMap.get(id) : undefined;
      return mapped !== id ? mapped : undefined;
    };
    if (links.some((l) => moved(l) !== undefined)) {
      out ??= { ...e };
      out.partials = links.map((l) => (moved(l) === undefined ? l : { ...(l as object), id: moved(l) }));
    }
  }
  return out === null ? e : (out as Entity);
}

/** Whether an entity points (through a foreign key) at a skipped kind. */
function touchesSkipped(kind: KindDef, e: Entity, skip: ReadonlySet<KindName>): boolean {
  return kind.foreignKeys.some((fk) => skip.has(fk.kind) && refId(e[fk.field]) !== null);
}

function matchKind(
  kind: KindDef,
  current: readonly Entity[],
  target: readonly Entity[],
  idMap: Map<string, string>,
  comparable: NonNullable<PlanOptions['comparable']>,
  align: NonNullable<PlanOptions['align']>,
): { ops: Op[]; adopted: Entity[] } {
  const byId = new Map(current.map((e) => [e.id, e]));
  const byKey = new Map<string, Entity>();
  for (const e of current) {
    for (const k of matchKeys(kind, e)) if (!byKey.has(k)) byKey.set(k, e);
  }
  const used = new Set<string>();
  const ops: Op[] = [];
  const adopted: Entity[] = [];
  const mapId = (id: string): string => idMap.get(id) ?? id;
  for (const t of target) {
    let match = byId.get(t.id);
    if (match !== undefined && used.has(match.id)) match = undefined;
    // every unique key identifies: a renamed consumer that keeps its custom_id is that consumer
    if (match === undefined) match = matchKeys(kind, t, mapId).map((k) => byKey.get(k)).find((c) => c !== undefined && !used.has(c.id));
    if (match !== undefined) {
      used.add(match.id);
      if (match.id !== t.id) idMap.set(t.id, match.id);
    }
    const remapped = remapRefs(kind, t, idMap, match?.id ?? t.id);
    // sets in another order are aligned only when the entities differ at all (the common case costs nothing)
    const differs = match !== undefined && !sameEntity(kind, match, comparable(kind.name, remapped, match));
    const after = differs && match !== undefined ? align(kind.name, remapped, match) : remapped;
    adopted.push(after);
    if (match === undefined) ops.push({ action: 'create', kind: kind.name, after });
    else if (!sameEntity(kind, match, comparable(kind.name, after, match))) ops.push({ action: 'update', kind: kind.name, before: match, after });
  }
  for (const c of current) if (!used.has(c.id)) ops.push({ action: 'delete', kind: kind.name, before: c });
  return { ops, adopted };
}

/** Compare `current` (what the gateway has) with `target` (what the files say). Pure. */
export function plan(current: State, target: State, options: PlanOptions = {}): Plan {
  const skip = options.skip ?? new Set<KindName>();
  const idMap = new Map<string, string>();
  const ops: Op[] = [];
  const targetEntities = emptyEntities();
  const currentEntities = emptyEntities();
  for (const kind of KINDS_BY_LEVEL) {
    if (skip.has(kind.name)) continue;
    const keep = (e: Entity) => !touchesSkipped(kind, e, skip);
    const cur = current.entities[kind.name].filter(keep);
    const tgt = target.entities[kind.name].filter(keep);
    const r = matchKind(kind, cur, tgt, idMap, options.comparable ?? ((_k, t) => t), options.align ?? ((_k, t) => t));
    ops.push(...r.ops);
    targetEntities[kind.name] = r.adopted;
    currentEntities[kind.name] = [...cur];
  }
  return {
    ops,
    current: freezeState({ workspace: current.workspace, selectTags: [...current.selectTags], entities: currentEntities }),
    target: freezeState({ workspace: target.workspace, selectTags: [...target.selectTags], entities: targetEntities }),
  };
}

/** `--skip-consumers`: consumers, consumer groups and every kind that cannot exist without them. */
export function consumerKinds(): Set<KindName> {
  const roots = KINDS.flatMap((k) => k.foreignKeys).filter((f) => f.field === 'consumer' || f.field === 'consumer_group');
  const out = new Set<KindName>(roots.map((f) => f.kind));
  for (const k of KINDS) if (k.foreignKeys.some((f) => f.required && out.has(f.kind))) out.add(k.name);
  return out;
}

export function countOps(ops: readonly Op[]): { creating: number; updating: number; deleting: number; total: number } {
  const c = { creating: 0, updating: 0, deleting: 0, total: ops.length };
  for (const op of ops) {
    if (op.action === 'create') c.creating++;
    else if (op.action === 'update') c.updating++;
    else c.deleting++;
  }
  return c;
}

export function kindOf(op: Op): KindDef {
  return KIND_BY_NAME[op.kind];
}
