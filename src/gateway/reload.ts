/**
 * Hot reload: watch the state file(s) and rebuild on change. Parent directories are watched (not
 * the files), and any event in them leads to a look at the files' `stat`, so a file replaced by
 * a rename (editors' atomic saves, `mv`, a Kubernetes ConfigMap's `..data` symlink swap) is seen
 * as well as one written in place. Changes are debounced, a reload waits until the files have
 * settled (file-settle.ts: nothing is read while it is being written), a file that changed again
 * while it was loaded is not applied, and reloads never overlap. An invalid change is reported
 * once, with the same lines `aigw validate` prints, and the last good configuration keeps serving.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Issue } from '../config/issues.js';
import type { State } from '../config/state.js';
import type { Logger } from './log.js';
import { sameSnapshot, settled, snapshot, type SettleOptions, type Snapshot } from './file-settle.js';

export interface ReloadOptions {
  /** Files or directories (`-` is not watched). */
  paths: readonly string[];
  cwd: string;
  /** `unchanged`: the files hold what serves already; nothing is applied (and nothing reported). */
  load(): Promise<{ state: State | null; issues: readonly Issue[]; unchanged?: boolean }>;
  apply(state: State): Promise<void>;
  logger: Logger;
  format(issue: Issue): string;
  debounceMs?: number;
  /** How files are judged settled (default: looks 100 ms apart; 1 s without an in-place write). */
  settle?: Partial<SettleOptions>;
  /**
   * The files as they were before the serving configuration was read (`filesSnapshot`). A change
   * since then — written while the gateway started, before its watchers existed — has no event of
   * its own: it is reloaded as soon as the watcher starts. Without it, the files as they are when
   * the watcher starts count as the serving ones.
   */
  initial?: Snapshot;
}

export interface Reloader {
  /** Reload now; resolves true when the new configuration is serving. */
  reload(): Promise<boolean>;
  close(): void;
}

type LoadResult = Awaited<ReturnType<ReloadOptions['load']>>;

interface Watched {
  files: string[];
  dirs: string[];
}

async function watchedPaths(opts: Pick<ReloadOptions, 'paths' | 'cwd'>): Promise<Watched> {
  const w: Watched = { files: [], dirs: [] };
  for (const p of opts.paths) {
    if (p === '-') continue;
    const full = resolve(opts.cwd, p);
    if ((await stat(full).catch(() => null))?.isDirectory()) w.dirs.push(full);
    else w.files.push(full);
  }
  return w;
}

/** The watched files' marks now (`ReloadOptions.initial`: take it before reading the files). */
export async function filesSnapshot(paths: readonly string[], cwd: string): Promise<Snapshot> {
  const w = await watchedPaths({ paths, cwd });
  return snapshot(w.files, w.dirs);
}

/** Reports a loaded configuration and applies it when it is valid. */
async function applyLoaded(opts: ReloadOptions, result: LoadResult): Promise<boolean> {
  if (result.unchanged === true) {
    opts.logger.info('configuration unchanged: the files hold what is serving');
    return true;
  }
  for (const issue of result.issues) {
    if (issue.severity === 'warning') opts.logger.warn(opts.format(issue));
    else opts.logger.error(opts.format(issue));
  }
  if (!result.state) {
    opts.logger.error('configuration change rejected; the last good configuration keeps serving');
    return false;
  }
  try {
    await opts.apply(result.state);
  } catch (err) {
    opts.logger.error(`configuration change rejected: ${(err as Error).message}; the last good configuration keeps serving`);
    return false;
  }
  opts.logger.info('configuration reloaded');
  return true;
}

export async function watchState(opts: ReloadOptions): Promise<Reloader> {
  const watchers: FSWatcher[] = [];
  const paths = await watchedPaths(opts);
  const look = (): Promise<Snapshot> => snapshot(paths.files, paths.dirs);
  const settle: SettleOptions = { stepMs: 100, quietMs: 1000, ...opts.settle };
  /** The files as they were at the last load (applied or refused): an event that changes nothing is ignored. */
  let lastLoaded = opts.initial ?? await look();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;
  let again = false;
  let closed = false;

  /** Load and apply once; `expected` (the settled files, null for a forced reload) must not have changed meanwhile. */
  const reloadOnce = async (expected: Snapshot | null): Promise<boolean> => {
    let result: LoadResult;
    try {
      result = await opts.load();
    } catch (err) {
      opts.logger.error(`configuration change rejected: it could not be loaded (${(err as Error)?.message ?? String(err)}); the last good configuration keeps serving`);
      return false;
    }
    const after = await look();
    if (expected !== null && !sameSnapshot(expected, after)) {
      again = true; // written to while it was read: read it again once it settles
      return false;
    }
    lastLoaded = after;
    return applyLoaded(opts, result);
  };

  /** After a file event: nothing when the files did not change, else wait until they settle, then reload. */
  const onChange = async (): Promise<boolean> => {
    if (closed || sameSnapshot(lastLoaded, await look())) return false;
    const files = await settled(lastLoaded, look, settle);
    return closed ? false : reloadOnce(files);
  };

  const run = (job: () => Promise<boolean>): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = job().finally(() => {
      running = null;
      if (again) {
        again = false;
        void run(onChange);
      }
    });
    return running;
  };

  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void run(onChange);
    }, opts.debounceMs ?? 150);
  };

  for (const dir of new Set([...paths.files.map((f) => dirname(f)), ...paths.dirs])) {
    const w = watch(dir, { recursive: paths.dirs.includes(dir) }, () => schedule());
    w.on('error', (err) => opts.logger.warn(`cannot watch ${dir}: ${err.message}`));
    watchers.push(w);
  }
  // changed before the watchers existed (while the gateway started): no event will tell
  if (opts.initial !== undefined && !sameSnapshot(opts.initial, await look())) schedule();

  return {
    reload: () => run(() => reloadOnce(null)),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
