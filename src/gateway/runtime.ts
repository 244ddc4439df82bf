/**
 * State → Runtime: router tables, per-route plugin chains in Kong priority order with Kong's
 * scoping precedence, consumer/credential indexes, balancers and service targets. Built once
 * per configuration; immutable afterwards. The chains and their scoping: plugin-chains.ts.
 */
import { compileCondition, conditioned } from './plugin-condition.js';
import type { Registry } from 'prom-client';
import type { Entity, State } from '../config/state.js';
import { refId } from '../config/state.js';
import { isStreamRoute } from '../config/stream.js';
import { pluginPriority } from '../config/schemas.js';
import { AigwError } from '../errors.js';
import { Balancer } from './balancing/upstream-balancer.js';
import { compileConsumersInSteps, type Consumers } from './consumers.js';
import type { RouteInfo, ServiceInfo } from './context.js';
import type { LlmCaller } from './llm/call/caller.js';
import type { Logger } from './log.js';
import type { Plugin, PluginInstance } from './plugin.js';
import { LOADED_PLUGINS, isPlugin, loadPlugins } from './plugins/index.js';
import { notServed } from './not-served.js';
import { pluginRefusals, refusedEntities, streamLeftOut } from './serve-refusals.js';
import { configWithPartials } from './partials.js';
import { Routing, type RouteMatcher } from './routing.js';
import { sharedStoreKey, storeKey, type PluginStores } from './stores.js';
import { compileServiceTarget, type ServiceTarget } from './upstream.js';
import { vaultResolver, type VaultResolver } from './vault.js';
import { filterChainRefusal } from '../config/filter-chains.js';
import { brokenEntity, brokenFilterChain, brokenLine, brokenPlugin, failClosedInstance, routerWithout, vaultsWithout, type BrokenEntity } from './broken-entities.js';
import { runAtOnce, runInSlices, type Steps } from './time-slices.js';
import { addScoped, buildChain, type Chain, type OrderingCycle, type PluginEntries } from './plugin-chains.js';
import { keepMemo, memoOf, reusable, sameConsumerEntities, sameItems, type BuildMemo, type InstanceRecord } from './runtime-reuse.js';

export { instanceFor, type Chain, type ChainEntry } from './plugin-chains.js';

export interface CompiledService {
  info: ServiceInfo;
  target: ServiceTarget;
  enabled: boolean;
}

export interface Runtime {
  readonly state: State;
  readonly router: RouteMatcher;
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
  /** Entities that did not build (tolerant builds only; see broken-entities.ts). */
  readonly broken: readonly BrokenEntity[];
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
  /**
   * Database mode: an entity that does not build is left out, fail closed, and reported
   * (`Runtime.broken`), instead of failing the whole build.
   */
  tolerant?: boolean;
}

/** A plugin's priority: its schema's `x-kong-priority` (declared once, in its schema source), else its own (tests). */
function priorityOf(plugin: Plugin<unknown>): number {
  const p = plugin.priority ?? pluginPriority(plugin.name);
  if (p === undefined) throw new AigwError('AIGW_SERVE', `plugin '${plugin.name}' has no priority: no schema declares one`);
  return p;
}


function vaults(state: State, deps: RuntimeDeps, broken: BrokenEntity[] | null): VaultResolver {
  if (broken !== null) return vaultsWithout(state, deps.env, broken);
  try {
    return vaultResolver(state, deps.env);
  } catch (err) {
    throw new AigwError('AIGW_SERVE', `vaults: ${(err as Error).message}`, { cause: err });
  }
}

/** What createInstances needs besides the state. */
interface InstanceBuild {
  deps: RuntimeDeps;
  consumers: Consumers;
  storeKeys: Set<string>;
  /** null: strict (the first plugin that does not build fails the build). */
  broken: BrokenEntity[] | null;
  /** The previous build's (incremental reloads; see runtime-reuse.ts), and this build's. */
  previous: BuildMemo | undefined;
  instances: Map<Entity, InstanceRecord>;
  /** Instances created afresh (not taken from the previous build). */
  fresh: number;
  /** Plugins left out with the stream routes and services (serve-refusals.ts streamLeftOut). */
  streamPlugins: ReadonlySet<string>;
}

