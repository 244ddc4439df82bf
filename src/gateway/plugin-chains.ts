/**
 * Per-route plugin chains: the instances of each plugin filed by the scope their entity names
 * (route, service, consumer, consumer group), resolved for a route by Kong's scoping precedence,
 * in Kong priority order. Built with the runtime; `instanceFor` is the only part run per request.
 */
import { AigwError } from '../errors.js';
import type { Entity } from '../config/state.js';
import { refId } from '../config/state.js';
import type { Consumers } from './consumers.js';
import type { PluginInstance } from './plugin.js';

/** One plugin on a route: the instance without a consumer, and consumer-specific ones. */
export interface ChainEntry {
  name: string;
  priority: number;
  base: PluginInstance | null;
  byConsumer: ReadonlyMap<string, PluginInstance> | null;
}

export interface Chain {
  /** In Kong priority order (ties: by name, descending, as Kong sorts them): every phase but `access`. */
  entries: readonly ChainEntry[];
  /**
   * The `access` phase's order: `entries` unless a plugin of the chain sets `ordering` (Kong's
   * dynamic plugin ordering, which only reorders the access phase).
   */
  access: readonly ChainEntry[];
  /** Whether any instance has a `response` / `chunk` / `header` / `log` phase (decides buffering); `start`: see plugin.ts. */
  hasStart: boolean;
  hasResponse: boolean;
  hasChunk: boolean;
  hasHeader: boolean;
  hasLog: boolean;
}

export interface Scoped {
  entity: Entity;
  instance: PluginInstance;
  route: string | null;
  service: string | null;
  consumer: string | null;
  /** The consumer group the plugin is scoped to (it runs for the group's members only). */
  group: string | null;
}

/** The instances of one plugin name, and its priority. */
export interface PluginEntries {
  priority: number;
  list: Scoped[];
  /** The first instance of each (route, service, consumer, group) scope (built on first use). */
  index?: Map<string, PluginInstance>;
  /** scopedConsumers of the list (built on first use). */
  scopedConsumers?: Map<string, string[]>;
  /** Whether an instance of the list sets `ordering` (only then does a chain look for its rules). */
  ordered?: boolean;
}

type Combo = [string | null, string | null, string | null, string | null, boolean];

const scopeKey = (r: string | null, s: string | null, c: string | null, g: string | null): string => `${r ?? ''}\0${s ?? ''}\0${c ?? ''}\0${g ?? ''}`;

export const CYCLE_MESSAGE = 'There is a circular dependency in the graph. It is not possible to derive a topological sort.';

