/**
 * When a watched state file may be read: not while something is still writing it. A reload waits
 * until the files have settled, judged from `stat` (following symlinks) of every watched file:
 *
 *   - two looks `stepMs` apart see the same files with the same device, inode, size and mtime;
 *   - and, when a file was changed in place (same inode as at the last load, new size or mtime:
 *     an editor saving in place, a slow `cp`), it has not been written for `quietMs` (its mtime,
 *     or our own observation when the clock and mtime disagree). A file replaced by a rename
 *     (editors' atomic save, `mv tmp file`, a Kubernetes ConfigMap's `..data` symlink swap) is
 *     complete when it appears, so the two looks suffice.
 *
 * A writer that pauses longer than `quietMs` in the middle of an in-place write can still be read
 * half-written (the whole file must then still parse and validate); an atomic rename never is.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What `stat` says of one file; null when it is missing. */
interface Mark {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Absolute path → mark, for every watched file (and every file under a watched directory). */
export type Snapshot = ReadonlyMap<string, Mark | null>;

export interface SettleOptions {
  /** Between two looks (ms). */
  stepMs: number;
  /** How long a file changed in place must have been left alone (ms). */
  quietMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const STATE_FILE = /\.(ya?ml|json)$/i;

async function mark(path: string): Promise<Mark | null> {
  const s = await stat(path).catch(() => null);
  return s && s.isFile() ? { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs } : null;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => STATE_FILE.test(e)).map((e) => join(dir, e)).sort();
}

/** Marks of the watched paths (`dirs` are walked for state files). */
export async function snapshot(files: readonly string[], dirs: readonly string[]): Promise<Snapshot> {
  const out = new Map<string, Mark | null>();
  const all = [...files];
  for (const d of dirs) all.push(...(await filesUnder(d)));
  for (const f of all) out.set(f, await mark(f));
  return out;
}

const sameMark = (a: Mark | null | undefined, b: Mark | null | undefined): boolean =>
  a === b || (!!a && !!b && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);

export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.has(k) || !sameMark(v, b.get(k))) return false;
  return true;
}

/** The newest mtime among the files of `now` that were changed in place since `before`; null when none was. */
function newestInPlaceWrite(before: Snapshot, now: Snapshot): number | null {
  let newest: number | null = null;
  for (const [k, m] of now) {
    const old = before.get(k);
    if (!m || !old || old.dev !== m.dev || old.ino !== m.ino || sameMark(old, m)) continue;
    newest = Math.max(newest ?? m.mtimeMs, m.mtimeMs);
  }
  return newest;
}

/**
 * Waits until the watched files have settled (see the top of this file) and returns their
 * snapshot; `before` is the snapshot of the last load.
 */
export async function settled(before: Snapshot, look: () => Promise<Snapshot>, o: SettleOptions): Promise<Snapshot> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let prev = await look();
  let since = now();
  for (;;) {
    await sleep(o.stepMs);
    const cur = await look();
    if (!sameSnapshot(prev, cur)) {
      prev = cur;
      since = now();
      continue;
    }
    const written = newestInPlaceWrite(before, cur);
    if (written === null) return cur;
    const t = now();
    if (t - written >= o.quietMs || t - since >= o.quietMs) return cur;
  }
}
