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
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startServeFiles, until, type RunningServe } from '../../helpers/serve-db.js';

const state = (up: string, path: string) => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up}\n  routes:\n  - name: main\n    paths: [${path}]\n`;

describe('a state file changed while serve starts', () => {
  let up: TestUpstream;
  let gw: RunningServe;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-start-race-'));
  const file = join(dir, 'kong.yaml');

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, state(up.url, '/before'));
    // the first configuration serves; the watcher does not exist yet: an editor's atomic save now
    gw = await startServeFiles([file], {
      beforeWatch: async () => {
        writeFileSync(`${file}.tmp`, state(up.url, '/after'));
        renameSync(`${file}.tmp`, file);
      },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reloaded once the watcher starts, without another write', async () => {
    await until(async () => (await request(`${gw.proxy}/after`)).status === 200, 20_000);
    expect((await request(`${gw.proxy}/before`)).status).toBe(404);
    expect(gw.stderr()).toMatch(/configuration reloaded/);
  });
});