/** The plugin names an `ordering` rule lists for the access phase (`ordering.before.access` / `ordering.after.access`). */
function orderingNames(e: Entity | undefined, side: 'before' | 'after'): readonly string[] {
  const ordering = e?.ordering as { before?: { access?: unknown } | null; after?: { access?: unknown } | null } | null | undefined;
  const list = ordering?.[side]?.access;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether a plugin entity sets a dynamic ordering rule. */
export function hasOrdering(e: Entity): boolean {
  return orderingNames(e, 'before').length > 0 || orderingNames(e, 'after').length > 0;
}

/**
 * Kong's dynamic plugin ordering, its default algorithm (`plugin_ordering_algorithm = legacy`):
 * `A before: [B]` and `B after: [A]` both make B depend on A; the plugins are walked in priority
 * order, and each is placed only after everything it depends on, recursively, has been placed.
 * Rules naming a plugin that is not on the chain change nothing; a cycle is an error with Kong's
 * message. `rules`: the entity whose rules count for each entry (the unscoped instance's).
 */
export function orderForAccess(entries: readonly ChainEntry[], rules: ReadonlyMap<ChainEntry, Entity | undefined>): ChainEntry[] | { cycle: string[] } {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const deps = new Map<ChainEntry, Set<ChainEntry>>(entries.map((e) => [e, new Set()]));
  let any = false;
  for (const entry of entries) {
    const e = rules.get(entry);
    for (const side of ['before', 'after'] as const) {
      for (const name of orderingNames(e, side)) {
        const other = byName.get(name);
        if (other === undefined) continue;
        if (other === entry) return { cycle: [entry.name, entry.name] };
        // before: the other one depends on this one; after: this one on the other
        if (side === 'before') deps.get(other)?.add(entry);
        else deps.get(entry)?.add(other);
        any = true;
      }
    }
  }
  if (!any) return entries.slice();
  const rank = new Map(entries.map((e, i) => [e, i]));
  const placed = new Set<ChainEntry>();
  const visiting: ChainEntry[] = [];
  const out: ChainEntry[] = [];
  const visit = (entry: ChainEntry): string[] | null => {
    if (placed.has(entry)) return null;
    const at = visiting.indexOf(entry);
    if (at >= 0) return [...visiting.slice(at), entry].map((e) => e.name);
    visiting.push(entry);
    // what it depends on, highest priority first (deterministic)
    for (const dep of [...(deps.get(entry) ?? [])].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    visiting.pop();
    placed.add(entry);
    out.push(entry);
    return null;
  };
  for (const entry of entries) {
    const cycle = visit(entry);
    if (cycle) return { cycle };
  }
  return out;
}

/** The first instance of each (route, service, consumer, group) scope (built on first use). */
function indexOf(entry: PluginEntries): Map<string, PluginInstance> {
  if (entry.index === undefined) {
    const byScope = new Map<string, PluginInstance>();
    for (const p of entry.list) {
      const key = scopeKey(p.route, p.service, p.consumer, p.group);
      if (!byScope.has(key)) byScope.set(key, p.instance);
    }
    entry.index = byScope;
  }
  return entry.index;
}

/**
 * Instance for a (route, service, consumer, consumer groups), by Kong's precedence: consumer +
 * route + service, group + route + service, consumer + route, consumer + service, group + route,
 * group + service, route + service, consumer, group, route, service, global. A consumer in several
 * groups: the first group (by id order of `groups`) that has a plugin.
 */
function resolveScoped(byScope: ReadonlyMap<string, PluginInstance>, route: string | null, service: string | null, consumer: string | null, groups: readonly string[] = []): PluginInstance | null {
  const find = (r: string | null, s: string | null, c: string | null, g: string | null): PluginInstance | null => byScope.get(scopeKey(r, s, c, g)) ?? null;
  const hasC = consumer !== null;
  const byGroup = (r: string | null, s: string | null, ok: boolean): Combo[] => groups.map((g) => [r, s, null, g, ok]);
  const combos: Combo[] = [
    [route, service, consumer, null, hasC && route !== null && service !== null],
    ...byGroup(route, service, route !== null && service !== null),
    [route, null, consumer, null, hasC && route !== null],
    [null, service, consumer, null, hasC && service !== null],
    ...byGroup(route, null, route !== null),
    ...byGroup(null, service, service !== null),
    [route, service, null, null, route !== null && service !== null],
    [null, null, consumer, null, hasC],
    ...byGroup(null, null, true),
    [route, null, null, null, route !== null],
    [null, service, null, null, service !== null],
    [null, null, null, null, true],
  ];
  for (const [r, s, c, g, ok] of combos) {
    if (!ok) continue;
    const hit = find(r, s, c, g);
    if (hit) return hit;
  }
  return null;
}

/** The consumers whose instance may differ from the base one, with their groups that have scoped plugins. */
function scopedConsumers(list: readonly Scoped[], consumers: Consumers): Map<string, string[]> {
  const groups = new Set(list.map((p) => p.group).filter((g): g is string => g !== null));
  const out = new Map<string, string[]>();
  for (const p of list) if (p.consumer !== null) out.set(p.consumer, []);
  if (groups.size > 0) {
    for (const id of consumers.byId.keys()) {
      const mine = consumers.consumerGroupIds(id).filter((g) => groups.has(g)).sort();
      if (mine.length > 0) out.set(id, mine);
      else if (out.has(id)) out.set(id, []);
    }
  }
  return out;
}

/** How `buildChain` handles a cycle of ordering rules; without it, a cycle throws AigwError('AIGW_SERVE'). */
export interface OrderingCycle {
  /** How the message names the chain (`route 'chat'`; the global chain by default). */
  label?: string;
  /**
   * A tolerant build: told the message and the plugin entities whose rules make the cycle, it
   * returns the instance the chain's access phase runs first (one that fails closed).
   */
  onCycle?: (message: string, entities: Entity[]) => PluginInstance;
}

export function buildChain(byName: ReadonlyMap<string, PluginEntries>, route: string | null, service: string | null, consumers: Consumers, cycles: OrderingCycle = {}): Chain {
  const entries: ChainEntry[] = [];
  for (const [name, entry] of byName) {
    const byScope = indexOf(entry);
    const base = resolveScoped(byScope, route, service, null);
    let byConsumer: Map<string, PluginInstance> | null = null;
    for (const [c, groups] of (entry.scopedConsumers ??= scopedConsumers(entry.list, consumers))) {
      const inst = resolveScoped(byScope, route, service, c, groups);
      if (inst && inst !== base) (byConsumer ??= new Map()).set(c, inst);
    }
    if (base || byConsumer) entries.push({ name, priority: entry.priority, base, byConsumer });
  }
  // Kong breaks a tie of priorities by plugin name, descending
  entries.sort((a, b) => b.priority - a.priority || (a.name > b.name ? -1 : 1));
  const all = entries.flatMap((e) => [e.base, ...(e.byConsumer?.values() ?? [])]).filter((x): x is PluginInstance => x !== null);
  let access: readonly ChainEntry[] = entries;
  const rules = new Map<ChainEntry, Entity | undefined>();
  for (const entry of entries) {
    const of = byName.get(entry.name);
    if (entry.base === null || of?.ordered !== true) continue;
    const scoped = of.list.find((p) => p.instance === entry.base)?.entity;
    if (scoped !== undefined && hasOrdering(scoped)) rules.set(entry, scoped);
  }
  if (rules.size > 0) {
    const ordered = orderForAccess(entries, rules);
    if (Array.isArray(ordered)) access = ordered;
    else {
      const message = `${cycles.label ?? 'the global plugins'}: plugin ordering: ${CYCLE_MESSAGE} (${ordered.cycle.join(' → ')})`;
      if (cycles.onCycle === undefined) throw new AigwError('AIGW_SERVE', message);
      const involved = [...rules].filter(([entry]) => ordered.cycle.includes(entry.name)).map(([, e]) => e).filter((e): e is Entity => e !== undefined);
      access = [{ name: 'plugin ordering', priority: Number.MAX_SAFE_INTEGER, base: cycles.onCycle(message, involved), byConsumer: null }, ...entries];
    }
  }
  return {
    entries,
    access,
    hasStart: all.some((i) => i.start),
    hasResponse: all.some((i) => i.response),
    hasChunk: all.some((i) => i.chunk),
    hasHeader: all.some((i) => i.header),
    hasLog: all.some((i) => i.log),
  };
}
/** File a plugin instance under its name, with the scope its entity names. */
export function addScoped(byName: Map<string, PluginEntries>, name: string, priority: number, e: Entity, instance: PluginInstance): void {
  const entry = byName.get(name) ?? { priority, list: [] };
  entry.list.push({ entity: e, instance, route: refId(e.route), service: refId(e.service), consumer: refId(e.consumer), group: refId(e.consumer_group) });
  if (hasOrdering(e)) entry.ordered = true;
  byName.set(name, entry);
}

/** The instance of a chain entry for the current consumer (consumer-scoped configs win). */
export function instanceFor(entry: ChainEntry, consumerId: string | null): PluginInstance | null {
  if (consumerId !== null && entry.byConsumer) {
    const hit = entry.byConsumer.get(consumerId);
    if (hit) return hit;
  }
  return entry.base;
}
