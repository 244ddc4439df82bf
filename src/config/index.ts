import { AigwError } from '../errors.js';
import { readInputs } from './load.js';
import { SourceFile } from './source.js';
import { collectEntities, isObj, type Obj } from './collect.js';
import { normalize, readMeta, type EntitySources } from './normalize.js';
import { validateEntities, validateFile } from './validate/index.js';
import { maskedInputIssues } from './masked-input.js';
import { formatIssue, hasErrors, sortIssues, type Issue } from './issues.js';
import type { State } from './state.js';
import type { ApplyTarget, GatewayEntities, LookupTags } from './gateway-refs.js';
import { loadPlugins, pluginNamesIn } from '../gateway/plugins/index.js';

/**
 * The one entry point that turns state files into a State:
 *   read (files, dirs, stdin) → env templating → parse (positions kept) → per-file checks →
 *   merge (arrays concatenated) → refuse masked dumps → normalise (ids, references, defaults) →
 *   entity rules.
 * Every problem is collected (never just the first); `state` is null when there are errors.
 */

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Validate without secrets (env values mocked). */
  mockEnv?: boolean;
  /** Unknown plugins become errors. */
  strict?: boolean;
  cwd?: string;
  readStdin?: () => Promise<string>;
  /** Online: the gateway's entities carrying the files' `_info.default_lookup_tags` (see gateway-refs.ts). */
  gateway?: GatewayEntities;
  /**
   * `aigw gateway apply`: references the files do not satisfy name the target's entities, announced
   * (placeholder ids, warnings) while `entities` is null, looked up among them once read (see gateway-refs.ts).
   */
  apply?: ApplyTarget;
  /** decK's `--consumer-group-policy-overrides`: as `_info.consumer_group_policy_overrides: true` in every file. */
  consumerGroupPolicyOverrides?: boolean;
  /** `validate`: a Kong 2.x `_format_version` ('1.1', '2.1') is a warning, as decK's validate accepts it (sync and diff refuse it). */
  legacyFormatVersion?: boolean;
}

export interface LoadResult {
  state: State | null;
  issues: Issue[];
  /**
   * Uses of aigw extensions (fields and values a real Kong rejects): warnings kept apart, shown
   * by `validate --target kong` and by diff/sync against a Kong.
   */
  extensions: Issue[];
  /** Values substituted from env templates, to be masked in every printed output. */
  envValues: string[];
  files: SourceFile[];
  /** Positions and file-given fields of every entity of `state`. */
  sources: EntitySources;
  /** The `_konnect` block, when a file has one (decK: its presence selects Konnect). */
  konnect: KonnectBlock | null;
  /** `_info.default_lookup_tags` of the files. */
  lookupTags: LookupTags;
  /** `_info.skip_hash_for_basic_auth` of the files. */
  skipHashForBasicAuth: boolean;
  /** `_info.consumer_group_policy_overrides` of the files (or the option): policy overrides are read and written. */
  consumerGroupPolicyOverrides: boolean;
}

export interface KonnectBlock {
  control_plane_name?: string;
  runtime_group_name?: string;
  /** Where it is written, for messages. */
  file: SourceFile;
}

