/**
 * Loading the desired state for `diff` / `sync`: state files through src/config, issues printed to
 * stderr (errors stop the command), select tags reconciled with the flag.
 */
import type { Io } from '../../cli/io.js';
import { loadState, type EntitySources } from '../../config/index.js';
import { formatIssue, type Issue } from '../../config/issues.js';
import type { TargetInfo } from '../../kong/executor.js';
import type { Entity, State } from '../../config/state.js';
import type { Paint } from '../../diff/render.js';
import { maskOptions, profileOfTarget, readTarget, reconcile, selectTags, skipSet, strings, tagged, type ReconcileOptions } from './reconcile.js';
import { DEFAULT_PROFILE } from '../../config/kong-version.js';
import { kongProfile, useKongProfile } from '../../config/schemas.js';
import { AdminApiError, type AdminClient } from '../../kong/client.js';
import { readLookups } from '../../kong/read-state.js';
import { hasLookupTags, type ApplyTarget, type GatewayEntities, type LookupTags } from '../../config/gateway-refs.js';
import { openTarget, wantsKonnect, type Target } from './target.js';
import { konnectIssues } from './konnect-rules.js';
import type { FileKonnect } from './mode.js';
import type { OptionSpec } from '../types.js';
import type { KindName } from '../../config/kinds.js';
import { AigwError } from '../../errors.js';
import { order } from '../../diff/order.js';
import type { Lookup } from '../../diff/identity.js';
import type { Op, Plan } from '../../diff/plan.js';
import { lookupIn } from '../../diff/render.js';
import type { MaskOptions } from '../../diff/secrets.js';

export interface Desired {
  state: State;
  envValues: string[];
  selectTags: string[];
  /** Warnings from loading (for the JSON report's `warnings`). */
  warnings: string[];
  /** Uses of aigw extensions: reported when the target turns out to be a real Kong. */
  extensions: Issue[];
  sources: EntitySources;
  /** The files' `_konnect` block. */
  konnect: FileKonnect | null;
  /** `_info.default_lookup_tags`, and (online) the entities they found on the gateway. */
  lookupTags: LookupTags;
  gateway?: GatewayEntities;
  /** `_info.skip_hash_for_basic_auth`. */
  skipHashForBasicAuth: boolean;
  /** `_info.consumer_group_policy_overrides` or `--consumer-group-policy-overrides`: the target's overrides are read and managed. */
  policyOverrides: boolean;
  /** A Kong 2.x `_format_version` (1.1, 2.1), when the load allowed it (`legacyFormatVersion`): a warning at each. */
  legacyFormat: Issue[];
}

/**
 * Against a real Kong, say which aigw extensions the file uses (Kong will reject them); returns
 * the lines for the JSON report. Nothing against `aigw serve`.
 */
export function extensionWarnings(desired: Desired, info: TargetInfo, io: Io): string[] {
  if (info.aigw || desired.extensions.length === 0) return [];
  const lines = desired.extensions.map((i) => formatIssue(i));
  const what = info.database === 'konnect' ? 'Kong Konnect' : `Kong ${info.version}`;
  io.err(`warning: the target is ${what}; the file uses aigw extensions that it will reject:`);
  for (const l of lines) io.err(l);
  return lines;
}

/**
 * Load the files with the active schema profile: the Desired state (null when invalid) and the
 * issues, not printed. `load.apply`: references the files do not satisfy name the target's entities.
 */
