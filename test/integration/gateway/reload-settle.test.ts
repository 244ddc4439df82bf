/**
 * Issue 10, defect 6: a state file is never served half-written. Written in place in two halves
 * with a pause — the first half a valid file without the key-auth plugin — no request passes
 * without a key at any moment; files replaced by a rename (`mv tmp file`, a Kubernetes ConfigMap's
 * `..data` symlink swap) are reloaded; a file that stays invalid is reported once and the last good
 * configuration keeps serving.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startServeFiles, until, type RunningServe } from '../../helpers/serve-db.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A service with one route per path; key-auth on every route (a global plugin, last in the file). */
function config(up: string, paths: string[]): { head: string; tail: string } {
  const routes = paths.map((p, i) => `  - name: r${i}\n    paths: [${p}]\n`).join('');
  return {
    head: `_format_version: "3.0"\nconsumers:\n- username: alice\n  keyauth_credentials: [{ key: alice-key }]\nservices:\n- name: echo\n  url: ${up}\n  routes:\n${routes}`,
    tail: 'plugins:\n- name: key-auth\n',
  };
}

/** The gateway on `file`, without an Admin API. */
const serveFile = (file: string): Promise<RunningServe> => startServeFiles([file], { opts: { adminListen: 'off' } });

const keyed = { apikey: 'alice-key' };

describe('a state file being written is not served', () => {
  let up: TestUpstream;
  beforeAll(async () => {
    up = await startUpstream();
  });
  afterAll(async () => {
    await up.close();
  });

  it('written in place in two halves with a 400 ms pause: no request passes without a key at any time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-settle-'));
    const file = join(dir, 'kong.yaml');
    const before = config(up.url, ['/v1']);
    writeFileSync(file, before.head + before.tail);
    const gw = await serveFile(file);
    try {
      expect((await request(`${gw.proxy}/v1`)).status).toBe(401);
      let hammering = true;
      const passed: string[] = [];
      let sent = 0;
      const hammer = (async () => {
        while (hammering) {
          for (const p of ['/v1', '/v2']) {
            const res = await request(`${gw.proxy}${p}`);
            sent++;
            if (res.status !== 401 && res.status !== 404) passed.push(`${p} ${res.status}`);
          }
          await sleep(5);
        }
      })();
      const after = config(up.url, ['/v1', '/v2']);
      // the first half is a whole valid file (both routes) without the key-auth plugin
      const fd = openSync(file, 'w');
      writeSync(fd, after.head);
      await sleep(400);
      writeSync(fd, after.tail);
      closeSync(fd);
      await until(async () => (await request(`${gw.proxy}/v2`, { headers: keyed })).status === 200);
      await sleep(300);
      // a loaded machine may have sent few requests by now: keep on until enough have been checked
      await until(() => sent > 20, 30_000);
      hammering = false;
      await hammer;
      expect(passed).toEqual([]);
      expect(sent).toBeGreaterThan(20);
      expect((await request(`${gw.proxy}/v2`)).status).toBe(401);
    } finally {
      await gw.stop();
    }
  });

  it('reloads a file replaced by a rename and a Kubernetes-style ..data symlink swap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-rename-'));
    const version = (name: string, paths: string[]): void => {
      mkdirSync(join(dir, name));
      const c = config(up.url, paths);
      writeFileSync(join(dir, name, 'kong.yaml'), c.head + c.tail);
    };
    // kong.yaml -> ..data/kong.yaml, ..data -> ..v1 (what a ConfigMap volume looks like)
    version('..v1', ['/v1']);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'kong.yaml'), join(dir, 'kong.yaml'));
    const gw = await serveFile(join(dir, 'kong.yaml'));
    try {
      expect((await request(`${gw.proxy}/v1`, { headers: keyed })).status).toBe(200);
      version('..v2', ['/v1', '/v2']);
      symlinkSync('..v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      rmSync(join(dir, '..v1'), { recursive: true });
      await until(async () => (await request(`${gw.proxy}/v2`, { headers: keyed })).status === 200);

      // an editor's atomic save: write a temporary file, rename it over the served one
      const plain = join(dir, 'plain');
      mkdirSync(plain);
      const c = config(up.url, ['/v3']);
      writeFileSync(join(plain, 'kong.yaml'), c.head + c.tail);
      const other = await serveFile(join(plain, 'kong.yaml'));
      try {
        const next = config(up.url, ['/v3', '/v4']);
        writeFileSync(join(plain, '.kong.yaml.swp'), next.head + next.tail);
        renameSync(join(plain, '.kong.yaml.swp'), join(plain, 'kong.yaml'));
        await until(async () => (await request(`${other.proxy}/v4`, { headers: keyed })).status === 200);
      } finally {
        await other.stop();
      }
    } finally {
      await gw.stop();
    }
  });

  it('a file that stays invalid is reported once and the last good configuration keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-invalid-'));
    const file = join(dir, 'kong.yaml');
    const good = config(up.url, ['/v1']);
    writeFileSync(file, good.head + good.tail);
    const gw = await serveFile(file);
    try {
      writeFileSync(file, `${good.head}  - name: broken\n    paths: 12\n${good.tail}`);
      const rejected = (): number => gw.stderr().split('\n').filter((l) => l.includes('configuration change rejected')).length;
      await until(() => rejected() === 1);
      // unrelated changes next to it do not report it again
      writeFileSync(join(dir, 'notes.txt'), 'x');
      writeFileSync(join(dir, 'other.yaml'), 'x: 1\n');
      await sleep(1500);
      expect(rejected()).toBe(1);
      expect((await request(`${gw.proxy}/v1`, { headers: keyed })).status).toBe(200);
      expect((await request(`${gw.proxy}/v1`)).status).toBe(401);
    } finally {
      await gw.stop();
    }
  });
});
