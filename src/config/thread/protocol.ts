/**
 * Messages between the main thread and the configuration-loading thread (load-thread.ts): a
 * request names the inputs, the answer carries the State and the issues as plain data (structured
 * clone); everything else of a LoadResult (source files, positions) stays in the thread.
 */
import type { KongProfile } from '../kong-version.js';
import type { Issue } from '../issues.js';
import type { State } from '../state.js';

export type LoadRequest = {
  id: number;
  /** The schema profile active on the main thread (`--kong-version`). */
  profile: KongProfile;
  env: Record<string, string | undefined>;
} & ({ kind: 'files'; inputs: string[]; cwd: string } | { kind: 'text'; text: string; name: string });

export type LoadAnswer =
  | { id: number; state: State | null; issues: Issue[] }
  | { id: number; error: string };