function fromFiles(files: SourceFile[], initial: Issue[], opts: LoadOptions): LoadResult {
  const issues: Issue[] = [...initial];
  const contents: Array<{ file: SourceFile; content: Obj }> = [];
  for (const f of files) {
    issues.push(...f.issues);
    const content = validateFile(f, issues, { legacyFormatVersion: opts.legacyFormatVersion });
    if (content) contents.push({ file: f, content });
  }
  const envValues = [...new Set(files.flatMap((f) => f.envValues))];
  const { meta, conflicts } = readMeta(contents.map((c) => c.content));
  if (opts.consumerGroupPolicyOverrides === true) meta.consumerGroupPolicyOverrides = true;
  for (const c of conflicts) {
    const code: Issue['code'] = c.startsWith('_workspace') ? 'AIGW_WORKSPACE_CONFLICT' : 'AIGW_VALUE';
    const at = contents.find((x) => (c.startsWith('_workspace') ? x.content._workspace !== undefined : x.content._info !== undefined));
    const issue = at ? at.file.issueAt([c.startsWith('_workspace') ? '_workspace' : '_info'], 'key', 'error', code, `files disagree on ${c}`) : ({ severity: 'error', code, message: `files disagree on ${c}` } satisfies Issue);
    issues.push(issue);
  }
  const { raws, nestingConflicts } = collectEntities(contents, opts.gateway?.consumers, meta.consumerGroupPolicyOverrides);
  const masked = maskedInputIssues(raws);
  if (masked.length > 0) {
    // a masked dump: one clear error instead of a duplicate-key error per credential
    return { state: null, issues: sortIssues([...issues, ...masked]), extensions: [], envValues, files, sources: NO_SOURCES, konnect: null, lookupTags: meta.lookupTags, skipHashForBasicAuth: meta.skipHashForBasicAuth, consumerGroupPolicyOverrides: meta.consumerGroupPolicyOverrides };
  }
  for (const { raw, field } of nestingConflicts) {
    issues.push(raw.file.issueAt([...raw.path, field], 'key', 'error', 'AIGW_NESTING',
      `'${field}' must not be set on an entity nested under a ${field}: nesting already sets it`));
  }
  const norm = normalize(raws, meta, opts.gateway, opts.apply);
  const fileOf = (kind: string, field: string): SourceFile | undefined => contents.find(({ content }) => {
    const info = content._info;
    const d = isObj(info) && isObj(info.defaults) ? info.defaults[kind] : undefined;
    return isObj(d) && d[field] !== undefined;
  })?.file;
  const rules = validateEntities(norm.origins, { strict: Boolean(opts.strict), info: { defaults: meta.defaults, fileOf } });
  issues.push(...norm.issues, ...rules.filter((i) => i.code !== 'AIGW_EXTENSION'));
  sortIssues(issues);
  const extensions = sortIssues(rules.filter((i) => i.code === 'AIGW_EXTENSION'));
  const failed = hasErrors(issues) || (opts.strict === true && issues.length > 0);
  return { state: failed ? null : norm.state, issues, extensions, envValues, files, sources: norm.sources, konnect: konnectBlock(contents), lookupTags: meta.lookupTags, skipHashForBasicAuth: meta.skipHashForBasicAuth,
    consumerGroupPolicyOverrides: meta.consumerGroupPolicyOverrides };
}

const NO_SOURCES: EntitySources = { locate: () => undefined, written: () => undefined };

function konnectBlock(contents: ReadonlyArray<{ file: SourceFile; content: Obj }>): KonnectBlock | null {
  for (const { file, content } of contents) {
    const k = content._konnect;
    if (k === undefined || k === null || typeof k !== 'object' || Array.isArray(k)) continue;
    const o = k as Obj;
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    return { control_plane_name: str(o.control_plane_name), runtime_group_name: str(o.runtime_group_name), file };
  }
  return null;
}

/** Load and validate state files/directories (or `-` for stdin). */
export async function loadState(inputs: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const { files, issues } = await readInputs(inputs, {
    env: opts.env,
    mock: opts.mockEnv,
    cwd: opts.cwd ?? process.cwd(),
    readStdin: opts.readStdin ?? (async () => ''),
  });
  if (files.length === 0 && issues.length === 0) {
    issues.push({ severity: 'error', code: 'AIGW_NO_INPUT', message: 'no state file given' });
  }
  // the build check of validation runs each plugin's own parse: import the ones the files name
  await loadPlugins(files.flatMap((f) => pluginNamesIn(f.rendered)));
  return fromFiles(files, issues, opts);
}

/**
 * Load state from text (tests, the Admin API's POST /config). Synchronous: the plugins the text
 * uses are checked by their own parse only when loaded before (`loadTextAsync` loads them).
 */
export function loadText(text: string, opts: LoadOptions & { name?: string }): LoadResult {
  const file = new SourceFile(opts.name ?? '<config>', text, { env: opts.env, mock: opts.mockEnv });
  return fromFiles([file], [], opts);
}

/** `loadText` after importing the plugins the text names (see loadState). */
export async function loadTextAsync(text: string, opts: LoadOptions & { name?: string }): Promise<LoadResult> {
  await loadPlugins(pluginNamesIn(text));
  return loadText(text, opts);
}

/** Load state from text or throw an AigwError listing every error. */
export async function loadStateFromText(text: string, opts: Partial<LoadOptions> & { name?: string } = {}): Promise<State> {
  const r = await loadTextAsync(text, { env: opts.env ?? {}, ...opts });
  if (!r.state) {
    const errors = r.issues.filter((i) => i.severity === 'error' || opts.strict);
    throw new AigwError('AIGW_ENTITY_CHECK', `invalid configuration:\n${errors.map((i) => formatIssue(i)).join('\n')}`);
  }
  return r.state;
}

export type { Issue } from './issues.js';
export type { State, Entity } from './state.js';
export type { EntitySources } from './normalize.js';
export type { GatewayEntities, LookupTags } from './gateway-refs.js';
export { formatIssue } from './issues.js';
