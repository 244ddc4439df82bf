/**
 * State → Runtime: router tables, per-route plugin chains in Kong priority order with Kong's
 * scoping precedence, consumer/credential indexes, balancers and service targets. Built once
 * per configuration; immutable afterwards; nothing here runs per request except `resolve`.
 */
import { unservedEntities } from './unserved-entities.js';
import type { Registry } from 'prom-client';
import type { Entity, State } from '../config/state.js';
import { refId } from '../config/state.js';
import { pluginPriority } from '../config/schemas.js';
import { AigwError } from '../errors.js';
import { Balancer } from './balancing/upstream-balancer.js';
import { compileConsumers, type Consumers } from './consumers.js';
import type { RouteInfo, ServiceInfo } from './context.js';
import type { LlmCaller } from './llm/call/caller.js';
import type { Logger } from './log.js';
import type { Plugin, PluginInstance } from './plugin.js';
import { PLUGINS } from './plugins/index.js';
import { notServed } from './not-served.js';
import { configWithPartials } from './partials.js';
import { Router } from './router.js';
import { sharedStoreKey, storeKey, type PluginStores } from './stores.js';
import { compileServiceTarget, type ServiceTarget } from './upstream.js';
import { vaultResolver, type VaultResolver } from './vault.js';

/** One plugin on a route: the instance without a consumer, and consumer-specific ones. */
export interface ChainEntry {
  name: string;
  priority: number;
  base: PluginInstance | null;
  byConsumer: ReadonlyMap<string, PluginInstance> | null;
}

export interface Chain {
  entries: readonly ChainEntry[];
  /** Whether any instance has a `response` / `chunk` / `header` / `log` phase (decides buffering); `start`: see plugin.ts. */
  hasStart: boolean;
  hasResponse: boolean;
  hasChunk: boolean;
  hasHeader: boolean;
  hasLog: boolean;
}

export interface CompiledService {
  info: ServiceInfo;
  target: ServiceTarget;
  enabled: boolean;
}

export interface Runtime {
  readonly state: State;
  readonly router: Router;
  readonly routes: ReadonlyMap<string, RouteInfo>;
  readonly services: ReadonlyMap<string, CompiledService>;
  readonly chains: ReadonlyMap<string, Chain>;
  /** Global plugins only: for requests that matched no route. */
  readonly globalChain: Chain;
  readonly consumers: Consumers;
  readonly balancers: ReadonlyMap<string, Balancer>;
  /** Every plugin instance with the entity it was created from (the dashboard's limits). */
  readonly plugins: ReadonlyArray<{ readonly entity: Entity; readonly instance: PluginInstance }>;
  readonly storeKeys: ReadonlySet<string>;
  readonly warnings: readonly string[];
  /** Every plugin instance by its entity id (the plugins' own Admin API endpoints). */
  readonly pluginInstances: ReadonlyMap<string, { name: string; instance: PluginInstance }>;
}

export interface RuntimeDeps {
  logger: Logger;
  stores: PluginStores;
  metrics: Registry;
  env: Readonly<Record<string, string | undefined>>;
  /** The gateway's LLM caller, handed to every plugin. */
  llm: LlmCaller;
  now?: () => number;
  /** Plugin registry (tests may add plugins); defaults to plugins/index.ts. */
  plugins?: ReadonlyMap<string, Plugin<never>>;
}

interface Scoped {
  entity: Entity;
  instance: PluginInstance;
  route: string | null;
  service: string | null;
  consumer: string | null;
}

/** The instances of one plugin name, and its priority. */
interface PluginEntries { priority: number; list: Scoped[] }

/** A plugin's priority: its schema's `x-kong-priority` (declared once, in its schema source), else its own (tests). */
function priorityOf(plugin: Plugin<unknown>): number {
  const p = plugin.priority ?? pluginPriority(plugin.name);
  if (p === undefined) throw new AigwError('AIGW_SERVE', `plugin '${plugin.name}' has no priority: no schema declares one`);
  return p;
}

