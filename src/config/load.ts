import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { Issue } from './issues.js';
import { SourceFile } from './source.js';
import type { EnvOptions } from './env.js';

const STATE_FILE = /\.(ya?ml|json)$/i;

export interface ReadOptions extends EnvOptions {
  cwd: string;
  readStdin: () => Promise<string>;
}

export interface ReadResult {
  files: SourceFile[];
  /** Problems reading inputs (missing paths, empty directories). */
  issues: Issue[];
}

/**
 * Kubernetes' atomic writer keeps a mounted ConfigMap's real files in `..<timestamp>/` behind a
 * `..data` symlink and exposes each key as a symlink beside them: read the symlinks, never the
 * `..`-prefixed internals (they would define every entity twice and vanish at the next update).
 */
const ATOMIC_WRITER_INTERNAL = /^\.\./;

/** A directory entry that is a state file: a regular file, or a symlink to one (not to a directory). */
async function isStateFile(full: string, e: { name: string; isFile(): boolean; isSymbolicLink(): boolean }): Promise<boolean> {
  if (!STATE_FILE.test(e.name)) return false;
  if (e.isFile()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return (await stat(full)).isFile();
  } catch {
    return false; // a dangling link: nothing to read (reading it would report it as missing)
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (ATOMIC_WRITER_INTERNAL.test(e.name)) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (await isStateFile(full, e)) out.push(full);
  }
}

function displayName(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/**
 * Read every input: files, directories (recursive, .yaml/.yml/.json, sorted), or `-` for stdin.
 * Each file is env-rendered and parsed; nothing is merged here.
 */
export async function readInputs(inputs: readonly string[], opts: ReadOptions): Promise<ReadResult> {
  const files: SourceFile[] = [];
  const issues: Issue[] = [];
  for (const input of inputs) {
    if (input === '-') {
      files.push(new SourceFile('<stdin>', await opts.readStdin(), opts));
      continue;
    }
    const abs = resolve(opts.cwd, input);
    let paths: string[];
    try {
      const st = await stat(abs);
      if (st.isDirectory()) {
        paths = [];
        await walk(abs, paths);
        if (paths.length === 0) {
          issues.push({ severity: 'error', code: 'AIGW_NO_INPUT', message: `directory '${input}' contains no .yaml, .yml or .json files`, file: input });
        }
      } else {
        paths = [abs];
      }
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
      issues.push({ severity: 'error', code: 'AIGW_IO', message: `cannot read '${input}': ${reason}`, file: input });
      continue;
    }
    for (const p of paths) {
      try {
        const text = await readFile(p, 'utf8');
        files.push(new SourceFile(displayName(opts.cwd, p), text.replace(/^\uFEFF/, ''), opts));
      } catch (err) {
        issues.push({ severity: 'error', code: 'AIGW_IO', message: `cannot read '${p}': ${(err as Error).message}`, file: displayName(opts.cwd, p) });
      }
    }
  }
  return { files, issues };
}
