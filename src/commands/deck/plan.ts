/**
 * Loading the desired state for `diff` / `sync`: state files through src/config, issues printed to
 * stderr (errors stop the command), select tags reconciled with the flag.
 */
import type { Io } from '../../cli/io.js';
import { loadState } from '../../config/index.js';
import { formatIssue, type Issue } from '../../config/issues.js';
import type { TargetInfo } from '../../kong/executor.js';
import type { State } from '../../config/state.js';
import type { Paint } from '../../diff/render.js';
import { maskOptions, reconcile, selectTags, skipSet, strings, tagged } from './reconcile.js';
import { AdminApiError, type AdminClient } from '../../kong/client.js';
import { clientFrom } from './connect.js';
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
}

/**
 * Against a real Kong, say which aigw extensions the file uses (Kong will reject them); returns
 * the lines for the JSON report. Nothing against `aigw serve`.
 */
export function extensionWarnings(desired: Desired, info: TargetInfo, io: Io): string[] {
  if (info.aigw || desired.extensions.length === 0) return [];
  const lines = desired.extensions.map((i) => formatIssue(i));
  io.err(`warning: the target is Kong ${info.version}; the file uses aigw extensions that it will reject:`);
  for (const l of lines) io.err(l);
  return lines;
}

/** Load the files; null (after printing every error) when they are invalid. */
export async function loadDesired(args: string[], opts: Record<string, unknown>, io: Io): Promise<Desired | null> {
  const r = await loadState(args.length === 0 ? ['-'] : args, {
    env: io.env,
    cwd: io.cwd,
    readStdin: () => io.readStdin(),
  });
  const paint = (kind: 'error' | 'warning' | 'dim' | 'code', text: string) =>
    kind === 'error' ? io.c.red(text) : kind === 'warning' ? io.c.yellow(text) : kind === 'dim' ? io.c.dim(text) : io.c.cyan(text);
  for (const issue of r.issues) io.err(formatIssue(issue, { color: io.color ? paint : undefined, excerpt: io.color }));
  if (r.state === null) return null;
  const tags = selectTags(strings(opts.selectTag), r.state.selectTags);
  const warnings = r.issues.filter((i) => i.severity === 'warning').map((i) => formatIssue(i));
  return { state: tagged(r.state, tags), envValues: r.envValues, selectTags: tags, warnings, extensions: r.extensions };
}

export function paintFor(io: Io): Paint {
  const plain = { create: (t: string) => io.c.green(t), update: (t: string) => io.c.yellow(t), delete: (t: string) => io.c.red(t), dim: (t: string) => io.c.dim(t) };
  // changed words: coloured on a terminal, [-marked-]{+in plain text+} otherwise
  return io.color ? { ...plain, removedWords: (t) => io.c.red.inverse(t), addedWords: (t) => io.c.green.inverse(t) } : plain;
}

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** Options shared by diff and sync. */
export const PLAN_OPTIONS = [
  { flags: '--select-tag <tag>', description: 'only manage entities with this tag (repeatable; AND)', parse: collect },
  { flags: '--skip-consumers', description: 'leave consumers, consumer groups and credentials alone' },
  { flags: '--show-secrets', description: 'print secrets (env values, credentials, x-secret plugin fields) instead of [masked]' },
  { flags: '--json', description: "print decK's JSON report instead of text" },
];

/** Everything diff and sync need once the target has been read and compared with the files. */
export interface Planned {
  desired: Desired;
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

/**
 * Load the files, connect, read the target and plan; then hand the result to `use`. Admin API
 * failures become AIGW_ADMIN_API errors, and the client is always closed. 1 when the files are
 * invalid (their issues are printed).
 */
export async function withPlan(args: string[], opts: Record<string, unknown>, io: Io, use: (p: Planned) => Promise<number>): Promise<number> {
  const desired = await loadDesired(args, opts, io);
  if (desired === null) return 1;
  const client = clientFrom({ ...opts, workspace: opts.workspace ?? desired.state.workspace ?? undefined }, io.env, io.cwd, {
    retryBaseMs: typeof opts.retryBaseMs === 'number' ? opts.retryBaseMs : undefined,
  });
  try {
    const { info, plan } = await reconcile(client, desired.state, { selectTags: desired.selectTags, skip: skipSet(opts.skipConsumers === true) });
    const extensions = extensionWarnings(desired, info, io);
    return await use({
      desired, client, info, plan,
      ops: order(plan.ops).flatMap((s) => s.ops),
      lookup: lookupIn(plan.target, plan.current),
      mask: maskOptions(desired.envValues, opts.showSecrets === true),
      warnings: [...desired.warnings, ...extensions],
    });
  } catch (err) {
    if (err instanceof AdminApiError) throw new AigwError('AIGW_ADMIN_API', err.message, { cause: err });
    throw err;
  } finally {
    await client.close();
  }
}
