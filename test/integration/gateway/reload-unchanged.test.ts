/**
 * A state file rewritten with the bytes that already serve (an editor saving without a change, a
 * tool rewriting every file) is not parsed, validated and built again; once `POST /config` replaced
 * the configuration, the same file does reload.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { serve } from '../../../src/commands/serve.js';
import { filesDigest } from '../../../src/gateway/file-digest.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

const config = (up: string, path: string) => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up}\n  routes:\n  - name: main\n    paths: [${path}]\n`;
const count = (text: string, what: string): number => text.split(what).length - 1;

const until = async (check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('a state file rewritten unchanged', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-unchanged-'));
  const file = join(dir, 'kong.yaml');
  let stop: () => void;
  let exit: Promise<number>;
  let proxyUrl = '';
  let adminUrl = '';
  const io = bufferIo({ env: {} });

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, config(up.url, '/v1'));
    const stopped = new Promise<void>((r) => (stop = r));
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((r) => (ready = r));
    exit = serve({ args: [file], opts: { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logFormat: 'json', accessLog: false } }, io, {
      stop: stopped,
      onReady: (u) => {
        proxyUrl = u.proxyUrl;
        adminUrl = u.adminUrl ?? '';
        ready();
      },
    });
    await Promise.race([isReady, exit.then((c) => Promise.reject(new Error(`serve exited ${c}: ${io.stderr()}`)))]);
  });
  afterAll(async () => {
    stop?.();
    await exit;
    await up.close();
  });

  it('is not reloaded; a changed file is; after POST /config the same file is again', async () => {
    writeFileSync(file, config(up.url, '/v1'));
    await until(() => io.stderr().includes('configuration unchanged'));
    expect(count(io.stderr(), 'configuration reloaded')).toBe(0);
    writeFileSync(file, config(up.url, '/v2'));
    await until(() => count(io.stderr(), 'configuration reloaded') === 1);
    expect((await request(`${proxyUrl}/v2`)).status).toBe(200);
    const posted = await request(`${adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: config(up.url, '/v3') });
    expect(posted.status).toBe(201);
    expect((await request(`${proxyUrl}/v2`)).status).toBe(404);
    writeFileSync(file, config(up.url, '/v2'));
    await until(async () => (await request(`${proxyUrl}/v2`)).status === 200);
    expect(count(io.stderr(), 'configuration reloaded')).toBe(2);
    expect(count(io.stderr(), 'configuration unchanged')).toBe(1);
  });

  it('digests files by path and bytes; stdin and directories have none', async () => {
    const a = await filesDigest([file], dir);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await filesDigest(['kong.yaml'], dir)).toBe(a);
    writeFileSync(join(dir, 'other.yaml'), config(up.url, '/v2'));
    expect(await filesDigest(['other.yaml'], dir)).not.toBe(a);
    expect(await filesDigest(['-'], dir)).toBeNull();
    expect(await filesDigest([dir], dir)).toBeNull();
    expect(await filesDigest(['missing.yaml'], dir)).toBeNull();
  });
});
