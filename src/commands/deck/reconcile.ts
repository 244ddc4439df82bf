/**
 * The shared front half of `diff`, `sync`, `dump` and `reset`:
 *   files → target State (select tags applied) → client → GET / → current State (paged, parallel)
 *   → target completed with the target's own defaults → plan.
 * Problems become AigwErrors with stable codes; nothing here prints.
 */
import { KINDS, type KindName } from '../../config/kinds.js';
import { freezeState, emptyEntities, type Entity, type State } from '../../config/state.js';
import { schemas } from '../../config/schemas.js';
import { DEFAULT_PROFILE, profileForVersion, type KongProfile } from '../../config/kong-version.js';
import { AigwError } from '../../errors.js';
import { consumerKinds, plan, type Plan } from '../../diff/plan.js';
import { secretPathsFromSchema, type MaskOptions } from '../../diff/secrets.js';
import { AdminApiError, type AdminClient } from '../../kong/client.js';
import { targetInfo, type TargetInfo } from '../../kong/executor.js';
import { readDefaults, readState, withDefaults, withLookups } from '../../kong/read-state.js';
import type { GatewayEntities } from '../../config/gateway-refs.js';
import { readKonnectDefaults } from '../../kong/konnect/defaults.js';
import { withoutKonnectManaged } from '../../kong/konnect/managed.js';
import type { EntitySources } from '../../config/index.js';
import type { Issue } from '../../config/issues.js';
import { storedForm } from '../../diff/stored.js';
import { alignSets } from '../../diff/sets.js';
import { issueIn } from './konnect-rules.js';
import { konnectCurrent, konnectTarget } from './konnect-state.js';

export function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (typeof v === 'string' && v !== '') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [];
}

/** The effective select tags: the flag and `_info.select_tags` must agree when both are given. */
export function selectTags(flag: readonly string[], fromFile: readonly string[]): string[] {
  if (flag.length > 0 && fromFile.length > 0) {
    const a = [...flag].sort().join(',');
    const b = [...fromFile].sort().join(',');
    if (a !== b) throw new AigwError('AIGW_USAGE', `tags in the state file (${b}) and --select-tag (${a}) differ`);
  }
  return flag.length > 0 ? [...flag] : [...fromFile];
}

