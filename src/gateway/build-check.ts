/**
 * Whether the entities an Admin API write puts would build: the part of the candidate State they
 * touch (the plugins written or linked to a written partial, the routes, services, upstreams and
 * their targets, with every vault, partial and consumer they may need) is compiled into a scratch
 * Runtime, with its own plugin stores, metrics and a silent logger, before anything is stored.
 * Compiling only that part keeps a write cheap whatever the size of the configuration.
 */
import { Registry } from 'prom-client';
import type { KindName } from '../config/kinds.js';
import { pluginPriority } from '../config/schemas.js';
import { refId, type Entity, type State } from '../config/state.js';
import { brokenEntity, type BrokenEntity } from './broken-entities.js';
import type { Consumers } from './consumers.js';
import { addScoped, buildChain, hasOrdering, type PluginEntries } from './plugin-chains.js';
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

/**
 * The cycles of plugin ordering rules in a State, by chain (a route's id, '' for the global
 * plugins): the chains built from the plugins' scopes and rules alone, nothing compiled.
 */
export function orderingCycles(state: State): Map<string, string> {
  const out = new Map<string, string>();
  const plugins = state.entities.plugins.filter((e) => e.enabled !== false && refId(e.consumer) === null && refId(e.consumer_group) === null);
  if (!plugins.some(hasOrdering)) return out;
  const byName = new Map<string, PluginEntries>();
  for (const e of plugins) {
    const name = String(e.name);
    addScoped(byName, name, pluginPriority(name) ?? 0, e, {});
  }
  // no consumer- or group-scoped instance is filed: the chains need no consumers
  const consumers = { byId: new Map() } as unknown as Consumers;
  const check = (key: string, route: string | null, service: string | null, label: string): void => {
    buildChain(byName, route, service, consumers, {
      label,
      onCycle: (message) => {
        out.set(key, message);
        return {};
      },
    });
  };
  check('', null, null, 'the global plugins');
  for (const r of state.entities.routes) check(r.id, r.id, refId(r.service), `route '${typeof r.name === 'string' ? r.name : r.id}'`);
  return out;
}

/** The written entities (and the plugins linked to written partials) that would not build (stored-but-not-run plugins aside). */
export function unbuildable(candidate: State, changed: readonly Changed[], deps: Pick<RuntimeDeps, 'env' | 'llm' | 'plugins' | 'now'>, current?: State): BrokenEntity[] {
  if (changed.length === 0) return [];
  // a write that closes a cycle of ordering rules on a chain that had none (the chain's other plugins are not rebuilt below)
  const cycles = orderingCycles(candidate);
  if (cycles.size > 0) {
    const before = current === undefined ? new Map<string, string>() : orderingCycles(current);
    const fresh = [...cycles].filter(([key]) => !before.has(key)).map(([, message]) => message);
    if (fresh.length > 0) {
      const first = changed[0];
      const e = candidate.entities[first.kind].find((x) => x.id === first.id) ?? { id: first.id };
      return [brokenEntity(first.kind, e, fresh.join('; '))];
    }
  }
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
