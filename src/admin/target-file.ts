/**
 * Loading the desired state for `diff` / `sync`: state files through src/config, issues printed to
 * stderr (errors stop the command), select tags reconciled with the flag.
 */
import type { Io } from '../cli/io.js';
import { loadState } from '../config/index.js';
import { formatIssue, type Issue } from '../config/issues.js';
import type { TargetInfo } from './executor.js';
import type { State } from '../config/state.js';
import type { Paint } from '../diff/render.js';
import { selectTags, strings, tagged } from './reconcile.js';

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
  return { create: (t) => io.c.green(t), update: (t) => io.c.yellow(t), delete: (t) => io.c.red(t), dim: (t) => io.c.dim(t) };
}

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** Options shared by diff and sync. */
export const PLAN_OPTIONS = [
  { flags: '--select-tag <tag>', description: 'only manage entities with this tag (repeatable; AND)', parse: collect },
  { flags: '--skip-consumers', description: 'leave consumers, consumer groups and credentials alone' },
  { flags: '--show-secrets', description: 'print secrets (env values, credentials, x-secret plugin fields) instead of [masked]' },
  { flags: '--json', description: "print decK's JSON report instead of text" },
];
