/**
 * A state file changed while `aigw serve` starts — after the files were read, before the watcher
 * exists — has no file event of its own. It used to be lost: the watcher took the new file as the
 * serving one and the old configuration served until the next edit (found with
 * bench/profile/reload-timeline.mjs, whose first reload came ~10 ms after the route listing).
 * It is reloaded as soon as the watcher starts.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { serve } from '../../../src/commands/serve.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

const state = (up: string, path: string) => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up}\n  routes:\n  - name: main\n    paths: [${path}]\n`;

const until = async (check: () => Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('a state file changed while serve starts', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-start-race-'));
  const file = join(dir, 'kong.yaml');
  let stop: () => void;
  let exit: Promise<number>;
  let proxyUrl = '';
  const io = bufferIo({ env: {} });

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, state(up.url, '/before'));
    const stopped = new Promise<void>((r) => (stop = r));
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((r) => (ready = r));
    exit = serve({ args: [file], opts: { listen: '127.0.0.1:0', adminListen: 'off', logFormat: 'json', accessLog: false } }, io, {
      stop: stopped,
      // the first configuration serves; the watcher does not exist yet: an editor's atomic save now
      beforeWatch: async () => {
        writeFileSync(`${file}.tmp`, state(up.url, '/after'));
        renameSync(`${file}.tmp`, file);
      },
      onReady: (u) => {
        proxyUrl = u.proxyUrl;
        ready();
      },
    });
    await Promise.race([isReady, exit.then((c) => Promise.reject(new Error(`serve exited ${c}: ${io.stderr()}`)))]);
  });
  afterAll(async () => {
    stop?.();
    await exit;
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reloaded once the watcher starts, without another write', async () => {
    await until(async () => (await request(`${proxyUrl}/after`)).status === 200);
    expect((await request(`${proxyUrl}/before`)).status).toBe(404);
    expect(io.stderr()).toMatch(/configuration reloaded/);
  });
});
