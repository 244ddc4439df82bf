/**
 * A digest of state files' contents: a file rewritten with the same bytes (an editor saving without
 * a change, a tool rewriting every file, `touch`) need not be parsed, validated and built again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

const CHUNK = 64 * 1024;

/**
 * SHA-256 over the files' paths and bytes; null when an input is stdin, a directory or unreadable
 * (always reloaded). Read and hashed 64 KiB at a time: the proxy shares this thread, and one hash of
 * a multi-megabyte file would hold it for several milliseconds.
 */
export async function filesDigest(paths: readonly string[], cwd: string): Promise<string | null> {
  const h = createHash('sha256');
  for (const p of paths) {
    if (p === '-') return null;
    const full = resolve(cwd, p);
    try {
      if (!(await stat(full)).isFile()) return null;
      h.update(`${full}\0`);
      for await (const chunk of createReadStream(full, { highWaterMark: CHUNK })) h.update(chunk as Buffer);
      h.update('\0');
    } catch {
      return null;
    }
  }
  return h.digest('hex');
}
