/**
 * `aigw serve` in-process on 127.0.0.1:0 (proxy and Admin API), on a database (`--db`) or on state
 * files; and small helpers for its Admin API.
 */
import { expect } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { serve, type ServeHooks } from '../../src/commands/serve.js';
import type { Res } from './net.js';

export interface RunningServe {
  proxy: string;
  /** The Admin API's URL; '' with `opts: { adminListen: 'off' }`. */
  admin: string;
  stdout(): string;
  stderr(): string;
  /** Stops the gateway; resolves with serve's exit code (again on a second call). */
  stop(): Promise<number>;
}

/** What a test changes: `opts` are merged over the defaults (both listeners on 127.0.0.1:0, JSON logs, no access log); `beforeWatch` runs before the files are watched. */
export interface StartOptions extends Pick<ServeHooks, 'beforeWatch'> {
  opts?: Record<string, unknown>;
}

export function startServeDb(db: string): Promise<RunningServe> {
  return startServe([], { opts: { db } });
}

/** `aigw serve <files…>` in-process, the same way (declarative mode). */
export function startServeFiles(files: string[], options: StartOptions = {}): Promise<RunningServe> {
  return startServe(files, options);
}

async function startServe(args: string[], { opts = {}, ...hooks }: StartOptions): Promise<RunningServe> {
  const io = bufferIo({ env: {} });
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  let urls = { proxyUrl: '', adminUrl: '' as string | null };
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  const exit = serve({ args, opts: { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logFormat: 'json', accessLog: false, ...opts } }, io, {
    ...hooks,
    stop: stopped,
    onReady: (u) => {
      urls = u;
      ready();
    },
  });
  await Promise.race([isReady, exit.then((c) => Promise.reject(new Error(`serve exited ${c}: ${io.stderr()}`)))]);
  return { proxy: urls.proxyUrl, admin: urls.adminUrl ?? '', stdout: () => io.stdout(), stderr: () => io.stderr(), stop: () => (stop(), exit) };
}

export const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Polls `check` every 30 ms until it holds; throws after `ms`. */
export const until = async (check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
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
