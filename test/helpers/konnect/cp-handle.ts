/**
 * A test's direct handle on one control plane: read what is stored, seed entities without going through
 * HTTP, steer the simulated data planes; plus the konnect-managed fixtures (entities tagged
 * `konnect-managed`, a plugin tagged `konnect-managed-plugin`, GDR pkg/dump/dump_konnect.go).
 */
import { randomUUID } from 'node:crypto';
import type { ControlPlane } from './control-planes.js';
import type { CoreOptions } from './core-entities.js';
import { kindSpec, KONNECT_MANAGED_PLUGIN_TAG, KONNECT_MANAGED_TAG, type KindSpec } from './entity-kinds.js';
import { writeEntity } from './entity-writes.js';
import type { EntityStore } from './store.js';
import type { JsonObject } from './wire.js';

export interface ControlPlaneHandle {
  id: string;
  name: string;
  /** Stored entities of a kind (as stored, in creation order). */
  entities(kind: string, workspace?: string): JsonObject[];
  /** Member consumer ids of a consumer group id. */
  members(groupId: string, workspace?: string): string[];
  expectedHash(): string;
  /** Make one data plane adopt changes `ms` late (Infinity: never). */
  setDataPlaneDelay(hostname: string, ms: number): void;
  /** Write an entity directly (validated and defaulted like an API call, not recorded). */
  seed(kind: string, body: JsonObject, workspace?: string): JsonObject;
}

export function controlPlaneHandle(cp: ControlPlane, core: CoreOptions): ControlPlaneHandle {
  const storeOf = (ws = ''): EntityStore => {
    const st = cp.stores.get(ws);
    if (!st) throw new Error(`no workspace '${ws}' in ${cp.name}`);
    return st;
  };
  return {
    id: cp.id,
    name: cp.name,
    entities: (kind, ws) => storeOf(ws).all(kind),
    members: (groupId, ws) => [...(storeOf(ws).members.get(groupId) ?? [])],
    expectedHash: () => cp.propagation.expectedHash,
    setDataPlaneDelay: (hostname, ms) => cp.propagation.setDelay(hostname, ms),
    seed: (kind, body, ws) => {
      const spec = kindSpec(kind) as KindSpec;
      const id = typeof body.id === 'string' ? body.id : randomUUID();
      return writeEntity(spec, body, { ...core, store: storeOf(ws) }, id);
    },
  };
}

/** A service with a route, a consumer, and a global plugin, as Konnect's own features leave them. */
export function seedKonnectManaged(h: ControlPlaneHandle): void {
  const svc = h.seed('services', { name: 'konnect-portal', host: 'portal.konnect.internal', tags: [KONNECT_MANAGED_TAG] });
  h.seed('routes', { name: 'konnect-portal', paths: ['/konnect-portal'], service: { id: svc.id }, tags: [KONNECT_MANAGED_TAG] });
  h.seed('consumers', { username: `konnect-app-${h.name}`, tags: [KONNECT_MANAGED_TAG] });
  h.seed('plugins', { name: 'konnect-application-auth', config: { scope: h.name }, tags: [KONNECT_MANAGED_PLUGIN_TAG] });
}
