/**
 * A state file rewritten with the bytes that already serve (an editor saving without a change, a
 * tool rewriting every file) is not parsed, validated and built again; once `POST /config` replaced
 * the configuration, the same file does reload.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesDigest } from '../../../src/gateway/file-digest.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startServeFiles, until, type RunningServe } from '../../helpers/serve-db.js';

const config = (up: string, path: string) => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up}\n  routes:\n  - name: main\n    paths: [${path}]\n`;
const count = (text: string, what: string): number => text.split(what).length - 1;

describe('a state file rewritten unchanged', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-unchanged-'));
  const file = join(dir, 'kong.yaml');
  let gw: RunningServe;

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, config(up.url, '/v1'));
    gw = await startServeFiles([file]);
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
  });

  it('is not reloaded; a changed file is; after POST /config the same file is again', async () => {
    writeFileSync(file, config(up.url, '/v1'));
    await until(() => gw.stderr().includes('configuration unchanged'));
    expect(count(gw.stderr(), 'configuration reloaded')).toBe(0);
    writeFileSync(file, config(up.url, '/v2'));
    await until(() => count(gw.stderr(), 'configuration reloaded') === 1);
    expect((await request(`${gw.proxy}/v2`)).status).toBe(200);
    const posted = await request(`${gw.admin}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: config(up.url, '/v3') });
    expect(posted.status).toBe(201);
    expect((await request(`${gw.proxy}/v2`)).status).toBe(404);
    writeFileSync(file, config(up.url, '/v2'));
    await until(async () => (await request(`${gw.proxy}/v2`)).status === 200);
    expect(count(gw.stderr(), 'configuration reloaded')).toBe(2);
    expect(count(gw.stderr(), 'configuration unchanged')).toBe(1);
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
