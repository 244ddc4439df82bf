/**
 * The Flow view's model: each route as client → route → plugins in execution order (Kong's
 * priority order, as the pipeline runs them) → service/upstream or LLM targets; and the live counts
 * per step, fed by finished requests.
 */
import type { Entity } from '../../config/state.js';
import { refId } from '../../config/state.js';
import type { ChainEntry, Runtime } from '../runtime.js';
import { describeTarget } from '../upstream.js';
import type { FlowCounts, FlowPlugin, FlowRoute, FlowTarget, FlowView, RequestSummary } from './api-types.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const nameOf = (e: Entity): string => (typeof e.name === 'string' ? e.name : e.id);
/** Counts key of requests that matched no route. */
export const NO_ROUTE = '(no route)';

function phasesOf(entry: ChainEntry): string[] {
  const inst = entry.base ?? entry.byConsumer?.values().next().value ?? null;
  if (!inst) return [];
  const out: string[] = [];
  if (inst.access) out.push('access');
  if (inst.response) out.push('response');
  if (inst.chunk) out.push('chunk');
  if (inst.log) out.push('log');
  return out;
}

function scopeOf(rt: Runtime, name: string, routeId: string | null, serviceId: string | null): FlowPlugin['scope'] {
  const mine = rt.state.entities.plugins.filter((p) => p.name === name && p.enabled !== false);
  if (routeId !== null && mine.some((p) => refId(p.route) === routeId && refId(p.consumer) === null)) return 'route';
  if (serviceId !== null && mine.some((p) => refId(p.service) === serviceId && refId(p.route) === null && refId(p.consumer) === null)) return 'service';
  if (mine.some((p) => refId(p.route) === null && refId(p.service) === null && refId(p.consumer) === null)) return 'global';
  return 'consumer';
}

function pluginsOf(rt: Runtime, entries: readonly ChainEntry[], routeId: string | null, serviceId: string | null): FlowPlugin[] {
  return entries.map((e) => ({
    name: e.name,
    priority: e.priority,
    scope: scopeOf(rt, e.name, routeId, serviceId),
    consumerOverrides: e.byConsumer?.size ?? 0,
    phases: phasesOf(e),
  }));
}

function targetsOf(rt: Runtime, routeId: string, serviceId: string | null): FlowTarget[] {
  const ai = rt.routes.get(routeId)?.aiModels;
  if (ai) return ai.map((m) => ({ kind: 'llm', label: `${m.provider}/${m.model ?? '(client’s model)'}`, members: [] }));
  const svc = serviceId ? rt.services.get(serviceId) : undefined;
  if (!svc) return [];
  const b = svc.target.balancer;
  if (!b) return [{ kind: 'service', label: describeTarget(svc.target), members: [] }];
  const upstream = rt.state.entities.upstreams.find((u) => u.name === b.name);
  const members = rt.state.entities.targets
    .filter((t) => upstream && refId(t.upstream) === upstream.id)
    .map((t) => `${String(t.target)} weight ${String(t.weight ?? 100)}`);
  return [{ kind: 'upstream', label: `upstream ${b.name}`, members }];
}

/** Every route of the Runtime, in the router's order. */
export function flowRoutes(rt: Runtime): FlowRoute[] {
  return rt.state.entities.routes.map((r) => {
    const serviceId = refId(r.service);
    const svc = serviceId ? rt.services.get(serviceId) : undefined;
    return {
      id: r.id,
      name: nameOf(r),
      methods: list(r.methods),
      hosts: list(r.hosts),
      paths: list(r.paths),
      service: svc ? svc.info.name ?? svc.info.id : null,
      plugins: pluginsOf(rt, rt.chains.get(r.id)?.entries ?? [], r.id, serviceId),
      targets: targetsOf(rt, r.id, serviceId),
    };
  });
}

export function globalPlugins(rt: Runtime): FlowPlugin[] {
  return pluginsOf(rt, rt.globalChain.entries, null, null);
}

const emptyCounts = (): FlowCounts => ({ total: 0, refused: {}, answered: {}, targets: {}, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 } });

/** What a finished request adds to its route's counts: which step stopped it, which target answered. */
export class FlowCounter {
  private readonly counts = new Map<string, FlowCounts>();

  add(s: RequestSummary): void {
    const key = s.routeId ?? NO_ROUTE;
    let c = this.counts.get(key);
    if (!c) {
      c = emptyCounts();
      this.counts.set(key, c);
    }
    c.total++;
    const klass = s.status >= 500 ? '5xx' : s.status >= 400 ? '4xx' : s.status >= 300 ? '3xx' : '2xx';
    c.status[klass]++;
    if (s.exit) {
      const into = s.exit.status >= 400 ? c.refused : c.answered;
      into[s.exit.plugin] = (into[s.exit.plugin] ?? 0) + 1;
      return;
    }
    const target = s.ai?.provider ? `${s.ai.provider}/${s.ai.model ?? '(client’s model)'}` : s.upstreamStatus !== null ? 'service' : null;
    if (target !== null) c.targets[target] = (c.targets[target] ?? 0) + 1;
  }

  /** Counts of the routes still served (and of unmatched requests). */
  view(routeIds: readonly string[]): Record<string, FlowCounts> {
    const out: Record<string, FlowCounts> = {};
    for (const id of [...routeIds, NO_ROUTE]) {
      const c = this.counts.get(id);
      if (c) out[id] = c;
    }
    return out;
  }
}

export function flowView(rt: Runtime, counter: FlowCounter): FlowView {
  const routes = flowRoutes(rt);
  return { routes, globalPlugins: globalPlugins(rt), counts: counter.view(routes.map((r) => r.id)) };
}
