import { createHash } from 'node:crypto';
import { KIND_BY_NAME, type KindName } from './kinds.js';
import type { RawEntity, RawRef } from './collect.js';
import type { Entity } from './state.js';
import type { Issue } from './issues.js';

/**
 * References to entities that live on the gateway rather than in the files (decK):
 *   - `_info.default_lookup_tags`: names of consumers, consumer groups, services, routes (and
 *     partials) owned by other files, found on the gateway among the entities carrying all the tags
 *     (deck cmd/common.go syncContent; GDR pkg/dump LookUpSelectorTags*);
 *   - `aigw gateway apply` (decK's partial apply): any reference the files do not satisfy names an
 *     entity of the target, found among the target's current entities, the ones the plan is made
 *     against (GDR builder.go: with IsPartialApply every current entity joins the intermediate
 *     state that foreign keys are resolved in);
 *   - a nested plugin naming an entity of another kind by id (GDR builder.go pluginRelations keeps a
 *     valid UUID found nowhere: the gateway decides).
 * Offline (validate, apply before the target is read) such a reference is a warning at the
 * reference, with a stable placeholder id so that natural keys stay distinct; online (diff/sync/
 * apply) the entities read from the gateway resolve it, and a name found nowhere is an error.
 * Only the reference is resolved: the gateway entity never joins the files' state, so the plan
 * never creates, changes or deletes it on the reference's account.
 */

export const LOOKUP_KINDS = ['consumers', 'consumer_groups', 'services', 'routes', 'partials'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/** `_info.default_lookup_tags`, per kind. */
export type LookupTags = Partial<Record<LookupKind, string[]>>;

/**
 * The lookup-tagged entities read from the gateway (online only), per kind; `group_members`: the
 * consumers in the looked-up consumer groups, which decK adds to the file's consumers
 * (cmd/common.go addUniqueConsumersInTargetContent), so a plugin may name one.
 */
export type GatewayEntities = Partial<Record<LookupKind | 'group_members', readonly Entity[]>>;

/**
 * `aigw gateway apply`: the target's current entities per kind (as read for the plan: select tags
 * applied, lookup-tagged entities left to `found`); `null` before the target is read.
 */
export interface ApplyTarget {
  entities: Readonly<Partial<Record<KindName, readonly Entity[]>>> | null;
  /** The select tags the target was read with (for messages). */
  selectTags?: readonly string[];
}

export interface GatewayScope {
  lookupTags: LookupTags;
  /** Absent offline: references are then only announced. */
  found?: GatewayEntities;
  /** Set by apply: a reference found nowhere else is looked up among the target's entities. */
  apply?: ApplyTarget;
}

export function hasLookupTags(tags: LookupTags): boolean {
  return LOOKUP_KINDS.some((k) => (tags[k]?.length ?? 0) > 0);
}

/** A placeholder id for a reference by name resolved only at sync time (offline validation). */
function placeholderId(kind: KindName, name: string): string {
  const h = createHash('sha1').update(`aigw\0gateway\0${kind}\0${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The gateway entity a reference names: by id, or by the kind's name field (a consumer: username, or custom_id when written so). */
export function findOnGateway(list: readonly Entity[], kind: KindName, ref: { by: 'id' | 'name'; value: string; field?: string }): Entity | undefined {
  if (ref.by === 'id') return list.find((e) => e.id === ref.value);
  const field = kind === 'consumers' && ref.field === 'custom_id' ? 'custom_id' : (KIND_BY_NAME[kind].refField ?? 'name');
  return list.find((e) => e[field] === ref.value);
}

const isLookupKind = (k: KindName): k is LookupKind => (LOOKUP_KINDS as readonly string[]).includes(k);

/** A nested plugin naming another kind by id (its parent's kind is set by nesting). */
function nestedById(raw: RawEntity, ref: RawRef): boolean {
  return raw.kind.name === 'plugins' && ref.by === 'id' && Object.values(raw.refs).some((r) => r?.by === 'parent');
}

export interface GatewayResolution {
  id: string | null;
  issue?: Issue;
}

/**
 * Resolve a reference the files do not satisfy, or null when the gateway cannot satisfy it either
 * (the caller reports the broken reference, with `brokenSuffix`). `what` names the reference for messages.
 */
export function resolveOnGateway(raw: RawEntity, what: string, ref: RawRef, target: KindName, scope: GatewayScope): GatewayResolution | null {
  if (ref.by === 'parent') return null;
  const warn = (message: string): Issue => raw.file.issueAt(ref.path, 'value', 'warning', 'AIGW_GATEWAY_REFERENCE', message);
  const tags = isLookupKind(target) ? scope.lookupTags[target] : undefined;
  if (tags !== undefined && tags.length > 0 && isLookupKind(target)) {
    const list = scope.found?.[target];
    if (list !== undefined) {
      const hit = findOnGateway(list, target, ref);
      if (hit !== undefined) return { id: hit.id };
    } else {
      return {
        id: ref.by === 'id' ? ref.value : placeholderId(target, ref.value),
        issue: warn(`${what} is not in the files: it is looked up on the gateway at sync time among the ${target} tagged ${tags.join(', ')} (_info.default_lookup_tags.${target})`),
      };
    }
  }
  const groupTags = target === 'consumers' ? scope.lookupTags.consumer_groups : undefined;
  if (groupTags !== undefined && groupTags.length > 0) {
    const members = scope.found?.group_members;
    if (members !== undefined) {
      const hit = findOnGateway(members, target, ref);
      if (hit !== undefined) return { id: hit.id };
    } else if (scope.found === undefined) {
      return {
        id: ref.by === 'id' ? ref.value : placeholderId(target, ref.value),
        issue: warn(`${what} is not in the files: it is looked up on the gateway at sync time among the members of the consumer_groups tagged ${groupTags.join(', ')} (_info.default_lookup_tags.consumer_groups)`),
      };
    }
  }
  if (scope.apply !== undefined) {
    const current = scope.apply.entities;
    if (current === null) {
      return {
        id: ref.by === 'id' ? ref.value : placeholderId(target, ref.value),
        issue: warn(`${what} is not in the files: apply looks it up among the target's ${target}`),
      };
    }
    const hit = findOnGateway(current[target] ?? [], target, ref);
    if (hit !== undefined) return { id: hit.id };
  }
  if (nestedById(raw, ref)) {
    return { id: ref.value, issue: warn(`${what} is not in the files: the gateway must have it (a nested plugin may name an entity of another kind by id)`) };
  }
  return null;
}

