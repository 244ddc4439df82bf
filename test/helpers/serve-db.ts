/**
 * `aigw serve --db <file>` in-process on 127.0.0.1:0 (proxy and Admin API), for database-mode tests;
 * and small helpers for its Admin API.
 */
import { expect } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { serve, type ServeHooks } from '../../src/commands/serve.js';
import type { Res } from './net.js';

export interface RunningDb {
  proxy: string;
  admin: string;
  stderr(): string;
  stop(): Promise<number>;
}

export function startServeDb(db: string): Promise<RunningDb> {
  return startServe([], { db });
}

/** `aigw serve <files…>` in-process, the same way (declarative mode); `hooks.beforeWatch` runs before the files are watched. */
export function startServeFiles(files: string[], hooks: Pick<ServeHooks, 'beforeWatch'> = {}): Promise<RunningDb> {
  return startServe(files, {}, hooks);
}

async function startServe(args: string[], mode: { db?: string }, hooks: Pick<ServeHooks, 'beforeWatch'> = {}): Promise<RunningDb> {
  const io = bufferIo({ env: {} });
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  let urls = { proxyUrl: '', adminUrl: '' as string | null };
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  const exit = serve({ args, opts: { ...mode, listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logFormat: 'json', accessLog: false } }, io, {
    ...hooks,
    stop: stopped,
    onReady: (u) => {
      urls = u;
      ready();
    },
  });
  await Promise.race([isReady, exit.then((c) => Promise.reject(new Error(`serve exited ${c}: ${io.stderr()}`)))]);
  return { proxy: urls.proxyUrl, admin: urls.adminUrl ?? '', stderr: () => io.stderr(), stop: () => (stop(), exit) };
}

export const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const until = async (check: () => Promise<boolean>, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 30));
  }
};

/** Kong's 400 schema violation (code 2) whose message matches `pattern`. */
export function expectSchemaViolation(res: Res, pattern: RegExp): void {
  expect(res.status, res.text).toBe(400);
  const body = res.json<{ code: number; name: string; message: string }>();
  expect(body.code).toBe(2);
  expect(body.name).toBe('schema violation');
  expect(body.message).toMatch(pattern);
}