/** Create one plugin's instance, or take the previous build's (then its store keys are this build's too). */
function pluginInstance(b: InstanceBuild, plugin: Plugin<unknown>, e: Entity, linked: Record<string, unknown>, vault: VaultResolver): InstanceRecord {
  const name = plugin.name;
  const again = reusable(b.previous, e, linked, b.consumers, b.deps);
  if (again !== undefined) {
    again.home.keys = b.storeKeys;
    b.storeKeys.add(again.storeKey);
    for (const k of again.shared) b.storeKeys.add(k);
    return again;
  }
  b.fresh++;
  const refusals = notServed(name, linked);
  if (refusals.length > 0) throw new Error(refusals.join('; '));
  const raw = vault.pluginConfig(name, linked);
  const key = storeKey(e.id, raw);
  b.storeKeys.add(key);
  const config = plugin.parse ? plugin.parse(raw) : raw;
  const refused = pluginRefusals(name, e, linked);
  if (refused.length > 0) throw new Error(refused.join('; '));
  const home = { keys: b.storeKeys };
  const shared = new Set<string>();
  const { deps } = b;
  let instance = plugin.create(config, {
    logger: deps.logger,
    store: deps.stores.store(key),
    shared: (k) => {
      const sk = sharedStoreKey(name, k);
      shared.add(sk);
      home.keys.add(sk);
      return deps.stores.store(sk);
    },
    metrics: deps.metrics,
    consumers: b.consumers,
    env: deps.env,
    llm: deps.llm,
    pluginId: e.id,
    scope: { route: refId(e.route), service: refId(e.service), consumer: refId(e.consumer), consumerGroup: refId(e.consumer_group) },
    now: deps.now ?? Date.now,
  });
  if (typeof e.condition === 'string' && e.condition !== '') instance = conditioned(instance, compileCondition(e.condition));
  return { instance, raw, storeKey: key, consumers: b.consumers, deps, home, shared };
}

function* createInstances(state: State, b: InstanceBuild): Steps<Map<string, PluginEntries>> {
  const registry = b.deps.plugins ?? LOADED_PLUGINS;
  const vault = vaults(state, b.deps, b.broken);
  const byName = new Map<string, PluginEntries>();
  for (const e of state.entities.plugins) {
    yield;
    if (e.enabled === false) continue;
    const name = String(e.name);
    const protocols = Array.isArray(e.protocols) ? e.protocols : ['http', 'https'];
    if (!protocols.includes('http') && !protocols.includes('https')) continue;
    // scoped to a stream route or service: it never runs on an HTTP request (named in the startup warnings)
    if (b.streamPlugins.has(e.id)) continue;
    const plugin = registry.get(name) as Plugin<unknown> | undefined;
    if (!plugin) {
      // never skipped silently (it may guard the route): refused, or left out fail closed
      // (a plugin it implements but did not import: loadPlugins was not awaited before the build)
      const why = registry === LOADED_PLUGINS && isPlugin(name)
        ? 'aigw serve did not load this plugin before building the configuration'
        : `aigw serve does not implement this plugin: remove it, or disable it (enabled: false), to serve the configuration locally`;
      if (b.broken === null) throw new AigwError('AIGW_SERVE', `plugin '${name}' (${e.id}): ${why}`);
      b.broken.push(brokenEntity('plugins', e, why));
      addScoped(byName, name, 0, e, failClosedInstance());
      continue;
    }
    const linked = configWithPartials(e, state);
    let instance: PluginInstance;
    try {
      const made = pluginInstance(b, plugin, e, linked, vault);
      b.instances.set(e, made);
      instance = made.instance;
    } catch (err) {
      if (b.broken === null) throw new AigwError('AIGW_SERVE', `plugin '${name}' (${e.id}): ${(err as Error).message}`, { cause: err });
      b.broken.push(brokenPlugin(e, err));
      instance = failClosedInstance();
    }
    addScoped(byName, name, priorityOf(plugin), e, instance);
  }
  for (const e of state.entities.filter_chains) {
    const why = filterChainRefusal(e);
    if (why === null) continue;
    // aigw runs no Wasm: never skipped silently, answered 500 in its scope ahead of every plugin
    if (b.broken === null) throw new AigwError('AIGW_SERVE', `filter chain '${nameOf(e) ?? e.id}' (${e.id}): ${why}`);
    b.broken.push(brokenFilterChain(e, why));
    addScoped(byName, `filter-chain ${e.id}`, Number.MAX_SAFE_INTEGER, e, failClosedInstance());
  }
  return byName;
}

