/**
 * Consumer and credential indexes, compiled once per Runtime from the State.
 */
import type { Entity, State } from '../config/state.js';
import { refId } from '../config/state.js';
import type { ConsumerInfo } from './context.js';
import { runAtOnce, type Steps } from './time-slices.js';

export interface KeyCredential {
  id: string;
  consumerId: string;
  /** `ttl` (s) as written, and the time (ms) the key expires (key-auth answers 401 from then on); null: never. */
  ttl: number | null;
  expiresAt: number | null;
}

/**
 * When the keys' `ttl` counts from (see keyExpiry). `now`: this build's time (ms); `fromCreation`:
 * database mode, where a key's ttl counts from its `created_at`, as in Kong; `previous`: the
 * consumers this build replaces, whose unchanged keys keep their expiry.
 */
export interface KeyClock {
  now: number;
  fromCreation: boolean;
  previous?: Consumers;
}

export interface BasicCredential {
  id: string;
  consumerId: string;
  username: string;
  password: string;
}

export interface JwtCredential {
  id: string;
  consumerId: string;
  key: string;
  secret: string | null;
  rsaPublicKey: string | null;
  algorithm: string;
}

export interface Consumers {
  byId: ReadonlyMap<string, ConsumerInfo>;
  /** Resolve `anonymous` (id or username). */
  find(idOrUsername: string): ConsumerInfo | undefined;
  keyAuth: ReadonlyMap<string, KeyCredential>;
  basicAuth: ReadonlyMap<string, BasicCredential>;
  jwt: ReadonlyMap<string, JwtCredential>;
  /** ACL groups of a consumer (acl plugin). */
  groups(consumerId: string): readonly string[];
  /** Names of the consumer groups the consumer is a member of (`consumers[].groups`). */
  consumerGroups(consumerId: string): readonly string[];
  /** Ids of the consumer groups the consumer is a member of. */
  consumerGroupIds(consumerId: string): readonly string[];
  /**
   * Kong EE's legacy overrides (rate-limiting-advanced `enforce_consumer_groups`): the first of
   * `groups` (names or ids, in that order) that exists and has the consumer as a member, with its
   * policy override of `plugin` (null: the group has none, the plugin's own config applies);
   * null when the consumer is in none of them.
   */
  policyOverride(consumerId: string, groups: readonly string[], plugin: string): { group: string; config: Readonly<Record<string, unknown>> | null } | null;
}

const str = (e: Entity, k: string): string | null => (typeof e[k] === 'string' ? (e[k] as string) : null);

/** Entities indexed per step of `compileConsumersInSteps`. */
export const CONSUMER_ENTITIES_PER_STEP = 64;

export function compileConsumers(state: State, clock?: KeyClock): Consumers {
  return runAtOnce(compileConsumersInSteps(state, clock));
}

/**
 * A key's expiry (Kong's `ttl` on keyauth_credentials): ttl seconds after its creation in
 * database mode (`created_at`, as Kong's database does), after the load of the configuration in
 * declarative mode (Kong's dbless mode counts from the load too); a key unchanged by a reload
 * keeps the expiry it had. ttl null or 0: the key never expires.
 */
function keyExpiry(e: Entity, key: string, clock: KeyClock): { ttl: number | null; expiresAt: number | null } {
  const ttl = typeof e.ttl === 'number' && e.ttl > 0 ? e.ttl : null;
  if (ttl === null) return { ttl, expiresAt: null };
  const before = clock.previous?.keyAuth.get(key);
  if (before !== undefined && before.id === e.id && before.ttl === ttl && !clock.fromCreation) return { ttl, expiresAt: before.expiresAt };
  const from = clock.fromCreation && typeof e.created_at === 'number' ? e.created_at * 1000 : clock.now;
  return { ttl, expiresAt: from + ttl * 1000 };
}