/** Instance for a (route, service, consumer), by Kong's precedence. */
function resolveScoped(list: readonly Scoped[], route: string | null, service: string | null, consumer: string | null): PluginInstance | null {
  const find = (r: string | null, s: string | null, c: string | null): PluginInstance | null =>
    list.find((p) => p.route === r && p.service === s && p.consumer === c)?.instance ?? null;
  const tryAll = (combos: Array<[string | null, string | null, string | null, boolean]>): PluginInstance | null => {
    for (const [r, s, c, ok] of combos) {
      if (!ok) continue;
      const hit = find(r, s, c);
      if (hit) return hit;
    }
    return null;
  };
  const hasC = consumer !== null;
  return tryAll([
    [route, service, consumer, hasC && route !== null && service !== null],
    [route, null, consumer, hasC && route !== null],
    [null, service, consumer, hasC && service !== null],
    [route, service, null, route !== null && service !== null],
    [null, null, consumer, hasC],
    [route, null, null, route !== null],
    [null, service, null, service !== null],
    [null, null, null, true],
  ]);
}

function buildChain(byName: ReadonlyMap<string, PluginEntries>, route: string | null, service: string | null): Chain {
  const entries: ChainEntry[] = [];
  for (const [name, { priority, list }] of byName) {
    const base = resolveScoped(list, route, service, null);
    let byConsumer: Map<string, PluginInstance> | null = null;
    for (const c of new Set(list.filter((p) => p.consumer !== null).map((p) => p.consumer as string))) {
      const inst = resolveScoped(list, route, service, c);
      if (inst && inst !== base) (byConsumer ??= new Map()).set(c, inst);
    }
    if (base || byConsumer) entries.push({ name, priority, base, byConsumer });
  }
  entries.sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1));
  const all = entries.flatMap((e) => [e.base, ...(e.byConsumer?.values() ?? [])]).filter((x): x is PluginInstance => x !== null);
  return {
    entries,
    hasStart: all.some((i) => i.start),
    hasResponse: all.some((i) => i.response),
    hasChunk: all.some((i) => i.chunk),
    hasHeader: all.some((i) => i.header),
    hasLog: all.some((i) => i.log),
  };
}

function createInstances(state: State, deps: RuntimeDeps, consumers: Consumers, warnings: string[], storeKeys: Set<string>) {
  const registry = deps.plugins ?? PLUGINS;
  let vault: VaultResolver;
  try {
    vault = vaultResolver(state, deps.env);
  } catch (err) {
    throw new AigwError('AIGW_SERVE', `vaults: ${(err as Error).message}`, { cause: err });
  }
  const byName = new Map<string, PluginEntries>();
  for (const e of state.entities.plugins) {
    if (e.enabled === false) continue;
    const name = String(e.name);
    const protocols = Array.isArray(e.protocols) ? e.protocols : ['http', 'https'];
    if (!protocols.includes('http') && !protocols.includes('https')) continue;
    const plugin = registry.get(name) as Plugin<unknown> | undefined;
    if (!plugin) {
      warnings.push(`plugin '${name}' (${e.id}) is not implemented by aigw serve; it is ignored`);
      continue;
    }
    const linked = configWithPartials(e, state);
    const refusals = notServed(name, linked);
    if (refusals.length > 0) throw new AigwError('AIGW_SERVE', `plugin '${name}' (${e.id}): ${refusals.join('; ')}`);
    let instance: PluginInstance;
    try {
      const raw = vault.pluginConfig(name, linked);
      const key = storeKey(e.id, raw);
      storeKeys.add(key);
      const config = plugin.parse ? plugin.parse(raw) : raw;
      instance = plugin.create(config, {
        logger: deps.logger,
        store: deps.stores.store(key),
        shared: (k) => {
          const sk = sharedStoreKey(name, k);
          storeKeys.add(sk);
          return deps.stores.store(sk);
        },
        metrics: deps.metrics,
        consumers,
        env: deps.env,
        llm: deps.llm,
        pluginId: e.id,
        scope: { route: refId(e.route), service: refId(e.service), consumer: refId(e.consumer) },
        now: deps.now ?? Date.now,
      });
    } catch (err) {
      throw new AigwError('AIGW_SERVE', `plugin '${name}' (${e.id}): ${(err as Error).message}`, { cause: err });
    }
    const entry = byName.get(name) ?? { priority: priorityOf(plugin), list: [] };
    entry.list.push({ entity: e, instance, route: refId(e.route), service: refId(e.service), consumer: refId(e.consumer) });
    byName.set(name, entry);
  }
  return byName;
}