/** The target's entities apply searched, for messages. */
function applyPlace(target: KindName, apply: ApplyTarget): string {
  const tags = apply.selectTags ?? [];
  return `the target's ${target}${tags.length > 0 ? ` tagged ${tags.join(', ')} (select tags)` : ''}`;
}

/** What a broken reference message adds when lookup tags (or, for apply, the target) were searched too. */
export function brokenSuffix(target: KindName, scope: GatewayScope): string {
  const apply = scope.apply !== undefined && scope.apply.entities !== null ? [applyPlace(target, scope.apply)] : [];
  if (scope.found === undefined) return apply.length === 0 ? '' : `, neither in the files nor among ${apply[0]}`;
  const tags = isLookupKind(target) ? scope.lookupTags[target] : undefined;
  const groupTags = target === 'consumers' ? scope.lookupTags.consumer_groups : undefined;
  const places = [
    ...(tags !== undefined && tags.length > 0 ? [`the gateway's ${target} tagged ${tags.join(', ')} (_info.default_lookup_tags.${target})`] : []),
    ...(groupTags !== undefined && groupTags.length > 0 ? [`the members of the gateway's consumer_groups tagged ${groupTags.join(', ')} (_info.default_lookup_tags.consumer_groups)`] : []),
    ...apply,
  ];
  return places.length === 0 ? '' : `, neither in the files nor among ${places.join(' nor ')}`;
}

/**
 * decK's rule for Kong Enterprise >= 3.4 (every profile aigw has): rate-limiting-advanced may set
 * `config.consumer_groups` / `enforce_consumer_groups` only with `_info.consumer_group_policy_overrides`
 * (GDR builder.go validatePlugin, utils.ErrorConsumerGroupUpgrade).
 */
export function consumerGroupUpgradeIssues(plugins: ReadonlyArray<{ raw: RawEntity; config: unknown }>, overrides: boolean): Issue[] {
  if (overrides) return [];
  const out: Issue[] = [];
  for (const { raw, config } of plugins) {
    if (raw.data.name !== 'rate-limiting-advanced' || config === null || typeof config !== 'object') continue;
    const c = config as Record<string, unknown>;
    const field = Array.isArray(c.consumer_groups) && c.consumer_groups.length > 0 ? 'consumer_groups' : c.enforce_consumer_groups === true ? 'enforce_consumer_groups' : null;
    if (field === null) continue;
    out.push(raw.file.issueAt([...raw.path, 'config', field], 'key', 'error', 'AIGW_ENTITY_CHECK',
      'a rate-limiting-advanced plugin with config.consumer_groups and/or config.enforce_consumer_groups was found. '
      + 'Please use Consumer Groups scoped Plugins when running against Kong Enterprise 3.4.0 and above '
      + '(or set _info.consumer_group_policy_overrides: true)'));
  }
  return out;
}

/**
 * `aigw serve` has no gateway to look references up in: a file whose entities name gateway
 * entities (lookup tags, a nested plugin's outside id) cannot be served as written — a plugin
 * scoped to a consumer that is not there would never run. The warnings become errors, and the
 * load has no state (startup refuses it, a reload keeps the last good config).
 */
export function refuseGatewayReferences<T extends { state: unknown; issues: readonly Issue[] }>(loaded: T): T {
  if (!loaded.issues.some((i) => i.code === 'AIGW_GATEWAY_REFERENCE')) return loaded;
  const issues = loaded.issues.map((i) =>
    i.code === 'AIGW_GATEWAY_REFERENCE' ? { ...i, severity: 'error' as const, message: `${i.message}; aigw serve has no gateway to look it up in: put the entity in the file` } : i,
  );
  return { ...loaded, state: null, issues };
}