/** `compileConsumers` in steps of CONSUMER_ENTITIES_PER_STEP entities (a reload runs them in time slices). */
export function* compileConsumersInSteps(state: State, clock: KeyClock = { now: Date.now(), fromCreation: false }): Steps<Consumers> {
  let done = 0;
  const byId = new Map<string, ConsumerInfo>();
  const byName = new Map<string, ConsumerInfo>();
  for (const e of state.entities.consumers) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    const info: ConsumerInfo = { id: e.id, username: str(e, 'username'), custom_id: str(e, 'custom_id'), entity: e };
    byId.set(e.id, info);
    if (info.username !== null) byName.set(info.username, info);
  }
  const keyAuth = new Map<string, KeyCredential>();
  for (const e of state.entities.keyauth_credentials) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    const key = str(e, 'key');
    const consumerId = refId(e.consumer);
    if (key !== null && consumerId !== null) keyAuth.set(key, { id: e.id, consumerId, ...keyExpiry(e, key, clock) });
  }
  const basicAuth = new Map<string, BasicCredential>();
  for (const e of state.entities.basicauth_credentials) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    const username = str(e, 'username');
    const consumerId = refId(e.consumer);
    if (username !== null && consumerId !== null) basicAuth.set(username, { id: e.id, consumerId, username, password: str(e, 'password') ?? '' });
  }
  const jwt = new Map<string, JwtCredential>();
  for (const e of state.entities.jwt_secrets) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    const key = str(e, 'key');
    const consumerId = refId(e.consumer);
    if (key !== null && consumerId !== null) {
      jwt.set(key, { id: e.id, consumerId, key, secret: str(e, 'secret'), rsaPublicKey: str(e, 'rsa_public_key'), algorithm: str(e, 'algorithm') ?? 'HS256' });
    }
  }
  const groups = new Map<string, string[]>();
  for (const e of state.entities.acls) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    const consumerId = refId(e.consumer);
    const group = str(e, 'group');
    if (consumerId === null || group === null) continue;
    const list = groups.get(consumerId) ?? [];
    list.push(group);
    groups.set(consumerId, list);
  }
  const groupNames = new Map(state.entities.consumer_groups.map((g) => [g.id, str(g, 'name') ?? g.id]));
  const memberships = new Map<string, string[]>();
  const membershipIds = new Map<string, string[]>();
  for (const m of state.entities.consumer_group_consumers) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    const consumerId = refId(m.consumer);
    const groupId = refId(m.consumer_group);
    if (consumerId === null || groupId === null) continue;
    memberships.set(consumerId, [...(memberships.get(consumerId) ?? []), groupNames.get(groupId) ?? groupId].sort());
    membershipIds.set(consumerId, [...(membershipIds.get(consumerId) ?? []), groupId]);
  }
  const groupByKey = new Map<string, Entity>();
  for (const g of state.entities.consumer_groups) {
    if (++done % CONSUMER_ENTITIES_PER_STEP === 0) yield;
    groupByKey.set(g.id, g);
    const name = str(g, 'name');
    if (name !== null && !groupByKey.has(name)) groupByKey.set(name, g);
  }
  const overrides = new Map(state.entities.consumer_group_plugins.map((o) => [`${refId(o.consumer_group) ?? ''}\0${str(o, 'name') ?? ''}`, o]));
  const policyOverride: Consumers['policyOverride'] = (consumerId, groups, plugin) => {
    const member = membershipIds.get(consumerId) ?? [];
    for (const key of groups) {
      const g = groupByKey.get(key);
      if (g === undefined || !member.includes(g.id)) continue;
      const o = overrides.get(`${g.id}\0${plugin}`);
      const config = o !== undefined && o.config !== null && typeof o.config === 'object' ? (o.config as Record<string, unknown>) : null;
      return { group: str(g, 'name') ?? g.id, config };
    }
    return null;
  };
  return {
    byId,
    policyOverride,
    consumerGroups: (id) => memberships.get(id) ?? [],
    consumerGroupIds: (id) => membershipIds.get(id) ?? [],
    find: (v) => byId.get(v) ?? byName.get(v),
    keyAuth,
    basicAuth,
    jwt,
    groups: (id) => groups.get(id) ?? [],
  };
}