async function loadQuietly(args: string[], opts: Record<string, unknown>, io: Io, gateway?: GatewayEntities, load: LoadChoices = {}): Promise<{ desired: Desired | null; issues: Issue[]; konnectBlock?: boolean }> {
  const r = await loadState(args.length === 0 ? ['-'] : args, {
    env: io.env,
    cwd: io.cwd,
    readStdin: () => io.readStdin(),
    gateway,
    apply: load.apply,
    consumerGroupPolicyOverrides: opts.consumerGroupPolicyOverrides === true,
    legacyFormatVersion: load.legacyFormatVersion,
  });
  if (r.state === null) return { desired: null, issues: r.issues, konnectBlock: r.konnect !== null };
  const tags = selectTags(strings(opts.selectTag), r.state.selectTags);
  const warnings = r.issues.filter((i) => i.severity === 'warning').map((i) => formatIssue(i));
  const konnect = r.konnect === null ? null : { control_plane_name: r.konnect.control_plane_name, runtime_group_name: r.konnect.runtime_group_name };
  const desired = { state: tagged(r.state, tags), envValues: r.envValues, selectTags: tags, warnings, extensions: r.extensions, sources: r.sources, konnect, lookupTags: r.lookupTags, gateway, skipHashForBasicAuth: r.skipHashForBasicAuth,
    policyOverrides: r.consumerGroupPolicyOverrides, legacyFormat: r.issues.filter((i) => i.code === 'AIGW_FORMAT_VERSION' && i.severity === 'warning') };
  return { desired, issues: r.issues };
}

/** How the files are loaded beyond the command's options. */
export interface LoadChoices {
  /** A Kong 2.x `_format_version` is a warning (decK's validate commands), not an error (sync, diff). */
  legacyFormatVersion?: boolean;
  /** apply (decK's partial apply): the target's entities that references the files do not satisfy resolve to. */
  apply?: ApplyTarget;
}

/** Load the files; null (after printing every error) when they are invalid. */
export async function loadDesired(args: string[], opts: Record<string, unknown>, io: Io, load: LoadChoices = {}): Promise<Desired | null> {
  const r = await loadQuietly(args, opts, io, undefined, load);
  printIssues(io, r.issues);
  return r.desired;
}

/** How reconcile reads the target for these files. */
function readOptions(desired: Desired, opts: Record<string, unknown>): Omit<ReconcileOptions, 'read'> {
  return { selectTags: desired.selectTags, skip: skipKinds(opts), sources: desired.sources, gateway: desired.gateway, policyOverrides: desired.policyOverrides };
}

/**
 * The files as the target's Kong version reads them: loaded with the default profile first (invalid
 * files stop before any connection), then again with the target's profile when it is another one
 * (Kong 3.10's defaults and fields, Konnect's), so an unchanged file shows no phantom change.
 * The issues of the load kept are printed once.
 * apply: the target's current state is read before the second load (which resolves the files'
 * references to the target's entities among it) and returned, for the plan to be made against it.
 */
async function loadForTarget(first: { desired: Desired | null; issues: Issue[] }, args: string[], opts: Record<string, unknown>, io: Io, target: Target, apply: boolean): Promise<{ desired: Desired | null; read?: State }> {
  const profile = target.konnect !== null ? 'konnect' : profileOfTarget(target.info);
  const lookupTags = first.desired?.lookupTags ?? {};
  // `_info.default_lookup_tags`: the other files' entities are read first, then the files resolve against them
  const gateway = hasLookupTags(lookupTags) ? withoutOwnMembers(await readLookups(target.client, lookupTags), first.desired) : undefined;
  const otherProfile = profile !== kongProfile();
  if (otherProfile) useKongProfile(profile);
  // apply (decK's partial apply): what the files name but do not hold is looked up among the target's entities
  const read = apply && first.desired !== null ? await readTarget(target.client, readOptions({ ...first.desired, gateway }, opts)) : undefined;
  const reload = otherProfile || gateway !== undefined || read !== undefined;
  const r = reload ? await loadQuietly(args, opts, io, gateway, read === undefined ? {} : { apply: { entities: read.entities, selectTags: read.selectTags } }) : first;
  printIssues(io, r.issues);
  return { desired: r.desired, read };
}

/**
 * The looked-up groups' members that the files do not define themselves: decK adds only those to
 * the files' consumers (cmd/common.go addUniqueConsumersInTargetContent, matched by id, username or
 * custom_id), so a file's own consumer in another team's group stays the file's to compare.
 */