function compileBalancers(state: State): Map<string, Balancer> {
  // targets grouped by upstream once (filtering them per upstream was upstreams × targets)
  const byUpstream = new Map<string, Entity[]>();
  for (const t of state.entities.targets) {
    const id = refId(t.upstream);
    if (id === null) continue;
    const list = byUpstream.get(id);
    if (list) list.push(t);
    else byUpstream.set(id, [t]);
  }
  const out = new Map<string, Balancer>();
  for (const u of state.entities.upstreams) out.set(String(u.name), new Balancer(u, byUpstream.get(u.id) ?? []));
  return out;
}

const nameOf = (e: Entity): string | null => (typeof e.name === 'string' ? e.name : null);

function* routerOf(routes: readonly Entity[], broken: BrokenEntity[] | null): Steps<RouteMatcher> {
  if (broken !== null) return yield* routerWithout(routes, broken);
  try {
    return yield* Routing.build(routes);
  } catch (err) {
    throw new AigwError('AIGW_SERVE', `routes: ${(err as Error).message}`, { cause: err });
  }
}

/** Import the implementations of the plugins `state` uses (before `buildRuntime`; `buildRuntimeInSlices` does it itself). */
export function loadPluginsOf(state: State): Promise<void> {
  return loadPlugins(state.entities.plugins.map((e) => String(e.name)));
}

/**
 * Compile a State (its plugins loaded: `loadPluginsOf`). Throws AigwError('AIGW_SERVE') when a plugin config cannot be compiled.
 * `previous`: the runtime this one replaces, whose parts built from unchanged entities are taken
 * over (runtime-reuse.ts); the result is the runtime a build without it gives.
 */
export function buildRuntime(state: State, deps: RuntimeDeps, previous?: Runtime): Runtime {
  return runAtOnce(compile(state, deps, previous));
}

/** The same, in slices of a few milliseconds that let the event loop serve requests in between (reloads). */
export async function buildRuntimeInSlices(state: State, deps: RuntimeDeps, sliceMs?: number, previous?: Runtime): Promise<Runtime> {
  await loadPluginsOf(state);
  return runInSlices(compile(state, deps, previous), sliceMs);
}

const noServiceWarning = (r: Entity): string => `route '${nameOf(r) ?? r.id}' has no service; requests to it get 503 unless a plugin handles them`;

/**
 * A cycle of plugin ordering rules: a strict build fails (startup, reload); a tolerant one leaves
 * the chain failing closed (its access phase answers 500 first) and reports the plugins.
 */
function onOrderingCycle(label: string, broken: BrokenEntity[] | null, logger: Logger): OrderingCycle {
  if (broken === null) return { label };
  return {
    label,
    onCycle: (message, entities) => {
      for (const e of entities) {
        const x = brokenEntity('plugins', e, message);
        broken.push(x);
        logger.error(brokenLine(x));
      }
      return failClosedInstance();
    },
  };
}

/** Route infos and chains of every route; a route's previous ones when nothing they come from changed (`again`). */
function* routeChains(state: State, byName: ReadonlyMap<string, PluginEntries>, consumers: Consumers, again: Runtime | null, warnings: string[], broken: BrokenEntity[] | null, logger: Logger): Steps<{ routes: Map<string, RouteInfo>; chains: Map<string, Chain> }> {
  if (again !== null && sameItems(again.state.entities.routes, state.entities.routes)) {
    // the same routes and chains: the previous maps, not copies of them
    for (const r of state.entities.routes) if (refId(r.service) === null && !isStreamRoute(r)) warnings.push(noServiceWarning(r));
    return { routes: again.routes as Map<string, RouteInfo>, chains: again.chains as Map<string, Chain> };
  }
  const routes = new Map<string, RouteInfo>();
  const chains = new Map<string, Chain>();
  for (const r of state.entities.routes) {
    yield;
    if (refId(r.service) === null && !isStreamRoute(r)) warnings.push(noServiceWarning(r));
    const before = again?.routes.get(r.id);
    const chainBefore = again?.chains.get(r.id);
    if (before !== undefined && before.entity === r && chainBefore !== undefined) {
      routes.set(r.id, before);
      chains.set(r.id, chainBefore);
      continue;
    }
    const chain = buildChain(byName, r.id, refId(r.service), consumers, onOrderingCycle(`route '${nameOf(r) ?? r.id}'`, broken, logger));
    const inputFormat = chain.entries.map((e) => e.base?.inputFormat).find((f) => f !== undefined) ?? null;
    const aiModels = chain.entries.map((e) => e.base?.aiModels).find((m) => m !== undefined) ?? null;
    const conversations = chain.entries.map((e) => e.base?.conversations).find((c) => c !== undefined);
    const aiBody = chain.entries.map((e) => e.base?.aiBody).find((b) => b !== undefined);
    routes.set(r.id, { entity: r, id: r.id, name: nameOf(r), inputFormat, aiModels, ...(conversations ? { conversations } : {}), ...(aiBody ? { aiBody } : {}) });
    chains.set(r.id, chain);
  }
  return { routes, chains };
}