/** Add select tags to every entity (kinds that carry tags). */
export function tagged(state: State, tags: readonly string[]): State {
  if (tags.length === 0) return state;
  const entities = emptyEntities();
  for (const k of KINDS) {
    entities[k.name] = state.entities[k.name].map((e) => {
      if (k.membership !== undefined) return e;
      const own = Array.isArray(e.tags) ? (e.tags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
      return { ...e, tags: [...new Set([...own, ...tags])] } as Entity;
    });
  }
  return freezeState({ workspace: state.workspace, selectTags: [...tags], entities });
}

/** Connect: `GET /` with a clear error when the Admin API cannot be reached. */
export async function connect(client: AdminClient): Promise<TargetInfo> {
  try {
    return await targetInfo(client);
  } catch (err) {
    if (err instanceof AdminApiError && err.status === 0) throw new AigwError('AIGW_CONNECT', err.message, { cause: err });
    if (err instanceof AdminApiError) throw new AigwError('AIGW_ADMIN_API', err.message, { cause: err });
    throw err;
  }
}

export function skipSet(skipConsumers: boolean): Set<KindName> {
  return skipConsumers ? consumerKinds() : new Set();
}

/** Plugin `x-secret` paths from the built-in schemas, cached per name. */
export function pluginSecrets(): (name: string) => readonly string[][] {
  const cache = new Map<string, string[][]>();
  return (name) => {
    let paths = cache.get(name);
    if (paths === undefined) {
      let schema: unknown;
      try {
        schema = schemas().plugin(name);
      } catch {
        schema = undefined;
      }
      paths = schema === undefined ? [] : secretPathsFromSchema(schema);
      cache.set(name, paths);
    }
    return paths;
  };
}

export function maskOptions(envValues: readonly string[], show: boolean): MaskOptions {
  return { envValues, show, pluginSecrets: pluginSecrets() };
}

export interface Reconciled {
  plan: Plan;
  /** Problems found while reading the target's schemas (unknown plugins): nothing may be written. */
  issues: Issue[];
  /** Konnect-owned entities left out of the comparison. */
  konnectManaged: number;
}

export interface ReconcileOptions {
  selectTags: string[];
  skip: ReadonlySet<KindName>;
  /** Entity positions and file-given fields (for Konnect defaults and messages). */
  sources: EntitySources;
  /** The entities `_info.default_lookup_tags` found on the gateway: other files', left out of the comparison. */
  gateway?: GatewayEntities;
  /** Read and compare the consumer groups' policy overrides (decK's consumer_group_policy_overrides). */
  policyOverrides?: boolean;
  /** The current state, already read with these options (apply reads it before loading the files: see readTarget). */
  read?: State;
}

/** The current state, read with the select tags, without the looked-up entities (see withLookups). */
async function readCurrent(client: AdminClient, options: ReconcileOptions): Promise<State> {
  if (options.read !== undefined) return options.read;
  const lookedUpConsumers = (options.gateway?.consumers ?? []).map((c) => c.id);
  const read = await readState(client, { selectTags: options.selectTags, skip: options.skip, lookedUpConsumers, policyOverrides: options.policyOverrides });
  return options.gateway === undefined ? read : withLookups(client, read, options.gateway);
}

function readFailure(err: unknown): unknown {
  if (err instanceof AdminApiError) return new AigwError(err.status === 0 ? 'AIGW_CONNECT' : 'AIGW_ADMIN_API', err.message, { cause: err });
  return err;
}

/**
 * The current state as reconcile reads it (select tags, skipped kinds, looked-up entities left out),
 * for apply: the files' references to the target's entities resolve among it, and it is then handed
 * to reconcile as `read`, so the target is read once.
 */
export async function readTarget(client: AdminClient, options: Omit<ReconcileOptions, 'read'>): Promise<State> {
  try {
    return await readCurrent(client, options);
  } catch (err) {
    throw readFailure(err);
  }
}

/** Konnect: current without Konnect-owned entities, target completed with Konnect's own defaults. */
async function reconcileKonnect(client: AdminClient, target: State, options: ReconcileOptions): Promise<Reconciled> {
  const read = await readCurrent(client, options);
  const { state: owned, skipped } = withoutKonnectManaged(read);
  const names = target.entities.plugins.map((p) => p.name).filter((n): n is string => typeof n === 'string');
  const defaults = await readKonnectDefaults(client, names);
  const issues: Issue[] = [];
  for (const p of target.entities.plugins) {
    if (typeof p.name === 'string' && defaults.unknownPlugins.includes(p.name)) {
      issues.push(issueIn(options.sources, 'plugins', p.id, ['name'], 'value', 'AIGW_KONNECT_UNSUPPORTED', `plugin '${p.name}' is not available on this Konnect control plane (no plugin-schema for '${p.name}')`));
    }
  }
  const p = plan(konnectCurrent(owned), konnectTarget(target, options.sources, defaults), { skip: options.skip, comparable: storedForm, align: alignSets });
  return { plan: p, issues, konnectManaged: skipped };
}

/**
 * The schema profile of a target: its own Kong version (`GET /`), or, for `aigw serve`, the
 * profile it serves with (`aigw_kong_version`).
 */
export function profileOfTarget(info: TargetInfo): KongProfile {
  const version = info.aigw ? info.kongVersion : info.version;
  return (version === null ? null : profileForVersion(version))?.profile ?? DEFAULT_PROFILE;
}

/** Read the current state, complete the target with the target's defaults, and plan. */
export async function reconcile(client: AdminClient, konnect: boolean, target: State, options: ReconcileOptions): Promise<Reconciled> {
  try {
    if (konnect) return await reconcileKonnect(client, target, options);
    const current = await readCurrent(client, options);
    const names = target.entities.plugins.map((p) => p.name).filter((n): n is string => typeof n === 'string');
    const defaults = await readDefaults(client, names);
    return { plan: plan(current, withDefaults(target, defaults), { skip: options.skip, comparable: storedForm, align: alignSets }), issues: [], konnectManaged: 0 };
  } catch (err) {
    throw readFailure(err);
  }
}
