/**
 * Runs a client CLI (Claude Code, Codex) as the notes on real clients advise: async spawn (the
 * gateway runs in this process), its own process group (killed whole on timeout: Codex's node
 * wrapper leaves its native child running otherwise), stdin closed (Codex reads it when not a TTY),
 * a temp HOME and working directory holding `fixture.txt`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SECRET = 'The secret word is MANGO-7.';

export interface CliRun { code: number | null; stdout: string; stderr: string }

/** A temp home and a work dir with fixture.txt. */
export function sandbox(): { home: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'aigw-cli-'));
  const home = join(root, 'home');
  const work = join(root, 'work');
  for (const d of [home, work]) mkdirSync(d);
  return { home, work };
}

export function runCli(bin: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      try { process.kill(-(child.pid ?? 0), 'SIGKILL'); } catch { /* gone */ }
    }, opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

export function writeFixture(dir: string): string {
  const path = join(dir, 'fixture.txt');
  writeFileSync(path, `${SECRET}\n`);
  return path;
}