function* compile(state: State, deps: RuntimeDeps, previous: Runtime | undefined): Steps<Runtime> {
  const broken: BrokenEntity[] | null = deps.tolerant === true ? [] : null;
  // tolerant builds report their broken entities: always full
  const memo = broken === null && previous !== undefined ? memoOf(previous) : undefined;
  const prev = memo !== undefined && memo.deps === deps ? { memo, runtime: previous! } : null;
  const warnings: string[] = [];
  const storeKeys = new Set<string>();
  const clock = { now: (deps.now ?? Date.now)(), fromCreation: deps.tolerant === true, ...(previous ? { previous: previous.consumers } : {}) };
  const consumers = prev !== null && sameConsumerEntities(prev.runtime.state, state) ? prev.memo.consumers : yield* compileConsumersInSteps(state, clock);
  const balancers = compileBalancers(state);
  const services = new Map<string, CompiledService>();
  const refused = yield* refusedEntities(state, broken);
  // Kong's stream proxy: stored, never routed (config/stream.ts); said at startup
  const stream = streamLeftOut(state);
  warnings.push(...stream.warnings);
  for (const s of state.entities.services) {
    yield;
    services.set(s.id, { info: { entity: s, id: s.id, name: nameOf(s) }, target: compileServiceTarget(s, balancers), enabled: s.enabled !== false && !refused.has(s.id) });
  }
  for (const s of state.entities.services) {
    if (s.protocol !== 'http' && s.protocol !== 'https' && !stream.services.has(s.id)) warnings.push(`service '${nameOf(s) ?? s.id}' uses protocol '${String(s.protocol)}'; aigw serve proxies http and https only`);
  }
  const routable = state.entities.routes.filter((r) => {
    const sid = refId(r.service);
    if (refused.has(r.id) || stream.routes.has(r.id)) return false;
    return sid === null || services.get(sid)?.enabled !== false;
  });
  yield;
  const router = prev !== null && sameItems(prev.memo.routable, routable) ? prev.memo.router : yield* routerOf(routable, broken);
  yield;
  const b: InstanceBuild = { deps, consumers, storeKeys, broken, previous: prev?.memo, instances: new Map(), fresh: 0, streamPlugins: stream.plugins };
  const byName = yield* createInstances(state, b);
  for (const x of broken ?? []) deps.logger.error(brokenLine(x));
  // every instance the previous runtime's, from the same plugin list: its chains still hold
  const sameChains = prev !== null && b.fresh === 0 && consumers === prev.memo.consumers && sameItems(prev.runtime.state.entities.plugins, state.entities.plugins);
  const { routes, chains } = yield* routeChains(state, byName, consumers, sameChains ? prev.runtime : null, warnings, broken, deps.logger);
  const runtime: Runtime = {
    state,
    router,
    routes,
    services,
    chains,
    globalChain: sameChains ? prev.runtime.globalChain : buildChain(byName, null, null, consumers, onOrderingCycle('the global plugins', broken, deps.logger)),
    consumers,
    balancers,
    // the same plugin entities, every instance the previous one's: the previous lists
    plugins: sameChains ? prev.runtime.plugins : [...byName.values()].flatMap((p) => p.list.map(({ entity, instance }) => ({ entity, instance }))),
    storeKeys,
    warnings,
    broken: broken ?? [],
    pluginInstances: sameChains ? prev.runtime.pluginInstances : new Map([...byName].flatMap(([name, { list }]) => list.map((x) => [x.entity.id, { name, instance: x.instance }] as const))),
  };
  if (broken === null) keepMemo(runtime, { deps, consumers, routable, router, instances: b.instances });
  return runtime;
}