function withoutOwnMembers(gateway: GatewayEntities, desired: Desired | null): GatewayEntities {
  if (gateway.group_members === undefined || desired === null) return gateway;
  const own = desired.state.entities.consumers;
  const same = (a: unknown, b: unknown) => a !== undefined && a !== null && a === b;
  const mine = (c: Entity) => own.some((o) => same(o.id, c.id) || same(o.username, c.username) || same(o.custom_id, c.custom_id));
  return { ...gateway, group_members: gateway.group_members.filter((c) => !mine(c)) };
}

/** Issues on stderr, coloured with a source excerpt on a terminal. */
export function printIssues(io: Io, issues: readonly Issue[]): void {
  const paint = (kind: 'error' | 'warning' | 'dim' | 'code', text: string) =>
    kind === 'error' ? io.c.red(text) : kind === 'warning' ? io.c.yellow(text) : kind === 'dim' ? io.c.dim(text) : io.c.cyan(text);
  for (const issue of issues) io.err(formatIssue(issue, { color: io.color ? paint : undefined, excerpt: io.color }));
}

export function paintFor(io: Io): Paint {
  const plain = { create: (t: string) => io.c.green(t), update: (t: string) => io.c.yellow(t), delete: (t: string) => io.c.red(t), dim: (t: string) => io.c.dim(t) };
  // changed words: coloured on a terminal, [-marked-]{+in plain text+} otherwise
  return io.color ? { ...plain, removedWords: (t) => io.c.red.inverse(t), addedWords: (t) => io.c.green.inverse(t) } : plain;
}

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** Options shared by diff, sync and apply (decK's names; aigw's earlier ones as hidden aliases). */
export const PLAN_OPTIONS: OptionSpec[] = [
  { flags: '--select-tag <tag>', description: 'only manage entities with this tag (repeatable; AND)', parse: collect },
  { flags: '--skip-consumers', description: 'leave consumers, consumer groups and credentials alone' },
  { flags: '--skip-ca-certificates', description: 'leave CA certificates alone' },
  { flags: '--consumer-group-policy-overrides', description: 'consumer_groups[].plugins are consumer-group policy overrides of rate-limiting-advanced (as _info.consumer_group_policy_overrides); do not mix with consumer-group scoped plugins' },
  { flags: '--show-secrets', description: 'print secrets (env values, credentials, x-secret plugin fields) instead of [masked]' },
  { flags: '--no-mask-deck-env-vars-value', description: 'alias of --show-secrets for env values (decK)', hidden: true },
  { flags: '--json-output', description: "print decK's JSON report instead of text" },
  { flags: '--json', description: 'alias of --json-output', hidden: true },
  { flags: '--yes', description: 'assume yes to prompts (decK; aigw does not prompt here)' },
];

/** Where aigw's diff/sync differ from decK's on purpose (shown in --help). */
export const PLAN_NOTES = [
  'Differences from decK, on purpose: secrets (credentials, env values, x-secret plugin fields) are masked ' +
    'in every output unless --show-secrets; against Konnect the default --parallelism is 4 with client-side ' +
    'pacing (decK: 10, no pacing); a sync stops after consecutive connection failures instead of failing every change.',
];

/** Everything diff and sync need once the target has been read and compared with the files. */
export interface Planned {
  desired: Desired;
  target: Target;
  client: AdminClient;
  info: TargetInfo;
  plan: Plan;
  /** The plan's operations in dependency order. */
  ops: Op[];
  lookup: Lookup;
  mask: MaskOptions;
  /** Warnings for the JSON report: loading issues and aigw extensions Kong would reject. */
  warnings: string[];
}

export interface PlanInput {
  args: string[];
  opts: Record<string, unknown>;
  sources?: Readonly<Record<string, 'cli' | 'env' | 'default'>>;
}

/**
 * `_info.skip_hash_for_basic_auth`: aigw serve stores a basic-auth password as given (its basic-auth
 * plugin takes the stored hash); a Kong Admin API would hash it again, and decK refuses it there.
 */
