/**
 * Hot reload: watch the state file(s) and rebuild on change. Parent directories are watched (not
 * the files) so editors that replace a file on save are seen too. Changes are debounced and
 * reloads never overlap. An invalid change is reported with the same lines `aigw validate`
 * prints, and the last good configuration keeps serving.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Issue } from '../config/issues.js';
import type { State } from '../config/state.js';
import type { Logger } from './log.js';

export interface ReloadOptions {
  /** Files or directories (`-` is not watched). */
  paths: readonly string[];
  cwd: string;
  load(): Promise<{ state: State | null; issues: readonly Issue[] }>;
  apply(state: State): Promise<void>;
  logger: Logger;
  format(issue: Issue): string;
  debounceMs?: number;
}

export interface Reloader {
  /** Reload now; resolves true when the new configuration is serving. */
  reload(): Promise<boolean>;
  close(): void;
}

export async function watchState(opts: ReloadOptions): Promise<Reloader> {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;
  let again = false;

  const reloadOnce = async (): Promise<boolean> => {
    let result: Awaited<ReturnType<ReloadOptions['load']>>;
    try {
      result = await opts.load();
    } catch (err) {
      opts.logger.error(`configuration change rejected: it could not be loaded (${(err as Error)?.message ?? String(err)}); the last good configuration keeps serving`);
      return false;
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
  };

  const reload = async (): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = reloadOnce().finally(() => {
      running = null;
      if (again) {
        again = false;
        void reload();
      }
    });
    return running;
  };

  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void reload();
    }, opts.debounceMs ?? 150);
  };

  for (const p of opts.paths) {
    if (p === '-') continue;
    const full = resolve(opts.cwd, p);
    const isDir = (await stat(full).catch(() => null))?.isDirectory() ?? false;
    const dir = isDir ? full : dirname(full);
    const name = basename(full);
    const w = watch(dir, { recursive: isDir }, (_event, file) => {
      if (isDir || file === null || file.toString() === name) schedule();
    });
    w.on('error', (err) => opts.logger.warn(`cannot watch ${dir}: ${err.message}`));
    watchers.push(w);
  }

  return {
    reload,
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
