/**
 * Whether the entities an Admin API write puts would build: the part of the candidate State they
 * touch (the plugins written or linked to a written partial, the routes, services, upstreams and
 * their targets, with every vault, partial and consumer they may need) is compiled into a scratch
 * Runtime, with its own plugin stores, metrics and a silent logger, before anything is stored.
 * Compiling only that part keeps a write cheap whatever the size of the configuration.
 */
import { Registry } from 'prom-client';
import type { KindName } from '../config/kinds.js';
import { refId, type Entity, type State } from '../config/state.js';
import type { BrokenEntity } from './broken-entities.js';
import { memoryLogger } from './log.js';
import { buildRuntime, type RuntimeDeps } from './runtime.js';
import { PluginStores } from './stores.js';

export interface Changed {
  kind: KindName;
  id: string;
}

const linkedPartials = (e: Entity): string[] => (Array.isArray(e.partials) ? e.partials.map((p) => refId(p)).filter((x): x is string => x !== null) : []);

/** The candidate State cut down to what the written entities need to build. */
function affected(candidate: State, changed: readonly Changed[]): { state: State; ids: Set<string> } {
  const ids = new Set(changed.map((c) => c.id));
  const x = candidate.entities;
  const plugins = x.plugins.filter((p) => ids.has(p.id) || linkedPartials(p).some((id) => ids.has(id)));
  for (const p of plugins) ids.add(p.id);
  const upstreamIds = new Set([...x.upstreams.filter((u) => ids.has(u.id)).map((u) => u.id), ...x.targets.filter((t) => ids.has(t.id)).map((t) => refId(t.upstream) ?? '')]);
  const entities = {
    ...x,
    plugins,
    routes: x.routes.filter((r) => ids.has(r.id)),
    services: x.services.filter((s) => ids.has(s.id)),
    upstreams: x.upstreams.filter((u) => upstreamIds.has(u.id)),
    targets: x.targets.filter((t) => upstreamIds.has(refId(t.upstream) ?? '')),
  };
  return { state: { ...candidate, entities }, ids };
}

/** The written entities (and the plugins linked to written partials) that would not build (stored-but-not-run plugins aside). */
export function unbuildable(candidate: State, changed: readonly Changed[], deps: Pick<RuntimeDeps, 'env' | 'llm' | 'plugins' | 'now'>): BrokenEntity[] {
  if (changed.length === 0) return [];
  const { state, ids } = affected(candidate, changed);
  const stores = new PluginStores();
  try {
    const runtime = buildRuntime(state, { ...deps, logger: memoryLogger(), stores, metrics: new Registry(), tolerant: true });
    // a plugin Kong runs and aigw serve cannot is stored as Kong would, and served fail closed
    return runtime.broken.filter((b) => ids.has(b.id) && b.stored !== true);
  } finally {
    void stores.disposeAll().catch(() => undefined);
  }
}