function refuseSkipHash(desired: Desired, target: Target): void {
  if (!desired.skipHashForBasicAuth || target.info.aigw || desired.state.entities.basicauth_credentials.length === 0) return;
  if (target.konnect === null) throw new AigwError('AIGW_USAGE', 'skip-hash-for-basic-auth functionality can be used with Konnect only');
  throw new AigwError('AIGW_KONNECT_UNSUPPORTED', 'skip_hash_for_basic_auth: aigw does not send pre-hashed basic-auth passwords to Konnect; write the passwords in clear, or sync with decK');
}

/** Apply --skip-ca-certificates to the desired state (skipSet covers the kinds). */
export function skipKinds(opts: Record<string, unknown>): Set<KindName> {
  const skip = skipSet(opts.skipConsumers === true);
  if (opts.skipCaCertificates === true) skip.add('ca_certificates');
  return skip;
}

/**
 * Load the files, open the target (Kong or Konnect), refuse what the target cannot take, read it
 * and plan; then hand the result to `use`. Target failures become AigwErrors; the target is always
 * closed. 1 when the files (or the target's schemas) refuse the configuration (issues printed).
 */
export async function withPlan(input: PlanInput, io: Io, use: (p: Planned) => Promise<number>, command: 'diff' | 'sync' | 'apply' = 'sync'): Promise<number> {
  const { args, opts } = input;
  const forWriting = command !== 'diff';
  const apply = command === 'apply';
  useKongProfile(DEFAULT_PROFILE);
  // apply: before the target is read, references to its entities are announced with placeholder ids
  const loadFirst = () => loadQuietly(args, opts, io, undefined, apply ? { apply: { entities: null } } : {});
  let first = await loadFirst();
  // files for Konnect may use fields newer than the default profile's: checked against Konnect's before giving up
  if (first.desired === null && opts.kongVersion === undefined && kongProfile() !== 'konnect'
    && wantsKonnect({ opts, sources: input.sources, fileKonnect: first.konnectBlock === true ? {} : null, forWriting }, io.cwd).konnect) {
    useKongProfile('konnect');
    first = await loadFirst();
  }
  if (first.desired === null) {
    printIssues(io, first.issues);
    return 1;
  }
  const planned = first.desired;
  if (opts.skipConsumers === true && ((planned.lookupTags.consumers?.length ?? 0) > 0 || (planned.lookupTags.consumer_groups?.length ?? 0) > 0)) {
    throw new AigwError('AIGW_USAGE', 'cannot use --skip-consumers with default lookup tags for consumers or consumer groups');
  }
  const request = { opts, sources: input.sources, fileKonnect: planned.konnect, fileWorkspace: planned.state.workspace, forWriting };
  if (wantsKonnect(request, io.cwd).konnect) {
    const refused = konnectIssues(planned.state, planned.sources);
    if (refused.length > 0) {
      printIssues(io, refused);
      io.err(io.c.red(`✖ Konnect cannot take this configuration: ${refused.length} problem${refused.length === 1 ? '' : 's'}; nothing was sent`));
      return 1;
    }
  }
  const target = await openTarget(request, io);
  try {
    refuseSkipHash(planned, target);
    const { desired, read } = await loadForTarget(first, args, opts, io, target, apply);
    if (desired === null) return 1;
    const r = await reconcile(target.client, target.konnect !== null, desired.state, { ...readOptions(desired, opts), read });
    if (r.issues.length > 0) {
      printIssues(io, r.issues);
      io.err(io.c.red(`✖ ${target.label} cannot take this configuration; nothing was written`));
      return 1;
    }
    const extensions = extensionWarnings(desired, target.info, io);
    return await use({
      desired, target, client: target.client, info: target.info, plan: r.plan,
      ops: order(r.plan.ops).flatMap((s) => s.ops),
      lookup: lookupIn(r.plan.target, r.plan.current),
      mask: maskOptions(desired.envValues, opts.showSecrets === true),
      warnings: [...desired.warnings, ...extensions],
    });
  } catch (err) {
    if (err instanceof AdminApiError) throw new AigwError('AIGW_ADMIN_API', err.message, { cause: err });
    throw err;
  } finally {
    await target.close();
  }
}