function compileBalancers(state: State): Map<string, Balancer> {
  const out = new Map<string, Balancer>();
  for (const u of state.entities.upstreams) {
    const targets = state.entities.targets.filter((t) => refId(t.upstream) === u.id);
    out.set(String(u.name), new Balancer(u, targets));
  }
  return out;
}

const nameOf = (e: Entity): string | null => (typeof e.name === 'string' ? e.name : null);

/** Compile a State. Throws AigwError('AIGW_SERVE') when a plugin config cannot be compiled. */
export function buildRuntime(state: State, deps: RuntimeDeps): Runtime {
  const unserved = unservedEntities(state);
  if (unserved.length > 0) throw new AigwError('AIGW_SERVE', unserved.join('; '));
  const warnings: string[] = [];
  const storeKeys = new Set<string>();
  const consumers = compileConsumers(state);
  const balancers = compileBalancers(state);
  const services = new Map<string, CompiledService>();
  for (const s of state.entities.services) {
    services.set(s.id, { info: { entity: s, id: s.id, name: nameOf(s) }, target: compileServiceTarget(s, balancers), enabled: s.enabled !== false });
  }
  for (const s of state.entities.services) {
    if (s.protocol !== 'http' && s.protocol !== 'https') warnings.push(`service '${nameOf(s) ?? s.id}' uses protocol '${String(s.protocol)}'; aigw serve proxies http and https only`);
  }
  const routable = state.entities.routes.filter((r) => {
    const sid = refId(r.service);
    return sid === null || services.get(sid)?.enabled !== false;
  });
  let router: Router;
  try {
    router = new Router(routable);
  } catch (err) {
    throw new AigwError('AIGW_SERVE', `routes: ${(err as Error).message}`, { cause: err });
  }
  const byName = createInstances(state, deps, consumers, warnings, storeKeys);
  const routes = new Map<string, RouteInfo>();
  const chains = new Map<string, Chain>();
  for (const r of state.entities.routes) {
    const chain = buildChain(byName, r.id, refId(r.service));
    const inputFormat = chain.entries.map((e) => e.base?.inputFormat).find((f) => f !== undefined) ?? null;
    const aiModels = chain.entries.map((e) => e.base?.aiModels).find((m) => m !== undefined) ?? null;
    const conversations = chain.entries.map((e) => e.base?.conversations).find((c) => c !== undefined);
    routes.set(r.id, { entity: r, id: r.id, name: nameOf(r), inputFormat, aiModels, ...(conversations ? { conversations } : {}) });
    chains.set(r.id, chain);
    if (refId(r.service) === null) warnings.push(`route '${nameOf(r) ?? r.id}' has no service; requests to it get 503 unless a plugin handles them`);
  }
  return {
    state,
    router,
    routes,
    services,
    chains,
    globalChain: buildChain(byName, null, null),
    consumers,
    balancers,
    plugins: [...byName.values()].flatMap((p) => p.list.map(({ entity, instance }) => ({ entity, instance }))),
    storeKeys,
    warnings,
    pluginInstances: new Map([...byName].flatMap(([name, { list }]) => list.map((x) => [x.entity.id, { name, instance: x.instance }] as const))),
  };
}

/** The instance of a chain entry for the current consumer (consumer-scoped configs win). */
export function instanceFor(entry: ChainEntry, consumerId: string | null): PluginInstance | null {
  if (consumerId !== null && entry.byConsumer) {
    const hit = entry.byConsumer.get(consumerId);
    if (hit) return hit;
  }
  return entry.base;
}
