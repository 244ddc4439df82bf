/**
 * Entities Konnect itself owns on a control plane (Dev Portal applications, its own plugins) carry the
 * tag `konnect-managed` (plugins `konnect-managed-plugin`, GDR pkg/dump/dump_konnect.go). They are never
 * diffed, dumped or deleted; neither is anything that hangs off them (a route of a Konnect-owned service).
 */
import { KINDS } from '../../config/kinds.js';
import { emptyEntities, freezeState, refId, type Entity, type State } from '../../config/state.js';

export const KONNECT_MANAGED_TAGS = ['konnect-managed', 'konnect-managed-plugin'];

function ownTagged(e: Entity): boolean {
  return Array.isArray(e.tags) && e.tags.some((t) => typeof t === 'string' && KONNECT_MANAGED_TAGS.includes(t));
}

/** The state without Konnect-owned entities and their children; also how many were left out. */
export function withoutKonnectManaged(state: State): { state: State; skipped: number } {
  const gone = new Set<string>();
  const entities = emptyEntities();
  let skipped = 0;
  for (const k of [...KINDS].sort((a, b) => a.level - b.level)) {
    entities[k.name] = state.entities[k.name].filter((e) => {
      const child = k.foreignKeys.some((fk) => {
        const id = refId(e[fk.field]);
        return id !== null && gone.has(id);
      });
      if (!child && !ownTagged(e)) return true;
      gone.add(e.id);
      skipped++;
      return false;
    });
  }
  return { state: freezeState({ workspace: state.workspace, selectTags: [...state.selectTags], entities }), skipped };
}
