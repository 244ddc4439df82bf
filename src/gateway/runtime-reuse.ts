/**
 * Incremental runtime builds. A reload through the configuration thread keeps the objects of the
 * entities it did not change (config/thread/off-thread.ts), so the next build can take what the
 * previous one made from an entity when the entity is the same object and everything else that
 * went into it is the same too:
 *  - the compiled consumers, when every consumer, credential, ACL and group entity is;
 *  - a plugin instance, when its config is the very object it was created from (no partials
 *    applied, no vault reference resolved: those make a new object every build), with the same
 *    consumers and the same gateway dependencies;
 *  - the router, when the routable routes are the same objects in the same order;
 *  - a route's chain and route info, when every plugin instance was reused from the same plugin
 *    list and the consumers were.
 * Anything else is built afresh, as a full build does; runtime-reuse.test.ts compares the two.
 * Tolerant builds (database mode) are always full.
 */
import type { Entity, State } from '../config/state.js';
import type { KindName } from '../config/kinds.js';
import type { Consumers } from './consumers.js';
import type { PluginInstance } from './plugin.js';
import type { RouteMatcher } from './routing.js';

/** What a plugin instance was made from. */
export interface InstanceRecord {
  instance: PluginInstance;
  /** The config object handed to the plugin (after partials and vault references). */
  raw: unknown;
  storeKey: string;
  consumers: Consumers;
  deps: object;
  /** Where the instance's shared stores are reported: the store keys of the runtime that uses it now. */
  home: { keys: Set<string> };
  /** Every shared store key it asked for (reported again to each runtime that reuses it). */
  shared: Set<string>;
}

/** What a build made, for the next one. */
export interface BuildMemo {
  deps: object;
  consumers: Consumers;
  routable: readonly Entity[];
  router: RouteMatcher;
  /** Successfully created instances by their entity (the same object next time, when unchanged). */
  instances: Map<Entity, InstanceRecord>;
}

const memos = new WeakMap<object, BuildMemo>();

export function memoOf(runtime: object | undefined): BuildMemo | undefined {
  return runtime === undefined ? undefined : memos.get(runtime);
}

export function keepMemo(runtime: object, memo: BuildMemo): void {
  memos.set(runtime, memo);
}

/** The same entity objects in the same order. */
export function sameItems(a: readonly Entity[], b: readonly Entity[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The kinds compileConsumers reads. */
const CONSUMER_KINDS: readonly KindName[] = ['consumers', 'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls', 'consumer_groups', 'consumer_group_consumers'];

export function sameConsumerEntities(a: State, b: State): boolean {
  return CONSUMER_KINDS.every((k) => sameItems(a.entities[k], b.entities[k]));
}

/** The previous instance of `entity`, when it can serve as this build's. */
export function reusable(memo: BuildMemo | undefined, entity: Entity, raw: unknown, consumers: Consumers, deps: object): InstanceRecord | undefined {
  const r = memo?.instances.get(entity);
  return r !== undefined && r.raw === raw && r.consumers === consumers && r.deps === deps ? r : undefined;
}
